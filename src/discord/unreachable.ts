import { DiscordAPIError, DiscordjsError, DiscordjsErrorCodes, HTTPError } from 'discord.js';
import type { DiscordConfig } from '../config/config.js';
import { UserError } from '../errors.js';
import { scrubTokens } from '../log.js';
import { StartAbandoned } from './bot.js';

/**
 * A failure to reach Discord (`npm start`, `npm run deploy-commands`) as one line that names the
 * variable to check (a refused token, no answer in time, an answer that is not Discord's API, an
 * HTTP error, the network), a hint, and never the token.
 */
export function discordUnreachable(error: unknown, discord: DiscordConfig): UserError {
  const hint = 'Check DISCORD_API_URL (the REST base, https://discord.com/api), DISCORD_TOKEN and DISCORD_CLIENT_ID, and the network.';
  const tokenRefused =
    (error instanceof DiscordAPIError && error.status === 401) || (error instanceof DiscordjsError && error.code === DiscordjsErrorCodes.TokenInvalid);
  if (tokenRefused) {
    return new UserError(
      `Discord at ${discord.apiUrl} refused the token in DISCORD_TOKEN (401 Unauthorized).`,
      'Check DISCORD_TOKEN (Developer Portal, your application, Bot, Reset Token) and that DISCORD_API_URL is Discord’s REST base (https://discord.com/api).',
    );
  }
  const message = String((error as Error)?.message ?? error);
  const reason =
    error instanceof StartAbandoned
      ? message
      : error instanceof SyntaxError
        ? `the answer is not Discord’s API (not JSON: ${message})`
        : error instanceof HTTPError
          ? `it answered ${error.status} ${error.message}`
          : error instanceof DiscordAPIError
            ? `it answered ${error.status} (${message})`
            : message;
  const line = scrubTokens(reason).split(discord.token).join('[redacted]').split('\n')[0]!.slice(0, 300);
  return new UserError(`Could not connect to Discord at ${discord.apiUrl} (DISCORD_API_URL): ${line}`, hint);
}

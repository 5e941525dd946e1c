import { runMain } from './runtime.js';
import { loadDotEnv, parseConfig } from '../config/config.js';
import { UserError } from '../errors.js';
import { deployCommands, restOptions } from '../discord/deploy.js';
import { discordUnreachable } from '../discord/unreachable.js';

/**
 * npm run deploy-commands: registers the slash commands now. A Discord that cannot be reached or
 * refuses is one line naming the variable to check, as for `npm start`, within one request's
 * timeout (DISCORD_TIMEOUT_SECONDS), retries included.
 */
runMain(async () => {
  loadDotEnv();
  const { discord } = parseConfig();
  if (!discord) throw new UserError('DISCORD_TOKEN is not set.', 'Set DISCORD_TOKEN and DISCORD_CLIENT_ID (see .env.example).');
  const { timeout } = restOptions(discord);
  const deadline = AbortSignal.timeout(timeout);
  const count = await deployCommands(discord, undefined, deadline).catch((error: unknown) => {
    throw discordUnreachable(deadline.aborted ? new Error(`no answer within ${timeout / 1000} s`) : error, discord);
  });
  process.stdout.write(`Registered ${count} commands ${discord.guildId ? `in server ${discord.guildId}` : 'globally (may take up to an hour to appear)'}.\n`);
});

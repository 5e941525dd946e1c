import { runMain } from './runtime.js';
import { loadDotEnv, parseConfig } from '../config/config.js';
import { UserError } from '../errors.js';
import { deployCommands } from '../discord/deploy.js';

/** npm run deploy-commands: registers the slash commands now. */
runMain(async () => {
  loadDotEnv();
  const { discord } = parseConfig();
  if (!discord) throw new UserError('DISCORD_TOKEN is not set.', 'Set DISCORD_TOKEN and DISCORD_CLIENT_ID (see .env.example).');
  const count = await deployCommands(discord);
  process.stdout.write(`Registered ${count} commands ${discord.guildId ? `in server ${discord.guildId}` : 'globally (may take up to an hour to appear)'}.\n`);
});

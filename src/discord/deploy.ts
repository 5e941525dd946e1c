import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { REST, Routes } from 'discord.js';
import type { DiscordConfig } from '../config/config.js';
import type { Logger } from '../log.js';
import { commandDefinitions, definitionsHash } from '../../commands/index.js';

export function restClient(discord: DiscordConfig): REST {
  return new REST({ api: discord.apiUrl }).setToken(discord.token);
}

/** Registers every command (bulk overwrite, idempotent): in one server when DISCORD_GUILD_ID is set, else globally. */
export async function deployCommands(discord: DiscordConfig, rest = restClient(discord)): Promise<number> {
  const route = discord.guildId ? Routes.applicationGuildCommands(discord.clientId, discord.guildId) : Routes.applicationCommands(discord.clientId);
  const registered = (await rest.put(route, { body: commandDefinitions() })) as unknown[];
  return registered.length;
}

/** Deploys at start only when the definitions (or where they go) changed since the last deployment. */
export async function deployIfChanged(discord: DiscordConfig, dataDir: string, log: Logger, rest?: REST): Promise<boolean> {
  const stampFile = path.join(dataDir, 'discord-commands.json');
  const stamp = { hash: definitionsHash(), clientId: discord.clientId, guildId: discord.guildId ?? null, apiUrl: discord.apiUrl };
  if (existsSync(stampFile) && (await readFile(stampFile, 'utf8')) === JSON.stringify(stamp)) return false;
  const count = await deployCommands(discord, rest);
  await mkdir(dataDir, { recursive: true });
  await writeFile(stampFile, JSON.stringify(stamp));
  log.info({ commands: count, scope: discord.guildId ? 'guild' : 'global' }, 'slash commands deployed');
  return true;
}

import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { REST, Routes } from 'discord.js';
import { DEFAULT_DISCORD_TIMEOUT_SECONDS, type DiscordConfig } from '../config/config.js';
import type { Logger } from '../log.js';
import { commandDefinitions, definitionsHash } from '../../commands/index.js';

/** The REST options every client of the bot uses: the API base and the request timeout. */
export function restOptions(discord: DiscordConfig): { api: string; timeout: number } {
  return { api: discord.apiUrl, timeout: (discord.timeoutSeconds ?? DEFAULT_DISCORD_TIMEOUT_SECONDS) * 1000 };
}

export function restClient(discord: DiscordConfig): REST {
  return new REST(restOptions(discord)).setToken(discord.token);
}

/** Registers every command (bulk overwrite, idempotent): in one server when DISCORD_GUILD_ID is set, else globally. */
export async function deployCommands(discord: DiscordConfig, rest = restClient(discord), signal?: AbortSignal): Promise<number> {
  const route = discord.guildId ? Routes.applicationGuildCommands(discord.clientId, discord.guildId) : Routes.applicationCommands(discord.clientId);
  const registered = (await rest.put(route, { body: commandDefinitions(), signal })) as unknown[];
  return registered.length;
}

/** Deploys at start only when the definitions (or where they go) changed since the last deployment; `signal` abandons it. */
export async function deployIfChanged(discord: DiscordConfig, dataDir: string, log: Logger, rest?: REST, signal?: AbortSignal): Promise<boolean> {
  const stampFile = path.join(dataDir, 'discord-commands.json');
  const stamp = { hash: definitionsHash(), clientId: discord.clientId, guildId: discord.guildId ?? null, apiUrl: discord.apiUrl };
  if (existsSync(stampFile) && (await readFile(stampFile, 'utf8')) === JSON.stringify(stamp)) return false;
  const count = await deployCommands(discord, rest, signal);
  await mkdir(dataDir, { recursive: true });
  await writeFile(stampFile, JSON.stringify(stamp));
  log.info({ commands: count, scope: discord.guildId ? 'guild' : 'global' }, 'slash commands deployed');
  return true;
}

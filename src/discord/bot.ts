import { randomUUID } from 'node:crypto';
import { Client, Events, GatewayIntentBits, type Interaction } from 'discord.js';
import { PASSAGES_PER_ANSWER } from '../answers/answer.js';
import type { DiscordConfig } from '../config/config.js';
import type { Engine } from '../engine.js';
import { isUserError } from '../errors.js';
import type { Logger } from '../log.js';
import { AnswerPages } from './answer-pages.js';
import { COMMANDS } from '../../commands/index.js';
import type { BotContext, CommandOutcome } from './context.js';
import { deployIfChanged, restClient } from './deploy.js';
import { NO_MENTIONS, respondPrivately } from './respond.js';

/** On shutdown, replies in flight get this long to finish (an /add ingest among them). */
const DRAIN_MS = 10_000;

export interface RunningBot {
  client: Client;
  /** Finishes the replies in flight (bounded), then closes the Discord connection. */
  stop(): Promise<void>;
}

export interface BotOptions {
  discord: DiscordConfig;
  engine: Engine;
  log: Logger;
  dataDir: string;
  /** Passages per answer when /ask does not say (ANSWER_RESULTS). */
  answerResults?: number;
  allowPrivateUrls?: boolean;
}

export async function startBot({
  discord,
  engine,
  log,
  dataDir,
  answerResults = PASSAGES_PER_ANSWER.default,
  allowPrivateUrls = false,
}: BotOptions): Promise<RunningBot> {
  const rest = restClient(discord);
  await deployIfChanged(discord, dataDir, log, rest);
  const client = new Client({ intents: [GatewayIntentBits.Guilds], rest: { api: discord.apiUrl }, allowedMentions: NO_MENTIONS });
  const context: BotContext = { engine, log, pages: new AnswerPages(), answerResults, allowPrivateUrls };
  const cooldowns = new Map<string, number>();
  const inFlight = new Set<Promise<void>>();

  client.on(Events.InteractionCreate, (interaction) => {
    const work = handleInteraction(interaction, context, discord.cooldownSeconds * 1000, cooldowns).finally(() => inFlight.delete(work));
    inFlight.add(work);
  });
  client.on(Events.Error, (error) => log.error({ err: error }, 'discord client error'));
  client.on(Events.ShardDisconnect, (event, shard) => log.warn({ code: event.code, shard }, 'gateway disconnected'));
  client.on(Events.ShardResume, (shard) => log.info({ shard }, 'gateway resumed'));
  client.once(Events.ClientReady, (ready) => log.info({ user: ready.user.tag, guilds: ready.guilds.cache.size }, 'bot ready'));

  await client.login(discord.token);

  return {
    client,
    async stop() {
      await Promise.race([Promise.allSettled(inFlight), new Promise((r) => setTimeout(r, DRAIN_MS).unref())]);
      await client.destroy();
      log.info('bot stopped');
    },
  };
}

/** Routes one interaction to its command, with cooldown, error handling and one log line. */
export async function handleInteraction(interaction: Interaction, context: BotContext, cooldownMs: number, cooldowns: Map<string, number>): Promise<void> {
  const started = performance.now();
  const base = { interaction: interaction.id, user: interaction.user.id, guild: interaction.guildId };
  if (interaction.isAutocomplete()) {
    const command = COMMANDS.get(interaction.commandName);
    try {
      await command?.autocomplete?.(interaction, context);
    } catch (error) {
      context.log.error({ ...base, command: interaction.commandName, err: error }, 'autocomplete failed');
    }
    return;
  }
  let commandName: string;
  let run: () => Promise<CommandOutcome>;
  if (interaction.isChatInputCommand()) {
    const command = COMMANDS.get(interaction.commandName);
    if (!command) return;
    commandName = interaction.commandName;
    run = () => command.execute(interaction, context);
  } else if (interaction.isButton()) {
    const prefix = interaction.customId.split(':')[0];
    const command = [...COMMANDS.values()].find((c) => c.button?.prefix === prefix);
    if (!command?.button) return;
    commandName = `button:${prefix}`;
    run = () => command.button!.handle(interaction, context);
  } else {
    return;
  }
  // Commands and buttons share one cooldown per person: 30 presses of "more" are not 30 replies.
  const waitMs = (cooldowns.get(interaction.user.id) ?? 0) + cooldownMs - Date.now();
  if (waitMs > 0) {
    await respondPrivately(interaction, `Please wait ${Math.ceil(waitMs / 1000)} s before your next command.`).catch(() => undefined);
    context.log.info({ ...base, command: commandName, cooldown: true }, 'interaction');
    return;
  }
  cooldowns.set(interaction.user.id, Date.now());

  try {
    const outcome = await run();
    context.log.info({ ...base, command: commandName, ms: Math.round(performance.now() - started), ...outcome }, 'interaction');
  } catch (error) {
    const ms = Math.round(performance.now() - started);
    if (isUserError(error)) {
      context.log.info({ ...base, command: commandName, ms, rejected: error.message }, 'interaction');
      await respondPrivately(interaction, error.message).catch(() => undefined);
      return;
    }
    const errorId = randomUUID().slice(0, 8);
    context.log.error({ ...base, command: commandName, ms, errorId, err: error }, 'interaction failed');
    await respondPrivately(interaction, `Sorry, something went wrong on my side (error ${errorId}). Please try again later.`).catch((sendError: unknown) =>
      context.log.warn({ ...base, errorId, err: sendError }, 'could not send the apology'),
    );
  }
}

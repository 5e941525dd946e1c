import { randomUUID } from 'node:crypto';
import { ApplicationCommandOptionType, Client, Events, GatewayIntentBits, Routes, type ChatInputCommandInteraction, type Interaction } from 'discord.js';
import { PASSAGES_PER_ANSWER } from '../answers/answer.js';
import type { DiscordConfig } from '../config/config.js';
import type { Engine } from '../engine.js';
import { isUserError, UserError } from '../errors.js';
import type { Logger } from '../log.js';
import { AnswerPages } from './answer-pages.js';
import { Feedback } from './feedback.js';
import { COMMANDS } from '../../commands/index.js';
import type { BotContext, CollectionWriter, CommandOutcome, SlashCommand } from './context.js';
import { ingestFromWeb } from '../index/ingest-web.js';
import { leaveCollection } from '../index/ingest.js';
import { every } from '../background/every.js';
import { deleteDepartedCollections, Servers } from './servers.js';
import { DIGEST_CHECK_MS, postDueDigests } from './digests.js';
import { DEFAULT_LIMITS } from '../web/fetch-page.js';
import { deployIfChanged, restClient, restOptions } from './deploy.js';
import { TokenBuckets } from './rate-limit.js';
import { NO_MENTIONS, respondPrivately } from './respond.js';

/** On shutdown, replies in flight get this long to finish (an /add ingest among them). */
const DRAIN_MS = 10_000;
/** How often the collections of servers the bot left are looked at for deletion (COLLECTION_GRACE_DAYS). */
const DEPARTED_CHECK_MS = 60 * 60_000;
export const DEFAULT_GRACE_DAYS = 30;

/**
 * Autocomplete budget per person, apart from the cooldown of commands: Discord sends one request
 * per keystroke, so a burst of 8 covers a word typed at speed, and 4 a second keeps up with
 * steady typing. Each lookup is bounded (an article's title: the 100 likeliest articles, the first
 * 48 characters compared, tens of milliseconds on 2,300 articles; see src/engine.ts); past the
 * budget a request gets no choices and costs nothing, so one person typing, or a script, cannot
 * keep the bot from everyone else.
 */
export const AUTOCOMPLETE_BURST = 8;
export const AUTOCOMPLETE_PER_SECOND = 4;

/** The start was abandoned: the process is stopping (SIGINT/SIGTERM), or Discord did not answer in time. */
export class StartAbandoned extends Error {
  override name = 'StartAbandoned';
}

export interface RunningBot {
  client: Client;
  /** Deletes the collections of servers the bot left more than COLLECTION_GRACE_DAYS ago (also run hourly); returns their ids. */
  deleteDepartedCollections(): Promise<string[]>;
  /** Posts the channel digests that are due (also run every minute); returns how many posts were made. */
  postDigests(): Promise<number>;
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
  /** RETAIN_DAYS, for articles added with /add. */
  retainDays?: number;
  /** Aborted on SIGINT/SIGTERM: a start still connecting is abandoned (the client destroyed) instead of waited for. */
  stopping?: AbortSignal;
  /** How `/add` and `/collection remove` write (in this process by default; a shard forwards them to the manager). */
  writer?: CollectionWriter;
  /** Register the slash commands when they changed (default); shards leave it to their manager. */
  deploy?: boolean;
  /** Delete the collections of servers left past the grace period (default); shards leave it to their manager, which does every write. */
  deletesDeparted?: boolean;
  /** The time, for the grace period of departed servers' collections (tests move it on). */
  clock?: () => Date;
}

/** Writes in this process: the page fetched and its article ingested here, or a collection's articles taken out. */
export function writingHere(engine: Pick<Engine, 'target' | 'embedder'>, { allowPrivateUrls = false, retainDays }: Pick<BotOptions, 'allowPrivateUrls' | 'retainDays'>): CollectionWriter {
  return {
    add: (link, collection) =>
      ingestFromWeb(engine.target, engine.embedder, { urls: [link], feeds: [], limits: { ...DEFAULT_LIMITS, allowPrivate: allowPrivateUrls }, retainDays, collection }),
    leave: (collection, ids) => leaveCollection(engine.target, engine.embedder, collection, ids),
  };
}

/** What handleInteraction needs to pace people: the command cooldown and the autocomplete budget. */
export interface Pacing {
  cooldownMs: number;
  /** When each person last ran a command or pressed a button. */
  cooldowns: Map<string, number>;
  autocomplete: TokenBuckets;
}

export async function startBot({
  discord,
  engine,
  log,
  dataDir,
  answerResults = PASSAGES_PER_ANSWER.default,
  allowPrivateUrls = false,
  retainDays,
  stopping,
  writer = writingHere(engine, { allowPrivateUrls, retainDays }),
  deploy = true,
  clock = () => new Date(),
  deletesDeparted = true,
}: BotOptions): Promise<RunningBot> {
  const rest = restClient(discord);
  const { timeout } = restOptions(discord);
  // Reaching Discord at start (the deployment and the gateway's address), retries included, gets
  // one request's timeout: an address that accepts connections and never answers fails in 15 s,
  // not after 4 attempts of 15 s for each request.
  const deadline = AbortSignal.timeout(timeout);
  const abandoned = (): StartAbandoned | undefined =>
    stopping?.aborted
      ? new StartAbandoned('stopping before Discord was reached')
      : deadline.aborted
        ? new StartAbandoned(`no answer within ${timeout / 1000} s`)
        : undefined;
  const signal = stopping ? AbortSignal.any([stopping, deadline]) : deadline;
  try {
    if (deploy) await deployIfChanged(discord, dataDir, log, rest, signal);
    // Also when nothing was deployed: Discord answers, and takes the token, before login asks again without a deadline.
    await rest.get(Routes.gatewayBot(), { signal });
  } catch (error) {
    throw abandoned() ?? error;
  }
  const client = new Client({ intents: [GatewayIntentBits.Guilds], rest: restOptions(discord), allowedMentions: NO_MENTIONS });
  const servers = await Servers.open(dataDir, log);
  const context: BotContext = {
    engine,
    unscoped: engine,
    log,
    pages: new AnswerPages(),
    answerResults,
    writer,
    servers,
    addScope: discord.addScope ?? 'server',
    privateByDefault: discord.privateByDefault ?? false,
    feedback: new Feedback(dataDir),
  };
  const pacing: Pacing = { cooldownMs: discord.cooldownSeconds * 1000, cooldowns: new Map(), autocomplete: new TokenBuckets(AUTOCOMPLETE_BURST, AUTOCOMPLETE_PER_SECOND) };
  const inFlight = new Set<Promise<void>>();

  client.on(Events.InteractionCreate, (interaction) => {
    const work = handleInteraction(interaction, context, pacing).finally(() => inFlight.delete(work));
    inFlight.add(work);
  });
  client.on(Events.Error, (error) => log.error({ err: error }, 'discord client error'));
  client.on(Events.ShardDisconnect, (event, shard) => log.warn({ code: event.code, shard }, 'gateway disconnected'));
  client.on(Events.ShardResume, (shard) => log.info({ shard }, 'gateway resumed'));
  client.once(Events.ClientReady, (ready) => {
    log.info({ user: ready.user.tag, guilds: ready.guilds.cache.size }, 'bot ready');
    // Servers that took the bot back while it was away keep their collections.
    for (const guildId of ready.guilds.cache.keys()) void servers.present(guildId).catch((error: unknown) => log.warn({ guild: guildId, err: error }, 'could not note a server'));
  });
  // Removed from a server (an outage is GuildUnavailable, not this): its collection goes after the grace period.
  client.on(Events.GuildDelete, (guild) => {
    log.info({ guild: guild.id, graceDays }, 'removed from a server');
    void servers.left(guild.id, clock()).catch((error: unknown) => log.warn({ guild: guild.id, err: error }, 'could not note a server left'));
  });
  client.on(Events.GuildCreate, (guild) => void servers.present(guild.id).catch((error: unknown) => log.warn({ guild: guild.id, err: error }, 'could not note a server')));
  const graceDays = discord.collectionGraceDays ?? DEFAULT_GRACE_DAYS;
  const deleteDeparted = () => deleteDepartedCollections(dataDir, graceDays, clock(), async (collection) => {
    const report = await writer.leave(collection);
    await engine.reload();
    return report;
  }, log);
  const postDigests = () => postDueDigests({ client, servers, engine, indexDir: engine.indexDir, log, now: clock() });
  await loginUnlessStopping(client, discord.token, stopping);
  // Once connected: the background work of a bot that failed to start never runs.
  const digests = every(DIGEST_CHECK_MS, () => postDigests().then(() => undefined, (error: unknown) => log.warn({ err: error }, 'digests failed; will try again')));
  const departedChecks = deletesDeparted
    ? every(DEPARTED_CHECK_MS, () => deleteDeparted().then(() => undefined, (error: unknown) => log.warn({ err: error }, "could not delete departed servers' collections")), { now: true })
    : undefined;

  return {
    client,
    deleteDepartedCollections: deleteDeparted,
    postDigests,
    async stop() {
      await digests.stop();
      await departedChecks?.stop();
      await Promise.race([Promise.allSettled(inFlight), new Promise((r) => setTimeout(r, DRAIN_MS).unref())]);
      await client.destroy();
      log.info('bot stopped');
    },
  };
}

/**
 * Logs in (gateway discovery, connection, READY). When `stopping` aborts first, the client is
 * destroyed and the start abandoned: discord.js retries an unreachable gateway every half second
 * for as long as it is let.
 */
async function loginUnlessStopping(client: Client, token: string, stopping: AbortSignal | undefined): Promise<void> {
  if (!stopping) {
    await client.login(token);
    return;
  }
  if (stopping.aborted) throw new StartAbandoned('stopping before Discord was reached');
  let onAbort!: () => void;
  const stopped = new Promise<'stopped'>((resolve) => {
    onAbort = () => resolve('stopped');
    stopping.addEventListener('abort', onAbort, { once: true });
  });
  const login = client.login(token);
  try {
    if ((await Promise.race([login, stopped])) !== 'stopped') return;
  } finally {
    stopping.removeEventListener('abort', onAbort);
  }
  login.catch(() => undefined);
  await client.destroy();
  throw new StartAbandoned('stopping before Discord was reached');
}

/** Routes one interaction to its command, with cooldown, autocomplete budget, error handling and one log line. */
export async function handleInteraction(interaction: Interaction, everywhere: BotContext, { cooldownMs, cooldowns, autocomplete }: Pacing): Promise<void> {
  const started = performance.now();
  const context = seenFrom(interaction, everywhere);
  const base = { interaction: interaction.id, user: interaction.user.id, guild: interaction.guildId };
  if (interaction.isAutocomplete()) {
    const command = COMMANDS.get(interaction.commandName);
    if (!autocomplete.take(interaction.user.id)) {
      // Over the budget: no lookup. Discord shows "no options" until the next keystroke within it.
      context.log.info({ ...base, command: interaction.commandName, rateLimited: true }, 'autocomplete');
      await interaction.respond([]).catch(() => undefined);
      return;
    }
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
    run = () => {
      checkLengths(interaction);
      return command.execute(interaction, context);
    };
  } else if (interaction.isButton()) {
    const button = handlerFor(interaction.customId, (c) => c.buttons);
    if (!button) return;
    commandName = `button:${button.prefix}`;
    run = () => button.handle(interaction, context);
  } else if (interaction.isModalSubmit()) {
    const modal = handlerFor(interaction.customId, (c) => c.modals);
    if (!modal) return;
    commandName = `modal:${modal.prefix}`;
    run = () => modal.handle(interaction, context);
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

/**
 * The context with the engine as the interaction's channel sees the articles: the collections its
 * server and channel answer from (a thread: its parent channel's), applied inside retrieval.
 */
function seenFrom(interaction: Interaction, context: BotContext): BotContext {
  const channel = interaction.channel;
  const channelId = channel?.isThread() ? channel.parentId : interaction.channelId;
  return { ...context, engine: context.unscoped.within(context.servers.visibleCollections(interaction.guildId, channelId)) };
}

/** The button or modal handler for a custom id `<prefix>:…`, among the commands' handlers of that kind. */
function handlerFor<H extends { prefix: string }>(customId: string, handlersOf: (command: SlashCommand) => H[] | undefined): H | undefined {
  const prefix = customId.split(':')[0];
  return [...COMMANDS.values()].flatMap((c) => handlersOf(c) ?? []).find((h) => h.prefix === prefix);
}

let maxLengths: ReadonlyMap<string, ReadonlyMap<string, number>> | undefined;

/**
 * Discord refuses a string option longer than its definition's max_length, but a handler does not
 * rely on it: a value over the limit is refused here, before any lookup, with the option named.
 */
function checkLengths(interaction: ChatInputCommandInteraction): void {
  maxLengths ??= new Map(
    [...COMMANDS.values()].map((c) => {
      const options = (c.data.toJSON().options ?? []) as { name: string; type: number; max_length?: number }[];
      const strings = options.filter((o) => o.type === ApplicationCommandOptionType.String && o.max_length !== undefined);
      return [c.data.name, new Map(strings.map((o) => [o.name, o.max_length!]))];
    }),
  );
  const limits = maxLengths.get(interaction.commandName);
  for (const option of interaction.options.data) {
    const max = limits?.get(option.name);
    if (max !== undefined && typeof option.value === 'string' && option.value.length > max) {
      throw new UserError(`The ${option.name} is too long (${option.value.length} characters; at most ${max}).`);
    }
  }
}

/**
 * A test double of Discord's HTTP API (v10) and gateway, good enough for the real discord.js
 * `Client` to log in, become ready, receive interactions and answer them.
 *
 * - HTTP: node:http on 127.0.0.1 (random port). Routes live under `/api/v10`.
 * - Gateway: `ws` WebSocketServer (noServer) on the same port, json encoding, no compression.
 *
 * Usage:
 *   const double = new DiscordApiDouble();
 *   await double.start();
 *   const client = new Client({ intents: [GatewayIntentBits.Guilds], rest: { api: double.apiUrl } });
 *   await client.login('fake-token-for-tests');
 *   await double.waitForReady();
 *   const { token } = await double.chatInput('ask', [{ name: 'question', type: 3, value: 'hi?' }]);
 *   const replies = await double.waitForReplies(token, (r) => r.edits.length > 0);
 */
import { randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';
import {
  createServer,
  STATUS_CODES,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocket, WebSocketServer, type RawData } from 'ws';

/** One HTTP request the double received (every request is recorded, including failed attempts). */
export interface RecordedRequest {
  method: string;
  /** Decoded path without the `/api/v10` prefix, e.g. `/webhooks/APP/TOKEN/messages/@original`. */
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  /** Parsed JSON body, or the parsed `payload_json` part of a multipart body; `undefined` when empty. */
  body: any;
  /** Files of a multipart body (`files[n]` parts), if any. */
  files?: RecordedFile[];
  /** What the double answered (status and JSON body; body is `undefined` for 204). */
  response?: { status: number; body: unknown };
}

/** A file uploaded in a multipart request. */
export interface RecordedFile {
  field: string;
  name: string;
  contentType: string;
  data: Buffer;
}

/** Everything the bot sent for one interaction token, in order (failed attempts included: check `response.status`). */
export interface InteractionReplies {
  /** POST /interactions/{id}/{token}/callback */
  callbacks: RecordedRequest[];
  /** PATCH /webhooks/{app}/{token}/messages/{@original|id} */
  edits: RecordedRequest[];
  /** POST /webhooks/{app}/{token} */
  followUps: RecordedRequest[];
}

export interface DiscordApiDoubleOptions {
  applicationId?: string;
  guildId?: string;
  /**
   * Several servers (the first is `guildId`): a gateway session identified as shard [id, count]
   * gets those whose id puts them on that shard (`(id >> 22) % count`, as Discord routes them),
   * and an interaction in a server goes to the session that has it.
   */
  guildIds?: string[];
  botUserId?: string;
  /** HELLO heartbeat_interval in ms (default 45000, like Discord). */
  heartbeatIntervalMs?: number;
}

/** A user as passed to the interaction helpers; missing fields get defaults. */
export type InteractionUser = Partial<{ id: string; username: string }>;

/** An option of a chat input command as Discord sends it (type 3 = string, 4 = integer, 1 = subcommand...). */
export interface CommandOption {
  name: string;
  type: number;
  value?: unknown;
  focused?: boolean;
  options?: any[];
}

type FaultRoute = 'callback' | 'edit' | 'followup';
interface Fault {
  status: number;
  retryAfterSeconds?: number;
  code?: number;
}

/** Where an interaction happens: a server (the first by default), a channel of it (its text channel by default), with the member's permissions. */
export interface InteractionPlace {
  memberPermissions?: string;
  guildId?: string;
  channelId?: string;
}

interface Session {
  id: string;
  seq: number;
  /** Dispatches sent in this session, replayed on RESUME. */
  log: Array<{ s: number; payload: string }>;
  socket: WebSocket | null;
  /** The servers this session's shard has. */
  guilds: string[];
}

interface Connection {
  session: Session | null;
  ready: boolean;
}

interface StoredInteraction {
  id: string;
  token: string;
  type: number;
  payload: any;
  acknowledged: boolean;
  /** Current state of the `@original` message, if any. */
  original: any | undefined;
  /** The message a component sat on (used by callback types 6 and 7). */
  componentMessage: any | undefined;
  followUps: Map<string, any>;
  replies: InteractionReplies;
}

interface RouteResult {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

const API_PREFIX = '/api/v10';
const DISCORD_EPOCH = 1420070400000n;
const DEFAULT_USER_ID = '1300000000000000001';
/** Permissions used for app_permissions and as the default member permissions (a typical admin-less set). */
const DEFAULT_PERMISSIONS = '2248473465835073';

let lastTimestamp = 0n;
let increment = 0n;
/** Unique, time-ordered snowflakes (discord.js derives createdTimestamp from them). */
function snowflake(): string {
  let ts = BigInt(Date.now()) - DISCORD_EPOCH;
  if (ts <= lastTimestamp) {
    increment += 1n;
    if (increment > 0xfffn) {
      lastTimestamp += 1n;
      increment = 0n;
    }
    ts = lastTimestamp;
  } else {
    lastTimestamp = ts;
    increment = 0n;
  }
  return ((ts << 22n) | (1n << 17n) | increment).toString();
}

function apiError(status: number, message: string, code: number): RouteResult {
  return { status, body: { message, code } };
}

/** Each server of the double has one text channel, numbered after it. */
function channelOf(guildId: string): string {
  return (BigInt(guildId) + 1n).toString();
}

function withTimeout<T>(promise: Promise<T>, timeoutMs: number, what: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`DiscordApiDouble: timed out after ${timeoutMs} ms waiting for ${what}`)), timeoutMs);
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}

export class DiscordApiDouble {
  readonly applicationId: string;
  readonly guildId: string;
  readonly guildIds: string[];
  readonly channelId: string;
  readonly botUserId: string;
  /** Every HTTP request received, in order. */
  readonly requests: RecordedRequest[] = [];
  /** Requests that matched no route (answered 404 `{message: 'Unknown route', code: 0}`). */
  readonly unknownRoutes: RecordedRequest[] = [];
  /** IDENTIFY payloads (`d`) received. */
  identifies: any[] = [];
  /** RESUME payloads (`d`) received. */
  resumes: any[] = [];

  private readonly heartbeatIntervalMs: number;
  private readonly server: Server;
  private readonly wss = new WebSocketServer({ noServer: true });
  private readonly connections = new Map<WebSocket, Connection>();
  private readonly sessions = new Map<string, Session>();
  private latestSession: Session | null = null;
  private readonly interactions = new Map<string, StoredInteraction>(); // by token
  private readonly commands = new Map<string, any[]>(); // 'global' or guild id
  private readonly faults: Record<FaultRoute, Fault[]> = { callback: [], edit: [], followup: [] };
  private readonly events = new EventEmitter();
  private readonly joinedAt = new Date().toISOString();
  /** Messages the bot posted in channels (its servers' channels and DMs), by channel id. */
  private readonly posted = new Map<string, any[]>();
  /** Channels where the bot may no longer post: a POST there answers 403 Missing Access. */
  private readonly denied = new Set<string>();
  /** DM channels opened by the bot, by id: the user each one reaches. */
  private readonly dmChannels = new Map<string, string>();
  /** Further text channels of servers, by id: the server each belongs to. */
  private readonly extraChannels = new Map<string, string>();
  private port = 0;

  constructor(options: DiscordApiDoubleOptions = {}) {
    this.applicationId = options.applicationId ?? '1100000000000000001';
    this.botUserId = options.botUserId ?? this.applicationId;
    this.guildIds = options.guildIds ?? [options.guildId ?? '1200000000000000001'];
    this.guildId = this.guildIds[0]!;
    this.channelId = channelOf(this.guildId);
    this.heartbeatIntervalMs = options.heartbeatIntervalMs ?? 45_000;
    this.events.setMaxListeners(0);
    this.server = createServer((req, res) => {
      this.handleHttp(req, res).catch((error: unknown) => {
        if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ message: `DiscordApiDouble crashed: ${String(error)}`, code: 0 }));
      });
    });
    this.server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
      this.wss.handleUpgrade(req, socket, head, (ws) => this.onGatewayConnection(ws, req));
    });
  }

  /** Listens on 127.0.0.1 on a random free port. */
  async start(): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(0, '127.0.0.1', () => {
        this.server.off('error', reject);
        resolve();
      });
    });
    this.port = (this.server.address() as AddressInfo).port;
  }

  /** Drops every socket and HTTP connection and closes the server. */
  async stop(): Promise<void> {
    for (const ws of this.wss.clients) ws.terminate();
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }

  /** e.g. `http://127.0.0.1:PORT/api`: pass as `ClientOptions.rest.api` (and as DISCORD_API_URL). */
  get apiUrl(): string {
    return `http://127.0.0.1:${this.port}/api`;
  }

  /** The gateway URL returned by GET /gateway/bot. */
  get gatewayUrl(): string {
    return `ws://127.0.0.1:${this.port}`;
  }

  /** The last bulk-overwritten commands (with ids) for the application (no arg) or a guild. */
  registeredCommands(guildId?: string): any[] | undefined {
    return this.commands.get(guildId ?? 'global');
  }

  /**
   * Resolves once a live gateway connection has been identified (READY + GUILD_CREATE sent) or resumed.
   * After `closeGateway()` it waits for the client to reconnect.
   */
  async waitForReady(timeoutMs = 5_000): Promise<void> {
    if (this.hasLiveReadyConnection()) return;
    await withTimeout(
      new Promise<void>((resolve) => {
        const check = (): void => {
          if (this.hasLiveReadyConnection()) {
            this.events.off('ready', check);
            resolve();
          }
        };
        this.events.on('ready', check);
      }),
      timeoutMs,
      'a ready gateway connection',
    );
  }

  /** Another text channel of a server (besides its first), which the bot can fetch and post in. */
  addChannel(guildId: string, channelId: string): void {
    this.extraChannels.set(channelId, guildId);
  }

  /** The bot may no longer post in this channel (its permission was taken away): posts answer 403. */
  denyChannel(channelId: string): void {
    this.denied.add(channelId);
  }

  /** Messages the bot posted in a channel, oldest first. */
  channelMessages(channelId: string): any[] {
    return this.posted.get(channelId) ?? [];
  }

  /** Messages the bot sent a user by DM, oldest first. */
  directMessages(userId: string): any[] {
    return [...this.dmChannels].filter(([, user]) => user === userId).flatMap(([id]) => this.posted.get(id) ?? []);
  }

  /** The bot is removed from a server: GUILD_DELETE (not unavailable), and the server is gone from its session. */
  removeFromGuild(guildId: string): void {
    const session = this.sessionWith(guildId);
    if (!session) throw new Error(`DiscordApiDouble: no session has server ${guildId}`);
    session.guilds = session.guilds.filter((id) => id !== guildId);
    this.dispatch(session, 'GUILD_DELETE', { id: guildId });
  }

  /** Resolves once a live session of the gateway has this server (its shard is connected). */
  async waitForGuild(guildId: string, timeoutMs = 5_000): Promise<void> {
    const has = () => [...this.connections].some(([ws, c]) => c.ready && ws.readyState === WebSocket.OPEN && c.session?.guilds.includes(guildId));
    if (has()) return;
    await withTimeout(
      new Promise<void>((resolve) => {
        const check = (): void => {
          if (has()) {
            this.events.off('ready', check);
            resolve();
          }
        };
        this.events.on('ready', check);
      }),
      timeoutMs,
      `a ready gateway session with server ${guildId}`,
    );
  }

  /** Dispatches a CHAT_INPUT application command interaction (type 2), in `extra.guildId` (the first server by default). */
  async chatInput(
    name: string,
    options?: CommandOption[],
    user?: InteractionUser,
    extra?: InteractionPlace,
  ): Promise<{ id: string; token: string }> {
    const command = this.findCommand(name, extra?.guildId);
    const data: Record<string, unknown> = { id: command?.id ?? snowflake(), name, type: 1 };
    if (command?.guild_id) data.guild_id = command.guild_id;
    if (options && options.length > 0) data.options = options;
    return this.dispatchInteraction(2, data, user, extra);
  }

  /** Dispatches an APPLICATION_COMMAND_AUTOCOMPLETE interaction (type 4); the last option is focused unless one says so. */
  async autocomplete(
    name: string,
    options: Array<{ name: string; type: number; value: unknown; focused?: boolean }>,
    user?: InteractionUser,
    extra?: InteractionPlace,
  ): Promise<{ id: string; token: string }> {
    const command = this.findCommand(name, extra?.guildId);
    const hasFocus = options.some((option) => option.focused);
    const sent = options.map((option, index) =>
      !hasFocus && index === options.length - 1 ? { ...option, focused: true } : { ...option },
    );
    const data: Record<string, unknown> = { id: command?.id ?? snowflake(), name, type: 1, options: sent };
    if (command?.guild_id) data.guild_id = command.guild_id;
    return this.dispatchInteraction(4, data, user, extra);
  }

  /** Dispatches a MESSAGE_COMPONENT interaction for a button (type 3, component_type 2) on `message`. */
  async button(customId: string, message: any, user?: InteractionUser, extra?: InteractionPlace): Promise<{ id: string; token: string }> {
    const full = { ...this.messageSkeleton(), ...(message ?? {}) };
    return this.dispatchInteraction(3, { custom_id: customId, component_type: 2 }, user, extra, full);
  }

  /**
   * Dispatches a MODAL_SUBMIT interaction (type 5): the modal `customId` the bot showed, submitted
   * with these text inputs' values, from the message whose button opened it.
   */
  async modalSubmit(customId: string, inputs: Record<string, string>, message: any, user?: InteractionUser, extra?: InteractionPlace): Promise<{ id: string; token: string }> {
    const components = Object.entries(inputs).map(([id, value]) => ({ type: 1, components: [{ type: 4, custom_id: id, value }] }));
    const full = { ...this.messageSkeleton(), ...(message ?? {}) };
    return this.dispatchInteraction(5, { custom_id: customId, components }, user, extra, full);
  }

  /** Everything the bot sent for that interaction token so far. */
  replies(token: string): InteractionReplies {
    const stored = this.interactions.get(token);
    if (!stored) return { callbacks: [], edits: [], followUps: [] };
    const { callbacks, edits, followUps } = stored.replies;
    return { callbacks: [...callbacks], edits: [...edits], followUps: [...followUps] };
  }

  /** The current `@original` message of an interaction (as the double would return it), if any. */
  originalMessage(token: string): any | undefined {
    return this.interactions.get(token)?.original;
  }

  /** Waits until `predicate(replies(token))` holds. */
  async waitForReplies(
    token: string,
    predicate: (replies: InteractionReplies) => boolean,
    timeoutMs = 5_000,
  ): Promise<InteractionReplies> {
    const current = this.replies(token);
    if (predicate(current)) return current;
    return withTimeout(
      new Promise<InteractionReplies>((resolve) => {
        const check = (): void => {
          const replies = this.replies(token);
          if (predicate(replies)) {
            this.events.off('request', check);
            resolve(replies);
          }
        };
        this.events.on('request', check);
      }),
      timeoutMs,
      `replies to interaction ${token.slice(0, 32)}...`,
    ).catch((error: unknown) => {
      throw new Error(`${String(error)}; got ${JSON.stringify(summarize(this.replies(token)))}`);
    });
  }

  /**
   * The next request of that kind gets this status instead of being processed.
   * 429 sends a rate-limit body and headers (@discordjs/rest waits `retryAfterSeconds`, default 0.2, and retries);
   * 404 sends `{message: 'Unknown interaction', code: 10062}` unless another code is given; 5xx is retried by @discordjs/rest.
   */
  failNext(route: FaultRoute, response: { status: number; retryAfterSeconds?: number; code?: number }): void {
    this.faults[route].push({ ...response });
  }

  /**
   * Server-side close of the live gateway socket(s). 4000 (default) and most 4xxx codes make discord.js
   * RESUME; 1000 and 4007/4009 make it re-IDENTIFY (which @discordjs/ws throttles to one per 5 s);
   * 1006 terminates the TCP connection without a close frame.
   */
  closeGateway(code = 4000): void {
    for (const [ws, connection] of this.connections) {
      connection.ready = false;
      if (code === 1006) ws.terminate();
      else ws.close(code, 'closed by DiscordApiDouble');
    }
  }

  // ---------------------------------------------------------------- gateway

  private hasLiveReadyConnection(): boolean {
    for (const [ws, connection] of this.connections) {
      if (connection.ready && ws.readyState === WebSocket.OPEN) return true;
    }
    return false;
  }

  private onGatewayConnection(ws: WebSocket, req: IncomingMessage): void {
    const connection: Connection = { session: null, ready: false };
    this.connections.set(ws, connection);
    ws.on('close', () => {
      this.connections.delete(ws);
      if (connection.session?.socket === ws) connection.session.socket = null;
    });
    ws.on('error', () => undefined);

    const query = new URL(req.url ?? '/', 'ws://127.0.0.1').searchParams;
    if (query.get('v') !== '10') {
      ws.close(4012, 'Invalid API version');
      return;
    }
    if ((query.get('encoding') ?? 'json') !== 'json' || query.has('compress')) {
      ws.close(4002, 'Only json encoding without compression is supported by DiscordApiDouble');
      return;
    }
    ws.on('message', (raw: RawData, isBinary: boolean) => this.onGatewayMessage(ws, connection, raw, isBinary));
    this.send(ws, { op: 10, d: { heartbeat_interval: this.heartbeatIntervalMs, _trace: ['["discord-api-double"]'] } });
  }

  private onGatewayMessage(ws: WebSocket, connection: Connection, raw: RawData, isBinary: boolean): void {
    let payload: any;
    try {
      if (isBinary) throw new Error('binary');
      payload = JSON.parse(raw.toString());
    } catch {
      ws.close(4002, 'Error while decoding payload.');
      return;
    }
    switch (payload?.op) {
      case 1: // HEARTBEAT
        this.send(ws, { op: 11 });
        return;
      case 2: // IDENTIFY
        this.onIdentify(ws, connection, payload.d);
        return;
      case 6: // RESUME
        this.onResume(ws, connection, payload.d);
        return;
      case 3: // PRESENCE_UPDATE
      case 4: // VOICE_STATE_UPDATE
      case 8: // REQUEST_GUILD_MEMBERS
        if (!connection.session) ws.close(4003, 'Not authenticated.');
        return;
      default:
        ws.close(4001, 'Unknown opcode.');
    }
  }

  private onIdentify(ws: WebSocket, connection: Connection, d: any): void {
    this.identifies.push(d);
    if (connection.session) {
      ws.close(4005, 'Already authenticated.');
      return;
    }
    if (typeof d?.token !== 'string' || d.token.length === 0) {
      ws.close(4004, 'Authentication failed.');
      return;
    }
    const [shardId, shardCount] = Array.isArray(d.shard) ? (d.shard as [number, number]) : [0, 1];
    const guilds = this.guildIds.filter((id) => Number((BigInt(id) >> 22n) % BigInt(shardCount)) === shardId);
    const session: Session = { id: randomBytes(16).toString('hex'), seq: 0, log: [], socket: ws, guilds };
    this.sessions.set(session.id, session);
    this.latestSession = session;
    connection.session = session;
    this.dispatch(session, 'READY', {
      v: 10,
      user_settings: {},
      user: this.botUser(),
      guilds: guilds.map((id) => ({ id, unavailable: true })),
      guild_join_requests: [],
      relationships: [],
      private_channels: [],
      presences: [],
      session_id: session.id,
      session_type: 'normal',
      resume_gateway_url: this.gatewayUrl,
      shard: Array.isArray(d.shard) ? d.shard : [0, 1],
      application: { id: this.applicationId, flags: 0 },
      auth: {},
      geo_ordered_rtc_regions: ['us-east'],
      _trace: ['["discord-api-double"]'],
    });
    for (const id of guilds) this.dispatch(session, 'GUILD_CREATE', this.guildCreatePayload(id));
    connection.ready = true;
    this.events.emit('ready');
  }

  private onResume(ws: WebSocket, connection: Connection, d: any): void {
    this.resumes.push(d);
    const session = typeof d?.session_id === 'string' ? this.sessions.get(d.session_id) : undefined;
    if (!session || connection.session) {
      this.send(ws, { op: 9, d: false }); // INVALID_SESSION, not resumable
      return;
    }
    session.socket = ws;
    connection.session = session;
    const lastSeen = typeof d.seq === 'number' ? d.seq : 0;
    for (const entry of session.log) {
      if (entry.s > lastSeen) ws.send(entry.payload);
    }
    this.dispatch(session, 'RESUMED', { _trace: ['["discord-api-double"]'] }, false);
    connection.ready = true;
    this.events.emit('ready');
  }

  private send(ws: WebSocket, payload: unknown): void {
    if (ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify(payload));
  }

  /** Sends a dispatch (op 0) with the next sequence number; logged ones are replayed on RESUME. */
  private dispatch(session: Session, t: string, d: unknown, log = true): void {
    session.seq += 1;
    const payload = JSON.stringify({ op: 0, t, s: session.seq, d });
    if (log) session.log.push({ s: session.seq, payload });
    if (session.socket?.readyState === WebSocket.OPEN) session.socket.send(payload);
  }

  private botUser(): any {
    return {
      id: this.botUserId,
      username: 'newsquote-test-bot',
      discriminator: '0',
      global_name: null,
      avatar: null,
      bot: true,
      system: false,
      mfa_enabled: false,
      verified: true,
      email: null,
      flags: 0,
      public_flags: 0,
      banner: null,
      accent_color: null,
      avatar_decoration_data: null,
      primary_guild: null,
    };
  }

  private interactionUser(user?: InteractionUser): any {
    const username = user?.username ?? 'tester';
    return {
      id: user?.id ?? DEFAULT_USER_ID,
      username,
      discriminator: '0',
      global_name: username,
      avatar: null,
      public_flags: 0,
      flags: 0,
      avatar_decoration_data: null,
      collectibles: null,
      primary_guild: null,
      clan: null,
    };
  }

  private textChannel(guildId = this.guildId): any {
    return {
      id: channelOf(guildId),
      type: 0,
      name: 'general',
      position: 0,
      parent_id: null,
      topic: null,
      nsfw: false,
      rate_limit_per_user: 0,
      last_message_id: null,
      last_pin_timestamp: null,
      permission_overwrites: [],
      flags: 0,
    };
  }

  private guildCreatePayload(guildId = this.guildId): any {
    const everyoneRole = {
      id: guildId,
      name: '@everyone',
      color: 0,
      colors: { primary_color: 0, secondary_color: null, tertiary_color: null },
      hoist: false,
      icon: null,
      unicode_emoji: null,
      position: 0,
      permissions: DEFAULT_PERMISSIONS,
      managed: false,
      mentionable: false,
      flags: 0,
    };
    return {
      id: guildId,
      name: 'Double Guild',
      icon: null,
      icon_hash: null,
      splash: null,
      discovery_splash: null,
      banner: null,
      description: null,
      owner_id: DEFAULT_USER_ID,
      application_id: null,
      afk_channel_id: null,
      afk_timeout: 300,
      widget_enabled: false,
      widget_channel_id: null,
      verification_level: 0,
      default_message_notifications: 0,
      explicit_content_filter: 0,
      mfa_level: 0,
      nsfw_level: 0,
      nsfw: false,
      system_channel_id: channelOf(guildId),
      system_channel_flags: 0,
      rules_channel_id: null,
      public_updates_channel_id: null,
      safety_alerts_channel_id: null,
      max_members: 500000,
      max_presences: null,
      max_video_channel_users: 25,
      max_stage_video_channel_users: 50,
      vanity_url_code: null,
      premium_tier: 0,
      premium_subscription_count: 0,
      premium_progress_bar_enabled: false,
      preferred_locale: 'en-US',
      features: [],
      roles: [everyoneRole],
      emojis: [],
      stickers: [],
      channels: [this.textChannel(guildId)],
      threads: [],
      members: [
        {
          user: this.botUser(),
          roles: [],
          nick: null,
          avatar: null,
          banner: null,
          joined_at: this.joinedAt,
          premium_since: null,
          deaf: false,
          mute: false,
          pending: false,
          flags: 0,
          communication_disabled_until: null,
        },
      ],
      presences: [],
      voice_states: [],
      stage_instances: [],
      guild_scheduled_events: [],
      soundboard_sounds: [],
      embedded_activities: [],
      member_count: 2,
      large: false,
      lazy: true,
      unavailable: false,
      joined_at: this.joinedAt,
      version: Date.now(),
    };
  }

  // ----------------------------------------------------------- interactions

  /** The latest session whose shard has the server (its socket may be down: the dispatch is then replayed on RESUME). */
  private sessionWith(guildId: string): Session | undefined {
    if (this.latestSession?.guilds.includes(guildId)) return this.latestSession;
    return [...this.sessions.values()].reverse().find((session) => session.guilds.includes(guildId));
  }

  private findCommand(name: string, guildId = this.guildId): any | undefined {
    return (
      this.commands.get(guildId)?.find((command) => command.name === name) ??
      this.commands.get('global')?.find((command) => command.name === name)
    );
  }

  private async dispatchInteraction(
    type: number,
    data: Record<string, unknown>,
    user?: InteractionUser,
    extra?: InteractionPlace,
    message?: any,
  ): Promise<{ id: string; token: string }> {
    const guildId = extra?.guildId ?? this.guildId;
    const channelId = extra?.channelId ?? channelOf(guildId);
    if (!this.sessionWith(guildId)) await this.waitForGuild(guildId);
    const session = this.sessionWith(guildId);
    if (!session) throw new Error('DiscordApiDouble: no gateway session');
    const id = snowflake();
    const token = `aW50ZXJhY3Rpb246${Buffer.from(id).toString('base64url')}${randomBytes(48).toString('base64url')}`;
    const permissions = extra?.memberPermissions ?? DEFAULT_PERMISSIONS;
    const payload: any = {
      id,
      application_id: this.applicationId,
      type,
      data,
      guild: { id: guildId, locale: 'en-US', features: [] },
      guild_id: guildId,
      channel: { ...this.textChannel(guildId), id: channelId, guild_id: guildId, permissions },
      channel_id: channelId,
      member: {
        user: this.interactionUser(user),
        roles: [],
        premium_since: null,
        permissions,
        pending: false,
        nick: null,
        mute: false,
        deaf: false,
        joined_at: this.joinedAt,
        flags: 0,
        avatar: null,
        banner: null,
        communication_disabled_until: null,
        unusual_dm_activity_until: null,
      },
      token,
      version: 1,
      app_permissions: DEFAULT_PERMISSIONS,
      locale: 'en-US',
      guild_locale: 'en-US',
      entitlements: [],
      entitlement_sku_ids: [],
      authorizing_integration_owners: { '0': guildId },
      context: 0,
      attachment_size_limit: 10_485_760,
    };
    if (message !== undefined) payload.message = message;
    this.interactions.set(token, {
      id,
      token,
      type,
      payload,
      acknowledged: false,
      original: undefined,
      componentMessage: message,
      followUps: new Map(),
      replies: { callbacks: [], edits: [], followUps: [] },
    });
    // Like Discord, an interaction created while the socket is down is replayed if the client RESUMEs.
    this.dispatch(session, 'INTERACTION_CREATE', payload);
    return { id, token };
  }

  /** A complete message object as Discord returns it for messages sent through an interaction webhook. */
  private messageSkeleton(): any {
    return {
      id: snowflake(),
      type: 0,
      content: '',
      channel_id: this.channelId,
      author: { ...this.botUser() },
      attachments: [],
      embeds: [],
      components: [],
      mentions: [],
      mention_roles: [],
      mention_everyone: false,
      pinned: false,
      tts: false,
      timestamp: new Date().toISOString(),
      edited_timestamp: null,
      flags: 0,
      webhook_id: this.applicationId,
      application_id: this.applicationId,
    };
  }

  private newInteractionMessage(interaction: StoredInteraction, data: any, files: RecordedFile[], original: boolean): any {
    const message = this.messageSkeleton();
    const user = interaction.payload.member.user;
    // Discord marks the original response to a slash command with type 20 (CHAT_INPUT_COMMAND).
    if (original && interaction.type === 2) message.type = 20;
    message.interaction_metadata = {
      id: interaction.id,
      type: interaction.type,
      user,
      authorizing_integration_owners: interaction.payload.authorizing_integration_owners,
      ...(interaction.type === 2 ? { name: interaction.payload.data.name, command_type: 1 } : {}),
      ...(original ? {} : { original_response_message_id: interaction.original?.id }),
    };
    if (interaction.type === 2) {
      message.interaction = { id: interaction.id, type: 2, name: interaction.payload.data.name, user };
    }
    this.applyMessageData(message, data ?? {}, files);
    message.flags = Number(data?.flags ?? 0) & (64 | 4 | 4096 | 32768);
    return message;
  }

  /** Applies a create/edit body (content, embeds, components, attachments, ...) to a stored message. */
  private applyMessageData(message: any, data: any, files: RecordedFile[]): void {
    for (const key of ['content', 'embeds', 'components', 'poll', 'tts'] as const) {
      if (data[key] !== undefined && data[key] !== null) message[key] = data[key];
    }
    if (data.content === null) message.content = '';
    const uploaded = (file: RecordedFile | undefined, meta: any): any => {
      const id = snowflake();
      const filename = meta?.filename ?? file?.name ?? 'file';
      const url = `https://cdn.discordapp.com/attachments/${this.channelId}/${id}/${filename}`;
      return {
        id,
        filename,
        size: file?.data.length ?? 0,
        url,
        proxy_url: url.replace('cdn.discordapp.com', 'media.discordapp.net'),
        content_type: file?.contentType ?? 'application/octet-stream',
        ...(meta?.description ? { description: meta.description } : {}),
      };
    };
    const fileByIndex = new Map<string, RecordedFile>();
    for (const file of files) {
      const match = /^files\[(\d+)\]$/.exec(file.field);
      fileByIndex.set(match?.[1] ?? file.field, file);
    }
    if (Array.isArray(data.attachments)) {
      const existing: any[] = Array.isArray(message.attachments) ? message.attachments : [];
      message.attachments = data.attachments.map((meta: any) => {
        const kept = existing.find((attachment) => attachment.id === String(meta.id));
        return kept ?? uploaded(fileByIndex.get(String(meta.id)), meta);
      });
    } else if (files.length > 0) {
      message.attachments = [...(message.attachments ?? []), ...files.map((file) => uploaded(file, undefined))];
    }
  }

  // ------------------------------------------------------------------- HTTP

  private async handleHttp(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const raw = await readBody(req);
    const prefixed = url.pathname.startsWith(`${API_PREFIX}/`);
    const rawPath = prefixed ? url.pathname.slice(API_PREFIX.length) : url.pathname;
    const path = rawPath
      .split('/')
      .map((segment) => safeDecode(segment))
      .join('/');
    const record: RecordedRequest = {
      method: (req.method ?? 'GET').toUpperCase(),
      path,
      query: url.searchParams,
      headers: req.headers,
      body: undefined,
    };
    let result: RouteResult;
    try {
      const parsed = await parseBody(req.headers['content-type'], raw);
      record.body = parsed.body;
      if (parsed.files.length > 0) record.files = parsed.files;
      result = prefixed ? this.route(record) : this.unknownRoute(record);
    } catch (error) {
      result = apiError(400, `Invalid body: ${String(error)}`, 50109);
    }
    record.response = { status: result.status, body: result.body };
    this.requests.push(record);
    this.events.emit('request', record);

    const headers: Record<string, string> = { ...(result.headers ?? {}) };
    if (result.body === undefined) {
      res.writeHead(result.status, headers);
      res.end();
    } else {
      headers['content-type'] = 'application/json';
      res.writeHead(result.status, headers);
      res.end(JSON.stringify(result.body));
    }
  }

  private unknownRoute(record: RecordedRequest): RouteResult {
    this.unknownRoutes.push(record);
    return apiError(404, 'Unknown route', 0);
  }

  private route(record: RecordedRequest): RouteResult {
    const { method } = record;
    const parts = record.path.split('/').filter((part) => part.length > 0);
    const [p0, p1, p2, p3, p4] = parts;
    const n = parts.length;
    const authorized = /^Bot \S+/.test(String(record.headers.authorization ?? ''));
    const requireAuth = (): RouteResult | undefined => (authorized ? undefined : apiError(401, '401: Unauthorized', 0));

    // Gateway discovery
    if (method === 'GET' && n === 2 && p0 === 'gateway' && p1 === 'bot') {
      return (
        requireAuth() ?? {
          status: 200,
          body: {
            url: this.gatewayUrl,
            shards: 1,
            session_start_limit: { total: 1000, remaining: 1000, reset_after: 0, max_concurrency: 1 },
          },
        }
      );
    }
    if (method === 'GET' && n === 1 && p0 === 'gateway') return { status: 200, body: { url: this.gatewayUrl } };
    if (method === 'GET' && n === 2 && p0 === 'users' && p1 === '@me') return requireAuth() ?? { status: 200, body: this.botUser() };
    if (method === 'GET' && n === 2 && p0 === 'applications' && p1 === '@me') {
      return requireAuth() ?? { status: 200, body: this.applicationObject() };
    }

    // A DM channel with a user: POST /users/@me/channels
    if (method === 'POST' && n === 3 && p0 === 'users' && p1 === '@me' && p2 === 'channels') {
      const recipient = String(record.body?.recipient_id ?? '');
      const id = [...this.dmChannels].find(([, user]) => user === recipient)?.[0] ?? snowflake();
      this.dmChannels.set(id, recipient);
      return requireAuth() ?? { status: 200, body: { id, type: 1, last_message_id: null, flags: 0, recipients: [this.interactionUser({ id: recipient })] } };
    }
    // Channels: GET /channels/{id}, POST /channels/{id}/messages
    if (p0 === 'channels' && p1) {
      const guildId = this.guildIds.find((g) => channelOf(g) === p1 || this.extraChannels.get(p1) === g);
      if (method === 'GET' && n === 2) {
        if (guildId) return { status: 200, body: { ...this.textChannel(guildId), id: p1, guild_id: guildId } };
        if (this.dmChannels.has(p1)) return { status: 200, body: { id: p1, type: 1, recipients: [this.interactionUser({ id: this.dmChannels.get(p1)! })] } };
        return apiError(404, 'Unknown Channel', 10003);
      }
      if (method === 'POST' && n === 3 && p2 === 'messages') {
        if (!guildId && !this.dmChannels.has(p1)) return apiError(404, 'Unknown Channel', 10003);
        if (this.denied.has(p1)) return apiError(403, 'Missing Access', 50001);
        const message = { ...this.messageSkeleton(), channel_id: p1, content: record.body?.content ?? '', embeds: record.body?.embeds ?? [], ...(guildId ? { guild_id: guildId } : {}) };
        this.posted.set(p1, [...(this.posted.get(p1) ?? []), { ...message, allowed_mentions: record.body?.allowed_mentions }]);
        return { status: 200, body: message };
      }
    }

    // Interaction callback: POST /interactions/{id}/{token}/callback
    if (method === 'POST' && n === 4 && p0 === 'interactions' && p3 === 'callback' && p1 && p2) {
      return this.onCallback(record, p1, p2);
    }

    // Interaction webhooks: /webhooks/{app}/{token}[/messages/{id}]
    if (p0 === 'webhooks' && p1 && p2) {
      const interaction = this.interactions.get(p2);
      if (n === 3 && method === 'POST') {
        interaction?.replies.followUps.push(record);
        return this.onFollowUp(record, p1, interaction);
      }
      if (n === 5 && p3 === 'messages' && p4) {
        if (method === 'PATCH') {
          interaction?.replies.edits.push(record);
          return this.onEdit(record, p1, interaction, p4);
        }
        if (method === 'GET' || method === 'DELETE') return this.onWebhookMessage(record, p1, interaction, p4);
      }
    }

    // Application commands
    if (p0 === 'applications' && p1) {
      let scope: string | undefined;
      if (n === 3 && p2 === 'commands') scope = 'global';
      else if (n === 5 && p2 === 'guilds' && p3 && p4 === 'commands') scope = p3;
      if (scope !== undefined && (method === 'PUT' || method === 'GET' || method === 'POST')) {
        const denied = requireAuth();
        if (denied) return denied;
        if (p1 !== this.applicationId) return apiError(403, 'Missing Access', 50001);
        if (scope !== 'global' && !this.guildIds.includes(scope)) return apiError(403, 'Missing Access', 50001);
        return this.onCommands(record, scope);
      }
    }

    return this.unknownRoute(record);
  }

  private takeFault(route: FaultRoute): RouteResult | undefined {
    const fault = this.faults[route].shift();
    if (!fault) return undefined;
    if (fault.status === 429) {
      const retryAfter = fault.retryAfterSeconds ?? 0.2;
      return {
        status: 429,
        body: { message: 'You are being rate limited.', retry_after: retryAfter, global: false },
        headers: {
          // Discord rounds the header up to whole seconds; a fractional value keeps tests fast and
          // @discordjs/rest parses it with Number().
          'retry-after': String(retryAfter),
          'x-ratelimit-scope': 'user',
          'x-ratelimit-bucket': `double-${route}-bucket`,
          'x-ratelimit-limit': '5',
          'x-ratelimit-remaining': '0',
          'x-ratelimit-reset-after': String(retryAfter),
          'x-ratelimit-reset': String((Date.now() / 1000 + retryAfter).toFixed(3)),
        },
      };
    }
    if (fault.status === 404 && (fault.code === undefined || fault.code === 10062)) {
      return apiError(404, 'Unknown interaction', 10062);
    }
    return apiError(fault.status, STATUS_CODES[fault.status] ?? 'Error', fault.code ?? 0);
  }

  private onCallback(record: RecordedRequest, interactionId: string, token: string): RouteResult {
    const interaction = this.interactions.get(token);
    interaction?.replies.callbacks.push(record);
    const fault = this.takeFault('callback');
    if (fault) return fault;
    if (!interaction || interaction.id !== interactionId) return apiError(404, 'Unknown interaction', 10062);
    if (interaction.acknowledged) return apiError(400, 'Interaction has already been acknowledged.', 40060);
    const body = record.body ?? {};
    const type = Number(body.type);
    const data = body.data ?? {};
    const files = record.files ?? [];
    const isComponent = interaction.type === 3 || interaction.type === 5;
    const invalid = apiError(400, 'Interaction callback type is not valid for this interaction', 50035);
    let message: any;
    switch (type) {
      case 4: // CHANNEL_MESSAGE_WITH_SOURCE
        if (interaction.type === 4) return invalid;
        message = this.newInteractionMessage(interaction, data, files, true);
        interaction.original = message;
        break;
      case 5: // DEFERRED_CHANNEL_MESSAGE_WITH_SOURCE: a "thinking..." message (flag 128 LOADING)
        if (interaction.type === 4) return invalid;
        message = this.newInteractionMessage(interaction, { flags: data.flags }, [], true);
        message.flags |= 128;
        interaction.original = message;
        break;
      case 6: // DEFERRED_UPDATE_MESSAGE
        if (!isComponent) return invalid;
        interaction.original = interaction.componentMessage;
        break;
      case 7: // UPDATE_MESSAGE
        if (!isComponent) return invalid;
        message = { ...(interaction.componentMessage ?? this.messageSkeleton()) };
        this.applyMessageData(message, data, files);
        message.edited_timestamp = new Date().toISOString();
        interaction.original = message;
        break;
      case 8: // APPLICATION_COMMAND_AUTOCOMPLETE_RESULT
        if (interaction.type !== 4) return invalid;
        if (!Array.isArray(data.choices) || data.choices.length > 25) return apiError(400, 'Invalid Form Body', 50035);
        break;
      case 9: // MODAL
        if (interaction.type === 4 || interaction.type === 5) return invalid;
        break;
      default:
        return invalid;
    }
    interaction.acknowledged = true;
    if (record.query.get('with_response') !== 'true') return { status: 204 };
    return {
      status: 200,
      body: {
        interaction: {
          id: interaction.id,
          type: interaction.type,
          response_message_id: interaction.original?.id,
          response_message_loading: type === 5,
          response_message_ephemeral: Boolean((interaction.original?.flags ?? 0) & 64),
        },
        resource: message ? { type, message } : { type },
      },
    };
  }

  private checkWebhook(appId: string, interaction: StoredInteraction | undefined): RouteResult | undefined {
    // Until the interaction is acknowledged, its token is not a valid webhook.
    if (appId !== this.applicationId || !interaction || !interaction.acknowledged) {
      return apiError(404, 'Unknown Webhook', 10015);
    }
    return undefined;
  }

  private onFollowUp(record: RecordedRequest, appId: string, interaction: StoredInteraction | undefined): RouteResult {
    const fault = this.takeFault('followup');
    if (fault) return fault;
    const invalid = this.checkWebhook(appId, interaction);
    if (invalid || !interaction) return invalid ?? apiError(404, 'Unknown Webhook', 10015);
    const message = this.newInteractionMessage(interaction, record.body ?? {}, record.files ?? [], false);
    interaction.followUps.set(message.id, message);
    return { status: 200, body: message };
  }

  private onEdit(
    record: RecordedRequest,
    appId: string,
    interaction: StoredInteraction | undefined,
    messageId: string,
  ): RouteResult {
    const fault = this.takeFault('edit');
    if (fault) return fault;
    const invalid = this.checkWebhook(appId, interaction);
    if (invalid || !interaction) return invalid ?? apiError(404, 'Unknown Webhook', 10015);
    const current = messageId === '@original' ? interaction.original : interaction.followUps.get(messageId);
    if (!current) return apiError(404, 'Unknown Message', 10008);
    const next = { ...current };
    const wasLoading = (next.flags & 128) !== 0;
    this.applyMessageData(next, record.body ?? {}, record.files ?? []);
    next.flags &= ~128; // the "thinking..." state ends with the first edit
    if (record.body?.flags !== undefined) next.flags = (next.flags & 64) | (Number(record.body.flags) & (4 | 4096 | 32768));
    if (!wasLoading) next.edited_timestamp = new Date().toISOString();
    if (messageId === '@original') interaction.original = next;
    else interaction.followUps.set(messageId, next);
    return { status: 200, body: next };
  }

  private onWebhookMessage(
    record: RecordedRequest,
    appId: string,
    interaction: StoredInteraction | undefined,
    messageId: string,
  ): RouteResult {
    const invalid = this.checkWebhook(appId, interaction);
    if (invalid || !interaction) return invalid ?? apiError(404, 'Unknown Webhook', 10015);
    const current = messageId === '@original' ? interaction.original : interaction.followUps.get(messageId);
    if (!current) return apiError(404, 'Unknown Message', 10008);
    if (record.method === 'GET') return { status: 200, body: current };
    if (messageId === '@original') interaction.original = undefined;
    else interaction.followUps.delete(messageId);
    return { status: 204 };
  }

  private onCommands(record: RecordedRequest, scope: string): RouteResult {
    const existing = this.commands.get(scope) ?? [];
    const toCommand = (body: any): any => {
      const previous = existing.find((command) => command.name === body?.name);
      return {
        type: 1,
        description: '',
        options: [],
        default_member_permissions: null,
        nsfw: false,
        contexts: null,
        integration_types: [0],
        ...body,
        id: previous?.id ?? snowflake(),
        application_id: this.applicationId,
        version: snowflake(),
        ...(scope === 'global' ? {} : { guild_id: scope }),
      };
    };
    if (record.method === 'GET') return { status: 200, body: existing };
    if (record.method === 'POST') {
      const command = toCommand(record.body);
      this.commands.set(scope, [...existing.filter((c) => c.name !== command.name), command]);
      return { status: existing.some((c) => c.name === command.name) ? 200 : 201, body: command };
    }
    if (!Array.isArray(record.body)) return apiError(400, 'Invalid Form Body', 50035);
    const commands = record.body.map(toCommand);
    this.commands.set(scope, commands);
    return { status: 200, body: commands };
  }

  private applicationObject(): any {
    return {
      id: this.applicationId,
      name: 'newsquote-test-bot',
      icon: null,
      description: '',
      summary: '',
      type: null,
      hook: true,
      bot_public: true,
      bot_require_code_grant: false,
      verify_key: '0'.repeat(64),
      flags: 0,
      owner: this.interactionUser({ id: DEFAULT_USER_ID, username: 'owner' }),
      team: null,
      bot: this.botUser(),
      guild_id: this.guildId,
      approximate_guild_count: 1,
      install_params: { scopes: ['bot', 'applications.commands'], permissions: DEFAULT_PERMISSIONS },
      integration_types_config: { '0': {} },
      redirect_uris: [],
      interactions_endpoint_url: null,
      tags: [],
    };
  }
}

function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** JSON or multipart/form-data (payload_json + files[n]) as @discordjs/rest sends them. */
async function parseBody(contentType: string | undefined, raw: Buffer): Promise<{ body: any; files: RecordedFile[] }> {
  if (raw.length === 0) return { body: undefined, files: [] };
  if (contentType?.startsWith('multipart/form-data')) {
    const form = await new Response(Uint8Array.from(raw), { headers: { 'content-type': contentType } }).formData();
    let body: any;
    const files: RecordedFile[] = [];
    for (const [field, value] of form.entries()) {
      if (typeof value === 'string') {
        if (field === 'payload_json') body = JSON.parse(value);
      } else {
        files.push({
          field,
          name: value.name,
          contentType: value.type,
          data: Buffer.from(await value.arrayBuffer()),
        });
      }
    }
    return { body, files };
  }
  const text = raw.toString('utf8');
  if (contentType?.startsWith('application/json')) return { body: JSON.parse(text), files: [] };
  return { body: text, files: [] };
}

function summarize(replies: InteractionReplies): Record<string, unknown> {
  const brief = (request: RecordedRequest): unknown => ({ status: request.response?.status, body: request.body });
  return {
    callbacks: replies.callbacks.map(brief),
    edits: replies.edits.map(brief),
    followUps: replies.followUps.map(brief),
  };
}

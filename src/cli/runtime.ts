import { configuredSecrets, loadDotEnv, parseConfig, type Config } from '../config/config.js';
import { runCleanups } from '../cleanup.js';
import { loadEmbedder, type Embedder } from '../embedding/embedder.js';
import { isUserError } from '../errors.js';
import { createLogger, scrubTokens, type Logger } from '../log.js';
import { Engine } from '../engine.js';
import type { IndexTarget } from '../index/ingest.js';

export interface Runtime {
  config: Config;
  log: Logger;
  embedder: Embedder;
}

/** Configuration, logger and embedding model: what every command starts with. */
export async function startRuntime(): Promise<Runtime> {
  loadDotEnv();
  const config = parseConfig();
  const log = createLogger(config.logLevel, { pretty: config.prettyLogs });
  const embedder = await loadEmbedder({ modelId: config.embeddingModel, modelsDir: config.modelsDir, log });
  return { config, log, embedder };
}

/** Where the index is: Postgres when DATABASE_URL is set (connected, its schema migrated), else the index folder. */
export async function openIndexTarget(config: Config, embedder: Embedder): Promise<IndexTarget> {
  if (!config.databaseUrl) return config.indexDir;
  await embedder.ready;
  // Loaded only for Postgres: the driver is 17 MB and 120 ms of a start that does not need it.
  const { PgStore } = await import('../postgres/pg-store.js');
  return PgStore.open(config.databaseUrl, { id: embedder.modelId, dimensions: embedder.dimensions, checksum: embedder.checksum }, { max: config.databasePoolSize });
}

/** The engine over that index. */
export async function openEngine(config: Config, embedder: Embedder, log: Logger, target: IndexTarget): Promise<Engine> {
  if (typeof target === 'string') return Engine.open(embedder, target, log);
  const { PgCorpus } = await import('../retrieval/pg-corpus.js');
  return Engine.openPostgres(embedder, await PgCorpus.open(target), config.indexDir);
}

export interface MainOptions {
  /**
   * After SIGINT or SIGTERM, how long `main` may take to finish by itself (it sees `stopping`
   * aborted) before the clean-ups run and the process exits. 0: exit at once.
   */
  graceMs?: number;
}

const SIGNAL_EXIT_CODES: Partial<Record<NodeJS.Signals, number>> = { SIGINT: 130, SIGTERM: 143 };

/**
 * Once `main` is done and the clean-ups have run, the process ends when nothing is left to do, or
 * after this long if a library left something running: discord.js keeps retrying an unreachable
 * gateway every half second even after `client.destroy()` when it lands in the pause between two
 * attempts. The wait lets output still being written reach its reader.
 */
const LINGER_MS = 1_000;

/**
 * The one owner of the process: runs an entry point's main function, handles SIGINT/SIGTERM, runs
 * the registered clean-ups (`src/cleanup.ts`) and sets the exit code. A UserError prints its
 * message (and hint) and exits 1; a bug prints its stack and exits 1. A second signal, or the
 * grace period running out, ends the process at once, after the clean-ups. Once `main` is done,
 * nothing a library left running keeps the process more than LINGER_MS.
 */
export function runMain(main: (stopping: AbortSignal) => Promise<void | number>, { graceMs = 0 }: MainOptions = {}): void {
  const controller = new AbortController();
  let deadline: NodeJS.Timeout | undefined;
  const exitNow = (signal: NodeJS.Signals) => {
    runCleanups();
    process.exit(SIGNAL_EXIT_CODES[signal] ?? 1);
  };
  const onSignal = (signal: NodeJS.Signals) => {
    if (controller.signal.aborted || graceMs === 0) return exitNow(signal);
    controller.abort(signal);
    deadline = setTimeout(() => exitNow(signal), graceMs);
    deadline.unref();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  // Output piped into a reader that stopped (`npm start | head`): stop quietly, as command-line tools do.
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') throw error;
    runCleanups();
    process.exit(0);
  });
  main(controller.signal)
    .then(
      (code) => {
        process.exitCode = code ?? 0;
      },
      (error: unknown) => {
        if (isUserError(error)) {
          process.stderr.write(redacted(`error: ${error.message}\n${error.hint ? `${error.hint}\n` : ''}`));
        } else if (isOptionError(error)) {
          process.stderr.write(redacted(`error: ${error.message}\n`));
        } else {
          process.stderr.write(redacted(`unexpected error: ${(error as Error)?.stack ?? String(error)}\n`));
        }
        process.exitCode = 1;
      },
    )
    .finally(() => {
      clearTimeout(deadline);
      runCleanups();
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      setTimeout(() => process.exit(), LINGER_MS).unref();
    });
}

/** An Authorization header's value as Discord's API takes it (`Bot <token>`), whoever quotes it. */
const BOT_AUTHORIZATION = /\bBot\s+[\w.-]{20,}/g;
/** Shorter than any Discord token: a value this short is not looked for (it would blank out ordinary words). */
const MIN_TOKEN_LENGTH = 8;

/**
 * What an error prints, without secrets: the configured DISCORD_TOKEN, any `Bot <token>` header
 * value (a server's error message may quote the request's headers) and interaction tokens in URLs.
 */
function redacted(text: string): string {
  let out = text;
  for (const secret of configuredSecrets()) if (secret.length >= MIN_TOKEN_LENGTH) out = withoutSecret(out, secret);
  return scrubTokens(out.replace(BOT_AUTHORIZATION, 'Bot [redacted]'));
}

/** A quoted start of a secret is still a secret: Node's JSON errors quote the first ten characters of a body ("Bot MTIzND"…). */
const SECRET_PREFIX = 6;

/** The text with the secret, and every piece of at least `SECRET_PREFIX` characters that starts it, cut out. */
function withoutSecret(text: string, secret: string): string {
  const head = secret.slice(0, SECRET_PREFIX);
  let out = '';
  let from = 0;
  for (let at = text.indexOf(head); at >= 0; at = text.indexOf(head, from)) {
    let end = at + head.length;
    while (end < text.length && end - at < secret.length && text[end] === secret[end - at]) end++;
    out += `${text.slice(from, at)}[redacted]`;
    from = end;
  }
  return out + text.slice(from);
}

/** A command line that `parseArgs` cannot read (an unknown option, a missing value): the user's mistake, not a bug. */
function isOptionError(error: unknown): error is Error {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS_');
}

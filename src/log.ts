import pino, { type Logger } from 'pino';

export type { Logger };

/** Paths whose values never reach a log line. */
export const REDACTED_PATHS = ['token', '*.token', 'headers.authorization', '*.headers.authorization', 'err.requestBody', 'err.rawError'];

/** Interaction tokens travel in Discord's webhook and callback URLs, which errors quote: cut them out. */
const URL_TOKENS = /(\/(?:interactions\/\d+|webhooks\/\d+))\/[\w.-]{20,}/g;

export function scrubTokens(text: string): string {
  return text.replace(URL_TOKENS, '$1/[redacted]');
}

function errorSerializer(error: Error): Record<string, unknown> {
  const serialized = pino.stdSerializers.err(error) as unknown as Record<string, unknown>;
  for (const [key, value] of Object.entries(serialized)) if (typeof value === 'string') serialized[key] = scrubTokens(value);
  return serialized;
}

export interface LogOutput {
  /** Where the JSON lines go (tests); stderr by default. */
  destination?: NodeJS.WritableStream;
  /** Human-readable lines on stderr instead of JSON (configuration decides: a terminal, not CI). */
  pretty?: boolean;
}

/** One logger for the process: JSON lines on stderr (or `destination`), or pretty lines when asked. */
export function createLogger(level: string, { destination, pretty = false }: LogOutput = {}): Logger {
  return pino(
    { level, redact: { paths: REDACTED_PATHS, censor: '[redacted]' }, base: { pid: process.pid }, serializers: { err: errorSerializer } },
    destination
      ? (destination as pino.DestinationStream)
      : pretty
      ? pino.transport({ target: 'pino-pretty', options: { destination: 2, colorize: true, ignore: 'pid,hostname' } })
      : pino.destination(2),
  );
}

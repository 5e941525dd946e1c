import pino, { type Logger } from 'pino';

export type { Logger };

/** Paths whose values never reach a log line. */
export const REDACTED_PATHS = ['token', '*.token', 'headers.authorization', '*.headers.authorization'];

/** One logger for the process: JSON lines on stderr (or `destination`), pretty when stderr is a terminal. */
export function createLogger(level = process.env.LOG_LEVEL ?? 'info', destination?: NodeJS.WritableStream): Logger {
  const pretty = !destination && process.stderr.isTTY && !process.env.CI;
  return pino(
    { level, redact: { paths: REDACTED_PATHS, censor: '[redacted]' }, base: { pid: process.pid } },
    destination ? (destination as pino.DestinationStream) : pretty
      ? pino.transport({ target: 'pino-pretty', options: { destination: 2, colorize: true, ignore: 'pid,hostname' } })
      : pino.destination(2),
  );
}

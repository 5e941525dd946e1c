import { loadDotEnv, parseConfig, type Config } from '../config/config.js';
import { loadEmbedder, type Embedder } from '../embedding/embedder.js';
import { isUserError } from '../errors.js';
import { createLogger, type Logger } from '../log.js';

export interface Runtime {
  config: Config;
  log: Logger;
  embedder: Embedder;
}

/** Configuration, logger and embedding model: what every command starts with. */
export async function startRuntime(): Promise<Runtime> {
  loadDotEnv();
  const config = parseConfig();
  const log = createLogger(config.logLevel);
  const embedder = await loadEmbedder({ modelId: config.embeddingModel, modelsDir: config.modelsDir, log });
  return { config, log, embedder };
}

/** Runs a command's main function: a UserError prints its message (and hint) and exits 1; a bug prints its stack. */
export function runMain(main: () => Promise<void | number>): void {
  main().then(
    (code) => {
      process.exitCode = code ?? 0;
    },
    (error: unknown) => {
      if (isUserError(error)) {
        process.stderr.write(`error: ${error.message}\n${error.hint ? `${error.hint}\n` : ''}`);
      } else {
        process.stderr.write(`unexpected error: ${(error as Error)?.stack ?? String(error)}\n`);
      }
      process.exitCode = 1;
    },
  );
}

import { existsSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { UserError } from '../errors.js';

export const DEFAULT_EMBEDDING_MODEL = 'newsquote/wink-sg-100d-sif';

const optionalString = z
  .string()
  .optional()
  .transform((value) => (value === undefined || value.trim() === '' ? undefined : value.trim()));

const configSchema = z.object({
  DATA_DIR: z.string().default('data'),
  INDEX_DIR: optionalString,
  SEEDS_DIR: z.string().default('seeds'),
  EMBEDDING_MODEL: z.string().min(1).default(DEFAULT_EMBEDDING_MODEL),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  ANSWER_RESULTS: z.coerce.number().int().min(1).max(10).default(3),
});

export interface Config {
  dataDir: string;
  indexDir: string;
  modelsDir: string;
  seedsDir: string;
  embeddingModel: string;
  logLevel: z.infer<typeof configSchema>['LOG_LEVEL'];
  answerResults: number;
}

/** Reads `.env` (when present) into process.env without overriding what is already set. */
export function loadDotEnv(file = '.env'): void {
  if (existsSync(file)) process.loadEnvFile(file);
}

/** Parses the environment once; a bad variable stops with one line naming it (never its value). */
export function parseConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = configSchema.safeParse(env);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new UserError(`Invalid configuration: ${issue.path.join('.')}: ${issue.message}`);
  }
  const c = parsed.data;
  const dataDir = path.resolve(c.DATA_DIR);
  return {
    dataDir,
    indexDir: path.resolve(c.INDEX_DIR ?? path.join(dataDir, 'index')),
    modelsDir: path.join(dataDir, 'models'),
    seedsDir: path.resolve(c.SEEDS_DIR),
    embeddingModel: c.EMBEDDING_MODEL,
    logLevel: c.LOG_LEVEL,
    answerResults: c.ANSWER_RESULTS,
  };
}

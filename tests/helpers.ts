import { copyFile, mkdir, mkdtemp, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { runConsole } from '../src/console/repl.js';
import type { Engine } from '../src/engine.js';
import { createLogger } from '../src/log.js';
import { loadEmbedder, type Embedder } from '../src/embedding/embedder.js';
import { WINK_MODEL_ID } from '../src/embedding/wink-model.js';

/** The project's own model folder: built once, shared by the tests and `npm start`. */
export const TEST_MODELS_DIR = path.resolve('data/models');
export const SEED_FILE = path.resolve('seeds/000_82d2434843c5b133.txt');

let embedder: Promise<Embedder> | undefined;

/** The real embedded model, loaded once per test file. */
export function realEmbedder(): Promise<Embedder> {
  embedder ??= loadEmbedder({ modelId: WINK_MODEL_ID, modelsDir: TEST_MODELS_DIR });
  return embedder;
}

export async function tempDir(prefix = 'newsquote-test-'): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(path.join(os.tmpdir(), prefix));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true, maxRetries: 3 }) };
}

/** The ranking fixtures and the seed, copied into `<dir>/articles` (a folder tests may add to); returns it. */
export async function copyFixtureArticles(dir: string): Promise<string> {
  const fixtures = path.resolve('tests/ranking/articles');
  const articles = path.join(dir, 'articles');
  await mkdir(articles);
  for (const file of await readdir(fixtures)) await copyFile(path.join(fixtures, file), path.join(articles, file));
  await copyFile(SEED_FILE, path.join(articles, 'seed.txt'));
  return articles;
}

/** Everything the console prints for these lines of input (one passage an answer). */
export async function consoleSays(engine: Engine, lines: string): Promise<string> {
  const input = new PassThrough();
  const output = new PassThrough();
  let text = '';
  output.on('data', (c) => (text += c));
  const done = runConsole(engine, createLogger('silent'), { results: 1, input, output, prompt: false });
  input.end(lines);
  await done;
  return text;
}

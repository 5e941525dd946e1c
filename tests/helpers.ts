import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
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
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

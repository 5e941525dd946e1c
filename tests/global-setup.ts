import { ensureWinkModel } from '../src/embedding/wink-model.js';
import { loadWordVectors } from '../src/embedding/word-vectors.js';
import { TEST_MODELS_DIR } from './helpers.js';

/** Builds the embedded model and the word vectors once for the whole run (about 25 s the first time, then reused). */
export default async function setup(): Promise<void> {
  await ensureWinkModel(TEST_MODELS_DIR);
  await loadWordVectors(TEST_MODELS_DIR);
}

import { ensureWinkModel } from '../src/embedding/wink-model.js';
import { TEST_MODELS_DIR } from './helpers.js';

/** Builds the embedded model once for the whole run (about 25 s the first time, then reused). */
export default async function setup(): Promise<void> {
  await ensureWinkModel(TEST_MODELS_DIR);
}

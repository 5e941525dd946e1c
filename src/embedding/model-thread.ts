/**
 * The worker side of the embedded model (model.ts): loads the feature-extraction pipeline from
 * the local model folder and answers each request with its vectors. Loading the model (its
 * tokenizer's vocabulary above all) costs about a second of CPU, which here runs beside the
 * reading of the index instead of before it, and embedding a batch of paragraphs at ingest never
 * holds up the event loop that answers people.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { env, pipeline, type Pipeline } from '@xenova/transformers';
import { embedWith } from './feature-extraction.js';

export interface ModelThreadData {
  modelsDir: string;
  modelId: string;
}

export interface EmbedRequest {
  id: number;
  texts: string[];
}

export type ModelThreadMessage = { ready: true } | { failed: string } | { id: number; vectors: Float32Array[] } | { id: number; error: string };

const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));

if (parentPort) {
  const port = parentPort;
  const { modelsDir, modelId } = workerData as ModelThreadData;
  env.allowRemoteModels = false;
  env.allowLocalModels = true;
  env.localModelPath = modelsDir;
  const loading = pipeline('feature-extraction', modelId, { quantized: false }) as Promise<Pipeline>;
  loading.then(
    () => port.postMessage({ ready: true } satisfies ModelThreadMessage),
    (error: unknown) => port.postMessage({ failed: messageOf(error) } satisfies ModelThreadMessage),
  );
  port.on('message', async ({ id, texts }: EmbedRequest) => {
    try {
      const vectors = await embedWith(await loading, texts);
      port.postMessage({ id, vectors } satisfies ModelThreadMessage, vectors.map((v) => v.buffer as ArrayBuffer));
    } catch (error) {
      port.postMessage({ id, error: messageOf(error) } satisfies ModelThreadMessage);
    }
  });
}

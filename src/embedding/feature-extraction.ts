/**
 * Vectors from a transformers.js feature-extraction pipeline: texts in batches of similar
 * lengths, mean-pooled and normalised here. Used in the model's worker thread (model-thread.ts)
 * and, for a model from the hub, in the calling thread.
 */
import type { Pipeline } from '@xenova/transformers';

const BATCH_SIZE = 64;

/** Unit-length vectors, one per text, in input order. */
export async function embedWith(extractor: Pipeline, texts: string[]): Promise<Float32Array[]> {
  // Batches of similar lengths waste little on padding; results go back in input order.
  const order = texts.map((_, i) => i).sort((a, b) => texts[a]!.length - texts[b]!.length);
  const vectors = new Array<Float32Array>(texts.length);
  for (let start = 0; start < order.length; start += BATCH_SIZE) {
    const batch = order.slice(start, start + BATCH_SIZE);
    const embedded = await embedBatch(extractor, batch.map((i) => texts[i]!));
    batch.forEach((i, k) => (vectors[i] = embedded[k]!));
  }
  return vectors;
}

/**
 * The feature-extraction pipeline's own tokenizer and model, then mean pooling and L2
 * normalisation here: transformers.js pools in a loop that converts the BigInt attention mask
 * for every dimension of every token (0.6 s for 64 long paragraphs); reading the mask once per
 * token gives the same vectors in a fraction of the time.
 */
async function embedBatch(extractor: Pipeline, texts: string[]): Promise<Float32Array[]> {
  // An empty string tokenises to no token at all, which the graph cannot take.
  const inputs = extractor.tokenizer(
    texts.map((t) => (t.trim() === '' ? '.' : t)),
    { padding: true, truncation: true },
  );
  const { last_hidden_state: hidden } = await extractor.model(inputs);
  const [rows, tokens, dims] = hidden.dims as [number, number, number];
  const data = hidden.data as Float32Array;
  const mask = inputs.attention_mask.data as BigInt64Array;
  const vectors: Float32Array[] = [];
  for (let r = 0; r < rows; r++) {
    const vector = new Float32Array(dims);
    for (let t = 0; t < tokens; t++) {
      if (mask[r * tokens + t] === 0n) continue;
      const offset = (r * tokens + t) * dims;
      for (let d = 0; d < dims; d++) vector[d]! += data[offset + d]!;
    }
    // The mean's divisor cancels in normalisation; a text of unknown words only stays all zeros, never NaN.
    let norm = 0;
    for (let d = 0; d < dims; d++) norm += vector[d]! * vector[d]!;
    norm = Math.sqrt(norm);
    if (norm > 0) for (let d = 0; d < dims; d++) vector[d]! /= norm;
    vectors.push(vector);
  }
  return vectors;
}

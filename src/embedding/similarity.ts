/**
 * The dot product of two vectors (float64 ones for the offline model build). The embedder
 * normalises its vectors, so for them this is their cosine similarity.
 */
export function dotProduct(a: Float32Array | Float64Array, b: Float32Array | Float64Array): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += a[i]! * b[i]!;
  return sum;
}

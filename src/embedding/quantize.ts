/**
 * Vectors as int8 codes with a scale per row (code × scale ≈ value): a quarter of the bytes of
 * float32, for the approximate first pass of the dense scan over a large table
 * (src/retrieval/dense-scan.ts). Written with each segment, so loading never computes them.
 */

/** Codes of rows that follow each other, each row padded to `strideOf(dimensions)` bytes. */
export interface QuantizedRows {
  codes: Int8Array;
  scales: Float32Array;
}

/** Bytes of a row of codes: the dimensions padded to a multiple of 16 (one SIMD load). */
export function strideOf(dimensions: number): number {
  return Math.ceil(dimensions / 16) * 16;
}

/** Symmetric int8 codes of each row (its largest magnitude becomes ±127). */
export function quantize(vectors: Float32Array, dimensions: number): QuantizedRows {
  const rows = vectors.length / dimensions;
  const stride = strideOf(dimensions);
  const codes = new Int8Array(rows * stride);
  const scales = new Float32Array(rows);
  for (let r = 0; r < rows; r++) {
    let largest = 0;
    for (let d = 0; d < dimensions; d++) largest = Math.max(largest, Math.abs(vectors[r * dimensions + d]!));
    const scale = largest / 127 || 1;
    scales[r] = scale;
    for (let d = 0; d < dimensions; d++) codes[r * stride + d] = Math.round(vectors[r * dimensions + d]! / scale);
  }
  return { codes, scales };
}

/** The codes of some rows (in order), copied out of a larger set; the set itself when it is all of them. */
export function quantizedRowsOf(all: QuantizedRows, rows: ArrayLike<number>, dimensions: number): QuantizedRows {
  if (rows.length === all.scales.length) return all;
  const stride = strideOf(dimensions);
  const codes = new Int8Array(rows.length * stride);
  const scales = new Float32Array(rows.length);
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i]!;
    codes.set(all.codes.subarray(row * stride, (row + 1) * stride), i * stride);
    scales[i] = all.scales[row]!;
  }
  return { codes, scales };
}

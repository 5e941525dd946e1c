/**
 * Paragraph vectors are scanned by WebAssembly (src/retrieval/dense-scan.ts), which reads only its
 * own linear memory. Allocating the vectors there from the start lets the scanner read them where
 * they are instead of holding a second copy: 400 MB at a million paragraphs of 100 dimensions.
 */
const PAGE = 65_536;
const memories = new WeakMap<ArrayBufferLike, WebAssembly.Memory>();

/**
 * A zeroed table of `rows` vectors at the start of a fresh WebAssembly memory, with room after it
 * for the `extraBytes` a scan needs (its query and its scores).
 */
export function allocateVectors(rows: number, dimensions: number, extraBytes = dimensions * 4 + rows * 4): Float32Array {
  const bytes = rows * dimensions * 4 + extraBytes;
  const memory = new WebAssembly.Memory({ initial: Math.max(1, Math.ceil(bytes / PAGE)) });
  memories.set(memory.buffer, memory);
  return new Float32Array(memory.buffer, 0, rows * dimensions);
}

/** The WebAssembly memory a table from `allocateVectors` lives in (undefined for any other array). */
export function memoryOf(vectors: Float32Array): WebAssembly.Memory | undefined {
  return vectors.byteOffset === 0 ? memories.get(vectors.buffer) : undefined;
}

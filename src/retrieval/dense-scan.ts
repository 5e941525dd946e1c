/**
 * Cosine scores of every paragraph against a question, the hot loop of retrieval. The vectors
 * live in WebAssembly memory and are scanned four lanes at a time with SIMD
 * (`dot-products.wat`): 3.7 ms for 100,000 × 100 floats here, against 20 ms for the same loop
 * in JavaScript. Dimensions that are not a multiple of 4 fall back to JavaScript.
 */

import { allocateVectors, memoryOf } from '../embedding/vector-memory.js';

/** `dot-products.wat` assembled by wabt (tests/dense-scan.test.ts checks that they match). */
export const DOT_PRODUCTS_WASM = 'AGFzbQEAAAABCQFgBX9/f39/AAIPAQNlbnYGbWVtb3J5AgABAwIBAAcKAQZzY29yZXMAAAqfAQGcAQMCfwF7An8gACEIIARBAnQhCQJAA0AgBSADTw0B/QwAAAAAAAAAAAAAAAAAAAAAIQdBACEGAkADQCAGIAlPDQEgByAIIAZq/QAEACABIAZq/QAEAP3mAf3kASEHIAZBEGohBgwACwsgAiAFQQJ0aiAH/R8AIAf9HwGSIAf9HwIgB/0fA5KSOAIAIAggCWohCCAFQQFqIQUMAAsLCw==';

interface Exports {
  scores(rowsPtr: number, queryPtr: number, outPtr: number, rows: number, dims: number): void;
}

let compiled: WebAssembly.Module | undefined;

export class DenseScanner {
  private readonly exports: Exports | undefined;
  private readonly scoresView: Float32Array;
  private readonly queryView: Float32Array | undefined;
  private readonly rows: number;

  /**
   * Vectors allocated by `allocateVectors` are scanned where they are; any others are first
   * copied into a WebAssembly memory of their own.
   */
  constructor(
    private readonly vectors: Float32Array,
    private readonly dimensions: number,
  ) {
    this.rows = vectors.length / dimensions;
    if (dimensions % 4 !== 0) {
      this.scoresView = new Float32Array(this.rows);
      return;
    }
    let memory = memoryOf(vectors);
    if (!memory) {
      const copy = allocateVectors(this.rows, dimensions);
      copy.set(vectors);
      memory = memoryOf(copy)!;
    }
    compiled ??= new WebAssembly.Module(Buffer.from(DOT_PRODUCTS_WASM, 'base64'));
    this.exports = new WebAssembly.Instance(compiled, { env: { memory } }).exports as unknown as Exports;
    this.queryView = new Float32Array(memory.buffer, vectors.byteLength, dimensions);
    this.scoresView = new Float32Array(memory.buffer, vectors.byteLength + dimensions * 4, this.rows);
  }

  /** Scores of every row; the returned array is reused by the next call. */
  scores(query: Float32Array): Float32Array {
    if (!this.exports || !this.queryView) return scanInJavaScript(this.vectors, this.dimensions, query, this.scoresView);
    this.queryView.set(query);
    this.exports.scores(0, this.vectors.byteLength, this.vectors.byteLength + this.dimensions * 4, this.rows, this.dimensions);
    return this.scoresView;
  }
}

function scanInJavaScript(vectors: Float32Array, dimensions: number, query: Float32Array, into: Float32Array): Float32Array {
  for (let row = 0, offset = 0; row < into.length; row++, offset += dimensions) {
    let dot = 0;
    for (let d = 0; d < dimensions; d++) dot += vectors[offset + d]! * query[d]!;
    into[row] = dot;
  }
  return into;
}

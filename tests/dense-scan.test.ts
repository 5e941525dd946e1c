import { readFile } from 'node:fs/promises';
import wabtModule from 'wabt';
import { describe, expect, it } from 'vitest';
import { DenseScanner, DOT_PRODUCTS_WASM } from '../src/retrieval/dense-scan.js';

describe('the SIMD dense scan', () => {
  it('is exactly the assembled dot-products.wat', async () => {
    const wabt = await wabtModule();
    const source = await readFile('src/retrieval/dot-products.wat', 'utf8');
    const { buffer } = wabt.parseWat('dot-products.wat', source, { simd: true }).toBinary({});
    expect(Buffer.from(buffer).toString('base64')).toBe(DOT_PRODUCTS_WASM);
  });

  it('scores like a plain dot product, for SIMD-friendly and other dimensions', () => {
    for (const dims of [100, 7]) {
      const rows = 50;
      const vectors = Float32Array.from({ length: rows * dims }, (_, i) => Math.sin(i));
      const query = Float32Array.from({ length: dims }, (_, i) => Math.cos(i));
      const scores = new DenseScanner(vectors, dims).scores(query);
      for (let r = 0; r < rows; r++) {
        let dot = 0;
        for (let d = 0; d < dims; d++) dot += vectors[r * dims + d]! * query[d]!;
        expect(scores[r]).toBeCloseTo(dot, 4);
      }
    }
  });
});

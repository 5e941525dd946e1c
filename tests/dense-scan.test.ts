import { readFile } from 'node:fs/promises';
import wabtModule from 'wabt';
import { describe, expect, it } from 'vitest';
import { quantize } from '../src/embedding/quantize.js';
import { DenseScanner, DOT_PRODUCTS_WASM, RESCORED_ROWS } from '../src/retrieval/dense-scan.js';
import { topK, topKOfAll } from '../src/retrieval/top-k.js';

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

  it('scans a large table in int8: the best rows of the approximate scan, refined, are the exact best, with exact scores', () => {
    const dims = 100;
    const rows = 5000;
    let seed = 7;
    const random = () => ((seed = (seed * 16807) % 2147483647) / 2147483647) * 2 - 1;
    const vectors = new Float32Array(rows * dims);
    for (let r = 0; r < rows; r++) {
      let norm = 0;
      for (let d = 0; d < dims; d++) norm += (vectors[r * dims + d] = random()) ** 2;
      for (let d = 0; d < dims; d++) vectors[r * dims + d]! /= Math.sqrt(norm);
    }
    const query = vectors.slice(42 * dims, 43 * dims).map((x, d) => x + 0.3 * Math.sin(d));
    const exact = new DenseScanner(vectors, dims).scores(query).slice();
    const halves = [quantize(vectors.subarray(0, 2000 * dims), dims), quantize(vectors.subarray(2000 * dims), dims)];
    const scanner = new DenseScanner(vectors, dims, halves);
    const approximate = scanner.scores(query);
    expect(scanner.approximates).toBe(true);
    const rough = topK(RESCORED_ROWS, approximate).map((r) => r.row);
    scanner.refine(rough);
    const best = (scores: Float32Array, among?: number[]) => topK(100, scores, among).map((r) => r.row);
    expect(best(approximate, rough)).toEqual(best(exact));
    for (const row of best(exact)) expect(approximate[row]).toBeCloseTo(exact[row]!, 5);
    // Rows past the refined ones are approximate, yet close; refined, they are exact.
    const far = topK(rows, exact).at(-1)!.row;
    expect(Math.abs(approximate[far]! - exact[far]!)).toBeLessThan(0.05);
    scanner.refine([far]);
    expect(approximate[far]).toBeCloseTo(exact[far]!, 5);
  });

  it('ranks the best of a large table by a sampled bar exactly as the heap does, ties and all', () => {
    let seed = 11;
    const random = () => (seed = (seed * 16807) % 2147483647) / 2147483647;
    const scores = Float32Array.from({ length: 300_000 }, () => Math.round(random() * 1000) / 1000);
    for (const k of [10, 100, 400]) expect(topKOfAll(k, scores)).toEqual(topK(k, scores));
    // A table where only the sampled rows score: too few clear the bar, and every row is ranked.
    const sampledOnly = Float32Array.from({ length: 100_000 }, (_, i) => (i % 16 === 0 ? 1 : i / 1e6));
    expect(topKOfAll(400, sampledOnly)).toEqual(topK(400, sampledOnly));
  });
});

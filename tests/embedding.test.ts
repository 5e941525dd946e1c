import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { describe, expect, it } from 'vitest';
import { checksumModelDir, EXPECTED_CHECKSUM, readBuildRecord, WINK_MODEL_ID } from '../src/embedding/wink-model.js';
import { realEmbedder, TEST_MODELS_DIR } from './helpers.js';

const cosine = (a: Float32Array, b: Float32Array) => a.reduce((sum, x, i) => sum + x * b[i]!, 0);

describe('the embedded model', () => {
  it('is built offline from the npm package into a transformers.js model folder, with the pinned checksum', async () => {
    const build = await readBuildRecord(TEST_MODELS_DIR);
    expect(build).toMatchObject({ modelId: WINK_MODEL_ID, dimensions: 100, checksum: EXPECTED_CHECKSUM });
    expect(await checksumModelDir(build!.dir)).toBe(EXPECTED_CHECKSUM);
    const config = JSON.parse(await readFile(path.join(build!.dir, 'config.json'), 'utf8'));
    expect(config.model_type).toBe('bert');
    const tokenizerConfig = JSON.parse(await readFile(path.join(build!.dir, 'tokenizer_config.json'), 'utf8'));
    expect(tokenizerConfig).toMatchObject({ pad_token: '[PAD]', unk_token: '[UNK]', cls_token: '[CLS]', sep_token: '[SEP]' });
  });

  it('loads through pipeline("feature-extraction") and returns unit vectors', async () => {
    const embedder = await realEmbedder();
    const [v] = await embedder.embed(['The Kremlin hosted talks on Ukraine.']);
    expect(v).toHaveLength(100);
    expect(Math.sqrt(cosine(v!, v!))).toBeCloseTo(1, 5);
  });

  it('separates related from unrelated sentences (SIF weighting and common component removal)', async () => {
    const embedder = await realEmbedder();
    const [bank, sport, rates] = await embedder.embed([
      'The central bank raised interest rates to fight inflation.',
      'The striker scored twice in the second half of the match.',
      'Policymakers lifted borrowing costs as prices kept climbing.',
    ]);
    expect(cosine(bank!, rates!)).toBeGreaterThan(0.5);
    expect(cosine(bank!, sport!)).toBeLessThan(0.2);
  });

  it('gives a zero vector, never NaN, to text with no known word', async () => {
    const embedder = await realEmbedder();
    const vectors = await embedder.embed(['qzxv wvvq', '', '🙂🙂', 'hello']);
    for (const v of vectors) expect(v.every(Number.isFinite)).toBe(true);
    expect(vectors[0]!.every((x) => x === 0)).toBe(true);
    expect(vectors[2]!.every((x) => x === 0)).toBe(true);
    expect(vectors[3]!.some((x) => x !== 0)).toBe(true);
  });

  it('embeds a batch the same as one text at a time (padding does not leak into the mean)', async () => {
    const embedder = await realEmbedder();
    const texts = ['Short.', 'A much longer sentence about the security talks in Abu Dhabi between three delegations.'];
    const batch = await embedder.embed(texts);
    const single = await embedder.embed([texts[0]!]);
    expect(cosine(batch[0]!, single[0]!)).toBeCloseTo(1, 5);
  });

  it('runs in a thread of its own: embedding paragraphs leaves the event loop that answers people nearly idle', async () => {
    const embedder = await realEmbedder();
    await embedder.ready;
    const texts = Array.from({ length: 2000 }, (_, i) => `Paragraph ${i}: the ferry resumed its crossings after storms kept it in port for ${i} days, officials said.`);
    const before = performance.eventLoopUtilization();
    const vectors = await embedder.embed(texts);
    const busy = performance.eventLoopUtilization(before).utilization;
    expect(vectors).toHaveLength(2000);
    expect(cosine(vectors[7]!, (await embedder.embed([texts[7]!]))[0]!)).toBeCloseTo(1, 5);
    // In the calling thread the same work keeps the loop busy almost all the time (utilization near 1).
    expect(busy).toBeLessThan(0.3);
  });
});

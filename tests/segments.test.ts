/**
 * The segmented index: an ingest writes only a segment of what changed, every segment is a vectra
 * index, a reload reads only new segments, merges keep every answer, and a first-format index is
 * read and carried into segments.
 */
import { cp, mkdir, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { LocalIndex } from 'vectra';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeArticle } from '../src/articles/make-article.js';
import { Engine } from '../src/engine.js';
import { ingest, ingestArticles } from '../src/index/ingest.js';
import { mergeUntilTidy, MOSTLY_DEAD, segmentSizes, segmentsToMerge, SEGMENTS_PER_TIER } from '../src/index/merge.js';
import { readSnapshot } from '../src/index/store.js';
import { realEmbedder, SEED_FILE, tempDir } from './helpers.js';

let root: string;
let cleanup: () => Promise<void>;
let indexDir: string;
beforeEach(async () => {
  ({ dir: root, cleanup } = await tempDir());
  indexDir = path.join(root, 'index');
});
afterEach(() => cleanup());

const story = (id: string, fact: string) =>
  makeArticle({ id, title: `Story ${id}`, date: '2026-02-0' + ((id.length % 9) + 1), source: { location: `https://news.example/${id}` }, rawParagraphs: [`${fact}, officials said on Monday.`, `The ${id} story goes on for a second paragraph.`] });
const PLACES = ['harbour', 'bridge', 'tunnel', 'ferry', 'airport', 'station', 'library', 'museum', 'stadium', 'market'];
const segmentNames = async () => (await readdir(path.join(indexDir, 'segments'))).sort();

/** The seed article as a folder, ingested into a fresh index: the first segment. */
async function ingestSeedFolder() {
  const embedder = await realEmbedder();
  await mkdir(path.join(root, 'articles'));
  await writeFile(path.join(root, 'articles', 'seed.txt'), await readFile(SEED_FILE));
  await ingest(indexDir, embedder, { source: path.join(root, 'articles') });
  return embedder;
}

describe('segments', () => {
  it('an ingest writes one segment of the new and changed articles and leaves the others untouched', async () => {
    const embedder = await realEmbedder();
    await ingestArticles(indexDir, embedder, [story('harbour', 'The harbour closed'), story('bridge', 'The bridge closed')]);
    const first = await stat(path.join(indexDir, 'segments', 'seg-000001', 'index.json'));
    await ingestArticles(indexDir, embedder, [story('bridge', 'The bridge reopened'), story('tunnel', 'The tunnel opened')]);
    expect(await segmentNames()).toEqual(['seg-000001', 'seg-000002']);
    expect((await stat(path.join(indexDir, 'segments', 'seg-000001', 'index.json'))).mtimeMs).toBe(first.mtimeMs);

    const snapshot = (await readSnapshot(indexDir))!;
    const second = await new LocalIndex<{ articleId: string; text: string }>(path.join(indexDir, 'segments', 'seg-000002')).listItems();
    expect(second.map((i) => i.metadata.articleId).sort()).toEqual(['bridge', 'bridge', 'tunnel', 'tunnel']);
    // The old bridge rows are dead: the manifest says its rows live in the second segment.
    expect(snapshot.manifest.articles.get('bridge')?.segment).toBe('seg-000002');
    expect(snapshot.paragraphs.toArray().map((p) => p.text).filter((t) => t.includes('bridge'))).toEqual(['The bridge reopened, officials said on Monday.', 'The bridge story goes on for a second paragraph.']);
    const engine = await Engine.open(embedder, indexDir);
    const answer = await engine.ask('What happened to the bridge?');
    expect(answer.kind === 'answer' && answer.passages[0]!.paragraph).toMatch(/reopened/);
  });

  it('every segment opens with vectra’s LocalIndex, with the same rows as the mirror', async () => {
    const embedder = await ingestSeedFolder();
    await ingestArticles(indexDir, embedder, [story('ferry', 'The ferry returned')]);
    const snapshot = (await readSnapshot(indexDir))!;
    for (const segment of snapshot.segments) {
      const vectra = new LocalIndex<{ articleId: string; position: number; text: string }>(segment.dir);
      expect(await vectra.isIndexCreated()).toBe(true);
      const items = await vectra.listItems();
      expect(items.map((i) => [i.metadata.articleId, i.metadata.position, i.metadata.text])).toEqual(segment.paragraphs.toArray().map((p) => [p.articleId, p.position, p.text]));
      const [query] = await embedder.embed(['Who will head the team?']);
      expect(await vectra.queryItems(Array.from(query!), '', 3)).toHaveLength(Math.min(3, items.length));
    }
  });

  it('a reload reads only the new segment and keeps the loaded ones', async () => {
    const embedder = await realEmbedder();
    await ingestArticles(indexDir, embedder, [story('harbour', 'The harbour closed')]);
    const engine = await Engine.open(embedder, indexDir);
    const loaded = engine.snapshot.segments[0]!;
    await ingestArticles(indexDir, embedder, [story('museum', 'The museum reopened')]);
    expect(await engine.reload()).toBe(true);
    expect(engine.snapshot.segments).toHaveLength(2);
    expect(engine.snapshot.segments[0]).toBe(loaded);
    const answer = await engine.ask('What happened to the museum?');
    expect(answer.kind === 'answer' && answer.passages[0]!.paragraph).toMatch(/museum reopened/);
  });
});

describe('merging', () => {
  it('merges a full tier of small segments into one, with the same answers, and removes the old segments once no generation lists them', async () => {
    const embedder = await realEmbedder();
    for (const place of PLACES) await ingestArticles(indexDir, embedder, [story(place, `The ${place} closed for repairs`)]);
    const before = await Engine.open(embedder, indexDir);
    expect(before.snapshot.segments).toHaveLength(PLACES.length);
    const questions = PLACES.map((place) => `Why did the ${place} close?`);
    const answers = async (engine: Engine) => Promise.all(questions.map(async (q) => JSON.stringify(await engine.ask(q, { asOf: null }))));
    const expected = await answers(before);

    const merges = await mergeUntilTidy(indexDir);
    expect(merges.length).toBeGreaterThanOrEqual(1);
    const after = await Engine.open(embedder, indexDir);
    expect(after.snapshot.segments.length).toBeLessThan(SEGMENTS_PER_TIER);
    expect(after.snapshot.paragraphs).toHaveLength(2 * PLACES.length);
    expect(await answers(after)).toEqual(expected);

    await ingestArticles(indexDir, embedder, [story('harbour', 'The harbour reopened')]);
    await ingestArticles(indexDir, embedder, [story('bridge', 'The bridge reopened')]);
    const listed = (await readSnapshot(indexDir))!.segments.map((s) => s.name);
    const previous = JSON.parse(await readFile(path.join((await readSnapshot(indexDir))!.dir, '..', `gen-${String((await readSnapshot(indexDir))!.manifest.generation - 1).padStart(6, '0')}`, 'segments.json'), 'utf8')).map((e: { name: string }) => e.name) as string[];
    expect(await segmentNames()).toEqual([...new Set([...listed, ...previous])].sort());
  });

  it('rewrites a mostly dead segment, and merges the smallest tier first, never past the size limit', () => {
    expect(segmentsToMerge([{ name: 'a', rows: 100, live: 100 * (1 - MOSTLY_DEAD) - 1 }])).toEqual(['a']);
    expect(segmentsToMerge([{ name: 'a', rows: 100, live: 100 }])).toEqual([]);
    const small = Array.from({ length: SEGMENTS_PER_TIER }, (_, i) => ({ name: `s${i}`, rows: 5, live: 5 }));
    const large = Array.from({ length: SEGMENTS_PER_TIER }, (_, i) => ({ name: `l${i}`, rows: 30_000, live: 30_000 }));
    expect(segmentsToMerge([...large, ...small]).sort()).toEqual(small.map((s) => s.name).sort());
    // Two 30,000-row segments would make 60,000: over the limit, so the large tier waits.
    expect(segmentsToMerge(large)).toEqual([]);
    expect(segmentSizes).toBeTypeOf('function');
  });
});

describe('an index of the first format (one folder per generation)', () => {
  it('is read as one segment, answers, and is carried into the segment format by the next ingest', async () => {
    const embedder = await realEmbedder();
    await ingestArticles(indexDir, embedder, [story('harbour', 'The harbour closed'), story('bridge', 'The bridge closed')]);
    // Rewrite the index as the first format kept it: the segment's files inside the generation folder, a version 1 manifest.
    const snapshot = (await readSnapshot(indexDir))!;
    const legacy = path.join(indexDir, 'gen-000005');
    await cp(snapshot.segments[0]!.dir, legacy, { recursive: true });
    const manifest = JSON.parse(await readFile(path.join(snapshot.dir, 'manifest.json'), 'utf8'));
    for (const article of Object.values(manifest.articles) as { segment?: string }[]) delete article.segment;
    await writeFile(path.join(legacy, 'manifest.json'), JSON.stringify({ ...manifest, version: 1, generation: 5 }));
    await rm(path.join(indexDir, 'segments'), { recursive: true });
    await rm(snapshot.dir, { recursive: true });
    await writeFile(path.join(indexDir, 'CURRENT'), 'gen-000005\n');

    const engine = await Engine.open(embedder, indexDir);
    expect(engine.snapshot.paragraphs).toHaveLength(4);
    expect((await engine.ask('What happened to the harbour?')).kind).toBe('answer');

    const report = await ingestArticles(indexDir, embedder, [story('tunnel', 'The tunnel opened')]);
    expect(report).toMatchObject({ added: 1, embedded: 2, wrote: true });
    const carried = (await readSnapshot(indexDir))!;
    expect(carried.segments.map((s) => path.basename(path.dirname(s.dir)))).toEqual(['segments']);
    expect([...carried.manifest.articles.keys()].sort()).toEqual(['bridge', 'harbour', 'tunnel']);
    expect(carried.paragraphs).toHaveLength(6);
    await ingestArticles(indexDir, embedder, [story('ferry', 'The ferry returned')]);
    expect((await readdir(indexDir)).filter((e) => e.startsWith('gen-'))).not.toContain('gen-000005');
  });
});

describe('segment size', () => {
  it('an ingest larger than a segment is cut into several, never splitting an article', async () => {
    const { segmentsOfRows } = await import('../src/index/segment.js');
    const { termListsOf } = await import('../src/index/term-lists.js');
    const texts = ['a1', 'a2', 'b1', 'b2', 'c1', 'c2', 'c3', 'd1'];
    const paragraphs = texts.map((t) => ({ articleId: t[0]!, position: Number(t[1]) - 1, text: `word ${t}` }));
    const rows = { paragraphs, vectors: Float32Array.from(texts.map((_, i) => i)), terms: termListsOf(paragraphs.map((p) => p.text)), people: new Map(), spans: new Map([['c', []]]) };
    const parts = segmentsOfRows(rows, 1, 3);
    expect(parts.map((p) => p.paragraphs.map((x) => x.articleId).join(''))).toEqual(['aa', 'bb', 'ccc', 'd']);
    expect(parts.map((p) => Array.from(p.vectors))).toEqual([[0, 1], [2, 3], [4, 5, 6], [7]]);
    expect(parts[2]!.spans.has('c')).toBe(true);
    expect(parts[2]!.terms.vocabulary.length).toBeGreaterThan(0);
  });
});

describe('retention (RETAIN_DAYS)', () => {
  it('drops stored articles dated too long ago, refuses new ones, and keeps undated ones', async () => {
    const { parseConfig } = await import('../src/config/config.js');
    const embedder = await realEmbedder();
    const daysAgo = (days: number) => new Date(Date.now() - days * 86_400_000).toISOString().slice(0, 10);
    const dated = (id: string, date: string | undefined) =>
      makeArticle({ id, title: `Story ${id}`, date, source: { location: `https://news.example/${id}` }, rawParagraphs: [`The ${id} story happened, officials said.`] });
    await ingestArticles(indexDir, embedder, [dated('old', daysAgo(40)), dated('recent', daysAgo(3)), dated('undated', undefined)]);
    const report = await ingestArticles(indexDir, embedder, [dated('ancient', daysAgo(400)), dated('fresh', daysAgo(0))], [], { retainDays: 30 });
    expect(report).toMatchObject({ added: 1, removed: 1, problems: [{ location: 'https://news.example/ancient', reason: expect.stringMatching(/older than RETAIN_DAYS keeps/) }] });
    expect([...(await readSnapshot(indexDir))!.manifest.articles.keys()].sort()).toEqual(['fresh', 'recent', 'undated']);

    expect(parseConfig({ RETAIN_DAYS: '30' }).retainDays).toBe(30);
    expect(parseConfig({ RETAIN_DAYS: '' }).retainDays).toBeUndefined();
    expect(() => parseConfig({ RETAIN_DAYS: 'a month' })).toThrow(/RETAIN_DAYS/);
  });
});

describe('term lists of several segments', () => {
  it('are concatenated as a builder would make them: same vocabulary order, only the terms the chosen rows use', async () => {
    const { concatTermLists, termListsOf } = await import('../src/index/term-lists.js');
    const a = termListsOf(['the harbour closed', 'a storm came', 'the ferry waited']);
    const b = termListsOf(['ferry service resumed', 'harbour reopened today']);
    const joined = concatTermLists([{ lists: a, rows: [0, 2] }, { lists: b, rows: [1] }]);
    expect(joined).toEqual(termListsOf(['the harbour closed', 'the ferry waited', 'harbour reopened today']));
  });
});

describe('people, read on first use', () => {
  it('an index answers without reading people.json; a damaged one is a clear error for /who alone', async () => {
    const embedder = await ingestSeedFolder();
    const segment = (await readSnapshot(indexDir))!.segments[0]!;
    await writeFile(path.join(segment.dir, 'people.json'), '{"articles/seed": [{"name": "Igor');
    const engine = await Engine.open(embedder, indexDir);
    expect((await engine.ask('Who will head Moscow’s team?')).kind).toBe('answer');
    expect(() => engine.who('Kostyukov')).toThrow(/people in .* is damaged[\s\S]*/);
  });
});

describe('stored postings', () => {
  it('are the postings retrieval would build from the segment’s stems, at both levels', async () => {
    const { postingsOfRows } = await import('../src/index/postings.js');
    const embedder = await realEmbedder();
    await ingestArticles(indexDir, embedder, PLACES.slice(0, 4).map((place) => story(place, `The ${place} closed for repairs`)));
    const segment = (await readSnapshot(indexDir))!.segments[0]!;
    expect(segment.postings).toBeDefined();
    const built = postingsOfRows(segment.terms, (row) => segment.paragraphs.articleIdOf(row), Array.from({ length: segment.paragraphs.length }, (_, row) => row));
    expect(segment.postings!.paragraphs.encode()).toEqual(built.paragraphs.encode());
    expect(segment.postings!.articles.encode()).toEqual(built.articles.encode());
    expect(segment.postings!.articles.docs).toBe(4);
    expect(segment.postings!.paragraphs.terms).toEqual(built.paragraphs.terms);
  });
});

describe('candidate answers stored packed', () => {
  it('reads back every span of every article as derived, from spans.bin, and still reads a segment that stored them as JSON', async () => {
    const embedder = await ingestSeedFolder();
    await ingestArticles(indexDir, embedder, [story('ferry', 'On 3 March 2026 the ferry carried 4,000 people to Abu Dhabi')]);
    const segmentDir = path.join(indexDir, 'segments', 'seg-000002');
    expect((await readdir(segmentDir)).filter((f) => f.startsWith('spans'))).toEqual(['spans-ids.json', 'spans.bin']);
    const packed = (await readSnapshot(indexDir))!;
    const ferry = packed.spans.get('ferry')!;
    const text = packed.paragraphs.toArray().find((p) => p.articleId === 'ferry' && p.position === 0)!.text;
    expect(ferry[0]!.map(([type, start, end]) => `${type}:${text.slice(start, end)}`)).toEqual(expect.arrayContaining(['number:4,000 people', 'place:Abu Dhabi']));
    for (const id of packed.manifest.articles.keys()) expect(packed.spans.get(id), id).toBeDefined();

    // The same segment as an earlier version wrote it: spans.json, by article id.
    const ids = packed.paragraphs.toArray().filter((p) => packed.manifest.articles.get(p.articleId)?.segment === 'seg-000002').map((p) => p.articleId);
    await writeFile(path.join(segmentDir, 'spans.json'), JSON.stringify(Object.fromEntries(ids.map((id) => [id, packed.spans.get(id)]))));
    await rm(path.join(segmentDir, 'spans.bin'));
    await rm(path.join(segmentDir, 'spans-ids.json'));
    const fromJson = (await readSnapshot(indexDir))!;
    for (const id of packed.manifest.articles.keys()) expect(fromJson.spans.get(id)).toEqual(packed.spans.get(id));
  });
});

describe('damaged candidate answers', () => {
  it('leave the index answering, and a rebuild (what the error of any damaged index advises) derives them again', async () => {
    const embedder = await ingestSeedFolder();
    const segmentDir = path.join(indexDir, 'segments', 'seg-000001');
    await writeFile(path.join(segmentDir, 'spans.bin'), 'garbage');
    const engine = await Engine.open(embedder, indexDir);
    const answer = await engine.ask('Who will head Moscow’s team?');
    expect(answer.kind === 'answer' && answer.passages[0]!.paragraph).toContain('Igor Kostyukov');
    await ingest(indexDir, embedder, { source: path.join(root, 'articles'), rebuild: true });
    const rebuilt = (await readSnapshot(indexDir))!;
    expect(rebuilt.segments.every((s) => s.complete)).toBe(true);
    expect(rebuilt.spans.get('articles/seed')?.length).toBeGreaterThan(0);
  });
});

describe('binary files read at any offset', () => {
  it('decodes postings and packed spans from a buffer that does not start on a 4-byte boundary', async () => {
    const { Bm25Postings } = await import('../src/index/postings.js');
    const { PackedSpans } = await import('../src/index/packed-spans.js');
    const { termListsOf } = await import('../src/index/term-lists.js');
    const postings = Bm25Postings.build(termListsOf(['the harbour closed', 'the bridge reopened']), [0, 1]);
    // A Buffer, as readFile gives: its slice() is a view, not a copy.
    const shifted = (bytes: Uint8Array) => {
      const holder = new Uint8Array(bytes.byteLength + 1);
      holder.set(bytes, 1);
      return Buffer.from(holder.buffer, 1, bytes.byteLength);
    };
    const decoded = Bm25Postings.decode(postings.terms, shifted(postings.encode()));
    expect(decoded.documentFrequency('harbour')).toBe(1);
    const spans = new Map([['a', [[['place', 4, 11]], []]]]) as Parameters<typeof PackedSpans.encode>[0];
    const packed = PackedSpans.encode(spans);
    expect(PackedSpans.decode(packed.ids, shifted(packed.bytes)).get('a')).toEqual([[['place', 4, 11]], []]);
  });
});

describe('the paragraph table', () => {
  it('joins the live rows of segments into one table, articles numbered in order of first row, texts read from their segment', async () => {
    const { joinTables, tableOf } = await import('../src/index/paragraph-table.js');
    const first = tableOf([
      { articleId: 'a', position: 0, text: 'a0' },
      { articleId: 'a', position: 1, text: 'a1' },
      { articleId: 'b', position: 0, text: 'b0' },
    ]);
    const second = tableOf([
      { articleId: 'c', position: 0, text: 'c0' },
      { articleId: 'b', position: 0, text: 'b0 again' },
      { articleId: 'b', position: 1, text: 'b1 again' },
    ]);
    // "b" moved to the second segment: its rows in the first are dead.
    const table = joinTables([first, second], [Int32Array.of(0, 1), Int32Array.of(0, 1, 2)]);
    expect(table.toArray()).toEqual([
      { articleId: 'a', position: 0, text: 'a0' },
      { articleId: 'a', position: 1, text: 'a1' },
      { articleId: 'c', position: 0, text: 'c0' },
      { articleId: 'b', position: 0, text: 'b0 again' },
      { articleId: 'b', position: 1, text: 'b1 again' },
    ]);
    expect(table.articleIds).toEqual(['a', 'c', 'b']);
    expect([0, 1, 2, 3, 4].map((row) => table.articleOf(row))).toEqual([0, 0, 1, 2, 2]);
    expect(() => table.at(5)).toThrow(RangeError);
  });

  it('reads texts by their stored starts, from a file opened at load: a segment folder removed later (a merge elsewhere) still answers', async () => {
    const embedder = await ingestSeedFolder();
    const segmentDir = path.join(indexDir, 'segments', 'seg-000001');
    const engine = await Engine.open(embedder, indexDir);
    await rm(segmentDir, { recursive: true, force: true });
    const answer = await engine.ask('Who will head Moscow’s team?');
    expect(answer.kind === 'answer' && answer.passages[0]!.paragraph).toContain('Igor Kostyukov');
  });

  it('reads the texts whole when their stored starts are damaged or missing', async () => {
    const embedder = await ingestSeedFolder();
    const segmentDir = path.join(indexDir, 'segments', 'seg-000001');
    const expected = (await Engine.open(embedder, indexDir)).snapshot.paragraphs.toArray().map((p) => p.text);
    await writeFile(path.join(segmentDir, 'paragraph-starts.bin'), Buffer.alloc(4 * (expected.length + 1), 7));
    expect((await Engine.open(embedder, indexDir)).snapshot.paragraphs.toArray().map((p) => p.text)).toEqual(expected);
    await rm(path.join(segmentDir, 'paragraph-starts.bin'));
    expect((await Engine.open(embedder, indexDir)).snapshot.paragraphs.toArray().map((p) => p.text)).toEqual(expected);
  });

  it('reads a segment whose rows.json does not match its texts from vectra’s own file instead', async () => {
    const embedder = await ingestSeedFolder();
    const segmentDir = path.join(indexDir, 'segments', 'seg-000001');
    const rows = JSON.parse(await readFile(path.join(segmentDir, 'rows.json'), 'utf8')) as { article: number[] };
    rows.article[0] = 7;
    await writeFile(path.join(segmentDir, 'rows.json'), JSON.stringify(rows));
    const engine = await Engine.open(embedder, indexDir);
    // Every row is there, the first one included.
    expect(engine.snapshot.paragraphs.length).toBe(engine.snapshot.manifest.articles.get('articles/seed')!.paragraphCount);
    expect(engine.snapshot.paragraphs.articleIdOf(0)).toBe('articles/seed');
    const answer = await engine.ask('Who will head Moscow’s team?');
    expect(answer.kind === 'answer' && answer.passages[0]!.paragraph).toContain('Igor Kostyukov');
  });
});

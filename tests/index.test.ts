import { execFile } from 'node:child_process';
import { copyFile, mkdir, readdir, rm, writeFile, readFile } from 'node:fs/promises';
import path from 'node:path';
import { Writable } from 'node:stream';
import { promisify } from 'node:util';
import { LocalIndex } from 'vectra';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { UserError } from '../src/errors.js';
import { createLogger } from '../src/log.js';
import type { Article } from '../src/articles/article.js';
import { makeArticle } from '../src/articles/make-article.js';
import { Engine } from '../src/engine.js';
import { ingest, ingestArticles } from '../src/index/ingest.js';
import { acquireWriteLock } from '../src/index/lock.js';
import { readSnapshot } from '../src/index/store.js';
import { paragraphsInOrder } from '../src/index/order.js';
import { termListsOf } from '../src/index/term-lists.js';
import { realEmbedder, SEED_FILE, tempDir } from './helpers.js';

let root: string;
let cleanup: () => Promise<void>;
let articles: string;
let indexDir: string;

beforeEach(async () => {
  ({ dir: root, cleanup } = await tempDir());
  articles = path.join(root, 'articles');
  indexDir = path.join(root, 'index');
  await rm(articles, { recursive: true, force: true });
  await import('node:fs/promises').then((fs) => fs.mkdir(articles));
  await copyFile(SEED_FILE, path.join(articles, 'seed.txt'));
  await writeFile(path.join(articles, 'bridge.md'), '---\ntitle: Bridge reopens\ndate: 2024-05-01\n---\n\nThe old bridge reopened on Friday.\n\nRepairs took two years.');
});
afterEach(() => cleanup());

describe('ingest', () => {
  it('builds a vectra index whose items are the paragraphs, with a manifest of the model', async () => {
    const embedder = await realEmbedder();
    const report = await ingest(indexDir, embedder, { source: articles });
    expect(report).toMatchObject({ added: 2, updated: 0, unchanged: 0, removed: 0, embedded: 12, articles: 2, wrote: true, problems: [] });
    const snapshot = (await readSnapshot(indexDir))!;
    expect(snapshot.manifest.model).toEqual({ id: embedder.modelId, dimensions: 100, checksum: embedder.checksum });
    const items = await new LocalIndex(snapshot.segments[0]!.dir).listItems();
    expect(items).toHaveLength(12);
    expect(items.map((i) => i.id)).toContain('articles/seed#2');
    expect(items.find((i) => i.id === 'articles/seed#2')!.metadata.text).toMatch(/Admiral Igor Kostyukov/);
  });

  it('writes nothing when re-run on an unchanged corpus', async () => {
    const embedder = await realEmbedder();
    await ingest(indexDir, embedder, { source: articles });
    const before = await readdir(indexDir);
    const again = await ingest(indexDir, embedder, { source: articles });
    expect(again).toMatchObject({ added: 0, updated: 0, unchanged: 2, removed: 0, embedded: 0, wrote: false, generation: 1 });
    expect(await readdir(indexDir)).toEqual(before);
  });

  it('replaces the paragraphs of a changed article and removes those of a deleted file', async () => {
    const embedder = await realEmbedder();
    await ingest(indexDir, embedder, { source: articles });
    await writeFile(path.join(articles, 'bridge.md'), '---\ntitle: Bridge reopens\ndate: 2024-05-01\n---\n\nThe old bridge reopened on Saturday, a day late.');
    const updated = await ingest(indexDir, embedder, { source: articles });
    expect(updated).toMatchObject({ added: 0, updated: 1, unchanged: 1, embedded: 1 });
    let snapshot = (await readSnapshot(indexDir))!;
    const bridge = snapshot.paragraphs.toArray().filter((p) => p.articleId === 'articles/bridge').map((p) => p.text);
    expect(bridge).toEqual(['The old bridge reopened on Saturday, a day late.']);

    await rm(path.join(articles, 'bridge.md'));
    const removed = await ingest(indexDir, embedder, { source: articles });
    expect(removed).toMatchObject({ removed: 1, unchanged: 1, articles: 1 });
    snapshot = (await readSnapshot(indexDir))!;
    expect(snapshot.paragraphs.toArray().some((p) => p.articleId === 'articles/bridge')).toBe(false);
    // Every segment is a vectra index; its rows of articles now held elsewhere, or removed, are dead.
    const live = await Promise.all(
      snapshot.segments.map(async (s) => (await new LocalIndex<{ articleId: string }>(s.dir).listItems()).filter((i) => snapshot.manifest.articles.get(i.metadata.articleId)?.segment === s.name)),
    );
    expect(live.flat()).toHaveLength(10);
  });

  it('reports a broken file, ingests the rest, and keeps what was stored from a file that breaks later', async () => {
    const embedder = await realEmbedder();
    await writeFile(path.join(articles, 'broken.jsonl'), '{"id": "x", "text": "Fine record."}\n{oops\n');
    const first = await ingest(indexDir, embedder, { source: articles });
    expect(first.added).toBe(3);
    expect(first.problems).toEqual([{ location: expect.stringMatching(/broken\.jsonl$/), line: 2, reason: expect.stringMatching(/invalid JSON/) }]);

    await writeFile(path.join(articles, 'bridge.md'), Buffer.from([0xff, 0xfe, 0x00, 0x41]));
    const second = await ingest(indexDir, embedder, { source: articles });
    expect(second.removed).toBe(0);
    expect((await readSnapshot(indexDir))!.manifest.articles.get('articles/bridge')).toBeDefined();
  });

  it('refuses an index built with another model and says how to rebuild', async () => {
    const embedder = await realEmbedder();
    await ingest(indexDir, embedder, { source: articles });
    const other = { ...embedder, modelId: 'Xenova/all-MiniLM-L6-v2', checksum: 'Xenova/all-MiniLM-L6-v2', dimensions: 384 };
    const refusal = ingest(indexDir, other, { source: articles });
    await expect(refusal).rejects.toBeInstanceOf(UserError);
    await expect(refusal).rejects.toMatchObject({ hint: expect.stringContaining('npm run ingest -- --rebuild') });
  });

  it('starts over on --rebuild, in a new generation', async () => {
    const embedder = await realEmbedder();
    await ingest(indexDir, embedder, { source: articles });
    const rebuilt = await ingest(indexDir, embedder, { source: articles, rebuild: true });
    expect(rebuilt).toMatchObject({ added: 2, embedded: 12, generation: 2, wrote: true });
    expect((await readSnapshot(indexDir))!.paragraphs).toHaveLength(12);
  });

  it('--rebuild after a model change re-embeds every stored article: pages and other folders too, not only the folder given', async () => {
    const embedder = await realEmbedder();
    await ingest(indexDir, embedder, { source: articles });
    const page = makeArticle({ id: 'web-ferry', title: 'Ferry returns', url: 'https://news.example/ferry', source: { location: 'https://news.example/ferry' }, rawParagraphs: ['The island ferry returned to service on Sunday.'] });
    await ingestArticles(indexDir, embedder, [page]);
    const elsewhere = path.join(root, 'elsewhere');
    await mkdir(elsewhere);
    await writeFile(path.join(elsewhere, 'tunnel.md'), '---\ntitle: Tunnel opens\n---\n\nThe new rail tunnel opened to trains on Tuesday.');
    await ingest(indexDir, embedder, { source: elsewhere });
    await rm(path.join(articles, 'bridge.md'));

    const retrained = { ...embedder, checksum: 'another-build' };
    await expect(ingest(indexDir, retrained, { source: articles })).rejects.toBeInstanceOf(UserError);
    const rebuilt = await ingest(indexDir, retrained, { source: articles, rebuild: true });
    expect(rebuilt).toMatchObject({ added: 3, embedded: 12, problems: [] });
    const snapshot = (await readSnapshot(indexDir))!;
    expect(snapshot.manifest.model.checksum).toBe('another-build');
    expect([...snapshot.manifest.articles.keys()].sort()).toEqual(['articles/seed', 'elsewhere/tunnel', 'web-ferry']);
    expect(snapshot.manifest.articles.get('web-ferry')).toMatchObject({ url: 'https://news.example/ferry', title: 'Ferry returns' });
    expect(paragraphsInOrder(snapshot.paragraphs, 'web-ferry').map((p) => p.text)).toEqual(['The island ferry returned to service on Sunday.']);
  });

  it('keeps each paragraph’s stems with its segment, never stemmed again for kept paragraphs', async () => {
    const embedder = await realEmbedder();
    await ingest(indexDir, embedder, { source: articles });
    await writeFile(path.join(articles, 'bridge.md'), '---\ntitle: Bridge reopens\n---\n\nThe old bridge reopened on Saturday.');
    await ingest(indexDir, embedder, { source: articles });
    const snapshot = (await readSnapshot(indexDir))!;
    // The table's rows are each segment's live rows in turn.
    const located = snapshot.layout.flatMap(({ segment, rows }) => Array.from(rows, (row) => ({ terms: segment.terms, row })));
    const stored = (tableRow: number) => {
      const { terms, row } = located[tableRow]!;
      const pairs: string[] = [];
      for (let i = terms.offsets[row]!; i < terms.offsets[row + 1]!; i++) pairs.push(`${terms.vocabulary[terms.termIds[i]!]}:${terms.counts[i]}`);
      return pairs.sort();
    };
    const fresh = termListsOf(snapshot.paragraphs.toArray().map((p) => p.text));
    const recomputed = (row: number) => {
      const pairs: string[] = [];
      for (let i = fresh.offsets[row]!; i < fresh.offsets[row + 1]!; i++) pairs.push(`${fresh.vocabulary[fresh.termIds[i]!]}:${fresh.counts[i]}`);
      return pairs.sort();
    };
    expect(snapshot.paragraphs.length).toBe(11);
    for (let row = 0; row < snapshot.paragraphs.length; row++) expect(stored(row)).toEqual(recomputed(row));
    expect(stored(snapshot.paragraphs.length - 1)).toContain('bridg:1');
  });

  it('rebuilds from vectra when the fast-load mirror is missing', async () => {
    const embedder = await realEmbedder();
    await ingest(indexDir, embedder, { source: articles });
    const snapshot = (await readSnapshot(indexDir))!;
    await rm(path.join(snapshot.segments[0]!.dir, 'vectors.f32'));
    const reread = (await readSnapshot(indexDir))!;
    const rows = (s: typeof snapshot) => s.paragraphs.toArray().map(({ articleId, position, text }) => ({ articleId, position, text }));
    expect(rows(reread)).toEqual(rows(snapshot));
    expect(Array.from(reread.vectors)).toEqual(Array.from(snapshot.vectors));
  });

  it('lets one writer at a time, and takes over a lock left by a dead process', async () => {
    await mkdir(indexDir, { recursive: true });
    await writeFile(path.join(indexDir, 'LOCK'), '1\n'); // pid 1 is alive and is not us
    await expect(acquireWriteLock(indexDir)).rejects.toThrow(/Another ingest \(pid 1\)/);
    await writeFile(path.join(indexDir, 'LOCK'), '999999999\n');
    const again = await acquireWriteLock(indexDir);
    expect((await readFile(path.join(indexDir, 'LOCK'), 'utf8')).trim()).toBe(String(process.pid));
    await again();
  });

  it('reads the newest intact generation when the live one is damaged, and the next ingest repairs the index', async () => {
    const embedder = await realEmbedder();
    const article = (id: string): Article =>
      makeArticle({ id, title: `Story ${id}`, source: { location: `https://news.example/${id}` }, rawParagraphs: [`The ${id} closure happened on Monday, officials said.`] });
    await ingestArticles(indexDir, embedder, [article('first')]);
    await ingestArticles(indexDir, embedder, [article('second')]);
    const live = (await readSnapshot(indexDir))!;
    expect(live.recoveredFrom).toBeUndefined();

    await writeFile(path.join(indexDir, 'CURRENT'), 'garbage\u0000../../etc');
    const fromGarbage = (await readSnapshot(indexDir))!;
    expect(fromGarbage.dir).toBe(live.dir);
    expect(fromGarbage.recoveredFrom).toMatch(/CURRENT names .*, not a generation/);

    await writeFile(path.join(indexDir, 'CURRENT'), path.basename(live.dir));
    await writeFile(path.join(live.dir, 'manifest.json'), '{"version":1,"gener');
    const recovered = (await readSnapshot(indexDir))!;
    expect(recovered.dir).not.toBe(live.dir);
    expect([...recovered.manifest.articles.keys()]).toEqual(['first']);
    expect(recovered.recoveredFrom).toMatch(/manifest|JSON/i);

    const repair = await ingestArticles(indexDir, embedder, [article('second')]);
    expect(repair).toMatchObject({ wrote: true, added: 1 });
    expect(repair.repaired).toMatch(/gen-\d{6}/);
    const healed = (await readSnapshot(indexDir))!;
    expect(healed.recoveredFrom).toBeUndefined();
    expect([...healed.manifest.articles.keys()].sort()).toEqual(['first', 'second']);
  });

  it('an engine says in one warning which generation is damaged and which answers, at open and at reload, and keeps answering', async () => {
    const embedder = await realEmbedder();
    await ingest(indexDir, embedder, { source: articles });
    await writeFile(path.join(articles, 'ferry.md'), '---\ntitle: Ferry resumes\n---\n\nThe island ferry resumed its timetable on Monday.');
    await ingest(indexDir, embedder, { source: articles });
    const lines: { level: number; msg: string; damaged?: string; used?: string; problem?: string }[] = [];
    const destination = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(...chunk.toString().trim().split('\n').map((line) => JSON.parse(line)));
        done();
      },
    });
    const log = createLogger('info', { destination });
    const asks = async (engine: Engine) => JSON.stringify(await engine.ask('Who will lead Moscow’s team at the security talks?', { asOf: null }));

    await writeFile(path.join(indexDir, 'CURRENT'), 'gen-000009');
    const engine = await Engine.open(embedder, indexDir, log);
    expect(lines).toEqual([expect.objectContaining({ level: 40, damaged: 'gen-000009', used: 'gen-000002', problem: expect.stringMatching(/^gen-000009: ENOENT/) })]);
    expect(lines[0]!.msg).toMatch(/^index damaged: answering from the newest intact generation/);
    expect(await asks(engine)).toContain('Igor Kostyukov');
    // Read around once, not again on every poll of the watcher.
    expect(await engine.reload()).toBe(false);
    expect(lines).toHaveLength(1);

    // The live generation damaged under a running engine: it switches to the newest intact one, and says so once.
    await writeFile(path.join(indexDir, 'CURRENT'), 'gen-000002');
    expect(await engine.reload()).toBe(false);
    await writeFile(path.join(indexDir, 'gen-000002', 'manifest.json'), '{"version":2,"gener');
    expect(await engine.reload()).toBe(true);
    expect(await engine.reload()).toBe(false);
    expect(lines.slice(1)).toEqual([expect.objectContaining({ level: 40, damaged: 'gen-000002', used: 'gen-000001' })]);
    expect(engine.article('articles/ferry')).toBeUndefined();
    expect(await asks(engine)).toContain('Igor Kostyukov');
    expect(JSON.stringify(lines)).not.toMatch(/token/i);
  });

  it('npm run ask warns about a damaged index and answers; with no intact generation it stops with one line saying to rebuild', async () => {
    await ingest(indexDir, await realEmbedder(), { source: articles });
    await writeFile(path.join(indexDir, 'CURRENT'), 'gen-000009');
    const ask = () =>
      promisify(execFile)(path.resolve('node_modules/.bin/tsx'), ['src/cli/ask.ts', 'Who will lead Moscow’s team at the security talks?'], {
        env: { ...process.env, INDEX_DIR: indexDir, DATA_DIR: 'data', LOG_LEVEL: 'warn', CI: 'true' },
      });
    const answered = await ask();
    expect(answered.stdout).toContain('Igor Kostyukov');
    const warnings = answered.stderr.trim().split('\n').map((line) => JSON.parse(line));
    expect(warnings).toEqual([expect.objectContaining({ level: 40, damaged: 'gen-000009', used: 'gen-000001' })]);

    await writeFile(path.join(indexDir, 'gen-000001', 'manifest.json'), '{"version":2,"gener');
    const failed = await ask().then(
      () => undefined,
      (error: { code: number; stdout: string; stderr: string }) => error,
    );
    expect(failed?.code).toBe(1);
    expect(failed?.stdout).toBe('');
    const lines = failed!.stderr.trim().split('\n');
    expect(lines[0]).toMatch(/^error: The index in .+ is damaged and no earlier generation is intact \(gen-000009: .+; gen-000001: .+\)\.$/);
    expect(lines.slice(1)).toEqual(['Rebuild it: npm run ingest -- --rebuild']);
  });

  it('an engine picks up an index deleted and built again under it, though the new generation has the old name', async () => {
    const embedder = await realEmbedder();
    const article = (id: string, fact: string): Article =>
      makeArticle({ id, title: `Story ${id}`, source: { location: `https://news.example/${id}` }, rawParagraphs: [`${fact} happened on Monday, officials said.`] });
    await ingestArticles(indexDir, embedder, [article('first', 'The harbour closure')]);
    const engine = await Engine.open(embedder, indexDir);
    expect(await engine.reload()).toBe(false);
    await rm(indexDir, { recursive: true, force: true });
    await ingestArticles(indexDir, embedder, [article('second', 'The bridge closure')]);
    expect(path.basename(engine.snapshot.dir)).toBe(path.basename((await readSnapshot(indexDir))!.dir));
    expect(await engine.reload()).toBe(true);
    expect(engine.article('second')?.title).toBe('Story second');
    expect(engine.article('first')).toBeUndefined();
  });

  it('queues writes of one process (two /adds, or /add and a feed poll) so that none is lost', async () => {
    const embedder = await realEmbedder();
    const article = (id: string, fact: string): Article =>
      makeArticle({ id, title: `Story ${id}`, source: { location: `https://news.example/${id}` }, rawParagraphs: [`${fact} happened on Monday, officials said.`, `More on ${fact} followed.`] });
    const reports = await Promise.all(
      ['harbour', 'bridge', 'tunnel', 'ferry'].map((id) => ingestArticles(indexDir, embedder, [article(id, `The ${id} closure`)])),
    );
    expect(reports.map((r) => r.added)).toEqual([1, 1, 1, 1]);
    const snapshot = (await readSnapshot(indexDir))!;
    expect([...snapshot.manifest.articles.keys()].sort()).toEqual(['bridge', 'ferry', 'harbour', 'tunnel']);
    expect(snapshot.paragraphs).toHaveLength(8);
    expect(snapshot.manifest.generation).toBe(4);
    expect((await readdir(indexDir)).filter((f) => f.endsWith('.tmp') || f === 'LOCK')).toEqual([]);
  });
});

/**
 * Bad input, crashes mid-write and hostile questions: ingest reports each problem and loses
 * nothing; a SIGKILL at any moment leaves the index either before or after, and a re-run
 * converges.
 */
import { type ChildProcess, execFile, spawn, spawnSync } from 'node:child_process';
import { chmod, copyFile, cp, mkdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../src/engine.js';
import { UserError } from '../src/errors.js';
import { makeArticle } from '../src/articles/make-article.js';
import { ingest, ingestArticles } from '../src/index/ingest.js';
import { mergeUntilTidy } from '../src/index/merge.js';
import { readSnapshot } from '../src/index/store.js';
import { realEmbedder, SEED_FILE, TEST_MODELS_DIR, tempDir } from './helpers.js';

const run = promisify(execFile);
let root: string;
let cleanup: () => Promise<void>;

beforeAll(async () => {
  ({ dir: root, cleanup } = await tempDir());
  await mkdir(path.join(root, 'data'));
  await symlink(TEST_MODELS_DIR, path.join(root, 'data', 'models'));
});
/** Merge workers still running: killed before the folders they write are removed. */
const mergeWorkers = new Set<ChildProcess>();
afterAll(async () => {
  await Promise.all([...mergeWorkers].map((child) => new Promise((resolve) => child.once('exit', resolve).kill('SIGKILL'))));
  await cleanup();
});

/** A step of the merge crash test that hangs fails it with the step's name, well before the test's own timeout. */
const STEP_MS = 60_000;
function within<T>(ms: number, step: string, promise: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`waited ${ms / 1000} s for ${step}`)), ms)));
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}

/** Runs the ingest CLI as a user would, in its own data folder. */
function ingestCli(args: string[], indexDir: string) {
  return run(process.execPath, ['--import', 'tsx', 'src/cli/ingest.ts', ...args], {
    env: { ...process.env, CI: 'true', LOG_LEVEL: 'warn', DATA_DIR: path.join(root, 'data'), INDEX_DIR: indexDir },
    maxBuffer: 1 << 24,
  }).then(
    (r) => ({ code: 0, ...r }),
    (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, stdout: e.stdout, stderr: e.stderr }),
  );
}

describe('a folder of bad input', () => {
  let corpus: string;
  beforeAll(async () => {
    corpus = path.join(root, 'messy');
    await mkdir(path.join(corpus, 'nested'), { recursive: true });
    await copyFile(SEED_FILE, path.join(corpus, 'seed.txt'));
    await copyFile(SEED_FILE, path.join(corpus, 'the same seed, renamed.txt'));
    await writeFile(path.join(corpus, 'empty.txt'), '');
    await writeFile(path.join(corpus, 'binary.md'), Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00]));
    await writeFile(path.join(corpus, 'latin1.txt'), Buffer.from('Caf\xe9 au lait in the newsroom.', 'latin1'));
    await writeFile(path.join(corpus, 'huge.txt'), Buffer.alloc(50 * 1024 * 1024, 'All work and no play. '));
    await writeFile(path.join(corpus, 'one long paragraph.txt'), `${'The tide rose over the sea wall again. '.repeat(2600)}`);
    await writeFile(
      path.join(corpus, 'scripts.html'),
      `<html><head><title>Storm hits coast</title><style>body{color:red}</style><script>alert("x")</script></head><body><script>document.write("tracker")</script><article><p>${'A storm hit the coast on Sunday, flooding streets in the old town. '.repeat(4)}</p><style>.x{}</style></article></body></html>`,
    );
    await writeFile(path.join(corpus, 'broken.json'), '{"id": "x", "text": ');
    await writeFile(path.join(corpus, 'records.jsonl'), ['{"id":"r1","text":"The mayor opened the new library on Main Street."}', 'not json', '{"id":"r2"}', '{"id":"r3","text":"The ferry resumed service after the strike."}'].join('\n'));
    await writeFile(path.join(corpus, 'nested', 'Zürich – überblick 東京.md'), '# Zürich council votes\n\nThe council in Zürich voted to extend the tram line.');
    await symlink(corpus, path.join(corpus, 'nested', 'loop'));
    await writeFile(path.join(corpus, 'locked.txt'), 'A locked file about the harbour.');
    await chmod(path.join(corpus, 'locked.txt'), 0o000);
    spawnSync('mkfifo', [path.join(corpus, 'pipe.txt')]);
  });

  it('ingests every good article, names each problem with file (and line), keeps duplicates out, and exits 0', async () => {
    const indexDir = path.join(root, 'messy-index');
    const result = await ingestCli(['--dir', corpus], indexDir);
    expect(result.code).toBe(0);
    const out = result.stdout;
    expect(out).toMatch(/^Ingested .*messy: 7 added|^Ingested .*messy: 6 added/);
    const line = (name: string) => out.split('\n').find((l) => l.includes(name)) ?? '';
    expect(line('empty.txt')).toMatch(/empty file/);
    expect(line('binary.md')).toMatch(/binary content/);
    expect(line('latin1.txt')).toMatch(/not valid UTF-8/);
    expect(line('huge.txt')).toMatch(/too large/);
    expect(line('broken.json')).toMatch(/invalid JSON/);
    expect(line('records.jsonl:2')).toMatch(/invalid JSON/);
    expect(line('records.jsonl:3')).toMatch(/field text/);
    expect(out).toMatch(/same article as .*seed/);
    expect(line('pipe.txt')).toMatch(/not a regular file/);
    if (process.getuid?.() !== 0) expect(line('locked.txt')).toMatch(/permission denied/);
    const snapshot = (await readSnapshot(indexDir))!;
    const titles = [...snapshot.manifest.articles.values()].map((a) => a.title);
    expect(titles).toEqual(expect.arrayContaining(['Storm hits coast', 'Zürich council votes']));
    expect(snapshot.paragraphs.toArray().find((p) => p.text.startsWith('The tide rose'))!.text.length).toBeGreaterThan(100_000);
    expect(snapshot.paragraphs.toArray().some((p) => /tracker|alert|color:red/.test(p.text))).toBe(false);
  });

  it('exits non-zero with --strict when anything was skipped', async () => {
    const result = await ingestCli(['--dir', corpus, '--strict'], path.join(root, 'strict-index'));
    expect(result.code).toBe(1);
  });

  it('names a bad option', async () => {
    const result = await ingestCli(['--dri', corpus], path.join(root, 'x-index'));
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/--dri/);
  });
});

describe('questions of every shape', () => {
  it('answers or explains, never crashes', async () => {
    const dir = path.join(root, 'q-articles');
    await mkdir(dir);
    await copyFile(SEED_FILE, path.join(dir, 'seed.txt'));
    const embedder = await realEmbedder();
    await ingest(path.join(root, 'q-index'), embedder, { source: dir });
    const engine = await Engine.open(embedder, path.join(root, 'q-index'));
    const rejected = ['', '   \t\n ', 'x'.repeat(10_000), '😀🎉🔥', '\u200b\u200c\u200d\ufeff'];
    for (const question of rejected) await expect(engine.ask(question)).rejects.toBeInstanceOf(UserError);
    const answered = [
      'من سيقود فريق موسكو؟',
      '```js\nwho leads Moscow’s team?\n```',
      '**Who** _leads_ the [team](https://x.example)?',
      'Who\u200b leads\u200d Moscow’s team at the security talks?',
    ];
    for (const question of answered) expect(['answer', 'refusal']).toContain((await engine.ask(question)).kind);
    const invisible = await engine.ask('Who\u200b leads\u200d Moscow’s team at the security talks?');
    expect(invisible.kind === 'answer' && invisible.passages[0]!.quote.join(' ')).toContain('Kostyukov');
  });
});

describe('crash safety', () => {
  it('releases the lock when ingest is interrupted with SIGTERM', async () => {
    const corpus = path.join(root, 'term-articles');
    const indexDir = path.join(root, 'term-index');
    await mkdir(corpus);
    for (let i = 0; i < 40; i++) await writeFile(path.join(corpus, `t${i}.md`), `# Tide table ${i}\n\n${'High tide came early at the harbour. '.repeat(30)}${i}`);
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/ingest.ts', '--dir', corpus], {
      env: { ...process.env, CI: 'true', LOG_LEVEL: 'silent', DATA_DIR: path.join(root, 'data'), INDEX_DIR: indexDir },
      stdio: 'ignore',
    });
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    await expect.poll(() => readFile(path.join(indexDir, 'LOCK'), 'utf8').then(() => true, () => false), { timeout: 30_000, interval: 20 }).toBe(true);
    child.kill('SIGTERM');
    expect([143, 0]).toContain(await exited);
    await expect(readFile(path.join(indexDir, 'LOCK'), 'utf8')).rejects.toThrow();
  });

  it('survives SIGKILL at random moments: the index is always the state before or after, and a re-run converges', async () => {
    const corpus = path.join(root, 'kill-articles');
    const indexDir = path.join(root, 'kill-index');
    await mkdir(corpus);
    const writeCorpus = async (variant: number) => {
      for (let i = 0; i < 60; i++) {
        const text = Array.from({ length: 25 }, (_, p) => `Report ${i} paragraph ${p} in variant ${variant}: the port authority counted ${i * p + variant} ships.`).join('\n\n');
        await writeFile(path.join(corpus, `a${i}.md`), `---\ntitle: Port report ${i}\n---\n\n${text}`);
      }
    };
    const state = async () => {
      const snapshot = await readSnapshot(indexDir);
      return snapshot ? [...snapshot.manifest.articles.values()].map((a) => a.hash).sort().join(',') : 'none';
    };
    const embedder = await realEmbedder();
    await writeCorpus(0);
    await ingest(indexDir, embedder, { source: corpus });
    let before = await state();
    const states = new Map<number, string>([[0, before]]);
    const spawnIngest = () => {
      const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/ingest.ts', '--dir', corpus], {
        env: { ...process.env, CI: 'true', LOG_LEVEL: 'silent', DATA_DIR: path.join(root, 'data'), INDEX_DIR: indexDir },
        stdio: 'ignore',
      });
      return { child, exited: new Promise((resolve) => child.on('exit', resolve)) };
    };
    // Kill moments are drawn within the time a whole run takes on this machine, so that a round
    // interrupts a run however fast or slow the machine is; a run that ends before its kill (the
    // machine got faster: other test files finished) shortens that time, and rounds go on until
    // 20 kills have landed.
    await writeCorpus(1);
    const startedAt = performance.now();
    await spawnIngest().exited;
    let wholeRunMs = performance.now() - startedAt;
    before = await state();
    states.set(1, before);
    let kills = 0;
    let variant = 1;
    for (let round = 1; kills < 20 && round <= 40; round++) {
      variant = (round + 1) % 2;
      await writeCorpus(variant);
      const spawnedAt = performance.now();
      const { child, exited } = spawnIngest();
      await new Promise((r) => setTimeout(r, wholeRunMs * (0.15 + Math.random() * 0.6)));
      if (child.exitCode === null && child.kill('SIGKILL')) kills += 1;
      await exited;
      if (child.signalCode !== 'SIGKILL') wholeRunMs = Math.min(wholeRunMs, performance.now() - spawnedAt);
      const after = await state();
      // Either untouched, or the complete new state (which we learn once a run completes).
      if (!states.has(variant)) {
        await ingest(indexDir, embedder, { source: corpus });
        states.set(variant, await state());
        await writeCorpus(variant);
      }
      expect([before, states.get(variant)]).toContain(after);
      const engine = await Engine.open(embedder, indexDir);
      expect((await engine.ask('How many ships did the port authority count?')).kind).toBe('answer');
      before = after;
      // Leave the index at the state before the next round's target.
      if (after !== states.get(variant)) {
        await ingest(indexDir, embedder, { source: corpus });
        before = await state();
      }
    }
    expect(kills).toBe(20);
    await ingest(indexDir, embedder, { source: corpus });
    expect(await state()).toBe(states.get(variant));
    const lock = await readFile(path.join(indexDir, 'LOCK'), 'utf8').catch(() => 'released');
    expect(lock).toBe('released');
    await rm(corpus, { recursive: true, force: true });
  }, 300_000);
});

describe('crash safety of merging', () => {
  it('survives SIGKILL during a merge, 20 times: the index always loads with the same content, as the segments before or after', async () => {
    const embedder = await realEmbedder();
    const template = path.join(root, 'merge-template');
    // Eight segments of 400 rows: one tier, merged into one segment of 3,200 rows.
    for (let batch = 0; batch < 8; batch++) {
      const articles = Array.from({ length: 50 }, (_, i) =>
        makeArticle({
          id: `web-b${batch}-a${i}`,
          title: `Harbour report ${batch}-${i}`,
          source: { location: `https://news.example/${batch}/${i}` },
          rawParagraphs: Array.from({ length: 8 }, (_, p) => `Report ${batch}-${i}, paragraph ${p}: the harbour master counted ${batch * 400 + i * 8 + p} ships at anchor.`),
        }),
      );
      await ingestArticles(template, embedder, articles);
    }
    const content = async (indexDir: string) => {
      const snapshot = (await readSnapshot(indexDir))!;
      expect(snapshot.recoveredFrom).toBeUndefined();
      const rows = snapshot.paragraphs.toArray().map((p, row) => `${p.articleId}#${p.position}:${p.text}:${snapshot.vectors[row * 100]}`).sort();
      return { digest: rows.join('\n'), segments: snapshot.segments.length };
    };
    const expected = (await content(template)).digest;
    expect((await content(template)).segments).toBe(8);

    const runMerge = (indexDir: string) => {
      const child = spawn(process.execPath, ['--import', 'tsx', 'tests/merge-worker.ts', indexDir], { env: { ...process.env, LOG_LEVEL: 'silent' }, stdio: ['ignore', 'pipe', 'inherit'] });
      mergeWorkers.add(child);
      let output = '';
      child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
      const ready = new Promise<number>((resolve, reject) => {
        child.stdout.on('data', () => output.includes('ready') && resolve(performance.now()));
        child.on('exit', (code, signal) => reject(new Error(`the merge worker exited (${code ?? signal}) before it was ready; it printed: ${JSON.stringify(output)}`)));
      });
      const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
      void exited.then(() => mergeWorkers.delete(child));
      return { child, ready, exited, output: () => output };
    };
    await cp(template, path.join(root, 'merge-whole'), { recursive: true });
    const whole = runMerge(path.join(root, 'merge-whole'));
    const started = await within(STEP_MS, 'the whole merge to start', whole.ready);
    await within(STEP_MS, 'the whole merge to end', whole.exited);
    const mergeMs = performance.now() - started;
    expect(whole.output()).toMatch(/merged [1-9]/);
    expect(await content(path.join(root, 'merge-whole'))).toEqual({ digest: expected, segments: 1 });

    let midMerge = 0;
    for (let round = 0; round < 40 && midMerge < 20; round++) {
      const indexDir = path.join(root, `merge-kill-${round}`);
      await cp(template, indexDir, { recursive: true });
      const run = runMerge(indexDir);
      await within(STEP_MS, `round ${round}: the merge worker to start`, run.ready);
      await new Promise((resolve) => setTimeout(resolve, Math.random() * mergeMs * 0.9));
      const before = run.output();
      run.child.kill('SIGKILL');
      await within(STEP_MS, `round ${round}: the killed worker to exit`, run.exited);
      if (!before.includes('merged')) midMerge += 1;
      const after = await content(indexDir);
      expect(after.digest).toBe(expected);
      expect([8, 1]).toContain(after.segments);
      const engine = await Engine.open(embedder, indexDir);
      expect((await engine.ask('How many ships did the harbour master count in report 3-7?')).kind).toBe('answer');
      // A later merge (the lock left by the killed process is taken over) converges.
      await within(STEP_MS, `round ${round}: the merge after the kill`, mergeUntilTidy(indexDir));
      expect(await content(indexDir)).toEqual({ digest: expected, segments: 1 });
      await rm(indexDir, { recursive: true, force: true });
    }
    expect(midMerge).toBe(20);
  }, 420_000);
});

describe('article ids from different sources', () => {
  const story = (headline: string, fact: string) => `---\ntitle: ${headline}\ndate: 2026-02-02\n---\n\n${fact}`;

  it('keeps two folders’ news.md apart: ingesting one never replaces, nor removing it removes, the other', async () => {
    const embedder = await realEmbedder();
    const indexDir = path.join(root, 'ids-folders');
    for (const [folder, fact] of [['north', 'The northern ferry resumed service on Monday after a strike.'], ['south', 'The southern tram line closed on Tuesday for track repairs.']] as const) {
      await mkdir(path.join(root, 'ids', folder), { recursive: true });
      await writeFile(path.join(root, 'ids', folder, 'news.md'), story(`${folder} news`, fact));
      await ingest(indexDir, embedder, { source: path.join(root, 'ids', folder) });
    }
    const both = (await readSnapshot(indexDir))!;
    expect([...both.manifest.articles.keys()].sort()).toEqual(['north/news', 'south/news']);

    await rm(path.join(root, 'ids', 'north', 'news.md'));
    const report = await ingest(indexDir, embedder, { source: path.join(root, 'ids', 'north') });
    expect(report.removed).toBe(1);
    const engine = await Engine.open(embedder, indexDir);
    expect([...engine.snapshot.manifest.articles.keys()]).toEqual(['south/news']);
    expect((await engine.ask('Why did the tram line close?')).kind).toBe('answer');
  });

  it('a record cannot claim another file’s article, and an id like __proto__ is an article like any other', async () => {
    const embedder = await realEmbedder();
    const indexDir = path.join(root, 'ids-records');
    const folder = path.join(root, 'ids-records-src');
    await mkdir(folder, { recursive: true });
    await writeFile(path.join(folder, 'bridge.md'), story('Bridge reopens', 'The old bridge reopened on Friday after two years of repairs.'));
    await writeFile(
      path.join(folder, 'wire.jsonl'),
      [
        JSON.stringify({ id: 'bridge', title: 'Impostor', text: 'The bridge collapsed into the river on Friday.' }),
        JSON.stringify({ id: 'ids-records-src/bridge', title: 'Impostor', text: 'The bridge was sold to a private buyer on Friday.' }),
        JSON.stringify({ id: '__proto__', title: 'Lighthouse restored', text: 'The lighthouse on the cape was restored by volunteers last spring.' }),
      ].join('\n'),
    );
    await writeFile(path.join(folder, 'proto.md'), '---\nid: __proto__\ntitle: Orchard harvest\n---\n\nThe apple orchard harvest doubled this autumn, growers said.');
    const report = await ingest(indexDir, embedder, { source: folder });
    expect(report.problems).toEqual([]);

    const engine = await Engine.open(embedder, indexDir);
    const articles = engine.snapshot.manifest.articles;
    expect(articles.get('ids-records-src/bridge')?.title).toBe('Bridge reopens');
    expect(articles.size).toBe(5);
    const proto = await engine.ask('Who restored the lighthouse?');
    expect(proto.kind === 'answer' && proto.passages[0]!.citation.title).toBe('Lighthouse restored');
    const orchard = await engine.ask('How did the orchard harvest do?');
    expect(orchard.kind === 'answer' && orchard.passages[0]!.citation.title).toBe('Orchard harvest');
    expect(JSON.parse(await readFile(path.join(engine.snapshot.dir, 'manifest.json'), 'utf8')).articles).toHaveProperty(['ids-records-src/wire#__proto__']);
  });

  it('an article whose id another existing file holds is reported, not stored over it', async () => {
    const embedder = await realEmbedder();
    const indexDir = path.join(root, 'ids-roots');
    for (const parent of ['x', 'y']) {
      await mkdir(path.join(root, 'ids-roots-src', parent, 'desk'), { recursive: true });
      await writeFile(path.join(root, 'ids-roots-src', parent, 'desk', 'story.md'), story(`Story from ${parent}`, `The ${parent} desk reported a flood warning on Sunday.`));
    }
    await ingest(indexDir, embedder, { source: path.join(root, 'ids-roots-src', 'x', 'desk') });
    const second = await ingest(indexDir, embedder, { source: path.join(root, 'ids-roots-src', 'y', 'desk') });
    expect(second.problems).toEqual([{ location: expect.stringMatching(/y\/desk\/story\.md$/), reason: expect.stringMatching(/its id "desk\/story" belongs to .*x\/desk\/story\.md/) }]);
    expect((await readSnapshot(indexDir))!.manifest.articles.get('desk/story')?.title).toBe('Story from x');
  });
});

/** Whether this machine lets a test mount a small tmpfs in a user namespace, to fill a disk for real. */
const canFillADisk = spawnSync('unshare', ['-rm', 'sh', '-c', 'mount -t tmpfs -o size=64k tmpfs /mnt']).status === 0;

describe('a full disk', () => {
  it.runIf(canFillADisk)('is one clear line, leaves the live index answering, and leaves no staging folder behind', async () => {
    const dir = path.join(root, 'full-disk');
    for (const sub of ['small', 'big', 'index']) await mkdir(path.join(dir, sub), { recursive: true });
    await copyFile(SEED_FILE, path.join(dir, 'small', 'seed.txt'));
    for (let i = 1; i <= 60; i++) {
      const text = `The harbour board number ${i} met on Monday to discuss the dredging plan for the port, officials said.\n\nFerries were delayed for hours on the northern coast, story ${i} adds.`;
      await writeFile(path.join(dir, 'big', `s${i}.md`), `---\ntitle: Story ${i}\n---\n\n${text}\n`);
    }
    const cli = (script: string, args: string[]) => `node --import tsx src/cli/${script}.ts ${args.map((a) => `'${a}'`).join(' ')}`;
    // One shell in its own mount namespace: the 300 KB disk exists only for it.
    const script = [
      `mount -t tmpfs -o size=300k tmpfs '${dir}/index' || exit 90`,
      `${cli('ingest', ['--dir', `${dir}/small`])}; echo "first=$?"`,
      `${cli('ingest', ['--dir', `${dir}/big`])}; echo "second=$?"`,
      `${cli('ask', ['Who will head Moscow’s team?'])}; echo "ask=$?"`,
      `ls '${dir}/index' '${dir}/index/segments'`,
    ].join('\n');
    const result = spawnSync('unshare', ['-rm', 'sh', '-c', script], {
      encoding: 'utf8',
      env: { ...process.env, CI: 'true', LOG_LEVEL: 'warn', DATA_DIR: path.join(root, 'data'), INDEX_DIR: path.join(dir, 'index') },
    });
    expect(result.stdout).toMatch(/first=0/);
    expect(result.stdout).toMatch(/second=1/);
    expect(result.stderr.trim().split('\n'), result.stderr).toEqual([
      `error: The disk holding ${path.join(dir, 'index')} is full: the new articles were not stored, and the index is as it was.`,
      'Free some space and run the ingest again.',
    ]);
    expect(result.stdout).toMatch(/Answer: Igor Kostyukov[\s\S]*ask=0/);
    expect(result.stdout.slice(result.stdout.indexOf('ask=0')).split('\n').slice(1).filter(Boolean)).toEqual([`${dir}/index:`, 'CURRENT', 'gen-000001', 'segments', `${dir}/index/segments:`, 'seg-000001']);
  }, 60_000);
});

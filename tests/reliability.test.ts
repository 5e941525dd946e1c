/**
 * Bad input, crashes mid-write and hostile questions: ingest reports each problem and loses
 * nothing; a SIGKILL at any moment leaves the index either before or after, and a re-run
 * converges.
 */
import { execFile, spawn, spawnSync } from 'node:child_process';
import { chmod, copyFile, mkdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../src/engine.js';
import { UserError } from '../src/errors.js';
import { ingest } from '../src/index/ingest.js';
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
afterAll(() => cleanup());

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
    const titles = Object.values(snapshot.manifest.articles).map((a) => a.title);
    expect(titles).toEqual(expect.arrayContaining(['Storm hits coast', 'Zürich council votes']));
    expect(snapshot.paragraphs.find((p) => p.text.startsWith('The tide rose'))!.text.length).toBeGreaterThan(100_000);
    expect(snapshot.paragraphs.some((p) => /tracker|alert|color:red/.test(p.text))).toBe(false);
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
      return snapshot ? Object.values(snapshot.manifest.articles).map((a) => a.hash).sort().join(',') : 'none';
    };
    const embedder = await realEmbedder();
    await writeCorpus(0);
    await ingest(indexDir, embedder, { source: corpus });
    let before = await state();
    const states = new Map<number, string>([[0, before]]);
    let kills = 0;
    for (let round = 1; round <= 22; round++) {
      const variant = round % 2;
      await writeCorpus(variant);
      const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/ingest.ts', '--dir', corpus], {
        env: { ...process.env, CI: 'true', LOG_LEVEL: 'silent', DATA_DIR: path.join(root, 'data'), INDEX_DIR: indexDir },
        stdio: 'ignore',
      });
      const exited = new Promise((resolve) => child.on('exit', resolve));
      await new Promise((r) => setTimeout(r, 700 + Math.random() * 1500));
      if (child.kill('SIGKILL')) kills += 1;
      await exited;
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
    expect(kills).toBeGreaterThanOrEqual(20);
    await ingest(indexDir, embedder, { source: corpus });
    expect(await state()).toBe(states.get(22 % 2));
    const lock = await readFile(path.join(indexDir, 'LOCK'), 'utf8').catch(() => 'released');
    expect(lock).toBe('released');
    await rm(corpus, { recursive: true, force: true });
  }, 240_000);
});

import { execFile } from 'node:child_process';
import { copyFile, mkdir } from 'node:fs/promises';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { promisify } from 'node:util';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runConsole } from '../src/console/repl.js';
import { Engine } from '../src/engine.js';
import { cleanQuestion } from '../src/answers/question.js';
import { UserError } from '../src/errors.js';
import { ingest } from '../src/index/ingest.js';
import { renderAnswerText } from '../src/console/render.js';
import { realEmbedder, SEED_FILE, tempDir } from './helpers.js';

let engine: Engine;
let root: string;
let cleanup: () => Promise<void>;

beforeAll(async () => {
  ({ dir: root, cleanup } = await tempDir());
  await mkdir(path.join(root, 'seeds'));
  await copyFile(SEED_FILE, path.join(root, 'seeds', path.basename(SEED_FILE)));
  const embedder = await realEmbedder();
  await ingest(path.join(root, 'index'), embedder, { source: path.join(root, 'seeds') });
  engine = await Engine.open(embedder, path.join(root, 'index'));
});
afterAll(() => cleanup());

describe('answers on the seed article', () => {
  it('answers who leads Moscow’s team at the security talks with the passage that names him', async () => {
    const answer = await engine.ask('Who will lead Moscow’s team at the security talks?');
    expect(answer.kind).toBe('answer');
    if (answer.kind !== 'answer') return;
    const [first] = answer.passages;
    expect(first!.quote.join(' ')).toContain('Russian Admiral Igor Kostyukov would head Moscow’s team');
    expect(first!.paragraph).toContain(first!.quote[0]);
    expect(first!.citation).toMatchObject({
      title: 'Russia said it will hold security talks with the US and Ukraine in Abu Dhabi on Jan 23',
      outlet: 'The Straits Times',
      agency: 'Reuters',
      date: '2026-01-23',
      reference: expect.stringMatching(/000_82d2434843c5b133\.txt$/),
    });
    expect(first!.citation.url).toBeUndefined();
  });

  it('quotes sentences exactly as the article writes them', async () => {
    const answer = await engine.ask('What did Ushakov say about the territorial issue and Anchorage?');
    if (answer.kind !== 'answer') throw new Error('expected an answer');
    for (const passage of answer.passages) for (const sentence of passage.quote) expect(passage.paragraph).toContain(sentence);
    expect(answer.passages[0]!.quote.join(' ')).toContain('formula agreed upon in Anchorage');
  });

  it('answers short everyday questions on the one article a new install has, never refusing them', async () => {
    for (const question of ['so which city hosts the talks', 'what time did the putin sitdown kick off?', 'where are the talks happening', 'Which city will host the talks?']) {
      expect((await engine.ask(question)).kind, question).toBe('answer');
    }
    const city = await engine.ask('Which city will host the talks?');
    expect(city.kind === 'answer' && city.passages.some((p) => p.quote.join(' ').includes('Abu Dhabi'))).toBe(true);
  });

  it('refuses plainly when the articles do not cover the question', async () => {
    const answer = await engine.ask('What is the best recipe for banana bread?');
    expect(answer).toMatchObject({ kind: 'refusal', message: expect.stringMatching(/do not cover/) });
  });

  it('rejects empty, over-long and wordless questions with a clear message', async () => {
    await expect(engine.ask('   \u200b ')).rejects.toThrow(UserError);
    await expect(engine.ask('why '.repeat(100))).rejects.toThrow(/too long \(\d+ characters; at most 300\)/);
    await expect(engine.ask('🙂🙂🙂')).rejects.toThrow(/no letters or digits/);
    await expect(engine.ask('@everyone <@123456789012345678> <#223456789012345678>')).rejects.toThrow(/no letters or digits/);
  });

  it('drops invisible and bidirectional control characters, isolates included, before echoing a question', () => {
    expect(cleanQuestion('who \u2066leads\u2069 the \u202eteam\u202c?\u200b')).toBe('who leads the team?');
  });

  it('renders the answer for the terminal with quotes and the file reference', async () => {
    const text = renderAnswerText(await engine.ask('Who will lead Moscow’s team at the security talks?', { results: 1 }));
    expect(text).toMatch(/^Answer: Igor Kostyukov\n\n1\. Russia said it will hold security talks .* — The Straits Times \(Reuters\) · 23 Jan 2026/);
    expect(text).toContain('   > He said Russian Admiral Igor Kostyukov');
    expect(text).toMatch(/Source: .*000_82d2434843c5b133\.txt \(paragraph 3\)/);
    expect(text).toContain('More passages: /more');
  });
});

describe('the console', () => {
  it('answers /ask, pages with /more, shows help, and ends at end of input', async () => {
    const input = new PassThrough();
    const output = new PassThrough();
    let printed = '';
    output.on('data', (chunk) => (printed += chunk));
    const done = runConsole(engine, pino({ level: 'silent' }), { results: 1, input, output });
    input.end(['help', '/ask Who will lead Moscow’s team at the security talks?', '/more', '/summary --sentences 3', '/summary --sentences 12', '/nope', ''].join('\n'));
    await done;
    expect(printed).toContain('/ask <question>');
    expect(printed).toContain('> He said Russian Admiral Igor Kostyukov');
    expect(printed).toMatch(/\n2\. Russia said/);
    expect(printed).toMatch(/Summary of Russia said .*\n   > MOSCOW – Russia said/);
    expect(printed).toContain('--sentences must be a whole number from 3 to 7.');
    expect(printed).toContain('Unknown command /nope');
  });

  it('ends cleanly when its input ends while a slow command is still running, prompt and all', async () => {
    const input = new PassThrough();
    const output = new PassThrough();
    let printed = '';
    output.on('data', (chunk) => (printed += chunk));
    const done = runConsole(engine, pino({ level: 'silent' }), { results: 1, input, output, prompt: true });
    // The summary embeds every sentence of the article: still running when the input has ended.
    input.end('/summary --sentences 7\n');
    await expect(done).resolves.toBeUndefined();
    expect(printed).toMatch(/^Ask about \d+ articles?\. Type "help" for commands\.\n> Summary of /);
  });
});

describe('npm run ask', () => {
  const run = promisify(execFile);
  const env = { ...process.env, INDEX_DIR: '', DATA_DIR: 'data', LOG_LEVEL: 'silent' };

  it('prints the answer and exits 0, and a refusal also exits 0', async () => {
    const cli = path.resolve('node_modules/.bin/tsx');
    const withIndex = { ...env, INDEX_DIR: path.join(root, 'index') };
    const answered = await run(cli, ['src/cli/ask.ts', 'Who will lead Moscow’s team at the security talks?'], { env: withIndex });
    expect(answered.stdout).toContain('Igor Kostyukov');
    const refused = await run(cli, ['src/cli/ask.ts', 'banana bread recipe'], { env: withIndex });
    expect(refused.stdout).toMatch(/do not cover/);
  });
});

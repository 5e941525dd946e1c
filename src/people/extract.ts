/**
 * People in one article: who is named, the roles the article gives them (title and appositive
 * patterns), and their own quoted words.
 *
 * Names are found with compromise's lexicon of first names plus the conventions of news prose
 * (honorifics, titles, role nouns, speech verbs) rather than with its full tagger: tagging every
 * sentence cost 2.2 ms a paragraph, ten times the embedding, and found the same people on the
 * seed and on the dev articles.
 */
import { WORD_MODEL } from '../articles/lexicon.js';
import { splitSentences } from '../articles/sentences.js';
import { bareName, surname, TITLE_WORDS } from './names.js';

export { bareName, surname };

export interface RoleStatement {
  role: string;
  /** The sentence that states it, exactly as written. */
  sentence: string;
}

export interface Quotation {
  /** The sentence (or paragraph) holding the quotation, exactly as written. */
  text: string;
}

/** One person as one article names them; `name` is the fullest form the article uses. */
/** The people of each article, by article id: what an index generation stores in `people.json`. */
export type PeopleByArticle = Map<string, ArticlePerson[]>;

export interface ArticlePerson {
  name: string;
  mentions: number;
  roles: RoleStatement[];
  quotes: Quotation[];
}

const NOT_NAMES = /^(?:January|February|March|April|May|June|July|August|September|October|November|December|Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday|President|Senator|Governor|Minister|Mayor|Judge|King|Queen|Prince|God)$/;
const ROLE_NOUNS =
  'president|vice president|prime minister|minister|premier|chancellor|aide|envoy|special envoy|admiral|general|adviser|advisor|spokesman|spokeswoman|spokesperson|secretary|director|chief|chief executive|ceo|chairman|chairwoman|chair|senator|governor|mayor|leader|son-in-law|daughter-in-law|son|daughter|wife|husband|official|ambassador|commander|judge|king|queen|prince|executive|founder|coach|striker|actor|actress|singer|author|analyst|professor|economist|lawmaker|negotiator|producer|director|host|star';
/** Either case for the first letter: "President" and "president". */
const ROLE_NOUN_PATTERN = ROLE_NOUNS.split('|')
  .map((noun) => `[${noun[0]!.toUpperCase()}${noun[0]}]${noun.slice(1).replace(/\./g, '\\.')}`)
  .join('|');
/** "Kremlin aide", "Russian President", "Mr Trump’s son-in-law", "investment envoy" right before a name. */
const ROLE_BEFORE = new RegExp(`((?:[A-Z][\\w.-]*(?:['’]s)?\\s){0,3}(?:[a-z][\\w-]*\\s)?(?:${ROLE_NOUN_PATTERN}))\\s+(?:(?:Mr|Mrs|Ms|Dr)\\.?\\s+)?$`);
const APPOSITIVE = /^,\s+((?:the|a|an|his|her|their)\s+[^,.;:“”"]+?)(?:,|\.|;|$)/;
const APPOINTED_AS = /^,?\s+(?:(?:newly|recently|who was|who is|was|is|has been)\s+)?(?:appointed|named|elected|chosen|selected|nominated|hired|installed|sworn in|serving|serves|served|working|works|worked)\b[^,.;]*?\bas\s+((?:a|an|the)\s+[^,.;“”"]+?)(?:,|\.|;|$)/;
const ABBREVIATED_TITLES: Record<string, string> = { 'Gov.': 'Governor', 'Sen.': 'Senator', 'Rep.': 'Representative', 'Gen.': 'General' };
const QUOTE = /[“"]([^”"]{12,})[”"]/;
const SPEECH_VERBS = '(?:said|says|told|added|wrote|stated|declared|insisted|warned)';
const PRONOUN_SPEAKER = new RegExp(`(?:^|[,”"]\\s*|\\b)(?:he|she)\\s+${SPEECH_VERBS}\\b|^(?:He|She)\\s+${SPEECH_VERBS}\\b`, 'i');

const LEXICON = WORD_MODEL.one.lexicon as Record<string, string>;
const FIRST_NAME_TAGS = new Set(['MaleName', 'FemaleName', 'FirstName']);
/** Capitalised words in a row ("Russian President Vladimir Putin", "Mr Steve Witkoff", "Gov. Gavin Newsom"). */
const CAPITALISED_RUN = /[A-Z][\p{L}'’-]*\.?(?:\s+(?:[A-Z][\p{L}'’-]*\.?|(?:de|da|van|von|bin|al|di|le|la|del)(?=\s+[A-Z])))*/gu;
const HONORIFIC_WORD = /^(?:Mr|Mrs|Ms|Miss|Dr|Prof|Sir|Dame|Lord|Lady)\.?$/;
const ROLE_RIGHT_BEFORE = new RegExp(`\\b(?:${ROLE_NOUN_PATTERN})\\s+$`);
const SPEAKS_AFTER = new RegExp(`^\\s+${SPEECH_VERBS}\\b`);
const SPEAKS_BEFORE = new RegExp(`\\b${SPEECH_VERBS}\\s+$`);

const isFirstName = (word: string) => FIRST_NAME_TAGS.has(LEXICON[word.toLowerCase()] ?? '');
const PLACE_TAGS = /City|Country|Region|Place|Organization|Month|WeekDay/;
/** "Abu Dhabi" starts with a first name but is a city; "in Santa Clara" is a place whatever its words. */
const INSTITUTION_WORD =
  /^(?:House|Department|Ministry|Office|Council|Court|Committee|Party|Company|Inc|Corp|Group|University|College|School|Hospital|Agency|Service|Police|Government|Army|Navy|News|Times|Post|Center|Centre|Bank|Fund|Board|Union|Association|Institute|Foundation|Administration|Commission|Senate|Congress|Parliament|Archives|Images|Press|Airlines|Street|Avenue|Park|Square|Bridge|Island|River|Mountain|County|State|City)\.?$/;
const isPlaceOrThing = (words: string[], before: string) =>
  PLACE_TAGS.test(String(LEXICON[words.join(' ').toLowerCase()] ?? '')) ||
  /\b(?:in|at|from|near|to|of)\s+$/.test(before) ||
  words.some((w) => INSTITUTION_WORD.test(w));
const isTitleWord = (word: string) => TITLE_WORDS.test(`${word} `);

/**
 * The mentions of people in a sentence, as written (with their honorific or title): a first name
 * followed by a surname, an honorific or title before a name, or a two- or three-word name right
 * after a role noun ("his son Hunter Biden"), before or after a speech verb, or as an appositive.
 */
export function findPeople(sentence: string): string[] {
  const found: string[] = [];
  for (const match of sentence.matchAll(CAPITALISED_RUN)) {
    const words = match[0].split(/\s+/);
    const start = words.findIndex((w) => HONORIFIC_WORD.test(w) || isTitleWord(w) || isFirstName(w.replace(/[.’']s?$/, '')));
    const before = sentence.slice(0, match.index);
    const after = sentence.slice(match.index + match[0].length);
    if (start >= 0) {
      const mention = words.slice(start).join(' ');
      const name = bareName(mention).split(/\s+/).filter(Boolean);
      const prefixed = mention !== name.join(' ') && name.length >= 1;
      if ((prefixed && !name.some((w) => INSTITUTION_WORD.test(w))) || (name.length >= 2 && name.length <= 4 && !isPlaceOrThing(name, before))) {
        found.push(mention);
        continue;
      }
    }
    const inContext = ROLE_RIGHT_BEFORE.test(before) || SPEAKS_AFTER.test(after) || SPEAKS_BEFORE.test(before) || APPOSITIVE.test(after);
    if (words.length >= 2 && words.length <= 3 && inContext && !isPlaceOrThing(words, before)) found.push(match[0]);
    else if (words.length === 1 && LEXICON[words[0]!.replace(/[.’']s?$/, '').toLowerCase()] === 'LastName') found.push(match[0]);
  }
  return found;
}

/** Proper names only: each word capitalised, at most four words. */
function isPersonName(name: string): boolean {
  const parts = name.split(/\s+/);
  return (
    parts.length >= 1 &&
    parts.length <= 4 &&
    parts.every((p) => /^[A-Z][\p{L}'’.-]*$/u.test(p) && !/^[A-Z]{3,}$/.test(p)) &&
    !/^(?:He|She|They|The)$/.test(name)
  );
}

export function extractPeople(paragraphs: string[]): ArticlePerson[] {
  const people = new Map<string, ArticlePerson>();
  /** One-word names seen with an honorific or title ("Mr Ushakov"): a bare "April" or "Wendy’s" is not a person. */
  const titled = new Set<string>();
  let lastSpeaker: string | undefined;
  const person = (name: string) => {
    let entry = people.get(name);
    if (!entry) people.set(name, (entry = { name, mentions: 0, roles: [], quotes: [] }));
    return entry;
  };

  for (const paragraph of paragraphs) {
    for (const { text: sentence } of splitSentences(paragraph)) {
      const found = findPeople(sentence).map((raw) => ({ raw: raw.replace(/[.,;:]+$/, ''), name: bareName(raw) }));
      const named: string[] = [];
      for (const { raw, name } of found) {
        if (!isPersonName(name) || NOT_NAMES.test(name)) continue;
        if (raw.replace(/[’']s$/, '') !== name) titled.add(name);
        const entry = person(name);
        entry.mentions += 1;
        named.push(name);
        const at = sentence.indexOf(raw);
        if (at < 0) continue;
        const before = sentence.slice(0, at) + raw.slice(0, raw.length - name.length - (raw.endsWith('’s') ? 2 : 0));
        const after = sentence.slice(at + raw.length);
        const roles = [before.match(ROLE_BEFORE)?.[1], after.match(APPOSITIVE)?.[1], after.match(APPOINTED_AS)?.[1]];
        const matchedTitle = raw.match(TITLE_WORDS)?.[0]?.trim();
        const title = matchedTitle && (ABBREVIATED_TITLES[matchedTitle] ?? matchedTitle);
        for (const role of [title && !before.match(ROLE_BEFORE) ? title : undefined, ...roles]) {
          const clean = role?.trim().replace(/\s+/g, ' ');
          if (clean && clean.length <= 80 && !/^(?:his|her|their|its)\b/i.test(clean) && !entry.roles.some((r) => r.role.toLowerCase() === clean.toLowerCase())) {
            entry.roles.push({ role: clean, sentence });
          }
        }
        if (speaksIn(sentence, name)) lastSpeaker = name;
      }
      if (QUOTE.test(sentence) || /[“"]/.test(sentence)) {
        const speaker = speakerOf(sentence, named, lastSpeaker);
        if (speaker && QUOTE.test(paragraph)) {
          const entry = person(speaker);
          if (!entry.quotes.some((q) => q.text === paragraph)) entry.quotes.push({ text: paragraph });
          lastSpeaker = speaker;
        }
      }
    }
  }
  const surnames = new Set([...people.keys()].filter((n) => n.includes(' ')).map(surname));
  return [...people.values()].filter((p) => p.name.includes(' ') || titled.has(p.name) || p.roles.length > 0 || surnames.has(surname(p.name)));
}

function speakerOf(sentence: string, named: string[], lastSpeaker: string | undefined): string | undefined {
  for (const name of named) if (speaksIn(sentence, name)) return name;
  return PRONOUN_SPEAKER.test(sentence) ? lastSpeaker : undefined;
}

/** "Ushakov told reporters", "Mr Ushakov said", or "…,” said Mr Ushakov." — not "said Kostyukov would". */
function speaksIn(sentence: string, name: string): boolean {
  const last = escape(name.split(' ').at(-1)!);
  return new RegExp(`${last}\\s+${SPEECH_VERBS}\\b|${SPEECH_VERBS}\\s+(?:(?:Mr|Mrs|Ms|Dr)\\.?\\s+)?(?:[A-Z]\\w+\\s+)?${last}\\s*(?:[,.;]|$)`).test(sentence);
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * Merges the variants of one person: a surname alone ("Putin", from "Mr Putin") joins the fuller
 * name with that surname ("Vladimir Putin"). When two people of the article share the surname,
 * news style keeps the bare surname for the one introduced first ("President Joe Biden … Mr
 * Biden said … his son Hunter Biden").
 */
export function mergeAliases(people: ArticlePerson[]): ArticlePerson[] {
  const full = people.filter((p) => p.name.includes(' '));
  const merged = new Map(full.map((p) => [p.name, { ...p, roles: [...p.roles], quotes: [...p.quotes] }]));
  const rest: ArticlePerson[] = [];
  for (const person of people.filter((p) => !p.name.includes(' '))) {
    const first = full.find((f) => surname(f.name) === surname(person.name));
    const target = first ? merged.get(first.name)! : undefined;
    if (!target) {
      rest.push(person);
      continue;
    }
    target.mentions += person.mentions;
    for (const role of person.roles) if (!target.roles.some((r) => r.role === role.role)) target.roles.push(role);
    for (const quote of person.quotes) if (!target.quotes.some((q) => q.text === quote.text)) target.quotes.push(quote);
  }
  return [...merged.values(), ...rest];
}

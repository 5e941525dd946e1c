/**
 * What kind of answer a question asks for, read from its asking clause: the wh-word and the noun
 * it asks about ("which city", "what's the new minimum wage", "how many"). Questions come typed
 * casually — lower case, typos, no question mark, "so", "wait", "anyone know" in front — and quiz
 * questions carry a preamble, so the clause is the last sentence with a wh-word in it.
 */
import { WORD_MODEL } from '../articles/lexicon.js';
import type { SpanType } from '../articles/spans.js';

export type AnswerType = SpanType | 'none';

const words = (list: string) => new Set(list.split(' '));
const LEXICON = WORD_MODEL.one.lexicon;
const tagOf = (word: string) => String(LEXICON[word] ?? '');

const WH_WORDS = words('who whom whose what which where when why how');
const SPELLINGS: Record<string, string[]> = {
  "what's": ['what', 'is'], whats: ['what', 'is'], wats: ['what', 'is'], "who's": ['who', 'is'], whos: ['who', 'is'],
  "where's": ['where', 'is'], wheres: ['where', 'is'], "when's": ['when', 'is'], whens: ['when', 'is'], "how's": ['how', 'is'], hows: ['how', 'is'],
  "what're": ['what', 'are'], "who're": ['who', 'are'], "what'd": ['what', 'did'], "who'd": ['who', 'did'],
  "where'd": ['where', 'did'], "when'd": ['when', 'did'], "how'd": ['how', 'did'], "why'd": ['why', 'did'],
  wich: ['which'], whcih: ['which'], wihch: ['which'], wat: ['what'], wht: ['what'], waht: ['what'], whta: ['what'],
  whn: ['when'], wehn: ['when'], wher: ['where'], whre: ['where'], wheer: ['where'], hwo: ['how'], howmany: ['how', 'many'], howmuch: ['how', 'much'],
};
const AUXILIARIES = words("is are was were am be do does did will would can could should has have had may might must isn't aren't wasn't weren't doesn't didn't won't can't");
const COPULAS = words('is are was were');
/** "does anyone know who…", "can you tell me when…": the wh-clause is still the question. */
const EMBEDDING_VERBS = words('know tell remember wonder idea sure say find');
const FILLERS = words('so wait ok okay but and hey um uh also anyone anybody lol btw yo like quick question hmm actually then well oh please pls');
const HOW_NUMBER = words('many much long old far big tall fast often high strong large deep heavy wide small hot cold expensive cheap late early');
const NUMBER_VERBS = words('cost costs pay paid earn earned make made charge charged weigh weighs sell sold fetch fetched score scored raise raised');
const NAMING_VERBS = words('called call calling named name naming nicknamed dubbed');
const SKIPPED = words('of the a an following kind kinds sort sorts type types');
const DETERMINERS = words('the a an his her its their this that these those our your my');
const STOPPERS = words('in on at for from to with by about after before during into than as of over under against since until near');

const PERSON_NOUNS = words(
  'person man woman guy girl boy lady gentleman dude kid teen teenager child baby individual people relative son daughter wife husband father mother dad mom brother sister cousin uncle aunt grandson granddaughter friend partner rival successor predecessor nominee candidate member lawmaker legislator congressman congresswoman senator rep representative governor mayor president vp minister pm premier chancellor king queen prince princess emperor pope monarch dictator leader chief head boss ceo cfo coo cto founder cofounder co-founder owner chairman chairwoman chair executive exec director manager coach gm commissioner official officer spokesperson spokesman spokeswoman aide adviser advisor envoy ambassador diplomat negotiator secretary general admiral commander soldier judge justice attorney lawyer prosecutor suspect victim witness shooter gunman killer attacker hostage defendant plaintiff actor actress singer musician rapper artist author writer producer host anchor presenter journalist reporter editor photographer star player athlete champion winner economist analyst expert scientist researcher professor doctor physician nurse teacher student worker employee staffer driver passenger pilot astronaut billionaire millionaire investor buyer seller bidder donor heir heiress influencer comedian dancer golfer quarterback qb pitcher goalie striker winger defenseman wrestler boxer swimmer skater gymnast celebrity',
);
const PLACE_NOUNS = words(
  'city country state town place island region venue county province village nation continent neighborhood neighbourhood area district location park airport stadium arena capital territory destination address street site port harbor lake river mountain beach coast sea ocean border prison',
);
const DATE_NOUNS = words('day date year month time week weekend hour decade century night deadline');
const NUMBER_NOUNS = words(
  'percentage percent price cost amount number rate age score total salary wage population temperature speed rent average worth income limit budget revenue sales profit fee fare tax debt distance height weight length duration size margin odds count tally record figure toll attendance capacity value spot rank ranking inflation gdp payment payout ratio turnout containment level deficit valuation bonus hours minutes days years dollars',
);
const NAME_NOUNS = words(
  'name show company team brand band film movie app law bill group organisation organization party agency network airline drug vaccine game song album book model car product charity plant system channel website platform school university college store chain restaurant hotel ship rocket robot sauce dish item sandwich dinosaur species animal breed virus disease variant storm hurricane event award prize title trophy tournament league club firm bank newspaper magazine outlet publication studio label series episode character program programme policy act treaty operation mission project feature service software device phone vehicle truck suv automaker carmaker manufacturer retailer business startup genre franchise sequel musical play opera novel measure technology weapon missile aircraft plane jet satellite spacecraft telescope currency coin stock index exchange union committee council court department ministry government nickname word term phrase slogan hashtag menu flavor flavour drink food dessert treat account',
);
const CATEGORIES: [Set<string>, AnswerType][] = [
  [NUMBER_NOUNS, 'number'],
  [DATE_NOUNS, 'date'],
  [PERSON_NOUNS, 'person'],
  [PLACE_NOUNS, 'place'],
  [NAME_NOUNS, 'name'],
];

/** What kind of answer a question asks for, from its asking clause. */
export function answerType(question: string): AnswerType {
  const clause = askingClause(question);
  let start = 0;
  while (start < clause.length - 1 && FILLERS.has(clause[start]!)) start++;
  const at = askingWord(clause);
  if (at < 0) return AUXILIARIES.has(clause[start] ?? '') ? 'none' : fragmentType(clause.slice(start));
  const yesNo = at > start && AUXILIARIES.has(clause[start]!) && !clause.slice(start, at).some((word) => EMBEDDING_VERBS.has(word));
  if (yesNo) return 'none';
  // "olivia newton-john's age when she passed?": "when" opens a clause about the noun before it, which is asked for.
  const before = at > start ? nounType(clause[at - 1]!.replace(/'s?$/, '')) : 'none';
  if (before !== 'none' && at < clause.length - 1 && (clause[at] === 'when' || clause[at] === 'where')) return before;
  return typeAfterWh(clause[at]!, clause.slice(at + 1));
}

/**
 * What a question without a wh-word asks for: a number when it names a quantity ("squid game
 * watch hours in the first month?"), else what its head noun names, the last word before any
 * preposition ("squid game release date?", "strike date for ups workers", "teamsters boss name?").
 */
function fragmentType(clause: string[]): AnswerType {
  if (clause.some((word) => nounType(word) === 'number')) return 'number';
  const end = clause.findIndex((word) => STOPPERS.has(word));
  const phrase = end < 0 ? clause : clause.slice(0, end);
  // "name of the ship that sank?"; "teamsters boss name?", "patriot front boss arrested in idaho - name?"
  if (phrase.at(-1) === 'name' && clause[end] === 'of') return personOrName(headType(clause.slice(end + 1)));
  if (phrase.at(-1) === 'name' || clause.at(-1) === 'name') return personOrName(headType(phrase.filter((word) => word !== 'name')));
  const head = phrase.at(-1);
  return head === undefined ? 'none' : nounType(head);
}

/** The name asked for is a person's when what it names is a person. */
function personOrName(named: AnswerType): AnswerType {
  return named === 'person' ? 'person' : 'name';
}

/**
 * The earliest wh-word, unless a later "which"/"what" follows a preposition: quiz questions ask in
 * place ("…the terrorist, who was associated with which group?").
 */
function askingWord(clause: string[]): number {
  const first = clause.findIndex((word) => WH_WORDS.has(word));
  for (let i = clause.length - 1; i > first && first >= 0; i--) {
    if ((clause[i] === 'which' || clause[i] === 'what') && STOPPERS.has(clause[i - 1]!)) return i;
  }
  return first;
}

/** The words of the last sentence that has a wh-word (else of the whole question), lower case, contractions and common typos spelled out. */
function askingClause(question: string): string[] {
  const sentences = question.toLowerCase().replace(/’/g, "'").split(/[.?!]\s/);
  const clauses = sentences.map((sentence) => (sentence.match(/[a-z0-9]+(?:['-][a-z0-9]+)*/g) ?? []).flatMap((word) => SPELLINGS[word] ?? [word]));
  for (let i = clauses.length - 1; i >= 0; i--) if (clauses[i]!.some((word) => WH_WORDS.has(word))) return clauses[i]!;
  return clauses.flat();
}

function typeAfterWh(wh: string, rest: string[]): AnswerType {
  switch (wh) {
    case 'who':
    case 'whom':
      return asksWhoSomeoneIs(rest) ? 'none' : 'person';
    case 'whose':
      return 'person';
    case 'where':
      // "where did columbia land in the new rankings"
      return rest.some((word) => /^(?:rank|ranks|ranked|ranking|rankings|standings)$/.test(word)) ? 'number' : 'place';
    case 'when':
      return 'date';
    case 'why':
      return 'none';
    case 'how':
      return HOW_NUMBER.has(rest[0] ?? '') ? 'number' : rest[0] === 'soon' ? 'date' : 'none';
    default:
      return typeAfterWhat(rest);
  }
}

/**
 * "who is josh gruenbaum", "whos kirill dmitriev": a question about the person it names, whose
 * answer is a description, not another person; "who is the kremlin aide", "who is running
 * moscow's side" and "who is in charge" ask for a person.
 */
function asksWhoSomeoneIs(rest: string[]): boolean {
  if (!COPULAS.has(rest[0] ?? '') || rest.length < 2) return false;
  const named = rest.slice(1);
  if (named.length > 4 || DETERMINERS.has(named[0]!) || STOPPERS.has(named[0]!)) return false;
  return named.every((word) => nounType(word) === 'none' && !looksLikeVerb(word) && !AUXILIARIES.has(word) && !STOPPERS.has(word) && !FILLERS.has(word));
}

/** "which alaska city", "what's the new minimum wage", "what does a share cost", "what happened". */
function typeAfterWhat(rest: string[]): AnswerType {
  const first = rest[0];
  if (first === undefined) return 'none';
  if (COPULAS.has(first)) {
    const phrase = nounPhrase(rest, 1);
    if (phrase.words.at(-1) === 'name' && rest[phrase.end] === 'of') return personOrName(headType(nounPhrase(rest, phrase.end + 1).words));
    // "whats the jackson mayors name": the name of a person, the apostrophe left out.
    if (phrase.words.at(-1) === 'name' && phrase.words.length > 1 && nounType(phrase.words.at(-2)!) === 'person') return 'person';
    const type = headType(phrase.words);
    if (type !== 'none') return type;
    return rest.some((word) => NAMING_VERBS.has(word)) ? 'name' : 'none';
  }
  if (AUXILIARIES.has(first)) {
    if (rest.some((word) => NUMBER_VERBS.has(word))) return 'number';
    return rest.some((word) => NAMING_VERBS.has(word)) ? 'name' : 'none';
  }
  if (first === 'one' || first === 'ones') return 'name';
  const phrase = nounPhrase(rest, 0);
  if (phrase.words.length === 0) return 'none';
  // "which fast food place" is a chain, not a place.
  if (phrase.words.at(-1) === 'place' && phrase.words.includes('food')) return 'name';
  const type = headType(phrase.words);
  return type !== 'none' ? type : 'name';
}

/** The words of the noun phrase from `start`: up to a preposition, an auxiliary or a verb, five words at most. */
function nounPhrase(rest: string[], start: number): { words: string[]; end: number } {
  let end = start;
  while (end < rest.length && (SKIPPED.has(rest[end]!) || DETERMINERS.has(rest[end]!))) end++;
  const phrase: string[] = [];
  while (end < rest.length && phrase.length < 5) {
    const word = rest[end]!;
    const next = rest[end + 1];
    // "dipping sauce" and "wildly popular show" are noun phrases, "causing the fire risk" is not.
    const modifier = /(?:ing|ly)$/.test(word) && next !== undefined && !STOPPERS.has(next) && !DETERMINERS.has(next) && !AUXILIARIES.has(next);
    if (STOPPERS.has(word) || AUXILIARIES.has(word) || WH_WORDS.has(word) || (phrase.length > 0 && DETERMINERS.has(word))) break;
    // "which city hosts the talks": after a noun of a known kind, an -s word before a determiner is the verb, not a second noun.
    if (phrase.length > 0 && nounType(phrase.at(-1)!) !== 'none' && /[^s]s$/.test(word) && next !== undefined && DETERMINERS.has(next)) break;
    if (looksLikeVerb(word) && !modifier) break;
    phrase.push(word.replace(/'s?$/, ''));
    end++;
    // "which country's lawmakers" asks for the country; "chestnut's personal best" for the best.
    if (/'s?$/.test(word) && nounType(phrase.at(-1)!) !== 'none') break;
  }
  return { words: phrase, end };
}

/**
 * Whether a question uses a word as a verb, by the lexicon's tag of its form ("made", "owns",
 * "lead") or the word before it ("will host", "to take"): "number" in "the june inflation number"
 * is a noun, whatever WordNet's verb "to number" is.
 */
export function usedAsVerb(word: string, previous: string | undefined): boolean {
  return /PastTense|PresentTense|Infinitive|Gerund|Participle/.test(tagOf(word)) || (previous !== undefined && VERB_LEADS.has(previous));
}
const VERB_LEADS = new Set('to will would can could should shall may might must did does do let'.split(' '));

function looksLikeVerb(word: string): boolean {
  if (nounType(word) !== 'none') return false;
  return /PastTense|PresentTense|Gerund|Adverb/.test(tagOf(word)) || /(?:ed|ing|ly)$/.test(word);
}

/** The type of the head noun: the last word of the phrase that has a type ("star system" → name, "alaska city" → place). */
function headType(phrase: string[]): AnswerType {
  for (let i = phrase.length - 1; i >= 0; i--) {
    const type = phrase[i] === 'best' && phrase[i - 1] === 'personal' ? 'number' : nounType(phrase[i]!);
    if (type !== 'none') return type;
  }
  return 'none';
}

/** Whether a word is a noun that names a class of answers ("county", "school", "company"), singular or plural. */
export function isClassNoun(word: string): boolean {
  return nounType(word) !== 'none';
}

function nounType(word: string): AnswerType {
  const forms = singularForms(word);
  for (const [nouns, type] of CATEGORIES) if (forms.some((form) => nouns.has(form))) return type;
  return 'none';
}

/** A noun as written and its possible singulars ("cities" → "city", "countries" → "country"). */
function singularForms(word: string): string[] {
  return [word, word.replace(/ies$/, 'y'), word.replace(/s$/, ''), word.replace(/es$/, '')];
}

/** What a number answers, when the question says: a duration, an amount of money or a share, an age; for a date, "clock": a time of day ("what time"). */
export type Measure = 'duration' | 'amount' | 'age' | 'clock';

const MEASURE_QUESTIONS: [RegExp, Measure][] = [
  [/\bhow long\b/i, 'duration'],
  [/\bhow (?:much|expensive)\b|\bwhat(?:'s|s| is| was)? (?:the )?(?:price|cost)\b|\bwhat (?:does|do|did|will|would) (?:[\p{L}\p{N}'’-]+ ){1,4}cost\b/iu, 'amount'],
  [/\bhow old\b|\bwhat age\b|\bage (?:when|at)\b|['’]s age\b/i, 'age'],
  [/\bwhat time\b|\bwhat hour\b|\bhow (?:early|late)\b/i, 'clock'],
];

/** Words a number must carry to answer each measure ("four hours", "$22", "4.5%", "45-year-old"). */
const MEASURE_SPANS: Record<Measure, RegExp> = {
  duration: /\b(?:seconds?|minutes?|hours?|days?|weeks?|months?|years?|decades?|centur(?:y|ies)|night|overnight)\b/i,
  amount: /[$£€¥%]|\b(?:dollars?|cents?|pounds?|euros?|yen|yuan|rupees?|percent|per cent|bucks)\b/i,
  // "Johnson, 38, …", "aged 42", "a 17-year-old", "at the age of 42", not "100 Conservative members".
  age: /^\d{1,3}$|\b(?:years?[- ]old|aged|age of)\b/i,
  clock: /\b(?:[ap]\.?m\b|midnight|noon|midday|o'clock)/i,
};

/** A date that names only a time of day ("shortly before midnight", "8:05 p.m."): it answers "what time", less surely "when". */
export function isTimeOfDay(span: string): boolean {
  return TIME_OF_DAY.test(span.trim());
}

/**
 * A period named only relative to the article's date ("next week", "this month", "last year"):
 * read alone, in a line above an article of another day, it says nothing of when.
 */
export function isRelativePeriod(span: string): boolean {
  return RELATIVE_PERIOD.test(span.trim());
}

const RELATIVE_PERIOD = /^(?:(?:early|late|later|earlier) )?(?:this|next|last|past|coming|previous) (?:week|weekend|month|year|season|quarter|decade|summer|winter|spring|fall|autumn)$/i;

const TIME_OF_DAY = /^(?:(?:shortly |just |soon |right )?(?:before|after|around|about|at|by) )?(?:\d{1,2}(?::\d{2})?\s?[ap]\.?m\.?|midnight|noon|midday|(?:early |late )?(?:morning|afternoon|evening|night)|dawn|dusk)$/i;

/**
 * Whether a question asks who holds a post now ("who's the teamsters president", "the ceo these
 * days"), not who held it: then "then-President James Hoffa" and "former CEO" are not the answer.
 */
export function asksAboutNow(question: string): boolean {
  const text = question.slice(0, 1000);
  return NOW.test(text) && !BEFORE.test(text);
}

const NOW = /\b(?:who(?:'s|’s| is| are)|whos|now|current|currently|these days|today)\b/i;
const BEFORE = /\b(?:former|previous|last|was|were|used to)\b/i;

export function measureOf(question: string): Measure | undefined {
  return MEASURE_QUESTIONS.find(([pattern]) => pattern.test(question))?.[1];
}

/** Whether a number span can answer a question that asks for this measure. */
export function fitsMeasure(span: string, measure: Measure | undefined): boolean {
  return measure === undefined || (MEASURE_SPANS[measure].test(span) && !RANK.test(span));
}

/** A rank, not a quantity: "second place", "the third day" answer no "how long", "how much" nor "how old". */
const RANK = /^(?:first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth|\d+(?:st|nd|rd|th))\b/i;

/** The noun a "how many" question counts ("how many countries did he fly through" → "countries"), if any. */
export function countedNoun(question: string): string | undefined {
  const clause = askingClause(question);
  const at = clause.findIndex((word, i) => word === 'how' && clause[i + 1] === 'many');
  if (at < 0) return undefined;
  return nounPhrase(clause, at + 2).words.at(-1);
}

/**
 * The kind of thing a "which …" question names by its class noun: a kind of place ("which
 * country / city / state"), an organisation ("which company / automaker / charity"), a work
 * ("which show / movie / song") or a person's kin ("which relative").
 */
export type Kind = 'country' | 'city' | 'region' | 'organization' | 'work' | 'relative';

const KIND_NOUNS: Record<Kind, Set<string>> = {
  country: words('country nation'),
  city: words('city town capital village'),
  region: words('state province region county territory'),
  organization: words(
    'company firm automaker carmaker manufacturer maker retailer business startup brand chain airline bank insurer network agency charity organisation organization nonprofit union corporation conglomerate giant',
  ),
  work: words('show movie film song album book series musical play novel episode sequel documentary sitcom'),
  relative: words('relative relation kin kinsman kinswoman in-law'),
};

/** Words that name a person as someone's kin ("Mr Trump's son-in-law Jared Kushner"). */
const KINSHIP = words(
  'son daughter wife husband spouse father mother dad mom brother sister sibling cousin uncle aunt nephew niece grandson granddaughter grandfather grandmother grandchild stepson stepdaughter stepfather stepmother son-in-law daughter-in-law father-in-law mother-in-law brother-in-law sister-in-law in-law widow widower fiance fiancee twin',
);
const WORD_BEFORE = /([\p{L}-]+)\s*$/u;
const APPOSITIVE_AFTER = /^,\s+(?:(?:his|her|their|\p{L}+['’]s)\s+)?([\p{L}-]+)/u;

/** Whether the words around a name call that person someone's kin: "son-in-law Jared Kushner", "Kushner, Trump's son-in-law". */
export function namedAsKin(before: string, after: string): boolean {
  return [WORD_BEFORE.exec(before)?.[1], APPOSITIVE_AFTER.exec(after)?.[1]].some((word) => word !== undefined && KINSHIP.has(word.toLowerCase()));
}
/** compromise's tags for the kinds, and for people, whom no kind here names. */
const KIND_TAGS: [RegExp, Kind | 'person'][] = [
  [/Country/, 'country'],
  [/City/, 'city'],
  [/Region/, 'region'],
  [/Organization|SportsTeam/, 'organization'],
  [/Person|FirstName|MaleName|FemaleName/, 'person'],
];
/** Places the lexicon leaves out or mistakes ("Virginia" is a first name to it). */
const KNOWN_PLACES: Record<string, Kind> = {
  us: 'country', 'u.s': 'country', usa: 'country', 'united states': 'country', uk: 'country', 'u.k': 'country', britain: 'country', 'great britain': 'country',
  uae: 'country', 'united arab emirates': 'country', virginia: 'region', 'west virginia': 'region', georgia: 'region', washington: 'region',
};

/** The kind of thing a question's class noun names ("which country's lawmakers" → country), if it names one. */
export function askedKind(question: string): Kind | undefined {
  const clause = askingClause(question);
  const at = askingWord(clause);
  if (at < 0 || (clause[at] !== 'which' && clause[at] !== 'what')) return undefined;
  const rest = clause.slice(at + 1);
  const phrase = nounPhrase(rest, COPULAS.has(rest[0] ?? '') ? 1 : 0).words;
  for (let i = phrase.length - 1; i >= 0; i--) {
    const noun = phrase[i]!;
    const kind = (Object.keys(KIND_NOUNS) as Kind[]).find((k) => namesKind(noun, k));
    if (kind) return kind;
    if (nounType(noun) !== 'none') return undefined;
  }
  return undefined;
}

/** Whether a word of the question is the class noun of the kind it asks for ("city" in "which city will host the talks"). */
export function namesKind(word: string, kind: Kind): boolean {
  return singularForms(word).some((form) => KIND_NOUNS[kind].has(form));
}

/** What the lexicon knows a name to be ("Tehran" → city, "Toyota" → organization, "Kia" → a person!), if anything. */
export function kindOf(span: string): Kind | 'person' | undefined {
  const lower = span.toLowerCase().replace(/['’]s?$/, '').replace(/\.$/, '').replace(/^the /, '');
  const known = KNOWN_PLACES[lower];
  if (known) return known;
  const tag = tagOf(lower);
  return KIND_TAGS.find(([pattern]) => pattern.test(tag))?.[1];
}

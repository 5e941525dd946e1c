/**
 * The second stage of ranking: the hybrid retrieval's candidates reordered by what a question
 * asks for. Each signal is a feature; `rankScore` adds them with weights chosen by 5-fold
 * cross-validation on the dev questions (`npm run eval -- --cv`, README "Evaluation").
 */
import type { SpanType } from '../articles/spans.js';
import { datelineEnd, isHeading, photoCreditStart } from '../articles/newswire.js';
import { isStopWord, stemOf, terms, wordTokens } from '../articles/terms.js';
import type { WordVectors } from '../embedding/word-vectors.js';
import { lemmasOf } from './wordnet.js';
import type { Snapshot, StoredSpan } from '../index/types.js';
import type { Hit, Retriever } from '../retrieval/retriever.js';
import type { Scope } from '../index/scope.js';
import { fitsMeasure, isClassNoun, isRelativePeriod, isTimeOfDay, kindOf, namedAsKin, namesKind, type AnswerType, type Kind, type Measure } from './answer-type.js';

/** Words at least this close (cosine of the word vectors) count as saying the same thing; measured on the everyday questions. */
export const NEAR_SYNONYM = 0.4;
/** How much a WordNet synonym of a question word counts (an exact match counts 1); chosen by cross-validation. */
export const WORDNET_MATCH = 0.8;
/** The rank given to a word past the kept word vectors: rarer than all of them. */
const RARER_THAN_ALL = 200_000;
/** Words this frequent in general English are everyday words (about the vocabulary of a news reader). */
const EVERYDAY_WORDS = 20_000;
/** A question word this many words away from an answer counts half. */
const PROXIMITY_WORDS = 8;
/** Words before a name that say it held the post once ("then-President James Hoffa", "former CEO Bob Chapek"). */
const FORMER = /\b(?:former|then-|ex-|late|previous|outgoing)\s?(?:[\w’'-]+\s){0,2}$/i;
/** How well a former holder fits a question about now: half, as a name of an unknown kind does. */
const FORMER_FIT = 0.5;
/** How well a candidate fits the kind asked for when nothing says it is of that kind, nor of another. */
const KIND_UNKNOWN = 0.5;
/** How well a place written as the owner of something the question does not name fits a place question (see `ownsWhatIsNotAsked`). */
const OWNER_FIT = 0.5;
/** Characters read on each side of a candidate for what the text calls it ("then-President", "son-in-law"). */
const AROUND = 30;
/** Articles dated this many days before the question, or fewer, count as the news of the moment. */
export const RECENT_DAYS = 7;

export interface Features {
  /** The hybrid retrieval's fused score. */
  fused: number;
  /** The article is from the week before the question was asked. */
  recent: number;
  /** The paragraph holds a candidate of the type the question asks for, not named in the question. */
  typed: number;
  /** How often that candidate recurs across the article's paragraphs (0–1): a story's answer is its main entity. */
  salience: number;
  /** Share of the question's weight the paragraph holds, near-synonyms counted by their similarity (0–1). */
  synonyms: number;
  /** The same share in the words around the best expected answer: the answer stands beside the question's words. */
  context: number;
  /** Cosine similarity of the question and the paragraph, as a value: the fused score keeps only its rank. */
  dense: number;
  /** 1 for the best article by article-level BM25, 1/2 for the second… */
  articleFactor: number;
  /** 1 for a heading ("The future of OTC hearing aids"): it states nothing, so it comes after every paragraph that does. */
  heading: number;
  /**
   * Share of the question the paragraph holds (near-synonyms counted by their similarity), each
   * word weighted by its rarity among the article's paragraphs: the story's own words ("Squid
   * Game") are in every paragraph and tell them apart less than the words of the thing asked ("made").
   */
  local: number;
}

export interface RankWeights {
  recent: number;
  typed: number;
  salience: number;
  synonyms: number;
  context: number;
  dense: number;
  local: number;
}

/** Chosen by 5-fold cross-validation on the dev questions (README, "Evaluation"). */
export const RANK_WEIGHTS: RankWeights = { recent: 0.4, typed: 0.2, salience: 0, synonyms: 0, context: 0.4, dense: 0.08, local: 0.1 };

/** More than all the features can add: a heading ranks after every paragraph that states something. */
const HEADING_PENALTY = 10;

export function rankScore(f: Features, w: RankWeights = RANK_WEIGHTS): number {
  return (
    f.fused -
    HEADING_PENALTY * f.heading +
    w.recent * f.recent +
    f.articleFactor * (w.typed * f.typed + w.salience * f.salience + w.context * f.context) +
    w.synonyms * f.synonyms +
    w.dense * f.dense +
    w.local * f.local
  );
}

/** What the ranking needs to know of a question. */
export interface QuestionTerms {
  stems: string[];
  /** Lower-cased words that carry meaning (stop words and the asking words left out), each with its stem. */
  words: QuestionWord[];
  type: AnswerType;
  /** For a number: the measure asked for ("how long" → a duration). */
  measure?: Measure;
  /** YYYY-MM-DD, when the question has a moment. */
  asOf?: string;
  /** The articles it may be answered from: its moment, and the filters asked for. */
  scope: Scope;
  /** A follow-up's earlier questions' stems not among its own: searched too, at `contextWeight`. */
  contextStems?: string[];
  contextWeight?: number;
  /** For "how many": the noun counted ("countries"). */
  counted?: string;
  /** For "which country / company / show…": the kind of place or name asked for. */
  kind?: Kind;
  /** The question asks who holds a post now (`asksAboutNow`). */
  now?: boolean;
}

/** A word of the question that carries meaning, with its stem, the stems of its WordNet synonyms and its WordNet opposites. */
export interface QuestionWord {
  word: string;
  stem: string;
  synonyms: ReadonlySet<string>;
  /** Base forms of its opposites ("slow" for "fastest"): never a near-synonym, however close their vectors. */
  antonyms: ReadonlySet<string>;
  /**
   * The word names a place ("california", "moscow"): matched by itself and its WordNet synonyms
   * ("calif."), never by its vector neighbours, which are other places ("georgia", "paris").
   */
  place?: boolean;
}

export interface Candidate {
  hit: Hit;
  features: Features;
  /** Candidates of the expected type in the paragraph, best first (by context, then salience). */
  answers: Answer[];
  /** Idf-weighted share of the question matched exactly (stems) and with near-synonyms (0–1). */
  coverage: Coverage;
}

/** A candidate answer in a paragraph. */
export interface Answer {
  text: string;
  type: SpanType;
  /** Share of the article's paragraphs that mention it. */
  salience: number;
  /** Coverage of the question (near-synonyms included) by the words around it. */
  context: number;
  /**
   * The same coverage counting only the question's words themselves and their WordNet synonyms:
   * the word vectors' neighbours are weaker evidence that the answer stands beside what is asked
   * ("lead" sits at 0.57 of "three", "delegation" at 0.73 of "meeting").
   */
  firm: number;
  /**
   * How well it is the kind of thing asked for. A number for "how many": 1 for the same noun ("52
   * countries"), its similarity for a near-synonym ("12 sandwiches" for subs), ½ for a bare
   * number, 0 for a count of something else ("five continents"). For "which country" (or city,
   * state, company, show): 1 for a name of that kind, ½ for one the lexicon does not know, 0 for
   * one of another kind ("Tehran" for a country, "Netflix" for a show). For "which relative": 1
   * for a person the text calls someone's kin ("son-in-law Jared Kushner"), ½ otherwise. ½ for a former holder
   * ("then-President James Hoffa") when the question asks about now; for a date, ½ for a time of
   * day when the question asks "when", or a day when it asks "what time", and ½ for a period named
   * only relative to the article's date ("next week"). 1 for every other answer.
   */
  fit: number;
}

export interface Coverage {
  /** Share of the question's words (weighted by idf in the articles) that the text holds. */
  exact: number;
  /** The same, near-synonyms counted by their similarity. */
  soft: number;
  /**
   * Share of the question's words the text holds, each weighted by its rarity in general English
   * rather than in the articles: the same on a corpus of one article or of a million.
   */
  general: number;
  /** The same, near-synonyms counted by their similarity. */
  generalSoft: number;
  /**
   * How rare in general English the rarest question word the text holds exactly is, against the
   * rarest question word of all (0–1): a question whose names and rare words ("Putin") the
   * articles hold relates to them even in other everyday words ("sitdown", "kick off"); one
   * whose rare words ("Paris", "Super Bowl") they never use does not.
   */
  anchor: number;
}

interface MatchTable {
  tokens: { start: number; end: number }[];
  /** Each question word's weight: its idf in the articles, and its rarity in general English. */
  weights: number[];
  generalWeights: number[];
  /** For each question word, the tokens that match it and how well (see `matchTable`). */
  matched: { token: number; value: number }[][];
}

/** Each question word's best match in a text: 1 for the same stem, the similarity of a near-synonym, 0 for none. */
function bestMatches(table: MatchTable): number[] {
  return table.matched.map((matches) => matches.reduce((best, { value }) => Math.max(best, value), 0));
}

/** Share of the question's words a text matches by these weights, near-synonyms counted by their similarity. */
function weightedShare(best: readonly number[], weights: readonly number[]): number {
  let total = 0;
  let found = 0;
  best.forEach((match, q) => {
    total += weights[q]!;
    found += weights[q]! * match;
  });
  return total === 0 ? 0 : found / total;
}

/** Weighted share of the question's words that a text matches, from its match table. */
function coverageOf(table: MatchTable): Coverage {
  const best = bestMatches(table);
  const exact = best.map((match) => (match === 1 ? 1 : 0));
  return {
    exact: weightedShare(exact, table.weights),
    soft: weightedShare(best, table.weights),
    general: weightedShare(exact, table.generalWeights),
    generalSoft: weightedShare(best, table.generalWeights),
    anchor: Math.max(0, ...exact.map((e, q) => e * table.generalWeights[q]!)) / Math.max(1e-9, ...table.generalWeights),
  };
}

export class CandidateFeatures {
  constructor(
    private readonly snapshot: Snapshot,
    private readonly retriever: Retriever,
    private readonly wordVectors: WordVectors | undefined,
  ) {}

  describe(question: QuestionTerms, hits: Hit[]): Candidate[] {
    const seen = new Map<string, Float32Array>();
    const localWeights = new Map<string, number[]>();
    return hits.map((hit) => {
      const paragraph = this.snapshot.paragraphs.at(hit.row);
      const table = this.matchTable(question, paragraph.text, seen);
      const coverage = coverageOf(table);
      const answers = this.answersIn(question, paragraph.articleId, paragraph.position, paragraph.text, table);
      const date = this.snapshot.manifest.articles.get(paragraph.articleId)?.date;
      let weights = localWeights.get(paragraph.articleId);
      if (!weights) localWeights.set(paragraph.articleId, (weights = this.localWeights(question, paragraph.articleId)));
      return {
        hit,
        answers,
        coverage,
        features: {
          fused: hit.score,
          recent: question.asOf && date && daysBefore(date, question.asOf) <= RECENT_DAYS ? 1 : 0,
          typed: Math.max(0, ...answers.map((a) => a.fit)),
          salience: answers[0]?.salience ?? 0,
          synonyms: coverage.soft,
          context: answers[0]?.context ?? 0,
          dense: hit.dense,
          articleFactor: 1 / (1 + hit.articleRank),
          local: weightedShare(bestMatches(table), weights),
          heading: isHeading(paragraph.text) ? 1 : 0,
        },
      };
    });
  }

  /** Each question word's weight inside an article: log(1 + its paragraphs / those holding the word). */
  private localWeights(question: QuestionTerms, articleId: string): number[] {
    const paragraphs = this.articleStems(articleId);
    return question.words.map(({ stem }) => Math.log(1 + paragraphs.length / (1 + paragraphs.filter((stems) => stems.has(stem)).length)));
  }

  private readonly stemsCache = new Map<string, Set<string>[]>();

  private articleStems(articleId: string): Set<string>[] {
    let stems = this.stemsCache.get(articleId);
    if (!stems) {
      stems = this.articleTexts(articleId).map((text) => new Set(terms(text)));
      if (this.stemsCache.size > 256) this.stemsCache.clear();
      this.stemsCache.set(articleId, stems);
    }
    return stems;
  }

  /** Coverage of the question's words by a text: exact (same stem) and soft (near-synonyms count by their similarity). */
  coverage(question: QuestionTerms, text: string): Coverage {
    return coverageOf(this.matchTable(question, text));
  }

  /**
   * How each question word is matched by each word of a text: 1 for the same stem, the similarity
   * for a near-synonym, 0 otherwise (stop words never match); with each question word's weights.
   */
  private matchTable(question: QuestionTerms, text: string, seen = new Map<string, Float32Array>()): MatchTable {
    // A dateline ("MOSCOW –") says where the story was filed, not what the paragraph says.
    const dateline = datelineEnd(text) ?? 0;
    const tokens = wordTokens(text).filter((t) => t.start >= dateline);
    const asked = question.words;
    const weights = asked.map((q) => this.retriever.bm25.idf(q.stem) || this.absentWordWeight(q.word));
    const ranks = asked.map((q) => this.wordVectors?.rank(q.word));
    const generalWeights = ranks.map((rank) => Math.log(2 + (rank ?? RARER_THAN_ALL)));
    // Per distinct word, once (`seen` is shared by the paragraphs of one question): its match with each question word.
    const matchesOf = (word: string): Float32Array => {
      let found = seen.get(word);
      if (!found) {
        found = new Float32Array(asked.length);
        const stem = isStopWord(word) ? undefined : stemOf(word);
        const rank = stem ? this.wordVectors?.rank(word) : undefined;
        // Base forms only for a word that would match: an opposite ("slowest" for "fastest") then does not.
        let lemmas: string[] | undefined;
        const isOpposite = (q: QuestionWord) => q.antonyms.size > 0 && (lemmas ??= lemmasOf(word)).some((lemma) => q.antonyms.has(lemma));
        if (stem) {
          asked.forEach((q, i) => {
            if (stem === q.stem) found![i] = 1;
            else {
              let match = 0;
              if (rank !== undefined && ranks[i] !== undefined && !q.place) {
                const similarity = this.wordVectors!.rowSimilarity(ranks[i]!, rank);
                if (similarity >= NEAR_SYNONYM) match = similarity;
              }
              if (q.synonyms.has(stem)) match = Math.max(match, WORDNET_MATCH);
              if (match > 0 && !isOpposite(q)) found![i] = match;
            }
          });
        }
        seen.set(word, found);
      }
      return found;
    };
    const matched: MatchTable['matched'] = asked.map(() => []);
    tokens.forEach((t, token) => {
      const matches = matchesOf(t.word);
      for (let q = 0; q < matches.length; q++) if (matches[q]! > 0) matched[q]!.push({ token, value: matches[q]! });
    });
    return { tokens, weights, generalWeights, matched };
  }

  /**
   * A word no article uses: an everyday English word ("city", "host") weighs like an average term,
   * anything rarer (a name, jargon) like the rarest term, since the articles do not speak of it.
   */
  private absentWordWeight(word: string): number {
    const rank = this.wordVectors?.rank(word);
    return rank !== undefined && rank < EVERYDAY_WORDS ? this.retriever.bm25.meanIdf : this.retriever.bm25.maxIdf;
  }

  /**
   * How well the words near an answer match the question (`context`, and `firm` counting only
   * matches worth a WordNet synonym or more): each question word by its best match in the
   * paragraph, discounted by its distance in words from the answer. For `firm`, the noun that
   * names what is asked (the question word at `asksFor`: "city" in "which city", "countries" in
   * "how many countries") is matched by the answer itself, as well as it fits.
   */
  private contextsOf(table: MatchTable, start: number, end: number, asksFor: number, fit: number): { context: number; firm: number } {
    const first = table.tokens.findIndex((t) => t.end > start);
    let last = first;
    while (last + 1 < table.tokens.length && table.tokens[last + 1]!.start < end) last++;
    const soft: number[] = [];
    const firm: number[] = [];
    table.matched.forEach((matches, q) => {
      let best = 0;
      let bestFirm = 0;
      for (const { token, value } of matches) {
        if (token >= first && token <= last) continue;
        const distance = token < first ? first - token : token - last;
        const near = value / (1 + distance / PROXIMITY_WORDS);
        best = Math.max(best, near);
        if (value >= WORDNET_MATCH) bestFirm = Math.max(bestFirm, near);
      }
      soft.push(best);
      firm.push(q === asksFor ? Math.max(bestFirm, fit) : bestFirm);
    });
    return { context: weightedShare(soft, table.weights), firm: weightedShare(firm, table.weights) };
  }


  /** Candidates of the expected type in a paragraph that the question does not already name, best first. */
  private answersIn(question: QuestionTerms, articleId: string, position: number, text: string, table: MatchTable): Answer[] {
    if (question.type === 'none') return [];
    const spans: StoredSpan[] = this.snapshot.spans?.get(articleId)?.[position] ?? [];
    const asked = new Set(question.stems);
    const asksFor = askedNounAt(question);
    const found = new Map<string, Answer>();
    const credit = photoCreditStart(text) ?? text.length;
    // A dateline says where the story was filed from, not what happened there.
    const dateline = datelineEnd(text) ?? 0;
    for (const [type, start, end] of spans) {
      if (type !== question.type || start >= credit || end <= dateline) continue;
      const whole = text.slice(start, end);
      if (type === 'number' && !fitsMeasure(whole, question.measure)) continue;
      if (namedInQuestion(type, whole, asked)) continue;
      const before = text.slice(Math.max(0, start - AROUND), start);
      const span = type === 'number' ? qualified(bareNumber(whole, asked, question.measure), before) : type === 'person' ? this.fullName(articleId, whole) : whole;
      const key = span.toLowerCase();
      const fit = this.fit(question, whole, before, text.slice(end, end + AROUND));
      const { context, firm } = this.contextsOf(table, start, end, asksFor, fit);
      const known = found.get(key);
      if (!known) found.set(key, { text: span, type, salience: this.salience(articleId, type, span), context, firm, fit });
      else {
        known.context = Math.max(known.context, context);
        known.firm = Math.max(known.firm, firm);
      }
    }
    return [...found.values()].sort((a, b) => b.fit - a.fit || b.context - a.context || b.salience - a.salience);
  }

  /** See `Answer.fit`; `before` and `after` are the few words around the span in its paragraph. */
  private fit(question: QuestionTerms, span: string, before: string, after: string): number {
    if (question.type === 'person') {
      const kind = question.kind === 'relative' && !namedAsKin(before, after) ? KIND_UNKNOWN : 1;
      return question.now && FORMER.test(before) ? kind * FORMER_FIT : kind;
    }
    if (question.type === 'date') return isTimeOfDay(span) === (question.measure === 'clock') && !isRelativePeriod(span) ? 1 : 0.5;
    const owner = question.type === 'place' && ownsWhatIsNotAsked(after, question.stems) ? OWNER_FIT : 1;
    if (question.kind && (question.type === 'place' || question.type === 'name')) {
      const kind = kindOf(span);
      return owner * (kind === undefined ? KIND_UNKNOWN : kind === question.kind ? 1 : 0);
    }
    if (question.type === 'place') return owner;
    if (!question.counted || question.type !== 'number') return 1;
    const counted = stemOf(question.counted);
    const nouns = (span.toLowerCase().match(/\p{L}+/gu) ?? []).filter((word) => !COUNT_SCALE.has(word) && !isStopWord(word));
    if (nouns.length === 0) return 0.5;
    if (nouns.some((word) => stemOf(word) === counted)) return 1;
    const askedRank = this.wordVectors?.rank(question.counted);
    const similarity = Math.max(0, ...nouns.map((word) => {
      const rank = this.wordVectors?.rank(word);
      return askedRank !== undefined && rank !== undefined ? this.wordVectors!.rowSimilarity(askedRank, rank) : 0;
    }));
    return similarity >= NEAR_SYNONYM ? similarity : 0;
  }

  /**
   * A person as the article names them in full elsewhere: news gives the full name once, then
   * the surname ("Robinson" → "Sue L. Robinson"). Left as written when the article has no longer
   * name ending with it, or several ("Biden": Joe Biden and Jill Biden). Other names stay as
   * written: "Nicole" is the storm's name, "Hurricane Nicole" a longer one.
   */
  private fullName(articleId: string, name: string): string {
    const longer = this.peopleOf(articleId).filter((full) => full.length > name.length && full.endsWith(` ${name}`));
    const forms = new Set(longer.map((full) => full.toLowerCase()));
    return forms.size === 1 ? longer[0]! : name;
  }

  private readonly peopleCache = new Map<string, string[]>();

  /** The distinct people named in an article's paragraphs (titles left out, as in the spans). */
  private peopleOf(articleId: string): string[] {
    let names = this.peopleCache.get(articleId);
    if (!names) {
      const byPosition = this.snapshot.spans?.get(articleId) ?? [];
      const texts = this.articleTexts(articleId);
      const found = new Set<string>();
      this.retriever.rowsOf(articleId).forEach((row, i) => {
        for (const [type, start, end] of byPosition[this.snapshot.paragraphs.positionOf(row)] ?? []) if (type === 'person') found.add(texts[i]!.slice(start, end));
      });
      names = [...found];
      if (this.peopleCache.size > 1024) this.peopleCache.clear();
      this.peopleCache.set(articleId, names);
    }
    return names;
  }

  /** Share of the article's paragraphs that mention a candidate (a person by surname). */
  private salience(articleId: string, type: SpanType, span: string): number {
    const key = (type === 'person' ? span.split(' ').at(-1)! : span).toLowerCase();
    const cacheKey = `${articleId}\u0000${key}`;
    let share = this.salienceCache.get(cacheKey);
    if (share === undefined) {
      const paragraphs = this.lowerCaseTexts(articleId);
      share = paragraphs.filter((t) => t.includes(key)).length / Math.max(1, paragraphs.length);
      if (this.salienceCache.size > 10_000) this.salienceCache.clear();
      this.salienceCache.set(cacheKey, share);
    }
    return share;
  }

  private readonly salienceCache = new Map<string, number>();

  private readonly textsCache = new Map<string, { texts: string[]; lower: string[] }>();

  /** An article's paragraph texts in the order of `rowsOf`, read once for every feature that needs them. */
  private articleTexts(articleId: string): string[] {
    return this.textsOf(articleId).texts;
  }

  private lowerCaseTexts(articleId: string): string[] {
    return this.textsOf(articleId).lower;
  }

  private textsOf(articleId: string): { texts: string[]; lower: string[] } {
    let found = this.textsCache.get(articleId);
    if (!found) {
      const texts = this.retriever.rowsOf(articleId).map((row) => this.snapshot.paragraphs.textOf(row));
      found = { texts, lower: texts.map((text) => text.toLowerCase()) };
      if (this.textsCache.size > 256) this.textsCache.clear();
      this.textsCache.set(articleId, found);
    }
    return found;
  }
}

/**
 * Whether the question already names a span, so it cannot be the answer. A name whose head (a
 * surname, the last word) the question says is named ("Warren Buffett" in "the Buffett lunch"),
 * but "Hyundai Palisade" still answers "which Hyundai model"; a number or date only when the
 * question says all of it ("19 states" answers "how many states"); a name ending in a class noun
 * only when the question says another of its words ("Buchanan County" answers "which county").
 */
function namedInQuestion(type: SpanType, span: string, asked: ReadonlySet<string>): boolean {
  const stems = terms(span);
  if (stems.length === 0) return true;
  if (type === 'number' || type === 'date') return stems.every((stem) => asked.has(stem));
  // "Buchanan County" answers "which county", "Yosemite National Park" "which national park": the
  // class it ends in names what is asked, not the answer.
  if (stems.length > 1 && isClassNoun(span.slice(span.lastIndexOf(' ') + 1).toLowerCase())) {
    let end = stems.length - 1;
    while (end > 1 && asked.has(stems[end - 1]!)) end--;
    return stems.slice(0, end).some((stem) => asked.has(stem));
  }
  return asked.has(stems.at(-1)!);
}

/** Which of the question's words names what it asks for: the kind ("city") or the thing counted ("countries"); -1 for none. */
function askedNounAt(question: QuestionTerms): number {
  const { kind, counted } = question;
  if (counted) return question.words.findIndex(({ word }) => word === counted);
  return kind ? question.words.findIndex(({ word }) => namesKind(word, kind)) : -1;
}

/**
 * Whether a place is written as the owner of something the question does not name: "Moscow’s
 * team" says who acts, not where anything happens, so it answers "which city will host the talks"
 * only half; "Japan’s Sakurajima volcano" still answers "a volcano in which country" in full.
 * `after` is the text that follows the place; the thing owned is read up to a stop word or a
 * punctuation mark, three words at most.
 */
function ownsWhatIsNotAsked(after: string, asked: readonly string[]): boolean {
  const possessive = /^['’]s?\s+/.exec(after);
  if (!possessive) return false;
  const owned: string[] = [];
  for (const word of after.slice(possessive[0].length).split(/\s+/, OWNED_WORDS)) {
    const bare = word.replace(/[^\p{L}\p{N}-]+$/u, '');
    if (!bare || isStopWord(bare.toLowerCase())) break;
    owned.push(bare);
    if (bare !== word) break;
  }
  return owned.length > 0 && !terms(owned.join(' ')).some((stem) => asked.includes(stem));
}

const OWNED_WORDS = 3;

/**
 * A number as the answer to its question: without the words the question already says ("how many
 * hot dogs" → "63", not "63 hot dogs") or, for an age, without "-year-old" ("17"). A count of
 * something the question does not name keeps its noun ("300,000 reservists").
 */
function bareNumber(span: string, asked: ReadonlySet<string>, measure: Measure | undefined): string {
  if (measure === 'age') {
    const age = /^(\d{1,3})[- ]years?[- ]old$/i.exec(span);
    if (age) return age[1]!;
  }
  const words = span.split(' ');
  const numberWords = words.length > 1 && /^(?:hundred|thousand|million|billion|trillion)$/i.test(words[1]!) ? 2 : 1;
  if (!/\d/.test(words[0]!) || words.length <= numberWords) return span;
  const rest = terms(words.slice(numberWords).join(' '));
  return rest.length > 0 && rest.every((stem) => asked.has(stem)) ? words.slice(0, numberWords).join(' ') : span;
}

/** Words before a number that say how exact it is: "less than $20,000" is not "$20,000", nor "about 260" exactly 260. */
const QUALIFIER = /(?:^|\s)((?:about|around|roughly|approximately|nearly|almost|some|over|under|up to|at least|at most|more than|less than|fewer than|as many as|as much as|all)\s+)$/i;

/** A number with the word before it that qualifies it ("nearly 8 million"), as the paragraph writes it. */
function qualified(number: string, before: string): string {
  const qualifier = QUALIFIER.exec(before)?.[1];
  return qualifier ? `${qualifier}${number}` : number;
}

/** Words inside a number span that say how big, not what is counted ("2.5 million", "two dozen"). */
const COUNT_SCALE = new Set('hundred hundreds thousand thousands million millions billion billions trillion trillions dozen dozens k m bn mn tn about some nearly almost over more than around roughly least'.split(' '));

/**
 * How the answer line chooses among a passage's candidates: the kind asked for first, then the
 * question's words around it plus its salience in the article times `salience` (a story's answer
 * is usually its main entity). Chosen by cross-validation (`npm run eval -- --cv`).
 */
export const ANSWER_CHOICE = { salience: 0.2 };

/** A passage's candidates in the order the answer line prefers them (see `ANSWER_CHOICE`). */
export function preferredAnswers(answers: readonly Answer[], salience = ANSWER_CHOICE.salience): Answer[] {
  const score = (a: Answer) => a.context + salience * a.salience;
  return [...answers].sort((a, b) => b.fit - a.fit || score(b) - score(a));
}

/** The day (YYYY-MM-DD) `days` days before `date`. */
export function dayBefore(date: string, days: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) - days * 86_400_000).toISOString().slice(0, 10);
}

/** Whole days from `date` to `asOf` (both YYYY-MM-DD). */
export function daysBefore(date: string, asOf: string): number {
  return (Date.parse(`${asOf}T00:00:00Z`) - Date.parse(`${date}T00:00:00Z`)) / 86_400_000;
}

import { PASSAGES_PER_ANSWER, type Answer, type AskResult, type Citation, type Passage, type NewArticles, type Refusal, type SummaryResult, type TimelineResult, type VerifyResult, type WhoResult } from './answers/answer.js';
import { findArticle, titleShortlist } from './answers/find-article.js';
import { mainRole, paragraphKey, PeopleIndex, type Person } from './answers/people-index.js';
import { coverageOf, periodFor, timelineEntries } from './answers/timeline.js';
import { outletAnswers } from './answers/outlets.js';
import { checkQuote, comparedWords, MAX_QUOTE_LENGTH, MIN_QUOTE_WORDS, reportedSpeaker, type QuoteSource } from './answers/verify.js';
import { selectSentences } from './answers/summarize.js';
import { checkedSentenceCount, SUMMARY_SENTENCES, type SummaryRequest } from './answers/summary-request.js';
import { spelledOut } from './answers/chat-words.js';
import { cleanQuestion, searchText } from './answers/question.js';
import { pickQuote, scoreSentences, sentencesOf } from './answers/quotes.js';
import { answerType, askedKind, asksAboutNow, countedNoun, kindOf, measureOf, usedAsVerb } from './answers/answer-type.js';
import { calendarDayOf } from './answers/answer-date.js';
import { chooseAnswer, evidenceOf, judge } from './answers/confidence.js';
import { CandidateFeatures, dayBefore, preferredAnswers, RECENT_DAYS, rankScore, type Candidate, type QuestionTerms, type QuestionWord } from './answers/rank.js';
import { wordNet, WORDNET_LOOKUPS } from './answers/wordnet.js';
import { sourceReference } from './articles/article.js';
import type { Embedder } from './embedding/embedder.js';
import { dotProduct } from './embedding/similarity.js';
import { UserError } from './errors.js';
import { newestFirst } from './index/order.js';
import type { IndexTarget } from './index/ingest.js';
import type { IndexedArticle, Manifest, ModelStamp, Paragraph, Snapshot } from './index/types.js';
import type { Corpus } from './retrieval/corpus.js';
import { inScope, isEverything, type Scope } from './index/scope.js';
import { isVisible } from './index/collections.js';
import { articleFilter, describeFilter, timeAsked, type ArticleFilter, type FilterWords } from './answers/filters.js';
import { contextText, CONTEXT_WEIGHT, MAX_FOLLOW_UPS, resolvedFollowUp, type Turn } from './answers/follow-up.js';
import { FileCorpus } from './retrieval/file-corpus.js';
import type { PgCorpus } from './retrieval/pg-corpus.js';
import type { Hit, RetrievalMode, Retriever } from './retrieval/retriever.js';
import { correctedSpelling } from './retrieval/spelling.js';
import { isStopWord, stemOf, terms, words } from './articles/terms.js';
import type { Shortlist } from './retrieval/shortlist.js';
import type { Logger } from './log.js';

/**
 * Longest title, name or autocomplete text looked up: fuzzy search costs grow with its length
 * (6,000 typed characters blocked for 15 s on 2,311 articles). Titles and names are shorter.
 */
export const MAX_LOOKUP_LENGTH = 200;
/** Passages considered for an answer (all pages of "more" included). */
const MAX_RANKED = 30;
/** Passages of the week before the question always among the candidates (see `recentHits`). */
const RECENT_CANDIDATES = 5;

/** Articles in a topic digest, and the share of the topic's words (near-synonyms included) a passage must hold to join it. */
const DIGEST_ARTICLES = 4;
const DIGEST_MIN_COVERAGE = 0.5;
/** People listed by `/who` without a name; quotations shown in a profile. */
const WHO_LIST = 10;
/** Views of the engine kept (`within`): one per server and channel setting in use. */
const MAX_VIEWS = 256;
/** Paragraphs a quote is compared with: a quote carried by more articles than this is counted among these. */
const QUOTE_CANDIDATES = 50;
/** Articles a channel digest lists in one post at most, and the sentences of each one's summary. */
export const DIGEST_POST_ARTICLES = 10;
const NEW_ARTICLE_SENTENCES = 2;
/** Passages a timeline is drawn from. */
const TIMELINE_CANDIDATES = 100;
const WHO_QUOTES = 5;

/** What one question reads: retrieval over its rows, and the ranking's features of them. */
interface Reading {
  retriever: Retriever;
  features: CandidateFeatures;
}

/** A topic read for retrieval: its words as typed, its terms and vector, and the rows it reads. */
interface TopicRead {
  kind: 'topic';
  topic: string;
  question: QuestionTerms;
  vector: Float32Array;
  reading: Reading;
}

/** A ranked paragraph, with its row's text (rows are numbered within what the question read). */
export type RetrievedHit = Hit & { paragraph: Paragraph };

/** A question's candidates with their features, and the paragraphs their rows number. */
export interface Candidates {
  candidates: Candidate[];
  paragraphs: Snapshot['paragraphs'];
}

export interface AskOptions {
  results?: number;
  offset?: number;
  mode?: RetrievalMode;
  /** The moment of asking (YYYY-MM-DD): later articles are left out, the week before is preferred. Today by default; null: no moment. */
  asOf?: string | null;
  /** Only articles of these dates, this outlet or this article (`filterOf` reads them as typed). */
  filter?: ArticleFilter;
  /** The conversation so far, for a follow-up (oldest first; at most `MAX_FOLLOW_UPS`). */
  context?: readonly Turn[];
  /** How much the conversation's words count (`CONTEXT_WEIGHT` by default; the evaluation tries others). */
  contextWeight?: number;
}

/**
 * The question-answering engine over a corpus: the file index (`open`) or Postgres
 * (`openPostgres`), read through the same interface (`src/retrieval/corpus.ts`).
 */
export class Engine {
  /** Built on first use (/who, autocomplete) for the current generation: not on the cold-start path. */
  private peopleCache: { manifest: Manifest; index: PeopleIndex } | undefined;
  private titlesCache: { manifest: Manifest; titles: Shortlist<IndexedArticle> } | undefined;
  private outletsCache: { manifest: Manifest; outlets: string[] } | undefined;
  /** The ranking's features over the last retriever read (the file index's, for every question until a reload). */
  private featuresCache: { retriever: Retriever; features: CandidateFeatures } | undefined;
  /** The articles of the visible collections, for the corpus's current articles. */
  private visibleCache: { all: Manifest; visible: Manifest } | undefined;
  /** The engine's views (`within`), by their collections: each keeps its own people and titles. */
  private readonly views = new Map<string, Engine>();

  private constructor(
    readonly embedder: Embedder,
    /** The index folder; with Postgres, the folder of what is this host's own (the feeds' back-off). */
    readonly indexDir: string,
    private readonly corpus: Corpus,
    /** The collections this engine answers from (`within`); undefined: every article. */
    readonly collections?: readonly string[],
    /** The engine over every article, which keeps the views; itself when it is that engine. */
    private readonly root?: Engine,
  ) {}

  /**
   * The same engine seeing only the articles of these collections (`src/index/collections.ts`):
   * retrieval, ranking and refusals are computed over them, and every lookup (titles, people,
   * outlets, autocomplete) knows no other. Views share the store; each is made once.
   */
  within(collections: readonly string[] | undefined): Engine {
    if (this.root) return this.root.within(collections);
    if (collections === undefined) return this;
    const names = [...new Set(collections)].sort();
    const key = names.join('\n');
    let view = this.views.get(key);
    if (!view) {
      // One view per server and setting in use; past that many, the oldest are made again when next needed.
      if (this.views.size >= MAX_VIEWS) this.views.delete(this.views.keys().next().value!);
      this.views.set(key, (view = new Engine(this.embedder, this.indexDir, this.corpus, names, this)));
    }
    return view;
  }

  /**
   * Opens the live file index; given the embedder still loading, reads the index meanwhile. `log`
   * hears when the generation `CURRENT` names is damaged and an earlier intact one answers instead.
   */
  static async open(embedder: Embedder | Promise<Embedder>, indexDir: string, log?: Logger): Promise<Engine> {
    const loaded = loadedModel(embedder);
    const corpus = await FileCorpus.open(indexDir, loaded.then(stampOf), log);
    return new Engine(await loaded, indexDir, corpus);
  }

  /**
   * The engine over the index in Postgres (`DATABASE_URL`): the articles' descriptions, people and
   * BM25 figures are read now, rows per question. `stateDir` keeps what is this host's own.
   */
  static async openPostgres(embedder: Embedder | Promise<Embedder>, corpus: PgCorpus, stateDir: string): Promise<Engine> {
    return new Engine(await loadedModel(embedder), stateDir, corpus);
  }

  /** Where ingests write what this engine answers from: the index folder, or the Postgres store. */
  get target(): IndexTarget {
    return this.corpus.target;
  }

  /** Where the index is: the file index in `indexDir`, or Postgres. */
  get store(): 'files' | 'postgres' {
    return typeof this.corpus.target === 'string' ? 'files' : 'postgres';
  }

  /** Closes the database connections (nothing to close for the file index). */
  async close(): Promise<void> {
    await this.corpus.close();
  }

  /** The file index's generation in memory (Postgres keeps none: see `manifest`). */
  get snapshot(): Snapshot {
    if (!(this.corpus instanceof FileCorpus)) throw new Error('The index is in Postgres: there is no file index snapshot.');
    return this.corpus.snapshot;
  }

  /** Every article the engine answers from (those of its collections), by id. */
  get manifest(): Manifest {
    const all = this.corpus.manifest;
    if (this.collections === undefined) return all;
    if (this.visibleCache?.all !== all) {
      const articles = new Map([...all.articles].filter(([, article]) => isVisible(article, this.collections)));
      this.visibleCache = { all, visible: { ...all, articles } };
    }
    return this.visibleCache.visible;
  }

  private get people(): PeopleIndex {
    if (this.peopleCache?.manifest !== this.manifest) {
      this.peopleCache = { manifest: this.manifest, index: new PeopleIndex(this.corpus.people, this.manifest) };
    }
    return this.peopleCache.index;
  }

  /** The articles' titles for fuzzy lookups of the current generation (bounded whatever their number: `Shortlist`). */
  private get titles(): Shortlist<IndexedArticle> {
    if (this.titlesCache?.manifest !== this.manifest) this.titlesCache = { manifest: this.manifest, titles: titleShortlist([...this.manifest.articles.values()]) };
    return this.titlesCache.titles;
  }

  /** The rows a question reads and retrieval over them: the whole file index, or its candidates' articles in Postgres. */
  private async reading(question: QuestionTerms, vector: Float32Array): Promise<Reading> {
    const recent = recentScope(question);
    const retriever = await this.corpus.retrieverFor(searchStemsOf(question), vector, recent ? [question.scope, recent] : [question.scope], contextWeights(question));
    if (this.featuresCache?.retriever === retriever) return this.featuresCache;
    this.featuresCache = { retriever, features: new CandidateFeatures(retriever.snapshot, retriever, this.embedder.wordVectors) };
    return this.featuresCache;
  }

  /** Switches to what was written since (a newer generation, or Postgres's new writes); returns whether anything changed. */
  reload(): Promise<boolean> {
    return this.corpus.reload();
  }

  article(id: string): IndexedArticle | undefined {
    return this.manifest.articles.get(id);
  }

  citation(articleId: string): Citation {
    const a = this.article(articleId)!;
    const citation: Citation = { articleId, title: a.title, reference: sourceReference(a) };
    if (a.url) citation.url = a.url;
    if (a.outlet) citation.outlet = a.outlet;
    if (a.agency) citation.agency = a.agency;
    if (a.date) citation.date = a.date;
    return citation;
  }

  /** Retrieval alone: ranked paragraphs for a question (used by the evaluation and the benchmark). */
  async retrieve(question: string, k: number, options: AskOptions = {}): Promise<RetrievedHit[]> {
    const { terms, vector } = await this.understood(question, options);
    return this.rankedHits(terms, vector, k, options.mode);
  }

  /**
   * A question as retrieval and ranking take it: its terms (its moment and filters in their
   * scope) and its vector; for a follow-up, its pronouns resolved, and the earlier questions'
   * stems and vector added at `CONTEXT_WEIGHT`.
   */
  private async understood(question: string, { asOf, filter, context = [], contextWeight = CONTEXT_WEIGHT }: AskOptions): Promise<{ terms: QuestionTerms; vector: Float32Array }> {
    const query = this.searchQuery(context.length ? resolvedFollowUp(question, context) : question);
    const asked = this.questionTerms(query, asOf, filter);
    if (context.length === 0) return { terms: asked, vector: (await this.embedder.embed([query]))[0]! };
    const earlier = this.searchQuery(contextText(context.slice(-MAX_FOLLOW_UPS)));
    const [own, before] = await this.embedder.embed([query, earlier]);
    const ownStems = new Set(asked.stems);
    const contextStems = [...new Set(terms(earlier))].filter((stem) => !ownStems.has(stem));
    return { terms: { ...asked, contextStems, contextWeight }, vector: normalised(own!.map((x, i) => x + contextWeight * before![i]!)) };
  }

  /** Retrieval with an already embedded question: the hybrid ranking, then the question-aware reranking. */
  retrieveByVector(question: string, vector: Float32Array, k: number, options: AskOptions = {}): Promise<RetrievedHit[]> {
    return this.rankedHits(this.questionTerms(this.searchQuery(question), options.asOf, options.filter), vector, k, options.mode);
  }

  private async rankedHits(question: QuestionTerms, vector: Float32Array, k: number, mode?: RetrievalMode): Promise<RetrievedHit[]> {
    const reading = await this.reading(question, vector);
    const { paragraphs } = reading.retriever.snapshot;
    return this.ranked(reading, question, vector, mode)
      .slice(0, k)
      .map((c) => ({ ...c.hit, paragraph: paragraphs.at(c.hit.row) }));
  }

  /** The candidates of a question with their ranking features, in the hybrid retrieval's order (the evaluation reranks them). */
  async candidates(question: QuestionTerms, vector: Float32Array, mode: RetrievalMode = 'hybrid'): Promise<Candidates> {
    const reading = await this.reading(question, vector);
    return { candidates: this.candidatesIn(reading, question, vector, mode), paragraphs: reading.retriever.snapshot.paragraphs };
  }

  private candidatesIn({ retriever, features }: Reading, question: QuestionTerms, vector: Float32Array, mode: RetrievalMode, k = MAX_RANKED): Candidate[] {
    const stems = searchStemsOf(question);
    const weights = contextWeights(question);
    const hits = retriever.search(stems, vector, k, { mode, scope: question.scope, weights });
    const recent = recentScope(question);
    if (mode === 'hybrid' && recent) hits.push(...recentHits(retriever, stems, vector, recent, hits, weights));
    return features.describe(question, hits);
  }

  /** The words to search for: the question without mentions and custom emoji, typos fixed. */
  searchQuery(question: string): string {
    return correctedSpelling(spelledOut(searchText(question)), this.corpus.vocabulary, this.embedder.wordVectors);
  }

  /** What the ranking needs of a question: its stems, its meaningful words, the kind of answer it asks for, its moment. */
  questionTerms(query: string, asOf?: string | null, filter: ArticleFilter = {}): QuestionTerms {
    const moment = asOf === undefined ? today() : (asOf ?? undefined);
    const measure = measureOf(query);
    const counted = countedNoun(query);
    const kind = askedKind(query);
    return {
      stems: terms(query),
      words: questionWords(query),
      type: answerType(query),
      ...(measure ? { measure } : {}),
      ...(counted ? { counted } : {}),
      ...(kind ? { kind } : {}),
      ...(asksAboutNow(query) ? { now: true } : {}),
      ...(moment ? { asOf: moment } : {}),
      scope: { ...filter, ...(moment ? { asOf: moment } : {}), ...(this.collections ? { collections: this.collections } : {}) },
    };
  }

  private ranked(reading: Reading, question: QuestionTerms, vector: Float32Array, mode: RetrievalMode = 'hybrid'): Candidate[] {
    const candidates = this.candidatesIn(reading, question, vector, mode);
    if (mode !== 'hybrid') return candidates;
    return candidates.map((c) => ({ c, score: rankScore(c.features) })).sort((a, b) => b.score - a.score).map(({ c }) => c);
  }

  async ask(rawQuestion: string, options: AskOptions = {}): Promise<AskResult> {
    const question = cleanQuestion(rawQuestion);
    const results = options.results ?? PASSAGES_PER_ANSWER.default;
    const offset = options.offset ?? 0;
    const { terms, vector } = await this.understood(question, options);
    const nothing = this.nothingInScope(question, terms.scope, options.filter);
    if (nothing) return nothing;
    const reading = await this.reading(terms, vector);
    const ranked = this.ranked(reading, terms, vector, options.mode);
    const verdict = judge(ranked, evidenceOf(ranked));
    if (verdict === 'off-topic' || ranked.length <= offset) {
      return {
        kind: 'refusal',
        question,
        message:
          offset > 0
            ? 'There are no further passages on this.'
            : options.filter && !isEverything(options.filter)
              ? `Nothing in the articles matching ${describeFilter(options.filter, (id) => this.article(id)?.title)} covers this. Try without the filter, or other words.`
              : 'The articles I have do not cover this. Try other words, or ask about a story in the collection.',
      };
    }
    const choice = chooseAnswer(ranked);
    const shown = ranked.slice(offset, offset + results);
    const byOutlet = outletAnswers(await this.passages(reading, vector, terms, shown), shown);
    const passages = byOutlet.passages;
    const answerLine = offset === 0 ? choice : undefined;
    const answerDay = answerLine && terms.type === 'date' ? this.dayNamed(answerLine, reading.retriever.snapshot.paragraphs.at(ranked[0]!.hit.row)) : undefined;
    const dates = passages.map((p) => p.citation.date).filter((d): d is string => Boolean(d));
    const newest = offset === 0 ? this.newestForTimeAsked(question, terms.scope) : undefined;
    const answer: Answer = {
      kind: 'answer',
      question,
      confidence: choice ? 'answer' : verdict,
      ...(answerLine ? { answerLine } : {}),
      ...(answerDay ? { answerDay } : {}),
      ...(dates.length ? { asOf: dates.sort().at(-1)! } : {}),
      ...(newest ? { newestForTimeAsked: newest } : {}),
      passages,
      ...(byOutlet.outlets ? { outlets: byOutlet.outlets } : {}),
      ...(byOutlet.differ ? { outletsDiffer: true } : {}),
      offset,
      hasMore: ranked.length > offset + results,
    };
    return answer;
  }

  /** The day a date answer found in a paragraph names, read against its article's date. */
  private dayNamed(answer: string, paragraph: Paragraph): string | undefined {
    const published = this.article(paragraph.articleId)?.date;
    return published ? calendarDayOf(answer, paragraph.text, published) : undefined;
  }

  /**
   * The filter that words typed for `since`, `until`, `outlet` and `article` name, as of the moment
   * of asking (today by default); a value that names nothing in the index is refused, naming its option.
   */
  filterOf(words: FilterWords, asOf: string | null = today()): ArticleFilter {
    return articleFilter(words, asOf ?? today(), {
      outletOf: (typed) => this.outlets().find((outlet) => outlet.toLowerCase() === typed.toLowerCase()),
      articleOf: (typed) => {
        const match = findArticle([...this.manifest.articles.values()], typed.slice(0, MAX_LOOKUP_LENGTH), this.titles);
        return match.kind === 'found' ? match.article.id : undefined;
      },
    });
  }

  /** Up to 25 outlets of the articles for a prefix (autocomplete), those with the most articles first. */
  suggestOutlets(prefix: string, limit = 25): string[] {
    const typed = prefix.slice(0, MAX_LOOKUP_LENGTH).trim().toLowerCase();
    return this.outlets()
      .filter((outlet) => outlet.toLowerCase().includes(typed))
      .slice(0, limit);
  }

  /** The outlets of the articles, those with the most articles first. */
  private outlets(): string[] {
    if (this.outletsCache?.manifest !== this.manifest) {
      const counts = new Map<string, number>();
      for (const article of this.manifest.articles.values()) if (article.outlet) counts.set(article.outlet, (counts.get(article.outlet) ?? 0) + 1);
      this.outletsCache = { manifest: this.manifest, outlets: [...counts].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).map(([outlet]) => outlet) };
    }
    return this.outletsCache.outlets;
  }

  /**
   * When the question asks about a time ("today", "this week") that no article in scope is from:
   * the time asked and the newest article's date, for the answer to say so.
   */
  private newestForTimeAsked(question: string, scope: Scope): { asked: string; newest: string } | undefined {
    const time = timeAsked(question, scope.asOf ?? today());
    if (!time) return undefined;
    const dates = [...this.manifest.articles.values()].filter((a) => inScope(a, scope)).map((a) => a.date).filter((d): d is string => d !== undefined);
    const newest = dates.sort().at(-1);
    return newest !== undefined && newest < time.since ? { asked: time.asked, newest } : undefined;
  }

  /** When a filter leaves no article: a refusal naming it, and how recent the newest article is. */
  private nothingInScope(question: string, scope: Scope, filter: ArticleFilter | undefined): AskResult | undefined {
    if (!filter || isEverything(filter)) return undefined;
    const articles = [...this.manifest.articles.values()];
    if (articles.some((article) => inScope(article, scope))) return undefined;
    const newest = articles
      .map((a) => a.date)
      .filter((date): date is string => date !== undefined && (scope.asOf === undefined || date <= scope.asOf))
      .sort()
      .at(-1);
    const described = describeFilter(filter, (id) => this.article(id)?.title);
    return {
      kind: 'refusal',
      question,
      message: `No article matches ${described}.${newest ? ` The newest article is from ${newest}.` : ''}`,
    };
  }

  /** A summary request, validated by `summaryRequest`: an article's summary or a topic digest (within `filter`). */
  summary(request: SummaryRequest, filter?: ArticleFilter): Promise<SummaryResult> {
    return request.kind === 'topic' ? this.digest(request.topic, filter) : this.summarize(request.article, request.sentences);
  }

  /** An extractive summary of the article that `query` names (the newest article when omitted). */
  async summarize(query: string | undefined, sentenceCount: number = SUMMARY_SENTENCES.default): Promise<SummaryResult> {
    checkedSentenceCount(sentenceCount);
    const articles = [...this.manifest.articles.values()];
    let article = newestFirst(articles)[0];
    if (query?.trim()) {
      const lookup = query.slice(0, MAX_LOOKUP_LENGTH);
      const match = findArticle(articles, lookup, this.titles);
      if (match.kind === 'not-found') {
        return {
          kind: 'refusal',
          question: query,
          message: `No article matches "${query.trim()}".`,
          suggestions: match.suggestions.map((a) => a.title),
        };
      }
      article = match.article;
    }
    if (!article) throw new UserError('The index holds no article yet.', 'Add some with: npm run ingest');
    const sentences = (await this.paragraphsOf(article.id)).flatMap((p) => sentencesOf(p.text));
    const chosen = selectSentences(sentences, await this.embedder.embed(sentences), { sentences: sentenceCount });
    return { kind: 'summary', citation: this.citation(article.id), sentences: chosen.map((i) => sentences[i]!) };
  }

  /** The best sentence or two from each of the articles that best match a topic. */
  async digest(rawTopic: string, filter?: ArticleFilter): Promise<SummaryResult> {
    const read = await this.topicRead(rawTopic, filter);
    if (read.kind === 'refusal') return read;
    const { topic, question, vector, reading } = read;
    const ranked = this.ranked(reading, question, vector);
    const bestPerArticle = new Map<string, Candidate>();
    for (const candidate of ranked) {
      const articleId = reading.retriever.snapshot.paragraphs.articleIdOf(candidate.hit.row);
      if (!bestPerArticle.has(articleId) && candidate.coverage.soft >= DIGEST_MIN_COVERAGE) bestPerArticle.set(articleId, candidate);
    }
    const chosen = [...bestPerArticle.values()].slice(0, DIGEST_ARTICLES);
    if (chosen.length === 0 || judge(ranked, evidenceOf(ranked)) === 'off-topic') {
      return { kind: 'refusal', question: topic, message: 'The articles I have do not cover this topic.' };
    }
    const passages = await this.passages(reading, vector, question, chosen);
    return { kind: 'digest', topic, items: passages.map((p) => ({ citation: p.citation, sentences: p.quote })) };
  }

  /**
   * A story as dated entries, oldest first (`/timeline`): for each day (or week, for a long
   * story) the sentences on the topic that moved it forward, each quoted exactly; a fact reported
   * again later is left out. With the number of articles on the topic per day, for the chart.
   */
  async timeline(rawTopic: string, filter?: ArticleFilter): Promise<TimelineResult> {
    const read = await this.topicRead(rawTopic, filter);
    if (read.kind === 'refusal') return read;
    const { topic, question, vector, reading } = read;
    const candidates = this.candidatesIn(reading, question, vector, 'hybrid', TIMELINE_CANDIDATES);
    const { paragraphs } = reading.retriever.snapshot;
    const about = candidates.filter((c) => c.coverage.soft >= DIGEST_MIN_COVERAGE && this.article(paragraphs.articleIdOf(c.hit.row))?.date);
    if (about.length === 0 || judge(candidates, evidenceOf(candidates)) === 'off-topic') {
      return { kind: 'refusal', question: topic, message: 'No dated article covers this topic.' };
    }
    const dates = new Map(about.map((c) => [paragraphs.articleIdOf(c.hit.row), this.article(paragraphs.articleIdOf(c.hit.row))!.date!]));
    const sentences = about.flatMap((c) => {
      const articleId = paragraphs.articleIdOf(c.hit.row);
      return sentencesOf(paragraphs.textOf(c.hit.row)).flatMap((text) => {
        const score = reading.features.coverage(question, text).soft;
        return score > 0 ? [{ date: dates.get(articleId)!, articleId, text, score, citation: this.citation(articleId) }] : [];
      });
    });
    const period = periodFor([...dates.values()]);
    return { kind: 'timeline', topic, period, entries: timelineEntries(sentences, period), coverage: coverageOf(dates, period) };
  }

  /**
   * The articles stored after `since` (ISO time), newest first, on `topic` when given (a passage
   * of theirs holds half its words, near-synonyms included): what a channel digest posts, each
   * with a two-sentence extractive summary; at most `limit`, and how many more there were.
   */
  async newArticles(since: string, { topic, limit = DIGEST_POST_ARTICLES }: { topic?: string; limit?: number } = {}): Promise<NewArticles> {
    let fresh = [...this.manifest.articles.values()].filter((a) => a.addedAt !== undefined && a.addedAt > since).sort((a, b) => b.addedAt!.localeCompare(a.addedAt!));
    if (topic?.trim() && fresh.length) {
      const read = await this.topicRead(topic);
      const about = read.kind === 'refusal' ? new Set<string>() : this.articlesAbout(read);
      fresh = fresh.filter((a) => about.has(a.id));
    }
    const items = [];
    for (const article of fresh.slice(0, limit)) {
      const sentences = (await this.paragraphsOf(article.id)).flatMap((p) => sentencesOf(p.text));
      const chosen = sentences.length <= NEW_ARTICLE_SENTENCES ? sentences.map((_, i) => i) : selectSentences(sentences, await this.embedder.embed(sentences), { sentences: NEW_ARTICLE_SENTENCES });
      items.push({ citation: this.citation(article.id), sentences: chosen.map((i) => sentences[i]!) });
    }
    return {
      kind: 'new-articles',
      ...(topic?.trim() ? { topic: topic.trim() } : {}),
      items,
      more: Math.max(0, fresh.length - items.length),
      ...(fresh[0]?.addedAt ? { newest: fresh[0].addedAt } : {}),
    };
  }

  /** A topic (of a digest, a timeline, a channel digest) read as a question without an answer type; a filter that leaves nothing is refused. */
  private async topicRead(rawTopic: string, filter?: ArticleFilter): Promise<TopicRead | Refusal> {
    const topic = cleanQuestion(rawTopic);
    const query = this.searchQuery(topic);
    const [vector] = await this.embedder.embed([query]);
    const question = { ...this.questionTerms(query, null, filter), type: 'none' as const };
    const nothing = this.nothingInScope(topic, question.scope, filter);
    if (nothing?.kind === 'refusal') return nothing;
    return { kind: 'topic', topic, question, vector: vector!, reading: await this.reading(question, vector!) };
  }

  /** The articles with a passage holding half the topic's words (near-synonyms included). */
  private articlesAbout({ question, vector, reading }: TopicRead): Set<string> {
    const { paragraphs } = reading.retriever.snapshot;
    return new Set(
      this.candidatesIn(reading, question, vector, 'hybrid', TIMELINE_CANDIDATES)
        .filter((c) => c.coverage.soft >= DIGEST_MIN_COVERAGE)
        .map((c) => paragraphs.articleIdOf(c.hit.row)),
    );
  }

  /** What the articles say about a person; with no name, the most mentioned people. */
  who(query?: string): WhoResult {
    if (!query?.trim()) {
      return {
        kind: 'people',
        people: this.people.top(WHO_LIST).map((p) => ({ name: p.name, role: mainRole(p), articles: p.articles.length, mentions: p.mentions })),
      };
    }
    const match = this.people.find(query);
    const label = (p: Person) => (mainRole(p) ? `${p.name} (${mainRole(p)})` : p.name);
    if (match.kind === 'ambiguous') {
      return { kind: 'refusal', question: query, message: `Several people are called "${query.trim()}":`, suggestions: match.candidates.map(label) };
    }
    if (match.kind === 'not-found') {
      return { kind: 'refusal', question: query, message: `Nobody called "${query.trim()}" is named in the articles.`, suggestions: match.suggestions.map(label) };
    }
    const { person } = match;
    return {
      kind: 'person',
      name: person.name,
      aliases: person.aliases,
      roles: person.roles.map((r) => ({ role: r.role, sentence: r.sentence, citation: this.citation(r.articleId) })),
      articles: person.articles.map((a) => ({ citation: this.citation(a.articleId), mentions: a.mentions })),
      quotes: person.quotes.slice(0, WHO_QUOTES).map((q) => ({ text: q.text, citation: this.citation(q.articleId) })),
    };
  }

  /**
   * Whether a quote is in the articles (`/verify`): word for word (the earliest article, how many
   * carry it), in other words (the sentence, the words that differ), or not (the closest sentence,
   * labelled as no match). With a person, only the words the articles attribute to them count.
   */
  async verify(rawQuote: string, person?: string): Promise<VerifyResult> {
    const quote = cleanQuote(rawQuote);
    if (quote.length > MAX_QUOTE_LENGTH) throw new UserError(`The quote is too long (${quote.length} characters; at most ${MAX_QUOTE_LENGTH}).`);
    if (comparedWords(quote).length < MIN_QUOTE_WORDS) return { kind: 'refusal', question: quote, message: `Give at least ${MIN_QUOTE_WORDS} words of the quote.` };
    let speaker: Person | undefined;
    if (person?.trim()) {
      const match = this.people.find(person.slice(0, MAX_LOOKUP_LENGTH));
      // Not found or ambiguous: the same refusal as /who, with its suggestions.
      if (match.kind !== 'found') return { ...(this.who(person.slice(0, MAX_LOOKUP_LENGTH)) as Refusal), question: quote };
      speaker = match.person;
    }
    const sources = await this.quoteSources(quote, speaker);
    const check = checkQuote(quote, sources, speaker?.name);
    const base = { kind: 'verification' as const, quote, ...(speaker ? { person: speaker.name } : {}) };
    const cited = (source: QuoteSource<Citation>) => ({ citation: source.citation, ...(source.speaker ? { speaker: source.speaker } : {}) });
    if (check.match === 'verbatim') {
      return { ...base, match: 'verbatim', sentence: check.sentence, ...cited(check.source), articles: check.articles, ...(check.firstDate ? { firstDate: check.firstDate } : {}) };
    }
    if (check.match === 'reworded') {
      return { ...base, match: 'reworded', sentence: check.sentence, ...cited(check.source), similarity: check.comparison.similarity, differences: check.comparison.differences };
    }
    return {
      ...base,
      match: 'not-found',
      ...(check.closest ? { sentence: check.closest.sentence, ...cited(check.closest.source), similarity: check.closest.similarity } : {}),
      ...(check.elsewhere ? { elsewhere: cited(check.elsewhere) } : {}),
    };
  }

  /** The paragraphs a quote is checked against: the closest by retrieval, and the words the articles attribute to `speaker`. */
  private async quoteSources(quote: string, speaker: Person | undefined): Promise<QuoteSource<Citation>[]> {
    const question = { ...this.questionTerms(quote, null), type: 'none' as const };
    const [vector] = await this.embedder.embed([quote]);
    const { retriever } = await this.reading(question, vector!);
    const { paragraphs } = retriever.snapshot;
    const found = retriever.search(question.stems, vector!, QUOTE_CANDIDATES, { scope: question.scope }).map((hit) => paragraphs.at(hit.row));
    const attributed = (speaker?.quotes ?? []).filter((q) => this.article(q.articleId)).map((q) => ({ articleId: q.articleId, text: q.text }));
    const speakers = this.people.speakers();
    const seen = new Set<string>();
    return [...attributed, ...found].flatMap(({ articleId, text }) => {
      const key = paragraphKey(articleId, text);
      if (seen.has(key)) return [];
      seen.add(key);
      const date = this.article(articleId)?.date;
      // Quoted words first; else reported speech naming one of the article's people.
      const said = speakers.get(key) ?? this.fullNameOf(reportedSpeaker(text, (this.corpus.people.get(articleId) ?? []).map((p) => p.name)));
      return [{ articleId, paragraph: text, citation: this.citation(articleId), ...(date ? { date } : {}), ...(said ? { speaker: said } : {}) }];
    });
  }

  /** A person's name as /who knows them (an article's "Putin" is "Vladimir Putin"). */
  private fullNameOf(name: string | undefined): string | undefined {
    if (name === undefined) return undefined;
    const match = this.people.find(name);
    return match.kind === 'found' ? match.person.name : name;
  }

  /** Up to 25 person names for a prefix (autocomplete). */
  suggestPeople(prefix: string): string[] {
    return this.people.autocomplete(prefix.slice(0, MAX_LOOKUP_LENGTH));
  }

  /** Up to 25 article titles for a prefix (autocomplete), newest first when the prefix is empty. */
  suggestArticles(prefix: string, limit = 25): { id: string; title: string }[] {
    const articles = [...this.manifest.articles.values()];
    const typed = prefix.slice(0, MAX_LOOKUP_LENGTH);
    const found = typed.trim() ? this.titles.search(typed, limit).map((r) => r.item) : newestFirst(articles).slice(0, limit);
    return found.map((a) => ({ id: a.id, title: a.title }));
  }

  /** An article's paragraphs in order (none for an article this engine does not see). */
  async paragraphsOf(articleId: string): Promise<Paragraph[]> {
    return this.article(articleId) ? this.corpus.paragraphsOf(articleId) : [];
  }

  private async passages({ retriever, features }: Reading, questionVector: Float32Array, question: QuestionTerms, candidates: Candidate[]): Promise<Passage[]> {
    const { paragraphs } = retriever.snapshot;
    const sentenceLists = candidates.map((c) => sentencesOf(paragraphs.textOf(c.hit.row)));
    const vectors = await this.embedder.embed(sentenceLists.flat());
    let next = 0;
    return candidates.map((candidate, i) => {
      const paragraph = paragraphs.at(candidate.hit.row);
      const sentences = sentenceLists[i]!;
      const similarities = sentences.map(() => dotProduct(questionVector, vectors[next++]!));
      const answers = preferredAnswers(candidate.answers).map((a) => a.text);
      const scored = scoreSentences(sentences, similarities, (text) => features.coverage(question, text).soft, answers);
      return {
        citation: this.citation(paragraph.articleId),
        position: paragraph.position,
        paragraph: paragraph.text,
        quote: pickQuote(scored),
        score: candidate.hit.score,
      };
    });
  }
}

/**
 * The question's words that carry meaning, each stemmed here once for the whole ranking (a word
 * without a stem is left out), with the stems of its WordNet synonyms and those of the phrase it
 * starts ("walked out" → strike), of the words one step from it in WordNet, the words of the same
 * root ("owns" → owner) and, where the question uses it as a verb, its more general verbs ("walked
 * out" → protest; not "number" → classify in "the june inflation number"), which count as synonyms,
 * and its WordNet opposites ("fastest" → slow); the first `WORDNET_LOOKUPS` words are looked up.
 */
function questionWords(query: string): QuestionWord[] {
  const all = words(query);
  return all.flatMap((word, i) => {
    if (isStopWord(word)) return [];
    const [stem] = terms(word);
    if (!stem) return [];
    const next = all[i + 1];
    const phrases = i >= WORDNET_LOOKUPS ? [] : next ? [word, `${word} ${next}`] : [word];
    const asVerb = usedAsVerb(word, all[i - 1]);
    const related = phrases.flatMap((phrase) => wordNet().related(phrase, asVerb)).filter((s) => !isStopWord(s) && !GENERAL_VERBS.has(s));
    const synonyms = new Set([...phrases.flatMap((phrase) => wordNet().synonyms(phrase)), ...related].filter((s) => !s.includes(' ')).map((s) => stemOf(s)));
    synonyms.delete(stem);
    const antonyms = new Set(i >= WORDNET_LOOKUPS ? [] : wordNet().antonyms(word));
    const kind = kindOf(word);
    return [{ word, stem, synonyms, antonyms, ...(kind === 'country' || kind === 'city' || kind === 'region' ? { place: true } : {}) }];
  });
}

/** Verbs so general that being one step from them says nothing ("lead" → make, "kill" → end). */
const GENERAL_VERBS = new Set('be have get make do go come take give put set move change use cause end act happen occur keep hold let'.split(' '));

const QUOTATION_MARKS = new Set(['"', '“', '”', "'", '‘', '’', '«', '»', '„']);

/** A quote as typed, without the quotation marks around it (read from both ends, never backtracking). */
function cleanQuote(raw: string): string {
  const text = raw.trim();
  let start = 0;
  let end = text.length;
  while (start < end && QUOTATION_MARKS.has(text[start]!)) start++;
  while (end > start && QUOTATION_MARKS.has(text[end - 1]!)) end--;
  return text.slice(start, end).trim();
}

/** The embedder once its sentence model is loaded. */
async function loadedModel(embedder: Embedder | Promise<Embedder>): Promise<Embedder> {
  const loaded = await embedder;
  await loaded.ready;
  return loaded;
}

function today(): string {
  return new Date().toISOString().slice(0, 10);
}

function stampOf(embedder: Embedder): ModelStamp {
  return { id: embedder.modelId, dimensions: embedder.dimensions, checksum: embedder.checksum };
}

/** The question's scope narrowed to the week before its moment, when it has one (see `recentHits`). */
function recentScope(question: QuestionTerms): Scope | undefined {
  if (!question.asOf) return undefined;
  const since = dayBefore(question.asOf, RECENT_DAYS);
  return { ...question.scope, since: question.scope.since && question.scope.since > since ? question.scope.since : since };
}

/**
 * The best passages of the week before the question that the whole index's ranking left out,
 * placed after its last: in a large archive, a short question's words ("which city will host the
 * talks") find older stories first, and the ranking can prefer the news of the moment only when
 * it is among the candidates.
 */
function recentHits(retriever: Retriever, stems: string[], vector: Float32Array, recent: Scope, hits: readonly Hit[], weights: ReadonlyMap<string, number> | undefined): Hit[] {
  const taken = new Set(hits.map((hit) => hit.row));
  const last = Math.min(...hits.map((hit) => hit.score));
  return retriever
    .search(stems, vector, RECENT_CANDIDATES, { mode: 'hybrid', scope: recent, weights })
    .filter((hit) => !taken.has(hit.row))
    .map((hit) => ({ ...hit, score: Number.isFinite(last) ? last : hit.score }));
}

/** What retrieval searches for: the question's stems, and a follow-up's earlier ones. */
function searchStemsOf(question: QuestionTerms): string[] {
  return question.contextStems?.length ? [...question.stems, ...question.contextStems] : question.stems;
}

/** The earlier questions' stems count less in BM25 (`CONTEXT_WEIGHT`). */
function contextWeights(question: QuestionTerms): ReadonlyMap<string, number> | undefined {
  return question.contextStems?.length ? new Map(question.contextStems.map((stem) => [stem, question.contextWeight ?? CONTEXT_WEIGHT])) : undefined;
}

/** A vector scaled to length 1 (the zero vector stays zero). */
function normalised(vector: Float32Array): Float32Array {
  let norm = 0;
  for (const x of vector) norm += x * x;
  norm = Math.sqrt(norm);
  return norm === 0 ? vector : vector.map((x) => x / norm);
}

import { PASSAGES_PER_ANSWER, type Answer, type AskResult, type Citation, type Passage, type SummaryResult, type WhoResult } from './answers/answer.js';
import { articleSearch, findArticle } from './answers/find-article.js';
import { mainRole, PeopleIndex, type Person } from './answers/people-index.js';
import { selectSentences } from './answers/summarize.js';
import { checkedSentenceCount, SUMMARY_SENTENCES, type SummaryRequest } from './answers/summary-request.js';
import { cleanQuestion, searchText } from './answers/question.js';
import { pickQuote, scoreSentences, sentencesOf, termCoverage } from './answers/quotes.js';
import { sourceReference } from './articles/article.js';
import type { Embedder } from './embedding/embedder.js';
import { dotProduct } from './embedding/similarity.js';
import { UserError } from './errors.js';
import { assertSameModel, liveGenerationDir, readSnapshot } from './index/store.js';
import { newestFirst, paragraphsInOrder, type IndexedArticle, type Paragraph, type Snapshot } from './index/types.js';
import { Retriever, type Hit, type RetrievalMode } from './retrieval/retriever.js';
import { terms } from './articles/terms.js';

/**
 * A passage is relevant when it holds enough of the question's weight (idf-weighted term
 * coverage) or is close enough in meaning. Tuned on the dev split: see README, "Evaluation".
 */
export const RELEVANCE = { minCoverage: 0.7, minDense: 0.55 } as const;
/** Passages considered for an answer (all pages of "more" included). */
const MAX_RANKED = 20;

/** Articles in a topic digest, and sentences quoted from each. */
const DIGEST_ARTICLES = 4;
/** People listed by `/who` without a name; quotations shown in a profile. */
const WHO_LIST = 10;
const WHO_QUOTES = 5;

export interface AskOptions {
  results?: number;
  offset?: number;
  mode?: RetrievalMode;
}

/** The question-answering engine over one index generation; `reload()` switches to a newer one. */
export class Engine {
  /** Built on first use (/who, autocomplete) for the current generation: not on the cold-start path. */
  private peopleCache: { snapshot: Snapshot; index: PeopleIndex } | undefined;
  private articleSearchCache: { snapshot: Snapshot; search: ReturnType<typeof articleSearch> } | undefined;

  private constructor(
    readonly embedder: Embedder,
    readonly indexDir: string,
    private retriever: Retriever,
  ) {}

  /** Opens the live index; given the embedder still loading, reads the index meanwhile. */
  static async open(embedder: Embedder | Promise<Embedder>, indexDir: string): Promise<Engine> {
    const [loaded, snapshot] = await Promise.all([embedder, readSnapshot(indexDir)]);
    return new Engine(loaded, indexDir, new Retriever(checkedSnapshot(loaded, indexDir, snapshot)));
  }

  get snapshot(): Snapshot {
    return this.retriever.snapshot;
  }

  private get people(): PeopleIndex {
    if (this.peopleCache?.snapshot !== this.snapshot) {
      this.peopleCache = { snapshot: this.snapshot, index: new PeopleIndex(this.snapshot.people ?? {}, this.snapshot.manifest) };
    }
    return this.peopleCache.index;
  }

  private get articleSearch(): ReturnType<typeof articleSearch> {
    if (this.articleSearchCache?.snapshot !== this.snapshot) {
      this.articleSearchCache = { snapshot: this.snapshot, search: articleSearch(Object.values(this.snapshot.manifest.articles)) };
    }
    return this.articleSearchCache.search;
  }

  /** Switches to the live generation if an ingest replaced it (a read of the pointer otherwise); returns whether it changed. */
  async reload(): Promise<boolean> {
    if (liveGenerationDir(this.indexDir) === this.snapshot.dir) return false;
    const snapshot = await loadSnapshot(this.embedder, this.indexDir);
    if (snapshot.dir === this.snapshot.dir) return false;
    this.retriever = new Retriever(snapshot);
    return true;
  }

  article(id: string): IndexedArticle | undefined {
    return this.snapshot.manifest.articles[id];
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
  async retrieve(question: string, k: number, mode: RetrievalMode = 'hybrid'): Promise<Hit[]> {
    const [vector] = await this.embedder.embed([question]);
    return this.retrieveByVector(question, vector!, k, mode);
  }

  /** Retrieval with an already embedded question. */
  retrieveByVector(question: string, vector: Float32Array, k: number, mode: RetrievalMode = 'hybrid'): Hit[] {
    return this.retriever.search(terms(searchText(question)), vector, k, mode);
  }

  async ask(rawQuestion: string, options: AskOptions = {}): Promise<AskResult> {
    const question = cleanQuestion(rawQuestion);
    const query = searchText(question);
    const results = options.results ?? PASSAGES_PER_ANSWER.default;
    const offset = options.offset ?? 0;
    const [vector] = await this.embedder.embed([query]);
    const stems = terms(query);
    const hits = this.retriever.search(stems, vector!, MAX_RANKED, options.mode).filter((hit) => this.isRelevant(stems, hit));
    if (hits.length <= offset) {
      return {
        kind: 'refusal',
        question,
        message:
          offset === 0
            ? 'The articles I have do not cover this. Try other words, or ask about a story in the collection.'
            : 'There are no further passages on this.',
      };
    }
    const page = hits.slice(offset, offset + results);
    const answer: Answer = {
      kind: 'answer',
      question,
      passages: await this.passages(vector!, stems, page),
      offset,
      hasMore: hits.length > offset + results,
    };
    return answer;
  }

  /** A summary request, validated by `summaryRequest`: an article's summary or a topic digest. */
  summary(request: SummaryRequest): Promise<SummaryResult> {
    return request.kind === 'topic' ? this.digest(request.topic) : this.summarize(request.article, request.sentences);
  }

  /** An extractive summary of the article that `query` names (the newest article when omitted). */
  async summarize(query: string | undefined, sentenceCount: number = SUMMARY_SENTENCES.default): Promise<SummaryResult> {
    checkedSentenceCount(sentenceCount);
    const articles = Object.values(this.snapshot.manifest.articles);
    let article = newestFirst(articles)[0];
    if (query?.trim()) {
      const match = findArticle(articles, query, this.articleSearch);
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
    const sentences = this.paragraphsOf(article.id).flatMap((p) => sentencesOf(p.text));
    const chosen = selectSentences(sentences, await this.embedder.embed(sentences), { sentences: sentenceCount });
    return { kind: 'summary', citation: this.citation(article.id), sentences: chosen.map((i) => sentences[i]!) };
  }

  /** The best sentence or two from each of the articles that best match a topic. */
  async digest(rawTopic: string): Promise<SummaryResult> {
    const topic = cleanQuestion(rawTopic);
    const query = searchText(topic);
    const stems = terms(query);
    const [vector] = await this.embedder.embed([query]);
    const bestHitPerArticle = new Map<string, Hit>();
    for (const hit of this.retriever.search(stems, vector!, MAX_RANKED * 2)) {
      const articleId = this.snapshot.paragraphs[hit.row]!.articleId;
      if (!bestHitPerArticle.has(articleId) && this.isRelevant(stems, hit)) bestHitPerArticle.set(articleId, hit);
    }
    const hits = [...bestHitPerArticle.values()].slice(0, DIGEST_ARTICLES);
    if (hits.length === 0) {
      return { kind: 'refusal', question: topic, message: 'The articles I have do not cover this topic.' };
    }
    const passages = await this.passages(vector!, stems, hits);
    return { kind: 'digest', topic, items: passages.map((p) => ({ citation: p.citation, sentences: p.quote })) };
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

  /** Up to 25 person names for a prefix (autocomplete). */
  suggestPeople(prefix: string): string[] {
    return this.people.autocomplete(prefix);
  }

  /** Up to 25 article titles for a prefix (autocomplete), newest first when the prefix is empty. */
  suggestArticles(prefix: string, limit = 25): { id: string; title: string }[] {
    const articles = Object.values(this.snapshot.manifest.articles);
    const found = prefix.trim() ? this.articleSearch.search(prefix, { limit }).map((r) => r.item) : newestFirst(articles).slice(0, limit);
    return found.map((a) => ({ id: a.id, title: a.title }));
  }

  /** An article's paragraphs in order. */
  paragraphsOf(articleId: string): Paragraph[] {
    return paragraphsInOrder(this.snapshot.paragraphs, articleId);
  }

  isRelevant(questionTerms: readonly string[], hit: Hit): boolean {
    const text = this.snapshot.paragraphs[hit.row]!.text;
    return termCoverage(this.retriever.bm25, questionTerms, text) >= RELEVANCE.minCoverage || hit.dense >= RELEVANCE.minDense;
  }

  private async passages(questionVector: Float32Array, questionTerms: readonly string[], hits: Hit[]): Promise<Passage[]> {
    const sentenceLists = hits.map((hit) => sentencesOf(this.snapshot.paragraphs[hit.row]!.text));
    const vectors = await this.embedder.embed(sentenceLists.flat());
    let next = 0;
    return hits.map((hit, i) => {
      const paragraph = this.snapshot.paragraphs[hit.row]!;
      const sentences = sentenceLists[i]!;
      const similarities = sentences.map(() => dotProduct(questionVector, vectors[next++]!));
      return {
        citation: this.citation(paragraph.articleId),
        position: paragraph.position,
        paragraph: paragraph.text,
        quote: pickQuote(scoreSentences(this.retriever.bm25, questionTerms, sentences, similarities)),
        score: hit.score,
      };
    });
  }
}


async function loadSnapshot(embedder: Embedder, indexDir: string): Promise<Snapshot> {
  return checkedSnapshot(embedder, indexDir, await readSnapshot(indexDir));
}

function checkedSnapshot(embedder: Embedder, indexDir: string, snapshot: Snapshot | undefined): Snapshot {
  if (!snapshot) throw new UserError(`No index in ${indexDir} yet.`, 'Build it with: npm run ingest');
  assertSameModel(snapshot.manifest, { id: embedder.modelId, dimensions: embedder.dimensions, checksum: embedder.checksum }, indexDir);
  return snapshot;
}

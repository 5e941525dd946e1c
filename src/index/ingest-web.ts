import type { Embedder } from '../embedding/embedder.js';
import type { Membership } from './collections.js';
import { ingestArticles, type IndexTarget, type IngestReport } from './ingest.js';
import { readGeneration } from './store.js';
import type { FetchLimits } from '../web/fetch-page.js';
import { FeedFailures } from '../web/feed-failures.js';
import { fetchArticles, knownLinks, newFeedLinks } from '../web/web-articles.js';

export interface WebSources {
  urls: string[];
  feeds: string[];
  /** For the links given (pages and feeds). */
  limits: FetchLimits;
  /**
   * For the items a feed lists: chosen by the feed's author, not by whoever gave the feed, so an
   * operator allowed private addresses for the links they type does not extend that to them.
   * The same as `limits` when omitted.
   */
  itemLimits?: FetchLimits;
  /**
   * Remember feed items that failed, in this folder, and skip them until their back-off passes
   * (the bot's polls). None for an operator's `npm run ingest -- --feed`, which tries everything
   * it is asked to.
   */
  backOffDir?: string;
  onProgress?: (done: number, total: number) => void;
  /** RETAIN_DAYS: pages and items dated earlier are not kept, and stored ones that have grown older are dropped. */
  retainDays?: number;
  /** The collection the articles join (the shared one by default). */
  collection?: Membership;
}

/**
 * Fetches the given pages and the new items of the given feeds, then ingests them in one
 * generation: a page that fails is reported with its reason and nothing of it is stored. A page
 * already in the index is updated only if its text changed.
 */
export async function ingestFromWeb(target: IndexTarget, embedder: Embedder, sources: WebSources): Promise<IngestReport & { articleIds: string[] }> {
  const stored = typeof target === 'string' ? (await readGeneration(target))?.manifest.articles : await target.articles();
  const known = knownLinks(stored?.values() ?? []);
  const failures = sources.backOffDir ? await FeedFailures.of(sources.backOffDir) : undefined;
  const fromFeeds = await newFeedLinks(sources.feeds, known, sources.limits, (link) => failures?.waiting(link) ?? false);
  const given = await fetchArticles(sources.urls, sources.limits);
  const items = await fetchArticles(fromFeeds.links, sources.itemLimits ?? sources.limits);
  if (failures && fromFeeds.links.length > 0) {
    for (const problem of items.problems) failures.failed(problem.location, problem.reason);
    for (const article of items.articles) failures.succeeded(article.source.location);
    await failures.save();
  }
  const articles = [...given.articles, ...items.articles];
  const problems = [...fromFeeds.problems, ...given.problems, ...items.problems];
  const report = await ingestArticles(target, embedder, articles, problems, { onProgress: sources.onProgress, retainDays: sources.retainDays, collection: sources.collection });
  return { ...report, articleIds: articles.map((a) => a.id) };
}

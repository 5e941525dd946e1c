import type { Embedder } from '../embedding/embedder.js';
import { ingestArticles, type IngestReport } from './ingest.js';
import { readSnapshot } from './store.js';
import type { FetchLimits } from '../web/fetch-page.js';
import { fetchArticles, knownLinks, newFeedLinks } from '../web/web-articles.js';

export interface WebSources {
  urls: string[];
  feeds: string[];
  limits: FetchLimits;
  onProgress?: (done: number, total: number) => void;
}

/**
 * Fetches the given pages and the new items of the given feeds, then ingests them in one
 * generation: a page that fails is reported with its reason and nothing of it is stored. A page
 * already in the index is updated only if its text changed.
 */
export async function ingestFromWeb(indexDir: string, embedder: Embedder, sources: WebSources): Promise<IngestReport & { articleIds: string[] }> {
  const snapshot = await readSnapshot(indexDir);
  const known = knownLinks(snapshot?.manifest.articles ?? {});
  const fromFeeds = await newFeedLinks(sources.feeds, known, sources.limits);
  const fetched = await fetchArticles([...sources.urls, ...fromFeeds.links], sources.limits);
  const report = await ingestArticles(indexDir, embedder, fetched.articles, [...fromFeeds.problems, ...fetched.problems], sources.onProgress);
  return { ...report, articleIds: fetched.articles.map((a) => a.id) };
}

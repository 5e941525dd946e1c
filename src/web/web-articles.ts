import { createHash } from 'node:crypto';
import { getDomain } from 'tldts';
import type { Article, ParseProblem } from '../articles/article.js';
import { extractHtmlArticle } from '../articles/html-worker.js';
import { parseFeed, type FeedItem } from './feed.js';
import { fetchPage, type FetchLimits } from './fetch-page.js';

const HTML = /^\s*(text\/html|application\/xhtml\+xml)\b/i;
const FEED = /^\s*(application\/(rss|atom|rdf)\+xml|application\/xml|text\/xml)\b/i;

/** A stable id for a web article: its canonical address, hashed. */
export function webArticleId(canonicalUrl: string): string {
  return `web-${createHash('sha256').update(canonicalUrl).digest('hex').slice(0, 16)}`;
}

/**
 * Whether a page may name `claimed` as its canonical address: only on its own registrable domain
 * (`www.reuters.com` for `reuters.com`; the same host for addresses without one, such as IPs).
 * Otherwise any page could claim a real outlet's address, and with it that article's id and link.
 */
export function mayClaim(claimed: string, fetchedFrom: string): boolean {
  const claim = new URL(claimed);
  const fetched = new URL(fetchedFrom);
  if (claim.protocol !== 'http:' && claim.protocol !== 'https:') return false;
  const site = (host: string) => getDomain(host, { allowPrivateDomains: true }) ?? host;
  return site(claim.hostname) === site(fetched.hostname);
}

/** Fetches a page and extracts its article; its canonical address (when it may claim it) becomes its id and its link. */
export async function fetchArticle(link: string, limits: FetchLimits): Promise<Article> {
  const page = await fetchPage(link, HTML, limits);
  const article = await extractHtmlArticle(page.body, link, page.url);
  article.url = article.url && mayClaim(article.url, page.url) ? article.url : page.url;
  article.id = webArticleId(article.url);
  article.source = { location: link };
  return article;
}

export async function fetchFeedItems(feedUrl: string, limits: FetchLimits): Promise<FeedItem[]> {
  const page = await fetchPage(feedUrl, FEED, limits);
  try {
    return parseFeed(page.body, page.url);
  } catch (error) {
    throw new Error(`${feedUrl}: ${(error as Error).message}`);
  }
}

/** Whether a link was already ingested: as an article's canonical address or as the link it was fetched from. */
export function knownLinks(articles: Iterable<Pick<Article, 'url' | 'source'>>): Set<string> {
  const links = new Set<string>();
  for (const a of articles) {
    if (a.url) links.add(a.url);
    if (/^https?:/.test(a.source.location)) links.add(a.source.location);
  }
  return links;
}

export interface Fetched {
  articles: Article[];
  problems: ParseProblem[];
}

/**
 * Fetches every link; a link that fails becomes a problem with its reason, the others go on.
 * Politely: one request at a time per host, `hostDelayMs` apart, and `parallelHosts` hosts at once.
 */
export async function fetchArticles(links: string[], limits: FetchLimits): Promise<Fetched> {
  const outcomes = new Map<string, Article | ParseProblem>();
  const byHost = new Map<string, string[]>();
  for (const link of new Set(links)) {
    const host = hostOf(link);
    if (!byHost.has(host)) byHost.set(host, []);
    byHost.get(host)!.push(link);
  }
  const queues = [...byHost.values()];
  const fetchQueue = async (queue: string[]) => {
    for (const [i, link] of queue.entries()) {
      if (i > 0) await new Promise((resolve) => setTimeout(resolve, limits.hostDelayMs));
      outcomes.set(link, await fetchArticle(link, limits).catch((error: Error) => ({ location: link, reason: error.message.replace(`${link}: `, '') })));
    }
  };
  const workers = Array.from({ length: Math.min(limits.parallelHosts, queues.length) }, async () => {
    for (let queue = queues.shift(); queue; queue = queues.shift()) await fetchQueue(queue);
  });
  await Promise.all(workers);
  const result: Fetched = { articles: [], problems: [] };
  for (const link of links) {
    const outcome = outcomes.get(link)!;
    if ('reason' in outcome) result.problems.push(outcome);
    else result.articles.push(outcome);
  }
  return result;
}

function hostOf(link: string): string {
  try {
    return new URL(link).host;
  } catch {
    return link;
  }
}

/** New items taken from one feed in one poll, newest first: a feed of 100,000 items is read a page at a time. */
export const MAX_ITEMS_PER_FEED = 50;

/** Newest first by the item's date; items without a readable date keep the feed's order, after the dated ones. */
function newestItemsFirst(items: FeedItem[]): FeedItem[] {
  const time = (item: FeedItem) => (item.date ? Date.parse(item.date) : Number.NaN);
  return items
    .map((item, order) => ({ item, order, at: time(item) }))
    .sort((a, b) => (Number.isNaN(a.at) ? (Number.isNaN(b.at) ? a.order - b.order : 1) : Number.isNaN(b.at) ? -1 : b.at - a.at || a.order - b.order))
    .map(({ item }) => item);
}

/**
 * The new items of feeds: links not ingested before and not waiting out a back-off after failing,
 * at most `MAX_ITEMS_PER_FEED` of each feed per poll.
 */
export async function newFeedLinks(
  feeds: string[],
  known: Set<string>,
  limits: FetchLimits,
  waiting: (link: string) => boolean = () => false,
): Promise<{ links: string[]; problems: ParseProblem[] }> {
  const links = new Set<string>();
  const problems: ParseProblem[] = [];
  for (const feed of feeds) {
    try {
      let taken = 0;
      for (const item of newestItemsFirst(await fetchFeedItems(feed, limits))) {
        if (taken >= MAX_ITEMS_PER_FEED) break;
        if (known.has(item.link) || links.has(item.link) || waiting(item.link)) continue;
        links.add(item.link);
        taken += 1;
      }
    } catch (error) {
      problems.push({ location: feed, reason: (error as Error).message.replace(`${feed}: `, '') });
    }
  }
  return { links: [...links], problems };
}

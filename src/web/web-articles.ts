import { createHash } from 'node:crypto';
import type { Article, ParseProblem } from '../articles/article.js';
import { parseHtmlArticle } from '../articles/parse-html.js';
import { parseFeed, type FeedItem } from './feed.js';
import { fetchPage, type FetchLimits } from './fetch-page.js';

const HTML = /^\s*(text\/html|application\/xhtml\+xml)\b/i;
const FEED = /^\s*(application\/(rss|atom|rdf)\+xml|application\/xml|text\/xml)\b/i;

/** A stable id for a web article: its canonical address, hashed. */
export function webArticleId(canonicalUrl: string): string {
  return `web-${createHash('sha256').update(canonicalUrl).digest('hex').slice(0, 16)}`;
}

/** Fetches a page and extracts its article; the canonical address becomes its id and its link. */
export async function fetchArticle(link: string, limits: FetchLimits): Promise<Article> {
  const page = await fetchPage(link, HTML, limits);
  const article = parseHtmlArticle(page.body, link, page.url);
  article.url ??= page.url;
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
export function knownLinks(articles: Record<string, Pick<Article, 'url' | 'source'>>): Set<string> {
  const links = new Set<string>();
  for (const a of Object.values(articles)) {
    if (a.url) links.add(a.url);
    if (/^https?:/.test(a.source.location)) links.add(a.source.location);
  }
  return links;
}

export interface Fetched {
  articles: Article[];
  problems: ParseProblem[];
}

/** Fetches every link; a link that fails becomes a problem with its reason, the others go on. */
export async function fetchArticles(links: string[], limits: FetchLimits): Promise<Fetched> {
  const result: Fetched = { articles: [], problems: [] };
  for (const link of links) {
    try {
      result.articles.push(await fetchArticle(link, limits));
    } catch (error) {
      result.problems.push({ location: link, reason: (error as Error).message.replace(`${link}: `, '') });
    }
  }
  return result;
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

/** The new items of feeds: links not ingested before, at most `MAX_ITEMS_PER_FEED` of each feed per poll. */
export async function newFeedLinks(feeds: string[], known: Set<string>, limits: FetchLimits): Promise<{ links: string[]; problems: ParseProblem[] }> {
  const links = new Set<string>();
  const problems: ParseProblem[] = [];
  for (const feed of feeds) {
    try {
      let taken = 0;
      for (const item of newestItemsFirst(await fetchFeedItems(feed, limits))) {
        if (taken >= MAX_ITEMS_PER_FEED) break;
        if (known.has(item.link) || links.has(item.link)) continue;
        links.add(item.link);
        taken += 1;
      }
    } catch (error) {
      problems.push({ location: feed, reason: (error as Error).message.replace(`${feed}: `, '') });
    }
  }
  return { links: [...links], problems };
}

import { XMLParser } from 'fast-xml-parser';

export interface FeedItem {
  link: string;
  title?: string;
  date?: string;
}

const parser = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '@', textNodeName: '#text' });
const list = <T>(value: T | T[] | undefined): T[] => (value === undefined ? [] : Array.isArray(value) ? value : [value]);
const text = (value: unknown): string | undefined =>
  typeof value === 'string' ? value.trim() : typeof value === 'object' && value ? text((value as { '#text'?: unknown })['#text']) : undefined;

/** The items of an RSS 2.0, RSS 1.0 (RDF) or Atom feed, with their links resolved against the feed's address. */
export function parseFeed(xml: string, feedUrl: string): FeedItem[] {
  let doc: Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
  try {
    doc = parser.parse(xml);
  } catch (error) {
    throw new Error(`not a readable feed: ${(error as Error).message}`);
  }
  const resolve = (link: string | undefined) => {
    try {
      return link ? new URL(link, feedUrl).href : undefined;
    } catch {
      return undefined;
    }
  };
  const rssItems = list(doc.rss?.channel?.item).concat(list(doc['rdf:RDF']?.item));
  const atomEntries = list(doc.feed?.entry);
  if (!doc.rss && !doc['rdf:RDF'] && !doc.feed) throw new Error('not an RSS or Atom feed');
  const items: FeedItem[] = [];
  for (const item of rssItems) {
    const link = resolve(text(item.link) ?? text(item.guid));
    if (link) items.push({ link, title: text(item.title), date: text(item.pubDate) ?? text(item['dc:date']) });
  }
  for (const entry of atomEntries) {
    const links = list(entry.link) as { '@href'?: string; '@rel'?: string }[];
    const alternate = links.find((l) => !l['@rel'] || l['@rel'] === 'alternate') ?? links[0];
    const link = resolve(alternate?.['@href']);
    if (link) items.push({ link, title: text(entry.title), date: text(entry.published) ?? text(entry.updated) });
  }
  return items;
}

/**
 * Collections (issue #17): every article belongs to one or more. The operator's sources (the
 * seeds, `npm run ingest`, FEEDS) form the shared collection, seen in every server; `/add` in a
 * server adds to that server's own collection, seen only there. An article added in two servers
 * is stored once and belongs to both.
 */
import type { IndexedArticle, Membership } from './types.js';

export type { Membership } from './types.js';

/** The collection of the operator's sources. */
export const SHARED = 'shared';

/** A Discord id: a snowflake, digits only (it names files and collections, so nothing else passes). */
const SNOWFLAKE = /^\d{15,21}$/;

export function isSnowflake(id: string): boolean {
  return SNOWFLAKE.test(id);
}

/** The collection of a Discord server. */
export function serverCollection(guildId: string): string {
  if (!isSnowflake(guildId)) throw new Error(`not a Discord server id: ${JSON.stringify(guildId.slice(0, 40))}`);
  return `server:${guildId}`;
}

/** A collection name as typed by an operator (`--collection`): `shared` or `server:<id>`. */
export function checkedCollection(name: string): string {
  if (name === SHARED) return name;
  const id = name.startsWith('server:') ? name.slice('server:'.length) : '';
  if (isSnowflake(id)) return name;
  throw new Error(`"${name.slice(0, 60)}" is not a collection: use "shared" or "server:<server id>"`);
}

/** An article's memberships; an article stored before collections existed is in the shared one. */
export function membershipsOf(article: Pick<IndexedArticle, 'collections'>): Membership[] {
  return article.collections?.length ? article.collections : [{ name: SHARED }];
}

export function collectionNamesOf(article: Pick<IndexedArticle, 'collections'>): string[] {
  return membershipsOf(article).map((m) => m.name);
}

/** Whether an article may be seen from these collections (undefined: from all of them). */
export function isVisible(article: Pick<IndexedArticle, 'collections'>, visible: readonly string[] | undefined): boolean {
  return visible === undefined || membershipsOf(article).some((m) => visible.includes(m.name));
}

/** An article's memberships once added to a collection (a new article: that one alone; one already there keeps its first addition). */
export function withMembership(stored: Pick<IndexedArticle, 'collections'> | undefined, added: Membership): Membership[] {
  if (!stored) return [added];
  const current = membershipsOf(stored);
  return current.some((m) => m.name === added.name) ? current : [...current, added];
}

/** The memberships without a collection: empty when the article belongs nowhere else (it is then removed). */
export function withoutCollection(article: Pick<IndexedArticle, 'collections'>, name: string): Membership[] {
  return membershipsOf(article).filter((m) => m.name !== name);
}

/**
 * The people index: the people of every article (extracted at ingest, stored per article in
 * `people.json` of the index generation) merged into one entry per person across articles.
 */
import { newestFirst } from '../index/order.js';
import { Shortlist } from '../retrieval/shortlist.js';
import type { Manifest } from '../index/types.js';
import type { ArticlePerson, PeopleByArticle } from '../people/extract.js';
import { bareName, surname } from '../people/names.js';

/** What `people.json` holds: each article's people, so an ingest only re-extracts changed articles. */

export interface Person {
  name: string;
  /** Other forms the articles use ("Putin" for "Vladimir Putin"). */
  aliases: string[];
  mentions: number;
  /** Articles that mention the person, newest first. */
  articles: { articleId: string; mentions: number }[];
  roles: { role: string; sentence: string; articleId: string }[];
  quotes: { text: string; articleId: string }[];
}

export type PersonMatch =
  | { kind: 'found'; person: Person }
  | { kind: 'ambiguous'; candidates: Person[] }
  | { kind: 'not-found'; suggestions: Person[] };

export const AUTOCOMPLETE_LIMIT = 25;

/** One key per paragraph of an article. */
export function paragraphKey(articleId: string, text: string): string {
  return `${articleId}\n${text}`;
}

export class PeopleIndex {
  readonly people: Person[];
  private readonly byName = new Map<string, Person>();
  private readonly bySurname = new Map<string, Person[]>();
  /** Names fuzzily, within bounds whatever the number of people. */
  private readonly names: Shortlist<Person>;
  /** Each person's names and their words, lower case, for prefix lookups. */
  private readonly prefixes: string[][];

  constructor(byArticle: PeopleByArticle, manifest: Manifest) {
    const articles = newestFirst([...byArticle.keys()].flatMap((id) => manifest.articles.get(id) ?? []));
    const fullNames = new Map<string, Person>();
    const surnameOnly: [string, ArticlePerson][] = [];
    for (const { id: articleId } of articles) {
      for (const found of byArticle.get(articleId) ?? []) {
        if (!found.name.includes(' ')) {
          surnameOnly.push([articleId, found]);
          continue;
        }
        let person = fullNames.get(found.name.toLowerCase());
        if (!person) fullNames.set(found.name.toLowerCase(), (person = emptyPerson(found.name)));
        addFromArticle(person, articleId, found);
      }
    }
    for (const person of fullNames.values()) {
      const key = surname(person.name);
      this.bySurname.set(key, [...(this.bySurname.get(key) ?? []), person]);
    }
    const loneSurnames = new Map<string, Person>();
    for (const [articleId, found] of surnameOnly) {
      const sharing = this.bySurname.get(surname(found.name)) ?? [];
      // A bare surname that two people carry cannot be attributed to either.
      if (sharing.length > 1) continue;
      let person = sharing[0] ?? loneSurnames.get(found.name.toLowerCase());
      if (!person) loneSurnames.set(found.name.toLowerCase(), (person = emptyPerson(found.name)));
      if (person.name !== found.name && !person.aliases.includes(found.name)) person.aliases.push(found.name);
      addFromArticle(person, articleId, found);
    }
    this.people = [...fullNames.values(), ...loneSurnames.values()];
    this.people.sort((a, b) => b.articles.length - a.articles.length || b.mentions - a.mentions || a.name.localeCompare(b.name));
    for (const person of this.people) {
      this.byName.set(person.name.toLowerCase(), person);
      for (const alias of person.aliases) this.byName.set(alias.toLowerCase(), person);
    }
    this.names = new Shortlist(this.people, (p) => [p.name, ...p.aliases].join(' '), { keys: ['name', 'aliases'], includeScore: true, ignoreLocation: true, threshold: 0.4 });
    this.prefixes = this.people.map((p) => [p.name, ...p.aliases].flatMap((n) => [n.toLowerCase(), ...n.toLowerCase().split(/\s+/)]));
  }

  /** Who speaks in each paragraph the articles attribute to someone, by article id and paragraph text. */
  speakers(): ReadonlyMap<string, string> {
    if (!this.speakersCache) {
      this.speakersCache = new Map();
      for (const person of this.people) for (const quote of person.quotes) this.speakersCache.set(paragraphKey(quote.articleId, quote.text), person.name);
    }
    return this.speakersCache;
  }

  /** Made on the first `/verify` of this generation. */
  private speakersCache: Map<string, string> | undefined;

  /** Finds a person by full name, alias or surname; a surname two people share is ambiguous. */
  find(query: string): PersonMatch {
    const name = bareName(query).toLowerCase();
    const sharing = this.bySurname.get(name.split(/\s+/).at(-1) ?? '') ?? [];
    if (!name.includes(' ') && sharing.length > 1) return { kind: 'ambiguous', candidates: sharing };
    const exact = this.byName.get(name);
    if (exact) return { kind: 'found', person: exact };
    if (!name.includes(' ') && sharing.length === 1) return { kind: 'found', person: sharing[0]! };
    const results = this.names.search(query, 3);
    return { kind: 'not-found', suggestions: results.map((r) => r.item) };
  }

  /** The most mentioned people (by articles, then mentions). */
  top(limit: number): Person[] {
    return this.people.slice(0, limit);
  }

  /** Names for autocompletion: those with a word starting with the prefix, else fuzzy matches; at most 25. */
  autocomplete(prefix: string, limit = AUTOCOMPLETE_LIMIT): string[] {
    const wanted = prefix.trim().toLowerCase();
    if (!wanted) return this.people.slice(0, limit).map((p) => p.name);
    const starts: Person[] = [];
    for (let i = 0; i < this.people.length && starts.length < limit; i++) if (this.prefixes[i]!.some((w) => w.startsWith(wanted))) starts.push(this.people[i]!);
    const matches = starts.length ? starts : this.names.search(prefix, limit).map((r) => r.item);
    return matches.map((p) => p.name);
  }
}

/** The role most often given, or the first one. */
export function mainRole(person: Person): string | undefined {
  const counts = new Map<string, number>();
  for (const r of person.roles) counts.set(r.role, (counts.get(r.role) ?? 0) + 1);
  return [...counts.entries()].sort((a, b) => b[1] - a[1])[0]?.[0];
}

function emptyPerson(name: string): Person {
  return { name, aliases: [], mentions: 0, articles: [], roles: [], quotes: [] };
}

function addFromArticle(person: Person, articleId: string, found: ArticlePerson): void {
  person.mentions += found.mentions;
  const existing = person.articles.find((a) => a.articleId === articleId);
  if (existing) existing.mentions += found.mentions;
  else person.articles.push({ articleId, mentions: found.mentions });
  for (const role of found.roles) {
    if (!person.roles.some((r) => r.role.toLowerCase() === role.role.toLowerCase() && r.articleId === articleId)) person.roles.push({ ...role, articleId });
  }
  for (const quote of found.quotes) {
    if (!person.quotes.some((q) => q.text === quote.text)) person.quotes.push({ ...quote, articleId });
  }
}

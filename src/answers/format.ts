import type { Citation, QuoteDifference, Verification } from './answer.js';

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** "23 Jan 2026" from YYYY-MM-DD. */
export function humanDate(date: string): string {
  const [y, m, d] = date.split('-').map(Number);
  return `${d} ${MONTHS[(m ?? 1) - 1]} ${y}`;
}

/** "The Straits Times (Reuters)", "CNN", or undefined. */
export function outletLine(citation: Citation): string | undefined {
  if (citation.outlet && citation.agency && citation.agency !== citation.outlet) return `${citation.outlet} (${citation.agency})`;
  return citation.outlet ?? citation.agency;
}

/** Said above the passages when the question asks about a time no article is from. */
export function newestNote({ asked, newest }: { asked: string; newest: string }): string {
  return `No article is from ${asked}: the newest is from ${humanDate(newest)}.`;
}

/** Said above the passages when the articles relate to a question but may not answer it exactly. */
export const RELATED_NOTE = 'The articles may not answer this exactly; the closest passages are:';

/** What `/verify` found, in one line: both renderers start with it. */
export function verificationHeadline(v: Verification): string {
  const by = v.speaker ? `, said by ${v.speaker}` : '';
  if (v.match === 'verbatim') {
    const first = v.firstDate ? `, first on ${humanDate(v.firstDate)}` : '';
    return `Found word for word${by}: in ${v.articles} article${v.articles === 1 ? '' : 's'}${first}.`;
  }
  if (v.match === 'reworded') return `Found with different wording (${percent(v.similarity)} similar)${by}:`;
  const whose = v.person ? ` as words of ${v.person}` : '';
  return `Not found in the articles${whose}.`;
}

/** Under a "not found": what the closest sentence is, plainly not a match. */
export function closestNote(v: Verification): string {
  return `The closest sentence (not a match, ${percent(v.similarity)} similar):`;
}

/** Under a "not found" for a person: the same words are in the articles, said by someone else or no one. */
export function elsewhereNote(v: Verification): string | undefined {
  if (!v.elsewhere) return undefined;
  const who = v.elsewhere.speaker ? `said by ${v.elsewhere.speaker}` : 'not attributed to anyone';
  return `These words are in the articles, ${who}${v.person ? `, not by ${v.person}` : ''}.`;
}

/** The words that differ, as pairs: you quoted “three”, the article says “four”. */
export function differencesLine(differences: readonly QuoteDifference[]): string | undefined {
  const pairs: string[] = [];
  for (let i = 0; i < differences.length; i++) {
    const d = differences[i]!;
    if (d.change === 'same') continue;
    const next = differences[i + 1];
    if (d.change === 'quote-only' && next?.change === 'article-only') {
      pairs.push(`you quoted “${d.text}”, the article says “${next.text}”`);
      i++;
    } else pairs.push(d.change === 'quote-only' ? `“${d.text}” is not in the article` : `the article also says “${d.text}”`);
  }
  return pairs.length ? `Differs: ${pairs.join('; ')}.` : undefined;
}

function percent(similarity: number | undefined): string {
  return `${Math.round((similarity ?? 0) * 100)}%`;
}

/** When outlets answer differently: each one's answer, plainly ("Outlets differ: Reuters: 4 hours; AP: three hours."). */
export function outletsNote(outlets: readonly { outlet: string; answer?: string }[] | undefined, differ: boolean | undefined): string | undefined {
  if (!outlets?.length || !differ) return undefined;
  return `Outlets differ: ${outlets.filter((o) => o.answer).map((o) => `${o.outlet}: ${o.answer}`).join('; ')}.`;
}

/** A timeline entry's heading: the day, or the week it starts. */
export function periodHeading(date: string, period: 'day' | 'week'): string {
  return period === 'day' ? humanDate(date) : `Week of ${humanDate(date)}`;
}

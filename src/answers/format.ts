import type { Citation } from './answer.js';

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

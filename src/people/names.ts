/** Names without their honorifics and titles: shared by extraction (at ingest) and lookup (at query time). */

const HONORIFICS = /^(?:Mr|Mrs|Ms|Miss|Dr|Prof|Sir|Dame|Lord|Lady)\.?\s+/;
export const TITLE_WORDS = /^(?:Senate Majority Leader|Senate Minority Leader|Majority Leader|Minority Leader|House Speaker|Speaker|Leader|President|Vice President|Prime Minister|Premier|Chancellor|Admiral|General|Gen\.|Colonel|Senator|Sen\.|Governor|Gov\.|Mayor|Judge|Justice|King|Queen|Prince|Princess|Pope|Secretary|Minister|Rep\.|Representative|Director|Chief|Captain|Sheikh)\s+/;

/** A name without honorifics, titles, possessives or trailing punctuation: "Mr Trump’s" → "Trump". */
export function bareName(raw: string): string {
  let name = raw.trim().replace(/[’']s$/, '').replace(/[.,;:!?”"]+$/, '');
  for (let i = 0; i < 3; i++) name = name.replace(HONORIFICS, '').replace(TITLE_WORDS, '');
  return name.trim();
}

export function surname(name: string): string {
  return name.split(/\s+/).at(-1)!.toLowerCase();
}


import sbd from 'sbd';

export interface Sentence {
  text: string;
  /** Offset of the sentence in its paragraph: `paragraph.slice(start, start + text.length) === text`. */
  start: number;
}

/** Splits a paragraph into sentences that are exact substrings of it (abbreviations, initials, quotes handled by sbd). */
export function splitSentences(paragraph: string): Sentence[] {
  const pieces = sbd.sentences(paragraph, { newline_boundaries: false, preserve_whitespace: true, sanitize: false });
  const sentences: Sentence[] = [];
  let cursor = 0;
  for (const piece of pieces) {
    const text = piece.trim();
    if (!text) continue;
    const start = paragraph.indexOf(text, cursor);
    if (start < 0) continue;
    sentences.push({ text, start });
    cursor = start + text.length;
  }
  return mergeInitialFragments(paragraph, sentences);
}

const PLACE_INITIALS = /(?:^|\s)(?:U\.S\.|U\.K\.|U\.N\.|E\.U\.|U\.S\.A\.)$/;

function endsWithPersonInitials(text: string): boolean {
  return /(?:^|\s)(?:[A-Z]\.){2,}$/.test(text) && !PLACE_INITIALS.test(text);
}

/** sbd ends a sentence after initials such as "J.P." when a capital follows; join those back. */
function mergeInitialFragments(paragraph: string, sentences: Sentence[]): Sentence[] {
  const merged: Sentence[] = [];
  for (const sentence of sentences) {
    const previous = merged.at(-1);
    if (previous && endsWithPersonInitials(previous.text)) {
      const end = sentence.start + sentence.text.length;
      merged[merged.length - 1] = { start: previous.start, text: paragraph.slice(previous.start, end) };
    } else {
      merged.push(sentence);
    }
  }
  return merged;
}

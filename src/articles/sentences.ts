import sbd from 'sbd';

export interface Sentence {
  text: string;
  /** Offset of the sentence in its paragraph: `paragraph.slice(start, start + text.length) === text`. */
  start: number;
}

/**
 * sbd slows down far worse than linearly on long hostile text ("J.P. Aaa " repeated: 4.5 s for
 * 200,000 characters), so it is given windows of at most this many characters, cut at a space: a
 * sentence longer than that is split where the window ends.
 */
const WINDOW = 2000;

/** Splits a paragraph into sentences that are exact substrings of it (abbreviations, initials, quotes handled by sbd). */
export function splitSentences(paragraph: string): Sentence[] {
  const sentences: Sentence[] = [];
  for (let from = 0; from < paragraph.length; ) {
    let to = Math.min(paragraph.length, from + WINDOW);
    if (to < paragraph.length) {
      const space = paragraph.lastIndexOf(' ', to);
      if (space > from) to = space;
    }
    const window = paragraph.slice(from, to);
    const pieces = sbd.sentences(window, { newline_boundaries: false, preserve_whitespace: true, sanitize: false });
    let cursor = 0;
    for (const piece of pieces) {
      const text = piece.trim();
      if (!text) continue;
      const start = window.indexOf(text, cursor);
      if (start < 0) continue;
      sentences.push({ text, start: from + start });
      cursor = start + text.length;
    }
    from = to;
  }
  return mergeInitialFragments(paragraph, sentences);
}

const PLACE_INITIALS = /(?:^|\s)(?:U\.S\.|U\.K\.|U\.N\.|E\.U\.|U\.S\.A\.)$/;

/** Only the end of a sentence is read: the patterns then cost the same on any length. */
function endsWithPersonInitials(text: string): boolean {
  const end = text.slice(-12);
  return /(?:^|\s)(?:[A-Z]\.){2,}$/.test(end) && !PLACE_INITIALS.test(end);
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

/**
 * Outlet agreement in `/ask`: when the passages come from more than one outlet, they are grouped
 * by outlet (in the order each outlet is first quoted), and each outlet's answer (the span the
 * question asks for, in its best passage) is compared: where they differ, the answer says so.
 */
import type { Passage } from './answer.js';
import { preferredAnswers, type Candidate } from './rank.js';

/** An outlet's answer is its best passage's preferred span when that span stands this close to the question's words. */
const OUTLET_ANSWER_CONTEXT = 0.5;

const NUMBER_WORDS = new Map(
  ['zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine', 'ten', 'eleven', 'twelve', 'thirteen', 'fourteen', 'fifteen', 'sixteen', 'seventeen', 'eighteen', 'nineteen', 'twenty'].map((w, i) => [w, i]),
);

export interface OutletAnswers {
  /** The passages, grouped by outlet. */
  passages: Passage[];
  /** Each outlet quoted, with its answer when it has one; undefined when one outlet (or none) is quoted. */
  outlets?: { outlet: string; answer?: string }[];
  /** At least two outlets answer, and not the same. */
  differ: boolean;
}

/** Passages and their candidates, in rank order (the same length). */
export function outletAnswers(passages: readonly Passage[], candidates: readonly Candidate[]): OutletAnswers {
  const order: string[] = [];
  const groups = new Map<string, number[]>();
  passages.forEach((p, i) => {
    const outlet = p.citation.outlet ?? p.citation.agency ?? '';
    if (!groups.has(outlet)) {
      groups.set(outlet, []);
      order.push(outlet);
    }
    groups.get(outlet)!.push(i);
  });
  const named = order.filter(Boolean);
  if (named.length < 2) return { passages: [...passages], differ: false };
  const outlets = named.map((outlet) => {
    const answer = groups
      .get(outlet)!
      .map((i) => preferredAnswers(candidates[i]?.answers ?? [])[0])
      .find((a) => a !== undefined && a.fit >= 1 && a.context >= OUTLET_ANSWER_CONTEXT);
    return { outlet, ...(answer ? { answer: answer.text } : {}) };
  });
  const answers = outlets.flatMap((o) => (o.answer ? [o.answer] : []));
  const differ = answers.length >= 2 && answers.some((a) => !sameAnswer(a, answers[0]!));
  return { passages: order.flatMap((outlet) => groups.get(outlet)!.map((i) => passages[i]!)), outlets, differ };
}

/** The same answer in other words: the same words (case, punctuation and articles aside), or the same number ("4 hours", "four hours"). */
export function sameAnswer(a: string, b: string): boolean {
  const [x, y] = [normalized(a), normalized(b)];
  if (x === y) return true;
  const [m, n] = [numberIn(x), numberIn(y)];
  return m !== undefined && m === n && unitOf(x) === unitOf(y);
}

function normalized(text: string): string {
  return text
    .toLowerCase()
    .split(/[^\p{L}\p{N}.]+/u)
    .filter((w) => w && w !== 'a' && w !== 'an' && w !== 'the' && w !== 'about' && w !== 'some' && w !== 'around' && w !== 'nearly')
    .join(' ');
}

function numberIn(text: string): number | undefined {
  for (const word of text.split(' ')) {
    const value = NUMBER_WORDS.get(word) ?? (/^\d+(?:\.\d+)?$/.test(word.replace(/,/g, '')) ? Number(word.replace(/,/g, '')) : undefined);
    if (value !== undefined) return value;
  }
  return undefined;
}

/** The words after the number ("hours"), singular: what it counts. */
function unitOf(text: string): string {
  const words = text.split(' ');
  const at = words.findIndex((w) => NUMBER_WORDS.has(w) || /^\d/.test(w));
  return words.slice(at + 1).join(' ').replace(/s\b/g, '');
}

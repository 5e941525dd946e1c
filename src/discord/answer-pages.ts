import { randomBytes } from 'node:crypto';
import type { ArticleFilter } from '../answers/filters.js';
import type { Turn } from '../answers/follow-up.js';

export interface AnswerPage {
  question: string;
  results: number;
  userId: string;
  /** The filters the question was asked with, which its next pages keep. */
  filter?: ArticleFilter;
  /** Asked privately: its next pages are private too. */
  private?: boolean;
  /** For a follow-up: the conversation before it, oldest first. */
  context?: Turn[];
  /** The answer line it got: a follow-up's context. */
  answerLine?: string;
}

type StoredPage = AnswerPage & { expires: number; shown: Set<number> };

/** How long a "more" button keeps working, and how many questions are remembered. */
export const PAGE_TTL_MS = 15 * 60 * 1000;
const MAX_PAGES = 1000;

/** Questions behind "more" buttons, in memory: a button outlives neither a restart nor 15 minutes. */
export class AnswerPages {
  private readonly pages = new Map<string, StoredPage>();

  constructor(private readonly now: () => number = Date.now) {}

  save(page: AnswerPage): string {
    const key = randomBytes(6).toString('base64url');
    this.pages.set(key, { ...page, expires: this.now() + PAGE_TTL_MS, shown: new Set() });
    while (this.pages.size > MAX_PAGES) this.pages.delete(this.pages.keys().next().value!);
    return key;
  }

  /** Records that the page at `offset` is being posted; false when it was already (a second press of the same button). */
  markShown(key: string, offset: number): boolean {
    const page = this.pages.get(key);
    if (!page || page.shown.has(offset)) return false;
    page.shown.add(offset);
    return true;
  }

  get(key: string): AnswerPage | undefined {
    const page = this.pages.get(key);
    if (!page || page.expires < this.now()) {
      this.pages.delete(key);
      return undefined;
    }
    return page;
  }
}

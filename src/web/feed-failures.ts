/**
 * Feed items that failed to fetch or parse, remembered between polls with a back-off: a dead link
 * in a feed is tried again after 1 hour, then 2, 4… up to a week, not on every poll.
 * Kept in `<indexDir>/feed-failures.json`, written by rename so a crash leaves the old file whole.
 */
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';

export const FIRST_RETRY_MS = 60 * 60_000;
export const LONGEST_RETRY_MS = 7 * 24 * 60 * 60_000;
/** Links remembered at most: the oldest are forgotten first, so the file stays small. */
const MAX_REMEMBERED = 5_000;

const failureSchema = z.object({ link: z.string(), failures: z.number().int().positive(), retryAt: z.number(), reason: z.string() });
export type FeedFailure = z.infer<typeof failureSchema>;

export class FeedFailures {
  private constructor(
    private readonly file: string,
    private readonly byLink: Map<string, FeedFailure>,
  ) {}

  /** The remembered failures of an index; none when the file is missing or unreadable (it is only a politeness aid). */
  static async of(indexDir: string): Promise<FeedFailures> {
    const file = path.join(indexDir, 'feed-failures.json');
    const parsed = z.array(failureSchema).safeParse(await readFile(file, 'utf8').then(JSON.parse, () => []));
    return new FeedFailures(file, new Map((parsed.success ? parsed.data : []).map((f) => [f.link, f])));
  }

  /** Whether a link failed before and its back-off has not passed yet. */
  waiting(link: string, now = Date.now()): boolean {
    return (this.byLink.get(link)?.retryAt ?? 0) > now;
  }

  failed(link: string, reason: string, now = Date.now()): void {
    const failures = (this.byLink.get(link)?.failures ?? 0) + 1;
    const wait = Math.min(FIRST_RETRY_MS * 2 ** (failures - 1), LONGEST_RETRY_MS);
    this.byLink.delete(link);
    this.byLink.set(link, { link, failures, retryAt: now + wait, reason });
  }

  succeeded(link: string): void {
    this.byLink.delete(link);
  }

  async save(): Promise<void> {
    const kept = [...this.byLink.values()].slice(-MAX_REMEMBERED);
    await mkdir(path.dirname(this.file), { recursive: true });
    await writeFile(`${this.file}.tmp`, JSON.stringify(kept));
    await rename(`${this.file}.tmp`, this.file);
  }
}

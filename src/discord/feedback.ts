/**
 * 👍 / 👎 under every answer: one vote per person per answer, changeable. Each vote is a line
 * appended to `data/feedback.jsonl` (the question, its filters and "as of", the passages shown,
 * the answer line, the vote, the time), the voter as a salted hash, never a Discord id.
 * `npm run eval -- --feedback` reads it back (`scripts/eval-feedback.ts`).
 */
import { createHash, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { appendFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { ArticleFilter } from '../answers/filters.js';

export type Vote = 'up' | 'down';

/** What a vote is about. */
export interface AnsweredQuestion {
  question: string;
  filter: ArticleFilter;
  asOf?: string;
  /** The passages shown, as `<article id>#<paragraph position>`, in order. */
  passages: string[];
  answerLine?: string;
}

/** One line of `feedback.jsonl`. */
export interface FeedbackLine extends AnsweredQuestion {
  time: string;
  /** The answer voted on (a vote changed later has the same). */
  answer: string;
  /** sha256 of the file's salt and the voter's id, cut to 16 hex digits. */
  voter: string;
  vote: Vote;
}

/** Answers whose buttons still count votes: the latest ones, for a day. */
const REMEMBERED = 5_000;
const REMEMBERED_MS = 24 * 60 * 60 * 1000;

export const FEEDBACK_FILE = 'feedback.jsonl';

export class Feedback {
  private readonly answers = new Map<string, AnsweredQuestion & { expires: number; votes: Map<string, Vote> }>();
  private salt: Promise<string> | undefined;

  constructor(
    private readonly dataDir: string,
    private readonly now: () => number = Date.now,
  ) {}

  /** Remembers an answer for its vote buttons; the key goes into their custom ids. */
  remember(answer: AnsweredQuestion): string {
    const key = randomBytes(6).toString('base64url');
    this.answers.set(key, { ...answer, expires: this.now() + REMEMBERED_MS, votes: new Map() });
    while (this.answers.size > REMEMBERED) this.answers.delete(this.answers.keys().next().value!);
    return key;
  }

  /** Records a vote: a second press of the same button changes nothing, of the other one changes the vote. */
  async vote(key: string, userId: string, vote: Vote): Promise<'recorded' | 'changed' | 'unchanged' | 'expired'> {
    const answer = this.answers.get(key);
    if (!answer || answer.expires < this.now()) {
      this.answers.delete(key);
      return 'expired';
    }
    const voter = await this.voterOf(userId);
    const before = answer.votes.get(voter);
    if (before === vote) return 'unchanged';
    answer.votes.set(voter, vote);
    const { expires: _expires, votes: _votes, ...asked } = answer;
    const line: FeedbackLine = { time: new Date(this.now()).toISOString(), answer: key, voter, vote, ...asked };
    await appendFile(path.join(this.dataDir, FEEDBACK_FILE), `${JSON.stringify(line)}\n`);
    return before ? 'changed' : 'recorded';
  }

  /** The salted hash of a Discord id: the same person gets the same hash, and the id cannot be read back. */
  private async voterOf(userId: string): Promise<string> {
    this.salt ??= saltIn(this.dataDir);
    return createHash('sha256').update(await this.salt).update(userId).digest('hex').slice(0, 16);
  }
}

/** The salt kept beside the feedback (made once, readable by the owner only). */
async function saltIn(dataDir: string): Promise<string> {
  const file = path.join(dataDir, 'feedback-salt');
  if (existsSync(file)) return (await readFile(file, 'utf8')).trim();
  await mkdir(dataDir, { recursive: true });
  const salt = randomBytes(32).toString('hex');
  await writeFile(file, salt, { mode: 0o600, flag: 'wx' }).catch(async (error: NodeJS.ErrnoException) => {
    // Another process made it first: use theirs.
    if (error.code !== 'EEXIST') throw error;
  });
  return (await readFile(file, 'utf8')).trim();
}

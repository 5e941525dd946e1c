/**
 * `npm run eval -- --feedback [file]`: the votes people gave the bot's answers in Discord
 * (`data/feedback.jsonl`, `src/discord/feedback.ts`) turned into work. Each person's last vote on
 * an answer counts. Answers voted down more than up make the review list; answers voted up, with
 * an answer line and no vote down, become everyday questions in the format of
 * `tests/everyday/*.jsonl`, to add to the evaluation as regression questions.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import type { FeedbackLine } from '../src/discord/feedback.js';
import { UserError } from '../src/errors.js';

interface Tally {
  last: FeedbackLine;
  votes: Map<string, FeedbackLine['vote']>;
}

export async function evaluateFeedback(file: string, json: boolean): Promise<void> {
  if (!existsSync(file)) throw new UserError(`No feedback yet: ${file} does not exist (votes are recorded there by the bot's 👍 / 👎 buttons).`);
  const answers = new Map<string, Tally>();
  const lines = (await readFile(file, 'utf8')).split('\n');
  lines.forEach((text, i) => {
    if (!text.trim()) return;
    let line: FeedbackLine;
    try {
      line = JSON.parse(text) as FeedbackLine;
    } catch {
      throw new UserError(`${file}, line ${i + 1}: not a JSON object.`);
    }
    if (typeof line.answer !== 'string' || typeof line.voter !== 'string' || (line.vote !== 'up' && line.vote !== 'down') || typeof line.question !== 'string') {
      throw new UserError(`${file}, line ${i + 1}: not a vote (answer, voter, vote "up" or "down", question).`);
    }
    const tally = answers.get(line.answer) ?? { last: line, votes: new Map() };
    tally.last = line;
    tally.votes.set(line.voter, line.vote);
    answers.set(line.answer, tally);
  });
  const counted = [...answers.values()].map(({ last, votes }) => {
    const up = [...votes.values()].filter((v) => v === 'up').length;
    return { answer: last, up, down: votes.size - up };
  });
  const review = counted.filter((a) => a.down > a.up).sort((a, b) => b.down - a.down);
  const regression = counted
    .filter((a) => a.up > 0 && a.down === 0 && a.answer.answerLine && a.answer.passages[0])
    .map(({ answer }) => ({
      id: `fb-${answer.answer}`,
      article_id: answer.passages[0]!.slice(0, answer.passages[0]!.lastIndexOf('#')),
      question: answer.question,
      answers: [answer.answerLine!],
      answerable: true,
      ...(answer.asOf ? { as_of: answer.asOf } : {}),
    }));
  if (json) {
    process.stdout.write(`${JSON.stringify({ answers: counted.length, review: review.map((r) => ({ ...r.answer, up: r.up, down: r.down })), regression })}\n`);
    return;
  }
  const out: string[] = [`${counted.length} answers voted on; ${review.length} to review (more 👎 than 👍); ${regression.length} regression questions (👍 only, with an answer line).`, ''];
  if (review.length) out.push('To review:');
  for (const { answer, up, down } of review) {
    const filter = Object.entries(answer.filter ?? {}).map(([k, v]) => `${k} ${v}`).join(', ');
    out.push(`- 👎 ${down} 👍 ${up}  "${answer.question}"${filter ? ` (${filter})` : ''}${answer.asOf ? ` as of ${answer.asOf}` : ''}`);
    if (answer.answerLine) out.push(`    answer line: ${answer.answerLine}`);
    out.push(`    passages: ${answer.passages.join(', ')}`);
  }
  if (regression.length) out.push('', 'Regression questions (add them to tests/everyday/ to keep these answers right):');
  for (const question of regression) out.push(JSON.stringify(question));
  process.stdout.write(`${out.join('\n')}\n`);
}

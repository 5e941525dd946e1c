import type { AskResult, Passage } from '../answers/answer.js';
import { humanDate, outletLine } from './format.js';

/** The answer as plain text for a terminal: numbered passages, quotes as blockquotes, sources. */
export function renderAnswerText(result: AskResult): string {
  if (result.kind === 'refusal') return `${result.message}\n`;
  const blocks = result.passages.map((passage, i) => renderPassage(passage, result.offset + i + 1));
  const more = result.hasMore ? '\nMore passages: /more\n' : '';
  return `${blocks.join('\n')}${more}`;
}

function renderPassage(passage: Passage, number: number): string {
  const { citation } = passage;
  const details = [outletLine(citation), citation.date && humanDate(citation.date)].filter(Boolean).join(' · ');
  const source = citation.url ?? `${citation.file} (paragraph ${passage.position + 1})`;
  return [
    `${number}. ${citation.title}${details ? ` — ${details}` : ''}`,
    ...passage.quote.map((sentence) => `   > ${sentence}`),
    `   Source: ${source}`,
    '',
  ].join('\n');
}

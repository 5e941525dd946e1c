import type { AskResult, Citation, Passage, Refusal, SummaryResult } from '../answers/answer.js';
import { humanDate, outletLine } from './format.js';

/** The answer as plain text for a terminal: numbered passages, quotes as blockquotes, sources. */
export function renderAnswerText(result: AskResult): string {
  if (result.kind === 'refusal') return renderRefusal(result);
  const blocks = result.passages.map((passage, i) => renderPassage(passage, result.offset + i + 1));
  const more = result.hasMore ? '\nMore passages: /more\n' : '';
  return `${blocks.join('\n')}${more}`;
}

function renderPassage(passage: Passage, number: number): string {
  return quotedBlock(`${number}. `, passage.citation, passage.quote, `(paragraph ${passage.position + 1})`);
}

/** A summary as text: the article's heading, its chosen sentences quoted, its source. */
export function renderSummaryText(result: SummaryResult): string {
  if (result.kind === 'refusal') return renderRefusal(result);
  if (result.kind === 'summary') return quotedBlock('Summary of ', result.citation, result.sentences);
  return [`Digest: ${result.topic}`, '', ...result.items.map((item, i) => quotedBlock(`${i + 1}. `, item.citation, item.sentences))].join('\n');
}

function renderRefusal(refusal: Refusal): string {
  const suggestions = refusal.suggestions?.length ? `\nDid you mean: ${refusal.suggestions.join(' · ')}` : '';
  return `${refusal.message}${suggestions}\n`;
}

function quotedBlock(prefix: string, citation: Citation, sentences: string[], where = ''): string {
  const details = [outletLine(citation), citation.date && humanDate(citation.date)].filter(Boolean).join(' · ');
  const source = citation.url ?? `${citation.file}${where ? ` ${where}` : ''}`;
  return [
    `${prefix}${citation.title}${details ? ` — ${details}` : ''}`,
    ...sentences.map((sentence) => `   > ${sentence}`),
    `   Source: ${source}`,
    '',
  ].join('\n');
}

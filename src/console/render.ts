import type { AskResult, Citation, Passage, Refusal, SummaryResult, TimelineResult, VerifyResult, WhoResult } from '../answers/answer.js';
import { closestNote, differencesLine, elsewhereNote, humanDate, newestNote, outletLine, outletsNote, periodHeading, RELATED_NOTE, verificationHeadline } from '../answers/format.js';

/** The answer as plain text for a terminal: numbered passages, quotes as blockquotes, sources. */
export function renderAnswerText(result: AskResult): string {
  if (result.kind === 'refusal') return renderRefusal(result);
  const when = result.newestForTimeAsked ? `${newestNote(result.newestForTimeAsked)}\n` : '';
  const outlets = outletsNote(result.outlets, result.outletsDiffer);
  const heading =
    when +
    (result.answerLine ? `Answer: ${result.answerLine}${result.answerDay ? ` (${humanDate(result.answerDay)})` : ''}\n${outlets ? `${outlets}\n` : ''}\n` : result.confidence === 'related' && result.offset === 0 ? `${RELATED_NOTE}\n\n` : when ? '\n' : '') +
    (!result.answerLine && outlets ? `${outlets}\n\n` : '');
  const blocks = result.passages.map((passage, i) => renderPassage(passage, result.offset + i + 1));
  const asOf = result.asOf ? `As of ${humanDate(result.asOf)} (the newest article quoted).\n` : '';
  const more = result.hasMore ? 'More passages: /more\n' : '';
  return `${heading}${blocks.join('\n')}${asOf || more ? '\n' : ''}${asOf}${more}`;
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

/** A person's profile, or the list of the most mentioned people, as text. */
export function renderWhoText(result: WhoResult): string {
  if (result.kind === 'refusal') return renderRefusal(result);
  if (result.kind === 'people') {
    if (result.people.length === 0) return 'No people are named in the articles yet.\n';
    return `${result.people.map((p, i) => `${i + 1}. ${p.name}${p.role ? ` — ${p.role}` : ''} (${p.articles} article${p.articles === 1 ? '' : 's'})`).join('\n')}\n`;
  }
  const lines = [result.name + (result.aliases.length ? ` (also: ${result.aliases.join(', ')})` : ''), ''];
  if (result.roles.length) {
    lines.push('Roles:');
    for (const r of result.roles) lines.push(`- ${r.role}`, `   > ${r.sentence}`, `   ${citationLine(r.citation)}`);
    lines.push('');
  }
  lines.push(`Mentioned in ${result.articles.length} article${result.articles.length === 1 ? '' : 's'} (newest first):`);
  for (const a of result.articles) lines.push(`- ${citationLine(a.citation)}`);
  if (result.quotes.length) {
    lines.push('', 'In their own words:');
    for (const q of result.quotes) lines.push(`   > ${q.text}`, `   ${citationLine(q.citation)}`);
  }
  return `${lines.join('\n')}\n`;
}

function citationLine(citation: Citation): string {
  const details = [outletLine(citation), citation.date && humanDate(citation.date)].filter(Boolean).join(' · ');
  return `${citation.title}${details ? ` — ${details}` : ''} · ${citation.url ?? citation.reference}`;
}

function renderRefusal(refusal: Refusal): string {
  const suggestions = refusal.suggestions?.length ? `\nDid you mean: ${refusal.suggestions.join(' · ')}` : '';
  return `${refusal.message}${suggestions}\n`;
}

function quotedBlock(prefix: string, citation: Citation, sentences: string[], where = ''): string {
  const details = [outletLine(citation), citation.date && humanDate(citation.date)].filter(Boolean).join(' · ');
  const source = citation.url ?? `${citation.reference}${where ? ` ${where}` : ''}`;
  return [
    `${prefix}${citation.title}${details ? ` — ${details}` : ''}`,
    ...sentences.map((sentence) => `   > ${sentence}`),
    `   Source: ${source}`,
    '',
  ].join('\n');
}

/** A quote's verification as text: the verdict, the article's sentence, the differences, the source. */
export function renderVerifyText(result: VerifyResult): string {
  if (result.kind === 'refusal') return renderRefusal(result);
  const lines = [`Quote: “${result.quote}”`, verificationHeadline(result)];
  const elsewhere = elsewhereNote(result);
  if (elsewhere && result.elsewhere) lines.push(elsewhere, `   ${citationLine(result.elsewhere.citation)}`);
  if (result.sentence && result.citation) {
    if (result.match === 'not-found') lines.push(closestNote(result));
    lines.push(`   > ${result.sentence}`);
    const differs = result.differences && differencesLine(result.differences);
    if (differs) lines.push(`   ${differs}`);
    lines.push(`   ${citationLine(result.citation)}`);
  }
  return `${lines.join('\n')}\n`;
}

/** A timeline as text, oldest first; `chartFile`: where its chart was saved. */
export function renderTimelineText(result: TimelineResult, chartFile?: string): string {
  if (result.kind === 'refusal') return renderRefusal(result);
  const lines = [`Timeline: ${result.topic}`, ''];
  for (const entry of result.entries) {
    lines.push(periodHeading(entry.date, result.period));
    for (const s of entry.sentences) lines.push(`   > ${s.text}`, `   ${citationLine(s.citation)}`);
    lines.push('');
  }
  if (chartFile) lines.push(`Chart of the articles per ${result.period}: ${chartFile}`);
  return `${lines.join('\n')}\n`;
}

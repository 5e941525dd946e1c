import { renderAnswerText } from '../src/console/render.js';
import { describe, expect, it } from 'vitest';
import type { Answer } from '../src/answers/answer.js';
import {
  MAX_CONTENT_LENGTH,
  MAX_EMBEDS_PER_MESSAGE,
  MAX_EMBEDS_TOTAL_LENGTH,
  MAX_EMBED_DESCRIPTION_LENGTH,
  MAX_EMBED_FIELDS,
  MAX_FIELD_VALUE_LENGTH,
} from '../src/discord/limits.js';
import { embedLength, withinLimits } from '../src/discord/respond.js';
import { truncateAtSentence } from '../src/discord/truncate.js';
import { askMessage, escapeText, safeLink } from '../src/discord/render.js';

const sentence = (i: number) => `Sentence number ${i} says something about the talks in Abu Dhabi.`;
const prose = (count: number) => Array.from({ length: count }, (_, i) => sentence(i)).join(' ');

describe('Discord limits', () => {
  it('truncates at a sentence boundary with an ellipsis', () => {
    const text = prose(10);
    const cut = truncateAtSentence(text, 150);
    expect(cut.length).toBeLessThanOrEqual(150);
    expect(cut).toBe(`${sentence(0)} ${sentence(1)} …`);
    expect(truncateAtSentence('short', 150)).toBe('short');
    expect(truncateAtSentence('x'.repeat(500), 100)).toHaveLength(100);
  });

  it('enforces every limit on an oversized reply', () => {
    const long = prose(120);
    const safe = withinLimits({
      content: long,
      embeds: Array.from({ length: 12 }, () => ({
        title: long,
        description: long,
        fields: Array.from({ length: 30 }, (_, i) => ({ name: `Field ${i}`, value: long })),
      })),
    });
    expect(safe.content!.length).toBeLessThanOrEqual(MAX_CONTENT_LENGTH);
    expect(safe.content!.endsWith('…')).toBe(true);
    expect(safe.embeds!.length).toBeLessThanOrEqual(MAX_EMBEDS_PER_MESSAGE);
    for (const embed of safe.embeds!) {
      expect(embed.title!.length).toBeLessThanOrEqual(256);
      expect(embed.description!.length).toBeLessThanOrEqual(MAX_EMBED_DESCRIPTION_LENGTH);
      expect(embed.fields!.length).toBeLessThanOrEqual(MAX_EMBED_FIELDS);
      for (const field of embed.fields!) expect(field.value.length).toBeLessThanOrEqual(MAX_FIELD_VALUE_LENGTH);
    }
    expect(safe.embeds!.reduce((sum, e) => sum + embedLength(e), 0)).toBeLessThanOrEqual(MAX_EMBEDS_TOTAL_LENGTH);
    expect(safe.embeds!.length).toBeGreaterThan(0);
  });
});

describe('Discord rendering', () => {
  it('shows markdown, masked links and headings as written, never interpreted', () => {
    expect(escapeText('**bold** [click](https://evil.example) # title')).toBe('\\*\\*bold\\*\\* \\[click](https://evil.example) # title');
    expect(escapeText('# Heading')).toBe('\\# Heading');
  });

  it('renders passages as quoted excerpts with the title, outlet, Discord date and file reference', () => {
    const answer: Answer = {
      kind: 'answer',
      confidence: 'answer',
      question: 'Who leads the team? @everyone',
      offset: 0,
      hasMore: true,
      passages: [
        {
          citation: { articleId: 'a', title: 'Talks in *Abu Dhabi*', outlet: 'The Straits Times', agency: 'Reuters', date: '2026-01-23', reference: 'seeds/a.txt' },
          position: 2,
          paragraph: 'He said Admiral Igor Kostyukov would head the team.',
          quote: ['He said Admiral Igor Kostyukov would head the team.'],
          score: 1,
        },
      ],
    };
    const message = askMessage(answer, { moreId: 'more:key:3', voteIds: { up: 'vote:key:up', down: 'vote:key:down' } });
    expect(message.content).toBe('**Q:** Who leads the team? @everyone');
    expect(message.embeds![0]).toMatchObject({
      title: 'Talks in \\*Abu Dhabi\\*',
      description: '> He said Admiral Igor Kostyukov would head the team.\n\nThe Straits Times (Reuters) · <t:1769169600:D> · source: seeds/a.txt (paragraph 3)',
      footer: { text: 'Passage 1' },
    });
    expect(message.embeds![0]!.url).toBeUndefined();
    expect(message.components![0]!.components.map((b) => ('custom_id' in b ? b.custom_id : ''))).toEqual(['more:key:3', 'vote:key:up', 'vote:key:down']);
  });

  it('puts the answer line in bold under the question, the "as of" date in the footer, and labels passages that may not answer', () => {
    const passage = {
      citation: { articleId: 'a', title: 'Talks', date: '2026-01-23', reference: 'seeds/a.txt' },
      position: 2,
      paragraph: 'He said Admiral Igor Kostyukov would head the team.',
      quote: ['He said Admiral Igor Kostyukov would head the team.'],
      score: 1,
    };
    const base = { kind: 'answer' as const, question: 'Who leads the team?', offset: 0, hasMore: false, passages: [passage], asOf: '2026-01-23' };
    const answered = askMessage({ ...base, confidence: 'answer', answerLine: 'Igor *Kostyukov*' });
    expect(answered.content).toBe('**Q:** Who leads the team?\n**Igor \\*Kostyukov\\***');
    expect(answered.embeds![0]!.footer).toEqual({ text: 'Passage 1 · as of 23 Jan 2026' });
    const related = askMessage({ ...base, confidence: 'related' });
    expect(related.content).toBe('**Q:** Who leads the team?\n*The articles may not answer this exactly; the closest passages are:*');
    expect(renderAnswerText({ ...base, confidence: 'answer', answerLine: 'Igor Kostyukov' })).toMatch(/^Answer: Igor Kostyukov\n\n1\. Talks — 23 Jan 2026\n[^]*\nAs of 23 Jan 2026 \(the newest article quoted\)\.\n$/);
    // A day the article leaves relative ("Sunday") comes with its date: a timestamp in Discord, the day in the terminal.
    const dated = { ...base, confidence: 'answer' as const, answerLine: 'Sunday', answerDay: '2026-03-08' };
    expect(askMessage(dated).content).toBe(`**Q:** Who leads the team?\n**Sunday** (<t:${Date.parse('2026-03-08T12:00:00Z') / 1000}:D>)`);
    expect(renderAnswerText(dated)).toMatch(/^Answer: Sunday \(8 Mar 2026\)\n/);
  });

  it('never lets a hostile string become a link or a heading, and validates every link', () => {
    const unescapedLink = /(^|[^\\])\[[^\]]*\]\(/;
    for (const hostile of [
      '[a](https://a.example) then [b](https://evil.example)',
      'x [one](https://a.example) [two](https://b.example) [three](<https://c.example>)',
      '[[nested](https://a.example)](https://b.example)',
    ]) {
      expect(escapeText(hostile)).not.toMatch(unescapedLink);
    }
    expect(escapeText('-# small print')).toBe('\\-# small print');
    expect(escapeText('line\n  -# small print')).toBe('line\n  \\-# small print');
    expect(safeLink('javascript:alert(1)')).toBeUndefined();
    expect(safeLink('file:///etc/passwd')).toBeUndefined();
    expect(safeLink(`https://news.example/${'a'.repeat(2100)}`)).toBeUndefined();
    expect(safeLink('https://news.example/a)[b](https://evil.example)')).toBe('https://news.example/a%29%5Bb%5D%28https://evil.example%29');
    const answer: Answer = {
      kind: 'answer',
      confidence: 'answer',
      question: 'q',
      offset: 0,
      hasMore: false,
      passages: [
        {
          citation: { articleId: 'a', title: 'T', url: 'https://news.example/x)[y](https://evil.example)', reference: 'r' },
          position: 0,
          paragraph: 'p',
          quote: ['p'],
          score: 1,
        },
      ],
    };
    expect(askMessage(answer).embeds![0]!.url).toBe('https://news.example/x%29%5By%5D%28https://evil.example%29');
  });
});

/**
 * The answer model as Discord messages: one embed per passage, quotes as blockquotes, the title
 * linked to its source, outlet and date (a Discord timestamp). Limits are applied by
 * `src/discord/respond.ts` when the message is sent.
 */
import { ButtonStyle, ComponentType, escapeMarkdown, type APIEmbed } from 'discord.js';
import type { Answer, AskResult, Citation, NewArticles, Refusal, SummaryResult, TimelineResult, VerifyResult, WhoResult } from '../answers/answer.js';
import type { ReplyPayload } from './respond.js';
import { closestNote, differencesLine, elsewhereNote, humanDate, newestNote, outletLine, outletsNote, periodHeading, RELATED_NOTE, verificationHeadline } from '../answers/format.js';
import { MAX_EMBED_DESCRIPTION_LENGTH } from './limits.js';

const ACCENT = 0x2f6fde;

/**
 * The most of one text that is escaped: no part of a message shows more (an embed's description
 * holds 4,096 characters; the rest is cut when the message is sent). discord.js's escapeMarkdown
 * takes time with the square of a line's length (its look-behinds read back to the line's start
 * from every character: one line of 72,000 characters took 4 s), so a longer title or sentence is
 * cut before it, not after.
 */
const MAX_ESCAPED_LENGTH = MAX_EMBED_DESCRIPTION_LENGTH;

/**
 * Markdown in article text or questions is shown as written, never interpreted. discord.js escapes
 * only the first masked link of a line (its pattern is greedy), so every "[" is escaped here, and
 * so is "-# " subtext, which it does not know.
 */
export function escapeText(text: string): string {
  return escapeMarkdown(cutForEscaping(text), { maskedLink: false, heading: true, bulletedList: true, numberedList: true })
    .replace(/\[/g, '\\[')
    // Spaces within the line only: a \s* from each line's start would read every following blank line again.
    .replace(/^([^\S\n\r\u2028\u2029]*)-#(?=\s)/gm, '$1\\-#');
}

/** The text's first MAX_ESCAPED_LENGTH characters, never half of a surrogate pair. */
function cutForEscaping(text: string): string {
  if (text.length <= MAX_ESCAPED_LENGTH) return text;
  const end = /[\ud800-\udbff]/.test(text[MAX_ESCAPED_LENGTH - 1]!) ? MAX_ESCAPED_LENGTH - 1 : MAX_ESCAPED_LENGTH;
  return text.slice(0, end);
}

/** Discord's own limit on a link's length. */
const MAX_URL_LENGTH = 2048;

/**
 * A link safe to hand to Discord: http(s) only, at most 2,048 characters, and with the characters
 * that would close a masked link or open another ("()[]<>" and whitespace) percent-encoded.
 * Undefined when the address is not one: the title is then shown without a link.
 */
export function safeLink(url: string | undefined): string | undefined {
  if (!url || url.length > MAX_URL_LENGTH) return undefined;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return undefined;
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') return undefined;
  const encoded = parsed.href.replace(/[()[\]<>\s]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`);
  return encoded.length <= MAX_URL_LENGTH ? encoded : undefined;
}

function blockquote(sentences: string[]): string {
  return sentences.map((s) => `> ${escapeText(s)}`).join('\n');
}

/** "The Straits Times (Reuters) · <t:…:D>", and the file when there is no link. */
function sourceLine(citation: Citation, where?: string): string {
  const parts = [outletLine(citation) && escapeText(outletLine(citation)!), citation.date && discordDate(citation.date)].filter(Boolean);
  if (!safeLink(citation.url)) parts.push(`source: ${escapeText(citation.reference)}${where ? ` ${where}` : ''}`);
  return parts.join(' · ');
}

/** A Discord timestamp (shown in each reader's locale) for a YYYY-MM-DD date. */
export function discordDate(date: string): string {
  return `<t:${Math.floor(Date.parse(`${date}T12:00:00Z`) / 1000)}:D>`;
}

function linked(embed: APIEmbed, citation: Citation): APIEmbed {
  const url = safeLink(citation.url);
  return url ? { ...embed, url } : embed;
}

function refusalMessage(refusal: Refusal): ReplyPayload {
  const suggestions = refusal.suggestions?.length ? `\nDid you mean: ${refusal.suggestions.map(escapeText).join(' · ')}` : '';
  return { content: `${escapeText(refusal.message)}${suggestions}` };
}

/** The /ask answer; `moreId` adds the button that shows the next passages. */
/** The answer's embeds, with the buttons: *More passages* (`moreId`, when there are more), *Follow up* (`followUpId`), and 👍 / 👎 (`voteIds`). */
export function askMessage(
  result: AskResult,
  { moreId, followUpId, voteIds }: { moreId?: string | undefined; followUpId?: string; voteIds?: { up: string; down: string } | undefined } = {},
): ReplyPayload {
  if (result.kind === 'refusal') return refusalMessage(result);
  const embeds: APIEmbed[] = result.passages.map((passage, i) =>
    linked(
      {
        color: ACCENT,
        title: escapeText(passage.citation.title),
        description: `${blockquote(passage.quote)}\n\n${sourceLine(passage.citation, `(paragraph ${passage.position + 1})`)}`,
        footer: { text: `Passage ${result.offset + i + 1}${i === result.passages.length - 1 && result.asOf ? ` · as of ${humanDate(result.asOf)}` : ''}` },
      },
      passage.citation,
    ),
  );
  return {
    content: `**Q:** ${escapeText(result.question)}${answerHeading(result)}`,
    embeds,
    components: buttonsOf([
      ...(result.hasMore && moreId ? [{ label: 'More passages', custom_id: moreId }] : []),
      ...(followUpId ? [{ label: 'Follow up', custom_id: followUpId }] : []),
      ...(voteIds ? [{ emoji: '👍', custom_id: voteIds.up }, { emoji: '👎', custom_id: voteIds.down }] : []),
    ]),
  };
}

/** Secondary buttons in one row (none: no row). */
function buttonsOf(buttons: ({ custom_id: string } & ({ label: string } | { emoji: string }))[]): ReplyPayload['components'] {
  if (buttons.length === 0) return [];
  return [
    {
      type: ComponentType.ActionRow,
      components: buttons.map((b) => ({
        type: ComponentType.Button,
        style: ButtonStyle.Secondary,
        custom_id: b.custom_id,
        ...('label' in b ? { label: b.label } : { emoji: { name: b.emoji } }),
      })),
    },
  ];
}

/** The answer in bold under the question, or the note that the passages may not answer it exactly. */
function answerHeading(answer: Answer): string {
  const when = answer.newestForTimeAsked ? `\n*${escapeText(newestNote(answer.newestForTimeAsked))}*` : '';
  const outlets = outletsNote(answer.outlets, answer.outletsDiffer);
  const byOutlet = outlets ? `\n${answer.outletsDiffer ? '⚠️ ' : ''}*${escapeText(outlets)}*` : '';
  if (answer.answerLine) return `${when}\n**${escapeText(answer.answerLine)}**${answer.answerDay ? ` (${discordDate(answer.answerDay)})` : ''}${byOutlet}`;
  return when + (answer.confidence === 'related' && answer.offset === 0 ? `\n*${escapeText(RELATED_NOTE)}*` : '') + byOutlet;
}

export function summaryMessage(result: SummaryResult): ReplyPayload {
  if (result.kind === 'refusal') return refusalMessage(result);
  if (result.kind === 'summary') {
    return {
      embeds: [
        linked(
          { color: ACCENT, title: escapeText(result.citation.title), description: `${blockquote(result.sentences)}\n\n${sourceLine(result.citation)}`, footer: { text: 'Summary: sentences quoted from the article' } },
          result.citation,
        ),
      ],
    };
  }
  return {
    content: `**Digest:** ${escapeText(result.topic)}`,
    embeds: result.items.map((item) =>
      linked({ color: ACCENT, title: escapeText(item.citation.title), description: `${blockquote(item.sentences)}\n\n${sourceLine(item.citation)}` }, item.citation),
    ),
  };
}

export function whoMessage(result: WhoResult): ReplyPayload {
  if (result.kind === 'refusal') return refusalMessage(result);
  if (result.kind === 'people') {
    if (result.people.length === 0) return { content: 'No people are named in the articles yet.' };
    const lines = result.people.map(
      (p, i) => `${i + 1}. **${escapeText(p.name)}**${p.role ? ` — ${escapeText(p.role)}` : ''} (${p.articles} article${p.articles === 1 ? '' : 's'})`,
    );
    return { embeds: [{ color: ACCENT, title: 'Most mentioned people', description: lines.join('\n') }] };
  }
  const cite = (c: Citation) => {
    const url = safeLink(c.url);
    return (url ? `[${escapeText(c.title)}](${url})` : escapeText(c.title)) + ` · ${sourceLine(c)}`;
  };
  const fields = [
    ...result.roles.map((r) => ({ name: escapeText(r.role), value: `${blockquote([r.sentence])}\n${cite(r.citation)}` })),
    {
      name: `Mentioned in ${result.articles.length} article${result.articles.length === 1 ? '' : 's'} (newest first)`,
      value: result.articles.map((a) => `• ${cite(a.citation)}`).join('\n'),
    },
    ...result.quotes.map((q, i) => ({ name: i === 0 ? 'In their own words' : '\u200b', value: `${blockquote([q.text])}\n${cite(q.citation)}` })),
  ];
  return {
    embeds: [
      {
        color: ACCENT,
        title: escapeText(result.name),
        description: result.aliases.length ? `Also named: ${result.aliases.map(escapeText).join(', ')}` : undefined,
        fields,
      },
    ],
  };
}

const ADD_STATUS = { added: 'Added', updated: 'Updated', unchanged: 'Already in the collection, unchanged' } as const;
const COLLECTION_NAMES = { server: "this server's collection", shared: 'the shared collection' } as const;

/** The /add confirmation: what was stored, from which link, in which collection. */
export function addedMessage(
  added: { citation: Citation; paragraphs: number; status: keyof typeof ADD_STATUS; collection: keyof typeof COLLECTION_NAMES },
  link: string,
): ReplyPayload {
  const { citation } = added;
  const details = [citation.outlet && escapeText(citation.outlet), citation.date && discordDate(citation.date), `${added.paragraphs} paragraphs`]
    .filter(Boolean)
    .join(' · ');
  const url = safeLink(citation.url) ?? safeLink(link);
  const status = added.status === 'unchanged' ? `Already in ${COLLECTION_NAMES[added.collection]}, unchanged` : `${ADD_STATUS[added.status]} in ${COLLECTION_NAMES[added.collection]}`;
  return { content: `${status}: **${escapeText(citation.title)}**\n${details}${url ? `\n<${url}>` : ''}` };
}

/** One of a server's articles in `/collection list`. */
export interface CollectionEntry {
  title: string;
  url?: string;
  /** Discord user id of whoever added it. */
  by?: string;
  /** ISO time it was added. */
  at?: string;
}

/** Articles listed by `/collection list`, within one message. */
export const COLLECTION_LIST_SHOWN = 20;

/** `/collection list`: the server's own articles, newest addition first, with who added each and when (a mention that pings nobody). */
export function collectionListMessage(entries: CollectionEntry[], channelUse: string): ReplyPayload {
  if (entries.length === 0) return { content: `This server's collection is empty: add articles with /add. This channel answers from: ${channelUse}.` };
  const lines = entries.slice(0, COLLECTION_LIST_SHOWN).map((entry, i) => {
    const link = safeLink(entry.url);
    const title = link ? `[${escapeText(entry.title)}](<${link}>)` : `**${escapeText(entry.title)}**`;
    const who = entry.by && /^\d{15,21}$/.test(entry.by) ? ` by <@${entry.by}>` : '';
    const when = entry.at ? ` <t:${Math.floor(Date.parse(entry.at) / 1000)}:R>` : '';
    return `${i + 1}. ${title} — added${who}${when}`;
  });
  const more = entries.length > COLLECTION_LIST_SHOWN ? `\n…and ${entries.length - COLLECTION_LIST_SHOWN} more.` : '';
  return { content: `This server's collection (${entries.length} articles; this channel answers from: ${channelUse}):\n${lines.join('\n')}${more}` };
}

/** `/verify`: the verdict, the article's sentence quoted, the words that differ, the source. */
export function verifyMessage(result: VerifyResult): ReplyPayload {
  if (result.kind === 'refusal') return refusalMessage(result);
  const parts = [verificationHeadline(result)].map(escapeText);
  const elsewhere = elsewhereNote(result);
  if (elsewhere && result.elsewhere) parts.push(escapeText(elsewhere), `${linkedTitle(result.elsewhere.citation)} · ${sourceLine(result.elsewhere.citation)}`);
  if (result.sentence && result.citation) {
    if (result.match === 'not-found') parts.push(escapeText(closestNote(result)));
    parts.push(blockquote([result.sentence]));
    const differs = result.differences && differencesLine(result.differences);
    if (differs) parts.push(escapeText(differs));
    parts.push(`${linkedTitle(result.citation)} · ${sourceLine(result.citation)}`);
  }
  const color = result.match === 'verbatim' ? FOUND : result.match === 'reworded' ? REWORDED : NOT_FOUND;
  return { embeds: [{ color, title: escapeText(`“${result.quote}”`), description: parts.join('\n\n') }] };
}

const FOUND = 0x57f287;
const REWORDED = 0xfee75c;
const NOT_FOUND = 0xed4245;

function linkedTitle(citation: Citation): string {
  const url = safeLink(citation.url);
  return url ? `[${escapeText(citation.title)}](${url})` : escapeText(citation.title);
}

/** The chart's file name in a timeline reply, which its embed shows. */
export const TIMELINE_CHART = 'timeline.png';

/** `/timeline`: one field per day (or week), its sentences quoted and cited; the chart attached and shown. */
export function timelineMessage(result: TimelineResult, chart?: Buffer): ReplyPayload {
  if (result.kind === 'refusal') return refusalMessage(result);
  const fields = result.entries.map((entry) => ({
    name: escapeText(periodHeading(entry.date, result.period)),
    value: entry.sentences.map((s) => `${blockquote([s.text])}\n${linkedTitle(s.citation)}${s.citation.outlet ? ` · ${escapeText(s.citation.outlet)}` : ''}`).join('\n'),
  }));
  return {
    embeds: [{ color: ACCENT, title: escapeText(`Timeline: ${result.topic}`), fields, ...(chart ? { image: { url: `attachment://${TIMELINE_CHART}` } } : {}) }],
    ...(chart ? { files: [{ name: TIMELINE_CHART, data: chart }] } : {}),
  };
}

/** A channel digest's post: the new articles, each linked, with its outlet, date and two sentences. */
export function digestPostMessage(fresh: NewArticles, since: string): ReplyPayload {
  const about = fresh.topic ? ` on ${escapeText(fresh.topic)}` : '';
  const more = fresh.more ? ` (${fresh.more} more not listed)` : '';
  return {
    content: `**New articles${about}** since <t:${Math.floor(Date.parse(since) / 1000)}:f>${more}`,
    embeds: fresh.items.map((item) =>
      linked({ color: ACCENT, title: escapeText(item.citation.title), description: `${blockquote(item.sentences)}\n\n${sourceLine(item.citation)}` }, item.citation),
    ),
  };
}

/** Said once in a digest channel when a feed keeps failing. */
export function feedFailingMessage(feed: string, failures: number, reason: string | undefined): ReplyPayload {
  const link = safeLink(feed);
  return { content: `⚠️ The feed ${link ? `<${link}>` : escapeText(feed)} has failed its last ${failures} polls${reason ? `: ${escapeText(reason)}` : ''}. Its new articles will not appear until it recovers.` };
}

/** Told by DM to the moderator who set up a digest the bot can no longer post. */
export function digestStoppedMessage(channelId: string, reason: string): ReplyPayload {
  return { content: `The digest you set up for <#${channelId}> has stopped: I can no longer post there (${escapeText(reason)}). Give me permission to send messages there, then set it up again with /digest.` };
}

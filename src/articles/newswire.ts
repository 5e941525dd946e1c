/**
 * Newswire conventions shared by every text format: boilerplate, datelines, photo captions,
 * agency credits, outlets. Pure functions over paragraphs; nothing here reads files.
 */
import { splitSentences } from './sentences.js';

const BOILERPLATE: RegExp[] = [
  /^sign up (now|here|for)\b.*newsletters?/i,
  /newsletters? delivered to your inbox/i,
  /^(read more|related|advertisement|subscribe|follow us)\b.{0,80}$/i,
  /^(click|tap) here\b/i,
  /^this (story|article) (has been|was) (updated|corrected)\b.{0,120}$/i,
  /^scroll down for (the )?videos?\b.{0,40}$/i,
  /^media playback is (not supported|unsupported) on (this|your) device\b.{0,20}$/i,
  /^[–—-]?\s?.{0,200}\bcontributed (reporting )?to this (report|story)\.?$/i,
];

const OUTLET_MARKERS: [RegExp, string][] = [
  [/\bST's newsletters\b/, 'The Straits Times'],
  [/\bCNN\s*[—–-]\s*$/, 'CNN'],
];

const OUTLET_HOSTS: Record<string, string> = {
  'cnn.com': 'CNN',
  'edition.cnn.com': 'CNN',
  'straitstimes.com': 'The Straits Times',
  'reuters.com': 'Reuters',
  'apnews.com': 'AP',
  'bbc.co.uk': 'BBC',
  'bbc.com': 'BBC',
  'nytimes.com': 'The New York Times',
  'theguardian.com': 'The Guardian',
  'washingtonpost.com': 'The Washington Post',
  'dailymail.co.uk': 'Daily Mail',
};

const AGENCIES: Record<string, string> = {
  REUTERS: 'Reuters',
  AFP: 'AFP',
  AP: 'AP',
  BLOOMBERG: 'Bloomberg',
  XINHUA: 'Xinhua',
  DPA: 'DPA',
  ANN: 'Asia News Network',
  NYTIMES: 'The New York Times',
  'THE NEW YORK TIMES': 'The New York Times',
  'THE WASHINGTON POST': 'The Washington Post',
};

/** "MOSCOW –" or "WASHINGTON (Reuters) -" at the start of a paragraph, or "New York CNN —" alone. */
const DATELINE_PREFIX = /^[A-Z][A-Z.' ]+(?:,\s*[A-Z][A-Za-z.' ]+)?(?:\s*\([A-Za-z ]+\))?\s+[–—-]\s+/;
const DATELINE_ALONE = /^[A-Z][\w.' ,]{0,60}\b(CNN|AP|AFP|Reuters)?\s*[—–-]$/;
/** An all-capital credit after the last sentence: "… fourth year. REUTERS", "… said. AFP, REUTERS". */
/**
 * "… fourth year. REUTERS", "… said. AFP/REUTERS": capitals after the last sentence. Read only on
 * the paragraph's tail and with no nested quantifier, so a hostile paragraph cannot make it
 * backtrack (the earlier pattern doubled its time with each "THE AA, " repeated).
 */
const TRAILING_CREDIT = /[.!?"”’)]\s+([A-Z][A-Z ,/]*[A-Z])\s*$/;
const CREDIT_TAIL = 120;
/** A dateline sits at the start of a paragraph: only its head is matched. */
const DATELINE_HEAD = 200;
const CAPTION_MARKERS = /\((?:left|right|centre|center|far left|far right|top|above|pictured|in photo)\)|^(?:photo|file photo|pictured)\b|\b(?:PHOTO|ST PHOTO|PHOTO:)\b/i;

export interface CleanBody {
  paragraphs: string[];
  captions: string[];
  outlet?: string;
  agency?: string;
}

/**
 * Normalises whitespace inside a paragraph (line breaks, runs of spaces) without touching its words.
 * Line by line, not with the pattern `\s*\n\s*`: that one scans a run of spaces again from each
 * of its characters (100,000 spaces took 13 s); split and trim read each character once.
 */
export function normaliseParagraph(text: string): string {
  const lines = text.split('\n');
  const joined = lines.length === 1 ? text : lines.map((line, i) => (i === 0 ? line.trimEnd() : i === lines.length - 1 ? line.trimStart() : line.trim())).join(' ');
  return joined.replace(/[ \t\u00a0]+/g, ' ').trim();
}

/** Splits text into paragraphs at blank lines. */
export function splitParagraphs(text: string): string[] {
  return text
    .split(/\r?\n\s*\r?\n/)
    .map(normaliseParagraph)
    .filter((p) => p.length > 0);
}

export function outletFromUrl(url: string | undefined): string | undefined {
  if (!url) return undefined;
  try {
    const host = new URL(url).hostname.replace(/^www\./, '');
    return OUTLET_HOSTS[host] ?? OUTLET_HOSTS[host.split('.').slice(-2).join('.')];
  } catch {
    return undefined;
  }
}

function isBoilerplate(paragraph: string): boolean {
  return BOILERPLATE.some((pattern) => pattern.test(paragraph));
}

/** A short fragment with no sentence punctuation ("Netflix", "Getty Images"): a photo credit. */
function isFragment(paragraph: string): boolean {
  return paragraph.split(/\s+/).length <= 4 && !/[.!?:"”]$/.test(paragraph);
}

/** What ends a photo caption after its last sentence: "… Monday. Julia Nikhinson/AP", "… 2021. Mario Tama/Getty Images". */
const PHOTO_CREDIT = /\/|\b(?:Getty Images|AP|AFP|Reuters|Associated Press|Bloomberg|EPA|Shutterstock|Invision|UPI|NurPhoto|Alamy)$/;
/** Words at most in a photo credit. */
const CREDIT_WORDS = 8;

/** Where the text after a dateline starts ("MOSCOW – Russia said…" → at "Russia"), if the paragraph opens with one. */
export function datelineEnd(paragraph: string): number | undefined {
  return DATELINE_PREFIX.exec(paragraph.slice(0, DATELINE_HEAD))?.[0].length;
}

/**
 * Where a photo caption's credit starts ("… celebrating their victory in Game 6. John Bazemore/AP"),
 * if the paragraph ends in one: after its last sentence, a few words without sentence punctuation
 * that name a photographer and agency. The photographer is never an answer.
 */
export function photoCreditStart(paragraph: string): number | undefined {
  if (/[.!?:;"”’)\]]$/.test(paragraph)) return undefined;
  const lastStop = Math.max(...['. ', '? ', '! ', '” ', '" '].map((stop) => paragraph.lastIndexOf(stop)));
  if (lastStop < 0) return undefined;
  const tail = paragraph.slice(lastStop + 2);
  return tail.split(' ').length <= CREDIT_WORDS && PHOTO_CREDIT.test(tail) ? lastStop + 2 : undefined;
}

/** A heading states no fact: eight words at most, and no sentence stop ("The future of OTC hearing aids", "New York CNN —"). */
export function isHeading(paragraph: string): boolean {
  const text = paragraph.slice(0, HEADING_CHARACTERS + 1).trim();
  return text.length > 0 && text.length <= HEADING_CHARACTERS && !/[.!?]/.test(text) && text.split(/\s+/).length <= HEADING_WORDS;
}

const HEADING_WORDS = 8;
const HEADING_CHARACTERS = 120;

/**
 * Separates answer material from newsroom furniture: boilerplate dropped, a lone dateline dropped,
 * paragraphs before a dateline (and captions by their markers) set apart, a trailing agency
 * credit cut off the last paragraph.
 */
export function cleanBody(raw: string[]): CleanBody {
  let outlet: string | undefined;
  for (const paragraph of raw) {
    for (const [marker, name] of OUTLET_MARKERS) if (!outlet && marker.test(paragraph)) outlet = name;
  }
  const kept = raw.filter((p) => !isBoilerplate(p) && !DATELINE_ALONE.test(p));
  const captions: string[] = [];
  const datelineAt = kept.findIndex((p, i) => i < 4 && DATELINE_PREFIX.test(p.slice(0, DATELINE_HEAD)));
  const paragraphs: string[] = [];
  kept.forEach((paragraph, i) => {
    const beforeDateline = datelineAt > 0 && i < datelineAt;
    const looksLikeCaption = i < 3 && datelineAt < 0 && CAPTION_MARKERS.test(paragraph);
    if (beforeDateline || looksLikeCaption || isFragment(paragraph)) captions.push(paragraph);
    else paragraphs.push(paragraph);
  });

  let agency: string | undefined;
  const last = paragraphs.at(-1);
  const credit = last === undefined ? undefined : trailingCredit(last);
  if (last !== undefined && credit) {
    const names = credit.names.map((n) => AGENCIES[n.trim()]);
    if (names.every(Boolean)) {
      agency = names.join(', ');
      paragraphs[paragraphs.length - 1] = last.slice(0, credit.at).trimEnd();
    }
  }
  return { paragraphs, captions, outlet, agency };
}

/** The agency credit glued to a paragraph's end: where it starts, and the names it gives. */
function trailingCredit(paragraph: string): { at: number; names: string[] } | undefined {
  const offset = Math.max(0, paragraph.length - CREDIT_TAIL);
  const match = TRAILING_CREDIT.exec(paragraph.slice(offset));
  return match ? { at: offset + match.index + 1, names: match[1]!.split(/\s*[,/]\s*/) } : undefined;
}

/** A title from the lead sentence: dateline removed, cut at a clause or word boundary. */
export function titleFromLead(paragraphs: string[], maxLength = 100): string {
  const first = paragraphs[0] ?? '';
  const dateline = DATELINE_PREFIX.exec(first.slice(0, DATELINE_HEAD));
  const lead = dateline ? first.slice(dateline[0].length) : first;
  let title = splitSentences(lead)[0]?.text ?? lead;
  // Only from the start of a run of spaces ((?<!\s)): from each of its characters, a run would be scanned again and again.
  title = title.replace(/(?<!\s)\s+(?=[,.;:!?])/g, '').replace(/[.!?]$/, '');
  const clause = title.indexOf(', ');
  if (clause >= 40 && clause <= maxLength) return title.slice(0, clause);
  if (title.length <= maxLength) return title || 'Untitled article';
  const cut = title.slice(0, maxLength);
  return `${cut.slice(0, cut.lastIndexOf(' '))}…`;
}

/** YYYY-MM-DD from a date string or Date, or undefined when it is not a date. */
export function normaliseDate(value: unknown): string | undefined {
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? undefined : value.toISOString().slice(0, 10);
  if (typeof value !== 'string' || value.trim() === '') return undefined;
  const iso = value.match(/^\s*(\d{4}-\d{2}-\d{2})/);
  if (iso) return iso[1];
  const parsed = new Date(value);
  return Number.isNaN(parsed.getTime()) ? undefined : parsed.toISOString().slice(0, 10);
}

/**
 * `npm run eval -- --dir <folder> --verify`: `/verify` measured. 100 sentences taken from the
 * news articles should be found word for word; the same sentences with one word changed, found
 * as reworded; 100 sentences of the wiki articles (not in the news), reported not found. The
 * similarities printed are what `REWORDED_SIMILARITY` is chosen between.
 */
import { splitSentences } from '../src/articles/sentences.js';
import { isStopWord } from '../src/articles/terms.js';
import type { Engine } from '../src/engine.js';
import { comparedWords, REWORDED_SIMILARITY } from '../src/answers/verify.js';
import { sentencesOf } from '../src/answers/quotes.js';
import { readJsonl, seededRandom } from './eval-data.js';

const SAMPLE = 100;
/** Sentences of this many words: shorter ones are headlines and fragments, not quotes. */
const WORDS = { min: 8, max: 60 };
/** Words put in place of one word of a sentence. */
const REPLACEMENTS = ['yesterday', 'seven', 'government', 'village', 'quietly', 'rejected', 'hospital', 'engineers', 'winter', 'twelve'];

export async function evaluateVerify(engine: Engine, wikiFile: string, json: boolean): Promise<void> {
  const random = seededRandom(17);
  const pick = <T>(items: T[], count: number): T[] => {
    const copy = [...items];
    for (let i = copy.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [copy[i], copy[j]] = [copy[j]!, copy[i]!];
    }
    return copy.slice(0, count);
  };
  const fits = (sentence: string) => {
    const n = comparedWords(sentence).length;
    return n >= WORDS.min && n <= WORDS.max;
  };
  const news: string[] = [];
  for (const article of engine.manifest.articles.values()) for (const p of await engine.paragraphsOf(article.id)) news.push(...sentencesOf(p.text).filter(fits));
  const wiki = (await readJsonl<{ text: string }>(wikiFile)).flatMap((a) => splitSentences(a.text).map((s) => s.text)).filter(fits);
  const taken = pick(news, SAMPLE);
  const changed = taken.map((sentence) => changeOneWord(sentence, random));
  const outside = pick(wiki, SAMPLE);

  const verbatim = await Promise.all(taken.map((s) => engine.verify(s)));
  const reworded = await Promise.all(changed.map((s) => engine.verify(s)));
  const absent = await Promise.all(outside.map((s) => engine.verify(s)));
  const share = (results: Awaited<ReturnType<Engine['verify']>>[], match: string) => round(results.filter((r) => r.kind === 'verification' && r.match === match).length / results.length);
  const similarities = (results: Awaited<ReturnType<Engine['verify']>>[]) =>
    results.map((r) => (r.kind === 'verification' ? (r.similarity ?? (r.match === 'verbatim' ? 1 : 0)) : 0)).sort((a, b) => a - b);
  const changedSims = similarities(reworded);
  const outsideSims = similarities(absent);
  const figures = {
    sentences: SAMPLE,
    verbatim_found: share(verbatim, 'verbatim'),
    one_word_changed_found_reworded: share(reworded, 'reworded'),
    wiki_not_found: share(absent, 'not-found'),
    reworded_similarity_threshold: REWORDED_SIMILARITY,
    changed_similarity_min: round(changedSims[0] ?? 0),
    changed_similarity_p5: round(changedSims[Math.floor(changedSims.length * 0.05)] ?? 0),
    wiki_closest_similarity_p95: round(outsideSims[Math.floor(outsideSims.length * 0.95)] ?? 0),
    wiki_closest_similarity_max: round(outsideSims.at(-1) ?? 0),
  };
  if (json) {
    process.stdout.write(`${JSON.stringify(figures)}\n`);
    return;
  }
  process.stdout.write(`/verify on ${SAMPLE} sentences of the news articles, the same with one word changed, and ${SAMPLE} sentences of the wiki articles\n\n`);
  for (const [key, value] of Object.entries(figures)) process.stdout.write(`${key.padEnd(36)}${String(value).padStart(8)}\n`);
  const misses = changed.filter((_, i) => reworded[i]!.kind !== 'verification' || (reworded[i] as { match: string }).match !== 'reworded');
  if (misses.length) process.stdout.write(`\nChanged sentences not found as reworded:\n${misses.map((m) => `  ${m}`).join('\n')}\n`);
}

/** The sentence with one of its longer content words replaced by a word it does not hold. */
function changeOneWord(sentence: string, random: () => number): string {
  const words = [...sentence.matchAll(/[A-Za-z]{4,}/g)].filter((m) => !isStopWord(m[0].toLowerCase()));
  const target = words[Math.floor(random() * words.length)];
  if (!target) return sentence;
  const held = new Set(comparedWords(sentence));
  const replacement = REPLACEMENTS.filter((w) => !held.has(w))[Math.floor(random() * REPLACEMENTS.length) % (REPLACEMENTS.length - 1)]!;
  return sentence.slice(0, target.index) + replacement + sentence.slice(target.index! + target[0].length);
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}

/**
 * Merging segments, as log-structured stores do: every ingest adds a segment, so small ones are
 * merged into larger ones by a tiered policy, and segments full of dead rows (articles updated or
 * removed since) are rewritten. A merge writes one new segment and a new generation under the write
 * lock; until `CURRENT` switches, the old segments stay live, so a crash mid-merge loses nothing.
 */
import { acquireWriteLock } from './lock.js';
import { MAX_SEGMENT_ROWS } from './segment.js';
import { listedSegments, loadSegments, readGeneration } from './store.js';
import { liveRowsOf, segmentsToCarry, writeGeneration, writeSegments } from './write.js';
import type { Generation, Segment } from './types.js';

/** Segments of one size tier (a factor of 10 in rows) are merged once there are this many. */
export const SEGMENTS_PER_TIER = 8;
/** A segment with more dead rows than this share is rewritten with its live rows only. */
export const MOSTLY_DEAD = 0.5;

export interface SegmentSize {
  name: string;
  rows: number;
  live: number;
}

/** Each segment's rows and live rows in a generation. */
export function segmentSizes(generation: Generation): SegmentSize[] {
  const live = new Map<string, number>();
  for (const article of generation.manifest.articles.values()) {
    if (article.segment) live.set(article.segment, (live.get(article.segment) ?? 0) + article.paragraphCount);
  }
  return generation.segments.map((s) => ({ name: s.name, rows: s.rows, live: live.get(s.name) ?? 0 }));
}

/** The segments to merge next, or none: a mostly dead one first, then the smallest tier that has filled up. */
export function segmentsToMerge(sizes: readonly SegmentSize[]): string[] {
  const mostlyDead = sizes.find((s) => s.rows > 0 && (s.rows - s.live) / s.rows > MOSTLY_DEAD);
  if (mostlyDead) return [mostlyDead.name];
  const tiers = new Map<number, SegmentSize[]>();
  for (const size of sizes) {
    if (size.live >= MAX_SEGMENT_ROWS) continue;
    const tier = Math.floor(Math.log10(Math.max(size.live, 1)));
    if (!tiers.has(tier)) tiers.set(tier, []);
    tiers.get(tier)!.push(size);
  }
  for (const tier of [...tiers.keys()].sort((a, b) => a - b)) {
    const members = tiers.get(tier)!;
    if (members.length < SEGMENTS_PER_TIER) continue;
    const chosen: string[] = [];
    let rows = 0;
    for (const size of [...members].sort((a, b) => a.live - b.live)) {
      if (rows + size.live > MAX_SEGMENT_ROWS) break;
      chosen.push(size.name);
      rows += size.live;
    }
    if (chosen.length >= 2) return chosen;
  }
  return [];
}

export interface MergeReport {
  merged: string[];
  rows: number;
  generation: number;
}

/**
 * Performs the next merge the policy asks for, if any. `loaded` are segments already in memory
 * (a bot's), reused instead of read again. Segments that an ingest must carry over first (a
 * first-format generation) are left to it.
 */
export async function mergeNext(indexDir: string, loaded: readonly Segment[] = []): Promise<{ report: MergeReport; segments: Segment[] } | undefined> {
  // The common case, after most ingests: nothing to merge, known from the small list of segments alone.
  const listed = await listedSegments(indexDir);
  if (listed && segmentsToMerge(listed).length === 0) return undefined;
  const release = await acquireWriteLock(indexDir);
  try {
    const generation = await readGeneration(indexDir);
    if (!generation || generation.recoveredFrom || segmentsToCarry(indexDir, generation).length > 0) return undefined;
    const chosen = new Set(segmentsToMerge(segmentSizes(generation)));
    if (chosen.size === 0) return undefined;
    const segments = await loadSegments({ ...generation, segments: generation.segments.filter((s) => chosen.has(s.name)) }, loaded);
    const rows = liveRowsOf(generation.manifest, segments, () => {
      throw new Error('a complete segment has people and candidate answers for each of its articles');
    });
    const written = await writeSegments(indexDir, rows, generation.manifest.model.dimensions);
    const next = await writeGeneration(indexDir, generation, { model: generation.manifest.model, articles: generation.manifest.articles, written });
    return { report: { merged: [...chosen], rows: rows.paragraphs.length, generation: next.manifest.generation }, segments: [...loaded] };
  } finally {
    await release();
  }
}

/** Merges until the policy is satisfied (a bounded number of times): after an ingest, in the CLI or in the bot's background. */
export async function mergeUntilTidy(indexDir: string, loaded: readonly Segment[] = [], onMerge?: (report: MergeReport) => void): Promise<MergeReport[]> {
  const reports: MergeReport[] = [];
  let inMemory = loaded;
  for (let i = 0; i < 32; i++) {
    const merged = await mergeNext(indexDir, inMemory);
    if (!merged) break;
    reports.push(merged.report);
    onMerge?.(merged.report);
    inMemory = merged.segments;
  }
  return reports;
}

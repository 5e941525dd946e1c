export interface Ranked {
  row: number;
  score: number;
}

/**
 * The k best rows (highest score), best first, by a bounded min-heap instead of a full sort.
 * `rows` limits the candidates (all rows of `scores` when omitted).
 */
export function topK(k: number, scores: ArrayLike<number>, rows?: ArrayLike<number>): Ranked[] {
  const count = rows ? rows.length : scores.length;
  const heapRows = new Int32Array(Math.max(0, Math.min(k, count)));
  const heapScores = new Float64Array(heapRows.length);
  let size = 0;
  // a is worse than b: lower score, or equal score and later row.
  const worse = (sa: number, ra: number, sb: number, rb: number) => sa < sb || (sa === sb && ra > rb);
  for (let i = 0; i < count; i++) {
    const row = rows ? rows[i]! : i;
    const score = scores[row]!;
    if (size < heapRows.length) {
      let at = size++;
      while (at > 0) {
        const parent = (at - 1) >> 1;
        if (!worse(score, row, heapScores[parent]!, heapRows[parent]!)) break;
        heapRows[at] = heapRows[parent]!;
        heapScores[at] = heapScores[parent]!;
        at = parent;
      }
      heapRows[at] = row;
      heapScores[at] = score;
    } else if (size > 0 && worse(heapScores[0]!, heapRows[0]!, score, row)) {
      let at = 0;
      for (;;) {
        const left = 2 * at + 1;
        if (left >= size) break;
        const right = left + 1;
        const child = right < size && worse(heapScores[right]!, heapRows[right]!, heapScores[left]!, heapRows[left]!) ? right : left;
        if (!worse(heapScores[child]!, heapRows[child]!, score, row)) break;
        heapRows[at] = heapRows[child]!;
        heapScores[at] = heapScores[child]!;
        at = child;
      }
      heapRows[at] = row;
      heapScores[at] = score;
    }
  }
  const ranked: Ranked[] = [];
  for (let i = 0; i < size; i++) ranked.push({ row: heapRows[i]!, score: heapScores[i]! });
  return ranked.sort((a, b) => b.score - a.score || a.row - b.row);
}

/** Tables smaller than this are ranked by the heap alone. */
const SAMPLED_FROM = 50_000;
const SAMPLE_STEP = 16;

/**
 * The k best of every row of a large table, exactly as `topK` ranks them, in about one tight
 * pass: a sample of every 16th row sets a bar, the rows at or over it are kept (a few thousand),
 * and the heap ranks only those. When fewer than k rows clear the bar, all rows are ranked.
 */
export function topKOfAll(k: number, scores: Float32Array): Ranked[] {
  if (scores.length < SAMPLED_FROM || k * SAMPLE_STEP * 4 > scores.length) return topK(k, scores);
  const sample = new Float32Array(Math.floor(scores.length / SAMPLE_STEP));
  for (let i = 0; i < sample.length; i++) sample[i] = scores[i * SAMPLE_STEP]!;
  // Four times the sample's share of k: the bar sits well below the k-th best.
  const sampled = topK(Math.ceil(k / SAMPLE_STEP) * 4, sample);
  const bar = sampled.at(-1)!.score;
  const over: number[] = [];
  for (let row = 0; row < scores.length; row++) if (scores[row]! >= bar) over.push(row);
  return over.length >= k ? topK(k, scores, over) : topK(k, scores);
}

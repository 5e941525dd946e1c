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

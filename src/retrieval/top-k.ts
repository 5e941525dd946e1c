export interface Ranked {
  row: number;
  score: number;
}

/** The k best (highest score) entries, best first, by a bounded min-heap instead of a full sort. */
export function topK(k: number, scores: Iterable<[number, number]>): Ranked[] {
  const heap: Ranked[] = [];
  const less = (a: Ranked, b: Ranked) => a.score < b.score || (a.score === b.score && a.row > b.row);
  const siftDown = (i: number) => {
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < heap.length && less(heap[l]!, heap[m]!)) m = l;
      if (r < heap.length && less(heap[r]!, heap[m]!)) m = r;
      if (m === i) return;
      [heap[i], heap[m]] = [heap[m]!, heap[i]!];
      i = m;
    }
  };
  for (const [row, score] of scores) {
    const entry = { row, score };
    if (heap.length < k) {
      heap.push(entry);
      for (let i = heap.length - 1; i > 0; ) {
        const parent = (i - 1) >> 1;
        if (!less(heap[i]!, heap[parent]!)) break;
        [heap[i], heap[parent]] = [heap[parent]!, heap[i]!];
        i = parent;
      }
    } else if (k > 0 && less(heap[0]!, entry)) {
      heap[0] = entry;
      siftDown(0);
    }
  }
  return heap.sort((a, b) => b.score - a.score || a.row - b.row);
}

/** Cosine scores of every row against a unit query vector (rows are unit vectors, so a dot product). */
export function* denseScores(vectors: Float32Array, dimensions: number, query: Float32Array): Generator<[number, number]> {
  const rows = vectors.length / dimensions;
  for (let row = 0, offset = 0; row < rows; row++, offset += dimensions) {
    let dot = 0;
    for (let d = 0; d < dimensions; d++) dot += vectors[offset + d]! * query[d]!;
    yield [row, dot];
  }
}

/**
 * Rows of paragraphs as typed arrays rather than a million objects: an article number and a
 * position per row, the texts decoded when read. Building and collecting a million paragraph
 * objects was a third of a cold start at a million paragraphs (README, "Performance"). A
 * segment's table is read from its files; a generation's is the live rows of its segments.
 */
export interface Paragraph {
  articleId: string;
  position: number;
  text: string;
}

/** Article ids numbered in order of first appearance. */
class ArticleNumbers {
  readonly ids: string[] = [];
  readonly numbers = new Map<string, number>();

  numberOf(id: string): number {
    let n = this.numbers.get(id);
    if (n === undefined) {
      this.numbers.set(id, (n = this.ids.length));
      this.ids.push(id);
    }
    return n;
  }
}

export class ParagraphTable implements Iterable<Paragraph> {
  private numbers: ReadonlyMap<string, number> | undefined;

  constructor(
    /** Articles by number: row r belongs to `articleIds[articleOf(r)]`. */
    readonly articleIds: readonly string[],
    private readonly articles: Int32Array,
    private readonly positions: Int32Array,
    private readonly texts: (row: number) => string,
    numbers?: ReadonlyMap<string, number>,
  ) {
    this.numbers = numbers;
  }

  get length(): number {
    return this.articles.length;
  }

  /** The paragraph at a row, made when asked for; its text is decoded when read. */
  at(row: number): Paragraph {
    if (!(row >= 0 && row < this.length)) throw new RangeError(`row ${row} is outside a table of ${this.length} paragraphs`);
    const texts = this.texts;
    return {
      articleId: this.articleIds[this.articles[row]!]!,
      position: this.positions[row]!,
      get text() {
        return texts(row);
      },
    };
  }

  /** The number of the row's article (an index into `articleIds`). */
  articleOf(row: number): number {
    return this.articles[row]!;
  }

  /** The number of an article, if the table holds rows of it. */
  articleNumber(articleId: string): number | undefined {
    this.numbers ??= new Map(this.articleIds.map((id, n) => [id, n]));
    return this.numbers.get(articleId);
  }

  articleIdOf(row: number): string {
    return this.articleIds[this.articles[row]!]!;
  }

  positionOf(row: number): number {
    return this.positions[row]!;
  }

  textOf(row: number): string {
    return this.texts(row);
  }

  *[Symbol.iterator](): Iterator<Paragraph> {
    for (let row = 0; row < this.length; row++) yield this.at(row);
  }

  /** Every row as an object: for small tables and tests. */
  toArray(): Paragraph[] {
    return [...this];
  }
}

/** A table of paragraphs held as objects (a segment's rows rebuilt from vectra's own file). */
export function tableOf(paragraphs: readonly Paragraph[]): ParagraphTable {
  const numbering = new ArticleNumbers();
  const articles = new Int32Array(paragraphs.length);
  const positions = new Int32Array(paragraphs.length);
  paragraphs.forEach((p, row) => {
    articles[row] = numbering.numberOf(p.articleId);
    positions[row] = p.position;
  });
  return new ParagraphTable(numbering.ids, articles, positions, (row) => paragraphs[row]!.text, numbering.numbers);
}

/**
 * The live rows of several tables, one table after another, as one table: `rows[i]` lists the
 * rows of `tables[i]` to keep, in order. Articles are numbered anew across the tables.
 */
export function joinTables(tables: readonly ParagraphTable[], rows: readonly Int32Array[]): ParagraphTable {
  const total = rows.reduce((sum, r) => sum + r.length, 0);
  const articles = new Int32Array(total);
  const positions = new Int32Array(total);
  const tableOfRow = new Uint16Array(total);
  const rowIn = new Int32Array(total);
  const numbering = new ArticleNumbers();
  let at = 0;
  tables.forEach((table, t) => {
    const renumbered = new Int32Array(table.articleIds.length).fill(-1);
    for (const row of rows[t]!) {
      const local = table.articleOf(row);
      if (renumbered[local] === -1) renumbered[local] = numbering.numberOf(table.articleIds[local]!);
      articles[at] = renumbered[local]!;
      positions[at] = table.positionOf(row);
      tableOfRow[at] = t;
      rowIn[at] = row;
      at++;
    }
  });
  return new ParagraphTable(numbering.ids, articles, positions, (row) => tables[tableOfRow[row]!]!.textOf(rowIn[row]!), numbering.numbers);
}

import path from 'node:path';
import { byPosition } from '../index/order.js';
import { assertSameModel, generationStamp, liveGenerationDir, readSnapshot } from '../index/store.js';
import type { ModelStamp, Paragraph, Snapshot } from '../index/types.js';
import { UserError } from '../errors.js';
import type { Logger } from '../log.js';
import type { Corpus } from './corpus.js';
import { Retriever } from './retriever.js';

/**
 * The file index's live generation, all of it in memory: `reload()` switches to a newer one once
 * an ingest completed it, reading only the segments not loaded yet. A damaged live generation is
 * read around: an earlier intact one answers, with one warning line.
 */
export class FileCorpus implements Corpus {
  /** The generation answering (see `generationStamp`). */
  private loadedStamp: string | undefined;
  /** The live generation last found damaged and read around: not read again until `CURRENT` or its manifest changes. */
  private readAroundStamp: string | undefined;

  private constructor(
    readonly target: string,
    private readonly model: ModelStamp,
    private retriever: Retriever,
    private readonly log?: Logger,
  ) {
    this.loadedStamp = generationStamp(retriever.snapshot.dir);
  }

  /** Reads the live generation of `indexDir`, refusing one built with another model. */
  static async open(indexDir: string, model: Promise<ModelStamp>, log?: Logger): Promise<FileCorpus> {
    const live = livePointer(indexDir);
    // The model loads in its own thread while the index is read here.
    const [stamp, snapshot] = await Promise.all([model, readSnapshot(indexDir)]);
    const corpus = new FileCorpus(indexDir, stamp, new Retriever(checkedSnapshot(stamp, indexDir, snapshot)), log);
    corpus.noteReadAround(live, corpus.snapshot);
    return corpus;
  }

  get snapshot(): Snapshot {
    return this.retriever.snapshot;
  }

  get manifest() {
    return this.snapshot.manifest;
  }

  get people() {
    return this.snapshot.people ?? new Map();
  }

  get vocabulary() {
    return this.retriever.bm25;
  }

  async retrieverFor(): Promise<Retriever> {
    return this.retriever;
  }

  async paragraphsOf(articleId: string): Promise<Paragraph[]> {
    return this.retriever
      .rowsOf(articleId)
      .map((row) => this.snapshot.paragraphs.at(row))
      .sort(byPosition);
  }

  /** Switches to the live generation if an ingest replaced it (a read of the pointer otherwise). */
  async reload(): Promise<boolean> {
    const live = livePointer(this.target);
    if (live === undefined || live.stamp === this.loadedStamp || live.stamp === this.readAroundStamp) return false;
    const snapshot = checkedSnapshot(this.model, this.target, await readSnapshot(this.target, this.snapshot.segments));
    this.noteReadAround(live, snapshot);
    // Read around to the generation already answering from: nothing to switch.
    if (snapshot.recoveredFrom && generationStamp(snapshot.dir) === this.loadedStamp) return false;
    this.retriever = new Retriever(snapshot);
    this.loadedStamp = generationStamp(snapshot.dir);
    return true;
  }

  async close(): Promise<void> {}

  /**
   * When the snapshot is an earlier generation read around a damaged live one: one warning line
   * naming both, and the damaged one not read again until `CURRENT` or its manifest changes.
   */
  private noteReadAround(live: LivePointer | undefined, snapshot: Snapshot): void {
    if (!snapshot.recoveredFrom) return;
    this.readAroundStamp = live?.stamp;
    this.log?.warn(
      { indexDir: this.target, damaged: live?.name, used: path.basename(snapshot.dir), problem: snapshot.recoveredFrom },
      'index damaged: answering from the newest intact generation (the next ingest repairs it)',
    );
  }
}

/** The generation `CURRENT` names: its name (the first 40 characters) and stamp (see `generationStamp`). */
interface LivePointer {
  name: string;
  stamp: string;
}

/** What `CURRENT` names, if it exists. A folder without a manifest is a damaged index, not an absent one: it is read around like any other. */
function livePointer(indexDir: string): LivePointer | undefined {
  const dir = liveGenerationDir(indexDir);
  return dir === undefined ? undefined : { name: path.basename(dir).slice(0, 40), stamp: generationStamp(dir) ?? `${dir}:unreadable` };
}

function checkedSnapshot(model: ModelStamp, indexDir: string, snapshot: Snapshot | undefined): Snapshot {
  if (!snapshot) throw new UserError(`No index in ${indexDir} yet.`, 'Build it with: npm run ingest');
  assertSameModel(snapshot.manifest, model, indexDir);
  return snapshot;
}

/**
 * The embedded model in a worker thread of its own (model-thread.ts): `ready` settles once it is
 * loaded, `embed` sends texts and gets their vectors back. The thread keeps the process alive
 * only while it loads or has texts to answer, so a finished command still ends at once.
 */
import { Worker } from 'node:worker_threads';
import type { EmbedRequest, ModelThreadData, ModelThreadMessage } from './model-thread.js';

export class ThreadedModel {
  readonly ready: Promise<void>;
  private readonly worker: Worker;
  private readonly pending = new Map<number, { resolve: (vectors: Float32Array[]) => void; reject: (error: Error) => void }>();
  private nextId = 0;
  private loading = true;
  private failure?: Error;

  constructor(data: ModelThreadData) {
    this.worker = new Worker(threadEntry(), { workerData: data });
    let settle!: { resolve: () => void; reject: (error: Error) => void };
    this.ready = new Promise<void>((resolve, reject) => (settle = { resolve, reject }));
    this.ready.catch(() => undefined); // reported to whoever awaits it or embeds
    this.worker.on('message', (message: ModelThreadMessage) => {
      if ('ready' in message) {
        this.loading = false;
        this.keepAliveWhileBusy();
        settle.resolve();
      } else if ('failed' in message) {
        this.fail(new Error(`the embedding model could not be loaded: ${message.failed}`));
        settle.reject(this.failure!);
      } else {
        const waiting = this.pending.get(message.id);
        this.pending.delete(message.id);
        this.keepAliveWhileBusy();
        if ('error' in message) waiting?.reject(new Error(`embedding failed: ${message.error}`));
        else waiting?.resolve(message.vectors);
      }
    });
    const stopped = (error: Error) => {
      this.fail(error);
      settle.reject(error);
    };
    this.worker.on('error', stopped);
    this.worker.on('exit', (code) => stopped(new Error(`the embedding model's thread stopped (exit code ${code})`)));
  }

  async embed(texts: string[]): Promise<Float32Array[]> {
    if (texts.length === 0) return [];
    await this.ready;
    if (this.failure) throw this.failure;
    const id = this.nextId++;
    const answer = new Promise<Float32Array[]>((resolve, reject) => this.pending.set(id, { resolve, reject }));
    this.keepAliveWhileBusy();
    this.worker.postMessage({ id, texts } satisfies EmbedRequest);
    return answer;
  }

  private keepAliveWhileBusy(): void {
    if (this.loading || this.pending.size > 0) this.worker.ref();
    else this.worker.unref();
  }

  private fail(error: Error): void {
    if (this.failure) return;
    this.failure = error;
    this.loading = false;
    for (const waiting of this.pending.values()) waiting.reject(error);
    this.pending.clear();
    this.worker.unref();
  }
}

/** The thread's entry: from TypeScript sources (tsx, vitest) a bootstrap registers the loader first. */
function threadEntry(): URL {
  return new URL(import.meta.url.endsWith('.ts') ? './model-thread.mjs' : './model-thread.js', import.meta.url);
}

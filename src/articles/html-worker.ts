/**
 * Web pages are extracted away from the bot's event loop (issue #12 item 2). Readability over
 * linkedom is roughly cubic in the nesting of tags: 2,000 nested `<div>`s (22 KB) took 47 s and
 * 10,000 overflowed the stack, and a 16 KB page through `/add` blocked every user for 17 s. So a
 * page is first measured with a linear scan of its text and refused when it is too deep or too
 * large, and only then parsed by `parseHtmlArticle` in a worker thread with a time limit and a
 * memory limit; a worker that runs over is terminated. Either way the reason is "page too complex".
 */
import { Worker } from 'node:worker_threads';
import type { Article } from './article.js';
import type { ExtractReply, ExtractRequest } from './html-worker-thread.js';

/**
 * Deepest nesting of elements accepted. Real pages nest a few dozen levels (Lighthouse flags a
 * depth over 32) and Chrome's parser stops nesting at 512; Readability's time grows with the cube
 * of the depth: 256 nested levels take 0.1–0.4 s here, 512 take 1 s (4 s when repeated 40 times
 * in a page) and 2,000 take 47 s.
 */
export const MAX_HTML_NESTING = 256;
/**
 * Most elements accepted in a page. Big news pages have a few thousand (Lighthouse flags more
 * than 1,400); 60,000 elements take about 1 s to extract, and memory grows with the count.
 */
export const MAX_HTML_ELEMENTS = 50_000;
/** Time one page may take in the worker: pages within the limits above take at most a few seconds. */
export const EXTRACT_TIMEOUT_MS = 10_000;
/** The worker's heap: a 20 MB page (the file limit) within the limits above fits in it. */
export const EXTRACT_HEAP_MB = 256;
/** Pages extracted at once; more wait their turn. The bot is mostly waiting on the network and Discord. */
const MAX_WORKERS = 2;
/** An idle worker is kept this long for the next page, then stopped to give its memory back. */
const IDLE_MS = 30_000;
/** Loading the worker's modules (compiling them, from TypeScript sources) is not counted in a page's time, but is bounded too. */
const START_TIMEOUT_MS = 30_000;

export interface HtmlComplexity {
  /** Start tags in the page. */
  elements: number;
  /** Deepest nesting of elements, as an HTML parser would build it (closing implied ends, ignoring void elements). */
  nesting: number;
}

const VOID = new Set('area base basefont br col command embed frame hr img input isindex keygen link meta param source track wbr'.split(' '));
/** Elements whose text is not markup: their content is skipped up to their end tag. */
const RAW_TEXT = new Map(['script', 'style', 'textarea', 'title', 'xmp'].map((name) => [name, new RegExp(`</${name}`, 'gi')]));
/** Start tags that end the open element on top of the stack (a subset of what HTML parsers do), so that unclosed `<p>`, `<li>`, `<td>`… do not count as nested. */
const ENDS = new Map<string, Set<string>>();
for (const [starts, ended] of [
  ['p h1 h2 h3 h4 h5 h6 address article aside blockquote details div dl fieldset figcaption figure footer form header hr main nav ol pre section table ul', 'p'],
  ['li', 'li'],
  ['dd dt', 'dd dt'],
  ['tr', 'tr th td'],
  ['td', 'thead th td'],
  ['th', 'th'],
  ['option', 'option'],
  ['optgroup', 'optgroup option'],
  ['tbody tfoot', 'thead tbody'],
] as const) {
  for (const start of starts.split(' ')) ENDS.set(start, new Set(ended.split(' ')));
}
/** In SVG and MathML `<x/>` closes itself; HTML ignores the slash. */
const FOREIGN = new Set(['svg', 'math']);
const HTML_INSIDE_FOREIGN = new Set(['foreignobject', 'desc', 'title', 'mi', 'mo', 'mn', 'ms', 'mtext', 'annotation-xml']);

const LT = 0x3c;
const GT = 0x3e;
const SLASH = 0x2f;
const EQUALS = 0x3d;
const QUOTE = 0x22;
const APOSTROPHE = 0x27;

function isLetter(code: number): boolean {
  return (code >= 0x41 && code <= 0x5a) || (code >= 0x61 && code <= 0x7a);
}

function isSpace(code: number): boolean {
  return code === 0x20 || code === 0x09 || code === 0x0a || code === 0x0c || code === 0x0d;
}

/** End of a tag name: whitespace, `/` or `>`. */
function endOfName(html: string, from: number): number {
  let i = from;
  while (i < html.length) {
    const code = html.charCodeAt(i);
    if (isSpace(code) || code === SLASH || code === GT) break;
    i += 1;
  }
  return i;
}

/** The `>` that ends a start tag (skipping quoted attribute values), or -1 if the page ends first. */
function endOfStartTag(html: string, from: number): number {
  for (let i = from; i < html.length; i += 1) {
    const code = html.charCodeAt(i);
    if (code === GT) return i;
    if (code !== EQUALS) continue;
    let value = i + 1;
    while (value < html.length && isSpace(html.charCodeAt(value))) value += 1;
    const quote = html.charCodeAt(value);
    if (quote === QUOTE || quote === APOSTROPHE) {
      const close = html.indexOf(quote === QUOTE ? '"' : "'", value + 1);
      if (close < 0) return -1;
      i = close;
    } else {
      i = value - 1;
    }
  }
  return -1;
}

/**
 * Counts the elements of a page and estimates how deep they nest, in one pass over its text
 * (every character is looked at a bounded number of times; no pattern with nested quantifiers).
 * Comments, doctypes and the text of `<script>`, `<style>`… are skipped.
 */
export function htmlComplexity(html: string): HtmlComplexity {
  const stack: { name: string; foreign: boolean }[] = [];
  const open = new Map<string, number>();
  const pop = () => {
    const top = stack.pop()!;
    open.set(top.name, open.get(top.name)! - 1);
    return top.name;
  };
  let elements = 0;
  let nesting = 0;
  let i = html.indexOf('<');
  while (i >= 0) {
    const next = html.charCodeAt(i + 1);
    let resume: number;
    if (isLetter(next)) {
      const nameEnd = endOfName(html, i + 1);
      const name = html.slice(i + 1, nameEnd).toLowerCase();
      const end = endOfStartTag(html, nameEnd);
      elements += 1;
      const ended = ENDS.get(name);
      while (ended && stack.length > 0 && ended.has(stack.at(-1)!.name)) pop();
      const foreign = stack.at(-1)?.foreign ?? false;
      const selfClosing = end > 0 && html.charCodeAt(end - 1) === SLASH;
      if (!VOID.has(name) && !(foreign && selfClosing)) {
        stack.push({ name, foreign: FOREIGN.has(name) || (foreign && !HTML_INSIDE_FOREIGN.has(name)) });
        open.set(name, (open.get(name) ?? 0) + 1);
        nesting = Math.max(nesting, stack.length);
      }
      resume = end < 0 ? -1 : end + 1;
      const rawEnd = RAW_TEXT.get(name);
      if (rawEnd && resume >= 0 && !selfClosing) {
        rawEnd.lastIndex = resume;
        resume = rawEnd.exec(html)?.index ?? -1;
      }
    } else if (next === SLASH && isLetter(html.charCodeAt(i + 2))) {
      const nameEnd = endOfName(html, i + 2);
      const name = html.slice(i + 2, nameEnd).toLowerCase();
      // An end tag closes its element and every element opened inside it; one with nothing open is ignored.
      if ((open.get(name) ?? 0) > 0) while (pop() !== name);
      const end = html.indexOf('>', nameEnd);
      resume = end < 0 ? -1 : end + 1;
    } else if (html.startsWith('!--', i + 1)) {
      const end = html.indexOf('-->', i + 4);
      resume = end < 0 ? -1 : end + 3;
    } else if (next === 0x21 || next === 0x3f || next === SLASH) {
      // <!doctype …>, <![CDATA[…]]>, <?…>, </…>: markup that opens no element.
      const end = html.indexOf('>', i + 2);
      resume = end < 0 ? -1 : end + 1;
    } else {
      resume = i + 1;
    }
    i = resume < 0 ? -1 : html.indexOf('<', resume);
  }
  return { elements, nesting };
}

/** The reason a page is refused before parsing, or undefined when it is within the limits. */
export function complexityProblem(html: string): string | undefined {
  const { elements, nesting } = htmlComplexity(html);
  const count = (n: number) => n.toLocaleString('en-US');
  if (nesting > MAX_HTML_NESTING) return `page too complex (${count(nesting)} nested elements; the limit is ${count(MAX_HTML_NESTING)})`;
  if (elements > MAX_HTML_ELEMENTS) return `page too complex (${count(elements)} elements; the limit is ${count(MAX_HTML_ELEMENTS)})`;
  return undefined;
}

export interface ExtractOptions {
  /** Time the page may take in the worker; `EXTRACT_TIMEOUT_MS` unless given (tests give less). */
  timeoutMs?: number;
}

/**
 * `parseHtmlArticle`, off the event loop: refuses a page over the nesting or element limits
 * without parsing it, then parses it in a worker that is terminated if it takes longer than the
 * time limit or needs more memory than its heap. Errors of the parse keep their message.
 */
export async function extractHtmlArticle(html: string, location: string, pageUrl?: string, options: ExtractOptions = {}): Promise<Article> {
  const problem = complexityProblem(html);
  if (problem) throw new Error(problem);
  const request: ExtractRequest = pageUrl === undefined ? { html, location } : { html, location, pageUrl };
  const reply = await withWorker((worker) => worker.extract(request, options.timeoutMs ?? EXTRACT_TIMEOUT_MS));
  if ('error' in reply) throw new Error(reply.error);
  return reply.article;
}

function duration(ms: number): string {
  return ms >= 1000 ? `${ms / 1000} s` : `${ms} ms`;
}

/** The worker's entry: from TypeScript sources (tsx, vitest) a bootstrap registers the loader first. */
function workerEntry(): URL {
  return new URL(import.meta.url.endsWith('.ts') ? './html-worker-thread.mjs' : './html-worker-thread.js', import.meta.url);
}

/** One worker thread: answers one request at a time; once it has failed (timeout, crash, out of memory) it is stopped for good. */
class ExtractWorker {
  private readonly worker = new Worker(workerEntry(), { resourceLimits: { maxOldGenerationSizeMb: EXTRACT_HEAP_MB } });
  private waiting?: { resolve: (message: unknown) => void; reject: (error: Error) => void };
  private failure?: Error;
  private readonly started: Promise<unknown>;
  idleTimer?: NodeJS.Timeout;

  constructor() {
    this.worker.on('message', (message: unknown) => this.take()?.resolve(message));
    this.worker.on('error', (error: Error & { code?: string }) =>
      this.fail(error.code === 'ERR_WORKER_OUT_OF_MEMORY' ? new Error(`page too complex (extraction needed more than ${EXTRACT_HEAP_MB} MB)`) : error),
    );
    this.worker.on('exit', (code) => this.fail(new Error(`the page extraction worker stopped (exit code ${code})`)));
    this.started = this.next();
    this.started.catch(() => undefined); // a failure to start is reported to the first request
  }

  get alive(): boolean {
    return !this.failure;
  }

  async extract(request: ExtractRequest, timeoutMs: number): Promise<ExtractReply> {
    await this.within(this.started, START_TIMEOUT_MS, () => new Error(`the page extraction worker did not start within ${duration(START_TIMEOUT_MS)}`));
    const answer = this.next();
    this.worker.postMessage(request);
    return (await this.within(answer, timeoutMs, () => new Error(`page too complex (extraction took over ${duration(timeoutMs)})`))) as ExtractReply;
  }

  ref(): void {
    this.worker.ref();
  }

  unref(): void {
    this.worker.unref();
  }

  stop(): void {
    this.fail(new Error('the page extraction worker was stopped'));
  }

  /** `promise`, or the error once `ms` have passed, in which case the worker is terminated. */
  private async within<T>(promise: Promise<T>, ms: number, overrun: () => Error): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const limit = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        const error = overrun();
        this.fail(error);
        reject(error);
      }, ms);
    });
    try {
      return await Promise.race([promise, limit]);
    } finally {
      clearTimeout(timer);
    }
  }

  private next(): Promise<unknown> {
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => (this.waiting = { resolve, reject }));
  }

  private take(): ExtractWorker['waiting'] {
    const waiting = this.waiting;
    this.waiting = undefined;
    return waiting;
  }

  private fail(error: Error): void {
    if (this.failure) return;
    this.failure = error;
    this.take()?.reject(error);
    void this.worker.terminate();
  }
}

const idle: ExtractWorker[] = [];
const queue: (() => void)[] = [];
let running = 0;

/** Runs `use` on an idle worker (or a new one), at most `MAX_WORKERS` at once; a worker that is still sound goes back to the idle ones. */
async function withWorker<T>(use: (worker: ExtractWorker) => Promise<T>): Promise<T> {
  if (running < MAX_WORKERS) running += 1;
  else await new Promise<void>((resolve) => queue.push(resolve)); // the finishing caller hands its place over
  const worker = idle.pop() ?? new ExtractWorker();
  clearTimeout(worker.idleTimer);
  worker.ref();
  try {
    return await use(worker);
  } finally {
    if (worker.alive) {
      // An idle worker must not keep the process alive (`npm run ingest` exits when done).
      worker.unref();
      worker.idleTimer = setTimeout(() => {
        const at = idle.indexOf(worker);
        if (at >= 0) idle.splice(at, 1);
        worker.stop();
      }, IDLE_MS).unref();
      idle.push(worker);
    }
    const nextCaller = queue.shift();
    if (nextCaller) nextCaller();
    else running -= 1;
  }
}

/**
 * The worker side of `extractHtmlArticle` (html-worker.ts): parses one page at a time with
 * `parseHtmlArticle`, away from the bot's event loop, and answers with the article or the reason.
 */
import { parentPort } from 'node:worker_threads';
import { parseHtmlArticle } from './parse-html.js';

export interface ExtractRequest {
  html: string;
  /** Where the page came from (a path or a link); its id is made from it. */
  location: string;
  pageUrl?: string;
}

export type ExtractReply = { article: ReturnType<typeof parseHtmlArticle> } | { error: string };

function reply(request: ExtractRequest): ExtractReply {
  try {
    return { article: parseHtmlArticle(request.html, request.location, request.pageUrl) };
  } catch (error) {
    // A tree deep enough to overflow the parser's recursion is a page too complex, not a bug.
    if (error instanceof RangeError && /call stack/i.test(error.message)) return { error: 'page too complex (nested too deeply to parse)' };
    return { error: error instanceof Error ? error.message : String(error) };
  }
}

if (parentPort) {
  const port = parentPort;
  port.on('message', (request: ExtractRequest) => port.postMessage(reply(request)));
  port.postMessage('ready');
}

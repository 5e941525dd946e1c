import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { createInterface } from 'node:readline';
import type { Engine } from '../engine.js';
import { isUserError } from '../errors.js';
import type { Logger } from '../log.js';
import { renderAnswerText, renderSummaryText, renderTimelineText, renderVerifyText, renderWhoText } from './render.js';
import { coverageChartPng } from '../rendering/coverage-chart.js';
import type { Timeline } from '../answers/answer.js';
import type { ArticleFilter } from '../answers/filters.js';
import { MAX_FOLLOW_UPS, type Turn } from '../answers/follow-up.js';
import { parseSummaryArgs, parseVerifyArgs, splitCommandLine, takeFilterArgs } from './summary-args.js';

const HELP = `Commands:
  /ask <question>   answer from the articles, with quotes and sources
                    filters: --since "this week" --until yesterday --outlet Reuters --article "<title>"
  + <question>      a follow-up: asked with the questions before it as context (up to 5 in a row)
  /more             the next passages for the last question
  /summary [article] [--sentences N]   summary of an article (the newest by default)
  /summary --topic <words>             a digest across the articles on a topic (filters: --since, --until, --outlet)
  /who [name]       what the articles say about a person (the most mentioned people without a name)
  /verify "<quote>" [--person <name>]  is the quote in the articles: word for word, reworded, or not
  /timeline <words> [--since <day>] [--until <day>]  how a story developed, by day; its chart saved as a PNG
  help              this help
  quit              leave (end of input works too)
A line without a command is taken as a question.
`;

/** The local console: the bot's answers in a terminal. Resolves when input ends or on quit. */
export interface ConsoleOptions {
  results: number;
  input?: NodeJS.ReadableStream;
  output?: NodeJS.WritableStream;
  /** Ends the console (SIGINT/SIGTERM, seen by the entry point). */
  stopping?: AbortSignal;
  /** Show a "> " prompt before each line: on a terminal by default. */
  prompt?: boolean;
}

export async function runConsole(engine: Engine, log: Logger, options: ConsoleOptions): Promise<void> {
  const output = options.output ?? process.stdout;
  const interactive = Boolean((options.input ?? process.stdin) === process.stdin && process.stdin.isTTY);
  const prompting = options.prompt ?? interactive;
  const lines = createInterface({
    input: options.input ?? process.stdin,
    output: prompting ? output : undefined,
    terminal: interactive,
    ...(options.stopping ? { signal: options.stopping } : {}),
  });
  // Ctrl-C at the prompt reaches readline, not the process, on a terminal: leave as "quit" does.
  lines.on('SIGINT', () => lines.close());
  // Input can end while a command is still running; a closed interface must not be touched again.
  let closed = false;
  lines.once('close', () => (closed = true));
  const prompt = () => {
    if (prompting && !closed) lines.prompt();
  };
  const write = (text: string) => output.write(text);
  let last: { question: string; offset: number; filter: ArticleFilter; context: Turn[]; answerLine?: string } | undefined;
  const count = engine.manifest.articles.size;
  write(`Ask about ${count} article${count === 1 ? '' : 's'}. Type "help" for commands.\n`);
  if (prompting) lines.setPrompt('> ');
  prompt();
  for await (const raw of lines) {
    const line = raw.trim();
    if (line === 'quit' || line === 'exit' || line === '/quit') break;
    try {
      if (line === '') {
        // nothing to do
      } else if (line === 'help' || line === '/help') {
        write(HELP);
      } else if (line === '/more') {
        if (!last) write('Ask a question first.\n');
        else {
          last.offset += options.results;
          write(renderAnswerText(await engine.ask(last.question, { results: options.results, offset: last.offset, filter: last.filter, context: last.context })));
        }
      } else if (line === '/summary' || line.startsWith('/summary ')) {
        const { filter, rest } = takeFilterArgs(splitCommandLine(line.slice('/summary'.length)), ['since', 'until', 'outlet']);
        const request = parseSummaryArgs(rest);
        const result = await engine.summary(request, engine.filterOf(filter));
        write(renderSummaryText(result));
      } else if (line === '/verify' || line.startsWith('/verify ')) {
        const { quote, person } = parseVerifyArgs(splitCommandLine(line.slice('/verify'.length)));
        write(renderVerifyText(await engine.verify(quote, person)));
      } else if (line === '/timeline' || line.startsWith('/timeline ')) {
        const { filter, rest } = takeFilterArgs(splitCommandLine(line.slice('/timeline'.length)), ['since', 'until']);
        const topic = rest.join(' ').trim();
        if (!topic) write('Usage: /timeline <words> [--since <day>] [--until <day>]\n');
        else {
          const result = await engine.timeline(topic, engine.filterOf(filter));
          const chartFile = result.kind === 'timeline' && result.coverage.length ? await saveChart(engine, result) : undefined;
          write(renderTimelineText(result, chartFile));
        }
      } else if (line === '/who' || line.startsWith('/who ')) {
        write(renderWhoText(engine.who(line.slice('/who'.length))));
      } else if (line.startsWith('+')) {
        if (!last) write('Ask a question first: a line starting with + follows up on it.\n');
        else if (last.context.length >= MAX_FOLLOW_UPS) write(`That conversation has had ${MAX_FOLLOW_UPS} follow-ups: ask anew.\n`);
        else {
          const context = [...last.context, { question: last.question, ...(last.answerLine ? { answerLine: last.answerLine } : {}) }];
          const question = line.slice(1).trim();
          const result = await engine.ask(question, { results: options.results, filter: last.filter, context });
          last = { question, offset: 0, filter: last.filter, context, ...(result.kind === 'answer' && result.answerLine ? { answerLine: result.answerLine } : {}) };
          write(renderAnswerText(result));
        }
      } else if (line.startsWith('/') && !line.startsWith('/ask')) {
        write(`Unknown command ${line.split(/\s/)[0]}. Type "help".\n`);
      } else {
        // Filters only after /ask: a plain line is a question, whatever it holds.
        const text = line.replace(/^\/ask\b/, '');
        const flagged = line.startsWith('/ask') && /(?:^|\s)--(?:since|until|outlet|article)\b/.test(text);
        const asked = flagged ? takeFilterArgs(splitCommandLine(text), ['since', 'until', 'outlet', 'article']) : { filter: {}, rest: [text] };
        const question = asked.rest.join(' ').trim();
        const filter = engine.filterOf(asked.filter);
        const started = performance.now();
        const result = await engine.ask(question, { results: options.results, filter });
        log.debug({ command: 'ask', ms: Math.round(performance.now() - started), kind: result.kind }, 'console answer');
        last = { question, offset: 0, filter, context: [], ...(result.kind === 'answer' && result.answerLine ? { answerLine: result.answerLine } : {}) };
        write(renderAnswerText(result));
      }
    } catch (error) {
      if (!isUserError(error)) throw error;
      write(`${error.message}\n`);
    }
    prompt();
  }
  lines.close();
}

/** Writes a timeline's chart next to the index (`timeline-<topic>.png`); returns where. */
async function saveChart(engine: Engine, timeline: Timeline): Promise<string> {
  const slug = (timeline.topic.toLowerCase().match(/[a-z0-9]+/g) ?? []).join('-').slice(0, 40) || 'topic';
  const file = path.join(path.dirname(engine.indexDir), `timeline-${slug}.png`);
  await writeFile(file, await coverageChartPng(timeline));
  return file;
}

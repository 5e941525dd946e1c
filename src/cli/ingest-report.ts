import cliProgress from 'cli-progress';
import type { IngestReport } from '../index/ingest.js';
import type { Logger } from '../log.js';

/** A progress callback: a bar on a terminal, a log line per quarter otherwise. */
export function progressReporter(log: Logger): { onProgress: (done: number, total: number) => void; stop: () => void } {
  if (process.stderr.isTTY) {
    const bar = new cliProgress.SingleBar(
      { format: 'embedding |{bar}| {value}/{total} paragraphs', stream: process.stderr, hideCursor: true },
      cliProgress.Presets.shades_classic,
    );
    let started = false;
    return {
      onProgress(done, total) {
        if (total === 0) return;
        if (!started) bar.start(total, done);
        started = true;
        bar.update(done);
      },
      stop: () => started && bar.stop(),
    };
  }
  let lastQuarter = -1;
  return {
    onProgress(done, total) {
      const quarter = total ? Math.floor((4 * done) / total) : 4;
      if (total > 0 && quarter !== lastQuarter) log.info({ done, total }, 'embedding paragraphs');
      lastQuarter = quarter;
    },
    stop: () => undefined,
  };
}

/** The run's outcome for people: counts, then each problem by file (and line). */
export function describeIngest(source: string, report: IngestReport): string {
  const lines = [
    `Ingested ${source}: ${report.added} added, ${report.updated} updated, ${report.unchanged} unchanged, ${report.removed} removed` +
      ` (${report.embedded} paragraphs embedded); ${report.articles} articles in the index.`,
  ];
  if (report.repaired) lines.push(`The live index was damaged (${report.repaired}); it was rebuilt from the newest intact generation.`);
  if (report.problems.length) {
    lines.push(`Skipped ${report.problems.length} problem${report.problems.length === 1 ? '' : 's'}:`);
    for (const p of report.problems) lines.push(`  ${p.location}${p.line ? `:${p.line}` : ''}: ${p.reason}`);
  }
  return `${lines.join('\n')}\n`;
}

export function logIngest(log: Logger, source: string, report: IngestReport): void {
  const { problems, ...counts } = report;
  log.info({ source, ...counts, problems: problems.length }, 'ingest finished');
  for (const p of problems) log.warn({ location: p.location, line: p.line, reason: p.reason }, 'skipped');
}

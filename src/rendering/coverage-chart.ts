/**
 * The timeline's chart: how many articles covered the topic per day (or week), as a PNG. Drawn as
 * SVG here and rendered by sharp (libvips, in its own threads: the event loop is not held), with
 * no browser. The only outside text, the topic, is escaped for XML and shortened.
 */
import sharp from 'sharp';
import type { Timeline } from '../answers/answer.js';
import { humanDate } from '../answers/format.js';

export const CHART_WIDTH = 800;
export const CHART_HEIGHT = 320;
const MARGIN = { top: 44, right: 20, bottom: 44, left: 44 };
const MAX_TITLE = 70;
const BAR = '#5865F2';
const INK = '#2b2d31';
const GRID = '#d9dadc';
/** Date labels along the bottom at most. */
const LABELS = 6;

/** The chart of a timeline's coverage as PNG bytes. */
export async function coverageChartPng(timeline: Pick<Timeline, 'topic' | 'period' | 'coverage'>): Promise<Buffer> {
  return sharp(Buffer.from(coverageChartSvg(timeline))).png().toBuffer();
}

export function coverageChartSvg({ topic, period, coverage }: Pick<Timeline, 'topic' | 'period' | 'coverage'>): string {
  const plotWidth = CHART_WIDTH - MARGIN.left - MARGIN.right;
  const plotHeight = CHART_HEIGHT - MARGIN.top - MARGIN.bottom;
  const most = Math.max(1, ...coverage.map((c) => c.articles));
  const slot = plotWidth / Math.max(1, coverage.length);
  const barWidth = Math.max(1, slot * 0.8);
  const bars = coverage.map((c, i) => {
    const height = (c.articles / most) * plotHeight;
    return `<rect x="${(MARGIN.left + i * slot + (slot - barWidth) / 2).toFixed(1)}" y="${(MARGIN.top + plotHeight - height).toFixed(1)}" width="${barWidth.toFixed(1)}" height="${height.toFixed(1)}" fill="${BAR}"/>`;
  });
  const labelled = labelledBars(coverage.length);
  const labels = coverage.flatMap((c, i) =>
    labelled.has(i)
      ? [`<text x="${(MARGIN.left + i * slot + slot / 2).toFixed(1)}" y="${CHART_HEIGHT - MARGIN.bottom + 18}" text-anchor="middle" font-size="12" fill="${INK}">${xml(humanDate(c.date))}</text>`]
      : [],
  );
  const shortTopic = topic.length > MAX_TITLE ? `${topic.slice(0, MAX_TITLE - 1)}…` : topic;
  const unit = period === 'day' ? 'day' : 'week';
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${CHART_WIDTH}" height="${CHART_HEIGHT}" viewBox="0 0 ${CHART_WIDTH} ${CHART_HEIGHT}">`,
    `<rect width="100%" height="100%" fill="#ffffff"/>`,
    `<text x="${MARGIN.left}" y="26" font-size="16" font-family="sans-serif" fill="${INK}">${xml(`Articles on “${shortTopic}” per ${unit}`)}</text>`,
    `<line x1="${MARGIN.left}" y1="${MARGIN.top}" x2="${CHART_WIDTH - MARGIN.right}" y2="${MARGIN.top}" stroke="${GRID}"/>`,
    `<line x1="${MARGIN.left}" y1="${MARGIN.top + plotHeight}" x2="${CHART_WIDTH - MARGIN.right}" y2="${MARGIN.top + plotHeight}" stroke="${INK}"/>`,
    `<text x="${MARGIN.left - 8}" y="${MARGIN.top + 4}" text-anchor="end" font-size="12" font-family="sans-serif" fill="${INK}">${most}</text>`,
    `<text x="${MARGIN.left - 8}" y="${MARGIN.top + plotHeight + 4}" text-anchor="end" font-size="12" font-family="sans-serif" fill="${INK}">0</text>`,
    `<g font-family="sans-serif">${labels.join('')}</g>`,
    ...bars,
    '</svg>',
  ].join('');
}

/** Which bars get a date below them: evenly spaced, the first and the last always, never two too close to read. */
function labelledBars(count: number): Set<number> {
  const every = Math.max(1, Math.ceil(count / LABELS));
  const indices = new Set<number>();
  for (let i = 0; i < count; i += every) indices.add(i);
  const last = count - 1;
  const before = last - (last % every);
  if (last > 0 && !indices.has(last)) {
    if (last - before <= every / 2 && before > 0) indices.delete(before);
    indices.add(last);
  }
  return indices;
}

/** Text for an SVG element: the five XML specials escaped, control characters dropped. */
function xml(text: string): string {
  return text.replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, '').replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

// The CartPole section's returns as an SVG line plot, written by hand (no dependency): per method
// and seed, the moving mean of the last 100 episodes' returns (fewer at the start) against the
// episode, with the 195 and 475 levels dashed. `npm run bench -- acting --sections cartpole --plot`
// writes it to docs/acting-cartpole.svg; from a saved JSON:
//   npx tsx test/bench/acting-plot.ts [bench-results/acting.json] [docs/acting-cartpole.svg]

import { readFileSync, writeFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import type { CartPoleRun } from './acting-cartpole.js';

const WIDTH = 820;
const HEIGHT = 460;
const MARGIN = { left: 64, right: 210, top: 40, bottom: 52 };
const COLOURS = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#ff7f0e', '#8c564b'];
const DASHES = ['', '6 3', '2 2', '9 3 2 3'];

/** The trailing moving mean over `window` values (over fewer at the start). */
export function movingMean(values: readonly number[], window = 100): number[] {
  const out: number[] = [];
  let sum = 0;
  values.forEach((v, i) => {
    sum += v;
    if (i >= window) sum -= values[i - window]!;
    out.push(sum / Math.min(i + 1, window));
  });
  return out;
}

/** A round step for about `count` ticks over [0, max]: 1, 2 or 5 times a power of ten. */
function tickStep(max: number, count: number): number {
  const raw = max / count;
  const power = 10 ** Math.floor(Math.log10(raw));
  return [1, 2, 5, 10].map((m) => m * power).find((s) => s >= raw) ?? 10 * power;
}

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** The plot of `runs` as SVG text. */
export function returnsSvg(runs: readonly CartPoleRun[], title = 'CartPole-v1: return per episode'): string {
  const episodes = Math.max(1, ...runs.map((r) => r.returns.length));
  const top = 500;
  const plotW = WIDTH - MARGIN.left - MARGIN.right;
  const plotH = HEIGHT - MARGIN.top - MARGIN.bottom;
  const x = (e: number): number => MARGIN.left + (e / episodes) * plotW;
  const y = (v: number): number => MARGIN.top + plotH - (Math.min(v, top) / top) * plotH;
  const f = (v: number): string => v.toFixed(1);
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}" viewBox="0 0 ${WIDTH} ${HEIGHT}" ` +
      'font-family="sans-serif" font-size="12">',
    `<title>${escapeXml(title)}</title>`,
    `<rect width="${WIDTH}" height="${HEIGHT}" fill="white"/>`,
    `<text x="${MARGIN.left + plotW / 2}" y="22" text-anchor="middle" font-size="15">${escapeXml(title)}</text>`,
  ];
  const xStep = tickStep(episodes, 6);
  for (let e = 0; e <= episodes; e += xStep) {
    out.push(
      `<line x1="${f(x(e))}" y1="${MARGIN.top}" x2="${f(x(e))}" y2="${MARGIN.top + plotH}" stroke="#eee"/>`,
      `<text x="${f(x(e))}" y="${MARGIN.top + plotH + 18}" text-anchor="middle">${e}</text>`,
    );
  }
  for (let v = 0; v <= top; v += 100) {
    out.push(
      `<line x1="${MARGIN.left}" y1="${f(y(v))}" x2="${MARGIN.left + plotW}" y2="${f(y(v))}" stroke="#eee"/>`,
      `<text x="${MARGIN.left - 8}" y="${f(y(v) + 4)}" text-anchor="end">${v}</text>`,
    );
  }
  for (const level of [195, 475]) {
    out.push(
      `<line x1="${MARGIN.left}" y1="${f(y(level))}" x2="${MARGIN.left + plotW}" y2="${f(y(level))}" ` +
        'stroke="#888" stroke-dasharray="4 4"/>',
      `<text x="${MARGIN.left + plotW - 4}" y="${f(y(level) - 4)}" text-anchor="end" fill="#666">${level}</text>`,
    );
  }
  out.push(
    `<rect x="${MARGIN.left}" y="${MARGIN.top}" width="${plotW}" height="${plotH}" fill="none" stroke="#333"/>`,
    `<text x="${MARGIN.left + plotW / 2}" y="${HEIGHT - 12}" text-anchor="middle">episode</text>`,
    `<text transform="translate(18 ${MARGIN.top + plotH / 2}) rotate(-90)" text-anchor="middle">` +
      'return, mean of the last 100 episodes</text>',
  );
  const methods = [...new Set(runs.map((r) => r.method))];
  runs.forEach((run, i) => {
    const colour = COLOURS[methods.indexOf(run.method) % COLOURS.length]!;
    const seedIndex = runs.filter((r, j) => j < i && r.method === run.method).length;
    const dash = DASHES[seedIndex % DASHES.length]!;
    const points = movingMean(run.returns)
      .map((v, e) => `${f(x(e + 1))},${f(y(v))}`)
      .join(' ');
    const style = `fill="none" stroke="${colour}" stroke-width="1.5"${dash ? ` stroke-dasharray="${dash}"` : ''}`;
    out.push(`<polyline ${style} points="${points}"/>`);
    const ly = MARGIN.top + 10 + i * 20;
    const lx = MARGIN.left + plotW + 14;
    out.push(
      `<line x1="${lx}" y1="${ly}" x2="${lx + 28}" y2="${ly}" ${style}/>`,
      `<text x="${lx + 34}" y="${ly + 4}">${escapeXml(`${run.method}, seed ${run.seed}`)}</text>`,
    );
  });
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}

/** Writes the plot of the CartPole runs in an acting bench JSON (bench-results/acting.json) to `svgPath`. */
export function plotFile(jsonPath: string, svgPath: string): void {
  const body = JSON.parse(readFileSync(jsonPath, 'utf8')) as { cartpole?: { runs?: CartPoleRun[] } };
  const runs = body.cartpole?.runs;
  if (!runs) throw new Error(`acting-plot: expected ${jsonPath} to hold cartpole.runs (run the cartpole section)`);
  writeFileSync(svgPath, returnsSvg(runs));
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const [json = 'bench-results/acting.json', svg = 'docs/acting-cartpole.svg'] = process.argv.slice(2);
  plotFile(json, svg);
  console.log(`written to ${svg}`);
}

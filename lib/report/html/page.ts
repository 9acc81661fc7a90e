/**
 * The HTML report page: one self-contained file (Chart.js and the data inlined, no network) with
 * the result table, the latency / TTFT / TPOT distributions, tokens/s and samples in flight over
 * time, and the settings with where each came from. One run per page, or several side by side.
 *
 * When the charts are drawn the page writes where each sits (CSS pixels) into
 * `<pre id="chart-regions">`, so a test can look at those parts of a screenshot.
 *
 * @packageDocumentation
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { RunResult } from '../run-result.js';
import { histogram, type RunCharts } from './sample-times.js';

/** One run as the page shows it: its result.json, and its chart data when it has sample_times.json. */
export interface ReportRun {
  /** What the page calls the run (its folder). */
  label: string;
  result: RunResult;
  charts?: RunCharts | undefined;
}

/** Chart.js's own built file, inlined into the page. */
function chartJsSource(): string {
  const main = createRequire(import.meta.url).resolve('chart.js');
  return readFileSync(join(dirname(main), 'chart.umd.min.js'), 'utf8');
}

const escapeHtml = (text: string): string =>
  text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

/** JSON that can sit inside a script element. */
const scriptJson = (value: unknown): string => JSON.stringify(value).replace(/</g, '\\u003c');

const ms = (ns: number | undefined): string => (ns === undefined ? '—' : `${(ns / 1e6).toFixed(ns >= 1e8 ? 0 : 2)} ms`);
const fixed = (value: number | undefined, digits = 2): string => (value === undefined ? '—' : value.toFixed(digits));

/** The result table's rows for each run (one column per run). */
function resultRows(runs: readonly ReportRun[]): [string, string[]][] {
  const each = (f: (r: RunResult) => string): string[] => runs.map((run) => f(run.result));
  const percentile = (pick: (r: RunResult) => Record<string, number> | undefined) =>
    each((r) => ['p50', 'p90', 'p99'].map((p) => ms(pick(r)?.[p])).join(' / '));
  return [
    ['scenario', each((r) => `${r.scenario} (${r.modelKey}), ${r.mode}`)],
    ['backend', each((r) => r.backend)],
    ['dataset', each((r) => `${r.dataset.samples} samples from ${r.dataset.path}`)],
    [
      'validity',
      each((r) =>
        r.aborted
          ? `ABORTED — ${r.abortReason ?? 'no reason recorded'}`
          : r.validity === undefined
            ? '— (accuracy run)'
            : `${r.validity}${r.invalidReason ? ` — ${r.invalidReason}` : ''}`,
      ),
    ],
    ['samples/s', each((r) => fixed(r.samplesPerSecond))],
    ['tokens/s', each((r) => fixed(r.tokensPerSecond))],
    ['latency p50 / p90 / p99', percentile((r) => r.latencyNs)],
    ['TTFT p50 / p90 / p99', percentile((r) => r.ttftNs)],
    ['TPOT p50 / p90 / p99', percentile((r) => r.tpotNs)],
    [
      'completed',
      each((r) => `${r.samplesCompleted} samples, ${r.generatedTokens} tokens in ${r.durationSeconds.toFixed(1)} s`),
    ],
    ['LoadGen', each((r) => `${r.loadgenVersion}, ${r.loadgenErrors} errors`)],
    ['started', each((r) => r.startedAt)],
  ];
}

/** Setting rows: each user.conf key any run set, with its value and where it came from, per run. */
function settingRows(runs: readonly ReportRun[]): [string, string[]][] {
  const keys = [...new Set(runs.flatMap((run) => Object.keys(run.result.settingSources ?? {})))];
  return keys.map((key) => [
    key,
    runs.map((run) => {
      const setting = run.result.settingSources?.[key];
      return setting ? `${setting.value} (${setting.source})` : '—';
    }),
  ]);
}

function table(header: readonly string[], rows: readonly [string, string[]][]): string {
  const head = `<tr>${header.map((h) => `<th>${escapeHtml(h)}</th>`).join('')}</tr>`;
  const body = rows
    .map(
      ([label, cells]) =>
        `<tr><th>${escapeHtml(label)}</th>${cells.map((c) => `<td>${escapeHtml(c)}</td>`).join('')}</tr>`,
    )
    .join('\n');
  return `<table>${head}\n${body}</table>`;
}

/** The charts' data: histograms on bins shared by every run, so compared runs line up. */
function chartData(runs: readonly ReportRun[]): unknown {
  const drawn = runs.filter((run) => run.charts !== undefined);
  const shared = (pick: (c: RunCharts) => number[]) => {
    const all = drawn.flatMap((run) => pick(run.charts!));
    if (all.length === 0) return undefined;
    const range: [number, number] = [Math.min(...all), Math.max(...all)];
    return drawn.map((run) => ({ label: run.label, ...histogram(pick(run.charts!), 40, range) }));
  };
  const over = (pick: (c: RunCharts) => { x: number[]; y: number[] }) =>
    drawn.map((run) => ({ label: run.label, ...pick(run.charts!) }));
  return {
    latency: shared((c) => c.latencyMs),
    ttft: shared((c) => c.ttftMs),
    tpot: shared((c) => c.tpotMs),
    tokensPerSecond: over((c) => c.tokensPerSecond),
    inFlight: over((c) => c.inFlight),
  };
}

/** The charts of the page: canvas id, title, axis titles. */
const CHARTS = [
  ['latency', 'Sample latency', 'latency (ms)', 'samples'],
  ['ttft', 'Time to first token', 'TTFT (ms)', 'samples'],
  ['tpot', 'Time per output token', 'TPOT (ms)', 'samples'],
  ['tokensPerSecond', 'Tokens per second over the run', 'time (s)', 'tokens/s'],
  ['inFlight', 'Samples in flight (issued, not completed)', 'time (s)', 'samples'],
] as const;

/** Draws the charts (runs in the page). Animation is off so that the first paint already shows them. */
const DRAW = `
const data = JSON.parse(document.getElementById('report-data').textContent);
const colors = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#ff7f0e', '#17becf'];
const regions = [];
for (const [id, title, xTitle, yTitle] of data.charts) {
  const series = data.series[id];
  const canvas = document.getElementById('chart-' + id);
  if (!series || series.length === 0) { canvas.parentElement.classList.add('empty'); continue; }
  const histogram = series[0].edges !== undefined;
  const datasets = series.map((s, i) => histogram
    ? { label: s.label, data: s.counts.map((c, j) => ({ x: (s.edges[j] + s.edges[j + 1]) / 2, y: c })),
        backgroundColor: colors[i % colors.length] + (series.length > 1 ? '99' : ''), borderWidth: 0,
        barPercentage: 1, categoryPercentage: 1 }
    : { label: s.label, data: s.x.map((x, j) => ({ x, y: s.y[j] })), borderColor: colors[i % colors.length],
        backgroundColor: colors[i % colors.length] + '33', fill: true, pointRadius: 0, borderWidth: 2, stepped: id === 'inFlight' });
  new Chart(canvas, {
    type: histogram ? 'bar' : 'line',
    data: { datasets },
    options: {
      animation: false, responsive: false, parsing: true,
      plugins: { title: { display: true, text: title }, legend: { display: series.length > 1 } },
      scales: { x: { type: 'linear', title: { display: true, text: xTitle } },
                y: { beginAtZero: true, title: { display: true, text: yTitle } } },
    },
  });
  const box = canvas.getBoundingClientRect();
  regions.push({ id, x: box.left + window.scrollX, y: box.top + window.scrollY, width: box.width, height: box.height });
}
document.getElementById('chart-regions').textContent = JSON.stringify(regions);
`;

const STYLE = `
body { font: 14px/1.4 system-ui, sans-serif; margin: 24px; color: #222; background: #fff; }
h1 { font-size: 20px; } h2 { font-size: 16px; margin-top: 28px; }
table { border-collapse: collapse; } th, td { border: 1px solid #ccc; padding: 3px 8px; text-align: left; vertical-align: top; }
th { background: #f4f4f4; font-weight: 600; }
.charts { display: grid; grid-template-columns: repeat(2, 560px); gap: 16px; }
.chart canvas { display: block; }
.chart.empty::after { content: 'no data for this chart'; color: #888; }
.note { color: #666; }
#chart-regions { display: none; }
`;

/** The page for one run, or comparing several (one column and one colour per run). */
export function buildReportPage(runs: readonly ReportRun[]): string {
  if (runs.length === 0) throw new RangeError('buildReportPage needs at least one run');
  const title = runs.length === 1 ? `MLPerf LLM run: ${runs[0]!.label}` : `MLPerf LLM runs compared (${runs.length})`;
  const header = ['', ...runs.map((run) => run.label)];
  const missing = runs.filter((run) => run.charts === undefined).map((run) => run.label);
  const settings = settingRows(runs);
  const data = { charts: CHARTS, series: chartData(runs) };
  const canvases = CHARTS.map(
    ([id]) => `<div class="chart"><canvas id="chart-${id}" width="560" height="300"></canvas></div>`,
  );
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>${escapeHtml(title)}</title>
<style>${STYLE}</style>
</head>
<body>
<h1>${escapeHtml(title)}</h1>
<h2>Result</h2>
${table(header, resultRows(runs))}
<h2>Charts</h2>
<p class="note">From each sample's issue, first-token and completion times as the harness recorded them (sample_times.json).
Tokens after the first are spread evenly over the time until the sample completed.</p>
${missing.length ? `<p class="note">No sample_times.json (a run made before the harness kept them): ${escapeHtml(missing.join(', '))}.</p>` : ''}
<div class="charts">
${canvases.join('\n')}
</div>
<h2>Settings and where each came from</h2>
${settings.length ? table(['user.conf key', ...header.slice(1)], settings) : '<p class="note">The runs recorded no setting sources.</p>'}
<details><summary>Every effective LoadGen setting (from the detail log)</summary>
${table(
  ['setting', ...header.slice(1)],
  [...new Set(runs.flatMap((run) => Object.keys(run.result.settings)))].map((key) => [
    key,
    runs.map((run) => (key in run.result.settings ? String(run.result.settings[key]) : '—')),
  ]),
)}
</details>
<pre id="chart-regions"></pre>
<script type="application/json" id="report-data">${scriptJson(data)}</script>
<script>${chartJsSource().replace(/<\/script/gi, '<\\/script')}</script>
<script>${DRAW}</script>
</body>
</html>
`;
}

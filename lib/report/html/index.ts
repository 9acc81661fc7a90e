/**
 * `mlperf-llm report --html`: writes each run's page as `report.html` in its folder, and with
 * several runs a page comparing them, `compare.html` in the folder that holds them all.
 *
 * @packageDocumentation
 */
import { writeFileSync } from 'node:fs';
import { basename, dirname, join, relative, resolve, sep } from 'node:path';
import { readRunResult } from '../run-result.js';
import { buildReportPage, type ReportRun } from './page.js';
import { readSampleTimes, runCharts } from './sample-times.js';

export { buildReportPage, type ReportRun } from './page.js';
export { readSampleTimes, runCharts, type SampleTimes, type RunCharts } from './sample-times.js';

/** The pages written: one per run, and the comparison when there were several runs. */
export interface HtmlReportFiles {
  pages: string[];
  compare?: string | undefined;
}

/** Reads a run folder into what the page shows. */
export function readReportRun(dir: string, label = basename(resolve(dir))): ReportRun {
  const result = readRunResult(dir);
  const samples = readSampleTimes(dir);
  return { label, result, charts: samples && samples.length > 0 ? runCharts(samples) : undefined };
}

/** The deepest folder holding every one of `dirs`. */
function commonParent(dirs: readonly string[]): string {
  let parts = dirname(resolve(dirs[0]!)).split(sep);
  for (const dir of dirs.slice(1)) {
    const other = dirname(resolve(dir)).split(sep);
    let same = 0;
    while (same < parts.length && parts[same] === other[same]) same++;
    parts = parts.slice(0, same);
  }
  return parts.join(sep) || sep;
}

/** Writes the HTML report of each run folder in `dirs` (and their comparison when there are several). */
export function writeHtmlReports(dirs: readonly string[]): HtmlReportFiles {
  const parent = commonParent(dirs);
  // Labels relative to the common folder tell apart runs whose own folders share a name.
  const runs = dirs.map((dir) =>
    readReportRun(dir, dirs.length > 1 ? relative(parent, resolve(dir)) || dir : undefined),
  );
  const pages = runs.map((run, i) => {
    const path = join(resolve(dirs[i]!), 'report.html');
    writeFileSync(path, buildReportPage([run]));
    return path;
  });
  if (runs.length < 2) return { pages };
  const compare = join(parent, 'compare.html');
  writeFileSync(compare, buildReportPage(runs));
  return { pages, compare };
}

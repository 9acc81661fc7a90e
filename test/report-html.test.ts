// `mlperf-llm report --html`: real harness runs (real LoadGen, a backend that streams its tokens
// over time), the pages rendered by the pinned Debian chromium, and the screenshots checked for
// drawn charts where the page says they are.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import type { Backend, GenerationRequest } from '../lib/backends/backend.js';
import { loadDataset } from '../lib/llm/dataset.js';
import { runLlmBenchmark } from '../lib/llm/harness.js';
import type { LlmScenario } from '../lib/llm/benchmark-settings.js';
import { readSampleTimes } from '../lib/report/html/sample-times.js';
import { decodePng, type Image } from './png.js';
import { tempDir } from './helpers.js';

interface Chromium {
  executable: string;
  env: NodeJS.ProcessEnv;
  version: string;
}
interface ChromiumScript {
  ensureChromium(): Chromium;
  missingLibraries(chrome: Chromium): string[];
  ChromiumUnavailableError: new (...args: never[]) => Error;
}

const SAMPLES = 12;
const TOKENS = 8;

/** Streams each sample's tokens one at a time, a few ms apart (longer for later samples), as a real model would. */
class StreamingBackend implements Backend {
  readonly name = 'streaming';
  readonly maxConcurrency = 4;
  async close(): Promise<void> {}
  generate(requests: readonly GenerationRequest[]): void {
    for (const request of requests) {
      const tokens = Int32Array.from({ length: TOKENS }, (_, i) => 500 + i);
      let sent = 0;
      const step = (): void => {
        sent++;
        if (sent < TOKENS) {
          request.events.onTokens(tokens.subarray(sent - 1, sent));
          setTimeout(step, 1 + (request.sampleIndex % 4));
        } else request.events.onComplete(tokens, 'length');
      };
      setTimeout(step, 2 + (request.sampleIndex % 3));
    }
  }
}

async function benchmarkRun(dir: string, scenario: LlmScenario): Promise<string> {
  const records = Array.from({ length: SAMPLES }, (_, i) => ({
    instruction: { llama: 'template' },
    input: `article ${i}`,
    tok_input: [128000, 1000 + i],
    output: `summary ${i}`,
  }));
  const datasetPath = join(dir, `cnn_eval.json`);
  writeFileSync(datasetPath, JSON.stringify(records));
  const outputDir = join(dir, scenario);
  await runLlmBenchmark({
    scenario,
    mode: 'performance',
    backend: new StreamingBackend(),
    dataset: loadDataset(datasetPath),
    outputDir,
    targetQps: 100,
    minDurationMs: 600,
    minQueryCount: 48,
  });
  return outputDir;
}

/** The pinned chromium, or the reason it could not be fetched (the only reason to skip). */
async function chromium(): Promise<Chromium | string> {
  const script = (await import(new URL('../../scripts/chromium.mjs', import.meta.url).href)) as ChromiumScript;
  try {
    const chrome = script.ensureChromium();
    assert.deepEqual(script.missingLibraries(chrome), [], 'the unpacked chromium finds all its libraries');
    return chrome;
  } catch (error) {
    // Only a package that cannot be fetched skips the test; one that differs from its pin fails it.
    if (error instanceof script.ChromiumUnavailableError) return error.message;
    throw error;
  }
}

function headless(chrome: Chromium, profile: string, page: string, ...flags: string[]): string {
  const result = spawnSync(
    chrome.executable,
    [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--no-first-run',
      '--hide-scrollbars',
      '--force-device-scale-factor=1',
      '--window-size=1280,2000',
      `--user-data-dir=${profile}`,
      ...flags,
      `file://${page}`,
    ],
    { env: chrome.env, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 },
  );
  assert.equal(result.status, 0, `chromium failed: ${result.stderr.slice(-2000)}`);
  return result.stdout;
}

interface Region {
  id: string;
  x: number;
  y: number;
  width: number;
  height: number;
}

/** Renders `page`: where the page put its charts, and the screenshot. */
function render(chrome: Chromium, dir: string, page: string): { regions: Region[]; image: Image } {
  const dom = headless(chrome, join(dir, 'profile'), page, '--dump-dom');
  const match = /<pre id="chart-regions">([^<]*)<\/pre>/.exec(dom);
  assert.ok(match, 'the page reports its chart regions');
  const regions = JSON.parse(match[1]!) as Region[];
  const png = join(dir, 'shot.png');
  headless(chrome, join(dir, 'profile'), page, `--screenshot=${png}`);
  return { regions, image: decodePng(readFileSync(png)) };
}

/** Pixels of a region drawn in a chart colour: strongly saturated, unlike the page's white, black and greys. */
function colouredPixels(image: Image, region: Region): Map<string, number> {
  const found = new Map<string, number>();
  for (let y = Math.floor(region.y); y < Math.min(image.height, region.y + region.height); y++) {
    for (let x = Math.floor(region.x); x < Math.min(image.width, region.x + region.width); x++) {
      const i = (y * image.width + x) * 4;
      const [r, g, b] = [image.rgba[i]!, image.rgba[i + 1]!, image.rgba[i + 2]!];
      if (Math.max(r, g, b) - Math.min(r, g, b) < 60) continue;
      // Which of the page's first two run colours (blue, red) the pixel leans to.
      const hue = b > r ? 'blue' : 'red';
      found.set(hue, (found.get(hue) ?? 0) + 1);
    }
  }
  return found;
}

const CHARTS = ['latency', 'ttft', 'tpot', 'tokensPerSecond', 'inFlight'];

test('report --html: each run page and the comparison page show their charts in headless chromium', async (t) => {
  const chrome = await chromium();
  if (typeof chrome === 'string') {
    t.skip(`the pinned chromium could not be fetched: ${chrome}`);
    return;
  }
  const dir = tempDir('report-html');
  const server = await benchmarkRun(dir, 'Server');
  const offline = await benchmarkRun(dir, 'Offline');
  const times = readSampleTimes(server)!;
  assert.ok(times.length >= 48, `sample_times.json holds every sample (${times.length})`);
  assert.ok(
    times.every((s) => s.issuedMs <= s.firstTokenMs! && s.firstTokenMs! <= s.completedMs && s.tokens === TOKENS),
  );

  const cli = spawnSync(process.execPath, ['dist/lib/cli/main.js', 'report', server, offline, '--html'], {
    encoding: 'utf8',
  });
  assert.equal(cli.status, 0, cli.stderr);
  assert.match(cli.stdout, /wrote .*Server[/\\]report\.html/);
  const compare = join(dir, 'compare.html');
  assert.match(cli.stdout, new RegExp(`wrote ${compare.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));

  const page = readFileSync(join(server, 'report.html'), 'utf8');
  assert.doesNotMatch(page, /<script[^>]+src=|<link[^>]+href=|@import/, 'nothing is loaded from elsewhere');
  assert.match(page, /Settings and where each came from/);
  // The settings table names where each value came from.
  assert.match(page, /<th>target_qps<\/th><td>100 \(--target-qps\)<\/td>/);
  assert.match(page, /<th>min_duration<\/th><td>600 \(--min-duration\)<\/td>/);

  for (const [name, file, colours] of [
    ['Server page', join(server, 'report.html'), ['blue']],
    ['comparison page', compare, ['blue', 'red']],
  ] as const) {
    const { regions, image } = render(chrome, dir, file);
    assert.deepEqual(
      regions.map((r) => r.id),
      CHARTS,
      `${name}: every chart was drawn`,
    );
    for (const region of regions) {
      assert.ok(region.y + region.height <= image.height, `${name}: ${region.id} lies inside the screenshot`);
      const found = colouredPixels(image, region);
      for (const colour of colours) {
        assert.ok(
          (found.get(colour) ?? 0) > 150,
          `${name}: chart ${region.id} shows ${colour} data (${found.get(colour) ?? 0} pixels)`,
        );
      }
    }
  }

  // The same check on a page whose run kept no sample times finds no drawn data: it can fail.
  rmSync(join(offline, 'sample_times.json'));
  const again = spawnSync(process.execPath, ['dist/lib/cli/main.js', 'report', offline, '--html'], {
    encoding: 'utf8',
  });
  assert.equal(again.status, 0, again.stderr);
  const { regions, image } = render(chrome, dir, join(offline, 'report.html'));
  assert.deepEqual(regions, [], 'no charts are drawn without sample times');
  assert.match(readFileSync(join(offline, 'report.html'), 'utf8'), /No sample_times\.json/);
  const blank = { id: 'latency', x: 0, y: 0, width: image.width, height: image.height };
  assert.equal(colouredPixels(image, blank).size, 0, 'the chart-less page has no coloured data');
});

// The LoadGen binding benchmark: the same null SUT three ways in one run —
//   C++ linked to the same LoadGen build (the limit), LoadGen's official Python binding
//   (mlcommons-loadgen from the package index, in a venv this script makes), and this binding —
// for SingleStream queries/s, the highest Server target QPS that stays VALID, and Offline
// samples/s for a one-million-sample query. Prints a table and writes bench/RESULTS.md.
//
//   npm run bench:loadgen [-- --quick]
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { packageRoot } from '../../lib/package-paths.js';
import { readSummary, summaryNumber } from '../../lib/report/summary.js';
import { loadgenVersion } from '../../lib/loadgen/index.js';
import { markdownTable, median, textTable, writeResultsSection } from '../results-file.js';

type Scenario = 'SingleStream' | 'Server' | 'Offline';

interface Implementation {
  name: string;
  group: 'cpp' | 'python' | 'node';
  command(scenario: Scenario, outdir: string, minDurationMs: number, param: number): string[];
}

const quick = process.argv.includes('--quick');
const repetitions = quick ? 1 : 3;
const SINGLE_STREAM_MS = 1500;
const OFFLINE_MS = 1000;
const OFFLINE_SAMPLES = 1_000_000;
// LoadGen sizes the Offline query as 1.1 × min duration × expected QPS.
const OFFLINE_EXPECTED_QPS = Math.ceil(OFFLINE_SAMPLES / (1.1 * (OFFLINE_MS / 1000)));
const SERVER_MS = 2000;

function run(command: string[], what: string, env?: NodeJS.ProcessEnv): void {
  const result = spawnSync(command[0]!, command.slice(1), {
    cwd: packageRoot,
    encoding: 'utf8',
    timeout: 600_000,
    env: { ...process.env, ...env },
  });
  if (result.status !== 0) {
    throw new Error(
      `${what} failed (${result.error?.message ?? `exit ${result.status}`}):\n${(result.stdout ?? '').slice(-2000)}\n${(result.stderr ?? '').slice(-2000)}`,
    );
  }
}

function prepareCpp(): string {
  const build = join(packageRoot, 'build');
  if (!existsSync(join(build, 'CMakeCache.txt')))
    throw new Error('build/ has no CMake build of the addon: run "npm install" (or "npm run build:native") first');
  process.stderr.write('building the C++ reference in build/, against the addon’s own LoadGen library...\n');
  run(['cmake', '-S', packageRoot, '-B', build, '-DLOADGEN_NODE_BENCH=ON'], 'configuring the C++ null SUT');
  run(['cmake', '--build', build, '--target', 'null_sut_cpp'], 'building the C++ null SUT');
  const exe = join(packageRoot, 'build', 'bench', 'null_sut_cpp');
  if (!existsSync(exe)) throw new Error(`${exe} was not built`);
  return exe;
}

function preparePython(version: string): string {
  const venv = join(packageRoot, 'bench', '.venv');
  const python = join(venv, 'bin', 'python');
  if (!existsSync(python)) {
    process.stderr.write(`making ${venv}...\n`);
    run(['python3', '-m', 'venv', venv], 'python3 -m venv');
  }
  const check = spawnSync(python, ['-c', `import importlib.metadata as m; print(m.version("mlcommons-loadgen"))`], {
    encoding: 'utf8',
  });
  if (check.stdout.trim() !== version) {
    process.stderr.write(`installing mlcommons-loadgen==${version} into ${venv}...\n`);
    run(
      [python, '-m', 'pip', 'install', '--disable-pip-version-check', '-q', `mlcommons-loadgen==${version}`],
      'pip install mlcommons-loadgen',
    );
  }
  return python;
}

function implementations(cppExe: string, python: string): Implementation[] {
  const pyScript = join(packageRoot, 'bench', 'loadgen', 'null_sut.py');
  const nodeScript = join(packageRoot, 'dist', 'bench', 'loadgen', 'null-sut.js');
  const args = (scenario: Scenario, outdir: string, ms: number, param: number): string[] => [
    scenario,
    outdir,
    String(ms),
    String(param),
  ];
  return [
    { name: 'C++ (same LoadGen build)', group: 'cpp', command: (s, o, ms, p) => [cppExe, ...args(s, o, ms, p)] },
    {
      name: 'Python binding, ConstructSUT',
      group: 'python',
      command: (s, o, ms, p) => [python, pyScript, ...args(s, o, ms, p), 'list'],
    },
    {
      name: 'Python binding, ConstructFastSUT',
      group: 'python',
      command: (s, o, ms, p) => [python, pyScript, ...args(s, o, ms, p), 'fast'],
    },
    {
      name: 'this binding, Python-style API',
      group: 'node',
      command: (s, o, ms, p) => [process.execPath, nodeScript, ...args(s, o, ms, p), 'python-api'],
    },
    {
      name: 'this binding, runTest + completeSamples',
      group: 'node',
      command: (s, o, ms, p) => [process.execPath, nodeScript, ...args(s, o, ms, p), 'batched'],
    },
  ];
}

/** One run; returns LoadGen's summary of it. */
function measure(impl: Implementation, scenario: Scenario, minDurationMs: number, param: number) {
  const outdir = mkdtempSync(join(tmpdir(), 'loadgen-bench-'));
  try {
    run(impl.command(scenario, outdir, minDurationMs, param), `${impl.name} ${scenario}`);
    return readSummary(join(outdir, 'mlperf_log_summary.txt'));
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

function singleStreamQps(impl: Implementation): number {
  const values = Array.from(
    { length: repetitions },
    () => summaryNumber(measure(impl, 'SingleStream', SINGLE_STREAM_MS, 0), 'QPS w/ loadgen overhead') ?? 0,
  );
  return median(values);
}

function offlineSamplesPerSecond(impl: Implementation): number {
  const values = Array.from(
    { length: repetitions },
    () => summaryNumber(measure(impl, 'Offline', OFFLINE_MS, OFFLINE_EXPECTED_QPS), 'Samples per second') ?? 0,
  );
  return median(values);
}

function serverValid(impl: Implementation, qps: number): boolean {
  const summary = measure(impl, 'Server', SERVER_MS, qps);
  process.stderr.write(`    ${impl.name}: Server ${Math.round(qps)} QPS -> ${summary.result}\n`);
  return summary.result === 'VALID';
}

/** The highest target QPS that stays VALID: doubling, then bisection on a log scale. */
function serverMaxQps(impl: Implementation): number {
  let valid = 0;
  let invalid = 0;
  for (let qps = 5000; qps <= 5_120_000; qps *= 2) {
    if (serverValid(impl, qps)) valid = qps;
    else {
      invalid = qps;
      break;
    }
  }
  if (valid === 0 || invalid === 0) return valid;
  for (let step = 0; step < (quick ? 2 : 4); step++) {
    const middle = Math.sqrt(valid * invalid);
    if (serverValid(impl, middle)) valid = middle;
    else invalid = middle;
  }
  return valid;
}

function format(value: number): string {
  if (value >= 1e6) return `${(value / 1e6).toFixed(2)} M`;
  if (value >= 1e3) return `${(value / 1e3).toFixed(1)} k`;
  return value.toFixed(0);
}

function main(): void {
  const cppExe = prepareCpp();
  const python = preparePython(loadgenVersion);
  const impls = implementations(cppExe, python);
  const results = new Map<string, { ss: number; server: number; offline: number }>();
  for (const impl of impls) {
    process.stderr.write(`${impl.name}\n  SingleStream...\n`);
    const ss = singleStreamQps(impl);
    process.stderr.write(`  Offline...\n`);
    const offline = offlineSamplesPerSecond(impl);
    process.stderr.write(`  Server search...\n`);
    const server = serverMaxQps(impl);
    results.set(impl.name, { ss, server, offline });
  }

  const best = (group: Implementation['group'], metric: 'ss' | 'server' | 'offline'): number =>
    Math.max(...impls.filter((impl) => impl.group === group).map((impl) => results.get(impl.name)![metric]));
  const cpp = results.get(impls[0]!.name)!;
  const header = [
    'implementation',
    'SingleStream queries/s',
    'Server max VALID QPS',
    'Offline samples/s (1M-sample query)',
  ];
  const rows = impls.map((impl) => {
    const r = results.get(impl.name)!;
    return [impl.name, format(r.ss), format(r.server), format(r.offline)];
  });
  const ratio = (a: number, b: number): string => (b > 0 ? `${(a / b).toFixed(2)}×` : 'n/a');
  const metrics = ['ss', 'server', 'offline'] as const;
  const ratioRows = [
    ['this binding ÷ best Python', ...metrics.map((m) => ratio(best('node', m), best('python', m)))],
    ['this binding ÷ C++', ...metrics.map((m) => ratio(best('node', m), cpp[m]))],
    ['best Python ÷ C++', ...metrics.map((m) => ratio(best('python', m), cpp[m]))],
  ];
  const targets = [
    ['≥ 1.0× Python', ...metrics.map((m) => (best('node', m) >= best('python', m) ? 'met' : 'missed'))],
    [
      '≥ 0.5× C++',
      ...metrics.map((m) => (m === 'server' ? '(no target)' : best('node', m) >= 0.5 * cpp[m] ? 'met' : 'missed')),
    ],
  ];

  console.log(
    `\n${textTable(header, rows)}\n\n${textTable(['ratio', ...header.slice(1)], [...ratioRows, ...targets])}\n`,
  );

  const cpu = cpus()[0]?.model ?? 'unknown CPU';
  writeResultsSection(
    'loadgen-null-sut',
    [
      '## LoadGen binding: null SUT, C++ vs Python vs this binding',
      '',
      `Run ${new Date().toISOString().slice(0, 10)} by \`npm run bench:loadgen\` on ${cpus().length} × ${cpu}, Node ${process.version}, ` +
        `LoadGen ${loadgenVersion}${quick ? ' (--quick: one repetition)' : ` (median of ${repetitions} runs; Server: one run per probe)`}. ` +
        'Every SUT completes each sample inside its issue callback with an empty response; trace off.',
      '',
      `- SingleStream: ${SINGLE_STREAM_MS} ms, LoadGen's "QPS w/ loadgen overhead".`,
      `- Server: ${SERVER_MS} ms per probe, p99 latency bound 10 ms; target QPS doubled from 5 k until INVALID, then bisected.`,
      `- Offline: one query of ${OFFLINE_SAMPLES.toLocaleString('en')} samples, LoadGen's "Samples per second" (samples ÷ time to the last completion).`,
      '',
      markdownTable(header, rows),
      '',
      markdownTable(['ratio', ...header.slice(1)], [...ratioRows, ...targets]),
    ].join('\n'),
  );
  console.log('written to bench/RESULTS.md');
}

main();

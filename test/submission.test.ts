// `mlperf-llm submission`: a closed-division tree laid out from real runs on the embedded tiny
// model (run: performance, accuracy; compliance TEST06), checked file by file, and each refusal of
// a run, system description or output folder the submission cannot take, which leaves nothing.
//
// The official submission checker is not run here: it is Python from mlcommons/inference on
// GitHub, published on no package registry, and tests may not download from GitHub.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { RunResult } from '../lib/report/run-result.js';
import { SYSTEM_REQUIRED_FIELDS } from '../lib/submission/system-description.js';
import { truncatedText } from '../lib/submission/truncate-accuracy-log.js';
import { tempDir } from './helpers.js';

const CLI = fileURLToPath(new URL('../lib/cli/main.js', import.meta.url));

function cli(args: string[], cwd: string): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, [CLI, ...args], { cwd, encoding: 'utf8', timeout: 300_000 });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

function run(args: string[], cwd: string, outputDir: string): string {
  const result = cli(['run', ...args, '--output-dir', outputDir], cwd);
  assert.equal(result.status, 0, result.stderr);
  return outputDir;
}

function resultOf(dir: string): RunResult & Record<string, unknown> {
  return JSON.parse(readFileSync(join(dir, 'result.json'), 'utf8')) as RunResult & Record<string, unknown>;
}

function filesUnder(root: string): string[] {
  const found: string[] = [];
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else found.push(relative(root, path));
    }
  };
  walk(root);
  return found.sort();
}

const sha256 = (bytes: Buffer): string => createHash('sha256').update(bytes).digest('hex');

/** A system description with every field the checker requires. */
function systemDescription(): Record<string, unknown> {
  const fields: Record<string, unknown> = Object.fromEntries(SYSTEM_REQUIRED_FIELDS.map((f) => [f, 'n/a']));
  return {
    ...fields,
    division: 'closed',
    submitter: 'Example',
    status: 'available',
    system_name: 'Tiny CPU box',
    system_type: 'datacenter',
    number_of_nodes: '1',
    host_processors_per_node: '1',
    host_processor_core_count: '2',
    accelerators_per_node: '0',
    host_network_card_count: '1',
    framework: 'mlperf-llm, onnxruntime-node',
  };
}

const MEASUREMENTS = {
  starting_weights_filename: 'embedded tiny Llama',
  weight_data_types: 'fp32',
  weight_transformations: 'none',
};

let work: string;
let perf: string;
let acc: string;
let test06: string;
let systemPath: string;
let measurementsPath: string;

before(() => {
  work = tempDir('submission');
  perf = run([], work, join(work, 'runs', 'offline-performance'));
  acc = run(['--mode', 'accuracy'], work, join(work, 'runs', 'offline-accuracy'));
  test06 = join(work, 'runs', 'offline-test06');
  const compliance = cli(['compliance', 'TEST06', '--output-dir', test06], work);
  assert.equal(compliance.status, 0, compliance.stderr);
  systemPath = join(work, 'tiny_cpu.json');
  writeFileSync(systemPath, `${JSON.stringify(systemDescription(), null, 2)}\n`);
  measurementsPath = join(work, 'measurements.json');
  writeFileSync(measurementsPath, JSON.stringify(MEASUREMENTS));
});

function submission(from: string[], output: string, extra: string[] = [], system = systemPath): ReturnType<typeof cli> {
  return cli(
    [
      'submission',
      '--system',
      system,
      '--measurements',
      measurementsPath,
      '--from',
      ...from,
      '--output',
      output,
      ...extra,
    ],
    work,
  );
}

/** A refused command: exit 1, one line naming `names`, and no tree nor staging folder left. */
function assertRefused(result: ReturnType<typeof cli>, output: string, names: RegExp): void {
  assert.equal(result.status, 1, result.stdout + result.stderr);
  const lines = result.stderr.trim().split('\n');
  assert.equal(lines.length, 1, result.stderr);
  assert.match(lines[0]!, names);
  assert.equal(existsSync(output), false, 'no tree is left');
  const parent = join(output, '..');
  if (existsSync(parent))
    assert.deepEqual(
      readdirSync(parent).filter((n) => n.includes('.partial-')),
      [],
    );
}

test('submission lays out the closed tree: results, accuracy.txt with hash, truncated log, TEST06, measurements, system', () => {
  const output = join(work, 'tree');
  const result = submission([perf, acc, test06], output);
  assert.equal(result.status, 0, result.stderr);
  // Quick runs on the 20 sample articles break checker rules: said as warnings, not refused.
  assert.match(
    result.stderr,
    /warning: llama3\.1-8b Offline: the accuracy run .* scored 20 samples, not the whole 13368/,
  );
  assert.match(
    result.stderr,
    /warning: llama3\.1-8b: closed datacenter requires a Server or an Interactive result too/,
  );

  const scenario = join('closed', 'Example', 'results', 'tiny_cpu', 'llama3.1-8b', 'Offline');
  assert.deepEqual(
    filesUnder(output),
    [
      join('closed', 'Example', 'results', 'tiny_cpu', 'llama3.1-8b', 'Offline', 'README.md'),
      join(scenario, 'TEST06', 'accuracy', 'mlperf_log_accuracy.json'),
      join(scenario, 'TEST06', 'verify_accuracy.txt'),
      join(scenario, 'accuracy', 'accuracy.txt'),
      join(scenario, 'accuracy', 'mlperf_log_accuracy.json'),
      join(scenario, 'accuracy', 'mlperf_log_detail.txt'),
      join(scenario, 'accuracy', 'mlperf_log_summary.txt'),
      join(scenario, 'measurements.json'),
      join(scenario, 'performance', 'run_1', 'mlperf_log_detail.txt'),
      join(scenario, 'performance', 'run_1', 'mlperf_log_summary.txt'),
      join(scenario, 'user.conf'),
      join('closed', 'Example', 'src', 'README.md'),
      join('closed', 'Example', 'systems', 'tiny_cpu.json'),
    ].sort(),
  );
  const at = (...parts: string[]): Buffer => readFileSync(join(output, scenario, ...parts));
  const same = (source: string, ...parts: string[]): void =>
    assert.ok(readFileSync(source).equals(at(...parts)), parts.join('/'));

  same(join(perf, 'mlperf_log_summary.txt'), 'performance', 'run_1', 'mlperf_log_summary.txt');
  same(join(perf, 'mlperf_log_detail.txt'), 'performance', 'run_1', 'mlperf_log_detail.txt');
  same(join(perf, 'user.conf'), 'user.conf');
  same(join(acc, 'mlperf_log_summary.txt'), 'accuracy', 'mlperf_log_summary.txt');
  same(join(acc, 'mlperf_log_detail.txt'), 'accuracy', 'mlperf_log_detail.txt');
  same(join(test06, 'verify_accuracy.txt'), 'TEST06', 'verify_accuracy.txt');
  same(join(test06, 'mlperf_log_accuracy.json'), 'TEST06', 'accuracy', 'mlperf_log_accuracy.json');
  same(systemPath, '..', '..', '..', '..', 'systems', 'tiny_cpu.json');

  // The accuracy log: 4 KiB from each end around a "..." line, as truncate_accuracy_log.py cuts it.
  const original = readFileSync(join(acc, 'mlperf_log_accuracy.json'));
  assert.ok(original.length > 10 * 1024, 'the untruncated log is larger than the checker allows');
  const truncated = at('accuracy', 'mlperf_log_accuracy.json');
  assert.equal(truncated.length, 4096 + 7 + 4096);
  assert.ok(truncated.subarray(0, 4096).equals(original.subarray(0, 4096)));
  assert.equal(truncated.subarray(4096, 4103).toString(), '\n\n...\n\n');
  assert.ok(truncated.subarray(4103).equals(original.subarray(original.length - 4096)));

  // accuracy.txt: evaluation.py's "Results" and dict, then the original log's hash.
  const text = at('accuracy', 'accuracy.txt').toString();
  const lines = text.split('\n');
  assert.equal(lines[0], 'Results');
  assert.equal(lines.at(-2), `hash=${sha256(original)}`);
  assert.equal(lines.at(-1), '');
  const scores = resultOf(acc).accuracy!;
  // The checker's patterns, applied line by line as it applies them.
  const read = (pattern: RegExp): number => {
    const values = lines.map((line) => pattern.exec(line)?.[1]).filter((v) => v !== undefined);
    assert.equal(values.length, 1, String(pattern));
    return Number(values[0]);
  };
  assert.equal(read(/^.*'rouge1':\s+'?([\d.]+)'?.*/), scores.rouge1);
  assert.equal(read(/^.*'rouge2':\s+'?([\d.]+)'?.*/), scores.rouge2);
  assert.equal(read(/^.*'rougeL':\s+'?([\d.]+)'?.*/), scores.rougeL);
  assert.equal(read(/^.*'rougeLsum':\s+'?([\d.]+)'?.*/), scores.rougeLsum);
  assert.equal(read(/^.*'gen_len':\s([\d.]+).*/), scores.gen_len);
  assert.equal(read(/^.*'gen_num':\s([\d.]+).*/), scores.gen_num);
  // evaluation.py's dict for Llama-3.1-8B ends with gen_num (no token counts).
  assert.match(
    lines[2]!,
    /^\{'rouge1': '[\d.]+', 'rouge2': '[\d.]+', 'rougeL': '[\d.]+', 'rougeLsum': '[\d.]+', 'gen_len': \d+, 'gen_num': \d+\}$/,
  );

  const measurements = JSON.parse(at('measurements.json').toString()) as Record<string, string>;
  assert.deepEqual(measurements, { input_data_types: 'int32', retraining: 'No', ...MEASUREMENTS });
  assert.match(at('README.md').toString(), /offline-performance/);
  assert.ok(readFileSync(join(output, 'closed', 'Example', 'src', 'README.md')).length > 0);
});

test('a --mode submission run serves as both the performance and the accuracy run', () => {
  const both = run(['--mode', 'submission'], work, join(work, 'runs', 'offline-submission'));
  const output = join(work, 'tree-from-submission-run');
  const result = submission([both, test06], output);
  assert.equal(result.status, 0, result.stderr);
  const scenario = join(output, 'closed', 'Example', 'results', 'tiny_cpu', 'llama3.1-8b', 'Offline');
  assert.ok(
    readFileSync(join(both, 'mlperf_log_detail.txt')).equals(
      readFileSync(join(scenario, 'performance', 'run_1', 'mlperf_log_detail.txt')),
    ),
  );
  assert.ok(
    readFileSync(join(both, 'mlperf_log_detail.txt')).equals(
      readFileSync(join(scenario, 'accuracy', 'mlperf_log_detail.txt')),
    ),
  );
  // Two performance runs of one scenario: which one is meant is not for the command to guess.
  const twice = join(work, 'tree-twice');
  assertRefused(
    submission([perf, acc, both, test06], twice),
    twice,
    /--from .*offline-submission: a second performance run for llama3\.1-8b Offline \(the first is .*offline-performance\); pass one of them/,
  );
});

test('refuses a LoadGen-INVALID performance run, naming the folder and the reason', () => {
  // Offline expecting 0.05 samples/s for 100 s: the 20 samples are done long before, so INVALID.
  const invalid = join(work, 'runs', 'offline-invalid');
  const ran = cli(['run', '--target-qps', '0.05', '--min-duration', '100000', '--output-dir', invalid], work);
  assert.equal(ran.status, 4, ran.stderr);
  assert.equal(resultOf(invalid).validity, 'INVALID');
  const output = join(work, 'tree-invalid');
  assertRefused(
    submission([invalid, acc, test06], output),
    output,
    /--from .*offline-invalid: LoadGen judged this Offline performance run INVALID \(.*minimum duration not reached.*\); a submission needs a VALID one/,
  );
});

test('refuses a missing accuracy run, a missing TEST06 and a failed TEST06', () => {
  const output = join(work, 'tree-incomplete');
  assertRefused(
    submission([perf, test06], output),
    output,
    /--from .*offline-performance: no accuracy run for llama3\.1-8b Offline among --from; add the folder of "mlperf-llm run --scenario Offline --mode accuracy"/,
  );
  assertRefused(
    submission([perf, acc], output),
    output,
    /--from .*offline-performance: no TEST06 run for llama3\.1-8b Offline among --from; add the folder of "mlperf-llm compliance TEST06 --scenario Offline"/,
  );
  // The same run without the compliance marker: a plain run under TEST06's audit.config.
  const audited = join(work, 'runs', 'offline-audited');
  cpSync(test06, audited, { recursive: true });
  const { compliance: _marker, ...plain } = resultOf(test06);
  writeFileSync(join(audited, 'result.json'), JSON.stringify(plain));
  assertRefused(
    submission([audited, acc, test06], output),
    output,
    /--from .*offline-audited: LoadGen ran it under a compliance audit\.config \(.+\); run the performance run again without one/,
  );
  // A TEST06 log whose first answer ends in two EOS ids, verified by "compliance TEST06 --verify".
  const failed = join(work, 'runs', 'offline-test06-failed');
  cpSync(test06, failed, { recursive: true });
  const logPath = join(failed, 'mlperf_log_accuracy.json');
  const log = JSON.parse(readFileSync(logPath, 'utf8')) as { data: string }[];
  const eosTwice = '09F40100'.repeat(2); // 128009, little-endian int32, twice
  log[0]!.data = log[0]!.data.slice(0, -eosTwice.length) + eosTwice;
  writeFileSync(logPath, JSON.stringify(log));
  const verified = cli(['compliance', 'TEST06', '--verify', failed], work);
  assert.equal(verified.status, 6, verified.stdout + verified.stderr);
  assertRefused(
    submission([perf, acc, failed], output),
    output,
    /--from .*offline-test06-failed: TEST06 failed for Offline: verify_accuracy.txt does not record a pass of the EOS check/,
  );
});

test('refuses an accuracy run that fails the 99% targets (a real run on 5,000 samples, edge targets)', () => {
  // 5,000 records (the edge set's size, so its targets apply) of 4 prompt tokens, 2 new tokens each:
  // a run of seconds whose summaries are far below the targets.
  const articles = JSON.parse(readFileSync(resultOf(acc).dataset.path, 'utf8')) as { tok_input: number[] }[];
  const records = Array.from({ length: 5000 }, (_, i) => {
    const record = articles[i % articles.length]!;
    return { ...record, tok_input: record.tok_input.slice(0, 4) };
  });
  const dataset = join(work, 'cnn_eval_5000.json');
  writeFileSync(dataset, JSON.stringify(records));
  const failing = join(work, 'runs', 'offline-accuracy-failing');
  const ran = cli(
    ['run', '--mode', 'accuracy', '--dataset', dataset, '--max-new-tokens', '2', '--output-dir', failing],
    work,
  );
  assert.equal(ran.status, 3, ran.stderr);
  const output = join(work, 'tree-failing');
  assertRefused(
    submission([perf, failing, test06], output),
    output,
    /--from .*offline-accuracy-failing: the Offline accuracy run fails the edge 99% targets \(rouge1 [\d.]+, needs >= 38\.669\d*;.* gen_len \d+, needs in \[2746002, 3356224\]\); a closed submission needs them met/,
  );
});

test('refuses a folder not written by mlperf-llm', () => {
  const foreign = join(work, 'runs', 'foreign');
  mkdirSync(foreign);
  for (const file of ['mlperf_log_summary.txt', 'mlperf_log_detail.txt']) cpSync(join(perf, file), join(foreign, file));
  const output = join(work, 'tree-foreign');
  assertRefused(
    submission([perf, acc, test06, foreign], output),
    output,
    /--from .*foreign: holds no result\.json, so it was not written by mlperf-llm/,
  );
});

test('refuses a system description missing required fields, naming every one', () => {
  const partial = systemDescription();
  delete partial.host_storage_type;
  delete partial.cooling;
  partial.accelerator_model_name = '';
  const path = join(work, 'partial_system.json');
  writeFileSync(path, JSON.stringify(partial));
  const output = join(work, 'tree-system');
  const result = submission([perf, acc, test06], output, [], path);
  assertRefused(
    result,
    output,
    /--system .*partial_system\.json: missing fields host_storage_type, cooling; empty field accelerator_model_name \(the submission checker requires them/,
  );
});

test('refuses datacenter runs with an edge-only system description', () => {
  const path = join(work, 'edge_box.json');
  writeFileSync(path, JSON.stringify({ ...systemDescription(), system_type: 'edge' }));
  const output = join(work, 'tree-edge');
  const result = submission([perf, acc, test06], output, [], path);
  assertRefused(
    result,
    output,
    /--from .*offline-performance: is a datacenter run \(llama3\.1-8b\), but --system .*edge_box\.json has system_type "edge"/,
  );
});

test('refuses measurements without the weight fields, and an output folder that is not empty', () => {
  const output = join(work, 'tree-measurements');
  const result = cli(['submission', '--system', systemPath, '--from', perf, acc, test06, '--output', output], work);
  assertRefused(
    result,
    output,
    /no --measurements file was given: measurements\.json needs starting_weights_filename, weight_data_types, weight_transformations/,
  );
  const busy = join(work, 'busy');
  mkdirSync(busy);
  writeFileSync(join(busy, 'keep.txt'), 'mine');
  const refused = submission([perf, acc, test06], busy);
  assert.equal(refused.status, 1);
  assert.match(refused.stderr.trim(), /^mlperf-llm: --output .*busy: exists and is not empty \(1 entries\)/);
  assert.deepEqual(readdirSync(busy), ['keep.txt']);
  // An empty folder is taken.
  const empty = join(work, 'empty');
  mkdirSync(empty);
  assert.equal(submission([perf, acc, test06], empty).status, 0);
  assert.ok(existsSync(join(empty, 'closed', 'Example', 'systems', 'tiny_cpu.json')));
  rmSync(empty, { recursive: true });
});

test('truncation keeps a log under 4096 bytes whole and cuts one of 4096 or more to 8199 bytes', () => {
  const short = Buffer.alloc(4095, 'a');
  assert.ok(truncatedText(short).equals(short));
  const long = Buffer.concat([Buffer.alloc(4096, 'h'), Buffer.alloc(100, 'm'), Buffer.alloc(4096, 't')]);
  const cut = truncatedText(long);
  assert.equal(cut.toString(), `${'h'.repeat(4096)}\n\n...\n\n${'t'.repeat(4096)}`);
  // The official script cuts at 4096 already, even though that makes the file larger.
  assert.equal(truncatedText(Buffer.alloc(4096, 'x')).length, 8199);
});

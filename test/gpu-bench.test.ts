// The parts of the GPU benchmark that run without a GPU: the bundle stage.mjs cuts into parts is
// put back together by receive.sh (in order, idempotently, refusing a damaged part), and
// report.mjs turns a results.json into the RESULTS.md section with the right arithmetic.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { tempDir } from './helpers.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const RECEIVE = join(ROOT, 'bench', 'gpu', 'receive.sh');
const REPORT = join(ROOT, 'bench', 'gpu', 'report.mjs');
const SAMPLE = join(ROOT, 'test', 'fixtures', 'gpu', 'results-sample.json');

interface Artifact {
  name: string;
  kind: string;
  path: string;
  offset: number;
  bytes: number;
  sha256: string;
}

function sha256(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}

function run(
  command: string,
  args: string[],
  env: NodeJS.ProcessEnv = process.env,
): { status: number | null; out: string } {
  const result = spawnSync(command, args, { encoding: 'utf8', env, timeout: 60_000 });
  return { status: result.status, out: `${result.stdout}${result.stderr}` };
}

test('a bundle cut into parts comes back together on the receiving side, artifact by artifact', async () => {
  const dir = tempDir('bundle');
  // Artifacts of each kind receive.sh unpacks without pip: the app, the Node binary, the provider archive.
  mkdirSync(join(dir, 'src', 'app', 'dist'), { recursive: true });
  writeFileSync(join(dir, 'src', 'app', 'dist', 'main.js'), 'console.log("staged");\n'.repeat(200));
  assert.equal(run('tar', ['-cJf', join(dir, 'app.tar.xz'), '-C', join(dir, 'src'), 'app']).status, 0);
  const nodeBinary = Buffer.from('#!/bin/sh\necho pretend-node\n'.repeat(100));
  writeFileSync(join(dir, 'node'), nodeBinary);
  assert.equal(run('xz', ['-k', '-9', join(dir, 'node')]).status, 0);
  writeFileSync(join(dir, 'provider.tgz'), Buffer.concat([Buffer.from([0x1f, 0x8b]), Buffer.alloc(3000, 7)]));

  const artifacts: Artifact[] = [];
  let offset = 0;
  for (const [name, kind, file] of [
    ['app.tar.xz', 'app', 'app.tar.xz'],
    ['node.xz', 'node', 'node.xz'],
    ['provider.tgz', 'provider', 'provider.tgz'],
  ] as const) {
    const bytes = readFileSync(join(dir, file));
    artifacts.push({ name, kind, path: join(dir, file), offset, bytes: bytes.length, sha256: sha256(bytes) });
    offset += bytes.length;
  }
  const partSize = Math.ceil(offset / 3);
  const stageModule = join(ROOT, 'bench', 'gpu', 'stage.mjs');
  const { writeParts } = (await import(stageModule)) as {
    writeParts(artifacts: Artifact[], out: string, size: number): Promise<Array<{ index: number; bytes: number }>>;
  };
  const out = join(dir, 'device');
  const parts = await writeParts(artifacts, out, partSize);
  assert.equal(parts.length, 3);
  assert.equal(
    parts.reduce((sum, part) => sum + part.bytes, 0),
    offset,
  );
  const manifest = {
    node: { version: 'test', sha256: sha256(nodeBinary) },
    artifacts: artifacts.map(({ path: _path, ...rest }) => rest),
    parts,
  };
  for (const part of parts) writeFileSync(join(out, `part-${part.index}`, 'manifest.json'), JSON.stringify(manifest));

  const stage = join(dir, 'stage');
  const env = { ...process.env, MLPERF_STAGE: stage };
  const receive = (index: number): { status: number | null; out: string } =>
    run('bash', [RECEIVE, join(out, `part-${index}`)], env);

  let step = receive(1);
  assert.equal(step.status, 0, step.out);
  assert.match(step.out, /parts \[1\] of 3; ready: (app|nothing)/);
  step = receive(2);
  assert.equal(step.status, 0, step.out);
  assert.match(step.out, /waiting: .*provider \(needs part 3\)/);
  step = receive(3);
  assert.equal(step.status, 0, step.out);
  assert.match(step.out, /parts \[1, 2, 3\] of 3; ready: app, node, provider; waiting: nothing/);
  assert.equal(readFileSync(join(stage, 'app', 'dist', 'main.js'), 'utf8'), 'console.log("staged");\n'.repeat(200));
  assert.deepEqual(readFileSync(join(stage, 'bin', 'node')), nodeBinary);
  assert.equal(statSync(join(stage, 'bin', 'node')).mode & 0o111, 0o111);
  assert.deepEqual(readFileSync(join(stage, 'files', 'provider.tgz')), readFileSync(join(dir, 'provider.tgz')));
  // A part carried again changes nothing.
  step = receive(2);
  assert.equal(step.status, 0, step.out);
  assert.match(step.out, /waiting: nothing/);

  // A damaged part is refused (a fresh stage, so nothing was checked before).
  const bad = join(out, 'part-1', 'bundle.001');
  const bytes = readFileSync(bad);
  bytes[10] = bytes[10]! ^ 0xff;
  writeFileSync(bad, bytes);
  const damaged = run('bash', [RECEIVE, join(out, 'part-1')], { ...process.env, MLPERF_STAGE: join(dir, 'stage2') });
  assert.notEqual(damaged.status, 0);
  assert.match(damaged.out, /bundle\.001 is damaged/);
  assert.ok(!existsSync(join(dir, 'stage2', 'app')));
});

test('report.mjs: the GPU section from a results.json, with ratios, the best Server rate and the A30 projection', () => {
  const result = run(process.execPath, [REPORT, SAMPLE]);
  assert.equal(result.status, 0, result.out);
  const text = result.out;
  assert.match(text, /^## GPU: Llama-3\.1-8B shape/);
  assert.match(text, /torch 2\.11\.0\+cu130, transformers 5\.17\.0/);
  // 16.06 GB / 4.015 TB/s = 4.00 ms; with 864 tokens of KV per row at batch 1: 4.03 ms.
  // Each batch's best mode counts: graphs at batch 1 (6 ms), the plain step at 64 (32 ms).
  assert.match(
    text,
    /\| 1 \| 8\.00 \| 6\.00 \| 167 \| 64\.00 \| 16 \| 4\.00 \| 4\.03 \| 10\.67× \| 0\.67× \| 0\.67× \|/,
  );
  assert.match(
    text,
    /\| 64 \| 32\.00 \| 40\.00 \| 2000 \| 64\.00 \| 1000 \| 4\.00 \| 5\.81 \| 2\.00× \| 0\.13× \| 0\.18× \|/,
  );
  assert.match(text, /\| 256 \| — \| 64\.00 \| 4000 \| — \|/);
  // 1024 prefills in 24.6 s; 512 decode steps in 8.2 s, (100 × 255 + 412 × 256) / 512 rows each.
  assert.match(
    text,
    /\| offline \|.*\| prefill 24\.6 s \(24\.0 ms each\); decode 8\.2 s \(16\.1 ms\/step, 256 rows\) \| VALID \|/,
  );
  assert.match(text, /\| engine \| 83\.3 % \| 0\.197 \| 0\.310 \| 0\.205 \|/);
  assert.match(
    text,
    /Offline through LoadGen \(`offline`\): 4000 tok\/s \(5\.00× PyTorch eager at batch 64; target 3000: met\)/,
  );
  // 25 QPS is INVALID and over both bounds; 18.75 is the highest VALID rate inside them.
  assert.match(text, /highest VALID target QPS .*: 18\.75 QPS \(2400 tok\/s\)/);
  assert.match(text, /Batch-1 decode: 167 tok\/s = 0\.67× the roofline .*: met/);
  // One row per correctness run; a cell is first tokens equal · whole outputs equal.
  assert.match(
    text,
    /\| correctness-graph \| engine \(CUDA graphs\) \| bf16 \| 25\/32 · 0\/32 \| 26\/32 · 0\/32 \| — \|/,
  );
  assert.match(
    text,
    /\| correctness-fp32-1 \| engine fp32, 1 slot \| fp32 \| 26\/32 · 1\/32 \| 32\/32 · 30\/32 \| 32\/32 · 31\/32 \|/,
  );
  // 30 of 32 whole outputs (93.8 %) with every first token: the bar is met against fp32, not bf16.
  assert.match(
    text,
    /bar: every first token, all 32 tokens of ≥ 90 % of prompts\): met by `correctness-fp32` vs fp32 \(32\/32 · 30\/32\), `correctness-fp32-1` vs fp32/,
  );
  assert.match(
    text,
    /Batch-1 against batch-of-N \(`correctness-fp32-1`, fp32 export\): 32\/32 first tokens and 31\/32 whole 32-token outputs identical \(first difference at token 19\)/,
  );
  // (24 GiB − 16.06 GB − 1.5 GiB) ÷ (2668 × 128 KiB) = 23.2 slots.
  assert.match(text, /\| slots that fit \| 23 \|/);
  assert.match(text, /\| batch-1 decode \| 32 tok\/s \|/);
  assert.match(text, /Steps that failed: js-path \(exit 1\)/);
});

#!/usr/bin/env node
// Packs what the engine needs on the GPU machine beyond the working tree into .device/engine-kit
// (git-ignored): onnxruntime-node trimmed to its linux-x64 binding (package.json, dist/, the
// runtime libonnxruntime.so.1) and a Node binary, both xz-compressed to fit one call's carry
// beside dist/ and the addon. The CUDA provider files are not in it (230 MB; see the report of
// issue 8 or `mlperf-llm setup-cuda`).
//
//   node bench/gpu/engine-kit.mjs [--node /path/to/node]
//
// Then run on the GPU machine with carry ["dist", "build/Release/mlperf_loadgen.node", ".device/engine-kit"]:
//   rm -rf node_modules && mkdir node_modules && tar -xJf .device/engine-kit/onnxruntime-node.tar.xz -C node_modules
//   xz -dc .device/engine-kit/node.xz > /tmp/node && chmod +x /tmp/node
import { execFileSync } from 'node:child_process';
import { mkdirSync, openSync, closeSync, realpathSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const { values } = parseArgs({ options: { node: { type: 'string', default: process.execPath } } });
const out = join(root, '.device', 'engine-kit');
mkdirSync(out, { recursive: true });

const ortNode = dirname(
  realpathSync(createRequire(join(root, 'package.json')).resolve('onnxruntime-node/package.json')),
);
const binding = join('bin', 'napi-v6', 'linux', 'x64');
const ortArchive = join(out, 'onnxruntime-node.tar.xz');
execFileSync('tar', [
  '-cJf',
  ortArchive,
  '-C',
  dirname(ortNode),
  ...['package.json', 'dist', binding].map((entry) => join('onnxruntime-node', entry)),
]);
const nodeArchive = join(out, 'node.xz');
const fd = openSync(nodeArchive, 'w');
try {
  execFileSync('xz', ['-6', '-T2', '-c', values.node], { stdio: ['ignore', fd, 'inherit'] });
} finally {
  closeSync(fd);
}
const mib = (file) => (statSync(file).size / 2 ** 20).toFixed(1);
process.stdout.write(
  `wrote ${ortArchive} (${mib(ortArchive)} MiB) and ${nodeArchive} (${mib(nodeArchive)} MiB, Node ${execFileSync(values.node, ['--version'], { encoding: 'utf8' }).trim()})\n`,
);

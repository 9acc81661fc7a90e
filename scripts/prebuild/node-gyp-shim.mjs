#!/usr/bin/env node
// prebuildify drives "node-gyp rebuild --release ..."; this stands in for node-gyp and builds
// with cmake-js and CMakeLists.txt instead, so prebuilds come from the same build description
// as development builds. prebuildify then picks up build/Release/*.node.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';

const args = process.argv.slice(2);
if (args[0] !== 'rebuild') {
  process.stderr.write(`node-gyp-shim: only "rebuild" is supported (got ${args.join(' ')})\n`);
  process.exit(2);
}
const cmakeJs = createRequire(import.meta.url).resolve('cmake-js/bin/cmake-js');
const build = args.includes('--debug') ? ['--debug'] : [];
const result = spawnSync(process.execPath, [cmakeJs, 'rebuild', ...build], { stdio: 'inherit' });
process.exit(result.status ?? 1);

#!/usr/bin/env node
// npm's install step: keep an addon that already loads (a prebuild or an earlier build),
// otherwise build it from source with cmake-js (fetching LoadGen's pinned source if needed).
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);

function loads() {
  try {
    require('node-gyp-build')(root);
    return true;
  } catch {
    return false;
  }
}

if (process.env.LOADGEN_NODE_FORCE_BUILD !== '1' && loads()) {
  process.stderr.write('[mlperf-loadgen-node] native addon present\n');
  process.exit(0);
}

const cmakeJs = require.resolve('cmake-js/bin/cmake-js');
const result = spawnSync(process.execPath, [cmakeJs, 'compile'], { cwd: root, stdio: 'inherit' });
if (result.status !== 0) {
  process.stderr.write(
    '\n[mlperf-loadgen-node] building the native addon failed (messages above).\n' +
      'It needs cmake >= 3.15, a C++17 compiler and python3 on PATH.\n',
  );
  process.exit(result.status ?? 1);
}

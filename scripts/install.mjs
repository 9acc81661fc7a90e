#!/usr/bin/env node
// npm's install step:
//  1. keep an addon that already loads (a prebuild or an earlier build), otherwise build it from
//     source with cmake-js (fetching LoadGen's pinned source if needed);
//  2. fetch the English Punkt parameters the accuracy evaluation needs, if they are missing.
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

function ensureAddon() {
  if (process.env.LOADGEN_NODE_FORCE_BUILD !== '1' && loads()) {
    process.stderr.write('[mlperf-loadgen-node] native addon present\n');
    return;
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
}

function ensurePunktParameters() {
  const result = spawnSync(process.execPath, [join(root, 'scripts', 'accuracy', 'punkt-params.mjs')], { cwd: root, stdio: 'inherit' });
  if (result.status !== 0) {
    // Only accuracy evaluation needs them, and it says how to fetch them when they are missing.
    process.stderr.write('[mlperf-loadgen-node] warning: Punkt parameters not fetched; accuracy evaluation will not work until "node scripts/accuracy/punkt-params.mjs" succeeds\n');
  }
}

ensureAddon();
ensurePunktParameters();

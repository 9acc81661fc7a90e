#!/usr/bin/env node
// Writes the two files LoadGen's build generates, into a build folder (never into LoadGen's tree):
//   mlperf_conf.h          the embedded mlperf.conf as a C string literal `mlperf_conf`
//   version_generated.cc   written by LoadGen's own version_generator.py
//
//   node scripts/generate-loadgen-files.mjs <loadgen-dir> <out-dir>
// Prints <out-dir> on success, as given (gyp needs relative paths).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** mlperf.conf as the C++ header LoadGen includes: one string literal per line of the file. */
export function embedConfig(confText) {
  const escaped = confText.replace(/\\/g, '\\\\').replace(/"/g, '\\"');
  return `const char* mlperf_conf =\n"${escaped.replace(/\n/g, '\\n"\n"')}";\n`;
}

function writeIfChanged(file, text) {
  if (existsSync(file) && readFileSync(file, 'utf8') === text) return;
  writeFileSync(file, text);
}

function fail(message) {
  process.stderr.write(`\n[loadgen] ${message}\n\n`);
  process.exit(1);
}

function main() {
  const [loadgenArg, outArg] = process.argv.slice(2);
  if (!loadgenArg || !outArg) fail('usage: generate-loadgen-files.mjs <loadgen-dir> <out-dir>');
  const loadgenDir = resolve(loadgenArg);
  const outDir = resolve(outArg);
  mkdirSync(outDir, { recursive: true });

  const header = embedConfig(readFileSync(join(loadgenDir, 'mlperf.conf'), 'utf8'));
  // test_settings_internal.cc includes "mlperf_conf.h" with quotes, so a copy next to it wins over ours.
  const sibling = join(loadgenDir, 'mlperf_conf.h');
  if (existsSync(sibling) && readFileSync(sibling, 'utf8') !== header) {
    fail(
      `${sibling} does not match ${join(loadgenDir, 'mlperf.conf')}: it is a stale build output that would be compiled instead of the current config. Delete it and build again.`,
    );
  }
  writeIfChanged(join(outDir, 'mlperf_conf.h'), header);

  const versionFile = join(outDir, 'version_generated.cc');
  if (!existsSync(versionFile) || process.env.MLPERF_LOADGEN_REGENERATE_VERSION) {
    const python = process.env.PYTHON || 'python3';
    const result = spawnSync(python, [join(loadgenDir, 'version_generator.py'), versionFile, loadgenDir], {
      encoding: 'utf8',
    });
    if (result.error || result.status !== 0) {
      fail(
        `LoadGen's version_generator.py failed (${result.error?.message ?? `exit ${result.status}`}): ${result.stderr ?? ''}\nIt needs Python 3 on PATH (or PYTHON=<path to python3>).`,
      );
    }
  }
  process.stdout.write(`${outArg}\n`);
}

main();

#!/usr/bin/env node
// npm's install step.
//  1. An addon that already loads is kept: in an installed copy that is normally the shipped
//     prebuild (the runtime loader, dist/lib/loadgen/addon-loader.js, decides exactly as it will
//     at run time).
//  2. Otherwise the addon is built from source with cmake-js. The LoadGen source ships in
//     third_party/loadgen, so this needs no network; a fresh checkout fetches the pinned sdist.
//  3. If the tools for that are missing too, it prints what this machine is, what was tried and
//     the command that fixes it, and fails the install.
//  4. The English Punkt parameters (shipped in the package) are fetched in a checkout if missing.
//
//   node scripts/install.mjs                       what npm runs
//   node scripts/install.mjs --build-from-source   skip step 1 (also MLPERF_LOADGEN_FORCE_BUILD=1)
import { spawnSync } from 'node:child_process';
import { accessSync, constants, existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { delimiter, dirname, join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const nativeModule = join(root, 'dist', 'lib', 'loadgen', 'native.js');
const forceBuild = process.argv.includes('--build-from-source') || process.env.MLPERF_LOADGEN_FORCE_BUILD === '1';

function say(message) {
  process.stderr.write(`[mlperf-loadgen-node] ${message}\n`);
}

/**
 * Loads the addon in a child process (a failed import stays cached in this one) the way the
 * package will at run time. Returns { ok, detail }: the file used, or the loader's diagnosis.
 */
function probe() {
  if (!existsSync(nativeModule)) {
    // A checkout before its first TypeScript build: only the source build can exist.
    const file = join(root, 'build', 'Release', 'mlperf_loadgen.node');
    const code = `require(${JSON.stringify(file)})`;
    const result = spawnSync(process.execPath, ['-e', code], { encoding: 'utf8' });
    return {
      ok: result.status === 0,
      detail: result.status === 0 ? relative(root, file) : 'no loadable build/Release yet',
    };
  }
  const code =
    `import(${JSON.stringify(pathToFileURL(nativeModule).href)})` +
    '.then((m) => console.log(`${m.addonFile.kind} ${m.addonFile.path}`), (e) => { console.error(e.message); process.exit(1); })';
  const result = spawnSync(process.execPath, ['-e', code], { encoding: 'utf8' });
  return { ok: result.status === 0, detail: (result.status === 0 ? result.stdout : result.stderr).trim() };
}

function onPath(names) {
  const dirs = (process.env.PATH ?? '').split(delimiter).filter(Boolean);
  for (const name of names) {
    for (const dir of dirs) {
      try {
        accessSync(join(dir, name), constants.X_OK);
        return name;
      } catch {
        // not here
      }
    }
  }
  return undefined;
}

/** What a source build needs that this machine lacks, as phrases. */
function missingTools() {
  const missing = [];
  if (!onPath(['cmake'])) missing.push('cmake (>= 3.15)');
  if (!(process.env.CXX || onPath(['c++', 'g++', 'clang++'])))
    missing.push('a C++17 compiler (g++ >= 8 or clang >= 7)');
  if (!onPath(['ninja', 'make'])) missing.push('make or ninja');
  if (!(process.env.PYTHON || onPath(['python3']))) missing.push('python3 (LoadGen generates a version file with it)');
  return missing;
}

function buildFromSource() {
  const missing = missingTools();
  if (missing.length)
    return { ok: false, detail: `cannot build from source here: this machine lacks ${missing.join(', ')} on PATH` };
  say('building the addon from source with cmake-js (about two minutes)');
  const cmakeJs = require.resolve('cmake-js/bin/cmake-js');
  const result = spawnSync(process.execPath, [cmakeJs, 'compile'], { cwd: root, stdio: 'inherit' });
  if (result.status !== 0) return { ok: false, detail: 'the source build failed (compiler messages above)' };
  return probe();
}

function ensureAddon() {
  if (!forceBuild) {
    const found = probe();
    if (found.ok) {
      say(`native addon: ${found.detail}`);
      return;
    }
    if (existsSync(nativeModule)) say(found.detail);
  }
  const built = buildFromSource();
  if (built.ok) {
    say(`native addon: ${built.detail}`);
    if (built.detail.startsWith('prebuild')) {
      say(
        'the source build is in build/Release; an installed copy loads its prebuild first: set MLPERF_LOADGEN_NODE_ADDON=source to use the source build',
      );
    }
    return;
  }
  say(built.detail);
  say(
    'The package is installed but cannot run LoadGen until the addon builds. Install the tools named above ' +
      `(Debian/Ubuntu: apt-get install cmake g++ make python3) and run:\n  node ${join(root, 'scripts', 'install.mjs')} --build-from-source`,
  );
  process.exit(1);
}

function ensurePunktParameters() {
  const lock = join(root, 'third_party', 'punkt.lock.json');
  if (!existsSync(lock) || existsSync(join(root, 'third_party', 'punkt', 'english.json'))) return;
  const result = spawnSync(process.execPath, [join(root, 'scripts', 'accuracy', 'punkt-params.mjs')], {
    cwd: root,
    stdio: 'inherit',
  });
  if (result.status !== 0) {
    // Only accuracy evaluation needs them, and it says how to fetch them when they are missing.
    say(
      'warning: Punkt parameters not fetched; accuracy evaluation will not work until "node scripts/accuracy/punkt-params.mjs" succeeds',
    );
  }
}

ensureAddon();
ensurePunktParameters();

// The published package as a user meets it: `npm pack` (whose prepack step builds the glibc-2.28
// prebuild, or reuses it when its inputs have not changed), then `npm install <tarball>` into an
// empty project with a PATH that holds node, npm and sh and nothing else: no compiler, cmake,
// make or python. The installed copy must load its prebuild, run LoadGen and the CLI; without a
// prebuild it must either build from the LoadGen source it carries (offline) or say what to do.
import assert from 'node:assert/strict';
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import {
  accessSync,
  constants,
  copyFileSync,
  existsSync,
  mkdirSync,
  readFileSync,
  renameSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { delimiter, join } from 'node:path';
import { before, describe, test } from 'node:test';
import { packageRoot } from '../lib/package-paths.js';
import { tempDir } from './helpers.js';
import { packageVersion } from '../lib/package-paths.js';
import { loadgenVersion } from '../lib/loadgen/index.js';

const TOOLS_A_BUILD_NEEDS = [
  'cc',
  'gcc',
  'g++',
  'c++',
  'clang',
  'clang++',
  'cmake',
  'make',
  'ninja',
  'python',
  'python3',
];

interface PackResult {
  filename: string;
  size: number;
  files: Array<{ path: string }>;
}

function which(name: string, path: string): string | undefined {
  for (const dir of path.split(delimiter).filter(Boolean)) {
    try {
      accessSync(join(dir, name), constants.X_OK);
      return join(dir, name);
    } catch {
      // not in this folder
    }
  }
  return undefined;
}

/** A folder with links to node, npm, npx and sh: the whole PATH of a machine without build tools. */
function bareToolbox(): string {
  const dir = tempDir('bare-path');
  for (const tool of ['node', 'npm', 'npx', 'sh']) {
    const found = tool === 'node' ? process.execPath : which(tool, process.env.PATH ?? '');
    assert.ok(found, `${tool} is not on PATH`);
    symlinkSync(found, join(dir, tool));
  }
  return dir;
}

/** The environment of a user's shell: HOME (npm's cache lives there), the given PATH, nothing from this test run's npm. */
function userEnv(path: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  // onnxruntime-node's own install step downloads CUDA providers, which needs a network this
  // machine lacks; skipping it is what the README tells offline users to do.
  return { HOME: process.env.HOME, TMPDIR: process.env.TMPDIR, PATH: path, ONNXRUNTIME_NODE_INSTALL: 'skip', ...extra };
}

function run(command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv): SpawnSyncReturns<string> {
  return spawnSync(command, args, { cwd, env, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
}

function output(result: SpawnSyncReturns<string>): string {
  return `exit ${result.status}\n--- stdout\n${result.stdout.slice(-4000)}\n--- stderr\n${result.stderr.slice(-4000)}`;
}

/** A consumer script: import the package by name, run a short null-SUT test, report what it used. */
// SingleStream: LoadGen generates min_duration / expected latency queries and ends early, short
// of the minimum duration (INVALID), when they run out; the expected latency is set below what a
// null-SUT query takes anywhere, so the minimum duration ends the run.
const NULL_SUT_CHECK = `
import { addonFile, completeSamples, loadgenVersion, readSummary, runTest } from 'mlperf-loadgen-node';
const result = await runTest({
  sut: { issueQuery: (ids) => { completeSamples(ids); } },
  qsl: { totalSampleCount: 64 },
  settings: { scenario: 'SingleStream', mode: 'PerformanceOnly', minDurationMs: 200, minQueryCount: 1000, singleStreamExpectedLatencyNs: 1000 },
  log: { outdir: 'null-sut-logs' },
});
const summary = readSummary(result.logFiles.summary);
console.log(JSON.stringify({ addon: addonFile, version: loadgenVersion, completed: result.samplesCompleted, result: summary.result }));
`;

interface NullSutReport {
  addon: { path: string; kind: string };
  version: string;
  completed: number;
  result: string;
}

describe('the npm tarball', () => {
  const bare = bareToolbox();
  const project = tempDir('consumer');
  const installed = join(project, 'node_modules', 'mlperf-loadgen-node');
  let packed: PackResult;

  function nullSutRun(path: string, extraEnv: Record<string, string> = {}): NullSutReport {
    const result = run(process.execPath, ['null-sut-check.mjs'], project, userEnv(path, extraEnv));
    assert.equal(result.status, 0, output(result));
    return JSON.parse(result.stdout.trim().split('\n').pop()!) as NullSutReport;
  }

  before(() => {
    const packDir = tempDir('pack');
    const pack = run('npm', ['pack', '--json', '--pack-destination', packDir], packageRoot, process.env);
    assert.equal(pack.status, 0, output(pack));
    packed = (JSON.parse(pack.stdout) as PackResult[])[0]!;
    packed.filename = join(packDir, packed.filename);
    writeFileSync(
      join(project, 'package.json'),
      `${JSON.stringify({ name: 'consumer', version: '1.0.0', private: true, type: 'module' }, null, 2)}\n`,
    );
    writeFileSync(join(project, 'null-sut-check.mjs'), NULL_SUT_CHECK);
  });

  test('holds the compiled library, types, CLI, examples, prebuild, LoadGen source, ONNX Runtime headers and licenses, and no tests', () => {
    const paths = new Set(packed.files.map((file) => file.path));
    for (const required of [
      'dist/lib/index.js',
      'dist/lib/index.d.ts',
      'dist/lib/loadgen/index.d.ts',
      'dist/lib/cli/main.js',
      'dist/examples/offline.js',
      'examples/server.ts',
      'prebuilds/linux-x64/mlperf-loadgen-node.glibc.node',
      'third_party/loadgen/loadgen.cc',
      'third_party/loadgen/mlperf.conf',
      'third_party/loadgen/.sdist-sha256',
      'third_party/punkt/english.json',
      'third_party/onnxruntime/include/onnxruntime_cxx_api.h',
      'third_party/onnxruntime/copyright',
      'third_party/onnxruntime.lock.json',
      'scripts/onnxruntime-headers.mjs',
      'native/addon.cc',
      'native/engine/engine.cc',
      'CMakeLists.txt',
      'scripts/install.mjs',
      'LICENSE',
      'NOTICE',
      'README.md',
    ]) {
      assert.ok(paths.has(required), `the tarball lacks ${required}`);
    }
    const unwanted = [...paths].filter((path) =>
      /^(test|dist\/test|bench|dist\/bench|build|models|node_modules|results)\//.test(path),
    );
    assert.deepEqual(unwanted, []);
    assert.match(
      readFileSync(join(packageRoot, 'NOTICE'), 'utf8'),
      /MLPerf Authors[\s\S]*Apache License, Version 2\.0/,
    );
  });

  test('its prebuild needs glibc <= 2.28 and no libstdc++ or libgcc_s', () => {
    const prebuild = join(packageRoot, 'prebuilds', 'linux-x64', 'mlperf-loadgen-node.glibc.node');
    const check = run(
      process.execPath,
      [join(packageRoot, 'scripts', 'prebuild', 'glibc-requirements.mjs'), prebuild],
      packageRoot,
      process.env,
    );
    assert.equal(check.status, 0, output(check));
    const needs = JSON.parse(check.stdout) as { glibc?: string; glibcxx?: string; needed: string[] };
    const [major, minor] = (needs.glibc ?? '0.0').split('.').map(Number) as [number, number];
    assert.ok(major < 2 || (major === 2 && minor <= 28), `the prebuild needs GLIBC ${needs.glibc}`);
    assert.equal(needs.glibcxx, undefined, `the prebuild needs GLIBCXX ${needs.glibcxx}`);
    assert.deepEqual(
      needs.needed.filter((lib) => /libstdc\+\+|libgcc_s|libc\+\+/.test(lib)),
      [],
    );
    // The engine opens ONNX Runtime and the CUDA driver at run time; the addon links neither.
    assert.deepEqual(
      needs.needed.filter((lib) => /onnxruntime|libcuda|libcudart/.test(lib)),
      [],
    );
  });

  test('installs into an empty project with no compiler, cmake, make or python on PATH', () => {
    for (const tool of TOOLS_A_BUILD_NEEDS)
      assert.equal(which(tool, bare), undefined, `${tool} is reachable on the bare PATH`);
    const install = run(
      'npm',
      ['install', '--no-audit', '--no-fund', '--prefer-offline', '--foreground-scripts', packed.filename],
      project,
      userEnv(bare),
    );
    assert.equal(install.status, 0, output(install));
    assert.match(
      `${install.stdout}${install.stderr}`,
      /native addon: prebuild .*prebuilds\/linux-x64\/mlperf-loadgen-node\.glibc\.node/,
    );
  });

  test('the installed copy loads its prebuild and completes a null-SUT test', () => {
    const report = nullSutRun(bare);
    assert.deepEqual(report.addon, {
      kind: 'prebuild',
      path: join(installed, 'prebuilds', 'linux-x64', 'mlperf-loadgen-node.glibc.node'),
    });
    assert.equal(report.version, '6.0.17');
    assert.ok(report.completed >= 100, `only ${report.completed} samples completed`);
    assert.equal(report.result, 'VALID');
  });

  test('the installed mlperf-llm prints its help and runs the main job, writing nothing into node_modules', () => {
    const help = run('npx', ['--no-install', 'mlperf-llm', '--help'], project, userEnv(bare));
    assert.equal(help.status, 0, output(help));
    assert.match(help.stdout, /mlperf-llm run\s/);
    assert.match(help.stdout, /mlperf-llm serve\s/);
    // This package's version and LoadGen's, not the consumer project's (1.0.0).
    const version = run('npx', ['--no-install', 'mlperf-llm', '--version'], project, userEnv(bare));
    assert.equal(version.status, 0, output(version));
    assert.equal(
      version.stdout.trim(),
      `mlperf-llm ${packageVersion} (mlperf-loadgen-node), LoadGen ${loadgenVersion}`,
    );

    const cache = tempDir('user-cache');
    const main = run(
      'npx',
      ['--no-install', 'mlperf-llm', 'run', '--output-dir', 'main-job'],
      project,
      userEnv(bare, { MLPERF_LLM_CACHE: cache }),
    );
    assert.equal(main.status, 0, output(main));
    assert.match(main.stdout, /validity\s+VALID/);
    assert.ok(existsSync(join(project, 'main-job', 'mlperf_log_summary.txt')));
    assert.ok(
      existsSync(join(cache, 'models', 'tiny-llama-3.1', 'model.onnx')),
      'the tiny model is not in the cache folder',
    );
    assert.ok(!existsSync(join(installed, 'models')), 'the installed copy wrote models/ into node_modules');
  });

  test('a stale build/Release in the installed copy does not shadow the prebuild unless asked to', () => {
    const release = join(installed, 'build', 'Release');
    mkdirSync(release, { recursive: true });
    // One file that cannot load at all, then a loadable addon from another build.
    writeFileSync(join(release, 'mlperf_loadgen.node'), 'left over from an older install');
    assert.equal(nullSutRun(bare).addon.kind, 'prebuild');
    copyFileSync(join(packageRoot, 'build', 'Release', 'mlperf_loadgen.node'), join(release, 'mlperf_loadgen.node'));
    assert.equal(nullSutRun(bare).addon.kind, 'prebuild');
    // Only when asked for does a source build come first.
    assert.equal(nullSutRun(bare, { MLPERF_LOADGEN_NODE_ADDON: 'source' }).addon.kind, 'source build');
    rmSync(join(installed, 'build'), { recursive: true, force: true });
  });

  test('with no usable prebuild and no build tools, install and CLI explain the machine and the fix, without a stack trace', () => {
    renameSync(join(installed, 'prebuilds'), join(project, 'prebuilds-moved-away'));
    const install = run(process.execPath, [join(installed, 'scripts', 'install.mjs')], installed, userEnv(bare));
    assert.equal(install.status, 1, output(install));
    for (const expected of [
      /system: +linux-x64, glibc \d+\.\d+, Node v\d+/,
      /Node-API \d+/,
      /tried:/,
      /prebuilds\/: this copy ships no prebuilds/,
      /lacks cmake/,
      /install\.mjs --build-from-source/,
    ]) {
      assert.match(install.stderr, expected);
    }
    assert.doesNotMatch(install.stderr, /^\s+at /m);

    const cli = run('npx', ['--no-install', 'mlperf-llm', '--help'], project, userEnv(bare));
    assert.equal(cli.status, 1, output(cli));
    assert.match(cli.stderr, /mlperf-llm: The LoadGen native addon could not be loaded\.[\s\S]*--build-from-source/);
    assert.doesNotMatch(cli.stderr, /^\s+at /m);
  });

  test('with no usable prebuild, it builds from the LoadGen source it carries, with no network', () => {
    assert.ok(!existsSync(join(installed, 'prebuilds')));
    // pip pointed at a dead index: the build must not need to download LoadGen.
    const noIndex = { PIP_NO_INDEX: '1', PIP_INDEX_URL: 'http://127.0.0.1:9/simple' };
    const build = run(
      process.execPath,
      [join(installed, 'scripts', 'install.mjs')],
      installed,
      userEnv(process.env.PATH ?? '', noIndex),
    );
    assert.equal(build.status, 0, output(build));
    const report = nullSutRun(bare);
    assert.deepEqual(report.addon, {
      kind: 'source build',
      path: join(installed, 'build', 'Release', 'mlperf_loadgen.node'),
    });
    assert.equal(report.result, 'VALID');
  });
});

#!/usr/bin/env node
// Builds the shipped prebuild: prebuildify --napi --strip --tag-libc, with cmake-js standing in
// for node-gyp (node-gyp-shim.mjs) and Zig's clang targeting glibc 2.28 (zig-toolchain.mjs).
// Runs in a staging copy so the development build in build/ is left alone, then checks which
// GLIBC/GLIBCXX symbol versions the result needs.
//
//   node scripts/prebuild/build.mjs             writes prebuilds/<platform>-<arch>/<name>.glibc.node
//   node scripts/prebuild/build.mjs --if-stale  only when its inputs changed since the last build
//                                               (npm pack and npm publish run this, via prepack)
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { compareVersions, glibcRequirements } from './glibc-requirements.mjs';
import { lock as zigLock, zigToolchain } from './zig-toolchain.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

function fail(message) {
  process.stderr.write(`\n[prebuild] ${message}\n`);
  process.exit(1);
}

function loadgenSource() {
  const result = spawnSync(process.execPath, [join(root, 'scripts', 'loadgen-source.mjs'), 'dir'], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  if (result.status !== 0) fail('could not get the LoadGen source (message above)');
  return result.stdout.trim();
}

function onnxRuntimeHeaders() {
  const result = spawnSync(process.execPath, [join(root, 'scripts', 'onnxruntime-headers.mjs'), 'dir'], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  if (result.status !== 0) fail('could not get the ONNX Runtime headers (message above)');
  return result.stdout.trim();
}

/** Every file the prebuild is made from, so a change to any of them marks it stale. */
function inputFiles() {
  const walk = (dir) =>
    readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
      e.isDirectory() ? walk(join(dir, e.name)) : [join(dir, e.name)],
    );
  const fixed = [
    'CMakeLists.txt',
    'third_party/loadgen.lock.json',
    'third_party/onnxruntime.lock.json',
    'third_party/zig.lock.json',
  ];
  const scripts = [
    'loadgen-source.mjs',
    'loadgen-manifest.mjs',
    'generate-loadgen-files.mjs',
    'onnxruntime-headers.mjs',
  ].map((f) => join('scripts', f));
  const trees = [...walk(join(root, 'native')), ...walk(join(root, 'scripts', 'prebuild'))].map((f) =>
    relative(root, f),
  );
  return [...fixed, ...scripts, ...trees].sort();
}

function inputsDigest() {
  const hash = createHash('sha256');
  // The file name comes from the package name; the headers from node-addon-api.
  const version = (file) => JSON.parse(readFileSync(join(root, file), 'utf8')).version;
  hash.update(
    `${JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).name} node-addon-api@${version('node_modules/node-addon-api/package.json')}\0`,
  );
  for (const file of inputFiles())
    hash
      .update(`${file}\0`)
      .update(readFileSync(join(root, file)))
      .update('\0');
  return `${hash.digest('hex')} ${process.platform}-${process.arch}`;
}

const prebuildFolder = join(root, 'prebuilds', `${process.platform}-${process.arch}`);
const stamp = join(root, 'prebuilds', 'inputs.sha256');
const digest = inputsDigest();
if (
  process.argv.includes('--if-stale') &&
  existsSync(stamp) &&
  readFileSync(stamp, 'utf8').trim() === digest &&
  existsSync(prebuildFolder)
) {
  process.stderr.write(`[prebuild] ${relative(root, prebuildFolder)} is current\n`);
  process.exit(0);
}

const loadgenDir = loadgenSource();
const ortInclude = onnxRuntimeHeaders();
const toolchain = zigToolchain();
const staging = mkdtempSync(join(tmpdir(), 'prebuild-'));
try {
  for (const entry of ['package.json', 'CMakeLists.txt', 'native', 'scripts'])
    cpSync(join(root, entry), join(staging, entry), { recursive: true });
  mkdirSync(join(staging, 'third_party'));
  for (const lockFile of ['loadgen.lock.json', 'onnxruntime.lock.json'])
    cpSync(join(root, 'third_party', lockFile), join(staging, 'third_party', lockFile));
  symlinkSync(join(root, 'node_modules'), join(staging, 'node_modules'), 'dir');

  const prebuildify = join(root, 'node_modules', 'prebuildify', 'bin.js');
  const result = spawnSync(process.execPath, [prebuildify, '--napi', '--strip', '--tag-libc', '--out', root], {
    cwd: staging,
    // Progress goes to stderr: `npm pack --json` prints its result on stdout.
    stdio: ['ignore', 2, 2],
    env: {
      ...process.env,
      PREBUILD_NODE_GYP: join(staging, 'scripts', 'prebuild', 'node-gyp-shim.mjs'),
      CC: join(toolchain, 'cc'),
      CXX: join(toolchain, 'c++'),
      MLPERF_LOADGEN_SRC: loadgenDir,
      MLPERF_LOADGEN_ORT_INCLUDE: ortInclude,
    },
  });
  if (result.status !== 0) fail('prebuildify failed (messages above)');
} finally {
  rmSync(staging, { recursive: true, force: true });
}

const folder = prebuildFolder;
for (const file of readdirSync(folder).filter((name) => name.endsWith('.node'))) {
  const path = join(folder, file);
  const needs = glibcRequirements(path);
  process.stderr.write(
    `[prebuild] ${path}: ${(statSync(path).size / 1e6).toFixed(1)} MB, needs GLIBC ${needs.glibc ?? 'none'}, GLIBCXX ${needs.glibcxx ?? 'none'}, ` +
      `links ${needs.needed.join(' ')}\n`,
  );
  if (needs.glibcxx !== undefined)
    fail(`${file} needs libstdc++ (GLIBCXX ${needs.glibcxx}); prebuilds must carry their C++ runtime`);
  if (needs.glibc !== undefined && compareVersions(needs.glibc, zigLock.glibc) > 0)
    fail(`${file} needs GLIBC ${needs.glibc}, above the ${zigLock.glibc} floor`);
}
writeFileSync(stamp, `${digest}\n`);

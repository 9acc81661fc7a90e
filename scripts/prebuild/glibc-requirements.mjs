#!/usr/bin/env node
// What a shared object asks of the system it runs on: the highest GLIBC and GLIBCXX symbol
// versions it references and the shared libraries it links (read with objdump).
//
//   node scripts/prebuild/glibc-requirements.mjs <file.node>   prints { glibc, glibcxx, needed } as JSON
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Orders dotted version strings numerically ("2.9" < "2.28"). */
export function compareVersions(a, b) {
  const x = a.split('.').map(Number);
  const y = b.split('.').map(Number);
  for (let i = 0; i < Math.max(x.length, y.length); i++) {
    const d = (x[i] ?? 0) - (y[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

function highest(versions) {
  return versions.length ? versions.sort(compareVersions).at(-1) : undefined;
}

function objdump(flag, file) {
  const result = spawnSync('objdump', [flag, file], { encoding: 'utf8' });
  if (result.error || result.status !== 0)
    throw new Error(`objdump ${flag} ${file} failed: ${result.error?.message ?? result.stderr}`);
  return result.stdout;
}

/** { glibc, glibcxx }: the highest versions referenced (undefined when none); needed: the linked libraries. */
export function glibcRequirements(file) {
  const symbols = objdump('-T', file);
  const glibc = highest([...symbols.matchAll(/\bGLIBC_([0-9.]+)/g)].map((m) => m[1]));
  const glibcxx = highest([...symbols.matchAll(/\bGLIBCXX_([0-9.]+)/g)].map((m) => m[1]));
  const needed = [...objdump('-p', file).matchAll(/^\s*NEEDED\s+(\S+)/gm)].map((m) => m[1]);
  return { glibc, glibcxx, needed };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  process.stdout.write(`${JSON.stringify(glibcRequirements(process.argv[2]))}\n`);
}

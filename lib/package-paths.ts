/**
 * Where this package lives and where it may write. A development checkout keeps generated files
 * (the tiny model) beside the code; an installed copy never writes into node_modules (a global
 * install is usually read-only, and npm replaces the folder on every update), so it uses the
 * user's cache folder instead.
 *
 * @packageDocumentation
 */
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

function findPackageRoot(): string {
  // Compiled code sits in dist/lib/; walk up to the folder holding package.json.
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`no package.json above ${fileURLToPath(import.meta.url)}`);
    dir = parent;
  }
  return dir;
}

/** The package's root folder (package.json, prebuilds/, build/, data/, third_party/). */
export const packageRoot: string = findPackageRoot();

/** This package's own version (its package.json), whatever project it is used from. */
export const packageVersion: string = (
  JSON.parse(readFileSync(join(packageRoot, 'package.json'), 'utf8')) as { version: string }
).version;

/** True when this copy was installed by npm (it sits under a node_modules folder), false in a checkout. */
export const isInstalledCopy: boolean = packageRoot.split(sep).includes('node_modules');

/** The user's cache folder for this package: $MLPERF_LLM_CACHE, else $XDG_CACHE_HOME/mlperf-llm, else ~/.cache/mlperf-llm. */
export function cacheDir(): string {
  return process.env.MLPERF_LLM_CACHE ?? join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'mlperf-llm');
}

/** Where generated files go: `<package root>/<name>` in a checkout, `<cache>/<name>` in an installed copy. */
export function generatedFilesDir(name: string): string {
  return join(isInstalledCopy ? cacheDir() : packageRoot, name);
}

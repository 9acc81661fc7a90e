/**
 * Finds a shared library by soname the way glibc's loader does for a library that a provider
 * links or opens: the folders of `LD_LIBRARY_PATH`, then the provider's RUNPATH, then the
 * loader's cache (`ldconfig -p`), then the default folders. What is found here is what the
 * process would load, without loading it (loading a CUDA library on a machine without a GPU
 * proves nothing, and a failed load cannot be undone).
 *
 * @packageDocumentation
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

/** Where to look, in order. */
export interface LibrarySearchPath {
  /** Folders searched first, as `LD_LIBRARY_PATH` gives them. */
  ldLibraryPath: readonly string[];
  /** Folders of the library's own RUNPATH, `$ORIGIN` already expanded. */
  runpath: readonly string[];
  /** soname → path from the loader's cache. */
  cache: ReadonlyMap<string, string>;
  /** The loader's built-in folders. */
  defaults: readonly string[];
}

/** glibc's trusted folders on x86-64 Debian/Ubuntu and RHEL-like systems. */
const DEFAULT_FOLDERS = [
  '/lib/x86_64-linux-gnu',
  '/usr/lib/x86_64-linux-gnu',
  '/lib64',
  '/usr/lib64',
  '/lib',
  '/usr/lib',
];

/** Where ldconfig usually lives; it is often outside an ordinary user's PATH. */
const LDCONFIG_CANDIDATES = ['/sbin/ldconfig', '/usr/sbin/ldconfig', 'ldconfig'];

/** Parses `ldconfig -p` output into soname → path, keeping the x86-64 entries (the first of each name wins, as in the loader). */
export function parseLdconfigCache(text: string): Map<string, string> {
  const cache = new Map<string, string>();
  for (const line of text.split('\n')) {
    const match = /^\s+(\S+)\s+\(([^)]*)\)\s+=>\s+(\S+)\s*$/.exec(line);
    if (!match) continue;
    const [, soname, flags, path] = match as unknown as [string, string, string, string];
    if (!flags.includes('x86-64')) continue;
    if (!cache.has(soname)) cache.set(soname, path);
  }
  return cache;
}

/** The loader cache of this machine; empty where ldconfig cannot be run. */
export function systemLibraryCache(): Map<string, string> {
  for (const command of LDCONFIG_CANDIDATES) {
    const result = spawnSync(command, ['-p'], { encoding: 'utf8', timeout: 10_000, maxBuffer: 32 * 1024 * 1024 });
    if (result.status === 0) return parseLdconfigCache(result.stdout);
  }
  return new Map();
}

/** Splits a `LD_LIBRARY_PATH` value (empty entries, which would mean the current folder, are dropped). */
export function splitLibraryPath(value: string | undefined): string[] {
  return (value ?? '').split(/[:;]/).filter((dir) => dir !== '');
}

/**
 * The search path of a library at `libraryFolder` with RUNPATH `runpath`, in this process's
 * environment (`env`, default `process.env`).
 */
export function systemSearchPath(
  libraryFolder: string,
  runpath: readonly string[] = [],
  env: NodeJS.ProcessEnv = process.env,
): LibrarySearchPath {
  return {
    ldLibraryPath: splitLibraryPath(env.LD_LIBRARY_PATH),
    runpath: runpath.map((dir) => dir.replace(/\$(ORIGIN|\{ORIGIN\})/g, libraryFolder)),
    cache: systemLibraryCache(),
    defaults: DEFAULT_FOLDERS,
  };
}

/** The file the loader would take for `soname`, or undefined when it would fail. */
export function findLibrary(soname: string, search: LibrarySearchPath): string | undefined {
  for (const dir of [...search.ldLibraryPath, ...search.runpath]) {
    const path = join(dir, soname);
    if (existsSync(path)) return path;
  }
  const cached = search.cache.get(soname);
  if (cached !== undefined && existsSync(cached)) return cached;
  for (const dir of search.defaults) {
    const path = join(dir, soname);
    if (existsSync(path)) return path;
  }
  return undefined;
}

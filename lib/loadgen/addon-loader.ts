/**
 * Finds and loads the compiled addon.
 *
 * Two kinds of file can hold it: a prebuild shipped in `prebuilds/<platform>-<arch>/` (chosen by
 * node-gyp-build's tag rules) and a source build in `build/Release/` (or `build/Debug/`). An
 * installed copy tries the prebuild first, so a stale `build/` left in node_modules never shadows
 * the binary the package shipped; a checkout tries its own build first, since that is what a
 * developer just compiled. `MLPERF_LOADGEN_NODE_ADDON=source` or `=prebuild` overrides that
 * order (e.g. to use a build made with `install.mjs --build-from-source`). A file that fails to
 * load (wrong glibc, wrong architecture, an older addon lacking today's exports) is skipped and
 * the next one tried; when none loads, the error says what this machine is, what was tried and
 * why each failed, and the exact command that fixes it.
 *
 * @packageDocumentation
 */
import { existsSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, relative } from 'node:path';
import { LoadgenError } from '../errors.js';

/** Where a loaded addon came from. */
export type AddonKind = 'prebuild' | 'source build';

/** Which file an addon was loaded from. */
export interface AddonFile {
  /** Absolute path of the .node file. */
  readonly path: string;
  readonly kind: AddonKind;
}

/** The addon that was loaded. */
export interface LoadedAddon<T> extends AddonFile {
  readonly binding: T;
}

/** The file name CMakeLists.txt and binding.gyp give the source build. */
const SOURCE_BUILD_FILE = 'mlperf_loadgen.node';

/** Environment variable that picks which kind of addon is tried first. */
export const ADDON_ORDER_ENV = 'MLPERF_LOADGEN_NODE_ADDON';

/** The glibc floor prebuilds are compiled for (third_party/zig.lock.json). */
const PREBUILD_GLIBC_FLOOR = '2.28';

interface Tuple {
  name: string;
}
interface Tags {
  file: string;
}
/** The tag helpers node-gyp-build exports, so prebuilds are matched exactly as it would match them. */
interface NodeGypBuild {
  parseTuple(name: string): Tuple | undefined;
  matchTuple(platform: string, arch: string): (tuple: Tuple | undefined) => boolean;
  compareTuples(a: Tuple, b: Tuple): number;
  parseTags(file: string): Tags | undefined;
  matchTags(runtime: string, abi: string): (tags: Tags | undefined) => boolean;
  compareTags(runtime: string): (a: Tags, b: Tags) => number;
}

const require = createRequire(import.meta.url);

interface Attempt {
  kind: AddonKind;
  /** The file, or the folder searched when no file was found. */
  where: string;
  /** Why it was not used; undefined when it loaded. */
  failure?: string;
}

/** The prebuild node-gyp-build would choose for this process, or why there is none. */
function findPrebuild(root: string): { path?: string; why?: string } {
  const gyp = require('node-gyp-build') as NodeGypBuild;
  const folder = join(root, 'prebuilds');
  if (!existsSync(folder)) return { why: 'this copy ships no prebuilds/ folder' };
  const tuples = readdirSync(folder)
    .map((name) => gyp.parseTuple(name))
    .filter((tuple): tuple is Tuple => tuple !== undefined);
  const tuple = tuples.filter(gyp.matchTuple(process.platform, process.arch)).sort(gyp.compareTuples)[0];
  if (!tuple) {
    const shipped = tuples.map((t) => t.name).join(', ') || 'none';
    return { why: `no prebuild for ${process.platform}-${process.arch} (shipped: ${shipped})` };
  }
  const files = readdirSync(join(folder, tuple.name));
  const winner = files
    .map((file) => gyp.parseTags(file))
    .filter((tags): tags is Tags => gyp.matchTags('node', process.versions.modules)(tags))
    .sort(gyp.compareTags('node'))[0];
  if (!winner)
    return {
      why: `no file in prebuilds/${tuple.name}/ matches this Node and C library (has: ${files.join(', ') || 'nothing'})`,
    };
  return { path: join(folder, tuple.name, winner.file) };
}

function sourceBuild(root: string): { path?: string; why?: string } {
  for (const config of ['Release', 'Debug']) {
    const path = join(root, 'build', config, SOURCE_BUILD_FILE);
    if (existsSync(path)) return { path };
  }
  return { why: `not built (no build/Release/${SOURCE_BUILD_FILE})` };
}

function firstLine(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.split('\n')[0]!.trim();
}

function tryLoad<T>(path: string, requiredExports: readonly string[]): { binding?: T; failure?: string } {
  let binding: Record<string, unknown>;
  try {
    binding = require(path) as Record<string, unknown>;
  } catch (error) {
    // dlopen messages start with the file's path, which the diagnosis already shows.
    return { failure: firstLine(error).replace(`${path}: `, '') };
  }
  const missing = requiredExports.filter((name) => !(name in binding));
  if (missing.length)
    return { failure: `loads, but lacks ${missing.join(', ')}: it was built from an older version of this package` };
  return { binding: binding as T };
}

/** glibc's version in this process, or undefined on musl and other C libraries. */
export function glibcVersion(): string | undefined {
  if (process.platform !== 'linux') return undefined;
  const header = (process.report?.getReport() as { header?: { glibcVersionRuntime?: string } } | undefined)?.header;
  return header?.glibcVersionRuntime;
}

function systemLine(): string {
  const glibc = glibcVersion();
  const libc = process.platform !== 'linux' ? '' : glibc ? `, glibc ${glibc}` : ', not glibc (musl?)';
  return `${process.platform}-${process.arch}${libc}, Node ${process.version} (ABI ${process.versions.modules}, Node-API ${process.versions.napi})`;
}

/** The advice that fits what went wrong; always ends with how to build from source. */
function advice(root: string, attempts: readonly Attempt[]): string[] {
  const lines: string[] = [];
  const glibc = glibcVersion();
  if (attempts.some((a) => a.kind === 'prebuild' && /GLIBC_|GLIBCXX_/.test(a.failure ?? ''))) {
    lines.push(
      `The prebuild needs glibc >= ${PREBUILD_GLIBC_FLOOR}; this system has ${glibc ?? 'an older one'}. Build from source instead:`,
    );
  } else if (process.platform === 'linux' && !glibc) {
    lines.push('Prebuilds are for glibc-based Linux; on this C library build from source:');
  } else {
    lines.push(
      'Build the addon from source (the LoadGen source ships in third_party/loadgen, so no network is needed):',
    );
  }
  lines.push(`  node ${join(root, 'scripts', 'install.mjs')} --build-from-source`);
  lines.push('It needs cmake >= 3.15, a C++17 compiler (g++ >= 8 or clang >= 7), make or ninja, and python3 on PATH.');
  return lines;
}

/** Whether the prebuild is tried first: {@link ADDON_ORDER_ENV} if set, else `installedCopy`. */
function prebuildFirst(installedCopy: boolean): boolean {
  const choice = process.env[ADDON_ORDER_ENV];
  if (choice === undefined || choice === '') return installedCopy;
  if (choice === 'prebuild' || choice === 'source') return choice === 'prebuild';
  throw new LoadgenError(
    'ERR_LOADGEN_NATIVE_LOAD_FAILED',
    `${ADDON_ORDER_ENV}=${choice} is not a choice: set it to "prebuild" or "source", or unset it.`,
  );
}

/**
 * Loads the addon from `root`: prebuild first in an installed copy (`installedCopy`), source
 * build first in a checkout, unless {@link ADDON_ORDER_ENV} says otherwise. Throws a
 * {@link LoadgenError} with code `ERR_LOADGEN_NATIVE_LOAD_FAILED` that diagnoses the machine
 * when no candidate loads.
 */
export function loadAddon<T>(root: string, installedCopy: boolean, requiredExports: readonly string[]): LoadedAddon<T> {
  const finders: Array<[AddonKind, (root: string) => { path?: string; why?: string }]> = [
    ['prebuild', findPrebuild],
    ['source build', sourceBuild],
  ];
  if (!prebuildFirst(installedCopy)) finders.reverse();
  const attempts: Attempt[] = [];
  for (const [kind, find] of finders) {
    const found = find(root);
    if (!found.path) {
      attempts.push({ kind, where: kind === 'prebuild' ? 'prebuilds/' : 'build/', failure: found.why });
      continue;
    }
    const { binding, failure } = tryLoad<T>(found.path, requiredExports);
    if (binding) return { binding, path: found.path, kind };
    attempts.push({ kind, where: relative(root, found.path), failure });
  }
  const tried = attempts.map((a) => `    ${a.kind} ${a.where}: ${a.failure}`);
  throw new LoadgenError(
    'ERR_LOADGEN_NATIVE_LOAD_FAILED',
    [
      'The LoadGen native addon could not be loaded.',
      `  system:  ${systemLine()}`,
      `  package: ${root}`,
      '  tried:',
      ...tried,
      ...advice(root, attempts),
    ].join('\n'),
  );
}

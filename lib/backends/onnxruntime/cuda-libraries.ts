/**
 * Whether the CUDA libraries an installed provider needs can be found, and the commands that
 * bring the missing ones: `pip install --target` of NVIDIA's wheels for that CUDA major, and the
 * `LD_LIBRARY_PATH` line that puts them on the loader's path.
 *
 * @packageDocumentation
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { cacheDir } from '../../package-paths.js';
import { CUDA_RUNTIMES, type CudaLibrary, type CudaMajor } from './cuda-packages.js';
import { NotElfError, readElfDependencies } from './elf-dependencies.js';
import { findLibrary, systemSearchPath, type LibrarySearchPath } from './library-search.js';

/** One library the provider needs, and where the loader would find it. */
export interface LibraryStatus extends CudaLibrary {
  /** The file the loader would take; undefined when it is missing. */
  path?: string;
  /** Whether it is one of the CUDA set (the driver, runtime, cuBLAS, ...) or another library the provider links. */
  cuda: boolean;
}

/** What a provider needs and what of it is missing. */
export interface ProviderLibraries {
  /** The CUDA major the provider was built for (from the cudart it links). */
  cuda: CudaMajor;
  libraries: LibraryStatus[];
  missing: LibraryStatus[];
  /** The fix for what is missing; undefined when nothing is. */
  fix?: LibraryFix;
}

/** How to bring the missing libraries. */
export interface LibraryFix {
  /** Where the wheels go. */
  targetDir: string;
  /** The pip command; undefined when the wheels are already in `targetDir`. */
  pip?: string;
  /** The line that puts `targetDir`'s libraries on the loader's path. */
  ldLibraryPath?: string;
  /** For a missing libcuda.so.1: the driver to install. */
  driver?: string;
}

/** The CUDA major a provider links (`libcudart.so.<major>` among its dependencies); undefined for another file. */
export function cudaMajorOfNeeded(needed: readonly string[]): CudaMajor | undefined {
  for (const soname of needed) {
    const match = /^libcudart\.so\.(\d+)$/.exec(soname);
    if (match && (match[1] === '12' || match[1] === '13')) return Number(match[1]) as CudaMajor;
  }
  return undefined;
}

/** Where `mlperf-llm` suggests installing the CUDA wheels of `cuda`. */
export function defaultCudaLibraryDir(cuda: CudaMajor): string {
  return join(cacheDir(), `cuda-${cuda}`);
}

/** Shell-quotes a path when it needs it. */
function shellWord(word: string): string {
  return /^[\w./@%+=:,-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

/** The folders under `targetDir` that hold the wheels' libraries, as one LD_LIBRARY_PATH prefix. */
function libraryFolders(cuda: CudaMajor, targetDir: string): string[] {
  return CUDA_RUNTIMES[cuda].libraryFolders.map((folder) => join(targetDir, folder));
}

/** The commands that bring `missing` (libraries of CUDA `cuda`) into `targetDir` and onto the loader's path. */
export function libraryFix(cuda: CudaMajor, missing: readonly CudaLibrary[], targetDir: string): LibraryFix {
  const fix: LibraryFix = { targetDir };
  const driver = missing.find((library) => library.wheel === undefined);
  if (driver)
    fix.driver = `${driver.soname} is missing: install the NVIDIA driver (${
      cuda === 13 ? '580 or newer for CUDA 13' : '525 or newer for CUDA 12'
    })`;
  const fromWheels = missing.filter((library) => library.wheel !== undefined);
  if (fromWheels.length === 0) return fix;
  const folders = libraryFolders(cuda, targetDir);
  // Wheels already unpacked there need only the path line.
  const inTarget = fromWheels.every((library) => folders.some((folder) => existsSync(join(folder, library.soname))));
  if (!inTarget) {
    const wheels = [...new Set(fromWheels.map((library) => library.wheel!))];
    fix.pip = `python3 -m pip install --target ${shellWord(targetDir)} ${wheels.join(' ')}`;
  }
  fix.ldLibraryPath = `export LD_LIBRARY_PATH=${folders.map(shellWord).join(':')}\${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}`;
  return fix;
}

/** The fix as the lines a user types, in order. */
export function fixLines(fix: LibraryFix): string[] {
  return [fix.driver, fix.pip, fix.ldLibraryPath].filter((line): line is string => line !== undefined);
}

/**
 * Checks the libraries the provider at `providerPath` needs: the CUDA set of its major (from the
 * cudart it links, or `cuda` when given) plus any other library it links. `search` defaults to
 * this process's loader path; `targetDir` is where the fix installs wheels.
 */
export function checkProviderLibraries(
  providerPath: string,
  options: { cuda?: CudaMajor; search?: LibrarySearchPath; targetDir?: string } = {},
): ProviderLibraries {
  let needed: string[] = [];
  let runpath: string[] = [];
  try {
    ({ needed, runpath } = readElfDependencies(providerPath));
  } catch (error) {
    // A provider that is not an ELF file is reported by its checksum; its CUDA set is still checked.
    if (!(error instanceof NotElfError) || options.cuda === undefined) throw error;
  }
  const cuda = options.cuda ?? cudaMajorOfNeeded(needed);
  if (cuda === undefined)
    throw new NotElfError(`${providerPath} links no libcudart.so.12 or .13: it is not an onnxruntime CUDA provider`);
  const search = options.search ?? systemSearchPath(dirname(providerPath), runpath);
  const expected = CUDA_RUNTIMES[cuda].libraries;
  const others: CudaLibrary[] = needed
    .filter((soname) => !expected.some((library) => library.soname === soname))
    .map((soname) => ({ soname, what: 'a library the provider links' }));
  const libraries = [...expected, ...others].map((library): LibraryStatus => {
    const path = findLibrary(library.soname, search);
    const cuda = expected.includes(library);
    return path === undefined ? { ...library, cuda } : { ...library, path, cuda };
  });
  const missing = libraries.filter((library) => library.path === undefined);
  const report: ProviderLibraries = { cuda, libraries, missing };
  if (missing.length > 0) report.fix = libraryFix(cuda, missing, options.targetDir ?? defaultCudaLibraryDir(cuda));
  return report;
}

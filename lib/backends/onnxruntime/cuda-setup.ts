/**
 * `setup-cuda`: installs the CUDA execution provider of exactly onnxruntime-node's version next to
 * its runtime. The archive comes from a registry through its ordinary client (npm for CUDA 13,
 * Maven for CUDA 12, each with the machine's own registry settings) or from a file already
 * downloaded; its SHA-256 and each provider file's SHA-256 must match the pins before anything is
 * written. Then the CUDA libraries the provider needs are looked up, and what is missing comes
 * with the commands that bring it.
 *
 * @packageDocumentation
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  accessSync,
  chmodSync,
  closeSync,
  constants,
  createReadStream,
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readSync,
  renameSync,
  rmSync,
  statSync,
} from 'node:fs';
import { join, resolve } from 'node:path';
import { CodedError, type ErrorCode } from '../../errors.js';
import { cacheDir } from '../../package-paths.js';
import { checkProviderLibraries, type ProviderLibraries } from './cuda-libraries.js';
import { PROVIDER_ARCHIVES, type CudaMajor, type ProviderArchive, type ProviderFile } from './cuda-packages.js';
import { bindingFolder, CUDA_PROVIDER_FILES } from './execution-provider.js';
import { driverBranch, queryDriver } from './nvidia-smi.js';
import { extractZipEntries, ZipFormatError } from './zip-entries.js';

/** Stable codes of setup-cuda failures. */
/** The codes of setup-cuda errors (listed with the others in ERROR_CODES). */
export type CudaSetupErrorCode = Extract<ErrorCode, `ERR_CUDA_SETUP_${string}`>;

/** A setup-cuda error; the message is one line that names the fix. */
export type CudaSetupError = CodedError;

function setupError(code: CudaSetupErrorCode, message: string, cause?: unknown): CudaSetupError {
  return new CodedError(code, message, { cause });
}

/** What to install and where. */
export interface SetupCudaOptions {
  /** CUDA major of the provider; default: the `from` archive's kind, else 13. */
  cuda?: CudaMajor;
  /** An archive already downloaded (the npm tarball or the Maven jar), for machines without a registry. */
  from?: string;
  /** Where the provider goes; default onnxruntime-node's binding folder. */
  bindingFolder?: string;
  /** Where downloads are kept; default `<cache>/downloads`. */
  downloadDir?: string;
  /** The pin to check against; default the pinned archive of `cuda` (tests pass their own). */
  archive?: ProviderArchive;
  /** Where the fix suggests installing missing CUDA wheels. */
  libraryDir?: string;
  /** Progress lines. */
  log?: (line: string) => void;
}

/** What was installed, and what the provider still needs. */
export interface SetupCudaResult {
  archive: ProviderArchive;
  /** The archive file that was used. */
  archivePath: string;
  bindingFolder: string;
  /** Paths of the installed files. */
  installed: string[];
  libraries: ProviderLibraries;
}

/** SHA-256 of a file, streamed (the archives are hundreds of megabytes). */
export async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** The archive kind of a file from its first bytes: gzip → npm tarball, zip → jar. */
function archiveFormat(path: string): 'tgz' | 'zip' | undefined {
  const fd = openSync(path, 'r');
  try {
    const head = Buffer.alloc(4);
    readSync(fd, head, 0, 4, 0);
    if (head[0] === 0x1f && head[1] === 0x8b) return 'tgz';
    if (head.readUInt32LE(0) === 0x04034b50) return 'zip';
    return undefined;
  } finally {
    closeSync(fd);
  }
}

function chooseArchive(options: SetupCudaOptions): ProviderArchive {
  if (options.archive) return options.archive;
  let cuda = options.cuda;
  if (options.from !== undefined) {
    const format = archiveFormat(options.from);
    const fits = Object.values(PROVIDER_ARCHIVES).find((archive) => archive.format === format);
    if (!fits)
      throw setupError(
        'ERR_CUDA_SETUP_ARCHIVE',
        `--from ${options.from} is neither a gzip'd npm tarball nor a jar: pass ${PROVIDER_ARCHIVES[13].file} (CUDA 13) or ${PROVIDER_ARCHIVES[12].file} (CUDA 12)`,
      );
    if (cuda !== undefined && cuda !== fits.cuda)
      throw setupError(
        'ERR_CUDA_SETUP_ARCHIVE',
        `--from ${options.from} is a ${fits.format === 'zip' ? 'jar' : 'tarball'}, which holds the CUDA ${fits.cuda} provider, but --cuda ${cuda} was asked for: pass ${PROVIDER_ARCHIVES[cuda].file} or drop --cuda`,
      );
    cuda = fits.cuda;
  }
  return PROVIDER_ARCHIVES[cuda ?? 13];
}

function checkPlatform(): void {
  if (process.platform !== 'linux' || process.arch !== 'x64')
    throw setupError(
      'ERR_CUDA_SETUP_PLATFORM',
      `the onnxruntime CUDA provider is built for linux/x64; this is ${process.platform}/${process.arch}: use --device cpu here`,
    );
}

/** Refuses a CUDA 13 provider on a driver that only runs CUDA 12 (and the reverse never happens: 13's drivers run 12). */
function checkDriver(archive: ProviderArchive, log: (line: string) => void): void {
  const driver = queryDriver();
  if (driver === undefined || driver.error !== undefined) return;
  const branch = driverBranch(driver.driverVersion);
  if (branch === undefined) return;
  log(`driver ${driver.driverVersion} (CUDA ${driver.cudaVersion ?? '?'})`);
  if (branch < archive.minDriver) {
    const other = archive.cuda === 13 ? ' run "mlperf-llm setup-cuda --cuda 12" instead, or' : '';
    throw setupError(
      'ERR_CUDA_SETUP_DRIVER',
      `the NVIDIA driver here is ${driver.driverVersion}; the CUDA ${archive.cuda} provider needs ${archive.minDriver} or newer:${other} upgrade the driver`,
    );
  }
}

function checkFolder(folder: string): void {
  if (!existsSync(join(folder, 'libonnxruntime.so.1')))
    throw setupError(
      'ERR_CUDA_SETUP_FOLDER',
      `${folder} holds no libonnxruntime.so.1, so it is not onnxruntime-node's linux/x64 binding folder: install onnxruntime-node@1.29.0 (npm install), or pass --binding-folder <the folder holding libonnxruntime.so.1>`,
    );
  try {
    accessSync(folder, constants.W_OK);
  } catch (error) {
    throw setupError(
      'ERR_CUDA_SETUP_FOLDER',
      `cannot write to ${folder} (${(error as NodeJS.ErrnoException).code}): run setup-cuda as the user who installed the package (sudo for a global install), or install the package where you can write`,
      error,
    );
  }
}

function runClient(command: string, args: string[], archive: ProviderArchive): void {
  const result = spawnSync(command, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 64 << 20 });
  const spec = `${archive.name}${archive.registry === 'npm' ? '@' : ':'}${archive.version}`;
  if ((result.error as NodeJS.ErrnoException | undefined)?.code === 'ENOENT')
    throw setupError(
      'ERR_CUDA_SETUP_TOOL',
      `${command} is not on PATH, and it fetches ${spec}: install ${command === 'npm' ? "Node's npm" : 'Maven (and a JDK)'}, or fetch ${archive.file} on another machine and pass --from <file>`,
    );
  if (result.status !== 0) {
    const tail = `${result.stderr ?? ''}\n${result.stdout ?? ''}`
      .split('\n')
      .map((line) => line.trim())
      .filter((line) => line !== '' && !line.startsWith('npm notice'))
      .slice(-2)
      .join(' | ');
    throw setupError(
      'ERR_CUDA_SETUP_DOWNLOAD',
      `${command} could not fetch ${spec} (exit ${result.status ?? result.signal}: ${tail || result.error?.message}): check the ${command === 'npm' ? 'npm registry' : 'Maven repository'} settings of this machine, or pass --from <file> with ${archive.file} fetched elsewhere`,
    );
  }
}

/** Downloads the archive into `dir` with its registry's client; returns its path. */
function download(archive: ProviderArchive, dir: string, log: (line: string) => void): string {
  mkdirSync(dir, { recursive: true });
  const path = join(dir, archive.file);
  log(
    `fetching ${archive.name} ${archive.version} (${(archive.bytes / 1e6).toFixed(0)} MB) with ${archive.registry === 'npm' ? 'npm' : 'mvn'}`,
  );
  if (archive.registry === 'npm') {
    runClient('npm', ['pack', `${archive.name}@${archive.version}`, '--pack-destination', dir, '--silent'], archive);
  } else {
    const [group, artifact] = archive.name.split(':') as [string, string];
    runClient(
      'mvn',
      [
        '-B',
        '-q',
        'dependency:copy',
        `-Dartifact=${group}:${artifact}:${archive.version}:jar`,
        `-DoutputDirectory=${dir}`,
        '-Dmdep.overWriteReleases=true',
      ],
      archive,
    );
  }
  if (!existsSync(path))
    throw setupError(
      'ERR_CUDA_SETUP_DOWNLOAD',
      `the ${archive.registry} client finished but ${path} is not there: fetch ${archive.file} by hand and pass --from <file>`,
    );
  return path;
}

async function verifyArchive(path: string, archive: ProviderArchive): Promise<void> {
  const actual = await sha256File(path);
  if (actual !== archive.sha256)
    throw setupError(
      'ERR_CUDA_SETUP_CHECKSUM',
      `${path} has SHA-256 ${actual}, not the pinned ${archive.sha256} of ${archive.name} ${archive.version}: it is another or a damaged file, so nothing was installed; delete it and run setup-cuda again (or pass --from the genuine ${archive.file})`,
    );
}

/** Unpacks the provider files of `archive` from `path` into `dir`. */
async function unpack(path: string, archive: ProviderArchive, dir: string): Promise<void> {
  const members = CUDA_PROVIDER_FILES.map((file) => archive.members[file].path);
  if (archive.format === 'tgz') {
    const result = spawnSync('tar', ['--no-same-owner', '-xzf', path, '-C', dir, ...members], { encoding: 'utf8' });
    if (result.status !== 0)
      throw setupError(
        'ERR_CUDA_SETUP_ARCHIVE',
        `cannot unpack ${members.join(', ')} from ${path} (${(result.stderr || result.error?.message || '').trim().split('\n')[0]}): the archive is damaged or tar is missing; fetch it again`,
      );
    return;
  }
  try {
    await extractZipEntries(
      path,
      Object.fromEntries(members.map((member) => [member, join(dir, member.split('/').pop()!)])),
    );
  } catch (error) {
    if (!(error instanceof ZipFormatError)) throw error;
    throw setupError('ERR_CUDA_SETUP_ARCHIVE', `cannot read ${path}: ${error.message}; fetch it again`, error);
  }
}

/** Where an unpacked member lies in the temporary folder (tar keeps the path, the zip reader writes the name). */
function unpackedPath(dir: string, archive: ProviderArchive, file: ProviderFile): string {
  return archive.format === 'tgz' ? join(dir, archive.members[file].path) : join(dir, file);
}

/**
 * Installs the CUDA provider (see the module comment). Nothing in the binding folder changes
 * unless the archive and both files match their pins; each file is moved into place whole.
 */
export async function setupCuda(options: SetupCudaOptions = {}): Promise<SetupCudaResult> {
  const log = options.log ?? (() => {});
  checkPlatform();
  const archive = chooseArchive(options);
  checkDriver(archive, log);
  const folder = resolve(options.bindingFolder ?? bindingFolder());
  checkFolder(folder);

  let archivePath: string;
  if (options.from !== undefined) {
    archivePath = resolve(options.from);
  } else {
    const dir = resolve(options.downloadDir ?? join(cacheDir(), 'downloads'));
    const cached = join(dir, archive.file);
    // A download kept from an earlier run is used again when it is intact.
    archivePath =
      existsSync(cached) && statSync(cached).size === archive.bytes && (await sha256File(cached)) === archive.sha256
        ? cached
        : download(archive, dir, log);
  }
  log(`checking ${archivePath}`);
  await verifyArchive(archivePath, archive);

  const work = mkdtempSync(join(folder, '.setup-cuda-'));
  try {
    await unpack(archivePath, archive, work);
    const installed: string[] = [];
    for (const file of CUDA_PROVIDER_FILES) {
      const unpacked = unpackedPath(work, archive, file);
      const pin = archive.members[file];
      if (!existsSync(unpacked))
        throw setupError(
          'ERR_CUDA_SETUP_ARCHIVE',
          `${archivePath} lacks ${pin.path}: fetch the genuine ${archive.file}`,
        );
      const actual = await sha256File(unpacked);
      if (actual !== pin.sha256)
        throw setupError(
          'ERR_CUDA_SETUP_CHECKSUM',
          `${file} in ${archivePath} has SHA-256 ${actual}, not the pinned ${pin.sha256}: nothing was installed; fetch the genuine ${archive.file}`,
        );
    }
    // Both checked: move them in, each replacing any older copy in one rename.
    for (const file of CUDA_PROVIDER_FILES) {
      const target = join(folder, file);
      chmodSync(unpackedPath(work, archive, file), 0o755);
      renameSync(unpackedPath(work, archive, file), target);
      installed.push(target);
      log(`installed ${target}`);
    }
    const libraries = checkProviderLibraries(join(folder, 'libonnxruntime_providers_cuda.so'), {
      cuda: archive.cuda,
      ...(options.libraryDir === undefined ? {} : { targetDir: options.libraryDir }),
    });
    return { archive, archivePath, bindingFolder: folder, installed, libraries };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

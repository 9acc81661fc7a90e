/**
 * `doctor`: what this machine has for each device — the platform, Node, the LoadGen addon,
 * onnxruntime-node and its binding folder, the CUDA provider files (and whether they are a pinned
 * build), the CUDA libraries the provider needs, the GPUs — and for each device a verdict with
 * the command that fixes what is missing.
 *
 * @packageDocumentation
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { checkProviderLibraries, fixLines, type ProviderLibraries } from './backends/onnxruntime/cuda-libraries.js';
import { PROVIDER_ARCHIVES, pinnedBuildsOf, type CudaMajor } from './backends/onnxruntime/cuda-packages.js';
import { sha256File } from './backends/onnxruntime/cuda-setup.js';
import { bindingFolder, CUDA_PROVIDER_FILES, ONNXRUNTIME_VERSION } from './backends/onnxruntime/execution-provider.js';
import { driverBranch, queryDriver, type DriverInfo } from './backends/onnxruntime/nvidia-smi.js';
import { glibcVersion } from './loadgen/addon-loader.js';
import { addonFile, loadgenVersion } from './loadgen/index.js';

/** One provider file in the binding folder. */
export interface ProviderFileStatus {
  file: string;
  present: boolean;
  bytes?: number;
  sha256?: string;
  /** The CUDA majors whose pinned build this file is (empty: not a pinned file). */
  pinnedFor: CudaMajor[];
}

/** Whether a device can run here, and how to make it so. */
export interface Verdict {
  ready: boolean;
  /** One line: why it is (not) ready. */
  detail: string;
  /** Commands that fix it, in order (empty when ready). */
  fix: string[];
}

/** Everything doctor found. */
export interface DoctorReport {
  platform: string;
  glibc?: string;
  node: string;
  loadgen: { addon: string; kind: string; version: string };
  onnxruntime: { version?: string; expected: string; bindingFolder: string; runtimePresent: boolean };
  provider: ProviderFileStatus[];
  /** The CUDA libraries the installed provider needs; undefined without a provider. */
  libraries?: ProviderLibraries;
  /** Why the provider's libraries could not be checked. */
  librariesError?: string;
  /** nvidia-smi's answer; undefined when it is not on PATH. */
  driver?: DriverInfo;
  verdicts: { cpu: Verdict; cuda: Verdict };
}

/** What doctor inspects; defaults are this process's installation. */
export interface DoctorOptions {
  /** The folder holding onnxruntime-node's runtime (default: its binding folder). */
  bindingFolder?: string;
}

function onnxruntimeNodeVersion(): string | undefined {
  try {
    // bin/napi-v6/<platform>/<arch> sits four levels below the package root.
    const manifest = join(bindingFolder(), '..', '..', '..', '..', 'package.json');
    return (JSON.parse(readFileSync(manifest, 'utf8')) as { version?: string }).version;
  } catch {
    return undefined;
  }
}

async function providerStatus(folder: string, file: (typeof CUDA_PROVIDER_FILES)[number]): Promise<ProviderFileStatus> {
  const path = join(folder, file);
  if (!existsSync(path)) return { file, present: false, pinnedFor: [] };
  const bytes = statSync(path).size;
  let sha256: string | undefined;
  // Hash only files whose size is a pinned one: a provider is hundreds of megabytes.
  const sizeMatches = Object.values(PROVIDER_ARCHIVES).some((archive) => archive.members[file].bytes === bytes);
  if (sizeMatches) sha256 = await sha256File(path);
  const pinnedFor = pinnedBuildsOf(file, bytes, () => sha256 ?? '');
  return { file, present: true, bytes, ...(sha256 === undefined ? {} : { sha256 }), pinnedFor };
}

function setupCommand(report: Pick<DoctorReport, 'driver'>, folder: string, defaultFolder: boolean): string {
  const branch = driverBranch(report.driver?.driverVersion);
  const cuda = branch !== undefined && branch < PROVIDER_ARCHIVES[13].minDriver ? ' --cuda 12' : '';
  return `mlperf-llm setup-cuda${cuda}${defaultFolder ? '' : ` --binding-folder ${folder}`}`;
}

function cudaVerdict(report: Omit<DoctorReport, 'verdicts'>, defaultFolder: boolean): Verdict {
  if (report.platform !== 'linux-x64')
    return { ready: false, detail: `the CUDA provider is built for linux-x64, not ${report.platform}`, fix: [] };
  const folder = report.onnxruntime.bindingFolder;
  const absent = report.provider.filter((status) => !status.present).map((status) => status.file);
  if (absent.length > 0)
    return {
      ready: false,
      detail: `${absent.join(' and ')} not installed in ${folder}`,
      fix: [setupCommand(report, folder, defaultFolder)],
    };
  if (report.librariesError !== undefined)
    return {
      ready: false,
      detail: `the installed provider cannot be read (${report.librariesError})`,
      fix: [setupCommand(report, folder, defaultFolder)],
    };
  const libraries = report.libraries!;
  if (libraries.missing.length > 0)
    return {
      ready: false,
      detail: `CUDA ${libraries.cuda} libraries missing: ${libraries.missing.map((library) => library.soname).join(', ')}`,
      fix: libraries.fix ? fixLines(libraries.fix) : [],
    };
  if (report.driver?.error !== undefined)
    return { ready: false, detail: `nvidia-smi failed: ${report.driver.error}`, fix: [] };
  if (report.driver !== undefined && report.driver.gpus.length === 0)
    return { ready: false, detail: 'nvidia-smi lists no GPU', fix: [] };
  const branch = driverBranch(report.driver?.driverVersion);
  const needed = PROVIDER_ARCHIVES[libraries.cuda].minDriver;
  if (branch !== undefined && branch < needed)
    return {
      ready: false,
      detail: `the CUDA ${libraries.cuda} provider needs driver ${needed} or newer; this one is ${report.driver!.driverVersion}`,
      fix: [setupCommand(report, folder, defaultFolder)],
    };
  const unpinned = report.provider.some((status) => status.pinnedFor.length === 0);
  const gpus =
    report.driver === undefined ? 'nvidia-smi not on PATH to list GPUs' : `${report.driver.gpus.length} GPU(s)`;
  return {
    ready: true,
    detail: `CUDA ${libraries.cuda} provider${unpinned ? ' (not a pinned build)' : ''} and its libraries found; ${gpus}`,
    fix: [],
  };
}

/** Inspects this machine (see the module comment). */
export async function runDoctor(options: DoctorOptions = {}): Promise<DoctorReport> {
  const defaultFolder = bindingFolder();
  const folder = resolve(options.bindingFolder ?? defaultFolder);
  const glibc = glibcVersion();
  const version = onnxruntimeNodeVersion();
  const partial: Omit<DoctorReport, 'verdicts'> = {
    platform: `${process.platform}-${process.arch}`,
    ...(glibc === undefined ? {} : { glibc }),
    node: `${process.version} (ABI ${process.versions.modules}, Node-API ${process.versions.napi})`,
    loadgen: { addon: addonFile.path, kind: addonFile.kind, version: loadgenVersion },
    onnxruntime: {
      ...(version === undefined ? {} : { version }),
      expected: ONNXRUNTIME_VERSION,
      bindingFolder: folder,
      // The provider loads into this runtime (Linux file name; elsewhere there is no CUDA provider to check).
      runtimePresent: process.platform !== 'linux' || existsSync(join(folder, 'libonnxruntime.so.1')),
    },
    provider: await Promise.all(CUDA_PROVIDER_FILES.map((file) => providerStatus(folder, file))),
  };
  const driver = queryDriver();
  if (driver !== undefined) partial.driver = driver;
  const cudaProvider = join(folder, 'libonnxruntime_providers_cuda.so');
  if (existsSync(cudaProvider)) {
    try {
      partial.libraries = checkProviderLibraries(cudaProvider);
    } catch (error) {
      partial.librariesError = (error as Error).message;
    }
  }
  const cpu: Verdict =
    version === ONNXRUNTIME_VERSION
      ? { ready: true, detail: `onnxruntime-node ${version}`, fix: [] }
      : {
          ready: false,
          detail: `onnxruntime-node ${version ?? 'is not installed'}${version ? `, not ${ONNXRUNTIME_VERSION}` : ''}`,
          fix: [`npm install onnxruntime-node@${ONNXRUNTIME_VERSION}`],
        };
  return { ...partial, verdicts: { cpu, cuda: cudaVerdict(partial, folder === resolve(defaultFolder)) } };
}

function providerLine(status: ProviderFileStatus): string {
  if (!status.present) return `${status.file}: missing`;
  const bytes = status.bytes ?? 0;
  const size = bytes >= 1e6 ? `${(bytes / 1e6).toFixed(1)} MB` : `${(bytes / 1e3).toFixed(1)} kB`;
  const pin =
    status.pinnedFor.length > 0
      ? `matches the pinned CUDA ${status.pinnedFor.join('/')} build`
      : 'matches no pinned build';
  return `${status.file}: ${size}, ${pin}${status.sha256 ? ` (sha256 ${status.sha256.slice(0, 16)}…)` : ''}`;
}

/** The report as aligned lines. */
export function formatDoctorReport(report: DoctorReport): string {
  const rows: Array<[string, string]> = [
    ['platform', `${report.platform}${report.glibc ? `, glibc ${report.glibc}` : ''}`],
    ['node', report.node],
    ['loadgen addon', `${report.loadgen.addon} (${report.loadgen.kind}), LoadGen ${report.loadgen.version}`],
    [
      'onnxruntime-node',
      `${report.onnxruntime.version ?? 'not installed'} (needs ${report.onnxruntime.expected})${report.onnxruntime.runtimePresent ? '' : ', runtime library missing'}`,
    ],
    ['binding folder', report.onnxruntime.bindingFolder],
  ];
  report.provider.forEach((status, i) => rows.push([i === 0 ? 'cuda provider' : '', providerLine(status)]));
  if (report.libraries) {
    const { libraries } = report;
    const shown = libraries.libraries.filter((library) => library.cuda || library.path === undefined);
    shown.forEach((library, i) =>
      rows.push([
        i === 0 ? `cuda ${libraries.cuda} libraries` : '',
        `${library.soname}: ${library.path ?? `MISSING (${library.what}${library.wheel ? `, wheel ${library.wheel}` : ''})`}`,
      ]),
    );
  } else if (report.librariesError) {
    rows.push(['cuda libraries', `not checked: ${report.librariesError}`]);
  }
  if (report.driver === undefined) rows.push(['gpus', 'none found (nvidia-smi is not on PATH)']);
  else if (report.driver.error !== undefined) rows.push(['gpus', `nvidia-smi failed: ${report.driver.error}`]);
  else {
    const driver = `driver ${report.driver.driverVersion ?? '?'}, CUDA ${report.driver.cudaVersion ?? '?'}`;
    if (report.driver.gpus.length === 0) rows.push(['gpus', `none (${driver})`]);
    report.driver.gpus.forEach((gpu, i) =>
      rows.push([i === 0 ? 'gpus' : '', `${gpu.index}: ${gpu.name}, ${gpu.memoryMiB} MiB, ${driver}`]),
    );
  }
  for (const [device, verdict] of Object.entries(report.verdicts)) {
    rows.push([`${device}`, `${verdict.ready ? 'ready' : 'NOT READY'}: ${verdict.detail}`]);
    for (const line of verdict.fix) rows.push(['', `fix: ${line}`]);
  }
  const width = Math.max(...rows.map(([label]) => label.length));
  return rows.map(([label, value]) => `  ${label.padEnd(width)}  ${value}`).join('\n');
}

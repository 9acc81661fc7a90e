/**
 * The GPUs and driver this machine has, as `nvidia-smi` reports them: which CUDA major the driver
 * runs decides which provider build fits.
 *
 * @packageDocumentation
 */
import { spawnSync } from 'node:child_process';

/** One GPU. */
export interface GpuInfo {
  index: number;
  name: string;
  /** Total memory in MiB. */
  memoryMiB: number;
}

/** What nvidia-smi says; `error` when it is there but failed. */
export interface DriverInfo {
  gpus: GpuInfo[];
  /** e.g. "580.159.04". */
  driverVersion?: string;
  /** The newest CUDA the driver runs, e.g. "13.0". */
  cudaVersion?: string;
  error?: string;
}

/** Parses `--query-gpu=index,name,memory.total,driver_version --format=csv,noheader,nounits`. */
export function parseGpuQuery(text: string): { gpus: GpuInfo[]; driverVersion?: string } {
  const gpus: GpuInfo[] = [];
  let driverVersion: string | undefined;
  for (const line of text.split('\n')) {
    const fields = line.split(',').map((field) => field.trim());
    if (fields.length < 4 || !/^\d+$/.test(fields[0]!)) continue;
    gpus.push({ index: Number(fields[0]), name: fields[1]!, memoryMiB: Number(fields[2]) });
    driverVersion ??= fields[3];
  }
  return driverVersion === undefined ? { gpus } : { gpus, driverVersion };
}

/** The "CUDA Version: 13.0" of nvidia-smi's banner. */
export function parseCudaVersion(banner: string): string | undefined {
  return /CUDA Version:\s*([\d.]+)/.exec(banner)?.[1];
}

/** The driver's major branch ("580.159.04" → 580). */
export function driverBranch(version: string | undefined): number | undefined {
  const major = Number(version?.split('.')[0]);
  return Number.isInteger(major) && major > 0 ? major : undefined;
}

/** Asks nvidia-smi; undefined when it is not on PATH (no NVIDIA driver, or a container without it). */
export function queryDriver(): DriverInfo | undefined {
  const run = (args: string[]): ReturnType<typeof spawnSync> =>
    spawnSync('nvidia-smi', args, { encoding: 'utf8', timeout: 20_000 });
  const query = run(['--query-gpu=index,name,memory.total,driver_version', '--format=csv,noheader,nounits']);
  if ((query.error as NodeJS.ErrnoException | undefined)?.code === 'ENOENT') return undefined;
  if (query.status !== 0) {
    const why = String(query.stderr || query.stdout || query.error?.message || `exit ${query.status}`).trim();
    return { gpus: [], error: why.split('\n')[0]! };
  }
  const info: DriverInfo = parseGpuQuery(String(query.stdout));
  const banner = run([]);
  const cuda = banner.status === 0 ? parseCudaVersion(String(banner.stdout)) : undefined;
  if (cuda !== undefined) info.cudaVersion = cuda;
  return info;
}

// setup-cuda and doctor without a GPU or a network: doctor's verdicts on a binding folder without
// the provider; setup-cuda from archives the test builds (a real gzip'd tar in the npm package's
// layout, and a jar-style zip) into a temporary copy of the binding folder, refusing archives and
// files that are not the pinned ones; and the report of the libraries a provider cannot find.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { deflateRawSync } from 'node:zlib';
import { checkProviderLibraries } from '../lib/backends/onnxruntime/cuda-libraries.js';
import { PROVIDER_ARCHIVES, type ProviderArchive } from '../lib/backends/onnxruntime/cuda-packages.js';
import { setupCuda } from '../lib/backends/onnxruntime/cuda-setup.js';
import { parseElfDependencies, readElfDependencies } from '../lib/backends/onnxruntime/elf-dependencies.js';
import { bindingFolder, CUDA_PROVIDER_FILES } from '../lib/backends/onnxruntime/execution-provider.js';
import type { LibrarySearchPath } from '../lib/backends/onnxruntime/library-search.js';
import { parseLdconfigCache } from '../lib/backends/onnxruntime/library-search.js';
import { parseCudaVersion, parseGpuQuery } from '../lib/backends/onnxruntime/nvidia-smi.js';
import type { DoctorReport } from '../lib/doctor.js';
import { tempDir } from './helpers.js';

const CLI = fileURLToPath(new URL('../lib/cli/main.js', import.meta.url));
const RUNTIME = 'libonnxruntime.so.1';

function cli(
  args: string[],
  env: NodeJS.ProcessEnv = process.env,
): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', env, timeout: 120_000 });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** A folder holding a copy of onnxruntime-node's runtime, standing in for its binding folder. */
function bindingCopy(name: string): string {
  const dir = tempDir(name);
  copyFileSync(join(bindingFolder(), RUNTIME), join(dir, RUNTIME));
  return dir;
}

function sha256(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/**
 * A minimal ELF64 shared object whose dynamic section names `needed` (and a RUNPATH): the
 * header, a string table, the dynamic entries and a section table of null, .dynstr, .dynamic.
 */
function elfWith(needed: readonly string[], runpath?: string): Buffer {
  const names = [...needed, ...(runpath === undefined ? [] : [runpath])];
  const offsets: number[] = [];
  const strings: Buffer[] = [Buffer.from([0])];
  let at = 1;
  for (const name of names) {
    offsets.push(at);
    strings.push(Buffer.from(`${name}\0`));
    at += name.length + 1;
  }
  const dynstr = Buffer.concat(strings);
  const entries = needed.map((_, i) => [1n, BigInt(offsets[i]!)]);
  if (runpath !== undefined) entries.push([29n, BigInt(offsets[needed.length]!)]);
  entries.push([0n, 0n]);
  const dynamic = Buffer.alloc(entries.length * 16);
  entries.forEach(([tag, value], i) => {
    dynamic.writeBigInt64LE(tag!, i * 16);
    dynamic.writeBigUInt64LE(value!, i * 16 + 8);
  });
  const dynstrOffset = 64;
  const dynamicOffset = dynstrOffset + dynstr.length + ((8 - (dynstr.length % 8)) % 8);
  const sectionOffset = dynamicOffset + dynamic.length;
  const header = Buffer.alloc(64);
  header.writeUInt32LE(0x464c457f, 0);
  header[4] = 2; // 64-bit
  header[5] = 1; // little-endian
  header[6] = 1; // ELF version
  header.writeUInt16LE(3, 0x10); // ET_DYN
  header.writeUInt16LE(62, 0x12); // x86-64
  header.writeBigUInt64LE(BigInt(sectionOffset), 0x28);
  header.writeUInt16LE(64, 0x34);
  header.writeUInt16LE(64, 0x3a);
  header.writeUInt16LE(3, 0x3c);
  const sections = Buffer.alloc(3 * 64);
  const section = (index: number, type: number, offset: number, size: number, link: number): void => {
    const base = index * 64;
    sections.writeUInt32LE(type, base + 4);
    sections.writeBigUInt64LE(BigInt(offset), base + 0x18);
    sections.writeBigUInt64LE(BigInt(size), base + 0x20);
    sections.writeUInt32LE(link, base + 0x28);
  };
  section(1, 3, dynstrOffset, dynstr.length, 0); // SHT_STRTAB
  section(2, 6, dynamicOffset, dynamic.length, 1); // SHT_DYNAMIC, strings in section 1
  const body = Buffer.alloc(sectionOffset + sections.length);
  header.copy(body, 0);
  dynstr.copy(body, dynstrOffset);
  dynamic.copy(body, dynamicOffset);
  sections.copy(body, sectionOffset);
  return body;
}

/** Provider files standing in for the real ones: an ELF naming CUDA 13's libraries, and a small shared library. */
function fakeProviderFiles(): Record<(typeof CUDA_PROVIDER_FILES)[number], Buffer> {
  return {
    'libonnxruntime_providers_cuda.so': elfWith(['libcudart.so.13', 'libcublas.so.13', 'libmlperf-test-absent.so.7']),
    'libonnxruntime_providers_shared.so': elfWith(['libc.so.6']),
  };
}

/** Builds a gzip'd tar in the npm package's layout with `tar`; returns its path and a pin that matches it. */
function fakeNpmArchive(dir: string, files = fakeProviderFiles()): { path: string; pin: ProviderArchive } {
  const real = PROVIDER_ARCHIVES[13];
  const root = join(dir, 'tree');
  for (const file of CUDA_PROVIDER_FILES) {
    const member = join(root, real.members[file].path);
    mkdirSync(join(member, '..'), { recursive: true });
    writeFileSync(member, files[file]);
  }
  writeFileSync(join(root, 'package', 'package.json'), JSON.stringify({ name: real.name, version: real.version }));
  const path = join(dir, real.file);
  const tar = spawnSync('tar', ['-czf', path, '-C', root, 'package'], { encoding: 'utf8' });
  assert.equal(tar.status, 0, tar.stderr);
  const bytes = readFileSync(path);
  const members = Object.fromEntries(
    CUDA_PROVIDER_FILES.map((file) => [
      file,
      { path: real.members[file].path, bytes: files[file].length, sha256: sha256(files[file]) },
    ]),
  ) as ProviderArchive['members'];
  return { path, pin: { ...real, bytes: bytes.length, sha256: sha256(bytes), members } };
}

/** A zip (deflated entries, as jar tools write) holding `entries`. */
function zipOf(entries: Record<string, Buffer>): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const [name, data] of Object.entries(entries)) {
    const packed = deflateRawSync(data);
    const nameBytes = Buffer.from(name);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(8, 8);
    local.writeUInt32LE(packed.length, 18);
    local.writeUInt32LE(data.length, 22);
    local.writeUInt16LE(nameBytes.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(8, 10);
    central.writeUInt32LE(packed.length, 20);
    central.writeUInt32LE(data.length, 24);
    central.writeUInt16LE(nameBytes.length, 28);
    central.writeUInt32LE(offset, 42);
    locals.push(local, nameBytes, packed);
    centrals.push(central, nameBytes);
    offset += local.length + nameBytes.length + packed.length;
  }
  const directory = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(Object.keys(entries).length, 8);
  end.writeUInt16LE(Object.keys(entries).length, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, directory, end]);
}

test('doctor: cpu ready, cuda not ready with the setup-cuda command that fixes it', () => {
  const folder = bindingCopy('doctor');
  const text = cli(['doctor', '--binding-folder', folder]);
  assert.equal(text.status, 0, text.stderr);
  assert.match(text.stdout, /loadgen addon\s+\S+mlperf_loadgen\.node|loadgen addon\s+\S+\.node/);
  assert.match(text.stdout, /LoadGen \d+\.\d+\.\d+/);
  assert.match(text.stdout, /onnxruntime-node\s+1\.29\.0 \(needs 1\.29\.0\)/);
  assert.match(text.stdout, /libonnxruntime_providers_cuda\.so: missing/);
  assert.match(text.stdout, /\n\s+cpu\s+ready/);
  assert.match(text.stdout, /\n\s+cuda\s+NOT READY: .*not installed/);
  assert.match(text.stdout, new RegExp(`fix: mlperf-llm setup-cuda( --cuda 12)? --binding-folder ${folder}`));

  const json = cli(['doctor', '--binding-folder', folder, '--json']);
  assert.equal(json.status, 0, json.stderr);
  const report = JSON.parse(json.stdout) as DoctorReport;
  assert.equal(report.platform, `${process.platform}-${process.arch}`);
  assert.equal(report.verdicts.cpu.ready, true);
  assert.equal(report.verdicts.cuda.ready, false);
  assert.ok(report.verdicts.cuda.fix.some((line) => line.startsWith('mlperf-llm setup-cuda')));
  assert.deepEqual(
    report.provider.map((status) => [status.file, status.present]),
    CUDA_PROVIDER_FILES.map((file) => [file, false]),
  );
});

test('setup-cuda --from an archive that is not the pinned one refuses it and installs nothing', () => {
  const dir = tempDir('setup-mismatch');
  const folder = bindingCopy('setup-mismatch-binding');
  const { path } = fakeNpmArchive(dir);
  const run = cli(['setup-cuda', '--from', path, '--binding-folder', folder]);
  assert.equal(run.status, 1);
  assert.match(run.stderr, /^mlperf-llm: .*has SHA-256 [0-9a-f]{64}, not the pinned 2b459e0c/);
  assert.match(run.stderr, /nothing was installed/);
  assert.equal(run.stderr.trim().split('\n').length, 1, 'one line');
  assert.deepEqual(readdirSync(folder), [RUNTIME]);
});

test('setup-cuda installs the provider files of a matching tarball into the binding folder, whole and executable', async () => {
  const dir = tempDir('setup-install');
  const folder = bindingCopy('setup-install-binding');
  const files = fakeProviderFiles();
  const { path, pin } = fakeNpmArchive(dir, files);
  const result = await setupCuda({ from: path, bindingFolder: folder, archive: pin, libraryDir: join(dir, 'wheels') });
  assert.deepEqual(
    result.installed,
    CUDA_PROVIDER_FILES.map((file) => join(folder, file)),
  );
  for (const file of CUDA_PROVIDER_FILES) {
    assert.deepEqual(readFileSync(join(folder, file)), files[file]);
    assert.equal(statSync(join(folder, file)).mode & 0o777, 0o755);
  }
  assert.deepEqual(readdirSync(folder).sort(), [RUNTIME, ...CUDA_PROVIDER_FILES].sort(), 'no temporary files left');
  assert.equal(result.libraries.cuda, 13);
  // The provider links a library no machine has: the report names it.
  assert.ok(result.libraries.missing.some((library) => library.soname === 'libmlperf-test-absent.so.7'));
  assert.ok(result.libraries.libraries.some((library) => library.soname === 'libcudnn.so.9'));
});

test('setup-cuda refuses an archive whose provider file is not the pinned one, leaving the folder as it was', async () => {
  const dir = tempDir('setup-member');
  const folder = bindingCopy('setup-member-binding');
  const { path, pin } = fakeNpmArchive(dir);
  const wrong: ProviderArchive = {
    ...pin,
    members: {
      ...pin.members,
      'libonnxruntime_providers_cuda.so': {
        ...pin.members['libonnxruntime_providers_cuda.so'],
        sha256: '0'.repeat(64),
      },
    },
  };
  await assert.rejects(
    setupCuda({ from: path, bindingFolder: folder, archive: wrong }),
    (error: Error & { code?: string }) =>
      error.code === 'ERR_CUDA_SETUP_CHECKSUM' &&
      /libonnxruntime_providers_cuda\.so in .* nothing was installed/.test(error.message),
  );
  assert.deepEqual(readdirSync(folder), [RUNTIME]);
});

test('setup-cuda reads the provider out of a jar (the CUDA 12 package)', async () => {
  const dir = tempDir('setup-jar');
  const folder = bindingCopy('setup-jar-binding');
  const real = PROVIDER_ARCHIVES[12];
  const files = {
    'libonnxruntime_providers_cuda.so': elfWith(['libcudart.so.12', 'libcublasLt.so.12']),
    'libonnxruntime_providers_shared.so': elfWith(['libc.so.6']),
  };
  const jar = zipOf({
    'META-INF/MANIFEST.MF': Buffer.from('Manifest-Version: 1.0\n'),
    [real.members['libonnxruntime_providers_cuda.so'].path]: files['libonnxruntime_providers_cuda.so'],
    [real.members['libonnxruntime_providers_shared.so'].path]: files['libonnxruntime_providers_shared.so'],
  });
  const path = join(dir, real.file);
  writeFileSync(path, jar);
  const members = Object.fromEntries(
    CUDA_PROVIDER_FILES.map((file) => [
      file,
      { ...real.members[file], bytes: files[file].length, sha256: sha256(files[file]) },
    ]),
  ) as ProviderArchive['members'];
  const pin: ProviderArchive = { ...real, bytes: jar.length, sha256: sha256(jar), members };
  const result = await setupCuda({ from: path, bindingFolder: folder, archive: pin });
  assert.equal(result.libraries.cuda, 12);
  for (const file of CUDA_PROVIDER_FILES) assert.deepEqual(readFileSync(join(folder, file)), files[file]);
});

test('setup-cuda names the fix for a folder that is not a binding folder, a tarball passed as CUDA 12, and a missing npm', () => {
  const dir = tempDir('setup-errors');
  const { path } = fakeNpmArchive(dir);
  const empty = tempDir('setup-errors-empty');
  const noRuntime = cli(['setup-cuda', '--from', path, '--binding-folder', empty]);
  assert.equal(noRuntime.status, 1);
  assert.match(noRuntime.stderr, /holds no libonnxruntime\.so\.1.*pass --binding-folder/);

  const folder = bindingCopy('setup-errors-binding');
  const wrongMajor = cli(['setup-cuda', '--cuda', '12', '--from', path, '--binding-folder', folder]);
  assert.equal(wrongMajor.status, 1);
  assert.match(wrongMajor.stderr, /holds the CUDA 13 provider, but --cuda 12 was asked for/);

  const noNpm = cli(['setup-cuda', '--binding-folder', folder, '--download-dir', join(dir, 'downloads')], {
    ...process.env,
    PATH: join(dir, 'no-such-bin'),
  });
  assert.equal(noNpm.status, 1);
  assert.match(noNpm.stderr, /npm is not on PATH.*pass --from <file>/);
  assert.deepEqual(readdirSync(folder), [RUNTIME]);
});

test(
  'setup-cuda refuses a binding folder it cannot write to',
  { skip: process.getuid?.() === 0 && 'root writes anywhere' },
  () => {
    const dir = tempDir('setup-readonly');
    const folder = bindingCopy('setup-readonly-binding');
    const { path } = fakeNpmArchive(dir);
    spawnSync('chmod', ['555', folder]);
    try {
      const run = cli(['setup-cuda', '--from', path, '--binding-folder', folder]);
      assert.equal(run.status, 1);
      assert.match(run.stderr, /cannot write to .*\(EACCES\): run setup-cuda as the user who installed the package/);
    } finally {
      spawnSync('chmod', ['755', folder]);
    }
  },
);

test('the missing-library report of a provider: which CUDA 13 libraries are absent, the wheels and the path line', () => {
  const dir = tempDir('libraries');
  const provider = join(dir, 'libonnxruntime_providers_cuda.so');
  writeFileSync(
    provider,
    elfWith(['libcudart.so.13', 'libcublas.so.13', 'libcublasLt.so.13', 'libmlperf-test-absent.so.7']),
  );
  const present = join(dir, 'present');
  mkdirSync(present);
  for (const soname of ['libcudart.so.13', 'libcublas.so.13']) writeFileSync(join(present, soname), '');
  const search: LibrarySearchPath = { ldLibraryPath: [present], runpath: [], cache: new Map(), defaults: [] };
  const target = join(dir, 'wheels');
  const report = checkProviderLibraries(provider, { search, targetDir: target });
  assert.equal(report.cuda, 13);
  assert.equal(
    report.libraries.find((library) => library.soname === 'libcudart.so.13')?.path,
    join(present, 'libcudart.so.13'),
  );
  assert.deepEqual(report.missing.map((library) => library.soname).sort(), [
    'libcublasLt.so.13',
    'libcuda.so.1',
    'libcudnn.so.9',
    'libcufft.so.12',
    'libcurand.so.10',
    'libmlperf-test-absent.so.7',
  ]);
  const fix = report.fix!;
  assert.match(fix.driver!, /libcuda\.so\.1 is missing: install the NVIDIA driver \(580 or newer/);
  assert.equal(
    fix.pip,
    `python3 -m pip install --target ${target} nvidia-cublas==13.1.0.3 nvidia-curand==10.4.0.35 nvidia-cufft==12.0.0.61 nvidia-cudnn-cu13==9.19.0.56`,
  );
  assert.equal(
    fix.ldLibraryPath,
    `export LD_LIBRARY_PATH=${target}/nvidia/cu13/lib:${target}/nvidia/cudnn/lib\${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}`,
  );

  // Wheels already unpacked in the target need only the path line.
  mkdirSync(join(target, 'nvidia', 'cu13', 'lib'), { recursive: true });
  mkdirSync(join(target, 'nvidia', 'cudnn', 'lib'), { recursive: true });
  for (const soname of ['libcublasLt.so.13', 'libcurand.so.10', 'libcufft.so.12'])
    writeFileSync(join(target, 'nvidia', 'cu13', 'lib', soname), '');
  writeFileSync(join(target, 'nvidia', 'cudnn', 'lib', 'libcudnn.so.9'), '');
  const again = checkProviderLibraries(provider, { search, targetDir: target });
  assert.equal(again.fix?.pip, undefined);
  assert.ok(again.fix?.ldLibraryPath);

  // On that path, only the driver and the library no wheel has are left.
  const onPath = checkProviderLibraries(provider, {
    search: {
      ...search,
      ldLibraryPath: [present, join(target, 'nvidia', 'cu13', 'lib'), join(target, 'nvidia', 'cudnn', 'lib')],
    },
    targetDir: target,
  });
  assert.deepEqual(onPath.missing.map((library) => library.soname).sort(), [
    'libcuda.so.1',
    'libmlperf-test-absent.so.7',
  ]);
});

test('the ELF reader gives the dependencies of a real library and of a written one', () => {
  const runtime = readElfDependencies(join(bindingFolder(), RUNTIME));
  assert.ok(runtime.needed.includes('libc.so.6'), runtime.needed.join(' '));
  assert.deepEqual(runtime.runpath, ['$ORIGIN']);
  assert.deepEqual(parseElfDependencies(elfWith(['liba.so.1', 'libb.so.2'], '$ORIGIN/lib:/opt/x')), {
    needed: ['liba.so.1', 'libb.so.2'],
    runpath: ['$ORIGIN/lib', '/opt/x'],
  });
  assert.throws(
    () => parseElfDependencies(Buffer.from('not an elf file at all, just text, long enough to have a header')),
    /not an ELF file/,
  );
});

test('ldconfig and nvidia-smi output are parsed', () => {
  const cache = parseLdconfigCache(
    [
      "3 libs found in cache `/etc/ld.so.cache'",
      '\tlibcudart.so.13 (libc6,x86-64) => /usr/local/cuda/lib64/libcudart.so.13',
      '\tlibcudart.so.13 (libc6,x86-64) => /opt/other/libcudart.so.13',
      '\tlibfoo.so.1 (libc6) => /usr/lib32/libfoo.so.1',
    ].join('\n'),
  );
  assert.deepEqual([...cache], [['libcudart.so.13', '/usr/local/cuda/lib64/libcudart.so.13']]);
  assert.deepEqual(parseGpuQuery('0, NVIDIA H200, 143771, 580.159.04\n1, NVIDIA A30, 24576, 580.159.04\n'), {
    gpus: [
      { index: 0, name: 'NVIDIA H200', memoryMiB: 143771 },
      { index: 1, name: 'NVIDIA A30', memoryMiB: 24576 },
    ],
    driverVersion: '580.159.04',
  });
  assert.equal(
    parseCudaVersion('| NVIDIA-SMI 580.159.04   Driver Version: 580.159.04   CUDA Version: 13.0     |'),
    '13.0',
  );
  assert.ok(!existsSync(join(bindingFolder(), 'libmlperf-test-absent.so.7')));
});

/**
 * Where the CUDA execution provider of onnxruntime 1.29.0 comes from, pinned: one registry
 * package per CUDA major version, the SHA-256 of the archive and of each provider file in it, and
 * the CUDA libraries each provider needs with the Python wheels that ship them.
 *
 * onnxruntime-node ships the CPU runtime only; its own installer fetches the provider from a NuGet
 * feed that many clusters cannot reach. Two ordinary registries carry byte-identical builds of
 * the 1.29.0 provider (same `git-commit-id` as onnxruntime-node's core): an npm package that
 * repackages the official CUDA 13 build, and Microsoft's own Java GPU jar on Maven, a CUDA 12 build.
 *
 * @packageDocumentation
 */
import { CUDA_PROVIDER_FILES } from './execution-provider.js';

/** A CUDA major version a provider build targets. */
export type CudaMajor = 12 | 13;

/** The CUDA majors there are provider builds for; 13 is the default (the newer drivers). */
export const CUDA_MAJORS: readonly CudaMajor[] = [13, 12];

/** One of the two provider files. */
export type ProviderFile = (typeof CUDA_PROVIDER_FILES)[number];

/** A provider file as the archive holds it. */
export interface PinnedMember {
  /** Its path inside the archive. */
  path: string;
  bytes: number;
  sha256: string;
}

/** A registry archive holding the provider files, pinned by name, version and SHA-256. */
export interface ProviderArchive {
  cuda: CudaMajor;
  /** The client that fetches it (with the machine's own registry settings). */
  registry: 'npm' | 'maven';
  /** npm package name, or Maven `groupId:artifactId`. */
  name: string;
  version: string;
  /** The file name the client saves it under. */
  file: string;
  /** How it is packed: npm tarballs are gzip'd tar, Maven jars are zip. */
  format: 'tgz' | 'zip';
  bytes: number;
  sha256: string;
  members: Record<ProviderFile, PinnedMember>;
  /** The oldest NVIDIA driver branch whose CUDA runs this build. */
  minDriver: number;
}

/** A shared library the provider needs at run time, and the wheel that ships it. */
export interface CudaLibrary {
  soname: string;
  /** What it is, for messages. */
  what: string;
  /** `name==version` of the PyPI wheel that ships it; undefined for the driver's own library. */
  wheel?: string;
}

/** The CUDA user-space libraries of one major version and where their wheels put them. */
export interface CudaRuntime {
  cuda: CudaMajor;
  libraries: readonly CudaLibrary[];
  /** Folders, relative to `pip install --target <dir>`, that hold the libraries. */
  libraryFolders: readonly string[];
}

/**
 * CUDA 13 (drivers >= 580): `com.github.asus4.onnxruntime.linux-x64-gpu` 0.4.9 is a byte copy of
 * the official onnxruntime 1.29.0 GPU build for Linux x64 (it also holds the TensorRT provider,
 * which is not installed). Proven on an H200 with onnxruntime-node 1.29.0.
 */
const CUDA13_ARCHIVE: ProviderArchive = {
  cuda: 13,
  registry: 'npm',
  name: 'com.github.asus4.onnxruntime.linux-x64-gpu',
  version: '0.4.9',
  file: 'com.github.asus4.onnxruntime.linux-x64-gpu-0.4.9.tgz',
  format: 'tgz',
  bytes: 179_145_956,
  sha256: '2b459e0c17f340c92970c10ed86de4f37a3009f93c14053e6ad4334cbb6be412',
  members: {
    'libonnxruntime_providers_cuda.so': {
      path: 'package/Plugins/Linux/x64/libonnxruntime_providers_cuda.so',
      bytes: 229_780_440,
      sha256: '56cf3254b118ad837ccc4ed8f6d1b23504bbf7ef91b34cbc0b289cb7f10b3037',
    },
    'libonnxruntime_providers_shared.so': {
      path: 'package/Plugins/Linux/x64/libonnxruntime_providers_shared.so',
      bytes: 14_632,
      sha256: 'c6a12593396095f5670160e284c35d1700b7708cf3037b7042e2a5200ccae772',
    },
  },
  minDriver: 580,
};

/**
 * CUDA 12 (drivers 525 to 570, most A30 nodes today): Microsoft's Java GPU package for 1.29.0 is
 * a CUDA 12 build; its linux-x64 natives are the provider. 642 MB, most of it the provider.
 */
const CUDA12_ARCHIVE: ProviderArchive = {
  cuda: 12,
  registry: 'maven',
  name: 'com.microsoft.onnxruntime:onnxruntime_gpu',
  version: '1.29.0',
  file: 'onnxruntime_gpu-1.29.0.jar',
  format: 'zip',
  bytes: 642_295_340,
  sha256: 'fe39a98c499fc9be3944dd2bf2fb77d7dc5f152668bf95d8beb1c3d7b22f2a89',
  members: {
    'libonnxruntime_providers_cuda.so': {
      path: 'ai/onnxruntime/native/linux-x64/libonnxruntime_providers_cuda.so',
      bytes: 582_659_240,
      sha256: '310d2cfdc5feead352318eaf9e6b11cd0f9ef96d29c4ad759ced7da7ff9a21b5',
    },
    'libonnxruntime_providers_shared.so': {
      path: 'ai/onnxruntime/native/linux-x64/libonnxruntime_providers_shared.so',
      bytes: 14_632,
      sha256: 'c6a12593396095f5670160e284c35d1700b7708cf3037b7042e2a5200ccae772',
    },
  },
  minDriver: 525,
};

/** The pinned provider archive of each CUDA major. */
export const PROVIDER_ARCHIVES: Readonly<Record<CudaMajor, ProviderArchive>> = {
  13: CUDA13_ARCHIVE,
  12: CUDA12_ARCHIVE,
};

/** The driver's own library: it comes with the NVIDIA driver, never from a wheel. */
const DRIVER_LIBRARY: CudaLibrary = { soname: 'libcuda.so.1', what: 'the NVIDIA driver' };

/**
 * What each provider loads besides the driver. cudart, cuBLAS(Lt) and cuRAND are ELF
 * dependencies of the provider; cuDNN and cuFFT it opens itself when a model needs them, so a
 * loader check (ldd) alone misses them. CUDA 13's versions are the set PyTorch 2.11 (cu130) pins,
 * which ran this provider on the H200; CUDA 12's are the newest 12.9 set (minor-version
 * compatible down to driver 525).
 */
export const CUDA_RUNTIMES: Readonly<Record<CudaMajor, CudaRuntime>> = {
  13: {
    cuda: 13,
    libraries: [
      DRIVER_LIBRARY,
      { soname: 'libcudart.so.13', what: 'the CUDA 13 runtime', wheel: 'nvidia-cuda-runtime==13.0.96' },
      { soname: 'libcublas.so.13', what: 'cuBLAS 13', wheel: 'nvidia-cublas==13.1.0.3' },
      { soname: 'libcublasLt.so.13', what: 'cuBLASLt 13', wheel: 'nvidia-cublas==13.1.0.3' },
      { soname: 'libcurand.so.10', what: 'cuRAND (CUDA 13)', wheel: 'nvidia-curand==10.4.0.35' },
      { soname: 'libcufft.so.12', what: 'cuFFT (CUDA 13)', wheel: 'nvidia-cufft==12.0.0.61' },
      { soname: 'libcudnn.so.9', what: 'cuDNN 9 for CUDA 13', wheel: 'nvidia-cudnn-cu13==9.19.0.56' },
    ],
    libraryFolders: ['nvidia/cu13/lib', 'nvidia/cudnn/lib'],
  },
  12: {
    cuda: 12,
    libraries: [
      DRIVER_LIBRARY,
      { soname: 'libcudart.so.12', what: 'the CUDA 12 runtime', wheel: 'nvidia-cuda-runtime-cu12==12.9.79' },
      { soname: 'libcublas.so.12', what: 'cuBLAS 12', wheel: 'nvidia-cublas-cu12==12.9.1.4' },
      { soname: 'libcublasLt.so.12', what: 'cuBLASLt 12', wheel: 'nvidia-cublas-cu12==12.9.1.4' },
      { soname: 'libcurand.so.10', what: 'cuRAND (CUDA 12)', wheel: 'nvidia-curand-cu12==10.3.10.19' },
      { soname: 'libcufft.so.11', what: 'cuFFT (CUDA 12)', wheel: 'nvidia-cufft-cu12==11.4.1.4' },
      { soname: 'libcudnn.so.9', what: 'cuDNN 9 for CUDA 12', wheel: 'nvidia-cudnn-cu12==9.19.0.56' },
    ],
    libraryFolders: [
      'nvidia/cuda_runtime/lib',
      'nvidia/cublas/lib',
      'nvidia/curand/lib',
      'nvidia/cufft/lib',
      'nvidia/cudnn/lib',
    ],
  },
};

/**
 * The CUDA majors whose pinned provider file `file` is, judged by size first and then SHA-256
 * (computed only when a size matches); empty for any other file. The shared-library file is the
 * same in both builds.
 */
export function pinnedBuildsOf(file: ProviderFile, bytes: number, sha256: () => string): CudaMajor[] {
  const sized = CUDA_MAJORS.filter((major) => PROVIDER_ARCHIVES[major].members[file].bytes === bytes);
  if (sized.length === 0) return [];
  const digest = sha256();
  return sized.filter((major) => PROVIDER_ARCHIVES[major].members[file].sha256 === digest);
}

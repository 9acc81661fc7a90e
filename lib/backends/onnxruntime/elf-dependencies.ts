/**
 * The dynamic-section entries of a shared library that say what the loader will look for:
 * `DT_NEEDED` (the sonames it links) and `DT_RUNPATH`/`DT_RPATH` (where it looks first). Read
 * from the file itself, so the check needs no `ldd` or `readelf` and gives the same answer on a
 * machine without a GPU.
 *
 * @packageDocumentation
 */
import { closeSync, openSync, readSync } from 'node:fs';

/** What a library's dynamic section names. */
export interface ElfDependencies {
  /** The sonames of `DT_NEEDED`, in file order. */
  needed: string[];
  /** The folders of `DT_RUNPATH` (or of `DT_RPATH` when there is no RUNPATH), unexpanded. */
  runpath: string[];
}

/** ELF constants used here (see the System V gABI). */
const ELF_MAGIC = 0x464c457f; // "\x7fELF" read little-endian
const ELFCLASS64 = 2;
const ELFDATA2LSB = 1;
const SHT_DYNAMIC = 6;
const DT_NULL = 0;
const DT_NEEDED = 1;
const DT_RPATH = 15;
const DT_RUNPATH = 29;

/** Thrown for a file that is not a 64-bit little-endian ELF object with a dynamic section. */
export class NotElfError extends Error {}

/** Reads `length` bytes at `offset` (fewer at the end of the file). */
type ReadAt = (offset: number, length: number) => Buffer;

function cString(read: ReadAt, offset: number): string {
  // Sonames and runpaths are short; 4 KiB bounds a malformed, unterminated string.
  const bytes = read(offset, 4096);
  const end = bytes.indexOf(0);
  return bytes.toString('utf8', 0, end < 0 ? bytes.length : end);
}

/** Parses the dependencies of an ELF object through `read` (64-bit little-endian targets, e.g. x86-64). */
function parseWith(read: ReadAt): ElfDependencies {
  const header = read(0, 64);
  if (header.length < 64 || header.readUInt32LE(0) !== ELF_MAGIC) throw new NotElfError('not an ELF file');
  if (header[4] !== ELFCLASS64 || header[5] !== ELFDATA2LSB)
    throw new NotElfError('not a 64-bit little-endian ELF file');
  const sectionTable = Number(header.readBigUInt64LE(0x28));
  const sectionSize = header.readUInt16LE(0x3a);
  const sectionCount = header.readUInt16LE(0x3c);
  const section = (index: number): { type: number; offset: number; size: number; link: number } => {
    const entry = read(sectionTable + index * sectionSize, 64);
    if (entry.length < 64) throw new NotElfError('truncated ELF section table');
    return {
      type: entry.readUInt32LE(4),
      offset: Number(entry.readBigUInt64LE(0x18)),
      size: Number(entry.readBigUInt64LE(0x20)),
      link: entry.readUInt32LE(0x28),
    };
  };
  for (let index = 0; index < sectionCount; index++) {
    const dynamic = section(index);
    if (dynamic.type !== SHT_DYNAMIC) continue;
    const strings = section(dynamic.link);
    const entries = read(dynamic.offset, dynamic.size);
    const needed: string[] = [];
    let runpath: string[] | undefined;
    let rpath: string[] | undefined;
    for (let at = 0; at + 16 <= entries.length; at += 16) {
      const tag = Number(entries.readBigInt64LE(at));
      if (tag === DT_NULL) break;
      const value = Number(entries.readBigUInt64LE(at + 8));
      if (tag === DT_NEEDED) needed.push(cString(read, strings.offset + value));
      else if (tag === DT_RUNPATH) runpath = cString(read, strings.offset + value).split(':');
      else if (tag === DT_RPATH) rpath = cString(read, strings.offset + value).split(':');
    }
    return { needed, runpath: (runpath ?? rpath ?? []).filter((dir) => dir !== '') };
  }
  throw new NotElfError('ELF file without a dynamic section (not a shared library)');
}

/** Parses the dependencies out of an ELF file's bytes. */
export function parseElfDependencies(bytes: Buffer): ElfDependencies {
  return parseWith((offset, length) => bytes.subarray(offset, offset + length));
}

/**
 * Reads the dependencies of the ELF file at `path`, reading only its headers and dynamic section
 * (a CUDA provider is hundreds of megabytes).
 */
export function readElfDependencies(path: string): ElfDependencies {
  const fd = openSync(path, 'r');
  try {
    return parseWith((offset, length) => {
      const buffer = Buffer.alloc(length);
      const got = readSync(fd, buffer, 0, length, offset);
      return buffer.subarray(0, got);
    });
  } finally {
    closeSync(fd);
  }
}

/**
 * Extracts named entries from a zip file (a Maven jar), streaming each one to disk: the CUDA 12
 * provider is a 583 MB entry of a 642 MB jar, and `unzip` is not on every machine that has Java.
 * Covers stored and deflated entries of a classic (non-zip64) archive, which is what jar tools write
 * for files under 4 GiB.
 *
 * @packageDocumentation
 */
import { closeSync, createReadStream, createWriteStream, fstatSync, openSync, readSync, writeFileSync } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { createInflateRaw } from 'node:zlib';

/** A zip that cannot be read here; the message says why. */
export class ZipFormatError extends Error {}

const END_OF_CENTRAL_DIRECTORY = 0x06054b50;
const CENTRAL_FILE_HEADER = 0x02014b50;
const LOCAL_FILE_HEADER = 0x04034b50;
const STORED = 0;
const DEFLATED = 8;
/** The end record is 22 bytes plus a comment of at most 65535. */
const END_SEARCH_BYTES = 22 + 0xffff;
/** A 32-bit field holding this means the real value is in a zip64 record. */
const ZIP64_MARK = 0xffffffff;

interface Entry {
  method: number;
  compressedSize: number;
  localHeader: number;
}

function readAt(fd: number, offset: number, length: number): Buffer {
  const buffer = Buffer.alloc(length);
  const got = readSync(fd, buffer, 0, length, offset);
  return buffer.subarray(0, got);
}

function centralDirectory(fd: number, fileSize: number): Map<string, Entry> {
  const tailStart = Math.max(0, fileSize - END_SEARCH_BYTES);
  const tail = readAt(fd, tailStart, fileSize - tailStart);
  let end = -1;
  for (let at = tail.length - 22; at >= 0; at--) {
    if (tail.readUInt32LE(at) === END_OF_CENTRAL_DIRECTORY) {
      end = at;
      break;
    }
  }
  if (end < 0) throw new ZipFormatError('no zip end-of-central-directory record (not a zip or jar file, or truncated)');
  const size = tail.readUInt32LE(end + 12);
  const offset = tail.readUInt32LE(end + 16);
  if (size === ZIP64_MARK || offset === ZIP64_MARK) throw new ZipFormatError('zip64 archives are not supported');
  const directory = readAt(fd, offset, size);
  const entries = new Map<string, Entry>();
  for (let at = 0; at + 46 <= directory.length;) {
    if (directory.readUInt32LE(at) !== CENTRAL_FILE_HEADER) throw new ZipFormatError('corrupt zip central directory');
    const nameLength = directory.readUInt16LE(at + 28);
    const extraLength = directory.readUInt16LE(at + 30);
    const commentLength = directory.readUInt16LE(at + 32);
    const name = directory.toString('utf8', at + 46, at + 46 + nameLength);
    entries.set(name, {
      method: directory.readUInt16LE(at + 10),
      compressedSize: directory.readUInt32LE(at + 20),
      localHeader: directory.readUInt32LE(at + 42),
    });
    at += 46 + nameLength + extraLength + commentLength;
  }
  return entries;
}

/**
 * Writes each entry named in `targets` (entry name → destination path) of the zip at `zipPath`.
 * Throws {@link ZipFormatError} for an entry that is absent or stored in a way not covered here.
 */
export async function extractZipEntries(zipPath: string, targets: Readonly<Record<string, string>>): Promise<void> {
  const fd = openSync(zipPath, 'r');
  const jobs: Array<{ start: number; entry: Entry; destination: string }> = [];
  try {
    const entries = centralDirectory(fd, fstatSync(fd).size);
    for (const [name, destination] of Object.entries(targets)) {
      const entry = entries.get(name);
      if (!entry) throw new ZipFormatError(`${name} is not in the archive`);
      if (entry.method !== STORED && entry.method !== DEFLATED)
        throw new ZipFormatError(
          `${name} uses zip compression method ${entry.method} (only stored and deflated are read)`,
        );
      if (entry.compressedSize === ZIP64_MARK || entry.localHeader === ZIP64_MARK)
        throw new ZipFormatError(`${name} is a zip64 entry, which is not supported`);
      const local = readAt(fd, entry.localHeader, 30);
      if (local.length < 30 || local.readUInt32LE(0) !== LOCAL_FILE_HEADER)
        throw new ZipFormatError(`corrupt local header of ${name}`);
      const start = entry.localHeader + 30 + local.readUInt16LE(26) + local.readUInt16LE(28);
      jobs.push({ start, entry, destination });
    }
  } finally {
    closeSync(fd);
  }
  for (const { start, entry, destination } of jobs) {
    if (entry.compressedSize === 0) {
      writeFileSync(destination, '');
      continue;
    }
    const source = createReadStream(zipPath, { start, end: start + entry.compressedSize - 1 });
    if (entry.method === STORED) await pipeline(source, createWriteStream(destination));
    else await pipeline(source, createInflateRaw(), createWriteStream(destination));
  }
}

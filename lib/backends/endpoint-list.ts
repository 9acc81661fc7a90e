/**
 * The endpoints a multi-node run drives: `--endpoint` flags, or an `--endpoints` file with one
 * server per line. A line is a URL, optionally followed by `concurrency=N` (the most requests
 * that server gets at once) and `weight=W` (its share relative to the others when they are
 * equally busy); `#` starts a comment, and blank lines are skipped:
 *
 * ```
 * # two A30 nodes, the second one with twice the batch
 * http://node1:8000  concurrency=64
 * http://node2:8000  concurrency=128 weight=2
 * ```
 *
 * @packageDocumentation
 */
import { readFileSync } from 'node:fs';
import { CodedError } from '../errors.js';

/** One server of a run, as the user listed it. */
export interface EndpointSpec {
  /** The server's base URL, e.g. `http://node1:8000`. */
  readonly url: string;
  /** The most requests this server gets at once; default the list's default. */
  readonly maxConcurrency?: number;
  /** Its share when servers are equally busy (2: twice the requests of a 1). Default 1. */
  readonly weight?: number;
}

/**
 * Parses the text of an endpoints file; `source` names it in errors (ERR_ENDPOINT_LIST, with the
 * line number).
 */
export function parseEndpointList(text: string, source: string): EndpointSpec[] {
  const specs: EndpointSpec[] = [];
  const seen = new Map<string, number>();
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = index + 1;
    const content = raw.replace(/#.*$/, '').trim();
    if (content.length === 0) return;
    const [url, ...fields] = content.split(/\s+/);
    const where = `${source} line ${line}`;
    if (url!.includes('=')) {
      throw listError(
        `${where}: "${url}" is not a URL; a line starts with the server's address, e.g. http://node1:8000`,
      );
    }
    let spec: { url: string; maxConcurrency?: number; weight?: number } = { url: url! };
    for (const field of fields) spec = { ...spec, ...parseField(field, where) };
    const key = url!.replace(/\/+$/, '');
    const before = seen.get(key);
    if (before !== undefined) {
      throw listError(`${where}: ${url} is listed twice (also line ${before}); list each server once`);
    }
    seen.set(key, line);
    specs.push(spec);
  });
  if (specs.length === 0) {
    throw listError(`${source} lists no endpoint; write one server URL per line, e.g. http://node1:8000`);
  }
  return specs;
}

/** Reads an endpoints file (see the module's description). */
export function readEndpointList(path: string): EndpointSpec[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new CodedError(
      'ERR_ENDPOINT_LIST',
      `cannot read the endpoints file ${path} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}); check --endpoints`,
      { cause: error },
    );
  }
  return parseEndpointList(text, path);
}

function parseField(field: string, where: string): { maxConcurrency?: number; weight?: number } {
  const match = /^([a-z-]+)=(.*)$/.exec(field);
  const name = match?.[1];
  const value = match?.[2] ?? '';
  if (name === 'concurrency' || name === 'max-concurrency') {
    const n = Number(value);
    if (!/^\d+$/.test(value) || n < 1) {
      throw listError(`${where}: "${field}" needs a positive integer, e.g. concurrency=64`);
    }
    return { maxConcurrency: n };
  }
  if (name === 'weight') {
    const w = Number(value);
    if (value.length === 0 || !Number.isFinite(w) || w <= 0) {
      throw listError(`${where}: "${field}" needs a positive number, e.g. weight=2`);
    }
    return { weight: w };
  }
  throw listError(
    `${where}: unknown field "${field}"; after the URL a line may have concurrency=N and weight=W (# starts a comment)`,
  );
}

function listError(message: string): CodedError {
  return new CodedError('ERR_ENDPOINT_LIST', message);
}

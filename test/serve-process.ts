// `mlperf-llm serve` as a child process, the way a cluster starts one per node: it is ready
// when it prints its ready line, which names the URL (port 0 picks a free one).
import { spawn, type ChildProcessByStdio } from 'node:child_process';
import { createServer } from 'node:net';
import type { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';

export const CLI = fileURLToPath(new URL('../lib/cli/main.js', import.meta.url));

/** A running serve process. */
export interface ServeProcess {
  readonly url: string;
  readonly child: ChildProcessByStdio<null, Readable, Readable>;
  /** Everything it wrote to stderr so far. */
  stderr(): string;
  /** Resolves with its exit code (or signal name) once it has exited. */
  readonly exited: Promise<number | string>;
}

/** Starts `mlperf-llm serve <args>` and resolves once it prints its ready line. */
export function startServe(args: readonly string[]): Promise<ServeProcess> {
  const child = spawn(process.execPath, [CLI, 'serve', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
  const exited = new Promise<number | string>((resolve) =>
    child.once('exit', (code, signal) => resolve(code ?? signal ?? -1)),
  );
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const match = /^mlperf-llm serve: ready at (http:\/\/\S+)$/m.exec(out);
      if (match) resolve({ url: match[1]!, child, stderr: () => err, exited });
    });
    void exited.then((code) => reject(new Error(`serve exited with ${code} before it was ready: ${err}`)));
  });
}

/** A loopback port nothing listens on now (one just released). */
export async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as { port: number };
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

/** Kills a serve process (if it still runs) and waits for it to be gone. */
export async function stopServe(serve: ServeProcess, signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
  if (serve.child.exitCode === null && serve.child.signalCode === null) serve.child.kill(signal);
  await serve.exited;
}

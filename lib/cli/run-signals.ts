/**
 * Ctrl-C and SIGTERM during `mlperf-llm run`. SIGTERM (what Slurm and Kubernetes send) acts
 * like the first Ctrl-C: the run ends early, LoadGen finishes its logs, result.json records the
 * abort and the exit code says which signal it was (130 or 143). Later signals do not cut the
 * logs short: they say again how long the end still takes. Only SIGKILL ends the process at once.
 *
 * @packageDocumentation
 */
import type { RunningBenchmark } from '../llm/harness.js';
import { EXIT_CODES } from './exit-codes.js';

/** The signals a run ends early on. */
const SIGNALS: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM'];

/** Signal handling of one `run` command, from its start to its end. */
export class RunSignals {
  readonly #controller = new AbortController();
  readonly #say: (text: string) => void;
  #run: RunningBenchmark | undefined;
  #runEnded = false;
  #stoppedBy: NodeJS.Signals | undefined;
  #stoppedAt = 0;
  readonly #onSignal = (signal: NodeJS.Signals): void => this.#handle(signal);

  /** `say` prints one line for the user (on stderr). */
  constructor(say: (text: string) => void) {
    this.#say = say;
  }

  /** Aborted at the first signal: the run's AbortSignal. */
  get signal(): AbortSignal {
    return this.#controller.signal;
  }

  /** The first signal received, if any. */
  get stoppedBy(): NodeJS.Signals | undefined {
    return this.#stoppedBy;
  }

  install(): void {
    for (const name of SIGNALS) process.on(name, this.#onSignal);
  }

  uninstall(): void {
    for (const name of SIGNALS) process.removeListener(name, this.#onSignal);
  }

  /** LoadGen's test has started: from now on a signal is answered with how long the end takes. */
  running(run: RunningBenchmark): void {
    this.#run = run;
  }

  /** LoadGen's test has ended (scoring or shutting the backend down may follow). */
  runEnded(): void {
    this.#runEnded = true;
    this.#run = undefined;
  }

  /** The exit code of a run ended by the first signal. */
  exitCode(): number {
    return this.#stoppedBy === 'SIGTERM' ? EXIT_CODES.terminated : EXIT_CODES.interrupted;
  }

  /** The first signal, as the user knows it. */
  describe(): string {
    return this.#stoppedBy === 'SIGINT' ? 'Ctrl-C' : (this.#stoppedBy ?? 'no signal');
  }

  /** Seconds since the first signal. */
  secondsSinceStop(): number {
    return (performance.now() - this.#stoppedAt) / 1000;
  }

  #handle(signal: NodeJS.Signals): void {
    const name = signal === 'SIGINT' ? 'Ctrl-C' : signal;
    const kill = `kill -9 ${process.pid} would end it at once, with incomplete logs`;
    if (this.#stoppedBy !== undefined) {
      const estimate = this.#run?.estimateEarlyEnd();
      this.#say(
        estimate
          ? `mlperf-llm: ${name} again: still ending the run, about ${estimate.seconds} s more (` +
              `${estimate.followsSchedule ? 'LoadGen follows its Server schedule to the end' : 'LoadGen writes its logs'}` +
              `); please wait for complete logs. ${kill}`
          : `mlperf-llm: ${name} again: still stopping; please wait. ${kill}`,
      );
      return;
    }
    this.#stoppedBy = signal;
    this.#stoppedAt = performance.now();
    this.#controller.abort(new Error(signal === 'SIGINT' ? 'interrupted (Ctrl-C)' : `stopped by ${signal}`));
    if (this.#run) {
      this.#say(`\nmlperf-llm: ${name}: ending the run early. ${this.#run.estimateEarlyEnd().message}.`);
    } else if (this.#runEnded) {
      this.#say(`\nmlperf-llm: ${name}: the run has ended already; finishing up`);
    } else {
      this.#say(`\nmlperf-llm: ${name}: stopping; the run will not start`);
    }
  }
}

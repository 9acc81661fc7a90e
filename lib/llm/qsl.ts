/**
 * The query sample library over a CNN-DailyMail dataset: LoadGen asks it to load a set of
 * samples before issuing them and to unload them afterwards; loaded prompts are Int32Arrays and
 * unloading drops them.
 *
 * @packageDocumentation
 */
import type { QuerySampleLibrary } from '../loadgen/run-test.js';
import type { Dataset } from './dataset.js';

/** The prompts LoadGen has loaded, by sample index. */
export class DatasetQsl implements QuerySampleLibrary {
  readonly name = 'CnnDailyMailQSL';
  readonly totalSampleCount: number;
  readonly performanceSampleCount: number;
  readonly #dataset: Dataset;
  readonly #loaded = new Map<number, Int32Array>();

  /**
   * @param dataset - the samples
   * @param totalSampleCount - how many of them to use (the first N); default all
   */
  constructor(dataset: Dataset, totalSampleCount = dataset.size) {
    this.#dataset = dataset;
    this.totalSampleCount = Math.min(totalSampleCount, dataset.size);
    this.performanceSampleCount = this.totalSampleCount;
  }

  loadSamplesToRam(indices: Uint32Array): void {
    for (const index of indices) this.#loaded.set(index, this.#dataset.prompt(index));
  }

  unloadSamplesFromRam(indices: Uint32Array): void {
    for (const index of indices) this.#loaded.delete(index);
  }

  /** The loaded prompt of a sample; LoadGen only issues loaded samples. */
  prompt(index: number): Int32Array {
    const prompt = this.#loaded.get(index);
    if (prompt === undefined) throw new Error(`sample ${index} was issued before LoadGen loaded it`);
    return prompt;
  }
}

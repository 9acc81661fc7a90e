/**
 * The shape of a Llama-3.1-style decoder (the fields of a Llama `config.json` that the forward
 * pass depends on) and the rotary frequencies it implies.
 *
 * @packageDocumentation
 */

/** Llama 3.1's rotary frequency rescaling (`rope_scaling` with `rope_type: "llama3"`). */
export interface Llama3RopeScaling {
  factor: number;
  lowFreqFactor: number;
  highFreqFactor: number;
  originalMaxPositionEmbeddings: number;
}

/** Architecture hyper-parameters of a Llama decoder. */
export interface LlamaArchitecture {
  vocabSize: number;
  hiddenSize: number;
  intermediateSize: number;
  numHiddenLayers: number;
  numAttentionHeads: number;
  numKeyValueHeads: number;
  headSize: number;
  rmsNormEps: number;
  ropeTheta: number;
  ropeScaling: Llama3RopeScaling | null;
  /** Longest sequence (prompt + generated) the model is meant for. */
  contextLength: number;
  /** The LM head reuses the token embedding matrix (transposed). */
  tieWordEmbeddings: boolean;
  bosTokenId: number;
  eosTokenIds: readonly number[];
  padTokenId: number;
}

/**
 * The rotary inverse frequencies θ^(-2i/d), i < d/2, rescaled the way Llama 3.1 does: long
 * wavelengths divided by `factor`, short ones kept, a smooth blend in between. Rounded to float32,
 * as the ONNX graph holds them.
 */
export function ropeInverseFrequencies(arch: LlamaArchitecture): Float32Array {
  const half = arch.headSize / 2;
  const out = new Float32Array(half);
  for (let i = 0; i < half; i++) {
    let frequency = 1 / arch.ropeTheta ** ((2 * i) / arch.headSize);
    const scaling = arch.ropeScaling;
    if (scaling !== null) {
      const wavelength = (2 * Math.PI) / frequency;
      const lowFreqWavelength = scaling.originalMaxPositionEmbeddings / scaling.lowFreqFactor;
      const highFreqWavelength = scaling.originalMaxPositionEmbeddings / scaling.highFreqFactor;
      if (wavelength > lowFreqWavelength) {
        frequency /= scaling.factor;
      } else if (wavelength >= highFreqWavelength) {
        const smooth =
          (scaling.originalMaxPositionEmbeddings / wavelength - scaling.lowFreqFactor) /
          (scaling.highFreqFactor - scaling.lowFreqFactor);
        frequency = (1 - smooth) * (frequency / scaling.factor) + smooth * frequency;
      }
    }
    out[i] = frequency;
  }
  return out;
}

// The two runs the engine makes, with their inputs bound to the KV cache in place:
//
// - Prefill: one request's whole prompt as batch 1 into its slot (a [1, kv_heads, max_length,
//   head_size] view of every layer's buffers), right-padded to a multiple of `prefill_bucket`
//   tokens (at most max_length). attention_mask is `length` ones then zeros, so the model's
//   seqlens_k is length − 1 and total_sequence_length is the padded width: GroupQueryAttention's
//   first-prompt case. Attention is causal, so the real tokens never see the padding; the
//   padding's keys and values land at positions ≥ length, which decode steps overwrite before
//   they read them; the first token is the arg-max at position length − 1. Why pad: ONNX Runtime's
//   CUDA provider pays ~50–100 ms the first time it meets a sequence length (measured on the
//   H200: 44 ms per 800-token prefill over varied lengths against 24 ms over one length), so a
//   few widths serve every prompt.
// - Decode: one token for each of the rows [0, n), over the slot prefix [0, n). Row r's mask is
//   len_r + 1 ones, right-padded with zeros to W = max len + 1. GroupQueryAttention reads only the
//   sum of a row (seqlens_k = len_r, past length len_r), so the token takes position len_r and its
//   key and value are written there, in the shared buffer. An idle row gets a one-token mask: it
//   writes position 0 of its own free slot and its token is ignored.
// - Decode with CUDA graphs (`cuda_graph`): the same step, with ids, mask and logits in fixed
//   device buffers (StaticInputs), the mask max_length wide and the rows rounded up to a bucket
//   (the extra rows are idle); each bucket is captured once and replayed after. Prefill is never
//   captured: its shape changes with every prompt.
//
// All end with the arg-max session on the logits: only token ids come back.
#ifndef LOADGEN_NODE_ENGINE_STEP_RUNNER_H_
#define LOADGEN_NODE_ENGINE_STEP_RUNNER_H_

#include <cstdint>
#include <map>
#include <memory>
#include <vector>

#include "argmax_session.h"
#include "decoder_model.h"
#include "kv_cache.h"
#include "ort_api.h"
#include "static_inputs.h"

namespace loadgen_node {

class StepRunner {
 public:
  /// With `cuda_graph`, decode steps run as CUDA graphs (the decoder's session must have been
  /// created with graphs enabled). Throws Ort::Exception when the fixed buffers do not fit.
  StepRunner(DecoderModel& decoder, KvCache& cache, ArgmaxSession& argmax, bool cuda_graph, int prefill_bucket);

  /// Runs `length` prompt tokens into slot `slot` (empty before); returns the first new token.
  int32_t Prefill(int slot, const int32_t* prompt, int length);

  /// One decode step over rows [0, rows). `tokens[r]` is fed after `lengths[r]` cached tokens;
  /// a negative length marks an idle row. Returns one token per row, valid until the next call.
  const int64_t* Decode(int rows, const int32_t* tokens, const int* lengths);

  /// Prefills one token into slot 0 and checks that every present output came back in the very
  /// buffer bound as its past: the model appends in place (GroupQueryAttention's shared-buffer
  /// mode). Throws EngineError (ERR_BACKEND_MODEL) when it does not. Also warms the kernels up.
  void CheckSharedBuffers();

 private:
  /// Binds `ids` and `mask`, the KV view of slots [first, first + rows) and the logits (`logits`,
  /// or wherever the decoder puts them when null), runs the decoder and returns the arg-max of
  /// each row's last position, or of position `position` (one row only) when it is not negative.
  const int64_t* Run(int first, int rows, Ort::Value ids, Ort::Value mask, const Ort::Value* logits,
                     const Ort::RunOptions& options, bool check_shared = false, int position = -1);
  /// ids [rows, length] and mask [rows, width] from the host scratch buffers, not captured.
  const int64_t* RunFromHost(int first, int rows, int length, int width, bool check_shared = false, int position = -1);
  const Ort::RunOptions& GraphRun(int rows);
  void PutId(size_t index, int64_t value);
  void PutMask(size_t index, int64_t value);

  DecoderModel& decoder_;
  KvCache& cache_;
  ArgmaxSession& argmax_;
  const int prefill_bucket_;
  Ort::MemoryInfo host_;
  std::unique_ptr<Ort::IoBinding> binding_;
  // Host scratch for input_ids and attention_mask in the model's integer type.
  std::vector<int64_t> ids64_, mask64_;
  std::vector<int32_t> ids32_, mask32_;
  // CUDA graphs only: the fixed buffers, and run options naming each bucket's graph.
  std::unique_ptr<StaticInputs> static_inputs_;
  Ort::RunOptions uncaptured_;
  std::map<int, Ort::RunOptions> graph_runs_;
};

}  // namespace loadgen_node

#endif  // LOADGEN_NODE_ENGINE_STEP_RUNNER_H_

#include "step_runner.h"

#include <algorithm>
#include <string>
#include <utility>

#include "element_type.h"
#include "engine_error.h"

namespace loadgen_node {

namespace {

// ONNX Runtime's run-option key naming the CUDA graph a run captures or replays; -1: none.
constexpr const char* kGraphIdKey = "gpu_graph_id";

}  // namespace

StepRunner::StepRunner(DecoderModel& decoder, KvCache& cache, ArgmaxSession& argmax, bool cuda_graph,
                       int prefill_bucket)
    : decoder_(decoder),
      cache_(cache),
      argmax_(argmax),
      prefill_bucket_(std::max(1, prefill_bucket)),
      host_(Ort::MemoryInfo::CreateCpu(OrtDeviceAllocator, OrtMemTypeDefault)),
      binding_(new Ort::IoBinding(decoder.session())) {
  if (!cuda_graph) return;
  StaticInputsShape shape;
  shape.slots = cache.shape().slots;
  shape.max_length = cache.shape().max_length;
  shape.vocab_size = decoder.spec().vocab_size;
  shape.ids_type = decoder.ids_type();
  shape.mask_type = decoder.mask_type();
  shape.logits_type = decoder.logits_type();
  static_inputs_.reset(new StaticInputs(decoder.session(), decoder.kv_memory(), shape));
  uncaptured_.AddConfigEntry(kGraphIdKey, "-1");
}

const Ort::RunOptions& StepRunner::GraphRun(int rows) {
  auto found = graph_runs_.find(rows);
  if (found != graph_runs_.end()) return found->second;
  Ort::RunOptions& options = graph_runs_[rows];
  // Graph ids are the bucket sizes: one graph per shape.
  options.AddConfigEntry(kGraphIdKey, std::to_string(rows).c_str());
  return options;
}

void StepRunner::PutId(size_t index, int64_t value) {
  if (decoder_.ids_type() == ONNX_TENSOR_ELEMENT_DATA_TYPE_INT64) {
    ids64_[index] = value;
  } else {
    ids32_[index] = static_cast<int32_t>(value);
  }
}

void StepRunner::PutMask(size_t index, int64_t value) {
  if (decoder_.mask_type() == ONNX_TENSOR_ELEMENT_DATA_TYPE_INT64) {
    mask64_[index] = value;
  } else {
    mask32_[index] = static_cast<int32_t>(value);
  }
}

int32_t StepRunner::Prefill(int slot, const int32_t* prompt, int length) {
  const int rounded = (length + prefill_bucket_ - 1) / prefill_bucket_ * prefill_bucket_;
  const int width = std::max(length, std::min(rounded, cache_.shape().max_length));
  const size_t count = static_cast<size_t>(width);
  ids64_.assign(count, 0);
  ids32_.assign(count, 0);
  mask64_.assign(count, 0);
  mask32_.assign(count, 0);
  for (int i = 0; i < width; ++i) {
    // The padding repeats the last token: any id in the vocabulary would do.
    PutId(static_cast<size_t>(i), prompt[std::min(i, length - 1)]);
    PutMask(static_cast<size_t>(i), i < length ? 1 : 0);
  }
  return static_cast<int32_t>(RunFromHost(slot, 1, width, width, false, length - 1)[0]);
}

const int64_t* StepRunner::Decode(int rows, const int32_t* tokens, const int* lengths) {
  if (static_inputs_) {
    const int bucket = static_inputs_->Bucket(rows);
    static_inputs_->Upload(rows, bucket, tokens, lengths);
    Ort::Value logits = static_inputs_->Logits(bucket);
    return Run(0, bucket, static_inputs_->Ids(bucket), static_inputs_->Mask(bucket), &logits, GraphRun(bucket));
  }
  int longest = 0;
  for (int r = 0; r < rows; ++r) longest = std::max(longest, lengths[r]);
  const int width = longest + 1;
  const size_t cells = static_cast<size_t>(rows) * width;
  ids64_.assign(rows, 0);
  ids32_.assign(rows, 0);
  mask64_.assign(cells, 0);
  mask32_.assign(cells, 0);
  for (int r = 0; r < rows; ++r) {
    const bool idle = lengths[r] < 0;
    PutId(r, idle ? 0 : tokens[r]);
    const int ones = idle ? 1 : lengths[r] + 1;
    for (int i = 0; i < ones; ++i) PutMask(static_cast<size_t>(r) * width + i, 1);
  }
  return RunFromHost(0, rows, 1, width);
}

void StepRunner::CheckSharedBuffers() {
  ids64_.assign(1, 0);
  ids32_.assign(1, 0);
  mask64_.assign(1, 1);
  mask32_.assign(1, 1);
  RunFromHost(0, 1, 1, 1, true);
}

const int64_t* StepRunner::RunFromHost(int first, int rows, int length, int width, bool check_shared, int position) {
  const bool ids64 = decoder_.ids_type() == ONNX_TENSOR_ELEMENT_DATA_TYPE_INT64;
  const bool mask64 = decoder_.mask_type() == ONNX_TENSOR_ELEMENT_DATA_TYPE_INT64;
  const int64_t ids_dims[2] = {rows, length};
  const int64_t mask_dims[2] = {rows, width};
  const size_t ids_count = static_cast<size_t>(rows) * length;
  const size_t mask_count = static_cast<size_t>(rows) * width;
  return Run(first, rows,
             ids64 ? Ort::Value::CreateTensor<int64_t>(host_, ids64_.data(), ids_count, ids_dims, 2)
                   : Ort::Value::CreateTensor<int32_t>(host_, ids32_.data(), ids_count, ids_dims, 2),
             mask64 ? Ort::Value::CreateTensor<int64_t>(host_, mask64_.data(), mask_count, mask_dims, 2)
                    : Ort::Value::CreateTensor<int32_t>(host_, mask32_.data(), mask_count, mask_dims, 2),
             nullptr, uncaptured_, check_shared, position);
}

const int64_t* StepRunner::Run(int first, int rows, Ort::Value ids, Ort::Value mask, const Ort::Value* logits,
                               const Ort::RunOptions& options, bool check_shared, int position) {
  const auto& names = decoder_.spec().names;
  Ort::IoBinding& binding = *binding_;
  binding.ClearBoundInputs();
  binding.ClearBoundOutputs();
  binding.BindInput(names.input_ids.c_str(), ids);
  binding.BindInput(names.attention_mask.c_str(), mask);
  // Logits first: GetOutputValues returns outputs in binding order. Left on the device either
  // way: the arg-max session reads them there.
  if (logits != nullptr) {
    binding.BindOutput(names.logits.c_str(), *logits);
  } else {
    binding.BindOutput(names.logits.c_str(), decoder_.logits_memory());
  }
  for (int l = 0; l < cache_.shape().layers; ++l) {
    // The same tensor as past input and present output: GroupQueryAttention's shared buffer.
    Ort::Value key = cache_.KeyView(l, first, rows);
    Ort::Value value = cache_.ValueView(l, first, rows);
    binding.BindInput(decoder_.past_key(l).c_str(), key);
    binding.BindInput(decoder_.past_value(l).c_str(), value);
    binding.BindOutput(decoder_.present_key(l).c_str(), key);
    binding.BindOutput(decoder_.present_value(l).c_str(), value);
  }
  decoder_.session().Run(options, binding);
  std::vector<Ort::Value> outputs = binding.GetOutputValues();
  if (check_shared) {
    for (int l = 0; l < cache_.shape().layers; ++l) {
      const std::pair<const std::string*, const void*> bound[2] = {
          {&decoder_.present_key(l), cache_.KeyView(l, first, rows).GetTensorRawData()},
          {&decoder_.present_value(l), cache_.ValueView(l, first, rows).GetTensorRawData()}};
      for (int kv = 0; kv < 2; ++kv) {
        if (outputs[1 + 2 * l + kv].GetTensorRawData() == bound[kv].second) continue;
        throw EngineError(kErrModel, decoder_.spec().model_path + ": output " + *bound[kv].first +
                                         " was not written into the buffer bound as its past input; the engine "
                                         "needs a decoder that appends to its KV cache in place (GroupQueryAttention "
                                         "with past_present_share_buffer, as the onnxruntime-genai model builder "
                                         "exports for -e cuda -p fp16|bf16)");
      }
    }
  }
  const int64_t* tokens;
  const std::vector<int64_t> shape = outputs[0].GetTensorTypeAndShapeInfo().GetShape();
  if (position >= 0 && shape.size() == 3 && position + 1 < shape[1]) {
    // A [1, 1, vocab] view of that position's logits, where they lie.
    const ONNXTensorElementDataType type = decoder_.logits_type();
    const size_t row_bytes = static_cast<size_t>(shape[2]) * ElementSize(type);
    const int64_t dims[3] = {1, 1, shape[2]};
    void* data = static_cast<char*>(outputs[0].GetTensorMutableRawData()) + static_cast<size_t>(position) * row_bytes;
    Ort::Value row = Ort::Value::CreateTensor(outputs[0].GetTensorMemoryInfo(), data, row_bytes, dims, 3, type);
    tokens = argmax_.Run(row, rows);
  } else {
    tokens = argmax_.Run(outputs[0], rows);
  }
  // Let the logits go back to the arena now rather than at the next bind.
  binding.ClearBoundOutputs();
  return tokens;
}

}  // namespace loadgen_node

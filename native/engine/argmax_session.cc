#include "argmax_session.h"

#include "engine_error.h"

namespace loadgen_node {

ArgmaxSession::ArgmaxSession(Ort::Env& env, const std::vector<uint8_t>& model, const SessionSettings& settings,
                             int max_rows)
    : host_(Ort::MemoryInfo::CreateCpu(OrtDeviceAllocator, OrtMemTypeDefault)), tokens_(max_rows) {
  SessionSettings one_thread = settings;
  // One ArgMax over at most [slots, vocab]: not worth a thread pool of its own.
  one_thread.intra_op_threads = 1;
  // Its runs are not captured: a graph-enabled session would need every run at fixed addresses.
  one_thread.cuda_graph = false;
  Ort::SessionOptions options = MakeSessionOptions(one_thread);
  try {
    session_.reset(new Ort::Session(env, model.data(), model.size(), options));
  } catch (const Ort::Exception& error) {
    throw EngineError(kErrFailed, std::string("the engine's arg-max model does not load: ") + error.what() +
                                      " (a bug in lib/backends/engine/argmax-model.ts)");
  }
  binding_.reset(new Ort::IoBinding(*session_));
}

const int64_t* ArgmaxSession::Run(const Ort::Value& logits, int rows) {
  const int64_t dims[2] = {rows, 1};
  binding_->BindInput(kArgmaxInput, logits);
  binding_->BindOutput(kArgmaxOutput,
                       Ort::Value::CreateTensor<int64_t>(host_, tokens_.data(), static_cast<size_t>(rows), dims, 2));
  session_->Run(Ort::RunOptions{nullptr}, *binding_);
  return tokens_.data();
}

}  // namespace loadgen_node

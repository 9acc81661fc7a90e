// The generation engine: one native thread that loads the model, owns every ONNX Runtime
// object and the KV cache, and runs continuous batching over the cache's slots until stopped.
//
// The thread's loop: take new requests and cancellations; prefill waiting requests alone into
// the lowest free slots (each one's first token is published as soon as its prefill ends: that
// is its time to first token); then one decode step over the busy slot prefix, publishing every
// row's token; a request leaves its slot at an end-of-sequence token or at max_new_tokens, and
// the next waiting request takes it. Events are published to an EventLog and the JS thread is
// woken through `wake`, at most one wake-up on its way at a time.
#ifndef LOADGEN_NODE_ENGINE_ENGINE_H_
#define LOADGEN_NODE_ENGINE_ENGINE_H_

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "decoder_model.h"
#include "engine_error.h"
#include "event_log.h"
#include "ort_api.h"
#include "session_settings.h"
#include "slot_table.h"
#include "step_stats.h"

namespace loadgen_node {

class ArgmaxSession;
class KvCache;
class StepRunner;

struct EngineOptions {
  std::string runtime_path;  // libonnxruntime.so.1
  DecoderSpec decoder;
  int attention_heads = 0;  // for the CPU memory estimate; 0 when unknown
  /// Arg-max models by the logits element type they take.
  std::map<ONNXTensorElementDataType, std::vector<uint8_t>> argmax_models;
  SessionSettings session;  // runtime_folder is filled in from runtime_path
  int requested_slots = 1;
  int max_length = 0;
  std::vector<int32_t> eos_token_ids;
  /// Caps the free memory the cache is sized by (0: no cap).
  size_t memory_limit_bytes = 0;
  /// Most prefills between two decode steps (0: as many as slots are free).
  int max_prefills_per_step = 0;
  /// CUDA: run decode steps as captured CUDA graphs (session.cuda_graph follows this).
  bool cuda_graph = false;
  /// Prompts are right-padded to a multiple of this many tokens (1: exact lengths); see StepRunner.
  int prefill_bucket = 64;
};

/// What the engine settled on at start.
struct EngineInfo {
  std::string runtime_version;
  std::string runtime_path;
  int slots = 0;
  int requested_slots = 0;
  int fit_slots = 0;  // what the free memory would hold
  int max_length = 0;
  size_t bytes_per_slot = 0;
  size_t kv_cache_bytes = 0;
  size_t free_bytes = 0;  // device (or host) memory free once the model was loaded
  size_t total_bytes = 0;
  size_t reserve_bytes = 0;
  std::string kv_type;
  std::string logits_type;
  /// Where the KV cache lives: "cuda" when the attention runs on the GPU, "cpu" otherwise (also
  /// on device cuda when the model's attention has no CUDA kernel for its type, e.g. float32).
  std::string kv_location;
  /// Whether decode steps run as CUDA graphs.
  bool cuda_graph = false;
};

class Engine {
 public:
  enum class State { kLoading, kReady, kLoadFailed, kStopped };

  /// What the JS thread takes on a wake-up.
  struct Delivery {
    EventLog events;
    State state = State::kLoading;
  };

  Engine(EngineOptions options, std::function<void()> wake);
  ~Engine();  // joins the thread
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  /// Starts the thread; it loads, then reports kReady (or kLoadFailed and ends).
  void Start();
  /// Stages a request (JS thread). Throws EngineError (ERR_BACKEND_REQUEST) for one the engine
  /// cannot serve, or a handle already in flight.
  void Submit(uint32_t handle, std::vector<int32_t> prompt, int max_new_tokens);
  /// Hands every staged request to the engine thread at once (JS thread), so requests submitted
  /// together are prefilled together before the next decode step.
  void Commit();
  /// Drops a request in flight (reported as kReleased); ignored for one already ended.
  void Cancel(uint32_t handle);
  /// Ends the loop at the next step boundary; the thread then frees everything and reports
  /// kStopped. Requests still in flight get no further events.
  void Stop();
  void Join();

  /// Moves the pending events and the current state into `delivery` (JS thread).
  void Take(Delivery* delivery);
  /// Valid once the state is kReady.
  const EngineInfo& info() const { return info_; }
  /// Run times so far (valid once kReady); `reset` starts counting afresh.
  StepStats::Snapshot Stats(bool reset) { return stats_ ? stats_->Take(reset) : StepStats::Snapshot(); }
  /// Valid once the state is kLoadFailed.
  const EngineError& load_error() const { return *load_error_; }

 private:
  struct Request {
    uint32_t handle;
    std::vector<int32_t> prompt;
    int max_new;
  };

  void ThreadMain();
  void Load();
  void Unload();
  void Loop();
  void Prefill(Request& request);
  void DecodeStep();
  /// Records a token of slot `index`; ends the request on end-of-sequence or max_new.
  void Emit(int index, int32_t token);
  void End(int index, EventKind kind);
  void FailSlot(int index, const char* code, const std::string& message);
  void ApplyCancels(const std::set<uint32_t>& cancels);
  /// Publishes what the loop recorded and wakes JS unless a wake-up is on its way.
  void Publish();
  void SetState(State state);
  std::string RunFailure(const char* what, const std::exception& error) const;
  /// Ends every request in a slot or in the queue with ERR_BACKEND_FAILED.
  void FailAll(const std::string& message);

  EngineOptions options_;
  std::function<void()> wake_;
  std::thread thread_;
  EngineInfo info_;
  std::unique_ptr<EngineError> load_error_;

  // Engine thread only. Destroyed in reverse order: the runner and the cache before the
  // sessions that allocated them, the environment last.
  std::unique_ptr<Ort::Env> env_;
  std::unique_ptr<DecoderModel> decoder_;
  std::unique_ptr<ArgmaxSession> argmax_;
  std::unique_ptr<KvCache> cache_;
  std::unique_ptr<StepRunner> runner_;
  std::unique_ptr<SlotTable> slots_;
  std::unique_ptr<StepStats> stats_;  // made before kReady, read from the JS thread
  std::deque<Request> queue_;
  std::set<int32_t> eos_;
  EventLog staged_;  // recorded during a step, published after it
  std::vector<int32_t> step_tokens_;
  std::vector<int> step_lengths_;

  std::vector<Request> staged_requests_;  // JS thread only, until Commit

  // Shared with the JS thread.
  std::mutex mutex_;
  std::condition_variable wake_loop_;
  std::deque<Request> incoming_;
  std::set<uint32_t> cancels_;
  std::set<uint32_t> live_;  // handles submitted and not yet ended
  EventLog published_;
  State state_ = State::kLoading;
  bool stop_ = false;
  bool wake_pending_ = false;
};

}  // namespace loadgen_node

#endif  // LOADGEN_NODE_ENGINE_ENGINE_H_

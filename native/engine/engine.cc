#include "engine.h"

#include <algorithm>
#include <chrono>
#include <regex>
#include <utility>

#include "argmax_session.h"
#include "cuda_driver.h"
#include "element_type.h"
#include "host_memory.h"
#include "kv_cache.h"
#include "ort_runtime.h"
#include "slot_budget.h"
#include "step_runner.h"

namespace loadgen_node {

namespace {

bool IsOutOfMemory(const std::string& message) {
  static const std::regex pattern("out of memory|failed to allocate|bad_alloc|cudaErrorMemoryAllocation|CUDA failure 2",
                                  std::regex::icase);
  return std::regex_search(message, pattern);
}

uint64_t NanosecondsSince(std::chrono::steady_clock::time_point start) {
  return static_cast<uint64_t>(
      std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() - start).count());
}

std::string Bytes(size_t bytes) {
  const char* units[] = {"bytes", "KiB", "MiB", "GiB", "TiB"};
  double value = static_cast<double>(bytes);
  int unit = 0;
  while (value >= 1024 && unit < 4) {
    value /= 1024;
    ++unit;
  }
  char text[32];
  snprintf(text, sizeof(text), unit == 0 ? "%.0f %s" : "%.2f %s", value, units[unit]);
  return text;
}

}  // namespace

Engine::Engine(EngineOptions options, std::function<void()> wake)
    : options_(std::move(options)), wake_(std::move(wake)) {}

Engine::~Engine() {
  Stop();
  Join();
}

void Engine::Start() { thread_ = std::thread(&Engine::ThreadMain, this); }

void Engine::Join() {
  if (thread_.joinable()) thread_.join();
}

void Engine::Stop() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stop_ = true;
  }
  wake_loop_.notify_all();
}

void Engine::Submit(uint32_t handle, std::vector<int32_t> prompt, int max_new_tokens) {
  const int length = static_cast<int>(prompt.size());
  auto reject = [&](const std::string& why) {
    return EngineError(kErrRequest, "engine: request " + std::to_string(handle) + ": " + why);
  };
  if (length < 1) throw reject("the prompt is empty");
  if (max_new_tokens < 1) throw reject("max_new_tokens must be at least 1");
  if (static_cast<int64_t>(length) + max_new_tokens > info_.max_length) {
    throw reject("the prompt (" + std::to_string(length) + " tokens) plus max_new_tokens (" +
                 std::to_string(max_new_tokens) + ") exceeds the engine's max_length " +
                 std::to_string(info_.max_length) + "; create the engine with a larger maxLength");
  }
  for (int32_t token : prompt) {
    if (token < 0 || token >= options_.decoder.vocab_size) {
      throw reject("token id " + std::to_string(token) + " is outside the vocabulary (0.." +
                   std::to_string(options_.decoder.vocab_size - 1) + ")");
    }
  }
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (state_ != State::kReady || stop_) throw EngineError(kErrUnavailable, "engine: it is closed");
    if (!live_.insert(handle).second) throw reject("its handle is already in flight");
  }
  staged_requests_.push_back(Request{handle, std::move(prompt), max_new_tokens});
}

void Engine::Commit() {
  if (staged_requests_.empty()) return;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    for (Request& request : staged_requests_) incoming_.push_back(std::move(request));
  }
  staged_requests_.clear();
  wake_loop_.notify_all();
}

void Engine::Cancel(uint32_t handle) {
  // A request still staged reaches the queue first, and the loop applies cancellations after
  // taking new requests, so it is released from there.
  Commit();
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (!live_.count(handle)) return;
    cancels_.insert(handle);
  }
  wake_loop_.notify_all();
}

void Engine::Take(Delivery* delivery) {
  std::lock_guard<std::mutex> lock(mutex_);
  wake_pending_ = false;
  std::swap(delivery->events, published_);
  published_.clear();
  delivery->state = state_;
}

void Engine::Publish() {
  bool wake = false;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (!staged_.empty()) {
      // Tokens first recorded are ended handles' too: drop them from the live set now, so JS may
      // reuse a handle as soon as it has seen its last record.
      const auto& records = staged_.records;
      for (size_t i = 0; i + 2 < records.size(); i += 3 + records[i + 2]) {
        if (static_cast<EventKind>(records[i + 1]) != EventKind::kTokens)
          live_.erase(static_cast<uint32_t>(records[i]));
      }
      published_.records.insert(published_.records.end(), records.begin(), records.end());
      // Failure records index the message list: shift them past what is already published.
      const int32_t shift = static_cast<int32_t>(published_.messages.size() / 2);
      for (size_t i = published_.records.size() - records.size(); i + 2 < published_.records.size();
           i += 3 + published_.records[i + 2]) {
        if (static_cast<EventKind>(published_.records[i + 1]) == EventKind::kFailed) published_.records[i + 3] += shift;
      }
      published_.messages.insert(published_.messages.end(), staged_.messages.begin(), staged_.messages.end());
      staged_.clear();
    }
    if (!published_.empty() && !wake_pending_) wake = wake_pending_ = true;
  }
  if (wake) wake_();
}

void Engine::SetState(State state) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    state_ = state;
    wake_pending_ = true;
  }
  wake_();
}

// ---------------------------------------------------------------------------------------------
// The engine thread

void Engine::ThreadMain() {
  try {
    Load();
  } catch (const EngineError& error) {
    load_error_.reset(new EngineError(error));
  } catch (const Ort::Exception& error) {
    load_error_.reset(new EngineError(kErrFailed, std::string("engine: loading failed: ") + error.what()));
  } catch (const std::exception& error) {
    load_error_.reset(new EngineError(kErrFailed, std::string("engine: loading failed: ") + error.what()));
  }
  if (load_error_) {
    Unload();
    SetState(State::kLoadFailed);
    return;
  }
  SetState(State::kReady);
  try {
    Loop();
  } catch (const std::exception& error) {
    // Not expected (run failures end their requests inside the loop): end everything open.
    FailAll(std::string("engine: the generation loop failed: ") + error.what());
  }
  Unload();
  SetState(State::kStopped);
}

void Engine::FailAll(const std::string& message) {
  for (int i = 0; i < slots_->size(); ++i)
    if ((*slots_)[i].busy) FailSlot(i, kErrFailed, message);
  for (const Request& request : queue_) staged_.Failed(request.handle, kErrFailed, message);
  queue_.clear();
  Publish();
}

void Engine::Load() {
  const OrtRuntime& runtime = LoadOrtRuntime(options_.runtime_path);
  info_.runtime_version = runtime.version;
  info_.runtime_path = runtime.path;
  SessionSettings& settings = options_.session;
  settings.runtime_folder = FolderOf(runtime.path);
  settings.cuda_graph = options_.cuda_graph && settings.device == Device::kCuda;
  if (settings.device == Device::kCuda) {
    // Fail on missing provider files, a missing driver or device before ONNX Runtime reports
    // them less clearly.
    CheckProviderFiles(settings);
    CudaMemory(settings.device_id);
  }

  // Fatal only: every failure reaches the engine as a status and is reported with its context.
  env_.reset(new Ort::Env(ORT_LOGGING_LEVEL_FATAL, "mlperf-engine"));
  decoder_.reset(new DecoderModel(*env_, options_.decoder, settings));
  auto model = options_.argmax_models.find(decoder_->logits_type());
  if (model == options_.argmax_models.end()) {
    throw EngineError(kErrModel, options_.decoder.model_path + ": output " + options_.decoder.names.logits + " is " +
                                     ElementName(decoder_->logits_type()) +
                                     ", for which the engine has no arg-max model");
  }
  argmax_.reset(new ArgmaxSession(*env_, model->second, settings, options_.requested_slots));

  KvShape shape;
  shape.layers = options_.decoder.layers;
  shape.kv_heads = options_.decoder.kv_heads;
  shape.max_length = options_.max_length;
  shape.head_size = options_.decoder.head_size;
  shape.type = decoder_->kv_type();

  // The cache goes where the decoder reads its past (decoder_model.h): the device, or the host
  // when the attention runs on the CPU (float32 GroupQueryAttention on CUDA). Its slots are sized
  // by that memory, with that kind of attention's reserve.
  const bool kv_on_device = Ort::ConstMemoryInfo(decoder_->kv_memory()).GetDeviceType() == OrtMemoryInfoDeviceType_GPU;
  info_.kv_location = kv_on_device ? "cuda" : "cpu";
  SlotBudgetInput need;
  need.device = kv_on_device ? Device::kCuda : Device::kCpu;
  need.requested_slots = options_.requested_slots;
  need.max_length = options_.max_length;
  need.vocab_size = options_.decoder.vocab_size;
  need.attention_heads = options_.attention_heads;
  need.logits_element_bytes = ElementSize(decoder_->logits_type());
  need.bytes_per_slot = shape.BytesPerSlot();
  if (kv_on_device) {
    CudaMemoryInfo memory = CudaMemory(settings.device_id);
    info_.free_bytes = memory.free_bytes;
    info_.total_bytes = memory.total_bytes;
  } else {
    HostMemoryInfo memory = HostMemory();
    info_.free_bytes = memory.available_bytes;
    info_.total_bytes = memory.total_bytes;
  }
  need.free_bytes = info_.free_bytes;
  if (options_.memory_limit_bytes > 0) need.free_bytes = std::min(need.free_bytes, options_.memory_limit_bytes);
  SlotBudget budget = ComputeSlotBudget(need);
  const char* where = kv_on_device ? "device" : "host";
  if (budget.slots < 1) {
    throw EngineError(kErrUnavailable,
                      std::string("engine: not enough ") + where + " memory for one KV-cache slot of maxLength " +
                          std::to_string(options_.max_length) + ": a slot takes " + Bytes(need.bytes_per_slot) +
                          ", the engine keeps " + Bytes(budget.reserve_bytes) + " for logits and workspace, and " +
                          Bytes(need.free_bytes) + " is free once the model is loaded" +
                          (options_.memory_limit_bytes > 0 ? " (capped by memoryLimitBytes)" : "") +
                          "; lower maxLength (the longest prompt plus maxNewTokens), use a smaller model or free the " +
                          where);
  }
  shape.slots = budget.slots;
  info_.requested_slots = options_.requested_slots;
  info_.fit_slots = budget.fit;
  info_.slots = budget.slots;
  info_.max_length = options_.max_length;
  info_.bytes_per_slot = need.bytes_per_slot;
  info_.kv_cache_bytes = need.bytes_per_slot * budget.slots;
  info_.reserve_bytes = budget.reserve_bytes;
  info_.kv_type = ElementName(decoder_->kv_type());
  info_.logits_type = ElementName(decoder_->logits_type());
  try {
    cache_.reset(new KvCache(decoder_->session(), decoder_->kv_memory(), shape));
  } catch (const Ort::Exception& error) {
    const int fewer = std::max(1, budget.slots / 2);
    throw EngineError(kErrFailed, std::string("engine: allocating the KV cache (") + std::to_string(budget.slots) +
                                      " slots × " + Bytes(need.bytes_per_slot) + " = " + Bytes(info_.kv_cache_bytes) +
                                      ") failed: " + error.what() + "; " + Bytes(need.free_bytes) +
                                      " was reported free. Pass maxConcurrency " + std::to_string(fewer) +
                                      " (or a smaller maxLength) so fewer slots are allocated");
  }
  // Graphs only where the KV cache is on the device (a float32 export on CUDA keeps it on the host).
  info_.cuda_graph = settings.cuda_graph && kv_on_device;
  runner_.reset(new StepRunner(*decoder_, *cache_, *argmax_, info_.cuda_graph, options_.prefill_bucket));
  try {
    runner_->CheckSharedBuffers();
  } catch (const Ort::Exception& error) {
    if (IsOutOfMemory(error.what())) throw EngineError(kErrFailed, RunFailure("the first run", error));
    throw EngineError(kErrModel, options_.decoder.model_path +
                                     " cannot run with its KV cache shared between past "
                                     "and present (" +
                                     error.what() +
                                     "); the engine needs a GroupQueryAttention export with "
                                     "past_present_share_buffer (the onnxruntime-genai model builder writes one for "
                                     "-e cuda -p fp16|bf16, and for -e cpu -p fp32)");
  }
  slots_.reset(new SlotTable(budget.slots));
  stats_.reset(new StepStats(budget.slots));
  eos_.insert(options_.eos_token_ids.begin(), options_.eos_token_ids.end());
}

void Engine::Unload() {
  runner_.reset();
  cache_.reset();
  argmax_.reset();
  decoder_.reset();
  env_.reset();
}

std::string Engine::RunFailure(const char* what, const std::exception& error) const {
  std::string message = std::string("engine: ") + what + " failed: " + error.what();
  if (IsOutOfMemory(error.what())) {
    message += "; the device ran out of memory outside the KV cache (" + std::to_string(info_.slots) +
               " slots): create the engine with a smaller maxConcurrency or maxLength";
  }
  return message;
}

void Engine::Loop() {
  for (;;) {
    std::set<uint32_t> cancels;
    {
      std::unique_lock<std::mutex> lock(mutex_);
      wake_loop_.wait(lock, [&] {
        return stop_ || !incoming_.empty() || !cancels_.empty() || !queue_.empty() || slots_->BusyPrefix() > 0;
      });
      if (stop_) return;
      for (Request& request : incoming_) queue_.push_back(std::move(request));
      incoming_.clear();
      cancels.swap(cancels_);
    }
    ApplyCancels(cancels);
    Publish();

    int prefills = 0;
    while (!queue_.empty() && slots_->LowestFree() >= 0 &&
           (options_.max_prefills_per_step <= 0 || prefills < options_.max_prefills_per_step)) {
      Request request = std::move(queue_.front());
      queue_.pop_front();
      Prefill(request);
      ++prefills;
      // The first token goes out now: it is the request's time to first token.
      Publish();
      std::lock_guard<std::mutex> lock(mutex_);
      if (stop_) return;
    }
    if (slots_->BusyPrefix() > 0) {
      DecodeStep();
      Publish();
    }
  }
}

void Engine::ApplyCancels(const std::set<uint32_t>& cancels) {
  if (cancels.empty()) return;
  for (auto it = queue_.begin(); it != queue_.end();) {
    if (cancels.count(it->handle)) {
      staged_.End(it->handle, EventKind::kReleased);
      it = queue_.erase(it);
    } else {
      ++it;
    }
  }
  for (int i = 0; i < slots_->size(); ++i) {
    if ((*slots_)[i].busy && cancels.count((*slots_)[i].handle)) End(i, EventKind::kReleased);
  }
}

void Engine::Prefill(Request& request) {
  const int index = slots_->LowestFree();
  Slot& slot = (*slots_)[index];
  slot.busy = true;
  slot.handle = request.handle;
  slot.max_new = request.max_new;
  slot.length = static_cast<int>(request.prompt.size());
  slot.generated = 0;
  int32_t token;
  const auto started = std::chrono::steady_clock::now();
  try {
    token = runner_->Prefill(index, request.prompt.data(), slot.length);
    stats_->AddPrefill(slot.length, NanosecondsSince(started));
  } catch (const std::exception& error) {
    const std::string what = "prefill of request " + std::to_string(request.handle) + " (" +
                             std::to_string(request.prompt.size()) + " prompt tokens)";
    FailSlot(index, kErrFailed, RunFailure(what.c_str(), error));
    return;
  }
  Emit(index, token);
}

void Engine::DecodeStep() {
  const int rows = slots_->BusyPrefix();
  step_tokens_.assign(rows, 0);
  step_lengths_.assign(rows, -1);
  int busy = 0;
  for (int r = 0; r < rows; ++r) {
    const Slot& slot = (*slots_)[r];
    if (!slot.busy) continue;
    step_tokens_[r] = slot.next;
    step_lengths_[r] = slot.length;
    ++busy;
  }
  const int64_t* tokens;
  const auto started = std::chrono::steady_clock::now();
  try {
    tokens = runner_->Decode(rows, step_tokens_.data(), step_lengths_.data());
    stats_->AddDecode(busy, NanosecondsSince(started));
  } catch (const std::exception& error) {
    const std::string what = "a decode step of " + std::to_string(rows) + " rows";
    const std::string message = RunFailure(what.c_str(), error);
    for (int r = 0; r < rows; ++r)
      if ((*slots_)[r].busy) FailSlot(r, kErrFailed, message);
    return;
  }
  for (int r = 0; r < rows; ++r) {
    Slot& slot = (*slots_)[r];
    if (!slot.busy) continue;
    slot.length += 1;  // the fed token is now in the cache
    Emit(r, static_cast<int32_t>(tokens[r]));
  }
}

void Engine::Emit(int index, int32_t token) {
  Slot& slot = (*slots_)[index];
  slot.generated += 1;
  slot.next = token;
  staged_.Tokens(slot.handle, &token, 1);
  if (eos_.count(token)) {
    End(index, EventKind::kStop);
  } else if (slot.generated >= slot.max_new) {
    End(index, EventKind::kLength);
  }
}

void Engine::End(int index, EventKind kind) {
  staged_.End((*slots_)[index].handle, kind);
  slots_->Free(index);
}

void Engine::FailSlot(int index, const char* code, const std::string& message) {
  staged_.Failed((*slots_)[index].handle, code, message);
  slots_->Free(index);
}

}  // namespace loadgen_node

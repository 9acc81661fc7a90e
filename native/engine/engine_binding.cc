#include "engine_binding.h"

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "../addon_env.h"
#include "../errors.h"
#include "engine.h"

namespace loadgen_node {

namespace {

Napi::Error FromEngineError(Napi::Env env, const EngineError& error) {
  return CodedError(env, error.code(), error.what());
}

Napi::Error BadOption(Napi::Env env, const std::string& key, const char* expected) {
  return CodedTypeError(env, "ERR_INVALID_ARG_TYPE", "createEngine: options." + key + " must be " + expected);
}

std::string StringOption(Napi::Object object, const std::string& path, const char* key) {
  Napi::Value value = object.Get(key);
  if (!value.IsString()) throw BadOption(object.Env(), path + key, "a string");
  return value.As<Napi::String>().Utf8Value();
}

double NumberOption(Napi::Object object, const char* key, double low, double high, bool optional, double fallback) {
  Napi::Value value = object.Get(key);
  if (optional && value.IsUndefined()) return fallback;
  double number = value.IsNumber() ? value.As<Napi::Number>().DoubleValue() : -1;
  if (!(number >= low && number <= high) || number != static_cast<double>(static_cast<int64_t>(number))) {
    throw BadOption(object.Env(), key,
                    ("an integer from " + std::to_string(static_cast<int64_t>(low)) + " to " +
                     std::to_string(static_cast<int64_t>(high)))
                        .c_str());
  }
  return number;
}

int IntOption(Napi::Object object, const char* key, int low) {
  return static_cast<int>(NumberOption(object, key, low, 2147483647.0, false, 0));
}

std::vector<uint8_t> BytesOf(Napi::Value value) {
  Napi::Uint8Array array = value.As<Napi::Uint8Array>();
  return std::vector<uint8_t>(array.Data(), array.Data() + array.ElementLength());
}

EngineOptions ReadOptions(Napi::Object o) {
  Napi::Env env = o.Env();
  EngineOptions options;
  options.runtime_path = StringOption(o, "", "runtimePath");
  DecoderSpec& decoder = options.decoder;
  decoder.model_path = StringOption(o, "", "modelPath");
  decoder.config_path = StringOption(o, "", "configPath");
  Napi::Value names_value = o.Get("names");
  if (!names_value.IsObject()) throw BadOption(env, "names", "an object");
  Napi::Object names = names_value.As<Napi::Object>();
  decoder.names.input_ids = StringOption(names, "names.", "inputIds");
  decoder.names.attention_mask = StringOption(names, "names.", "attentionMask");
  decoder.names.past_key = StringOption(names, "names.", "pastKey");
  decoder.names.past_value = StringOption(names, "names.", "pastValue");
  decoder.names.logits = StringOption(names, "names.", "logits");
  decoder.names.present_key = StringOption(names, "names.", "presentKey");
  decoder.names.present_value = StringOption(names, "names.", "presentValue");
  decoder.layers = IntOption(o, "layers", 1);
  decoder.kv_heads = IntOption(o, "kvHeads", 1);
  decoder.head_size = IntOption(o, "headSize", 1);
  decoder.vocab_size = IntOption(o, "vocabSize", 1);
  options.attention_heads = static_cast<int>(NumberOption(o, "attentionHeads", 0, 65536, true, 0));

  const std::string device = StringOption(o, "", "device");
  if (device != "cpu" && device != "cuda") throw BadOption(env, "device", "'cpu' or 'cuda'");
  options.session.device = device == "cuda" ? Device::kCuda : Device::kCpu;
  options.session.device_id = static_cast<int>(NumberOption(o, "deviceId", 0, 1024, true, 0));
  options.session.intra_op_threads = static_cast<int>(NumberOption(o, "intraOpNumThreads", 0, 4096, true, 0));
  options.requested_slots = IntOption(o, "slots", 1);
  options.max_length = IntOption(o, "maxLength", 2);
  options.memory_limit_bytes = static_cast<size_t>(NumberOption(o, "memoryLimitBytes", 0, 9007199254740991.0, true, 0));
  options.max_prefills_per_step = static_cast<int>(NumberOption(o, "maxPrefillsPerStep", 0, 2147483647.0, true, 0));
  options.prefill_bucket = static_cast<int>(NumberOption(o, "prefillBucket", 1, 65536, true, options.prefill_bucket));
  Napi::Value cuda_graph = o.Get("cudaGraph");
  if (!cuda_graph.IsUndefined() && !cuda_graph.IsBoolean()) throw BadOption(env, "cudaGraph", "a boolean");
  options.cuda_graph = cuda_graph.IsBoolean() && cuda_graph.As<Napi::Boolean>().Value();

  Napi::Value eos = o.Get("eosTokenIds");
  if (!eos.IsTypedArray() || eos.As<Napi::TypedArray>().TypedArrayType() != napi_int32_array)
    throw BadOption(env, "eosTokenIds", "an Int32Array");
  Napi::Int32Array eos_array = eos.As<Napi::Int32Array>();
  options.eos_token_ids.assign(eos_array.Data(), eos_array.Data() + eos_array.ElementLength());

  Napi::Value models_value = o.Get("argmaxModels");
  if (!models_value.IsObject()) throw BadOption(env, "argmaxModels", "an object");
  Napi::Object models = models_value.As<Napi::Object>();
  const std::pair<const char*, ONNXTensorElementDataType> kinds[] = {
      {"float32", ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT},
      {"float16", ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT16},
      {"bfloat16", ONNX_TENSOR_ELEMENT_DATA_TYPE_BFLOAT16},
  };
  for (const auto& kind : kinds) {
    Napi::Value bytes = models.Get(kind.first);
    if (!bytes.IsTypedArray() || bytes.As<Napi::TypedArray>().TypedArrayType() != napi_uint8_array)
      throw BadOption(env, std::string("argmaxModels.") + kind.first, "a Uint8Array");
    options.argmax_models[kind.second] = BytesOf(bytes);
  }
  return options;
}

Napi::Object InfoObject(Napi::Env env, const EngineInfo& info, const EngineOptions& options) {
  Napi::Object object = Napi::Object::New(env);
  auto number = [&](const char* key, double value) { object.Set(key, Napi::Number::New(env, value)); };
  object.Set("runtimeVersion", Napi::String::New(env, info.runtime_version));
  object.Set("runtimePath", Napi::String::New(env, info.runtime_path));
  object.Set("device", Napi::String::New(env, options.session.device == Device::kCuda ? "cuda" : "cpu"));
  number("deviceId", options.session.device_id);
  number("slots", info.slots);
  number("requestedSlots", info.requested_slots);
  number("fitSlots", info.fit_slots);
  number("maxLength", info.max_length);
  number("bytesPerSlot", static_cast<double>(info.bytes_per_slot));
  number("kvCacheBytes", static_cast<double>(info.kv_cache_bytes));
  number("freeBytes", static_cast<double>(info.free_bytes));
  number("totalBytes", static_cast<double>(info.total_bytes));
  number("reserveBytes", static_cast<double>(info.reserve_bytes));
  object.Set("kvType", Napi::String::New(env, info.kv_type));
  object.Set("logitsType", Napi::String::New(env, info.logits_type));
  object.Set("kvLocation", Napi::String::New(env, info.kv_location));
  object.Set("cudaGraph", Napi::Boolean::New(env, info.cuda_graph));
  return object;
}

class EngineObject : public Napi::ObjectWrap<EngineObject> {
 public:
  static Napi::Function Class(Napi::Env env) {
    return DefineClass(env, "Engine",
                       {
                           InstanceMethod<&EngineObject::Submit>("submit"),
                           InstanceMethod<&EngineObject::Commit>("commit"),
                           InstanceMethod<&EngineObject::Cancel>("cancel"),
                           InstanceMethod<&EngineObject::SetKeepAlive>("setKeepAlive"),
                           InstanceMethod<&EngineObject::Close>("close"),
                           InstanceMethod<&EngineObject::Stats>("stats"),
                           InstanceAccessor<&EngineObject::Info>("info"),
                       });
  }

  explicit EngineObject(const Napi::CallbackInfo& info) : Napi::ObjectWrap<EngineObject>(info) {}

  ~EngineObject() override {
    // Normally ended already; at environment teardown OnEnvCleanup got here first.
    if (engine_) {
      engine_->Stop();
      engine_->Join();
    }
  }

  static Napi::Value Create(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (info.Length() < 2 || !info[0].IsObject() || !info[1].IsFunction()) {
      throw CodedTypeError(env, "ERR_INVALID_ARG_TYPE",
                           "createEngine(options, onEvents) needs an object and a function");
    }
    EngineOptions options = ReadOptions(info[0].As<Napi::Object>());
    Napi::Object object = GetAddonEnv(env).engine_class.New({});
    EngineObject* self = Unwrap(object);
    self->on_events_ = Napi::Persistent(info[1].As<Napi::Function>());
    self->ready_.reset(new Napi::Promise::Deferred(env));
    self->options_ = options;
    self->channel_ = Channel::New(env, "mlperf_engine.events", 0, 1, self);
    // Registered after the channel, so it runs before the channel's own cleanup at teardown.
    napi_add_env_cleanup_hook(env, &EngineObject::OnEnvCleanup, self);
    // Alive while its thread runs, whatever JS holds.
    self->Ref();
    self->engine_.reset(new Engine(std::move(options), [self] { self->channel_.NonBlockingCall(); }));
    self->engine_->Start();
    return self->ready_->Promise();
  }

 private:
  static void OnWake(Napi::Env env, Napi::Function /*unused*/, EngineObject* self, void* /*data*/) {
    if (env == nullptr) return;  // the environment is going away; OnEnvCleanup joins
    self->Deliver(env);
  }
  using Channel = Napi::TypedThreadSafeFunction<EngineObject, void, &EngineObject::OnWake>;

  static void OnEnvCleanup(void* arg) {
    EngineObject* self = static_cast<EngineObject*>(arg);
    self->env_gone_ = true;
    if (self->engine_) {
      self->engine_->Stop();
      self->engine_->Join();
      self->engine_.reset();
    }
  }

  void Deliver(Napi::Env env) {
    if (finished_ || !engine_) return;
    Napi::HandleScope scope(env);
    engine_->Take(&delivery_);
    if (!delivery_.events.empty()) {
      const std::vector<int32_t>& records = delivery_.events.records;
      Napi::Int32Array array = Napi::Int32Array::New(env, records.size());
      std::copy(records.begin(), records.end(), array.Data());
      Napi::Array messages = Napi::Array::New(env, delivery_.events.messages.size());
      for (size_t i = 0; i < delivery_.events.messages.size(); ++i)
        messages.Set(i, Napi::String::New(env, delivery_.events.messages[i]));
      delivery_.events.clear();
      try {
        on_events_.Call({array, messages});
      } catch (const Napi::Error& error) {
        // A bug in the dispatcher: surface it as an uncaught exception, as a JS callback would.
        error.ThrowAsJavaScriptException();
        return;
      }
    }
    switch (delivery_.state) {
      case Engine::State::kReady:
        if (ready_) {
          ready_->Resolve(Value());
          ready_.reset();
          if (!keep_alive_) channel_.Unref(env);
        }
        break;
      case Engine::State::kLoadFailed:
        Finish(env);
        if (ready_) {
          ready_->Reject(FromEngineError(env, engine_->load_error()).Value());
          ready_.reset();
        }
        break;
      case Engine::State::kStopped:
        Finish(env);
        if (closed_) {
          closed_->Resolve(env.Undefined());
          closed_.reset();
        }
        break;
      case Engine::State::kLoading:
        break;
    }
  }

  /// The thread has ended: join it and let go of the channel and of the object.
  void Finish(Napi::Env env) {
    if (finished_) return;
    finished_ = true;
    engine_->Join();
    napi_remove_env_cleanup_hook(env, &EngineObject::OnEnvCleanup, this);
    channel_.Release();
    Unref();
  }

  Napi::Value Submit(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (info.Length() < 3 || !info[0].IsNumber() || !info[1].IsTypedArray() || !info[2].IsNumber() ||
        info[1].As<Napi::TypedArray>().TypedArrayType() != napi_int32_array) {
      throw CodedTypeError(env, "ERR_INVALID_ARG_TYPE", "submit(handle, prompt: Int32Array, maxNewTokens)");
    }
    if (finished_ || closing_) throw CodedError(env, kErrUnavailable, "engine: it is closed; create a new one");
    Napi::Int32Array prompt = info[1].As<Napi::Int32Array>();
    const double max_new = info[2].As<Napi::Number>().DoubleValue();
    try {
      engine_->Submit(info[0].As<Napi::Number>().Uint32Value(),
                      std::vector<int32_t>(prompt.Data(), prompt.Data() + prompt.ElementLength()),
                      max_new >= 1 && max_new <= 2147483647.0 ? static_cast<int>(max_new) : 0);
    } catch (const EngineError& error) {
      throw FromEngineError(env, error);
    }
    return env.Undefined();
  }

  Napi::Value Commit(const Napi::CallbackInfo& info) {
    if (!finished_ && !closing_) engine_->Commit();
    return info.Env().Undefined();
  }

  Napi::Value Cancel(const Napi::CallbackInfo& info) {
    if (info.Length() < 1 || !info[0].IsNumber())
      throw CodedTypeError(info.Env(), "ERR_INVALID_ARG_TYPE", "cancel(handle)");
    if (!finished_) engine_->Cancel(info[0].As<Napi::Number>().Uint32Value());
    return info.Env().Undefined();
  }

  /// While requests are in flight the engine keeps the process alive; idle, it does not.
  Napi::Value SetKeepAlive(const Napi::CallbackInfo& info) {
    const bool keep = info.Length() > 0 && info[0].ToBoolean().Value();
    if (!finished_ && !closing_ && !ready_ && keep != keep_alive_) {
      if (keep) {
        channel_.Ref(info.Env());
      } else {
        channel_.Unref(info.Env());
      }
    }
    keep_alive_ = keep;
    return info.Env().Undefined();
  }

  /// close(): a promise settled once the thread has freed everything. close(true): the same,
  /// synchronously (for process exit, where no event loop turn follows).
  Napi::Value Close(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    const bool wait = info.Length() > 0 && info[0].ToBoolean().Value();
    if (finished_) {
      if (wait) return env.Undefined();
      auto done = Napi::Promise::Deferred::New(env);
      done.Resolve(env.Undefined());
      return done.Promise();
    }
    engine_->Stop();
    if (wait) {
      Finish(env);
      return env.Undefined();
    }
    if (!closing_) {
      closing_ = true;
      // Until the thread reports its end.
      if (!keep_alive_) channel_.Ref(env);
      closed_.reset(new Napi::Promise::Deferred(env));
    }
    return closed_->Promise();
  }

  /// stats(reset?): prefill and decode run times so far, decode steps by busy rows.
  Napi::Value Stats(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    const bool reset = info.Length() > 0 && info[0].ToBoolean().Value();
    const StepStats::Snapshot stats = engine_->Stats(reset);
    auto bucket = [&](const StepStats::Bucket& b) {
      Napi::Object object = Napi::Object::New(env);
      object.Set("runs", Napi::Number::New(env, static_cast<double>(b.runs)));
      object.Set("ms", Napi::Number::New(env, static_cast<double>(b.nanoseconds) / 1e6));
      return object;
    };
    Napi::Object result = Napi::Object::New(env);
    Napi::Object prefill = bucket(stats.prefill);
    prefill.Set("tokens", Napi::Number::New(env, static_cast<double>(stats.prefill_tokens)));
    result.Set("prefill", prefill);
    Napi::Array decode = Napi::Array::New(env);
    for (size_t rows = 1; rows < stats.decode.size(); ++rows) {
      if (stats.decode[rows].runs == 0) continue;
      Napi::Object entry = bucket(stats.decode[rows]);
      entry.Set("rows", Napi::Number::New(env, static_cast<double>(rows)));
      decode.Set(decode.Length(), entry);
    }
    result.Set("decode", decode);
    return result;
  }

  Napi::Value Info(const Napi::CallbackInfo& info) { return InfoObject(info.Env(), engine_->info(), options_); }

  std::unique_ptr<Engine> engine_;
  EngineOptions options_;
  Channel channel_;
  Napi::FunctionReference on_events_;
  std::unique_ptr<Napi::Promise::Deferred> ready_;
  std::unique_ptr<Napi::Promise::Deferred> closed_;
  Engine::Delivery delivery_;
  bool keep_alive_ = false;
  bool closing_ = false;
  bool finished_ = false;
  bool env_gone_ = false;
};

}  // namespace

void InitEngine(Napi::Env env, Napi::Object exports) {
  GetAddonEnv(env).engine_class = Napi::Persistent(EngineObject::Class(env));
  exports.Set("createEngine", Napi::Function::New(env, EngineObject::Create, "createEngine"));
}

}  // namespace loadgen_node

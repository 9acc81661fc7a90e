#include "completion.h"

#include <cmath>
#include <string>
#include <utility>
#include <vector>

#include "addon_env.h"
#include "errors.h"
#include "loadgen.h"
#include "prefault.h"
#include "query_sample.h"
#include "test_run.h"

namespace loadgen_node {

namespace {

enum class Kind { kSamples, kFirstTokens };

const char* FunctionName(Kind kind) { return kind == Kind::kSamples ? "QuerySamplesComplete" : "FirstTokenComplete"; }

bool IsAbsent(const Napi::Value& value) {
  napi_valuetype type;
  return napi_typeof(value.Env(), value, &type) != napi_ok || type == napi_undefined || type == napi_null;
}

size_t ElementSize(napi_typedarray_type type) {
  switch (type) {
    case napi_int8_array:
    case napi_uint8_array:
    case napi_uint8_clamped_array:
      return 1;
    case napi_int16_array:
    case napi_uint16_array:
      return 2;
    case napi_int32_array:
    case napi_uint32_array:
    case napi_float32_array:
      return 4;
    default:
      return 8;
  }
}

// The bytes of any ArrayBufferView (TypedArray, Buffer, DataView); false if it is none of those.
bool ByteView(const Napi::Value& value, const uint8_t** data, size_t* length) {
  napi_env env = value.Env();
  napi_typedarray_type type;
  size_t elements = 0;
  void* start = nullptr;
  if (napi_get_typedarray_info(env, value, &type, &elements, &start, nullptr, nullptr) == napi_ok) {
    *data = static_cast<const uint8_t*>(start);
    *length = elements * ElementSize(type);
    return true;
  }
  bool is_dataview = false;
  if (napi_is_dataview(env, value, &is_dataview) == napi_ok && is_dataview &&
      napi_get_dataview_info(env, value, length, &start, nullptr, nullptr) == napi_ok) {
    *data = static_cast<const uint8_t*>(start);
    return true;
  }
  return false;
}

// A typed array's elements, read with one Node-API call (this is on every completion's path).
template <typename T>
struct View {
  T* data;
  size_t length;
};

template <typename T>
View<T> RequireTypedArray(const Napi::Value& value, napi_typedarray_type type, Kind kind, const char* what) {
  napi_typedarray_type actual;
  size_t length = 0;
  void* data = nullptr;
  if (napi_get_typedarray_info(value.Env(), value, &actual, &length, &data, nullptr, nullptr) != napi_ok ||
      actual != type) {
    throw CodedTypeError(value.Env(), "ERR_INVALID_ARG_TYPE", std::string(FunctionName(kind)) + ": " + what);
  }
  return View<T>{static_cast<T*>(data), length};
}

std::string DescribeId(double id) {
  if (std::isfinite(id) && std::floor(id) == id && std::fabs(id) < 9007199254740992.0) {
    return std::to_string(static_cast<long long>(id));
  }
  return std::to_string(id);
}

// completeSamples(ids, data, offsets, nTokens, count?) / completeFirstTokens(ids, data, offsets, count?):
//   ids      Float64Array of response ids handed to issueQuery
//   data     any ArrayBufferView holding every response's bytes back to back, or null
//   offsets  Uint32Array of ids.length + 1 byte offsets into data (response i is
//            data[offsets[i], offsets[i+1])), required with data
//   nTokens  Int32Array of ids.length token counts, or null (QuerySamplesComplete only)
//   count    how many leading entries of ids to complete (default: all)
// Returns how many samples reached LoadGen (ids completed by the binding after an abort are
// skipped quietly).
Napi::Value Complete(const Napi::CallbackInfo& info, Kind kind) {
  Napi::Env env = info.Env();
  const char* name = FunctionName(kind);
  const View<double> ids = RequireTypedArray<double>(info[0], napi_float64_array, kind, "ids must be a Float64Array");
  size_t count = ids.length;
  // An optional count lets callers pass a reused, larger scratch array (Python-style API).
  const size_t count_arg = kind == Kind::kSamples ? 4 : 3;
  const bool explicit_count = info.Length() > count_arg && !IsAbsent(info[count_arg]);
  if (explicit_count) {
    double limit = info[count_arg].IsNumber() ? info[count_arg].As<Napi::Number>().DoubleValue() : -1;
    if (!(limit >= 0 && limit <= static_cast<double>(count)) || std::floor(limit) != limit) {
      throw CodedRangeError(env, "ERR_INVALID_ARG_VALUE",
                            std::string(name) + ": count must be an integer from 0 to ids.length");
    }
    count = static_cast<size_t>(limit);
  }
  const double* id_data = ids.data;

  const uint8_t* data = nullptr;
  size_t data_length = 0;
  const uint32_t* offsets = nullptr;
  if (info.Length() > 1 && !IsAbsent(info[1])) {
    if (!ByteView(info[1], &data, &data_length)) {
      throw CodedTypeError(env, "ERR_INVALID_ARG_TYPE",
                           std::string(name) + ": data must be a TypedArray, Buffer or DataView");
    }
    const View<uint32_t> offset_array =
        RequireTypedArray<uint32_t>(info.Length() > 2 ? info[2] : env.Undefined(), napi_uint32_array, kind,
                                    "offsets must be a Uint32Array of ids.length + 1 byte offsets when data is given");
    if (explicit_count ? offset_array.length < count + 1 : offset_array.length != count + 1) {
      throw CodedRangeError(env, "ERR_INVALID_ARG_VALUE",
                            std::string(name) + ": offsets has " + std::to_string(offset_array.length) +
                                " entries; it needs ids.length + 1 = " + std::to_string(count + 1));
    }
    offsets = offset_array.data;
    for (size_t i = 0; i < count; ++i) {
      if (offsets[i] > offsets[i + 1] || offsets[i + 1] > data_length) {
        throw CodedRangeError(env, "ERR_INVALID_ARG_VALUE",
                              std::string(name) + ": offsets[" + std::to_string(i) + ".." + std::to_string(i + 1) +
                                  "] does not name a range inside data (" + std::to_string(data_length) + " bytes)");
      }
    }
  }

  const int32_t* n_tokens = nullptr;
  if (kind == Kind::kSamples && info.Length() > 3 && !IsAbsent(info[3])) {
    const View<int32_t> tokens =
        RequireTypedArray<int32_t>(info[3], napi_int32_array, kind, "nTokens must be an Int32Array");
    if (explicit_count ? tokens.length < count : tokens.length != count) {
      throw CodedRangeError(env, "ERR_INVALID_ARG_VALUE",
                            std::string(name) + ": nTokens has " + std::to_string(tokens.length) +
                                " entries; ids has " + std::to_string(count));
    }
    n_tokens = tokens.data;
  }

  AddonEnv& owner = GetAddonEnv(env);
  TicketTable& tickets = owner.tickets;
  auto& responses = owner.responses;
  responses.clear();
  ReserveAndPrefault(responses, count);
  size_t late = 0;

  // Fast path: consecutive tickets of one batch (a single sample, an Offline query completed in
  // bulk, or any batch completed in issue order): one lookup for the whole call.
  bool consecutive = count > 0;
  for (size_t i = 1; i < count && consecutive; ++i) consecutive = id_data[i] == id_data[0] + static_cast<double>(i);
  // LoadGen reads a sample's first-token time when it completes in a token-latency run; without
  // one it reads past its records, so such completions are refused (the slow path names them).
  const bool first_token_required =
      kind == Kind::kSamples && owner.run != nullptr && owner.run->config().expects_first_token;
  const TicketTable::Claimable claimable = kind == Kind::kFirstTokens ? TicketTable::Claimable::kWithoutFirstToken
                                           : first_token_required     ? TicketTable::Claimable::kWithFirstToken
                                                                      : TicketTable::Claimable::kAny;
  TicketTable::Run run;
  if (consecutive && tickets.ClaimRun(id_data[0], count, claimable, &run)) {
    const mlperf::QuerySample* samples = tickets.RunSamples(run);
    for (size_t i = 0; i < count; ++i) {
      responses.emplace_back(samples[i].id, data != nullptr ? reinterpret_cast<uintptr_t>(data + offsets[i]) : 0,
                             data != nullptr ? offsets[i + 1] - offsets[i] : 0, n_tokens != nullptr ? n_tokens[i] : 0);
    }
    mlperf::QuerySampleResponse* out = responses.data();
    if (kind == Kind::kSamples) {
      mlperf::QuerySamplesComplete(out, count);
      tickets.CompleteRun(run);
      tickets.Sweep();
      if (owner.run != nullptr) owner.run->CountCompletedByJs(count);
    } else {
      mlperf::FirstTokenComplete(out, count);
      tickets.FirstTokensReportedRun(run);
    }
    return Napi::Number::New(env, static_cast<double>(count));
  }

  // Any other call: each ticket looked up once, the claimed slots kept until LoadGen has them.
  auto& claimed = owner.claimed;
  claimed.clear();
  for (size_t i = 0; i < count; ++i) {
    TicketTable::Slot slot{};
    TicketTable::Lookup lookup = tickets.Find(id_data[i], &slot);
    if (lookup == TicketTable::Lookup::kDrained) {
      ++late;
      continue;
    }
    const char* code = nullptr;
    const char* problem = nullptr;
    if (lookup == TicketTable::Lookup::kOk && kind == Kind::kFirstTokens &&
        tickets.StateOf(slot) == TicketTable::State::kFirstToken) {
      code = "ERR_LOADGEN_FIRST_TOKEN_REPEATED";
      problem = "already had its first token reported; report it once per sample";
    } else if (lookup == TicketTable::Lookup::kOk && first_token_required &&
               tickets.StateOf(slot) == TicketTable::State::kOutstanding) {
      code = "ERR_LOADGEN_FIRST_TOKEN_MISSING";
      problem =
          "has no first token reported: this test measures token latencies (use_token_latencies), so "
          "call completeFirstTokens (FirstTokenComplete) for a sample before completing it";
    } else if (lookup == TicketTable::Lookup::kMalformed) {
      code = "ERR_LOADGEN_UNKNOWN_RESPONSE_ID";
      problem = "is not a response id: use the ids handed to issueQuery unchanged";
    } else if (lookup == TicketTable::Lookup::kUnknown) {
      code = "ERR_LOADGEN_UNKNOWN_RESPONSE_ID";
      problem = "is unknown: it was never issued in this thread";
    } else if (lookup == TicketTable::Lookup::kRepeated) {
      code = "ERR_LOADGEN_ALREADY_COMPLETED";
      problem = "appears more than once in this call: complete each issued sample exactly once";
    } else if (lookup == TicketTable::Lookup::kAlreadyCompleted) {
      code = "ERR_LOADGEN_ALREADY_COMPLETED";
      problem = "was already completed: complete each issued sample exactly once";
    }
    if (code != nullptr) {
      for (TicketTable::Slot taken : claimed) tickets.Unclaim(taken);
      throw CodedRangeError(env, code,
                            std::string(name) + ": response id " + DescribeId(id_data[i]) + " (entry " +
                                std::to_string(i) + " of " + std::to_string(count) + ") " + problem +
                                ". Nothing in this call was completed.");
    }
    tickets.Claim(slot);
    claimed.push_back(slot);
    uintptr_t address = data != nullptr ? reinterpret_cast<uintptr_t>(data + offsets[i]) : 0;
    size_t size = data != nullptr ? offsets[i + 1] - offsets[i] : 0;
    responses.emplace_back(tickets.ResponseIdOf(slot), address, size, n_tokens != nullptr ? n_tokens[i] : 0);
  }

  if (!responses.empty()) {
    if (kind == Kind::kSamples) {
      mlperf::QuerySamplesComplete(responses.data(), responses.size());
      for (TicketTable::Slot taken : claimed) tickets.Complete(taken);
      tickets.Sweep();
    } else {
      mlperf::FirstTokenComplete(responses.data(), responses.size());
      for (TicketTable::Slot taken : claimed) tickets.FirstTokenReported(taken);
    }
  }
  if (owner.run != nullptr) {
    if (kind == Kind::kSamples) owner.run->CountCompletedByJs(responses.size());
    owner.run->CountLateCompletions(late);
  }
  return Napi::Number::New(env, static_cast<double>(responses.size()));
}

Napi::Value CompleteSamples(const Napi::CallbackInfo& info) { return Complete(info, Kind::kSamples); }
Napi::Value CompleteFirstTokens(const Napi::CallbackInfo& info) { return Complete(info, Kind::kFirstTokens); }

}  // namespace

void InitCompletion(Napi::Env env, Napi::Object exports) {
  exports.Set("completeSamples", Napi::Function::New(env, CompleteSamples, "completeSamples"));
  exports.Set("completeFirstTokens", Napi::Function::New(env, CompleteFirstTokens, "completeFirstTokens"));
}

}  // namespace loadgen_node

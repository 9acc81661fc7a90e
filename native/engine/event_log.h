// Token events on their way from the engine thread to JS, as one flat Int32Array per delivery:
// records of [handle, kind, count, payload × count]. Tokens carry their ids; a failure carries
// the index of its (code, message) pair in the delivery's message list.
#ifndef LOADGEN_NODE_ENGINE_EVENT_LOG_H_
#define LOADGEN_NODE_ENGINE_EVENT_LOG_H_

#include <cstdint>
#include <string>
#include <vector>

namespace loadgen_node {

/// Record kinds; lib/backends/engine/native-engine.ts reads the same numbers.
enum class EventKind : int32_t {
  kTokens = 0,    // new tokens of a request, in order
  kStop = 1,      // finished on an end-of-sequence token (the last kTokens record holds it)
  kLength = 2,    // finished at max_new_tokens
  kFailed = 3,    // generation failed; payload: index of the code, message pair
  kReleased = 4,  // cancelled: the engine dropped the request and reports nothing more of it
};

struct EventLog {
  std::vector<int32_t> records;
  std::vector<std::string> messages;  // code, message, code, message, ...

  void Tokens(uint32_t handle, const int32_t* tokens, int count) {
    Header(handle, EventKind::kTokens, count);
    records.insert(records.end(), tokens, tokens + count);
  }
  void End(uint32_t handle, EventKind kind) { Header(handle, kind, 0); }
  void Failed(uint32_t handle, const std::string& code, const std::string& message) {
    Header(handle, EventKind::kFailed, 1);
    records.push_back(static_cast<int32_t>(messages.size() / 2));
    messages.push_back(code);
    messages.push_back(message);
  }
  bool empty() const { return records.empty(); }
  void clear() {
    records.clear();
    messages.clear();
  }

 private:
  void Header(uint32_t handle, EventKind kind, int count) {
    records.push_back(static_cast<int32_t>(handle));
    records.push_back(static_cast<int32_t>(kind));
    records.push_back(count);
  }
};

}  // namespace loadgen_node

#endif  // LOADGEN_NODE_ENGINE_EVENT_LOG_H_

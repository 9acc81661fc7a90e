// Which request occupies which KV slot. New requests take the lowest free slot, so busy slots
// gather at the front and a decode step runs over the short prefix [0, highest busy + 1).
#ifndef LOADGEN_NODE_ENGINE_SLOT_TABLE_H_
#define LOADGEN_NODE_ENGINE_SLOT_TABLE_H_

#include <cstdint>
#include <vector>

namespace loadgen_node {

struct Slot {
  bool busy = false;
  uint32_t handle = 0;
  int length = 0;     // tokens in the slot's KV cache
  int generated = 0;  // tokens generated so far
  int max_new = 0;
  int32_t next = 0;  // the token the next decode step feeds (the last one generated)
};

class SlotTable {
 public:
  explicit SlotTable(int count) : slots_(count) {}

  int size() const { return static_cast<int>(slots_.size()); }
  Slot& operator[](int index) { return slots_[index]; }
  const Slot& operator[](int index) const { return slots_[index]; }

  /// The lowest free slot, or -1 when all are busy.
  int LowestFree() const {
    for (int i = 0; i < size(); ++i)
      if (!slots_[i].busy) return i;
    return -1;
  }

  /// One past the highest busy slot (0 when none is busy): the rows a decode step runs.
  int BusyPrefix() const {
    for (int i = size(); i > 0; --i)
      if (slots_[i - 1].busy) return i;
    return 0;
  }

  /// The busy slot holding `handle`, or -1.
  int Find(uint32_t handle) const {
    for (int i = 0; i < size(); ++i)
      if (slots_[i].busy && slots_[i].handle == handle) return i;
    return -1;
  }

  void Free(int index) { slots_[index] = Slot(); }

 private:
  std::vector<Slot> slots_;
};

}  // namespace loadgen_node

#endif  // LOADGEN_NODE_ENGINE_SLOT_TABLE_H_

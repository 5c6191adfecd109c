#pragma once

// An open-addressing map from 64-bit hashes to values, for cleaning's word lists and line
// counts. Internal.

#include <cstddef>
#include <cstdint>
#include <utility>
#include <vector>

#include "newsim/detail/prefetch.hpp"

namespace newsim::cleaning {

// Keys are hashes already, so their low bits pick the slot; a key of 0 is stored as 1.
template <class V>
class FlatMap {
 public:
  explicit FlatMap(std::size_t expected = 16) {
    std::size_t cap = 16;
    while (cap < expected * 2) cap <<= 1;
    slots_.assign(cap, Slot{});
    mask_ = cap - 1;
  }
  V* find(std::uint64_t key) {
    key = key == 0 ? 1 : key;
    for (std::size_t i = key & mask_;; i = (i + 1) & mask_) {
      if (slots_[i].key == key) return &slots_[i].value;
      if (slots_[i].key == 0) return nullptr;
    }
  }
  const V* find(std::uint64_t key) const { return const_cast<FlatMap*>(this)->find(key); }
  // Starts loading the slot of a key, so that a later find need not wait for memory.
  void prefetch(std::uint64_t key) const {
    key = key == 0 ? 1 : key;
    detail::prefetch(&slots_[key & mask_]);
  }
  std::size_t size() const { return size_; }
  // Calls fn(key, value) for each entry, in slot order (a stored key of 0 reads as 1).
  template <class Fn>
  void for_each(Fn&& fn) const {
    for (const Slot& slot : slots_) {
      if (slot.key != 0) fn(slot.key, slot.value);
    }
  }
  V& operator[](std::uint64_t key) {
    if ((size_ + 1) * 2 > slots_.size()) grow();
    key = key == 0 ? 1 : key;
    for (std::size_t i = key & mask_;; i = (i + 1) & mask_) {
      if (slots_[i].key == key) return slots_[i].value;
      if (slots_[i].key == 0) {
        slots_[i].key = key;
        ++size_;
        return slots_[i].value;
      }
    }
  }

 private:
  struct Slot {
    std::uint64_t key = 0;  // 0: empty (a key of 0 is stored as 1)
    V value{};
  };
  void grow() {
    FlatMap bigger(slots_.size());
    for (Slot& slot : slots_) {
      if (slot.key != 0) bigger[slot.key] = std::move(slot.value);
    }
    *this = std::move(bigger);
  }
  std::vector<Slot> slots_;
  std::size_t mask_ = 0;
  std::size_t size_ = 0;
};

}  // namespace newsim::cleaning

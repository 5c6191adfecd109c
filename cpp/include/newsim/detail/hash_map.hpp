#pragma once

// An open-addressing map from 64-bit keys that are hashes already (their low bits pick the
// slot) to small values: linear probing, at most half full, each slot holding its key, value
// and the generation that filled it, so that clear() is O(1). On cpp/bench/bench_hash_tables
// it beats absl::flat_hash_map where a lookup mostly misses a small table (cleaning's word
// classes) and where a table is refilled for every document (the hashing vectorizer's column
// sums); elsewhere newsim uses absl::flat_hash_map. Internal.

#include <cstddef>
#include <cstdint>
#include <utility>
#include <vector>

#include "newsim/detail/prefetch.hpp"

namespace newsim::detail {

template <class V>
class HashMap {
 public:
  /// Room for `expected` keys before the table grows; a lookup that misses stops at the first
  /// empty slot, so a table looked up mostly in vain is best kept sparse.
  explicit HashMap(std::size_t expected = 8) {
    std::size_t cap = 16;
    while (cap < expected * 2) cap <<= 1;
    slots_.assign(cap, Slot{});
    mask_ = cap - 1;
  }

  /// The value of `key`, or nullptr.
  V* find(std::uint64_t key) {
    for (std::size_t i = key & mask_;; i = (i + 1) & mask_) {
      Slot& s = slots_[i];
      if (s.generation != generation_) return nullptr;
      if (s.key == key) return &s.value;
    }
  }
  const V* find(std::uint64_t key) const { return const_cast<HashMap*>(this)->find(key); }

  /// Starts loading the slot of `key`, so that a later find need not wait for memory.
  void prefetch(std::uint64_t key) const { detail::prefetch(&slots_[key & mask_]); }

  /// The value of `key` and true if it was added with `value`; the value there and false if
  /// the key was present.
  std::pair<V*, bool> emplace(std::uint64_t key, V value) {
    if ((size_ + 1) * 2 > slots_.size()) grow();
    for (std::size_t i = key & mask_;; i = (i + 1) & mask_) {
      Slot& s = slots_[i];
      if (s.generation != generation_) {
        s = Slot{key, generation_, std::move(value)};
        ++size_;
        return {&s.value, true};
      }
      if (s.key == key) return {&s.value, false};
    }
  }
  /// The value of `key`, added value-initialised if absent.
  V& operator[](std::uint64_t key) { return *emplace(key, V{}).first; }

  std::size_t size() const { return size_; }

  /// Forgets every key, keeping the memory. O(1) but once in 2^32 calls.
  void clear() {
    if (++generation_ == 0) {
      for (Slot& s : slots_) s.generation = 0;
      generation_ = 1;
    }
    size_ = 0;
  }

  /// Calls fn(key, value) for each entry, in slot order.
  template <class Fn>
  void for_each(Fn&& fn) const {
    for (const Slot& s : slots_) {
      if (s.generation == generation_) fn(s.key, s.value);
    }
  }

 private:
  struct Slot {
    std::uint64_t key = 0;
    std::uint32_t generation = 0;  // empty unless it is the table's
    V value{};
  };

  void grow() {
    std::vector<Slot> old = std::move(slots_);
    const std::uint32_t live = generation_;
    slots_.assign(old.size() * 2, Slot{});
    mask_ = slots_.size() - 1;
    generation_ = 1;
    for (Slot& s : old) {
      if (s.generation != live) continue;
      std::size_t i = s.key & mask_;
      while (slots_[i].generation == generation_) i = (i + 1) & mask_;
      slots_[i] = Slot{s.key, generation_, std::move(s.value)};
    }
  }

  std::vector<Slot> slots_;
  std::size_t mask_ = 0;
  std::size_t size_ = 0;
  std::uint32_t generation_ = 1;
};

}  // namespace newsim::detail

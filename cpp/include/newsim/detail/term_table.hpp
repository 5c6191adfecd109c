#pragma once

// An insert-only hash table from terms to dense ids 0..n-1, tuned for tokenizing. Like CPython's
// dict it has a small index of 8-byte slots (32-bit hash tag, id) over a dense array of entries
// that holds the first 16 bytes of each key, so a lookup touches two cache lines at most and
// calls no memcmp for terms of up to 16 bytes. Internal.

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <string_view>
#include <utility>
#include <vector>

#include "newsim/detail/hash.hpp"
#include "newsim/detail/prefetch.hpp"

#if defined(__GNUC__)
#define NEWSIM_INLINE inline __attribute__((always_inline))
#else
#define NEWSIM_INLINE inline
#endif

namespace newsim::detail {

class TermTable {
 public:
  TermTable() { rehash(16); }

  /// Id of `term`, or -1.
  std::int32_t find(std::string_view term) const {
    if (slots_.empty()) return find_after_release(term);
    const Probe p = probe_key(term);
    const auto tag = static_cast<std::uint32_t>(p.hash >> 32);
    for (std::size_t i = p.hash & mask_;; i = (i + 1) & mask_) {
      const Slot& s = slots_[i];
      if (s.id < 0) return -1;
      if (s.tag == tag && matches(s.id, p, term)) return s.id;
    }
  }

  /// Id of `term`; if absent, `store(term)` must return a view that outlives the table (the
  /// table keeps it as the key) and the term gets the next id.
  template <class Store>
  std::int32_t intern(std::string_view term, Store&& store) {
    if (slots_.empty()) reserve(keys_.size() + 1);
    return intern_probe(term, probe_key(term), store);
  }

  /// intern() for many terms (ids[i] for terms[i]), prefetching the slots and entries of the
  /// terms a few places ahead, for terms that are each followed by at least 16 readable bytes
  /// (TermSink::terms): short terms are loaded in two whole words and masked, with no branch on
  /// their length.
  template <class Store>
  void intern_many_padded(const std::string_view* terms, std::size_t n, Store&& store,
                          std::vector<std::int32_t>& ids) {
    intern_each(
        n, [terms](std::size_t i) { return terms[i]; },
        [terms](std::size_t i) { return probe_padded(terms[i]); }, store, ids);
  }

  /// intern() of every key of `other`, in id order (ids[i] for other's id i), prefetching as
  /// intern_many_padded() does. The hashes come from other's entries, so its key strings are
  /// read only for keys over 16 bytes.
  template <class Store>
  void merge_keys(const TermTable& other, Store&& store, std::vector<std::int32_t>& ids) {
    intern_each(
        other.size(), [&other](std::size_t i) { return other.keys_[i]; },
        [&other](std::size_t i) { return other.probe_of(i); }, store, ids);
  }

  /// Makes room for n keys without rehashing.
  void reserve(std::size_t n) {
    std::size_t want = 16;
    while (want * 7 < n * 10) want *= 2;
    if (want > slots_.size()) rehash(want);
  }

  /// Forgets every key but keeps the memory, so a table refilled with as many keys as before
  /// neither allocates nor rehashes.
  void clear() {
    if (!keys_.empty()) std::fill(slots_.begin(), slots_.end(), Slot{0, -1});
    keys_.clear();
    entries_.clear();
  }

  /// Frees the slots (the keys stay); the next lookup rebuilds them.
  void release() {
    std::vector<Slot>().swap(slots_);
    mask_ = 0;
  }

  std::size_t size() const { return keys_.size(); }

  /// A per-term int (initially -1) that lives beside the key, so an owner that looks a term up
  /// gets it from the same cache line (the vectorizer keeps the term's place in a row there).
  std::int32_t& scratch(std::int32_t id) { return entries_[static_cast<std::size_t>(id)].scratch; }
  const std::vector<std::string_view>& keys() const { return keys_; }

  /// The first 16 bytes of key `id`, zero-padded, as two big-endian numbers, read from the
  /// entries without touching the key string: comparing them and then the lengths orders keys
  /// as their bytes do, except for keys of more than 16 bytes that share their first 16.
  std::pair<std::uint64_t, std::uint64_t> order_words(std::size_t id) const {
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__ && defined(__GNUC__)
    const Entry& e = entries_[id];
    return {__builtin_bswap64(e.w0), __builtin_bswap64(e.w1)};
#else
    std::uint64_t w[2] = {0, 0};
    const std::string_view k = keys_[id];
    for (std::size_t b = 0; b < 16 && b < k.size(); ++b) {
      w[b / 8] |= static_cast<std::uint64_t>(static_cast<unsigned char>(k[b])) << (56 - 8 * (b % 8));
    }
    return {w[0], w[1]};
#endif
  }

 private:
  struct Slot {
    std::uint32_t tag;  // high half of the hash
    std::int32_t id;    // -1: empty
  };
  struct Entry {
    std::uint64_t w0, w1;  // the first 16 bytes, zero-padded
    std::uint32_t len;
    std::int32_t scratch;  // free for the owner (see scratch())
  };
  struct Probe {
    std::uint64_t hash, w0, w1;
  };

  // Bytes p[0..m) (m < 8) as a little-endian word, with overlapping loads instead of a loop.
  static std::uint64_t load_partial(const char* p, std::size_t m) {
    if (m >= 4) {
      std::uint32_t a, b;
      std::memcpy(&a, p, 4);
      std::memcpy(&b, p + m - 4, 4);
      return a | (static_cast<std::uint64_t>(b) << (8 * (m - 4)));
    }
    if (m == 0) return 0;
    const auto byte = [p](std::size_t k) { return static_cast<std::uint64_t>(static_cast<unsigned char>(p[k])); };
    return byte(0) | (byte(m / 2) << (8 * (m / 2))) | (byte(m - 1) << (8 * (m - 1)));
  }

  NEWSIM_INLINE static Probe probe_key(std::string_view t) {
    Probe p;
    const char* d = t.data();
    const std::size_t n = t.size();
    if (n >= 16) {
      std::memcpy(&p.w0, d, 8);
      std::memcpy(&p.w1, d + 8, 8);
    } else if (n >= 8) {
      std::memcpy(&p.w0, d, 8);
      p.w1 = load_partial(d + 8, n - 8);
    } else {
      p.w0 = load_partial(d, n);
      p.w1 = 0;
    }
    p.hash = n <= 16 ? short_hash(p.w0, p.w1, n) : TermHash{}(t);
    return p;
  }

  // probe_key() of a term followed by at least 16 readable bytes.
  NEWSIM_INLINE static Probe probe_padded(std::string_view t) {
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    const std::size_t n = t.size();
    if (n <= 16) {
      // Whole little-endian words, as load_partial() builds them, with the bytes past the end
      // masked off.
      std::uint64_t a, b;
      std::memcpy(&a, t.data(), 8);
      std::memcpy(&b, t.data() + 8, 8);
      Probe p;
      p.w0 = a & low_bytes(n);
      p.w1 = b & low_bytes(n > 8 ? n - 8 : 0);
      p.hash = short_hash(p.w0, p.w1, n);
      return p;
    }
#endif
    return probe_key(t);
  }

  // A mask of the low min(k, 8) bytes of a word.
  static std::uint64_t low_bytes(std::size_t k) {
    return k >= 8 ? ~std::uint64_t{0} : (std::uint64_t{1} << (8 * k)) - 1;
  }

  // A multiply-xorshift mix of the zero-padded key words: cheaper than a byte hash for the
  // short terms that make up most text.
  static std::uint64_t short_hash(std::uint64_t w0, std::uint64_t w1, std::size_t n) {
    std::uint64_t h = (w0 * 0x9E3779B97F4A7C15ull) ^ (w1 + n) * 0xC2B2AE3D27D4EB4Full;
    h ^= h >> 29;
    h *= 0xBF58476D1CE4E5B9ull;
    h ^= h >> 32;
    return h;
  }

  // The probe of key `id`, from its entry.
  Probe probe_of(std::size_t id) const {
    const Entry& e = entries_[id];
    Probe p{0, e.w0, e.w1};
    p.hash = e.len <= 16 ? short_hash(e.w0, e.w1, e.len) : TermHash{}(keys_[id]);
    return p;
  }

  // intern() of key(i) for i in [0, n), with probe(i) computed a few places ahead.
  template <class Key, class MakeProbe, class Store>
  void intern_each(std::size_t n, Key&& key, MakeProbe&& probe, Store& store,
                   std::vector<std::int32_t>& ids) {
    constexpr std::size_t kAhead = 32;  // slots are fetched 32 terms ahead, entries 16
    ids.resize(n);
    if (slots_.empty()) reserve(keys_.size() + 1);
    Probe ring[kAhead];
    for (std::size_t i = 0; i < n && i < kAhead; ++i) {
      ring[i] = probe(i);
      prefetch(&slots_[ring[i].hash & mask_]);
    }
    for (std::size_t i = 0; i < n; ++i) {
      const Probe p = ring[i % kAhead];
      if (i + kAhead / 2 < n) {
        const Slot& s = slots_[ring[(i + kAhead / 2) % kAhead].hash & mask_];
        if (s.id >= 0) prefetch(&entries_[static_cast<std::size_t>(s.id)]);
      }
      if (i + kAhead < n) {
        ring[i % kAhead] = probe(i + kAhead);
        prefetch(&slots_[ring[i % kAhead].hash & mask_]);
      }
      ids[i] = intern_probe(key(i), p, store);
    }
  }

  template <class Store>
  NEWSIM_INLINE std::int32_t intern_probe(std::string_view term, const Probe& p, Store& store) {
    const auto tag = static_cast<std::uint32_t>(p.hash >> 32);
    std::size_t i = p.hash & mask_;
    for (;; i = (i + 1) & mask_) {
      const Slot& s = slots_[i];
      if (s.id < 0) break;
      if (s.tag == tag && matches(s.id, p, term)) return s.id;
    }
    const auto id = static_cast<std::int32_t>(keys_.size());
    keys_.push_back(store(term));
    entries_.push_back(Entry{p.w0, p.w1, static_cast<std::uint32_t>(term.size()), -1});
    slots_[i] = Slot{tag, id};
    if (keys_.size() * 10 > slots_.size() * 7) rehash(slots_.size() * 2);
    return id;
  }

  NEWSIM_INLINE bool matches(std::int32_t id, const Probe& p, std::string_view t) const {
    const Entry& e = entries_[static_cast<std::size_t>(id)];
    if (e.w0 != p.w0 || e.w1 != p.w1 || e.len != t.size()) return false;
    if (t.size() <= 16) return true;
    const std::string_view k = keys_[static_cast<std::size_t>(id)];
    return std::memcmp(k.data() + 16, t.data() + 16, t.size() - 16) == 0;
  }

  std::int32_t find_after_release(std::string_view term) const {
    for (std::size_t i = 0; i < keys_.size(); ++i) {
      if (keys_[i] == term) return static_cast<std::int32_t>(i);
    }
    return -1;
  }

  void rehash(std::size_t capacity) {
    slots_.assign(capacity, Slot{0, -1});
    mask_ = capacity - 1;
    for (std::size_t id = 0; id < keys_.size(); ++id) {
      const std::uint64_t h = probe_of(id).hash;
      std::size_t i = h & mask_;
      while (slots_[i].id >= 0) i = (i + 1) & mask_;
      slots_[i] = Slot{static_cast<std::uint32_t>(h >> 32), static_cast<std::int32_t>(id)};
    }
  }

  std::vector<Slot> slots_;
  std::size_t mask_ = 0;
  std::vector<Entry> entries_;  // by id
  std::vector<std::string_view> keys_;
};

}  // namespace newsim::detail

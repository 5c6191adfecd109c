#pragma once

// Terms of a corpus shard with their document and term frequencies: the state behind
// VocabularyStats, used directly (inlined) on the hot path of fitting. Internal.

#include <cstdint>
#include <cstring>
#include <memory>
#include <string_view>
#include <utility>
#include <vector>

#include "newsim/detail/prefetch.hpp"
#include "newsim/detail/term_table.hpp"
#include "newsim/vocabulary.hpp"

namespace newsim::detail {

/// Copies of strings in large blocks that never move, so string_views into them stay valid.
class Arena {
 public:
  /// Forgets every string, keeping one block for reuse.
  void clear() {
    if (!last_is_block_) {
      blocks_.clear();
      used_ = kBlock;
      return;
    }
    blocks_.erase(blocks_.begin(), blocks_.end() - 1);
    used_ = 0;
  }

  std::string_view store(std::string_view s) {
    if (s.size() > kBlock / 4) {
      blocks_.push_back(std::make_unique<char[]>(s.size()));
      std::memcpy(blocks_.back().get(), s.data(), s.size());
      const std::string_view out(blocks_.back().get(), s.size());
      // Keep filling the current block: put the big one below it.
      if (blocks_.size() >= 2) std::swap(blocks_[blocks_.size() - 1], blocks_[blocks_.size() - 2]);
      return out;
    }
    if (used_ + s.size() > kBlock) {
      blocks_.push_back(std::make_unique<char[]>(kBlock));
      last_is_block_ = true;
      used_ = 0;
    }
    char* dst = blocks_.back().get() + used_;
    if (!s.empty()) std::memcpy(dst, s.data(), s.size());
    used_ += s.size();
    return {dst, s.size()};
  }

 private:
  static constexpr std::size_t kBlock = std::size_t{1} << 16;
  std::vector<std::unique_ptr<char[]>> blocks_;
  std::size_t used_ = kBlock;
  bool last_is_block_ = false;  // the last of blocks_ is of size kBlock (big strings go below it)
};

struct TermCounts {
  Arena arena;
  TermTable table;  // its keys, by id, are the terms
  std::vector<std::int64_t> df;
  std::vector<std::int64_t> tf;
  std::int64_t n_documents = 0;

  /// Empties the counts, keeping the memory for the next shard.
  void clear() {
    arena.clear();
    table.clear();
    df.clear();
    tf.clear();
    n_documents = 0;
  }

  /// Adds another shard's counts; returns the id here of each of its ids. O(its terms).
  std::vector<std::int32_t> merge(const TermCounts& other) {
    std::vector<std::int32_t> map;
    table.merge_keys(other.table, [this](std::string_view t) { return arena.store(t); }, map);
    df.resize(table.size(), 0);
    tf.resize(table.size(), 0);
    constexpr std::size_t kAhead = 16;  // the counters are spread over megabytes: fetch ahead
    for (std::size_t i = 0; i < map.size(); ++i) {
      if (i + kAhead < map.size()) {
        prefetch_for_write(&df[static_cast<std::size_t>(map[i + kAhead])]);
        prefetch_for_write(&tf[static_cast<std::size_t>(map[i + kAhead])]);
      }
      df[static_cast<std::size_t>(map[i])] += other.df[i];
      tf[static_cast<std::size_t>(map[i])] += other.tf[i];
    }
    n_documents += other.n_documents;
    return map;
  }

  std::int32_t intern(std::string_view term) {
    const std::int32_t id = table.intern(term, [this](std::string_view t) { return arena.store(t); });
    if (static_cast<std::size_t>(id) == df.size()) {
      df.push_back(0);
      tf.push_back(0);
    }
    return id;
  }

  /// ids[i] = intern(terms[i]) for a batch of terms each followed by at least 16 readable
  /// bytes (TermSink::terms), with the table's prefetching.
  void intern_many_padded(const std::string_view* terms, std::size_t n,
                          std::vector<std::int32_t>& ids) {
    table.intern_many_padded(terms, n, [this](std::string_view t) { return arena.store(t); }, ids);
    df.resize(table.size(), 0);
    tf.resize(table.size(), 0);
  }
};

/// What the core reads of VocabularyStats beyond its public interface.
struct StatsAccess {
  static std::vector<std::int32_t> merge(VocabularyStats& stats, const TermCounts& counts) {
    return stats.merge(counts);
  }
  static const TermCounts& counts(const VocabularyStats& stats) { return stats.counts(); }
};

}  // namespace newsim::detail

#pragma once

// Term statistics that merge across shards, and the fitted, pruned vocabulary built from them.

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "newsim/interrupt.hpp"

namespace newsim {

namespace detail {
struct TermCounts;
struct StatsAccess;
}

/// min_df / max_df: a number of documents (an int in scikit-learn) or a fraction of them.
struct DfBound {
  double value = 1.0;
  bool is_fraction = false;

  static DfBound count(std::int64_t documents) { return {static_cast<double>(documents), false}; }
  static DfBound fraction(double share) { return {share, true}; }
  /// The bound in documents for a corpus of n documents (value * n for a fraction).
  double documents(std::int64_t n) const {
    return is_fraction ? value * static_cast<double>(n) : value;
  }
};

/// How a vocabulary is pruned, with scikit-learn's meanings.
struct PruneOptions {
  DfBound min_df = DfBound::count(1);
  DfBound max_df = DfBound::fraction(1.0);
  std::optional<std::int64_t> max_features;
  /// Rank terms for max_features by document frequency instead of term frequency (binary=True).
  bool rank_by_df = false;
  /// Keep the dropped terms (PrunedVocabulary::pruned_terms, scikit-learn's stop_words_); off,
  /// they are not collected: with word pairs they can outnumber the kept terms ten to one.
  bool keep_pruned_terms = true;

  /// Throws InvalidArgument naming the bad setting (ranges as scikit-learn checks them).
  void validate() const;
};

/// Document and term frequencies of the terms of a corpus shard. Shards merge into exactly the
/// statistics of their union, so fitting can be split across threads or machines.
class VocabularyStats {
 public:
  VocabularyStats();
  ~VocabularyStats();
  VocabularyStats(const VocabularyStats& other);
  VocabularyStats& operator=(const VocabularyStats& other);
  VocabularyStats(VocabularyStats&&) noexcept;
  VocabularyStats& operator=(VocabularyStats&&) noexcept;

  /// Id of `term`, added with zero frequencies if new. Amortised O(length).
  std::int32_t intern(std::string_view term);
  /// Id of `term`, or -1. O(length).
  std::int32_t find(std::string_view term) const;
  /// Records that term `id` occurs `count` times in one more document.
  void add_occurrences(std::int32_t id, std::int64_t count);
  /// Counts n more documents (documents without terms count too).
  void add_documents(std::int64_t n);

  /// Adds another shard's statistics; returns, for each of its ids, the id here. O(other size).
  std::vector<std::int32_t> merge(const VocabularyStats& other);
  std::int64_t n_documents() const;
  std::size_t size() const;
  /// All terms, document frequencies and total counts, indexed by id.
  const std::vector<std::string_view>& terms() const;
  const std::vector<std::int64_t>& document_frequencies() const;
  const std::vector<std::int64_t>& term_frequencies() const;
  /// Term, document frequency and total count of term `id` (0 <= id < size()).
  std::string_view term(std::int32_t id) const;
  std::int64_t document_frequency(std::int32_t id) const;
  std::int64_t term_frequency(std::int32_t id) const;

  /// Frees the lookup table, keeping terms and frequencies (intern/find rebuild it, O(size)).
  void compact();

  /// The statistics as versioned JSON (terms, df, tf, documents), to ship shards between
  /// processes; from_json throws ModelFormatError naming `origin`.
  std::string to_json() const;
  static VocabularyStats from_json(std::string_view json, std::string_view origin = "<string>");

  /// Equal terms with equal frequencies and document counts (ids may differ).
  bool same_statistics(const VocabularyStats& other) const;

 private:
  friend struct detail::StatsAccess;  // the vectorizer's counts and prune's key words
  std::vector<std::int32_t> merge(const detail::TermCounts& counts);
  const detail::TermCounts& counts() const;

  struct Impl;
  std::unique_ptr<Impl> impl_;
};

/// A fitted vocabulary: terms with ids 0..size-1. Immutable; lookups are thread-safe.
class Vocabulary {
 public:
  Vocabulary();
  /// Term i gets id i. Throws InvalidArgument on a duplicate ("Duplicate term in vocabulary").
  explicit Vocabulary(std::vector<std::string> terms);
  /// Terms known to be distinct (not checked); the lookup table is built on first use.
  struct Unique {};
  Vocabulary(std::vector<std::string> terms, Unique);
  /// Distinct terms stored back to back in `blob`, term i ending at ends[i] (as prune builds
  /// them: one allocation instead of one per term).
  Vocabulary(std::string blob, const std::vector<std::size_t>& ends, Unique);
  ~Vocabulary();
  Vocabulary(const Vocabulary& other);
  Vocabulary& operator=(const Vocabulary& other);
  Vocabulary(Vocabulary&&) noexcept;
  Vocabulary& operator=(Vocabulary&&) noexcept;

  std::size_t size() const { return views_.size(); }
  bool empty() const { return views_.empty(); }
  /// Id of `term`, or -1. O(length); the first call builds the lookup table, O(size).
  std::int32_t find(std::string_view term) const;
  /// Term with this id; throws IndexOutOfRange.
  std::string_view term(std::int32_t id) const;
  /// All terms by id, as views (always available) or as strings (made on first use).
  const std::vector<std::string_view>& views() const { return views_; }
  const std::vector<std::string>& terms() const;

 private:
  struct Index;
  void fill_index() const;
  std::shared_ptr<const std::string> blob_;  // owns what views_ point into (never changes)
  std::vector<std::string_view> views_;
  std::unique_ptr<Index> index_;
};

/// The outcome of pruning statistics into a vocabulary.
struct PrunedVocabulary {
  Vocabulary vocabulary;                 // sorted by term (code point order), as scikit-learn's
  std::vector<std::int32_t> id_map;      // stats id -> vocabulary id, or -1 when pruned
  std::vector<std::int64_t> df;          // document frequency of each vocabulary term
  std::vector<std::string> pruned_terms;  // scikit-learn's stop_words_
};

/// Sorts the terms, then keeps those with min_df <= df <= max_df and, with max_features, the
/// most frequent ones (ties broken exactly as scikit-learn's numpy argsort breaks them).
/// O(V) (a radix sort on the first bytes, on up to `threads` threads) plus O(V log V) for
/// max_features. Throws InvalidArgument with scikit-learn's messages when nothing is left.
/// `interrupted`, when given, is polled on the calling thread every few thousand terms; once
/// it returns true the call throws Interrupted.
PrunedVocabulary prune(const VocabularyStats& stats, const PruneOptions& options,
                       int threads = 1, const InterruptCheck* interrupted = nullptr);

}  // namespace newsim

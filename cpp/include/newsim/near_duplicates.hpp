#pragma once
// Wire copies: near-duplicate articles found by MinHash signatures of word shingles, LSH banding
// for candidates, and an exact check of every candidate, so that no reported pair falls below
// the threshold.
//
// A shingle is a run of `shingle_size` consecutive words (lowercased tokens of the default
// token pattern), hashed with XXH3. The similarity of two articles is the Jaccard index of their
// shingle sets. Documents are added in batches to a NearDuplicateIndex, which reports the pairs
// each batch forms with itself and with what came before; near_duplicates() does it in one call.
#include <cstdint>
#include <memory>
#include <string_view>
#include <vector>

#include "newsim/analyzer.hpp"
#include "newsim/interrupt.hpp"
#include "newsim/text.hpp"

namespace newsim {

/// How a reported pair is related.
///   copy:     near-identical (Jaccard >= copy_threshold);
///   contains: one is a cut or an excerpt of the other: the smaller's shingles lie in the other
///             at least containment_threshold, and the larger adds more than twice as many
///             shingles as the smaller has of its own (|L∖S| > 2 |S∖L|);
///   update:   the same text, edited on both sides.
enum class Relation : std::uint8_t { copy, contains, update };
std::string_view to_string(Relation relation);

struct NearDuplicateOptions {
  int shingle_size = 5;              // words per shingle, >= 1
  int num_perm = 128;                // MinHash values per signature, >= 1
  double threshold = 0.8;            // Jaccard in (0, 1]; pairs at or above it are reported
  int bands = 0;                     // LSH bands; 0: chosen by choose_bands()
  double copy_threshold = 0.9;       // Jaccard at or above: copy
  double containment_threshold = 0.9;
  std::uint64_t seed = 1;            // of the MinHash permutations
  AnalyzerOptions words;             // how words are found; must be the word analyzer, unigrams
  int n_jobs = 0;                    // threads; 0 = all cores
  InterruptCheck interrupted;        // optional, polled between batches of documents
  /// Most candidate pairs one add() may check (< 0: no bound). Identical shingle sets count
  /// once each, so only many distinct near-duplicates reach it; 10 M (about 700 MB while
  /// checked) by default.
  std::int64_t max_pairs = 10'000'000;

  /// Throws InvalidArgument naming the first bad setting.
  void validate() const;
};

/// Banding of a signature: `bands` bands of `rows` values (bands * rows <= num_perm).
struct LshBands {
  int bands = 0;
  int rows = 0;
};

/// Probability that a pair of Jaccard j shares at least one band: 1 - (1 - j^rows)^bands.
/// Throws InvalidArgument for j outside [0, 1] or a banding without bands or rows.
double lsh_probability(double jaccard, LshBands banding);

/// The banding used for a threshold: the most rows per band (fewest false candidates) for which
/// a pair exactly at the threshold is a candidate with probability >= 0.999 (or, when no
/// banding of num_perm values reaches that, one row per band). O(num_perm).
LshBands choose_bands(double threshold, int num_perm, int bands = 0);

/// The sorted, distinct shingle hashes of one document. A document with fewer words than
/// shingle_size has a single shingle of all its words; one without words has none.
/// O(length). Throws DecodeError (invalid UTF-8 under decode_error="strict").
std::vector<std::uint64_t> shingles(TextView doc, const NearDuplicateOptions& options,
                                    std::size_t doc_index = 0);

/// MinHash signature of a shingle set: for each of num_perm permutations of 32-bit values
/// h_p(x) = (a_p x' + b_p) mod 2^32 (a_p odd and b_p drawn from the seed, x' the 64-bit value
/// mixed (MurmurHash3's finaliser) and folded to 32 bits), the minimum over the set. An empty set gives all 0xFFFFFFFF.
/// O(|set| * num_perm).
std::vector<std::uint32_t> minhash(const std::vector<std::uint64_t>& shingle_set, int num_perm,
                                   std::uint64_t seed = 1);

/// Share of equal positions of two signatures: an unbiased estimate of the Jaccard index with
/// standard error sqrt(j(1-j)/num_perm). Throws InvalidArgument for lengths that differ.
double estimate_jaccard(const std::vector<std::uint32_t>& a, const std::vector<std::uint32_t>& b);

/// A verified pair, a < b (positions in the order documents were added).
struct DuplicatePair {
  std::int64_t a = 0;
  std::int64_t b = 0;
  double jaccard = 0;      // |A ∩ B| / |A ∪ B| of the shingle sets
  double containment = 0;  // |A ∩ B| / min(|A|, |B|): how much of the smaller is in the other
  double cosine = 0;       // |A ∩ B| / sqrt(|A| |B|)
  Relation relation = Relation::update;
  std::int64_t container = -1;  // for contains: the larger of the two; otherwise -1
};

/// Pairs and their connected components.
struct NearDuplicates {
  std::vector<DuplicatePair> pairs;               // by (a, b)
  std::vector<std::vector<std::int64_t>> groups;  // each sorted; groups by their first member
  std::vector<std::int64_t> canonical;            // per group: earliest by time, else longest
  std::int64_t candidates = 0;                    // distinct candidate pairs checked exactly
};

/// Documents added in batches; each batch is checked against itself and all earlier ones.
/// Holds, per document, its shingle set (8 bytes a shingle) and signature (4 bytes a value).
///
/// Copies: a document whose shingle set equals an earlier one's (the same normalised text) is
/// paired with the first document of that set only (Jaccard 1, relation copy), and its other
/// pairs are those of that first document: n copies give n - 1 pairs and one group, not
/// n (n - 1) / 2 pairs. query() still reports every indexed document.
///
/// Safe to share between threads: add() takes a writer lock, the other members a reader lock.
class NearDuplicateIndex {
 public:
  /// Throws InvalidArgument for bad options.
  explicit NearDuplicateIndex(NearDuplicateOptions options = {});
  ~NearDuplicateIndex();
  NearDuplicateIndex(NearDuplicateIndex&&) noexcept;
  NearDuplicateIndex& operator=(NearDuplicateIndex&&) noexcept;

  const NearDuplicateOptions& options() const;
  LshBands banding() const;
  std::int64_t size() const;

  /// Adds documents, numbered from size() on. `times` (seconds, NaN when unknown), when given,
  /// has one entry per document and chooses canonical articles. Returns the new pairs (those
  /// with b among the added), by (a, b). O(length) per document for shingles and signatures
  /// (on all cores), then O(shared bucket entries) for candidates, and O(|A| + |B|) per
  /// candidate. Throws DecodeError (naming the document's position), InvalidArgument (also
  /// for more than options().max_pairs candidate pairs), Interrupted; on an error nothing is
  /// added.
  std::vector<DuplicatePair> add(const std::vector<TextView>& docs,
                                 const std::vector<double>* times = nullptr);

  /// Verified pairs between one outside document (a = -1) and the indexed ones; the document
  /// is not added. Throws DecodeError, InvalidArgument.
  std::vector<DuplicatePair> query(TextView doc) const;

  /// Every pair found so far, with groups and canonical articles. O(pairs + size).
  NearDuplicates result() const;

  /// Copies of the stored shingle set and signature of document i. Throws IndexOutOfRange.
  std::vector<std::uint64_t> shingle_set(std::int64_t i) const;
  std::vector<std::uint32_t> signature(std::int64_t i) const;
  /// Number of candidate pairs checked exactly so far.
  std::int64_t candidates() const;

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

/// Near-duplicates of a whole collection in one call: NearDuplicateIndex(options).add(docs,
/// times) and its result(). Throws as NearDuplicateIndex::add.
NearDuplicates near_duplicates(const std::vector<TextView>& docs,
                               const NearDuplicateOptions& options = {},
                               const std::vector<double>* times = nullptr);

}  // namespace newsim

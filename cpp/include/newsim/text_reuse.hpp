#pragma once
// Text reuse: which articles share passages, where, and how one was made from the other.
//
// Words are maximal runs of word characters (Python's \w), lowercased; a word holding a digit
// is a figure. Candidates come from winnowed fingerprints (the smallest hash in every window
// of `window` consecutive `seed_words`-grams) in an inverted index: two texts that share
// `min_fingerprints` of them (or all that the smaller text has) are candidates, which every
// shared passage of 2 * window + seed_words - 1 words ensures, whatever else the texts hold (a
// short excerpt inside a long article included). A fingerprint found in more than
// `max_postings` distinct texts (boilerplate, or a text copied thousands of times) links each
// of them only to the first that has it, so pairs never come from a loop over all pairs. Every candidate is aligned: runs of equal words (figures
// equal as figures) are seeded on word n-gram matches and extended, the longest runs that do
// not overlap are kept, and runs in the same order in both texts with at most `max_gap` words
// between them are merged into passages.
//
// Spans are in code units of the input: bytes of UTF-8, characters of a Python str.
#include <cstdint>
#include <string_view>
#include <utility>
#include <vector>

#include "newsim/similarity.hpp"
#include "newsim/text.hpp"

namespace newsim {

/// How the later text of a pair was made from the origin:
///   copy:     both texts lie almost wholly in shared passages;
///   trimmed:  the derived text lies almost wholly in the origin, which has much more (a cut);
///   rewrite:  both share a large part, each has text of its own (an edited copy): both are
///             covered at least rewrite_coverage, by two passages or more, or by one that
///             covers at least excerpt_coverage of each;
///   excerpt:  a passage of the origin quoted inside an otherwise different text (any other
///             pair);
///   template: the same frame with different figures or names; not reuse, and no origin.
enum class ReuseRelation : std::uint8_t { copy, trimmed, rewrite, excerpt, template_ };
std::string_view to_string(ReuseRelation relation);

struct TextReuseOptions {
  int seed_words = 5;             // words per fingerprint n-gram, >= 1
  int window = 8;                 // winnowing window in n-grams, >= 1
  int align_words = 4;            // words per seed of the alignment, >= 1
  int max_gap = 12;               // most words between two runs of one passage, >= 0
  int min_passage_words = 15;     // a pair needs a passage of this many equal words, >= 1;
                                  // its other passages need half as many (>= align_words)
  int max_postings = 100;         // fingerprints in more texts link them to the first, >= 2
  int min_fingerprints = 2;       // candidates share this many (or all the smaller has), >= 1
  double copy_coverage = 0.9;     // copy: each text covered at least this much
  double trimmed_coverage = 0.95; // trimmed: the derived text covered at least this much
  double rewrite_coverage = 0.4;  // rewrite: each text covered at least this much, and
  double excerpt_coverage = 0.5;  // one passage alone is an excerpt below this coverage
  double template_changed = 0.3;  // template: share of aligned figures and names that differ
  int n_jobs = 0;                 // threads; 0 = all cores
  DecodeErrors decode_error = DecodeErrors::strict;
  InterruptCheck interrupted;     // optional, polled between tasks
  /// Most candidate pairs (< 0: no bound); identical texts count once each.
  std::int64_t max_pairs = 10'000'000;
  /// text_reuse also returns each pair's passages (TextReuse::passages), the spans
  /// shared_passages gives for the pair, from the alignment that classified it.
  bool passages = false;

  /// Throws InvalidArgument naming the first bad setting.
  void validate() const;
};

/// One shared passage: [a_begin, a_end) in the first text, [b_begin, b_end) in the second, in
/// code units; a_words / b_words words each side, `matched` of them equal.
struct Passage {
  std::int64_t a_begin = 0, a_end = 0, b_begin = 0, b_end = 0;
  std::int64_t a_words = 0, b_words = 0, matched = 0;
};

/// Shared passages of two texts and the measures built from them.
struct Alignment {
  std::vector<Passage> passages;  // by a_begin
  std::int64_t a_words = 0, b_words = 0;  // words of each text
  double a_coverage = 0;  // share of a's words inside passages
  double b_coverage = 0;
  std::int64_t longest = 0;  // most equal words of one passage
  std::int64_t matched = 0;  // equal words over all passages
  // Figures and capitalised words at aligned places, and how many of them differ.
  std::int64_t slots = 0;
  std::int64_t slots_changed = 0;
};

/// The passages two texts share. O(|a| + |b| + seed matches). Throws DecodeError (invalid UTF-8
/// under decode_error="strict"), InvalidArgument for bad options.
Alignment shared_passages(TextView a, TextView b, const TextReuseOptions& options = {});

/// The passages of many pairs of `docs` (positions), in the pairs' order, on all cores (as the
/// one-pair call, whose spans these are). Throws IndexOutOfRange for a position outside docs,
/// DecodeError naming the text, InvalidArgument, Interrupted.
std::vector<Alignment> shared_passages(
    const std::vector<TextView>& docs, const std::vector<std::pair<std::int64_t, std::int64_t>>& pairs,
    const TextReuseOptions& options = {});

/// A pair of texts that share passages, a < b.
struct ReusePair {
  std::int64_t a = 0, b = 0;
  /// The text the other was made from: the earlier by time when both are dated; else for
  /// trimmed the longer, for excerpt the one the passages cover more, otherwise a. -1 for
  /// template, and for two texts derived from one origin (see via).
  std::int64_t origin = -1;
  /// For two texts both derived from a third that share no more equal words than each shares
  /// with it: that origin (the smallest, if several). Their passages come from it, so neither
  /// is the other's origin. Otherwise -1.
  std::int64_t via = -1;
  double a_coverage = 0, b_coverage = 0;
  // Equal words of the longest passage and of all, and the passages: 32 bits, and the
  // relation last, so that a pair is 64 bytes (a million texts can give tens of millions).
  std::int32_t longest = 0, matched = 0, passages = 0;
  ReuseRelation relation = ReuseRelation::excerpt;
};

/// Pairs and groups. A group is an origin and the texts derived from it (template pairs make
/// no group): two texts that each quote a third are in its group, and their own pair (when they
/// share the quote) names the third as `via`, so it joins no group; a text derived from two
/// origins is in both groups.
struct TextReuse {
  std::vector<ReusePair> pairs;                   // by (a, b)
  std::vector<std::int64_t> origins;              // one per group, ascending
  std::vector<std::vector<std::int64_t>> groups;  // origin first, then derived ascending
  std::int64_t candidates = 0;                    // candidate pairs aligned
  std::vector<std::vector<Passage>> passages;     // per pair, with options.passages
};

/// Text reuse in a collection. `times` (seconds, NaN when unknown), when given, has one entry
/// per text and sets the origin of dated pairs. Texts with the same words are aligned once:
/// each later one is a copy of the first, and only the first meets other texts (so n identical
/// texts give n - 1 pairs). Texts without words are never paired. Results do not depend on
/// n_jobs. Throws DecodeError (naming the text), InvalidArgument (bad options, `times` of the
/// wrong length, more than max_pairs candidates), Interrupted.
TextReuse text_reuse(const std::vector<TextView>& docs, const TextReuseOptions& options = {},
                     const std::vector<double>* times = nullptr);

}  // namespace newsim

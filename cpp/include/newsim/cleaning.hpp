#pragma once

// Boilerplate cleaning of already-extracted plain text, with an audit of every decision.
//
// Each line of an article is labelled body, boilerplate (page furniture: navigation, icon
// text, appeals, cookie and subscription notices, share buttons, comment widgets, related
// links), title, caption, credit or subhead; a dateline ("SEOUL —") is split off the first
// body line. Evidence comes from phrases and vocabulary of page furniture, repetition of a
// line across articles (of the same source when sources are known), the shape of the line
// (length, stop words, sentence punctuation) and its position (before the title, after the
// last body paragraph). Cleaning is conservative: a line shaped like a sentence is removed
// only in the head or tail of a page (and then only when it also talks to the reader: "we",
// "your", ...), or when it repeats across articles of its source (without sources: in a
// tenth of the corpus and at least 10 articles). Hard-wrapped prose is never furniture by
// repetition.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "newsim/article.hpp"

namespace newsim {

enum class LineLabel { blank, body, boilerplate, title, caption, credit, subhead };

/// "blank", "body", "boilerplate", "title", "caption", "credit", "subhead".
const char* to_string(LineLabel label);

struct CleanOptions {
  bool keep_captions = false;   // leave captions in the cleaned text
  bool keep_subheads = false;   // leave subheads in the cleaned text
  int min_repeats = 2;          // a line that is not a sentence, in this many articles
  int min_repeats_sentence = 3; // a sentence, in this many articles of the same source
  int n_jobs = 0;               // threads; 0 = all cores
};

/// One decision: a line that is not body, or a dateline split off a body line.
struct AuditEntry {
  std::size_t article = 0;  // position in the corpus
  std::int32_t line = 0;    // 1-based line of the original text
  std::string label;        // a LineLabel name, or "dateline"
  std::string rule;         // which rule decided
  std::string evidence;     // what it saw
  std::string text;         // the line, or the part split off
};

/// The labels of one article's lines, and what was found in them.
struct LineReport {
  std::vector<LineLabel> labels;  // one per line of the original text, split at '\n'
  std::string title;              // detected (or the given title when the article has one)
  std::string title_credit;       // " - AFP" split off a detected title
  std::string dateline;           // split off the first body line
  std::size_t dateline_length = 0;  // bytes of that line taken by the dateline and its dash
  std::vector<AuditEntry> audit;
};

struct CleanResult {
  Corpus corpus;                  // cleaned articles: same ids, order and fields
  std::vector<AuditEntry> audit;  // by article, then line
  std::vector<LineReport> reports;
};

/// How often lines repeat across a corpus, or one shard of it: what clean() counts before it
/// labels lines (articles with each line, corpus-wide and per source; articles per source).
/// Shards' counts add up, so each shard cleaned with the merged statistics of all shards (its
/// own included) gives what cleaning the whole corpus at once gives. Lines are kept as 64-bit
/// hashes; no option of CleanOptions changes what is counted.
class CleanStatistics {
 public:
  CleanStatistics();  // no articles
  ~CleanStatistics();
  CleanStatistics(const CleanStatistics& other);
  CleanStatistics& operator=(const CleanStatistics& other);
  CleanStatistics(CleanStatistics&&) noexcept;
  CleanStatistics& operator=(CleanStatistics&&) noexcept;

  /// Adds another shard's counts. O(other's distinct lines).
  void merge(const CleanStatistics& other);
  /// Articles counted.
  std::int64_t articles() const;
  /// Distinct lines counted (corpus-wide).
  std::size_t lines() const;
  /// The same counts. O(distinct lines).
  bool operator==(const CleanStatistics& other) const;
  bool operator!=(const CleanStatistics& other) const { return !(*this == other); }

  /// Versioned MessagePack (nlohmann/json) with the counts as packed arrays, about 12 bytes per
  /// distinct line: to ship shards between processes and to pickle. from_bytes throws
  /// ModelFormatError naming `origin`.
  std::string to_bytes() const;
  static CleanStatistics from_bytes(std::string_view bytes, std::string_view origin = "<bytes>");

  struct Impl;  // the counts (internal)

 private:
  std::unique_ptr<Impl> impl_;
  friend CleanStatistics clean_statistics(const Corpus& corpus, int n_jobs);
  friend CleanResult clean(const Corpus& corpus, const CleanStatistics& statistics,
                           const CleanOptions& options);
};

/// The repetition counts of a corpus (or shard): clean()'s first pass without the labelling.
/// O(total text); parallel over articles (n_jobs: 0 = all cores), results independent of it.
CleanStatistics clean_statistics(const Corpus& corpus, int n_jobs = 0);

/// Cleans every article. A cleaned article's text keeps its body lines (and captions /
/// subheads when asked) with paragraph breaks; its title is the detected one when it had
/// none (or a row of icon names: a line labelled boilerplate is never the title); its source
/// takes a title or line credit when it had none; its meta gains "dateline", "captions",
/// "subheads" and "credits" when found. O(total text) plus a hash
/// table of lines; parallel over articles, with results independent of n_jobs.
CleanResult clean(const Corpus& corpus, const CleanOptions& options = {});

/// clean() with repetition counted beforehand: `statistics` merged from every shard of the
/// corpus, this one included, instead of this corpus's own counts. Audit rows number articles
/// within this corpus. Throws InvalidArgument when the statistics lack this corpus (fewer
/// articles, or articles of a source, than it holds; a line of an article not counted).
CleanResult clean(const Corpus& corpus, const CleanStatistics& statistics,
                  const CleanOptions& options = {});

}  // namespace newsim

#pragma once

// Text analysis with scikit-learn's semantics: decode, lowercase (Python's str.lower, Final
// Sigma included), strip accents, then word tokens (the default pattern (?u)\b\w\w+\b with
// Python's \w, or any PCRE2 pattern), stop words and word n-grams; or character n-grams
// ("char", "char_wb").

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "newsim/text.hpp"

namespace newsim {

/// Which terms a document yields (scikit-learn's `analyzer`). `terms`: the document is already
/// its terms, each followed by '\0' (how Python passes the output of a callable analyzer,
/// tokenizer or preprocessor); it takes no n-grams, stop words, lowercase or accent stripping.
enum class AnalyzerKind { word, char_ngrams, char_wb_ngrams, terms };
/// scikit-learn's `strip_accents`: None, "unicode" (NFKD, drop combining marks), "ascii".
enum class StripAccents { none, unicode, ascii };

/// Parses "word" | "char" | "char_wb" | "terms" and None | "unicode" | "ascii" ("" for None).
AnalyzerKind parse_analyzer_kind(std::string_view name);
std::string_view to_string(AnalyzerKind kind);
StripAccents parse_strip_accents(std::string_view name);
std::string_view to_string(StripAccents value);

/// The default token pattern, handled by a fast hand-written scanner.
inline constexpr std::string_view kDefaultTokenPattern = R"((?u)\b\w\w+\b)";

/// Analysis settings; names and meanings are scikit-learn's.
struct AnalyzerOptions {
  AnalyzerKind analyzer = AnalyzerKind::word;
  bool lowercase = true;
  StripAccents strip_accents = StripAccents::none;
  std::string token_pattern = std::string(kDefaultTokenPattern);
  /// Terms removed before n-grams are formed (word analyzer only); see stop_words.hpp.
  std::vector<std::string> stop_words;
  /// Inclusive n-gram range, in words or in characters.
  std::pair<int, int> ngram_range{1, 1};
  DecodeErrors decode_error = DecodeErrors::strict;

  /// Throws InvalidArgument naming the first bad setting.
  void validate() const;
};

/// Turns documents into terms. Immutable after construction, so one Analyzer serves any number
/// of threads, each with its own Workspace.
class Analyzer {
 public:
  /// Validates the options and compiles the token pattern (PCRE2, UTF + Unicode properties).
  /// Throws InvalidArgument for a bad pattern or one with more than one capturing group.
  explicit Analyzer(AnalyzerOptions options);
  ~Analyzer();
  Analyzer(const Analyzer&);
  Analyzer& operator=(const Analyzer&);
  Analyzer(Analyzer&&) noexcept;
  Analyzer& operator=(Analyzer&&) noexcept;

  const AnalyzerOptions& options() const { return options_; }

  /// Per-thread scratch memory for analyze(); cheap to keep, not to be shared between threads.
  class Workspace {
   public:
    Workspace();
    ~Workspace();
    Workspace(Workspace&&) noexcept;
    Workspace& operator=(Workspace&&) noexcept;

   private:
    friend class Analyzer;
    struct State;
    std::unique_ptr<State> state_;
  };

  /// Receives terms one at a time; a view is valid only during the call.
  class TermSink {
   public:
    virtual ~TermSink() = default;
    virtual void operator()(std::string_view term) = 0;
    /// Bytes that follow every view given to terms() inside the same buffer: a sink may load a
    /// term of up to this length in whole words, past its end.
    static constexpr std::size_t kTermPadding = 16;

    /// Several terms at once, in order (word unigrams come this way); by default one by one.
    /// Each view is followed by at least kTermPadding readable bytes.
    virtual void terms(const std::string_view* terms, std::size_t n) {
      for (std::size_t i = 0; i < n; ++i) (*this)(terms[i]);
    }
  };

  /// Streams the terms of `doc` to `sink`, in scikit-learn's order. `doc_index` only names the
  /// document in errors. O(length) for words, O(length * n-gram range) for characters; memory
  /// O(number of tokens) for word n-grams, O(length) otherwise. Throws DecodeError under
  /// decode_error="strict".
  void analyze(TextView doc, Workspace& ws, TermSink& sink, std::size_t doc_index = 0) const;

  /// Convenience: the terms of one document as owned strings.
  std::vector<std::string> analyze(TextView doc) const;

  /// Decoded, lowercased and accent-stripped text (scikit-learn's build_preprocessor).
  std::string preprocess(TextView doc, std::size_t doc_index = 0) const;

  /// Where the terms of a document are, for the word analyzer: its words (stop words left
  /// out) as code point ranges [begin, end) of the UTF-8 document as given, and each term
  /// occurrence, in analyze()'s order, as the run of `words` consecutive words from `first`.
  struct Spans {
    std::vector<std::pair<std::size_t, std::size_t>> words;
    struct Term {
      std::string term;
      std::size_t first = 0, words = 0;
    };
    std::vector<Term> terms;
  };
  /// Throws InvalidArgument for another analyzer kind, DecodeError for invalid UTF-8.
  Spans spans(std::string_view doc) const;

 private:
  // Preprocesses doc into the workspace's text and returns its length; for the word and terms
  // analyzers also finds the tokens (stop words left out). With `batch` set and only unigrams
  // wanted, the tokens go to it in batches as they are found instead of being kept.
  std::size_t prepare(TextView doc, Workspace& ws, std::size_t doc_index, TermSink* batch) const;
  static void flush_tokens(Workspace::State& ws, TermSink& sink);

  struct Impl;
  AnalyzerOptions options_;
  std::shared_ptr<const Impl> impl_;
};

}  // namespace newsim

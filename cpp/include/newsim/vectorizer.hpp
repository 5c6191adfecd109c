#pragma once

// Term vectors with scikit-learn's CountVectorizer / TfidfVectorizer semantics: the same
// vocabulary, the same term ids and the same numbers, computed on all cores.

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "newsim/analyzer.hpp"
#include "newsim/sparse.hpp"
#include "newsim/text.hpp"
#include "newsim/vocabulary.hpp"

namespace newsim {

/// Row normalisation (scikit-learn's `norm`): none, sum of |x| = 1, or Euclidean length 1.
enum class Norm { none, l1, l2 };
/// Parses "" (None) | "l1" | "l2"; throws InvalidArgument otherwise.
Norm parse_norm(std::string_view name);
std::string_view to_string(Norm norm);

/// Settings of a Vectorizer. The defaults are scikit-learn's TfidfVectorizer; counts() gives
/// CountVectorizer's.
struct VectorizerOptions {
  AnalyzerOptions analysis;
  PruneOptions prune;
  /// A fixed vocabulary (term i gets column i); pruning options are then ignored.
  std::optional<std::vector<std::string>> vocabulary;
  bool binary = false;        // all non-zero counts become 1
  bool use_idf = true;        // multiply by idf = ln((1 + n) / (1 + df)) + 1 (smooth) ...
  bool smooth_idf = true;     // ... or ln(n / df) + 1
  bool sublinear_tf = false;  // tf -> 1 + ln(tf)
  Norm norm = Norm::l2;
  /// Threads: 0 = all cores, k > 0 = k threads, -1 = all, -2 = all but one. Results do not
  /// depend on it.
  int n_jobs = 0;
  /// Optional; polled on the calling thread between chunks of documents and between the
  /// stages of fit and transform (counting, merging, sorting and pruning the vocabulary,
  /// building the matrix): returning true stops the call with Interrupted. Not saved.
  InterruptCheck interrupted;

  /// CountVectorizer's defaults: raw counts, no idf, no normalisation.
  static VectorizerOptions counts();
  /// Throws InvalidArgument naming the first bad setting.
  void validate() const;
};

/// A list of documents: views of UTF-8 strings or of Python str buffers.
using Documents = std::vector<TextView>;

/// Views of std::strings, for C++ callers.
Documents as_documents(const std::vector<std::string>& texts);

/// scikit-learn's idf of each document frequency among n_documents: ln((1 + n) / (1 + df)) + 1
/// with `smooth`, else ln(n / df) + 1. The one formula Vectorizer and TfidfTransformer use.
std::vector<double> idf_from_df(const std::vector<std::int64_t>& df, std::int64_t n_documents,
                                bool smooth);

/// Learns a vocabulary (and idf) from documents and turns documents into sparse term vectors.
class Vectorizer {
 public:
  /// Validates the options and compiles the analyzer; throws InvalidArgument.
  explicit Vectorizer(VectorizerOptions options = {});

  /// Learns the vocabulary and idf. O(total length); memory O(vocabulary + non-zeros).
  /// Throws InvalidArgument ("empty vocabulary ...", "After pruning, no terms remain ...",
  /// "max_df corresponds to < documents than min_df") and DecodeError.
  void fit(const Documents& docs);
  void fit(const std::vector<std::string>& docs) { fit(as_documents(docs)); }

  /// fit() and transform() in one pass over the text. T is double, float, int64_t or int32_t.
  template <class T = double>
  CsrMatrix<T> fit_transform(const Documents& docs);
  template <class T = double>
  CsrMatrix<T> fit_transform(const std::vector<std::string>& docs) {
    return fit_transform<T>(as_documents(docs));
  }

  /// Term vectors of documents over the fitted vocabulary; unknown terms are ignored.
  /// Throws NotFittedError before fit() (unless the vocabulary is fixed and idf unused).
  template <class T = double>
  CsrMatrix<T> transform(const Documents& docs) const;
  template <class T = double>
  CsrMatrix<T> transform(const std::vector<std::string>& docs) const {
    return transform<T>(as_documents(docs));
  }

  /// Statistics of one shard of a corpus, to be merged with other shards' and passed to
  /// fit_statistics(): fitting shards apart and merging gives exactly fit() on the whole.
  VocabularyStats statistics(const Documents& docs) const;
  /// Fits the vocabulary and idf from (merged) statistics.
  void fit_statistics(const VocabularyStats& stats);

  const VectorizerOptions& options() const { return options_; }
  /// Sets options().interrupted, e.g. of a model read with from_json (which does not save it).
  /// Not while another thread uses this vectorizer.
  void set_interrupt_check(InterruptCheck check) { options_.interrupted = std::move(check); }
  const Analyzer& analyzer() const { return analyzer_; }
  bool is_fitted() const { return fitted_; }
  bool fixed_vocabulary() const { return options_.vocabulary.has_value(); }
  /// The fitted (or fixed) vocabulary; throws NotFittedError.
  const Vocabulary& vocabulary() const;
  /// idf of each term (use_idf only); throws NotFittedError.
  const std::vector<double>& idf() const;
  /// Terms dropped by min_df / max_df / max_features (scikit-learn's stop_words_).
  const std::vector<std::string>& pruned_terms() const { return pruned_terms_; }
  /// Documents seen by fit.
  std::int64_t n_documents() const { return n_documents_; }

  /// The model (options, vocabulary, idf) as versioned JSON.
  std::string to_json() const;
  /// Reads to_json() output; throws ModelFormatError naming `origin` when it is corrupt, of
  /// another format, or of a newer version.
  static Vectorizer from_json(std::string_view json, std::string_view origin = "<string>");
  /// Writes / reads a model file; throws IoError or ModelFormatError naming the path.
  void save(const std::string& path) const;
  static Vectorizer load(const std::string& path);

  /// Replaces the idf (scikit-learn's `idf_` setter): the vocabulary must be fitted or fixed
  /// (a fixed one becomes fitted), use_idf on, one value per term, each a valid idf
  /// (in [1, 1 + ln(2^63)], as in model files). Throws InvalidArgument otherwise.
  void set_idf(std::vector<double> idf);

 private:
  // StoryFeatures fits "no term" when no term is in two articles (each is then its own story).
  friend class StoryFeatures;

  /// Restores fitted state (from_json). Throws ModelFormatError on inconsistent sizes.
  void set_fitted_state(Vocabulary vocabulary, std::vector<double> idf,
                        std::vector<std::string> pruned_terms, std::int64_t n_documents);
  void set_idf_from_df(const std::vector<std::int64_t>& df, std::int64_t n_documents);
  void require_fitted() const;

  VectorizerOptions options_;
  Analyzer analyzer_;
  bool fitted_ = false;
  Vocabulary vocabulary_;
  std::vector<double> idf_;
  std::vector<std::string> pruned_terms_;
  std::int64_t n_documents_ = 0;
};

}  // namespace newsim

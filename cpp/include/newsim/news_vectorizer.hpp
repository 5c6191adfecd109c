#pragma once

// News-aware term vectors: news analysis (news_analyzer.hpp: stemmed words without news filler,
// spelling variants folded, names as terms, title and lead weighted) with BM25 or TF-IDF
// weighting and L2 or pivoted length normalisation. Beside, not instead of, the
// scikit-learn-exact Vectorizer.
//
// Weighting of term j in a document with weighted count tf and length dl (the sum of the
// weighted counts of all its terms, before pruning), for a fitted corpus of N documents with
// document frequency df_j and mean length avgdl:
//   bm25  (default): idf_j = ln(1 + (N - df_j + 0.5) / (df_j + 0.5)),
//                    w = idf_j * tf * (k1 + 1) / (tf + k1 * (1 - b + b * dl / avgdl))
//   tfidf:           idf_j = ln((1 + N) / (1 + df_j)) + 1 (scikit-learn's smooth idf),
//                    w = tf * idf_j, or (1 + ln tf) * idf_j for tf >= 1 with sublinear_tf
//                    (tf below 1, possible with lead_weight < 1, is kept as it is).
// Normalisation of the row w:
//   l2 (default): w / |w|;  none: w;
//   pivoted (Singhal, Buckley and Mitra 1996): w / ((1 - slope) * pivot + slope * |w|), where
//   |w| is the Euclidean length and pivot the mean |w| of the non-zero rows of the fitted
//   corpus (slope 0.25 by default): long documents are damped less than by l2.
// A document without known terms is a zero row (never NaN). Results do not depend on n_jobs.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "newsim/news_analyzer.hpp"
#include "newsim/sparse.hpp"
#include "newsim/vocabulary.hpp"

namespace newsim {

enum class NewsScheme { bm25, tfidf };
enum class NewsNorm { none, l2, pivoted };
/// Parse "bm25" | "tfidf" and "" or "none" | "l2" | "pivoted"; throw InvalidArgument otherwise.
NewsScheme parse_news_scheme(std::string_view name);
std::string_view to_string(NewsScheme scheme);
NewsNorm parse_news_norm(std::string_view name);
std::string_view to_string(NewsNorm norm);

/// How weighted counts become vector values (see the top of this header).
struct NewsWeightingOptions {
  NewsScheme scheme = NewsScheme::bm25;
  double k1 = 1.2;            // bm25: >= 0
  double b = 0.75;            // bm25: in [0, 1]
  bool sublinear_tf = false;  // tfidf only
  NewsNorm norm = NewsNorm::l2;
  double slope = 0.25;        // pivoted: in [0, 1]

  /// Throws InvalidArgument naming the first bad setting.
  void validate() const;
};

/// Settings of a NewsVectorizer.
struct NewsVectorizerOptions {
  NewsAnalyzerOptions analysis;
  NewsWeightingOptions weighting;
  /// Keep terms with min_df <= df <= max_df (counts or fractions, as scikit-learn's).
  DfBound min_df = DfBound::count(1);
  DfBound max_df = DfBound::fraction(1.0);
  /// Threads: 0 = all cores, k > 0 = k threads, -1 = all, -2 = all but one.
  int n_jobs = 0;

  /// Throws InvalidArgument naming the first bad setting.
  void validate() const;
};

using NewsDocuments = std::vector<NewsDocument>;

/// Learns a vocabulary of word and name terms, their idf and the mean document length, and
/// turns news documents into sparse vectors with sorted columns.
///
/// For a combined similarity: take the name columns from term_kinds() (or name_columns()) for a
/// name overlap, and transform({{title, {}}}) for title vectors over the same vocabulary.
class NewsVectorizer {
 public:
  /// Validates the options; throws InvalidArgument.
  explicit NewsVectorizer(NewsVectorizerOptions options = {});

  /// Learns vocabulary, idf, average length (and the pivot). O(total length + T log T) for T
  /// distinct terms; memory O(terms of all documents) while fitting. Throws InvalidArgument for
  /// an empty corpus, a corpus without terms, or df bounds that leave nothing; DecodeError
  /// naming the document.
  void fit(const NewsDocuments& docs);
  /// fit() then the vectors of the same documents, in one analysis pass.
  CsrMatrix<double> fit_transform(const NewsDocuments& docs);
  /// Vectors over the fitted vocabulary (unknown terms ignored). O(total length + nnz).
  /// Throws NotFittedError before fit.
  CsrMatrix<double> transform(const NewsDocuments& docs) const;

  /// The terms of one document as this vectorizer's analysis sees them (key, kind, weighted
  /// count, surface), whether or not they are in the vocabulary.
  std::vector<NewsTerm> analyze(const NewsDocument& doc) const;
  std::vector<NewsOccurrence> occurrences(const NewsDocument& doc) const;

  const NewsVectorizerOptions& options() const { return options_; }
  const NewsAnalyzer& analyzer() const { return analyzer_; }
  bool is_fitted() const { return fitted_; }
  /// Term keys by column, sorted (stems; name keys start with kNamePrefix). Throws
  /// NotFittedError, as do the accessors below.
  const Vocabulary& vocabulary() const;
  /// Word or name, by column.
  const std::vector<TermKind>& term_kinds() const;
  /// Columns holding name terms, ascending.
  std::vector<std::int32_t> name_columns() const;
  /// A readable label per column: the most frequent surface form in the fitted corpus
  /// ("missiles" for the stem "missil", "Sergei Lavrov" for a name; ties: the smallest).
  const std::vector<std::string>& feature_names() const;
  const std::vector<double>& idf() const;
  const std::vector<std::int64_t>& document_frequencies() const;
  std::int64_t n_documents() const;
  /// Mean document length (avgdl) and the pivot of pivoted normalisation (0 unless fitted with
  /// norm = pivoted).
  double average_length() const;
  double pivot() const;

  /// The model as versioned JSON ("newsim.news_vectorizer", version 1).
  std::string to_json() const;
  /// Throws ModelFormatError naming `origin` when the text is corrupt, of another format or of a
  /// newer version.
  static NewsVectorizer from_json(std::string_view json, std::string_view origin = "<string>");
  /// Model files; IoError or ModelFormatError name the path.
  void save(const std::string& path) const;
  static NewsVectorizer load(const std::string& path);

 private:
  void require_fitted() const;
  CsrMatrix<double> fit_impl(const NewsDocuments& docs, bool want_rows);

  NewsVectorizerOptions options_;
  NewsAnalyzer analyzer_;
  bool fitted_ = false;
  Vocabulary vocabulary_;
  std::vector<TermKind> kinds_;
  std::vector<std::string> labels_;
  std::vector<double> idf_;
  std::vector<std::int64_t> df_;
  std::int64_t n_documents_ = 0;
  double avgdl_ = 0.0;
  double pivot_ = 0.0;
};

}  // namespace newsim

#pragma once

// One article similarity: the preset that newsim uses wherever it compares articles (the
// SimilarityIndex, `newsim analyze`, stories).
//
// Each article becomes four unit vectors over one fitted news vocabulary (news_vectorizer.hpp):
//   terms   its BM25 vector (words and names; title and lead weighted),
//   names   the same vector restricted to name columns,
//   title   the vector of its title alone,
//   latent  its LSA coordinates (lsa.hpp) of the terms vector.
// The similarity of articles a and b is
//   base  = (w_terms·cos_terms + w_names·cos_names + w_title·cos_title + w_latent·max(0,
//   cos_latent))
//           / (sum of the weights that apply)
//   score = sqrt(base) · time_factor
// The names (title) weight applies only when both articles have names (a title), so identical
// articles score 1; the latent weight only when the model has a latent part; the terms weight
// always (it becomes 1 when it and the latent weight are both 0). Cosines of term vectors crowd
// near 0 for related articles; the square root spreads them (a monotone map, so rankings are those
// of base). time_factor is 1 unless both dates are known, then time_floor + (1 -
// time_floor)·exp(-|Δt| / time_scale): the same story told days apart stays close, a similar event
// a year later scores lower. Scores are in [0, 1]; an article without terms scores 0 with
// everything.

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "newsim/explain_batch.hpp"
#include "newsim/lsa.hpp"
#include "newsim/news_vectorizer.hpp"
#include "newsim/similarity.hpp"
#include "newsim/sparse.hpp"

namespace newsim {

/// The title of a text given without one: the Subject of a mail or Usenet header block at its
/// start ("Re:" prefixes dropped), else its first non-blank line when that has at most 20 words
/// and more text follows, else nothing (an empty view). A view into `text`, trimmed. O(length
/// of the header block or first line).
TextView derived_title(TextView text);

/// Settings of the article similarity; the defaults were chosen on the development data of
/// bench/quality.py (see the README).
struct ArticleSimilarityOptions {
  NewsVectorizerOptions terms;
  /// Latent dimensions; fewer when the corpus is small (at most min(documents, terms) - 1).
  /// 0 turns the latent part off.
  int n_components = 100;
  int n_iter = 5;
  std::uint64_t random_state = 0;
  /// Component weights, each >= 0, not all 0.
  double terms_weight = 0.4;
  double names_weight = 0.1;
  double title_weight = 0.15;
  double latent_weight = 0.35;
  /// Time factor (dates in seconds since the epoch; NaN when unknown): scale in seconds (> 0)
  /// and floor in [0, 1] (1 turns time off).
  double time_scale = 7 * 86400.0;
  double time_floor = 0.5;
  int n_jobs = 0;
  InterruptCheck interrupted;  // optional; polled between blocks of work

  /// Throws InvalidArgument naming the first bad setting.
  void validate() const;
};

/// Articles as the similarity sees them: unit rows (or zero rows) of each component.
struct ArticleVectors {
  CsrMatrix<double> terms;
  CsrMatrix<double> names;
  CsrMatrix<double> titles;
  DenseMatrix latent;         // rows × latent dimensions (0 columns without a latent part)
  std::vector<double> times;  // seconds since the epoch, NaN when unknown
  std::int64_t rows() const { return terms.rows; }
};

/// The given rows of `v`, in that order (rows may repeat), for queries about fitted articles.
/// Throws IndexOutOfRange. O(size of the rows).
ArticleVectors select_rows(const ArticleVectors& v, const std::vector<std::int64_t>& rows);

/// One component's part in a score.
struct SimilarityComponent {
  std::string name;         // "terms", "names", "title", "latent"
  double weight = 0;        // its weight after renormalisation (0 when it does not apply)
  double similarity = 0;    // its cosine
  double contribution = 0;  // weight · similarity (sums to base)
};

/// Why two articles are alike.
struct ArticleExplanation {
  double score = 0;
  double base = 0;
  double time_factor = 1;
  std::vector<SimilarityComponent> components;
  Explanation terms;  // shared terms of the terms vectors
  Explanation names;  // shared names
  /// Terms that carry the latent cosine: term t contributes
  /// (a_t·(P b)_t + b_t·(P a)_t) / 2 / (|za| |zb|), P = VᵀV the projection on the latent space;
  /// the contributions of all terms sum to the latent cosine. By descending contribution.
  std::vector<TermContribution> latent_terms;
};

/// The fitted preset: vocabulary, idf, LSA and the vectors of the fitted articles.
class ArticleSimilarity {
 public:
  /// Throws InvalidArgument for bad options.
  explicit ArticleSimilarity(ArticleSimilarityOptions options = {});

  /// Fits the vocabulary and LSA on `docs` and keeps their vectors for top_k / join / explain.
  /// `times` (one per document, NaN when unknown) may be null. Work: the vectorizer's fit,
  /// then the LSA fit (lsa.hpp). Throws InvalidArgument (empty corpus, no terms, times of the
  /// wrong length), DecodeError, Interrupted.
  ArticleSimilarity& fit(const NewsDocuments& docs, const std::vector<double>* times = nullptr);

  /// Vectors of other articles over the fitted model. Throws NotFittedError.
  ArticleVectors transform(const NewsDocuments& docs,
                           const std::vector<double>* times = nullptr) const;
  /// The fitted articles' vectors.
  const ArticleVectors& fitted() const;

  /// The score of each aligned pair (a[i], b[i]). O(row lengths + latent dimensions) a pair.
  /// Throws InvalidArgument when the counts differ.
  std::vector<double> score(const ArticleVectors& a, const ArticleVectors& b) const;
  /// Score and components of article i of `a` against article j of `b`.
  ArticleExplanation explain(const ArticleVectors& a, std::int64_t i, const ArticleVectors& b,
                             std::int64_t j, int top = 10) const;

  /// The k nearest fitted articles of each query (each fitted article, itself left out, when
  /// `queries` is null), exact: every pair is scored, in blocks of queries (a GEMM for the
  /// latent part, an inverted index for the sparse parts), never an n×n matrix. Ties go to the
  /// smaller index; rows with fewer than k neighbours of non-zero score are padded with -1, 0.
  /// Results do not depend on n_jobs. Work O(rows(q)·n·latent + Σ_t dfq(t)·df(t)), halved
  /// without queries (each pair is scored once). Extra memory per thread: 64·n latent scores
  /// and three n-long accumulators, and without queries n·k·16 bytes of neighbour lists.
  Neighbors top_k(const ArticleVectors* queries, int k) const;
  /// top_k by search rather than by scoring every pair, for large archives (needs the latent
  /// part). Candidates of a query: the articles of the `probes` cells nearest its own (cells:
  /// spherical k-means of the latent vectors) and, when dated, the `time_neighbors` dated
  /// articles nearest in time on each side; of those, the 2·`candidates` best by latent cosine
  /// times the pair's time factor, then the `candidates` best of these by a sketch of the terms
  /// cosine (the candidate's 24 heaviest terms) with the latent cosine, are scored in full
  /// (score() of the pair) and the k best kept. Neighbours may be missed (recall against top_k: bench/scale.py); scores are exact.
  /// Results do not depend on n_jobs. Work about rows(q)·(probes·n / cells + 2·time_neighbors)
  /// ·latent + rows(q)·candidates·(terms per article); memory rows(q)·candidates·40 bytes.
  /// A query whose latent vector is zero (no terms) gets no neighbours. Throws
  /// InvalidArgument (no latent part, k, cells or time_neighbors < 0, probes or candidates < 1).
  struct Search {
    std::int64_t cells = 0;  // 0: 2·√(fitted articles)
    int probes = 16;
    int candidates = 64;
    std::int64_t time_neighbors = 1024;
    std::uint64_t seed = 0;
  };
  Neighbors top_k_search(const ArticleVectors* queries, int k, const Search& search) const;
  /// Every pair i < j of fitted articles with score >= threshold (0 < threshold <= 1), as an
  /// upper-triangular CSR matrix of scores. Work as top_k.
  CsrMatrix<double> join(double threshold) const;

  /// Key terms of the given fitted rows (their mean terms vector), as key_terms(). With
  /// `distinct`, terms a reader would see twice are left out (see below) before keeping `top`.
  std::vector<TermWeight> key_terms(const std::vector<std::int64_t>& rows, int top = 10,
                                    bool distinct = false) const;
  /// The shared terms of many pairs of fitted articles (rows_a[p], rows_b[p]) in one call, each
  /// as explain(fitted(), rows_a[p], fitted(), rows_b[p], top).terms.shared (values: shares),
  /// or with `distinct` as that list (of all shared terms) with repeats left out, then `top`.
  TermLists explain_pairs(const std::vector<std::int64_t>& rows_a,
                          const std::vector<std::int64_t>& rows_b, int top = 10,
                          bool distinct = false) const;
  /// The key terms of each given fitted article on its own, as key_terms({row}, top, distinct).
  TermLists key_terms_rows(const std::vector<std::int64_t>& rows, int top = 10,
                           bool distinct = false) const;
  /// Terms a reader would see twice, by their readable labels: a term is a repeat when its
  /// label equals, ignoring case (Unicode case folding), the label of an earlier term in the
  /// list or one word of an earlier name ("Sarkozy" after the word "sarkozy"; "nicolas" after
  /// "Nicolas Sarkozy").

  const ArticleSimilarityOptions& options() const { return options_; }
  bool is_fitted() const { return state_ != nullptr; }
  const NewsVectorizer& vectorizer() const;
  /// The LSA model; has_latent() is false when the corpus was too small or n_components is 0.
  bool has_latent() const;
  const Lsa& lsa() const;
  /// Whether the fitted articles had titles (the title weight applies at all).
  bool has_titles() const;

  /// The model (options, vectorizer, LSA description) as versioned JSON, and its arrays (LSA
  /// arrays, the fitted articles' terms and title rows and times; names and latent rows are
  /// recomputed on load).
  std::string to_json() const;
  std::string arrays_to_bytes() const;
  static ArticleSimilarity from_json(std::string_view json, std::string_view arrays,
                                     std::string_view origin = "<string>");
  /// Writes `path` (JSON) and `path + ".bin"` (arrays). Throws IoError; load throws IoError or
  /// ModelFormatError naming the file at fault.
  void save(const std::string& path) const;
  static ArticleSimilarity load(const std::string& path);
  /// Makes `vectors` (from transform) the articles that top_k, join and key_terms search.
  void set_fitted_articles(ArticleVectors vectors);

  struct State;

 private:
  ArticleSimilarityOptions options_;
  std::shared_ptr<State> state_;
  const State& state() const;
};

}  // namespace newsim

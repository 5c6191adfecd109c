#pragma once

// Which articles are alike, how alike, and why: exact top-k neighbours, threshold joins,
// explanations and key terms over CSR term vectors.
//
// Scores are cosine similarities (or plain dot products, for rows already normalised). The
// products X·Yᵀ are computed exactly, in blocks of 8 rows of X against an inverted index of Y,
// on all cores, without ever holding an n×n matrix. Each score is summed in the order of its
// terms' columns, so results are bit-identical for any thread count.

#include <cstdint>
#include <functional>
#include <memory>
#include <vector>

#include "newsim/errors.hpp"
#include "newsim/interrupt.hpp"
#include "newsim/sparse.hpp"

namespace newsim {

/// A borrowed CSR matrix of float64 values: row i holds columns indices[indptr[i]:indptr[i+1]].
/// Rows must be in canonical form (columns strictly increasing) and values finite; the
/// functions below check this and throw InvalidArgument naming the row.
struct CsrRef {
  std::int64_t rows = 0;
  std::int64_t cols = 0;
  const std::int64_t* indptr = nullptr;  // rows + 1 entries, indptr[0] == 0
  const std::int32_t* indices = nullptr;
  const double* data = nullptr;

  CsrRef() = default;
  CsrRef(std::int64_t rows_, std::int64_t cols_, const std::int64_t* indptr_,
         const std::int32_t* indices_, const double* data_)
      : rows(rows_), cols(cols_), indptr(indptr_), indices(indices_), data(data_) {}
  CsrRef(const CsrMatrix<double>& m)  // NOLINT(google-explicit-constructor): a view
      : rows(m.rows), cols(m.cols), indptr(m.indptr.data()), indices(m.indices.data()),
        data(m.data.data()) {}

  std::int64_t nnz() const { return rows == 0 || indptr == nullptr ? 0 : indptr[rows]; }
};

/// cosine: x·y / (|x| |y|), 0 when either row is all zeros. dot: x·y as given.
enum class Metric { cosine, dot };

/// How sparse top_k finds the neighbours. all_pairs and pruned give identical results.
enum class TopKMethod {
  automatic,    // pruned where it applies and pays (see top_k), else all_pairs
  all_pairs,    // every product of two rows sharing a term
  pruned,       // cosine on non-negative rows (else all_pairs): score bounds skip the
                // postings of each row's commonest terms when they cannot change its list
  approximate,  // pruned's search cut short: each row reads at most `postings` index
                // entries (rarest terms first) and scores exactly only `candidates` rows
};

struct TopKOptions {
  int k = 10;                      // neighbours per row, > 0
  bool exclude_self = true;        // without Y: leave row i out of row i's neighbours
  Metric metric = Metric::cosine;
  int n_jobs = 0;                  // threads; 0 = all cores, -1 all, -2 all but one
  InterruptCheck interrupted;      // optional
  TopKMethod method = TopKMethod::automatic;
  int candidates = 0;              // approximate: rows scored exactly per row; 0 = 4·k
  std::int64_t postings = 0;       // approximate: index entries read per row; 0 = 20,000
};

/// The k best neighbours of each row. Row i's neighbours are indices[i*k : i*k+k], by
/// descending score, ties broken by the smaller index; a row with fewer than k neighbours of
/// non-zero score is padded with index -1 and score 0. k is the asked k clamped to the number
/// of candidates (rows of y; rows of x less one with exclude_self), but at least 1.
struct Neighbors {
  std::int64_t rows = 0;
  int k = 0;
  Buffer<std::int64_t> indices;  // rows * k
  Buffer<double> scores;         // rows * k

  /// The kNN graph: row i has the scores of its neighbours at their columns (padding left
  /// out), columns sorted. `cols` is the number of rows of the searched matrix. O(rows·k).
  CsrMatrix<double> to_graph(std::int64_t cols) const;
};

/// For every row of x, its k most similar rows of y (of x itself when y is null).
///
/// Only pairs with a non-zero score are neighbours. exclude_self applies when y is null.
/// Work: O(Σ_t dfx(t)·dfy(t)) products (halved when y is null, by symmetry) plus, for blocks
/// whose rows touch much of y, an O(rows(y)) scan per row. Extra memory: the inverted index of
/// y (12 bytes per non-zero), 72 bytes per row of y and thread for the accumulators, and, when
/// y is null, k·16 bytes per row and thread for the mirrored half.
/// Throws InvalidArgument (k <= 0, column counts that differ, a malformed row, NaN or inf),
/// Interrupted.
Neighbors top_k(const CsrRef& x, const CsrRef* y, const TopKOptions& options);

/// Default bound on the pairs of a join: 10 M pairs hold 120 MB as a CSR result (12 bytes a
/// pair, about twice that while it is built), more than anyone reads, and a threshold that
/// gives more is almost always a mistake (1e-9 on 20 Newsgroups gives 177.6 M pairs, 4.3 GB).
constexpr std::int64_t kDefaultMaxPairs = 10'000'000;

struct JoinOptions {
  double threshold = 0.5;          // > 0; pairs scoring at least this are kept
  Metric metric = Metric::cosine;
  int n_jobs = 0;
  InterruptCheck interrupted;
  std::int64_t max_pairs = kDefaultMaxPairs;  // most pairs returned; < 0: no bound
};

/// Every pair (i, j) with score(x_i, y_j) >= threshold, as a rows(x) × rows(y) CSR matrix of
/// scores. When y is null, pairs of x with itself: only i < j (the strict upper triangle).
/// Work as top_k; extra memory as top_k without the mirrored half, plus the result, which
/// holds at most max_pairs pairs: past that the pairs are only counted, not kept.
/// Throws InvalidArgument (threshold <= 0 or not finite, more than max_pairs pairs, naming
/// how many the threshold gives, and as top_k), Interrupted.
CsrMatrix<double> similarity_join(const CsrRef& x, const CsrRef* y, const JoinOptions& options);

/// The rows of a matrix y prepared for repeated searches (queries): an inverted index of its
/// normalised rows, built once in O(nnz) and holding 12 bytes per non-zero plus 8 per column.
/// Searches then cost O(Σ_t dfx(t)·dfy(t)) for the query rows x, not O(nnz(y)). Immutable and
/// safe to share between threads.
class NeighborIndex {
 public:
  /// Throws InvalidArgument for a malformed row, NaN or inf.
  explicit NeighborIndex(const CsrRef& y, Metric metric = Metric::cosine);
  ~NeighborIndex();
  NeighborIndex(const NeighborIndex&) = default;
  NeighborIndex& operator=(const NeighborIndex&) = default;

  std::int64_t rows() const;
  std::int64_t cols() const;
  Metric metric() const;

  /// top_k(x, y) for the indexed y. options.metric must be the index's; exclude_self is
  /// ignored (x is not y). Throws as top_k.
  Neighbors top_k(const CsrRef& x, const TopKOptions& options) const;
  /// similarity_join(x, y) for the indexed y. Throws as similarity_join.
  CsrMatrix<double> similarity_join(const CsrRef& x, const JoinOptions& options) const;

  struct Impl;

 private:
  std::shared_ptr<const Impl> impl_;
};

/// Dense matrix of scores between the rows of x and of y (x itself when y is null), row-major
/// rows(x) × rows(y). For small sets: it holds rows(x)·rows(y) doubles.
/// Throws InvalidArgument as top_k.
std::vector<double> pairwise(const CsrRef& x, const CsrRef* y, Metric metric = Metric::cosine);

/// One term's part in a similarity, or its weight in one article.
struct TermContribution {
  std::int32_t term = 0;    // column
  double weight_a = 0;      // the term's weight in a (normalised for cosine), 0 if absent
  double weight_b = 0;      // same in b
  double contribution = 0;  // weight_a * weight_b
  double share = 0;         // contribution / similarity (0 when the similarity is 0)
};

/// Why two rows are alike: the score, the shared terms by descending contribution, and the
/// strongest terms each has that the other lacks (by descending weight; ties by column).
struct Explanation {
  double similarity = 0;
  std::vector<TermContribution> shared;
  std::vector<TermContribution> only_a;
  std::vector<TermContribution> only_b;
};

/// Checks that `row` is a row of m (else IndexOutOfRange naming `row_name`) and that its entries
/// are valid: columns in range and strictly increasing, values finite (else InvalidArgument
/// naming `matrix_name` and the row).
void check_row(const CsrRef& m, std::int64_t row, const char* row_name = "row",
               const char* matrix_name = "X");

/// Explains score(a_matrix row a, b_matrix row b), keeping at most `top` terms in each list
/// (top < 0: all). O(row lengths · log). Throws IndexOutOfRange, InvalidArgument.
Explanation explain(const CsrRef& a_matrix, std::int64_t a, const CsrRef& b_matrix,
                    std::int64_t b, int top = 10, Metric metric = Metric::cosine);

struct TermWeight {
  std::int32_t term = 0;
  double weight = 0;
};

/// The `top` highest-weighted terms of the mean of the given rows (one row: that row's own
/// weights), by descending weight, ties by column; zero weights are left out. Rows may repeat.
/// O(Σ row lengths + V) time, O(V) memory. Throws IndexOutOfRange, InvalidArgument (no rows).
std::vector<TermWeight> key_terms(const CsrRef& x, const std::vector<std::int64_t>& rows,
                                  int top = 10);

}  // namespace newsim

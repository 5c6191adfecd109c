#pragma once

// Latent semantic analysis: a truncated SVD of a CSR term matrix by randomized SVD (Halko,
// Martinsson & Tropp, 2011), with scikit-learn's TruncatedSVD semantics (no centring).
//
// fit: a Gaussian test matrix on the smaller side of X, n_iter power iterations each
// normalised by a QR (Cholesky QR, which is GEMM-bound and parallel; Householder when the block
// is too ill-conditioned for it), then the SVD of the small (k+p)×(k+p) problem B·Bᵀ by an
// eigen-decomposition. Sparse×dense products run on the CSR buffers, in parallel over fixed
// row blocks, so results are bit-identical for any n_jobs. At most one (k+p) × max(rows, cols)
// dense matrix is held at a time.

#include <Eigen/Core>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "newsim/errors.hpp"
#include "newsim/similarity.hpp"

namespace newsim {

/// A dense row-major matrix of float64 (LSA coordinates: one row per document).
using DenseMatrix = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

struct LsaOptions {
  int n_components = 100;          // k: dimensions kept, 0 < k < min(rows, cols)
  int n_iter = 5;                  // power iterations, >= 0
  int n_oversamples = 10;          // p: extra random vectors, >= 0
  std::uint64_t random_state = 0;  // seed of the Gaussian test matrix
  int n_jobs = 0;                  // threads; 0 = all cores, -1 all, -2 all but one
  InterruptCheck interrupted;      // optional; polled between blocks of work
};

/// Throws InvalidArgument naming the first bad option.
void validate(const LsaOptions& options);

/// A fitted (or unfitted) truncated SVD X ≈ U·diag(s)·Vᵀ of a term matrix. Copyable (the
/// fitted arrays are shared, immutable); safe to use from several threads once fitted.
class Lsa {
 public:
  /// Throws InvalidArgument for bad options.
  explicit Lsa(LsaOptions options = {});

  const LsaOptions& options() const { return options_; }
  bool is_fitted() const { return state_ != nullptr; }

  /// Fits on x (documents × terms). Work: (2·n_iter + 1)·nnz·(k+p) + nnz·k multiply-adds plus
  /// O((rows + cols)·(k+p)²); memory: one (k+p)×max(rows, cols) matrix, two or three
  /// (k+p)×min(rows, cols) ones and a transposed copy of x (12 bytes per non-zero).
  /// Throws InvalidArgument (k >= rows or cols, an empty or malformed matrix), Interrupted.
  Lsa& fit(const CsrRef& x);
  /// fit(x), then x's coordinates U·diag(s) (rows × k), which equal transform(x) up to
  /// rounding. Throws as fit.
  DenseMatrix fit_transform(const CsrRef& x);
  /// x·Vᵀ (rows × k); rows with no terms give zero rows. O(nnz·k).
  /// Throws NotFittedError, InvalidArgument (another column count, a malformed row), Interrupted.
  DenseMatrix transform(const CsrRef& x) const;

  /// The fitted k and number of columns. Throw NotFittedError.
  int n_components() const;
  std::int64_t n_features() const;
  /// Vᵀ: k × n_features, column-major (feature j's k weights are contiguous). Each row has
  /// unit norm and its largest |value| positive (scikit-learn's svd_flip on components).
  Eigen::Map<const Eigen::MatrixXd> components() const;
  /// Descending singular values (k).
  const Eigen::VectorXd& singular_values() const;
  /// Variance of each column of fit_transform's result (ddof 0), and that over the total
  /// variance of x's columns, as scikit-learn computes them.
  const Eigen::VectorXd& explained_variance() const;
  const Eigen::VectorXd& explained_variance_ratio() const;

  /// The model as versioned JSON (format "newsim.lsa"): options, shapes, and the description
  /// of the binary arrays (`arrays_to_bytes`), which it does not contain.
  std::string to_json() const;
  /// The fitted arrays (empty when not fitted), in the layout of the .bin file:
  ///   8 bytes "NSLSABIN", uint32 version (1), uint32 0, uint64 k, uint64 n_features, then
  ///   float64 singular_values[k], explained_variance[k], explained_variance_ratio[k],
  ///   components[n_features][k] (column-major Vᵀ); all little-endian.
  std::string arrays_to_bytes() const;
  /// Rebuilds a model from to_json() and arrays_to_bytes(); throws ModelFormatError naming
  /// `origin` when either is corrupt, they disagree, or the version is newer than this newsim.
  static Lsa from_json(std::string_view json, std::string_view arrays,
                       std::string_view origin = "<string>");

  /// Writes `path` (the JSON) and `path + ".bin"` (the arrays, when fitted). Throws IoError.
  void save(const std::string& path) const;
  /// Reads what save wrote; throws IoError, ModelFormatError naming the file at fault.
  static Lsa load(const std::string& path);

  struct State;

 private:
  LsaOptions options_;
  std::shared_ptr<const State> state_;
  const State& fitted() const;
};

}  // namespace newsim

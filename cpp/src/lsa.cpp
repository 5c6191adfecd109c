#include "newsim/lsa.hpp"

#include <Eigen/Cholesky>
#include <Eigen/Eigenvalues>
#include <Eigen/QR>
#include <xxhash.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <string>
#include <utility>
#include <vector>

#if defined(__linux__)
#include <sys/mman.h>
#endif

#include "model_io.hpp"
#include "newsim/detail/collect.hpp"
#include "newsim/detail/parallel.hpp"
#include "newsim/sparse.hpp"

namespace newsim {

struct Lsa::State {
  std::int64_t n_features = 0;
  int k = 0;
  DenseMatrix v;  // n_features × k: Vᵀ stored column-major
  Eigen::VectorXd singular_values;
  Eigen::VectorXd explained_variance;
  Eigen::VectorXd explained_variance_ratio;
};

namespace {

using detail::parallel_for;

constexpr std::int64_t kProductRows = 128;  // rows per task of a sparse×dense product
constexpr std::int64_t kDenseRows = 512;    // rows per dense GEMM (fixed: results never
                                            // depend on how rows are grouped on threads)
constexpr std::int64_t kGramRows = 4096;    // rows per partial Gram matrix

constexpr int kFormatVersion = 1;
constexpr char kFormat[] = "newsim.lsa";
constexpr char kMagic[8] = {'N', 'S', 'L', 'S', 'A', 'B', 'I', 'N'};
constexpr std::size_t kHeaderBytes = 32;

const InterruptCheck* check_of(const LsaOptions& o) {
  return o.interrupted ? &o.interrupted : nullptr;
}

std::size_t tasks(std::int64_t rows, std::int64_t per_task) {
  return static_cast<std::size_t>((rows + per_task - 1) / per_task);
}

// An owned CSR matrix (the transpose of the input).
struct OwnedCsr {
  std::int64_t rows = 0;
  std::int64_t cols = 0;
  Buffer<std::int64_t> indptr;
  Buffer<std::int32_t> indices;
  Buffer<double> data;
  CsrRef ref() const { return {rows, cols, indptr.data(), indices.data(), data.data()}; }
};

// O(nnz); rows of the result list their columns in increasing order.
OwnedCsr transpose(const CsrRef& x) {
  OwnedCsr t;
  t.rows = x.cols;
  t.cols = x.rows;
  const auto nnz = static_cast<std::size_t>(x.nnz());
  t.indptr = Buffer<std::int64_t>(static_cast<std::size_t>(x.cols) + 1);
  std::fill(t.indptr.begin(), t.indptr.end(), 0);
  for (std::size_t p = 0; p < nnz; ++p) ++t.indptr[static_cast<std::size_t>(x.indices[p]) + 1];
  for (std::int64_t j = 0; j < x.cols; ++j) {
    t.indptr[static_cast<std::size_t>(j) + 1] += t.indptr[static_cast<std::size_t>(j)];
  }
  t.indices = Buffer<std::int32_t>(nnz);
  t.data = Buffer<double>(nnz);
  std::vector<std::int64_t> fill(t.indptr.begin(), t.indptr.end() - 1);
  for (std::int64_t i = 0; i < x.rows; ++i) {
    for (std::int64_t p = x.indptr[i]; p < x.indptr[i + 1]; ++p) {
      const auto q = static_cast<std::size_t>(fill[static_cast<std::size_t>(x.indices[p])]++);
      t.indices[q] = static_cast<std::int32_t>(i);
      t.data[q] = x.data[p];
    }
  }
  return t;
}

// out row i (l values) = Σ_p a[i, p] · d[col p] for one CSR row. Four terms are summed before
// each update of the output row, always in the same grouping, so a row's result depends on
// that row alone.
void row_product(const CsrRef& a, std::int64_t i, const double* __restrict d, std::int64_t l,
                 double* __restrict out) {
  std::fill(out, out + l, 0.0);
  std::int64_t p = a.indptr[i];
  const std::int64_t e = a.indptr[i + 1];
  for (; p + 4 <= e; p += 4) {
    const double v0 = a.data[p], v1 = a.data[p + 1], v2 = a.data[p + 2], v3 = a.data[p + 3];
    const double* d0 = d + static_cast<std::int64_t>(a.indices[p]) * l;
    const double* d1 = d + static_cast<std::int64_t>(a.indices[p + 1]) * l;
    const double* d2 = d + static_cast<std::int64_t>(a.indices[p + 2]) * l;
    const double* d3 = d + static_cast<std::int64_t>(a.indices[p + 3]) * l;
    for (std::int64_t t = 0; t < l; ++t) {
      out[t] += (v0 * d0[t] + v1 * d1[t]) + (v2 * d2[t] + v3 * d3[t]);
    }
  }
  for (; p < e; ++p) {
    const double v = a.data[p];
    const double* dd = d + static_cast<std::int64_t>(a.indices[p]) * l;
    for (std::int64_t t = 0; t < l; ++t) out[t] += v * dd[t];
  }
}

// out (a.rows × l, row-major) = a · d (a.cols × l, row-major).
void sparse_times_dense(const CsrRef& a, const double* d, std::int64_t l, double* out,
                        int threads, const InterruptCheck* check) {
  parallel_for(
      tasks(a.rows, kProductRows), threads,
      [&](std::size_t b, std::size_t) {
        const std::int64_t r0 = static_cast<std::int64_t>(b) * kProductRows;
        const std::int64_t r1 = std::min(a.rows, r0 + kProductRows);
        for (std::int64_t i = r0; i < r1; ++i) row_product(a, i, d, l, out + i * l);
      },
      check);
}

// Asks for transparent huge pages over a big buffer not touched yet: the products gather its
// rows at random, and with 4 KiB pages nearly every row costs a TLB miss. Only a hint.
void advise_huge_pages(double* p, std::size_t n) {
#if defined(__linux__) && defined(MADV_HUGEPAGE)
  constexpr std::uintptr_t kHuge = std::uintptr_t{1} << 21;
  const std::uintptr_t b = (reinterpret_cast<std::uintptr_t>(p) + kHuge - 1) & ~(kHuge - 1);
  const std::uintptr_t e = reinterpret_cast<std::uintptr_t>(p + n) & ~(kHuge - 1);
  if (e > b) madvise(reinterpret_cast<void*>(b), e - b, MADV_HUGEPAGE);
#else
  (void)p;
  (void)n;
#endif
}

using RowMap = Eigen::Map<DenseMatrix>;
using ConstRowMap = Eigen::Map<const DenseMatrix>;

// out (rows × m.cols()) = a (rows × m.rows(), row-major) · m, by GEMMs of kDenseRows rows.
void dense_times_small(const double* a, std::int64_t rows, const Eigen::MatrixXd& m, double* out,
                       int threads) {
  const std::int64_t l = m.rows();
  const std::int64_t k = m.cols();
  parallel_for(tasks(rows, kDenseRows), threads, [&](std::size_t b, std::size_t) {
    const std::int64_t r0 = static_cast<std::int64_t>(b) * kDenseRows;
    const std::int64_t n = std::min(rows, r0 + kDenseRows) - r0;
    RowMap(out + r0 * k, n, k).noalias() = ConstRowMap(a + r0 * l, n, l) * m;
  });
}

// Gram matrix cᵀc (l × l) of a row-major rows × l matrix: partial sums over fixed row blocks,
// added in block order.
Eigen::MatrixXd gram(const double* c, std::int64_t rows, std::int64_t l, int threads,
                     const InterruptCheck* check) {
  const std::size_t blocks = tasks(rows, kGramRows);
  std::vector<Eigen::MatrixXd> part(blocks);
  parallel_for(
      blocks, threads,
      [&](std::size_t b, std::size_t) {
        const std::int64_t r0 = static_cast<std::int64_t>(b) * kGramRows;
        const std::int64_t n = std::min(rows, r0 + kGramRows) - r0;
        part[b] = Eigen::MatrixXd::Zero(l, l);
        part[b].selfadjointView<Eigen::Lower>().rankUpdate(ConstRowMap(c + r0 * l, n, l).transpose());
      },
      check);
  Eigen::MatrixXd g = Eigen::MatrixXd::Zero(l, l);
  for (const auto& p : part) g += p;
  return g.selfadjointView<Eigen::Lower>();
}

// A stateless normal generator: element e of the test matrix depends only on (seed, e), so
// any split of the work gives the same matrix. Marsaglia's polar method on a splitmix64
// stream per pair of elements.
std::uint64_t mix64(std::uint64_t z) {
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

void normal_pair(std::uint64_t seed, std::uint64_t pair, double out[2]) {
  std::uint64_t state = mix64(seed ^ mix64(pair + 0x632be59bd9b4e019ULL));
  auto uniform = [&] {  // in [-1, 1)
    state += 0x9e3779b97f4a7c15ULL;
    return static_cast<double>(mix64(state) >> 11) * 0x1.0p-52 - 1.0;
  };
  for (;;) {
    const double u = uniform();
    const double v = uniform();
    const double w = u * u + v * v;
    if (w > 0 && w < 1) {
      const double f = std::sqrt(-2.0 * std::log(w) / w);
      out[0] = u * f;
      out[1] = v * f;
      return;
    }
  }
}

void gaussian(double* c, std::int64_t rows, std::int64_t l, std::uint64_t seed, int threads) {
  const std::uint64_t key = mix64(seed + 0x9e3779b97f4a7c15ULL);
  parallel_for(tasks(rows, kDenseRows), threads, [&](std::size_t b, std::size_t) {
    const std::int64_t e0 = static_cast<std::int64_t>(b) * kDenseRows * l;
    const std::int64_t e1 = std::min(rows, static_cast<std::int64_t>(b + 1) * kDenseRows) * l;
    double pair[2];
    for (std::int64_t e = e0; e < e1; ++e) {
      if (e == e0 || (e & 1) == 0) normal_pair(key, static_cast<std::uint64_t>(e >> 1), pair);
      c[e] = pair[e & 1];
    }
  });
}

// y (rows × l, row-major) becomes the thin Q of a Householder QR. Serial.
void householder_qr(double* y, std::int64_t rows, std::int64_t l) {
  Eigen::HouseholderQR<Eigen::MatrixXd> qr(ConstRowMap(y, rows, l));
  Eigen::MatrixXd q = qr.householderQ() * Eigen::MatrixXd::Identity(rows, l);
  RowMap(y, rows, l) = q;
}

// y = y·R⁻¹ with RᵀR = yᵀy (Cholesky QR): GEMM-bound and parallel, so several times faster
// than the Householder QR here. False, with y unchanged, when y is too ill-conditioned for it
// (κ above ~1e6 would cost orthogonality).
bool cholesky_qr(double* y, std::int64_t rows, std::int64_t l, int threads,
                 const InterruptCheck* check) {
  const Eigen::LLT<Eigen::MatrixXd> llt(gram(y, rows, l, threads, check));
  if (llt.info() != Eigen::Success) return false;
  const Eigen::MatrixXd r = llt.matrixU();
  const double lo = r.diagonal().cwiseAbs().minCoeff();
  const double hi = r.diagonal().cwiseAbs().maxCoeff();
  if (!(lo > hi * 1e-6)) return false;
  const Eigen::MatrixXd r_inv =
      r.triangularView<Eigen::Upper>().solve(Eigen::MatrixXd::Identity(l, l));
  parallel_for(tasks(rows, kDenseRows), threads, [&](std::size_t b, std::size_t) {
    const std::int64_t r0 = static_cast<std::int64_t>(b) * kDenseRows;
    const std::int64_t n = std::min(rows, r0 + kDenseRows) - r0;
    RowMap block(y + r0 * l, n, l);
    const DenseMatrix tmp = block * r_inv;
    block = tmp;
  });
  return true;
}

// y (rows × l) gets orthonormal columns spanning the same space: Cholesky QR once (enough
// between power iterations, which only need the columns kept apart) or twice (`exact`: the
// second pass restores orthogonality to rounding level), or a Householder QR when y is too
// ill-conditioned for it (e.g. x of rank below l).
void orthonormalize(double* y, std::int64_t rows, std::int64_t l, bool exact, int threads,
                    const InterruptCheck* check) {
  if (cholesky_qr(y, rows, l, threads, check) &&
      (!exact || cholesky_qr(y, rows, l, threads, check))) {
    return;
  }
  householder_qr(y, rows, l);
}

// Σ_j var(x[:, j]) (ddof 0) from the rows of xt = xᵀ, summed in column order.
double total_variance(const CsrRef& xt, std::int64_t n_docs) {
  const double m = static_cast<double>(n_docs);
  double total = 0;
  for (std::int64_t j = 0; j < xt.rows; ++j) {
    const std::int64_t b = xt.indptr[j];
    const std::int64_t e = xt.indptr[j + 1];
    if (b == e) continue;
    double sum = 0;
    for (std::int64_t p = b; p < e; ++p) sum += xt.data[p];
    const double mean = sum / m;
    double sq = static_cast<double>(n_docs - (e - b)) * mean * mean;
    for (std::int64_t p = b; p < e; ++p) sq += (xt.data[p] - mean) * (xt.data[p] - mean);
    total += sq / m;
  }
  return total;
}

Eigen::VectorXd column_variance(const DenseMatrix& u) {
  const double m = static_cast<double>(u.rows());
  Eigen::VectorXd mean = Eigen::VectorXd::Zero(u.cols());
  for (Eigen::Index i = 0; i < u.rows(); ++i) mean += u.row(i).transpose();
  mean /= m;
  Eigen::VectorXd var = Eigen::VectorXd::Zero(u.cols());
  for (Eigen::Index i = 0; i < u.rows(); ++i) {
    var += (u.row(i).transpose() - mean).cwiseAbs2();
  }
  return var / m;
}

void check_input(const CsrRef& x, int k) {
  detail::check_csr(x, "X");
  if (x.rows == 0 || x.cols == 0) {
    throw InvalidArgument("X is empty (" + std::to_string(x.rows) + " documents, " +
                          std::to_string(x.cols) + " terms): LSA needs documents and terms");
  }
  if (x.nnz() == 0) throw InvalidArgument("X has no non-zero value: no document has a term");
  if (k >= x.rows || k >= x.cols) {
    throw InvalidArgument("n_components=" + std::to_string(k) +
                          " must be smaller than the number of documents (" +
                          std::to_string(x.rows) + ") and of terms (" + std::to_string(x.cols) +
                          ")");
  }
}

template <class T>
void put(std::string& out, T value) {
  char bytes[sizeof(T)];
  std::memcpy(bytes, &value, sizeof(T));
  if (!model_io::little_endian()) std::reverse(bytes, bytes + sizeof(T));
  out.append(bytes, sizeof(T));
}

template <class T>
T get(const char* at) {
  char bytes[sizeof(T)];
  std::memcpy(bytes, at, sizeof(T));
  if (!model_io::little_endian()) std::reverse(bytes, bytes + sizeof(T));
  T value;
  std::memcpy(&value, bytes, sizeof(T));
  return value;
}

void put_doubles(std::string& out, const double* v, std::size_t n) {
  if (model_io::little_endian()) {
    out.append(reinterpret_cast<const char*>(v), n * sizeof(double));
  } else {
    for (std::size_t i = 0; i < n; ++i) put(out, v[i]);
  }
}

void get_doubles(const char* at, double* v, std::size_t n) {
  if (model_io::little_endian()) {
    std::memcpy(v, at, n * sizeof(double));
  } else {
    for (std::size_t i = 0; i < n; ++i) v[i] = get<double>(at + i * sizeof(double));
  }
}

std::string hex64(std::uint64_t h) {
  static const char* digits = "0123456789abcdef";
  std::string s(16, '0');
  for (int i = 15; i >= 0; --i, h >>= 4) s[static_cast<std::size_t>(i)] = digits[h & 15];
  return s;
}

std::size_t array_bytes(std::uint64_t k, std::uint64_t n) {
  return kHeaderBytes + static_cast<std::size_t>(3 * k + k * n) * sizeof(double);
}

}  // namespace

void validate(const LsaOptions& o) {
  if (o.n_components <= 0) {
    throw InvalidArgument("n_components must be positive; got " + std::to_string(o.n_components));
  }
  if (o.n_iter < 0) throw InvalidArgument("n_iter must be >= 0; got " + std::to_string(o.n_iter));
  if (o.n_oversamples < 0) {
    throw InvalidArgument("n_oversamples must be >= 0; got " + std::to_string(o.n_oversamples));
  }
}

Lsa::Lsa(LsaOptions options) : options_(std::move(options)) { validate(options_); }

const Lsa::State& Lsa::fitted() const {
  if (!state_) throw NotFittedError("this Lsa is not fitted yet: call fit() first");
  return *state_;
}

Lsa& Lsa::fit(const CsrRef& x) {
  fit_transform(x);
  return *this;
}

DenseMatrix Lsa::fit_transform(const CsrRef& x) {
  const int k = options_.n_components;
  check_input(x, k);
  const int threads = detail::resolve_threads(options_.n_jobs);
  const InterruptCheck* check = check_of(options_);
  // The range finder works on the smaller side of x (s: small × big, CSR) and keeps one
  // big × l matrix c; t is sᵀ.
  const bool docs_small = x.rows <= x.cols;
  OwnedCsr other = transpose(x);
  const CsrRef s = docs_small ? x : other.ref();
  const CsrRef t = docs_small ? other.ref() : x;
  const std::int64_t small = s.rows;
  const std::int64_t big = t.rows;
  const std::int64_t l = std::min<std::int64_t>(k + static_cast<std::int64_t>(options_.n_oversamples), small);

  DenseMatrix c(big, l);
  DenseMatrix q(small, l);
  // The Gaussian test matrix lives on the small side (cheap to draw); each power iteration
  // then applies s·sᵀ.
  advise_huge_pages(c.data(), static_cast<std::size_t>(c.size()));
  advise_huge_pages(q.data(), static_cast<std::size_t>(q.size()));
  gaussian(q.data(), small, l, options_.random_state, threads);
  for (int it = 0; it < options_.n_iter; ++it) {
    sparse_times_dense(t, q.data(), l, c.data(), threads, check);
    sparse_times_dense(s, c.data(), l, q.data(), threads, check);
    orthonormalize(q.data(), small, l, it + 1 == options_.n_iter, threads, check);
  }
  if (options_.n_iter == 0) orthonormalize(q.data(), small, l, true, threads, check);
  // c = tᵀ·q, so s ≈ q·cᵀ. With cᵀc = W·diag(σ²)·Wᵀ: the factor on the small side is q·W and
  // the one on the big side c·W·diag(1/σ).
  sparse_times_dense(t, q.data(), l, c.data(), threads, check);
  Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> eig(gram(c.data(), big, l, threads, check));
  if (eig.info() != Eigen::Success) throw InvalidArgument("the eigen-solver did not converge");
  Eigen::MatrixXd w(l, k);
  Eigen::VectorXd sigma(k);
  for (int i = 0; i < k; ++i) {  // eigenvalues come ascending
    const Eigen::Index from = l - 1 - i;
    w.col(i) = eig.eigenvectors().col(from);
    sigma[i] = std::sqrt(std::max(0.0, eig.eigenvalues()[from]));
  }
  auto st = std::make_shared<State>();
  st->n_features = x.cols;
  st->k = k;
  st->singular_values = sigma;
  // The small-side factor is p = q·W; the big-side one t·p·diag(1/σ) when the small side is
  // the documents (V = c·W·diag(1/σ), by a sparse product rather than a big × l × k GEMM),
  // else t·p (U·diag(σ) = c·W), written over c's prefix.
  DenseMatrix p(small, k);
  dense_times_small(q.data(), small, w, p.data(), threads);
  q = DenseMatrix();
  Eigen::VectorXd inv = Eigen::VectorXd::Zero(k);
  for (int i = 0; i < k; ++i) inv[i] = sigma[i] > 0 ? 1.0 / sigma[i] : 0.0;
  {
    const DenseMatrix scaled = docs_small ? DenseMatrix(p * inv.asDiagonal()) : p;
    sparse_times_dense(t, scaled.data(), k, c.data(), threads, check);
  }
  // Shrink c to its big × k prefix in place (conservativeResize of the outer size reallocs).
  c.resize(big * l, 1);
  c.conservativeResize(big * k, 1);
  c.resize(big, k);
  DenseMatrix u;  // the documents' coordinates U·diag(σ)
  if (docs_small) {
    st->v = std::move(c);
    u = p * sigma.asDiagonal();
  } else {
    u = std::move(c);
    st->v = std::move(p);
  }
  // Signs: each component's largest |value| (the first, on ties) is positive.
  std::vector<double> best(static_cast<std::size_t>(k), -1.0);
  std::vector<Eigen::Index> at(static_cast<std::size_t>(k), 0);
  for (Eigen::Index j = 0; j < st->v.rows(); ++j) {
    const double* row = st->v.data() + j * k;
    for (int i = 0; i < k; ++i) {
      const double a = std::abs(row[i]);
      if (a > best[static_cast<std::size_t>(i)]) {
        best[static_cast<std::size_t>(i)] = a;
        at[static_cast<std::size_t>(i)] = j;
      }
    }
  }
  for (int i = 0; i < k; ++i) {
    if (st->v(at[static_cast<std::size_t>(i)], i) < 0) {
      st->v.col(i) *= -1.0;
      u.col(i) *= -1.0;
    }
  }
  st->explained_variance = column_variance(u);
  const double full = total_variance(docs_small ? t : s, x.rows);
  st->explained_variance_ratio =
      full > 0 ? Eigen::VectorXd(st->explained_variance / full) : Eigen::VectorXd::Zero(k);
  state_ = std::move(st);
  return u;
}

DenseMatrix Lsa::transform(const CsrRef& x) const {
  const State& st = fitted();
  detail::check_csr(x, "X");
  if (x.cols != st.n_features) {
    throw InvalidArgument("X has " + std::to_string(x.cols) + " columns and the model " +
                          std::to_string(st.n_features) +
                          ": X must come from the vectorizer the model was fitted on");
  }
  DenseMatrix out(x.rows, st.k);
  sparse_times_dense(x, st.v.data(), st.k, out.data(),
                     detail::resolve_threads(options_.n_jobs), check_of(options_));
  return out;
}

int Lsa::n_components() const { return fitted().k; }
std::int64_t Lsa::n_features() const { return fitted().n_features; }

Eigen::Map<const Eigen::MatrixXd> Lsa::components() const {
  const State& st = fitted();
  return {st.v.data(), st.k, st.n_features};
}

const Eigen::VectorXd& Lsa::singular_values() const { return fitted().singular_values; }
const Eigen::VectorXd& Lsa::explained_variance() const { return fitted().explained_variance; }
const Eigen::VectorXd& Lsa::explained_variance_ratio() const {
  return fitted().explained_variance_ratio;
}

// ---- model files ----

namespace {

nlohmann::json model_json(const LsaOptions& o) {
  nlohmann::json j = model_io::new_model(kFormat, kFormatVersion);
  j["options"] = {{"n_components", o.n_components},
                  {"n_iter", o.n_iter},
                  {"n_oversamples", o.n_oversamples},
                  {"random_state", o.random_state},
                  {"n_jobs", o.n_jobs}};
  return j;
}

}  // namespace

std::string Lsa::arrays_to_bytes() const {
  if (!state_) return {};
  const State& st = *state_;
  const auto k = static_cast<std::uint64_t>(st.k);
  const auto n = static_cast<std::uint64_t>(st.n_features);
  std::string out;
  out.reserve(array_bytes(k, n));
  out.append(kMagic, sizeof(kMagic));
  put<std::uint32_t>(out, kFormatVersion);
  put<std::uint32_t>(out, 0);
  put<std::uint64_t>(out, k);
  put<std::uint64_t>(out, n);
  put_doubles(out, st.singular_values.data(), k);
  put_doubles(out, st.explained_variance.data(), k);
  put_doubles(out, st.explained_variance_ratio.data(), k);
  put_doubles(out, st.v.data(), k * n);
  return out;
}

std::string Lsa::to_json() const {
  nlohmann::json j = model_json(options_);
  j["fitted"] = is_fitted();
  if (state_) {
    j["n_components"] = state_->k;
    j["n_features"] = state_->n_features;
    const std::string bytes = arrays_to_bytes();
    j["arrays"] = {{"byte_order", "little"},
                   {"dtype", "float64"},
                   {"bytes", bytes.size()},
                   {"xxh3_64", hex64(XXH3_64bits(bytes.data(), bytes.size()))}};
  }
  return model_io::dump(j);
}

Lsa Lsa::from_json(std::string_view json, std::string_view arrays, std::string_view origin) {
  const nlohmann::json j = model_io::parse_model(json, origin, kFormat, kFormatVersion);
  const std::string where = "model " + std::string(origin);
  return model_io::guarded(origin, [&] {
    const nlohmann::json& o = j.at("options");
    LsaOptions opt;
    opt.n_components = o.at("n_components").get<int>();
    opt.n_iter = o.at("n_iter").get<int>();
    opt.n_oversamples = o.at("n_oversamples").get<int>();
    opt.random_state = o.at("random_state").get<std::uint64_t>();
    opt.n_jobs = o.at("n_jobs").get<int>();
    Lsa model(opt);
    if (!j.at("fitted").get<bool>()) return model;
    const auto k = j.at("n_components").get<std::int64_t>();
    const auto n = j.at("n_features").get<std::int64_t>();
    const nlohmann::json& a = j.at("arrays");
    if (k <= 0 || n <= 0 || k > n) throw ModelFormatError(where + " has invalid shapes");
    if (a.at("byte_order") != "little" || a.at("dtype") != "float64") {
      throw ModelFormatError(where + ": arrays must be little-endian float64");
    }
    const std::size_t want = array_bytes(static_cast<std::uint64_t>(k), static_cast<std::uint64_t>(n));
    const std::string bin = where + ": the arrays";
    if (arrays.size() != want || a.at("bytes").get<std::size_t>() != want) {
      throw ModelFormatError(bin + " have " + std::to_string(arrays.size()) + " bytes, but " +
                             std::to_string(k) + " components of " + std::to_string(n) +
                             " features need " + std::to_string(want));
    }
    if (std::memcmp(arrays.data(), kMagic, sizeof(kMagic)) != 0) {
      throw ModelFormatError(bin + " do not start with \"NSLSABIN\"");
    }
    if (get<std::uint32_t>(arrays.data() + 8) != static_cast<std::uint32_t>(kFormatVersion) ||
        get<std::uint64_t>(arrays.data() + 16) != static_cast<std::uint64_t>(k) ||
        get<std::uint64_t>(arrays.data() + 24) != static_cast<std::uint64_t>(n)) {
      throw ModelFormatError(bin + ": their header does not match the model's version or shapes");
    }
    if (hex64(XXH3_64bits(arrays.data(), arrays.size())) != a.at("xxh3_64").get<std::string>()) {
      throw ModelFormatError(bin + " fail their checksum: the data is corrupt");
    }
    auto st = std::make_shared<State>();
    st->k = static_cast<int>(k);
    st->n_features = n;
    st->singular_values.resize(k);
    st->explained_variance.resize(k);
    st->explained_variance_ratio.resize(k);
    st->v.resize(n, k);
    const char* at = arrays.data() + kHeaderBytes;
    const auto uk = static_cast<std::size_t>(k);
    get_doubles(at, st->singular_values.data(), uk);
    get_doubles(at + 8 * uk, st->explained_variance.data(), uk);
    get_doubles(at + 16 * uk, st->explained_variance_ratio.data(), uk);
    get_doubles(at + 24 * uk, st->v.data(), uk * static_cast<std::size_t>(n));
    model.state_ = std::move(st);
    return model;
  });
}

void Lsa::save(const std::string& path) const {
  const std::string bin_path = path + ".bin";
  nlohmann::json j = nlohmann::json::parse(to_json());
  if (state_) {
    const std::size_t slash = bin_path.find_last_of('/');
    j["arrays"]["file"] = slash == std::string::npos ? bin_path : bin_path.substr(slash + 1);
    model_io::write_file(bin_path, arrays_to_bytes());
  }
  model_io::write_file(path, model_io::dump(j));
}

Lsa Lsa::load(const std::string& path) {
  const std::string text = model_io::read_file(path);
  const std::string origin = "file '" + path + "'";
  const nlohmann::json j = model_io::parse_model(text, origin, kFormat, kFormatVersion);
  std::string arrays;
  std::string bin_origin = origin;
  if (model_io::guarded(origin, [&] { return j.value("fitted", false); })) {
    const std::string name = model_io::guarded(origin, [&] {
      return j.at("arrays").at("file").get<std::string>();
    });
    if (name.empty() || name.find('/') != std::string::npos) {
      throw ModelFormatError("model " + origin + " names an invalid arrays file '" + name + "'");
    }
    const std::size_t slash = path.find_last_of('/');
    const std::string bin_path =
        slash == std::string::npos ? name : path.substr(0, slash + 1) + name;
    arrays = model_io::read_file(bin_path);
    bin_origin = "file '" + path + "' (arrays in '" + bin_path + "')";
  }
  return from_json(text, arrays, bin_origin);
}

}  // namespace newsim

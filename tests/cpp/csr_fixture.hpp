#pragma once
// Test helpers: CSR matrices built from dense rows, and the cosine of two dense rows.

#include <cmath>
#include <cstdint>
#include <vector>

#include "newsim/similarity.hpp"

namespace newsim_test {

// Rows [from, to) of a CSR matrix, with their own rebased indptr; converts to a CsrRef that
// is valid while the slice lives.
struct CsrSlice {
  std::vector<std::int64_t> indptr;
  std::int64_t cols = 0;
  const std::int32_t* indices = nullptr;
  const double* data = nullptr;
  operator newsim::CsrRef() const {  // NOLINT(google-explicit-constructor): a view
    return {static_cast<std::int64_t>(indptr.size()) - 1, cols, indptr.data(), indices, data};
  }
};

// A CSR matrix built from dense rows, owning its arrays.
struct Owned {
  std::vector<std::int64_t> indptr{0};
  std::vector<std::int32_t> indices;
  std::vector<double> data;
  std::int64_t cols = 0;

  explicit Owned(const std::vector<std::vector<double>>& rows, std::int64_t n_cols) : cols(n_cols) {
    for (const auto& r : rows) {
      for (std::size_t j = 0; j < r.size(); ++j) {
        if (r[j] != 0) {
          indices.push_back(static_cast<std::int32_t>(j));
          data.push_back(r[j]);
        }
      }
      indptr.push_back(static_cast<std::int64_t>(indices.size()));
    }
  }
  newsim::CsrRef ref() const {
    return {static_cast<std::int64_t>(indptr.size()) - 1, cols, indptr.data(), indices.data(),
            data.data()};
  }
  CsrSlice rows(std::int64_t from, std::int64_t to) const {
    const std::int64_t base = indptr[static_cast<std::size_t>(from)];
    CsrSlice s{{indptr.begin() + from, indptr.begin() + to + 1}, cols, indices.data() + base,
               data.data() + base};
    for (auto& v : s.indptr) v -= base;
    return s;
  }
};

inline double cosine(const std::vector<double>& a, const std::vector<double>& b) {
  double ab = 0, aa = 0, bb = 0;
  for (std::size_t j = 0; j < a.size(); ++j) {
    ab += a[j] * b[j];
    aa += a[j] * a[j];
    bb += b[j] * b[j];
  }
  return aa == 0 || bb == 0 ? 0.0 : ab / std::sqrt(aa) / std::sqrt(bb);
}

}  // namespace newsim_test

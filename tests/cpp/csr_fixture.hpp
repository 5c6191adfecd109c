#pragma once
// Test helpers: CSR matrices built from dense rows, the cosine of two dense rows, and a
// bit-for-bit comparison of two CSR matrices.

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>

#include "newsim/similarity.hpp"
#include "newsim/sparse.hpp"

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
  // Rows [from, to) as a matrix that owns its arrays.
  newsim::CsrMatrix<double> matrix(std::int64_t from, std::int64_t to) const {
    const CsrSlice s = rows(from, to);
    newsim::CsrMatrix<double> m;
    m.rows = to - from;
    m.cols = cols;
    const auto nnz = static_cast<std::size_t>(s.indptr.back());
    m.indptr = newsim::Buffer<std::int64_t>(s.indptr.size());
    m.indices = newsim::Buffer<std::int32_t>(nnz);
    m.data = newsim::Buffer<double>(nnz);
    std::copy(s.indptr.begin(), s.indptr.end(), m.indptr.begin());
    std::copy_n(s.indices, nnz, m.indices.begin());
    std::copy_n(s.data, nnz, m.data.begin());
    return m;
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

// Same shape, columns and values, bit for bit.
template <class T>
void expect_same(const newsim::CsrMatrix<T>& a, const newsim::CsrMatrix<T>& b) {
  ASSERT_EQ(a.rows, b.rows);
  ASSERT_EQ(a.cols, b.cols);
  ASSERT_EQ(a.nnz(), b.nnz());
  for (std::size_t i = 0; i < a.indptr.size(); ++i) EXPECT_EQ(a.indptr[i], b.indptr[i]);
  for (std::size_t k = 0; k < a.nnz(); ++k) {
    EXPECT_EQ(a.indices[k], b.indices[k]);
    EXPECT_EQ(a.data[k], b.data[k]);
  }
}

}  // namespace newsim_test

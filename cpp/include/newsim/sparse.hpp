#pragma once

// Compressed sparse row matrices as plain buffers, so that Python can adopt them without a copy.

#include <Eigen/SparseCore>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <new>
#include <type_traits>
#include <utility>

namespace newsim {

/// An uninitialised, malloc-backed array of trivially copyable T: untouched pages cost no memory,
/// and `release()` hands the block to an owner that frees it with std::free.
template <class T>
class Buffer {
  static_assert(std::is_trivially_copyable_v<T>);

 public:
  Buffer() = default;
  explicit Buffer(std::size_t n) : size_(n) {
    if (n != 0) {
      data_ = static_cast<T*>(std::malloc(n * sizeof(T)));
      if (data_ == nullptr) throw std::bad_alloc();
    }
  }
  ~Buffer() { std::free(data_); }
  Buffer(Buffer&& other) noexcept
      : data_(std::exchange(other.data_, nullptr)), size_(std::exchange(other.size_, 0)) {}
  Buffer& operator=(Buffer&& other) noexcept {
    if (this != &other) {
      std::free(data_);
      data_ = std::exchange(other.data_, nullptr);
      size_ = std::exchange(other.size_, 0);
    }
    return *this;
  }
  Buffer(const Buffer&) = delete;
  Buffer& operator=(const Buffer&) = delete;

  /// Keeps the first min(n, size()) values; the rest are uninitialised. A large block grows
  /// in place where the allocator can (realloc), without holding two copies.
  void resize(std::size_t n) {
    if (n == 0) {
      std::free(std::exchange(data_, nullptr));
    } else {
      void* grown = std::realloc(data_, n * sizeof(T));
      if (grown == nullptr) throw std::bad_alloc();
      data_ = static_cast<T*>(grown);
    }
    size_ = n;
  }

  /// Gives up ownership; the caller frees the block with std::free.
  T* release() noexcept {
    size_ = 0;
    return std::exchange(data_, nullptr);
  }

  T* data() noexcept { return data_; }
  const T* data() const noexcept { return data_; }
  std::size_t size() const noexcept { return size_; }
  T& operator[](std::size_t i) noexcept { return data_[i]; }
  const T& operator[](std::size_t i) const noexcept { return data_[i]; }
  T* begin() noexcept { return data_; }
  T* end() noexcept { return data_ + size_; }
  const T* begin() const noexcept { return data_; }
  const T* end() const noexcept { return data_ + size_; }

 private:
  T* data_ = nullptr;
  std::size_t size_ = 0;
};

/// A CSR matrix: row i holds columns indices[indptr[i]:indptr[i+1]] (sorted, no duplicates)
/// with values data[...]. Explicit zeros may be stored (as scikit-learn's HashingVectorizer does).
template <class T>
struct CsrMatrix {
  std::int64_t rows = 0;
  std::int64_t cols = 0;
  Buffer<std::int64_t> indptr;  // rows + 1 entries
  Buffer<std::int32_t> indices;
  Buffer<T> data;

  std::size_t nnz() const { return indices.size(); }

  /// Value at (i, j), zero where nothing is stored. O(log row length).
  T coeff(std::int64_t i, std::int64_t j) const {
    const std::int32_t* b = indices.data() + indptr[static_cast<std::size_t>(i)];
    const std::int32_t* e = indices.data() + indptr[static_cast<std::size_t>(i) + 1];
    const std::int32_t* it = std::lower_bound(b, e, static_cast<std::int32_t>(j));
    return it != e && *it == j ? data[static_cast<std::size_t>(it - indices.data())] : T(0);
  }

  /// A deep copy (the buffers are move-only). O(rows + nnz).
  CsrMatrix copy() const {
    CsrMatrix out;
    out.rows = rows;
    out.cols = cols;
    out.indptr = Buffer<std::int64_t>(indptr.size());
    out.indices = Buffer<std::int32_t>(indices.size());
    out.data = Buffer<T>(data.size());
    std::copy(indptr.begin(), indptr.end(), out.indptr.begin());
    std::copy(indices.begin(), indices.end(), out.indices.begin());
    std::copy(data.begin(), data.end(), out.data.begin());
    return out;
  }

  /// A copy as an Eigen sparse matrix, for linear algebra. O(nnz).
  Eigen::SparseMatrix<T, Eigen::RowMajor, std::int64_t> to_eigen() const {
    Eigen::SparseMatrix<T, Eigen::RowMajor, std::int64_t> m(rows, cols);
    m.reserve(static_cast<std::int64_t>(nnz()));
    for (std::int64_t i = 0; i < rows; ++i) {
      m.startVec(i);
      for (std::int64_t k = indptr[static_cast<std::size_t>(i)];
           k < indptr[static_cast<std::size_t>(i) + 1]; ++k) {
        m.insertBack(i, indices[static_cast<std::size_t>(k)]) = data[static_cast<std::size_t>(k)];
      }
    }
    m.finalize();
    return m;
  }
};

}  // namespace newsim

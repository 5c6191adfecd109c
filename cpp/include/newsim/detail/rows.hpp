#pragma once

// Per-chunk term counts and their assembly into one CSR matrix. Internal.

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <memory>
#include <new>
#include <vector>

#if defined(__unix__)
#include <sys/mman.h>
#endif

#include "newsim/detail/parallel.hpp"
#include "newsim/sparse.hpp"

namespace newsim::detail {

/// An allocator that maps large blocks straight from the kernel, so freeing them returns the
/// memory at once (malloc may keep it): the row buffers of a chunk are freed while the result
/// matrix is written, which keeps the peak near the size of the result.
template <class T>
struct PageAllocator {
  using value_type = T;
  static constexpr std::size_t kLarge = std::size_t{1} << 16;

  PageAllocator() = default;
  template <class U>
  PageAllocator(const PageAllocator<U>&) noexcept {}  // NOLINT: allocator rebinding

  T* allocate(std::size_t n) {
#if defined(__unix__)
    if (n * sizeof(T) >= kLarge) {
      void* p = mmap(nullptr, n * sizeof(T), PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
                     -1, 0);
      if (p == MAP_FAILED) throw std::bad_alloc();
      return static_cast<T*>(p);
    }
#endif
    return std::allocator<T>().allocate(n);
  }
  void deallocate(T* p, std::size_t n) noexcept {
#if defined(__unix__)
    if (n * sizeof(T) >= kLarge) {
      munmap(p, n * sizeof(T));
      return;
    }
#endif
    std::allocator<T>().deallocate(p, n);
  }
  template <class U>
  bool operator==(const PageAllocator<U>&) const noexcept { return true; }
  template <class U>
  bool operator!=(const PageAllocator<U>&) const noexcept { return false; }
};

template <class T>
using PageVector = std::vector<T, PageAllocator<T>>;

/// Rows of consecutive documents [begin, end): entries (id, count) per row.
struct RowChunk {
  std::size_t begin = 0;
  std::size_t end = 0;
  PageVector<std::int32_t> ids;
  PageVector<std::int32_t> counts;
  std::vector<std::uint32_t> row_nnz;
};

/// How counts become values (scikit-learn's CountVectorizer -> TfidfTransformer order:
/// binary, then 1 + ln(tf), then times idf, then the row norm).
struct Weighting {
  bool binary = false;
  bool sublinear_tf = false;
  const double* idf = nullptr;  // null: no idf
  int norm = 0;                 // 0 none, 1 l1, 2 l2
};

/// Splits documents into chunks of about `target` code units; boundaries do not affect results.
template <class SizeOf>
std::vector<RowChunk> make_chunks(std::size_t n_docs, std::size_t target, SizeOf&& size_of) {
  std::vector<RowChunk> chunks;
  std::size_t begin = 0, acc = 0;
  for (std::size_t i = 0; i < n_docs; ++i) {
    acc += size_of(i) + 16;
    if (acc >= target) {
      chunks.emplace_back();
      chunks.back().begin = begin;
      chunks.back().end = i + 1;
      begin = i + 1;
      acc = 0;
    }
  }
  if (begin < n_docs || chunks.empty()) {
    chunks.emplace_back();
    chunks.back().begin = begin;
    chunks.back().end = n_docs;
  }
  return chunks;
}

/// Maps each chunk's ids through maps[c] (dropping -1) and sorts every row by id. O(nnz log).
inline void remap_and_sort(std::vector<RowChunk>& chunks,
                           const std::vector<std::vector<std::int32_t>>* maps, int threads) {
  parallel_for(chunks.size(), threads, [&](std::size_t c, std::size_t) {
    RowChunk& ch = chunks[c];
    const std::vector<std::int32_t>* map = maps ? &(*maps)[c] : nullptr;
    std::vector<std::uint64_t> row;
    std::size_t in = 0, out = 0;
    for (auto& nnz : ch.row_nnz) {
      row.clear();
      for (std::size_t k = in; k < in + nnz; ++k) {
        const std::int32_t id = map ? (*map)[static_cast<std::size_t>(ch.ids[k])] : ch.ids[k];
        if (id < 0) continue;
        row.push_back((static_cast<std::uint64_t>(static_cast<std::uint32_t>(id)) << 32) |
                      static_cast<std::uint32_t>(ch.counts[k]));
      }
      in += nnz;
      std::sort(row.begin(), row.end());
      for (std::uint64_t e : row) {
        ch.ids[out] = static_cast<std::int32_t>(e >> 32);
        ch.counts[out] = static_cast<std::int32_t>(static_cast<std::uint32_t>(e));
        ++out;
      }
      nnz = static_cast<std::uint32_t>(row.size());
    }
    ch.ids.resize(out);
    ch.counts.resize(out);
  });
}

/// Concatenates sorted chunk rows into one CSR matrix, weighting each row; frees the chunks.
template <class T>
CsrMatrix<T> assemble(std::vector<RowChunk>& chunks, std::size_t rows, std::int64_t cols,
                      const Weighting& w, int threads) {
  CsrMatrix<T> m;
  m.rows = static_cast<std::int64_t>(rows);
  m.cols = cols;
  m.indptr = Buffer<std::int64_t>(rows + 1);
  std::vector<std::size_t> chunk_offset(chunks.size() + 1, 0);
  std::size_t pos = 0, r = 0;
  m.indptr[0] = 0;
  for (std::size_t c = 0; c < chunks.size(); ++c) {
    chunk_offset[c] = pos;
    for (std::uint32_t nnz : chunks[c].row_nnz) {
      pos += nnz;
      m.indptr[++r] = static_cast<std::int64_t>(pos);
    }
  }
  chunk_offset[chunks.size()] = pos;
  m.indices = Buffer<std::int32_t>(pos);
  m.data = Buffer<T>(pos);
  parallel_for(chunks.size(), threads, [&](std::size_t c, std::size_t) {
    RowChunk& ch = chunks[c];
    std::size_t at = chunk_offset[c];
    std::size_t k = 0;
    std::vector<double> values;
    for (std::uint32_t nnz : ch.row_nnz) {
      values.resize(nnz);
      for (std::uint32_t e = 0; e < nnz; ++e) {
        const std::int32_t id = ch.ids[k + e];
        double v = w.binary ? 1.0 : static_cast<double>(ch.counts[k + e]);
        if (w.sublinear_tf) v = std::log(v) + 1.0;
        if (w.idf != nullptr) v *= w.idf[id];
        values[e] = v;
        m.indices[at + e] = id;
      }
      if (w.norm != 0) {
        double s = 0.0;
        for (double v : values) s += w.norm == 2 ? v * v : std::fabs(v);
        if (s != 0.0) {
          if (w.norm == 2) s = std::sqrt(s);
          for (double& v : values) v /= s;
        }
      }
      for (std::uint32_t e = 0; e < nnz; ++e) m.data[at + e] = static_cast<T>(values[e]);
      at += nnz;
      k += nnz;
    }
    // Give the chunk's memory back as soon as it is copied.
    PageVector<std::int32_t>().swap(ch.ids);
    PageVector<std::int32_t>().swap(ch.counts);
  });
  return m;
}

}  // namespace newsim::detail

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
#include "newsim/text.hpp"

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

/// Splits documents into chunks of about 1 MiB of text: a chunk's term table mostly stays in
/// cache, and there are few enough chunks that merging their statistics stays cheap. Chunk
/// boundaries do not affect results.
inline std::vector<RowChunk> chunk_documents(const std::vector<TextView>& docs) {
  constexpr std::size_t kTarget = std::size_t{1} << 20;
  std::vector<RowChunk> chunks;
  std::size_t begin = 0, acc = 0;
  for (std::size_t i = 0; i < docs.size(); ++i) {
    acc += docs[i].size + 16;
    if (acc >= kTarget) {
      chunks.emplace_back();
      chunks.back().begin = begin;
      chunks.back().end = i + 1;
      begin = i + 1;
      acc = 0;
    }
  }
  if (begin < docs.size() || chunks.empty()) {
    chunks.emplace_back();
    chunks.back().begin = begin;
    chunks.back().end = docs.size();
  }
  return chunks;
}

/// Sorts every row of a chunk whose ids are already final. O(nnz log row length).
inline void sort_rows(RowChunk& ch) {
  std::vector<std::uint64_t> row;
  std::size_t in = 0;
  for (std::uint32_t nnz : ch.row_nnz) {
    row.clear();
    for (std::size_t k = in; k < in + nnz; ++k) {
      row.push_back((static_cast<std::uint64_t>(static_cast<std::uint32_t>(ch.ids[k])) << 32) |
                    static_cast<std::uint32_t>(ch.counts[k]));
    }
    std::sort(row.begin(), row.end());
    for (std::size_t e = 0; e < row.size(); ++e) {
      ch.ids[in + e] = static_cast<std::int32_t>(row[e] >> 32);
      ch.counts[in + e] = static_cast<std::int32_t>(static_cast<std::uint32_t>(row[e]));
    }
    in += nnz;
  }
}

/// Maps a chunk's local ids through `map` (-1: dropped) and leaves every row sorted by the new
/// id. Instead of sorting each row it transposes the chunk into columns and reads the columns
/// back in the order of their new ids: O(nnz + local vocabulary log local vocabulary).
inline void remap_rows(RowChunk& ch, const std::vector<std::int32_t>& map) {
  const std::size_t n_local = map.size();
  const std::size_t n_rows = ch.row_nnz.size();
  // Column sizes, and the kept size of each row.
  std::vector<std::uint32_t> col_start(n_local + 1, 0);
  std::vector<std::uint32_t> kept(n_rows, 0);
  std::size_t k = 0;
  for (std::size_t r = 0; r < n_rows; ++r) {
    for (std::uint32_t e = 0; e < ch.row_nnz[r]; ++e, ++k) {
      const auto local = static_cast<std::size_t>(ch.ids[k]);
      if (map[local] < 0) continue;
      ++col_start[local + 1];
      ++kept[r];
    }
  }
  for (std::size_t l = 0; l < n_local; ++l) col_start[l + 1] += col_start[l];
  const std::size_t n_kept = col_start[n_local];
  // Scatter (row, count) into columns.
  std::vector<std::uint32_t> col_row(n_kept);
  std::vector<std::int32_t> col_count(n_kept);
  {
    std::vector<std::uint32_t> fill(col_start.begin(), col_start.end() - 1);
    k = 0;
    for (std::size_t r = 0; r < n_rows; ++r) {
      for (std::uint32_t e = 0; e < ch.row_nnz[r]; ++e, ++k) {
        const auto local = static_cast<std::size_t>(ch.ids[k]);
        if (map[local] < 0) continue;
        const std::uint32_t at = fill[local]++;
        col_row[at] = static_cast<std::uint32_t>(r);
        col_count[at] = ch.counts[k];
      }
    }
  }
  // Kept local ids in the order of their new ids, then the columns back into rows.
  std::vector<std::uint64_t> order;
  order.reserve(n_local);
  for (std::size_t l = 0; l < n_local; ++l) {
    if (map[l] >= 0 && col_start[l + 1] > col_start[l]) {
      order.push_back((static_cast<std::uint64_t>(static_cast<std::uint32_t>(map[l])) << 32) | l);
    }
  }
  std::sort(order.begin(), order.end());
  std::vector<std::uint32_t> row_pos(n_rows);
  std::size_t acc = 0;
  for (std::size_t r = 0; r < n_rows; ++r) {
    row_pos[r] = static_cast<std::uint32_t>(acc);
    acc += kept[r];
    ch.row_nnz[r] = kept[r];
  }
  for (std::uint64_t o : order) {
    const std::size_t l = static_cast<std::uint32_t>(o);
    const auto id = static_cast<std::int32_t>(o >> 32);
    for (std::uint32_t at = col_start[l]; at < col_start[l + 1]; ++at) {
      const std::uint32_t pos = row_pos[col_row[at]]++;
      ch.ids[pos] = id;
      ch.counts[pos] = col_count[at];
    }
  }
  ch.ids.resize(n_kept);
  ch.counts.resize(n_kept);
}

/// Maps each chunk's ids through maps[c] (or leaves final ids as they are) and sorts every row.
inline void remap_and_sort(std::vector<RowChunk>& chunks,
                           const std::vector<std::vector<std::int32_t>>* maps, int threads) {
  parallel_for(chunks.size(), threads, [&](std::size_t c, std::size_t) {
    if (maps != nullptr) {
      remap_rows(chunks[c], (*maps)[c]);
    } else {
      sort_rows(chunks[c]);
    }
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

#pragma once

// Per-chunk term counts and their assembly into one CSR matrix. Internal.

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <functional>
#include <type_traits>
#include <utility>
#include <vector>

#include "newsim/detail/page_allocator.hpp"
#include "newsim/detail/parallel.hpp"
#include "newsim/sparse.hpp"
#include "newsim/text.hpp"

namespace newsim::detail {

/// Rows of consecutive documents [begin, end): entries (id, count) per row, in two arrays or,
/// while ids and counts both fit in 16 bits, packed into one word each (id << 16 | count): the
/// rows of a fit, whose ids are local to the chunk, then take half the memory and half the
/// page faults.
struct RowChunk {
  static constexpr std::size_t kPackedIds = std::size_t{1} << 16;  // ids below this pack
  static constexpr std::uint32_t kPackedCount = 0xFFFF;             // the largest packed count

  std::size_t begin = 0;
  std::size_t end = 0;
  bool packed = false;
  PageVector<std::int32_t> ids;      // unless packed
  PageVector<std::int32_t> counts;   // unless packed
  PageVector<std::uint32_t> cells;   // when packed
  std::vector<std::uint32_t> row_nnz;

  std::size_t entries() const { return packed ? cells.size() : ids.size(); }

  /// Moves packed entries to the two arrays (positions stay the same).
  void widen() {
    if (!packed) return;
    ids.resize(cells.size());
    counts.resize(cells.size());
    for (std::size_t k = 0; k < cells.size(); ++k) {
      ids[k] = static_cast<std::int32_t>(cells[k] >> 16);
      counts[k] = static_cast<std::int32_t>(cells[k] & kPackedCount);
    }
    PageVector<std::uint32_t>().swap(cells);
    packed = false;
  }

  /// Frees the entries.
  void release() {
    PageVector<std::int32_t>().swap(ids);
    PageVector<std::int32_t>().swap(counts);
    PageVector<std::uint32_t>().swap(cells);
  }
};

/// Read access to the entries of a chunk in either form, for loops compiled once per form
/// (with_entries).
struct PackedEntries {
  const std::uint32_t* cells;
  std::size_t id(std::size_t k) const { return cells[k] >> 16; }
  std::int32_t count(std::size_t k) const {
    return static_cast<std::int32_t>(cells[k] & RowChunk::kPackedCount);
  }
};
struct WideEntries {
  const std::int32_t* ids;
  const std::int32_t* counts;
  std::size_t id(std::size_t k) const { return static_cast<std::size_t>(ids[k]); }
  std::int32_t count(std::size_t k) const { return counts[k]; }
};
template <class F>
void with_entries(const RowChunk& ch, F&& f) {
  if (ch.packed) {
    f(PackedEntries{ch.cells.data()});
  } else {
    f(WideEntries{ch.ids.data(), ch.counts.data()});
  }
}

/// How counts become values (scikit-learn's CountVectorizer -> TfidfTransformer order:
/// binary, then 1 + ln(tf), then times idf, then the row norm).
struct Weighting {
  bool binary = false;
  bool sublinear_tf = false;
  const double* idf = nullptr;  // null: no idf
  int norm = 0;                 // 0 none, 1 l1, 2 l2
};

/// Reserves a chunk's rows before they are written: about one distinct term per document per
/// 12 code units of text on average, with room for half as many again, since growing copies
/// the rows into fresh pages, while reserved pages that are never written cost only address
/// space. Uses `cells` when the chunk is packed, `ids` and `counts` otherwise.
inline void reserve_rows(RowChunk& ch, const std::vector<TextView>& docs) {
  ch.row_nnz.reserve(ch.end - ch.begin);
  std::size_t units = 0;
  for (std::size_t i = ch.begin; i < ch.end; ++i) units += docs[i].size;
  if (ch.packed) {
    ch.cells.reserve(units / 8 + 64);
  } else {
    ch.ids.reserve(units / 8 + 64);
    ch.counts.reserve(units / 8 + 64);
  }
}

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
  ch.widen();
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

/// Sorts every row of each chunk whose ids are already final.
inline void sort_all_rows(std::vector<RowChunk>& chunks, int threads,
                          const std::function<bool()>* interrupted = nullptr) {
  parallel_for(chunks.size(), threads, [&](std::size_t c, std::size_t) { sort_rows(chunks[c]); },
               interrupted);
}

/// The weight of one count before the row norm.
inline double weigh(const Weighting& w, std::int32_t count, double idf) {
  double v = w.binary ? 1.0 : static_cast<double>(count);
  if (w.sublinear_tf) v = std::log(v) + 1.0;
  return v * idf;
}

/// What a row's values are divided by, from the sum of their squares (l2) or magnitudes (l1):
/// 1 for no norm or an empty sum, as scikit-learn's normalize leaves such rows.
inline double norm_of(const Weighting& w, double sum) {
  if (w.norm == 0 || sum == 0.0) return 1.0;
  return w.norm == 2 ? std::sqrt(sum) : sum;
}

/// Writes one row's weights divided by their norm, summed in the row's order, rounded once to T.
template <class T>
void write_normalized(const Weighting& w, const double* values, std::size_t n, T* out) {
  double scale = 1.0;
  if (w.norm != 0) {
    double sum = 0.0;
    for (std::size_t e = 0; e < n; ++e) sum += w.norm == 2 ? values[e] * values[e] : std::fabs(values[e]);
    scale = norm_of(w, sum);
  }
  for (std::size_t e = 0; e < n; ++e) out[e] = static_cast<T>(w.norm != 0 ? values[e] / scale : values[e]);
}

/// A CSR matrix with room for the chunks' rows (row_nnz each) and its indptr filled in;
/// first_row[c] is chunk c's first row.
template <class T>
CsrMatrix<T> allocate_rows(const std::vector<RowChunk>& chunks, std::size_t rows,
                           std::int64_t cols, std::vector<std::size_t>& first_row) {
  CsrMatrix<T> m;
  m.rows = static_cast<std::int64_t>(rows);
  m.cols = cols;
  m.indptr = Buffer<std::int64_t>(rows + 1);
  first_row.assign(chunks.size(), 0);
  std::size_t pos = 0, r = 0;
  m.indptr[0] = 0;
  for (std::size_t c = 0; c < chunks.size(); ++c) {
    first_row[c] = r;
    for (std::uint32_t nnz : chunks[c].row_nnz) {
      pos += nnz;
      m.indptr[++r] = static_cast<std::int64_t>(pos);
    }
  }
  m.indices = Buffer<std::int32_t>(pos);
  m.data = Buffer<T>(pos);
  return m;
}

/// The kept local ids of a chunk (map[l] >= 0) in the order of their new ids: an LSD radix
/// sort on the new id, 11 bits a pass. O(local vocabulary).
inline std::vector<std::uint32_t> order_by_new_id(const std::vector<std::int32_t>& map) {
  std::vector<std::uint64_t> keys;
  keys.reserve(map.size());
  std::uint32_t max_id = 0;
  for (std::size_t l = 0; l < map.size(); ++l) {
    if (map[l] < 0) continue;
    const auto id = static_cast<std::uint32_t>(map[l]);
    max_id = std::max(max_id, id);
    keys.push_back((static_cast<std::uint64_t>(id) << 32) | l);
  }
  std::vector<std::uint64_t> buffer(keys.size());
  constexpr unsigned kBits = 11;
  for (unsigned shift = 32; shift < 64 && (std::uint64_t{max_id} << 32) >> shift != 0;
       shift += kBits) {
    std::uint32_t count[(1u << kBits) + 1] = {};
    for (std::uint64_t k : keys) ++count[((k >> shift) & ((1u << kBits) - 1)) + 1];
    for (unsigned b = 0; b < (1u << kBits); ++b) count[b + 1] += count[b];
    for (std::uint64_t k : keys) buffer[count[(k >> shift) & ((1u << kBits) - 1)]++] = k;
    keys.swap(buffer);
  }
  std::vector<std::uint32_t> order(keys.size());
  for (std::size_t i = 0; i < keys.size(); ++i) order[i] = static_cast<std::uint32_t>(keys[i]);
  return order;
}

/// Maps each chunk's local ids through maps[c] (-1: dropped) and writes the weighted rows,
/// sorted by the new id, straight into one CSR matrix; frees the chunks. Per chunk the entries
/// are transposed into columns and read back, weighted, in the order of their new ids; row
/// norms are then summed in that order, as assemble() sums them, so the values are the same
/// to the bit. O(nnz + local vocabulary), no per-row sort.
template <class T>
CsrMatrix<T> remap_assemble(std::vector<RowChunk>& chunks,
                            const std::vector<std::vector<std::int32_t>>& maps, std::size_t rows,
                            std::int64_t cols, const Weighting& w, int threads,
                            const std::function<bool()>* interrupted = nullptr) {
  // Kept entries per row (all of them unless pruning dropped terms).
  parallel_for(chunks.size(), threads, [&](std::size_t c, std::size_t) {
    RowChunk& ch = chunks[c];
    const std::vector<std::int32_t>& map = maps[c];
    if (std::none_of(map.begin(), map.end(), [](std::int32_t id) { return id < 0; })) return;
    with_entries(ch, [&](const auto& entries) {
      std::size_t k = 0;
      for (std::uint32_t& nnz : ch.row_nnz) {
        std::uint32_t kept = 0;
        for (std::uint32_t e = 0; e < nnz; ++e, ++k) kept += map[entries.id(k)] >= 0 ? 1u : 0u;
        nnz = kept;
      }
    });
  }, interrupted);
  std::vector<std::size_t> first_row;
  CsrMatrix<T> m = allocate_rows<T>(chunks, rows, cols, first_row);
  // Per worker, reused from chunk to chunk. Values are computed in double and rounded once,
  // so other types are gathered in `unrounded` first.
  constexpr bool kInPlace = std::is_same_v<T, double>;
  struct Scratch {
    std::vector<std::uint32_t> fill, col_row;
    std::vector<std::int32_t> col_count;
    std::vector<double> unrounded;
    std::vector<std::size_t> row_pos;
  };
  std::vector<Scratch> scratch(static_cast<std::size_t>(std::max(1, threads)));
  parallel_for(chunks.size(), threads, [&](std::size_t c, std::size_t worker) {
    RowChunk& ch = chunks[c];
    Scratch& s = scratch[worker];
    const std::vector<std::int32_t>& map = maps[c];
    const std::size_t n_local = map.size();
    const std::size_t n_rows = ch.row_nnz.size();
    const std::size_t n_entries = ch.entries();
    const std::vector<std::uint32_t> order = order_by_new_id(map);
    s.fill.assign(n_local, 0);
    std::uint32_t* fill = s.fill.data();
    std::uint32_t n_kept = 0;
    with_entries(ch, [&](const auto& entries) {
      // Column sizes; then where each column starts, in the order of the new ids.
      for (std::size_t k = 0; k < n_entries; ++k) ++fill[entries.id(k)];
      for (std::uint32_t l : order) {
        const std::uint32_t size = fill[l];
        fill[l] = n_kept;
        n_kept += size;
      }
      // Scatter (row, count) into the columns (row_nnz counts the kept entries of each row;
      // dropped ones are skipped wherever they fall).
      s.col_row.resize(n_kept);
      s.col_count.resize(n_kept);
      std::uint32_t* col_row = s.col_row.data();
      std::int32_t* col_count = s.col_count.data();
      std::size_t k = 0;
      for (std::size_t row = 0; row < n_rows; ++row) {
        for (std::uint32_t kept = 0; kept < ch.row_nnz[row]; ++k) {
          const std::size_t l = entries.id(k);
          if (map[l] < 0) continue;
          const std::uint32_t at = fill[l]++;
          col_row[at] = static_cast<std::uint32_t>(row);
          col_count[at] = entries.count(k);
          ++kept;
        }
      }
    });
    // Columns back into rows, in the order of the new ids, weighted on the way.
    const auto base = static_cast<std::size_t>(m.indptr[first_row[c]]);
    s.row_pos.resize(n_rows);
    for (std::size_t row = 0; row < n_rows; ++row) {
      s.row_pos[row] = static_cast<std::size_t>(m.indptr[first_row[c] + row]) - base;
    }
    double* values = nullptr;
    if constexpr (kInPlace) {
      values = m.data.data() + base;
    } else {
      s.unrounded.resize(n_kept);
      values = s.unrounded.data();
    }
    {
      const std::uint32_t* col_row = s.col_row.data();
      const std::int32_t* col_count = s.col_count.data();
      std::size_t* row_pos = s.row_pos.data();
      std::int32_t* out_index = m.indices.data() + base;
      std::uint32_t at = 0;
      for (std::uint32_t l : order) {
        const std::int32_t id = map[l];
        const double idf = w.idf != nullptr ? w.idf[id] : 1.0;
        for (const std::uint32_t end = fill[l]; at < end; ++at) {
          const std::size_t p = row_pos[col_row[at]]++;
          out_index[p] = id;
          values[p] = weigh(w, col_count[at], idf);
        }
      }
    }
    // Row norms summed in column order, as assemble() does, so results are the same to the bit.
    std::size_t k = 0;
    for (std::size_t row = 0; row < n_rows; ++row) {
      write_normalized(w, values + k, ch.row_nnz[row], m.data.data() + base + k);
      k += ch.row_nnz[row];
    }
    ch.release();  // give the chunk's memory back as soon as it is copied
  }, interrupted);
  return m;
}

/// Concatenates sorted chunk rows into one CSR matrix, weighting each row; frees the chunks.
template <class T>
CsrMatrix<T> assemble(std::vector<RowChunk>& chunks, std::size_t rows, std::int64_t cols,
                      const Weighting& w, int threads,
                      const std::function<bool()>* interrupted = nullptr) {
  std::vector<std::size_t> first_row;
  CsrMatrix<T> m = allocate_rows<T>(chunks, rows, cols, first_row);
  parallel_for(chunks.size(), threads, [&](std::size_t c, std::size_t) {
    RowChunk& ch = chunks[c];
    ch.widen();  // rows sorted by sort_rows already are
    auto at = static_cast<std::size_t>(m.indptr[first_row[c]]);
    std::size_t k = 0;
    std::vector<double> values;
    for (std::uint32_t nnz : ch.row_nnz) {
      values.resize(nnz);
      for (std::uint32_t e = 0; e < nnz; ++e) {
        const std::int32_t id = ch.ids[k + e];
        values[e] = weigh(w, ch.counts[k + e], w.idf != nullptr ? w.idf[id] : 1.0);
        m.indices[at + e] = id;
      }
      write_normalized(w, values.data(), nnz, m.data.data() + at);
      at += nnz;
      k += nnz;
    }
    ch.release();  // give the chunk's memory back as soon as it is copied
  }, interrupted);
  return m;
}

}  // namespace newsim::detail

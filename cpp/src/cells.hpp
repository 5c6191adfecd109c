#pragma once

// Cells of similar rows for approximate search: spherical k-means over unit rows (an
// inverted-file index). Internal to the core.

#include <cstdint>
#include <vector>

#include "newsim/interrupt.hpp"
#include "newsim/lsa.hpp"

namespace newsim::detail {

struct Cells {
  DenseMatrix centroids;             // cells × d, unit rows
  std::vector<std::int64_t> start;   // cells + 1: members of c at rows[start[c] .. start[c + 1])
  std::vector<std::int64_t> rows;    // ascending within a cell
  std::vector<std::int32_t> cell_of; // per row; -1 for a row of zeros (in no cell)
  std::int64_t size() const { return centroids.rows(); }
};

/// Rows grouped by label (labels in [0, groups), -1 in no group): the rows of group g are
/// rows[start[g] .. start[g + 1]), ascending. O(rows + groups).
void group_rows(const std::vector<std::int32_t>& label, std::int64_t groups,
                std::vector<std::int64_t>& start, std::vector<std::int64_t>& rows);

/// Spherical k-means of the rows of x (unit or zero rows): `cells` centroids started from rows
/// drawn with `seed`, refined `iterations` times on a sample of at most 64 rows per cell, then
/// every row assigned to its most similar centroid (ties: the lower cell). The result depends
/// on x, cells, iterations and seed only (not on threads). cells is clamped to [1, non-zero
/// rows]; with no non-zero row the result has no cell.
Cells build_cells(const DenseMatrix& x, std::int64_t cells, int iterations, std::uint64_t seed,
                  int threads, const InterruptCheck* check);

/// The most similar cell of each row of q (-1 for a row of zeros).
std::vector<std::int32_t> nearest_cells(const Cells& cells, const DenseMatrix& q, int threads,
                                        const InterruptCheck* check);

/// For each cell, the `probes` cells whose centroids are most similar to its own (itself
/// first), cells × probes, row-major (probes clamped to the number of cells).
std::vector<std::int32_t> probe_lists(const Cells& cells, int probes);

}  // namespace newsim::detail

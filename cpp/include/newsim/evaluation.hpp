#pragma once
// Measuring a clustering against reference labels: B-cubed precision, recall and F1, and the
// adjusted Rand index. Labels are any integers; only equality between them matters.
#include <cstdint>
#include <vector>

namespace newsim {

/// B-cubed scores (Bagga & Baldwin, 1998): per item, the share of its predicted cluster that
/// shares its true label (precision) and the share of its true class that shares its predicted
/// cluster (recall), averaged over items; F1 is their harmonic mean.
struct BCubed {
  double precision = 0;
  double recall = 0;
  double f1 = 0;
};

/// O(n log n). Throws InvalidArgument when the label vectors differ in length or are empty.
BCubed b_cubed(const std::vector<std::int64_t>& truth, const std::vector<std::int64_t>& predicted);

/// Adjusted Rand index (Hubert & Arabie, 1985), as scikit-learn's adjusted_rand_score: 1 for
/// identical partitions, about 0 for independent ones. O(n log n). Throws InvalidArgument as
/// b_cubed.
double adjusted_rand_index(const std::vector<std::int64_t>& truth,
                           const std::vector<std::int64_t>& predicted);

}  // namespace newsim

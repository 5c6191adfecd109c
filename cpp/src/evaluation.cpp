#include "newsim/evaluation.hpp"

#include <map>
#include <string>
#include <utility>

#include "newsim/errors.hpp"

namespace newsim {

namespace {

void check(const std::vector<std::int64_t>& truth, const std::vector<std::int64_t>& predicted) {
  if (truth.size() != predicted.size()) {
    throw InvalidArgument("the label vectors differ in length: " + std::to_string(truth.size()) +
                          " and " + std::to_string(predicted.size()));
  }
  if (truth.empty()) throw InvalidArgument("no labels to compare");
}

struct Contingency {
  std::map<std::pair<std::int64_t, std::int64_t>, double> cells;
  std::map<std::int64_t, double> truth_sizes;
  std::map<std::int64_t, double> predicted_sizes;
};

Contingency contingency(const std::vector<std::int64_t>& truth,
                        const std::vector<std::int64_t>& predicted) {
  Contingency c;
  for (std::size_t i = 0; i < truth.size(); ++i) {
    c.cells[{truth[i], predicted[i]}] += 1;
    c.truth_sizes[truth[i]] += 1;
    c.predicted_sizes[predicted[i]] += 1;
  }
  return c;
}

double pairs(double n) { return n * (n - 1) / 2; }

}  // namespace

BCubed b_cubed(const std::vector<std::int64_t>& truth, const std::vector<std::int64_t>& predicted) {
  check(truth, predicted);
  const Contingency c = contingency(truth, predicted);
  // Each of the n_tp items of a cell scores n_tp / |cluster| and n_tp / |class|.
  double precision = 0;
  double recall = 0;
  for (const auto& [key, n] : c.cells) {
    precision += n * n / c.predicted_sizes.at(key.second);
    recall += n * n / c.truth_sizes.at(key.first);
  }
  const auto total = static_cast<double>(truth.size());
  BCubed out;
  out.precision = precision / total;
  out.recall = recall / total;
  out.f1 = 2 * out.precision * out.recall / (out.precision + out.recall);
  return out;
}

double adjusted_rand_index(const std::vector<std::int64_t>& truth,
                           const std::vector<std::int64_t>& predicted) {
  check(truth, predicted);
  const Contingency c = contingency(truth, predicted);
  double index = 0;
  for (const auto& [key, n] : c.cells) index += pairs(n);
  double a = 0;
  for (const auto& [key, n] : c.truth_sizes) a += pairs(n);
  double b = 0;
  for (const auto& [key, n] : c.predicted_sizes) b += pairs(n);
  const double total = pairs(static_cast<double>(truth.size()));
  const double expected = total > 0 ? a * b / total : 0;
  const double max_index = (a + b) / 2;
  // One cluster against one class, or every item alone in both: identical partitions.
  if (max_index == expected) return 1.0;
  return (index - expected) / (max_index - expected);
}

}  // namespace newsim

// Near-duplicates: three option bytes pick shingle_size, num_perm, threshold, bands and
// max_pairs; the rest is up to sixteen documents separated by NUL bytes, added in two batches
// (the first half, then the rest; every third document dated), then one queried. Every
// reported pair has a < b, lies within the index and reaches the threshold by the exact
// Jaccard of the two shingle sets.

#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "fuzz_common.hpp"
#include "newsim/errors.hpp"
#include "newsim/near_duplicates.hpp"

namespace {

double jaccard(const std::vector<std::uint64_t>& a, const std::vector<std::uint64_t>& b) {
  std::size_t i = 0, j = 0, common = 0;
  while (i < a.size() && j < b.size()) {
    if (a[i] < b[j]) {
      ++i;
    } else if (b[j] < a[i]) {
      ++j;
    } else {
      ++common, ++i, ++j;
    }
  }
  const std::size_t all = a.size() + b.size() - common;
  return all == 0 ? 1.0 : static_cast<double>(common) / static_cast<double>(all);
}

void check(const newsim::NearDuplicateIndex& index, const std::vector<newsim::DuplicatePair>& pairs,
           double threshold) {
  for (const auto& p : pairs) {
    if (!(p.a < p.b) || p.b >= index.size() || p.a < -1) newsim::fuzz::fail("pair out of range");
    if (p.a < 0) continue;
    const double exact = jaccard(index.shingle_set(p.a), index.shingle_set(p.b));
    if (std::abs(exact - p.jaccard) > 1e-9) newsim::fuzz::fail("reported Jaccard is not exact");
    if (p.jaccard < threshold - 1e-12) newsim::fuzz::fail("pair below the threshold");
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  newsim::fuzz::Input in(data, size);
  const std::uint8_t a = in.byte();
  const std::uint8_t b = in.byte();
  const std::uint8_t c = in.byte();
  static const int kPerm[] = {1, 2, 7, 16, 64, 128, 200, 256};
  newsim::NearDuplicateOptions options;
  options.shingle_size = 1 + a % 6;
  options.num_perm = kPerm[(a >> 3) % 8];
  options.threshold = (1 + b % 100) / 100.0;
  options.bands = (b & 128) != 0 ? c % 40 : 0;
  options.max_pairs = (c & 64) != 0 ? 3 : -1;
  options.words.decode_error = static_cast<newsim::DecodeErrors>((a >> 6) % 3);
  options.n_jobs = 1;

  const auto texts = newsim::fuzz::split(in.rest(), '\0', 16);
  std::vector<newsim::TextView> first, second;
  std::vector<double> times_first, times_second;
  for (std::size_t i = 0; i < texts.size(); ++i) {
    const double t = i % 3 == 0 ? 1e9 + 3600.0 * static_cast<double>(i)
                                : std::numeric_limits<double>::quiet_NaN();
    (i < texts.size() / 2 ? first : second).emplace_back(texts[i]);
    (i < texts.size() / 2 ? times_first : times_second).push_back(t);
  }
  try {
    newsim::NearDuplicateIndex index(options);
    check(index, index.add(first, &times_first), options.threshold);
    try {
      check(index, index.add(second, &times_second), options.threshold);
    } catch (const newsim::InvalidArgument&) {  // max_pairs or invalid UTF-8: nothing added
      if (index.size() != static_cast<std::int64_t>(first.size())) {
        newsim::fuzz::fail("a failed add() left documents behind");
      }
    }
    check(index, index.query(texts.back()), options.threshold);
    const auto result = index.result();
    check(index, result.pairs, options.threshold);
    if (result.canonical.size() != result.groups.size()) newsim::fuzz::fail("canonical per group");
  } catch (const newsim::InvalidArgument&) {
  }
  return 0;
}

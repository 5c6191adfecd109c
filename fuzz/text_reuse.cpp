// Text reuse: three option bytes pick the seed, window, alignment and passage sizes, the gap,
// max_postings, min_fingerprints, max_pairs and decode_error; the rest is up to sixteen
// documents separated by NUL bytes (every third dated). Every pair has a < b within range,
// coverages in [0, 1], an origin among its two texts (-1 for template and via pairs), and the
// passages of each pair, asked for again in one batch, lie inside both texts.

#include <cstdint>
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include "fuzz_common.hpp"
#include "newsim/errors.hpp"
#include "newsim/text_reuse.hpp"

namespace {

void check_alignment(const newsim::Alignment& al, std::size_t size_a, std::size_t size_b) {
  if (al.a_coverage < 0 || al.a_coverage > 1 || al.b_coverage < 0 || al.b_coverage > 1) {
    newsim::fuzz::fail("coverage outside [0, 1]");
  }
  std::int64_t matched = 0;
  for (const newsim::Passage& p : al.passages) {
    if (p.a_begin < 0 || p.a_begin >= p.a_end || p.a_end > static_cast<std::int64_t>(size_a) ||
        p.b_begin < 0 || p.b_begin >= p.b_end || p.b_end > static_cast<std::int64_t>(size_b)) {
      newsim::fuzz::fail("passage span outside its text");
    }
    if (p.matched > p.a_words || p.matched > p.b_words || p.matched < 1) {
      newsim::fuzz::fail("more equal words than words");
    }
    matched += p.matched;
  }
  if (matched != al.matched || al.longest > al.matched) newsim::fuzz::fail("measures disagree");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  newsim::fuzz::Input in(data, size);
  const std::uint8_t a = in.byte();
  const std::uint8_t b = in.byte();
  const std::uint8_t c = in.byte();
  newsim::TextReuseOptions options;
  options.seed_words = 1 + a % 6;
  options.window = 1 + (a >> 3) % 9;
  options.align_words = 1 + b % 5;
  options.min_passage_words = 1 + (b >> 3) % 20;
  options.max_gap = c % 13;
  options.max_postings = 2 + (c >> 4) % 4;
  options.min_fingerprints = 1 + (c >> 2) % 3;
  options.max_pairs = (a & 128) != 0 ? 3 : -1;
  options.decode_error = static_cast<newsim::DecodeErrors>((a >> 6) % 3 % 3);
  options.n_jobs = 1;

  const auto texts = newsim::fuzz::split(in.rest(), '\0', 16);
  const std::vector<newsim::TextView> docs(texts.begin(), texts.end());
  std::vector<double> times;
  for (std::size_t i = 0; i < texts.size(); ++i) {
    times.push_back(i % 3 == 0 ? 1e9 + 3600.0 * static_cast<double>(i % 5)
                               : std::numeric_limits<double>::quiet_NaN());
  }
  try {
    const newsim::TextReuse r = newsim::text_reuse(docs, options, &times);
    const auto n = static_cast<std::int64_t>(docs.size());
    std::vector<std::pair<std::int64_t, std::int64_t>> pairs;
    for (const newsim::ReusePair& p : r.pairs) {
      if (!(p.a >= 0 && p.a < p.b && p.b < n)) newsim::fuzz::fail("pair out of range");
      if (p.origin != -1 && p.origin != p.a && p.origin != p.b) newsim::fuzz::fail("origin");
      if (p.relation == newsim::ReuseRelation::template_ && p.origin != -1) {
        newsim::fuzz::fail("a template with an origin");
      }
      if (p.via >= n || p.via == p.a || p.via == p.b) newsim::fuzz::fail("via");
      if (p.a_coverage < 0 || p.a_coverage > 1 || p.b_coverage < 0 || p.b_coverage > 1) {
        newsim::fuzz::fail("coverage outside [0, 1]");
      }
      pairs.emplace_back(p.a, p.b);
    }
    if (r.groups.size() != r.origins.size()) newsim::fuzz::fail("one origin per group");
    for (std::size_t g = 0; g < r.groups.size(); ++g) {
      if (r.groups[g].size() < 2 || r.groups[g][0] != r.origins[g]) newsim::fuzz::fail("group");
      for (const std::int64_t m : r.groups[g]) {
        if (m < 0 || m >= n) newsim::fuzz::fail("group member out of range");
      }
    }
    const std::vector<newsim::Alignment> all = newsim::shared_passages(docs, pairs, options);
    for (std::size_t p = 0; p < pairs.size(); ++p) {
      check_alignment(all[p], texts[static_cast<std::size_t>(pairs[p].first)].size(),
                      texts[static_cast<std::size_t>(pairs[p].second)].size());
    }
    if (texts.size() >= 2) {
      check_alignment(newsim::shared_passages(docs[0], docs[1], options), texts[0].size(),
                      texts[1].size());
    }
  } catch (const newsim::InvalidArgument&) {  // max_pairs, or invalid UTF-8 under strict
  }
  return 0;
}

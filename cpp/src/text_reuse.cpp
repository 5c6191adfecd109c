#include "newsim/text_reuse.hpp"

#include <utf8proc.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <limits>
#include <string>
#include <utility>

#include "newsim/detail/decoder.hpp"
#include "newsim/detail/hash.hpp"
#include "newsim/detail/memory.hpp"
#include "newsim/detail/parallel.hpp"
#include "newsim/detail/unicode.hpp"
#include "newsim/errors.hpp"

namespace newsim {

namespace {

constexpr std::uint32_t kFigure = 0x9E3779B9u;  // the masked value of every figure
constexpr std::uint8_t kIsFigure = 1;
constexpr std::uint8_t kIsCapital = 2;
constexpr std::size_t kDocsPerTask = 64;
constexpr std::size_t kPairsPerTask = 256;
using Mate = std::uint32_t;  // a text's position in a candidate pair
constexpr std::size_t kPairsPerChunk = std::size_t{1} << 20;  // aligned between seed updates
// An alignment seed that starts more often than this in one text is repetition, not a match.
constexpr std::size_t kMaxSeedRepeats = 16;

// The words of one text: 32-bit hashes of the lowercased words, flags, and (when asked) spans.
struct Words {
  std::vector<std::uint32_t> hash;
  std::vector<std::uint8_t> flags;
  std::vector<std::int64_t> begin, end;

  std::size_t size() const { return hash.size(); }
  bool figure(std::size_t i) const { return (flags[i] & kIsFigure) != 0; }
  bool slot(std::size_t i) const { return flags[i] != 0; }
  // Equal as the alignment sees it: the same word, or two figures.
  std::uint32_t masked(std::size_t i) const { return figure(i) ? kFigure : hash[i]; }
};

bool is_digit(char32_t c) {
  if (c < 0x80) return c >= '0' && c <= '9';
  return utf8proc_category(static_cast<utf8proc_int32_t>(c)) == UTF8PROC_CATEGORY_ND;
}

template <class Decoder>
void scan_words(Decoder dec, bool spans, Words& out) {
  std::u32string word;
  std::uint8_t flags = 0;
  std::int64_t start = 0;
  std::int64_t pos = 0;
  auto finish = [&](std::int64_t stop) {
    const auto h = XXH3_64bits(word.data(), word.size() * sizeof(char32_t));
    out.hash.push_back(static_cast<std::uint32_t>(h ^ (h >> 32)));
    out.flags.push_back(flags);
    if (spans) {
      out.begin.push_back(start);
      out.end.push_back(stop);
    }
    word.clear();
  };
  char32_t c = 0;
  for (;;) {
    pos = static_cast<std::int64_t>(dec.position());
    if (!dec.next(c)) break;
    bool word_char = false;
    char32_t low = c;
    if (c < 0x80) {  // ASCII without the tables
      word_char = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' ||
                  (c >= 'A' && c <= 'Z');
      if (c >= 'A' && c <= 'Z') low = c + ('a' - 'A');
    } else if (detail::is_word(c)) {
      word_char = true;
      low = detail::simple_lower(c);
    }
    if (word_char) {
      if (word.empty()) {
        start = pos;
        flags = low != c ? kIsCapital : 0;
      }
      if (is_digit(c)) flags |= kIsFigure;
      word.push_back(low);
    } else if (!word.empty()) {
      finish(pos);
    }
  }
  if (!word.empty()) finish(pos);
}

Words words_of(TextView doc, DecodeErrors errors, std::size_t index, bool spans) {
  Words w;
  w.hash.reserve(doc.size / 6 + 1);
  w.flags.reserve(doc.size / 6 + 1);
  switch (doc.encoding) {
    case Encoding::utf8: scan_words(detail::Decoder<Encoding::utf8>(doc, errors, index), spans, w); break;
    case Encoding::latin1: scan_words(detail::Decoder<Encoding::latin1>(doc, errors, index), spans, w); break;
    case Encoding::ucs2: scan_words(detail::Decoder<Encoding::ucs2>(doc, errors, index), spans, w); break;
    case Encoding::ucs4: scan_words(detail::Decoder<Encoding::ucs4>(doc, errors, index), spans, w); break;
  }
  return w;
}

// Hash of the n-gram of words starting at i.
std::uint64_t gram_hash(const Words& w, std::size_t i, std::size_t n) {
  return XXH3_64bits(w.hash.data() + i, n * sizeof(std::uint32_t));
}

// Winnowed fingerprints, sorted and distinct: in every window of `window` consecutive n-grams
// (words as they are) the smallest hash.
std::vector<std::uint64_t> fingerprints(const Words& w, int seed_words, int window) {
  std::vector<std::uint64_t> out;
  const auto k = static_cast<std::size_t>(seed_words);
  if (w.size() < k) return out;
  const std::size_t grams = w.size() - k + 1;
  std::vector<std::uint64_t> h(grams);
  for (std::size_t i = 0; i < grams; ++i) h[i] = gram_hash(w, i, k);
  const std::size_t win = std::min<std::size_t>(static_cast<std::size_t>(window), grams);
  for (std::size_t s = 0; s + win <= grams; ++s) {
    const std::uint64_t m = *std::min_element(h.begin() + static_cast<std::ptrdiff_t>(s),
                                              h.begin() + static_cast<std::ptrdiff_t>(s + win));
    if (out.empty() || out.back() != m) out.push_back(m);
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

struct Run {
  std::int64_t i = 0, j = 0, len = 0;  // a[i, i+len) equals b[j, j+len)
};

// The align_words-grams of a text (words as they are) as (32-bit hash, position), sorted.
struct Seed {
  std::uint32_t hash, pos;
  bool operator<(const Seed& o) const { return hash != o.hash ? hash < o.hash : pos < o.pos; }
};
std::vector<Seed> seeds_of(const Words& w, int align_words) {
  std::vector<Seed> out;
  const auto k = static_cast<std::size_t>(align_words);
  if (w.size() < k) return out;
  out.resize(w.size() - k + 1);
  for (std::size_t i = 0; i < out.size(); ++i) {
    const std::uint64_t h = gram_hash(w, i, k);
    out[i] = {static_cast<std::uint32_t>(h ^ (h >> 32)), static_cast<std::uint32_t>(i)};
  }
  std::sort(out.begin(), out.end());
  return out;
}

// Runs of equal words (figures equal to figures) seeded where the seeds of a and b meet (a
// merge of the sorted seeds), extended both ways, one per stretch of a diagonal; then the longest first without overlap on
// either side; returned in b's order.
std::vector<Run> equal_runs(const Words& a, const Words& b, const std::vector<Seed>& sa,
                            const std::vector<Seed>& sb, int align_words) {
  std::vector<Run> runs;
  std::vector<std::pair<std::int64_t, std::int64_t>> matches;  // (i - j, j)
  for (std::size_t x = 0, y = 0; x < sa.size() && y < sb.size();) {
    if (sa[x].hash < sb[y].hash) {
      ++x;
    } else if (sb[y].hash < sa[x].hash) {
      ++y;
    } else {
      const std::uint32_t h = sa[x].hash;
      std::size_t x1 = x, y1 = y;
      while (x1 < sa.size() && sa[x1].hash == h) ++x1;
      while (y1 < sb.size() && sb[y1].hash == h) ++y1;
      if (x1 - x <= kMaxSeedRepeats && y1 - y <= kMaxSeedRepeats) {
        for (std::size_t u = x; u < x1; ++u) {
          for (std::size_t v = y; v < y1; ++v) {
            matches.emplace_back(static_cast<std::int64_t>(sa[u].pos) - sb[v].pos, sb[v].pos);
          }
        }
      }
      x = x1;
      y = y1;
    }
  }
  std::sort(matches.begin(), matches.end());
  const auto na = static_cast<std::int64_t>(a.size());
  const auto nb = static_cast<std::int64_t>(b.size());
  const auto k = static_cast<std::int64_t>(align_words);
  std::int64_t diag = std::numeric_limits<std::int64_t>::min();
  std::int64_t reach = 0;  // on this diagonal, where the last run ends in b (0: none yet)
  for (const auto& [d, j] : matches) {
    if (d != diag) {
      diag = d;
      reach = 0;
    }
    if (j < reach) continue;  // inside a run already found
    const std::int64_t i = d + j;
    std::int64_t s = 0;
    while (i - s - 1 >= 0 && j - s - 1 >= reach &&
           a.masked(static_cast<std::size_t>(i - s - 1)) == b.masked(static_cast<std::size_t>(j - s - 1))) {
      ++s;
    }
    std::int64_t e = 0;
    while (i + e < na && j + e < nb &&
           a.masked(static_cast<std::size_t>(i + e)) == b.masked(static_cast<std::size_t>(j + e))) {
      ++e;
    }
    if (e < k) continue;  // a hash collision
    runs.push_back({i - s, j - s, s + e});
    reach = j + e;
  }
  std::sort(runs.begin(), runs.end(), [](const Run& x, const Run& y) {
    if (x.len != y.len) return x.len > y.len;
    return x.j != y.j ? x.j < y.j : x.i < y.i;
  });
  std::vector<char> used_a(a.size(), 0), used_b(b.size(), 0);
  std::vector<Run> kept;
  for (const Run& r : runs) {
    bool free = true;
    for (std::int64_t t = 0; t < r.len && free; ++t) {
      free = !used_a[static_cast<std::size_t>(r.i + t)] && !used_b[static_cast<std::size_t>(r.j + t)];
    }
    if (!free) continue;
    for (std::int64_t t = 0; t < r.len; ++t) {
      used_a[static_cast<std::size_t>(r.i + t)] = 1;
      used_b[static_cast<std::size_t>(r.j + t)] = 1;
    }
    kept.push_back(r);
  }
  std::sort(kept.begin(), kept.end(), [](const Run& x, const Run& y) { return x.j < y.j; });
  return kept;
}

// A passage in word positions while it is built.
struct WordPassage {
  std::int64_t a0 = 0, a1 = 0, b0 = 0, b1 = 0, matched = 0, slots = 0, changed = 0;
};

// Counts figures and capitalised words of a run, and those that differ (figures may).
void count_slots(const Words& a, const Words& b, const Run& r, WordPassage& p) {
  for (std::int64_t t = 0; t < r.len; ++t) {
    const auto i = static_cast<std::size_t>(r.i + t);
    const auto j = static_cast<std::size_t>(r.j + t);
    if (a.slot(i) || b.slot(j)) {
      ++p.slots;
      p.changed += a.hash[i] != b.hash[j];
    }
  }
}

// Passages in word positions: none unless one holds min_passage_words equal words; then also
// those with half as many (at least align_words), so that coverage counts short paragraphs.
std::vector<WordPassage> passages_of(const Words& a, const Words& b, const std::vector<Seed>& sa,
                                     const std::vector<Seed>& sb, const TextReuseOptions& o) {
  const std::vector<Run> runs = equal_runs(a, b, sa, sb, o.align_words);
  std::vector<WordPassage> out;
  WordPassage cur;
  bool open = false;
  bool long_one = false;
  const std::int64_t short_min = std::max(o.align_words, (o.min_passage_words + 1) / 2);
  auto close = [&] {
    if (open && cur.matched >= short_min) {
      out.push_back(cur);
      long_one = long_one || cur.matched >= o.min_passage_words;
    }
    open = false;
  };
  for (const Run& r : runs) {
    const std::int64_t gap_a = r.i - cur.a1;
    const std::int64_t gap_b = r.j - cur.b1;
    if (open && gap_a >= 0 && gap_a <= o.max_gap && gap_b <= o.max_gap) {
      // A gap of the same length on both sides made only of figures and capitalised words is
      // a filled-in slot (a name or figure changed in place).
      if (gap_a == gap_b && gap_a > 0) {
        bool slots = true;
        for (std::int64_t t = 0; t < gap_a && slots; ++t) {
          slots = a.slot(static_cast<std::size_t>(cur.a1 + t)) && b.slot(static_cast<std::size_t>(cur.b1 + t));
        }
        if (slots) {
          cur.slots += gap_a;
          cur.changed += gap_a;
        }
      }
      cur.a1 = r.i + r.len;
      cur.b1 = r.j + r.len;
      cur.matched += r.len;
    } else {
      close();
      cur = WordPassage{r.i, r.i + r.len, r.j, r.j + r.len, r.len, 0, 0};
      open = true;
    }
    count_slots(a, b, r, cur);
  }
  close();
  if (!long_one) out.clear();
  std::sort(out.begin(), out.end(), [](const WordPassage& x, const WordPassage& y) { return x.a0 < y.a0; });
  return out;
}

// The measures of an alignment from its passages in word positions; spans when the words have them.
Alignment measure(const Words& a, const Words& b, const std::vector<WordPassage>& ps) {
  Alignment al;
  al.a_words = static_cast<std::int64_t>(a.size());
  al.b_words = static_cast<std::int64_t>(b.size());
  std::vector<char> cov_a(a.size(), 0), cov_b(b.size(), 0);
  const bool spans = !a.begin.empty() && !b.begin.empty();
  for (const WordPassage& p : ps) {
    std::fill(cov_a.begin() + p.a0, cov_a.begin() + p.a1, 1);
    std::fill(cov_b.begin() + p.b0, cov_b.begin() + p.b1, 1);
    al.longest = std::max(al.longest, p.matched);
    al.matched += p.matched;
    al.slots += p.slots;
    al.slots_changed += p.changed;
    Passage out;
    out.a_words = p.a1 - p.a0;
    out.b_words = p.b1 - p.b0;
    out.matched = p.matched;
    if (spans) {
      out.a_begin = a.begin[static_cast<std::size_t>(p.a0)];
      out.a_end = a.end[static_cast<std::size_t>(p.a1 - 1)];
      out.b_begin = b.begin[static_cast<std::size_t>(p.b0)];
      out.b_end = b.end[static_cast<std::size_t>(p.b1 - 1)];
    } else {  // word positions, [first, last]; to_code_units turns them into spans
      out.a_begin = p.a0;
      out.a_end = p.a1 - 1;
      out.b_begin = p.b0;
      out.b_end = p.b1 - 1;
    }
    al.passages.push_back(out);
  }
  auto share = [](const std::vector<char>& v) {
    if (v.empty()) return 0.0;
    return static_cast<double>(std::count(v.begin(), v.end(), 1)) / static_cast<double>(v.size());
  };
  al.a_coverage = share(cov_a);
  al.b_coverage = share(cov_b);
  return al;
}

// The relation and origin of an aligned pair a < b, or false when it shares no passage.
bool classify(const Alignment& al, std::int64_t a, std::int64_t b, const TextReuseOptions& o,
              double time_a, double time_b, ReusePair& out) {
  if (al.passages.empty()) return false;
  out.a = a;
  out.b = b;
  out.a_coverage = al.a_coverage;
  out.b_coverage = al.b_coverage;
  out.longest = static_cast<std::int32_t>(al.longest);
  out.matched = static_cast<std::int32_t>(al.matched);
  out.passages = static_cast<std::int32_t>(al.passages.size());
  const double ca = al.a_coverage;
  const double cb = al.b_coverage;
  if (al.slots_changed >= 2 &&
      static_cast<double>(al.slots_changed) >= o.template_changed * static_cast<double>(al.slots)) {
    out.relation = ReuseRelation::template_;
    out.origin = -1;
    return true;
  }
  if (ca >= o.copy_coverage && cb >= o.copy_coverage) {
    out.relation = ReuseRelation::copy;
    out.origin = a;
  } else if (std::max(ca, cb) >= o.trimmed_coverage) {
    out.relation = ReuseRelation::trimmed;
    out.origin = ca >= cb ? b : a;  // the derived text is the one covered more
  } else if (std::min(ca, cb) >= o.rewrite_coverage &&
             (al.passages.size() > 1 || std::min(ca, cb) >= o.excerpt_coverage)) {
    out.relation = ReuseRelation::rewrite;
    out.origin = a;
  } else {
    out.relation = ReuseRelation::excerpt;
    out.origin = cb > ca ? b : a;
  }
  if (!std::isnan(time_a) && !std::isnan(time_b) && time_a != time_b) {
    out.origin = time_a < time_b ? a : b;
  }
  return true;
}

}  // namespace

std::string_view to_string(ReuseRelation relation) {
  switch (relation) {
    case ReuseRelation::copy: return "copy";
    case ReuseRelation::trimmed: return "trimmed";
    case ReuseRelation::rewrite: return "rewrite";
    case ReuseRelation::excerpt: return "excerpt";
    case ReuseRelation::template_: return "template";
  }
  return "excerpt";
}

void TextReuseOptions::validate() const {
  auto at_least = [](int v, int lo, const char* name) {
    if (v < lo) {
      throw InvalidArgument(std::string(name) + " must be at least " + std::to_string(lo) +
                            "; got " + std::to_string(v));
    }
  };
  at_least(seed_words, 1, "seed_words");
  at_least(window, 1, "window");
  at_least(align_words, 1, "align_words");
  at_least(max_gap, 0, "max_gap");
  at_least(min_passage_words, 1, "min_passage_words");
  at_least(max_postings, 2, "max_postings");
  at_least(min_fingerprints, 1, "min_fingerprints");
  auto unit = [](double v, const char* name) {
    if (!(v >= 0 && v <= 1)) {
      throw InvalidArgument(std::string(name) + " must be in [0, 1]; got " + std::to_string(v));
    }
  };
  unit(copy_coverage, "copy_coverage");
  unit(trimmed_coverage, "trimmed_coverage");
  unit(rewrite_coverage, "rewrite_coverage");
  unit(excerpt_coverage, "excerpt_coverage");
  unit(template_changed, "template_changed");
  if (seed_words > 64 || align_words > 64) {
    throw InvalidArgument("seed_words and align_words must be at most 64");
  }
}

Alignment shared_passages(TextView a, TextView b, const TextReuseOptions& options) {
  options.validate();
  const Words wa = words_of(a, options.decode_error, 0, true);
  const Words wb = words_of(b, options.decode_error, 1, true);
  return measure(wa, wb, passages_of(wa, wb, seeds_of(wa, options.align_words),
                                     seeds_of(wb, options.align_words), options));
}

std::vector<Alignment> shared_passages(
    const std::vector<TextView>& docs, const std::vector<std::pair<std::int64_t, std::int64_t>>& pairs,
    const TextReuseOptions& options) {
  options.validate();
  const auto n = static_cast<std::int64_t>(docs.size());
  for (const auto& [a, b] : pairs) {
    if (a < 0 || a >= n || b < 0 || b >= n) {
      throw IndexOutOfRange("pair (" + std::to_string(a) + ", " + std::to_string(b) +
                            ") is outside [0, " + std::to_string(n) + ")");
    }
  }
  std::vector<Alignment> out(pairs.size());
  const auto* check = options.interrupted ? &options.interrupted : nullptr;
  detail::parallel_for(
      (pairs.size() + kPairsPerTask - 1) / kPairsPerTask, detail::resolve_threads(options.n_jobs),
      [&](std::size_t task, std::size_t) {
        for (std::size_t p = task * kPairsPerTask; p < std::min(pairs.size(), (task + 1) * kPairsPerTask); ++p) {
          const auto a = static_cast<std::size_t>(pairs[p].first);
          const auto b = static_cast<std::size_t>(pairs[p].second);
          const Words wa = words_of(docs[a], options.decode_error, a, true);
          const Words wb = words_of(docs[b], options.decode_error, b, true);
          out[p] = measure(wa, wb, passages_of(wa, wb, seeds_of(wa, options.align_words),
                                               seeds_of(wb, options.align_words), options));
        }
      },
      check);
  return out;
}

namespace {

// Passages in word positions (measure without spans) to code-unit spans: each text is read
// again with spans, once, on all cores.
void to_code_units(const std::vector<TextView>& docs, const std::vector<ReusePair>& pairs,
                   std::vector<std::vector<Passage>>& passages, const TextReuseOptions& options,
                   int threads, const InterruptCheck* check) {
  const std::size_t n = docs.size();
  std::vector<std::int64_t> start(n + 1, 0);  // (pair, side) references of each text
  for (const ReusePair& p : pairs) {
    ++start[static_cast<std::size_t>(p.a) + 1];
    ++start[static_cast<std::size_t>(p.b) + 1];
  }
  for (std::size_t i = 0; i < n; ++i) start[i + 1] += start[i];
  std::vector<std::int64_t> refs(static_cast<std::size_t>(start[n]));
  std::vector<std::int64_t> fill(start.begin(), start.end() - 1);
  for (std::size_t p = 0; p < pairs.size(); ++p) {
    refs[static_cast<std::size_t>(fill[static_cast<std::size_t>(pairs[p].a)]++)] =
        static_cast<std::int64_t>(2 * p);
    refs[static_cast<std::size_t>(fill[static_cast<std::size_t>(pairs[p].b)]++)] =
        static_cast<std::int64_t>(2 * p + 1);
  }
  // Each side of each passage is written by the task of its own text alone.
  detail::parallel_for(
      (n + kDocsPerTask - 1) / kDocsPerTask, threads,
      [&](std::size_t task, std::size_t) {
        for (std::size_t i = task * kDocsPerTask; i < std::min(n, (task + 1) * kDocsPerTask); ++i) {
          if (start[i] == start[i + 1]) continue;
          const Words w = words_of(docs[i], options.decode_error, i, true);
          for (auto r = start[i]; r < start[i + 1]; ++r) {
            const auto ref = static_cast<std::size_t>(refs[static_cast<std::size_t>(r)]);
            for (Passage& x : passages[ref / 2]) {
              std::int64_t& b = ref % 2 == 0 ? x.a_begin : x.b_begin;
              std::int64_t& e = ref % 2 == 0 ? x.a_end : x.b_end;
              b = w.begin[static_cast<std::size_t>(b)];
              e = w.end[static_cast<std::size_t>(e)];
            }
          }
        }
      },
      check);
}

}  // namespace

TextReuse text_reuse(const std::vector<TextView>& docs, const TextReuseOptions& options,
                     const std::vector<double>* times) {
  options.validate();
  if (times != nullptr && times->size() != docs.size()) {
    throw InvalidArgument("times has " + std::to_string(times->size()) + " entries for " +
                          std::to_string(docs.size()) + " texts");
  }
  const std::size_t n = docs.size();
  if (n > std::numeric_limits<Mate>::max()) {  // candidates are pairs of 32-bit positions
    throw InvalidArgument("text reuse compares at most " +
                          std::to_string(std::numeric_limits<Mate>::max()) + " texts at once; got " +
                          std::to_string(n));
  }
  const int threads = detail::resolve_threads(options.n_jobs);
  const auto* check = options.interrupted ? &options.interrupted : nullptr;
  auto time_of = [&](std::size_t i) { return times != nullptr ? (*times)[i] : std::nan(""); };

  // Words and fingerprints of every text, on all cores.
  std::vector<Words> words(n);
  std::vector<std::vector<std::uint64_t>> prints(n);
  std::vector<std::vector<Seed>> seeds(n);
  std::vector<std::uint64_t> text_hash(n);
  detail::parallel_for(
      (n + kDocsPerTask - 1) / kDocsPerTask, threads,
      [&](std::size_t task, std::size_t) {
        for (std::size_t i = task * kDocsPerTask; i < std::min(n, (task + 1) * kDocsPerTask); ++i) {
          words[i] = words_of(docs[i], options.decode_error, i, false);
          text_hash[i] = XXH3_64bits(words[i].hash.data(), words[i].size() * sizeof(std::uint32_t));
        }
      },
      check);

  // Texts with the same words: the earliest dated (else the first) stands for all.
  std::vector<std::int64_t> stands_for(n);
  {
    std::vector<std::size_t> order(n);
    for (std::size_t i = 0; i < n; ++i) order[i] = i;
    auto earlier = [&](std::size_t x, std::size_t y) {
      const double tx = time_of(x), ty = time_of(y);
      if (std::isnan(tx) != std::isnan(ty)) return !std::isnan(tx);
      if (!std::isnan(tx) && tx != ty) return tx < ty;
      return x < y;
    };
    std::sort(order.begin(), order.end(), [&](std::size_t x, std::size_t y) {
      return text_hash[x] != text_hash[y] ? text_hash[x] < text_hash[y] : earlier(x, y);
    });
    for (std::size_t s = 0; s < n;) {
      std::size_t e = s + 1;
      while (e < n && text_hash[order[e]] == text_hash[order[s]]) ++e;
      // Within equal hashes, texts are grouped by equal words (a collision splits them).
      for (std::size_t x = s; x < e; ++x) {
        const std::size_t i = order[x];
        stands_for[i] = static_cast<std::int64_t>(i);
        for (std::size_t y = s; y < x; ++y) {
          const std::size_t r = order[y];
          if (stands_for[r] == static_cast<std::int64_t>(r) && words[r].hash == words[i].hash) {
            stands_for[i] = static_cast<std::int64_t>(r);
            break;
          }
        }
      }
      s = e;
    }
  }

  TextReuse result;
  std::vector<std::pair<Mate, Mate>> cand;  // (a, b), a < b: 8 bytes, tens of millions of them
  std::vector<ReusePair> copies;
  for (std::size_t i = 0; i < n; ++i) {
    const auto r = static_cast<std::size_t>(stands_for[i]);
    if (r == i || words[i].size() == 0) continue;
    ReusePair p;
    p.a = static_cast<std::int64_t>(std::min(i, r));
    p.b = static_cast<std::int64_t>(std::max(i, r));
    p.relation = ReuseRelation::copy;
    p.origin = static_cast<std::int64_t>(r);
    p.a_coverage = p.b_coverage = 1;
    p.longest = p.matched = static_cast<std::int32_t>(words[i].size());
    p.passages = 1;
    copies.push_back(p);
  }

  // Fingerprints of the texts that stand for themselves, in an inverted index.
  detail::parallel_for(
      (n + kDocsPerTask - 1) / kDocsPerTask, threads,
      [&](std::size_t task, std::size_t) {
        for (std::size_t i = task * kDocsPerTask; i < std::min(n, (task + 1) * kDocsPerTask); ++i) {
          if (stands_for[i] == static_cast<std::int64_t>(i)) {
            prints[i] = fingerprints(words[i], options.seed_words, options.window);
          }
        }
      },
      check);
  std::vector<std::pair<std::uint64_t, std::int64_t>> postings;
  for (std::size_t i = 0; i < n; ++i) {
    for (const std::uint64_t f : prints[i]) postings.emplace_back(f, static_cast<std::int64_t>(i));
  }
  std::sort(postings.begin(), postings.end());
  // Per text, the postings of its fingerprints held by 2 to max_postings texts, as ranges; of
  // one held by more, only its first text (so a text shared by thousands still meets one).
  std::vector<std::vector<std::pair<std::size_t, std::size_t>>> lists(n);
  for (std::size_t lo = 0; lo < postings.size();) {
    std::size_t hi = lo + 1;
    while (hi < postings.size() && postings[hi].first == postings[lo].first) ++hi;
    if (hi - lo >= 2) {
      const std::size_t end = hi - lo <= static_cast<std::size_t>(options.max_postings) ? hi : lo + 1;
      for (std::size_t x = lo; x < hi; ++x) lists[static_cast<std::size_t>(postings[x].second)].emplace_back(lo, end);
    }
    lo = hi;
  }

  // Candidates: per text b, the earlier texts that share a fingerprint held by few texts.
  std::vector<std::vector<Mate>> mates(n);
  std::atomic<std::int64_t> total{static_cast<std::int64_t>(copies.size())};
  detail::parallel_for(
      (n + kDocsPerTask - 1) / kDocsPerTask, threads,
      [&](std::size_t task, std::size_t) {
        for (std::size_t b = task * kDocsPerTask; b < std::min(n, (task + 1) * kDocsPerTask); ++b) {
          std::vector<Mate>& m = mates[b];
          for (const auto& [lo, hi] : lists[b]) {
            for (std::size_t x = lo; x < hi && postings[x].second < static_cast<std::int64_t>(b); ++x) {
              m.push_back(static_cast<Mate>(postings[x].second));
            }
          }
          std::vector<std::pair<std::size_t, std::size_t>>().swap(lists[b]);
          // Kept: texts that share min_fingerprints (or all of the smaller's) fingerprints.
          std::sort(m.begin(), m.end());
          std::size_t kept_mates = 0;
          for (std::size_t x = 0; x < m.size();) {
            std::size_t y = x;
            while (y < m.size() && m[y] == m[x]) ++y;
            const std::size_t need = std::min({static_cast<std::size_t>(options.min_fingerprints),
                                               prints[b].size(), prints[static_cast<std::size_t>(m[x])].size()});
            if (y - x >= need) m[kept_mates++] = m[x];
            x = y;
          }
          m.resize(kept_mates);
          m.shrink_to_fit();  // the raw list was many times longer
          const std::int64_t now = total += static_cast<std::int64_t>(m.size());
          if (options.max_pairs >= 0 && now > options.max_pairs) {
            throw InvalidArgument(
                "text reuse: more than max_pairs = " + std::to_string(options.max_pairs) +
                " candidate pairs (identical texts count once); raise min_passage_words or "
                "lower max_postings, or raise max_pairs (negative: no bound) if the memory is there");
          }
        }
      },
      check);
  std::vector<std::vector<std::uint64_t>>().swap(prints);
  std::vector<std::pair<std::uint64_t, std::int64_t>>().swap(postings);
  cand.reserve(static_cast<std::size_t>(total.load()) - copies.size());
  for (std::size_t b = 0; b < n; ++b) {
    for (const Mate a : mates[b]) cand.emplace_back(a, static_cast<Mate>(b));
    std::vector<Mate>().swap(mates[b]);
  }
  result.candidates = static_cast<std::int64_t>(cand.size() + copies.size());

  // Candidates in the order of their later text by time (else by position), in chunks; a
  // text's alignment seeds are made for the first chunk that needs them and freed after the
  // last. Copies come out close in time, so the seeds held are those of a stretch of time, not
  // of the whole collection.
  {
    std::vector<std::size_t> by_time(n);
    for (std::size_t i = 0; i < n; ++i) by_time[i] = i;
    std::stable_sort(by_time.begin(), by_time.end(), [&](std::size_t x, std::size_t y) {
      const double tx = time_of(x), ty = time_of(y);
      if (std::isnan(tx) || std::isnan(ty)) return !std::isnan(tx) && std::isnan(ty);
      return tx < ty;
    });
    std::vector<std::int64_t> rank(n);
    for (std::size_t r = 0; r < n; ++r) rank[by_time[r]] = static_cast<std::int64_t>(r);
    auto later = [&](const std::pair<Mate, Mate>& c) {
      return std::max(rank[static_cast<std::size_t>(c.first)], rank[static_cast<std::size_t>(c.second)]);
    };
    std::sort(cand.begin(), cand.end(), [&](const auto& x, const auto& y) {
      const std::int64_t lx = later(x), ly = later(y);
      return lx != ly ? lx < ly : x < y;
    });
  }
  std::vector<std::int64_t> last_chunk(n, -1);
  for (std::size_t p = 0; p < cand.size(); ++p) {
    const auto c = static_cast<std::int64_t>(p / kPairsPerChunk);
    last_chunk[static_cast<std::size_t>(cand[p].first)] = c;
    last_chunk[static_cast<std::size_t>(cand[p].second)] = c;
  }
  std::vector<char> has_seeds(n, 0);
  // The candidates by chunk, so that each chunk's are freed once aligned.
  std::vector<std::vector<std::pair<Mate, Mate>>> chunks((cand.size() + kPairsPerChunk - 1) / kPairsPerChunk);
  for (std::size_t c = 0; c < chunks.size(); ++c) {
    chunks[c].assign(cand.begin() + static_cast<std::ptrdiff_t>(c * kPairsPerChunk),
                     cand.begin() + static_cast<std::ptrdiff_t>(std::min(cand.size(), (c + 1) * kPairsPerChunk)));
  }
  std::vector<std::pair<Mate, Mate>>().swap(cand);

  // Every candidate aligned, on all cores, a chunk at a time; each chunk keeps the pairs
  // that share passages. Without passages wanted, a text's words go with its seeds.
  std::vector<std::vector<ReusePair>> kept_pairs;
  std::vector<std::vector<std::vector<Passage>>> kept_passages;
  for (std::size_t chunk = 0; chunk < chunks.size(); ++chunk) {
    const std::vector<std::pair<Mate, Mate>>& part = chunks[chunk];
    std::vector<std::size_t> need;
    for (const auto& c : part) {
      for (const std::int64_t t : {c.first, c.second}) {
        if (!has_seeds[static_cast<std::size_t>(t)]) {
          has_seeds[static_cast<std::size_t>(t)] = 1;
          need.push_back(static_cast<std::size_t>(t));
        }
      }
    }
    detail::parallel_for(
        (need.size() + kDocsPerTask - 1) / kDocsPerTask, threads,
        [&](std::size_t task, std::size_t) {
          for (std::size_t x = task * kDocsPerTask; x < std::min(need.size(), (task + 1) * kDocsPerTask); ++x) {
            seeds[need[x]] = seeds_of(words[need[x]], options.align_words);
          }
        },
        check);
    std::vector<ReusePair> found(part.size());
    std::vector<char> kept(part.size(), 0);
    std::vector<std::vector<Passage>> found_passages(options.passages ? part.size() : 0);
    detail::parallel_for(
        (part.size() + kPairsPerTask - 1) / kPairsPerTask, threads,
        [&](std::size_t task, std::size_t) {
          for (std::size_t q = task * kPairsPerTask; q < std::min(part.size(), (task + 1) * kPairsPerTask); ++q) {
            const auto [a, b] = part[q];
            const Words& wa = words[static_cast<std::size_t>(a)];
            const Words& wb = words[static_cast<std::size_t>(b)];
            Alignment al =
                measure(wa, wb, passages_of(wa, wb, seeds[static_cast<std::size_t>(a)],
                                            seeds[static_cast<std::size_t>(b)], options));
            kept[q] = classify(al, a, b, options, time_of(static_cast<std::size_t>(a)),
                               time_of(static_cast<std::size_t>(b)), found[q]);
            if (kept[q] && options.passages) found_passages[q] = std::move(al.passages);
          }
        },
        check);
    std::size_t w = 0;
    for (std::size_t q = 0; q < found.size(); ++q) {
      if (!kept[q]) continue;
      if (w != q) {  // a vector moved onto itself would be emptied
        found[w] = found[q];
        if (options.passages) found_passages[w] = std::move(found_passages[q]);
      }
      ++w;
    }
    found.resize(w);
    found.shrink_to_fit();
    kept_pairs.push_back(std::move(found));
    if (options.passages) {
      found_passages.resize(w);
      kept_passages.push_back(std::move(found_passages));
    }
    for (const auto& c : part) {
      for (const std::int64_t t : {c.first, c.second}) {
        const auto ut = static_cast<std::size_t>(t);
        if (last_chunk[ut] != static_cast<std::int64_t>(chunk)) continue;
        std::vector<Seed>().swap(seeds[ut]);
        if (!options.passages) words[ut] = Words{};
      }
    }
    std::vector<std::pair<Mate, Mate>>().swap(chunks[chunk]);  // part is empty from here
    detail::release_free_memory();  // the freed words and seeds are small blocks
  }
  // Copies keep their passages when asked: aligned with seeds made for the pair.
  std::vector<std::vector<Passage>> copy_passages(options.passages ? copies.size() : 0);
  if (options.passages) {
    detail::parallel_for(
        (copies.size() + kPairsPerTask - 1) / kPairsPerTask, threads,
        [&](std::size_t task, std::size_t) {
          for (std::size_t p = task * kPairsPerTask; p < std::min(copies.size(), (task + 1) * kPairsPerTask); ++p) {
            const Words& wa = words[static_cast<std::size_t>(copies[p].a)];
            const Words& wb = words[static_cast<std::size_t>(copies[p].b)];
            copy_passages[p] = measure(wa, wb,
                                       passages_of(wa, wb, seeds_of(wa, options.align_words),
                                                   seeds_of(wb, options.align_words), options))
                                   .passages;
          }
        },
        check);
  }

  std::vector<std::vector<Seed>>().swap(seeds);
  std::vector<Words>().swap(words);

  // The kept pairs of every chunk, then the copies, sorted by (a, b) with their passages.
  {
    std::size_t total = copies.size();
    for (const auto& k : kept_pairs) total += k.size();
    std::vector<ReusePair> found;
    found.reserve(total);
    for (auto& k : kept_pairs) {
      found.insert(found.end(), k.begin(), k.end());
      std::vector<ReusePair>().swap(k);
    }
    found.insert(found.end(), copies.begin(), copies.end());
    std::vector<ReusePair>().swap(copies);
    std::vector<std::vector<Passage>> found_passages;
    if (options.passages) {
      found_passages.reserve(total);
      for (auto& k : kept_passages) {
        for (auto& ps : k) found_passages.push_back(std::move(ps));
      }
      for (auto& ps : copy_passages) found_passages.push_back(std::move(ps));
      std::vector<std::vector<Passage>>().swap(copy_passages);
    }
    const auto by_pair = [](const ReusePair& x, const ReusePair& y) {
      return x.a != y.a ? x.a < y.a : x.b < y.b;
    };
    if (options.passages) {
      std::vector<std::size_t> order(found.size());
      for (std::size_t p = 0; p < order.size(); ++p) order[p] = p;
      std::sort(order.begin(), order.end(),
                [&](std::size_t x, std::size_t y) { return by_pair(found[x], found[y]); });
      result.pairs.reserve(found.size());
      result.passages.reserve(found.size());
      for (const std::size_t p : order) {
        result.pairs.push_back(found[p]);
        result.passages.push_back(std::move(found_passages[p]));
      }
      std::vector<ReusePair>().swap(found);
    } else {
      std::sort(found.begin(), found.end(), by_pair);  // no two pairs share (a, b)
      result.pairs = std::move(found);
    }
  }
  if (options.passages) to_code_units(docs, result.pairs, result.passages, options, threads, check);

  // Per text, the pairs it is derived in (positions into result.pairs, by origin): an index of
  // 8 bytes a pair rather than a copy of each edge, as there can be tens of millions.
  const auto derived_of = [](const ReusePair& p) { return p.origin == p.a ? p.b : p.a; };
  std::vector<std::int64_t> start(n + 1, 0);
  for (const ReusePair& p : result.pairs) {
    if (p.origin >= 0) ++start[static_cast<std::size_t>(derived_of(p)) + 1];
  }
  for (std::size_t i = 0; i < n; ++i) start[i + 1] += start[i];
  std::vector<std::int64_t> from(static_cast<std::size_t>(start[n]));
  {
    std::vector<std::int64_t> at(start.begin(), start.end() - 1);
    for (std::size_t q = 0; q < result.pairs.size(); ++q) {
      const ReusePair& p = result.pairs[q];
      if (p.origin >= 0) from[static_cast<std::size_t>(at[static_cast<std::size_t>(derived_of(p))]++)] = static_cast<std::int64_t>(q);
    }
  }
  const auto origin_at = [&](std::int64_t q) { return result.pairs[static_cast<std::size_t>(q)].origin; };
  detail::parallel_for(
      (n + kDocsPerTask - 1) / kDocsPerTask, threads,
      [&](std::size_t task, std::size_t) {
        for (std::size_t x = task * kDocsPerTask; x < std::min(n, (task + 1) * kDocsPerTask); ++x) {
          std::sort(from.begin() + start[x], from.begin() + start[x + 1],
                    [&](std::int64_t u, std::int64_t v) { return origin_at(u) < origin_at(v); });
        }
      },
      check);
  // Two texts derived from one origin that share no more than each shares with it share it
  // through that origin: no derivation between them.
  for (ReusePair& p : result.pairs) {
    if (p.origin < 0) continue;
    const auto ua = static_cast<std::size_t>(p.a), ub = static_cast<std::size_t>(p.b);
    for (auto x = start[ua], y = start[ub]; x < start[ua + 1] && y < start[ub + 1];) {
      const ReusePair& ex = result.pairs[static_cast<std::size_t>(from[static_cast<std::size_t>(x)])];
      const ReusePair& ey = result.pairs[static_cast<std::size_t>(from[static_cast<std::size_t>(y)])];
      if (ex.origin < ey.origin) {
        ++x;
      } else if (ey.origin < ex.origin) {
        ++y;
      } else {
        if (ex.origin != p.a && ex.origin != p.b && p.matched <= std::min(ex.matched, ey.matched)) {
          p.via = ex.origin;
          break;
        }
        ++x;
        ++y;
      }
    }
  }
  std::vector<std::int64_t>().swap(from);

  // Groups: each origin with the texts derived from it (ascending), by origin.
  std::vector<std::int64_t>().swap(start);
  std::vector<std::int64_t> derived(n, 0);  // per origin: its derived texts
  for (ReusePair& p : result.pairs) {
    if (p.via >= 0) p.origin = -1;
    if (p.origin >= 0) ++derived[static_cast<std::size_t>(p.origin)];
  }
  std::vector<std::int64_t> group_of(n, -1);
  for (std::size_t i = 0; i < n; ++i) {
    if (derived[i] == 0) continue;
    group_of[i] = static_cast<std::int64_t>(result.groups.size());
    result.origins.push_back(static_cast<std::int64_t>(i));
    result.groups.emplace_back().reserve(static_cast<std::size_t>(derived[i]) + 1);
    result.groups.back().push_back(static_cast<std::int64_t>(i));
  }
  for (const ReusePair& p : result.pairs) {  // by (a, b): each group's derived texts ascend
    if (p.origin >= 0) {
      result.groups[static_cast<std::size_t>(group_of[static_cast<std::size_t>(p.origin)])]
          .push_back(derived_of(p));
    }
  }
  detail::release_free_memory();
  return result;
}

}  // namespace newsim

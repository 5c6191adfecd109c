// newsim's hand-written hash table (detail::HashMap) against absl::flat_hash_map (with its own
// hash, and with none for keys that are hashes already) on the workloads of the hash-keyed
// tables the core had (issue 18): cleaning's line counts and word classes (Reuters-21578), the
// hashing vectorizer's per-document column sums (20 Newsgroups), near-duplicates' LSH buckets
// (MinHash band keys of Reuters). Each workload uses the faster table. Reads
// <repo>/../shared/corpora; a workload whose corpus is missing is skipped. Build with
// -DNEWSIM_BUILD_BENCHMARKS=ON and run newsim_bench_tables --benchmark_repetitions=5.

#include <absl/container/flat_hash_map.h>
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <string>
#include <vector>

#include "cleaning/lexicon.hpp"
#include "cleaning/line_features.hpp"
#include "cleaning/statistics.hpp"
#include "cleaning/tokens.hpp"
#include "newsim/analyzer.hpp"
#include "newsim/detail/hash_map.hpp"
#include "newsim/hashing.hpp"
#include "newsim/near_duplicates.hpp"
#include "newsim/reader.hpp"

#ifndef NEWSIM_SOURCE_DIR
#error "NEWSIM_SOURCE_DIR must name the repository root"
#endif

namespace {

using newsim::detail::HashMap;

// Keys that are hashes already need no second hash.
struct Identity {
  std::size_t operator()(std::uint64_t k) const { return static_cast<std::size_t>(k); }
};
template <class V>
using AbslMap = absl::flat_hash_map<std::uint64_t, V>;
template <class V>
using AbslIdentityMap = absl::flat_hash_map<std::uint64_t, V, Identity>;

// The first `limit` articles of a corpus in <repo>/../shared/corpora (none if it is missing).
newsim::Corpus corpus(const std::string& name, std::size_t limit) {
  const std::string path =
      std::string(NEWSIM_SOURCE_DIR) + "/../shared/corpora/" + name + ".jsonl.gz";
  newsim::Corpus out;
  if (!std::ifstream(path).good()) return out;
  newsim::JsonlOptions o;
  o.errors = newsim::OnError::report;
  o.require_text = false;
  newsim::JsonlReader reader(path, o);
  newsim::Article a;
  while (out.size() < limit && reader.next(a)) out.add(a);
  return out;
}

// -- cleaning: lines counted across articles, then looked up; word classes ---------------------

struct CleanData {
  std::vector<std::vector<std::uint64_t>> keys;  // each article's repeat_keys
  std::vector<std::uint64_t> words;              // hash of every word of every line
};

const CleanData& clean_data() {
  static const CleanData d = [] {
    CleanData d;
    for (const newsim::Article& a : corpus("reuters21578", 1u << 30)) {
      const std::vector<newsim::cleaning::Line> lines = newsim::cleaning::article_lines(a.text);
      d.keys.emplace_back();
      newsim::cleaning::repeat_keys(lines, d.keys.back());
      for (const auto& line : lines) {
        newsim::cleaning::for_each_token(
            line.text,
            [&](std::string_view, std::uint64_t h, std::string_view) { d.words.push_back(h); });
      }
    }
    return d;
  }();
  return d;
}

std::int64_t total_keys() {
  std::int64_t n = 0;
  for (const auto& k : clean_data().keys) n += static_cast<std::int64_t>(k.size());
  return n;
}

// clean(): ++count[key] for each distinct line of each article.
template <class Table>
void BM_CleanCount(benchmark::State& state) {
  if (clean_data().keys.empty()) state.SkipWithError("reuters21578.jsonl.gz not found");
  for (auto _ : state) {
    Table t;
    for (const auto& keys : clean_data().keys) {
      for (const std::uint64_t k : keys) ++t[k];
    }
    benchmark::DoNotOptimize(t.size());
  }
  state.SetItemsProcessed(state.iterations() * total_keys());
}
BENCHMARK_TEMPLATE(BM_CleanCount, HashMap<int>)->Unit(benchmark::kMillisecond);
BENCHMARK_TEMPLATE(BM_CleanCount, AbslMap<int>)->Unit(benchmark::kMillisecond);
BENCHMARK_TEMPLATE(BM_CleanCount, AbslIdentityMap<int>)->Unit(benchmark::kMillisecond);

template <class Table>
const Table& counted() {
  static const Table t = [] {
    Table t;
    for (const auto& keys : clean_data().keys) {
      for (const std::uint64_t k : keys) ++t[k];
    }
    return t;
  }();
  return t;
}

int count_of(const HashMap<int>& t, std::uint64_t k) {
  const int* c = t.find(k);
  return c == nullptr ? 0 : *c;
}
template <class Map>
int count_of(const Map& t, std::uint64_t k) {
  const auto it = t.find(k);
  return it == t.end() ? 0 : it->second;
}

// classify(): an article's lines looked up in the counts, all prefetched first.
template <class Table>
void BM_CleanLookup(benchmark::State& state) {
  if (clean_data().keys.empty()) state.SkipWithError("reuters21578.jsonl.gz not found");
  const Table& t = counted<Table>();
  for (auto _ : state) {
    std::int64_t sum = 0;
    for (const auto& keys : clean_data().keys) {
      for (const std::uint64_t k : keys) t.prefetch(k);
      for (const std::uint64_t k : keys) sum += count_of(t, k);
    }
    benchmark::DoNotOptimize(sum);
  }
  state.SetItemsProcessed(state.iterations() * total_keys());
}
BENCHMARK_TEMPLATE(BM_CleanLookup, HashMap<int>)->Unit(benchmark::kMillisecond);
BENCHMARK_TEMPLATE(BM_CleanLookup, AbslMap<int>)->Unit(benchmark::kMillisecond);
BENCHMARK_TEMPLATE(BM_CleanLookup, AbslIdentityMap<int>)->Unit(benchmark::kMillisecond);

// analyse(): every word's classes (stop word, furniture, ...) from the lexicon's flags, a
// small table looked up mostly in vain; copied into the other kinds of table.
template <class Table>
const Table& flags() {
  static const Table t = [] {
    Table t;
    newsim::cleaning::lexicon().flags.for_each([&](std::uint64_t k, std::uint8_t v) { t[k] = v; });
    return t;
  }();
  return t;
}
template <>
const HashMap<std::uint8_t>& flags() {
  return newsim::cleaning::lexicon().flags;
}

std::uint8_t flags_of(const HashMap<std::uint8_t>& t, std::uint64_t k) {
  const std::uint8_t* f = t.find(k);
  return f == nullptr ? 0 : *f;
}
template <class Map>
std::uint8_t flags_of(const Map& t, std::uint64_t k) {
  const auto it = t.find(k);
  return it == t.end() ? 0 : it->second;
}

template <class Table>
void BM_CleanWordFlags(benchmark::State& state) {
  if (clean_data().words.empty()) state.SkipWithError("reuters21578.jsonl.gz not found");
  const Table& t = flags<Table>();
  for (auto _ : state) {
    unsigned stop = 0;
    for (const std::uint64_t h : clean_data().words) stop += flags_of(t, h) & 1;
    benchmark::DoNotOptimize(stop);
  }
  state.SetItemsProcessed(state.iterations() *
                          static_cast<std::int64_t>(clean_data().words.size()));
}
BENCHMARK_TEMPLATE(BM_CleanWordFlags, HashMap<std::uint8_t>)->Unit(benchmark::kMillisecond);
BENCHMARK_TEMPLATE(BM_CleanWordFlags, AbslMap<std::uint8_t>)->Unit(benchmark::kMillisecond);
BENCHMARK_TEMPLATE(BM_CleanWordFlags, AbslIdentityMap<std::uint8_t>)->Unit(benchmark::kMillisecond);

// -- hashing vectorizer: signed counts per column of each document ---------------------------

// Each document's terms as murmurhash3_32 values, as HashingVectorizer::transform sees them.
const std::vector<std::vector<std::int32_t>>& term_hashes() {
  static const std::vector<std::vector<std::int32_t>> d = [] {
    std::vector<std::vector<std::int32_t>> d;
    const newsim::Analyzer analyzer{newsim::HashingOptions{}.analysis};
    newsim::Analyzer::Workspace ws;
    struct Sink : newsim::Analyzer::TermSink {
      std::vector<std::int32_t>* out = nullptr;
      void operator()(std::string_view term) override {
        out->push_back(newsim::murmurhash3_32(term, 0));
      }
    } sink;
    const newsim::Corpus c = corpus("20newsgroups", 1u << 30);
    for (std::size_t i = 0; i < c.size(); ++i) {
      d.emplace_back();
      sink.out = &d.back();
      analyzer.analyze(c[i].text, ws, sink, i);
    }
    return d;
  }();
  return d;
}

constexpr std::int64_t kFeatures = std::int64_t{1} << 20;  // HashingOptions' default

std::uint32_t column(std::int32_t h) {
  return static_cast<std::uint32_t>(std::abs(static_cast<std::int64_t>(h)) % kFeatures);
}

std::uint64_t pack(std::uint32_t col, std::int32_t count) {
  return (static_cast<std::uint64_t>(col) << 32) | static_cast<std::uint32_t>(count);
}

// HashSink's table (hashing.cpp): column -> its entry in a dense array of packed (column,
// count), refilled for every document.
class HashMapSums {
 public:
  void start_document() {
    index_.clear();
    entries_.clear();
  }
  void add(std::uint32_t col, std::int32_t sign) {
    const auto [entry, added] = index_.emplace(col, static_cast<std::uint32_t>(entries_.size()));
    if (added) {
      entries_.push_back(pack(col, sign));
    } else {
      std::uint64_t& e = entries_[*entry];
      e = pack(col, static_cast<std::int32_t>(static_cast<std::uint32_t>(e)) + sign);
    }
  }
  std::vector<std::uint64_t>& entries() { return entries_; }

 private:
  HashMap<std::uint32_t> index_{512};
  std::vector<std::uint64_t> entries_;
};

// The same with absl: column -> entry, cleared for each document.
template <class Hash>
class AbslSums {
 public:
  void start_document() {
    index_.clear();
    entries_.clear();
  }
  void add(std::uint32_t col, std::int32_t sign) {
    const auto [it, added] = index_.try_emplace(col, static_cast<std::uint32_t>(entries_.size()));
    if (added) {
      entries_.push_back(pack(col, sign));
    } else {
      std::uint64_t& e = entries_[it->second];
      e = pack(col, static_cast<std::int32_t>(static_cast<std::uint32_t>(e)) + sign);
    }
  }
  std::vector<std::uint64_t>& entries() { return entries_; }

 private:
  absl::flat_hash_map<std::uint32_t, std::uint32_t, Hash> index_;
  std::vector<std::uint64_t> entries_;
};

// transform(): each document's columns summed, then sorted by column.
template <class Sums>
void BM_HashingRows(benchmark::State& state) {
  if (term_hashes().empty()) state.SkipWithError("20newsgroups.jsonl.gz not found");
  std::int64_t terms = 0;
  for (const auto& doc : term_hashes()) terms += static_cast<std::int64_t>(doc.size());
  Sums sums;
  for (auto _ : state) {
    std::size_t nnz = 0;
    for (const auto& doc : term_hashes()) {
      sums.start_document();
      for (const std::int32_t h : doc) sums.add(column(h), h < 0 ? -1 : 1);
      std::sort(sums.entries().begin(), sums.entries().end());
      nnz += sums.entries().size();
    }
    benchmark::DoNotOptimize(nnz);
  }
  state.SetItemsProcessed(state.iterations() * terms);
}
BENCHMARK_TEMPLATE(BM_HashingRows, HashMapSums)->Unit(benchmark::kMillisecond);
BENCHMARK_TEMPLATE(BM_HashingRows, AbslSums<absl::Hash<std::uint32_t>>)
    ->Unit(benchmark::kMillisecond);
BENCHMARK_TEMPLATE(BM_HashingRows, AbslSums<Identity>)->Unit(benchmark::kMillisecond);

// -- near-duplicates: LSH buckets, band key -> last document -----------------------------------

struct Bands {
  std::vector<std::uint64_t> keys;  // document i's band keys at [i * bands, (i + 1) * bands)
  int bands = 0;
};

// Band keys of MinHash signatures with NearDuplicateOptions' defaults, as
// NearDuplicateIndex::Impl::band_key makes them.
const Bands& band_keys() {
  static const Bands b = [] {
    Bands b;
    const newsim::NearDuplicateOptions o;
    const newsim::LshBands banding = newsim::choose_bands(o.threshold, o.num_perm, o.bands);
    b.bands = banding.bands;
    const newsim::Corpus c = corpus("reuters21578", 1u << 30);
    for (std::size_t i = 0; i < c.size(); ++i) {
      const std::vector<std::uint32_t> sig =
          newsim::minhash(newsim::shingles(c[i].text, o, i), o.num_perm, o.seed);
      for (int t = 0; t < banding.bands; ++t) {
        b.keys.push_back(
            XXH3_64bits_withSeed(sig.data() + static_cast<std::size_t>(t) * banding.rows,
                                 sizeof(std::uint32_t) * static_cast<std::size_t>(banding.rows),
                                 static_cast<std::uint64_t>(t)));
      }
    }
    return b;
  }();
  return b;
}

// near_duplicates.cpp's BucketTable on either table (reserve() is called on an empty one).
class HashMapBuckets {
 public:
  std::int64_t push(std::uint64_t key, std::int64_t doc) {
    const auto [head, added] = heads_.emplace(key, doc);
    return added ? -1 : std::exchange(*head, doc);
  }
  std::int64_t find(std::uint64_t key) const {
    const std::int64_t* head = heads_.find(key);
    return head == nullptr ? -1 : *head;
  }
  void reserve(std::size_t extra) { heads_ = HashMap<std::int64_t>(heads_.size() + extra); }

 private:
  HashMap<std::int64_t> heads_;
};

template <class Hash>
class AbslBuckets {
 public:
  std::int64_t push(std::uint64_t key, std::int64_t doc) {
    const auto [it, added] = heads_.try_emplace(key, doc);
    if (added) return -1;
    const std::int64_t before = it->second;
    it->second = doc;
    return before;
  }
  std::int64_t find(std::uint64_t key) const {
    const auto it = heads_.find(key);
    return it == heads_.end() ? -1 : it->second;
  }
  void reserve(std::size_t extra) { heads_.reserve(heads_.size() + extra); }

 private:
  absl::flat_hash_map<std::uint64_t, std::int64_t, Hash> heads_;
};

// add(): each document's bands looked up (its bucket mates), then the document pushed.
template <class Table>
void BM_NearDuplicateBuckets(benchmark::State& state) {
  const Bands& b = band_keys();
  if (b.keys.empty()) state.SkipWithError("reuters21578.jsonl.gz not found");
  const std::size_t bands = static_cast<std::size_t>(b.bands);
  const std::size_t docs = bands == 0 ? 0 : b.keys.size() / bands;
  for (auto _ : state) {
    Table t;
    t.reserve(b.keys.size());
    std::int64_t sum = 0;
    for (std::size_t i = 0; i < docs; ++i) {
      for (std::size_t k = 0; k < bands; ++k) sum += t.find(b.keys[i * bands + k]);
      for (std::size_t k = 0; k < bands; ++k) {
        sum += t.push(b.keys[i * bands + k], static_cast<std::int64_t>(i));
      }
    }
    benchmark::DoNotOptimize(sum);
  }
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(b.keys.size()));
}
BENCHMARK_TEMPLATE(BM_NearDuplicateBuckets, HashMapBuckets)->Unit(benchmark::kMillisecond);
BENCHMARK_TEMPLATE(BM_NearDuplicateBuckets, AbslBuckets<absl::Hash<std::uint64_t>>)
    ->Unit(benchmark::kMillisecond);
BENCHMARK_TEMPLATE(BM_NearDuplicateBuckets, AbslBuckets<Identity>)->Unit(benchmark::kMillisecond);

}  // namespace

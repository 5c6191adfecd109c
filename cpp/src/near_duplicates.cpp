#include "newsim/near_duplicates.hpp"

#include <absl/container/flat_hash_map.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <mutex>
#include <numeric>
#include <shared_mutex>
#include <string>
#include <unordered_map>
#include <utility>

#include "newsim/detail/hash.hpp"
#include "newsim/detail/parallel.hpp"
#include "newsim/errors.hpp"

namespace newsim {

namespace {

constexpr std::uint32_t kEmptyValue = std::numeric_limits<std::uint32_t>::max();
// Documents per task when shingling: enough to amortise the task, few enough to balance.
constexpr std::size_t kDocsPerTask = 64;
constexpr std::size_t kPairsPerTask = 4096;
constexpr double kMinCandidateProbability = 0.999;

std::uint64_t splitmix64(std::uint64_t& state) {
  std::uint64_t z = (state += 0x9E3779B97F4A7C15ULL);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

// out[p] = min over the set of (a[p] x' + b[p]) mod 2^32, x' the value mixed and folded to 32
// bits. The hot loop of shingling, in 32-bit lanes so that it vectorises; compiled for AVX2 as
// well where the compiler supports it, chosen at load time.
#if defined(__GNUC__) && defined(__x86_64__) && !defined(__clang__)
__attribute__((target_clones("avx2", "default")))
#endif
void sign_into(const std::uint32_t* a, const std::uint32_t* b, std::size_t n,
               const std::uint64_t* set, std::size_t m, std::uint32_t* out) {
  std::fill(out, out + n, kEmptyValue);
  for (std::size_t k = 0; k < m; ++k) {
    // Mixed first, so that structured input (consecutive ids) behaves like hashes.
    std::uint64_t h = set[k];
    h = (h ^ (h >> 33)) * 0xFF51AFD7ED558CCDULL;
    h = (h ^ (h >> 33)) * 0xC4CEB9FE1A85EC53ULL;
    const auto x = static_cast<std::uint32_t>(h ^ (h >> 32));
    for (std::size_t p = 0; p < n; ++p) {
      const std::uint32_t v = a[p] * x + b[p];
      out[p] = v < out[p] ? v : out[p];
    }
  }
}

struct Permutations {
  std::vector<std::uint32_t> a;
  std::vector<std::uint32_t> b;
  Permutations(int num_perm, std::uint64_t seed) : a(num_perm), b(num_perm) {
    std::uint64_t state = seed;
    for (int p = 0; p < num_perm; ++p) {
      a[p] = static_cast<std::uint32_t>(splitmix64(state) >> 32) | 1U;  // odd: a permutation
      b[p] = static_cast<std::uint32_t>(splitmix64(state) >> 32);
    }
  }
  void sign(const std::uint64_t* set, std::size_t m, std::uint32_t* out) const {
    sign_into(a.data(), b.data(), a.size(), set, m, out);
  }
};

// Collects token hashes; the analyzer hands word unigrams over in runs.
class WordHashes : public Analyzer::TermSink {
 public:
  std::vector<std::uint64_t> hashes;
  void operator()(std::string_view term) override {
    hashes.push_back(XXH3_64bits(term.data(), term.size()));
  }
  void terms(const std::string_view* terms, std::size_t n) override {
    for (std::size_t i = 0; i < n; ++i) (*this)(terms[i]);
  }
};

// Appends the shingles of one document to `out`, in text order (repeats included); returns the
// number of words.
std::size_t shingle_doc(const Analyzer& words, Analyzer::Workspace& ws, WordHashes& sink,
                        TextView doc, int shingle_size, std::size_t doc_index,
                        std::vector<std::uint64_t>& out) {
  sink.hashes.clear();
  words.analyze(doc, ws, sink, doc_index);
  const std::vector<std::uint64_t>& w = sink.hashes;
  if (w.empty()) return 0;
  const std::size_t k = std::min<std::size_t>(static_cast<std::size_t>(shingle_size), w.size());
  for (std::size_t i = 0; i + k <= w.size(); ++i) {
    out.push_back(XXH3_64bits(w.data() + i, k * sizeof(std::uint64_t)));
  }
  return w.size();
}

// Sorts a range of shingles and moves the distinct ones to its front; returns their number.
std::size_t sort_distinct(std::uint64_t* begin, std::uint64_t* end) {
  std::sort(begin, end);
  return static_cast<std::size_t>(std::unique(begin, end) - begin);
}

// A stored shingle set: a range of the index's flat array.
struct SetView {
  const std::uint64_t* data = nullptr;
  std::size_t size = 0;
  bool empty() const { return size == 0; }
  std::uint64_t operator[](std::size_t i) const { return data[i]; }
};

std::size_t intersection_size(SetView a, SetView b) {
  std::size_t i = 0;
  std::size_t j = 0;
  std::size_t n = 0;
  while (i < a.size && j < b.size) {
    if (a[i] < b[j]) {
      ++i;
    } else if (b[j] < a[i]) {
      ++j;
    } else {
      ++n;
      ++i;
      ++j;
    }
  }
  return n;
}

// From a band key to the last document in its bucket. absl::flat_hash_map: an order of
// magnitude faster here than open addressing by hand (cpp/bench/bench_hash_tables.cpp), as
// most lookups miss a large table and absl's control bytes answer them.
class BucketTable {
 public:
  // The previous last document of key's bucket (-1 if none); doc becomes the last.
  std::int64_t push(std::uint64_t key, std::int64_t doc) {
    const auto [it, added] = heads_.try_emplace(key, doc);
    return added ? -1 : std::exchange(it->second, doc);
  }
  std::int64_t find(std::uint64_t key) const {
    const auto it = heads_.find(key);
    return it == heads_.end() ? -1 : it->second;
  }
  // Room for `extra` more keys without growing.
  void reserve(std::size_t extra) { heads_.reserve(heads_.size() + extra); }
  // Undoes the last push of key: `before` is what that push returned.
  void pop(std::uint64_t key, std::int64_t before) {
    if (before < 0) {
      heads_.erase(key);
    } else {
      heads_[key] = before;
    }
  }

 private:
  absl::flat_hash_map<std::uint64_t, std::int64_t> heads_;
};

void check_options_words(const AnalyzerOptions& words) {
  if (words.analyzer != AnalyzerKind::word || words.ngram_range != std::pair<int, int>{1, 1}) {
    throw InvalidArgument(
        "near-duplicate words must come from the word analyzer with ngram_range (1, 1); "
        "shingles are formed from them");
  }
}

}  // namespace

std::string_view to_string(Relation relation) {
  switch (relation) {
    case Relation::copy: return "copy";
    case Relation::contains: return "contains";
    case Relation::update: return "update";
  }
  return "update";
}

void NearDuplicateOptions::validate() const {
  if (shingle_size < 1) {
    throw InvalidArgument("shingle_size must be at least 1; got " + std::to_string(shingle_size));
  }
  if (num_perm < 1) throw InvalidArgument("num_perm must be at least 1; got " + std::to_string(num_perm));
  auto check_unit = [](double v, const char* name) {
    if (!(v > 0 && v <= 1)) {
      throw InvalidArgument(std::string(name) + " must be in (0, 1]; got " + std::to_string(v));
    }
  };
  check_unit(threshold, "threshold");
  check_unit(copy_threshold, "copy_threshold");
  check_unit(containment_threshold, "containment_threshold");
  if (bands < 0 || bands > num_perm) {
    throw InvalidArgument("bands must be in [0, num_perm]; got " + std::to_string(bands));
  }
  words.validate();
  check_options_words(words);
}

double lsh_probability(double jaccard, LshBands banding) {
  if (!(jaccard >= 0 && jaccard <= 1)) {
    throw InvalidArgument("jaccard must be in [0, 1]; got " + std::to_string(jaccard));
  }
  if (banding.bands < 1 || banding.rows < 1) {
    throw InvalidArgument("bands and rows must be at least 1");
  }
  return 1.0 - std::pow(1.0 - std::pow(jaccard, banding.rows), banding.bands);
}

LshBands choose_bands(double threshold, int num_perm, int bands) {
  if (num_perm < 1) throw InvalidArgument("num_perm must be at least 1");
  if (bands > 0) return {bands, std::max(1, num_perm / bands)};
  LshBands best{num_perm, 1};
  for (int rows = 1; rows <= num_perm; ++rows) {
    const LshBands b{num_perm / rows, rows};
    if (lsh_probability(threshold, b) >= kMinCandidateProbability) best = b;
  }
  return best;
}

std::vector<std::uint64_t> shingles(TextView doc, const NearDuplicateOptions& options,
                                    std::size_t doc_index) {
  options.validate();
  const Analyzer words(options.words);
  Analyzer::Workspace ws;
  WordHashes sink;
  std::vector<std::uint64_t> out;
  shingle_doc(words, ws, sink, doc, options.shingle_size, doc_index, out);
  out.resize(sort_distinct(out.data(), out.data() + out.size()));
  return out;
}

std::vector<std::uint32_t> minhash(const std::vector<std::uint64_t>& shingle_set, int num_perm,
                                   std::uint64_t seed) {
  if (num_perm < 1) throw InvalidArgument("num_perm must be at least 1");
  std::vector<std::uint32_t> out(static_cast<std::size_t>(num_perm));
  Permutations(num_perm, seed).sign(shingle_set.data(), shingle_set.size(), out.data());
  return out;
}

double estimate_jaccard(const std::vector<std::uint32_t>& a, const std::vector<std::uint32_t>& b) {
  if (a.size() != b.size() || a.empty()) {
    throw InvalidArgument("signatures must have the same, non-zero length; got " +
                          std::to_string(a.size()) + " and " + std::to_string(b.size()));
  }
  std::size_t equal = 0;
  for (std::size_t p = 0; p < a.size(); ++p) equal += a[p] == b[p];
  return static_cast<double>(equal) / static_cast<double>(a.size());
}

struct NearDuplicateIndex::Impl {
  NearDuplicateOptions options;
  Analyzer words;
  Permutations perms;
  LshBands banding;
  // Document i's shingles are shingles[set_start[i] : set_start[i+1]], in text order until it
  // first meets a candidate; then sorted, its distinct ones first, distinct[i] of them (-1
  // before). Sorting only candidates saves most of the sorting. Signature i is
  // signatures[i * num_perm : (i+1) * num_perm].
  std::vector<std::uint64_t> shingles{};
  std::vector<std::int64_t> set_start{0};
  std::vector<std::int64_t> distinct;
  std::vector<std::uint32_t> signatures;
  std::vector<std::int64_t> word_counts;
  std::vector<double> times;
  // LSH: per band key, the last document of its bucket (bands seed their keys apart), and per
  // (document, band) the document before it in the same bucket (-1 ends the chain).
  BucketTable heads;
  std::vector<std::int64_t> chain;
  std::vector<DuplicatePair> pairs;
  std::int64_t candidates = 0;
  // Documents with the same shingle set: each later one is paired with the first only and
  // left out of the buckets, so n copies cost n - 1 pairs, not n (n - 1) / 2. by_signature:
  // signature hash -> first document with it; copy_of[i]: that first document, or i itself.
  std::unordered_map<std::uint64_t, std::int64_t> by_signature;
  std::vector<std::int64_t> copy_of;
  std::unordered_map<std::int64_t, std::vector<std::int64_t>> copies;  // first -> later ones
  // add() writes, everything else reads.
  mutable std::shared_mutex mutex;

  explicit Impl(NearDuplicateOptions o)
      : options((o.validate(), std::move(o))),
        words(options.words),
        perms(options.num_perm, options.seed),
        banding(choose_bands(options.threshold, options.num_perm, options.bands)) {}

  std::int64_t size() const { return static_cast<std::int64_t>(set_start.size()) - 1; }
  bool empty(std::int64_t i) const {
    return set_start[static_cast<std::size_t>(i)] == set_start[static_cast<std::size_t>(i) + 1];
  }
  // The raw range of document i.
  std::pair<std::uint64_t*, std::uint64_t*> range(std::int64_t i) {
    return {shingles.data() + set_start[static_cast<std::size_t>(i)],
            shingles.data() + set_start[static_cast<std::size_t>(i) + 1]};
  }
  void make_distinct(std::int64_t i) {
    if (distinct[static_cast<std::size_t>(i)] >= 0) return;
    const auto [b, e] = range(i);
    distinct[static_cast<std::size_t>(i)] = static_cast<std::int64_t>(sort_distinct(b, e));
  }
  // The distinct shingles of document i, which make_distinct(i) has sorted.
  SetView set(std::int64_t i) const {
    return {shingles.data() + set_start[static_cast<std::size_t>(i)],
            static_cast<std::size_t>(distinct[static_cast<std::size_t>(i)])};
  }
  // The same for any document, sorting a copy when needed.
  std::vector<std::uint64_t> set_copy(std::int64_t i) const {
    std::vector<std::uint64_t> v(shingles.data() + set_start[static_cast<std::size_t>(i)],
                                 shingles.data() + set_start[static_cast<std::size_t>(i) + 1]);
    v.resize(sort_distinct(v.data(), v.data() + v.size()));
    return v;
  }
  const std::uint32_t* signature(std::int64_t i) const {
    return signatures.data() + static_cast<std::size_t>(i) * static_cast<std::size_t>(options.num_perm);
  }

  std::uint64_t band_key(const std::uint32_t* sig, int band) const {
    return XXH3_64bits_withSeed(sig + static_cast<std::size_t>(band) * banding.rows,
                                sizeof(std::uint32_t) * static_cast<std::size_t>(banding.rows),
                                static_cast<std::uint64_t>(band));
  }

  // Candidates of a signature among the indexed documents, sorted and distinct.
  void bucket_mates(const std::uint32_t* sig, std::vector<std::int64_t>& out) const {
    out.clear();
    for (int t = 0; t < banding.bands; ++t) {
      for (std::int64_t j = heads.find(band_key(sig, t)); j >= 0;
           j = chain[static_cast<std::size_t>(j) * banding.bands + t]) {
        out.push_back(j);
      }
    }
    std::sort(out.begin(), out.end());
    out.erase(std::unique(out.begin(), out.end()), out.end());
  }

  // Whether document i entered the buckets (it has words and is no copy).
  bool bucketed(std::int64_t i) const {
    return !empty(i) && copy_of[static_cast<std::size_t>(i)] == i;
  }

  void insert(std::int64_t i) {
    chain.resize(static_cast<std::size_t>(i + 1) * banding.bands, -1);
    if (!bucketed(i)) return;  // no words: never a duplicate; a copy: found through its first
    const std::uint32_t* sig = signature(i);
    for (int t = 0; t < banding.bands; ++t) {
      chain[static_cast<std::size_t>(i) * banding.bands + t] = heads.push(band_key(sig, t), i);
    }
  }

  // Takes documents [first, size()) out again, as if they had never been added.
  void roll_back(std::size_t first) {
    const auto n = static_cast<std::int64_t>(first);
    // Documents are undone in the reverse order of their insert(); the last one seen may not
    // have reached it.
    for (auto i = static_cast<std::int64_t>(copy_of.size()) - 1; i >= n; --i) {
      const std::int64_t c = copy_of[static_cast<std::size_t>(i)];
      const bool inserted = chain.size() >= static_cast<std::size_t>(i + 1) * banding.bands;
      if (!empty(i) && c == i && inserted) {
        const std::uint32_t* sig = signature(i);
        for (int t = banding.bands - 1; t >= 0; --t) {
          heads.pop(band_key(sig, t), chain[static_cast<std::size_t>(i) * banding.bands + t]);
        }
      }
      if (c == i) {
        const auto it = by_signature.find(signature_hash(i));
        if (it != by_signature.end() && it->second == i) by_signature.erase(it);
      } else {
        auto& v = copies[c];
        v.pop_back();
        if (v.empty()) copies.erase(c);
      }
    }
    const auto perm = static_cast<std::size_t>(options.num_perm);
    shingles.resize(static_cast<std::size_t>(set_start[first]));
    set_start.resize(first + 1);
    distinct.resize(first);
    signatures.resize(first * perm);
    word_counts.resize(first);
    times.resize(first);
    copy_of.resize(first);
    chain.resize(first * static_cast<std::size_t>(banding.bands));
  }

  std::uint64_t signature_hash(std::int64_t i) const {
    return XXH3_64bits(signature(i),
                       sizeof(std::uint32_t) * static_cast<std::size_t>(options.num_perm));
  }

  // The first earlier document with the same shingle set as b, or -1; b's set is sorted.
  std::int64_t first_copy(std::int64_t b) {
    const auto it = by_signature.find(signature_hash(b));
    if (it == by_signature.end()) return -1;
    const std::int64_t a = it->second;
    make_distinct(a);
    make_distinct(b);
    const SetView sa = set(a);
    const SetView sb = set(b);
    return sa.size == sb.size && std::equal(sa.data, sa.data + sa.size, sb.data) ? a : -1;
  }

  // The exact check; false when the pair scores below the threshold.
  bool verify(SetView sa, SetView sb, std::int64_t a, std::int64_t b, DuplicatePair& out) const {
    if (sa.empty() || sb.empty()) return false;
    const double inter = static_cast<double>(intersection_size(sa, sb));
    const double na = static_cast<double>(sa.size);
    const double nb = static_cast<double>(sb.size);
    const double jaccard = inter / (na + nb - inter);
    if (jaccard < options.threshold) return false;
    out.a = a;
    out.b = b;
    out.jaccard = jaccard;
    out.containment = inter / std::min(na, nb);
    out.cosine = inter / std::sqrt(na * nb);
    out.container = -1;
    if (jaccard >= options.copy_threshold) {
      out.relation = Relation::copy;
    } else if (out.containment >= options.containment_threshold &&
               std::max(na, nb) - inter > 2 * (std::min(na, nb) - inter)) {
      out.relation = Relation::contains;
      out.container = nb > na ? b : a;
    } else {
      out.relation = Relation::update;
    }
    return true;
  }
};

NearDuplicateIndex::NearDuplicateIndex(NearDuplicateOptions options)
    : impl_(std::make_unique<Impl>(std::move(options))) {}
NearDuplicateIndex::~NearDuplicateIndex() = default;
NearDuplicateIndex::NearDuplicateIndex(NearDuplicateIndex&&) noexcept = default;
NearDuplicateIndex& NearDuplicateIndex::operator=(NearDuplicateIndex&&) noexcept = default;

const NearDuplicateOptions& NearDuplicateIndex::options() const { return impl_->options; }
LshBands NearDuplicateIndex::banding() const { return impl_->banding; }
std::int64_t NearDuplicateIndex::size() const {
  const std::shared_lock<std::shared_mutex> lock(impl_->mutex);
  return impl_->size();
}
std::int64_t NearDuplicateIndex::candidates() const {
  const std::shared_lock<std::shared_mutex> lock(impl_->mutex);
  return impl_->candidates;
}

std::vector<DuplicatePair> NearDuplicateIndex::add(const std::vector<TextView>& docs,
                                                   const std::vector<double>* times) {
  Impl& s = *impl_;
  if (times != nullptr && times->size() != docs.size()) {
    throw InvalidArgument("times has " + std::to_string(times->size()) + " entries for " +
                          std::to_string(docs.size()) + " documents");
  }
  const std::unique_lock<std::shared_mutex> lock(s.mutex);
  const auto first = static_cast<std::size_t>(s.size());
  const std::size_t n = docs.size();
  const int threads = detail::resolve_threads(s.options.n_jobs);
  const auto* check = s.options.interrupted ? &s.options.interrupted : nullptr;

  // Shingles and signatures of the batch, on all cores; nothing is stored until all succeed.
  const auto perm = static_cast<std::size_t>(s.options.num_perm);
  const std::size_t tasks = (n + kDocsPerTask - 1) / kDocsPerTask;
  std::vector<std::vector<std::uint64_t>> task_shingles(tasks);
  std::vector<std::int64_t> sizes(n);
  std::vector<std::uint32_t> sigs(n * perm);
  std::vector<std::int64_t> counts(n);
  std::vector<Analyzer::Workspace> spaces(static_cast<std::size_t>(threads));
  std::vector<WordHashes> sinks(static_cast<std::size_t>(threads));
  detail::parallel_for(
      tasks, threads,
      [&](std::size_t task, std::size_t worker) {
        const std::size_t end = std::min(n, (task + 1) * kDocsPerTask);
        std::vector<std::uint64_t>& buf = task_shingles[task];
        for (std::size_t i = task * kDocsPerTask; i < end; ++i) {
          const std::size_t from = buf.size();
          counts[i] = static_cast<std::int64_t>(shingle_doc(s.words, spaces[worker], sinks[worker],
                                                            docs[i], s.options.shingle_size,
                                                            first + i, buf));
          sizes[i] = static_cast<std::int64_t>(buf.size() - from);
          s.perms.sign(buf.data() + from, buf.size() - from, sigs.data() + i * perm);
        }
      },
      check);

  // Candidates, document by document in order, each against all before it.
  s.signatures.insert(s.signatures.end(), sigs.begin(), sigs.end());
  for (auto& buf : task_shingles) {
    s.shingles.insert(s.shingles.end(), buf.begin(), buf.end());
    std::vector<std::uint64_t>().swap(buf);
  }
  for (std::size_t i = 0; i < n; ++i) {
    s.set_start.push_back(s.set_start.back() + sizes[i]);
    s.distinct.push_back(-1);
    s.word_counts.push_back(counts[i]);
    s.times.push_back(times != nullptr ? (*times)[i] : std::nan(""));
  }
  // A copy of an earlier document (same shingle set) is paired with that one only; the rest
  // meet their candidates in the buckets. Past max_pairs candidates the batch is undone.
  std::vector<std::pair<std::int64_t, std::int64_t>> cand;
  std::vector<DuplicatePair> copy_pairs;
  std::vector<std::int64_t> mates;
  s.heads.reserve(n * static_cast<std::size_t>(s.banding.bands));
  const std::int64_t max_pairs = s.options.max_pairs;
  try {
    for (std::size_t i = 0; i < n; ++i) {
      const auto b = static_cast<std::int64_t>(first + i);
      s.copy_of.push_back(b);
      if (!s.empty(b)) {
        const std::int64_t a = s.first_copy(b);
        if (a >= 0) {
          s.copies[a].push_back(b);
          s.copy_of.back() = a;
          DuplicatePair p;
          s.verify(s.set(a), s.set(b), a, b, p);
          copy_pairs.push_back(p);
        } else {
          s.by_signature.emplace(s.signature_hash(b), b);
          s.bucket_mates(s.signature(b), mates);
          for (const std::int64_t m : mates) cand.emplace_back(m, b);
        }
      }
      s.insert(b);
      if (max_pairs >= 0 &&
          static_cast<std::int64_t>(cand.size() + copy_pairs.size()) > max_pairs) {
        throw InvalidArgument(
            "near-duplicates: documents " + std::to_string(first) + " to " +
            std::to_string(b) + " already form more than max_pairs = " +
            std::to_string(max_pairs) + " candidate pairs (identical texts count once); raise "
            "the threshold, or max_pairs (negative: no bound) if the memory (about 70 bytes a "
            "pair) is there; nothing was added");
      }
    }
    if (check != nullptr && (*check)()) throw Interrupted();
  } catch (...) {
    s.roll_back(first);
    throw;
  }
  s.candidates += static_cast<std::int64_t>(cand.size() + copy_pairs.size());

  // The exact check, on all cores; pairs keep the candidates' order. First the shingles of
  // every document in a candidate are sorted (each its own range, so in parallel).
  std::vector<std::int64_t> involved;
  for (const auto& [a, b] : cand) {
    involved.push_back(a);
    involved.push_back(b);
  }
  std::sort(involved.begin(), involved.end());
  involved.erase(std::unique(involved.begin(), involved.end()), involved.end());
  detail::parallel_for((involved.size() + kDocsPerTask - 1) / kDocsPerTask, threads,
                       [&](std::size_t task, std::size_t) {
                         const std::size_t end = std::min(involved.size(), (task + 1) * kDocsPerTask);
                         for (std::size_t k = task * kDocsPerTask; k < end; ++k) {
                           s.make_distinct(involved[k]);
                         }
                       });
  std::vector<DuplicatePair> checked(cand.size());
  std::vector<char> kept(cand.size(), 0);
  detail::parallel_for((cand.size() + kPairsPerTask - 1) / kPairsPerTask, threads,
                       [&](std::size_t task, std::size_t) {
                         const std::size_t end = std::min(cand.size(), (task + 1) * kPairsPerTask);
                         for (std::size_t p = task * kPairsPerTask; p < end; ++p) {
                           const auto [a, b] = cand[p];
                           kept[p] = s.verify(s.set(a), s.set(b), a, b, checked[p]);
                         }
                       });
  std::vector<DuplicatePair> out = std::move(copy_pairs);
  for (std::size_t p = 0; p < cand.size(); ++p) {
    if (kept[p]) out.push_back(checked[p]);
  }
  std::sort(out.begin(), out.end(), [](const DuplicatePair& x, const DuplicatePair& y) {
    return x.a != y.a ? x.a < y.a : x.b < y.b;
  });
  s.pairs.insert(s.pairs.end(), out.begin(), out.end());
  return out;
}

std::vector<DuplicatePair> NearDuplicateIndex::query(TextView doc) const {
  const Impl& s = *impl_;
  const std::shared_lock<std::shared_mutex> lock(s.mutex);
  Analyzer::Workspace ws;
  WordHashes sink;
  std::vector<std::uint64_t> set;
  shingle_doc(s.words, ws, sink, doc, s.options.shingle_size, 0, set);
  std::vector<DuplicatePair> out;
  if (set.empty()) return out;
  std::vector<std::uint32_t> sig(static_cast<std::size_t>(s.options.num_perm));
  s.perms.sign(set.data(), set.size(), sig.data());
  set.resize(sort_distinct(set.data(), set.data() + set.size()));
  std::vector<std::int64_t> mates;
  s.bucket_mates(sig.data(), mates);
  for (const std::int64_t j : mates) {
    DuplicatePair p;
    // The query plays a; the index's document b. -1 names the query.
    const std::vector<std::uint64_t> other = s.set_copy(j);
    if (s.verify({set.data(), set.size()}, {other.data(), other.size()}, -1, j, p)) {
      if (p.relation == Relation::contains && p.container != j) p.container = -1;
      out.push_back(p);
      // The copies of j score the same.
      const auto it = s.copies.find(j);
      if (it == s.copies.end()) continue;
      for (const std::int64_t c : it->second) {
        DuplicatePair q = p;
        q.b = c;
        if (q.relation == Relation::contains) q.container = c;
        out.push_back(q);
      }
    }
  }
  std::sort(out.begin(), out.end(),
            [](const DuplicatePair& x, const DuplicatePair& y) { return x.b < y.b; });
  return out;
}

NearDuplicates NearDuplicateIndex::result() const {
  const Impl& s = *impl_;
  const std::shared_lock<std::shared_mutex> lock(s.mutex);
  NearDuplicates r;
  r.pairs = s.pairs;
  std::sort(r.pairs.begin(), r.pairs.end(), [](const DuplicatePair& x, const DuplicatePair& y) {
    return x.a != y.a ? x.a < y.a : x.b < y.b;
  });
  r.candidates = s.candidates;
  const auto n = static_cast<std::size_t>(s.size());
  std::vector<std::int64_t> parent(n);
  std::iota(parent.begin(), parent.end(), 0);
  auto find = [&](std::int64_t x) {
    while (parent[static_cast<std::size_t>(x)] != x) {
      parent[static_cast<std::size_t>(x)] =
          parent[static_cast<std::size_t>(parent[static_cast<std::size_t>(x)])];
      x = parent[static_cast<std::size_t>(x)];
    }
    return x;
  };
  for (const DuplicatePair& p : r.pairs) {
    const std::int64_t ra = find(p.a);
    const std::int64_t rb = find(p.b);
    if (ra != rb) parent[static_cast<std::size_t>(std::max(ra, rb))] = std::min(ra, rb);
  }
  // Roots are the smallest members, so groups come out ordered by their first member.
  std::vector<std::int64_t> group_of(n, -1);
  std::vector<std::size_t> sizes(n, 0);
  for (std::size_t i = 0; i < n; ++i) ++sizes[static_cast<std::size_t>(find(static_cast<std::int64_t>(i)))];
  for (std::size_t i = 0; i < n; ++i) {
    const auto root = static_cast<std::size_t>(find(static_cast<std::int64_t>(i)));
    if (sizes[root] < 2) continue;
    if (group_of[root] < 0) {
      group_of[root] = static_cast<std::int64_t>(r.groups.size());
      r.groups.emplace_back();
    }
    r.groups[static_cast<std::size_t>(group_of[root])].push_back(static_cast<std::int64_t>(i));
  }
  // Canonical: the earliest dated member, else the one with most words, else the first.
  for (const auto& g : r.groups) {
    std::int64_t best = g.front();
    auto better = [&](std::int64_t x, std::int64_t y) {
      const double tx = s.times[static_cast<std::size_t>(x)];
      const double ty = s.times[static_cast<std::size_t>(y)];
      const bool hx = !std::isnan(tx);
      const bool hy = !std::isnan(ty);
      if (hx != hy) return hx;
      if (hx && tx != ty) return tx < ty;
      const std::int64_t wx = s.word_counts[static_cast<std::size_t>(x)];
      const std::int64_t wy = s.word_counts[static_cast<std::size_t>(y)];
      if (wx != wy) return wx > wy;
      return x < y;
    };
    for (const std::int64_t m : g) {
      if (better(m, best)) best = m;
    }
    r.canonical.push_back(best);
  }
  return r;
}

namespace {

void check_document(std::int64_t i, std::int64_t size) {
  if (i < 0 || i >= size) {
    throw IndexOutOfRange("document " + std::to_string(i) + " is outside [0, " +
                          std::to_string(size) + ")");
  }
}

}  // namespace

std::vector<std::uint64_t> NearDuplicateIndex::shingle_set(std::int64_t i) const {
  const std::shared_lock<std::shared_mutex> lock(impl_->mutex);
  check_document(i, impl_->size());
  return impl_->set_copy(i);
}

std::vector<std::uint32_t> NearDuplicateIndex::signature(std::int64_t i) const {
  const std::shared_lock<std::shared_mutex> lock(impl_->mutex);
  check_document(i, impl_->size());
  const std::uint32_t* p = impl_->signature(i);
  return std::vector<std::uint32_t>(p, p + impl_->options.num_perm);
}

NearDuplicates near_duplicates(const std::vector<TextView>& docs,
                               const NearDuplicateOptions& options,
                               const std::vector<double>* times) {
  NearDuplicateIndex index(options);
  index.add(docs, times);
  return index.result();
}

}  // namespace newsim

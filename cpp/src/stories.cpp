#include "newsim/stories.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <cstring>
#include <mutex>
#include <queue>
#include <shared_mutex>
#include <string>
#include <unordered_map>
#include <utility>

#include <absl/container/flat_hash_map.h>
#include <utf8proc.h>

#include "newsim/detail/collect.hpp"
#include "newsim/detail/hash.hpp"
#include "newsim/detail/key_terms.hpp"
#include "newsim/detail/memory.hpp"
#include "newsim/detail/parallel.hpp"
#include "newsim/detail/unicode.hpp"
#include "newsim/errors.hpp"
#include "newsim/stop_words.hpp"

namespace newsim {

namespace {

// What a merge needs to know of two clusters: the sum of their pair similarities (average
// link), and for single link also the best of them. Average link holds only the sum: 16 bytes
// an entry of a link map instead of 24.
struct SumLink {
  double sum = 0;
  static SumLink of(double sum, double) { return {sum}; }
  double best() const { return 0; }
  void add(const SumLink& o) { sum += o.sum; }
};
struct SumMaxLink {
  double sum = 0;
  double max = 0;
  static SumMaxLink of(double sum, double score) { return {sum, score}; }
  double best() const { return max; }
  void add(const SumMaxLink& o) {
    sum += o.sum;
    max = std::max(max, o.max);
  }
};

struct Candidate {
  double score;
  std::int64_t a;  // a < b
  std::int64_t b;
  std::uint32_t version_a;
  std::uint32_t version_b;
};

// Highest score first; ties by the smaller a, then the smaller b, so the merge order (and the
// result) does not depend on the order pairs were found in.
struct Lower {
  bool operator()(const Candidate& x, const Candidate& y) const {
    if (x.score != y.score) return x.score < y.score;
    if (x.a != y.a) return x.a > y.a;
    return x.b > y.b;
  }
};

// Agglomerates n nodes joined by `pairs` (i < j); node i stands for weight[i] identical
// articles (empty: 1 each), whose pairwise similarity is 1 (0 for a row of zeros, which has
// weight 1). Returns each node's cluster root (its smallest node).
//
// A merge needs a link at the threshold or above, and a link (an average, or a best pair) is
// never above its best pair: so no cluster crosses the components that the pairs at the
// threshold or above make. Each component is agglomerated alone, in the order the whole would
// be, holding only its own links; pairs between components are dropped.
template <class Link>
std::vector<std::int64_t> agglomerate_with(std::int64_t n, std::vector<StoryClusterer::Pair> pairs,
                                           const StoryOptions& options,
                                           const std::vector<std::int64_t>& weight) {
  const auto un = static_cast<std::size_t>(n);
  std::vector<std::int64_t> parent(un);
  std::iota(parent.begin(), parent.end(), 0);
  auto find = [&](std::int64_t x) {
    while (parent[static_cast<std::size_t>(x)] != x) {
      x = parent[static_cast<std::size_t>(x)] = parent[static_cast<std::size_t>(parent[static_cast<std::size_t>(x)])];
    }
    return x;
  };
  for (const auto& p : pairs) {
    if (p.score < options.threshold) continue;
    const std::int64_t a = find(p.i), b = find(p.j);
    if (a != b) parent[static_cast<std::size_t>(std::max(a, b))] = std::min(a, b);
  }
  std::vector<std::int64_t> component(un);
  for (std::size_t i = 0; i < un; ++i) component[i] = find(static_cast<std::int64_t>(i));
  auto component_of = [&](const StoryClusterer::Pair& p) { return component[static_cast<std::size_t>(p.i)]; };
  pairs.erase(std::remove_if(pairs.begin(), pairs.end(),
                             [&](const StoryClusterer::Pair& p) {
                               return component_of(p) != component[static_cast<std::size_t>(p.j)];
                             }),
              pairs.end());
  // By component, then (i, j): in place (a stable sort would take a buffer of all pairs).
  std::sort(pairs.begin(), pairs.end(), [&](const auto& x, const auto& y) {
    const std::int64_t cx = component_of(x), cy = component_of(y);
    if (cx != cy) return cx < cy;
    return x.i != y.i ? x.i < y.i : x.j < y.j;
  });
  std::iota(parent.begin(), parent.end(), 0);  // from here on: the merges

  std::vector<absl::flat_hash_map<std::int64_t, Link>> links(un);
  std::vector<std::int64_t> size(un, 1);
  std::vector<double> internal(un, 0.0);
  if (!weight.empty()) {
    for (std::size_t i = 0; i < un; ++i) {
      size[i] = weight[i];
      const auto w = static_cast<double>(weight[i]);
      internal[i] = w * (w - 1) / 2;
    }
  }
  std::vector<std::uint32_t> version(un, 0);
  const bool average = options.linkage == Linkage::average;

  auto mass = [&](std::int64_t a) { return static_cast<double>(size[static_cast<std::size_t>(a)]); };
  auto score_of = [&](std::int64_t a, std::int64_t b, const Link& l) {
    return average ? l.sum / (mass(a) * mass(b)) : l.best();
  };
  // A link below the threshold never merges unless a side changes, and a merge pushes the
  // merged cluster's links again: so only links at the threshold or above enter the heap
  // (the stale entries of every merge would otherwise pile up).
  std::priority_queue<Candidate, std::vector<Candidate>, Lower> heap;
  auto push = [&](std::int64_t a, std::int64_t b, const Link& l) {
    if (a > b) std::swap(a, b);
    const double score = score_of(a, b, l);
    if (score < options.threshold) return;
    heap.push({score, a, b, version[static_cast<std::size_t>(a)],
               version[static_cast<std::size_t>(b)]});
  };
  for (std::size_t lo = 0; lo < pairs.size();) {
    std::size_t hi = lo;
    while (hi < pairs.size() && component_of(pairs[hi]) == component_of(pairs[lo])) ++hi;
    for (std::size_t k = lo; k < hi; ++k) {
      const auto& p = pairs[k];
      const Link l = Link::of(p.score * mass(p.i) * mass(p.j), p.score);
      links[static_cast<std::size_t>(p.i)][p.j] = l;
      links[static_cast<std::size_t>(p.j)][p.i] = l;
    }
    for (std::size_t k = lo; k < hi; ++k) {
      push(pairs[k].i, pairs[k].j, links[static_cast<std::size_t>(pairs[k].i)][pairs[k].j]);
    }
    while (!heap.empty()) {
      const Candidate c = heap.top();
      heap.pop();
      const auto ua = static_cast<std::size_t>(c.a);
      const auto ub = static_cast<std::size_t>(c.b);
      if (parent[ua] != c.a || parent[ub] != c.b || version[ua] != c.version_a ||
          version[ub] != c.version_b) {
        continue;  // stale: one side has merged since
      }
      const Link between = links[ua].at(c.b);
      const double merged_internal = internal[ua] + internal[ub] + between.sum;
      const double merged_size = static_cast<double>(size[ua] + size[ub]);
      if (!average && merged_internal / (merged_size * (merged_size - 1) / 2) < options.cohesion) {
        continue;  // a chain, not a story; retried if either side grows
      }
      // Merge b into a (a < b keeps the smallest node as the root); fold the smaller map into
      // the larger one.
      auto& la = links[ua];
      auto& lb = links[ub];
      la.erase(c.b);
      lb.erase(c.a);
      if (la.size() < lb.size()) std::swap(la, lb);  // a's slot now holds the larger map
      for (const auto& [other, l] : lb) la[other].add(l);
      lb = {};
      parent[ub] = c.a;
      size[ua] += size[ub];
      internal[ua] = merged_internal;
      ++version[ua];
      for (const auto& [other, l] : la) {
        auto& lo_links = links[static_cast<std::size_t>(other)];
        lo_links.erase(c.b);
        lo_links[c.a] = l;
        push(c.a, other, l);
      }
    }
    for (std::size_t k = lo; k < hi; ++k) {  // the component's links are done with
      links[static_cast<std::size_t>(pairs[k].i)] = {};
      links[static_cast<std::size_t>(pairs[k].j)] = {};
    }
    lo = hi;
  }
  std::vector<std::int64_t> root(un);
  for (std::size_t i = 0; i < un; ++i) {
    std::int64_t r = static_cast<std::int64_t>(i);
    while (parent[static_cast<std::size_t>(r)] != r) r = parent[static_cast<std::size_t>(r)];
    root[i] = r;
  }
  return root;
}

std::vector<std::int64_t> agglomerate(std::int64_t n, std::vector<StoryClusterer::Pair> pairs,
                                      const StoryOptions& options,
                                      const std::vector<std::int64_t>& weight = {}) {
  if (options.linkage == Linkage::average) {
    return agglomerate_with<SumLink>(n, std::move(pairs), options, weight);
  }
  return agglomerate_with<SumMaxLink>(n, std::move(pairs), options, weight);
}

void append_join(const CsrMatrix<double>& joined, std::int64_t row_offset, std::int64_t col_offset,
                 std::vector<StoryClusterer::Pair>& out) {
  for (std::int64_t r = 0; r < joined.rows; ++r) {
    for (std::int64_t p = joined.indptr[static_cast<std::size_t>(r)];
         p < joined.indptr[static_cast<std::size_t>(r) + 1]; ++p) {
      const std::int64_t a = col_offset + joined.indices[static_cast<std::size_t>(p)];
      const std::int64_t b = row_offset + r;
      out.push_back({std::min(a, b), std::max(a, b), joined.data[static_cast<std::size_t>(p)]});
    }
  }
}

}  // namespace

namespace {

VectorizerOptions story_vectorizer_options(std::size_t n_docs, int n_jobs) {
  VectorizerOptions o;
  o.sublinear_tf = true;
  o.analysis.stop_words = stop_words("english");
  o.analysis.ngram_range = {1, 2};
  // Terms in one article only cannot link two; a tiny corpus keeps them all.
  o.prune.min_df = DfBound::count(n_docs >= 3 ? 2 : 1);
  o.prune.keep_pruned_terms = false;  // most word pairs; nothing reads them
  o.n_jobs = n_jobs;
  return o;
}

bool starts_upper(std::string_view term) {
  if (term.empty()) return false;
  const auto* p = reinterpret_cast<const unsigned char*>(term.data());
  // Python's str.isupper of the first letter: Unicode category Lu (Other_Uppercase aside).
  return utf8proc_category(static_cast<utf8proc_int32_t>(detail::next_utf8(p))) ==
         UTF8PROC_CATEGORY_LU;
}

}  // namespace

StoryFeatures::StoryFeatures(double entity_weight, int n_jobs)
    : entity_weight_(entity_weight), n_jobs_(n_jobs),
      vectorizer_(story_vectorizer_options(3, n_jobs)) {
  if (!(entity_weight > 0) || !std::isfinite(entity_weight)) {
    throw InvalidArgument("entity_weight must be a number > 0; got " +
                          std::to_string(entity_weight));
  }
}

void StoryFeatures::fit(const Documents& docs) { (void)fit_transform(docs); }

CsrMatrix<double> StoryFeatures::fit_transform(const Documents& docs) {
  const VectorizerOptions options = story_vectorizer_options(docs.size(), n_jobs_);
  Vectorizer vectorizer(options);
  CsrMatrix<double> x;
  try {
    x = vectorizer.fit_transform(docs);
  } catch (const InvalidArgument&) {
    // No term in enough articles to link two ("", "!!!"): every article will be a story of its
    // own, over no columns. Any other failure stands.
    if (docs.empty()) throw;
    const VocabularyStats stats = vectorizer.statistics(docs);
    const double low = options.prune.min_df.documents(stats.n_documents());
    for (const std::int64_t df : stats.document_frequencies()) {
      if (static_cast<double>(df) >= low) throw;
    }
    vectorizer.set_fitted_state(Vocabulary(), {}, {}, static_cast<std::int64_t>(docs.size()));
    x = vectorizer.transform(docs);
  }
  std::vector<std::string> entities;
  if (entity_weight_ != 1) {
    VectorizerOptions counts = VectorizerOptions::counts();
    counts.analysis.lowercase = false;
    counts.n_jobs = n_jobs_;
    const VocabularyStats stats = Vectorizer(counts).statistics(docs);
    const Analyzer lower{AnalyzerOptions{}};  // Python's str.lower
    std::unordered_map<std::string, std::pair<std::int64_t, std::int64_t>> seen;  // caps, all
    for (std::size_t id = 0; id < stats.size(); ++id) {
      const std::string_view term = stats.terms()[id];
      auto& c = seen[lower.preprocess(TextView(term))];
      const std::int64_t tf = stats.term_frequencies()[id];
      c.second += tf;
      if (starts_upper(term)) c.first += tf;
    }
    for (const auto& [word, c] : seen) {
      if (2 * c.first > c.second) entities.push_back(word);
    }
    std::sort(entities.begin(), entities.end());
  }
  const Vocabulary& vocabulary = vectorizer.vocabulary();
  std::vector<double> weights(vocabulary.size(), 1.0);
  if (!entities.empty()) {
    for (std::size_t j = 0; j < vocabulary.size(); ++j) {
      const std::string_view term = vocabulary.term(static_cast<std::int32_t>(j));
      std::size_t start = 0;
      while (start <= term.size()) {
        const std::size_t end = std::min(term.find(' ', start), term.size());
        if (std::binary_search(entities.begin(), entities.end(),
                               std::string(term.substr(start, end - start)))) {
          weights[j] = entity_weight_;
          break;
        }
        start = end + 1;
      }
    }
  }
  vectorizer_ = std::move(vectorizer);
  entities_ = std::move(entities);
  weights_ = std::move(weights);
  detail::release_free_memory();  // the counts of every word pair seen, before pruning
  return weighted(std::move(x));
}

CsrMatrix<double> StoryFeatures::transform(const Documents& docs) const {
  if (!vectorizer_.is_fitted()) throw NotFittedError("StoryFeatures is not fitted yet; call fit first");
  return weighted(vectorizer_.transform(docs));
}

CsrMatrix<double> StoryFeatures::weighted(CsrMatrix<double> x) const {
  for (std::int64_t i = 0; i < x.rows; ++i) {
    const auto b = static_cast<std::size_t>(x.indptr[static_cast<std::size_t>(i)]);
    const auto e = static_cast<std::size_t>(x.indptr[static_cast<std::size_t>(i) + 1]);
    double sq = 0;
    for (std::size_t k = b; k < e; ++k) {
      x.data[k] *= weights_[static_cast<std::size_t>(x.indices[k])];
      sq += x.data[k] * x.data[k];
    }
    const double norm = std::sqrt(sq);
    if (norm > 0) {
      for (std::size_t k = b; k < e; ++k) x.data[k] /= norm;
    }
  }
  return x;
}

Linkage parse_linkage(std::string_view name) {
  if (name == "average") return Linkage::average;
  if (name == "single") return Linkage::single;
  throw InvalidArgument("linkage must be 'average' or 'single'; got '" + std::string(name) + "'");
}

std::string_view to_string(Linkage linkage) {
  return linkage == Linkage::average ? "average" : "single";
}

void StoryOptions::validate() const {
  if (!(threshold > 0 && threshold <= 1)) {
    throw InvalidArgument("threshold must be in (0, 1]; got " + std::to_string(threshold));
  }
  if (!(cohesion >= 0 && cohesion <= 1)) {
    throw InvalidArgument("cohesion must be in [0, 1]; got " + std::to_string(cohesion));
  }
  if (!(min_similarity >= 0 && min_similarity <= threshold)) {
    throw InvalidArgument("min_similarity must be in [0, threshold]; got " +
                          std::to_string(min_similarity));
  }
  if (max_neighbors < 1) {
    throw InvalidArgument("max_neighbors must be >= 1; got " + std::to_string(max_neighbors));
  }
  if (!(time_window >= 0) || std::isinf(time_window)) {
    throw InvalidArgument("time_window must be a finite number of seconds >= 0; got " +
                          std::to_string(time_window));
  }
}

namespace {

// A partner a node may keep.
struct Partner {
  double score;
  std::int64_t node;
};

// Higher score first, then the earlier node: a strict order, so the kept set does not depend
// on the order pairs were found in.
bool better(const Partner& x, const Partner& y) {
  return x.score != y.score ? x.score > y.score : x.node < y.node;
}
struct Worse {
  bool operator()(const Partner& x, const Partner& y) const { return better(x, y); }
};

// Keeps the m best partners: a heap with the worst on top.
void offer(std::vector<Partner>& kept, Partner p, int m) {
  if (static_cast<int>(kept.size()) < m) {
    kept.push_back(p);
    std::push_heap(kept.begin(), kept.end(), Worse{});
  } else if (better(p, kept.front())) {
    std::pop_heap(kept.begin(), kept.end(), Worse{});
    kept.back() = p;
    std::push_heap(kept.begin(), kept.end(), Worse{});
  }
}

constexpr std::int64_t kBlockPairs = std::int64_t{1} << 22;  // join cells per block, at most

std::uint64_t time_bits(double t) {
  if (std::isnan(t)) return 0x7ff8000000000000ULL;  // one NaN for all
  std::uint64_t b = 0;
  std::memcpy(&b, &t, sizeof b);
  return b;
}

}  // namespace

struct StoryClusterer::State {
  mutable std::shared_mutex mutex;
  std::int64_t cols = -1;
  std::vector<std::int64_t> indptr{0};  // the rows of all articles
  Buffer<std::int32_t> indices;
  Buffer<double> data;
  std::vector<double> times;           // per article, NaN when unknown
  std::vector<std::int64_t> node_of;   // per article
  std::vector<std::int64_t> node_row;  // per node: its first article
  std::vector<std::int64_t> weight;    // per node: its articles
  std::vector<std::vector<Partner>> kept;               // per node: its best partners
  absl::flat_hash_map<std::uint64_t, std::int64_t> by_hash;  // row hash -> last node with it
  std::vector<std::int64_t> same_hash;                  // per node: the previous node, or -1
  std::vector<std::pair<double, std::int64_t>> dated;   // (time, node), sorted; under a window
  std::vector<std::int64_t> undated;                    // non-zero nodes compared with all
  std::vector<std::int64_t> labels;
  std::int64_t next_id = 0;

  std::int64_t articles() const { return static_cast<std::int64_t>(node_of.size()); }
};

namespace {

// The rows of the earlier articles and of a batch, addressed by article.
struct Rows {
  const StoryClusterer::State& s;
  const CsrRef& x;
  std::int64_t first;  // articles before the batch

  std::int64_t size(std::int64_t a) const {
    if (a < first) {
      return s.indptr[static_cast<std::size_t>(a) + 1] - s.indptr[static_cast<std::size_t>(a)];
    }
    return x.indptr[a - first + 1] - x.indptr[a - first];
  }
  const std::int32_t* indices(std::int64_t a) const {
    return a < first ? s.indices.data() + s.indptr[static_cast<std::size_t>(a)]
                     : x.indices + x.indptr[a - first];
  }
  const double* data(std::int64_t a) const {
    return a < first ? s.data.data() + s.indptr[static_cast<std::size_t>(a)]
                     : x.data + x.indptr[a - first];
  }
  bool same(std::int64_t a, std::int64_t b) const {
    const std::int64_t n = size(a);
    return n == size(b) &&
           std::memcmp(indices(a), indices(b), static_cast<std::size_t>(n) * sizeof(std::int32_t)) == 0 &&
           std::memcmp(data(a), data(b), static_cast<std::size_t>(n) * sizeof(double)) == 0;
  }
  std::uint64_t hash(std::int64_t a, std::uint64_t seed) const {
    const auto n = static_cast<std::size_t>(size(a));
    const std::uint64_t h = XXH3_64bits_withSeed(indices(a), n * sizeof(std::int32_t), seed);
    return XXH3_64bits_withSeed(data(a), n * sizeof(double), h);
  }
  // The rows of these articles as one matrix.
  CsrMatrix<double> gather(const std::vector<std::int64_t>& articles, std::int64_t cols) const {
    CsrMatrix<double> m;
    m.rows = static_cast<std::int64_t>(articles.size());
    m.cols = cols;
    m.indptr = Buffer<std::int64_t>(articles.size() + 1);
    m.indptr[0] = 0;
    for (std::size_t r = 0; r < articles.size(); ++r) m.indptr[r + 1] = m.indptr[r] + size(articles[r]);
    const auto nnz = static_cast<std::size_t>(m.indptr[articles.size()]);
    m.indices = Buffer<std::int32_t>(nnz);
    m.data = Buffer<double>(nnz);
    for (std::size_t r = 0; r < articles.size(); ++r) {
      const auto n = static_cast<std::size_t>(size(articles[r]));
      std::copy_n(indices(articles[r]), n, m.indices.data() + m.indptr[r]);
      std::copy_n(data(articles[r]), n, m.data.data() + m.indptr[r]);
    }
    return m;
  }
};

// The postings of a few rows (a time slice's partners): per column they hold, (position,
// value / |row|) by ascending position, as in the similarity join's inverted index. Columns get
// local slots through a map kept all -1 between uses, so that building costs the rows' terms,
// not the number of columns. One per thread, reused.
class SliceIndex {
 public:
  void build(const Rows& rows, const std::vector<std::int64_t>& articles, std::int64_t cols) {
    if (slot_.size() != static_cast<std::size_t>(cols)) slot_.assign(static_cast<std::size_t>(cols), -1);
    clear();
    count_.clear();
    std::size_t nnz = 0;
    for (const std::int64_t a : articles) {
      const std::int32_t* ix = rows.indices(a);
      const std::int64_t n = rows.size(a);
      for (std::int64_t k = 0; k < n; ++k) {
        std::int32_t& slot = slot_[static_cast<std::size_t>(ix[k])];
        if (slot < 0) {
          slot = static_cast<std::int32_t>(cols_.size());
          cols_.push_back(ix[k]);
          count_.push_back(0);
        }
        ++count_[static_cast<std::size_t>(slot)];
      }
      nnz += static_cast<std::size_t>(n);
    }
    start_.assign(cols_.size() + 1, 0);
    for (std::size_t t = 0; t < cols_.size(); ++t) start_[t + 1] = start_[t] + count_[t];
    pos_.resize(nnz);
    weight_.resize(nnz);
    std::copy(start_.begin(), start_.end() - 1, count_.begin());  // fill cursors
    for (std::size_t r = 0; r < articles.size(); ++r) {
      const std::int32_t* ix = rows.indices(articles[r]);
      const double* v = rows.data(articles[r]);
      const std::int64_t n = rows.size(articles[r]);
      const double s = detail::row_scale(v, n, Metric::cosine);
      for (std::int64_t k = 0; k < n; ++k) {
        const auto q = static_cast<std::size_t>(
            count_[static_cast<std::size_t>(slot_[static_cast<std::size_t>(ix[k])])]++);
        pos_[q] = static_cast<std::int32_t>(r);
        weight_[q] = s == 0 ? 0.0 : v[k] / s;
      }
    }
  }
  // Forgets the columns (the map back to all -1).
  void clear() {
    for (const std::int32_t c : cols_) slot_[static_cast<std::size_t>(c)] = -1;
    cols_.clear();
  }
  // The postings of a column: [begin, end) into positions(), weights(); empty if absent.
  std::pair<std::size_t, std::size_t> postings(std::int32_t col) const {
    const std::int32_t slot = slot_[static_cast<std::size_t>(col)];
    if (slot < 0) return {0, 0};
    return {start_[static_cast<std::size_t>(slot)], start_[static_cast<std::size_t>(slot) + 1]};
  }
  const std::int32_t* positions() const { return pos_.data(); }
  const double* weights() const { return weight_.data(); }

 private:
  std::vector<std::int32_t> slot_;  // per column: its slot, or -1
  std::vector<std::int32_t> cols_;  // per slot: its column
  std::vector<std::size_t> count_;
  std::vector<std::size_t> start_;
  std::vector<std::int32_t> pos_;
  std::vector<double> weight_;
};

// Each pair some node keeps, once, as nodes (i < j): from its smaller node, or from the larger
// when the smaller does not keep it. Counted first so that the vector has no slack: tens of
// millions of pairs at a million articles.
std::vector<StoryClusterer::Pair> kept_pairs(const StoryClusterer::State& s) {
  auto keeps = [&](std::int64_t u, std::int64_t w) {
    const auto& k = s.kept[static_cast<std::size_t>(u)];
    return std::any_of(k.begin(), k.end(), [&](const Partner& p) { return p.node == w; });
  };
  auto each_pair = [&](auto use) {
    for (std::size_t v = 0; v < s.kept.size(); ++v) {
      const auto node = static_cast<std::int64_t>(v);
      for (const Partner& p : s.kept[v]) {
        if (node < p.node) use(StoryClusterer::Pair{node, p.node, p.score});
        else if (!keeps(p.node, node)) use(StoryClusterer::Pair{p.node, node, p.score});
      }
    }
  };
  std::size_t count = 0;
  each_pair([&](const StoryClusterer::Pair&) { ++count; });
  std::vector<StoryClusterer::Pair> pairs;
  pairs.reserve(count);
  each_pair([&](const StoryClusterer::Pair& p) { pairs.push_back(p); });
  return pairs;
}

constexpr std::size_t kSliceQueries = 512;  // dated queries per time slice, at most
constexpr std::size_t kSliceRound = 16;     // slices per thread scored before their pairs are offered
constexpr std::size_t kFewQueries = 256;  // few_search below this many queries
constexpr std::size_t kFewChunk = 4096;   // partners per parallel task there

}  // namespace

StoryClusterer::StoryClusterer(StoryOptions options)
    : options_(std::move(options)), state_(std::make_unique<State>()) {
  options_.validate();
}
StoryClusterer::~StoryClusterer() {
  if (state_ == nullptr) return;  // moved from
  state_.reset();
  detail::release_free_memory();  // every node's partners are small blocks
}
StoryClusterer::StoryClusterer(StoryClusterer&&) noexcept = default;
StoryClusterer& StoryClusterer::operator=(StoryClusterer&&) noexcept = default;

std::int64_t StoryClusterer::size() const {
  const std::shared_lock lock(state_->mutex);
  return state_->articles();
}

std::int64_t StoryClusterer::cols() const {
  const std::shared_lock lock(state_->mutex);
  return state_->cols;
}

std::vector<std::int64_t> StoryClusterer::labels() const {
  const std::shared_lock lock(state_->mutex);
  return state_->labels;
}

std::vector<std::int64_t> StoryClusterer::add(const CsrRef& x, const std::vector<double>* times) {
  return add_batch(x, times, nullptr);
}

std::vector<std::int64_t> StoryClusterer::add(CsrMatrix<double>&& x,
                                              const std::vector<double>* times) {
  return add_batch(CsrRef(x), times, &x);
}

// `owned`, when given, is x's own matrix: its arrays are taken (first batch) or freed once
// copied, so the rows are not held twice.
std::vector<std::int64_t> StoryClusterer::add_batch(const CsrRef& x,
                                                    const std::vector<double>* times,
                                                    CsrMatrix<double>* owned) {
  State& s = *state_;
  const std::unique_lock lock(s.mutex);
  if (times != nullptr && static_cast<std::int64_t>(times->size()) != x.rows) {
    throw InvalidArgument("times has " + std::to_string(times->size()) + " entries for " +
                          std::to_string(x.rows) + " articles");
  }
  if (s.cols >= 0 && x.cols != s.cols) {
    throw InvalidArgument("the new articles have " + std::to_string(x.cols) +
                          " columns and the earlier ones " + std::to_string(s.cols) +
                          ": all must come from the same vectorizer");
  }
  detail::check_csr(x, "the new articles");
  const double window = options_.time_window;
  const int m = options_.max_neighbors;
  const std::int64_t first = s.articles();
  const auto n_old_nodes = static_cast<std::int64_t>(s.node_row.size());
  const Rows rows{s, x, first};
  auto time_of = [&](std::int64_t article) {
    if (article < first) return s.times[static_cast<std::size_t>(article)];
    return times != nullptr ? (*times)[static_cast<std::size_t>(article - first)]
                            : std::numeric_limits<double>::quiet_NaN();
  };

  // 1. Identical rows (and, under a window, times) share a node. Rows of zeros never do.
  std::vector<std::int64_t> node_of(static_cast<std::size_t>(x.rows));
  std::vector<std::int64_t> new_rows;                      // per new node: its first article
  std::vector<std::int64_t> new_same;                      // per new node: same_hash
  absl::flat_hash_map<std::uint64_t, std::int64_t> new_hash;  // hash -> last node (this batch)
  std::vector<std::int64_t> more;                          // nodes gaining an article, repeated
  for (std::int64_t r = 0; r < x.rows; ++r) {
    const std::int64_t a = first + r;
    std::int64_t node = -1;
    std::uint64_t h = 0;
    if (rows.size(a) > 0) {
      h = rows.hash(a, window > 0 ? time_bits(time_of(a)) : 0);
      auto node_row = [&](std::int64_t v) {
        return v < n_old_nodes ? s.node_row[static_cast<std::size_t>(v)]
                               : new_rows[static_cast<std::size_t>(v - n_old_nodes)];
      };
      auto prev = [&](std::int64_t v) {
        return v < n_old_nodes ? s.same_hash[static_cast<std::size_t>(v)]
                               : new_same[static_cast<std::size_t>(v - n_old_nodes)];
      };
      auto matches = [&](std::int64_t v) {
        const std::int64_t b = node_row(v);
        return rows.same(a, b) && (window <= 0 || time_bits(time_of(a)) == time_bits(time_of(b)));
      };
      // The nodes with this hash, latest first: this batch's chain ends in the earlier one.
      std::int64_t v = -1;
      if (auto it = new_hash.find(h); it != new_hash.end()) {
        v = it->second;
      } else if (auto jt = s.by_hash.find(h); jt != s.by_hash.end()) {
        v = jt->second;
      }
      for (; v >= 0 && node < 0; v = prev(v)) {
        if (matches(v)) node = v;
      }
    }
    if (node >= 0) {
      more.push_back(node);
    } else {
      node = n_old_nodes + static_cast<std::int64_t>(new_rows.size());
      new_rows.push_back(a);
      std::int64_t before = -1;
      if (rows.size(a) > 0) {
        if (auto it = new_hash.find(h); it != new_hash.end()) {
          before = it->second;
        } else if (auto jt = s.by_hash.find(h); jt != s.by_hash.end()) {
          before = jt->second;
        }
        new_hash[h] = node;
      }
      new_same.push_back(before);
    }
    node_of[static_cast<std::size_t>(r)] = node;
  }
  const std::int64_t n_nodes = n_old_nodes + static_cast<std::int64_t>(new_rows.size());
  auto first_article = [&](std::int64_t v) {
    return v < n_old_nodes ? s.node_row[static_cast<std::size_t>(v)]
                           : new_rows[static_cast<std::size_t>(v - n_old_nodes)];
  };

  // 2. Candidate pairs of the new nodes, kept in `found` (per node, the best m) until nothing
  // can fail any more. A pair of two new nodes is scored from the one of lower rank.
  std::vector<std::vector<Partner>> found(static_cast<std::size_t>(n_nodes));
  std::vector<std::int64_t> rank(new_rows.size(), -1);
  std::vector<std::int64_t> undated_new;
  std::vector<std::pair<double, std::int64_t>> dated_new;
  for (std::int64_t v = n_old_nodes; v < n_nodes; ++v) {
    const std::int64_t a = first_article(v);
    if (rows.size(a) == 0) continue;  // scores 0 with everything
    const double t = time_of(a);
    if (window > 0 && !std::isnan(t)) {
      dated_new.emplace_back(t, v);
    } else {
      undated_new.push_back(v);
    }
  }
  std::sort(dated_new.begin(), dated_new.end());
  for (std::size_t k = 0; k < undated_new.size(); ++k) {
    rank[static_cast<std::size_t>(undated_new[k] - n_old_nodes)] = static_cast<std::int64_t>(k);
  }
  for (std::size_t k = 0; k < dated_new.size(); ++k) {
    rank[static_cast<std::size_t>(dated_new[k].second - n_old_nodes)] =
        static_cast<std::int64_t>(undated_new.size() + k);
  }
  JoinOptions join;
  join.threshold = options_.edge_floor();
  join.n_jobs = options_.n_jobs;
  join.interrupted = options_.interrupted;
  const std::int64_t cols = x.cols;
  // Scores the queries against the partners, block by block, and offers each accepted pair
  // to both sides.
  auto search = [&](const std::vector<std::int64_t>& queries,
                    const std::vector<std::int64_t>& partners, auto accept) {
    if (queries.empty() || partners.empty()) return;
    std::vector<std::int64_t> q_rows(queries.size());
    std::vector<std::int64_t> p_rows(partners.size());
    for (std::size_t k = 0; k < queries.size(); ++k) q_rows[k] = first_article(queries[k]);
    for (std::size_t k = 0; k < partners.size(); ++k) p_rows[k] = first_article(partners[k]);
    const CsrMatrix<double> pm = rows.gather(p_rows, cols);
    const NeighborIndex index(pm);
    const auto block = static_cast<std::size_t>(
        std::max<std::int64_t>(1, kBlockPairs / static_cast<std::int64_t>(partners.size())));
    for (std::size_t lo = 0; lo < queries.size(); lo += block) {
      if (options_.interrupted && options_.interrupted()) throw Interrupted();
      const std::size_t hi = std::min(queries.size(), lo + block);
      const std::vector<std::int64_t> part(q_rows.begin() + static_cast<std::ptrdiff_t>(lo),
                                           q_rows.begin() + static_cast<std::ptrdiff_t>(hi));
      const CsrMatrix<double> qm = rows.gather(part, cols);
      const CsrMatrix<double> joined = index.similarity_join(qm, join);
      for (std::int64_t r = 0; r < joined.rows; ++r) {
        const std::int64_t q = queries[lo + static_cast<std::size_t>(r)];
        for (std::int64_t k = joined.indptr[static_cast<std::size_t>(r)];
             k < joined.indptr[static_cast<std::size_t>(r) + 1]; ++k) {
          const std::int64_t p = partners[static_cast<std::size_t>(joined.indices[static_cast<std::size_t>(k)])];
          if (p == q || !accept(q, p)) continue;
          const double score = joined.data[static_cast<std::size_t>(k)];
          offer(found[static_cast<std::size_t>(q)], {score, p}, m);
          offer(found[static_cast<std::size_t>(p)], {score, q}, m);
        }
      }
    }
  };
  auto is_new = [&](std::int64_t v) { return v >= n_old_nodes; };
  auto rank_of = [&](std::int64_t v) { return rank[static_cast<std::size_t>(v - n_old_nodes)]; };
  // Dated new nodes (in time order) against the later new ones and the earlier nodes dated
  // within the window, a time slice (a quarter window, at most kSliceQueries) at a time. A
  // slice indexes its partners only: the new nodes after it up to a window past its end and the
  // earlier nodes within a window of it. Each query's partners are ranges of those positions,
  // bounded with the window test itself; a pair's products are summed in column order, as the
  // similarity join does, so its score is the join's to the bit.
  auto dated_join = [&](const std::vector<std::pair<double, std::int64_t>>& dn) {
    const double floor = options_.edge_floor();
    const int threads = std::max(1, detail::resolve_threads(options_.n_jobs));
    const InterruptCheck* poll = options_.interrupted ? &options_.interrupted : nullptr;
    struct Found {
      std::int64_t q, p;
      double score;
    };
    struct Space {
      SliceIndex index;
      std::vector<double> acc;
      std::vector<std::int64_t> partners;
    };
    std::vector<Space> spaces(static_cast<std::size_t>(threads));
    std::vector<std::size_t> cuts{0};  // slice k: queries [cuts[k], cuts[k + 1]) of dn
    while (cuts.back() < dn.size()) {
      const std::size_t lo = cuts.back();
      std::size_t hi = lo + 1;
      while (hi < dn.size() && hi - lo < kSliceQueries && dn[hi].first < dn[lo].first + window / 4) ++hi;
      cuts.push_back(hi);
    }
    const std::size_t n_slices = cuts.size() - 1;
    auto time_after = [&](auto from, auto to, double t) {  // first with time - t > window
      return std::partition_point(from, to, [&](const auto& d) { return !(d.first - t > window); });
    };
    auto time_from = [&](auto from, auto to, double t) {  // first with t - time <= window
      return std::partition_point(from, to, [&](const auto& d) { return t - d.first > window; });
    };
    auto score_slice = [&](std::size_t slice, Space& sp, std::vector<Found>& out) {
      const std::size_t k0 = cuts[slice];
      const std::size_t k1 = cuts[slice + 1];
      const auto dn_at = [&](std::size_t k) { return dn.begin() + static_cast<std::ptrdiff_t>(k); };
      const auto p1 = static_cast<std::size_t>(time_after(dn_at(k1), dn.end(), dn[k1 - 1].first) -
                                               dn.begin());
      const auto o0 = time_from(s.dated.begin(), s.dated.end(), dn[k0].first);
      const auto o1 = time_after(o0, s.dated.end(), dn[k1 - 1].first);
      // Positions: new nodes k0 + 1 .. p1 - 1 first, then the earlier nodes o0 .. o1 - 1.
      const std::size_t n_new = p1 - k0 - 1;
      sp.partners.clear();
      for (std::size_t k = k0 + 1; k < p1; ++k) sp.partners.push_back(first_article(dn[k].second));
      for (auto it = o0; it != o1; ++it) sp.partners.push_back(first_article(it->second));
      sp.index.build(rows, sp.partners, cols);
      sp.acc.assign(sp.partners.size(), 0.0);
      const std::int32_t* pos = sp.index.positions();
      const double* wt = sp.index.weights();
      double* acc = sp.acc.data();
      for (std::size_t k = k0; k < k1; ++k) {
        const double t = dn[k].first;
        const std::int64_t q = dn[k].second;
        // [a_lo, a_hi): the later new nodes within the window; [b_lo, b_hi): the earlier ones.
        const auto a_lo = static_cast<std::int32_t>(k - k0);
        const auto a_hi = static_cast<std::int32_t>(
            time_after(dn_at(k + 1), dn_at(p1), t) - dn.begin() - static_cast<std::ptrdiff_t>(k0 + 1));
        const auto b_from = time_from(o0, o1, t);
        const auto b_lo = static_cast<std::int32_t>(n_new + static_cast<std::size_t>(b_from - o0));
        const auto b_hi = static_cast<std::int32_t>(
            n_new + static_cast<std::size_t>(time_after(b_from, o1, t) - o0));
        const std::int64_t a = first_article(q);
        const std::int64_t n = rows.size(a);
        const std::int32_t* ix = rows.indices(a);
        const double* v = rows.data(a);
        const double scale = detail::row_scale(v, n, Metric::cosine);
        if (scale == 0 || (a_lo >= a_hi && b_lo >= b_hi)) continue;
        for (std::int64_t e = 0; e < n; ++e) {
          const double x = v[e] / scale;
          const auto [pb, pe] = sp.index.postings(ix[e]);
          std::size_t i = pb;
          while (i < pe && pos[i] < a_lo) ++i;
          for (; i < pe && pos[i] < a_hi; ++i) acc[pos[i]] += x * wt[i];
          if (b_lo >= b_hi) continue;
          while (i < pe && pos[i] < b_lo) ++i;
          for (; i < pe && pos[i] < b_hi; ++i) acc[pos[i]] += x * wt[i];
        }
        auto collect = [&](std::int32_t lo, std::int32_t hi, auto node_at) {
          for (std::int32_t j = lo; j < hi; ++j) {
            const double score = acc[j];
            if (score == 0) continue;
            acc[j] = 0;
            if (score >= floor) out.push_back({q, node_at(j), score});
          }
        };
        collect(a_lo, a_hi, [&](std::int32_t j) { return dn[k0 + 1 + static_cast<std::size_t>(j)].second; });
        collect(b_lo, b_hi, [&](std::int32_t j) {
          return (o0 + (j - static_cast<std::int32_t>(n_new)))->second;
        });
      }
      sp.index.clear();
    };
    for (std::size_t r0 = 0; r0 < n_slices; r0 += kSliceRound * static_cast<std::size_t>(threads)) {
      const std::size_t r1 = std::min(n_slices, r0 + kSliceRound * static_cast<std::size_t>(threads));
      std::vector<std::vector<Found>> out(r1 - r0);
      detail::parallel_for(
          r1 - r0, threads,
          [&](std::size_t i, std::size_t worker) { score_slice(r0 + i, spaces[worker], out[i]); },
          poll);
      for (const auto& slice : out) {
        for (const Found& f : slice) {
          offer(found[static_cast<std::size_t>(f.q)], {f.score, f.p}, m);
          offer(found[static_cast<std::size_t>(f.p)], {f.score, f.q}, m);
        }
      }
    }
  };
  // search() for a few queries: they are indexed instead, and the partners' rows stream past
  // them, so that nothing is copied. The same products summed in the same column order: the
  // same scores.
  auto few_search = [&](const std::vector<std::int64_t>& queries,
                        const std::vector<std::int64_t>& partners, auto accept) {
    const double floor = options_.edge_floor();
    const int threads = std::max(1, detail::resolve_threads(options_.n_jobs));
    const InterruptCheck* poll = options_.interrupted ? &options_.interrupted : nullptr;
    std::vector<std::int64_t> q_rows(queries.size());
    for (std::size_t k = 0; k < queries.size(); ++k) q_rows[k] = first_article(queries[k]);
    SliceIndex index;
    index.build(rows, q_rows, cols);
    const std::int32_t* pos = index.positions();
    const double* wt = index.weights();
    const std::size_t n_chunks = (partners.size() + kFewChunk - 1) / kFewChunk;
    std::vector<std::vector<Partner>> out(n_chunks * queries.size());  // (score, partner)
    detail::parallel_for(
        n_chunks, threads,
        [&](std::size_t c, std::size_t) {
          std::vector<double> acc(queries.size(), 0.0);
          const std::size_t end = std::min(partners.size(), (c + 1) * kFewChunk);
          for (std::size_t k = c * kFewChunk; k < end; ++k) {
            const std::int64_t p = partners[k];
            const std::int64_t a = first_article(p);
            const std::int64_t n = rows.size(a);
            const std::int32_t* ix = rows.indices(a);
            const double* v = rows.data(a);
            const double scale = detail::row_scale(v, n, Metric::cosine);
            if (scale == 0) continue;
            for (std::int64_t e = 0; e < n; ++e) {
              const double x = v[e] / scale;
              const auto [pb, pe] = index.postings(ix[e]);
              for (std::size_t i = pb; i < pe; ++i) acc[static_cast<std::size_t>(pos[i])] += x * wt[i];
            }
            for (std::size_t j = 0; j < queries.size(); ++j) {
              const double score = acc[j];
              acc[j] = 0;
              if (score >= floor && p != queries[j] && accept(queries[j], p)) {
                out[c * queries.size() + j].push_back({score, p});
              }
            }
          }
        },
        poll);
    index.clear();
    for (std::size_t c = 0; c < n_chunks; ++c) {
      for (std::size_t j = 0; j < queries.size(); ++j) {
        const std::int64_t q = queries[j];
        for (const Partner& f : out[c * queries.size() + j]) {
          offer(found[static_cast<std::size_t>(q)], {f.score, f.node}, m);
          offer(found[static_cast<std::size_t>(f.node)], {f.score, q}, m);
        }
      }
    }
  };
  // (a) Undated new nodes (all of them without a window) against every node.
  if (!undated_new.empty()) {
    std::vector<std::int64_t> all;
    for (std::int64_t v = 0; v < n_nodes; ++v) {
      if (rows.size(first_article(v)) > 0) all.push_back(v);
    }
    auto accept = [&](std::int64_t q, std::int64_t p) {
      return !is_new(p) || rank_of(p) > rank_of(q);
    };
    if (undated_new.size() <= kFewQueries) {
      few_search(undated_new, all, accept);
    } else {
      search(undated_new, all, accept);
    }
  }
  if (!dated_new.empty()) {
    // (b) Dated new nodes against the earlier undated ones...
    std::vector<std::int64_t> queries;
    for (const auto& d : dated_new) queries.push_back(d.second);
    search(queries, s.undated, [](std::int64_t, std::int64_t) { return true; });
    // ... and against the dated nodes within the window.
    dated_join(dated_new);
  }

  // 3. Nothing can fail from here on: keep the batch.
  const std::int64_t base = s.indptr.back();
  for (std::int64_t r = 0; r < x.rows; ++r) s.indptr.push_back(base + x.indptr[r + 1]);
  const std::size_t had = s.indices.size();
  if (owned != nullptr && had == 0) {
    s.indices = std::move(owned->indices);
    s.data = std::move(owned->data);
  } else {
    s.indices.resize(had + static_cast<std::size_t>(x.nnz()));
    s.data.resize(had + static_cast<std::size_t>(x.nnz()));
    std::copy_n(x.indices, x.nnz(), s.indices.data() + had);
    std::copy_n(x.data, x.nnz(), s.data.data() + had);
    if (owned != nullptr) *owned = CsrMatrix<double>{};
  }
  s.cols = x.cols;
  for (std::int64_t r = 0; r < x.rows; ++r) s.times.push_back(time_of(first + r));
  s.node_of.insert(s.node_of.end(), node_of.begin(), node_of.end());
  s.node_row.insert(s.node_row.end(), new_rows.begin(), new_rows.end());
  s.same_hash.insert(s.same_hash.end(), new_same.begin(), new_same.end());
  s.weight.resize(static_cast<std::size_t>(n_nodes), 1);
  for (const std::int64_t v : more) ++s.weight[static_cast<std::size_t>(v)];
  for (const auto& [h, v] : new_hash) s.by_hash[h] = v;
  s.kept.resize(static_cast<std::size_t>(n_nodes));
  for (std::size_t v = 0; v < found.size(); ++v) {
    if (s.kept[v].empty()) {  // found[v] is a heap of at most m: kept as it is, without slack
      s.kept[v] = std::move(found[v]);
      s.kept[v].shrink_to_fit();
    } else {
      for (const Partner& p : found[v]) offer(s.kept[v], p, m);
      std::vector<Partner>().swap(found[v]);
    }
  }
  s.undated.insert(s.undated.end(), undated_new.begin(), undated_new.end());
  if (!dated_new.empty()) {
    const auto mid = static_cast<std::ptrdiff_t>(s.dated.size());
    s.dated.insert(s.dated.end(), dated_new.begin(), dated_new.end());
    std::inplace_merge(s.dated.begin(), s.dated.begin() + mid, s.dated.end());
  }

  // 4. Agglomerate all nodes again; stable ids.
  const std::vector<std::int64_t> node_root = agglomerate(n_nodes, kept_pairs(s), options_, s.weight);
  const std::int64_t n = s.articles();
  std::vector<std::int64_t> root(static_cast<std::size_t>(n));
  for (std::int64_t i = 0; i < n; ++i) {
    root[static_cast<std::size_t>(i)] =
        node_root[static_cast<std::size_t>(s.node_of[static_cast<std::size_t>(i)])];
  }
  // Each cluster takes the earlier story it overlaps most (ties: smaller id).
  std::unordered_map<std::int64_t, std::unordered_map<std::int64_t, std::int64_t>> overlap;
  for (std::int64_t i = 0; i < first; ++i) {
    ++overlap[root[static_cast<std::size_t>(i)]][s.labels[static_cast<std::size_t>(i)]];
  }
  struct Claim {
    std::int64_t count, old_id, cluster;
  };
  std::vector<Claim> claims;
  for (const auto& [cluster, ids] : overlap) {
    for (const auto& [old_id, count] : ids) claims.push_back({count, old_id, cluster});
  }
  std::sort(claims.begin(), claims.end(), [](const Claim& a, const Claim& b) {
    if (a.count != b.count) return a.count > b.count;
    if (a.old_id != b.old_id) return a.old_id < b.old_id;
    return a.cluster < b.cluster;
  });
  std::unordered_map<std::int64_t, std::int64_t> id_of;  // cluster root -> story id
  std::unordered_map<std::int64_t, bool> id_taken;
  for (const Claim& c : claims) {
    if (id_of.count(c.cluster) != 0 || id_taken[c.old_id]) continue;
    id_of[c.cluster] = c.old_id;
    id_taken[c.old_id] = true;
  }
  std::vector<std::int64_t> labels(static_cast<std::size_t>(n));
  for (std::int64_t i = 0; i < n; ++i) {  // a root's first article comes first: new ids in order
    const std::int64_t r = root[static_cast<std::size_t>(i)];
    auto it = id_of.find(r);
    if (it == id_of.end()) it = id_of.emplace(r, s.next_id++).first;
    labels[static_cast<std::size_t>(i)] = it->second;
  }
  s.labels = std::move(labels);
  detail::release_free_memory();
  return s.labels;
}

std::vector<StoryClusterer::Pair> StoryClusterer::pairs() const {
  const State& s = *state_;
  const std::shared_lock lock(s.mutex);
  std::vector<Pair> out = kept_pairs(s);
  for (Pair& p : out) {  // nodes to their first articles, which ascend with the nodes
    p.i = s.node_row[static_cast<std::size_t>(p.i)];
    p.j = s.node_row[static_cast<std::size_t>(p.j)];
  }
  std::sort(out.begin(), out.end(),
            [](const Pair& a, const Pair& b) { return a.i != b.i ? a.i < b.i : a.j < b.j; });
  return out;
}

std::vector<Story> StoryClusterer::stories(int top) const {
  const State& s = *state_;
  const std::shared_lock lock(s.mutex);
  const std::int64_t n = s.articles();
  std::vector<std::int64_t> ids(s.labels);
  std::sort(ids.begin(), ids.end());
  ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
  std::unordered_map<std::int64_t, std::size_t> slot;
  std::vector<Story> out(ids.size());
  for (std::size_t k = 0; k < ids.size(); ++k) {
    slot[ids[k]] = k;
    out[k].id = ids[k];
    out[k].first_time = std::numeric_limits<double>::quiet_NaN();
    out[k].last_time = std::numeric_limits<double>::quiet_NaN();
  }
  for (std::int64_t i = 0; i < n; ++i) {
    Story& st = out[slot[s.labels[static_cast<std::size_t>(i)]]];
    st.members.push_back(i);
    const double t = s.times[static_cast<std::size_t>(i)];
    if (!std::isnan(t)) {
      st.first_time = std::isnan(st.first_time) ? t : std::min(st.first_time, t);
      st.last_time = std::isnan(st.last_time) ? t : std::max(st.last_time, t);
    }
  }
  // Each node's summed similarity to the other articles of its story (kept pairs, and 1 to
  // each identical copy), and each story's sum over its article pairs.
  const std::size_t n_nodes = s.node_row.size();
  auto label_of = [&](std::size_t v) { return s.labels[static_cast<std::size_t>(s.node_row[v])]; };
  std::vector<double> within(n_nodes, 0.0);
  std::vector<double> internal(out.size(), 0.0);
  for (std::size_t v = 0; v < n_nodes; ++v) {
    const auto w = static_cast<double>(s.weight[v]);
    within[v] += w - 1;
    internal[slot[label_of(v)]] += w * (w - 1) / 2;
  }
  for (const Pair& p : [&] {
         std::vector<Pair> nodes;  // kept node pairs, once each
         for (std::size_t v = 0; v < n_nodes; ++v) {
           for (const Partner& q : s.kept[v]) {
             const auto a = static_cast<std::int64_t>(v);
             nodes.push_back({std::min(a, q.node), std::max(a, q.node), q.score});
           }
         }
         std::sort(nodes.begin(), nodes.end(), [](const Pair& a, const Pair& b) {
           return a.i != b.i ? a.i < b.i : a.j < b.j;
         });
         nodes.erase(std::unique(nodes.begin(), nodes.end(),
                                 [](const Pair& a, const Pair& b) { return a.i == b.i && a.j == b.j; }),
                     nodes.end());
         return nodes;
       }()) {
    const auto ui = static_cast<std::size_t>(p.i);
    const auto uj = static_cast<std::size_t>(p.j);
    const std::int64_t li = label_of(ui);
    if (li != label_of(uj)) continue;
    within[ui] += p.score * static_cast<double>(s.weight[uj]);
    within[uj] += p.score * static_cast<double>(s.weight[ui]);
    internal[slot[li]] += p.score * static_cast<double>(s.weight[ui] * s.weight[uj]);
  }
  const CsrRef m(n, std::max<std::int64_t>(s.cols, 0), s.indptr.data(), s.indices.data(),
                 s.data.data());
  auto within_of = [&](std::int64_t i) {
    return within[static_cast<std::size_t>(s.node_of[static_cast<std::size_t>(i)])];
  };
  detail::KeyTermsAccumulator key_terms_of(m);  // one accumulator for all stories
  for (std::size_t k = 0; k < out.size(); ++k) {
    Story& st = out[k];
    st.representative = st.members.front();
    for (const std::int64_t i : st.members) {
      if (within_of(i) > within_of(st.representative)) st.representative = i;
    }
    const auto size = static_cast<double>(st.members.size());
    st.cohesion = st.members.size() < 2 ? 1.0 : internal[k] / (size * (size - 1) / 2);
    if (top != 0) st.key_terms = key_terms_of(st.members, top);
  }
  return out;
}

std::vector<std::int64_t> cluster_stories(const CsrRef& x, const StoryOptions& options,
                                          const std::vector<double>* times) {
  StoryClusterer clusterer(options);
  return clusterer.add(x, times);
}

std::vector<std::int64_t> cluster_stories(const ArticleSimilarity& similarity,
                                          const StoryOptions& options) {
  options.validate();
  const ArticleVectors& f = similarity.fitted();
  const CsrMatrix<double> joined = similarity.join(options.edge_floor());
  std::vector<StoryClusterer::Pair> pairs;
  append_join(joined, 0, 0, pairs);
  if (options.time_window > 0) {
    pairs.erase(std::remove_if(pairs.begin(), pairs.end(),
                               [&](const StoryClusterer::Pair& p) {
                                 // NaN (an unknown date) compares false: the pair is kept.
                                 return std::abs(f.times[static_cast<std::size_t>(p.i)] -
                                                 f.times[static_cast<std::size_t>(p.j)]) >
                                        options.time_window;
                               }),
                pairs.end());
  }
  const std::vector<std::int64_t> root = agglomerate(f.rows(), std::move(pairs), options);
  // Number stories by their first article; a root is its cluster's smallest member.
  std::unordered_map<std::int64_t, std::int64_t> number;
  std::vector<std::int64_t> labels(root.size());
  for (std::size_t i = 0; i < root.size(); ++i) {
    labels[i] = number.emplace(root[i], static_cast<std::int64_t>(number.size())).first->second;
  }
  return labels;
}

}  // namespace newsim

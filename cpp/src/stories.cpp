#include "newsim/stories.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <queue>
#include <string>
#include <unordered_map>
#include <utility>

#include <utf8proc.h>

#include "newsim/detail/unicode.hpp"
#include "newsim/errors.hpp"
#include "newsim/stop_words.hpp"

namespace newsim {

namespace {

struct Link {
  double sum = 0;  // of the pair similarities between two clusters
  double max = 0;  // the best of them
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

// Agglomerates n points joined by `pairs`; returns each point's cluster root (its smallest
// member).
std::vector<std::int64_t> agglomerate(std::int64_t n, const std::vector<StoryClusterer::Pair>& pairs,
                                      const StoryOptions& options) {
  const auto un = static_cast<std::size_t>(n);
  std::vector<std::unordered_map<std::int64_t, Link>> links(un);
  std::vector<std::int64_t> size(un, 1);
  std::vector<double> internal(un, 0.0);
  std::vector<std::uint32_t> version(un, 0);
  std::vector<std::int64_t> parent(un);
  std::iota(parent.begin(), parent.end(), 0);
  const bool average = options.linkage == Linkage::average;

  for (const auto& p : pairs) {
    links[static_cast<std::size_t>(p.i)][p.j] = {p.score, p.score};
    links[static_cast<std::size_t>(p.j)][p.i] = {p.score, p.score};
  }
  auto score_of = [&](std::int64_t a, std::int64_t b, const Link& l) {
    return average ? l.sum / (static_cast<double>(size[static_cast<std::size_t>(a)]) *
                              static_cast<double>(size[static_cast<std::size_t>(b)]))
                   : l.max;
  };
  std::priority_queue<Candidate, std::vector<Candidate>, Lower> heap;
  auto push = [&](std::int64_t a, std::int64_t b, const Link& l) {
    if (a > b) std::swap(a, b);
    heap.push({score_of(a, b, l), a, b, version[static_cast<std::size_t>(a)],
               version[static_cast<std::size_t>(b)]});
  };
  for (const auto& p : pairs) push(p.i, p.j, {p.score, p.score});

  while (!heap.empty()) {
    const Candidate c = heap.top();
    heap.pop();
    const auto ua = static_cast<std::size_t>(c.a);
    const auto ub = static_cast<std::size_t>(c.b);
    if (parent[ua] != c.a || parent[ub] != c.b || version[ua] != c.version_a ||
        version[ub] != c.version_b) {
      continue;  // stale: one side has merged since
    }
    if (c.score < options.threshold) break;
    const Link between = links[ua].at(c.b);
    const double merged_internal = internal[ua] + internal[ub] + between.sum;
    const double merged_size = static_cast<double>(size[ua] + size[ub]);
    if (!average && merged_internal / (merged_size * (merged_size - 1) / 2) < options.cohesion) {
      continue;  // a chain, not a story; retried if either side grows
    }
    // Merge b into a (a < b keeps the smallest member as the root); fold the smaller map into
    // the larger one.
    auto& la = links[ua];
    auto& lb = links[ub];
    la.erase(c.b);
    lb.erase(c.a);
    if (la.size() < lb.size()) std::swap(la, lb);  // a's slot now holds the larger map
    for (const auto& [other, l] : lb) {
      Link& into = la[other];
      into.sum += l.sum;
      into.max = std::max(into.max, l.max);
    }
    lb.clear();
    parent[ub] = c.a;
    size[ua] += size[ub];
    internal[ua] = merged_internal;
    ++version[ua];
    for (const auto& [other, l] : la) {
      auto& lo = links[static_cast<std::size_t>(other)];
      lo.erase(c.b);
      lo[c.a] = l;
      push(c.a, other, l);
    }
  }
  std::vector<std::int64_t> root(un);
  for (std::size_t i = 0; i < un; ++i) {
    std::int64_t r = static_cast<std::int64_t>(i);
    while (parent[static_cast<std::size_t>(r)] != r) r = parent[static_cast<std::size_t>(r)];
    root[i] = r;
  }
  return root;
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
  Vectorizer vectorizer(story_vectorizer_options(docs.size(), n_jobs_));
  CsrMatrix<double> x = vectorizer.fit_transform(docs);
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
  if (!(time_window >= 0) || std::isinf(time_window)) {
    throw InvalidArgument("time_window must be a finite number of seconds >= 0; got " +
                          std::to_string(time_window));
  }
}

StoryClusterer::StoryClusterer(StoryOptions options) : options_(std::move(options)) {
  options_.validate();
}

const std::vector<std::int64_t>& StoryClusterer::add(const CsrRef& x,
                                                     const std::vector<double>* times) {
  if (times != nullptr && static_cast<std::int64_t>(times->size()) != x.rows) {
    throw InvalidArgument("times has " + std::to_string(times->size()) + " entries for " +
                          std::to_string(x.rows) + " articles");
  }
  if (cols_ >= 0 && x.cols != cols_) {
    throw InvalidArgument("the new articles have " + std::to_string(x.cols) +
                          " columns and the earlier ones " + std::to_string(cols_) +
                          ": all must come from the same vectorizer");
  }
  const std::int64_t first = size();
  JoinOptions join;
  join.threshold = options_.edge_floor();
  join.n_jobs = options_.n_jobs;
  join.interrupted = options_.interrupted;
  std::vector<Pair> found;
  append_join(similarity_join(x, nullptr, join), first, first, found);
  if (first > 0) {
    const CsrRef old(first, cols_, indptr_.data(), indices_.data(), data_.data());
    append_join(similarity_join(x, &old, join), first, 0, found);
  }
  // Nothing can fail from here on.
  const std::int64_t base = indptr_.back();
  for (std::int64_t r = 0; r < x.rows; ++r) indptr_.push_back(base + x.indptr[r + 1]);
  indices_.insert(indices_.end(), x.indices, x.indices + x.nnz());
  data_.insert(data_.end(), x.data, x.data + x.nnz());
  cols_ = x.cols;
  for (std::int64_t r = 0; r < x.rows; ++r) {
    times_.push_back(times != nullptr ? (*times)[static_cast<std::size_t>(r)] : std::nan(""));
  }
  for (const Pair& p : found) {
    const double ti = times_[static_cast<std::size_t>(p.i)];
    const double tj = times_[static_cast<std::size_t>(p.j)];
    if (options_.time_window > 0 && std::abs(ti - tj) > options_.time_window) continue;  // NaN: kept
    pairs_.push_back(p);
  }

  const std::int64_t n = first + x.rows;
  const std::vector<std::int64_t> root = agglomerate(n, pairs_, options_);
  // Stable ids: each cluster takes the earlier story it overlaps most (ties: smaller id).
  std::unordered_map<std::int64_t, std::unordered_map<std::int64_t, std::int64_t>> overlap;
  for (std::int64_t i = 0; i < first; ++i) {
    ++overlap[root[static_cast<std::size_t>(i)]][labels_[static_cast<std::size_t>(i)]];
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
  for (std::int64_t i = 0; i < n; ++i) {  // roots are smallest members: new ids in first-article order
    const std::int64_t r = root[static_cast<std::size_t>(i)];
    auto it = id_of.find(r);
    if (it == id_of.end()) it = id_of.emplace(r, next_id_++).first;
    labels[static_cast<std::size_t>(i)] = it->second;
  }
  labels_ = std::move(labels);
  return labels_;
}

std::vector<Story> StoryClusterer::stories(int top) const {
  std::vector<std::int64_t> ids(labels_);
  std::sort(ids.begin(), ids.end());
  ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
  std::unordered_map<std::int64_t, std::size_t> slot;
  std::vector<Story> out(ids.size());
  for (std::size_t s = 0; s < ids.size(); ++s) {
    slot[ids[s]] = s;
    out[s].id = ids[s];
    out[s].first_time = std::numeric_limits<double>::quiet_NaN();
    out[s].last_time = std::numeric_limits<double>::quiet_NaN();
  }
  for (std::int64_t i = 0; i < size(); ++i) {
    Story& st = out[slot[labels_[static_cast<std::size_t>(i)]]];
    st.members.push_back(i);
    const double t = times_[static_cast<std::size_t>(i)];
    if (!std::isnan(t)) {
      st.first_time = std::isnan(st.first_time) ? t : std::min(st.first_time, t);
      st.last_time = std::isnan(st.last_time) ? t : std::max(st.last_time, t);
    }
  }
  // Each member's summed similarity to the others of its story (kept pairs only).
  std::vector<double> within(static_cast<std::size_t>(size()), 0.0);
  std::vector<double> internal(out.size(), 0.0);
  for (const Pair& p : pairs_) {
    const std::int64_t li = labels_[static_cast<std::size_t>(p.i)];
    if (li != labels_[static_cast<std::size_t>(p.j)]) continue;
    within[static_cast<std::size_t>(p.i)] += p.score;
    within[static_cast<std::size_t>(p.j)] += p.score;
    internal[slot[li]] += p.score;
  }
  const CsrRef m(size(), std::max<std::int64_t>(cols_, 0), indptr_.data(), indices_.data(),
                 data_.data());
  for (std::size_t s = 0; s < out.size(); ++s) {
    Story& st = out[s];
    st.representative = st.members.front();
    for (const std::int64_t i : st.members) {
      if (within[static_cast<std::size_t>(i)] > within[static_cast<std::size_t>(st.representative)]) {
        st.representative = i;
      }
    }
    const auto k = static_cast<double>(st.members.size());
    st.cohesion = st.members.size() < 2 ? 1.0 : internal[s] / (k * (k - 1) / 2);
    if (top != 0) st.key_terms = key_terms(m, st.members, top);
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
  const std::vector<std::int64_t> root = agglomerate(f.rows(), pairs, options);
  // Number stories by their first article; a root is its cluster's smallest member.
  std::unordered_map<std::int64_t, std::int64_t> number;
  std::vector<std::int64_t> labels(root.size());
  for (std::size_t i = 0; i < root.size(); ++i) {
    labels[i] = number.emplace(root[i], static_cast<std::int64_t>(number.size())).first->second;
  }
  return labels;
}

}  // namespace newsim

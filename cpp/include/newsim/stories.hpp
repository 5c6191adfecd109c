#pragma once
// Stories: articles that report the same real-world event, grouped by agglomerative clustering
// of their cosine similarities, kept apart in time when dated, and updated incrementally.
//
// The algorithm, in three steps, none of which holds an n×n matrix:
// 1. Identical rows are collapsed: rows with the same terms and values (and, under a time
//    window, the same time) become one node that counts as many articles as it holds. Their
//    pairwise similarity is 1, so any agglomeration merges them first; collapsing them gives
//    the same partition and turns 10,000 copies into one node instead of 50 M pairs.
// 2. Candidate pairs: each node keeps its max_neighbors best partners scoring at least
//    edge_floor() (ties: the earlier node); a pair is kept when either side keeps it. With a
//    time window and dates, a node is compared only with the nodes dated within the window
//    (the dated rows are walked in time order, in slices of at most a quarter window, each
//    scored against an index of the later rows within a window of it), so the work grows with
//    the articles times the articles per window, not with the square of the archive. Undated articles are compared
//    with every article. Without a window (or without dates) every pair is scored, in blocks,
//    and memory stays bounded by max_neighbors per node.
// 3. Agglomeration of the nodes over the kept pairs; pairs not kept count as similarity 0.
//    When no node has more than max_neighbors partners at or above edge_floor(), average link
//    gives the flat clusters of the classic algorithm (scipy's linkage(method="average") cut
//    at distance 1 - threshold), up to exact ties.
#include <cstdint>
#include <memory>
#include <string_view>
#include <vector>

#include "newsim/article_similarity.hpp"
#include "newsim/similarity.hpp"
#include "newsim/sparse.hpp"
#include "newsim/vectorizer.hpp"

namespace newsim {

/// The term vectors stories are clustered on by default: TF-IDF of words and word pairs
/// (sublinear counts, English stop words out, terms of at least two articles when there are
/// three or more), the terms of names weighted `entity_weight` times, rows scaled to unit
/// length. A name is a word written capitalised (first letter upper case) in more than half
/// of its occurrences in the fitted corpus; a word pair is a name's when either word is.
class StoryFeatures {
 public:
  /// entity_weight > 0; n_jobs as the vectorizer's. Throws InvalidArgument.
  explicit StoryFeatures(double entity_weight = 2.0, int n_jobs = 0);

  /// Fits the vectorizer and finds the names. O(total length). Throws InvalidArgument (no
  /// documents, no terms), DecodeError.
  void fit(const Documents& docs);
  /// fit, then transform of the same documents.
  CsrMatrix<double> fit_transform(const Documents& docs);
  /// Weighted, unit-length rows (zero rows stay zero). Throws NotFittedError.
  CsrMatrix<double> transform(const Documents& docs) const;

  double entity_weight() const { return entity_weight_; }
  bool is_fitted() const { return vectorizer_.is_fitted(); }
  const Vectorizer& vectorizer() const { return vectorizer_; }
  /// The names found (lowercase, sorted) and the weight of each column.
  const std::vector<std::string>& entities() const { return entities_; }
  const std::vector<double>& weights() const { return weights_; }

 private:
  CsrMatrix<double> weighted(CsrMatrix<double> x) const;

  double entity_weight_;
  int n_jobs_;
  Vectorizer vectorizer_;
  std::vector<std::string> entities_;
  std::vector<double> weights_;
};

/// average: the mean similarity over all cross pairs; single: the best pair, with a cohesion
/// check so that chains of pairwise matches do not join different stories.
enum class Linkage : std::uint8_t { average, single };
Linkage parse_linkage(std::string_view name);  // "average" | "single"
std::string_view to_string(Linkage linkage);

/// The default time window: 7 days. Stories of news usually unfold within days; a longer
/// window costs proportionally more and links similar but separate events.
inline constexpr double kDefaultTimeWindow = 7 * 86400.0;

struct StoryOptions {
  Linkage linkage = Linkage::average;
  double threshold = 0.2;       // clusters merge while their link is at least this, in (0, 1]
  double cohesion = 0.1;        // single link: a merged cluster's mean pairwise similarity must
                                // be at least this, in [0, 1]
  double min_similarity = 0.0;  // pairs below count as 0; 0: threshold / 2; in (0, threshold]
  double time_window = kDefaultTimeWindow;  // seconds; articles further apart count as 0
                                            // (when both are dated); 0: no window
  int max_neighbors = 50;       // candidate partners kept per node (see above), >= 1
  int n_jobs = 0;               // threads for the similarity join; 0 = all cores
  InterruptCheck interrupted;   // optional

  /// Throws InvalidArgument naming the first bad setting.
  void validate() const;
  double edge_floor() const { return min_similarity > 0 ? min_similarity : threshold / 2; }
};

/// A story as the clusterer sees it.
struct Story {
  std::int64_t id = 0;                // stable across StoryClusterer::add calls
  std::vector<std::int64_t> members;  // article positions, ascending
  std::int64_t representative = 0;    // the member most similar, in sum, to the others
  double cohesion = 1;                // mean similarity of member pairs (1 for one article)
  double first_time = 0;              // NaN when no member has a time
  double last_time = 0;
  std::vector<TermWeight> key_terms;  // of the members' mean vector
};

/// Agglomerative clustering of the rows of x by cosine similarity (the three steps above).
/// `times` (seconds, NaN when unknown), when given, has one entry per row and applies
/// time_window. Returns one label per row; labels number stories by their first article.
/// Work: with dates and a window w, O(Σ products of rows dated within w of each other);
/// otherwise all pairs are scored (as similarity_join). Then O(E log E) for the E ≤ nodes ·
/// max_neighbors kept pairs (more when merges touch many neighbours). Memory: the rows, 16
/// bytes per node and max_neighbors, and the join of one block of rows at a time.
/// Throws InvalidArgument (options, a malformed matrix, times of the wrong length),
/// Interrupted.
std::vector<std::int64_t> cluster_stories(const CsrRef& x, const StoryOptions& options = {},
                                          const std::vector<double>* times = nullptr);

/// Stories of the articles fitted in `similarity`, compared by its article similarity (the
/// default of newsim's stories): the pairs scoring at least options.edge_floor() (a full join,
/// no collapsing or max_neighbors bound), articles further apart than options.time_window
/// dropped when both dates are known, then agglomerative clustering as above. Labels number
/// stories by their first article. Throws InvalidArgument (options), NotFittedError,
/// Interrupted.
std::vector<std::int64_t> cluster_stories(const ArticleSimilarity& similarity,
                                          const StoryOptions& options = {});

/// Stories built up batch by batch. Each add() compares the new articles with each other and
/// with the earlier ones (within the time window, when dated), updates every node's best
/// partners and agglomerates all nodes again. A node's kept partners do not depend on the
/// order articles came in, so the labels after any sequence of adds equal those of
/// cluster_stories() on all articles in the same order (as a partition). Story ids stay
/// stable: each new cluster takes the id of the earlier story it shares most articles with
/// (ties: the smaller id), and clusters made only of new articles get new ids.
/// Holds a copy of the rows, each node's best partners and the identical-row groups.
/// Safe to share between threads: add() takes the lock alone, the readers share it, and the
/// readers return copies.
class StoryClusterer {
 public:
  /// Throws InvalidArgument for bad options.
  explicit StoryClusterer(StoryOptions options = {});
  ~StoryClusterer();
  StoryClusterer(StoryClusterer&&) noexcept;
  StoryClusterer& operator=(StoryClusterer&&) noexcept;

  const StoryOptions& options() const { return options_; }
  std::int64_t size() const;
  std::int64_t cols() const;

  /// Adds rows (the same columns as earlier batches) and their times, when given; returns the
  /// story id of every article so far. Throws as cluster_stories(); on an error nothing changes.
  std::vector<std::int64_t> add(const CsrRef& x, const std::vector<double>* times = nullptr);
  /// The same, keeping x's arrays instead of a copy of them (the first batch is not copied).
  std::vector<std::int64_t> add(CsrMatrix<double>&& x, const std::vector<double>* times = nullptr);

  /// Story id of every article so far.
  std::vector<std::int64_t> labels() const;

  /// The stories, by id, with `top` key terms each. O(Σ members · row length + stories · cols).
  std::vector<Story> stories(int top = 10) const;

  /// Similarity pairs kept (i < j, score >= edge_floor(), within the time window), between the
  /// first articles of groups of identical rows; an article identical to an earlier one
  /// (score 1) is not listed.
  struct Pair {
    std::int64_t i = 0;
    std::int64_t j = 0;
    double score = 0;
  };
  std::vector<Pair> pairs() const;

  struct State;

 private:
  std::vector<std::int64_t> add_batch(const CsrRef& x, const std::vector<double>* times,
                                      CsrMatrix<double>* owned);

  StoryOptions options_;
  std::unique_ptr<State> state_;
};

}  // namespace newsim

#include "newsim/news_vectorizer.hpp"

#include <absl/container/flat_hash_map.h>

#include <algorithm>
#include <cmath>
#include <sstream>

#include "model_io.hpp"
#include "newsim/detail/parallel.hpp"
#include "newsim/errors.hpp"

namespace newsim {

NewsScheme parse_news_scheme(std::string_view name) {
  if (name == "bm25") return NewsScheme::bm25;
  if (name == "tfidf") return NewsScheme::tfidf;
  throw InvalidArgument("scheme must be 'bm25' or 'tfidf'; got '" + std::string(name) + "'");
}

std::string_view to_string(NewsScheme scheme) {
  return scheme == NewsScheme::tfidf ? "tfidf" : "bm25";
}

NewsNorm parse_news_norm(std::string_view name) {
  if (name.empty() || name == "none") return NewsNorm::none;
  if (name == "l2") return NewsNorm::l2;
  if (name == "pivoted") return NewsNorm::pivoted;
  throw InvalidArgument("norm must be None, 'l2' or 'pivoted'; got '" + std::string(name) + "'");
}

std::string_view to_string(NewsNorm norm) {
  switch (norm) {
    case NewsNorm::none: return "none";
    case NewsNorm::l2: return "l2";
    case NewsNorm::pivoted: return "pivoted";
  }
  return "none";
}

void NewsWeightingOptions::validate() const {
  if (!(k1 >= 0.0) || !std::isfinite(k1)) {
    throw InvalidArgument("k1 must be a finite number >= 0; got " + std::to_string(k1));
  }
  if (!(b >= 0.0 && b <= 1.0)) {
    throw InvalidArgument("b must be in [0, 1]; got " + std::to_string(b));
  }
  if (!(slope >= 0.0 && slope <= 1.0)) {
    throw InvalidArgument("slope must be in [0, 1]; got " + std::to_string(slope));
  }
}

void NewsVectorizerOptions::validate() const {
  analysis.validate();
  weighting.validate();
  PruneOptions prune;
  prune.min_df = min_df;
  prune.max_df = max_df;
  prune.validate();
}

namespace {

// Keys and surfaces interned by one worker, so that a document costs one hash lookup per
// occurrence and no string copies. Which worker analyses which document does not matter: ids are
// only mapped to strings, and everything that is summed or ordered goes by the strings.
struct Lexicon {
  std::vector<std::string> keys;  // local id -> key
  std::vector<TermKind> kinds;    // local id -> kind at the first occurrence
  absl::flat_hash_map<std::string, std::int32_t> key_ids;
  // Surface counts (fit only). A surface nearly always comes with one key (a word's key is its
  // stem), so the occurrence's surface is looked up first, and the key found with it the first
  // time is only compared, not hashed, afterwards: surface_key[s] and surface_count[s] count the
  // pairs (surface_key[s], s); other pairs go to surface_counts, packed as (key id, surface id).
  std::vector<std::string> surfaces;
  absl::flat_hash_map<std::string, std::int32_t> surface_ids;
  std::vector<std::int32_t> surface_key;
  std::vector<std::int64_t> surface_count;
  absl::flat_hash_map<std::uint64_t, std::int64_t> surface_counts;
};

// The analysed form of one document: (lexicon key id, weighted count) sorted by key, and length.
struct DocTerms {
  std::vector<std::pair<std::int32_t, double>> terms;
  double length = 0.0;
};

std::int32_t intern(absl::flat_hash_map<std::string, std::int32_t>& ids,
                    std::vector<std::string>& names, const std::string& s) {
  auto [it, fresh] = ids.try_emplace(s, static_cast<std::int32_t>(names.size()));
  if (fresh) names.push_back(s);
  return it->second;
}

// Sums the weights of each key in occurrence order, then sorts by key and sums the length in key
// order, as a std::map keyed by the term would.
void aggregate(const std::vector<NewsOccurrence>& occ, Lexicon& chunk, bool want_surfaces,
               std::vector<std::int32_t>& slot, DocTerms& d) {
  d.terms.clear();
  auto key_id = [&](const NewsOccurrence& o) {
    const std::size_t before = chunk.keys.size();
    const std::int32_t id = intern(chunk.key_ids, chunk.keys, o.key);
    if (chunk.keys.size() != before) chunk.kinds.push_back(o.kind);
    return id;
  };
  for (const auto& o : occ) {
    std::int32_t id = -1;
    if (want_surfaces) {
      const std::int32_t s = intern(chunk.surface_ids, chunk.surfaces, o.surface);
      if (chunk.surface_key.size() < chunk.surfaces.size()) {
        chunk.surface_key.push_back(-1);
        chunk.surface_count.push_back(0);
      }
      const auto si = static_cast<std::size_t>(s);
      const std::int32_t known = chunk.surface_key[si];
      if (known >= 0 && chunk.keys[static_cast<std::size_t>(known)] == o.key) {
        id = known;
        ++chunk.surface_count[si];
      } else {
        id = key_id(o);
        if (known < 0) {
          chunk.surface_key[si] = id;
          ++chunk.surface_count[si];
        } else {
          ++chunk.surface_counts[(static_cast<std::uint64_t>(id) << 32) |
                                 static_cast<std::uint32_t>(s)];
        }
      }
    } else {
      id = key_id(o);
    }
    if (slot.size() <= static_cast<std::size_t>(id)) slot.resize(chunk.keys.size() * 2, -1);
    std::int32_t& at = slot[static_cast<std::size_t>(id)];
    if (at < 0) {
      at = static_cast<std::int32_t>(d.terms.size());
      d.terms.emplace_back(id, 0.0);
    }
    d.terms[static_cast<std::size_t>(at)].second += o.weight;
  }
  for (const auto& [id, w] : d.terms) slot[static_cast<std::size_t>(id)] = -1;
  std::sort(d.terms.begin(), d.terms.end(), [&](const auto& a, const auto& b) {
    return chunk.keys[static_cast<std::size_t>(a.first)] <
           chunk.keys[static_cast<std::size_t>(b.first)];
  });
  d.length = 0.0;
  for (const auto& [id, w] : d.terms) d.length += w;
}

constexpr std::size_t kChunk = 64;

struct Analysed {
  std::vector<Lexicon> lexicons;        // one per worker
  std::vector<std::size_t> lexicon_of;  // by chunk
  std::vector<DocTerms> docs;
};

// Analyses all documents on `threads` threads; surface counts when asked.
Analysed analyze_all(const NewsAnalyzer& analyzer, const NewsDocuments& docs, int threads,
                     bool want_surfaces) {
  Analysed a;
  a.docs.resize(docs.size());
  const std::size_t chunks = (docs.size() + kChunk - 1) / kChunk;
  a.lexicons.resize(static_cast<std::size_t>(std::max(1, threads)));
  a.lexicon_of.resize(chunks);
  std::vector<std::vector<std::int32_t>> slots(a.lexicons.size());
  std::vector<std::unique_ptr<NewsAnalyzer::Workspace>> workspaces(
      static_cast<std::size_t>(std::max(1, threads)));
  detail::parallel_for(chunks, threads, [&](std::size_t c, std::size_t worker) {
    auto& ws = workspaces[worker];
    if (!ws) ws = std::make_unique<NewsAnalyzer::Workspace>(analyzer);
    Lexicon& chunk = a.lexicons[worker];
    a.lexicon_of[c] = worker;
    std::vector<NewsOccurrence> occ;
    std::vector<std::int32_t>& slot = slots[worker];
    const std::size_t end = std::min(docs.size(), (c + 1) * kChunk);
    for (std::size_t i = c * kChunk; i < end; ++i) {
      analyzer.occurrences(docs[i], *ws, occ, i);
      aggregate(occ, chunk, want_surfaces, slot, a.docs[i]);
    }
  });
  return a;
}

struct Weigher {
  const NewsWeightingOptions& w;
  const std::vector<double>& idf;
  double avgdl;
  double pivot;

  // Weights one row in place (values[k] holds tf of column cols[k]); returns |w| before
  // normalisation.
  double weigh(const std::vector<std::int32_t>& cols, std::vector<double>& values,
               double dl) const {
    double norm2 = 0.0;
    for (std::size_t k = 0; k < cols.size(); ++k) {
      const double tf = values[k];
      const double id = idf[static_cast<std::size_t>(cols[k])];
      double v = 0.0;
      if (w.scheme == NewsScheme::bm25) {
        const double ratio = avgdl > 0.0 ? dl / avgdl : 1.0;
        v = id * tf * (w.k1 + 1.0) / (tf + w.k1 * (1.0 - w.b + w.b * ratio));
      } else {
        const double t = w.sublinear_tf && tf >= 1.0 ? 1.0 + std::log(tf) : tf;
        v = t * id;
      }
      values[k] = v;
      norm2 += v * v;
    }
    return std::sqrt(norm2);
  }

  void normalise(std::vector<double>& values, double length) const {
    if (length <= 0.0 || w.norm == NewsNorm::none) return;
    const double d = w.norm == NewsNorm::l2 ? length
                                            : (1.0 - w.slope) * pivot + w.slope * length;
    if (!(d > 0.0)) return;
    for (double& v : values) v /= d;
  }
};

struct Row {
  std::vector<std::int32_t> cols;
  std::vector<double> values;
  double length = 0.0;  // |w| before normalisation
};

// Columns and weighted (not normalised) values of each document; columns[c][id] is the column
// of local key id of chunk c, or -1 when the key is not in the vocabulary.
std::vector<Row> weigh_rows(const Analysed& analysed,
                            const std::vector<std::vector<std::int32_t>>& columns,
                            const Weigher& weigher, int threads) {
  const std::vector<DocTerms>& docs = analysed.docs;
  std::vector<Row> rows(docs.size());
  const std::size_t chunks = (docs.size() + kChunk - 1) / kChunk;
  detail::parallel_for(chunks, threads, [&](std::size_t c, std::size_t) {
    const std::vector<std::int32_t>& col = columns[analysed.lexicon_of[c]];
    const std::size_t end = std::min(docs.size(), (c + 1) * kChunk);
    for (std::size_t i = c * kChunk; i < end; ++i) {
      Row& r = rows[i];
      r.cols.reserve(docs[i].terms.size());
      r.values.reserve(docs[i].terms.size());
      for (const auto& [id, tf] : docs[i].terms) {
        const std::int32_t j = col[static_cast<std::size_t>(id)];
        if (j < 0) continue;
        r.cols.push_back(j);  // keys and columns are both sorted
        r.values.push_back(tf);
      }
      r.length = weigher.weigh(r.cols, r.values, docs[i].length);
    }
  });
  return rows;
}

CsrMatrix<double> assemble(std::vector<Row>& rows, std::size_t cols, const Weigher& weigher) {
  CsrMatrix<double> m;
  m.rows = static_cast<std::int64_t>(rows.size());
  m.cols = static_cast<std::int64_t>(cols);
  m.indptr = Buffer<std::int64_t>(rows.size() + 1);
  std::size_t nnz = 0;
  m.indptr[0] = 0;
  for (std::size_t i = 0; i < rows.size(); ++i) {
    nnz += rows[i].cols.size();
    m.indptr[i + 1] = static_cast<std::int64_t>(nnz);
  }
  m.indices = Buffer<std::int32_t>(nnz);
  m.data = Buffer<double>(nnz);
  std::size_t at = 0;
  for (Row& r : rows) {
    weigher.normalise(r.values, r.length);
    std::copy(r.cols.begin(), r.cols.end(), m.indices.begin() + at);
    std::copy(r.values.begin(), r.values.end(), m.data.begin() + at);
    at += r.cols.size();
    r = Row();
  }
  return m;
}

// The vocabulary column of every chunk-local key (-1: not in the vocabulary).
std::vector<std::vector<std::int32_t>> columns_of(const Analysed& analysed, const Vocabulary& v,
                                                  int threads) {
  absl::flat_hash_map<std::string_view, std::int32_t> index;
  index.reserve(v.size());
  for (std::size_t j = 0; j < v.size(); ++j) {
    index.emplace(v.views()[j], static_cast<std::int32_t>(j));
  }
  std::vector<std::vector<std::int32_t>> columns(analysed.lexicons.size());
  detail::parallel_for(analysed.lexicons.size(), threads, [&](std::size_t c, std::size_t) {
    const Lexicon& chunk = analysed.lexicons[c];
    columns[c].resize(chunk.keys.size(), -1);
    for (std::size_t id = 0; id < chunk.keys.size(); ++id) {
      auto it = index.find(chunk.keys[id]);
      if (it != index.end()) columns[c][id] = it->second;
    }
  });
  return columns;
}

}  // namespace

NewsVectorizer::NewsVectorizer(NewsVectorizerOptions options)
    : options_((options.validate(), std::move(options))), analyzer_(options_.analysis) {}

void NewsVectorizer::require_fitted() const {
  if (!fitted_) {
    throw NotFittedError(
        "This NewsVectorizer instance is not fitted yet. Call 'fit' with appropriate arguments "
        "before using this estimator.");
  }
}

const Vocabulary& NewsVectorizer::vocabulary() const { return require_fitted(), vocabulary_; }
const std::vector<TermKind>& NewsVectorizer::term_kinds() const { return require_fitted(), kinds_; }
const std::vector<std::string>& NewsVectorizer::feature_names() const {
  return require_fitted(), labels_;
}
const std::vector<double>& NewsVectorizer::idf() const { return require_fitted(), idf_; }
const std::vector<std::int64_t>& NewsVectorizer::document_frequencies() const {
  return require_fitted(), df_;
}
std::int64_t NewsVectorizer::n_documents() const { return require_fitted(), n_documents_; }
double NewsVectorizer::average_length() const { return require_fitted(), avgdl_; }
double NewsVectorizer::pivot() const { return require_fitted(), pivot_; }

std::vector<std::int32_t> NewsVectorizer::name_columns() const {
  require_fitted();
  std::vector<std::int32_t> out;
  for (std::size_t j = 0; j < kinds_.size(); ++j) {
    if (kinds_[j] == TermKind::name) out.push_back(static_cast<std::int32_t>(j));
  }
  return out;
}

std::vector<NewsTerm> NewsVectorizer::analyze(const NewsDocument& doc) const {
  return analyzer_.analyze(doc);
}

std::vector<NewsOccurrence> NewsVectorizer::occurrences(const NewsDocument& doc) const {
  return analyzer_.occurrences(doc);
}

CsrMatrix<double> NewsVectorizer::fit_impl(const NewsDocuments& docs, bool want_rows) {
  if (docs.empty()) {
    throw InvalidArgument("cannot fit a NewsVectorizer on an empty corpus (no documents)");
  }
  const int threads = detail::resolve_threads(options_.n_jobs);
  Analysed analysed = analyze_all(analyzer_, docs, threads, true);

  // Global ids over all lexicons.
  absl::flat_hash_map<std::string_view, std::int32_t> global;
  std::vector<std::string_view> global_keys;
  std::vector<TermKind> global_kinds;
  std::vector<std::vector<std::int32_t>> to_global(analysed.lexicons.size());
  {
    std::size_t total = 0;
    for (const Lexicon& chunk : analysed.lexicons) total += chunk.keys.size();
    global.reserve(total);
    global_keys.reserve(total);
    global_kinds.reserve(total);
  }
  for (std::size_t c = 0; c < analysed.lexicons.size(); ++c) {
    const Lexicon& chunk = analysed.lexicons[c];
    to_global[c].resize(chunk.keys.size());
    for (std::size_t id = 0; id < chunk.keys.size(); ++id) {
      auto [it, fresh] =
          global.try_emplace(chunk.keys[id], static_cast<std::int32_t>(global_keys.size()));
      if (fresh) {
        global_keys.push_back(chunk.keys[id]);
        global_kinds.push_back(chunk.kinds[id]);
      }
      to_global[c][id] = it->second;
    }
  }
  global.clear();
  // Document frequencies and the total length, in document order.
  std::vector<std::int64_t> df(global_keys.size(), 0);
  double total_length = 0.0;
  for (std::size_t c = 0; c < analysed.lexicon_of.size(); ++c) {
    const std::vector<std::int32_t>& g = to_global[analysed.lexicon_of[c]];
    const std::size_t end = std::min(docs.size(), (c + 1) * kChunk);
    for (std::size_t i = c * kChunk; i < end; ++i) {
      const DocTerms& d = analysed.docs[i];
      total_length += d.length;
      for (const auto& [id, tf] : d.terms) ++df[static_cast<std::size_t>(g[id])];
    }
  }
  if (global_keys.empty()) {
    throw InvalidArgument("empty vocabulary; perhaps the documents only contain stop words");
  }
  const auto n = static_cast<std::int64_t>(docs.size());
  const double max_doc = options_.max_df.documents(n);
  const double min_doc = options_.min_df.documents(n);
  if (max_doc < min_doc) throw InvalidArgument("max_df corresponds to < documents than min_df");
  std::vector<std::int32_t> kept;
  for (std::size_t g = 0; g < global_keys.size(); ++g) {
    const auto d = static_cast<double>(df[g]);
    if (d >= min_doc && d <= max_doc) kept.push_back(static_cast<std::int32_t>(g));
  }
  if (kept.empty()) {
    throw InvalidArgument("After pruning, no terms remain. Try a lower min_df or a higher max_df.");
  }
  std::sort(kept.begin(), kept.end(), [&](std::int32_t x, std::int32_t y) {
    return global_keys[static_cast<std::size_t>(x)] < global_keys[static_cast<std::size_t>(y)];
  });
  std::vector<std::int32_t> column(global_keys.size(), -1);
  for (std::size_t j = 0; j < kept.size(); ++j) {
    column[static_cast<std::size_t>(kept[j])] = static_cast<std::int32_t>(j);
  }

  // The most frequent surface over all lexicons; ties go to the smallest.
  absl::flat_hash_map<std::string_view, std::int32_t> surface_index;
  std::vector<std::string_view> surface_names;
  absl::flat_hash_map<std::uint64_t, std::int64_t> surface_totals;
  {
    std::size_t total = 0, pairs = 0;
    for (const Lexicon& chunk : analysed.lexicons) {
      total += chunk.surfaces.size();
      pairs += chunk.surfaces.size() + chunk.surface_counts.size();
    }
    surface_index.reserve(total);
    surface_names.reserve(total);
    surface_totals.reserve(pairs);
  }
  for (std::size_t c = 0; c < analysed.lexicons.size(); ++c) {
    const Lexicon& chunk = analysed.lexicons[c];
    std::vector<std::int32_t> to_surface(chunk.surfaces.size());
    for (std::size_t s = 0; s < chunk.surfaces.size(); ++s) {
      to_surface[s] = surface_index
                          .try_emplace(chunk.surfaces[s],
                                       static_cast<std::int32_t>(surface_names.size()))
                          .first->second;
      if (static_cast<std::size_t>(to_surface[s]) == surface_names.size()) {
        surface_names.push_back(chunk.surfaces[s]);
      }
    }
    const std::vector<std::int32_t>& g = to_global[c];
    auto add = [&](std::uint64_t packed, std::int64_t count) {
      const std::int32_t key = g[static_cast<std::size_t>(packed >> 32)];
      if (column[static_cast<std::size_t>(key)] < 0) return;
      const std::int32_t surface = to_surface[static_cast<std::size_t>(packed & 0xffffffffu)];
      surface_totals[(static_cast<std::uint64_t>(column[static_cast<std::size_t>(key)]) << 32) |
                     static_cast<std::uint32_t>(surface)] += count;
    };
    for (std::size_t s = 0; s < chunk.surface_key.size(); ++s) {
      if (chunk.surface_key[s] < 0) continue;
      add((static_cast<std::uint64_t>(chunk.surface_key[s]) << 32) |
              static_cast<std::uint32_t>(s),
          chunk.surface_count[s]);
    }
    for (const auto& [packed, count] : chunk.surface_counts) add(packed, count);
  }
  std::vector<std::int64_t> best(kept.size(), 0);
  std::vector<std::int32_t> best_surface(kept.size(), -1);
  for (const auto& [packed, count] : surface_totals) {
    const auto j = static_cast<std::size_t>(packed >> 32);
    const auto s = static_cast<std::int32_t>(packed & 0xffffffffu);
    if (count > best[j] ||
        (count == best[j] && best_surface[j] >= 0 &&
         surface_names[static_cast<std::size_t>(s)] <
             surface_names[static_cast<std::size_t>(best_surface[j])])) {
      best[j] = count;
      best_surface[j] = s;
    }
  }
  surface_totals.clear();

  std::vector<std::string> terms(kept.size());
  std::vector<TermKind> kinds(kept.size());
  std::vector<std::int64_t> dfs(kept.size());
  std::vector<double> idf(kept.size());
  std::vector<std::string> labels(kept.size());
  const auto N = static_cast<double>(n);
  for (std::size_t j = 0; j < kept.size(); ++j) {
    const auto g = static_cast<std::size_t>(kept[j]);
    terms[j] = std::string(global_keys[g]);
    kinds[j] = global_kinds[g];
    dfs[j] = df[g];
    const auto d = static_cast<double>(df[g]);
    idf[j] = options_.weighting.scheme == NewsScheme::bm25
                 ? std::log(1.0 + (N - d + 0.5) / (d + 0.5))
                 : std::log((1.0 + N) / (1.0 + d)) + 1.0;
    if (best_surface[j] >= 0) {
      labels[j] = std::string(surface_names[static_cast<std::size_t>(best_surface[j])]);
    }
  }
  std::vector<std::vector<std::int32_t>> columns(analysed.lexicons.size());
  for (std::size_t c = 0; c < analysed.lexicons.size(); ++c) {
    columns[c].resize(to_global[c].size());
    for (std::size_t id = 0; id < to_global[c].size(); ++id) {
      columns[c][id] = column[static_cast<std::size_t>(to_global[c][id])];
    }
  }

  vocabulary_ = Vocabulary(std::move(terms), Vocabulary::Unique{});
  kinds_ = std::move(kinds);
  labels_ = std::move(labels);
  idf_ = std::move(idf);
  df_ = std::move(dfs);
  n_documents_ = n;
  avgdl_ = total_length / N;
  pivot_ = 0.0;
  fitted_ = true;

  const bool pivoted = options_.weighting.norm == NewsNorm::pivoted;
  if (!want_rows && !pivoted) return {};
  Weigher weigher{options_.weighting, idf_, avgdl_, 0.0};
  std::vector<Row> rows = weigh_rows(analysed, columns, weigher, threads);
  analysed = Analysed();
  if (pivoted) {
    double sum = 0.0;
    std::int64_t count = 0;
    for (const Row& r : rows) {
      if (r.length > 0.0) sum += r.length, ++count;
    }
    pivot_ = count > 0 ? sum / static_cast<double>(count) : 0.0;
    weigher.pivot = pivot_;
  }
  if (!want_rows) return {};
  return assemble(rows, vocabulary_.size(), weigher);
}

void NewsVectorizer::fit(const NewsDocuments& docs) { fit_impl(docs, false); }

CsrMatrix<double> NewsVectorizer::fit_transform(const NewsDocuments& docs) {
  return fit_impl(docs, true);
}

CsrMatrix<double> NewsVectorizer::transform(const NewsDocuments& docs) const {
  require_fitted();
  const int threads = detail::resolve_threads(options_.n_jobs);
  const Analysed analysed = analyze_all(analyzer_, docs, threads, false);
  const Weigher weigher{options_.weighting, idf_, avgdl_, pivot_};
  std::vector<Row> rows =
      weigh_rows(analysed, columns_of(analysed, vocabulary_, threads), weigher, threads);
  return assemble(rows, vocabulary_.size(), weigher);
}

// ---- Model files ----------------------------------------------------------------------------

namespace {

constexpr std::string_view kFormat = "newsim.news_vectorizer";
constexpr int kFormatVersion = 1;

nlohmann::json bound_json(const DfBound& b) {
  if (b.is_fraction) return nlohmann::json{{"fraction", b.value}};
  return nlohmann::json{{"count", static_cast<std::int64_t>(b.value)}};
}

DfBound bound_from(const nlohmann::json& j) {
  if (j.contains("fraction")) return DfBound::fraction(j.at("fraction").get<double>());
  return DfBound::count(j.at("count").get<std::int64_t>());
}

}  // namespace

std::string NewsVectorizer::to_json() const {
  using nlohmann::json;
  const NewsAnalyzerOptions& a = options_.analysis;
  const NewsWeightingOptions& w = options_.weighting;
  json opts{
      {"language", a.language},
      {"fold_spelling", a.fold_spelling},
      {"stop_words", a.stop_words},
      {"names", a.names},
      {"title_weight", a.title_weight},
      {"lead_weight", a.lead_weight},
      {"lead_words", a.lead_words},
      {"decode_error", to_string(a.decode_error)},
      {"scheme", to_string(w.scheme)},
      {"k1", w.k1},
      {"b", w.b},
      {"sublinear_tf", w.sublinear_tf},
      {"norm", w.norm == NewsNorm::none ? json(nullptr) : json(to_string(w.norm))},
      {"slope", w.slope},
      {"min_df", bound_json(options_.min_df)},
      {"max_df", bound_json(options_.max_df)},
      {"n_jobs", options_.n_jobs},
  };
  json model = model_io::new_model(kFormat, kFormatVersion);
  model["options"] = std::move(opts);
  model["fitted"] = fitted_;
  if (fitted_) {
    std::vector<std::string> kinds;
    kinds.reserve(kinds_.size());
    for (TermKind k : kinds_) kinds.emplace_back(to_string(k));
    model["n_documents"] = n_documents_;
    model["average_length"] = avgdl_;
    model["pivot"] = pivot_;
    model["vocabulary"] = vocabulary_.terms();
    model["kinds"] = kinds;
    model["feature_names"] = labels_;
    model["idf"] = idf_;
    model["df"] = df_;
  }
  return model_io::dump(model);
}

NewsVectorizer NewsVectorizer::from_json(std::string_view text, std::string_view origin) {
  const nlohmann::json model = model_io::parse_model(text, origin, kFormat, kFormatVersion);
  return model_io::guarded(origin, [&] {
    const nlohmann::json& j = model.at("options");
    NewsVectorizerOptions o;
    o.analysis.language = j.at("language").get<std::string>();
    o.analysis.fold_spelling = j.at("fold_spelling").get<bool>();
    o.analysis.stop_words = j.at("stop_words").get<std::vector<std::string>>();
    o.analysis.names = j.at("names").get<bool>();
    o.analysis.title_weight = j.at("title_weight").get<double>();
    o.analysis.lead_weight = j.at("lead_weight").get<double>();
    o.analysis.lead_words = j.at("lead_words").get<int>();
    o.analysis.decode_error = parse_decode_errors(j.at("decode_error").get<std::string>());
    o.weighting.scheme = parse_news_scheme(j.at("scheme").get<std::string>());
    o.weighting.k1 = j.at("k1").get<double>();
    o.weighting.b = j.at("b").get<double>();
    o.weighting.sublinear_tf = j.at("sublinear_tf").get<bool>();
    o.weighting.norm =
        parse_news_norm(j.at("norm").is_null() ? std::string() : j.at("norm").get<std::string>());
    o.weighting.slope = j.at("slope").get<double>();
    o.min_df = bound_from(j.at("min_df"));
    o.max_df = bound_from(j.at("max_df"));
    o.n_jobs = j.at("n_jobs").get<int>();
    NewsVectorizer v(std::move(o));
    if (!model.at("fitted").get<bool>()) return v;
    auto terms = model.at("vocabulary").get<std::vector<std::string>>();
    const auto kinds = model.at("kinds").get<std::vector<std::string>>();
    auto labels = model.at("feature_names").get<std::vector<std::string>>();
    auto idf = model.at("idf").get<std::vector<double>>();
    auto df = model.at("df").get<std::vector<std::int64_t>>();
    const std::size_t n = terms.size();
    if (kinds.size() != n || labels.size() != n || idf.size() != n || df.size() != n) {
      throw ModelFormatError("vocabulary, kinds, feature_names, idf and df differ in length");
    }
    if (n == 0) throw ModelFormatError("a fitted model has an empty vocabulary");
    v.kinds_.resize(n);
    for (std::size_t k = 0; k < n; ++k) {
      if (kinds[k] != "word" && kinds[k] != "name") {
        throw ModelFormatError("kinds[" + std::to_string(k) + "] is '" + kinds[k] +
                               "', not 'word' or 'name'");
      }
      v.kinds_[k] = kinds[k] == "name" ? TermKind::name : TermKind::word;
      const bool prefixed = !terms[k].empty() && terms[k][0] == kNamePrefix;
      if (prefixed != (v.kinds_[k] == TermKind::name)) {
        throw ModelFormatError("term '" + terms[k] + "' does not match its kind");
      }
      if (k > 0 && !(terms[k - 1] < terms[k])) {
        throw ModelFormatError("the vocabulary is not sorted and distinct at term " +
                               std::to_string(k));
      }
      if (!model_io::valid_idf(idf[k], 0.0)) {
        std::ostringstream value;
        value << idf[k];
        throw ModelFormatError("idf[" + std::to_string(k) + "] = " + value.str() +
                               " is not a valid idf (a number in [0, 1 + ln(2^63)])");
      }
    }
    v.n_documents_ = model.at("n_documents").get<std::int64_t>();
    v.avgdl_ = model.at("average_length").get<double>();
    v.pivot_ = model.at("pivot").get<double>();
    if (v.n_documents_ < 1 || !std::isfinite(v.avgdl_) || v.avgdl_ < 0.0 ||
        !std::isfinite(v.pivot_) || v.pivot_ < 0.0) {
      throw ModelFormatError("n_documents, average_length or pivot is out of range");
    }
    v.vocabulary_ = Vocabulary(std::move(terms), Vocabulary::Unique{});
    v.labels_ = std::move(labels);
    v.idf_ = std::move(idf);
    v.df_ = std::move(df);
    v.fitted_ = true;
    return v;
  });
}

void NewsVectorizer::save(const std::string& path) const { model_io::write_file(path, to_json()); }

NewsVectorizer NewsVectorizer::load(const std::string& path) {
  return from_json(model_io::read_file(path), "file '" + path + "'");
}

}  // namespace newsim

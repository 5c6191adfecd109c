#include "newsim/vectorizer.hpp"

#include <climits>
#include <cmath>
#include <sstream>
#include <mutex>

#include "newsim/detail/parallel.hpp"
#include "newsim/detail/term_counts.hpp"
#include "newsim/detail/rows.hpp"
#include "model_io.hpp"
#include "newsim/errors.hpp"

namespace newsim {

using detail::RowChunk;

Norm parse_norm(std::string_view name) {
  if (name.empty()) return Norm::none;
  if (name == "l1") return Norm::l1;
  if (name == "l2") return Norm::l2;
  throw InvalidArgument("norm must be None, 'l1' or 'l2'; got '" + std::string(name) + "'");
}

std::string_view to_string(Norm norm) {
  switch (norm) {
    case Norm::none: return "";
    case Norm::l1: return "l1";
    case Norm::l2: return "l2";
  }
  return "";
}

VectorizerOptions VectorizerOptions::counts() {
  VectorizerOptions o;
  o.use_idf = false;
  o.norm = Norm::none;
  return o;
}

void VectorizerOptions::validate() const {
  analysis.validate();
  prune.validate();
  if (vocabulary && vocabulary->empty()) throw InvalidArgument("empty vocabulary passed to fit");
}

Documents as_documents(const std::vector<std::string>& texts) {
  Documents docs;
  docs.reserve(texts.size());
  for (const auto& t : texts) docs.emplace_back(t);
  return docs;
}

namespace {

// Counts the terms of each document of a chunk into rows of (id, count): ids come from `stats`
// (interning new terms) or from `vocab` (ignoring unknown terms).
class CountSink final : public Analyzer::TermSink {
 public:
  CountSink(RowChunk& chunk, detail::TermCounts* stats, const Vocabulary* vocab,
            std::vector<std::int32_t>& where)
      : chunk_(chunk), stats_(stats), vocab_(vocab), where_(where) {}

  void start_document(std::size_t doc_index) {
    // Row positions are 32-bit: a chunk (1 MiB of text, or one larger document) stays below.
    if (chunk_.entries() > static_cast<std::size_t>(INT32_MAX / 2)) {
      throw InvalidArgument("document " + std::to_string(doc_index) +
                            " is too large: more than 2^30 terms in one block of documents");
    }
    row_start_ = static_cast<std::int32_t>(chunk_.entries());
  }

  void operator()(std::string_view term) override {
    if (stats_ != nullptr) {
      add_interned(stats_->intern(term));
      return;
    }
    const std::int32_t id = vocab_->find(term);
    if (id < 0) return;
    std::int32_t& pos = where_[static_cast<std::size_t>(id)];
    add(id, pos);
  }

  void terms(const std::string_view* terms, std::size_t n) override {
    if (stats_ == nullptr) {
      for (std::size_t i = 0; i < n; ++i) (*this)(terms[i]);
      return;
    }
    static_assert(Analyzer::TermSink::kTermPadding >= 16, "intern_many_padded reads 16 bytes");
    stats_->intern_many_padded(terms, n, batch_ids_);
    if (stats_->table.size() > RowChunk::kPackedIds) chunk_.widen();
    const std::size_t done = chunk_.packed ? count_packed(n) : 0;
    if (done == n) return;
    chunk_.widen();  // a count outgrew 16 bits
    count_wide(done, n);
  }

  // add() for batch_ids_[i], i in [0, n), into packed rows, without its branch on whether the
  // term is new to the row (it is about half the time); stops before a count would overflow.
  std::size_t count_packed(std::size_t n) {
    std::size_t size = chunk_.cells.size();
    chunk_.cells.resize(size + n);  // uninitialised (PageAllocator)
    std::uint32_t* cells = chunk_.cells.data();
    std::size_t i = 0;
    for (; i < n; ++i) {
      const std::int32_t id = batch_ids_[i];
      std::int32_t& pos = stats_->table.scratch(id);
      const bool seen = pos >= row_start_;
      cells[size] = static_cast<std::uint32_t>(id) << 16;
      const std::size_t at = seen ? static_cast<std::size_t>(pos) : size;
      const std::uint32_t cell = cells[at] + 1;
      if ((cell & RowChunk::kPackedCount) == 0) break;
      cells[at] = cell;
      pos = static_cast<std::int32_t>(at);
      size += seen ? 0 : 1;
    }
    chunk_.cells.resize(size);
    return i;
  }

  // count_packed() for batch_ids_[i], i in [begin, n), into the two arrays.
  void count_wide(std::size_t begin, std::size_t n) {
    std::size_t size = chunk_.ids.size();
    chunk_.ids.resize(size + n - begin);  // uninitialised (PageAllocator)
    chunk_.counts.resize(size + n - begin);
    std::int32_t* ids = chunk_.ids.data();
    std::int32_t* counts = chunk_.counts.data();
    for (std::size_t i = begin; i < n; ++i) {
      const std::int32_t id = batch_ids_[i];
      std::int32_t& pos = stats_->table.scratch(id);
      const bool seen = pos >= row_start_;
      counts[size] = 0;
      const std::size_t at = seen ? static_cast<std::size_t>(pos) : size;
      ids[at] = id;
      counts[at] += 1;
      pos = static_cast<std::int32_t>(at);
      size += seen ? 0 : 1;
    }
    chunk_.ids.resize(size);
    chunk_.counts.resize(size);
  }

  // Counts one occurrence of interned term `id`, whose place in the current row is kept beside
  // its key in the table.
  void add_interned(std::int32_t id) {
    std::int32_t& pos = stats_->table.scratch(id);
    if (chunk_.packed) {
      if (static_cast<std::size_t>(id) < RowChunk::kPackedIds) {
        if (pos < row_start_) {
          pos = static_cast<std::int32_t>(chunk_.cells.size());
          chunk_.cells.push_back((static_cast<std::uint32_t>(id) << 16) | 1u);
          return;
        }
        std::uint32_t& cell = chunk_.cells[static_cast<std::size_t>(pos)];
        if ((cell & RowChunk::kPackedCount) != RowChunk::kPackedCount) {
          ++cell;
          return;
        }
      }
      chunk_.widen();
    }
    add(id, pos);
  }

  // Counts one occurrence of `id`; `pos` is its place in the chunk's entries, or stale.
  void add(std::int32_t id, std::int32_t& pos) {
    if (pos >= row_start_) {  // seen in this document
      ++chunk_.counts[static_cast<std::size_t>(pos)];
      return;
    }
    pos = static_cast<std::int32_t>(chunk_.ids.size());
    chunk_.ids.push_back(id);
    chunk_.counts.push_back(1);
  }

  // Closes the row; without `keep`, only the statistics are kept.
  void end_document(bool keep) {
    const auto start = static_cast<std::size_t>(row_start_);
    const std::size_t end = chunk_.entries();
    detail::with_entries(chunk_, [&](const auto& entries) {
      if (stats_ != nullptr) {
        for (std::size_t k = start; k < end; ++k) {
          stats_->df[entries.id(k)] += 1;
          stats_->tf[entries.id(k)] += entries.count(k);
        }
      }
      if (!keep) {
        // The positions are reused by the next document: forget them.
        for (std::size_t k = start; k < end; ++k) {
          const auto id = static_cast<std::int32_t>(entries.id(k));
          (stats_ != nullptr ? stats_->table.scratch(id) : where_[static_cast<std::size_t>(id)]) = -1;
        }
      }
    });
    if (keep) {
      chunk_.row_nnz.push_back(static_cast<std::uint32_t>(end - start));
    } else if (chunk_.packed) {
      chunk_.cells.resize(start);
    } else {
      chunk_.ids.resize(start);
      chunk_.counts.resize(start);
    }
  }

 private:
  RowChunk& chunk_;
  detail::TermCounts* stats_;
  const Vocabulary* vocab_;
  std::vector<std::int32_t>& where_;  // transform: the term's place in the current row
  std::vector<std::int32_t> batch_ids_;
  std::int32_t row_start_ = 0;
};

struct Counted {
  std::vector<RowChunk> chunks;
  VocabularyStats merged;                    // when interning: all chunks' statistics
  std::vector<std::vector<std::int32_t>> maps;  // chunk c's ids -> merged ids
};

// One parallel pass of analysis and counting over all documents. When interning, each chunk's
// statistics are merged as soon as the chunk is done, so that memory holds only the chunks in
// flight, and each worker reuses its table for its next chunk; merged ids depend on completion
// order, final ids (sorted) do not.
Counted count_documents(const Documents& docs, const Analyzer& analyzer, const Vocabulary* vocab,
                        bool keep_rows, int threads, const InterruptCheck* interrupted) {
  Counted out;
  out.chunks = detail::chunk_documents(docs);
  if (vocab == nullptr) out.maps.resize(out.chunks.size());
  std::mutex merge_mutex;
  std::vector<Analyzer::Workspace> workspaces(static_cast<std::size_t>(threads));
  std::vector<std::vector<std::int32_t>> wheres(static_cast<std::size_t>(threads));
  std::vector<detail::TermCounts> tables(vocab == nullptr ? static_cast<std::size_t>(threads) : 0);
  detail::parallel_for(out.chunks.size(), threads, [&](std::size_t c, std::size_t worker) {
    RowChunk& chunk = out.chunks[c];
    detail::TermCounts* stats = vocab == nullptr ? &tables[worker] : nullptr;
    if (stats != nullptr) stats->clear();
    std::vector<std::int32_t>& where = wheres[worker];
    where.assign(vocab != nullptr ? vocab->size() : 0, -1);
    chunk.packed = stats != nullptr;  // ids local to the chunk: they pack while below 2^16
    if (keep_rows) detail::reserve_rows(chunk, docs);
    CountSink sink(chunk, stats, vocab, where);
    for (std::size_t i = chunk.begin; i < chunk.end; ++i) {
      detail::poll_point();
      sink.start_document(i);
      analyzer.analyze(docs[i], workspaces[worker], sink, i);
      sink.end_document(keep_rows);
    }
    if (stats != nullptr) {
      stats->n_documents = static_cast<std::int64_t>(chunk.end - chunk.begin);
      std::lock_guard<std::mutex> lock(merge_mutex);
      out.maps[c] = detail::StatsAccess::merge(out.merged, *stats);
    }
  }, interrupted);
  return out;
}

const InterruptCheck* check_of(const VectorizerOptions& o) {
  return o.interrupted ? &o.interrupted : nullptr;
}

// Between stages that each take seconds on a large corpus (merging, sorting, pruning).
void poll(const InterruptCheck* interrupted) {
  if (interrupted != nullptr && (*interrupted)()) throw Interrupted();
}

detail::Weighting weighting_of(const VectorizerOptions& o, const std::vector<double>& idf) {
  detail::Weighting w;
  w.binary = o.binary;
  w.sublinear_tf = o.sublinear_tf;
  w.idf = o.use_idf ? idf.data() : nullptr;
  w.norm = o.norm == Norm::l2 ? 2 : o.norm == Norm::l1 ? 1 : 0;
  return w;
}

std::vector<std::int64_t> column_df(const std::vector<RowChunk>& chunks, std::size_t cols) {
  std::vector<std::int64_t> df(cols, 0);
  for (const auto& ch : chunks) {
    for (std::int32_t id : ch.ids) ++df[static_cast<std::size_t>(id)];
  }
  return df;
}

}  // namespace

Vectorizer::Vectorizer(VectorizerOptions options)
    : options_((options.validate(), std::move(options))), analyzer_(options_.analysis) {
  if (options_.vocabulary) vocabulary_ = Vocabulary(*options_.vocabulary);
}

void Vectorizer::require_fitted() const {
  if (!fitted_) {
    throw NotFittedError(
        "This Vectorizer instance is not fitted yet. Call 'fit' with appropriate arguments "
        "before using this estimator.");
  }
}

const Vocabulary& Vectorizer::vocabulary() const {
  if (!fitted_ && !fixed_vocabulary()) throw NotFittedError("Vocabulary not fitted or provided");
  return vocabulary_;
}

const std::vector<double>& Vectorizer::idf() const {
  require_fitted();
  if (!options_.use_idf) throw NotFittedError("idf is not computed when use_idf is False");
  return idf_;
}

namespace {

// Throws Error naming the first value that no ln(n / df) + 1 can take.
template <class Error>
void check_idf(const std::vector<double>& idf) {
  for (std::size_t j = 0; j < idf.size(); ++j) {
    if (!model_io::valid_idf(idf[j], 1.0)) {
      std::ostringstream value;
      value << idf[j];
      throw Error("idf[" + std::to_string(j) + "] = " + value.str() +
                  " is not a valid idf (ln(n / df) + 1 lies in [1, 1 + ln(2^63)])");
    }
  }
}

}  // namespace

std::vector<double> idf_from_df(const std::vector<std::int64_t>& df, std::int64_t n_documents,
                                bool smooth) {
  std::vector<double> idf(df.size());
  const double add = smooth ? 1.0 : 0.0;
  const double n = static_cast<double>(n_documents) + add;
  for (std::size_t j = 0; j < df.size(); ++j) {
    idf[j] = std::log(n / (static_cast<double>(df[j]) + add)) + 1.0;
  }
  return idf;
}

void Vectorizer::set_idf_from_df(const std::vector<std::int64_t>& df, std::int64_t n_documents) {
  idf_.clear();
  if (options_.use_idf) idf_ = idf_from_df(df, n_documents, options_.smooth_idf);
}

void Vectorizer::set_idf(std::vector<double> idf) {
  if (!options_.use_idf) throw InvalidArgument("`idf_` cannot be set when `use_idf=False`.");
  if (!fitted_ && !fixed_vocabulary()) {
    throw InvalidArgument("idf_ can be set once the vocabulary is known: after fit, or with a "
                          "fixed vocabulary");
  }
  if (idf.size() != vocabulary_.size()) {
    throw InvalidArgument("idf length = " + std::to_string(idf.size()) +
                          " must be equal to vocabulary size = " +
                          std::to_string(vocabulary_.size()));
  }
  check_idf<InvalidArgument>(idf);
  idf_ = std::move(idf);
  fitted_ = true;
}

VocabularyStats Vectorizer::statistics(const Documents& docs) const {
  const int threads = detail::resolve_threads(options_.n_jobs);
  return std::move(count_documents(docs, analyzer_, nullptr, false, threads, check_of(options_)).merged);
}

void Vectorizer::fit_statistics(const VocabularyStats& stats) {
  const InterruptCheck* interrupted = check_of(options_);
  if (fixed_vocabulary()) {
    std::vector<std::int64_t> df(vocabulary_.size(), 0);
    for (std::size_t j = 0; j < vocabulary_.size(); ++j) {
      const std::int32_t id = stats.find(vocabulary_.term(static_cast<std::int32_t>(j)));
      if (id >= 0) df[j] = stats.document_frequency(id);
    }
    set_idf_from_df(df, stats.n_documents());
  } else {
    PruneOptions prune_options = options_.prune;
    prune_options.rank_by_df = options_.binary;
    poll(interrupted);
    PrunedVocabulary pruned =
        prune(stats, prune_options, detail::resolve_threads(options_.n_jobs), interrupted);
    poll(interrupted);
    vocabulary_ = std::move(pruned.vocabulary);
    pruned_terms_ = std::move(pruned.pruned_terms);
    set_idf_from_df(pruned.df, stats.n_documents());
  }
  n_documents_ = stats.n_documents();
  fitted_ = true;
}

void Vectorizer::fit(const Documents& docs) {
  if (fixed_vocabulary()) {
    const int threads = detail::resolve_threads(options_.n_jobs);
    Counted counted =
        count_documents(docs, analyzer_, &vocabulary_, true, threads, check_of(options_));
    set_idf_from_df(column_df(counted.chunks, vocabulary_.size()),
                    static_cast<std::int64_t>(docs.size()));
    n_documents_ = static_cast<std::int64_t>(docs.size());
    fitted_ = true;
    return;
  }
  fit_statistics(statistics(docs));
}

template <class T>
CsrMatrix<T> Vectorizer::fit_transform(const Documents& docs) {
  const int threads = detail::resolve_threads(options_.n_jobs);
  const InterruptCheck* interrupted = check_of(options_);
  if (fixed_vocabulary()) {
    Counted counted = count_documents(docs, analyzer_, &vocabulary_, true, threads, interrupted);
    set_idf_from_df(column_df(counted.chunks, vocabulary_.size()),
                    static_cast<std::int64_t>(docs.size()));
    n_documents_ = static_cast<std::int64_t>(docs.size());
    fitted_ = true;
    detail::sort_all_rows(counted.chunks, threads, interrupted);
    return detail::assemble<T>(counted.chunks, docs.size(),
                               static_cast<std::int64_t>(vocabulary_.size()),
                               weighting_of(options_, idf_), threads, interrupted);
  }
  Counted counted = count_documents(docs, analyzer_, nullptr, true, threads, interrupted);
  poll(interrupted);
  counted.merged.compact();  // no more lookups: the table's memory is better spent on the result
  poll(interrupted);
  PruneOptions prune_options = options_.prune;
  prune_options.rank_by_df = options_.binary;
  PrunedVocabulary pruned = prune(counted.merged, prune_options, threads, interrupted);
  poll(interrupted);
  const std::int64_t n_documents = counted.merged.n_documents();
  counted.merged = VocabularyStats();  // free it before the matrix is built
  detail::parallel_for(counted.maps.size(), threads, [&](std::size_t c, std::size_t) {
    for (auto& id : counted.maps[c]) id = pruned.id_map[static_cast<std::size_t>(id)];
  }, interrupted);
  vocabulary_ = std::move(pruned.vocabulary);
  pruned_terms_ = std::move(pruned.pruned_terms);
  set_idf_from_df(pruned.df, n_documents);
  n_documents_ = n_documents;
  fitted_ = true;
  pruned = PrunedVocabulary();
  return detail::remap_assemble<T>(counted.chunks, counted.maps, docs.size(),
                                   static_cast<std::int64_t>(vocabulary_.size()),
                                   weighting_of(options_, idf_), threads, interrupted);
}

template <class T>
CsrMatrix<T> Vectorizer::transform(const Documents& docs) const {
  if (!fitted_ && !(fixed_vocabulary() && !options_.use_idf)) {
    if (!fixed_vocabulary()) throw NotFittedError("Vocabulary not fitted or provided");
    throw NotFittedError("The TF-IDF vectorizer is not fitted");
  }
  const int threads = detail::resolve_threads(options_.n_jobs);
  const InterruptCheck* interrupted = check_of(options_);
  Counted counted = count_documents(docs, analyzer_, &vocabulary_, true, threads, interrupted);
  detail::sort_all_rows(counted.chunks, threads, interrupted);
  return detail::assemble<T>(counted.chunks, docs.size(),
                             static_cast<std::int64_t>(vocabulary_.size()),
                             weighting_of(options_, idf_), threads, interrupted);
}

template CsrMatrix<double> Vectorizer::fit_transform<double>(const Documents&);
template CsrMatrix<float> Vectorizer::fit_transform<float>(const Documents&);
template CsrMatrix<std::int64_t> Vectorizer::fit_transform<std::int64_t>(const Documents&);
template CsrMatrix<std::int32_t> Vectorizer::fit_transform<std::int32_t>(const Documents&);
template CsrMatrix<double> Vectorizer::transform<double>(const Documents&) const;
template CsrMatrix<float> Vectorizer::transform<float>(const Documents&) const;
template CsrMatrix<std::int64_t> Vectorizer::transform<std::int64_t>(const Documents&) const;
template CsrMatrix<std::int32_t> Vectorizer::transform<std::int32_t>(const Documents&) const;

void Vectorizer::set_fitted_state(Vocabulary vocabulary, std::vector<double> idf,
                                  std::vector<std::string> pruned_terms,
                                  std::int64_t n_documents) {
  if (options_.use_idf && idf.size() != vocabulary.size()) {
    throw ModelFormatError("idf has " + std::to_string(idf.size()) + " values for " +
                           std::to_string(vocabulary.size()) + " terms");
  }
  check_idf<ModelFormatError>(idf);
  vocabulary_ = std::move(vocabulary);
  idf_ = std::move(idf);
  pruned_terms_ = std::move(pruned_terms);
  n_documents_ = n_documents;
  fitted_ = true;
}

// ---- Model files ----------------------------------------------------------------------------

namespace {

constexpr std::string_view kFormat = "newsim.vectorizer";
constexpr int kFormatVersion = 1;

nlohmann::json df_bound_json(const DfBound& b) {
  if (b.is_fraction) return nlohmann::json{{"fraction", b.value}};
  return nlohmann::json{{"count", static_cast<std::int64_t>(b.value)}};
}

DfBound df_bound_from(const nlohmann::json& j) {
  if (j.contains("fraction")) return DfBound::fraction(j.at("fraction").get<double>());
  return DfBound::count(j.at("count").get<std::int64_t>());
}

}  // namespace

std::string Vectorizer::to_json() const {
  using nlohmann::json;
  const VectorizerOptions& o = options_;
  json opts = model_io::analysis_to_json(o.analysis);
  opts["min_df"] = df_bound_json(o.prune.min_df);
  opts["max_df"] = df_bound_json(o.prune.max_df);
  opts["max_features"] = o.prune.max_features ? json(*o.prune.max_features) : json(nullptr);
  opts["vocabulary"] = o.vocabulary ? json(*o.vocabulary) : json(nullptr);
  opts["binary"] = o.binary;
  opts["use_idf"] = o.use_idf;
  opts["smooth_idf"] = o.smooth_idf;
  opts["sublinear_tf"] = o.sublinear_tf;
  opts["norm"] = model_io::norm_to_json(o.norm);
  opts["n_jobs"] = o.n_jobs;
  json model = model_io::new_model(kFormat, kFormatVersion);
  model["options"] = std::move(opts);
  model["fitted"] = fitted_;
  if (fitted_) {
    model["n_documents"] = n_documents_;
    model["vocabulary"] = vocabulary_.terms();
    model["idf"] = idf_;
    model["pruned_terms"] = pruned_terms_;
  }
  return model_io::dump(model);
}

Vectorizer Vectorizer::from_json(std::string_view text, std::string_view origin) {
  const nlohmann::json model = model_io::parse_model(text, origin, kFormat, kFormatVersion);
  return model_io::guarded(origin, [&] {
    const nlohmann::json& j = model.at("options");
    VectorizerOptions o;
    o.analysis = model_io::analysis_from_json(j);
    o.prune.min_df = df_bound_from(j.at("min_df"));
    o.prune.max_df = df_bound_from(j.at("max_df"));
    if (!j.at("max_features").is_null()) o.prune.max_features = j.at("max_features").get<std::int64_t>();
    if (!j.at("vocabulary").is_null()) o.vocabulary = j.at("vocabulary").get<std::vector<std::string>>();
    o.binary = j.at("binary").get<bool>();
    o.use_idf = j.at("use_idf").get<bool>();
    o.smooth_idf = j.at("smooth_idf").get<bool>();
    o.sublinear_tf = j.at("sublinear_tf").get<bool>();
    o.norm = model_io::norm_from_json(j.at("norm"));
    o.n_jobs = j.at("n_jobs").get<int>();
    Vectorizer v(std::move(o));
    if (model.at("fitted").get<bool>()) {
      v.set_fitted_state(Vocabulary(model.at("vocabulary").get<std::vector<std::string>>()),
                         model.at("idf").get<std::vector<double>>(),
                         model.at("pruned_terms").get<std::vector<std::string>>(),
                         model.at("n_documents").get<std::int64_t>());
    }
    return v;
  });
}

void Vectorizer::save(const std::string& path) const { model_io::write_file(path, to_json()); }

Vectorizer Vectorizer::load(const std::string& path) {
  return from_json(model_io::read_file(path), "file '" + path + "'");
}

}  // namespace newsim

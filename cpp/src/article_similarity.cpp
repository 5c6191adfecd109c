#include "newsim/article_similarity.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <numeric>
#include <utility>

#include <absl/container/flat_hash_map.h>
#include <utf8proc.h>

#include "cells.hpp"
#include "model_io.hpp"
#include "newsim/detail/collect.hpp"
#include "newsim/detail/parallel.hpp"
#include "newsim/errors.hpp"

namespace newsim {

namespace {

constexpr int kFormatVersion = 1;
constexpr std::string_view kFormat = "newsim.article_similarity";
// Query rows scored together: one GEMM against every fitted article. Fixed, so that each
// latent score comes from the same product whatever the thread count.
constexpr std::int64_t kBlockRows = 64;
constexpr double kNoise = 1e-9;

CsrRef ref(const CsrMatrix<double>& m) { return CsrRef(m); }

// Rows scaled to unit length (zero rows stay zero), in place.
void normalize_rows(CsrMatrix<double>& m) {
  for (std::int64_t i = 0; i < m.rows; ++i) {
    const auto b = static_cast<std::size_t>(m.indptr[static_cast<std::size_t>(i)]);
    const auto e = static_cast<std::size_t>(m.indptr[static_cast<std::size_t>(i) + 1]);
    const double s =
        detail::row_scale(m.data.data() + b, static_cast<std::int64_t>(e - b), Metric::cosine);
    if (s == 0) continue;
    for (std::size_t k = b; k < e; ++k) m.data[k] /= s;
  }
}

void normalize_rows(DenseMatrix& z) {
  for (Eigen::Index i = 0; i < z.rows(); ++i) {
    const double n = z.row(i).norm();
    if (n > 0) z.row(i) /= n;
  }
}

// The columns `keep` (ascending) of m, renumbering nothing.
CsrMatrix<double> restrict_columns(const CsrMatrix<double>& m, const std::vector<char>& keep) {
  std::size_t nnz = 0;
  for (std::size_t k = 0; k < m.nnz(); ++k) nnz += keep[static_cast<std::size_t>(m.indices[k])];
  CsrMatrix<double> out;
  out.rows = m.rows;
  out.cols = m.cols;
  out.indptr = Buffer<std::int64_t>(static_cast<std::size_t>(m.rows) + 1);
  out.indices = Buffer<std::int32_t>(nnz);
  out.data = Buffer<double>(nnz);
  std::size_t at = 0;
  out.indptr[0] = 0;
  for (std::int64_t i = 0; i < m.rows; ++i) {
    for (auto k = m.indptr[static_cast<std::size_t>(i)];
         k < m.indptr[static_cast<std::size_t>(i) + 1]; ++k) {
      const auto uk = static_cast<std::size_t>(k);
      if (!keep[static_cast<std::size_t>(m.indices[uk])]) continue;
      out.indices[at] = m.indices[uk];
      out.data[at++] = m.data[uk];
    }
    out.indptr[static_cast<std::size_t>(i) + 1] = static_cast<std::int64_t>(at);
  }
  return out;
}

bool row_empty(const CsrMatrix<double>& m, std::int64_t i) {
  return m.indptr[static_cast<std::size_t>(i)] == m.indptr[static_cast<std::size_t>(i) + 1];
}

// Sparse dot product of two rows with sorted columns.
double row_dot(const CsrMatrix<double>& a, std::int64_t i, const CsrMatrix<double>& b,
               std::int64_t j) {
  auto p = a.indptr[static_cast<std::size_t>(i)];
  const auto pe = a.indptr[static_cast<std::size_t>(i) + 1];
  auto q = b.indptr[static_cast<std::size_t>(j)];
  const auto qe = b.indptr[static_cast<std::size_t>(j) + 1];
  double s = 0;
  while (p < pe && q < qe) {
    const auto ca = a.indices[static_cast<std::size_t>(p)];
    const auto cb = b.indices[static_cast<std::size_t>(q)];
    if (ca < cb) {
      ++p;
    } else if (cb < ca) {
      ++q;
    } else {
      s += a.data[static_cast<std::size_t>(p++)] * b.data[static_cast<std::size_t>(q++)];
    }
  }
  return s;
}

// Columns of a matrix as postings lists (rows ascending), values scaled by `scale`.
struct Postings {
  std::vector<std::int64_t> start;  // cols + 1
  std::vector<std::int32_t> row;
  std::vector<double> value;
};

Postings invert(const CsrMatrix<double>& m, double scale) {
  Postings p;
  p.start.assign(static_cast<std::size_t>(m.cols) + 1, 0);
  for (std::size_t k = 0; k < m.nnz(); ++k) ++p.start[static_cast<std::size_t>(m.indices[k]) + 1];
  for (std::size_t c = 0; c < static_cast<std::size_t>(m.cols); ++c) p.start[c + 1] += p.start[c];
  p.row.resize(m.nnz());
  p.value.resize(m.nnz());
  std::vector<std::int64_t> fill(p.start.begin(), p.start.end() - 1);
  for (std::int64_t i = 0; i < m.rows; ++i) {
    for (auto k = m.indptr[static_cast<std::size_t>(i)];
         k < m.indptr[static_cast<std::size_t>(i) + 1]; ++k) {
      const auto c = static_cast<std::size_t>(m.indices[static_cast<std::size_t>(k)]);
      const auto at = static_cast<std::size_t>(fill[c]++);
      p.row[at] = static_cast<std::int32_t>(i);
      p.value[at] = m.data[static_cast<std::size_t>(k)] * scale;
    }
  }
  return p;
}

// Calls visit(v, r, at) for each posting of row i of q from `min_row` on: v the row's value for
// the column, r the indexed row, at the posting's position in p.
template <class Visit>
void for_postings(const Postings& p, const CsrMatrix<double>& q, std::int64_t i,
                  std::int64_t min_row, Visit&& visit) {
  for (auto k = q.indptr[static_cast<std::size_t>(i)];
       k < q.indptr[static_cast<std::size_t>(i) + 1]; ++k) {
    const double v = q.data[static_cast<std::size_t>(k)];
    const auto c = static_cast<std::size_t>(q.indices[static_cast<std::size_t>(k)]);
    const auto* first = p.row.data() + p.start[c];
    const auto* last = p.row.data() + p.start[c + 1];
    if (min_row > 0) first = std::lower_bound(first, last, min_row);
    for (const auto* r = first; r != last; ++r) visit(v, *r, static_cast<std::size_t>(r - p.row.data()));
  }
}

// Adds row i of q times the indexed rows from `min_row` on to acc.
void add_row(const Postings& p, const CsrMatrix<double>& q, std::int64_t i, double scale,
             double* acc, std::int64_t min_row = 0) {
  for_postings(p, q, i, min_row, [&](double v, std::int32_t r, std::size_t at) {
    acc[r] += v * scale * p.value[at];
  });
}

// Sets back to 0 what add_row(p, q, i, ..., acc, min_row) wrote.
void clear_row(const Postings& p, const CsrMatrix<double>& q, std::int64_t i, double* acc,
               std::int64_t min_row = 0) {
  for_postings(p, q, i, min_row, [&](double, std::int32_t r, std::size_t) { acc[r] = 0.0; });
}

void check_times(const std::vector<double>* times, std::size_t n) {
  if (times != nullptr && times->size() != n) {
    throw InvalidArgument("times has " + std::to_string(times->size()) + " entries for " +
                          std::to_string(n) + " documents");
  }
}

// Code unit i of a view (ASCII delimiters are single units in every encoding).
char32_t unit(const TextView& t, std::size_t i) {
  switch (t.encoding) {
    case Encoding::utf8:
    case Encoding::latin1:
      return static_cast<unsigned char>(static_cast<const char*>(t.data)[i]);
    case Encoding::ucs2:
      return static_cast<const std::uint16_t*>(t.data)[i];
    case Encoding::ucs4:
      return static_cast<const std::uint32_t*>(t.data)[i];
  }
  return 0;
}

std::size_t unit_size(Encoding e) { return e == Encoding::ucs2 ? 2 : e == Encoding::ucs4 ? 4 : 1; }

TextView sub(const TextView& t, std::size_t b, std::size_t e) {
  return TextView(static_cast<const char*>(t.data) + b * unit_size(t.encoding), e - b, t.encoding);
}

// Unit i is a space. In UTF-8 the byte 0xA0 is a continuation byte ("à" is C3 A0), not NBSP.
bool space(const TextView& t, std::size_t i) {
  const char32_t c = unit(t, i);
  return c == ' ' || c == '\t' || c == '\r' || (c == 0xA0 && t.encoding != Encoding::utf8);
}

char32_t lower(char32_t c) { return c >= 'A' && c <= 'Z' ? c + 32 : c; }

// [b, e) trimmed of spaces.
void trim(const TextView& t, std::size_t& b, std::size_t& e) {
  while (b < e && space(t, b)) ++b;
  while (e > b && space(t, e - 1)) --e;
}

bool starts_with_ci(const TextView& t, std::size_t b, std::size_t e, std::string_view p) {
  if (e - b < p.size()) return false;
  for (std::size_t k = 0; k < p.size(); ++k) {
    if (lower(unit(t, b + k)) != static_cast<char32_t>(p[k])) return false;
  }
  return true;
}

// "Name: value" with a name of letters, digits and '-' starting with a letter.
bool header_line(const TextView& t, std::size_t b, std::size_t e) {
  if (b >= e || lower(unit(t, b)) < 'a' || lower(unit(t, b)) > 'z') return false;
  for (std::size_t k = b; k < e; ++k) {
    const char32_t c = lower(unit(t, k));
    if (c == ':') return k + 1 == e || space(t, k + 1);
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) return false;
  }
  return false;
}

}  // namespace

TextView derived_title(TextView text) {
  const std::size_t n = text.size;
  auto line_end = [&](std::size_t b) {
    while (b < n && unit(text, b) != '\n') ++b;
    return b;
  };
  // A header block: header lines up to the first blank line, at least two of them.
  {
    std::size_t b = 0;
    int headers = 0;
    std::size_t sb = 0, se = 0;
    bool subject = false;
    while (b < n) {
      const std::size_t e = line_end(b);
      std::size_t tb = b, te = e;
      trim(text, tb, te);
      if (tb == te) break;
      if (!header_line(text, b, e)) {
        headers = 0;
        break;
      }
      ++headers;
      if (!subject && starts_with_ci(text, b, e, "subject:")) {
        subject = true;
        sb = b + 8;
        se = e;
      }
      b = e + 1;
    }
    if (headers >= 2 && subject) {
      trim(text, sb, se);
      while (starts_with_ci(text, sb, se, "re:")) {
        sb += 3;
        trim(text, sb, se);
      }
      return sub(text, sb, se);
    }
  }
  // Else the first non-blank line, when short and followed by more text.
  std::size_t b = 0;
  while (b < n) {
    const std::size_t e = line_end(b);
    std::size_t tb = b, te = e;
    trim(text, tb, te);
    if (tb < te) {
      int words = 1;
      for (std::size_t k = tb; k < te; ++k) words += space(text, k) && !space(text, k + 1);
      std::size_t rest = e;
      while (rest < n && (unit(text, rest) == '\n' || space(text, rest))) ++rest;
      if (words <= 20 && rest < n) return sub(text, tb, te);
      return sub(text, 0, 0);
    }
    b = e + 1;
  }
  return sub(text, 0, 0);
}

namespace {

CsrMatrix<double> csr_rows(const CsrMatrix<double>& m, const std::vector<std::int64_t>& rows) {
  std::size_t nnz = 0;
  for (auto r : rows) {
    nnz += static_cast<std::size_t>(m.indptr[static_cast<std::size_t>(r) + 1] -
                                    m.indptr[static_cast<std::size_t>(r)]);
  }
  CsrMatrix<double> out;
  out.rows = static_cast<std::int64_t>(rows.size());
  out.cols = m.cols;
  out.indptr = Buffer<std::int64_t>(rows.size() + 1);
  out.indices = Buffer<std::int32_t>(nnz);
  out.data = Buffer<double>(nnz);
  out.indptr[0] = 0;
  std::size_t at = 0;
  for (std::size_t k = 0; k < rows.size(); ++k) {
    const auto b = static_cast<std::size_t>(m.indptr[static_cast<std::size_t>(rows[k])]);
    const auto e = static_cast<std::size_t>(m.indptr[static_cast<std::size_t>(rows[k]) + 1]);
    std::copy(m.indices.data() + b, m.indices.data() + e, out.indices.data() + at);
    std::copy(m.data.data() + b, m.data.data() + e, out.data.data() + at);
    at += e - b;
    out.indptr[k + 1] = static_cast<std::int64_t>(at);
  }
  return out;
}

}  // namespace

ArticleVectors select_rows(const ArticleVectors& v, const std::vector<std::int64_t>& rows) {
  for (auto r : rows) {
    if (r < 0 || r >= v.rows()) {
      throw IndexOutOfRange("article " + std::to_string(r) + " out of range for " +
                            std::to_string(v.rows()) + " articles");
    }
  }
  ArticleVectors out;
  out.terms = csr_rows(v.terms, rows);
  out.names = csr_rows(v.names, rows);
  out.titles = csr_rows(v.titles, rows);
  out.latent = DenseMatrix(static_cast<Eigen::Index>(rows.size()), v.latent.cols());
  for (std::size_t k = 0; k < rows.size(); ++k) {
    out.latent.row(static_cast<Eigen::Index>(k)) = v.latent.row(rows[k]);
    out.times.push_back(v.times[static_cast<std::size_t>(rows[k])]);
  }
  return out;
}

void ArticleSimilarityOptions::validate() const {
  terms.validate();
  auto weight = [](const char* name, double w) {
    if (!(w >= 0) || !std::isfinite(w)) {
      throw InvalidArgument(std::string(name) + " must be a finite number >= 0; got " +
                            std::to_string(w));
    }
  };
  weight("terms_weight", terms_weight);
  weight("names_weight", names_weight);
  weight("title_weight", title_weight);
  weight("latent_weight", latent_weight);
  if (terms_weight + names_weight + title_weight + latent_weight <= 0) {
    throw InvalidArgument("the component weights must not all be 0");
  }
  if (n_components < 0) {
    throw InvalidArgument("n_components must be >= 0; got " + std::to_string(n_components));
  }
  if (n_iter < 0) throw InvalidArgument("n_iter must be >= 0; got " + std::to_string(n_iter));
  if (!(time_scale > 0) || !std::isfinite(time_scale)) {
    throw InvalidArgument("time_scale must be a finite number of seconds > 0; got " +
                          std::to_string(time_scale));
  }
  if (!(time_floor >= 0 && time_floor <= 1)) {
    throw InvalidArgument("time_floor must be in [0, 1]; got " + std::to_string(time_floor));
  }
}

struct ArticleSimilarity::State {
  NewsVectorizer vectorizer;
  bool latent = false;
  Lsa lsa;
  bool titles = false;
  std::vector<char> is_name;  // by column
  // Readable-label keys by column: the id of the case-folded label, and the ids of its words
  // (a name's) at word_keys[word_ptr[c] .. word_ptr[c + 1]).
  std::vector<std::int32_t> label_key;
  std::vector<std::int64_t> word_ptr;
  std::vector<std::int32_t> word_keys;
  // Weights that apply (latent 0 without a latent part); title applies per pair.
  double w_terms = 0, w_names = 0, w_title = 0, w_latent = 0;
  ArticleVectors fitted;
  bool has_fitted = false;
  Postings terms_index, names_index, titles_index;
};

ArticleSimilarity::ArticleSimilarity(ArticleSimilarityOptions options)
    : options_(std::move(options)) {
  options_.validate();
}

const ArticleSimilarity::State& ArticleSimilarity::state() const {
  if (!state_) throw NotFittedError("ArticleSimilarity is not fitted yet; call fit first");
  return *state_;
}

const NewsVectorizer& ArticleSimilarity::vectorizer() const { return state().vectorizer; }
bool ArticleSimilarity::has_latent() const { return state().latent; }
const Lsa& ArticleSimilarity::lsa() const {
  if (!state().latent) throw NotFittedError("this ArticleSimilarity has no latent part");
  return state_->lsa;
}
bool ArticleSimilarity::has_titles() const { return state().titles; }

const ArticleVectors& ArticleSimilarity::fitted() const {
  if (!state().has_fitted) {
    throw NotFittedError(
        "this ArticleSimilarity holds no fitted articles (a loaded model "
        "without them); call fit or set_fitted_articles");
  }
  return state_->fitted;
}

namespace {

void set_weights(ArticleSimilarity::State& s, const ArticleSimilarityOptions& o) {
  s.w_terms = o.terms_weight;
  s.w_names = o.names_weight;
  s.w_latent = s.latent ? o.latent_weight : 0.0;
  s.w_title = s.titles ? o.title_weight : 0.0;
  if (s.w_terms + s.w_latent <= 0) {
    // Names and titles count only for some pairs: keep the terms so every pair has a score.
    s.w_terms = 1.0;
  }
}

// The names and latent rows, which follow from the (unit) terms rows.
void derive_names_and_latent(const ArticleSimilarity::State& s, ArticleVectors& v) {
  v.names = restrict_columns(v.terms, s.is_name);
  normalize_rows(v.names);
  if (s.latent) {
    v.latent = s.lsa.transform(CsrRef(v.terms));
    normalize_rows(v.latent);
  } else {
    v.latent = DenseMatrix(static_cast<Eigen::Index>(v.terms.rows), 0);
  }
}

// The vectors of docs whose terms rows (unit length) are `terms`.
ArticleVectors vectors_of(const ArticleSimilarity::State& s, const NewsDocuments& docs,
                          const std::vector<double>* times, CsrMatrix<double> terms) {
  check_times(times, docs.size());
  ArticleVectors v;
  v.terms = std::move(terms);
  NewsDocuments titles(docs.size());
  for (std::size_t i = 0; i < docs.size(); ++i) titles[i].title = docs[i].title;
  v.titles = s.vectorizer.transform(titles);
  normalize_rows(v.titles);
  derive_names_and_latent(s, v);
  v.times = times != nullptr
                ? *times
                : std::vector<double>(docs.size(), std::numeric_limits<double>::quiet_NaN());
  return v;
}

void index_fitted(ArticleSimilarity::State& s) {
  s.terms_index = invert(s.fitted.terms, std::sqrt(s.w_terms));
  s.names_index = invert(s.fitted.names, 1.0);
  s.titles_index = invert(s.fitted.titles, 1.0);
  s.has_fitted = true;
}

}  // namespace

namespace {

std::string case_folded(const std::string& label) {
  utf8proc_uint8_t* out = nullptr;
  const utf8proc_ssize_t n = utf8proc_map(reinterpret_cast<const utf8proc_uint8_t*>(label.data()),
                                          static_cast<utf8proc_ssize_t>(label.size()), &out,
                                          UTF8PROC_CASEFOLD);
  if (n < 0) return label;  // labels are valid UTF-8; keep the label as it is otherwise
  std::string folded(reinterpret_cast<const char*>(out), static_cast<std::size_t>(n));
  std::free(out);
  return folded;
}

// The name columns and the readable-label keys (State) of the fitted vocabulary.
void set_columns(ArticleSimilarity::State& s) {
  const std::vector<std::string>& labels = s.vectorizer.feature_names();
  s.is_name.assign(labels.size(), 0);
  for (std::int32_t c : s.vectorizer.name_columns()) s.is_name[static_cast<std::size_t>(c)] = 1;
  absl::flat_hash_map<std::string, std::int32_t> ids;
  auto id = [&](std::string key) {
    return ids.try_emplace(std::move(key), static_cast<std::int32_t>(ids.size())).first->second;
  };
  s.label_key.clear();
  s.word_ptr.assign(1, 0);
  s.word_keys.clear();
  for (const std::string& label : labels) {
    const std::string folded = case_folded(label);
    s.label_key.push_back(id(folded));
    if (folded.find(' ') != std::string::npos) {
      for (std::size_t b = 0, e; b <= folded.size(); b = e + 1) {
        e = std::min(folded.find(' ', b), folded.size());
        if (e > b) s.word_keys.push_back(id(folded.substr(b, e - b)));
      }
    }
    s.word_ptr.push_back(static_cast<std::int64_t>(s.word_keys.size()));
  }
}

// Keeps, in order, at most `top` (< 0: all) of the items, leaving out repeats (see the header).
template <class Item, class TermOf>
void keep_distinct(const ArticleSimilarity::State& s, std::vector<Item>& items, int top,
                   TermOf term_of) {
  std::vector<std::int32_t> seen;
  std::size_t kept = 0;
  for (std::size_t k = 0; k < items.size(); ++k) {
    if (top >= 0 && kept == static_cast<std::size_t>(top)) break;
    const auto c = static_cast<std::size_t>(term_of(items[k]));
    if (std::find(seen.begin(), seen.end(), s.label_key[c]) != seen.end()) continue;
    seen.push_back(s.label_key[c]);
    seen.insert(seen.end(), s.word_keys.begin() + s.word_ptr[c],
                s.word_keys.begin() + s.word_ptr[c + 1]);
    items[kept++] = items[k];
  }
  items.resize(kept);
}

// keep_distinct on each item of flat term lists.
TermLists distinct_lists(const ArticleSimilarity::State& s, const TermLists& in, int top) {
  TermLists out;
  std::vector<std::pair<std::int32_t, double>> item;
  for (std::size_t p = 0; p + 1 < in.offsets.size(); ++p) {
    item.clear();
    for (auto k = in.offsets[p]; k < in.offsets[p + 1]; ++k) {
      item.emplace_back(in.terms[static_cast<std::size_t>(k)], in.values[static_cast<std::size_t>(k)]);
    }
    keep_distinct(s, item, top, [](const auto& e) { return e.first; });
    for (const auto& [t, v] : item) {
      out.terms.push_back(t);
      out.values.push_back(v);
    }
    out.offsets.push_back(static_cast<std::int64_t>(out.terms.size()));
  }
  return out;
}

}  // namespace

ArticleSimilarity& ArticleSimilarity::fit(const NewsDocuments& docs,
                                          const std::vector<double>* times) {
  if (docs.empty()) throw InvalidArgument("no documents to fit");
  check_times(times, docs.size());
  auto s = std::make_shared<State>();
  s->vectorizer = NewsVectorizer(options_.terms);
  CsrMatrix<double> terms = s->vectorizer.fit_transform(docs);
  normalize_rows(terms);  // LSA, too, is fitted on unit rows
  set_columns(*s);
  s->titles = std::any_of(docs.begin(), docs.end(),
                          [](const NewsDocument& d) { return d.title.size != 0; });
  const std::int64_t k = std::min<std::int64_t>(options_.n_components,
                                                std::min<std::int64_t>(terms.rows, terms.cols) - 1);
  if (k >= 1 && options_.latent_weight > 0) {
    LsaOptions lo;
    lo.n_components = static_cast<int>(k);
    lo.n_iter = options_.n_iter;
    lo.random_state = options_.random_state;
    lo.n_jobs = options_.n_jobs;
    lo.interrupted = options_.interrupted;
    s->lsa = Lsa(lo);
    s->lsa.fit(CsrRef(terms));
    s->latent = true;
  }
  set_weights(*s, options_);
  s->fitted = vectors_of(*s, docs, times, std::move(terms));
  index_fitted(*s);
  state_ = std::move(s);
  return *this;
}

ArticleVectors ArticleSimilarity::transform(const NewsDocuments& docs,
                                            const std::vector<double>* times) const {
  const State& s = state();
  CsrMatrix<double> terms = s.vectorizer.transform(docs);
  normalize_rows(terms);
  return vectors_of(s, docs, times, std::move(terms));
}

void ArticleSimilarity::set_fitted_articles(ArticleVectors vectors) {
  const State& s = state();
  if (vectors.terms.cols != static_cast<std::int64_t>(s.vectorizer.vocabulary().size()) ||
      vectors.latent.cols() != (s.latent ? s.lsa.n_components() : 0)) {
    throw InvalidArgument("these vectors come from another model");
  }
  state_->fitted = std::move(vectors);
  index_fitted(*state_);
}

namespace {

struct PairScorer {
  const ArticleSimilarity::State& s;
  const ArticleSimilarityOptions& o;
  double time_factor(double ta, double tb) const {
    if (!std::isfinite(ta) || !std::isfinite(tb) || o.time_floor >= 1) return 1.0;
    return o.time_floor + (1 - o.time_floor) * std::exp(-std::fabs(ta - tb) / o.time_scale);
  }
  // acc: w_terms·cos_terms + w_latent·max(0, cos_latent); names, title: their cosines, which
  // count only when both articles have names (a title).
  // The score before its time factor (which is at most 1), so also a bound of the score.
  // The weights that apply to a pair.
  double weight_sum(bool names_apply, bool title_applies) const {
    return s.w_terms + s.w_latent + (names_apply ? s.w_names : 0.0) +
           (title_applies ? s.w_title : 0.0);
  }
  double untimed(double acc, double names, bool names_apply, double title,
                 bool title_applies) const {
    const double wsum = weight_sum(names_apply, title_applies);
    if (wsum <= 0) return 0.0;
    const double base = (acc + (names_apply ? s.w_names * names : 0.0) +
                         (title_applies ? s.w_title * title : 0.0)) /
                        wsum;
    // Below kNoise a base is rounding left by the latent product of unrelated articles.
    return base > kNoise ? std::sqrt(std::min(base, 1.0)) : 0.0;
  }
  double finish(double acc, double names, bool names_apply, double title, bool title_applies,
                double tf) const {
    return untimed(acc, names, names_apply, title, title_applies) * tf;
  }
  // The score of article i of a and j of b; dot(x, y, part) gives the cosine of their rows of
  // x and y (part 0 terms, 1 names, 2 titles), asked for names and titles only where both
  // articles have some.
  template <class Dot>
  double pair(const ArticleVectors& a, std::int64_t i, const ArticleVectors& b, std::int64_t j,
              Dot&& dot) const {
    double acc = s.w_terms * dot(a.terms, b.terms, 0);
    if (s.latent) acc += s.w_latent * std::max(0.0, a.latent.row(i).dot(b.latent.row(j)));
    const bool na = !row_empty(a.names, i) && !row_empty(b.names, j);
    const bool ta = s.titles && !row_empty(a.titles, i) && !row_empty(b.titles, j);
    return finish(acc, na ? dot(a.names, b.names, 1) : 0.0, na,
                  ta ? dot(a.titles, b.titles, 2) : 0.0, ta,
                  time_factor(a.times[static_cast<std::size_t>(i)],
                              b.times[static_cast<std::size_t>(j)]));
  }
};

}  // namespace

std::vector<double> ArticleSimilarity::score(const ArticleVectors& a,
                                             const ArticleVectors& b) const {
  const State& s = state();
  if (a.rows() != b.rows()) {
    throw InvalidArgument("score needs as many articles on each side; got " +
                          std::to_string(a.rows()) + " and " + std::to_string(b.rows()));
  }
  PairScorer ps{s, options_};
  std::vector<double> out(static_cast<std::size_t>(a.rows()));
  for (std::int64_t i = 0; i < a.rows(); ++i) {
    out[static_cast<std::size_t>(i)] = ps.pair(
        a, i, b, i,
        [&](const CsrMatrix<double>& x, const CsrMatrix<double>& y, int) { return row_dot(x, i, y, i); });
  }
  return out;
}

ArticleExplanation ArticleSimilarity::explain(const ArticleVectors& a, std::int64_t i,
                                              const ArticleVectors& b, std::int64_t j,
                                              int top) const {
  const State& s = state();
  if (i < 0 || i >= a.rows())
    throw IndexOutOfRange("article " + std::to_string(i) + " out of range");
  if (j < 0 || j >= b.rows())
    throw IndexOutOfRange("article " + std::to_string(j) + " out of range");
  PairScorer ps{s, options_};
  ArticleExplanation ex;
  const double ct = row_dot(a.terms, i, b.terms, j);
  const double cn = row_dot(a.names, i, b.names, j);
  const double cl = s.latent ? a.latent.row(i).dot(b.latent.row(j)) : 0.0;
  const bool title_applies = s.titles && !row_empty(a.titles, i) && !row_empty(b.titles, j);
  const double ch = title_applies ? row_dot(a.titles, i, b.titles, j) : 0.0;
  const bool names_apply = !row_empty(a.names, i) && !row_empty(b.names, j);
  const double wsum =
      s.w_terms + s.w_latent + (names_apply ? s.w_names : 0.0) + (title_applies ? s.w_title : 0.0);
  auto add = [&](const char* name, double w, double c) {
    const double wn = wsum > 0 ? w / wsum : 0.0;
    ex.components.push_back({name, wn, c, wn * c});
  };
  add("terms", s.w_terms, ct);
  add("names", names_apply ? s.w_names : 0.0, cn);
  add("title", title_applies ? s.w_title : 0.0, ch);
  add("latent", s.w_latent, std::max(0.0, cl));
  const double acc = s.w_terms * ct + s.w_latent * std::max(0.0, cl);
  ex.time_factor =
      ps.time_factor(a.times[static_cast<std::size_t>(i)], b.times[static_cast<std::size_t>(j)]);
  ex.base = 0;
  for (const auto& c : ex.components) ex.base += c.contribution;
  ex.score = ps.finish(acc, cn, names_apply, ch, title_applies, ex.time_factor);
  ex.terms = newsim::explain(ref(a.terms), i, ref(b.terms), j, top, Metric::dot);
  ex.names = newsim::explain(ref(a.names), i, ref(b.names), j, top, Metric::dot);
  if (s.latent && cl > 0) {
    // Raw latent coordinates z = x·V of the unit terms rows, and P x = V·z.
    const auto v = s.lsa.components();  // k × features, column-major
    const Eigen::Index k = v.rows();
    auto project = [&](const CsrMatrix<double>& m, std::int64_t r) {
      Eigen::VectorXd z = Eigen::VectorXd::Zero(k);
      for (auto t = m.indptr[static_cast<std::size_t>(r)];
           t < m.indptr[static_cast<std::size_t>(r) + 1]; ++t) {
        z += m.data[static_cast<std::size_t>(t)] * v.col(m.indices[static_cast<std::size_t>(t)]);
      }
      return z;
    };
    const Eigen::VectorXd za = project(a.terms, i);
    const Eigen::VectorXd zb = project(b.terms, j);
    const double norms = za.norm() * zb.norm();
    std::vector<TermContribution> terms;
    auto collect = [&](const CsrMatrix<double>& m, std::int64_t r, const Eigen::VectorXd& other,
                       bool from_a) {
      for (auto t = m.indptr[static_cast<std::size_t>(r)];
           t < m.indptr[static_cast<std::size_t>(r) + 1]; ++t) {
        const std::int32_t col = m.indices[static_cast<std::size_t>(t)];
        const double part = m.data[static_cast<std::size_t>(t)] * v.col(col).dot(other) / 2 / norms;
        auto it = std::find_if(terms.begin(), terms.end(),
                               [&](const TermContribution& c) { return c.term == col; });
        if (it == terms.end()) {
          terms.push_back({col, 0, 0, 0, 0});
          it = terms.end() - 1;
        }
        (from_a ? it->weight_a : it->weight_b) = m.data[static_cast<std::size_t>(t)];
        it->contribution += part;
      }
    };
    if (norms > 0) {
      collect(a.terms, i, zb, true);
      collect(b.terms, j, za, false);
    }
    for (auto& c : terms) c.share = cl > 0 ? c.contribution / cl : 0.0;
    std::sort(terms.begin(), terms.end(), [](const TermContribution& x, const TermContribution& y) {
      return x.contribution != y.contribution ? x.contribution > y.contribution : x.term < y.term;
    });
    if (top >= 0 && terms.size() > static_cast<std::size_t>(top))
      terms.resize(static_cast<std::size_t>(top));
    ex.latent_terms = std::move(terms);
  }
  return ex;
}

namespace {

// Per-thread buffers of score_block: the latent block (kBlockRows × n, allocated once) and one
// accumulator per component. names and title stay all 0 between rows (score_block clears what
// it wrote), so a row costs the postings it touches, not a pass over n.
struct Scratch {
  DenseMatrix latent;
  std::vector<double> acc, names, title;
};

std::vector<Scratch> scratch_for(int threads, std::int64_t n, bool latent) {
  std::vector<Scratch> scratch(static_cast<std::size_t>(std::max(1, threads)));
  for (auto& sc : scratch) {
    if (latent) sc.latent.resize(kBlockRows, n);
    sc.acc.assign(static_cast<std::size_t>(n), 0.0);
    sc.names.assign(static_cast<std::size_t>(n), 0.0);
    sc.title.assign(static_cast<std::size_t>(n), 0.0);
  }
  return scratch;
}

// Which fitted articles have names (bit 1) and a title (bit 0), read in score_block's inner
// loop.
struct RowFlags {
  std::vector<std::uint8_t> code;
  explicit RowFlags(const ArticleVectors& f) {
    const auto n = static_cast<std::size_t>(f.rows());
    code.resize(n);
    for (std::size_t j = 0; j < n; ++j) {
      const auto r = static_cast<std::int64_t>(j);
      code[j] = static_cast<std::uint8_t>((row_empty(f.names, r) ? 0 : 2) |
                                          (row_empty(f.titles, r) ? 0 : 1));
    }
  }
};

// Scores query rows [r0, r1) against every fitted article (or, for a join, those after the
// query) and calls emit(i, j, score) for each non-zero score, j ascending, that can reach
// floor(i, j). A pair whose untimed score (PairScorer::untimed, a bound of its score) is below
// the floor gets no time factor: callers pass the least score that can still matter (a top-k
// list's k-th score, a join's threshold), so results are those of scoring every pair.
// A first test on base · (1 / weight sum), against floor², lets most pairs go without a
// division or a square root; it rejects only pairs the exact test would (a 1e-6 margin).
template <class Floor, class Emit>
void score_block(const ArticleSimilarity::State& s, const ArticleSimilarityOptions& o,
                 const RowFlags& flags, const ArticleVectors& q, std::int64_t r0, std::int64_t r1,
                 bool self, bool upper_only, Scratch& scratch, Floor&& floor, Emit&& emit) {
  std::vector<double>& acc = scratch.acc;
  std::vector<double>& names = scratch.names;
  std::vector<double>& title = scratch.title;
  const ArticleVectors& f = s.fitted;
  const std::int64_t n = f.rows();
  const std::int64_t c0 = upper_only ? r0 + 1 : 0;  // first column any row of the block needs
  if (s.latent && c0 < n) {
    scratch.latent.topLeftCorner(r1 - r0, n - c0).noalias() =
        q.latent.middleRows(r0, r1 - r0) * f.latent.bottomRows(n - c0).transpose();
  }
  PairScorer ps{s, o};
  double inverse[4];  // 1 / weight sum by (names apply) · 2 + (title applies)
  for (int c = 0; c < 4; ++c) {
    const double wsum = ps.weight_sum((c & 2) != 0, (c & 1) != 0);
    inverse[c] = wsum > 0 ? 1 / wsum : 0.0;
  }
  constexpr double kLow = 1 - 1e-6;
  const std::uint8_t* f_code = flags.code.data();
  for (std::int64_t i = r0; i < r1; ++i) {
    const std::int64_t j0 = upper_only ? i + 1 : 0;
    if (j0 >= n) continue;
    if (s.latent) {
      const double* row = scratch.latent.row(i - r0).data() - c0;
      for (std::int64_t j = j0; j < n; ++j) {
        acc[static_cast<std::size_t>(j)] = s.w_latent * std::max(0.0, row[j]);
      }
    } else {
      std::fill(acc.begin() + j0, acc.end(), 0.0);
    }
    add_row(s.terms_index, q.terms, i, std::sqrt(s.w_terms), acc.data(), j0);
    const bool has_names = !row_empty(q.names, i);
    if (has_names) add_row(s.names_index, q.names, i, 1.0, names.data(), j0);
    const bool has_title = s.titles && !row_empty(q.titles, i);
    if (has_title) add_row(s.titles_index, q.titles, i, 1.0, title.data(), j0);
    const std::uint8_t code_i = static_cast<std::uint8_t>((has_names ? 2 : 0) | (has_title ? 1 : 0));
    const double ti = q.times[static_cast<std::size_t>(i)];
    for (std::int64_t j = j0; j < n; ++j) {
      const auto uj = static_cast<std::size_t>(j);
      if (self && j == i) continue;
      // names[j] (title[j]) is 0 unless both articles have names (a title).
      const double num = acc[uj] + s.w_names * names[uj] + s.w_title * title[uj];
      const double approx = num * inverse[code_i & f_code[uj]];
      const double fl = floor(i, j);
      if (approx <= kNoise * kLow || approx < fl * fl * kLow) continue;
      const bool na = (code_i & f_code[uj] & 2) != 0;
      const bool ta = (code_i & f_code[uj] & 1) != 0;
      const double bound = ps.untimed(acc[uj], names[uj], na, title[uj], ta);
      if (bound <= 0 || bound < fl) continue;
      const double sc = bound * ps.time_factor(ti, f.times[uj]);
      if (sc > 0) emit(i, j, sc);
    }
    if (has_names) clear_row(s.names_index, q.names, i, names.data(), j0);
    if (has_title) clear_row(s.titles_index, q.titles, i, title.data(), j0);
  }
}

}  // namespace

Neighbors ArticleSimilarity::top_k(const ArticleVectors* queries, int k) const {
  const State& s = state();
  const ArticleVectors& f = fitted();
  if (k <= 0) throw InvalidArgument("k must be positive; got " + std::to_string(k));
  const bool self = queries == nullptr;
  const ArticleVectors& q = self ? f : *queries;
  if (q.terms.cols != f.terms.cols || q.latent.cols() != f.latent.cols()) {
    throw InvalidArgument("the queries come from another model");
  }
  const std::int64_t n = f.rows();
  const int kk = static_cast<int>(std::min<std::int64_t>(k, std::max<std::int64_t>(n, 1)));
  Neighbors out = detail::padded_neighbors(q.rows(), k);
  const auto blocks = static_cast<std::size_t>((q.rows() + kBlockRows - 1) / kBlockRows);
  const int threads = detail::resolve_threads(options_.n_jobs);
  std::vector<Scratch> scratch = scratch_for(threads, n, s.latent);
  const RowFlags flags(f);
  if (self) {
    // Each pair i < j is scored once and offered to both rows, in per-thread lists that are
    // merged at the end; the k kept do not depend on the order of offers (a strict order).
    // kth[r] is the k-th score of row r's list (0 until it holds k): a pair below both rows'
    // k-th scores cannot enter either list, in this thread or in the merge.
    const auto cells = static_cast<std::size_t>(n) * static_cast<std::size_t>(kk);
    struct Lists {
      Buffer<double> scores;
      Buffer<std::int64_t> index;
      std::vector<std::int32_t> count;
      std::vector<double> kth;
    };
    std::vector<Lists> lists(static_cast<std::size_t>(std::max(1, threads)));
    for (auto& l : lists) {
      l.scores = Buffer<double>(cells);
      l.index = Buffer<std::int64_t>(cells);
      l.count.assign(static_cast<std::size_t>(n), 0);
      l.kth.assign(static_cast<std::size_t>(n), 0.0);
    }
    detail::parallel_for(
        blocks, threads,
        [&](std::size_t b, std::size_t w) {
          const std::int64_t r0 = static_cast<std::int64_t>(b) * kBlockRows;
          const std::int64_t r1 = std::min(n, r0 + kBlockRows);
          Lists& l = lists[w];
          const auto add = [&](std::int64_t r, double sc, std::int64_t other) {
            const auto ur = static_cast<std::size_t>(r);
            const auto at = ur * static_cast<std::size_t>(kk);
            detail::offer(l.scores.data() + at, l.index.data() + at, l.count[ur], kk, sc, other);
            if (l.count[ur] == kk) l.kth[ur] = l.scores[at + static_cast<std::size_t>(kk) - 1];
          };
          score_block(
              s, options_, flags, f, r0, r1, true, true, scratch[w],
              [&](std::int64_t i, std::int64_t j) {
                return std::min(l.kth[static_cast<std::size_t>(i)],
                                l.kth[static_cast<std::size_t>(j)]);
              },
              [&](std::int64_t i, std::int64_t j, double sc) {
                add(i, sc, j);
                add(j, sc, i);
              });
        },
        options_.interrupted ? &options_.interrupted : nullptr);
    for (std::int64_t r = 0; r < n; ++r) {
      const auto src = static_cast<std::size_t>(r) * static_cast<std::size_t>(kk);
      const auto dst = static_cast<std::size_t>(r) * static_cast<std::size_t>(k);
      std::int32_t count = 0;
      for (const Lists& l : lists) {
        for (std::int32_t c = 0; c < l.count[static_cast<std::size_t>(r)]; ++c) {
          detail::offer(out.scores.data() + dst, out.indices.data() + dst, count, kk,
                        l.scores[src + static_cast<std::size_t>(c)],
                        l.index[src + static_cast<std::size_t>(c)]);
        }
      }
    }
    return out;
  }
  detail::parallel_for(
      blocks, threads,
      [&](std::size_t b, std::size_t w) {
        const std::int64_t r0 = static_cast<std::int64_t>(b) * kBlockRows;
        const std::int64_t r1 = std::min(q.rows(), r0 + kBlockRows);
        std::vector<std::int32_t> count(static_cast<std::size_t>(r1 - r0), 0);
        score_block(
            s, options_, flags, q, r0, r1, false, false, scratch[w],
            [&](std::int64_t i, std::int64_t) {
              const auto c = static_cast<std::size_t>(i - r0);
              return count[c] == kk ? out.scores[static_cast<std::size_t>(i) *
                                                     static_cast<std::size_t>(k) +
                                                 static_cast<std::size_t>(kk) - 1]
                                    : 0.0;
            },
            [&](std::int64_t i, std::int64_t j, double sc) {
              const auto base = static_cast<std::size_t>(i) * static_cast<std::size_t>(k);
              detail::offer(out.scores.data() + base, out.indices.data() + base,
                            count[static_cast<std::size_t>(i - r0)], kk, sc, j);
            });
      },
      options_.interrupted ? &options_.interrupted : nullptr);
  return out;
}

Neighbors ArticleSimilarity::top_k_search(const ArticleVectors* queries, int k,
                                           const Search& search) const {
  const State& s = state();
  const ArticleVectors& f = fitted();
  if (!s.latent) {
    throw InvalidArgument("top_k by search needs the latent part (n_components > 0)");
  }
  if (k <= 0) throw InvalidArgument("k must be positive; got " + std::to_string(k));
  if (search.cells < 0) throw InvalidArgument("cells must be >= 0; got " + std::to_string(search.cells));
  if (search.probes < 1) throw InvalidArgument("probes must be >= 1; got " + std::to_string(search.probes));
  if (search.candidates < 1) {
    throw InvalidArgument("candidates must be >= 1; got " + std::to_string(search.candidates));
  }
  if (search.time_neighbors < 0) {
    throw InvalidArgument("time_neighbors must be >= 0; got " + std::to_string(search.time_neighbors));
  }
  const bool self = queries == nullptr;
  const ArticleVectors& q = self ? f : *queries;
  if (q.terms.cols != f.terms.cols || q.latent.cols() != f.latent.cols()) {
    throw InvalidArgument("the queries come from another model");
  }
  const std::int64_t n = f.rows();
  const std::int64_t nq = q.rows();
  const int threads = detail::resolve_threads(options_.n_jobs);
  const InterruptCheck* check = options_.interrupted ? &options_.interrupted : nullptr;
  const std::int64_t want =
      search.cells > 0 ? search.cells
                       : static_cast<std::int64_t>(std::ceil(2 * std::sqrt(static_cast<double>(n))));
  const detail::Cells cells = detail::build_cells(f.latent, want, 4, search.seed, threads, check);
  const std::vector<std::int32_t> home =
      self ? cells.cell_of : detail::nearest_cells(cells, q.latent, threads, check);
  const int probes = static_cast<int>(std::min<std::int64_t>(search.probes, std::max<std::int64_t>(1, cells.size())));
  const std::vector<std::int32_t> probe = detail::probe_lists(cells, probes);
  const auto probes_of = [&](std::int64_t i) {
    return probe.data() + static_cast<std::size_t>(home[static_cast<std::size_t>(i)]) * static_cast<std::size_t>(probes);
  };
  PairScorer ps{s, options_};
  // Each query's candidate list: the best m by latent cosine times the pair's time factor
  // (dates weigh as much in the full score), filled by two passes, each writing only the
  // lists of its own queries.
  const int m = search.candidates;
  const int m1 = 2 * m;  // first round; the second keeps m of them by a sketch of the terms
  std::vector<double> cs(static_cast<std::size_t>(nq) * static_cast<std::size_t>(m1));
  std::vector<std::int64_t> ci(cs.size());
  std::vector<std::int32_t> count(static_cast<std::size_t>(nq), 0);
  const auto offer_candidate = [&](std::int64_t i, std::int64_t j, double lat) {
    if (lat <= 0 || (self && j == i)) return;
    const auto at = static_cast<std::size_t>(i) * static_cast<std::size_t>(m1);
    // The time factor is at most 1: below the list's last, the pair cannot enter.
    if (count[static_cast<std::size_t>(i)] == m1 && lat < cs[at + static_cast<std::size_t>(m1) - 1]) return;
    const double proxy = lat * ps.time_factor(q.times[static_cast<std::size_t>(i)],
                                              f.times[static_cast<std::size_t>(j)]);
    detail::offer(cs.data() + at, ci.data() + at, count[static_cast<std::size_t>(i)], m1, proxy, j);
  };

  // 1. The articles of the cells nearest each query's own: one task per cell of queries, a
  // GEMM per probed cell.
  std::vector<std::int64_t> qstart, qrows;  // the queries of each home cell
  detail::group_rows(home, cells.size(), qstart, qrows);
  detail::parallel_for(
      static_cast<std::size_t>(cells.size()), threads,
      [&](std::size_t g, std::size_t) {
        const std::int64_t q0 = qstart[g], group = qstart[g + 1] - q0;
        if (group == 0) return;
        DenseMatrix qm(group, q.latent.cols());
        for (std::int64_t a = 0; a < group; ++a) qm.row(a) = q.latent.row(qrows[static_cast<std::size_t>(q0 + a)]);
        DenseMatrix members, sims;
        for (int p = 0; p < probes; ++p) {
          const auto c = static_cast<std::size_t>(probe[g * static_cast<std::size_t>(probes) + static_cast<std::size_t>(p)]);
          const std::int64_t r0 = cells.start[c], nr = cells.start[c + 1] - r0;
          if (nr == 0) continue;
          members.resize(nr, f.latent.cols());
          for (std::int64_t b = 0; b < nr; ++b) members.row(b) = f.latent.row(cells.rows[static_cast<std::size_t>(r0 + b)]);
          sims.noalias() = qm * members.transpose();
          for (std::int64_t a = 0; a < group; ++a) {
            const std::int64_t i = qrows[static_cast<std::size_t>(q0 + a)];
            for (std::int64_t b = 0; b < nr; ++b) offer_candidate(i, cells.rows[static_cast<std::size_t>(r0 + b)], sims(a, b));
          }
        }
      },
      check);

  // 2. For dated queries, the dated articles nearest in time (time_neighbors on each side),
  // those of the probed cells left out (offered already): one task per block of queries
  // consecutive in time, one GEMM over the block's window.
  const std::int64_t w = search.time_neighbors;
  std::vector<std::int64_t> by_time;  // dated fitted articles, by time
  for (std::int64_t j = 0; j < n; ++j) {
    if (std::isfinite(f.times[static_cast<std::size_t>(j)])) by_time.push_back(j);
  }
  std::vector<std::int64_t> dated_q;  // dated queries with a latent vector, by time
  for (std::int64_t i = 0; i < nq; ++i) {
    if (std::isfinite(q.times[static_cast<std::size_t>(i)]) && home[static_cast<std::size_t>(i)] >= 0) dated_q.push_back(i);
  }
  const auto earlier = [](const std::vector<double>& t) {
    return [&t](std::int64_t x, std::int64_t y) {
      return t[static_cast<std::size_t>(x)] != t[static_cast<std::size_t>(y)]
                 ? t[static_cast<std::size_t>(x)] < t[static_cast<std::size_t>(y)]
                 : x < y;
    };
  };
  std::sort(by_time.begin(), by_time.end(), earlier(f.times));
  std::sort(dated_q.begin(), dated_q.end(), earlier(q.times));
  if (w > 0 && !by_time.empty() && !dated_q.empty()) {
    std::vector<double> sorted_times(by_time.size());
    for (std::size_t x = 0; x < by_time.size(); ++x) sorted_times[x] = f.times[static_cast<std::size_t>(by_time[x])];
    constexpr std::int64_t kTimeBlock = 64;
    const auto blocks = static_cast<std::size_t>((static_cast<std::int64_t>(dated_q.size()) + kTimeBlock - 1) / kTimeBlock);
    std::vector<std::vector<std::uint32_t>> stamps(static_cast<std::size_t>(std::max(1, threads)));
    detail::parallel_for(
        blocks, threads,
        [&](std::size_t b, std::size_t worker) {
          const std::int64_t x0 = static_cast<std::int64_t>(b) * kTimeBlock;
          const std::int64_t x1 = std::min<std::int64_t>(static_cast<std::int64_t>(dated_q.size()), x0 + kTimeBlock);
          // Position of each query among the articles by time, and the block's window.
          const auto position = [&](std::int64_t i) {
            return static_cast<std::int64_t>(std::lower_bound(sorted_times.begin(), sorted_times.end(), q.times[static_cast<std::size_t>(i)]) - sorted_times.begin());
          };
          const std::int64_t lo = std::max<std::int64_t>(0, position(dated_q[static_cast<std::size_t>(x0)]) - w);
          const std::int64_t hi = std::min<std::int64_t>(static_cast<std::int64_t>(by_time.size()), position(dated_q[static_cast<std::size_t>(x1 - 1)]) + w + 1);
          if (hi <= lo) return;
          DenseMatrix qm(x1 - x0, q.latent.cols()), window(hi - lo, f.latent.cols());
          for (std::int64_t a = 0; a < x1 - x0; ++a) qm.row(a) = q.latent.row(dated_q[static_cast<std::size_t>(x0 + a)]);
          for (std::int64_t r = lo; r < hi; ++r) window.row(r - lo) = f.latent.row(by_time[static_cast<std::size_t>(r)]);
          const DenseMatrix sims = qm * window.transpose();
          std::vector<std::uint32_t>& stamp = stamps[worker];
          stamp.resize(static_cast<std::size_t>(cells.size()), 0);
          for (std::int64_t a = 0; a < x1 - x0; ++a) {
            const std::int64_t i = dated_q[static_cast<std::size_t>(x0 + a)];
            const auto mark = static_cast<std::uint32_t>(b * kTimeBlock + static_cast<std::size_t>(a) + 1);
            const std::int32_t* pl = probes_of(i);
            for (int p = 0; p < probes; ++p) stamp[static_cast<std::size_t>(pl[p])] = mark;
            const std::int64_t pos = position(i);
            const std::int64_t r0 = std::max(lo, pos - w), r1 = std::min(hi, pos + w + 1);
            for (std::int64_t r = r0; r < r1; ++r) {
              const std::int64_t j = by_time[static_cast<std::size_t>(r)];
              const std::int32_t cj = cells.cell_of[static_cast<std::size_t>(j)];
              if (cj < 0 || stamp[static_cast<std::size_t>(cj)] == mark) continue;
              offer_candidate(i, j, sims(a, r - lo));
            }
          }
        },
        check);
  }

  // 3. The second round: the m best of each list by (w_terms·sketch + w_latent·latent) × time
  // factor, where the sketch is the terms cosine over the candidate's kSketch heaviest terms;
  // those m scored in full, as score() does (a query row spread over a dense buffer and each
  // candidate's row summed over it in column order: row_dot's sums).
  constexpr std::int64_t kSketch = 24;
  std::vector<std::int32_t> sketch_col(static_cast<std::size_t>(n * kSketch), -1);
  std::vector<double> sketch_val(static_cast<std::size_t>(n * kSketch), 0.0);
  detail::parallel_for(
      static_cast<std::size_t>((n + 1023) / 1024), threads,
      [&](std::size_t b, std::size_t) {
        std::vector<std::int64_t> order;
        for (std::int64_t j = static_cast<std::int64_t>(b) * 1024; j < std::min<std::int64_t>(n, static_cast<std::int64_t>(b + 1) * 1024); ++j) {
          const std::int64_t p0 = f.terms.indptr[static_cast<std::size_t>(j)];
          const std::int64_t len = f.terms.indptr[static_cast<std::size_t>(j) + 1] - p0;
          order.resize(static_cast<std::size_t>(len));
          for (std::int64_t t = 0; t < len; ++t) order[static_cast<std::size_t>(t)] = p0 + t;
          const std::int64_t keep = std::min(len, kSketch);
          std::partial_sort(order.begin(), order.begin() + keep, order.end(), [&](std::int64_t x, std::int64_t y) {
            const double vx = f.terms.data[static_cast<std::size_t>(x)], vy = f.terms.data[static_cast<std::size_t>(y)];
            return vx != vy ? vx > vy : x < y;
          });
          for (std::int64_t t = 0; t < keep; ++t) {
            const auto at = static_cast<std::size_t>(j * kSketch + t);
            sketch_col[at] = f.terms.indices[static_cast<std::size_t>(order[static_cast<std::size_t>(t)])];
            sketch_val[at] = f.terms.data[static_cast<std::size_t>(order[static_cast<std::size_t>(t)])];
          }
        }
      },
      check);
  Neighbors out = detail::padded_neighbors(nq, k);
  const int kk = static_cast<int>(std::min<std::int64_t>(k, std::max<std::int64_t>(n, 1)));
  constexpr std::int64_t kScoreRows = 256;
  std::vector<std::vector<double>> spread(static_cast<std::size_t>(std::max(1, threads)));
  detail::parallel_for(
      static_cast<std::size_t>((nq + kScoreRows - 1) / kScoreRows), threads,
      [&](std::size_t b, std::size_t worker) {
        std::vector<double>& dense = spread[worker];
        dense.resize(static_cast<std::size_t>(f.terms.cols), 0.0);
        std::vector<double> dots(static_cast<std::size_t>(3 * m));
        // Row i of `a` written over (value) or back to 0 in `dense`, and the dot products of
        // the spread row with the candidates' rows of `bm`.
        const auto spread_row = [&](const CsrMatrix<double>& a, std::int64_t i, bool on) {
          for (auto p = static_cast<std::size_t>(a.indptr[static_cast<std::size_t>(i)]);
               p < static_cast<std::size_t>(a.indptr[static_cast<std::size_t>(i) + 1]); ++p) {
            dense[static_cast<std::size_t>(a.indices[p])] = on ? a.data[p] : 0.0;
          }
        };
        const auto dots_with = [&](const CsrMatrix<double>& bm, const std::int64_t* cand,
                                   std::int32_t count_i, double* into) {
          for (std::int32_t c = 0; c < count_i; ++c) {
            const auto j = static_cast<std::size_t>(cand[c]);
            double sum = 0;
            for (auto p = static_cast<std::size_t>(bm.indptr[j]); p < static_cast<std::size_t>(bm.indptr[j + 1]); ++p) {
              sum += dense[static_cast<std::size_t>(bm.indices[p])] * bm.data[p];  // + 0 off row i
            }
            into[c] = sum;
          }
        };
        std::vector<double> kept_score(static_cast<std::size_t>(m));
        std::vector<std::int64_t> kept(static_cast<std::size_t>(m));
        const std::int64_t r1 = std::min(nq, static_cast<std::int64_t>(b + 1) * kScoreRows);
        for (std::int64_t i = static_cast<std::int64_t>(b) * kScoreRows; i < r1; ++i) {
          const auto at = static_cast<std::size_t>(i) * static_cast<std::size_t>(m1);
          const auto base = static_cast<std::size_t>(i) * static_cast<std::size_t>(k);
          const std::int32_t cnt1 = count[static_cast<std::size_t>(i)];
          if (cnt1 == 0) continue;
          std::int32_t cnt = 0;
          spread_row(q.terms, i, true);
          for (std::int32_t c = 0; c < cnt1; ++c) {
            const std::int64_t j = ci[at + static_cast<std::size_t>(c)];
            double sketch = 0;
            for (std::int64_t t = 0; t < kSketch; ++t) {
              const std::int32_t col = sketch_col[static_cast<std::size_t>(j * kSketch + t)];
              if (col < 0) break;
              sketch += dense[static_cast<std::size_t>(col)] * sketch_val[static_cast<std::size_t>(j * kSketch + t)];
            }
            // cs holds latent × time factor.
            const double tf = ps.time_factor(q.times[static_cast<std::size_t>(i)], f.times[static_cast<std::size_t>(j)]);
            const double proxy = s.w_terms * sketch * tf + s.w_latent * cs[at + static_cast<std::size_t>(c)];
            detail::offer(kept_score.data(), kept.data(), cnt, m, proxy, j);
          }
          const std::int64_t* cand = kept.data();
          dots_with(f.terms, cand, cnt, dots.data());
          spread_row(q.terms, i, false);
          if (!row_empty(q.names, i)) {
            spread_row(q.names, i, true);
            dots_with(f.names, cand, cnt, dots.data() + m);
            spread_row(q.names, i, false);
          }
          if (s.titles && !row_empty(q.titles, i)) {
            spread_row(q.titles, i, true);
            dots_with(f.titles, cand, cnt, dots.data() + 2 * m);
            spread_row(q.titles, i, false);
          }
          std::int32_t found = 0;
          for (std::int32_t c = 0; c < cnt; ++c) {
            const std::int64_t j = cand[c];
            const double sc = ps.pair(q, i, f, j, [&](const CsrMatrix<double>&, const CsrMatrix<double>&, int part) {
              return dots[static_cast<std::size_t>(part * m + c)];
            });
            if (sc > 0) detail::offer(out.scores.data() + base, out.indices.data() + base, found, kk, sc, j);
          }
        }
      },
      check);
  return out;
}

CsrMatrix<double> ArticleSimilarity::join(double threshold) const {
  const State& s = state();
  const ArticleVectors& f = fitted();
  if (!(threshold > 0 && threshold <= 1)) {
    throw InvalidArgument("threshold must be in (0, 1]; got " + std::to_string(threshold));
  }
  const std::int64_t n = f.rows();
  const auto blocks = static_cast<std::size_t>((n + kBlockRows - 1) / kBlockRows);
  const int threads = detail::resolve_threads(options_.n_jobs);
  std::vector<Scratch> scratch = scratch_for(threads, n, s.latent);
  const RowFlags flags(f);
  std::vector<detail::JoinBlock> found(blocks);
  std::vector<std::int64_t> per_row(static_cast<std::size_t>(n), 0);
  detail::parallel_for(
      blocks, threads,
      [&](std::size_t b, std::size_t w) {
        const std::int64_t r0 = static_cast<std::int64_t>(b) * kBlockRows;
        const std::int64_t r1 = std::min(n, r0 + kBlockRows);
        score_block(s, options_, flags, f, r0, r1, true, true, scratch[w],
                    [&](std::int64_t, std::int64_t) { return threshold; },
                    [&](std::int64_t i, std::int64_t j, double sc) {
                      if (sc < threshold) return;
                      found[b].cols.push_back(static_cast<std::int32_t>(j));
                      found[b].scores.push_back(sc);
                      ++per_row[static_cast<std::size_t>(i)];
                    });
      },
      options_.interrupted ? &options_.interrupted : nullptr);
  return detail::assemble_join(n, n, found, per_row);
}

std::vector<TermWeight> ArticleSimilarity::key_terms(const std::vector<std::int64_t>& rows,
                                                     int top, bool distinct) const {
  if (!distinct) return newsim::key_terms(ref(fitted().terms), rows, top);
  std::vector<TermWeight> all = newsim::key_terms(ref(fitted().terms), rows, -1);
  keep_distinct(state(), all, top, [](const TermWeight& t) { return t.term; });
  return all;
}

TermLists ArticleSimilarity::explain_pairs(const std::vector<std::int64_t>& rows_a,
                                           const std::vector<std::int64_t>& rows_b, int top,
                                           bool distinct) const {
  const CsrRef x = ref(fitted().terms);
  TermLists all = newsim::explain_pairs(x, rows_a, x, rows_b, distinct ? -1 : top, Metric::dot,
                                        nullptr, options_.n_jobs);
  return distinct ? distinct_lists(state(), all, top) : all;
}

TermLists ArticleSimilarity::key_terms_rows(const std::vector<std::int64_t>& rows, int top,
                                            bool distinct) const {
  TermLists all =
      newsim::key_terms_rows(ref(fitted().terms), rows, distinct ? -1 : top, options_.n_jobs);
  return distinct ? distinct_lists(state(), all, top) : all;
}

// ---------------------------------------------------------------------------------------------
// Model files: JSON (options, vectorizer, LSA description) + binary (LSA arrays, fitted rows).

namespace {

constexpr char kMagic[8] = {'N', 'S', 'A', 'R', 'T', 'S', 'I', 'M'};

template <class T>
void put(std::string& out, const T* v, std::size_t n) {
  out.append(reinterpret_cast<const char*>(v), n * sizeof(T));
}

struct Reader {
  std::string_view bytes;
  std::size_t at = 0;
  std::string_view origin;
  template <class T>
  void get(T* v, std::size_t n) {
    if (n > (bytes.size() - at) / sizeof(T)) {
      throw ModelFormatError("model " + std::string(origin) +
                             " is corrupt: its binary part is "
                             "shorter than its header says");
    }
    if (n != 0) std::memcpy(v, bytes.data() + at, n * sizeof(T));
    at += n * sizeof(T);
  }
  template <class T>
  T one() {
    T v{};
    get(&v, 1);
    return v;
  }
};

void put_csr(std::string& out, const CsrMatrix<double>& m) {
  const std::int64_t head[3] = {m.rows, m.cols, static_cast<std::int64_t>(m.nnz())};
  put(out, head, 3);
  put(out, m.indptr.data(), static_cast<std::size_t>(m.rows) + 1);
  put(out, m.indices.data(), m.nnz());
  put(out, m.data.data(), m.nnz());
}

CsrMatrix<double> get_csr(Reader& r, std::int64_t cols) {
  std::int64_t head[3];
  r.get(head, 3);
  auto bad = [&](const std::string& what) {
    return ModelFormatError("model " + std::string(r.origin) + " is corrupt: " + what);
  };
  if (head[0] < 0 || head[2] < 0 || head[1] != cols) throw bad("fitted rows of the wrong shape");
  CsrMatrix<double> m;
  m.rows = head[0];
  m.cols = head[1];
  if (static_cast<std::uint64_t>(head[0]) > r.bytes.size() ||
      static_cast<std::uint64_t>(head[2]) > r.bytes.size()) {
    throw bad("fitted rows larger than the file");
  }
  m.indptr = Buffer<std::int64_t>(static_cast<std::size_t>(m.rows) + 1);
  m.indices = Buffer<std::int32_t>(static_cast<std::size_t>(head[2]));
  m.data = Buffer<double>(static_cast<std::size_t>(head[2]));
  r.get(m.indptr.data(), static_cast<std::size_t>(m.rows) + 1);
  // check_csr trusts indptr to stay within the entries: check that first (fuzz/model_loader
  // found a heap overflow here).
  const auto rows = static_cast<std::size_t>(m.rows);
  for (std::size_t i = 0; i < rows; ++i) {
    if (m.indptr[i + 1] < m.indptr[i]) throw bad("fitted rows: indptr decreases");
  }
  if (m.indptr[0] != 0 || m.indptr[rows] != head[2]) {
    throw bad("fitted rows: indptr does not span the entries");
  }
  r.get(m.indices.data(), m.nnz());
  r.get(m.data.data(), m.nnz());
  detail::check_csr(CsrRef(m), "fitted rows");
  return m;
}

}  // namespace

std::string ArticleSimilarity::to_json() const {
  const State& s = state();
  nlohmann::json j = model_io::new_model(kFormat, kFormatVersion);
  const auto& o = options_;
  j["options"] = {{"n_components", o.n_components},   {"n_iter", o.n_iter},
                  {"random_state", o.random_state},   {"terms_weight", o.terms_weight},
                  {"names_weight", o.names_weight},   {"title_weight", o.title_weight},
                  {"latent_weight", o.latent_weight}, {"time_scale", o.time_scale},
                  {"time_floor", o.time_floor}};
  j["vectorizer"] = s.vectorizer.to_json();
  j["latent"] = s.latent;
  j["lsa"] = s.latent ? s.lsa.to_json() : std::string();
  j["titles"] = s.titles;
  j["fitted_rows"] = s.has_fitted ? s.fitted.rows() : -1;
  return model_io::dump(j);
}

std::string ArticleSimilarity::arrays_to_bytes() const {
  const State& s = state();
  std::string out(kMagic, sizeof kMagic);
  const std::uint32_t version = 1;
  put(out, &version, 1);
  const std::string lsa = s.latent ? s.lsa.arrays_to_bytes() : std::string();
  const std::uint64_t lsa_size = lsa.size();
  put(out, &lsa_size, 1);
  out += lsa;
  if (s.has_fitted) {
    put_csr(out, s.fitted.terms);
    put_csr(out, s.fitted.titles);
    put(out, s.fitted.times.data(), s.fitted.times.size());
  }
  return out;
}

ArticleSimilarity ArticleSimilarity::from_json(std::string_view json, std::string_view arrays,
                                               std::string_view origin) {
  return model_io::guarded(origin, [&] {
    const nlohmann::json j = model_io::parse_model(json, origin, kFormat, kFormatVersion);
    const auto& jo = j.at("options");
    ArticleSimilarityOptions o;
    o.n_components = jo.at("n_components").get<int>();
    o.n_iter = jo.at("n_iter").get<int>();
    o.random_state = jo.at("random_state").get<std::uint64_t>();
    o.terms_weight = jo.at("terms_weight").get<double>();
    o.names_weight = jo.at("names_weight").get<double>();
    o.title_weight = jo.at("title_weight").get<double>();
    o.latent_weight = jo.at("latent_weight").get<double>();
    o.time_scale = jo.at("time_scale").get<double>();
    o.time_floor = jo.at("time_floor").get<double>();
    auto vec = NewsVectorizer::from_json(j.at("vectorizer").get<std::string>(), origin);
    o.terms = vec.options();
    ArticleSimilarity model(o);
    Reader r{arrays, 0, origin};
    char magic[8];
    r.get(magic, 8);
    if (std::memcmp(magic, kMagic, 8) != 0 || r.one<std::uint32_t>() != 1) {
      throw ModelFormatError("model " + std::string(origin) +
                             " is corrupt: its binary part "
                             "is not an article similarity's");
    }
    const auto lsa_size = r.one<std::uint64_t>();
    if (lsa_size > arrays.size() - r.at) {
      throw ModelFormatError("model " + std::string(origin) +
                             " is corrupt: its binary part "
                             "is shorter than its header says");
    }
    auto s = std::make_shared<State>();
    s->vectorizer = std::move(vec);
    s->latent = j.at("latent").get<bool>();
    s->titles = j.at("titles").get<bool>();
    if (s->latent) {
      s->lsa =
          Lsa::from_json(j.at("lsa").get<std::string>(), arrays.substr(r.at, lsa_size), origin);
      if (s->lsa.n_features() != static_cast<std::int64_t>(s->vectorizer.vocabulary().size())) {
        throw ModelFormatError("model " + std::string(origin) + " is corrupt: its LSA has " +
                               std::to_string(s->lsa.n_features()) + " terms, its vocabulary " +
                               std::to_string(s->vectorizer.vocabulary().size()));
      }
    }
    r.at += lsa_size;
    const std::int64_t cols = s->vectorizer.vocabulary().size();
    set_columns(*s);
    set_weights(*s, o);
    const auto rows = j.at("fitted_rows").get<std::int64_t>();
    if (rows >= 0) {
      ArticleVectors v;
      v.terms = get_csr(r, cols);
      v.titles = get_csr(r, cols);
      if (v.terms.rows != rows || v.titles.rows != rows) {
        throw ModelFormatError("model " + std::string(origin) + " is corrupt: it holds " +
                               std::to_string(v.terms.rows) + " fitted rows, its header says " +
                               std::to_string(rows));
      }
      v.times.resize(static_cast<std::size_t>(rows));
      r.get(v.times.data(), v.times.size());
      derive_names_and_latent(*s, v);
      s->fitted = std::move(v);
      index_fitted(*s);
    }
    if (r.at != arrays.size()) {
      throw ModelFormatError("model " + std::string(origin) +
                             " is corrupt: " + std::to_string(arrays.size() - r.at) +
                             " unexpected bytes at the end of its binary part");
    }
    model.state_ = std::move(s);
    return model;
  });
}

void ArticleSimilarity::save(const std::string& path) const {
  const std::string json = to_json();
  const std::string bytes = arrays_to_bytes();
  model_io::write_file(path + ".bin", bytes);
  model_io::write_file(path, json);
}

ArticleSimilarity ArticleSimilarity::load(const std::string& path) {
  const std::string json = model_io::read_file(path);
  const std::string bytes = model_io::read_file(path + ".bin");
  return from_json(json, bytes, path);
}

}  // namespace newsim

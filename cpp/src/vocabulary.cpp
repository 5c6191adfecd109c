#include "newsim/vocabulary.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstring>
#include <iterator>
#include <memory>
#include <mutex>
#include <sstream>
#include <utility>

#include "model_io.hpp"
#include "newsim/detail/term_counts.hpp"
#include "newsim/detail/numpy_sort.hpp"
#include "newsim/detail/parallel.hpp"
#include "newsim/errors.hpp"

namespace newsim {

namespace {

std::string format_number(double v) {
  std::ostringstream s;
  s << v;
  return s.str();
}

void check_df_bound(const char* name, const DfBound& bound) {
  const bool ok = bound.is_fraction ? (bound.value >= 0.0 && bound.value <= 1.0)
                                    : (bound.value >= 0.0 && std::floor(bound.value) == bound.value);
  if (!ok) {
    throw InvalidArgument(std::string("The '") + name +
                          "' parameter must be a float in the range [0.0, 1.0] or an int in the "
                          "range [1, inf). Got " + format_number(bound.value) + " instead.");
  }
}

}  // namespace

void PruneOptions::validate() const {
  check_df_bound("min_df", min_df);
  check_df_bound("max_df", max_df);
  if (max_features && *max_features < 1) {
    throw InvalidArgument("The 'max_features' parameter must be an int in the range [1, inf) or "
                          "None. Got " + std::to_string(*max_features) + " instead.");
  }
}

// Terms are copied into large blocks that never move, so string_views into them stay valid.
struct VocabularyStats::Impl : detail::TermCounts {};

// Built on first use: fit_transform neither looks terms up nor needs them as strings, and for
// 100k+ terms both are megabytes.
struct Vocabulary::Index {
  std::once_flag built;
  detail::TermTable table;
  std::once_flag strings_made;
  std::vector<std::string> strings;
};

VocabularyStats::VocabularyStats() : impl_(std::make_unique<Impl>()) {}
VocabularyStats::~VocabularyStats() = default;
VocabularyStats::VocabularyStats(VocabularyStats&&) noexcept = default;
VocabularyStats& VocabularyStats::operator=(VocabularyStats&&) noexcept = default;

VocabularyStats::VocabularyStats(const VocabularyStats& other) : VocabularyStats() {
  *this = other;
}

VocabularyStats& VocabularyStats::operator=(const VocabularyStats& other) {
  if (this == &other) return *this;
  VocabularyStats copy;
  copy.merge(other);
  *this = std::move(copy);
  return *this;
}

std::int32_t VocabularyStats::intern(std::string_view term) {
  return impl_->intern(term);
}

std::int32_t VocabularyStats::find(std::string_view term) const {
  return impl_->table.find(term);
}

void VocabularyStats::add_occurrences(std::int32_t id, std::int64_t count) {
  impl_->df[static_cast<std::size_t>(id)] += 1;
  impl_->tf[static_cast<std::size_t>(id)] += count;
}

void VocabularyStats::compact() { impl_->table.release(); }

void VocabularyStats::add_documents(std::int64_t n) { impl_->n_documents += n; }
std::int64_t VocabularyStats::n_documents() const { return impl_->n_documents; }
std::size_t VocabularyStats::size() const { return impl_->table.size(); }

const std::vector<std::string_view>& VocabularyStats::terms() const { return impl_->table.keys(); }
const std::vector<std::int64_t>& VocabularyStats::document_frequencies() const { return impl_->df; }
const std::vector<std::int64_t>& VocabularyStats::term_frequencies() const { return impl_->tf; }

std::string_view VocabularyStats::term(std::int32_t id) const {
  return impl_->table.keys().at(static_cast<std::size_t>(id));
}
std::int64_t VocabularyStats::document_frequency(std::int32_t id) const {
  return impl_->df.at(static_cast<std::size_t>(id));
}
std::int64_t VocabularyStats::term_frequency(std::int32_t id) const {
  return impl_->tf.at(static_cast<std::size_t>(id));
}

std::vector<std::int32_t> VocabularyStats::merge(const VocabularyStats& other) {
  return impl_->merge(*other.impl_);
}

std::vector<std::int32_t> VocabularyStats::merge(const detail::TermCounts& counts) {
  return impl_->merge(counts);
}

const detail::TermCounts& VocabularyStats::counts() const { return *impl_; }

std::string VocabularyStats::to_json() const {
  nlohmann::json model = model_io::new_model("newsim.vocabulary_stats", 1);
  std::vector<std::string_view> terms = impl_->table.keys();
  model["terms"] = std::vector<std::string>(terms.begin(), terms.end());
  model["df"] = impl_->df;
  model["tf"] = impl_->tf;
  model["n_documents"] = impl_->n_documents;
  return model_io::dump(model);
}

VocabularyStats VocabularyStats::from_json(std::string_view text, std::string_view origin) {
  const nlohmann::json model = model_io::parse_model(text, origin, "newsim.vocabulary_stats", 1);
  return model_io::guarded(origin, [&] {
    const auto terms = model.at("terms").get<std::vector<std::string>>();
    const auto df = model.at("df").get<std::vector<std::int64_t>>();
    const auto tf = model.at("tf").get<std::vector<std::int64_t>>();
    if (df.size() != terms.size() || tf.size() != terms.size()) {
      throw ModelFormatError("model " + std::string(origin) + " is corrupt: " +
                             std::to_string(terms.size()) + " terms but " +
                             std::to_string(df.size()) + " df and " + std::to_string(tf.size()) +
                             " tf values");
    }
    VocabularyStats out;
    for (std::size_t i = 0; i < terms.size(); ++i) {
      const std::int32_t id = out.intern(terms[i]);
      if (static_cast<std::size_t>(id) != i) {
        throw ModelFormatError("model " + std::string(origin) + " is corrupt: duplicate term '" +
                               terms[i] + "'");
      }
      out.impl_->df[i] = df[i];
      out.impl_->tf[i] = tf[i];
    }
    out.impl_->n_documents = model.at("n_documents").get<std::int64_t>();
    return out;
  });
}

bool VocabularyStats::same_statistics(const VocabularyStats& other) const {
  const Impl& m = *impl_;
  const Impl& o = *other.impl_;
  const auto& terms = m.table.keys();
  if (terms.size() != o.table.size() || m.n_documents != o.n_documents) return false;
  for (std::size_t i = 0; i < terms.size(); ++i) {
    const std::int32_t j = other.find(terms[i]);
    if (j < 0 || m.df[i] != o.df[static_cast<std::size_t>(j)] ||
        m.tf[i] != o.tf[static_cast<std::size_t>(j)]) {
      return false;
    }
  }
  return true;
}

namespace {

// The terms back to back in one string, and where each ends.
std::string join_terms(const std::vector<std::string>& terms, std::vector<std::size_t>& ends) {
  std::size_t total = 0;
  for (const auto& t : terms) total += t.size();
  std::string blob;
  blob.reserve(total);
  ends.clear();
  ends.reserve(terms.size());
  for (const auto& t : terms) {
    blob += t;
    ends.push_back(blob.size());
  }
  return blob;
}

}  // namespace

Vocabulary::Vocabulary() : blob_(std::make_shared<const std::string>()), index_(std::make_unique<Index>()) {}
Vocabulary::~Vocabulary() = default;
Vocabulary::Vocabulary(Vocabulary&&) noexcept = default;
Vocabulary& Vocabulary::operator=(Vocabulary&&) noexcept = default;

Vocabulary::Vocabulary(std::string blob, const std::vector<std::size_t>& ends, Unique)
    : blob_(std::make_shared<const std::string>(std::move(blob))),
      index_(std::make_unique<Index>()) {
  views_.reserve(ends.size());
  std::size_t begin = 0;
  for (std::size_t end : ends) {
    views_.emplace_back(blob_->data() + begin, end - begin);
    begin = end;
  }
}

Vocabulary::Vocabulary(std::vector<std::string> terms, Unique) : Vocabulary() {
  std::vector<std::size_t> ends;
  std::string blob = join_terms(terms, ends);
  *this = Vocabulary(std::move(blob), ends, Unique{});
}

Vocabulary::Vocabulary(std::vector<std::string> terms)
    : Vocabulary(std::move(terms), Unique{}) {
  std::call_once(index_->built, [this] { fill_index(); });  // checks for duplicates now
}

Vocabulary::Vocabulary(const Vocabulary& other)
    : blob_(other.blob_), views_(other.views_), index_(std::make_unique<Index>()) {}

Vocabulary& Vocabulary::operator=(const Vocabulary& other) {
  if (this != &other) {
    blob_ = other.blob_;
    views_ = other.views_;
    index_ = std::make_unique<Index>();
  }
  return *this;
}

std::int32_t Vocabulary::find(std::string_view term) const {
  if (!index_) return -1;
  std::call_once(index_->built, [this] { fill_index(); });
  return index_->table.find(term);
}

const std::vector<std::string>& Vocabulary::terms() const {
  static const std::vector<std::string> kNone;
  if (!index_) return kNone;
  std::call_once(index_->strings_made, [this] {
    index_->strings.assign(views_.begin(), views_.end());
  });
  return index_->strings;
}

void Vocabulary::fill_index() const {
  index_->table.reserve(views_.size());
  for (std::size_t i = 0; i < views_.size(); ++i) {
    if (index_->table.intern(views_[i], [](std::string_view v) { return v; }) !=
        static_cast<std::int32_t>(i)) {
      throw InvalidArgument("Duplicate term in vocabulary: '" + std::string(views_[i]) + "'");
    }
  }
}

std::string_view Vocabulary::term(std::int32_t id) const {
  if (id < 0 || static_cast<std::size_t>(id) >= views_.size()) {
    throw IndexOutOfRange("term id " + std::to_string(id) + " is outside the vocabulary of " +
                          std::to_string(views_.size()) + " terms");
  }
  return views_[static_cast<std::size_t>(id)];
}

namespace {
using detail::prefetch;

struct PrefixKey {
  std::uint64_t prefix;  // the first eight bytes, big-endian, zero-padded
  std::int32_t id;
};

// Sorts keys[0, n) on the low `bytes` bytes of their prefix: insertion sort for a few keys,
// else an LSD radix sort, a pass per byte that varies; `buffer` has room for n.
void radix_sort(PrefixKey* keys, PrefixKey* buffer, std::size_t n, int bytes) {
  if (n <= 32) {
    for (std::size_t i = 1; i < n; ++i) {
      const PrefixKey k = keys[i];
      std::size_t j = i;
      for (; j > 0 && keys[j - 1].prefix > k.prefix; --j) keys[j] = keys[j - 1];
      keys[j] = k;
    }
    return;
  }
  std::array<std::array<std::uint32_t, 256>, 8> count;
  for (int b = 0; b < bytes; ++b) count[static_cast<std::size_t>(b)].fill(0);
  for (std::size_t i = 0; i < n; ++i) {
    for (int b = 0; b < bytes; ++b) ++count[static_cast<std::size_t>(b)][(keys[i].prefix >> (8 * b)) & 0xFF];
  }
  PrefixKey* from = keys;
  PrefixKey* to = buffer;
  for (int b = 0; b < bytes; ++b) {
    std::array<std::uint32_t, 256>& c = count[static_cast<std::size_t>(b)];
    if (std::find(c.begin(), c.end(), n) != c.end()) continue;  // one value: nothing to do
    std::uint32_t sum = 0;
    for (std::uint32_t& v : c) sum += std::exchange(v, sum);
    const int shift = 8 * b;
    for (std::size_t i = 0; i < n; ++i) to[c[(from[i].prefix >> shift) & 0xFF]++] = from[i];
    std::swap(from, to);
  }
  if (from != keys) std::copy(from, from + n, keys);
}

// Term ids in the order of their terms, with the sorted positions split into groups (one per
// thread) that the rest of prune works on. UTF-8 byte order is code point order, Python's str
// order. The keys are bucketed on their first byte, the buckets are split into near-equal
// groups, and each group sorts its buckets on the next seven bytes (radix) and runs of equal
// eight-byte prefixes on the rest (the table's second key word, the length, then the term).
struct SortedTerms {
  std::vector<std::int32_t> ids;
  std::vector<std::size_t> group_begin;  // group g is ids[group_begin[g], group_begin[g + 1])
};

// Prune's tasks are one per thread, each seconds long on millions of terms, so they call
// detail::poll_point every few thousand items: polling between tasks is not enough.
SortedTerms sort_terms(const detail::TermTable& table, int threads,
                       const InterruptCheck* interrupted) {
  const std::size_t n = table.size();
  const std::vector<std::string_view>& term = table.keys();
  // A few thousand terms sort in well under a millisecond: not worth another thread.
  const std::size_t groups = n < 8192 ? 1 : static_cast<std::size_t>(std::max(1, threads));
  const std::unique_ptr<PrefixKey[]> keys(new PrefixKey[n]);
  const std::unique_ptr<PrefixKey[]> buffer(new PrefixKey[n]);
  std::array<std::uint32_t, 257> bucket{};  // bucket[v]: keys whose first byte is less than v
  for (std::size_t i = 0; i < n; ++i) {
    buffer[i] = PrefixKey{table.order_words(i).first, static_cast<std::int32_t>(i)};
    ++bucket[(buffer[i].prefix >> 56) + 1];
  }
  for (std::size_t v = 0; v < 256; ++v) bucket[v + 1] += bucket[v];
  {
    std::array<std::uint32_t, 256> at;
    std::copy(bucket.begin(), bucket.end() - 1, at.begin());
    for (std::size_t i = 0; i < n; ++i) keys[at[buffer[i].prefix >> 56]++] = buffer[i];
  }
  // Group g holds the first bytes [first_byte[g], first_byte[g + 1]).
  std::vector<std::size_t> first_byte(groups + 1, 256);
  first_byte[0] = 0;
  for (std::size_t g = 1, v = 0; g < groups; ++g) {
    while (v < 256 && static_cast<std::size_t>(bucket[v]) * groups < n * g) ++v;
    first_byte[g] = v;
  }
  SortedTerms out;
  out.ids.resize(n);
  out.group_begin.resize(groups + 1);
  for (std::size_t g = 0; g <= groups; ++g) out.group_begin[g] = bucket[first_byte[g]];
  const auto tie_less = [&](const PrefixKey& a, const PrefixKey& b) {
    const auto ia = static_cast<std::size_t>(a.id), ib = static_cast<std::size_t>(b.id);
    const std::uint64_t wa = table.order_words(ia).second, wb = table.order_words(ib).second;
    if (wa != wb) return wa < wb;
    const std::string_view ta = term[ia], tb = term[ib];
    if (ta.size() <= 16 || tb.size() <= 16) return ta.size() < tb.size();  // one is a prefix
    return ta < tb;
  };
  detail::parallel_for(groups, static_cast<int>(groups), [&](std::size_t g, std::size_t) {
    for (std::size_t v = first_byte[g]; v < first_byte[g + 1]; ++v) {
      detail::poll_point();
      radix_sort(keys.get() + bucket[v], buffer.get() + bucket[v], bucket[v + 1] - bucket[v], 7);
    }
    const std::size_t end = out.group_begin[g + 1];
    for (std::size_t i = out.group_begin[g]; i < end;) {
      if ((i & 4095) == 0) detail::poll_point();
      std::size_t j = i + 1;
      while (j < end && keys[j].prefix == keys[i].prefix) ++j;
      if (j - i > 1) std::sort(keys.get() + i, keys.get() + j, tie_less);
      for (; i < j; ++i) out.ids[i] = keys[i].id;
    }
  }, interrupted);
  return out;
}

}  // namespace

PrunedVocabulary prune(const VocabularyStats& stats, const PruneOptions& options, int threads,
                       const InterruptCheck* interrupted) {
  options.validate();
  const std::size_t n = stats.size();
  if (n == 0) {
    throw InvalidArgument("empty vocabulary; perhaps the documents only contain stop words");
  }
  const double high = options.max_df.documents(stats.n_documents());
  const double low = options.min_df.documents(stats.n_documents());
  if (high < low) throw InvalidArgument("max_df corresponds to < documents than min_df");

  const std::vector<std::string_view>& term = stats.terms();
  const std::vector<std::int64_t>& dfs = stats.document_frequencies();
  const std::vector<std::int64_t>& tfs = stats.term_frequencies();
  const SortedTerms sorted_terms = sort_terms(detail::StatsAccess::counts(stats).table, threads, interrupted);
  const std::vector<std::int32_t>& sorted = sorted_terms.ids;
  const std::vector<std::size_t>& group_begin = sorted_terms.group_begin;
  const std::size_t groups = group_begin.size() - 1;
  const int workers = static_cast<int>(groups);

  // Document frequencies in sorted order (one random-access pass, prefetched ahead) and the
  // df bounds, per group.
  std::vector<char> keep(n);
  std::vector<std::int64_t> sorted_df(n);
  detail::parallel_for(groups, workers, [&](std::size_t g, std::size_t) {
    const std::size_t end = group_begin[g + 1];
    for (std::size_t k = group_begin[g]; k < end; ++k) {
      if ((k & 4095) == 0) detail::poll_point();
      if (k + 16 < end) prefetch(&dfs[static_cast<std::size_t>(sorted[k + 16])]);
      sorted_df[k] = dfs[static_cast<std::size_t>(sorted[k])];
      const auto df = static_cast<double>(sorted_df[k]);
      keep[k] = df <= high && df >= low ? 1 : 0;
    }
  }, interrupted);
  if (options.max_features) {
    std::vector<std::int64_t> kept_positions;
    for (std::size_t k = 0; k < n; ++k) {
      if (keep[k]) kept_positions.push_back(static_cast<std::int64_t>(k));
    }
    if (static_cast<std::int64_t>(kept_positions.size()) > *options.max_features) {
      std::vector<std::int64_t> negated(kept_positions.size());
      for (std::size_t m = 0; m < kept_positions.size(); ++m) {
        const std::int32_t id = sorted[static_cast<std::size_t>(kept_positions[m])];
        negated[m] = -(options.rank_by_df ? dfs : tfs)[static_cast<std::size_t>(id)];
      }
      const std::vector<std::int64_t> order = detail::numpy_argsort(negated);
      std::fill(keep.begin(), keep.end(), 0);
      for (std::int64_t r = 0; r < *options.max_features; ++r) {
        keep[static_cast<std::size_t>(kept_positions[static_cast<std::size_t>(order[static_cast<std::size_t>(r)])])] = 1;
      }
    }
  }

  // Each group's kept terms and their bytes, then where the group's part of the output starts.
  std::vector<std::size_t> kept_before(groups + 1, 0), bytes_before(groups + 1, 0);
  detail::parallel_for(groups, workers, [&](std::size_t g, std::size_t) {
    std::size_t kept = 0, bytes = 0;
    for (std::size_t k = group_begin[g]; k < group_begin[g + 1]; ++k) {
      if (!keep[k]) continue;
      ++kept;
      bytes += term[static_cast<std::size_t>(sorted[k])].size();
    }
    kept_before[g + 1] = kept;
    bytes_before[g + 1] = bytes;
  });
  for (std::size_t g = 0; g < groups; ++g) {
    kept_before[g + 1] += kept_before[g];
    bytes_before[g + 1] += bytes_before[g];
  }
  const std::size_t n_keep = kept_before[groups];
  if (n_keep == 0) {
    throw InvalidArgument("After pruning, no terms remain. Try a lower min_df or a higher max_df.");
  }

  PrunedVocabulary out;
  out.id_map.assign(n, -1);
  std::string blob(bytes_before[groups], '\0');
  std::vector<std::size_t> ends(n_keep);
  out.df.resize(n_keep);
  std::vector<std::vector<std::string>> pruned(groups);
  detail::parallel_for(groups, workers, [&](std::size_t g, std::size_t) {
    std::size_t at = kept_before[g], byte = bytes_before[g];
    if (options.keep_pruned_terms) {
      pruned[g].reserve(group_begin[g + 1] - group_begin[g] - (kept_before[g + 1] - at));
    }
    const std::size_t end = group_begin[g + 1];
    for (std::size_t k = group_begin[g]; k < end; ++k) {
      if ((k & 4095) == 0) detail::poll_point();
      if (k + 16 < end) prefetch(&term[static_cast<std::size_t>(sorted[k + 16])]);
      if (k + 8 < end) prefetch(term[static_cast<std::size_t>(sorted[k + 8])].data());
      const std::int32_t id = sorted[k];
      const std::string_view t = term[static_cast<std::size_t>(id)];
      if (keep[k]) {
        out.id_map[static_cast<std::size_t>(id)] = static_cast<std::int32_t>(at);
        if (!t.empty()) std::memcpy(&blob[byte], t.data(), t.size());
        byte += t.size();
        ends[at] = byte;
        out.df[at] = sorted_df[k];
        ++at;
      } else if (options.keep_pruned_terms) {
        pruned[g].emplace_back(t);
      }
    }
  }, interrupted);
  out.pruned_terms = std::move(pruned[0]);
  for (std::size_t g = 1; g < groups; ++g) {
    out.pruned_terms.insert(out.pruned_terms.end(), std::make_move_iterator(pruned[g].begin()),
                            std::make_move_iterator(pruned[g].end()));
  }
  out.vocabulary = Vocabulary(std::move(blob), ends, Vocabulary::Unique{});
  return out;
}

}  // namespace newsim

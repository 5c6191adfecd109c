#include "newsim/vocabulary.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <sstream>

#include "newsim/detail/numpy_sort.hpp"
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
struct VocabularyStats::Arena {
  static constexpr std::size_t kBlock = 1 << 16;
  std::vector<std::unique_ptr<char[]>> blocks;
  std::size_t used = kBlock;

  std::string_view store(std::string_view s) {
    if (s.size() > kBlock / 4) {
      blocks.push_back(std::make_unique<char[]>(s.size()));
      std::memcpy(blocks.back().get(), s.data(), s.size());
      std::string_view out(blocks.back().get(), s.size());
      // Keep filling the current block: move the big one below it.
      if (blocks.size() >= 2) std::swap(blocks[blocks.size() - 1], blocks[blocks.size() - 2]);
      return out;
    }
    if (used + s.size() > kBlock) {
      blocks.push_back(std::make_unique<char[]>(kBlock));
      used = 0;
    }
    char* dst = blocks.back().get() + used;
    if (!s.empty()) std::memcpy(dst, s.data(), s.size());
    used += s.size();
    return {dst, s.size()};
  }
};

VocabularyStats::VocabularyStats() : arena_(std::make_unique<Arena>()) {}
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
  auto it = index_.find(term);
  if (it != index_.end()) return it->second;
  const auto id = static_cast<std::int32_t>(terms_.size());
  const std::string_view stored = arena_->store(term);
  terms_.push_back(stored);
  index_.emplace(stored, id);
  df_.push_back(0);
  tf_.push_back(0);
  return id;
}

std::int32_t VocabularyStats::find(std::string_view term) const {
  auto it = index_.find(term);
  return it == index_.end() ? -1 : it->second;
}

std::vector<std::int32_t> VocabularyStats::merge(const VocabularyStats& other) {
  std::vector<std::int32_t> map(other.terms_.size());
  index_.reserve(index_.size() + other.terms_.size());
  for (std::size_t i = 0; i < other.terms_.size(); ++i) {
    const std::int32_t id = intern(other.terms_[i]);
    map[i] = id;
    df_[static_cast<std::size_t>(id)] += other.df_[i];
    tf_[static_cast<std::size_t>(id)] += other.tf_[i];
  }
  n_documents_ += other.n_documents_;
  return map;
}

bool VocabularyStats::same_statistics(const VocabularyStats& other) const {
  if (size() != other.size() || n_documents_ != other.n_documents_) return false;
  for (std::size_t i = 0; i < terms_.size(); ++i) {
    const std::int32_t j = other.find(terms_[i]);
    if (j < 0 || df_[i] != other.df_[static_cast<std::size_t>(j)] ||
        tf_[i] != other.tf_[static_cast<std::size_t>(j)]) {
      return false;
    }
  }
  return true;
}

Vocabulary::Vocabulary(std::vector<std::string> terms) : terms_(std::move(terms)) {
  build_index();
}

Vocabulary::Vocabulary(const Vocabulary& other) : terms_(other.terms_) { build_index(); }

Vocabulary& Vocabulary::operator=(const Vocabulary& other) {
  if (this != &other) {
    terms_ = other.terms_;
    build_index();
  }
  return *this;
}

void Vocabulary::build_index() {
  index_.clear();
  index_.reserve(terms_.size());
  for (std::size_t i = 0; i < terms_.size(); ++i) {
    if (!index_.emplace(terms_[i], static_cast<std::int32_t>(i)).second) {
      throw InvalidArgument("Duplicate term in vocabulary: '" + terms_[i] + "'");
    }
  }
}

const std::string& Vocabulary::term(std::int32_t id) const {
  if (id < 0 || static_cast<std::size_t>(id) >= terms_.size()) {
    throw IndexOutOfRange("term id " + std::to_string(id) + " is outside the vocabulary of " +
                          std::to_string(terms_.size()) + " terms");
  }
  return terms_[static_cast<std::size_t>(id)];
}

PrunedVocabulary prune(const VocabularyStats& stats, const PruneOptions& options) {
  options.validate();
  const std::size_t n = stats.size();
  if (n == 0) {
    throw InvalidArgument("empty vocabulary; perhaps the documents only contain stop words");
  }
  const double high = options.max_df.documents(stats.n_documents());
  const double low = options.min_df.documents(stats.n_documents());
  if (high < low) throw InvalidArgument("max_df corresponds to < documents than min_df");

  // Sorted by term: UTF-8 byte order is code point order, Python's str order.
  std::vector<std::int32_t> sorted(n);
  for (std::size_t i = 0; i < n; ++i) sorted[i] = static_cast<std::int32_t>(i);
  std::sort(sorted.begin(), sorted.end(),
            [&](std::int32_t a, std::int32_t b) { return stats.term(a) < stats.term(b); });

  std::vector<char> keep(n, 0);
  std::vector<std::int64_t> kept_positions;
  for (std::size_t k = 0; k < n; ++k) {
    const auto df = static_cast<double>(stats.document_frequency(sorted[k]));
    if (df <= high && df >= low) {
      keep[k] = 1;
      kept_positions.push_back(static_cast<std::int64_t>(k));
    }
  }
  if (options.max_features &&
      static_cast<std::int64_t>(kept_positions.size()) > *options.max_features) {
    std::vector<std::int64_t> negated(kept_positions.size());
    for (std::size_t m = 0; m < kept_positions.size(); ++m) {
      const std::int32_t id = sorted[static_cast<std::size_t>(kept_positions[m])];
      negated[m] = -(options.rank_by_df ? stats.document_frequency(id) : stats.term_frequency(id));
    }
    const std::vector<std::int64_t> order = detail::numpy_argsort(negated);
    std::fill(keep.begin(), keep.end(), 0);
    for (std::int64_t r = 0; r < *options.max_features; ++r) {
      keep[static_cast<std::size_t>(kept_positions[static_cast<std::size_t>(order[static_cast<std::size_t>(r)])])] = 1;
    }
  }

  PrunedVocabulary out;
  out.id_map.assign(n, -1);
  std::vector<std::string> terms;
  for (std::size_t k = 0; k < n; ++k) {
    const std::int32_t id = sorted[k];
    if (keep[k]) {
      out.id_map[static_cast<std::size_t>(id)] = static_cast<std::int32_t>(terms.size());
      terms.emplace_back(stats.term(id));
      out.df.push_back(stats.document_frequency(id));
    } else {
      out.pruned_terms.emplace_back(stats.term(id));
    }
  }
  if (terms.empty()) {
    throw InvalidArgument("After pruning, no terms remain. Try a lower min_df or a higher max_df.");
  }
  out.vocabulary = Vocabulary(std::move(terms));
  return out;
}

}  // namespace newsim

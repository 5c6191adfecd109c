#include "newsim/hashing.hpp"

#include <algorithm>
#include <cstring>
#include <limits>

#include "model_io.hpp"
#include "newsim/detail/hash_map.hpp"
#include "newsim/detail/parallel.hpp"
#include "newsim/detail/rows.hpp"
#include "newsim/errors.hpp"

namespace newsim {

namespace {

inline std::uint32_t rotl32(std::uint32_t x, int r) { return (x << r) | (x >> (32 - r)); }

}  // namespace

std::int32_t murmurhash3_32(std::string_view key, std::uint32_t seed) {
  const auto* data = reinterpret_cast<const unsigned char*>(key.data());
  const std::size_t len = key.size();
  const std::size_t nblocks = len / 4;
  constexpr std::uint32_t c1 = 0xcc9e2d51, c2 = 0x1b873593;
  std::uint32_t h1 = seed;
  for (std::size_t i = 0; i < nblocks; ++i) {
    std::uint32_t k1 = static_cast<std::uint32_t>(data[4 * i]) |
                       static_cast<std::uint32_t>(data[4 * i + 1]) << 8 |
                       static_cast<std::uint32_t>(data[4 * i + 2]) << 16 |
                       static_cast<std::uint32_t>(data[4 * i + 3]) << 24;
    k1 *= c1;
    k1 = rotl32(k1, 15);
    k1 *= c2;
    h1 ^= k1;
    h1 = rotl32(h1, 13);
    h1 = h1 * 5 + 0xe6546b64;
  }
  const unsigned char* tail = data + nblocks * 4;
  std::uint32_t k1 = 0;
  switch (len & 3) {
    case 3: k1 ^= static_cast<std::uint32_t>(tail[2]) << 16; [[fallthrough]];
    case 2: k1 ^= static_cast<std::uint32_t>(tail[1]) << 8; [[fallthrough]];
    case 1:
      k1 ^= tail[0];
      k1 *= c1;
      k1 = rotl32(k1, 15);
      k1 *= c2;
      h1 ^= k1;
      break;
    default:
      break;
  }
  h1 ^= static_cast<std::uint32_t>(len);
  h1 ^= h1 >> 16;
  h1 *= 0x85ebca6b;
  h1 ^= h1 >> 13;
  h1 *= 0xc2b2ae35;
  h1 ^= h1 >> 16;
  return static_cast<std::int32_t>(h1);
}

void HashingOptions::validate() const {
  analysis.validate();
  if (n_features < 1 || n_features > std::numeric_limits<std::int32_t>::max()) {
    throw InvalidArgument("The 'n_features' parameter must be an int in the range [1, " +
                          std::to_string(std::numeric_limits<std::int32_t>::max()) + "]. Got " +
                          std::to_string(n_features) + " instead.");
  }
}

HashingVectorizer::HashingVectorizer(HashingOptions options)
    : options_((options.validate(), std::move(options))), analyzer_(options_.analysis) {}

namespace {

// scikit-learn's _hashing_fast: abs(h) % n, with INT32_MIN (whose abs overflows) special-cased.
std::int32_t column_of_hash(std::int32_t h, std::int64_t n) {
  if (h == std::numeric_limits<std::int32_t>::min()) {
    return static_cast<std::int32_t>((std::int64_t{2147483647} - (n - 1)) % n);
  }
  return static_cast<std::int32_t>(std::abs(static_cast<std::int64_t>(h)) % n);
}

}  // namespace

std::int32_t HashingVectorizer::column(std::string_view term) const {
  return column_of_hash(murmurhash3_32(term, 0), options_.n_features);
}

namespace {

// Sums the signed occurrences of each column of one document: a table from column (already
// a hash) to the column's entry gathers the distinct columns, so only those are sorted.
class HashSink final : public Analyzer::TermSink {
 public:
  HashSink(std::int64_t n_features, bool alternate_sign)
      : n_features_(n_features), alternate_sign_(alternate_sign) {}

  void start_document() {
    index_.clear();
    entries_.clear();
  }

  void operator()(std::string_view term) override { add(term); }
  void terms(const std::string_view* terms, std::size_t n) override {
    for (std::size_t i = 0; i < n; ++i) add(terms[i]);
  }

  // The document's (column, signed count) entries, sorted by column.
  const std::vector<std::uint64_t>& sorted_entries() {
    std::sort(entries_.begin(), entries_.end());
    return entries_;
  }

 private:
  void add(std::string_view term) {
    const std::int32_t h = murmurhash3_32(term, 0);
    const auto col = static_cast<std::uint32_t>(column_of_hash(h, n_features_));
    const std::int32_t sign = alternate_sign_ && h < 0 ? -1 : 1;
    const auto [entry, added] = index_.emplace(col, static_cast<std::uint32_t>(entries_.size()));
    if (added) {
      entries_.push_back(pack(col, sign));
    } else {
      std::uint64_t& e = entries_[*entry];
      e = pack(col, static_cast<std::int32_t>(static_cast<std::uint32_t>(e)) + sign);
    }
  }

  // Column in the high half, so that sorting sorts by column; the signed count in the low half.
  static std::uint64_t pack(std::uint32_t col, std::int32_t count) {
    return (static_cast<std::uint64_t>(col) << 32) | static_cast<std::uint32_t>(count);
  }

  std::int64_t n_features_;
  bool alternate_sign_;
  detail::HashMap<std::uint32_t> index_{512};  // column -> its entry
  std::vector<std::uint64_t> entries_;
};

}  // namespace

template <class T>
CsrMatrix<T> HashingVectorizer::transform(const Documents& docs) const {
  const int threads = detail::resolve_threads(options_.n_jobs);
  std::vector<detail::RowChunk> chunks = detail::chunk_documents(docs);
  std::vector<Analyzer::Workspace> workspaces(static_cast<std::size_t>(threads));
  detail::parallel_for(chunks.size(), threads, [&](std::size_t c, std::size_t worker) {
    detail::RowChunk& ch = chunks[c];
    detail::reserve_rows(ch, docs);
    HashSink sink(options_.n_features, options_.alternate_sign);
    for (std::size_t i = ch.begin; i < ch.end; ++i) {
      sink.start_document();
      analyzer_.analyze(docs[i], workspaces[worker], sink, i);
      // A zero sum stays as an explicit zero (scipy's sum_duplicates keeps it).
      const std::vector<std::uint64_t>& row = sink.sorted_entries();
      for (const std::uint64_t e : row) {
        ch.ids.push_back(static_cast<std::int32_t>(e >> 32));
        ch.counts.push_back(static_cast<std::int32_t>(static_cast<std::uint32_t>(e)));
      }
      ch.row_nnz.push_back(static_cast<std::uint32_t>(row.size()));
    }
  });
  detail::Weighting w;
  w.binary = options_.binary;
  w.norm = options_.norm == Norm::l2 ? 2 : options_.norm == Norm::l1 ? 1 : 0;
  return detail::assemble<T>(chunks, docs.size(), options_.n_features, w, threads);
}

namespace {
constexpr std::string_view kHashingFormat = "newsim.hashing_vectorizer";
constexpr int kHashingVersion = 1;
}  // namespace

std::string HashingVectorizer::to_json() const {
  nlohmann::json opts = model_io::analysis_to_json(options_.analysis);
  opts["n_features"] = options_.n_features;
  opts["binary"] = options_.binary;
  opts["norm"] = model_io::norm_to_json(options_.norm);
  opts["alternate_sign"] = options_.alternate_sign;
  opts["n_jobs"] = options_.n_jobs;
  nlohmann::json model = model_io::new_model(kHashingFormat, kHashingVersion);
  model["options"] = std::move(opts);
  return model_io::dump(model);
}

HashingVectorizer HashingVectorizer::from_json(std::string_view text, std::string_view origin) {
  const nlohmann::json model = model_io::parse_model(text, origin, kHashingFormat, kHashingVersion);
  return model_io::guarded(origin, [&] {
    const nlohmann::json& j = model.at("options");
    HashingOptions o;
    o.analysis = model_io::analysis_from_json(j);
    o.n_features = j.at("n_features").get<std::int64_t>();
    o.binary = j.at("binary").get<bool>();
    o.norm = model_io::norm_from_json(j.at("norm"));
    o.alternate_sign = j.at("alternate_sign").get<bool>();
    o.n_jobs = j.at("n_jobs").get<int>();
    return HashingVectorizer(std::move(o));
  });
}

void HashingVectorizer::save(const std::string& path) const {
  model_io::write_file(path, to_json());
}

HashingVectorizer HashingVectorizer::load(const std::string& path) {
  return from_json(model_io::read_file(path), "file '" + path + "'");
}

template CsrMatrix<double> HashingVectorizer::transform<double>(const Documents&) const;
template CsrMatrix<float> HashingVectorizer::transform<float>(const Documents&) const;
template CsrMatrix<std::int64_t> HashingVectorizer::transform<std::int64_t>(const Documents&) const;
template CsrMatrix<std::int32_t> HashingVectorizer::transform<std::int32_t>(const Documents&) const;

}  // namespace newsim

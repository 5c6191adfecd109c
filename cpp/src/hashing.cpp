#include "newsim/hashing.hpp"

#include <algorithm>
#include <cstring>
#include <limits>

#include "model_io.hpp"
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

std::int32_t HashingVectorizer::column(std::string_view term) const {
  const std::int32_t h = murmurhash3_32(term, 0);
  const std::int64_t n = options_.n_features;
  // scikit-learn's _hashing_fast: abs(h) % n, with INT32_MIN (whose abs overflows) special-cased.
  if (h == std::numeric_limits<std::int32_t>::min()) {
    return static_cast<std::int32_t>((std::int64_t{2147483647} - (n - 1)) % n);
  }
  return static_cast<std::int32_t>(std::abs(static_cast<std::int64_t>(h)) % n);
}

namespace {

class HashSink final : public Analyzer::TermSink {
 public:
  HashSink(const HashingVectorizer& hv, std::vector<std::uint64_t>& row) : hv_(hv), row_(row) {}
  void operator()(std::string_view term) override {
    const std::int32_t h = murmurhash3_32(term, 0);
    const std::int32_t col = hv_.column(term);
    const bool negative = hv_.options().alternate_sign && h < 0;
    row_.push_back((static_cast<std::uint64_t>(static_cast<std::uint32_t>(col)) << 1) |
                   (negative ? 1u : 0u));
  }

 private:
  const HashingVectorizer& hv_;
  std::vector<std::uint64_t>& row_;
};

}  // namespace

template <class T>
CsrMatrix<T> HashingVectorizer::transform(const Documents& docs) const {
  const int threads = detail::resolve_threads(options_.n_jobs);
  std::vector<detail::RowChunk> chunks = detail::chunk_documents(docs);
  std::vector<Analyzer::Workspace> workspaces(static_cast<std::size_t>(threads));
  detail::parallel_for(chunks.size(), threads, [&](std::size_t c, std::size_t worker) {
    detail::RowChunk& ch = chunks[c];
    std::vector<std::uint64_t> row;
    HashSink sink(*this, row);
    for (std::size_t i = ch.begin; i < ch.end; ++i) {
      row.clear();
      analyzer_.analyze(docs[i], workspaces[worker], sink, i);
      std::sort(row.begin(), row.end());
      // Sum the signs of equal columns; a zero sum stays as an explicit zero (scipy's
      // sum_duplicates keeps it).
      const std::size_t start = ch.ids.size();
      for (std::size_t k = 0; k < row.size();) {
        const std::uint64_t col = row[k] >> 1;
        std::int32_t sum = 0;
        for (; k < row.size() && (row[k] >> 1) == col; ++k) sum += (row[k] & 1u) ? -1 : 1;
        ch.ids.push_back(static_cast<std::int32_t>(col));
        ch.counts.push_back(sum);
      }
      ch.row_nnz.push_back(static_cast<std::uint32_t>(ch.ids.size() - start));
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

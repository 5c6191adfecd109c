#include "statistics.hpp"

#include <algorithm>
#include <cstring>
#include <nlohmann/json.hpp>
#include <utility>

#include "../model_io.hpp"
#include "newsim/errors.hpp"

namespace newsim {

namespace cleaning {

void repeat_keys(const std::vector<Line>& lines, std::vector<std::uint64_t>& keys) {
  keys.clear();
  for (const Line& l : lines) {
    if (may_repeat_line(l)) keys.push_back(l.key);
  }
  std::sort(keys.begin(), keys.end());
  keys.erase(std::unique(keys.begin(), keys.end()), keys.end());
}

void count_article(Counts& counts, const std::string& source,
                   const std::vector<std::uint64_t>& keys) {
  ++counts.articles;
  if (!source.empty()) ++counts.sources[hash(source)];
  for (const std::uint64_t k : keys) {
    ++counts.lines[k];
    if (!source.empty()) ++counts.source_lines[source_key(source, k)];
  }
}

}  // namespace cleaning

namespace {

using Table = CleanStatistics::Impl::Table;

// A table as two packed arrays (keys, counts) sorted by key, so that equal counts give equal
// bytes.
nlohmann::json pack_table(const Table& table) {
  std::vector<std::pair<std::uint64_t, std::int32_t>> entries(table.begin(), table.end());
  std::sort(entries.begin(), entries.end());
  std::vector<std::uint8_t> keys(entries.size() * 8), counts(entries.size() * 4);
  for (std::size_t i = 0; i < entries.size(); ++i) {
    std::memcpy(keys.data() + i * 8, &entries[i].first, 8);
    std::memcpy(counts.data() + i * 4, &entries[i].second, 4);
  }
  return {{"keys", nlohmann::json::binary(std::move(keys))},
          {"counts", nlohmann::json::binary(std::move(counts))}};
}

void unpack_table(const nlohmann::json& j, Table& table, const std::string& where) {
  const auto& keys = j.at("keys").get_binary();
  const auto& counts = j.at("counts").get_binary();
  if (keys.size() % 8 != 0 || keys.size() / 8 != counts.size() / 4 || counts.size() % 4 != 0) {
    throw ModelFormatError(where + " are corrupt: keys and counts differ in length");
  }
  table.reserve(keys.size() / 8);
  for (std::size_t i = 0; i < keys.size() / 8; ++i) {
    std::uint64_t k;
    std::int32_t c;
    std::memcpy(&k, keys.data() + i * 8, 8);
    std::memcpy(&c, counts.data() + i * 4, 4);
    if (c < 1) throw ModelFormatError(where + " are corrupt: a count below 1");
    table[k] += c;
  }
}

constexpr std::string_view kStatisticsFormat = "newsim.clean_statistics";
constexpr int kStatisticsVersion = 1;

}  // namespace

CleanStatistics::CleanStatistics() : impl_(std::make_unique<Impl>()) {}
CleanStatistics::~CleanStatistics() = default;
CleanStatistics::CleanStatistics(const CleanStatistics& other)
    : impl_(std::make_unique<Impl>(*other.impl_)) {}
CleanStatistics& CleanStatistics::operator=(const CleanStatistics& other) {
  if (this != &other) impl_ = std::make_unique<Impl>(*other.impl_);
  return *this;
}
CleanStatistics::CleanStatistics(CleanStatistics&&) noexcept = default;
CleanStatistics& CleanStatistics::operator=(CleanStatistics&&) noexcept = default;

void CleanStatistics::merge(const CleanStatistics& other) {
  Impl& a = *impl_;
  const Impl& b = *other.impl_;
  a.articles += b.articles;
  for (auto [mine, theirs] :
       {std::make_pair(&a.sources, &b.sources), std::make_pair(&a.lines, &b.lines),
        std::make_pair(&a.source_lines, &b.source_lines)}) {
    for (const auto& [k, c] : *theirs) (*mine)[k] += c;
  }
}

std::int64_t CleanStatistics::articles() const { return impl_->articles; }
std::size_t CleanStatistics::lines() const { return impl_->lines.size(); }

bool CleanStatistics::operator==(const CleanStatistics& other) const {
  const Impl& a = *impl_;
  const Impl& b = *other.impl_;
  return a.articles == b.articles && a.sources == b.sources && a.lines == b.lines &&
         a.source_lines == b.source_lines;
}

std::string CleanStatistics::to_bytes() const {
  nlohmann::json j = model_io::new_model(kStatisticsFormat, kStatisticsVersion);
  j["articles"] = impl_->articles;
  j["sources"] = pack_table(impl_->sources);
  j["lines"] = pack_table(impl_->lines);
  j["source_lines"] = pack_table(impl_->source_lines);
  const std::vector<std::uint8_t> bytes = nlohmann::json::to_msgpack(j);
  return std::string(bytes.begin(), bytes.end());
}

CleanStatistics CleanStatistics::from_bytes(std::string_view bytes, std::string_view origin) {
  const std::string where = "clean statistics " + std::string(origin);
  nlohmann::json j;
  try {
    j = nlohmann::json::from_msgpack(bytes.begin(), bytes.end());
  } catch (const nlohmann::json::exception& e) {
    throw ModelFormatError(where + " are not MessagePack (" + e.what() + ")");
  }
  model_io::check_model(j, where, kStatisticsFormat, kStatisticsVersion);
  CleanStatistics s;
  try {
    s.impl_->articles = j.at("articles").get<std::int64_t>();
    unpack_table(j.at("sources"), s.impl_->sources, where);
    unpack_table(j.at("lines"), s.impl_->lines, where);
    unpack_table(j.at("source_lines"), s.impl_->source_lines, where);
  } catch (const nlohmann::json::exception& e) {
    throw ModelFormatError(where + " are corrupt (" + e.what() + ")");
  }
  if (s.impl_->articles < 0) throw ModelFormatError(where + " are corrupt: articles below 0");
  return s;
}

}  // namespace newsim

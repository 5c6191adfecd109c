#pragma once

// JSON model files, shared by the vectorizers: the analysis settings, the format/version check,
// and whole-file reads and writes. Internal to the core (the one place nlohmann/json is used).

#include <nlohmann/json.hpp>

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

#include "newsim/analyzer.hpp"
#include "newsim/vectorizer.hpp"

namespace newsim::model_io {

nlohmann::json analysis_to_json(const AnalyzerOptions& o);
/// Throws nlohmann::json exceptions or InvalidArgument on bad values (callers wrap them).
AnalyzerOptions analysis_from_json(const nlohmann::json& j);

/// Norm as JSON: null, "l1" or "l2".
nlohmann::json norm_to_json(Norm norm);
Norm norm_from_json(const nlohmann::json& j);

/// A model document of `format` with "format", "version" and "newsim_version" keys.
nlohmann::json new_model(std::string_view format, int version);

/// Parses `text` and checks its format and version; throws ModelFormatError naming `origin`.
nlohmann::json parse_model(std::string_view text, std::string_view origin, std::string_view format,
                           int max_version);
/// parse_model()'s checks of a parsed document; `where` starts the messages ("model 'x.json'").
void check_model(const nlohmann::json& model, const std::string& where, std::string_view format,
                 int max_version);

/// Whether this machine stores numbers little-endian, as the binary files beside models do.
inline bool little_endian() {
  const std::uint16_t one = 1;
  unsigned char first = 0;
  std::memcpy(&first, &one, 1);
  return first == 1;
}

/// Serialises; throws InvalidArgument if a string is not valid UTF-8.
std::string dump(const nlohmann::json& model);

/// Whole-file I/O; throws IoError naming the path.
void write_file(const std::string& path, const std::string& text);
std::string read_file(const std::string& path);

/// The largest idf a model can hold: 1 + ln(2^63). scikit-learn's idf is ln(n / df) + 1
/// (smooth: ln((1 + n) / (1 + df)) + 1, df >= 0) with df <= n < 2^63 documents, so it lies in
/// [1, 1 + ln(2^63)]; BM25's ln(1 + (n - df + 0.5) / (df + 0.5)) stays below it too. A value
/// outside (1e308, say) is a corrupt file: it would overflow the row norms and zero the rows.
inline constexpr double kMaxIdf = 44.66827237527655;  // 1 + 63 ln 2

/// Whether `idf` is in [min, kMaxIdf] (with room for rounding above); false for NaN.
inline bool valid_idf(double idf, double min) { return idf >= min && idf <= kMaxIdf + 1e-9; }

/// Runs `parse` and turns nlohmann/json and InvalidArgument errors into ModelFormatError.
template <class Fn>
auto guarded(std::string_view origin, Fn&& parse) -> decltype(parse());

}  // namespace newsim::model_io

#include "newsim/errors.hpp"

template <class Fn>
auto newsim::model_io::guarded(std::string_view origin, Fn&& parse) -> decltype(parse()) {
  try {
    return parse();
  } catch (const ModelFormatError& e) {
    const std::string what = e.what();
    if (what.rfind("model ", 0) == 0) throw;
    throw ModelFormatError("model " + std::string(origin) + " is corrupt: " + what);
  } catch (const nlohmann::json::exception& e) {
    throw ModelFormatError("model " + std::string(origin) + " is corrupt: " + e.what());
  } catch (const InvalidArgument& e) {
    throw ModelFormatError("model " + std::string(origin) + " is corrupt: " + e.what());
  }
}

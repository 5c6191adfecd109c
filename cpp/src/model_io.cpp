#include "model_io.hpp"

#include <fstream>
#include <sstream>

#include "newsim/errors.hpp"
#include "newsim/version.hpp"

namespace newsim::model_io {

using nlohmann::json;

json analysis_to_json(const AnalyzerOptions& o) {
  return json{
      {"analyzer", to_string(o.analyzer)},
      {"lowercase", o.lowercase},
      {"strip_accents",
       o.strip_accents == StripAccents::none ? json(nullptr) : json(to_string(o.strip_accents))},
      {"token_pattern", o.token_pattern},
      {"stop_words", o.stop_words},
      {"ngram_range", {o.ngram_range.first, o.ngram_range.second}},
      {"decode_error", to_string(o.decode_error)},
  };
}

AnalyzerOptions analysis_from_json(const json& j) {
  AnalyzerOptions o;
  o.analyzer = parse_analyzer_kind(j.at("analyzer").get<std::string>());
  o.lowercase = j.at("lowercase").get<bool>();
  o.strip_accents = parse_strip_accents(
      j.at("strip_accents").is_null() ? std::string() : j.at("strip_accents").get<std::string>());
  o.token_pattern = j.at("token_pattern").get<std::string>();
  o.stop_words = j.at("stop_words").get<std::vector<std::string>>();
  o.ngram_range = {j.at("ngram_range").at(0).get<int>(), j.at("ngram_range").at(1).get<int>()};
  o.decode_error = parse_decode_errors(j.at("decode_error").get<std::string>());
  return o;
}

json norm_to_json(Norm norm) { return norm == Norm::none ? json(nullptr) : json(to_string(norm)); }

Norm norm_from_json(const json& j) {
  return parse_norm(j.is_null() ? std::string() : j.get<std::string>());
}

json new_model(std::string_view format, int version) {
  return json{{"format", format}, {"version", version}, {"newsim_version", NEWSIM_VERSION}};
}

json parse_model(std::string_view text, std::string_view origin, std::string_view format,
                 int max_version) {
  const std::string where = "model " + std::string(origin);
  json model;
  try {
    model = json::parse(text.begin(), text.end());
  } catch (const json::parse_error& e) {
    throw ModelFormatError(where + " is not valid JSON (byte " + std::to_string(e.byte) +
                           "); the file may be truncated or corrupt");
  } catch (const json::exception& e) {
    // out_of_range: a number beyond double's range (1e400).
    throw ModelFormatError(where + " is not valid JSON (" + e.what() + ")");
  }
  check_model(model, where, format, max_version);
  return model;
}

void check_model(const json& model, const std::string& where, std::string_view format,
                 int max_version) {
  if (!model.is_object() || !model.contains("format") || model["format"] != format) {
    throw ModelFormatError(where + " is not a " + std::string(format) + " model (no \"format\": \"" +
                           std::string(format) + "\")");
  }
  const json& v = model.contains("version") ? model["version"] : json(nullptr);
  if (!v.is_number_integer()) throw ModelFormatError(where + " has no integer \"version\"");
  const int version = v.get<int>();
  if (version > max_version) {
    throw ModelFormatError(where + " has format version " + std::to_string(version) +
                           ", newer than this newsim (" NEWSIM_VERSION ") reads (" +
                           std::to_string(max_version) + "); upgrade newsim to load it");
  }
  if (version < 1) throw ModelFormatError(where + " has an invalid format version");
}

std::string dump(const json& model) {
  try {
    return model.dump();
  } catch (const json::exception& e) {
    throw InvalidArgument(std::string("the model cannot be written as JSON (a term is not valid "
                                      "Unicode): ") + e.what());
  }
}

void write_file(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out) throw IoError("cannot open '" + path + "' for writing");
  out.write(text.data(), static_cast<std::streamsize>(text.size()));
  out.close();
  if (!out) throw IoError("cannot write '" + path + "'");
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw IoError("cannot open model file '" + path + "'");
  std::ostringstream buf;
  buf << in.rdbuf();
  if (in.bad()) throw IoError("cannot read model file '" + path + "'");
  return buf.str();
}

}  // namespace newsim::model_io

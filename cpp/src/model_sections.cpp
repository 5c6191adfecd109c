#include "newsim/model_sections.hpp"

#include <nlohmann/json.hpp>

#include "newsim/errors.hpp"

namespace newsim {

namespace {

// Builds the document as json::parse does, but stops at a nesting deeper than any model has
// (writing or destroying such a value back would recurse that deep).
class DepthLimited : public nlohmann::detail::json_sax_dom_parser<nlohmann::json> {
 public:
  using Base = nlohmann::detail::json_sax_dom_parser<nlohmann::json>;
  static constexpr int kMaxDepth = 512;
  using Base::Base;
  bool start_object(std::size_t n) { return deeper() && Base::start_object(n); }
  bool start_array(std::size_t n) { return deeper() && Base::start_array(n); }
  bool end_object() { --depth_; return Base::end_object(); }
  bool end_array() { --depth_; return Base::end_array(); }
  bool too_deep = false;

 private:
  bool deeper() {
    too_deep = ++depth_ > kMaxDepth;
    return !too_deep;
  }
  int depth_ = 0;
};

// Parses a model document; throws ModelFormatError naming `origin`.
nlohmann::json parse_document(std::string_view text, std::string_view origin) {
  using nlohmann::json;
  const std::string where = "model " + std::string(origin);
  json model;
  try {
    DepthLimited builder(model);
    const bool complete = json::sax_parse(text.begin(), text.end(), &builder);
    if (builder.too_deep || !complete) {
      throw ModelFormatError(where + " is corrupt: nested more than " +
                             std::to_string(DepthLimited::kMaxDepth) + " levels deep");
    }
  } catch (const json::parse_error& e) {
    throw ModelFormatError(where + " is not valid JSON (byte " + std::to_string(e.byte) +
                           "); the file may be truncated or corrupt");
  } catch (const json::exception& e) {
    throw ModelFormatError(where + " is not valid JSON (" + e.what() + ")");
  }
  return model;
}

}  // namespace

ModelSections read_model_sections(std::string_view text, std::string_view origin) {
  using nlohmann::json;
  const json model = parse_document(text, origin);
  const std::string where = "model " + std::string(origin);
  const auto format = model.is_object() ? model.find("format") : model.end();
  if (!model.is_object() || format == model.end() || !format->is_string() ||
      format->get<std::string>().rfind("newsim.", 0) != 0) {
    throw ModelFormatError(where + " is not a newsim model (no \"format\": \"newsim. ...\")");
  }
  ModelSections out;
  out.format = format->get<std::string>();
  for (auto [key, into] : {std::pair<const char*, std::string*>{"options", &out.options},
                           {"python", &out.python}}) {
    const auto it = model.find(key);
    if (it != model.end()) *into = it->dump();
  }
  return out;
}

std::string with_python_section(std::string_view model, std::string_view python) {
  nlohmann::json doc = parse_document(model, "<core>");
  nlohmann::json section;
  try {
    section = parse_document(python, "python section");
  } catch (const ModelFormatError& e) {
    throw InvalidArgument(e.what());
  }
  doc["python"] = std::move(section);
  return doc.dump();
}

}  // namespace newsim

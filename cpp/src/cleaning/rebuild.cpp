#include "rebuild.hpp"

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <utility>

#include "meta_json.hpp"
#include "newsim/errors.hpp"
#include "parsers.hpp"
#include "tokens.hpp"

namespace newsim::cleaning {

namespace {

// What cleaning found, as JSON object members in this order: dateline, captions, subheads,
// credits, title_credit. Each is (key, JSON value).
std::vector<JsonMember> found_list(const std::vector<Line>& lines, const LineReport& r,
                                   Escapes escapes) {
  std::vector<JsonMember> out;
  if (!r.dateline.empty()) {
    out.emplace_back("dateline", std::string());
    append_json_string(out.back().second, r.dateline, escapes);
  }
  for (const auto& [label, name] : {std::make_pair(LineLabel::caption, "captions"),
                                    std::make_pair(LineLabel::subhead, "subheads"),
                                    std::make_pair(LineLabel::credit, "credits")}) {
    std::string* value = nullptr;
    for (const Line& line : lines) {
      if (line.label != label) continue;
      if (value == nullptr) {
        out.emplace_back(name, "[");
        value = &out.back().second;
      } else {
        *value += ',';
      }
      append_json_string(*value, line.text, escapes);
    }
    if (value != nullptr) *value += ']';
  }
  if (!r.title_credit.empty()) {
    out.emplace_back("title_credit", std::string());
    append_json_string(out.back().second, r.title_credit, escapes);
  }
  return out;
}

// What cleaning found, as the members of a JSON object ("key":value,...), without braces.
std::string found_members(const std::vector<Line>& lines, const LineReport& r) {
  std::string out;
  for (const auto& [key, value] : found_list(lines, r, Escapes::plain)) {
    if (!out.empty()) out += ',';
    out += '"';
    out += key;
    out += "\":";
    out += value;
  }
  return out;
}

}  // namespace

Article rebuild(const Article& a, const std::vector<Line>& lines, const LineReport& r,
                const CleanOptions& options) {
  Article out;
  out.id = a.id;
  out.title = a.title;
  out.source = a.source;
  out.date = a.date;
  out.url = a.url;
  std::string text;
  text.reserve(a.text.size());
  bool pending_break = false;
  bool dateline_done = r.dateline.empty();
  std::string_view first_credit;
  for (const Line& line : lines) {
    const bool keep = line.label == LineLabel::body ||
                      (line.label == LineLabel::caption && options.keep_captions) ||
                      (line.label == LineLabel::subhead && options.keep_subheads);
    if (line.label == LineLabel::credit && first_credit.empty()) first_credit = line.text;
    if (line.blank) {
      pending_break = !text.empty();
      continue;
    }
    if (!keep) continue;
    std::string_view t = line.text;
    if (!dateline_done && line.label == LineLabel::body) {
      t.remove_prefix(r.dateline_length);
      dateline_done = true;
    }
    if (!text.empty()) text += pending_break ? "\n\n" : "\n";
    pending_break = false;
    text.append(t.data(), t.size());
  }
  out.text = std::move(text);
  if (out.title.empty() || icon_row_text(out.title)) out.title = r.title;
  if (out.source.empty()) {
    if (!r.title_credit.empty()) {
      out.source = r.title_credit;
    } else if (!first_credit.empty() && lower(first_credit).rfind("reporting", 0) != 0 &&
               is_credit(first_credit)) {
      std::string_view v = first_credit;
      while (!v.empty() && (v.front() == '(' || v.front() == ' ')) v.remove_prefix(1);
      while (!v.empty() && (v.back() == ')' || v.back() == ' ' || v.back() == '.'))
        v.remove_suffix(1);
      out.source = std::string(v);
    }
  }
  const std::string_view meta = trim(a.meta);
  if (!meta.empty() && (meta.size() < 2 || meta.front() != '{' || meta.back() != '}')) {
    throw InvalidArgument("article '" + a.id + "': meta is not a JSON object");
  }
  const std::string found = found_members(lines, r);
  const bool empty_meta = meta.empty() || trim(meta.substr(1, meta.size() - 2)).empty();
  if (found.empty()) {
    out.meta = a.meta.empty() ? std::string("{}") : a.meta;
  } else if (empty_meta) {
    out.meta = "{" + found + "}";
  } else {
    bool clash = false;
    for (const char* k :
         {"\"dateline\"", "\"captions\"", "\"subheads\"", "\"credits\"", "\"title_credit\""}) {
      clash = clash || meta.find(k) != std::string_view::npos;
    }
    if (!clash) {  // append the new members to the object as written
      out.meta.reserve(meta.size() + found.size() + 1);
      out.meta.assign(meta.data(), meta.size() - 1);
      out.meta += ',';
      out.meta += found;
      out.meta += '}';
    } else if (!merge_canonical(meta, found_list(lines, r, Escapes::nlohmann), out.meta)) {
      // Merge as objects: the meta already holds some of these keys.
      nlohmann::json m;
      try {
        m = nlohmann::json::parse(meta);
      } catch (const nlohmann::json::exception& e) {
        throw InvalidArgument("article '" + a.id + "': meta is not valid JSON (" + e.what() + ")");
      }
      if (!m.is_object())
        throw InvalidArgument("article '" + a.id + "': meta is not a JSON object");
      m.update(nlohmann::json::parse("{" + found + "}"));
      out.meta = m.dump();
    }
  }
  return out;
}

}  // namespace newsim::cleaning

#pragma once

// JSON text for the meta of cleaned articles, written by hand where nlohmann/json would cost
// a parse and a dump per article: on Reuters-21578 (21,578 metas holding "dateline") parse,
// update and dump take ~46 ms against ~270 ms for the whole clean(). Internal.

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace newsim::cleaning {

// How control bytes are escaped in a JSON string: all as \u00XX, or as nlohmann::json::dump()
// writes them (\b \t \n \f \r, the rest \u00XX), so that a hand-made merge equals a dump.
enum class Escapes { plain, nlohmann };

// Appends s as a JSON string (UTF-8 kept as is; quotes, backslashes and controls escaped).
void append_json_string(std::string& out, std::string_view s, Escapes escapes = Escapes::plain);

// An object member: its key and its value as JSON text (escaped as nlohmann does).
using JsonMember = std::pair<const char*, std::string>;

// `meta` with `found` merged in, as nlohmann's parse, update and dump would write it, when meta
// is written as dump() writes (the readers write it so); false otherwise.
bool merge_canonical(std::string_view meta, std::vector<JsonMember> found, std::string& out);

}  // namespace newsim::cleaning

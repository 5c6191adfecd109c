#pragma once

// Parsers of the parts of a page that are not body text: credits, a credit at the end of a
// title, photo wording, datelines. Internal.

#include <cstddef>
#include <string_view>

namespace newsim::cleaning {

// A credit line: "(Reuters, Bloomberg, AP)", "Reporting by ...; Editing by ...", "Source: AFP".
bool is_credit(std::string_view text);

// " - AFP" at the end of a title (an agency, or a site after " | "): the credit, or empty;
// `rest` is the title without it. Both view the title.
std::string_view title_credit(std::string_view title, std::string_view& rest);

// Photo wording: "(left)", "(pictured)", "AP Photo", "Getty Images", "Image caption", ...
bool has_position_marker(std::string_view text);

// A dateline at the start of t: "NICE, France (Reuters) -- ", "HOKKAIDO, Japan -- ",
// "SEOUL — ", "CLEVELAND, Feb 26 - ". Returns the length of the whole match (0: none) and the
// place (and agency) in `place`.
std::size_t match_dateline(std::string_view t, std::string_view& place);

}  // namespace newsim::cleaning

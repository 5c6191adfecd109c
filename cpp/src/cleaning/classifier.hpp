#pragma once

// Labels an article's lines by rules applied in a fixed order (see classify). Internal.

#include <cstddef>
#include <vector>

#include "line_features.hpp"
#include "newsim/cleaning.hpp"
#include "statistics.hpp"

namespace newsim::cleaning {

// Labels the lines of article `a` (at `index` in its corpus), whose features are filled in,
// by these rules in this order; a rule labels only lines still labelled body:
//   evidence     furniture signs of each line, and its repetition across articles
//   title        the given title's line, or the first headline-shaped line of the head
//   head         before the title; without a title, furniture before the first paragraph;
//                credits
//   below title  furniture, or captions, between the title and the first paragraph
//   body, tail   credits, furniture, lists of links under a tail heading, photo captions,
//                subheads
//   context      a short line between two furniture lines
//   dateline     split off the first body line
// Throws InvalidArgument when a line that may repeat is not in `counts` (statistics counted
// without this article).
LineReport classify(const Article& a, std::size_t index, std::vector<Line>& lines,
                    const Counts& counts, const CleanOptions& options);

}  // namespace newsim::cleaning

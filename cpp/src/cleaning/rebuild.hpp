#pragma once

// The cleaned article: body lines (and captions, subheads when asked) with paragraph breaks,
// the detected title and credit, and what was found added to its meta. Internal.

#include <vector>

#include "line_features.hpp"
#include "newsim/cleaning.hpp"

namespace newsim::cleaning {

// Throws InvalidArgument naming the article when its meta is not a JSON object.
Article rebuild(const Article& a, const std::vector<Line>& lines, const LineReport& r,
                const CleanOptions& options);

}  // namespace newsim::cleaning

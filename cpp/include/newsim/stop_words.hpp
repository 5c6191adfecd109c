#pragma once

// Built-in stop word lists.

#include <string>
#include <string_view>
#include <vector>

namespace newsim {

/// scikit-learn's ENGLISH_STOP_WORDS (318 words), sorted.
const std::vector<std::string>& english_stop_words();

/// A built-in list by name ("english"); throws InvalidArgument for any other name.
std::vector<std::string> stop_words(std::string_view name);

}  // namespace newsim

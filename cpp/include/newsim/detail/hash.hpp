#pragma once

// The hash of terms in newsim's hash maps (XXH3: fast on short strings). Internal.

#define XXH_INLINE_ALL
#include <xxhash.h>

#include <cstddef>
#include <string_view>

namespace newsim::detail {

struct TermHash {
  std::size_t operator()(std::string_view s) const noexcept {
    return static_cast<std::size_t>(XXH3_64bits(s.data(), s.size()));
  }
};

}  // namespace newsim::detail

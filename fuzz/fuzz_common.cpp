#include "fuzz_common.hpp"

#include <cstdio>
#include <cstdlib>

namespace newsim::fuzz {

void fail(const char* what) {
  std::fprintf(stderr, "newsim fuzz invariant broken: %s\n", what);
  std::abort();
}

}  // namespace newsim::fuzz

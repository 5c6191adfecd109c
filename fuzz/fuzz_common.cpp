#include "fuzz_common.hpp"

#include <unistd.h>
#include <zlib.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>

namespace newsim::fuzz {

void fail(const char* what) {
  std::fprintf(stderr, "newsim fuzz invariant broken: %s\n", what);
  std::abort();
}

std::string write_temp_file(const char* target, const char* suffix, std::string_view bytes,
                            bool gzip) {
  const char* dir = std::getenv("TMPDIR");
  const std::string path = std::string(dir != nullptr ? dir : "/tmp") + "/newsim_fuzz_" + target +
                           "_" + std::to_string(::getpid()) + suffix;
  if (gzip) {
    gzFile f = gzopen(path.c_str(), "wb1");
    if (f == nullptr) fail("cannot write the temporary file");
    if (!bytes.empty()) gzwrite(f, bytes.data(), static_cast<unsigned>(bytes.size()));
    gzclose(f);
    return path;
  }
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  if (!out) fail("cannot write the temporary file");
  return path;
}

}  // namespace newsim::fuzz

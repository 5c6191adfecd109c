#pragma once

// Helpers shared by the fuzz targets: options taken from the first bytes of an input, inputs
// split into documents, and the errors a target accepts (the project's own hierarchy; any
// other exception escapes, and libFuzzer or the replay driver reports it).

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace newsim::fuzz {

/// Reads option bytes from the front of an input; past the end it yields zeros.
class Input {
 public:
  Input(const std::uint8_t* data, std::size_t size)
      : rest_(reinterpret_cast<const char*>(data), size) {}

  std::uint8_t byte() {
    if (rest_.empty()) return 0;
    const auto b = static_cast<std::uint8_t>(rest_.front());
    rest_.remove_prefix(1);
    return b;
  }
  std::string_view rest() const { return rest_; }

 private:
  std::string_view rest_;
};

/// A file of this process under $TMPDIR (or /tmp) named for `target` and `suffix`, holding
/// `bytes`, gzip-compressed when asked (the name should then end in .gz); its path.
std::string write_temp_file(const char* target, const char* suffix, std::string_view bytes,
                            bool gzip);

/// Splits at `sep`, keeping at most `max_parts` parts (the last takes the remainder).
inline std::vector<std::string> split(std::string_view s, char sep, std::size_t max_parts) {
  std::vector<std::string> parts;
  while (parts.size() + 1 < max_parts) {
    const auto pos = s.find(sep);
    if (pos == std::string_view::npos) break;
    parts.emplace_back(s.substr(0, pos));
    s.remove_prefix(pos + 1);
  }
  parts.emplace_back(s);
  return parts;
}

/// Aborts with a message: a broken invariant is a finding, like a crash.
[[noreturn]] void fail(const char* what);

}  // namespace newsim::fuzz

// Each target's libFuzzer entry point; also called by replay_main.cpp.
extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);

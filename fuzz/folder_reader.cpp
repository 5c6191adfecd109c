// Folders of .txt files: the first byte picks errors (raise / skip / report) and whether the
// folder also holds a sub-folder named like a text file, a dangling symlink and a symlink
// loop; the rest is up to four files separated by NUL bytes, each "name\ncontent" (a name
// without a dot gets ".txt"). Invalid UTF-8 may be thrown only under errors=raise.

#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "fuzz_common.hpp"
#include "newsim/errors.hpp"
#include "newsim/reader.hpp"

namespace fs = std::filesystem;

namespace {

std::string file_name(std::string_view raw) {
  std::string name(raw.substr(0, 40));
  for (char& c : name) {
    if (c == '/' || c == '\0') c = '_';
  }
  if (name.empty() || name == "." || name == "..") name = "x";
  if (name.find('.') == std::string::npos) name += ".txt";
  return name;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const char* tmp = std::getenv("TMPDIR");
  static const fs::path dir = fs::path(tmp != nullptr ? tmp : "/tmp") /
                              ("newsim_fuzz_folder_" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);

  newsim::fuzz::Input in(data, size);
  const std::uint8_t flags = in.byte();
  const auto errors = static_cast<newsim::OnError>(flags % 3);
  for (const auto& part : newsim::fuzz::split(in.rest(), '\0', 4)) {
    const auto nl = part.find('\n');
    const std::string name = file_name(std::string_view(part).substr(0, nl));
    std::ofstream out(dir / name, std::ios::binary | std::ios::trunc);
    if (nl != std::string::npos) out << part.substr(nl + 1);
  }
  std::error_code ec;
  if ((flags & 4) != 0) fs::create_directory(dir / "sub.txt", ec);
  if ((flags & 8) != 0) fs::create_symlink(dir / "nowhere", dir / "dangling.txt", ec);
  if ((flags & 16) != 0) fs::create_symlink(dir / "loop.txt", dir / "loop.txt", ec);

  try {
    const auto result = newsim::read_folder(dir.string(), errors);
    if (errors == newsim::OnError::report &&
        result.issues.size() != static_cast<std::size_t>(result.skipped)) {
      newsim::fuzz::fail("report lists a different number of issues than it skipped");
    }
    for (const auto& a : result.corpus) {
      if (a.id.empty()) newsim::fuzz::fail("an article without an id");
    }
  } catch (const newsim::InvalidArgument& e) {
    if (errors != newsim::OnError::raise) {
      std::fprintf(stderr, "%s\n", e.what());
      newsim::fuzz::fail("a bad file was thrown under errors=skip/report");
    }
  } catch (const newsim::IoError&) {
  }
  return 0;
}

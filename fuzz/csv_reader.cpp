// CSV: the first byte picks errors (raise / skip / report), a small max_line_bytes and gzip;
// the rest is the file. Under skip and report only a bad header (or an empty file) may throw;
// a malformed row must be counted, and every article kept must be valid UTF-8 with an id.

#include <cstdint>
#include <cstdio>
#include <string>

#include "fuzz_common.hpp"
#include "newsim/errors.hpp"
#include "newsim/reader.hpp"
#include "newsim/text.hpp"

namespace {

bool about_the_header(const std::string& message) {
  return message.find("header") != std::string::npos ||
         message.find("empty file") != std::string::npos ||
         message.find("no text column") != std::string::npos;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  newsim::fuzz::Input in(data, size);
  const std::uint8_t flags = in.byte();
  newsim::JsonlOptions options;
  options.errors = static_cast<newsim::OnError>(flags % 3);
  if ((flags & 8) != 0) options.max_line_bytes = 1 + in.byte();
  const bool gzip = (flags & 16) != 0;
  const std::string path =
      newsim::fuzz::write_temp_file("csv", gzip ? ".csv.gz" : ".csv", in.rest(), gzip);
  try {
    const auto result = newsim::read_csv(path, options);
    if (result.skipped < 0 || result.bad_dates < 0) newsim::fuzz::fail("negative counts");
    if (options.errors == newsim::OnError::report &&
        result.issues.size() != static_cast<std::size_t>(result.skipped + result.bad_dates)) {
      newsim::fuzz::fail("report lists other issues than the skipped rows and bad dates");
    }
    for (const auto& a : result.corpus) {
      if (a.id.empty()) newsim::fuzz::fail("an article without an id");
      if (newsim::find_invalid_utf8(a.text) >= 0 || newsim::find_invalid_utf8(a.meta) >= 0) {
        newsim::fuzz::fail("an article with invalid UTF-8");
      }
    }
  } catch (const newsim::InvalidArgument& e) {
    if (options.errors != newsim::OnError::raise && !about_the_header(e.what())) {
      std::fprintf(stderr, "%s\n", e.what());
      newsim::fuzz::fail("a malformed row was thrown under errors=skip/report");
    }
  } catch (const newsim::IoError&) {
  }
  return 0;
}

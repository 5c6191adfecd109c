// JSON lines: the first byte picks errors (raise / skip / report), require_text, a small
// max_line_bytes and gzip; the rest is the file, written to a temporary path (gzip-compressed
// when asked, so that the .gz path streams it). Under skip and report a malformed line must
// be counted, never thrown.

#include <cstdint>
#include <cstdio>
#include <string>

#include "fuzz_common.hpp"
#include "newsim/errors.hpp"
#include "newsim/reader.hpp"


extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  newsim::fuzz::Input in(data, size);
  const std::uint8_t flags = in.byte();
  newsim::JsonlOptions options;
  options.errors = static_cast<newsim::OnError>(flags % 3);
  options.require_text = (flags & 4) == 0;
  if ((flags & 8) != 0) options.max_line_bytes = 1 + in.byte();
  if ((flags & 32) != 0) options.fields.title = "";  // a title field then goes to meta
  const bool gzip = (flags & 16) != 0;
  const std::string path =
      newsim::fuzz::write_temp_file("jsonl", gzip ? ".jsonl.gz" : ".jsonl", in.rest(), gzip);
  try {
    const auto result = newsim::read_jsonl(path, options);
    if (result.skipped < 0 || result.bad_dates < 0) newsim::fuzz::fail("negative counts");
    if (options.errors == newsim::OnError::report &&
        result.issues.size() != static_cast<std::size_t>(result.skipped + result.bad_dates)) {
      newsim::fuzz::fail("report lists other issues than the skipped lines and bad dates");
    }
    for (const auto& a : result.corpus) {
      if (a.id.empty()) newsim::fuzz::fail("an article without an id");
    }
  } catch (const newsim::InvalidArgument& e) {
    if (options.errors != newsim::OnError::raise) {
      std::fprintf(stderr, "%s\n", e.what());
      newsim::fuzz::fail("a malformed line was thrown under errors=skip/report");
    }
  } catch (const newsim::IoError&) {
  }
  return 0;
}

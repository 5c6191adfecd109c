#pragma once

// Text input: a view of one document in one of the encodings newsim reads without copying
// (UTF-8 bytes from C++ and from Python bytes; Latin-1, UCS-2 and UCS-4 code units from Python
// str objects), and what to do with bytes that are not valid UTF-8.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace newsim {

/// How the code units of a TextView are to be read.
enum class Encoding : std::uint8_t { utf8, latin1, ucs2, ucs4 };

/// What to do with invalid UTF-8 (scikit-learn's decode_error): raise DecodeError, replace each
/// maximal invalid subsequence with U+FFFD (as Python's bytes.decode does), or drop it.
enum class DecodeErrors : std::uint8_t { strict, replace, ignore };

/// Parses "strict" | "replace" | "ignore"; throws InvalidArgument otherwise.
DecodeErrors parse_decode_errors(std::string_view name);
std::string_view to_string(DecodeErrors value);

/// A non-owning view of one document: `size` code units of the given encoding.
struct TextView {
  const void* data = nullptr;
  std::size_t size = 0;
  Encoding encoding = Encoding::utf8;

  TextView() = default;
  TextView(std::string_view utf8) : data(utf8.data()), size(utf8.size()) {}  // NOLINT: implicit
  TextView(const std::string& utf8) : data(utf8.data()), size(utf8.size()) {}  // NOLINT: implicit
  TextView(const char* utf8) : TextView(std::string_view(utf8)) {}  // NOLINT: implicit
  TextView(const void* units, std::size_t count, Encoding enc)
      : data(units), size(count), encoding(enc) {}
};

/// Decodes UTF-8 to code points under `errors`; throws DecodeError naming `document` and the byte
/// offset under "strict". O(n).
std::u32string decode_utf8(std::string_view bytes, DecodeErrors errors, std::size_t document = 0);

/// Byte offset of the first invalid UTF-8 sequence in `bytes`, or -1 when it is all valid
/// (surrogates and overlong forms are invalid, as in Python). O(n).
std::ptrdiff_t find_invalid_utf8(std::string_view bytes);

/// Appends the UTF-8 encoding of `c` to `out` (lone surrogates are encoded as three bytes, as
/// Python's "surrogatepass" does, so that any Python str survives a round trip).
void append_utf8(std::string& out, char32_t c);

}  // namespace newsim

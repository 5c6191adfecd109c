#include "newsim/text.hpp"

#include "newsim/detail/decoder.hpp"
#include "newsim/errors.hpp"

namespace newsim {

DecodeErrors parse_decode_errors(std::string_view name) {
  if (name == "strict") return DecodeErrors::strict;
  if (name == "replace") return DecodeErrors::replace;
  if (name == "ignore") return DecodeErrors::ignore;
  throw InvalidArgument("decode_error must be 'strict', 'replace' or 'ignore'; got '" +
                        std::string(name) + "'");
}

std::string_view to_string(DecodeErrors value) {
  switch (value) {
    case DecodeErrors::strict: return "strict";
    case DecodeErrors::replace: return "replace";
    case DecodeErrors::ignore: return "ignore";
  }
  return "strict";
}

void append_utf8(std::string& out, char32_t c) {
  if (c < 0x80) {
    out.push_back(static_cast<char>(c));
  } else if (c < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (c >> 6)));
    out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
  } else if (c < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (c >> 12)));
    out.push_back(static_cast<char>(0x80 | ((c >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (c >> 18)));
    out.push_back(static_cast<char>(0x80 | ((c >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((c >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
  }
}

std::ptrdiff_t find_invalid_utf8(std::string_view bytes) {
  try {
    detail::Decoder<Encoding::utf8> decoder(TextView(bytes), DecodeErrors::strict, 0);
    char32_t c = 0;
    while (decoder.next(c)) {
    }
  } catch (const DecodeError& e) {
    return static_cast<std::ptrdiff_t>(e.offset());
  }
  return -1;
}

std::u32string decode_utf8(std::string_view bytes, DecodeErrors errors, std::size_t document) {
  std::u32string out;
  out.reserve(bytes.size());
  detail::Decoder<Encoding::utf8> decoder(TextView(bytes), errors, document);
  char32_t c = 0;
  while (decoder.next(c)) out.push_back(c);
  return out;
}

}  // namespace newsim

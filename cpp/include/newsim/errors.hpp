#pragma once

// The one error hierarchy of newsim. Every error names where it happened (document index,
// byte offset, file, line) in its message. The Python module maps each type once:
//   InvalidArgument -> ValueError, DecodeError -> ValueError, ModelFormatError -> ValueError,
//   NotFittedError -> ValueError + AttributeError, KeyNotFound -> KeyError,
//   IndexOutOfRange -> IndexError, IoError -> OSError; Interrupted leaves Python's pending
//   KeyboardInterrupt in place.

#include <stdexcept>
#include <string>

namespace newsim {

/// A bad parameter or a bad input value.
class InvalidArgument : public std::invalid_argument {
 public:
  using std::invalid_argument::invalid_argument;
};

/// Bytes that are not valid UTF-8 under decode_error="strict"; names document and byte offset.
class DecodeError : public InvalidArgument {
 public:
  DecodeError(const std::string& what, std::size_t document, std::size_t offset)
      : InvalidArgument(what), document_(document), offset_(offset) {}
  std::size_t document() const noexcept { return document_; }
  std::size_t offset() const noexcept { return offset_; }

 private:
  std::size_t document_;
  std::size_t offset_;
};

/// A model file or state that is corrupt, of another format, or of a newer version.
class ModelFormatError : public InvalidArgument {
 public:
  using InvalidArgument::InvalidArgument;
};

/// transform() or a fitted attribute used before fit().
class NotFittedError : public InvalidArgument {
 public:
  using InvalidArgument::InvalidArgument;
};

/// A term or id that is not there.
class KeyNotFound : public std::out_of_range {
 public:
  using std::out_of_range::out_of_range;
};

/// An index outside its range.
class IndexOutOfRange : public std::out_of_range {
 public:
  using std::out_of_range::out_of_range;
};

/// A file that cannot be opened, read or written.
class IoError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// A long call stopped because its interrupt check (Ctrl-C in Python) said so.
class Interrupted : public std::runtime_error {
 public:
  Interrupted() : std::runtime_error("interrupted") {}
};

}  // namespace newsim

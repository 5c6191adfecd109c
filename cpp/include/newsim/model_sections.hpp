#pragma once

// What every model file of newsim holds at its top: which model it is, and its settings.

#include <string>
#include <string_view>

namespace newsim {

/// The top of a newsim model document, read once: its "format" (e.g. "newsim.vectorizer"),
/// and its "options" and "python" sections as JSON texts ("" when absent; "python" holds the
/// parameters as the Python module's user gave them). The model itself is read by its class
/// (Vectorizer::from_json, ...). Throws ModelFormatError naming `origin`: not JSON, not an
/// object, or no "format" naming a newsim model.
struct ModelSections {
  std::string format;
  std::string options;
  std::string python;
};
ModelSections read_model_sections(std::string_view text, std::string_view origin);

/// The model document `model` with its "python" section set to the JSON text `python`.
/// Throws ModelFormatError as read_model_sections, InvalidArgument when `python` is not JSON.
std::string with_python_section(std::string_view model, std::string_view python);

}  // namespace newsim

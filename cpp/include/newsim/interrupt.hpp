#pragma once
// Stopping long calls early (Ctrl-C in the Python module).

#include <functional>

#include "newsim/errors.hpp"  // Interrupted

namespace newsim {

/// Polled during long calls, on the calling thread and at most every 20 ms; returning true
/// stops the call, which then throws Interrupted.
using InterruptCheck = std::function<bool()>;

}  // namespace newsim

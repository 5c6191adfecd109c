#pragma once
// Giving freed memory back to the system between the stages of a long job.
#ifdef __GLIBC__
#include <malloc.h>
#endif

namespace newsim::detail {

/// Returns the free pages of the C heap to the system (glibc; elsewhere it does nothing).
/// Millions of small blocks freed by one stage otherwise stay counted in the process while the
/// next stage maps new memory for its large arrays.
inline void release_free_memory() {
#ifdef __GLIBC__
  malloc_trim(0);
#endif
}

}  // namespace newsim::detail

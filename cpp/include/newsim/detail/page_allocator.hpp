#pragma once

// An allocator for large buffers that go back to the kernel as soon as they are freed. Internal.

#include <cstddef>
#include <memory>
#include <new>
#include <type_traits>
#include <utility>
#include <vector>

#if defined(__unix__)
#include <sys/mman.h>
#endif

namespace newsim::detail {

/// An allocator that maps large blocks straight from the kernel, so freeing them returns the
/// memory at once (malloc may keep it): the row buffers of a chunk are freed while the result
/// matrix is written, which keeps the peak near the size of the result.
template <class T>
struct PageAllocator {
  using value_type = T;
  static constexpr std::size_t kLarge = std::size_t{1} << 16;

  PageAllocator() = default;
  template <class U>
  PageAllocator(const PageAllocator<U>&) noexcept {}  // NOLINT: allocator rebinding

  T* allocate(std::size_t n) {
#if defined(__unix__)
    if (n * sizeof(T) >= kLarge) {
      void* p = mmap(nullptr, n * sizeof(T), PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
                     -1, 0);
      if (p == MAP_FAILED) throw std::bad_alloc();
      return static_cast<T*>(p);
    }
#endif
    return std::allocator<T>().allocate(n);
  }
  void deallocate(T* p, std::size_t n) noexcept {
#if defined(__unix__)
    if (n * sizeof(T) >= kLarge) {
      munmap(p, n * sizeof(T));
      return;
    }
#endif
    std::allocator<T>().deallocate(p, n);
  }
  /// resize() leaves new elements uninitialised, for buffers that are written before read.
  template <class U>
  void construct(U* p) noexcept(std::is_nothrow_default_constructible_v<U>) {
    ::new (static_cast<void*>(p)) U;
  }
  template <class U, class... Args>
  void construct(U* p, Args&&... args) {
    ::new (static_cast<void*>(p)) U(std::forward<Args>(args)...);
  }
  template <class U>
  bool operator==(const PageAllocator<U>&) const noexcept { return true; }
  template <class U>
  bool operator!=(const PageAllocator<U>&) const noexcept { return false; }
};

template <class T>
using PageVector = std::vector<T, PageAllocator<T>>;

}  // namespace newsim::detail

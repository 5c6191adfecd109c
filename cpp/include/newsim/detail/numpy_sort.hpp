#pragma once

// numpy 1.x's default argsort (introsort: median-of-3 quicksort, insertion sort up to 16
// elements, heapsort past the depth limit). It is not stable; scikit-learn's max_features
// breaks ties with it, so parity needs the same algorithm. Internal.

#include <cstddef>
#include <cstdint>
#include <utility>
#include <vector>

namespace newsim::detail {

// Moves `tmp` down the one-based heap a[1..n] from position i.
template <class T>
void numpy_sift_down(const T* v, std::int64_t* a, std::int64_t i, std::int64_t n,
                     std::int64_t tmp) {
  for (std::int64_t j = i << 1; j <= n;) {
    if (j < n && v[a[j]] < v[a[j + 1]]) j += 1;
    if (!(v[tmp] < v[a[j]])) break;
    a[i] = a[j];
    i = j;
    j += j;
  }
  a[i] = tmp;
}

template <class T>
void numpy_aheapsort(const T* v, std::int64_t* tosort, std::int64_t n) {
  std::int64_t* a = tosort - 1;  // one-based heap indexing
  for (std::int64_t l = n >> 1; l > 0; --l) numpy_sift_down(v, a, l, n, a[l]);
  for (; n > 1;) {
    const std::int64_t tmp = a[n];
    a[n] = a[1];
    n -= 1;
    numpy_sift_down(v, a, 1, n, tmp);
  }
}

/// Indices that sort v ascending, in exactly the order numpy.argsort(v) (kind="quicksort") gives.
template <class T>
std::vector<std::int64_t> numpy_argsort(const std::vector<T>& values) {
  constexpr std::ptrdiff_t kSmall = 15;
  const auto num = static_cast<std::int64_t>(values.size());
  std::vector<std::int64_t> order(values.size());
  for (std::int64_t k = 0; k < num; ++k) order[static_cast<std::size_t>(k)] = k;
  if (num < 2) return order;
  const T* v = values.data();
  std::int64_t* pl = order.data();
  std::int64_t* pr = pl + num - 1;
  std::vector<std::int64_t*> stack;
  std::vector<int> depth;
  int msb = 0;
  for (auto u = static_cast<std::uint64_t>(num); u >>= 1;) ++msb;
  int cdepth = msb * 2;
  for (;;) {
    if (cdepth < 0) {
      numpy_aheapsort(v, pl, pr - pl + 1);
    } else {
      while ((pr - pl) > kSmall) {
        std::int64_t* pm = pl + ((pr - pl) >> 1);
        if (v[*pm] < v[*pl]) std::swap(*pm, *pl);
        if (v[*pr] < v[*pm]) std::swap(*pr, *pm);
        if (v[*pm] < v[*pl]) std::swap(*pm, *pl);
        const T vp = v[*pm];
        std::int64_t* pi = pl;
        std::int64_t* pj = pr - 1;
        std::swap(*pm, *pj);
        for (;;) {
          do {
            ++pi;
          } while (v[*pi] < vp);
          do {
            --pj;
          } while (vp < v[*pj]);
          if (pi >= pj) break;
          std::swap(*pi, *pj);
        }
        std::int64_t* pk = pr - 1;
        std::swap(*pi, *pk);
        // Push the larger partition, go on with the smaller one.
        if (pi - pl < pr - pi) {
          stack.push_back(pi + 1);
          stack.push_back(pr);
          pr = pi - 1;
        } else {
          stack.push_back(pl);
          stack.push_back(pi - 1);
          pl = pi + 1;
        }
        depth.push_back(--cdepth);
      }
      for (std::int64_t* pi = pl + 1; pi <= pr; ++pi) {
        const std::int64_t vi = *pi;
        const T vp = v[vi];
        std::int64_t* pj = pi;
        std::int64_t* pk = pi - 1;
        while (pj > pl && vp < v[*pk]) *pj-- = *pk--;
        *pj = vi;
      }
    }
    if (stack.empty()) break;
    pr = stack.back();
    stack.pop_back();
    pl = stack.back();
    stack.pop_back();
    cdepth = depth.back();
    depth.pop_back();
  }
  return order;
}

}  // namespace newsim::detail

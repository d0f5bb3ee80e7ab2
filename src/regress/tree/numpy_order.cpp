#include "regress/tree/numpy_order.h"

#include <cmath>
#include <utility>

namespace oh::regress::tree {

namespace {

// numpy's ordering for floats: NaNs sort last.
inline bool numpy_less(double a, double b) { return a < b || (b != b && a == a); }

// numpy's aheapsort, on a 1-based view of the index array.
void index_heapsort(const double* v, int* order, std::ptrdiff_t n) {
  int* a = order - 1;
  auto sift = [&](std::ptrdiff_t i, std::ptrdiff_t size, int moving) {
    for (std::ptrdiff_t j = i * 2; j <= size;) {
      if (j < size && numpy_less(v[a[j]], v[a[j + 1]])) ++j;
      if (!numpy_less(v[moving], v[a[j]])) break;
      a[i] = a[j];
      i = j;
      j += j;
    }
    a[i] = moving;
  };
  for (std::ptrdiff_t l = n >> 1; l > 0; --l) sift(l, n, a[l]);
  for (std::ptrdiff_t size = n; size > 1;) {
    const int moving = a[size];
    a[size] = a[1];
    --size;
    sift(1, size, moving);
  }
}

int floor_log2(std::ptrdiff_t n) {
  int depth = 0;
  while (n >>= 1) ++depth;
  return depth;
}

}  // namespace

std::vector<int> numpy_argsort(const std::vector<double>& values) {
  const std::ptrdiff_t n = static_cast<std::ptrdiff_t>(values.size());
  std::vector<int> order(values.size());
  for (std::ptrdiff_t i = 0; i < n; ++i) order[static_cast<size_t>(i)] = static_cast<int>(i);
  if (n < 2) return order;
  const double* v = values.data();
  constexpr std::ptrdiff_t kSmall = 15;  // numpy's SMALL_QUICKSORT
  struct Range {
    int* left;
    int* right;
    int depth;
  };
  std::vector<Range> stack;
  int* pl = order.data();
  int* pr = pl + n - 1;
  int depth = floor_log2(n) * 2;
  for (;;) {
    if (depth < 0) {
      index_heapsort(v, pl, pr - pl + 1);
    } else {
      while (pr - pl > kSmall) {
        int* pm = pl + ((pr - pl) >> 1);
        if (numpy_less(v[*pm], v[*pl])) std::swap(*pm, *pl);
        if (numpy_less(v[*pr], v[*pm])) std::swap(*pr, *pm);
        if (numpy_less(v[*pm], v[*pl])) std::swap(*pm, *pl);
        const double pivot = v[*pm];
        int* pi = pl;
        int* pj = pr - 1;
        std::swap(*pm, *pj);
        for (;;) {
          do ++pi; while (numpy_less(v[*pi], pivot));
          do --pj; while (numpy_less(pivot, v[*pj]));
          if (pi >= pj) break;
          std::swap(*pi, *pj);
        }
        std::swap(*pi, *(pr - 1));
        // Continue with the smaller side; the larger waits on the stack.
        if (pi - pl < pr - pi) {
          stack.push_back({pi + 1, pr, --depth});
          pr = pi - 1;
        } else {
          stack.push_back({pl, pi - 1, --depth});
          pl = pi + 1;
        }
      }
      for (int* pi = pl + 1; pi <= pr; ++pi) {  // insertion sort of the small range
        const int moving = *pi;
        const double key = v[moving];
        int* pj = pi;
        while (pj > pl && numpy_less(key, v[*(pj - 1)])) {
          *pj = *(pj - 1);
          --pj;
        }
        *pj = moving;
      }
    }
    if (stack.empty()) break;
    pl = stack.back().left;
    pr = stack.back().right;
    depth = stack.back().depth;
    stack.pop_back();
  }
  return order;
}

}  // namespace oh::regress::tree

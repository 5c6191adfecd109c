#!/usr/bin/env bash
# ASan + UBSan (clang) build of the core, its C++ tests and the fuzz replay tests in
# build-asan/, and with `python` or `all` also the Python module and the pytest suite.
# Usage: scripts/sanitize.sh [cpp|python|all]   (default cpp; `make sanitize` runs cpp)
#   env: NEWSIM_SANITIZE_BUILD_DIR (default build-asan), PYTEST_ARGS (extra pytest arguments)
#
# Any ASan or UBSan report fails the run (halt_on_error). The Python interpreter is not built
# with ASan, so the ASan runtime is loaded first with LD_PRELOAD, and leak detection is off
# there: CPython frees neither interned objects nor module state at exit on purpose, so
# LeakSanitizer would report thousands of allocations that are not leaks (the C++ tests keep
# it on). PYTHONMALLOC=malloc hands Python's own allocations to ASan too.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
root=$PWD
mode=${1:-cpp}
case "$mode" in cpp|python|all) ;; *) echo "usage: $0 [cpp|python|all]" >&2; exit 2 ;; esac
build=${NEWSIM_SANITIZE_BUILD_DIR:-$root/build-asan}
python=$root/.venv/bin/python
[ -x "$python" ] || python=$(command -v python3)

with_python=OFF
[ "$mode" = cpp ] || with_python=ON
# The module goes into a py tree of its own, never into python/newsim (the normal build's).
mkdir -p "$build/py/newsim"
for f in "$root"/python/newsim/*; do
  case "$(basename "$f")" in _core*.so) ;; *) ln -sf "$f" "$build/py/newsim/" ;; esac
done

export ASAN_OPTIONS=${ASAN_OPTIONS:-abort_on_error=1:detect_stack_use_after_return=1:strict_string_checks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

cmake -S . -B "$build" -G Ninja -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_BUILD_TYPE=RelWithDebInfo \
      -DNEWSIM_SANITIZE=ON -DNEWSIM_BUILD_TESTS=ON -DNEWSIM_BUILD_PYTHON=$with_python \
      -DPython_EXECUTABLE="$python" -DNEWSIM_PY_OUT="$build/py/newsim" >/dev/null
nice -n 10 cmake --build "$build" -j2

if [ "$mode" != python ]; then
  # install_consumer builds an outside project against the installed (sanitized) library.
  ctest --test-dir "$build" --output-on-failure -E '^install_consumer$'
fi

if [ "$mode" != cpp ]; then
  asan_rt=$(clang++ -print-file-name=libclang_rt.asan-x86_64.so)
  [ -f "$asan_rt" ] || { echo "sanitize: no ASan runtime at $asan_rt" >&2; exit 1; }
  # test_packaging builds and installs an unsanitized wheel: nothing for ASan to see there.
  LD_PRELOAD=$asan_rt ASAN_OPTIONS=$ASAN_OPTIONS:detect_leaks=0 PYTHONMALLOC=malloc \
    PYTHONPATH=$build/py "$python" -m pytest tests/python -p no:cacheprovider \
    --deselect tests/python/test_packaging.py ${PYTEST_ARGS:-}
fi
echo "sanitize ($mode): clean"

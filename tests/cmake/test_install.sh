#!/usr/bin/env bash
# Installs newsim from a CMake build tree into a temporary prefix, then builds and runs the
# standalone consumer in examples/cpp against it (find_package(newsim) + newsim::core).
# Usage: test_install.sh <cmake-binary-dir> <source-dir>    (CTest runs it as install_consumer)
set -euo pipefail

if [ "$#" -ne 2 ]; then
  echo "usage: $0 <cmake-binary-dir> <source-dir>" >&2
  exit 2
fi
binary_dir="$(cd "$1" && pwd)"
source_dir="$(cd "$2" && pwd)"
cmake="${CMAKE_COMMAND:-cmake}"

work="$(mktemp -d "${TMPDIR:-/tmp}/newsim-install-test.XXXXXX")"
trap 'rm -rf "$work"' EXIT

generator=()
if command -v ninja >/dev/null 2>&1; then generator=(-G Ninja); fi

echo "== install $binary_dir -> $work/prefix"
"$cmake" --install "$binary_dir" --prefix "$work/prefix"

echo "== configure examples/cpp against the installed package"
"$cmake" -S "$source_dir/examples/cpp" -B "$work/build" "${generator[@]}" \
  -DCMAKE_BUILD_TYPE=Release -DCMAKE_PREFIX_PATH="$work/prefix"

echo "== build"
"$cmake" --build "$work/build" -j2

echo "== run (in $work)"
cd "$work"
./build/newsim_example

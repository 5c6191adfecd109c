#!/usr/bin/env bash
# Prepare a fresh Debian 12 / Ubuntu machine to build and test newsim.
#
# Idempotent: installs only the apt packages that are missing (apt is the only network
# access this needs) and creates .venv at the repository root if it is absent. The venv
# sees the system's site-packages, so numpy, scipy, scikit-learn, pytest and pybind11 come
# from Debian and nothing is fetched from PyPI.
set -euo pipefail

readonly PACKAGES=(
  build-essential cmake ninja-build pkg-config clang
  libeigen3-dev nlohmann-json3-dev pybind11-dev python3-pybind11
  libutf8proc-dev libpcre2-dev libabsl-dev libxxhash-dev libstemmer-dev
  libgtest-dev libbenchmark-dev zlib1g-dev
  python3-dev python3-venv python3-pip
  python3-numpy python3-scipy python3-pandas python3-sklearn
  python3-pytest python3-hypothesis python3-gensim python3-nbclient python3-ipykernel
  python3-nbformat python3-matplotlib python3-tqdm python3-jsonschema
  python3-dask python3-distributed
  chromium
)
readonly SYSTEM_PYTHON=/usr/bin/python3

say() { printf 'setup: %s\n' "$*"; }

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo_root"

is_installed() {
  [ "$(dpkg-query -W -f='${Status}' "$1" 2>/dev/null)" = "install ok installed" ]
}

missing=()
for pkg in "${PACKAGES[@]}"; do
  is_installed "$pkg" || missing+=("$pkg")
done

if [ "${#missing[@]}" -eq 0 ]; then
  say "all ${#PACKAGES[@]} system packages already installed"
else
  say "installing ${#missing[@]} missing package(s): ${missing[*]}"
  if [ "$(id -u)" -eq 0 ]; then
    sudo=()
  elif command -v sudo >/dev/null 2>&1; then
    sudo=(sudo)
  else
    say "error: not root and sudo is not available; install these as root: ${missing[*]}" >&2
    exit 1
  fi
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}"
  say "system packages installed"
fi

if [ -x .venv/bin/python ]; then
  say ".venv already exists"
else
  say "creating .venv from $SYSTEM_PYTHON (with system site-packages)"
  "$SYSTEM_PYTHON" -m venv --system-site-packages .venv
fi
say "done ($(.venv/bin/python --version 2>&1))"

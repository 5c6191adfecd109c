#!/usr/bin/env bash
# Renders the HTML report of the sample articles in headless Chromium and saves a screenshot,
# to look at: bash scripts/screenshot_report.sh [OUT.png]   (default: newsim-report.png)
# Needs the project's venv (make demo or make test) and chromium (scripts/setup.sh installs it).
set -euo pipefail
repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo_root"
out="${1:-newsim-report.png}"
page="$(mktemp --suffix=.html)"
trap 'rm -f "$page"' EXIT
.venv/bin/python -m newsim analyze data/seeds --format html --output "$page"
chromium --headless --no-sandbox --disable-gpu --disable-dev-shm-usage --hide-scrollbars \
  --window-size=1280,2200 --screenshot="$(realpath -m "$out")" "file://$page" 2>/dev/null
echo "screenshot: $out"

#!/usr/bin/env bash
# Builds the libFuzzer targets of fuzz/ (clang, ASan + UBSan) in build-fuzz/ and runs each for
# SECONDS (default 600), one after another, one job each, niced. Prints per target the
# executions and findings; every crash, leak or timeout input is saved to
# fuzz/regressions/<target>/, which CTest replays (fuzz_replay_<target>). After a finding the
# target starts again for the time left (at most 5 findings each).
# Usage: scripts/fuzz.sh [SECONDS] [TARGET...]
#   env: NEWSIM_FUZZ_BUILD_DIR (default build-fuzz), NEWSIM_FUZZ_ARGS (extra libFuzzer flags)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
root=$PWD
seconds=${1:-600}
shift $(($# > 0 ? 1 : 0))
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(model_loader jsonl_reader csv_reader folder_reader analyzer cleaner near_duplicates text_reuse)
build=${NEWSIM_FUZZ_BUILD_DIR:-$root/build-fuzz}

cmake -S . -B "$build" -G Ninja -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_BUILD_TYPE=RelWithDebInfo \
      -DNEWSIM_FUZZ=ON -DNEWSIM_BUILD_TESTS=OFF -DNEWSIM_BUILD_PYTHON=OFF >/dev/null
nice -n 10 cmake --build "$build" -j2 --target $(printf 'fuzz_%s ' "${targets[@]}") >/dev/null

summary=$build/fuzz-summary.txt
printf '%-16s %8s %14s %10s %9s\n' target seconds executions exec/s findings | tee "$summary"
total_execs=0 total_finds=0 total_time=0
for t in "${targets[@]}"; do
  work=$build/corpus/$t regressions=$root/fuzz/regressions/$t
  mkdir -p "$work" "$regressions" "$build/logs"
  start=$(date +%s) deadline=$(( $(date +%s) + seconds )) execs=0 finds=0 run=0
  while [ "$(date +%s)" -lt "$deadline" ] && [ "$finds" -lt 5 ]; do
    run=$((run + 1))
    log=$build/logs/$t.$run.log
    rc=0
    # -timeout: an input that takes 25 s is a finding; -rss_limit_mb bounds memory.
    nice -n 10 "$build/fuzz/fuzz_$t" -max_total_time=$(( deadline - $(date +%s) )) \
      -timeout=25 -rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix="$regressions/" \
      ${NEWSIM_FUZZ_ARGS:-} "$work" "$root/fuzz/corpus/$t" >"$log" 2>&1 || rc=$?
    n=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
    execs=$(( execs + ${n:-0} ))
    if [ "$rc" -ne 0 ]; then
      finds=$((finds + 1))
      echo "  $t: finding (exit $rc), log $log:" >&2
      grep -E 'ERROR|runtime error|terminate|invariant broken|Test unit written' "$log" | head -5 | sed 's/^/    /' >&2
    fi
  done
  elapsed=$(( $(date +%s) - start ))
  printf '%-16s %8d %14d %10d %9d\n' "$t" "$elapsed" "$execs" $(( execs / (elapsed > 0 ? elapsed : 1) )) "$finds" | tee -a "$summary"
  total_execs=$((total_execs + execs)) total_finds=$((total_finds + finds)) total_time=$((total_time + elapsed))
done
printf '%-16s %8d %14d %10s %9d\n' total "$total_time" "$total_execs" - "$total_finds" | tee -a "$summary"
[ "$total_finds" -eq 0 ]

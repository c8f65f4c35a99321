#!/usr/bin/env bash
# test-native.sh: the native test layers of the C core, in one command.
#   0. static analysis: cppcheck, clang-tidy (.clang-tidy: bugprone and the clang
#      static analyser, warnings as errors) over src/, the wasm sources
#      against Emscripten's headers, and a clang-format check of every C
#      file (.clang-format)
#   1. ctest with warnings as errors (gcc)
#   2. ctest under ASan+UBSan (clang, or $CF_SAN_CC)
#   3. every test binary under valgrind (--error-exitcode=1
#      --leak-check=full), iterations divided by $CF_VALGRIND_SCALE (1: full)
#   4. each libFuzzer target (tests/fuzz/fuzz_*.c) for $CF_FUZZ_SECONDS
#      (60) with clang, ASan+UBSan
#   5. ctest under ThreadSanitizer (clang; the blocking pool and the
#      drivers' cross-thread notify; test_fiber is left out: TSan does not
#      follow ucontext stack switches)
# Each step prints one summary line; the script exits non-zero if any step
# failed (all steps run regardless, so one report shows everything).
# Build trees live under $CF_BUILD_ROOT (default: build/native). Logs are
# kept next to them. Parallelism: $CF_JOBS (2).
set -u
cd "$(dirname "$0")/.."

ROOT=${CF_BUILD_ROOT:-build/native}
JOBS=${CF_JOBS:-2}
FUZZ_SECONDS=${CF_FUZZ_SECONDS:-60}
VG_SCALE=${CF_VALGRIND_SCALE:-1}
SAN_CC=${CF_SAN_CC:-clang}
mkdir -p "$ROOT"
failed=0
summary=()

say() { # step status detail
  local line
  line=$(printf '%-10s %-4s %s' "$1" "$2" "$3")
  summary+=("$line")
  echo "== $line"
  [ "$2" = ok ] || failed=1
}

# configure + build; $1 build dir, $2 log, rest: cmake args
build() {
  local dir=$1 log=$2
  shift 2
  cmake -S . -B "$dir" -DCMAKE_BUILD_TYPE=Debug "$@" >"$log" 2>&1 &&
    cmake --build "$dir" -j "$JOBS" >>"$log" 2>&1
}

ctest_counts() { # log -> "N tests, M cases"
  local tests cases
  tests=$(grep -Eo '[0-9]+ tests failed out of [0-9]+' "$1" | tail -1)
  cases=$(grep -Eo '[0-9]+ cases, [0-9]+ failed' "$1" | awk '{s+=$1} END {print s+0}')
  echo "${tests:-?}; $cases cases"
}

# ---- 0. static analysis ----
log=$ROOT/static.log
t0=$SECONDS
: >"$log"
static_bad=0
EMSYS=/usr/share/emscripten/cache/sysroot/include
CLANG_INC=$(clang -print-resource-dir 2>/dev/null)/include
# shellcheck disable=SC2046
if ! clang-tidy --quiet src/*.c src/sync/*.c src/native/*.c -- -std=c11 \
  -Iinclude -Isrc -D_GNU_SOURCE >>"$log" 2>&1; then
  static_bad=1
fi
if ! clang-tidy --quiet src/wasm/*.c -- -std=c11 \
  --target=wasm32-unknown-emscripten -D__EMSCRIPTEN__ -nostdinc \
  -isystem "$EMSYS" -isystem "$CLANG_INC" -Iinclude -Isrc >>"$log" 2>&1; then
  static_bad=1
fi
if ! cppcheck --quiet --error-exitcode=1 --std=c11 \
  --enable=warning,performance,portability --inline-suppr -D__GNUC__ \
  -Iinclude -Isrc src >>"$log" 2>&1; then
  static_bad=1
fi
fmt_files=$(git ls-files -- '*.c' '*.h' ':!tests/lint/' 2>/dev/null ||
  find src include tests/c tests/fuzz tests/wasm bench demo -name '*.[ch]')
# shellcheck disable=SC2086
if ! clang-format --dry-run -Werror $fmt_files >>"$log" 2>&1; then
  static_bad=1
fi
if [ "$static_bad" -eq 0 ]; then
  say static ok "cppcheck, clang-tidy and clang-format clean ($((SECONDS - t0)) s)"
else
  say static FAIL "$(grep -cE 'error:|warning:' "$log") findings; see $log"
fi

# ---- 1. warnings as errors ----
d=$ROOT/werror
log=$ROOT/werror.log
t0=$SECONDS
if build "$d" "$log" -DCF_WERROR=ON -DCMAKE_C_COMPILER="${CC:-gcc}"; then
  if (cd "$d" && ctest --output-on-failure -V) >>"$log" 2>&1; then
    say werror ok "$(ctest_counts "$log") ($((SECONDS - t0)) s)"
  else
    say werror FAIL "ctest failed: $(ctest_counts "$log"); see $log"
  fi
else
  say werror FAIL "build failed; see $log"
fi

# ---- 2. ASan + UBSan ----
d=$ROOT/asan
log=$ROOT/asan.log
t0=$SECONDS
if build "$d" "$log" -DCF_WERROR=ON -DCF_SANITIZE=ON \
  -DCMAKE_C_COMPILER="$SAN_CC"; then
  if (cd "$d" && ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
    UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    ctest --output-on-failure -V) >>"$log" 2>&1; then
    say asan ok "$(ctest_counts "$log"), $SAN_CC ($((SECONDS - t0)) s)"
  else
    say asan FAIL "$(ctest_counts "$log"); see $log"
  fi
else
  say asan FAIL "build failed; see $log"
fi

# ---- 3. valgrind (on the -Werror build's binaries) ----
log=$ROOT/valgrind.log
t0=$SECONDS
: >"$log"
if ! command -v valgrind >/dev/null; then
  say valgrind FAIL "valgrind not installed"
else
  vg_bad=0
  vg_n=0
  for bin in "$ROOT"/werror/test_*; do
    [ -x "$bin" ] || continue
    vg_n=$((vg_n + 1))
    echo "--- $bin" >>"$log"
    if ! CF_TEST_SCALE=$VG_SCALE valgrind --error-exitcode=1 \
      --leak-check=full --errors-for-leak-kinds=definite,indirect,possible \
      --quiet "$bin" >>"$log" 2>&1; then
      vg_bad=$((vg_bad + 1))
      echo "FAILED: $bin" >>"$log"
    fi
  done
  if [ "$vg_n" -gt 0 ] && [ "$vg_bad" -eq 0 ]; then
    say valgrind ok "$vg_n binaries clean, scale 1/$VG_SCALE ($((SECONDS - t0)) s)"
  else
    say valgrind FAIL "$vg_bad of $vg_n binaries failed; see $log"
  fi
fi

# ---- 4. libFuzzer: every tests/fuzz/fuzz_*.c target ----
d=$ROOT/fuzz
log=$ROOT/fuzz.log
if ! command -v clang >/dev/null; then
  say fuzz FAIL "clang not installed"
elif cmake -S . -B "$d" -DCMAKE_BUILD_TYPE=Debug -DCF_FUZZ=ON \
  -DCF_SANITIZE=ON -DCF_TESTS=OFF -DCF_WERROR=ON \
  -DCMAKE_C_COMPILER=clang >"$log" 2>&1 &&
  cmake --build "$d" -j "$JOBS" >>"$log" 2>&1; then
  for src in tests/fuzz/fuzz_*.c; do
    name=$(basename "$src" .c)
    flog=$ROOT/$name.log
    mkdir -p "$d/$name-corpus" "$d/artifacts"
    if "$d/$name" -max_total_time="$FUZZ_SECONDS" -print_final_stats=1 \
      -artifact_prefix="$d/artifacts/$name-" "$d/$name-corpus" >"$flog" 2>&1; then
      runs=$(grep -Eo 'Done [0-9]+ runs in [0-9]+ second' "$flog" | tail -1)
      say "$name" ok "${runs:-?}s, no crash or divergence"
    else
      say "$name" FAIL "crashed or diverged; artifacts in $d/artifacts; see $flog"
    fi
  done
else
  say fuzz FAIL "build failed; see $log"
fi

# ---- 5. ThreadSanitizer ----
d=$ROOT/tsan
log=$ROOT/tsan.log
t0=$SECONDS
if ! command -v "$SAN_CC" >/dev/null; then
  say tsan FAIL "$SAN_CC not installed"
elif build "$d" "$log" -DCF_WERROR=ON -DCF_TSAN=ON -DCMAKE_C_COMPILER="$SAN_CC"; then
  if (cd "$d" && TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1 \
    ctest --output-on-failure -V -E '^test_fiber$') >>"$log" 2>&1; then
    say tsan ok "$(ctest_counts "$log"), $SAN_CC ($((SECONDS - t0)) s)"
  else
    say tsan FAIL "$(ctest_counts "$log"); see $log"
  fi
else
  say tsan FAIL "build failed; see $log"
fi

echo
echo "native test summary:"
for line in "${summary[@]}"; do
  echo "  $line"
done
exit $failed

#!/bin/sh
# run: every test of creditkit, once per build directory given (build,
# build-san, ...).  Unit tests are TAP programs; end-to-end cases are
# folders under tests/e2e (see tests/e2e/README); real-data checks read
# ../shared/data/real and skip with a notice where it is absent.
# Prints one line per failure and a closing "N passed, N failed".
# CK_ONLY, a shell pattern, narrows the run to the unit tests and e2e
# cases whose path matches it (CK_ONLY='*creditkit-nightly*' sh
# tests/run.sh): for working on one thing, never for make check.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 3
[ $# -gt 0 ] || set -- build

passed=0 failed=0 skipped=0
fail() { failed=$((failed + 1)); echo "FAIL $*"; }

: "${CK_REAL:=$top/../shared/data/real}"
export CK_REAL
tmproot=$(mktemp -d "${TMPDIR:-/tmp}/ck-test.XXXXXX")
trap 'rm -rf "$tmproot"' EXIT INT TERM

for build in "$@"; do
	bdir=$top/$build
	echo "# tests with $build"
	# Unit tests: count TAP points.
	for t in "$bdir"/tests/test_*; do
		[ -x "$t" ] || continue
		# shellcheck disable=SC2254
		case $t in ${CK_ONLY:-*}) ;; *) continue ;; esac
		out=$tmproot/unit.out
		"$t" >"$out" 2>&1
		rc=$?
		ok=$(grep -c '^ok ' "$out")
		nok=$(grep -c '^not ok ' "$out")
		passed=$((passed + ok))
		failed=$((failed + nok))
		if [ "$nok" -gt 0 ] || [ "$rc" -ne 0 ]; then
			[ "$nok" -gt 0 ] || failed=$((failed + 1))
			fail "$build: $(basename "$t") (exit $rc)"
			grep -v '^ok ' "$out" | head -40
		fi
	done
	# Fuzz targets replay their seed corpora under the sanitizers.
	if [ "$build" = build-san ] && [ -z "${CK_ONLY:-}" ]; then
		out=$tmproot/fuzz.out
		sh tests/fuzz/run.sh --replay "$bdir" >"$out" 2>&1
		ok=$(grep -c '^ok ' "$out")
		nok=$(grep -c '^FAIL ' "$out")
		passed=$((passed + ok))
		failed=$((failed + nok))
		[ "$nok" -eq 0 ] || grep '^FAIL' "$out"
	fi
	# End-to-end cases.
	for case in tests/e2e/*/*/; do
		case=${case%/}
		[ -f "$case/cmd" ] || continue
		# shellcheck disable=SC2254
		case $case in ${CK_ONLY:-*}) ;; *) continue ;; esac
		name=$build:${case#tests/e2e/}
		if [ -f "$case/needs-real" ] && [ ! -d "$CK_REAL" ]; then
			skipped=$((skipped + 1))
			echo "skip $name: ../shared/data/real is absent"
			continue
		fi
		work=$tmproot/case
		rm -rf "$work" && mkdir -p "$work" && cp -R "$case"/. "$work"/
		(
			cd "$work" || exit 99
			PATH=$bdir/bin:$PATH CK_DATA=$top/tests/data \
			CK_TOP=$top CK_BIN=$bdir/bin \
			CREDITKIT_DB=state.db CREDITKIT_AS_OF=2024-02-29 \
			LC_ALL=C TZ=UTC \
			ASAN_OPTIONS=detect_leaks=1 \
			UBSAN_OPTIONS=print_stacktrace=1 \
			sh ./cmd >got.out 2>got.err </dev/null
			echo $? >got.rc
		)
		want_rc=0
		[ -f "$case/rc" ] && want_rc=$(cat "$case/rc")
		got_rc=$(cat "$work/got.rc")
		# Exit 77 (automake's convention): the case cannot run here; its
		# first line of stderr says why.
		if [ "$got_rc" = 77 ] && [ "$want_rc" != 77 ]; then
			skipped=$((skipped + 1))
			echo "skip $name: $(head -1 "$work/got.err")"
			continue
		fi
		bad=""
		[ "$got_rc" = "$want_rc" ] || bad="exit $got_rc, want $want_rc"
		if [ -f "$case/out" ] && ! cmp -s "$case/out" "$work/got.out"; then
			bad="$bad stdout differs"
		fi
		if [ -f "$case/err" ]; then
			cmp -s "$case/err" "$work/got.err" || bad="$bad stderr differs"
		elif [ -s "$work/got.err" ]; then
			bad="$bad stderr not empty"
		fi
		if [ -z "$bad" ]; then
			passed=$((passed + 1))
		else
			fail "$name:$bad"
			[ -f "$case/out" ] && diff "$case/out" "$work/got.out" | head -20
			[ -f "$case/err" ] && diff "$case/err" "$work/got.err" | head -10
			[ -f "$case/err" ] || head -10 "$work/got.err"
		fi
	done
done

if [ "$skipped" -gt 0 ]; then
	echo "$passed passed, $failed failed, $skipped skipped"
else
	echo "$passed passed, $failed failed"
fi
[ "$failed" -eq 0 ]

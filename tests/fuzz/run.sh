#!/bin/sh
# run: the fuzz targets, every tests/fuzz/fuzz_NAME.c, each with its seed
# corpus tests/fuzz/corpus/NAME/ and, if there is one, its dictionary
# tests/fuzz/fuzz_NAME.dict.  Two modes:
#
#   sh tests/fuzz/run.sh [SECONDS]
#	libFuzzer: builds each target with clang -fsanitize=fuzzer,address,
#	undefined into build-fuzz/ and fuzzes it for SECONDS (default
#	$FUZZ_SEC, else 10).  New inputs go to build-fuzz/corpus/NAME, never
#	into the seeds; a crash leaves build-fuzz/NAME-crash-* (copy it into
#	the seed corpus once fixed, so the replay keeps it fixed).  Prints a
#	line per target and last "N passed, N failed"; exits 1 on a failure.
#
#   sh tests/fuzz/run.sh --replay BUILDDIR
#	Regression: builds each target with tests/fuzz/driver.c instead of
#	libFuzzer, with $CC (default cc) under ASan and UBSan, into
#	BUILDDIR/fuzz/, and runs it once over its seed corpus.  Prints one
#	line per target, "ok ..." or "FAIL ..."; exits 1 on a failure.
#
# Targets are linked with lib/*.c (as an archive, so a target pulls only
# the modules it uses) and the libraries every tool gets.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top" || exit 3

pkgs="sqlite3 libxml-2.0 yaml-0.1"
# shellcheck disable=SC2086
pkg_cflags=$(pkg-config --cflags $pkgs 2>/dev/null)
# shellcheck disable=SC2086
pkg_libs="$(pkg-config --libs $pkgs 2>/dev/null) -lcsv -lm"
std="-std=c11 -D_POSIX_C_SOURCE=200809L -g -O1 -fno-omit-frame-pointer -Ilib"

passed=0 failed=0
ok() { passed=$((passed + 1)); echo "ok $*"; }
fail() { failed=$((failed + 1)); echo "FAIL $*"; }

# build_lib CC FLAGS OUTDIR: lib/*.c compiled into OUTDIR/libcreditkit.a,
# recompiling only what changed since the last run with the same flags.
# Compiler messages go to OUTDIR/lib.log.
build_lib() {
	bcc=$1 bflags=$2 bout=$3
	mkdir -p "$bout/obj" || return 1
	stamp="$bcc $bflags $pkg_cflags"
	old=$(cat "$bout/flags" 2>/dev/null)
	if [ "$old" != "$stamp" ]; then
		rm -f "$bout"/obj/*.o
		printf '%s\n' "$stamp" >"$bout/flags"
	fi
	: >"$bout/lib.log"
	status=0 objs=""
	for src in lib/*.c; do
		[ -f "$src" ] || continue
		obj=$bout/obj/$(basename "$src" .c).o
		objs="$objs $obj"
		newer=$(find "$src" lib/*.h -newer "$obj" 2>/dev/null)
		[ -f "$obj" ] && [ -z "$newer" ] && continue
		# shellcheck disable=SC2086
		if ! $bcc $std $bflags $pkg_cflags -c -o "$obj" "$src" \
		    >>"$bout/lib.log" 2>&1; then
			rm -f "$obj"
			status=1
		fi
	done
	[ "$status" -eq 0 ] || return 1
	rm -f "$bout/libcreditkit.a"
	# shellcheck disable=SC2086
	ar rcs "$bout/libcreditkit.a" $objs >>"$bout/lib.log" 2>&1
}

targets=$(ls tests/fuzz/fuzz_*.c 2>/dev/null)
if [ -z "$targets" ]; then
	echo "no fuzz targets in tests/fuzz"
	echo "0 passed, 0 failed"
	exit 0
fi

if [ "${1:-}" = "--replay" ]; then
	if [ $# -ne 2 ]; then
		echo "usage: sh tests/fuzz/run.sh --replay BUILDDIR" >&2
		exit 2
	fi
	cc=${CC:-cc}
	out=$2/fuzz
	san="-fsanitize=address,undefined -fno-sanitize-recover=all"
	if ! build_lib "$cc" "$san" "$out"; then
		for t in $targets; do
			fail "fuzz-replay $(basename "$t" .c):" \
			    "lib/ does not build"
		done
		head -20 "$out/lib.log"
		exit 1
	fi
	for t in $targets; do
		prog=$(basename "$t" .c)
		name=${prog#fuzz_}
		bin=$out/$prog
		# shellcheck disable=SC2086
		if ! $cc $std $san $pkg_cflags -o "$bin" "$t" \
		    tests/fuzz/driver.c "$out/libcreditkit.a" $pkg_libs \
		    >"$out/$prog.log" 2>&1; then
			fail "fuzz-replay $prog: does not build"
			head -20 "$out/$prog.log"
			continue
		fi
		corpus=tests/fuzz/corpus/$name
		if [ ! -d "$corpus" ]; then
			fail "fuzz-replay $prog: no seed corpus $corpus"
			continue
		fi
		if ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 \
		    UBSAN_OPTIONS=print_stacktrace=1 \
		    "$bin" "$corpus" >"$out/$prog.log" 2>&1; then
			ok "fuzz-replay $prog: $(tail -1 "$out/$prog.log")"
		else
			fail "fuzz-replay $prog: crashed (log $out/$prog.log)"
			grep -m 5 -e 'ERROR:' -e 'runtime error' -e 'SUMMARY' \
			    "$out/$prog.log"
		fi
	done
	[ "$failed" -eq 0 ]
	exit $?
fi

sec=${1:-${FUZZ_SEC:-10}}
case $sec in
''|*[!0-9]*|0)
	echo "usage: sh tests/fuzz/run.sh [SECONDS] | --replay BUILDDIR" >&2
	exit 2
	;;
esac
out=build-fuzz
fuzzflags="-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all"
if ! command -v clang >/dev/null 2>&1; then
	for t in $targets; do
		fail "fuzz $(basename "$t" .c): clang is not installed"
	done
	echo "$passed passed, $failed failed"
	exit 1
fi
if ! build_lib clang "-fsanitize=fuzzer-no-link,address,undefined \
    -fno-sanitize-recover=all" "$out"; then
	for t in $targets; do
		fail "fuzz $(basename "$t" .c): lib/ does not build"
	done
	head -20 "$out/lib.log"
	echo "$passed passed, $failed failed"
	exit 1
fi
for t in $targets; do
	prog=$(basename "$t" .c)
	name=${prog#fuzz_}
	bin=$out/$prog
	log=$out/$prog.log
	# shellcheck disable=SC2086
	if ! clang $std $fuzzflags $pkg_cflags -o "$bin" "$t" \
	    "$out/libcreditkit.a" $pkg_libs >"$log" 2>&1; then
		fail "fuzz $prog: does not build"
		head -20 "$log"
		continue
	fi
	mkdir -p "$out/corpus/$name"
	set -- "$out/corpus/$name"
	seeds=tests/fuzz/corpus/$name
	[ -d "$seeds" ] && set -- "$@" "$seeds"
	dict=""
	[ -f "tests/fuzz/$prog.dict" ] && dict="-dict=tests/fuzz/$prog.dict"
	# shellcheck disable=SC2086
	if "$bin" -max_len=65536 -max_total_time="$sec" -timeout=25 \
	    -rss_limit_mb=4096 -print_final_stats=1 \
	    -artifact_prefix="$out/$name-" $dict "$@" >"$log" 2>&1; then
		runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
		ok "fuzz $prog: ${runs:-?} runs in ${sec}s"
	else
		fail "fuzz $prog: crashed (log $log)"
		grep -m 5 -e 'ERROR:' -e 'runtime error' -e 'SUMMARY' \
		    -e 'Test unit written' "$log"
	fi
done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]

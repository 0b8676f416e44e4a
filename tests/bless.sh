#!/bin/sh
# bless: runs end-to-end cases and writes what they print as their
# expected out, err and rc.  For writing a new case; read every file it
# writes (git diff) before committing: a blessed bug is still a bug.
#   sh tests/bless.sh tests/e2e/TOOL/CASE ...
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
: "${BUILD:=build}"
: "${CK_REAL:=$top/../shared/data/real}"
for case in "$@"; do
	# A wrong path must stop here: an empty $case would copy "/".
	if [ ! -f "$case/cmd" ]; then
		echo "bless: $case: no cmd file (give tests/e2e/TOOL/CASE)" >&2
		exit 2
	fi
	case=$(cd "$case" && pwd) || exit 2
	work=$(mktemp -d "${TMPDIR:-/tmp}/ck-bless.XXXXXX")
	cp -R "$case"/. "$work"/
	rm -f "$work/out" "$work/err" "$work/rc"
	(
		cd "$work" || exit 99
		PATH=$top/$BUILD/bin:$PATH CK_DATA=$top/tests/data CK_TOP=$top \
		CK_BIN=$top/$BUILD/bin CK_REAL=$CK_REAL \
		CREDITKIT_DB=state.db CREDITKIT_AS_OF=2024-02-29 LC_ALL=C TZ=UTC \
		sh ./cmd >got.out 2>got.err </dev/null
		echo $? >got.rc
	)
	cp "$work/got.out" "$case/out"
	if [ -s "$work/got.err" ]; then
		cp "$work/got.err" "$case/err"
	else
		rm -f "$case/err"
	fi
	if [ "$(cat "$work/got.rc")" != 0 ]; then
		cp "$work/got.rc" "$case/rc"
	else
		rm -f "$case/rc"
	fi
	echo "blessed ${case#"$top"/} (exit $(cat "$work/got.rc"))"
	rm -rf "$work"
done

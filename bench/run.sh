#!/bin/sh
# shellcheck disable=SC2016  # awk, Miller and SQL text in single quotes
# run: creditkit's speed against its peers and limits, as
# ../shared/BENCH.md defines the task.  `make bench` runs it; it is never a
# test.
#
#   sh bench/run.sh BUILD_DIR [ROWS ...]     (default rows: 1000000 5000000)
#
# For each size it generates the ledger CSV into bench/out/, then measures,
# in this one run, each command as a whole process with the CSV in the page
# cache: the median wall time of BENCH_RUNS runs (default 3), rows/s and
# the highest peak RSS.  Limits (cat, a minimal C field splitter), ingest
# (sqlite3 .import without and with a key, ingest-invoices) and aging (an
# awk one-liner, the sqlite3 shell's GROUP BY, Miller, age-ledger).  Every
# aging output is cross-checked to the cent per debtor and currency, and
# against the totals the generator wrote.  Then a table, the ratios beside
# BENCH.md's targets, and bench/out/results.tsv.
#
# Times on shared machines drift, so only the ratios of one run mean much.
# The bench never fails for being slow: it exits 1 only when a command
# fails or the outputs disagree.
#
# Environment: BENCH_RUNS (3), BENCH_DEBTORS (rows/50, at most 50000: 20000
# at 1M and 50000 at 5M as BENCH.md has it), BENCH_SEED, BENCH_KEEP=1 keeps
# the SQLite and state files, CC (cc).
set -u
LC_ALL=C
export LC_ALL

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 3
build=${1:-build}
[ $# -gt 0 ] && shift
[ $# -gt 0 ] || set -- 1000000 5000000
case $build in
/*) ;;
*) build=$top/$build ;;
esac

runs=${BENCH_RUNS:-3}
seed=${BENCH_SEED:-20250630}
asof=2025-06-30
out=$top/bench/out
tool=$out/tool
cc=${CC:-cc}
warn="-std=c11 -D_POSIX_C_SOURCE=200809L -Wall -Wextra -Werror -Wshadow
 -Wstrict-prototypes -Wmissing-prototypes -Wformat=2 -Wvla -Wwrite-strings"
status=0
tmp=$(mktemp -d "${TMPDIR:-/tmp}/ck-bench.XXXXXX") || exit 3
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT TERM

say() { printf '%s\n' "$*"; }
fail() { printf 'bench: %s\n' "$*" >&2; status=1; }

for n in "$runs" "$@"; do
	case $n in
	'' | *[!0-9]*) say "bench: \"$n\": not a count" >&2; exit 2 ;;
	esac
done
[ "$runs" -ge 1 ] || { say "bench: BENCH_RUNS must be 1 or more" >&2; exit 2; }

# ---- the bench's own tools ------------------------------------------------
mkdir -p "$tool" || exit 3
for t in gen-ledger measure csvsplit; do
	extra=
	[ "$t" = gen-ledger ] && extra=-lm
	# shellcheck disable=SC2086  # $warn and $extra are lists of flags
	$cc $warn -O2 -o "$tool/$t" "bench/$t.c" $extra || {
		say "bench: cannot build bench/$t.c" >&2
		exit 3
	}
done
measure=$tool/measure

if command -v mawk >/dev/null 2>&1; then awk="mawk"; else awk="awk"; fi

# Miller comes from Debian's package; installed only when missing and root.
mlr_ok=0
if command -v mlr >/dev/null 2>&1; then
	mlr_ok=1
elif [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
	say "bench: installing Miller (Debian package miller)" >&2
	if DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
	    --no-install-recommends miller >/dev/null 2>&1 ||
	    { apt-get update -qq >/dev/null 2>&1 &&
	    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
	    --no-install-recommends miller >/dev/null 2>&1; }; then
		mlr_ok=1
	fi
fi
[ "$mlr_ok" -eq 1 ] ||
	say "bench: notice: Miller (mlr) is missing and cannot be installed here; skipping it" >&2
mlr_how="Miller over the CSV"
[ "$mlr_ok" -eq 1 ] &&
	mlr_how="Miller $(mlr --version 2>/dev/null | sed 's/^mlr //') over the CSV"

ingest=$build/bin/ingest-invoices
ageled=$build/bin/age-ledger
alloc=$build/bin/allocate-payments
ck_ingest=0 ck_age=0 ck_alloc=0
if [ -x "$ingest" ]; then
	ck_ingest=1
	[ -x "$ageled" ] && ck_age=1
	[ -x "$alloc" ] && ck_alloc=1
fi
[ "$ck_ingest" -eq 1 ] ||
	say "bench: notice: $ingest is not built; skipping creditkit" >&2
[ "$ck_ingest" -eq 0 ] || [ "$ck_age" -eq 1 ] ||
	say "bench: notice: $ageled is not built; skipping its aging" >&2
# Measure copies taken now: a rebuild of BUILD_DIR during the run (by make
# in another shell) must not swap the binaries between runs or between the
# ingest and the aging that reads its state.
for t in ingest-invoices age-ledger allocate-payments; do
	[ -x "$build/bin/$t" ] || continue
	cp "$build/bin/$t" "$tmp/$t" || exit 3
	say "creditkit $t: built $(date -r "$build/bin/$t" '+%Y-%m-%d %H:%M:%S' 2>/dev/null), sha256 $(sha256sum <"$tmp/$t" 2>/dev/null | cut -c1-12)"
done
[ "$ck_ingest" -eq 1 ] && ingest=$tmp/ingest-invoices
[ "$ck_age" -eq 1 ] && ageled=$tmp/age-ledger
[ "$ck_alloc" -eq 1 ] && alloc=$tmp/allocate-payments

# ---- measuring --------------------------------------------------------------

# label ROWS: 5000000 -> 5M, 200000 -> 200k.
label() {
	if [ "$1" -ge 1000000 ] && [ $(($1 % 1000000)) -eq 0 ]; then
		echo "$(($1 / 1000000))M"
	elif [ "$1" -ge 1000 ] && [ $(($1 % 1000)) -eq 0 ]; then
		echo "$(($1 / 1000))k"
	else
		echo "$1"
	fi
}

# A database removed before each measured run, so each starts afresh.
fresh=
prep=

# run_task ID TASK HOW STDIN STDOUT COMMAND...: measures COMMAND $runs
# times, removing $fresh before each, and records the median wall time and
# the highest peak RSS in $tmp/res.SIZE.ID ("wall rss_kib walls"), a row of
# results.tsv and one of the table.  Returns non-zero if a run failed (the
# rest are not run).
run_task() {
	id=$1 task=$2 how=$3 in=$4 stdout=$5
	shift 5
	: >"$tmp/walls"
	rss=0 i=0
	while [ "$i" -lt "$runs" ]; do
		[ -z "$fresh" ] ||
			rm -f -- "$fresh" "$fresh-wal" "$fresh-shm" "$fresh-journal"
		# $prep: run before each measured run, not measured.
		[ -z "$prep" ] || sh -c "$prep" || { fail "$task: $prep"; return 1; }
		"$measure" -o "$tmp/m" "$@" <"$in" >"$stdout" 2>"$tmp/err"
		rc=$?
		if [ "$rc" -ne 0 ]; then
			fail "$task $how ($size): exit $rc from: $*"
			sed 's/^/  /' "$tmp/err" | head -20 >&2
			return 1
		fi
		read -r w r <"$tmp/m"
		echo "$w" >>"$tmp/walls"
		[ "$r" -gt "$rss" ] && rss=$r
		i=$((i + 1))
	done
	sort -n "$tmp/walls" | $awk -v rows="$rows" -v rss="$rss" \
	    -v id="$id" -v size="$size" -v task="$task" -v how="$how" \
	    -v debtors="$debtors" -v res="$tmp/res.$size.$id" '
	{ w[NR] = $1; all = all (NR > 1 ? "," : "") $1 }
	END {
		med = NR % 2 ? w[(NR + 1) / 2] : (w[NR / 2] + w[NR / 2 + 1]) / 2
		rps = med > 0 ? rows / med : 0
		print med, rss, all > res
		# the table row, then results.tsv
		if (rps >= 1e6) r = sprintf("%.1f M", rps / 1e6)
		else r = sprintf("%.0f k", rps / 1e3)
		printf "%-6s %-7s %-50s %8.3f %9s %9s\n", size, task, how, med, \
		    r, sprintf("%.0f MiB", rss / 1024) > "/dev/stderr"
		printf "%s\t%s\t%s\t%s\t%s\t%.3f\t%.0f\t%s\t%d\t%s\n", rows, \
		    debtors, task, id, how, med, rps, rss, NR, all
	}' >>"$out/results.tsv" 2>>"$tmp/table"
	# Each size's table rows also appear as they come.
	tail -n 1 "$tmp/table"
}

# wall SIZE ID / rss SIZE ID: a recorded median, or empty if not measured.
wall() { [ -f "$tmp/res.$1.$2" ] && cut -d' ' -f1 "$tmp/res.$1.$2"; }
rss() { [ -f "$tmp/res.$1.$2" ] && cut -d' ' -f2 "$tmp/res.$1.$2"; }

# ratio LINE-PREFIX A B TARGET: "PREFIX = A/B (target <= TARGET)".
ratio() {
	if [ -z "$2" ] || [ -z "$3" ] || [ "$3" = 0.000 ]; then
		say "$1 = - (not measured) (target <= $4)"
	else
		$awk -v p="$1" -v a="$2" -v b="$3" -v t="$4" \
		    'BEGIN { printf "%s = %.2f (target <= %s)\n", p, a / b, t }'
	fi
}

# same REF OTHER NAME: cmp two normalised reports; "agree" or the first
# differing line of each.
same() {
	if cmp -s "$1" "$2"; then
		say "  $3: agree ($(wc -l <"$2" | tr -d ' ') debtor-currency rows)"
		return 0
	fi
	# "differ: byte B, line L", or "EOF on F after byte B, line L" when
	# one is a prefix of the other and the first extra line is L + 1.
	c=$(cmp "$1" "$2" 2>&1)
	line=$(printf '%s\n' "$c" | sed -n 's/.* line \([0-9][0-9]*\).*/\1/p')
	[ -n "$line" ] || line=0
	case $c in *EOF*) line=$((line + 1)) ;; esac
	say "  $3: DIFFER at line $line (columns: debtor currency current d1_30 d31_60 d61_90 d91_plus credits, minor units)"
	printf '    %-10s %s\n' "awk:" "$(sed -n "${line}p" "$1")" "$3:" \
	    "$(sed -n "${line}p" "$2")"
	status=1
	return 1
}

# norm FORMAT REPORT OUT: a report normalised for cmp (bench/normalise.awk).
norm() {
	if ! $awk -v fmt="$1" -f bench/normalise.awk "$2" >"$tmp/n"; then
		fail "$2: not as expected (see above)"
		return 1
	fi
	sort "$tmp/n" >"$3"
}

# ---- the peers ------------------------------------------------------------

# The awk one-liner: fields counted from the end, since only debtor_name
# (third) can hold a comma; dates to day numbers once per distinct date;
# open amounts summed in integer minor units.  Credit notes go to their
# own column, as age-ledger has them.
awk_aging='function dn(s, y, m) { y = substr(s, 1, 4) + 0; m = substr(s, 6, 2) - 3; if (m < 0) { m += 12; y-- }; return 365 * y + int(y / 4) - int(y / 100) + int(y / 400) + int((153 * m + 2) / 5) + substr(s, 9, 2) } BEGIN { A = dn(asof) } NR > 1 && $(NF - 4) <= asof { a = $(NF - 1) * 100; o = int(a < 0 ? a - 0.5 : a + 0.5) - int($NF * 100 + 0.5); if (o == 0) next; k = $2 "\t" $(NF - 2); seen[k]; if (o < 0) { s[k, 5] += o; next }; du = $(NF - 3); if (!(du in P)) P[du] = A - dn(du); p = P[du]; s[k, p <= 0 ? 0 : p <= 30 ? 1 : p <= 60 ? 2 : p <= 90 ? 3 : 4] += o } END { for (k in seen) printf "%s\t%.2f\t%.2f\t%.2f\t%.2f\t%.2f\t%.2f\n", k, s[k, 0] / 100, s[k, 1] / 100, s[k, 2] / 100, s[k, 3] / 100, s[k, 4] / 100, s[k, 5] / 100 }'

# The same in the sqlite3 shell over the imported (untyped) table.
cat >"$tmp/groupby.sql" <<EOF
.mode tabs
.headers off
SELECT debtor_id, currency,
  printf('%.2f', SUM(CASE WHEN o > 0 AND d <= 0 THEN o ELSE 0 END) / 100.0),
  printf('%.2f', SUM(CASE WHEN o > 0 AND d BETWEEN 1 AND 30 THEN o ELSE 0 END) / 100.0),
  printf('%.2f', SUM(CASE WHEN o > 0 AND d BETWEEN 31 AND 60 THEN o ELSE 0 END) / 100.0),
  printf('%.2f', SUM(CASE WHEN o > 0 AND d BETWEEN 61 AND 90 THEN o ELSE 0 END) / 100.0),
  printf('%.2f', SUM(CASE WHEN o > 0 AND d > 90 THEN o ELSE 0 END) / 100.0),
  printf('%.2f', SUM(CASE WHEN o < 0 THEN o ELSE 0 END) / 100.0)
FROM (SELECT debtor_id, currency,
        CAST(round(amount * 100) AS INTEGER)
          - CAST(round(amount_paid * 100) AS INTEGER) AS o,
        CAST(julianday('$asof') - julianday(due_date) AS INTEGER) AS d
      FROM inv WHERE invoice_date <= '$asof')
WHERE o <> 0
GROUP BY debtor_id, currency
ORDER BY debtor_id, currency;
EOF

# Miller: the same sums in its DSL, kept in a map and printed at the end
# (quicker than put + stats1 + sort, which it was first written as).
mlr_aging='begin { @a = strptime(@asof, "%Y-%m-%d") }
if ($invoice_date <= @asof) {
  o = int(round($amount * 100)) - int(round($amount_paid * 100));
  if (o != 0) {
    var b = "cr";
    if (o > 0) {
      d = (@a - strptime($due_date, "%Y-%m-%d")) // 86400;
      b = d <= 0 ? "b0" : d <= 30 ? "b1" : d <= 60 ? "b2" : d <= 90 ? "b3" : "b4";
    }
    @s[$debtor_id][$currency][b] += o;
  }
}
end {
  for ((id, cur), m in @s) {
    print id . "\t" . cur
      . "\t" . fmtnum((m["b0"] ?? 0) / 100, "%.2f")
      . "\t" . fmtnum((m["b1"] ?? 0) / 100, "%.2f")
      . "\t" . fmtnum((m["b2"] ?? 0) / 100, "%.2f")
      . "\t" . fmtnum((m["b3"] ?? 0) / 100, "%.2f")
      . "\t" . fmtnum((m["b4"] ?? 0) / 100, "%.2f")
      . "\t" . fmtnum((m["cr"] ?? 0) / 100, "%.2f");
  }
}'

# seed_receipts STATE BASE TSV: BASE is STATE plus one bank receipt per
# item, written as TSV by the sqlite3 shell and imported from it.
seed_receipts() {
	cp "$1" "$2" || return 1
	sqlite3 -batch -bail "$2" <<-EOF >/dev/null || return 1
	PRAGMA wal_checkpoint(TRUNCATE);
	.mode tabs
	.headers off
	.output $3
	SELECT i.id, 'BENCH-' || i.id,
	  CASE WHEN i.id % 10 = 8 THEN 10000
	       WHEN i.id % 10 = 6 AND i.open_amount > 300 THEN i.open_amount - 300
	       WHEN i.open_amount > 0 THEN i.open_amount ELSE 5000 END,
	  i.currency,
	  CASE WHEN i.id % 10 = 9 THEN 'Nobody' ELSE replace(b.name, '"', '') END,
	  CASE WHEN i.id % 10 IN (7, 8) THEN 'ACC-' || b.ref ELSE '' END,
	  CASE WHEN i.id % 10 < 6 THEN i.doc_id
	       WHEN i.id % 10 = 6 THEN lower(replace(i.doc_id, '-', ''))
	       WHEN i.id % 10 = 8 THEN 'account ' || b.ref
	       WHEN i.id % 10 = 9 THEN 'thank you' ELSE '' END
	FROM item i JOIN debtor b ON b.id = i.debtor_id ORDER BY i.id;
	.output stdout
	CREATE TEMP TABLE r (id, ekey, amount, ccy, payer, acct, ref);
	.import $3 r
	INSERT INTO batch (id, kind, tool, file_name, as_of, started_at,
	  finished_at) VALUES (1000000000, 'payments', 'bench', '$3',
	  strftime('%s', '$asof') / 86400, 'bench', 'bench');
	INSERT INTO payment (id, entry_key, batch_id, value_date, currency,
	  amount, kind, payer_name, payer_account, reference, unallocated)
	  SELECT id, ekey, 1000000000, strftime('%s', '$asof') / 86400, ccy,
	  amount, 'receipt', nullif(payer, ''), nullif(acct, ''),
	  nullif(ref, ''), amount FROM r;
	PRAGMA wal_checkpoint(TRUNCATE);
	EOF
}

# check_alloc STATE: cash is conserved: every receipt's amount is what it
# applied plus what it has left, and the counts by rule.
check_alloc() {
	sqlite3 -batch "$1" "
	  SELECT (SELECT sum(amount) FROM payment WHERE kind = 'receipt') =
	    (SELECT coalesce(sum(amount), 0) FROM settlement
	      WHERE payment_id IS NOT NULL AND kind = 'allocation') +
	    (SELECT sum(unallocated) FROM payment WHERE kind = 'receipt');
	  SELECT status || ' ' || count(*) FROM allocation GROUP BY status;
	  SELECT 'unmatched ' || count(*) FROM payment WHERE debtor_id IS NULL;
	  SELECT 'settlements ' || kind || ' ' || count(*) FROM settlement
	    WHERE payment_id IS NOT NULL GROUP BY kind;
	  SELECT 'short-payment queries ' || count(*) FROM query;" >"$tmp/ac" ||
		{ fail "cannot read $1"; return 1; }
	if [ "$(head -1 "$tmp/ac")" = 1 ]; then
		say "  allocation check: cash conserved (applied + left = received); $(sed 1d "$tmp/ac" | tr '\n' ';' | sed 's/;$//; s/;/; /g')"
	else
		say "  allocation check: DIFFER (applied + left != received)"
		status=1
	fi
}

# ---- one size -------------------------------------------------------------

mkdir -p "$out" || exit 3
printf 'rows\tdebtors\ttask\tid\thow\twall_s\trows_per_s\tpeak_rss_kib\truns\twalls\n' \
    >"$out/results.tsv"
: >"$tmp/table"
sizes=

for rows in "$@"; do
	size=$(label "$rows")
	sizes="$sizes $size"
	echo "$rows" >"$tmp/rows.$size"
	debtors=${BENCH_DEBTORS:-$((rows / 50 > 50000 ? 50000 : rows / 50))}
	[ "$debtors" -ge 1 ] || debtors=1
	csv=$out/ledger-$size.csv
	sqldb=$out/sqlite-$size.db
	sqlpk=$out/sqlite-pk-$size.db
	ckdb=$out/creditkit-$size.db

	say ""
	say "== $size: $rows rows, $debtors debtors, seed $seed, as of $asof, median of $runs runs"
	if ! "$measure" -o "$tmp/m" "$tool/gen-ledger" -s "$seed" -e "$asof" \
	    -t "$out/totals-$size.tsv" "$rows" "$debtors" >"$csv"; then
		fail "gen-ledger failed"
		continue
	fi
	say "generated $csv: $(wc -c <"$csv" | tr -d ' ') bytes in $(cut -d' ' -f1 "$tmp/m") s"
	"$tool/csvsplit" <"$csv" >"$tmp/shape"
	read -r recs fields <"$tmp/shape"
	if [ "$recs" -ne $((rows + 1)) ] || [ "$fields" -ne $((8 * (rows + 1))) ]; then
		fail "the CSV has $recs records and $fields fields, not $((rows + 1)) and $((8 * (rows + 1)))"
	fi
	cat "$csv" >/dev/null	# into the page cache

	printf '%-6s %-7s %-50s %8s %9s %9s\n' size task how "wall s" rows/s \
	    "peak RSS"

	fresh=
	run_task cat limit "cat > /dev/null" "$csv" /dev/null cat
	run_task csvsplit limit "minimal C CSV field splitter, -O2" "$csv" \
	    /dev/null "$tool/csvsplit"

	# Ingest.  Each run starts from no file; the last one is kept for
	# the GROUP BY.
	for f in "$sqldb" "$sqlpk"; do
		key=
		[ "$f" = "$sqlpk" ] && key=" TEXT PRIMARY KEY"
		cat >"$tmp/import-$(basename "$f").sql" <<-EOF
		PRAGMA journal_mode=OFF;
		PRAGMA synchronous=OFF;
		CREATE TABLE inv(invoice_id$key, debtor_id, debtor_name,
		  invoice_date, due_date, currency, amount, amount_paid);
		.import --csv --skip 1 "$csv" inv
		EOF
	done
	fresh=$sqldb
	sql_ok=0
	run_task sqlite-import ingest "sqlite3 .import, no keys, journal+sync off" \
	    "$tmp/import-$(basename "$sqldb").sql" /dev/null \
	    sqlite3 -batch -bail "$sqldb" && sql_ok=1
	fresh=$sqlpk
	run_task sqlite-import-pk ingest "sqlite3 .import, TEXT PRIMARY KEY, same" \
	    "$tmp/import-$(basename "$sqlpk").sql" /dev/null \
	    sqlite3 -batch -bail "$sqlpk"
	rm -f "$sqlpk"
	ck_ok=0
	if [ "$ck_ingest" -eq 1 ]; then
		fresh=$ckdb
		run_task creditkit-ingest ingest "creditkit ingest-invoices into a fresh state" \
		    /dev/null /dev/null \
		    "$ingest" --db "$ckdb" --as-of "$asof" "$csv" && ck_ok=1
	fi

	# Aging.  An earlier run's reports must not be checked as this one's.
	fresh=
	rep=$out/aging-$size
	rm -f "$rep-awk.tsv" "$rep-sqlite.tsv" "$rep-mlr.tsv" "$rep-creditkit.tsv"
	run_task awk aging "$awk one-liner | sort" /dev/null "$rep-awk.tsv" \
	    sh -c "$awk -F, -v asof=$asof '$awk_aging' \"\$1\" | sort" sh "$csv"
	[ "$sql_ok" -eq 1 ] &&
		run_task sqlite-groupby aging "SQL GROUP BY in the sqlite3 shell" \
		    "$tmp/groupby.sql" "$rep-sqlite.tsv" \
		    sqlite3 -batch -bail "$sqldb"
	[ "$mlr_ok" -eq 1 ] &&
		run_task mlr aging "$mlr_how | sort" /dev/null "$rep-mlr.tsv" \
		    sh -c 'mlr --icsv --otsv put -q -s asof="$1" "$2" "$3" | sort' \
		    sh "$asof" "$mlr_aging" "$csv"
	[ "$ck_ok" -eq 1 ] && [ "$ck_age" -eq 1 ] &&
		run_task creditkit-aging aging "creditkit age-ledger --by debtor" \
		    /dev/null "$rep-creditkit.tsv" \
		    "$ageled" --db "$ckdb" --as-of "$asof" --by debtor

	# Cross-check: every report against awk's, awk's against the
	# generator's totals.
	say "cross-check $size (per debtor and currency, to the cent):"
	if [ -s "$rep-awk.tsv" ] && norm peer "$rep-awk.tsv" "$tmp/ref"; then
		$awk -F'\t' '{ d[$2] += $3 + $4 + $5 + $6 + $7; c[$2] += $8 }
		    END { for (k in d) printf "%s\t%.0f\t%.0f\n", k, d[k], c[k] }' \
		    "$tmp/ref" | sort >"$tmp/ref-totals"
		$awk -F'\t' '$2 != 0 || $3 != 0' "$out/totals-$size.tsv" | sort \
		    >"$tmp/gen-totals"
		if cmp -s "$tmp/gen-totals" "$tmp/ref-totals"; then
			say "  awk vs the generator's totals per currency: agree"
		else
			say "  awk vs the generator's totals per currency: DIFFER"
			say "    generator: $(tr '\t\n' ' ;' <"$tmp/gen-totals")"
			say "    awk:       $(tr '\t\n' ' ;' <"$tmp/ref-totals")"
			status=1
		fi
		for p in sqlite mlr creditkit; do
			[ -f "$rep-$p.tsv" ] || continue
			fmt=peer
			[ "$p" = creditkit ] && fmt=ledger
			norm "$fmt" "$rep-$p.tsv" "$tmp/cmp" &&
				same "$tmp/ref" "$tmp/cmp" "$p"
		done
	else
		fail "no awk report to check against"
	fi
	# Allocation: one receipt per item, seeded straight into the state
	# with the sqlite3 shell from a TSV made from the ingested items
	# (ingest-payments is not part of the bench yet).  Per ten items: six
	# pay their document by its id, one by the id squashed short by 3.00
	# (write-off), one has no reference and pays the open amount from the
	# debtor's account (payer account, exact amount or oldest due), one
	# names the debtor's code and pays 100.00 (oldest due), one names
	# nothing anybody knows (unmatched).  Each run starts from a copy.
	if [ "$ck_ok" -eq 1 ] && [ "$ck_alloc" -eq 1 ]; then
		base=$out/alloc-base-$size.db
		adb=$out/alloc-$size.db
		rm -f "$base" "$base-wal" "$base-shm"
		if seed_receipts "$ckdb" "$base" "$out/receipts-$size.tsv"; then
			say "allocation $size: $(wc -l <"$out/receipts-$size.tsv" | tr -d ' ') receipts seeded into the state with sqlite3 from $out/receipts-$size.tsv (not through ingest-payments)"
			fresh=$adb
			prep="cp '$base' '$adb'"
			run_task creditkit-allocate allocate \
			    "creditkit allocate-payments, 1 receipt per item" \
			    /dev/null /dev/null \
			    "$alloc" --db "$adb" --as-of "$asof" -q &&
				check_alloc "$adb"
			prep=
			fresh=
		else
			fail "seeding receipts failed"
		fi
		[ "${BENCH_KEEP:-0}" = 1 ] ||
			rm -f "$base" "$adb" "$adb-wal" "$adb-shm" \
			    "$out/receipts-$size.tsv"
	fi
	[ "${BENCH_KEEP:-0}" = 1 ] ||
		rm -f "$sqldb" "$ckdb" "$ckdb-wal" "$ckdb-shm" "$ckdb-journal"
done

# ---- summary --------------------------------------------------------------

say ""
say "== summary (median wall seconds of $runs runs; peak RSS the highest of them)"
printf '%-6s %-7s %-50s %8s %9s %9s\n' size task how "wall s" rows/s "peak RSS"
cat "$tmp/table"
say ""
for size in $sizes; do
	ratio "ingest $size: creditkit/sqlite-import" \
	    "$(wall "$size" creditkit-ingest)" "$(wall "$size" sqlite-import)" 0.70
	ratio "aging $size: creditkit/sqlite-groupby" \
	    "$(wall "$size" creditkit-aging)" "$(wall "$size" sqlite-groupby)" 0.20
	ratio "aging $size: creditkit/awk" \
	    "$(wall "$size" creditkit-aging)" "$(wall "$size" awk)" 0.50
done
for size in $sizes; do
	for id in creditkit-ingest creditkit-aging creditkit-allocate; do
		r=$(rss "$size" "$id")
		[ -n "$r" ] || continue
		$awk -v s="$size" -v id="${id#creditkit-}" -v r="$r" 'BEGIN {
		    printf "memory %s: %s peak RSS = %.0f MiB (target: within a few hundred MiB at 5M)\n", \
		    s, id == "ingest" ? "ingest-invoices" : id == "aging" ? \
		    "age-ledger" : "allocate-payments", r / 1024 }'
	done
	w=$(wall "$size" creditkit-allocate)
	[ -z "$w" ] || $awk -v s="$size" -v w="$w" -v n="$(cat "$tmp/rows.$size")" \
	    'BEGIN { printf "allocation %s: %.0f receipts/s (%s receipts in %.3f s)\n", s, (w > 0 ? n / w : 0), n, w }'
done
# Flat memory: the same tool's peak RSS from the smallest to the largest.
# shellcheck disable=SC2086  # one word a size
set -- $sizes
if [ $# -ge 2 ]; then
	first=$1
	eval "last=\${$#}"
	# shellcheck disable=SC2154  # last is set by the eval
	for id in creditkit-ingest creditkit-aging awk; do
		a=$(rss "$first" "$id") b=$(rss "$last" "$id")
		if [ -z "$a" ] || [ -z "$b" ]; then continue; fi
		$awk -v f="$first" -v l="$last" -v id="$id" -v a="$a" -v b="$b" \
		    'BEGIN { printf "memory %s -> %s: %s peak RSS %.0f -> %.0f MiB (x%.2f)\n", \
		    f, l, id, a / 1024, b / 1024, b / a }'
	done
fi
say ""
say "results: $out/results.tsv"
[ "$status" -eq 0 ] || say "bench: FAILED (a command failed or the outputs disagree)" >&2
exit "$status"

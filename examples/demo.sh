#!/bin/sh
# demo: the daily cycle, as far as it exists today, on the example client
# examples/acme (Acme Wholesale Ltd, a UK business invoicing in sterling).
# `make demo` runs it after building.
#
#   sh examples/demo.sh BUILD_DIR      (build, build-san, or their bin/)
#
# In a new temporary directory, which it keeps and names, it builds the
# project's ledger generator (bench/gen-ledger.c) into BUILD_DIR/demo and
# runs three consecutive days of the client's ledger (seed fixed, so the
# same every time):
#   day 1  the client's Xero invoice export (every invoice and credit note
#          so far, one row per line item): ingest-invoices, then age-ledger
#          by debtor and by item as of that day;
#   day 2  the same ledger as a QuickBooks A/R Aging Detail report (only
#          what is open), ingested with --snapshot, which closes what the
#          report no longer lists, then aged again;
#   day 3  the next day's report, the same way.
# Each day's files are in a folder of the work directory named by its
# date; the client's state is acme.db.  Every day's total open is checked
# to the penny against the generator's own figures.  Then a summary.
# Exits non-zero if any step fails.
#
# Environment: CC (cc) builds the generator; TMPDIR is where the work
# directory goes.
set -u
LC_ALL=C
export LC_ALL

top=$(cd "$(dirname "$0")/.." && pwd)
cfg=$top/examples/acme/client.yaml
tab=$(printf '\t')

say() { printf '%s\n' "$*"; }
die() { printf 'demo: %s\n' "$*" >&2; exit 1; }

# ---- the tools ----------------------------------------------------------
[ $# -eq 1 ] || { say "usage: sh examples/demo.sh BUILD_DIR" >&2; exit 2; }
if [ -x "$1/bin/ingest-invoices" ]; then
	bin=$1/bin
elif [ -x "$1/ingest-invoices" ]; then
	bin=$1
else
	die "no ingest-invoices in $1 or $1/bin (run make first)"
fi
bin=$(cd "$bin" && pwd) || exit 1
build=$(dirname "$bin")
for t in ingest-invoices age-ledger; do
	[ -x "$bin/$t" ] || die "$bin/$t is missing (run make first)"
done

# The generator is the project's own, so the demo needs nothing
# downloaded; built each time (a fraction of a second), so it is never
# stale.
gen=$build/demo/gen-ledger
mkdir -p "$build/demo" || exit 1
${CC:-cc} -std=c11 -D_POSIX_C_SOURCE=200809L -O2 -o "$gen.tmp.$$" \
    "$top/bench/gen-ledger.c" -lm || die "cannot build bench/gen-ledger.c"
mv -f "$gen.tmp.$$" "$gen" || exit 1

work=$(mktemp -d "${TMPDIR:-/tmp}/creditkit-demo.XXXXXX") ||
    die "cannot make a work directory"
cd "$work" || exit 1
work=$(pwd)
db=acme.db

# ---- the client's ledger ------------------------------------------------
# 2,000 documents of 150 debtors over the two years to the last day; each
# day's export is the ledger as the client's system shows it that day.
seed=20250627
rows=2000
debtors=150
last=2025-06-27
days="2025-06-25 2025-06-26 2025-06-27"
company="Acme Wholesale Ltd"

# money_awk: amounts to integer minor units and back, exactly (awk's
# numbers are doubles, exact for whole numbers far beyond any ledger).
money_awk='
function cents(s,   neg, p, n) {
	neg = sub(/^-/, "", s)
	n = split(s, p, ".")
	s = p[1] * 100 + (n > 1 ? substr(p[2] "00", 1, 2) : 0)
	return neg ? -s : s
}
function money(c,   neg, u, s) {
	neg = c < 0; if (neg) c = -c
	u = int(c / 100) ""
	s = sprintf(".%02d", c % 100)
	while (length(u) > 3) {
		s = "," substr(u, length(u) - 2) s
		u = substr(u, 1, length(u) - 3)
	}
	return (neg ? "-" : "") u s
}'

say "creditkit demo: the daily cycle of the example client, $company"
say "(examples/acme/client.yaml), as far as it exists today: ingest, then age."
say ""
say "work directory: $work (kept; rm -r it when done)"
say ""

n=0
for day in $days; do
	n=$((n + 1))
	dir=$day
	mkdir "$dir" || exit 1
	if [ $n -eq 1 ]; then
		file=$dir/xero-invoices.csv
		what="the client's Xero invoice export: every document so far, a row per line item"
		"$gen" -f xero -c GBP -s $seed -e $last -a "$day" \
		    -t "$dir/truth.tsv" $rows $debtors >"$file" ||
		    die "$day: the generator failed"
		snapshot=
	else
		file=$dir/ar-aging-detail.csv
		what="the same ledger as a QuickBooks A/R Aging Detail report: only what is open, so --snapshot"
		"$gen" -f quickbooks -c GBP -n "$company" -s $seed -e $last \
		    -a "$day" -t "$dir/truth.tsv" $rows $debtors >"$file" ||
		    die "$day: the generator failed"
		snapshot=--snapshot
	fi
	say "$day  $what"

	# $snapshot is empty or one word.
	# shellcheck disable=SC2086
	"$bin/ingest-invoices" --config "$cfg" --db "$db" --as-of "$day" \
	    $snapshot --rejects "$dir/rejects.csv" -v "$file" \
	    >"$dir/items.tsv" 2>"$dir/ingest.log"
	rc=$?
	sed 's/^/            /' "$dir/ingest.log"
	[ $rc -eq 0 ] || die "$day: ingest-invoices exited $rc (see $dir/ingest.log)"

	for by in debtor item; do
		"$bin/age-ledger" --config "$cfg" --db "$db" --as-of "$day" \
		    --state --by $by >"$dir/aged-${by}s.tsv" ||
		    die "$day: age-ledger --by $by failed"
	done

	# The day's total open per currency, against the generator's.
	awk -F"$tab" "$money_awk"'
	FNR == 1 { file++ }
	file == 1 { want[$1] = $2 + $3; next }
	FNR == 1 { for (i = 1; i <= NF; i++) col[$i] = i; next }
	{
		c = $col["currency"]
		got[c] += cents($col["total_open"])
		items[c] += $col["open_items"]; debtors[c]++
	}
	END {
		for (c in want) if (want[c] != 0 && !(c in got)) got[c] = 0
		for (c in got) {
			printf "            aged as of %s: %s %s open, %d items of %d debtors", day, c, money(got[c]), items[c], debtors[c]
			if (got[c] != want[c]) {
				printf "; the generator says %s\n", money(want[c])
				bad = 1
			} else
				printf " (as the generator says)\n"
		}
		exit bad
	}' day="$day" "$dir/truth.tsv" "$dir/aged-debtors.tsv" ||
	    die "$day: the aged total is not the generator's"
done

# ---- history --------------------------------------------------------------
# Every change of an open amount is a dated settlement, so the final state
# replays each earlier day's reports exactly.
replayed=
for d in $days; do
	[ "$d" = "$day" ] && break
	for by in debtor item; do
		"$bin/age-ledger" --config "$cfg" --db "$db" --as-of "$d" \
		    --state --by $by | cmp -s - "$d/aged-${by}s.tsv" ||
		    die "$d: replayed from the final state, age-ledger --by $by differs from that day's"
	done
	replayed="${replayed:+$replayed, }$d"
done

# ---- summary ------------------------------------------------------------
say ""
say "The ledger on $day:"
awk -F"$tab" '
FNR == 1 { for (i = 1; i <= NF; i++) col[$i] = i; next }
$col["status"] == "new" { n++ }
END { printf "  %d documents ingested over %d days\n", n, days }' \
    days="$n" ./*/items.tsv
awk -F"$tab" "$money_awk"'
FNR == 1 { for (i = 1; i <= NF; i++) col[$i] = i; next }
{
	c = $col["currency"]; v = cents($col["open_amount"])
	t[c] += v
	if ($col["days_past_due"] > 0) due[c] += v
	if ($col["days_past_due"] > 90) old[c] += v
}
END {
	for (c in t)
		printf "  total open %s %s: %s past due, %s of it more than 90 days\n", c, money(t[c]), money(due[c]), money(old[c])
}' "$day/aged-items.tsv"
say "  earlier days replayed from the final state ($replayed): the same reports, byte for byte"

say ""
say "Top 5 debtors by total open:"
awk -F"$tab" "$money_awk"'
FNR == 1 { for (i = 1; i <= NF; i++) col[$i] = i; next }
{
	printf "%d\t%s\t%s\t%s\t%s\t%s\n", cents($col["total_open"]),
	    $col["debtor_id"], $col["debtor_name"], $col["currency"],
	    $col["open_items"], $col["max_days_past_due"]
}' "$day/aged-debtors.tsv" | sort -t "$tab" -k1,1nr -k2,2 | head -5 |
    awk -F"$tab" "$money_awk"'
{
	printf "  %d. %-40s %s %14s  %3d items, oldest %s days past due\n", NR, $3, $4, money($1), $5, $6
}'

say ""
say "Files in $work:"
say "  acme.db                the client's state (SQLite)"
# shellcheck disable=SC2086  # $days is a list of dates
say "  $(printf '%s/ ' $days)  a folder per day:"
say "    *.csv                the day's export, as the client's system wrote it"
say "    ingest.log           what ingest-invoices said; rejects.csv its rejected rows"
say "    items.tsv            what it read (the item stream)"
say "    aged-debtors.tsv     age-ledger --by debtor as of the day"
say "    aged-items.tsv       age-ledger --by item as of the day"
say "    truth.tsv            the generator's open totals (checked above)"
say ""
say "Look around:"
say "  cd $work"
say "  sqlite3 -header acme.db \"select doc_id, debtor_name, closed_date from item_v where closed_reason = 'snapshot'\""
say "  $bin/age-ledger --db acme.db --as-of 2025-06-26 --state --by item | less -S"

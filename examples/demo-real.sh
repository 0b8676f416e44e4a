#!/bin/sh
# demo-real: the bureau's nightly cycle on public data: IBM's Watson
# Analytics accounts-receivable sample (2,466 invoices of 100 customers,
# 2012-2013), replayed month by month.  `make demo-real` runs it
# after building; where the data is absent it says so and exits 0.
#
#   sh examples/demo-real.sh BUILD_DIR [REAL_DIR]
#
# REAL_DIR (default $CK_REAL, else ../shared/data/real beside the
# project) holds ar-ibm-watson/WA_Fn-UseC_-Accounts-Receivable.csv; the
# file is read, never copied into the project.
#
# In a new temporary directory, which it keeps and names, a bureau with
# one client, ar-ibm (examples/ar-ibm/client.yaml).  For the last working
# day of each month from January 2012 to December 2013 it drops into the client's inbox/invoices
# that night's export: every invoice issued by then, in the sample's own
# dialect (its columns, M/D/YYYY dates, CRLF), with SettledDate (and the
# DaysToSettle and DaysLate derived from it) only where the invoice was
# settled by that night, blank where it was still open; then it runs
#   creditkit-nightly --as-of NIGHT --all --bureau BUREAU
# How the money came in: the sample records the day each invoice was
# settled, in full, and nothing of how it was paid (no payer, amount
# received or bank reference), so the payments reach the state as the
# client's ledger reports them, settlements dated on the settled day, and
# no bank file is made up.  Disputed is the sample's flag, which it does
# not date: each export shows it from the invoice's first month.  The
# sample has no address, e-mail or phone, so the chase plan goes out as a
# work list (outbox/DATE/tasks.csv), never as letters.
# Checks, to the cent: each night's total open, replayed from the
# final state, is what the sample itself says was open that day (issued
# by then, settled after).  Prints where the KPI page is and the time the
# replay took.
set -u
LC_ALL=C
export LC_ALL

top=$(cd "$(dirname "$0")/.." && pwd)
tab=$(printf '\t')

say() { printf '%s\n' "$*"; }
die() { printf 'demo-real: %s\n' "$*" >&2; exit 1; }

if [ $# -lt 1 ] || [ $# -gt 2 ]; then
	say "usage: sh examples/demo-real.sh BUILD_DIR [REAL_DIR]" >&2
	exit 2
fi
if [ -x "$1/bin/creditkit-nightly" ]; then
	bin=$1/bin
elif [ -x "$1/creditkit-nightly" ]; then
	bin=$1
else
	die "no creditkit-nightly in $1 or $1/bin (run make first)"
fi
bin=$(cd "$bin" && pwd) || exit 1
real=${2:-${CK_REAL:-$top/../shared/data/real}}
csv=$real/ar-ibm-watson/WA_Fn-UseC_-Accounts-Receivable.csv
if [ ! -r "$csv" ]; then
	say "demo-real: skipped: $csv is absent (the public data set lives"
	say "outside the project; give its folder as CK_REAL=DIR)"
	exit 0
fi

start=$(date +%s)
work=$(mktemp -d "${TMPDIR:-/tmp}/creditkit-demo-real.XXXXXX") ||
    die "cannot make a work directory"
cd "$work" || exit 1
work=$(pwd)
bureau=$work/bureau
c=$bureau/ar-ibm
# templates/ stays empty: emit-letters looks there, and a work list of
# tasks needs no template.
mkdir -p "$c/inbox/invoices" "$c/templates" || exit 1
cp "$top/examples/ar-ibm/client.yaml" "$c/" || exit 1

say "creditkit demo-real: IBM's public accounts-receivable sample, replayed"
say "month by month (the last working day of each) through creditkit-nightly"
say ""
say "data:           $csv"
say "work directory: $work (kept; rm -r it when done)"
say ""

# The nights: the last working day of each month, 2012-01 to 2013-12 (the
# client works Monday to Friday, and build-chasepath plans nothing on a
# day off).
ends=$(awk 'BEGIN {
	for (y = 2012; y <= 2013; y++)
		for (m = 1; m <= 12; m++) {
			d = m == 2 ? (y % 4 == 0 ? 29 : 28) : \
			    (m == 4 || m == 6 || m == 9 || m == 11) ? 30 : 31
			# Zeller: 0 Saturday, 1 Sunday, ... 6 Friday.
			do {
				yy = m < 3 ? y - 1 : y; mm = m < 3 ? m + 12 : m
				w = (d + int(13 * (mm + 1) / 5) + yy % 100 + \
				    int(yy % 100 / 4) + int(int(yy / 100) / 4) + \
				    5 * int(yy / 100)) % 7
			} while ((w == 0 || w == 1) && d--)
			printf "%04d-%02d-%02d\n", y, m, d
		}
}')
last=$(printf '%s\n' "$ends" | tail -n 1)

# mdy_awk: the sample's M/D/YYYY as YYYYMMDD, to compare.
mdy_awk='function ymd(s, p) { if (s == "") return 0; split(s, p, "/"); return p[3] * 10000 + p[1] * 100 + p[2] }'

say "night       status  rows  plan  sent  seconds"
for d in $ends; do
	key=$(printf '%s' "$d" | tr -d -)
	awk -F, -v night="$key" "$mdy_awk"'
	{ sub(/\r$/, "") }
	NR == 1 { print $0 "\r"; next }
	ymd($5) <= night {
		if (ymd($9) > night) { $9 = ""; $11 = ""; $12 = "" }
		print $0 "\r"
	}' OFS=, "$csv" >"$c/inbox/invoices/ar-export-$d.csv" ||
	    die "$d: cannot write the export"
	rows=$(($(wc -l <"$c/inbox/invoices/ar-export-$d.csv") - 1))
	"$bin/creditkit-nightly" --as-of "$d" --all --bureau "$bureau" \
	    >"$work/summary-$d.tsv" 2>"$work/nightly-$d.err"
	rc=$?
	[ $rc -le 1 ] || die "$d: creditkit-nightly exited $rc (see $c/logs/$d.log)"
	awk -F"$tab" -v d="$d" -v rows="$rows" 'NR > 1 {
		printf "%s  %-7s %5d  %4d  %4d  %7d\n", d, $3, rows, $8, $9, $10
	}' "$work/summary-$d.tsv"
done

# ---- the check --------------------------------------------------------------
say ""
bad=0
for d in $ends; do
	key=$(printf '%s' "$d" | tr -d -)
	want=$(awk -F, -v night="$key" "$mdy_awk"'
	function cents(s, p, n) {
		n = split(s, p, ".")
		return p[1] * 100 + (n > 1 ? substr(p[2] "00", 1, 2) + 0 : 0)
	}
	NR > 1 && ymd($5) <= night && (ymd($9) == 0 || ymd($9) > night) { t += cents($7) }
	END { printf "%d\n", t }' "$csv")
	got=$("$bin/age-ledger" --db "$c/state.db" --config "$c/client.yaml" \
	    --as-of "$d" --state --by debtor | awk -F"$tab" '
	NR == 1 { for (i = 1; i <= NF; i++) col[$i] = i; next }
	{ v = $col["total_open"]; neg = sub(/^-/, "", v); split(v, p, ".")
	  c = p[1] * 100 + substr(p[2] "00", 1, 2); t += neg ? -c : c }
	END { printf "%d\n", t }') || die "$d: age-ledger failed"
	[ "$got" = "$want" ] || { say "$d: open $got cents, the sample says $want"; bad=1; }
done
[ $bad -eq 0 ] || die "the replayed ledger is not the sample's"
say "checked: each night's total open, replayed from the final state, is"
say "what the sample says was open that day, to the cent (24 nights)"

xmllint --html --noout "$c/reports/$last.html" 2>/dev/null ||
    die "reports/$last.html is missing or not well-formed"
say ""
say "KPI page:  $c/reports/$last.html (the twelve months to $last)"
say "figures:   $c/reports/DATE.tsv, one a night"
say "work list: $c/outbox/DATE/tasks.csv; plans in $c/plans/"
say "logs:      $c/logs/DATE.log"
say "took $(($(date +%s) - start)) s for 24 nightly runs"

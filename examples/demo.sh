#!/bin/sh
# demo: the daily cycle on the example client
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
#   day 3  the next day's report, the same way; then the rest of the day's
#          cycle: the bank's camt.053 statement (made by bench/gen-payments.c
#          from the open invoices: receipts by reference, short, by amount
#          alone, from an unknown payer) through ingest-payments and
#          allocate-payments, the day's calls and promises through
#          log-contact, score-debtor, build-chasepath, emit-letters (twice:
#          the second run sends nothing) and kpi-report with its HTML page.
# Each day's files are in a folder of the work directory named by its
# date; the client's state is acme.db.  Every day's total open is checked
# to the penny against the generator's own figures, and the cash the bank
# brought against what the ledger lost.  Then a summary.
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
for t in ingest-invoices age-ledger ingest-payments allocate-payments \
    log-contact score-debtor build-chasepath emit-letters kpi-report; do
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
genpay=$build/demo/gen-payments
${CC:-cc} -std=c11 -D_POSIX_C_SOURCE=200809L -O2 -o "$genpay.tmp.$$" \
    "$top/bench/gen-payments.c" || die "cannot build bench/gen-payments.c"
mv -f "$genpay.tmp.$$" "$genpay" || exit 1

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
say "(examples/acme/client.yaml): ingest and age three days of its ledger, then"
say "the bank, the calls, the scores, the chase, the letters and the KPIs."
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

# ---- the rest of the last day's cycle ---------------------------------------
# The bank's statement pays some of what is open on the last day: every
# ninth open invoice, as gen-payments -l makes receipts of a ledger.
total_open() {	# total_open FILE: the net total open of a by-debtor report, pence
	awk -F"$tab" "$money_awk"'
	FNR == 1 { for (i = 1; i <= NF; i++) col[$i] = i; next }
	{ t += cents($col["total_open"]) } END { printf "%d\n", t }' "$1"
}
bank=$day/bank
mkdir "$bank" || exit 1
awk -F"$tab" '
FNR == 1 { for (i = 1; i <= NF; i++) col[$i] = i
	print "invoice_id,debtor_id,debtor_name,invoice_date,due_date,currency,amount,amount_paid"
	next }
$col["doc_type"] == "invoice" && $col["open_amount"] + 0 > 0 && ++n % 9 == 0 {
	name = $col["debtor_name"]; gsub(/"/, "\"\"", name)
	paid = sprintf("%.2f", $col["amount"] - $col["open_amount"])
	printf "%s,%s,\"%s\",%s,%s,%s,%s,%s\n", $col["doc_id"], $col["debtor_id"], name, $col["issue_date"], $col["due_date"], $col["currency"], $col["amount"], paid
}' "$day/aged-items.tsv" >"$bank/paid-items.csv"
nrcpt=$(($(wc -l <"$bank/paid-items.csv") - 1))
[ "$nrcpt" -gt 0 ] || die "$day: no open invoices for the bank to pay"
"$genpay" -l "$bank/paid-items.csv" -d "$day" -s 7 "$nrcpt" \
    >"$bank/statement.xml" || die "$day: gen-payments failed"
say ""
say "$day  the bank's camt.053 statement: $nrcpt receipts"
"$bin/ingest-payments" --config "$cfg" --db "$db" --as-of "$day" \
    "$bank/statement.xml" >"$bank/payments.tsv" 2>"$bank/ingest-payments.log"
rc=$?
sed 's/^/            /' "$bank/ingest-payments.log"
[ $rc -eq 0 ] || die "$day: ingest-payments exited $rc (see $bank/ingest-payments.log)"
before=$(total_open "$day/aged-debtors.tsv")
"$bin/allocate-payments" --config "$cfg" --db "$db" --as-of "$day" \
    --unmatched "$bank/unmatched.tsv" >"$bank/allocations.tsv" \
    2>"$bank/allocate.log"
rc=$?
[ $rc -le 1 ] || die "$day: allocate-payments exited $rc (see $bank/allocate.log)"
awk -F"$tab" '
FNR == 1 { for (i = 1; i <= NF; i++) col[$i] = i; next }
{ n[$col["rule"]]++ }
END { for (r in n) printf "            %-14s %d\n", r, n[r] }' \
    "$bank/allocations.tsv" | sort
"$bin/age-ledger" --config "$cfg" --db "$db" --as-of "$day" --state \
    --by debtor >"$bank/aged-debtors.tsv" || die "$day: age-ledger failed"
"$bin/age-ledger" --config "$cfg" --db "$db" --as-of "$day" --state \
    --by item >"$bank/aged-items.tsv" || die "$day: age-ledger failed"
after=$(total_open "$bank/aged-debtors.tsv")
# What the ledger lost must be the cash matched to debtors plus what was
# written off: nothing counted twice, nothing lost.
want=$(sqlite3 "$db" "SELECT (SELECT coalesce(sum(amount), 0) FROM payment
    WHERE kind = 'receipt' AND debtor_id IS NOT NULL) + (SELECT
    coalesce(sum(amount), 0) FROM settlement WHERE kind = 'writeoff')") ||
    die "$day: cannot read the state"
cash=$(sqlite3 "$db" "SELECT coalesce(sum(amount), 0) FROM payment WHERE kind = 'receipt'")
wo=$(sqlite3 "$db" "SELECT coalesce(sum(amount), 0) FROM settlement WHERE kind = 'writeoff'")
[ $((before - after)) -eq "$want" ] ||
    die "$day: the ledger fell by $((before - after)) pence, the bank and write-offs say $want"
awk -v b="$before" -v a="$after" -v c="$cash" -v m="$((want - wo))" \
    -v w="$wo" "$money_awk"'
BEGIN {
	printf "            received GBP %s, %s of it from debtors found; %s written off\n", money(c), money(m), money(w)
	printf "            total open GBP %s -> %s: down by exactly those two\n", money(b), money(a)
}'

# The day's calls, as a dialler would export them: a promise from the
# largest debtor, a query from the second, no answer from the third.
awk -F"$tab" '
FNR == 1 { for (i = 1; i <= NF; i++) col[$i] = i; next }
$col["total_open"] + 0 > 0 { print $col["total_open"] "\t" $col["debtor_id"] }' \
    "$bank/aged-debtors.tsv" | sort -t "$tab" -k1,1nr -k2,2 | head -3 |
    cut -f2 >"$day/top3.txt"
big=$(sed -n 1p "$day/top3.txt") second=$(sed -n 2p "$day/top3.txt")
third=$(sed -n 3p "$day/top3.txt")
qdoc=$(awk -F"$tab" -v d="$second" '
FNR == 1 { for (i = 1; i <= NF; i++) col[$i] = i; next }
$col["debtor_id"] == d && $col["doc_type"] == "invoice" && $col["days_past_due"] + 0 > 0 { print $col["doc_id"]; exit }' \
    "$bank/aged-items.tsv")
{
	printf 'event\tevent_id\tdebtor_id\ttime\tchannel\toutcome\tagent\tamount\tcurrency\tdue_date\tdoc_ids\treason\n'
	printf 'attempt\tD-1\t%s\t%sT10:05\tcall\tpromise\tjo\t\t\t\t\t\n' "$big" "$day"
	printf 'promise\tD-2\t%s\t%sT10:05\t\t\tjo\t500.00\tGBP\t2025-07-04\t\t\n' "$big" "$day"
	printf 'attempt\tD-3\t%s\t%sT11:20\tcall\tquery\tjo\t\t\t\t\t\n' "$second" "$day"
	[ -n "$qdoc" ] &&
	printf 'query_open\tD-4\t%s\t%sT11:20\t\t\tjo\t\t\t\t%s\tquality\n' "$second" "$day" "$qdoc"
	printf 'attempt\tD-5\t%s\t%sT14:40\tcall\tno_answer\tjo\t\t\t\t\t\n' "$third" "$day"
} >"$day/calls.tsv"
"$bin/log-contact" --config "$cfg" --db "$db" --as-of "$day" -v \
    "$day/calls.tsv" 2>"$day/log-contact.log" ||
    die "$day: log-contact failed (see $day/log-contact.log)"
say "            $(cat "$day/log-contact.log")"

# Score, plan, emit, report.
"$bin/age-ledger" --config "$cfg" --db "$db" --as-of "$day" --state \
    --by item >"$day/aged-items-final.tsv" || die "$day: age-ledger failed"
"$bin/score-debtor" --config "$cfg" --db "$db" --as-of "$day" \
    "$day/aged-items-final.tsv" >"$day/scored-items.tsv" 2>"$day/score.log" ||
    die "$day: score-debtor failed (see $day/score.log)"
"$bin/build-chasepath" --config "$cfg" --db "$db" --as-of "$day" \
    "$day/scored-items.tsv" >"$day/plan.tsv" 2>"$day/plan.log" ||
    die "$day: build-chasepath failed (see $day/plan.log)"
say "            the chase plan: $(($(wc -l <"$day/plan.tsv") - 1)) actions ($(awk -F"$tab" 'NR == 1 { for (i = 1; i <= NF; i++) col[$i] = i; next } { n[$col["channel"]]++ } END { for (c in n) { printf "%s%s %d", s, c, n[c]; s = ", " } }' "$day/plan.tsv"))"
# A row emit-letters cannot carry out (a call to a debtor whose export
# gave no phone number) is rejected and told (exit 1), for a person; the
# rest goes out.
"$bin/emit-letters" --config "$cfg" --db "$db" --as-of "$day" \
    --outbox outbox "$day/plan.tsv" >"$day/emitted.tsv" 2>"$day/emit.log"
rc=$?
[ $rc -le 1 ] || die "$day: emit-letters exited $rc (see $day/emit.log)"
[ -s "$day/emit.log" ] &&
	say "            emit-letters: $(wc -l <"$day/emit.log") rows left for a person (see $day/emit.log), e.g.:" &&
	sed -n '1s/^/              /p' "$day/emit.log"
"$bin/emit-letters" --config "$cfg" --db "$db" --as-of "$day" \
    --outbox outbox "$day/plan.tsv" >"$day/emitted-again.tsv" \
    2>"$day/emit-again.log"
[ $? -le 1 ] || die "$day: emit-letters failed the second time"
[ "$(wc -l <"$day/emitted-again.tsv")" -eq 1 ] ||
    die "$day: the same plan emitted again sent something twice"
say "            emitted $(($(wc -l <"$day/emitted.tsv") - 1)) into outbox/$day; the same plan again sent nothing"
"$bin/kpi-report" --config "$cfg" --db "$db" --as-of "$day" \
    --period 2025-01..2025-06 --html kpi.html >kpi.tsv 2>"$day/kpi.log" ||
    die "$day: kpi-report failed (see $day/kpi.log)"
say "            KPIs for January to June: kpi.tsv and kpi.html"

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
say "  $day/bank/             the bank statement, the payments, the allocations"
say "  $day/calls.tsv         the day's calls and promises (log-contact)"
say "  $day/plan.tsv          the chase plan (build-chasepath); emitted.tsv what went out"
say "  outbox/$day/           letters (text and HTML), e-mails, SMS, calls.csv"
say "  kpi.tsv, kpi.html      the KPIs, January to June, and the monthly-review page"
say ""
say "Look around:"
say "  cd $work"
say "  sqlite3 -header acme.db \"select doc_id, debtor_name, closed_date from item_v where closed_reason = 'snapshot'\""
say "  $bin/age-ledger --db acme.db --as-of 2025-06-26 --state --by item | less -S"

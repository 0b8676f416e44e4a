#!/bin/sh
# demo: a credit-control bureau's nightly run for its two example
# clients, three nights in a row.  `make demo` runs it after building.
#
#   sh examples/demo.sh BUILD_DIR      (build, build-san, or their bin/)
#
# In a new temporary directory, which it keeps and names, it sets up a
# bureau in the layout of creditkit(7) with two clients, each a copy of
# its folder of examples/ (client.yaml, templates):
#   acme     Acme Wholesale Ltd, a UK wholesaler in sterling (Xero, then
#            QuickBooks' A/R Aging Detail), with a bank (camt.053);
#   vandijk  Van Dijk Groothandel B.V., a Dutch wholesaler in euros
#            (ERPNext's Sales Invoice list), which applies its own
#            receipts, so the bureau sees its payments in the export.
# Their ledgers come from the project's own generator (bench/gen-ledger.c,
# seeds fixed, so the same every time).  Each night (2025-06-25, 26, 27)
# it drops what the clients' systems and the bank would send into each
# inbox, then runs the nightly cycle for the whole bureau:
#   creditkit-nightly --as-of DATE --all --bureau BUREAU
# (ingest, allocate, contacts, age, score, plan, emit, KPIs, export).
# The drops of one night:
#   acme     the first night Xero's invoice export (every document so far)
#            in inbox/invoices; later nights QuickBooks' report of what is
#            open in inbox/open-items (--snapshot closes what it no longer
#            lists); from the second night the bank's camt.053 statement
#            in inbox/payments (made by bench/gen-payments.c from invoices
#            open in the state: see "the bank" below); and the outcomes of
#            the previous night's first three calls in inbox/contacts (a
#            promise, a query, no answer), as a dialler would export them;
#   vandijk  the ERPNext list in inbox/invoices, and its calls the same
#            way.
# Then it checks, to the penny, each client's total open as of each night,
# replayed from the final state, against the generator's figures (less,
# for acme, the cash the bank brought and what was written off), that
# every dropped file was processed, and that the last night run again
# sends nothing twice; and prints where to look.
# Exits non-zero if any step or check fails.
#
# Environment: CC (cc) builds the generators; TMPDIR is where the work
# directory goes.
set -u
LC_ALL=C
export LC_ALL

top=$(cd "$(dirname "$0")/.." && pwd)
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
for t in creditkit-nightly ingest-invoices age-ledger ingest-payments \
    allocate-payments log-contact score-debtor build-chasepath \
    emit-letters kpi-report; do
	[ -x "$bin/$t" ] || die "$bin/$t is missing (run make first)"
done
nightly=$bin/creditkit-nightly

# The generators are the project's own, so the demo needs nothing
# downloaded; built each time (a fraction of a second), so never stale.
gen=$build/demo/gen-ledger
genpay=$build/demo/gen-payments
mkdir -p "$build/demo" || exit 1
${CC:-cc} -std=c11 -D_POSIX_C_SOURCE=200809L -O2 -o "$gen.tmp.$$" \
    "$top/bench/gen-ledger.c" -lm || die "cannot build bench/gen-ledger.c"
mv -f "$gen.tmp.$$" "$gen" || exit 1
${CC:-cc} -std=c11 -D_POSIX_C_SOURCE=200809L -O2 -o "$genpay.tmp.$$" \
    "$top/bench/gen-payments.c" || die "cannot build bench/gen-payments.c"
mv -f "$genpay.tmp.$$" "$genpay" || exit 1

work=$(mktemp -d "${TMPDIR:-/tmp}/creditkit-demo.XXXXXX") ||
    die "cannot make a work directory"
cd "$work" || exit 1
work=$(pwd)
bureau=$work/bureau
# What only the generator knows (its figures, its ledgers): beside the
# bureau, never in it.
truth=$work/truth

# ---- the ledgers ----------------------------------------------------------
# acme: 2,000 documents of 150 debtors; vandijk: 2,400 of 180; both over
# the two years to the last night.
days="2025-06-25 2025-06-26 2025-06-27"
last=2025-06-27
acme_seed=20250627 acme_rows=2000 acme_debtors=150
vd_seed=20250628 vd_rows=2400 vd_debtors=180
acme_company="Acme Wholesale Ltd"

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

say "creditkit demo: a bureau's nightly run for two clients, three nights"
say ""
say "work directory: $work (kept; rm -r it when done)"
say "bureau:         $bureau"

# ---- the bureau -----------------------------------------------------------
for c in acme vandijk; do
	mkdir -p "$bureau/$c" || exit 1
	if ! cp "$top/examples/$c/client.yaml" "$bureau/$c/" ||
	    ! cp -R "$top/examples/$c/templates" "$bureau/$c/"; then
		die "cannot copy examples/$c"
	fi
	for k in invoices open-items payments contacts; do
		mkdir -p "$bureau/$c/inbox/$k" || exit 1
	done
done
mkdir -p "$truth" || exit 1
say "  acme/      Acme Wholesale Ltd (examples/acme): GBP, Xero then QuickBooks, a bank"
say "  vandijk/   Van Dijk Groothandel B.V. (examples/vandijk): EUR, ERPNext"

prev() { date -u -d "$1 - 1 day" +%F; }

# calls FILE DAY CLIENT_DIR: what the credit controller's first three
# calls of the day made of the previous night's plan (its calls first,
# then the rest, one call a debtor), as a dialler exports its outcomes: a
# promise of 500.00 (or what is due, if less) in a week, a query on the
# first document, no answer.
calls() {
	plan=$3/plans/$(prev "$2").tsv
	[ -s "$plan" ] || return 0
	awk -F"$tab" -v day="$2" -v due="$(date -u -d "$2 + 7 days" +%F)" '
	BEGIN { print "event\tevent_id\tdebtor_id\ttime\tchannel\toutcome\tagent\tamount\tcurrency\tdue_date\tdoc_ids\treason" }
	NR == 1 { for (i = 1; i <= NF; i++) col[$i] = i; next }
	{ row[NR] = $0; call[NR] = $col["channel"] == "call" }
	END {
		for (pass = 1; pass >= 0; pass--)
			for (r = 2; r <= NR && n < 3; r++) {
				if (call[r] != pass) continue
				split(row[r], f, "\t")
				d = f[col["debtor_id"]]
				if (d in seen) continue
				seen[d] = 1; n++
				a = f[col["amount_due"]] + 0
				amt = a < 500 ? sprintf("%.2f", a) : "500.00"
				doc = f[col["doc_ids"]]; sub(/,.*/, "", doc)
				id = day "-" n
				if (n == 1) {
					printf "attempt\t%s-a\t%s\t%sT10:05\tcall\tpromise\tdemo\t\t\t\t\t\n", id, d, day
					printf "promise\t%s-p\t%s\t%sT10:05\t\t\tdemo\t%s\t%s\t%s\t\t\n", id, d, day, amt, f[col["currency"]], due
				} else if (n == 2) {
					printf "attempt\t%s-a\t%s\t%sT11:20\tcall\tquery\tdemo\t\t\t\t\t\n", id, d, day
					printf "query_open\t%s-q\t%s\t%sT11:20\t\t\tdemo\t\t\t\t%s\tquality\n", id, d, day, doc
				} else
					printf "attempt\t%s-a\t%s\t%sT14:40\tcall\tno_answer\tdemo\t\t\t\t\t\n", id, d, day
			}
	}' "$plan" >"$1"
}

# bank DAY N: acme's bank statement for night N (from the second): every
# ninth open invoice of the state as the night before left it, among
# those the generator's ledger leaves alone from that night to the last
# (and whose debtor pays nothing else by then), so that the client's
# later exports, which lag the bank, still list them open and never pay
# them twice; a different ninth each night.  gen-payments -l pays them
# the ways a bank's day does: by number, squashed and short, half,
# from the account alone, by the debtor's code, from nobody known.
bank() {
	day=$1 n=$2
	before=$(prev "$day")
	for d in "$before" $last; do
		"$gen" -f bench -c GBP -s $acme_seed -e $last -a "$d" \
		    $acme_rows $acme_debtors >"$truth/acme-ledger-$d.csv" ||
		    die "$day: the generator failed"
	done
	"$bin/age-ledger" --db "$bureau/acme/state.db" \
	    --config "$bureau/acme/client.yaml" --as-of "$before" --state \
	    --by item >"$truth/acme-items-$before.tsv" ||
	    die "$day: age-ledger failed"
	awk -F, '
	FNR == 1 { file++; next }
	{
		# The bench CSV: a quoted name may hold commas; the amounts
		# are the last two fields, the id the first, the debtor the
		# second.
		paid = $NF; id = $1
		if (file == 1) { paid_then[id] = paid; who[id] = $2 }
		else if ((id in paid_then) && paid_then[id] != paid)
			busy[who[id]] = 1
	}
	END { for (id in paid_then) if (!busy[who[id]]) print id }' \
	    "$truth/acme-ledger-$before.csv" "$truth/acme-ledger-$last.csv" |
	    sort >"$truth/acme-quiet-$day.txt"
	awk -F"$tab" -v night="$n" -v qf="$truth/acme-quiet-$day.txt" '
	FILENAME == qf { quiet[$1] = 1; next }
	FNR == 1 { for (i = 1; i <= NF; i++) col[$i] = i
		print "invoice_id,debtor_id,debtor_name,invoice_date,due_date,currency,amount,amount_paid"
		next }
	$col["doc_type"] == "invoice" && $col["open_amount"] + 0 > 0 &&
	    quiet[$col["doc_id"]] && substr($col["doc_id"], 5) % 9 == night {
		name = $col["debtor_name"]; gsub(/"/, "\"\"", name)
		paid = sprintf("%.2f", $col["amount"] - $col["open_amount"])
		printf "%s,%s,\"%s\",%s,%s,%s,%s,%s\n", $col["doc_id"], $col["debtor_id"], name, $col["issue_date"], $col["due_date"], $col["currency"], $col["amount"], paid
	}' "$truth/acme-quiet-$day.txt" "$truth/acme-items-$before.tsv" \
	    >"$truth/acme-paid-$day.csv"
	nrcpt=$(($(wc -l <"$truth/acme-paid-$day.csv") - 1))
	[ "$nrcpt" -gt 0 ] || die "$day: no open invoices for the bank to pay"
	"$genpay" -l "$truth/acme-paid-$day.csv" -d "$day" -s "$n" "$nrcpt" \
	    >"$bureau/acme/inbox/payments/camt053-$day.xml" ||
	    die "$day: gen-payments failed"
}

# ---- the nights ----------------------------------------------------------
n=0
for day in $days; do
	n=$((n + 1))
	say ""
	say "night $n, $day: the drops"
	a=$bureau/acme/inbox v=$bureau/vandijk/inbox
	if [ $n -eq 1 ]; then
		"$gen" -f xero -c GBP -s $acme_seed -e $last -a "$day" \
		    -t "$truth/acme-$day.tsv" $acme_rows $acme_debtors \
		    >"$a/invoices/xero-invoices-$day.csv" ||
		    die "$day: the generator failed"
		say "  acme/inbox/invoices/xero-invoices-$day.csv      Xero's invoice export, every document so far"
	else
		"$gen" -f quickbooks -c GBP -n "$acme_company" -s $acme_seed \
		    -e $last -a "$day" -t "$truth/acme-$day.tsv" \
		    $acme_rows $acme_debtors \
		    >"$a/open-items/ar-aging-detail-$day.csv" ||
		    die "$day: the generator failed"
		say "  acme/inbox/open-items/ar-aging-detail-$day.csv  QuickBooks' A/R Aging Detail: what is open"
		bank "$day" $n
		say "  acme/inbox/payments/camt053-$day.xml            the bank's statement: $nrcpt receipts"
	fi
	"$gen" -f erpnext -c EUR -s $vd_seed -e $last -a "$day" \
	    -t "$truth/vandijk-$day.tsv" $vd_rows $vd_debtors \
	    >"$v/invoices/sales-invoices-$day.csv" ||
	    die "$day: the generator failed"
	say "  vandijk/inbox/invoices/sales-invoices-$day.csv  ERPNext's Sales Invoice list, every document"
	for c in acme vandijk; do
		f=$bureau/$c/inbox/contacts/calls-$day.tsv
		calls "$f" "$day" "$bureau/$c"
		[ -s "$f" ] && say "  $c/inbox/contacts/calls-$day.tsv $(printf '%*s' $((15 - ${#c})) '')the day's first three calls: $(($(wc -l <"$f") - 1)) events"
	done

	say "night $n, $day: creditkit-nightly --as-of $day --all --bureau $bureau"
	"$nightly" --as-of "$day" --all --bureau "$bureau" \
	    >"$work/summary-$day.tsv" 2>"$work/nightly-$day.err"
	rc=$?
	sed 's/^/  /' "$work/summary-$day.tsv"
	[ -s "$work/nightly-$day.err" ] && sed 's/^/  stderr: /' "$work/nightly-$day.err"
	# 1: some rows rejected, told and kept (the call list's debtors with
	# no phone number, say); anything else is a failure.
	[ $rc -le 1 ] || die "$day: creditkit-nightly exited $rc (see $bureau/*/logs/$day.log)"
	awk -F"$tab" 'NR > 1 && $3 != "ok" && $3 != "rejects" { bad = 1 }
	    END { exit bad }' "$work/summary-$day.tsv" ||
	    die "$day: a client failed (see $bureau/*/logs/$day.log)"
	for c in acme vandijk; do
		left=$(find "$bureau/$c/inbox" -type f | wc -l)
		[ "$left" -eq 0 ] || die "$day: $left files left in $c/inbox"
	done
done

# ---- the checks -----------------------------------------------------------
say ""
say "checks, each night replayed from the final state:"
total_open() {	# total_open CLIENT DAY: its net total open, minor units
	"$bin/age-ledger" --db "$bureau/$1/state.db" \
	    --config "$bureau/$1/client.yaml" --as-of "$2" --state \
	    --by debtor | awk -F"$tab" "$money_awk"'
	FNR == 1 { for (i = 1; i <= NF; i++) col[$i] = i; next }
	{ t += cents($col["total_open"]) } END { printf "%d\n", t }'
}
for day in $days; do
	for c in acme vandijk; do
		ccy=GBP
		[ $c = vandijk ] && ccy=EUR
		got=$(total_open $c "$day") || die "$c: age-ledger failed"
		gen_open=$(awk -F"$tab" '{ printf "%d\n", $2 + $3 }' \
		    "$truth/$c-$day.tsv")
		# The cash the bank brought that reached a debtor, and what was
		# written off, by that day: what the ledger lost beyond the
		# generator's own payments.
		bank=$(sqlite3 "$bureau/$c/state.db" "SELECT
		    (SELECT coalesce(sum(amount), 0) FROM payment WHERE kind =
		    'receipt' AND debtor_id IS NOT NULL AND value_date <=
		    CAST(strftime('%s', '$day') / 86400 AS INTEGER)) + (SELECT
		    coalesce(sum(amount), 0) FROM settlement WHERE kind =
		    'writeoff' AND date <= CAST(strftime('%s', '$day') / 86400
		    AS INTEGER))") || die "$c: cannot read the state"
		want=$((gen_open - bank))
		awk -v c=$c -v d="$day" -v ccy=$ccy -v g="$got" -v o="$gen_open" \
		    -v b="$bank" -v w="$want" "$money_awk"'
		BEGIN {
			printf "  %s %-8s %s %15s open", d, c, ccy, money(g)
			if (b != 0)
				printf " = the generator'"'"'s %s less %s from the bank", money(o), money(b)
			else
				printf " = the generator'"'"'s"
			printf "%s\n", g == w ? "" : " NOT: " money(w) " was due"
			exit g != w
		}' || die "$day: $c's total open is not the generator's"
	done
done

# The last night again: nothing new in the inboxes, nothing sent twice.
"$nightly" --as-of "$last" --all --bureau "$bureau" \
    >"$work/summary-again.tsv" 2>"$work/nightly-again.err"
rc=$?
[ $rc -le 1 ] || die "the last night again: creditkit-nightly exited $rc"
awk -F"$tab" 'NR > 1 && ($4 != 0 || $9 != 0) { bad = 1 }
    END { exit bad }' "$work/summary-again.tsv" ||
    die "the last night run again ingested or sent something"
say "  the last night run again: no file, nothing emitted (nothing sent twice)"
for c in acme vandijk; do
	xmllint --html --noout "$bureau/$c/reports/$last.html" 2>/dev/null ||
	    die "$c: reports/$last.html is missing or not well-formed"
done
say "  each client's KPI page is well-formed HTML"

# ---- where to look --------------------------------------------------------
count() { find "$1" -type f -name "$2" 2>/dev/null | wc -l; }
say ""
say "What the nights made, per client:"
for c in acme vandijk; do
	o=$bureau/$c/outbox
	say "  $c/"
	say "    state.db                  its state (SQLite)"
	say "    processed/DATE/           the drops, moved once their batch committed"
	say "    plans/DATE.tsv            the chase plan of each night"
	say "    outbox/DATE/letters/      $(count "$o" '*.txt') letters (text; HTML beside each)"
	say "    outbox/DATE/email/        $(count "$o" '*.eml') e-mails (RFC 5322, for sendmail)"
	say "    outbox/DATE/calls.csv     the dialler's call list; tasks.csv the agents'"
	say "    reports/$last.html  the KPI page (reports/DATE.tsv its figures)"
	[ -d "$bureau/$c/exports/$last" ] &&
	    say "    exports/$last/      what goes back to the client's system"
	say "    logs/DATE.log             each night's log: every command, its exit and time"
done
say ""
say "Look around:"
say "  cd $bureau"
say "  cat acme/outbox/$last/letters/\$(ls acme/outbox/$last/letters | head -1)"
say "  column -s, -t vandijk/outbox/$last/calls.csv | less -S"
say "  less acme/logs/$last.log"
say "  $bin/age-ledger --client acme --as-of 2025-06-26 --state | less -S"
say "  $nightly --dry-run --as-of 2025-06-30 --all --bureau $bureau"

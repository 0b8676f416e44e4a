# normalise: one aging report as the bench compares them, so that the
# peers and age-ledger can be checked against each other with cmp.
#
#   awk -v fmt=peer|ledger -f normalise.awk REPORT | LC_ALL=C sort
#
# fmt=peer: no header; debtor_id currency current d1_30 d31_60 d61_90
# d91_plus credits, amounts as decimals.  fmt=ledger: age-ledger --by
# debtor's TSV, columns found by name in its header; d91_plus is
# d91_120 + d121_plus, and total_open is checked against the buckets plus
# credits plus unapplied cash.
#
# Out: debtor_id currency current d1_30 d31_60 d61_90 d91_plus credits, in
# integer minor units; rows whose amounts are all zero are dropped (a
# debtor whose items are all settled may or may not be listed).
#
# Decimals become minor units by their digits, never through floating
# point division, so nothing is lost to awk's number printing; the sums
# stay far below 2^53 and are printed with %.0f.

BEGIN {
	FS = "\t"
	OFS = "\t"
	bad = 0
}

# cents: a plain decimal with at most two places as minor units.
function cents(s,    neg, i, w, f) {
	neg = 0
	if (substr(s, 1, 1) == "-") {
		neg = 1
		s = substr(s, 2)
	}
	i = index(s, ".")
	if (i > 0) {
		w = substr(s, 1, i - 1)
		f = substr(s, i + 1)
	} else {
		w = s
		f = ""
	}
	if (w == "")
		w = "0"
	if (w !~ /^[0-9]+$/ || f !~ /^[0-9]?[0-9]?$/) {
		printf "normalise: line %d: \"%s\" is not a plain decimal\n", \
		    NR, s > "/dev/stderr"
		bad = 1
		return 0
	}
	f = substr(f "00", 1, 2)
	return neg ? -((w f) + 0) : (w f) + 0
}

function emit(id, cur, b0, b1, b2, b3, b4, cr) {
	if (b0 == 0 && b1 == 0 && b2 == 0 && b3 == 0 && b4 == 0 && cr == 0)
		return
	printf "%s\t%s\t%.0f\t%.0f\t%.0f\t%.0f\t%.0f\t%.0f\n", id, cur, \
	    b0, b1, b2, b3, b4, cr
}

fmt == "peer" {
	emit($1, $2, cents($3), cents($4), cents($5), cents($6), cents($7), \
	    cents($8))
	next
}

fmt == "ledger" && NR == 1 {
	for (i = 1; i <= NF; i++)
		col[$i] = i
	split("debtor_id currency not_due d1_30 d31_60 d61_90 d91_120 " \
	    "d121_plus credits", need, " ")
	for (i = 1; i in need; i++) {
		if (!(need[i] in col)) {
			printf "normalise: no column \"%s\" in age-ledger's " \
			    "header\n", need[i] > "/dev/stderr"
			bad = 1
			exit
		}
	}
	next
}

fmt == "ledger" {
	b0 = cents($col["not_due"])
	b1 = cents($col["d1_30"])
	b2 = cents($col["d31_60"])
	b3 = cents($col["d61_90"])
	b4 = cents($col["d91_120"]) + cents($col["d121_plus"])
	cr = cents($col["credits"])
	if ("total_open" in col) {
		un = ("unapplied" in col) ? cents($col["unapplied"]) : 0
		if (cents($col["total_open"]) != b0 + b1 + b2 + b3 + b4 + cr + un &&
		    ++wrong <= 3) {
			printf "normalise: line %d: total_open %s is not the " \
			    "buckets plus credits plus unapplied\n", NR, \
			    $col["total_open"] > "/dev/stderr"
			bad = 1
		}
	}
	emit($col["debtor_id"], $col["currency"], b0, b1, b2, b3, b4, cr)
	next
}

END {
	if (wrong > 3)
		printf "normalise: and %d more such lines\n", wrong - 3 \
		    > "/dev/stderr"
	exit bad
}

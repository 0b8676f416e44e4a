# lib.sh: sourced by the score-debtor cases.  init makes an empty state
# (ingest-invoices of a header-only export); inv adds an item of a
# debtor (created on first use); settle a dated settlement of an item, as
# ingest and allocate-payments record them; pay a receipt assigned to a
# debtor; tsv turns "|" into tabs; scores shows the score table.
init() {
	ingest-invoices -q "$CK_DATA/aging/empty.csv" || exit 99
}

db() {
	sqlite3 -bail "${CREDITKIT_DB:-creditkit.db}" "$@" || exit 99
}

# inv DEBTOR DOC ISSUE DUE MINOR [TYPE] [IN_QUERY]
inv() {
	db "INSERT OR IGNORE INTO debtor (ref, name) VALUES ('$1', '$1 Ltd');
	    INSERT INTO item (debtor_id, issue_date, due_date, amount,
	    open_amount, currency, doc_type, doc_id, row_hash, batch_id,
	    in_query) VALUES ((SELECT id FROM debtor WHERE ref = '$1'),
	    strftime('%s', '$3') / 86400, strftime('%s', '$4') / 86400, $5,
	    $5, 'GBP', '${6:-invoice}', '$2', 'h', 1, ${7:-0})"
}

# settle DOC DATE MINOR [KIND]
settle() {
	db "INSERT INTO settlement (item_id, date, amount, kind) VALUES
	    ((SELECT id FROM item WHERE doc_id = '$1'),
	    strftime('%s', '$2') / 86400, $3, '${4:-allocation}');
	    UPDATE item SET open_amount = open_amount - $3
	    WHERE doc_id = '$1'"
}

# pay KEY DEBTOR VALUE_DATE MINOR
pay() {
	db "INSERT INTO payment (entry_key, batch_id, value_date, currency,
	    amount, kind, debtor_id, unallocated) VALUES ('$1', 1,
	    strftime('%s', '$3') / 86400, 'GBP', $4, 'receipt',
	    (SELECT id FROM debtor WHERE ref = '$2'), 0)"
}

tsv() {
	tr '|' '\t'
}

scores() {
	db "SELECT d.ref, date(s.as_of * 86400, 'unixepoch'), s.score, s.band
	    FROM score s JOIN debtor d ON d.id = s.debtor_id ORDER BY 2, 1"
}

# pick NAME...: the columns of a TSV stream named, in that order.
pick() {
	awk -F'\t' -v want="$*" 'BEGIN { OFS = "\t"; n = split(want, w, " ") }
	    NR == 1 { for (i = 1; i <= NF; i++) at[$i] = i }
	    { line = ""
	      for (j = 1; j <= n; j++)
		line = line (j > 1 ? OFS : "") (w[j] in at ? $(at[w[j]]) : "?")
	      print line }'
}

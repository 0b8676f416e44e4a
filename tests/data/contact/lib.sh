# lib.sh: sourced by the log-contact cases.  seed makes DOMAIN.md
# section 2's ledger (debtors C001 GBP, C002 GBP and EUR, C003) with
# aging's fixture; pay adds a receipt already assigned to a debtor, as
# allocate-payments leaves it (payment.debtor_id set); tsv turns "|"
# into tabs; counts shows what log-contact's tables hold, so a case can
# prove a rejected event left nothing.
seed() {
	. "$CK_DATA/aging/domain-2.sh"
}

# pay KEY DEBTOR VALUE_DATE MINOR_UNITS [CURRENCY]
pay() {
	sqlite3 -bail "${CREDITKIT_DB:-creditkit.db}" "INSERT INTO payment
	    (entry_key, batch_id, value_date, currency, amount, kind,
	    debtor_id, unallocated) VALUES ('$1', 1,
	    strftime('%s', '$3') / 86400, '${5:-GBP}', $4, 'receipt',
	    (SELECT id FROM debtor WHERE ref = '$2'), 0)" || exit 99
}

# debtor REF: a debtor with one GBP invoice, for cases that need many.
debtor() {
	sqlite3 -bail "${CREDITKIT_DB:-creditkit.db}" "INSERT INTO debtor
	    (ref, name) VALUES ('$1', '$1 Ltd'); INSERT INTO item (debtor_id,
	    issue_date, due_date, amount, open_amount, currency, doc_type,
	    doc_id, row_hash, batch_id) VALUES (last_insert_rowid(), 19700,
	    19730, 100000, 100000, 'GBP', 'invoice', 'INV-$1', 'h', 1)" ||
	    exit 99
}

tsv() {
	tr '|' '\t'
}

counts() {
	sqlite3 "${CREDITKIT_DB:-creditkit.db}" "SELECT 'contact_event',
	    count(*) FROM contact_event UNION ALL SELECT 'contact', count(*)
	    FROM contact UNION ALL SELECT 'promise', count(*) FROM promise
	    UNION ALL SELECT 'query', count(*) FROM query UNION ALL SELECT
	    'query_item', count(*) FROM query_item UNION ALL SELECT 'plan',
	    count(*) FROM plan UNION ALL SELECT 'instalment', count(*) FROM
	    instalment UNION ALL SELECT 'hold', count(*) FROM hold" |
	    tr '\n' ' '
	echo
}

# payments.sh: sourced by the allocate-payments cases.  Until
# ingest-payments lands, the bank's side is seeded with the sqlite3 shell
# as ingest-payments writes it (the contract of issue 3): a batch of kind
# 'payments', a statement, and payment rows with no debtor, receipts
# positive with unallocated = amount, reversals negative.
#   pay ID KEY VALUE_DATE AMOUNT_MINOR PAYER_NAME PAYER_ACCOUNT REFERENCE [KIND [REVERSES_ID [CURRENCY]]]
db=${CREDITKIT_DB:-creditkit.db}
sqlite3 -bail "$db" "INSERT OR IGNORE INTO batch (id, kind, tool, file_name,
  as_of, started_at, finished_at) VALUES (100, 'payments', 'seed',
  'statement.xml', 0, '2024-03-01T00:00:00Z', '2024-03-01T00:00:00Z');
  INSERT OR IGNORE INTO statement (id, batch_id, account, stmt_ref, currency)
  VALUES (1, 100, 'GB00BANK', 'S1', 'GBP');" || exit 99
pay() {
	kind=${8:-receipt}
	rev=${9:-NULL}
	ccy=${10:-GBP}
	unalloc=$4
	sqlite3 -bail "$db" "INSERT INTO payment (id, entry_key, statement_id,
	  batch_id, account, booking_date, value_date, currency, amount, kind,
	  payer_name, payer_account, reference, end_to_end_id, unallocated,
	  reverses_id) VALUES ($1, '$2', 1, 100, 'GB00BANK',
	  strftime('%s','$3')/86400, strftime('%s','$3')/86400, '$ccy', $4,
	  '$kind', nullif('$5', ''), nullif('$6', ''), nullif('$7', ''),
	  'E2E-$2', $unalloc, $rev)" || exit 99
}

# domain-2.sh: sourced by the age-ledger cases that need DOMAIN.md section
# 2's ledger in the state: ingest-invoices creates the state (schema and
# batch 1) from a header-only export, then the sqlite3 shell adds the rows.
ingest-invoices -q "$CK_DATA/aging/empty.csv" || exit 99
sqlite3 -bail "${CREDITKIT_DB:-creditkit.db}" <"$CK_DATA/aging/domain-2.sql" ||
	exit 99

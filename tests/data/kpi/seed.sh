# seed.sh: sourced by the kpi-report cases: ingest-invoices creates the
# state (schema and batch 1) from a header-only export, then the sqlite3
# shell loads each SQL file named in $seeds (rows of DOMAIN.md section 1's
# examples; dates as day numbers through strftime, amounts minor units).
ingest-invoices -q "$CK_DATA/aging/empty.csv" || exit 99
for f in $seeds; do
	sqlite3 -bail "${CREDITKIT_DB:-creditkit.db}" <"$CK_DATA/kpi/$f" ||
		exit 99
done

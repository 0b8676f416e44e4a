# nu3/setup.sh: a new user's scenario (report nu3), sourced by the
# allocate-payments cases: five debtors' invoices and a credit note as of
# 2026-02-01 (invoices.csv).
CREDITKIT_AS_OF=2026-02-01 ingest-invoices -q "$CK_DATA/allocate/nu3/invoices.csv" || exit 99

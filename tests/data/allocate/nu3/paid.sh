# nu3/paid.sh: setup.sh, then a camt.053 and an MT940 statement of
# February 2026 ingested and allocated on 2026-02-11 (15 payments: 1 to 11
# and 14 to 15 receipts, 12 a debit, 13 a reversal).
. "$CK_DATA/allocate/nu3/setup.sh"
CREDITKIT_AS_OF=2026-02-10 ingest-payments -q \
    "$CK_DATA/allocate/nu3/stmt-0205.xml" \
    "$CK_DATA/allocate/nu3/stmt-0210.sta" || exit 99
CREDITKIT_AS_OF=2026-02-11 allocate-payments -q || exit 99

# domain-6.sh: DOMAIN.md section 6's worked example: the open items of
# Acme Ltd (C100) from an export, and the five bank lines B1-B5 dated
# 2024-03-01 to 2024-03-05 (payer ACME LTD, account GB11ACME).
ingest-invoices -q "$CK_DATA/allocate/domain-6.csv" || exit 99
. "$CK_DATA/allocate/payments.sh"
pay 1 B1 2024-03-01  85000 'ACME LTD' GB11ACME 'INV-302'
pay 2 B2 2024-03-02 243050 'ACME LTD' GB11ACME 'BACS 7781'
pay 3 B3 2024-03-03  63600 'ACME LTD' GB11ACME 'INV306'
pay 4 B4 2024-03-04 115000 'ACME LTD' GB11ACME 'INV-301'
pay 5 B5 2024-03-05  15000 'ACME LTD' GB11ACME 'ACME LTD'

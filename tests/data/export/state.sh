# state.sh: sourced by the export-client cases.  It makes a small state
# with the real tools, as the nightly run does: the client's export
# (inv.csv: D1 named as a spreadsheet formula, D2 with quotes and a
# document id holding a comma, D3 in EUR with a non-ASCII name), a bank
# CSV (INV-1 paid, INV-3 paid short, one receipt nobody's), allocated;
# a call sheet (events.txt: contacts, promises, a query opened and
# closed, a plan); the plan of the day built and emitted; scores.
# The config is the example client's with a bank section (bank.yaml).
CREDITKIT_NOW=2024-02-29T08:00:00Z
CREDITKIT_CONFIG=acme/client.yaml
export CREDITKIT_NOW CREDITKIT_CONFIG
make_state() {
	cp -R "$CK_TOP/examples/acme" acme &&
	    cat "$CK_DATA/export/bank.yaml" >>acme/client.yaml || exit 99
	ingest-invoices -q --as-of 2024-01-31 "$CK_DATA/export/inv.csv" ||
	    exit 99
	ingest-payments -q "$CK_DATA/export/bank.csv" || exit 99
	allocate-payments -q || exit 99
	tr '|' '\t' <"$CK_DATA/export/events.txt" >events.tsv
	log-contact events.tsv || exit 99
	age-ledger --state --by item | score-debtor | build-chasepath \
	    >plan.tsv || exit 99
	emit-letters --outbox ob plan.tsv >/dev/null || exit 99
}

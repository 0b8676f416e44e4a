# lib.sh: sourced by the emit-letters cases.  seed makes the state
# (ingest-invoices from a header-only export creates the schema and
# batch 1) and adds seed.sql's debtors and items; tsv turns "|" into
# tabs; actions shows what emit-letters recorded.
CREDITKIT_NOW=2024-03-31T08:00:00Z
CREDITKIT_AS_OF=2024-03-31
CREDITKIT_CONFIG=$CK_TOP/examples/acme/client.yaml
export CREDITKIT_NOW CREDITKIT_AS_OF CREDITKIT_CONFIG
seed() {
	ingest-invoices -q "$CK_DATA/aging/empty.csv" || exit 99
	sqlite3 -bail "${CREDITKIT_DB:-creditkit.db}" \
	    <"$CK_DATA/emit/seed.sql" || exit 99
}
tsv() {
	tr '|' '\t'
}
actions() {
	sqlite3 "${CREDITKIT_DB:-creditkit.db}" "SELECT d.ref, a.step,
	    a.channel, a.template, a.doc_ids, a.amount_due, a.interest,
	    a.compensation, a.rate, a.file, a.created_at, a.sha256 IS NOT NULL
	    FROM action a JOIN debtor d ON d.id = a.debtor_id ORDER BY a.id;
	    SELECT 'items', count(*), sum(interest), sum(compensation)
	    FROM action_item"
}
# every_day: the seed's day, 31 March 2024, is a Sunday, when the
# example's chase.hours allow no call or SMS (emit-letters rejects
# them); a case about something else whose rows call or text uses the
# example's config with every day open.
every_day() {
	sed -e "s|  templates: templates .*|  templates: $CK_TOP/examples/acme/templates|" \
	    -e 's/days: mon-fri/days: mon-sun/g; s/days: mon-sat/days: mon-sun/g' \
	    "$CK_TOP/examples/acme/client.yaml" >every-day.yaml || exit 99
	CREDITKIT_CONFIG=$PWD/every-day.yaml
}

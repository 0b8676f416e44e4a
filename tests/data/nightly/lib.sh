# lib.sh: sourced by the creditkit-nightly cases.  A small bureau under
# the case's folder: client NAME makes bureau/NAME (the example client's
# config with NAME as its client.id, its templates, an empty inbox); drop NAME DATE puts that day's
# invoice export (every invoice issued by then, as the client's system
# lists them) in its inbox; bank and calls drop a statement and a call
# sheet.  nightly runs the driver and shows its summary without the
# seconds column (which varies) and its exit status; its stderr goes to
# nightly.err with the case's folder written as ".".  tree lists a
# client's files; actions and dups show what was emitted and that
# nothing was twice.  fake_tools makes tools/: a copy of the driver with
# the real tools beside it, so that one can be replaced by a wrapper.
CREDITKIT_NOW=2024-03-01T06:00:00Z
export CREDITKIT_NOW
unset CREDITKIT_DB CREDITKIT_AS_OF
B=$PWD/bureau

client() {
	mkdir -p "$B/$1/inbox/invoices" "$B/$1/inbox/open-items" \
	    "$B/$1/inbox/payments" "$B/$1/inbox/contacts" || exit 99
	# Each client its own id (its name, less what an id cannot hold).
	sed "s/^  id: acme /  id: $(printf '%s' "$1" | tr -c 'A-Za-z0-9_-' _) /" \
	    "$CK_TOP/examples/acme/client.yaml" >"$B/$1/client.yaml" || exit 99
	cp -R "$CK_TOP/examples/acme/templates" "$B/$1/" || exit 99
}

# The ledger: Alpha's and Beta's invoices, Gamma's (a debtor with no
# phone, whose call is rejected by emit-letters) only for client beta.
ledger() {
	cat <<'CSV'
INV-101,C001,Alpha Ltd,Invoice,2024-01-02,2024-02-01,GBP,1200.00,0.00,a@alpha.example,0113 496 0001,"1 Quay St, Leeds LS1 4AP"
INV-102,C001,Alpha Ltd,Invoice,2024-01-25,2024-02-24,GBP,300.00,0.00,a@alpha.example,0113 496 0001,"1 Quay St, Leeds LS1 4AP"
INV-201,C002,Beta Ltd,Invoice,2024-01-15,2024-02-14,GBP,5000.00,0.00,b@beta.example,0113 496 0002,"2 Mill Rd, York YO1 6AA"
INV-202,C002,Beta Ltd,Invoice,2024-02-06,2024-03-05,GBP,800.00,0.00,b@beta.example,0113 496 0002,"2 Mill Rd, York YO1 6AA"
INV-103,C001,Alpha Ltd,Invoice,2024-03-01,2024-03-31,GBP,450.00,0.00,a@alpha.example,0113 496 0001,"1 Quay St, Leeds LS1 4AP"
INV-203,C002,Beta Ltd,Invoice,2024-03-04,2024-04-03,GBP,75.00,0.00,b@beta.example,0113 496 0002,"2 Mill Rd, York YO1 6AA"
INV-104,C001,Alpha Ltd,Invoice,2024-03-05,2024-04-04,GBP,99.00,0.00,a@alpha.example,0113 496 0001,"1 Quay St, Leeds LS1 4AP"
CSV
}

# drop NAME DATE [FILE]: the export of DATE as inbox/invoices/FILE
# (default DATE.csv).
drop() {
	{
		echo "Invoice No,Customer Code,Customer Name,Type,Invoice Date,Due Date,Currency,Amount,Amount Paid,Email,Phone,Address"
		ledger | awk -F, -v d="$2" '$5 <= d'
		case $1/$2 in
		beta/2024-03-01) ;;
		beta/*) echo "INV-301,C003,Gamma Ltd,Invoice,2024-01-10,2024-02-09,GBP,640.00,0.00,g@gamma.example,,\"3 Dock St, Hull HU1 1AA\"" ;;
		esac
	} >"$B/$1/inbox/invoices/${3:-$2.csv}"
}

# bank NAME DATE: a camt.053 of DATE paying INV-101 in full.
bank() {
	cat >"$B/$1/inbox/payments/camt-$2.xml" <<XML
<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.08"><BkToCstmrStmt><GrpHdr><MsgId>MSG-$2</MsgId><CreDtTm>${2}T20:00:00</CreDtTm></GrpHdr><Stmt><Id>STMT-$2</Id><CreDtTm>${2}T20:00:00</CreDtTm><Acct><Id><IBAN>GB29NWBK60161331926819</IBAN></Id><Ccy>GBP</Ccy></Acct><Bal><Tp><CdOrPrtry><Cd>OPBD</Cd></CdOrPrtry></Tp><Amt Ccy="GBP">100.00</Amt><CdtDbtInd>CRDT</CdtDbtInd><Dt><Dt>$2</Dt></Dt></Bal><Bal><Tp><CdOrPrtry><Cd>CLBD</Cd></CdOrPrtry></Tp><Amt Ccy="GBP">1300.00</Amt><CdtDbtInd>CRDT</CdtDbtInd><Dt><Dt>$2</Dt></Dt></Bal><Ntry><Amt Ccy="GBP">1200.00</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts><Cd>BOOK</Cd></Sts><BookgDt><Dt>$2</Dt></BookgDt><ValDt><Dt>$2</Dt></ValDt><AcctSvcrRef>B-$2</AcctSvcrRef><BkTxCd/><NtryDtls><TxDtls><Refs><EndToEndId>E2E-$2</EndToEndId></Refs><AmtDtls><TxAmt><Amt Ccy="GBP">1200.00</Amt></TxAmt></AmtDtls><RltdPties><Dbtr><Pty><Nm>Alpha Ltd</Nm></Pty></Dbtr></RltdPties><RmtInf><Ustrd>INV-101</Ustrd></RmtInf></TxDtls></NtryDtls></Ntry>
</Stmt></BkToCstmrStmt></Document>
XML
}

# calls NAME DATE: Beta's promise to pay 800.00 within the week.
calls() {
	{
		printf 'event\tevent_id\tdebtor_id\ttime\tchannel\toutcome\tagent\tamount\tcurrency\tdue_date\tdoc_ids\treason\n'
		printf 'attempt\tD-%s-1\tC002\t%sT10:05\tcall\tpromise\tjo\t\t\t\t\t\n' "$2" "$2"
		printf 'promise\tD-%s-2\tC002\t%sT10:05\t\t\tjo\t800.00\tGBP\t2024-03-12\t\t\n' "$2" "$2"
	} >"$B/$1/inbox/contacts/calls-$2.tsv"
}

# nightly [ARG...]: the driver ($NIGHTLY, default creditkit-nightly on
# PATH); prints its summary less the seconds and "exit N".
nightly() {
	# In the background, so that a driver killed is not told on stderr
	# by this shell.
	"${NIGHTLY:-creditkit-nightly}" "$@" >nightly.out 2>nightly.err &
	wait $! 2>/dev/null
	st=$?
	cut -f1-9 nightly.out
	echo "exit $st"
	sed "s|$PWD|.|g" nightly.err >&2
	return 0
}

# tree NAME: the client's files but its config and templates.
tree() {
	(cd "$B/$1" && find . -path ./templates -prune -o -type f -print |
	    grep -v -e '^./client.yaml$' | sort)
}

actions() {
	sqlite3 "$B/$1/state.db" "SELECT d.ref, a.step, a.channel, a.file
	    FROM action a JOIN debtor d ON d.id = a.debtor_id ORDER BY a.id"
}

# dups NAME: actions recorded twice (the same debtor, step and day), and
# outbox files of the same name twice in emitted.tsv: both must be none.
dups() {
	sqlite3 "$B/$1/state.db" "SELECT 'action twice', debtor_id, step,
	    channel, file, count(*) FROM action GROUP BY debtor_id, step,
	    channel, file HAVING count(*) > 1"
	for f in "$B/$1"/outbox/*.emitted.tsv; do
		[ -f "$f" ] || continue
		sed 1d "$f" | cut -f1-3 | sort | uniq -d | sed 's/^/emitted twice: /'
	done
}

# fake_tools: tools/ holds a copy of the driver and links to the real
# tools, so the driver (which runs the tools beside it) runs a wrapper
# put in place of one of them.
fake_tools() {
	mkdir -p tools || exit 99
	cp "$CK_BIN/creditkit-nightly" tools/ || exit 99
	for t in ingest-invoices ingest-payments allocate-payments \
	    log-contact age-ledger score-debtor build-chasepath emit-letters \
	    kpi-report; do
		ln -s "$CK_BIN/$t" "tools/$t" || exit 99
	done
	NIGHTLY=$PWD/tools/creditkit-nightly
}

# wrap TOOL SCRIPT: tools/TOOL becomes SCRIPT (sh), which can run the
# real one as "$REAL" "$@".
wrap() {
	rm -f "tools/$1"
	{
		echo '#!/bin/sh'
		echo "REAL=$CK_BIN/$1"
		cat
	} >"tools/$1" && chmod +x "tools/$1" || exit 99
}

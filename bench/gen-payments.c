/*
 * gen-payments: a bank statement of N receipts for the bench, as SWIFT
 * MT940 or ISO 20022 camt.053.001.02, on standard output.  The receipts
 * are spread over statements of 10,000 entries whose balances add up,
 * each with a bank reference, an end-to-end id, a payer and an invoice
 * number, as a bank would send a busy client's day.  Deterministic for a
 * seed.
 *
 *   gen-payments [-f mt940|camt] [-s seed] [-t totals] count
 *   gen-payments -l ledger.csv [-d day] [-s seed] [-t totals] count
 *
 * -t writes "count<TAB>sum of the amounts in minor units" to a file, for
 * checking what the tool recorded.
 *
 * -l: camt.053 receipts that pay the items of a ledger from gen-ledger
 * (for allocate-payments), one per item in turn, count of them (the
 * ledger is read again from the top when count is larger), in one
 * statement of 10,000 entries per currency at a time.  Per ten receipts:
 * five pay their document's open amount (the whole amount when the
 * export says it is paid: the export-lag case) and name it by its
 * number; one names it squashed ("inv0000123") and pays 3.00 short; one
 * pays half of it by its number; one pays the open amount from the
 * debtor's account with no reference; one names the debtor's code and
 * pays 100.00; one comes from nobody anybody knows.  -d gives the
 * statement's day (YYYY-MM-DD, default 2025-06-30); the statement's id
 * and the entries' bank references carry it, as a bank's do, so the
 * statements of consecutive days are different statements.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PER_STATEMENT 10000

/* -d: the day of the ledger mode's statement (booking and value date),
 * and stmt_tag the same without its dashes, for the ids. */
static const char *stmt_day = "2025-06-30";
static char stmt_tag[16];

static uint64_t rng;

static uint64_t
next(void)
{
	/* splitmix64 */
	uint64_t z = (rng += 0x9E3779B97F4A7C15ULL);

	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
	return z ^ (z >> 31);
}

static long long
amount(void)
{
	/* 5.00 to 25,000.00, most of them small. */
	uint64_t r = next();
	long long base = (long long)(r % 1000) + 1;

	return base * base * 2 + 500 + (long long)((r >> 20) % 100);
}

static void
mt940(long n, long long *sum)
{
	long long bal = 0;
	long i = 0;
	int stmt = 0;

	while (i < n) {
		long k, end = i + PER_STATEMENT < n ? i + PER_STATEMENT : n;

		stmt++;
		printf(":20:BENCH%06d\r\n:25:DE89370400440532013000\r\n"
		    ":28C:%05d/001\r\n:60F:C250630EUR%lld,%02lld\r\n", stmt, stmt,
		    bal / 100, bal % 100);
		for (k = i; k < end; k++) {
			long long a = amount();

			bal += a;
			*sum += a;
			printf(":61:2506300630CR%lld,%02lldNTRFNONREF//B%09ld\r\n",
			    a / 100, a % 100, k + 1);
			printf(":86:166?00GUTSCHRIFT?20EREF+E2E%09ld?21SVWZ+INV-%07lu"
			    "?32DEBTOR %05lu LTD\r\n", k + 1,
			    (unsigned long)(next() % 10000000),
			    (unsigned long)(next() % 20000));
		}
		printf(":62F:C250630EUR%lld,%02lld\r\n-\r\n", bal / 100, bal % 100);
		i = end;
	}
}

static void
camt(long n, long long *sum)
{
	long long bal = 0;
	long i = 0;
	int stmt = 0;

	printf("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	    "<Document xmlns=\"urn:iso:std:iso:20022:tech:xsd:"
	    "camt.053.001.02\">\n<BkToCstmrStmt>\n<GrpHdr><MsgId>BENCH"
	    "</MsgId><CreDtTm>2025-06-30T18:00:00</CreDtTm></GrpHdr>\n");
	while (i < n) {
		long k, end = i + PER_STATEMENT < n ? i + PER_STATEMENT : n;
		long long open = bal;

		stmt++;
		printf("<Stmt><Id>BENCH-%06d</Id><Acct><Id><IBAN>"
		    "DE89370400440532013000</IBAN></Id></Acct>\n", stmt);
		printf("<Bal><Tp><CdOrPrtry><Cd>OPBD</Cd></CdOrPrtry></Tp>"
		    "<Amt Ccy=\"EUR\">%lld.%02lld</Amt><CdtDbtInd>CRDT"
		    "</CdtDbtInd><Dt><Dt>2025-06-30</Dt></Dt></Bal>\n",
		    open / 100, open % 100);
		/* The closing balance comes before the entries in camt:
		 * draw them first. */
		{
			long long *as = malloc(sizeof *as * (size_t)(end - i));

			if (as == NULL)
				exit(3);
			for (k = i; k < end; k++) {
				as[k - i] = amount();
				bal += as[k - i];
			}
			printf("<Bal><Tp><CdOrPrtry><Cd>CLBD</Cd></CdOrPrtry>"
			    "</Tp><Amt Ccy=\"EUR\">%lld.%02lld</Amt><CdtDbtInd>"
			    "CRDT</CdtDbtInd><Dt><Dt>2025-06-30</Dt></Dt></Bal>\n",
			    bal / 100, bal % 100);
			for (k = i; k < end; k++) {
				long long a = as[k - i];

				*sum += a;
				printf("<Ntry><Amt Ccy=\"EUR\">%lld.%02lld</Amt>"
				    "<CdtDbtInd>CRDT</CdtDbtInd><Sts>BOOK</Sts>"
				    "<BookgDt><Dt>2025-06-30</Dt></BookgDt>"
				    "<ValDt><Dt>2025-06-30</Dt></ValDt>"
				    "<AcctSvcrRef>B%09ld</AcctSvcrRef><NtryDtls>"
				    "<TxDtls><Refs><EndToEndId>E2E%09ld</EndToEndId>"
				    "</Refs><RltdPties><Dbtr><Nm>Debtor %05lu Ltd"
				    "</Nm></Dbtr></RltdPties><RmtInf><Ustrd>"
				    "INV-%07lu</Ustrd></RmtInf></TxDtls></NtryDtls>"
				    "</Ntry>\n", a / 100, a % 100, k + 1, k + 1,
				    (unsigned long)(next() % 20000),
				    (unsigned long)(next() % 10000000));
			}
			free(as);
		}
		printf("</Stmt>\n");
		i = end;
	}
	printf("</BkToCstmrStmt>\n</Document>\n");
}

/* ---- receipts for a ledger ---- */

struct rcpt {
	char ref[64], payer[96], acct[40];
	long long amount;
};

struct ccybuf {
	char code[4];
	struct rcpt *r;
	long n;
	long long bal;
	int stmt;
};

static long entry_no;

/* xml_put: s with &, < and > escaped. */
static void
xml_put(const char *s)
{
	for (; *s; s++) {
		if (*s == '&')
			fputs("&amp;", stdout);
		else if (*s == '<')
			fputs("&lt;", stdout);
		else if (*s == '>')
			fputs("&gt;", stdout);
		else
			putchar(*s);
	}
}

static void
flush_ccy(struct ccybuf *c, int ci)
{
	long long open = c->bal;

	if (c->n == 0)
		return;
	for (long k = 0; k < c->n; k++)
		c->bal += c->r[k].amount;
	c->stmt++;
	printf("<Stmt><Id>LEDGER-%s-%s-%06d</Id><Acct><Id><IBAN>"
	    "GB%02dBENCH%s0000000</IBAN></Id><Ccy>%s</Ccy></Acct>\n",
	    c->code, stmt_tag, c->stmt, 10 + ci, c->code, c->code);
	printf("<Bal><Tp><CdOrPrtry><Cd>OPBD</Cd></CdOrPrtry></Tp>"
	    "<Amt Ccy=\"%s\">%lld.%02lld</Amt><CdtDbtInd>CRDT</CdtDbtInd>"
	    "<Dt><Dt>%s</Dt></Dt></Bal>\n", c->code, open / 100,
	    open % 100, stmt_day);
	printf("<Bal><Tp><CdOrPrtry><Cd>CLBD</Cd></CdOrPrtry></Tp>"
	    "<Amt Ccy=\"%s\">%lld.%02lld</Amt><CdtDbtInd>CRDT</CdtDbtInd>"
	    "<Dt><Dt>%s</Dt></Dt></Bal>\n", c->code, c->bal / 100,
	    c->bal % 100, stmt_day);
	for (long k = 0; k < c->n; k++) {
		const struct rcpt *r = &c->r[k];

		entry_no++;
		printf("<Ntry><Amt Ccy=\"%s\">%lld.%02lld</Amt><CdtDbtInd>CRDT"
		    "</CdtDbtInd><Sts>BOOK</Sts><BookgDt><Dt>%s</Dt>"
		    "</BookgDt><ValDt><Dt>%s</Dt></ValDt><AcctSvcrRef>"
		    "L%s%09ld</AcctSvcrRef><NtryDtls><TxDtls><Refs><EndToEndId>"
		    "LE2E%s%09ld</EndToEndId></Refs><RltdPties><Dbtr><Nm>",
		    c->code, r->amount / 100, r->amount % 100, stmt_day,
		    stmt_day, stmt_tag, entry_no, stmt_tag, entry_no);
		xml_put(r->payer);
		printf("</Nm></Dbtr>");
		if (r->acct[0] != '\0') {
			printf("<DbtrAcct><Id><Othr><Id>");
			xml_put(r->acct);	/* a debtor code may hold '&' */
			printf("</Id></Othr></Id></DbtrAcct>");
		}
		printf("</RltdPties>");
		if (r->ref[0] != '\0') {
			printf("<RmtInf><Ustrd>");
			xml_put(r->ref);
			printf("</Ustrd></RmtInf>");
		}
		printf("</TxDtls></NtryDtls></Ntry>\n");
	}
	printf("</Stmt>\n");
	c->n = 0;
}

/* cents: "123.45" or "-5.1" in minor units. */
static long long
cents(const char *s, size_t n)
{
	long long v = 0;
	int neg = 0, frac = -1;

	for (size_t i = 0; i < n; i++) {
		if (s[i] == '-')
			neg = 1;
		else if (s[i] == '.')
			frac = 0;
		else if (s[i] >= '0' && s[i] <= '9') {
			if (frac >= 2)
				continue;
			v = v * 10 + (s[i] - '0');
			if (frac >= 0)
				frac++;
		}
	}
	for (; frac < 2; frac = frac < 0 ? 1 : frac + 1)
		v *= 10;
	return neg ? -v : v;
}

static void
ledger(const char *path, long n, long long *sum)
{
	FILE *fp = fopen(path, "r");
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;
	struct ccybuf cb[8];
	int nc = 0;
	long done = 0, lineno = 0;

	if (fp == NULL) {
		perror(path);
		exit(3);
	}
	memset(cb, 0, sizeof cb);
	printf("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	    "<Document xmlns=\"urn:iso:std:iso:20022:tech:xsd:"
	    "camt.053.001.02\">\n<BkToCstmrStmt>\n<GrpHdr><MsgId>LEDGER-%s"
	    "</MsgId><CreDtTm>%sT18:00:00</CreDtTm></GrpHdr>\n", stmt_tag,
	    stmt_day);
	while (done < n) {
		char *f[8], *name, *p;
		size_t flen[8];
		int ci, k;
		long long amt, paid, open;
		struct rcpt *r;

		if ((len = getline(&line, &cap, fp)) < 0) {
			if (lineno <= 1) {
				fprintf(stderr, "gen-payments: %s: no items\n",
				    path);
				exit(3);
			}
			rewind(fp);
			lineno = 0;
			continue;
		}
		if (lineno++ == 0)
			continue;	/* the header */
		while (len > 0 && (line[len - 1] == '\n' ||
		    line[len - 1] == '\r'))
			line[--len] = '\0';
		/* Only debtor_name (third) may hold commas: two fields from
		 * the front, five from the back. */
		f[0] = line;
		p = strchr(line, ',');
		if (p == NULL)
			continue;
		*p = '\0';
		f[1] = p + 1;
		p = strchr(f[1], ',');
		if (p == NULL)
			continue;
		*p = '\0';
		name = p + 1;
		for (k = 7; k >= 3; k--) {
			p = strrchr(name, ',');
			if (p == NULL)
				break;
			*p = '\0';
			f[k] = p + 1;
			flen[k] = strlen(f[k]);
		}
		if (k >= 3)
			continue;
		f[2] = name;
		/* The name without its CSV quotes. */
		if (name[0] == '"') {
			char *w = name;

			for (char *q = name + 1; *q; q++) {
				if (*q == '"' && q[1] == '"')
					q++;
				else if (*q == '"')
					continue;
				*w++ = *q;
			}
			*w = '\0';
		}
		amt = cents(f[6], flen[6]);
		paid = cents(f[7], flen[7]);
		open = amt - paid;
		if (amt <= 0)
			continue;	/* credit notes are not paid */
		for (ci = 0; ci < nc && strcmp(cb[ci].code, f[5]) != 0; ci++)
			;
		if (ci == nc) {
			if (nc == 8 || strlen(f[5]) != 3)
				continue;
			memcpy(cb[nc].code, f[5], 4);
			cb[nc].r = malloc(sizeof *cb[nc].r * PER_STATEMENT);
			if (cb[nc].r == NULL)
				exit(3);
			nc++;
		}
		r = &cb[ci].r[cb[ci].n];
		memset(r, 0, sizeof *r);
		snprintf(r->payer, sizeof r->payer, "%s", f[2]);
		switch (done % 10) {
		case 0: case 1: case 2: case 3: case 4:
			snprintf(r->ref, sizeof r->ref, "%s", f[0]);
			r->amount = open > 0 ? open : amt;
			break;
		case 5:
			/* INV-0000123 -> inv0000123 */
			for (size_t i = 0, w = 0; f[0][i] && w < 60; i++)
				if (f[0][i] != '-')
					r->ref[w++] = (char)(f[0][i] >= 'A' &&
					    f[0][i] <= 'Z' ? f[0][i] + 32 :
					    f[0][i]);
			r->amount = (open > 0 ? open : amt) - 300;
			if (r->amount <= 0)
				r->amount = open > 0 ? open : amt;
			break;
		case 6:
			snprintf(r->ref, sizeof r->ref, "%s", f[0]);
			r->amount = (open > 0 ? open : amt) / 2;
			if (r->amount <= 0)
				r->amount = 1;
			break;
		case 7:
			snprintf(r->acct, sizeof r->acct, "ACC-%s", f[1]);
			r->amount = open > 0 ? open : amt;
			break;
		case 8:
			snprintf(r->acct, sizeof r->acct, "ACC-%s", f[1]);
			snprintf(r->ref, sizeof r->ref, "account %s", f[1]);
			r->amount = 10000;
			break;
		default:
			snprintf(r->payer, sizeof r->payer, "Nobody %ld",
			    (long)(next() % 100000));
			snprintf(r->ref, sizeof r->ref, "thank you");
			r->amount = amount();
			break;
		}
		*sum += r->amount;
		done++;
		if (++cb[ci].n == PER_STATEMENT)
			flush_ccy(&cb[ci], ci);
	}
	for (int i = 0; i < nc; i++) {
		flush_ccy(&cb[i], i);
		free(cb[i].r);
	}
	printf("</BkToCstmrStmt>\n</Document>\n");
	free(line);
	fclose(fp);
}

int
main(int argc, char **argv)
{
	const char *fmt = "mt940", *totals = NULL, *ledger_csv = NULL;
	long n;
	long long sum = 0;
	char *end;
	int i;

	rng = 20250630;
	for (i = 1; i < argc - 1; i++) {
		if (strcmp(argv[i], "-f") == 0 && i + 1 < argc - 1)
			fmt = argv[++i];
		else if (strcmp(argv[i], "-s") == 0 && i + 1 < argc - 1)
			rng = strtoull(argv[++i], NULL, 10);
		else if (strcmp(argv[i], "-t") == 0 && i + 1 < argc - 1)
			totals = argv[++i];
		else if (strcmp(argv[i], "-l") == 0 && i + 1 < argc - 1)
			ledger_csv = argv[++i];
		else if (strcmp(argv[i], "-d") == 0 && i + 1 < argc - 1)
			stmt_day = argv[++i];
		else
			break;
	}
	if (i != argc - 1) {
		fprintf(stderr, "usage: gen-payments [-f mt940|camt] [-s seed] "
		    "[-t totals] count\n"
		    "       gen-payments -l ledger.csv [-d day] [-s seed] "
		    "[-t totals] count\n");
		return 2;
	}
	{
		size_t k, t = 0;

		for (k = 0; stmt_day[k] != '\0' && t + 1 < sizeof stmt_tag;
		    k++)
			if (stmt_day[k] != '-')
				stmt_tag[t++] = stmt_day[k];
		stmt_tag[t] = '\0';
	}
	n = strtol(argv[i], &end, 10);
	if (*end != '\0' || n < 1) {
		fprintf(stderr, "gen-payments: \"%s\": not a count\n", argv[i]);
		return 2;
	}
	if (ledger_csv != NULL)
		ledger(ledger_csv, n, &sum);
	else if (strcmp(fmt, "mt940") == 0)
		mt940(n, &sum);
	else if (strcmp(fmt, "camt") == 0)
		camt(n, &sum);
	else {
		fprintf(stderr, "gen-payments: -f: mt940 or camt\n");
		return 2;
	}
	if (totals != NULL) {
		FILE *fp = fopen(totals, "w");

		if (fp == NULL || fprintf(fp, "%ld\t%lld\n", n, sum) < 0 ||
		    fclose(fp) != 0) {
			perror(totals);
			return 3;
		}
	}
	if (fflush(stdout) != 0 || ferror(stdout)) {
		perror("gen-payments: stdout");
		return 3;
	}
	return 0;
}

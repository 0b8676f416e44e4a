/*
 * gen-payments: a bank statement of N receipts for the bench, as SWIFT
 * MT940 or ISO 20022 camt.053.001.02, on standard output.  The receipts
 * are spread over statements of 10,000 entries whose balances add up,
 * each with a bank reference, an end-to-end id, a payer and an invoice
 * number, as a bank would send a busy client's day.  Deterministic for a
 * seed.
 *
 *   gen-payments [-f mt940|camt] [-s seed] [-t totals] count
 *
 * -t writes "count<TAB>sum of the amounts in minor units" to a file, for
 * checking what the tool recorded.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PER_STATEMENT 10000

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

int
main(int argc, char **argv)
{
	const char *fmt = "mt940", *totals = NULL;
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
		else
			break;
	}
	if (i != argc - 1) {
		fprintf(stderr, "usage: gen-payments [-f mt940|camt] [-s seed] "
		    "[-t totals] count\n");
		return 2;
	}
	n = strtol(argv[i], &end, 10);
	if (*end != '\0' || n < 1) {
		fprintf(stderr, "gen-payments: \"%s\": not a count\n", argv[i]);
		return 2;
	}
	if (strcmp(fmt, "mt940") == 0)
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

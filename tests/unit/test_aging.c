/*
 * Unit tests of lib/aging: bucket bounds, names and boundaries; the state
 * scan on DOMAIN.md section 2's example and its replay of a past day;
 * item streams, their bad rows and pass-through; exchange rates, exact
 * and rounded half away from zero; sums that would overflow.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "aging.h"
#include "date.h"
#include "state.h"
#include "t.h"

static char dbpath[64];

static int32_t
day(const char *iso)
{
	int32_t d = 0;

	if (date_parse_iso(iso, &d) != 0)
		printf("# bad date in a test: %s\n", iso);
	return d;
}

static struct aging_opts
opts(const char *as_of, enum aging_by by, enum aging_basis basis)
{
	struct aging_opts o;

	memset(&o, 0, sizeof o);
	o.as_of = day(as_of);
	o.by = by;
	o.basis = basis;
	aging_bounds_default(&o.bounds);
	return o;
}

/* A fresh state file holding sql (after batch 1). */
static int
fresh_state(struct state *st, const char *sql)
{
	struct diag d;
	int fd;

	snprintf(dbpath, sizeof dbpath, "/tmp/ck-aging-XXXXXX");
	fd = mkstemp(dbpath);
	close(fd);
	unlink(dbpath);
	if (state_open(st, dbpath, STATE_WRITE, "test", &d) != 0) {
		printf("# state_open: %s\n", d.msg);
		return -1;
	}
	if (state_exec(st, "INSERT INTO batch (id, kind, tool, file_name, "
	    "as_of, started_at) VALUES (1, 'invoices', 't', 'f', 0, 'x')",
	    &d) != 0 || (sql != NULL && state_exec(st, sql, &d) != 0)) {
		printf("# fixture: %s\n", d.msg);
		return -1;
	}
	return 0;
}

static void
drop_state(struct state *st)
{
	char p[80];

	state_close(st);
	unlink(dbpath);
	snprintf(p, sizeof p, "%s-wal", dbpath);
	unlink(p);
	snprintf(p, sizeof p, "%s-shm", dbpath);
	unlink(p);
}

/* The fixture the e2e cases use too: DOMAIN.md section 2 plus history. */
static char *
read_fixture(void)
{
	FILE *fp = fopen("tests/data/aging/domain-2.sql", "r");
	char *buf = NULL;
	size_t cap = 0;
	ssize_t n;

	if (fp == NULL)
		return NULL;
	n = getdelim(&buf, &cap, '\0', fp);
	fclose(fp);
	if (n < 0) {
		free(buf);
		return NULL;
	}
	return buf;
}

/* The report of a as a string (caller frees), or NULL on failure. */
static char *
report(struct aging *a)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&buf, &len);
	struct diag d;
	int rc;

	if (fp == NULL)
		return NULL;
	rc = aging_write(a, fp, &d);
	fclose(fp);
	if (rc != 0) {
		printf("# aging_write: %s\n", d.msg);
		free(buf);
		return NULL;
	}
	return buf;
}

/* The state's report as of as_of. */
static char *
state_report(struct state *st, struct aging_opts o, const char *rates)
{
	struct aging *a = aging_new(&o);
	struct diag d;
	char *out = NULL;

	if (rates != NULL) {
		FILE *fp = fmemopen((void *)(uintptr_t)rates, strlen(rates),
		    "r");

		if (aging_load_rates(a, fp, "rates", "GBP", &d) != 0)
			printf("# rates: %s\n", d.msg);
		fclose(fp);
	}
	if (aging_scan_state(a, st, &d) != 0)
		printf("# scan: %s\n", d.msg);
	else
		out = report(a);
	aging_free(a);
	return out;
}

/* ---- buckets ---- */

static void
test_bounds_parse(void)
{
	static const struct {
		const char *in;
		int ok;
		size_t n;
		int32_t first, last;
	} t[] = {
		{ "30,60,90,120", 1, 4, 30, 120 },
		{ "0,30,60", 1, 2, 30, 60 },
		{ "30", 1, 1, 30, 30 },
		{ "0", 1, 0, 0, 0 },
		{ "1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16", 1, 16, 1, 16 },
		{ "36500", 1, 1, 36500, 36500 },
		{ "", 0, 0, 0, 0 },
		{ ",30", 0, 0, 0, 0 },
		{ "30,", 0, 0, 0, 0 },
		{ "30,,60", 0, 0, 0, 0 },
		{ "60,30", 0, 0, 0, 0 },
		{ "30,30", 0, 0, 0, 0 },
		{ "0,0", 0, 0, 0, 0 },
		{ "36501", 0, 0, 0, 0 },
		{ "-5", 0, 0, 0, 0 },
		{ "30 ", 0, 0, 0, 0 },
		{ "x", 0, 0, 0, 0 },
		{ "1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17", 0, 0, 0, 0 },
		{ "99999999999999999999999", 0, 0, 0, 0 },
	};

	for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
		struct aging_bounds b = { 99, { 0 } };
		struct diag d;
		int rc = aging_bounds_parse(t[i].in, &b, &d);

		if ((rc == 0) != t[i].ok)
			printf("#   \"%s\": rc %d\n", t[i].in, rc);
		CHECK_INT(rc == 0, t[i].ok);
		if (!t[i].ok) {
			CHECK_INT(b.n, 99);	/* untouched */
			continue;
		}
		CHECK_INT(b.n, t[i].n);
		if (b.n > 0) {
			CHECK_INT(b.v[0], t[i].first);
			CHECK_INT(b.v[b.n - 1], t[i].last);
		}
	}
}

static void
names(const struct aging_opts *o, char *out, size_t cap)
{
	char buf[AGING_NAMESZ];

	out[0] = '\0';
	for (size_t i = 0; i < aging_nbuckets(o); i++) {
		size_t n = strlen(out);

		snprintf(out + n, cap - n, "%s%s", i ? " " : "",
		    aging_bucket_name(o, i, buf));
	}
}

static void
test_bucket_names(void)
{
	struct aging_opts o = opts("2024-02-29", AGING_BY_DEBTOR, AGING_DUE);
	struct diag d;
	char s[256];

	names(&o, s, sizeof s);
	CHECK_STR(s, "not_due d1_30 d31_60 d61_90 d91_120 d121_plus");
	o.basis = AGING_INVOICE;
	names(&o, s, sizeof s);
	CHECK_STR(s, "d0_30 d31_60 d61_90 d91_120 d121_plus");
	CHECK_INT(aging_bounds_parse("30,60", &o.bounds, &d), 0);
	names(&o, s, sizeof s);
	CHECK_STR(s, "d0_30 d31_60 d61_plus");
	o.basis = AGING_DUE;
	names(&o, s, sizeof s);
	CHECK_STR(s, "not_due d1_30 d31_60 d61_plus");
	CHECK_INT(aging_bounds_parse("0", &o.bounds, &d), 0);
	names(&o, s, sizeof s);
	CHECK_STR(s, "not_due d1_plus");
	o.basis = AGING_INVOICE;
	names(&o, s, sizeof s);
	CHECK_STR(s, "d0_plus");
	CHECK_INT(aging_bounds_parse("36499,36500", &o.bounds, &d), 0);
	names(&o, s, sizeof s);
	CHECK_STR(s, "d0_36499 d36500_36500 d36501_plus");
}

static void
test_bucket_index(void)
{
	struct aging_opts o = opts("2024-02-29", AGING_BY_DEBTOR, AGING_DUE);
	static const int32_t due_days[][2] = {
		{ -21, 0 }, { -1, 0 }, { 0, 0 }, { 1, 1 }, { 15, 1 },
		{ 30, 1 }, { 31, 2 }, { 60, 2 }, { 61, 3 }, { 71, 3 },
		{ 90, 3 }, { 91, 4 }, { 107, 4 }, { 120, 4 }, { 121, 5 },
		{ 182, 5 }, { 3000000, 5 },
	};
	static const int32_t inv_days[][2] = {
		{ 0, 0 }, { 9, 0 }, { 30, 0 }, { 31, 1 }, { 45, 1 },
		{ 90, 2 }, { 101, 3 }, { 120, 3 }, { 121, 4 }, { 137, 4 },
		{ 212, 4 },
	};

	for (size_t i = 0; i < sizeof due_days / sizeof due_days[0]; i++)
		CHECK_INT(aging_bucket_index(&o, due_days[i][0]),
		    due_days[i][1]);
	o.basis = AGING_INVOICE;
	for (size_t i = 0; i < sizeof inv_days / sizeof inv_days[0]; i++)
		CHECK_INT(aging_bucket_index(&o, inv_days[i][0]),
		    inv_days[i][1]);
}

/* ---- the state ---- */

static const char domain_by_debtor[] =
"debtor_id\tdebtor_name\tcurrency\tnot_due\td1_30\td31_60\td61_90"
"\td91_120\td121_plus\tcredits\tunapplied\ttotal_open\tin_query"
"\toldest_due_date\tmax_days_past_due\topen_items\n"
"C001\tBrown & Co\tGBP\t0.00\t0.00\t1500.00\t600.00\t1200.00\t0.00"
"\t-500.00\t-800.00\t2000.00\t600.00\t2023-11-14\t107\t5\n"
"C002\tSmith Ltd\tEUR\t0.00\t0.00\t0.00\t0.00\t0.00\t2000.00\t0.00"
"\t0.00\t2000.00\t0.00\t2023-08-31\t182\t1\n"
"C002\tSmith Ltd\tGBP\t4000.00\t3000.00\t0.00\t0.00\t0.00\t0.00\t0.00"
"\t0.00\t7000.00\t0.00\t2024-02-14\t15\t2\n";

static void
test_domain_example(void)
{
	struct state st;
	char *sql = read_fixture(), *out;

	CHECK(sql != NULL);
	if (sql == NULL || fresh_state(&st, sql) != 0) {
		CHECK(0);
		free(sql);
		return;
	}
	out = state_report(&st, opts("2024-02-29", AGING_BY_DEBTOR,
	    AGING_DUE), NULL);
	CHECK_STR(out, domain_by_debtor);
	free(out);

	/* Converted: INV-105's EUR 2000.00 is GBP 1710.00. */
	out = state_report(&st, opts("2024-02-29", AGING_BY_DEBTOR,
	    AGING_DUE), "currency\trate\nEUR\t0.8550\n");
	CHECK(out != NULL && strstr(out, "\t182\t1\tGBP\t0.8550\t1710.00"
	    "\t0.00\n") != NULL);
	free(out);

	/* Invoice basis: INV-101 (137 days) and INV-105 (212) in 121+,
	 * INV-100 (101) in 91-120. */
	out = state_report(&st, opts("2024-02-29", AGING_BY_ITEM,
	    AGING_INVOICE), NULL);
	CHECK(out != NULL && strstr(out, "INV-101\tinvoice\t2023-10-15"
	    "\t2023-11-14\tGBP\t1200.00\t1200.00\t107\td121_plus\t0\n")
	    != NULL);
	CHECK(out != NULL && strstr(out, "\tINV-100\t") != NULL &&
	    strstr(strstr(out, "\tINV-100\t"), "\td91_120\t1\n") != NULL);
	CHECK(out != NULL && strstr(out, "INV-105") != NULL &&
	    strstr(strstr(out, "INV-105"), "\t182\td121_plus\t0\n") != NULL);
	CHECK(out != NULL && strstr(out, "INV-106") == NULL);
	free(out);
	drop_state(&st);
	free(sql);
}

static void
test_replay(void)
{
	struct state st;
	char *sql = read_fixture(), *out;

	if (sql == NULL || fresh_state(&st, sql) != 0) {
		CHECK(0);
		free(sql);
		return;
	}
	/* On 01-15: INV-102 open whole, INV-099 open and its receipt
	 * unapplied, INV-101 in query Q-1. */
	out = state_report(&st, opts("2024-01-15", AGING_BY_DEBTOR,
	    AGING_DUE), NULL);
	CHECK(out != NULL && strstr(out, "C001\tBrown & Co\tGBP\t0.00"
	    "\t3400.00\t0.00\t1200.00\t0.00\t0.00\t0.00\t-300.00\t4300.00"
	    "\t1800.00\t2023-11-14\t62\t5\n") != NULL);
	free(out);
	/* On 02-21 the receipt of 02-20 is unapplied; the day after it was
	 * reversed it is not. */
	out = state_report(&st, opts("2024-02-21", AGING_BY_ITEM, AGING_DUE),
	    NULL);
	CHECK(out != NULL && strstr(out, "BANK-0220\treceipt") != NULL);
	free(out);
	out = state_report(&st, opts("2024-02-22", AGING_BY_ITEM, AGING_DUE),
	    NULL);
	CHECK(out != NULL && strstr(out, "BANK-0220") == NULL);
	free(out);
	/* Before anything was issued: the header alone. */
	out = state_report(&st, opts("2020-01-01", AGING_BY_DEBTOR,
	    AGING_DUE), NULL);
	CHECK(out != NULL && strchr(out, '\n') == out + strlen(out) - 1);
	free(out);
	drop_state(&st);
	free(sql);
}

/* Debtor ids far apart (the sparse lookup), refs sorted bytewise, equal
 * due dates by doc_id, an overpaid invoice among the credits. */
static void
test_sparse_ids_and_order(void)
{
	struct state st;
	char *out;
	const char *sql =
	    "INSERT INTO debtor (id, ref, name) VALUES (5, 'D9', 'Nine'),"
	    " (1000000000000, 'D10', 'Ten');"
	    "INSERT INTO item (debtor_id, issue_date, due_date, amount,"
	    " open_amount, currency, doc_type, doc_id, row_hash, batch_id)"
	    " VALUES (5, 19700, 19710, 100, 100, 'GBP', 'invoice', 'B', 'h',"
	    " 1), (5, 19700, 19710, 100, 100, 'GBP', 'invoice', 'A', 'h', 1),"
	    " (1000000000000, 19700, 19705, 500, -20, 'GBP', 'invoice', 'C',"
	    " 'h', 1), (5, 19700, 19709, 100, 0, 'GBP', 'invoice', 'Z', 'h',"
	    " 1);";

	if (fresh_state(&st, sql) != 0) {
		CHECK(0);
		return;
	}
	out = state_report(&st, opts("2024-01-31", AGING_BY_ITEM, AGING_DUE),
	    NULL);
	CHECK_STR(out,
	    "debtor_id\tdebtor_name\tdoc_id\tdoc_type\tissue_date\tdue_date"
	    "\tcurrency\tamount\topen_amount\tdays_past_due\tbucket\tin_query\n"
	    "D10\tTen\tC\tinvoice\t2023-12-09\t2023-12-14\tGBP\t5.00\t-0.20"
	    "\t\tcredits\t0\n"
	    "D9\tNine\tA\tinvoice\t2023-12-09\t2023-12-19\tGBP\t1.00\t1.00"
	    "\t43\td31_60\t0\n"
	    "D9\tNine\tB\tinvoice\t2023-12-09\t2023-12-19\tGBP\t1.00\t1.00"
	    "\t43\td31_60\t0\n");
	free(out);
	out = state_report(&st, opts("2024-01-31", AGING_BY_DEBTOR,
	    AGING_DUE), NULL);
	CHECK(out != NULL && strstr(out, "D10\tTen\tGBP\t0.00\t0.00\t0.00"
	    "\t0.00\t0.00\t0.00\t-0.20\t0.00\t-0.20\t0.00\t\t\t1\n") != NULL);
	free(out);
	drop_state(&st);
}

/* ---- streams ---- */

/* Ages text as a stream; returns the report and the bad rows' messages
 * ("line: message" lines) in *errs (both freed by the caller). */
static char *
stream_report(struct aging_opts o, const char *text, const char *rates,
    char **errs, int *nbad)
{
	struct aging *a = aging_new(&o);
	FILE *fp = fmemopen((void *)(uintptr_t)text, strlen(text), "r");
	size_t elen = 0;
	FILE *ef = open_memstream(errs, &elen);
	struct aging_stream *s;
	struct diag d;
	char *out = NULL;
	int rc;

	*nbad = 0;
	if (rates != NULL) {
		FILE *rf = fmemopen((void *)(uintptr_t)rates, strlen(rates),
		    "r");

		if (aging_load_rates(a, rf, "rates", "GBP", &d) != 0)
			fprintf(ef, "rates:%ld: %s\n", d.line, d.msg);
		fclose(rf);
	}
	if ((s = aging_stream_open(a, fp, "t", &d)) == NULL) {
		fprintf(ef, "open: %s\n", d.msg);
		(*nbad)++;
	} else {
		while ((rc = aging_stream_next(s, &d)) != 0)
			if (rc < 0) {
				fprintf(ef, "%ld: %s\n", d.line, d.msg);
				(*nbad)++;
			}
		aging_stream_close(s);
		out = report(a);
	}
	fclose(fp);
	fclose(ef);
	aging_free(a);
	return out;
}

#define HDR "debtor_id\tdebtor_name\tdoc_id\tdoc_type\tissue_date\t" \
	"due_date\tcurrency\tamount\topen_amount\tsettled_date\tin_query"

static void
test_stream_rows(void)
{
	const char *in = HDR "\tnote\n"
	    "D1\tAcme\tA-1\tinvoice\t2024-01-01\t2024-01-31\tGBP\t100.00"
	    "\t60.00\t\t0\tx\\ty\n"
	    "D1\tAcme\tA-2\tinvoice\t2024-01-01\t2024-01-31\tGBP\t100.00"
	    "\t100.00\t2024-02-29\t0\t\n"	/* settled on the day */
	    "D1\tAcme\tA-3\tinvoice\t2024-03-01\t2024-03-31\tGBP\t100.00"
	    "\t100.00\t\t0\t\n"		/* issued after */
	    "D1\tAcme\tA-4\tinvoice\t2024-01-01\t2024-01-31\tGBP\t100.00"
	    "\t100.00\t2024-03-01\tyes\t\n"	/* settled after: open */
	    "D1\tAcme\tCN-1\t\t2024-02-01\t2024-02-01\tGBP\t-5.00\t-5.00"
	    "\t\tfalse\t\n";
	char *errs = NULL, *out;
	int nbad;

	out = stream_report(opts("2024-02-29", AGING_BY_ITEM, AGING_DUE), in,
	    NULL, &errs, &nbad);
	CHECK_INT(nbad, 0);
	CHECK_STR(errs, "");
	CHECK_STR(out,
	    "debtor_id\tdebtor_name\tdoc_id\tdoc_type\tissue_date\tdue_date"
	    "\tcurrency\tamount\topen_amount\tdays_past_due\tbucket\tin_query"
	    "\tnote\n"
	    "D1\tAcme\tA-1\tinvoice\t2024-01-01\t2024-01-31\tGBP\t100.00"
	    "\t60.00\t29\td1_30\t0\tx\\ty\n"
	    "D1\tAcme\tA-4\tinvoice\t2024-01-01\t2024-01-31\tGBP\t100.00"
	    "\t100.00\t29\td1_30\t1\t\n"
	    "D1\tAcme\tCN-1\tcredit_note\t2024-02-01\t2024-02-01\tGBP\t-5.00"
	    "\t-5.00\t\tcredits\t0\t\n");
	free(out);
	free(errs);
}

static void
test_stream_errors(void)
{
	const char *in = HDR "\n"
	    "D1\tAcme\tA-1\tinvoice\t2024-01-01\t2024-01-31\tGBP\t1\t1\t\t0\n"
	    "D1\tAcme\tA-2\tbill\t2024-01-01\t2024-01-31\tGBP\t1\t1\t\t0\n"
	    "D1\tAcme\tA-3\tinvoice\t2024-01-01\t2024-02-30\tGBP\t1\t1\t\t0\n"
	    "D1\tAcme\tA-4\tinvoice\t2024-01-01\t2024-01-31\tXX\t1\t1\t\t0\n"
	    "D1\tAcme\tA-5\tinvoice\t2024-01-01\t2024-01-31\tGBP\t1\t1.001"
	    "\t\t0\n"
	    "D1\tAcme\tA-6\tinvoice\t2024-01-01\t2024-01-31\tGBP\t\t\t\t0\n"
	    "D1\tAcme\tA-7\tinvoice\t2024-01-01\t2024-01-31\tGBP\t1\t1"
	    "\t31/01/2024\t0\n"
	    "D1\tAcme\tA-8\tinvoice\t2024-01-01\t2024-01-31\tGBP\t1\t1\t\t2\n"
	    "\tAcme\tA-9\tinvoice\t2024-01-01\t2024-01-31\tGBP\t1\t1\t\t0\n"
	    "D1\tAcme\tA-10\tinvoice\n"
	    "D1\tAcme\tA-11\tinvoice\t2024-01-01\t2024-01-31\tJPY\t5\t5\t\t0\n";
	char *errs = NULL, *out;
	int nbad;

	out = stream_report(opts("2024-02-29", AGING_BY_DEBTOR, AGING_DUE),
	    in, NULL, &errs, &nbad);
	CHECK_INT(nbad, 9);
	CHECK_STR(errs,
	    "3: field \"doc_type\": \"bill\" is not invoice, debit_note, "
	    "credit_note or payment\n"
	    "4: field \"due_date\": \"2024-02-30\" is not a date (use "
	    "YYYY-MM-DD)\n"
	    "5: field \"currency\": \"XX\" is not a currency code (use ISO "
	    "4217, like GBP)\n"
	    "6: field \"open_amount\": too many decimals for 2 minor digits: "
	    "\"1.001\"\n"
	    "7: field \"open_amount\": empty (an amount is needed)\n"
	    "8: field \"settled_date\": \"31/01/2024\" is not a date (use "
	    "YYYY-MM-DD)\n"
	    "9: field \"in_query\": \"2\" is not a flag (use 1 or 0)\n"
	    "10: field \"debtor_id\": empty\n"
	    "11: row has 4 fields, header has 11\n");
	/* The good rows are aged: GBP 1.00 and JPY 5 in their own rows. */
	CHECK(out != NULL && strstr(out, "D1\tAcme\tGBP\t0.00\t1.00\t") !=
	    NULL);
	CHECK(out != NULL && strstr(out, "D1\tAcme\tJPY\t0\t5\t0\t") != NULL);
	free(out);
	free(errs);

	/* A header without what aging needs. */
	out = stream_report(opts("2024-02-29", AGING_BY_DEBTOR, AGING_DUE),
	    "debtor_id\tcurrency\tamount\nD1\tGBP\t1\n", NULL, &errs, &nbad);
	CHECK(out == NULL);
	CHECK_STR(errs, "open: no column \"due_date\"\n");
	free(errs);
	out = stream_report(opts("2024-02-29", AGING_BY_DEBTOR,
	    AGING_INVOICE), "debtor_id\tdue_date\tcurrency\tamount\n",
	    NULL, &errs, &nbad);
	CHECK_STR(errs, "open: no column \"issue_date\" (needed by --basis "
	    "invoice)\n");
	free(errs);
	out = stream_report(opts("2024-02-29", AGING_BY_DEBTOR, AGING_DUE),
	    "debtor_id\tdue_date\tcurrency\n", NULL, &errs, &nbad);
	CHECK_STR(errs, "open: no column \"open_amount\" or \"amount\"\n");
	free(errs);
}

/* Sums past INT64_MAX are refused, and the refused row leaves the sums
 * as they were. */
static void
test_overflow(void)
{
	const char *in = "debtor_id\tdue_date\tcurrency\topen_amount\n"
	    "D1\t2024-01-31\tGBP\t46116860184273879.04\n"
	    "D1\t2024-01-31\tGBP\t46116860184273879.04\n"
	    "D1\t2024-01-31\tGBP\t-5.00\n";
	char *errs = NULL, *out;
	int nbad;

	out = stream_report(opts("2024-02-29", AGING_BY_DEBTOR, AGING_DUE),
	    in, NULL, &errs, &nbad);
	CHECK_INT(nbad, 1);
	CHECK_STR(errs, "3: debtor \"D1\": GBP amounts too large to sum\n");
	CHECK(out != NULL && strstr(out, "\t46116860184273879.04\t0.00\t0.00"
	    "\t0.00\t0.00\t-5.00\t0.00\t46116860184273874.04\t0.00"
	    "\t2024-01-31\t29\t2\n") != NULL);
	free(out);
	free(errs);
}

/* ---- rates ---- */

static void
test_rates(void)
{
	const char *in = "debtor_id\tdoc_id\tdue_date\tcurrency\topen_amount\n"
	    "D1\tE1\t2024-01-31\tEUR\t0.01\n"
	    "D1\tE2\t2024-01-31\tEUR\t-0.01\n"
	    "D1\tE3\t2024-01-31\tEUR\t0.03\n"
	    "D1\tJ1\t2024-01-31\tJPY\t1\n"
	    "D1\tJ2\t2024-01-31\tJPY\t150000\n"
	    "D1\tK1\t2024-01-31\tKWD\t1.235\n"
	    "D1\tU1\t2024-01-31\tUSD\t10.00\n"
	    "D1\tS1\t2024-01-31\tSEK\t10.00\n";
	const char *rates = "currency\trate\tdate\n"
	    "EUR\t00.50\t2024-02-01\n"
	    "EUR\t0.9\t2024-03-01\n"		/* after the day */
	    "EUR\t0.1\t2024-01-01\n"		/* older */
	    "JPY\t0.0053\t2024-02-29\n"
	    "KWD\t2.5\t2024-02-29\n"
	    "SEK\t0.1\t2024-03-01\n";		/* only after: missing */
	char *errs = NULL, *out, *p;
	int nbad;

	out = stream_report(opts("2024-02-29", AGING_BY_ITEM, AGING_DUE), in,
	    rates, &errs, &nbad);
	CHECK_STR(errs, "");
	/* Half away from zero: 0.005 -> 0.01, -0.005 -> -0.01. */
	CHECK(out != NULL && strstr(out, "\tE1\t") != NULL &&
	    strstr(strstr(out, "\tE1\t"), "\tGBP\t0.50\t0.01\n") != NULL);
	CHECK(out != NULL && strstr(out, "\tE2\t") != NULL &&
	    strstr(strstr(out, "\tE2\t"), "\tGBP\t0.50\t-0.01\n") != NULL);
	CHECK(out != NULL && strstr(out, "\tE3\t") != NULL &&
	    strstr(strstr(out, "\tE3\t"), "\tGBP\t0.50\t0.02\n") != NULL);
	/* JPY has no minor digits, KWD three. */
	CHECK(out != NULL && strstr(out, "\tJ1\t") != NULL &&
	    strstr(strstr(out, "\tJ1\t"), "\tGBP\t0.0053\t0.01\n") != NULL);
	CHECK(out != NULL && strstr(out, "\tJ2\t") != NULL &&
	    strstr(strstr(out, "\tJ2\t"), "\tGBP\t0.0053\t795.00\n") != NULL);
	CHECK(out != NULL && strstr(out, "\tK1\t") != NULL &&
	    strstr(strstr(out, "\tK1\t"), "\tGBP\t2.5\t3.09\n") != NULL);
	/* No rate: the report columns are empty. */
	CHECK(out != NULL && (p = strstr(out, "\tU1\t")) != NULL &&
	    strstr(p, "\tGBP\t\t\n") != NULL);
	CHECK(out != NULL && (p = strstr(out, "\tS1\t")) != NULL &&
	    strstr(p, "\tGBP\t\t\n") != NULL);
	free(out);
	free(errs);
}

static void
test_rates_errors(void)
{
	static const struct {
		const char *rates;
		long line;
		const char *msg;
	} t[] = {
		{ "currency\trate\nEUR\t0,85\n", 2, "field \"rate\": \"0,85\" "
		    "is not a positive decimal (like 0.8550)" },
		{ "currency\trate\nEUR\t0\n", 2, "field \"rate\": \"0\" is not "
		    "a positive decimal (like 0.8550)" },
		{ "currency\trate\nEUR\t-1\n", 2, "field \"rate\": \"-1\" is "
		    "not a positive decimal (like 0.8550)" },
		{ "currency\trate\nEUR\t1e3\n", 2, "field \"rate\": \"1e3\" is "
		    "not a positive decimal (like 0.8550)" },
		{ "currency\trate\nEUR\t0.1234567890123\n", 2, "field \"rate\": "
		    "\"0.1234567890123\" is not a positive decimal (like "
		    "0.8550)" },
		{ "currency\trate\neur\t1\n", 2, "field \"currency\": \"eur\" "
		    "is not a currency code (use ISO 4217, like EUR)" },
		{ "currency\trate\nEUR\t1\nEUR\t2\n", 3, "a second rate for "
		    "EUR" },
		{ "currency\trate\tdate\nEUR\t1\t2024-01-01\n"
		    "EUR\t2\t2024-01-01\n", 3, "a second rate for EUR on "
		    "2024-01-01" },
		{ "currency\trate\tdate\nEUR\t1\t\n", 2, "field \"date\": \"\" "
		    "is not a date (use YYYY-MM-DD)" },
		{ "currency\trate\nGBP\t2\n", 2, "the rate of the report "
		    "currency GBP must be 1" },
		{ "currency\tfx\nEUR\t1\n", 0, "no column \"rate\" (rates need "
		    "the columns currency and rate, and may have date)" },
		{ "currency\trate\nJPY\t999999999999999999\n", 2, "field "
		    "\"rate\": \"999999999999999999\" is too large" },
	};

	for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
		struct aging_opts o = opts("2024-02-29", AGING_BY_DEBTOR,
		    AGING_DUE);
		struct aging *a = aging_new(&o);
		FILE *fp = fmemopen((void *)(uintptr_t)t[i].rates,
		    strlen(t[i].rates), "r");
		struct diag d;

		diag_clear(&d);
		CHECK_INT(aging_load_rates(a, fp, "r", "GBP", &d), -1);
		CHECK_INT(d.line, t[i].line);
		CHECK_STR(d.msg, t[i].msg);
		fclose(fp);
		aging_free(a);
	}
}

static void
test_missing_rates(void)
{
	struct aging_opts o = opts("2024-02-29", AGING_BY_DEBTOR, AGING_DUE);
	struct aging *a = aging_new(&o);
	const char *in = "debtor_id\tdue_date\tcurrency\tamount\n"
	    "D1\t2024-01-31\tUSD\t1\nD1\t2024-01-31\tEUR\t1\n"
	    "D2\t2024-01-31\tGBP\t1\nD2\t2024-01-31\tCHF\t1\n";
	const char *rates = "currency\trate\nCHF\t0.9\n";
	FILE *fp = fmemopen((void *)(uintptr_t)in, strlen(in), "r");
	FILE *rf = fmemopen((void *)(uintptr_t)rates, strlen(rates), "r");
	struct aging_stream *s;
	struct diag d;
	char *out;

	CHECK_INT(aging_load_rates(a, rf, "r", "GBP", &d), 0);
	s = aging_stream_open(a, fp, "t", &d);
	CHECK(s != NULL);
	while (s != NULL && aging_stream_next(s, &d) > 0)
		;
	aging_stream_close(s);
	CHECK(aging_missing_rate(a, 0) == NULL);	/* not yet written */
	out = report(a);
	CHECK_STR(aging_missing_rate(a, 0), "EUR");
	CHECK_STR(aging_missing_rate(a, 1), "USD");
	CHECK(aging_missing_rate(a, 2) == NULL);
	free(out);
	fclose(fp);
	fclose(rf);
	aging_free(a);
}

/* One report is either the state's or streams', never both. */
static void
test_no_mixing(void)
{
	struct state st;
	struct aging_opts o = opts("2024-02-29", AGING_BY_DEBTOR, AGING_DUE);
	struct aging *a;
	const char *in = "debtor_id\tdue_date\tcurrency\tamount\n";
	FILE *fp;
	struct diag d;

	if (fresh_state(&st, "INSERT INTO debtor (ref) VALUES ('D1')") != 0) {
		CHECK(0);
		return;
	}
	a = aging_new(&o);
	CHECK_INT(aging_scan_state(a, &st, &d), 0);
	fp = fmemopen((void *)(uintptr_t)in, strlen(in), "r");
	CHECK(aging_stream_open(a, fp, "t", &d) == NULL);
	CHECK_STR(d.msg, "one report ages the state once, or streams");
	CHECK_INT(aging_scan_state(a, &st, &d), -1);
	fclose(fp);
	aging_free(a);
	drop_state(&st);
}

int
main(void)
{
	T_RUN(test_bounds_parse);
	T_RUN(test_bucket_names);
	T_RUN(test_bucket_index);
	T_RUN(test_domain_example);
	T_RUN(test_replay);
	T_RUN(test_sparse_ids_and_order);
	T_RUN(test_stream_rows);
	T_RUN(test_stream_errors);
	T_RUN(test_overflow);
	T_RUN(test_rates);
	T_RUN(test_rates_errors);
	T_RUN(test_missing_rates);
	T_RUN(test_no_mixing);
	return T_DONE();
}

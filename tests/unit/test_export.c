/*
 * test_export: lib/export on a state made here row by row: the kind
 * names, the --since and as-of boundaries (the day itself in, the day
 * beside it out), money in each currency's minor digits (none, two,
 * three; negative amounts left as numbers in CSV), the rate as a
 * percentage, CSV against TSV for a text that is a formula, and the
 * connection query-only once export_begin has run.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "date.h"
#include "export.h"
#include "state.h"
#include "t.h"

static char dbpath[64];

static void
cleanup(void)
{
	char p[80];

	unlink(dbpath);
	snprintf(p, sizeof p, "%s-wal", dbpath);
	unlink(p);
	snprintf(p, sizeof p, "%s-shm", dbpath);
	unlink(p);
}

static void
kinds(void)
{
	static const struct { const char *s; int k; } c[] = {
		{ "actions", EXPORT_ACTIONS }, { "contacts", EXPORT_CONTACTS },
		{ "promises", EXPORT_PROMISES }, { "queries", EXPORT_QUERIES },
		{ "plans", EXPORT_PLANS }, { "allocations", EXPORT_ALLOCATIONS },
		{ "scores", EXPORT_SCORES }, { "", -1 }, { "Actions", -1 },
		{ "action", -1 }, { "scoresx", -1 }, { "actions ", -1 },
	};

	for (size_t i = 0; i < sizeof c / sizeof c[0]; i++)
		CHECK_INT(export_kind_parse(c[i].s), c[i].k);
	for (int k = 0; k < EXPORT_NKINDS; k++)
		CHECK_INT(export_kind_parse(export_kind_name(
		    (enum export_kind)k)), k);
	CHECK_STR(export_kind_name(EXPORT_NKINDS), "");
}

static int32_t
day(const char *iso)
{
	int32_t d = 0;

	date_parse_iso(iso, &d);
	return d;
}

/* run: kind k of st as text (the caller frees it). */
static char *
run(struct state *st, enum export_kind k, enum export_format f,
    const char *since, const char *as_of, long *rows)
{
	struct export_opts o;
	struct diag d;
	char *buf = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&buf, &len);

	o.as_of = day(as_of);
	o.since = since ? day(since) : EXPORT_SINCE_ALL;
	o.format = f;
	diag_clear(&d);
	CHECK_INT(export_write(st, k, &o, fp, rows, &d), 0);
	fclose(fp);
	return buf;
}

static const char seed[] =
    "INSERT INTO debtor (id, ref, name) VALUES (1, 'D1', '=1+1'),"
    " (2, 'D2', 'Zo\xc3\xab');"
    "INSERT INTO contact (debtor_id, at, day, channel, outcome, note)"
    " VALUES"
    " (1, '2024-02-09T09:00:00', %d, 'call', 'rpc', 'before since'),"
    " (1, '2024-02-10T09:00:00', %d, 'call', 'rpc', '-on since'),"
    " (2, '2024-02-29T17:00:00', %d, 'email', NULL, 'on as-of'),"
    " (2, '2024-03-01T08:00:00', %d, 'sms', NULL, 'after as-of');"
    "INSERT INTO action (debtor_id, as_of, step, channel, currency,"
    " amount_due, interest, compensation, rate, created_at) VALUES"
    " (1, %d, 'S1', 'letter', 'JPY', 1234, 0, 0, NULL, 'x'),"
    " (1, %d, 'S2', 'letter', 'BHD', 12345, 5, 0, 80000, 'x'),"
    " (2, %d, 'S3', 'letter', 'GBP', -1250, 1, 4000, 132500, 'x'),"
    " (2, %d, 'S4', 'email', 'GBP', 100, 0, 0, 5, 'x');";

static void
boundaries(void)
{
	struct state st;
	struct diag d;
	char sql[2048], *out;
	long rows = -1;
	int fd;

	snprintf(dbpath, sizeof dbpath, "/tmp/ck-export-XXXXXX");
	fd = mkstemp(dbpath);
	close(fd);
	unlink(dbpath);
	diag_clear(&d);
	CHECK_INT(state_open(&st, dbpath, STATE_WRITE, "t", &d), 0);
	snprintf(sql, sizeof sql, seed, day("2024-02-09"), day("2024-02-10"),
	    day("2024-02-29"), day("2024-03-01"), day("2024-02-09"),
	    day("2024-02-10"), day("2024-02-29"), day("2024-03-01"));
	CHECK_INT(state_exec(&st, sql, &d), 0);
	state_close(&st);

	CHECK_INT(state_open(&st, dbpath, STATE_READ, "t", &d), 0);
	CHECK_INT(export_begin(&st, &d), 0);
	/* Query-only: nothing can be written, even by mistake. */
	CHECK_INT(state_exec(&st, "DELETE FROM contact", &d), -1);

	out = run(&st, EXPORT_CONTACTS, EXPORT_CSV, "2024-02-10",
	    "2024-02-29", &rows);
	CHECK_STR(out,
	    "date,time,debtor_id,debtor_name,channel,outcome,agent,note,"
	    "event,contact_id\r\n"
	    "2024-02-10,2024-02-10T09:00:00,D1,\"'=1+1\",call,rpc,,"
	    "\"'-on since\",attempt:2,2\r\n"
	    "2024-02-29,2024-02-29T17:00:00,D2,Zo\xc3\xab,email,,,on as-of,"
	    "attempt:3,3\r\n");
	CHECK_INT(rows, 2);
	free(out);
	out = run(&st, EXPORT_CONTACTS, EXPORT_TSV, NULL, "2024-02-09",
	    &rows);
	CHECK_STR(out,
	    "date\ttime\tdebtor_id\tdebtor_name\tchannel\toutcome\tagent\t"
	    "note\tevent\tcontact_id\n"
	    "2024-02-09\t2024-02-09T09:00:00\tD1\t=1+1\tcall\trpc\t\t"
	    "before since\tattempt:1\t1\n");
	CHECK_INT(rows, 1);
	free(out);
	/* Money in each currency's digits; -12.50 is a number, left as it
	 * is; the rate 8 %, 13.25 %, 0.0005 %. */
	out = run(&st, EXPORT_ACTIONS, EXPORT_CSV, NULL, "2024-03-01",
	    &rows);
	CHECK_STR(out,
	    "date,debtor_id,debtor_name,path,step,channel,template,doc_ids,"
	    "currency,amount_due,interest,compensation,rate_pct,file,"
	    "action_id\r\n"
	    "2024-02-09,D1,\"'=1+1\",,S1,letter,,,JPY,1234,0,0,,,1\r\n"
	    "2024-02-10,D1,\"'=1+1\",,S2,letter,,,BHD,12.345,0.005,0.000,8,,"
	    "2\r\n"
	    "2024-02-29,D2,Zo\xc3\xab,,S3,letter,,,GBP,-12.50,0.01,40.00,"
	    "13.25,,3\r\n"
	    "2024-03-01,D2,Zo\xc3\xab,,S4,email,,,GBP,1.00,0.00,0.00,0.0005,,"
	    "4\r\n");
	CHECK_INT(rows, 4);
	free(out);
	/* Nothing in the window: the header alone. */
	out = run(&st, EXPORT_SCORES, EXPORT_TSV, "2024-02-29", "2024-02-29",
	    &rows);
	CHECK_STR(out, "date\tdebtor_id\tdebtor_name\tscore\tband\tfactors\n");
	CHECK_INT(rows, 0);
	free(out);
	export_end(&st);
	state_close(&st);
	cleanup();
}

int
main(void)
{
	T_RUN(kinds);
	T_RUN(boundaries);
	return T_DONE();
}

/*
 * fuzz_contact: libFuzzer target for the event reader of log-contact.
 * The input is an event file; it is read into an in-memory state holding
 * two debtors with a few documents, inside a transaction rolled back
 * after each input.  Besides the sanitizers' checks it asserts what the
 * reader promises: outside input is never a state error, every row is
 * counted once (new, logged before or rejected), each rejection has a
 * message, and only new events are recorded.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "contact.h"
#include "state.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct state st;
static struct contact_config cfg;
static int ready;
static long reported;

static void
report(void *ctx, const char *file, long line, const char *msg)
{
	(void)ctx;
	(void)file;
	(void)line;
	if (msg == NULL || msg[0] == '\0' || !util_utf8_valid(msg,
	    strlen(msg)))
		abort();
	reported++;
}

static long
events(void)
{
	sqlite3_stmt *s = state_prepare(&st, "SELECT count(*) FROM "
	    "contact_event", NULL);
	long n;

	if (s == NULL || sqlite3_step(s) != SQLITE_ROW)
		abort();
	n = sqlite3_column_int(s, 0);
	sqlite3_finalize(s);
	return n;
}

static void
setup(void)
{
	struct diag d;

	if (state_open(&st, ":memory:", STATE_WRITE, "fuzz", &d) != 0 ||
	    state_exec(&st, "INSERT INTO batch (id, kind, tool, file_name, "
	    "as_of, started_at) VALUES (1, 'invoices', 'f', 'f', 0, 'x');"
	    "INSERT INTO debtor (id, ref) VALUES (1, 'C001'), (2, 'C002');"
	    "INSERT INTO item (debtor_id, issue_date, due_date, amount, "
	    "open_amount, currency, doc_type, doc_id, row_hash, batch_id) "
	    "VALUES (1, 19700, 19730, 100, 100, 'GBP', 'invoice', 'INV-1', "
	    "'h', 1), (2, 19700, 19730, 100, 100, 'EUR', 'invoice', 'INV-2', "
	    "'h', 1), (2, 19700, 19730, 100, 100, 'GBP', 'invoice', 'INV-3', "
	    "'h', 1)", &d) != 0)
		abort();
	contact_config_defaults(&cfg);
	ready = 1;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char empty[1];
	struct contact_opts o;
	struct contact_run *r;
	struct batch_counts c = { 0 };
	struct diag d;
	FILE *fp;
	long before;
	int rc;

	if (!ready)
		setup();
	fp = fmemopen(size ? (void *)(uintptr_t)data : empty, size, "r");
	if (fp == NULL)
		return 0;
	memset(&o, 0, sizeof o);
	o.as_of = 19782;
	o.cfg = &cfg;
	memcpy(o.currency, "GBP", 4);
	o.report = report;
	reported = 0;
	diag_clear(&d);
	if (state_begin(&st, &d) != 0)
		abort();
	before = events();
	if ((r = contact_begin(&st, &o, &d)) == NULL)
		abort();
	rc = contact_file(r, fp, "fuzz", &c, &d);
	if (rc == CONTACT_ESTATE)
		abort();
	if (rc == CONTACT_EDATA && d.msg[0] == '\0')
		abort();
	if (rc == 0 && (c.read != c.ingested + c.unchanged + c.rejected ||
	    c.rejected != reported || events() - before != c.ingested))
		abort();
	contact_free(r);
	state_rollback(&st);
	fclose(fp);
	return 0;
}

/* Unit tests of lib/state: creation, migration guards, batches, audit. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "state.h"
#include "t.h"

static char dbpath[64];

static void
fresh_path(void)
{
	int fd;

	snprintf(dbpath, sizeof dbpath, "/tmp/ck-state-XXXXXX");
	fd = mkstemp(dbpath);
	close(fd);
	unlink(dbpath);
}

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

static int
version_of(struct state *st)
{
	sqlite3_stmt *s = state_prepare(st, "PRAGMA user_version", NULL);
	int v = -1;

	if (s && sqlite3_step(s) == SQLITE_ROW)
		v = sqlite3_column_int(s, 0);
	sqlite3_finalize(s);
	return v;
}

static void
test_create_and_reopen(void)
{
	struct state st;
	struct diag d;

	fresh_path();
	CHECK_INT(state_open(&st, dbpath, STATE_READ, "t", &d), -1);
	CHECK(strstr(d.msg, "no state file") != NULL);
	CHECK_INT(state_open(&st, dbpath, STATE_WRITE, "t", &d), 0);
	CHECK_INT(version_of(&st), STATE_VERSION);
	state_close(&st);
	CHECK_INT(state_open(&st, dbpath, STATE_READ, "t", &d), 0);
	CHECK_INT(version_of(&st), STATE_VERSION);
	state_close(&st);
	cleanup();
}

static void
test_refuses_foreign_and_newer(void)
{
	struct state st;
	struct diag d;
	sqlite3 *db;

	fresh_path();
	sqlite3_open(dbpath, &db);
	sqlite3_exec(db, "CREATE TABLE other (x)", NULL, NULL, NULL);
	sqlite3_close(db);
	CHECK_INT(state_open(&st, dbpath, STATE_WRITE, "t", &d), -1);
	CHECK(strstr(d.msg, "not a creditkit state file") != NULL);
	cleanup();

	fresh_path();
	sqlite3_open(dbpath, &db);
	sqlite3_exec(db, "PRAGMA user_version = 999", NULL, NULL, NULL);
	sqlite3_close(db);
	CHECK_INT(state_open(&st, dbpath, STATE_WRITE, "t", &d), -1);
	CHECK(strstr(d.msg, "newer than this creditkit") != NULL);
	cleanup();
}

static void
test_batch_and_audit(void)
{
	struct state st;
	struct diag d;
	struct batch_counts c = { 3, 2, 0, 0, 1, 0 };

	fresh_path();
	setenv("CREDITKIT_NOW", "2024-02-29T09:00:00Z", 1);
	CHECK_INT(state_open(&st, dbpath, STATE_WRITE, "test", &d), 0);
	CHECK_INT(state_begin(&st, &d), 0);
	CHECK_INT(state_batch_begin(&st, "invoices", "a.csv", "abc", 19782, 0,
	    &d), 0);
	CHECK_INT(state_batch_seen(&st, "invoices", "abc", &d), 0);
	CHECK_INT(state_batch_finish(&st, &c, &d), 0);
	CHECK_INT(state_batch_seen(&st, "invoices", "abc", &d), 1);
	CHECK_INT(state_batch_seen(&st, "payments", "abc", &d), 0);
	CHECK_INT(state_audit(&st, "ingest", "batch", st.batch_id, "x", &d),
	    0);
	CHECK_INT(state_commit(&st, &d), 0);
	/* The audit trail cannot be rewritten. */
	CHECK_INT(state_exec(&st, "DELETE FROM audit", &d), -1);
	CHECK(strstr(d.msg, "append-only") != NULL);
	CHECK_INT(state_exec(&st, "UPDATE audit SET tool = 'x'", &d), -1);
	state_close(&st);
	cleanup();
}

static void
test_rollback_leaves_nothing(void)
{
	struct state st;
	struct diag d;
	sqlite3_stmt *s;

	fresh_path();
	CHECK_INT(state_open(&st, dbpath, STATE_WRITE, "t", &d), 0);
	CHECK_INT(state_begin(&st, &d), 0);
	CHECK_INT(state_batch_begin(&st, "invoices", "a.csv", "abc", 0, 0,
	    &d), 0);
	state_rollback(&st);
	s = state_prepare(&st, "SELECT count(*) FROM batch", &d);
	CHECK(s != NULL);
	CHECK_INT(sqlite3_step(s), SQLITE_ROW);
	CHECK_INT(sqlite3_column_int(s, 0), 0);
	sqlite3_finalize(s);
	state_close(&st);
	cleanup();
}

static int
recorded(struct state *st, char *buf, size_t n)
{
	sqlite3_stmt *s = state_prepare(st, "SELECT id FROM client", NULL);
	int rows = 0;

	buf[0] = '\0';
	while (s && sqlite3_step(s) == SQLITE_ROW) {
		snprintf(buf, n, "%s", (const char *)sqlite3_column_text(s, 0));
		rows++;
	}
	sqlite3_finalize(s);
	return rows;
}

/* The client id: none recorded until a run that names one commits; a
 * rolled-back run records nothing; another id is refused at the open and
 * under the write lock; a NULL id checks nothing. */
static void
test_client_id(void)
{
	struct state st;
	struct diag d;
	char id[80];

	fresh_path();
	CHECK_INT(state_open(&st, dbpath, STATE_WRITE, "t", &d), 0);
	CHECK_INT(state_client(&st, "A", &d), 0);
	CHECK_INT(recorded(&st, id, sizeof id), 0);
	CHECK_INT(state_begin(&st, &d), 0);
	state_rollback(&st);
	CHECK_INT(recorded(&st, id, sizeof id), 0);
	CHECK_INT(state_begin(&st, &d), 0);
	CHECK_INT(state_commit(&st, &d), 0);
	CHECK_INT(recorded(&st, id, sizeof id), 1);
	CHECK_STR(id, "A");
	/* A second commit keeps the one row. */
	CHECK_INT(state_begin(&st, &d), 0);
	CHECK_INT(state_commit(&st, &d), 0);
	CHECK_INT(recorded(&st, id, sizeof id), 1);
	state_close(&st);

	CHECK_INT(state_open(&st, dbpath, STATE_READ, "t", &d), 0);
	CHECK_INT(state_client(&st, "B", &d), -1);
	CHECK_STR(d.msg, "the state belongs to client \"A\", not \"B\" (the "
	    "config's client.id): it is another client's file");
	CHECK(st.client_id == NULL);
	CHECK_INT(state_client(&st, "a", &d), -1);	/* case counts */
	CHECK_INT(state_client(&st, NULL, &d), 0);
	CHECK_INT(state_client(&st, "A", &d), 0);
	/* Recorded by another run after this one's check: state_begin
	 * looks again. */
	st.client_id = "B";
	CHECK_INT(state_begin(&st, &d), -1);
	CHECK(strstr(d.msg, "belongs to client \"A\"") != NULL);
	CHECK(sqlite3_get_autocommit(st.db));	/* rolled back */
	state_close(&st);
	cleanup();
}

int
main(void)
{
	T_RUN(test_create_and_reopen);
	T_RUN(test_refuses_foreign_and_newer);
	T_RUN(test_batch_and_audit);
	T_RUN(test_rollback_leaves_nothing);
	T_RUN(test_client_id);
	return T_DONE();
}

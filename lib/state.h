/*
 * state: the one SQLite file per client that every tool shares.  It owns
 * the schema (versioned with PRAGMA user_version and migrated forward by
 * whichever tool opens an older file), the connection settings (WAL, busy
 * timeout, foreign keys), transactions, and the records every change must
 * leave behind: the batch that brought data in and the audit trail.
 *
 * Dates in the state are INTEGER day numbers (lib/date.h) and amounts
 * INTEGER minor units (lib/money.h); the views named *_v show them as ISO
 * dates and decimals for people who query the file with sqlite3.
 */
#ifndef CK_STATE_H
#define CK_STATE_H

#include <stdint.h>
#include <sqlite3.h>
#include "diag.h"

#define STATE_VERSION 1

enum state_mode {
	STATE_READ,	/* the file must exist and be a state: an empty
			   file is "no state file", a database without the
			   creditkit schema "not a state file"; nothing is
			   written (it may still be migrated if it is
			   older) */
	STATE_WRITE	/* created if absent */
};

struct state {
	sqlite3 *db;
	const char *path;	/* as given; not owned */
	const char *tool;	/* who writes, for batches and audit */
	int64_t batch_id;	/* the open batch, 0 when none */
	const char *client_id;	/* state_client's; not owned */
};

/*
 * state_open: opens (and with STATE_WRITE creates) path, applies the
 * connection settings and migrates the schema to STATE_VERSION.  A file
 * newer than this build, or one that is not a creditkit state, is an
 * error.  Returns 0, or -1 with d set.
 */
int state_open(struct state *st, const char *path, enum state_mode mode,
    const char *tool, struct diag *d);
void state_close(struct state *st);

/*
 * state_bulk_load: for a tool that loads many rows and builds every
 * parent before its children itself (ingest: the debtor before its items,
 * the item before its settlements): foreign keys are not enforced, since
 * each check is one more B-tree seek per row.  The tests prove the
 * invariant with PRAGMA foreign_key_check.  Must be called outside a
 * transaction (SQLite ignores the pragma inside one).
 */
int state_bulk_load(struct state *st, struct diag *d);

/*
 * state_client: the run is for the client id (the config's client.id;
 * NULL: no check).  A file that records another id is refused: -1 with
 * d set, nothing changed.  A file with no id yet takes this one in the
 * run's transaction (state_begin), so it is recorded only by a run that
 * commits.  id must live while st is open.  0, or -1 with d set.
 */
int state_client(struct state *st, const char *id, struct diag *d);
/* state_peek_client: the same check before the file is opened, reading
 * it without a lock or a -wal or -shm made beside it, so a refused file
 * and its folder are left exactly as they were.  0 (also when it cannot
 * tell: no file, no id yet), or -1 with d set. */
int state_peek_client(const char *path, const char *id, struct diag *d);

/* One run is one transaction: BEGIN IMMEDIATE (so an overlapping cron job
 * waits for the busy timeout instead of failing half-way), COMMIT,
 * ROLLBACK.  0 or -1 with d set. */
int state_begin(struct state *st, struct diag *d);	/* and records the
							   client id */
int state_commit(struct state *st, struct diag *d);
void state_rollback(struct state *st);

/* state_exec: SQL without parameters or results (schema, pragmas). */
int state_exec(struct state *st, const char *sql, struct diag *d);
/* state_prepare: a prepared statement, or NULL with d set naming the SQL
 * error.  The caller finalizes it. */
sqlite3_stmt *state_prepare(struct state *st, const char *sql,
    struct diag *d);
/* state_error: d set to "what: sqlite's message"; returns -1. */
int state_error(struct state *st, struct diag *d, const char *what);

/* Batches: every ingest run records one. */
struct batch_counts {
	long read, ingested, updated, unchanged, rejected, closed;
};
int state_batch_begin(struct state *st, const char *kind,
    const char *file_name, const char *sha256, int32_t as_of, int snapshot,
    struct diag *d);
int state_batch_finish(struct state *st, const struct batch_counts *c,
    struct diag *d);
/* state_batch_seen: 1 if a committed batch of kind already has this
 * sha256 (the same file was ingested before), 0 if not, -1 on error. */
int state_batch_seen(struct state *st, const char *kind, const char *sha256,
    struct diag *d);

/* state_audit: appends to the audit trail (who = st->tool, when = now). */
int state_audit(struct state *st, const char *action, const char *entity,
    int64_t entity_id, const char *detail, struct diag *d);

/* The time now as "YYYY-MM-DDTHH:MM:SSZ" ($CREDITKIT_NOW pins it for
 * tests, like git's GIT_TEST_DATE). */
void state_now(char buf[32]);

#endif

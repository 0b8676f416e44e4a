/*
 * state: schema, migrations, connection settings, transactions, batches
 * and the audit trail of a client's SQLite state file.
 *
 * The schema is laid out for the whole daily cycle (items and debtors,
 * bank statements and payments, settlements, chase actions, contacts,
 * promises, queries, plans, holds, scores, audit) so that later tools add
 * rows, not tables.  Each migration takes the file from version N-1 to N
 * inside one transaction; a file is never left half-migrated.
 */
#include <sys/stat.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "state.h"
#include "util.h"

/*
 * Version 1.  Column order matters for speed where noted: SQLite decodes a
 * record from its start, so the columns the aging scan reads come first in
 * item.  The CHECKs list their values with OR, not IN: SQLite builds an
 * ephemeral index for an IN list on every INSERT, which made loading items
 * several times slower.
 */
static const char schema_v1[] =
/* Which client the file belongs to (the config's client.id): one row at
 * most, written by the first run that writes with a config naming an
 * id; a tool whose config names another id refuses the file, so a run
 * for one client never changes another's state (state_client). */
"CREATE TABLE client ("
"  one INTEGER PRIMARY KEY CHECK (one = 1),"
"  id TEXT NOT NULL,"
"  recorded_at TEXT NOT NULL"
");"

"CREATE TABLE batch ("
"  id INTEGER PRIMARY KEY,"
"  kind TEXT NOT NULL,"			/* invoices, payments, contacts,
					   allocation */
"  tool TEXT NOT NULL,"
"  file_name TEXT NOT NULL,"
"  sha256 TEXT,"
"  as_of INTEGER NOT NULL,"
"  snapshot INTEGER NOT NULL DEFAULT 0,"
"  started_at TEXT NOT NULL,"
"  finished_at TEXT,"
"  rows_read INTEGER NOT NULL DEFAULT 0,"
"  rows_ingested INTEGER NOT NULL DEFAULT 0,"
"  rows_updated INTEGER NOT NULL DEFAULT 0,"
"  rows_unchanged INTEGER NOT NULL DEFAULT 0,"
"  rows_rejected INTEGER NOT NULL DEFAULT 0,"
"  rows_closed INTEGER NOT NULL DEFAULT 0"
");"
"CREATE INDEX batch_sha ON batch(kind, sha256);"

"CREATE TABLE debtor ("
"  id INTEGER PRIMARY KEY,"
"  ref TEXT NOT NULL UNIQUE,"		/* the client's account code */
"  name TEXT NOT NULL DEFAULT '',"
"  type TEXT NOT NULL DEFAULT 'business'"
"    CHECK (type = 'business' OR type = 'sole_trader' OR"
"      type = 'consumer'),"
"  email TEXT, phone TEXT, address TEXT, language TEXT, country TEXT,"
"  time_zone TEXT,"
"  segment TEXT,"			/* client-defined, picks a chase path */
"  chase_path TEXT,"			/* per-debtor override */
"  restricted INTEGER NOT NULL DEFAULT 0,"	/* GDPR Art. 18 */
"  erased_at INTEGER,"			/* GDPR Art. 17: anonymised */
"  batch_id INTEGER REFERENCES batch(id),"
"  updated_batch_id INTEGER REFERENCES batch(id)"
");"

/* Named people at a debtor (a company's accounts payable clerk). */
"CREATE TABLE debtor_contact ("
"  id INTEGER PRIMARY KEY,"
"  debtor_id INTEGER NOT NULL REFERENCES debtor(id),"
"  name TEXT, role TEXT, email TEXT, phone TEXT,"
"  is_primary INTEGER NOT NULL DEFAULT 0"
");"
"CREATE INDEX debtor_contact_debtor ON debtor_contact(debtor_id);"

/* Open items: invoices, debit notes, credit notes (amount negative) and
 * receipts the client's own ledger holds unapplied (amount negative). */
"CREATE TABLE item ("
"  id INTEGER PRIMARY KEY,"
"  debtor_id INTEGER NOT NULL REFERENCES debtor(id),"
"  issue_date INTEGER NOT NULL,"
"  due_date INTEGER NOT NULL,"
"  amount INTEGER NOT NULL,"		/* signed, minor units */
"  open_amount INTEGER NOT NULL,"	/* now, after every settlement */
"  closed_date INTEGER,"		/* NULL while open */
"  in_query INTEGER NOT NULL DEFAULT 0,"	/* disputed per the export */
"  currency TEXT NOT NULL,"
"  doc_type TEXT NOT NULL"
"    CHECK (doc_type = 'invoice' OR doc_type = 'credit_note' OR"
"      doc_type = 'debit_note' OR doc_type = 'payment'),"
"  doc_id TEXT NOT NULL UNIQUE,"
"  closed_reason TEXT,"			/* settled, snapshot, paid, ... */
"  row_hash TEXT NOT NULL,"		/* of the mapped fields */
"  attrs TEXT,"				/* other export columns, JSON */
/* No REFERENCES on the batch columns of item and settlement: they always
 * name the run's own batch, and each foreign key is one more B-tree seek
 * per row on the path that loads millions of rows. */
"  batch_id INTEGER NOT NULL,"
"  updated_batch_id INTEGER"
");"
"CREATE INDEX item_debtor ON item(debtor_id);"

/* What changed when a re-ingested row differed. */
"CREATE TABLE item_change ("
"  id INTEGER PRIMARY KEY,"
"  item_id INTEGER NOT NULL REFERENCES item(id),"
"  batch_id INTEGER NOT NULL REFERENCES batch(id),"
"  field TEXT NOT NULL, old_value TEXT, new_value TEXT"
");"

/*
 * Everything that reduced (or, negative, restored) an item's open amount,
 * dated, so that any past day can be replayed: open on day D = amount -
 * the settlements dated on or before D.
 */
"CREATE TABLE settlement ("
"  id INTEGER PRIMARY KEY,"
"  item_id INTEGER NOT NULL REFERENCES item(id),"
"  date INTEGER NOT NULL,"
"  amount INTEGER NOT NULL,"
"  kind TEXT NOT NULL CHECK (kind = 'export' OR kind = 'settled' OR"
"    kind = 'snapshot' OR kind = 'allocation' OR kind = 'writeoff' OR"
"    kind = 'credit' OR kind = 'reversal' OR kind = 'reopen'),"
"  payment_id INTEGER REFERENCES payment(id),"
"  batch_id INTEGER,"
"  note TEXT,"
/* date_known 0: the day is not known, only that it was by `date`: the
 * paid part of an item the first export already shows (part) paid with
 * no settled date (ingest-invoices dates it on the export's day).  It
 * closes the item for the AR, but it is no cash seen on a day: kpi-report
 * and score-debtor leave it out of days to pay, days beyond terms and
 * cash collected. */
"  date_known INTEGER NOT NULL DEFAULT 1 CHECK (date_known IN (0, 1)),"
/* allocate-payments: the rule that applied it (reference, exact_amount,
 * combination, oldest_due, writeoff, credit_note, reversal), which
 * export-client tells the client; NULL for every other settlement. */
"  rule TEXT"
");"
"CREATE INDEX settlement_item ON settlement(item_id);"
"CREATE INDEX settlement_date ON settlement(date);"
/* kpi-report: the write-offs (few), for recoveries of written-off debt,
 * without a scan of every settlement. */
"CREATE INDEX settlement_writeoff ON settlement(item_id, date)"
"  WHERE kind = 'writeoff';"

/* A bank statement, notification or report (camt.053/054/052, an MT940
 * or MT942 statement, the rows of one currency of a bank CSV export).
 * balance_ok: 1 opening + entries = closing, 0 not (or not checkable),
 * NULL when the statement gives no opening and closing balance. */
"CREATE TABLE statement ("
"  id INTEGER PRIMARY KEY,"
"  batch_id INTEGER NOT NULL REFERENCES batch(id),"
"  account TEXT NOT NULL,"
"  stmt_ref TEXT NOT NULL,"
"  currency TEXT,"
"  opening INTEGER, closing INTEGER,"
"  from_date INTEGER, to_date INTEGER,"
"  balance_ok INTEGER,"
"  format TEXT,"				/* camt.053.001.02, mt940, csv */
"  UNIQUE (account, stmt_ref)"
");"

"CREATE TABLE payment ("
"  id INTEGER PRIMARY KEY,"
"  entry_key TEXT NOT NULL UNIQUE,"	/* bank's entry reference or hash */
"  statement_id INTEGER REFERENCES statement(id),"
"  batch_id INTEGER NOT NULL REFERENCES batch(id),"
"  account TEXT,"
"  booking_date INTEGER, value_date INTEGER NOT NULL,"
"  currency TEXT NOT NULL,"
"  amount INTEGER NOT NULL,"		/* cash: booked amount, signed */
"  charges INTEGER NOT NULL DEFAULT 0,"
"  kind TEXT NOT NULL CHECK (kind = 'receipt' OR kind = 'reversal' OR"
"    kind = 'debit'),"
"  payer_name TEXT, payer_account TEXT, reference TEXT,"
"  end_to_end_id TEXT,"
"  debtor_id INTEGER REFERENCES debtor(id),"
"  unallocated INTEGER NOT NULL,"	/* what is not yet applied */
"  reverses_id INTEGER REFERENCES payment(id),"
/* ingest-payments: the bank's own entry reference (AcctSvcrRef, the MT940
 * bank reference, a CSV transaction id), the whole remittance text of
 * which `reference` is the part chosen for matching, and the return
 * reason of a reversal (camt RtrInf, ISO codes such as AC06). */
"  bank_ref TEXT, remittance TEXT, return_reason TEXT,"
/* ingest-payments: where the entry was first read, "SHA-256:line.k" (the
 * file's hash, the line, the k-th entry on it), so a file read again is
 * known entry by entry whatever options read it. */
"  src TEXT"
");"
"CREATE INDEX payment_debtor ON payment(debtor_id);"
"CREATE INDEX payment_src ON payment(src);"

/*
 * allocate-payments' own records.  allocation: one row per payment it has
 * decided (a receipt applied or put on account, a reversal undone, a
 * receipt cancelled by its reversal before it was applied); a receipt
 * with no row here and no debtor is still to be allocated, so unmatched
 * receipts are tried again on every run.  doc_key: every item's document
 * id normalised (letters and digits, lower case), so a remittance's
 * "INV306" finds "INV-306" through an index; item ids only grow and doc
 * ids never change, so each run adds the keys of the new items only.
 * payment_payer finds the debtor an earlier receipt from the same payer
 * account was allocated to; settlement_payment what a receipt applied.
 */
"CREATE TABLE allocation ("
"  payment_id INTEGER PRIMARY KEY REFERENCES payment(id),"
"  batch_id INTEGER NOT NULL REFERENCES batch(id),"
"  status TEXT NOT NULL CHECK (status = 'allocated' OR"
"    status = 'on_account' OR status = 'refund' OR"
"    status = 'reversal' OR status = 'reversed'),"
"  debtor_rule TEXT,"			/* how the debtor was found */
"  note TEXT"
");"
"CREATE TABLE doc_key ("
"  key TEXT NOT NULL,"
"  item_id INTEGER NOT NULL,"
"  PRIMARY KEY (key, item_id)"
") WITHOUT ROWID;"
"CREATE INDEX payment_payer ON payment(payer_account, debtor_id)"
"  WHERE payer_account IS NOT NULL;"
/* What a receipt applied, for undoing it on a reversal; partial, so the
 * export's settlements (no payment) cost ingest nothing. */
"CREATE INDEX settlement_payment ON settlement(payment_id)"
"  WHERE payment_id IS NOT NULL;"

/* One row per chase action carried out (or planned and emitted).
 * emit-letters writes it in the same transaction as the files it stages
 * (renamed into place before the commit), so a row always has its file.
 * doc_ids: the plan's documents, comma-separated; amounts in minor units
 * of currency, interest and compensation as the message stated them (a
 * later message restates them, so they are not to be summed); file: the
 * path under the outbox (for calls and tasks the list the row is in).
 * emit-letters: batch_id (its run, kind 'letters'), rate (the statutory
 * rate stated, 1/10000 %: 132500 is 13.25 %; NULL when none), sha256 (of
 * the file as written; for a list, of the list).  A debtor owing in two
 * currencies gets one message per currency, hence currency in the key. */
"CREATE TABLE action ("
"  id INTEGER PRIMARY KEY,"
"  debtor_id INTEGER NOT NULL REFERENCES debtor(id),"
"  as_of INTEGER NOT NULL,"
"  path TEXT, step TEXT NOT NULL, channel TEXT NOT NULL,"
"  template TEXT, doc_ids TEXT, currency TEXT,"
"  amount_due INTEGER, interest INTEGER, compensation INTEGER,"
"  file TEXT, created_at TEXT NOT NULL,"
"  batch_id INTEGER REFERENCES batch(id),"
"  rate INTEGER, sha256 TEXT,"
"  UNIQUE (debtor_id, as_of, step, channel, currency)"
");"
/* emit-letters: each item an action covered, with what the message said
 * of it: its open amount that day, interest and compensation. */
"CREATE TABLE action_item ("
"  action_id INTEGER NOT NULL REFERENCES action(id),"
"  item_id INTEGER NOT NULL REFERENCES item(id),"
"  open_amount INTEGER, interest INTEGER, compensation INTEGER,"
"  PRIMARY KEY (action_id, item_id)"
");"
"CREATE INDEX action_item_item ON action_item(item_id);"

/*
 * Every event log-contact recorded, whatever its kind: one namespace of
 * event ids across the kinds, and the hash of the event's content, so
 * that an event logged again is recognised (with its id or, without
 * one, by the hash) and one logged again with other content is refused.
 * entity_id is the row of the kind's table it made or changed (for
 * query_close the query, for release the hold).
 */
"CREATE TABLE contact_event ("
"  id INTEGER PRIMARY KEY,"
"  event_id TEXT UNIQUE,"		/* as given; NULL when none */
"  hash TEXT NOT NULL,"			/* SHA-256 of the content */
"  kind TEXT NOT NULL CHECK (kind = 'attempt' OR kind = 'promise' OR"
"    kind = 'query_open' OR kind = 'query_close' OR kind = 'plan' OR"
"    kind = 'hold' OR kind = 'release'),"
"  debtor_id INTEGER NOT NULL REFERENCES debtor(id),"
"  day INTEGER NOT NULL,"
"  entity_id INTEGER NOT NULL,"
"  batch_id INTEGER REFERENCES batch(id),"
"  line INTEGER"			/* in the batch's file */
");"
"CREATE INDEX contact_event_hash ON contact_event(hash);"

/* Contact attempts and their outcomes (calls, e-mails, letters...). */
"CREATE TABLE contact ("
"  id INTEGER PRIMARY KEY,"
"  event_id TEXT UNIQUE,"
"  debtor_id INTEGER NOT NULL REFERENCES debtor(id),"
"  at TEXT NOT NULL,"			/* local time, ISO */
"  day INTEGER NOT NULL,"
"  channel TEXT NOT NULL CHECK (channel = 'call' OR channel = 'email' OR"
"    channel = 'sms' OR channel = 'letter' OR channel = 'visit'),"
"  outcome TEXT CHECK (outcome IS NULL OR outcome = 'rpc' OR"
"    outcome = 'no_answer' OR outcome = 'voicemail' OR"
"    outcome = 'wrong_number' OR outcome = 'refused' OR"
"    outcome = 'promise' OR outcome = 'query'),"
"  agent TEXT, note TEXT,"
"  batch_id INTEGER REFERENCES batch(id)"
");"
"CREATE INDEX contact_debtor ON contact(debtor_id);"

"CREATE TABLE promise ("
"  id INTEGER PRIMARY KEY,"
"  event_id TEXT UNIQUE,"
"  debtor_id INTEGER NOT NULL REFERENCES debtor(id),"
"  made_on INTEGER NOT NULL,"
"  amount INTEGER NOT NULL, currency TEXT NOT NULL,"
"  due_date INTEGER NOT NULL, grace_days INTEGER NOT NULL DEFAULT 0,"
/* No status column: kept, broken or pending depends on the day asked
 * about and on receipts allocated later, so it is computed when read
 * (lib/promise.h), never stored to go stale. */
"  note TEXT,"
"  batch_id INTEGER REFERENCES batch(id)"
");"
"CREATE INDEX promise_debtor ON promise(debtor_id);"

"CREATE TABLE query ("
"  id INTEGER PRIMARY KEY,"
"  event_id TEXT UNIQUE,"
"  debtor_id INTEGER NOT NULL REFERENCES debtor(id),"
"  reason TEXT, owner TEXT,"
"  opened INTEGER NOT NULL, review_date INTEGER,"
"  closed INTEGER, outcome TEXT, note TEXT,"
"  batch_id INTEGER REFERENCES batch(id)"
");"
"CREATE TABLE query_item ("
"  query_id INTEGER NOT NULL REFERENCES query(id),"
"  item_id INTEGER NOT NULL REFERENCES item(id),"
"  PRIMARY KEY (query_id, item_id)"
");"

"CREATE TABLE plan ("
"  id INTEGER PRIMARY KEY,"
"  event_id TEXT UNIQUE,"
"  debtor_id INTEGER NOT NULL REFERENCES debtor(id),"
"  total INTEGER NOT NULL, currency TEXT NOT NULL,"
"  created INTEGER NOT NULL,"
/* weekly, fortnightly, monthly; NULL for an explicit schedule. */
"  frequency TEXT,"
"  grace_days INTEGER NOT NULL DEFAULT 0,"
/* No status or cancelled column, nor an instalment status: like a
 * promise's, they are computed as of a day when read (lib/promise.h). */
"  note TEXT,"
"  batch_id INTEGER REFERENCES batch(id)"
");"
"CREATE INDEX plan_debtor ON plan(debtor_id);"
"CREATE TABLE instalment ("
"  plan_id INTEGER NOT NULL REFERENCES plan(id),"
"  seq INTEGER NOT NULL,"
"  due_date INTEGER NOT NULL, amount INTEGER NOT NULL,"
"  PRIMARY KEY (plan_id, seq)"
");"

"CREATE TABLE hold ("
"  id INTEGER PRIMARY KEY,"
"  event_id TEXT UNIQUE,"
"  debtor_id INTEGER NOT NULL REFERENCES debtor(id),"
"  kind TEXT NOT NULL CHECK (kind = 'breathing_space' OR"
"    kind = 'insolvency' OR kind = 'deceased' OR kind = 'complaint' OR"
"    kind = 'legal' OR kind = 'client'),"
"  start_date INTEGER NOT NULL,"
"  end_date INTEGER,"			/* the last day held; NULL: open */
"  released INTEGER,"			/* the day it was lifted */
"  note TEXT,"
"  batch_id INTEGER REFERENCES batch(id)"
");"
"CREATE INDEX hold_debtor ON hold(debtor_id);"

"CREATE TABLE score ("
"  debtor_id INTEGER NOT NULL REFERENCES debtor(id),"
"  as_of INTEGER NOT NULL,"
"  score REAL NOT NULL, band TEXT NOT NULL,"
"  inputs TEXT NOT NULL,"		/* JSON: every factor, for Art. 15 */
"  PRIMARY KEY (debtor_id, as_of)"
");"

/* Append-only: who or what changed what, and when. */
"CREATE TABLE audit ("
"  id INTEGER PRIMARY KEY,"
"  at TEXT NOT NULL,"
"  tool TEXT NOT NULL,"
"  actor TEXT,"
"  action TEXT NOT NULL,"
"  entity TEXT, entity_id INTEGER,"
"  batch_id INTEGER REFERENCES batch(id),"
"  detail TEXT"
");"
"CREATE TRIGGER audit_append_only_u BEFORE UPDATE ON audit"
"  BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;"
"CREATE TRIGGER audit_append_only_d BEFORE DELETE ON audit"
"  BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;"

/* Views for people: ISO dates; amounts stay in minor units with the
 * currency beside them, since the minor digits differ by currency. */
"CREATE VIEW item_v AS SELECT i.id, d.ref AS debtor_id, d.name AS"
"  debtor_name, i.doc_id, i.doc_type,"
"  date(i.issue_date * 86400, 'unixepoch') AS issue_date,"
"  date(i.due_date * 86400, 'unixepoch') AS due_date,"
"  i.currency, i.amount AS amount_minor, i.open_amount AS open_minor,"
"  date(i.closed_date * 86400, 'unixepoch') AS closed_date,"
"  i.closed_reason, i.in_query, i.attrs"
"  FROM item i JOIN debtor d ON d.id = i.debtor_id;"
"CREATE VIEW payment_v AS SELECT p.id, p.kind, p.account,"
"  date(p.booking_date * 86400, 'unixepoch') AS booking_date,"
"  date(p.value_date * 86400, 'unixepoch') AS value_date,"
"  p.currency, p.amount AS amount_minor, p.charges AS charges_minor,"
"  p.unallocated AS unallocated_minor, p.payer_name, p.payer_account,"
"  p.reference, p.end_to_end_id, p.bank_ref, p.reverses_id,"
"  p.statement_id, p.batch_id"
"  FROM payment p;"
"CREATE VIEW settlement_v AS SELECT s.id, i.doc_id,"
"  date(s.date * 86400, 'unixepoch') AS date, s.amount AS amount_minor,"
"  s.kind, s.payment_id, s.batch_id, s.note, s.date_known"
"  FROM settlement s JOIN item i ON i.id = s.item_id;"
;

/* migrations[i] takes a file from version i to version i + 1. */
static const char *const migrations[] = {
	schema_v1,
};

int
state_error(struct state *st, struct diag *d, const char *what)
{
	diag_set(d, "%s: %s", what, st->db ? sqlite3_errmsg(st->db) :
	    "no database");
	return -1;
}

int
state_exec(struct state *st, const char *sql, struct diag *d)
{
	char *msg = NULL;

	if (sqlite3_exec(st->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
		diag_set(d, "%s", msg ? msg : "sqlite error");
		sqlite3_free(msg);
		return -1;
	}
	return 0;
}

sqlite3_stmt *
state_prepare(struct state *st, const char *sql, struct diag *d)
{
	sqlite3_stmt *s = NULL;

	if (sqlite3_prepare_v2(st->db, sql, -1, &s, NULL) != SQLITE_OK) {
		state_error(st, d, "preparing a statement");
		sqlite3_finalize(s);
		return NULL;
	}
	return s;
}

static int
user_version(struct state *st, int *v, struct diag *d)
{
	sqlite3_stmt *s = state_prepare(st, "PRAGMA user_version", d);

	if (s == NULL)
		return -1;
	if (sqlite3_step(s) != SQLITE_ROW) {
		sqlite3_finalize(s);
		return state_error(st, d, "reading the schema version");
	}
	*v = sqlite3_column_int(s, 0);
	sqlite3_finalize(s);
	return 0;
}

/* Is this an empty file (fresh), or one that holds tables of others? */
static int
has_foreign_tables(struct state *st, int *yes, struct diag *d)
{
	sqlite3_stmt *s = state_prepare(st,
	    "SELECT count(*) FROM sqlite_schema", d);

	if (s == NULL)
		return -1;
	if (sqlite3_step(s) != SQLITE_ROW) {
		sqlite3_finalize(s);
		return state_error(st, d, "reading the schema");
	}
	*yes = sqlite3_column_int(s, 0) > 0;
	sqlite3_finalize(s);
	return 0;
}

/*
 * explain_readonly_folder: SQLite reads a WAL-mode file only through its
 * -shm file, which a reader must be able to create beside the state when
 * it is absent.  When a reader's open failed and that is why, say so in
 * d instead of SQLite's "attempt to write a readonly database".
 */
static void
explain_readonly_folder(const char *path, struct diag *d)
{
	struct sbuf dir = { 0 }, shm = { 0 };
	const char *slash = strrchr(path, '/');

	if (slash == NULL)
		sbuf_adds(&dir, ".");
	else if (slash == path)
		sbuf_adds(&dir, "/");
	else
		sbuf_add(&dir, path, (size_t)(slash - path));
	sbuf_adds(&shm, path);
	sbuf_adds(&shm, "-shm");
	if (access(dir.buf, W_OK) != 0 && access(shm.buf, F_OK) != 0)
		diag_set(d, "cannot read the state: its folder %s is not "
		    "writable, and SQLite must create %s beside it to read a "
		    "WAL-mode file (make the folder writable for this user, or "
		    "read a copy)", dir.buf, shm.buf);
	sbuf_free(&dir);
	sbuf_free(&shm);
}

/* check_identity: the file is empty, or a creditkit state of this
 * version or older; reads only. */
static int
check_identity(struct state *st, struct diag *d)
{
	int v, foreign;

	if (user_version(st, &v, d) != 0)
		return -1;
	if (v > STATE_VERSION) {
		diag_set(d, "state file has schema version %d, newer than "
		    "this creditkit (%d): upgrade creditkit", v, STATE_VERSION);
		return -1;
	}
	if (v == 0) {
		if (has_foreign_tables(st, &foreign, d) != 0)
			return -1;
		if (foreign) {
			diag_set(d, "not a creditkit state file (it has tables "
			    "but no creditkit schema version)");
			return -1;
		}
	}
	return 0;
}

static int
migrate(struct state *st, struct diag *d)
{
	int v;
	size_t nmig = sizeof migrations / sizeof migrations[0];

	if (user_version(st, &v, d) != 0)
		return -1;
	if (v == STATE_VERSION)
		return 0;
	if (check_identity(st, d) != 0)
		return -1;
	if (state_exec(st, "BEGIN EXCLUSIVE", d) != 0)
		return -1;
	/* Another process may have migrated while we waited for the lock. */
	if (user_version(st, &v, d) != 0)
		goto fail;
	for (; v < STATE_VERSION && (size_t)v < nmig; v++) {
		char pragma[48];

		if (state_exec(st, migrations[v], d) != 0) {
			diag_prefix(d, "migrating the state to version %d",
			    v + 1);
			goto fail;
		}
		snprintf(pragma, sizeof pragma, "PRAGMA user_version = %d",
		    v + 1);
		if (state_exec(st, pragma, d) != 0)
			goto fail;
	}
	if (state_exec(st, "COMMIT", d) != 0)
		goto fail;
	return 0;
fail:
	state_exec(st, "ROLLBACK", NULL);
	return -1;
}

int
state_open(struct state *st, const char *path, enum state_mode mode,
    const char *tool, struct diag *d)
{
	int flags = SQLITE_OPEN_READWRITE;

	memset(st, 0, sizeof *st);
	st->path = path;
	/* SQLite's count of the memory it holds takes a mutex on every
	 * allocation, several per statement run; nothing here reads the
	 * count.  This works only before SQLite starts (the first open),
	 * and is refused harmlessly after. */
	sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
	st->tool = tool;
	if (mode == STATE_WRITE)
		flags |= SQLITE_OPEN_CREATE;
	else {
		struct stat sb;

		/* A reader given an empty file (touch, a failed copy) must not
		 * make a state of it: it is no state file yet. */
		if (stat(path, &sb) != 0 || (S_ISREG(sb.st_mode) &&
		    sb.st_size == 0)) {
			diag_set(d, "no state file (%singest something first, "
			    "or name it with --db)", access(path, F_OK) == 0 ?
			    "the file is empty: " : "");
			return -1;
		}
	}
	/* One connection is used by one thread: SQLite's own mutexes are
	 * pure cost here. */
	flags |= SQLITE_OPEN_NOMUTEX;
	if (sqlite3_open_v2(path, &st->db, flags, NULL) != SQLITE_OK) {
		state_error(st, d, "opening the state");
		state_close(st);
		return -1;
	}
	sqlite3_busy_timeout(st->db, 30000);
	/* A file that is not ours is refused before any pragma that writes
	 * (journal_mode = WAL rewrites the header): it is left as it was. */
	if (check_identity(st, d) != 0) {
		if (mode == STATE_READ)
			explain_readonly_folder(path, d);
		state_close(st);
		return -1;
	}
	/* A database with no creditkit schema yet is made a state only by a
	 * writer; a reader leaves it as it is. */
	if (mode == STATE_READ) {
		int v;

		if (user_version(st, &v, d) != 0) {
			state_close(st);
			return -1;
		}
		if (v == 0) {
			diag_set(d, "not a state file (it has no creditkit "
			    "schema: ingest something first)");
			state_close(st);
			return -1;
		}
	}
	/*
	 * WAL lets a report read while a cron job writes; synchronous NORMAL
	 * is durable in WAL mode except for the last transaction on power
	 * loss, which a re-run repeats safely.
	 */
	if (state_exec(st, "PRAGMA journal_mode = WAL;"
	    "PRAGMA synchronous = NORMAL;"
	    "PRAGMA foreign_keys = ON;"
	    "PRAGMA cache_size = -262144;"	/* 256 MiB at most */
	    "PRAGMA temp_store = MEMORY;", d) != 0) {
		diag_prefix(d, "opening the state");
		state_close(st);
		return -1;
	}
	if (migrate(st, d) != 0) {
		state_close(st);
		return -1;
	}
	return 0;
}

void
state_close(struct state *st)
{
	if (st->db)
		sqlite3_close(st->db);
	st->db = NULL;
}

int
state_bulk_load(struct state *st, struct diag *d)
{
	return state_exec(st, "PRAGMA foreign_keys = OFF", d);
}

/* client_id: the id the file records, allocated into *id (NULL: none
 * yet).  0, or -1 with d set. */
static int
client_id(struct state *st, char **id, struct diag *d)
{
	sqlite3_stmt *s = state_prepare(st, "SELECT id FROM client", d);
	int rc;

	*id = NULL;
	if (s == NULL)
		return -1;
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		*id = xstrdup((const char *)sqlite3_column_text(s, 0));
	sqlite3_finalize(s);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return state_error(st, d, "reading the state's client id");
	return 0;
}

/* same_client: 0 when the file records no id or id; -1 with d set when
 * it is another client's. */
static int
same_client(struct state *st, const char *id, struct diag *d)
{
	char *have;
	int rc = 0;

	if (client_id(st, &have, d) != 0)
		return -1;
	if (have != NULL && strcmp(have, id) != 0) {
		diag_set(d, "the state belongs to client \"%s\", not \"%s\" "
		    "(the config's client.id): it is another client's file",
		    have, id);
		rc = -1;
	}
	free(have);
	return rc;
}

int
state_peek_client(const char *path, const char *id, struct diag *d)
{
	struct sbuf uri = { 0 };
	struct stat sb;
	sqlite3 *db = NULL;
	sqlite3_stmt *s = NULL;
	int rc = 0;

	if (id == NULL || stat(path, &sb) != 0 || !S_ISREG(sb.st_mode) ||
	    sb.st_size == 0)
		return 0;
	/* immutable: SQLite reads the main file as it is, making no -wal or
	 * -shm beside it and taking no lock, so another client's folder is
	 * left exactly as it was; an id still only in a WAL is caught by
	 * state_client after the open. */
	sbuf_adds(&uri, "file:");
	for (const char *p = path; *p; p++) {
		unsigned char ch = (unsigned char)*p;

		if ((ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') ||
		    (ch >= '0' && ch <= '9') || strchr("/-._~", ch))
			sbuf_addc(&uri, (char)ch);
		else
			sbuf_addf(&uri, "%%%02X", ch);
	}
	sbuf_adds(&uri, "?immutable=1");
	if (sqlite3_open_v2(sbuf_str(&uri), &db, SQLITE_OPEN_READONLY |
	    SQLITE_OPEN_URI, NULL) == SQLITE_OK &&
	    sqlite3_prepare_v2(db, "SELECT id FROM client", -1, &s,
	    NULL) == SQLITE_OK && sqlite3_step(s) == SQLITE_ROW) {
		const char *have = (const char *)sqlite3_column_text(s, 0);

		if (have != NULL && strcmp(have, id) != 0) {
			diag_set(d, "the state belongs to client \"%s\", not "
			    "\"%s\" (the config's client.id): it is another "
			    "client's file", have, id);
			rc = -1;
		}
	}
	/* Anything else (not a database, no client table yet) is for
	 * state_open to judge. */
	sqlite3_finalize(s);
	sqlite3_close(db);
	sbuf_free(&uri);
	return rc;
}

int
state_client(struct state *st, const char *id, struct diag *d)
{
	st->client_id = NULL;
	if (id == NULL)
		return 0;
	if (same_client(st, id, d) != 0)
		return -1;
	st->client_id = id;
	return 0;
}

int
state_begin(struct state *st, struct diag *d)
{
	sqlite3_stmt *s;
	char now[32];
	int rc;

	if (state_exec(st, "BEGIN IMMEDIATE", d) != 0)
		return -1;
	if (st->client_id == NULL)
		return 0;
	/* Under the write lock: checked again (another run may have
	 * recorded an id since the open), and recorded by the first run
	 * that writes, in its own transaction. */
	if (same_client(st, st->client_id, d) != 0)
		goto fail;
	s = state_prepare(st, "INSERT INTO client (one, id, recorded_at) "
	    "SELECT 1, ?, ? WHERE NOT EXISTS (SELECT 1 FROM client)", d);
	if (s == NULL)
		goto fail;
	state_now(now);
	sqlite3_bind_text(s, 1, st->client_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, now, -1, SQLITE_TRANSIENT);
	rc = sqlite3_step(s);
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE) {
		state_error(st, d, "recording the state's client id");
		goto fail;
	}
	return 0;
fail:
	state_exec(st, "ROLLBACK", NULL);
	return -1;
}

int
state_commit(struct state *st, struct diag *d)
{
	if (state_exec(st, "COMMIT", d) != 0) {
		diag_prefix(d, "committing");
		return -1;
	}
	return 0;
}

void
state_rollback(struct state *st)
{
	if (st->db && !sqlite3_get_autocommit(st->db))
		state_exec(st, "ROLLBACK", NULL);
}

void
state_now(char buf[32])
{
	const char *pin = getenv("CREDITKIT_NOW");
	time_t t;
	struct tm tm;

	if (pin != NULL && *pin != '\0') {
		snprintf(buf, 32, "%s", pin);
		return;
	}
	t = time(NULL);
	gmtime_r(&t, &tm);
	strftime(buf, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

int
state_batch_begin(struct state *st, const char *kind, const char *file_name,
    const char *sha256, int32_t as_of, int snapshot, struct diag *d)
{
	char now[32];
	sqlite3_stmt *s;
	int rc;

	s = state_prepare(st, "INSERT INTO batch (kind, tool, file_name, "
	    "sha256, as_of, snapshot, started_at) VALUES (?,?,?,?,?,?,?)", d);
	if (s == NULL)
		return -1;
	state_now(now);
	sqlite3_bind_text(s, 1, kind, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, st->tool, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, file_name, -1, SQLITE_STATIC);
	if (sha256)
		sqlite3_bind_text(s, 4, sha256, -1, SQLITE_STATIC);
	sqlite3_bind_int(s, 5, as_of);
	sqlite3_bind_int(s, 6, snapshot);
	sqlite3_bind_text(s, 7, now, -1, SQLITE_TRANSIENT);
	rc = sqlite3_step(s);
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE)
		return state_error(st, d, "recording the batch");
	st->batch_id = sqlite3_last_insert_rowid(st->db);
	return 0;
}

int
state_batch_finish(struct state *st, const struct batch_counts *c,
    struct diag *d)
{
	char now[32];
	sqlite3_stmt *s;
	int rc;

	s = state_prepare(st, "UPDATE batch SET finished_at = ?, "
	    "rows_read = ?, rows_ingested = ?, rows_updated = ?, "
	    "rows_unchanged = ?, rows_rejected = ?, rows_closed = ? "
	    "WHERE id = ?", d);
	if (s == NULL)
		return -1;
	state_now(now);
	sqlite3_bind_text(s, 1, now, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(s, 2, c->read);
	sqlite3_bind_int64(s, 3, c->ingested);
	sqlite3_bind_int64(s, 4, c->updated);
	sqlite3_bind_int64(s, 5, c->unchanged);
	sqlite3_bind_int64(s, 6, c->rejected);
	sqlite3_bind_int64(s, 7, c->closed);
	sqlite3_bind_int64(s, 8, st->batch_id);
	rc = sqlite3_step(s);
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE)
		return state_error(st, d, "finishing the batch");
	return 0;
}

int
state_batch_seen(struct state *st, const char *kind, const char *sha256,
    struct diag *d)
{
	sqlite3_stmt *s;
	int rc;

	s = state_prepare(st, "SELECT 1 FROM batch WHERE kind = ? AND "
	    "sha256 = ? AND finished_at IS NOT NULL LIMIT 1", d);
	if (s == NULL)
		return -1;
	sqlite3_bind_text(s, 1, kind, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, sha256, -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	sqlite3_finalize(s);
	if (rc == SQLITE_ROW)
		return 1;
	if (rc == SQLITE_DONE)
		return 0;
	return state_error(st, d, "looking up earlier batches");
}

int
state_audit(struct state *st, const char *action, const char *entity,
    int64_t entity_id, const char *detail, struct diag *d)
{
	char now[32];
	const char *actor = getenv("CREDITKIT_ACTOR");
	sqlite3_stmt *s;
	int rc;

	if (actor == NULL || *actor == '\0')
		actor = getenv("USER");
	s = state_prepare(st, "INSERT INTO audit (at, tool, actor, action, "
	    "entity, entity_id, batch_id, detail) VALUES (?,?,?,?,?,?,?,?)",
	    d);
	if (s == NULL)
		return -1;
	state_now(now);
	sqlite3_bind_text(s, 1, now, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(s, 2, st->tool, -1, SQLITE_STATIC);
	if (actor)
		sqlite3_bind_text(s, 3, actor, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 4, action, -1, SQLITE_STATIC);
	if (entity)
		sqlite3_bind_text(s, 5, entity, -1, SQLITE_STATIC);
	if (entity_id)
		sqlite3_bind_int64(s, 6, entity_id);
	if (st->batch_id)
		sqlite3_bind_int64(s, 7, st->batch_id);
	if (detail)
		sqlite3_bind_text(s, 8, detail, -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE)
		return state_error(st, d, "writing the audit trail");
	return 0;
}

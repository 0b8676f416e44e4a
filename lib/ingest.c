/*
 * ingest: client exports of open items into the state.
 *
 * The flow of one file: records come from csvin; the first record that
 * itemmap recognises as a header ends the title rows; if the date order is
 * not configured, records are held back until the date columns have been
 * sniffed to one order; then each row is normalised (or rejected whole,
 * with the field that is wrong), de-duplicated against the rows of the
 * same file, and written to the state: new items inserted, changed ones
 * updated with the change recorded, unchanged ones left alone.  Every
 * change to an item's open amount is a dated settlement, so a past day can
 * be replayed from the state.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "calendar.h"
#include "csvin.h"
#include "hmap.h"
#include "ingest.h"
#include "itemmap.h"
#include "sha256.h"
#include "tsv.h"
#include "util.h"

/* How many records may stand before the header (QuickBooks has four). */
#define MAX_TITLE_ROWS 30
/* How many rows are held back while the date order is still open; a file
 * still ambiguous past this asks for --date-format. */
#define MAX_SNIFF_ROWS 100000

/* DOC_BY_SIGN (a journal entry) and DOC_REFUND (money paid out to the
 * debtor) are read from an export only: normalise makes them a debit
 * or credit note. */
enum doc_type { DOC_INVOICE, DOC_CREDIT, DOC_DEBIT, DOC_PAYMENT,
    DOC_BY_SIGN, DOC_REFUND };
static const char *const doc_type_names[] = {
	"invoice", "credit_note", "debit_note", "payment"
};

/* One row, normalised; strings point into the record or into sbufs. */
struct row {
	const char *debtor_ref, *debtor_name, *debtor_type;
	int name_given, type_given;	/* from the file, not defaults */
	const char *doc_id;
	enum doc_type type;
	int32_t issue, due, settled;
	int has_settled;
	char currency[4];
	int digits;
	int64_t amount, open;	/* open: what the export says is open */
	int disputed;
	const char *email, *phone, *address, *language, *country;
	const char *time_zone, *segment, *chase_path;
	uint64_t hash;
};

/* A record copied out of csvin, for rows held back while sniffing. */
struct held {
	size_t nfields;
	char **fields;
	size_t *lens;
	long line, last_line;
	char *raw;
	size_t rawlen;
};

struct ingest_run {
	struct state *st;
	const struct ingest_opts *o;
	struct hmap *debtors;		/* ref -> debtor id, seen this run */
	unsigned char *seen;		/* item ids listed, for --snapshot */
	int64_t max_item_at_start;
	/* line_of[item id]: the line of the current file that listed the
	 * item, 0 if none yet; finds a document listed twice in one file
	 * without a map of every document number. */
	uint32_t *line_of;
	uint16_t *file_of;		/* and which file of the run */
	size_t line_cap;
	char **file_names;		/* the run's files, for messages */
	size_t nfiles;
	int unidentified_rejects;	/* rejected rows with no doc id */
	/* Documents whose number starts with 0, by the number without its
	 * leading zeros (built at the first new row), and a statement for
	 * one by id: the twin of a number a spreadsheet stripped. */
	struct hmap *padded;
	sqlite3_stmt *twin_item;
	struct sbuf twin;		/* the twin's number, for the message */
	int stream_header_done;
	size_t stream_nextra;		/* extra columns of the stream */
	char **stream_extra;
	/* Indexes dropped for a load into an empty state, made again from
	 * their own SQL when the run ends (deferred_sql[i]). */
	char **deferred_sql;
	size_t ndeferred;
	sqlite3_stmt *ins_item, *find_item, *upd_item, *ins_settle,
	    *ins_change, *find_debtor, *ins_debtor, *upd_debtor, *debtor_ref,
	    *del_debtor, *bureau;
	struct sbuf attrs, tmp, name, norm, synth, line, addr;
};

/* Per-file state. */
struct file_ctx {
	const char *name;
	struct itemmap map;
	int mapped;
	enum date_order order;
	struct batch_counts *c;
	int rejects_header_done;
	char *raw_header;
	size_t raw_header_len;
	int delim;			/* csvin's, once the header is read */
	struct hmap *synth;		/* made-up payment ids, per file */
};

static int
prep(struct ingest_run *r, sqlite3_stmt **s, const char *sql,
    struct diag *d)
{
	*s = state_prepare(r->st, sql, d);
	return *s ? 0 : -1;
}

/*
 * defer_indexes: when the state holds no item and no settlement, the
 * secondary indexes of both tables are dropped and made again at the end
 * of the run (ingest_finish), inside the same transaction: SQLite builds
 * an index from sorted keys several times faster than it inserts them one
 * by one, and a first load is millions of rows.  Only indexes with their
 * own SQL are dropped; doc_id's UNIQUE, which finds a document listed
 * twice, stays.  While they are away nothing of the run reads by them:
 * every item is new, so the paths that look up an item's settlements or
 * a debtor's items are not taken.
 */
static int
defer_indexes(struct ingest_run *r, struct diag *d)
{
	sqlite3_stmt *s;
	int rc, empty;

	s = state_prepare(r->st, "SELECT NOT EXISTS (SELECT 1 FROM item) AND "
	    "NOT EXISTS (SELECT 1 FROM settlement)", d);
	if (s == NULL)
		return -1;
	rc = sqlite3_step(s);
	empty = rc == SQLITE_ROW && sqlite3_column_int(s, 0);
	sqlite3_finalize(s);
	if (rc != SQLITE_ROW)
		return state_error(r->st, d, "reading the items");
	if (!empty)
		return 0;
	s = state_prepare(r->st, "SELECT name, sql FROM sqlite_schema WHERE "
	    "type = 'index' AND (tbl_name = 'item' OR tbl_name = "
	    "'settlement') AND sql IS NOT NULL ORDER BY name", d);
	if (s == NULL)
		return -1;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct sbuf drop = { 0 };

		/* The drop, then the index's own definition. */
		r->deferred_sql = xreallocarray(r->deferred_sql,
		    r->ndeferred + 2, sizeof *r->deferred_sql);
		sbuf_addf(&drop, "DROP INDEX \"%s\"",
		    (const char *)sqlite3_column_text(s, 0));
		r->deferred_sql[r->ndeferred++] = xstrdup(sbuf_str(&drop));
		sbuf_free(&drop);
		r->deferred_sql[r->ndeferred++] = xstrdup(
		    (const char *)sqlite3_column_text(s, 1));
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE)
		return state_error(r->st, d, "reading the schema");
	for (size_t i = 0; i < r->ndeferred; i += 2)
		if (state_exec(r->st, r->deferred_sql[i], d) != 0)
			return -1;
	return 0;
}

/* restore_indexes: what defer_indexes dropped, made again. */
static int
restore_indexes(struct ingest_run *r, struct diag *d)
{
	/* The index builds sort their keys in temporary files: on disk,
	 * not in memory as the connection has them, and in runs of 32 MiB,
	 * or the sort of 5M keys beside a full page cache took 586 MiB
	 * (379 MiB so, with the same CPU time). */
	if (r->ndeferred > 0 && state_exec(r->st, "PRAGMA temp_store = FILE;"
	    "PRAGMA cache_size = -32768", d) != 0)
		return -1;
	for (size_t i = 1; i < r->ndeferred; i += 2)
		if (state_exec(r->st, r->deferred_sql[i], d) != 0) {
			diag_prefix(d, "making the indexes");
			return -1;
		}
	/* And back to state_open's settings. */
	if (r->ndeferred > 0 && state_exec(r->st, "PRAGMA temp_store = MEMORY;"
	    "PRAGMA cache_size = -262144", d) != 0)
		return -1;
	for (size_t i = 0; i < r->ndeferred; i++)
		free(r->deferred_sql[i]);
	free(r->deferred_sql);
	r->deferred_sql = NULL;
	r->ndeferred = 0;
	return 0;
}

struct ingest_run *
ingest_begin(struct state *st, const struct ingest_opts *o, struct diag *d)
{
	struct ingest_run *r = xcalloc(1, sizeof *r);
	sqlite3_stmt *s;

	r->st = st;
	r->o = o;
	r->debtors = hmap_new();
	/* Before the statements are prepared: a schema change would make
	 * each of them prepare again. */
	if (defer_indexes(r, d) != 0) {
		ingest_free(r);
		return NULL;
	}
	if (prep(r, &r->ins_item, "INSERT INTO item (debtor_id, issue_date, "
	    "due_date, amount, open_amount, closed_date, in_query, currency, "
	    "doc_type, doc_id, closed_reason, row_hash, attrs, batch_id) "
	    "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?) "
	    "ON CONFLICT (doc_id) DO NOTHING", d) ||
	    /* Column 12: whether the row's other columns (?2, JSON) add
	     * nothing to what the item has; 13: what it has. */
	    prep(r, &r->find_item, "SELECT id, row_hash, debtor_id, "
	    "issue_date, due_date, amount, open_amount, closed_date, "
	    "in_query, currency, doc_type, closed_reason, "
	    "CASE WHEN ?2 IS NULL THEN 1 "
	    "ELSE coalesce(json_patch(attrs, ?2) = attrs, 0) END, attrs "
	    "FROM item WHERE doc_id = ?1", d) ||
	    /* The same parameters as ins_item, so one binder serves. */
	    prep(r, &r->upd_item, "UPDATE item SET debtor_id = ?1, "
	    "issue_date = ?2, due_date = ?3, amount = ?4, open_amount = ?5, "
	    "closed_date = ?6, in_query = ?7, currency = ?8, doc_type = ?9, "
	    "closed_reason = ?11, row_hash = ?12, "
	    /* An export without the other columns keeps what an earlier one
	     * gave; one with them adds or replaces keys. */
	    "attrs = CASE WHEN ?13 IS NULL THEN attrs WHEN attrs IS NULL "
	    "THEN ?13 ELSE json_patch(attrs, ?13) END, "
	    "updated_batch_id = ?14 WHERE doc_id = ?10", d) ||
	    prep(r, &r->ins_settle, "INSERT INTO settlement (item_id, date, "
	    "amount, kind, batch_id, date_known) VALUES (?,?,?,?,?,?)", d) ||
	    prep(r, &r->ins_change, "INSERT INTO item_change (item_id, "
	    "batch_id, field, old_value, new_value) VALUES (?,?,?,?,?)", d) ||
	    prep(r, &r->find_debtor, "SELECT id FROM debtor WHERE ref = ?",
	    d) ||
	    prep(r, &r->ins_debtor, "INSERT INTO debtor (ref, name, type, "
	    "email, phone, address, language, country, batch_id, "
	    "time_zone, segment, chase_path) "
	    "VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12)", d) ||
	    /* The same parameters as ins_debtor, NULL for what the file
	     * does not say: an export without names or types keeps what
	     * an earlier one gave, and a debtor nothing changed keeps its
	     * batch. */
	    prep(r, &r->upd_debtor, "UPDATE debtor SET "
	    "name = coalesce(?2, name), type = coalesce(?3, type), "
	    "email = coalesce(?4, email), phone = coalesce(?5, phone), "
	    "address = coalesce(?6, address), "
	    "language = coalesce(?7, language), "
	    "country = coalesce(?8, country), "
	    "time_zone = coalesce(?10, time_zone), "
	    "segment = coalesce(?11, segment), "
	    "chase_path = coalesce(?12, chase_path), updated_batch_id = ?9 "
	    "WHERE ref = ?1 AND (coalesce(?2, name) IS NOT name OR "
	    "coalesce(?3, type) IS NOT type OR "
	    "coalesce(?4, email) IS NOT email OR "
	    "coalesce(?5, phone) IS NOT phone OR "
	    "coalesce(?6, address) IS NOT address OR "
	    "coalesce(?7, language) IS NOT language OR "
	    "coalesce(?8, country) IS NOT country OR "
	    "coalesce(?10, time_zone) IS NOT time_zone OR "
	    "coalesce(?11, segment) IS NOT segment OR "
	    "coalesce(?12, chase_path) IS NOT chase_path)", d) ||
	    prep(r, &r->debtor_ref, "SELECT ref FROM debtor WHERE id = ?",
	    d) ||
	    prep(r, &r->del_debtor, "DELETE FROM debtor WHERE id = ?1 AND "
	    "NOT EXISTS (SELECT 1 FROM item WHERE debtor_id = ?1)", d) ||
	    prep(r, &r->bureau, "SELECT coalesce(sum(amount), 0) FROM "
	    "settlement WHERE item_id = ? AND payment_id IS NOT NULL", d) ||
	    prep(r, &r->twin_item, "SELECT doc_id, debtor_id, issue_date, "
	    "amount, currency FROM item WHERE id = ?", d)) {
		ingest_free(r);
		return NULL;
	}
	if (o->snapshot) {
		s = state_prepare(st, "SELECT coalesce(max(id), 0) FROM item",
		    d);
		if (s == NULL || sqlite3_step(s) != SQLITE_ROW) {
			sqlite3_finalize(s);
			state_error(st, d, "reading the items");
			ingest_free(r);
			return NULL;
		}
		r->max_item_at_start = sqlite3_column_int64(s, 0);
		sqlite3_finalize(s);
		r->seen = xcalloc((size_t)r->max_item_at_start + 1, 1);
	}
	return r;
}

void
ingest_free(struct ingest_run *r)
{
	if (r == NULL)
		return;
	sqlite3_finalize(r->ins_item);
	sqlite3_finalize(r->find_item);
	sqlite3_finalize(r->upd_item);
	sqlite3_finalize(r->ins_settle);
	sqlite3_finalize(r->ins_change);
	sqlite3_finalize(r->find_debtor);
	sqlite3_finalize(r->ins_debtor);
	sqlite3_finalize(r->upd_debtor);
	sqlite3_finalize(r->debtor_ref);
	sqlite3_finalize(r->del_debtor);
	sqlite3_finalize(r->bureau);
	sqlite3_finalize(r->twin_item);
	hmap_free(r->padded);
	sbuf_free(&r->twin);
	hmap_free(r->debtors);
	free(r->seen);
	free(r->line_of);
	free(r->file_of);
	for (size_t i = 0; i < r->nfiles; i++)
		free(r->file_names[i]);
	free(r->file_names);
	for (size_t i = 0; i < r->stream_nextra; i++)
		free(r->stream_extra[i]);
	free(r->stream_extra);
	sbuf_free(&r->attrs);
	sbuf_free(&r->tmp);
	sbuf_free(&r->name);
	sbuf_free(&r->norm);
	sbuf_free(&r->synth);
	sbuf_free(&r->line);
	sbuf_free(&r->addr);
	for (size_t i = 0; i < r->ndeferred; i++)
		free(r->deferred_sql[i]);
	free(r->deferred_sql);
	free(r);
}

/* line_of: the slot of item id, the arrays grown to hold it. */
static uint32_t *
line_of(struct ingest_run *r, int64_t id)
{
	size_t want = (size_t)id + 1;

	if (want > r->line_cap) {
		size_t cap = r->line_cap ? r->line_cap : 4096;

		while (cap < want)
			cap *= 2;
		r->line_of = xreallocarray(r->line_of, cap,
		    sizeof *r->line_of);
		memset(r->line_of + r->line_cap, 0,
		    (cap - r->line_cap) * sizeof *r->line_of);
		r->file_of = xreallocarray(r->file_of, cap,
		    sizeof *r->file_of);
		memset(r->file_of + r->line_cap, 0,
		    (cap - r->line_cap) * sizeof *r->file_of);
		r->line_cap = cap;
	}
	return &r->line_of[id];
}

/* listed: the item is on line `line` of the run's current file. */
static void
listed(struct ingest_run *r, int64_t id, long line)
{
	*line_of(r, id) = (uint32_t)line;
	/* Past 65535 files the file named in a message may be wrong; the
	 * line and the refusal are not. */
	r->file_of[id] = (uint16_t)(r->nfiles > UINT16_MAX ? UINT16_MAX :
	    r->nfiles);
}

/* ---- payment terms ---- */

int
ingest_terms_due(const char *terms, int32_t issue, int32_t *due)
{
	struct sbuf k = { 0 };
	const char *s;
	long long days = 0;
	const char *errstr;
	int eom = 0, rc = -1;

	/* Terms count forward; "-5" must not read as 5 days. */
	if (strchr(terms, '-') != NULL)
		return -1;
	/* Normalised: "EOM + 30" -> "eom30", "Net 30 days" -> "net30days". */
	util_norm_key(terms, &k);
	s = sbuf_str(&k);
	if (strncmp(s, "endofmonth", 10) == 0) {
		eom = 1;
		s += 10;
	} else if (strncmp(s, "eom", 3) == 0) {
		eom = 1;
		s += 3;
	} else if (strncmp(s, "net", 3) == 0) {
		s += 3;
	}
	if (*s == '\0' && eom) {
		days = 0;
	} else {
		char num[16];
		size_t n = 0;

		while (s[n] >= '0' && s[n] <= '9' && n < sizeof num - 1) {
			num[n] = s[n];
			n++;
		}
		num[n] = '\0';
		if (n == 0 || (strcmp(s + n, "") != 0 &&
		    strcmp(s + n, "days") != 0 && strcmp(s + n, "d") != 0))
			goto out;
		if (util_strtonum(num, 0, 3650, &days, &errstr) != 0)
			goto out;
	}
	*due = (eom ? date_end_of_month(issue) : issue) + (int32_t)days;
	rc = 0;
out:
	sbuf_free(&k);
	return rc;
}

/* ---- row normalisation ---- */

static const char *
field(const struct file_ctx *f, char *const *fields, size_t nfields,
    enum item_field which)
{
	int i = f->map.col[which];

	if (i < 0 || (size_t)i >= nfields)
		return "";
	return fields[i];
}

/* A cell with nothing but spaces counts as empty. */
static int
blank(const char *s)
{
	size_t n = strlen(s);

	util_trim(s, &n);
	return n == 0;
}

/*
 * postal_address: the debtor's address, its parts (street, second line,
 * city, region, postcode) one a line, as a letter's window shows it; an
 * export with one address column gives that column as it is.
 */
static const char *
postal_address(struct ingest_run *r, const struct file_ctx *f,
    char *const *fields, size_t nfields)
{
	static const enum item_field parts[] = {
		F_ADDRESS, F_ADDRESS_LINE2, F_CITY, F_REGION, F_POSTCODE
	};
	size_t i, nparts = 0;

	for (i = 1; i < sizeof parts / sizeof parts[0]; i++)
		nparts += f->map.col[parts[i]] >= 0;
	if (nparts == 0)
		return field(f, fields, nfields, F_ADDRESS);
	sbuf_reset(&r->addr);
	for (i = 0; i < sizeof parts / sizeof parts[0]; i++) {
		const char *s = field(f, fields, nfields, parts[i]);
		size_t n = strlen(s);

		s = util_trim(s, &n);
		if (n == 0)
			continue;
		if (r->addr.len > 0)
			sbuf_addc(&r->addr, '\n');
		sbuf_add(&r->addr, s, n);
	}
	return sbuf_str(&r->addr);
}

/* The names of the config's input.types values. */
static int
doc_type_from_name(const char *name, enum doc_type *t)
{
	static const char *const names[] = { "invoice", "credit_note",
	    "debit_note", "payment", "by_sign", "refund" };

	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
		if (strcmp(name, names[i]) == 0) {
			*t = (enum doc_type)i;
			return 0;
		}
	return -1;
}

int
ingest_doc_type_known(const char *name)
{
	enum doc_type t;

	return doc_type_from_name(name, &t) == 0;
}

/*
 * parse_doc_type: the client's own codes (input.types) first, then the
 * names and codes of common systems: UBL's 380/381/383, Xero's ACCREC,
 * QuickBooks' Statement Charge, Journal Entry and Refund, ERPNext's
 * Payment Entry and Journal Entry, and Sage's transaction codes (SI
 * invoice, SC credit, SD discount, SR receipt, SA payment on account, SP
 * a payment made to the customer, which is a debit).
 */
static int
parse_doc_type(const struct ingest_opts *o, const char *s, enum doc_type *t)
{
	static const struct {
		const char *key;
		enum doc_type t;
	} names[] = {
		{ "invoice", DOC_INVOICE }, { "inv", DOC_INVOICE },
		{ "taxinvoice", DOC_INVOICE }, { "salesinvoice", DOC_INVOICE },
		{ "accrec", DOC_INVOICE }, { "380", DOC_INVOICE },
		{ "creditnote", DOC_CREDIT }, { "creditmemo", DOC_CREDIT },
		{ "credit", DOC_CREDIT }, { "cn", DOC_CREDIT },
		{ "crn", DOC_CREDIT }, { "salescreditnote", DOC_CREDIT },
		{ "accreccredit", DOC_CREDIT }, { "381", DOC_CREDIT },
		{ "debitnote", DOC_DEBIT }, { "debitmemo", DOC_DEBIT },
		{ "dn", DOC_DEBIT }, { "383", DOC_DEBIT },
		{ "payment", DOC_PAYMENT }, { "receipt", DOC_PAYMENT },
		{ "unappliedpayment", DOC_PAYMENT },
		{ "unappliedcash", DOC_PAYMENT },
		{ "paymentonaccount", DOC_PAYMENT },
		{ "paymententry", DOC_PAYMENT },
		{ "statementcharge", DOC_DEBIT },
		{ "journalentry", DOC_BY_SIGN }, { "journal", DOC_BY_SIGN },
		{ "refund", DOC_REFUND },
		{ "si", DOC_INVOICE }, { "sc", DOC_CREDIT },
		{ "sd", DOC_CREDIT }, { "sr", DOC_PAYMENT },
		{ "sa", DOC_PAYMENT }, { "sp", DOC_REFUND },
	};
	struct sbuf k = { 0 }, c = { 0 };
	int rc = -1;

	util_norm_key(s, &k);
	for (size_t i = 0; i < o->ntypes && rc != 0; i++) {
		util_norm_key(o->type_code[i], &c);
		if (strcmp(sbuf_str(&k), sbuf_str(&c)) == 0 &&
		    doc_type_from_name(o->type_name[i], t) == 0)
			rc = 0;
	}
	sbuf_free(&c);
	for (size_t i = 0; rc != 0 && i < sizeof names / sizeof names[0];
	    i++) {
		if (strcmp(sbuf_str(&k), names[i].key) == 0) {
			*t = names[i].t;
			rc = 0;
			break;
		}
	}
	sbuf_free(&k);
	return rc;
}

static const char *
parse_debtor_type(const char *s)
{
	struct sbuf k = { 0 };
	const char *t = NULL, *key;

	util_norm_key(s, &k);
	key = sbuf_str(&k);
	if (!strcmp(key, "business") || !strcmp(key, "company") ||
	    !strcmp(key, "b2b") || !strcmp(key, "organisation") ||
	    !strcmp(key, "organization") || !strcmp(key, "publicbody"))
		t = "business";
	else if (!strcmp(key, "soletrader") || !strcmp(key, "sole") ||
	    !strcmp(key, "soleproprietor") || !strcmp(key, "partnership"))
		t = "sole_trader";
	else if (!strcmp(key, "consumer") || !strcmp(key, "individual") ||
	    !strcmp(key, "private") || !strcmp(key, "b2c") ||
	    !strcmp(key, "person"))
		t = "consumer";
	sbuf_free(&k);
	return t;
}

static int
parse_flag(const char *s, int *out)
{
	static const char *const yes[] = { "yes", "y", "true", "1", "x",
	    "disputed", "inquery" };
	static const char *const no[] = { "no", "n", "false", "0", "" };
	struct sbuf k = { 0 };
	int rc = -1;

	util_norm_key(s, &k);
	for (size_t i = 0; i < sizeof yes / sizeof yes[0]; i++)
		if (strcmp(sbuf_str(&k), yes[i]) == 0) {
			*out = 1;
			rc = 0;
		}
	for (size_t i = 0; i < sizeof no / sizeof no[0]; i++)
		if (strcmp(sbuf_str(&k), no[i]) == 0) {
			*out = 0;
			rc = 0;
		}
	sbuf_free(&k);
	return rc;
}

static int
parse_date_field(const struct file_ctx *f, const char *s,
    enum item_field which, int32_t *out, struct diag *d)
{
	if (date_parse(s, f->order, out, d) != 0) {
		diag_prefix(d, "field \"%s\"", itemmap_field_name(which));
		return -1;
	}
	return 0;
}

static int
parse_amount(const struct ingest_run *r, const char *s, int digits,
    enum item_field which, int64_t *out, char ccy[4], struct diag *d)
{
	if (money_parse(s, strlen(s), digits, r->o->decimal, out, ccy, d)) {
		diag_prefix(d, "field \"%s\"", itemmap_field_name(which));
		return -1;
	}
	return 0;
}

static uint64_t
fnv1a(uint64_t h, const void *p, size_t n)
{
	const unsigned char *s = p;

	for (size_t i = 0; i < n; i++) {
		h ^= s[i];
		h *= 0x100000001b3ULL;
	}
	return h;
}

static uint64_t
hash_str(uint64_t h, const char *s)
{
	h = fnv1a(h, s ? s : "", s ? strlen(s) : 0);
	return fnv1a(h, "\x1f", 1);
}

static uint64_t
hash_int(uint64_t h, int64_t v)
{
	return fnv1a(h, &v, sizeof v);
}

/*
 * normalise: the record as a row, or -1 with d naming the field.
 * Title, section and total rows never get here.
 */
/*
 * synth_doc_id: a number for a payment the export lists without one,
 * made of what it is (debtor, date, amount), so the same export gives it
 * the same number every time; a second such payment in one file gets
 * "-2", and so on.
 */
static void
synth_doc_id(struct ingest_run *r, struct file_ctx *f, struct row *w)
{
	char day[DATE_BUFSZ], amt[MONEY_BUFSZ];
	int64_t *n;

	if (f->synth == NULL)
		f->synth = hmap_new();
	sbuf_reset(&r->synth);
	sbuf_addf(&r->synth, "PAY-%s-%s-%s", w->debtor_ref,
	    date_format(w->issue, day), money_format(w->amount < 0 ?
	    -w->amount : w->amount, w->digits, amt));
	n = hmap_put(f->synth, r->synth.buf, r->synth.len, NULL);
	if (++*n > 1)
		sbuf_addf(&r->synth, "-%lld", (long long)*n);
	w->doc_id = sbuf_str(&r->synth);
}

static int
normalise(struct ingest_run *r, struct file_ctx *f, char *const *fields,
    size_t nfields, struct row *w, struct diag *d)
{
	/* A value in a message is quoted and escaped: what prints as
	 * nothing must not make a bad value look right. */
	char qbuf[64];
#define Q(v) util_quote((v), strlen(v), qbuf, sizeof qbuf)
	const struct ingest_opts *o = r->o;
	const char *s, *amount_s, *open_s, *paid_s;
	char found[4] = "", found2[4] = "";
	int64_t paid;
	int reparsed = 0;
	uint64_t h;

	memset(w, 0, sizeof *w);
	w->doc_id = field(f, fields, nfields, F_DOC_ID);
	if (blank(w->doc_id)) {
		enum doc_type t;

		/* QuickBooks lists a payment not yet applied with no number;
		 * it gets one made from what it is (below). */
		s = field(f, fields, nfields, F_DOC_TYPE);
		if (blank(s) || parse_doc_type(o, s, &t) != 0 ||
		    t != DOC_PAYMENT) {
			diag_set(d, "field \"doc_id\": empty");
			return -1;
		}
		w->doc_id = NULL;
	}
	w->debtor_ref = field(f, fields, nfields, F_DEBTOR_ID);
	w->debtor_name = field(f, fields, nfields, F_DEBTOR_NAME);
	/* Exports that name debtors but give no code (Xero, QuickBooks):
	 * the name is the code. */
	if (blank(w->debtor_ref))
		w->debtor_ref = w->debtor_name;
	if (blank(w->debtor_ref)) {
		diag_set(d, "field \"debtor_id\": empty (and no debtor name)");
		return -1;
	}
	w->name_given = !blank(w->debtor_name);
	if (!w->name_given)
		w->debtor_name = w->debtor_ref;

	s = field(f, fields, nfields, F_DEBTOR_TYPE);
	w->type_given = !blank(s);
	if (blank(s)) {
		w->debtor_type = o->debtor_type ? o->debtor_type : "business";
	} else if ((w->debtor_type = parse_debtor_type(s)) == NULL) {
		diag_set(d, "field \"debtor_type\": %s is not business, "
		    "sole_trader or consumer", Q(s));
		return -1;
	}

	/* The currency first: it decides the minor digits. */
	s = field(f, fields, nfields, F_CURRENCY);
	if (!blank(s)) {
		size_t n = strlen(s);
		const char *t = util_trim(s, &n);

		if (n != 3) {
			diag_set(d, "field \"currency\": %s is not an "
			    "ISO 4217 code", Q(s));
			return -1;
		}
		for (int i = 0; i < 3; i++) {
			char c = t[i];

			w->currency[i] = c >= 'a' && c <= 'z' ?
			    (char)(c - 'a' + 'A') : c;
		}
		if (!money_is_currency(w->currency)) {
			diag_set(d, "field \"currency\": %s is not an "
			    "ISO 4217 code", Q(s));
			return -1;
		}
	} else {
		memcpy(w->currency, o->currency, 4);
	}
	w->digits = money_minor_digits(w->currency);

	amount_s = field(f, fields, nfields, F_AMOUNT);
	open_s = field(f, fields, nfields, F_OPEN_AMOUNT);
	paid_s = field(f, fields, nfields, F_PAID_AMOUNT);
	if (blank(amount_s) && blank(open_s)) {
		diag_set(d, "field \"amount\": empty");
		return -1;
	}
reparse:
	found[0] = found2[0] = '\0';
	if (!blank(amount_s)) {
		if (parse_amount(r, amount_s, w->digits, F_AMOUNT, &w->amount,
		    found, d))
			return -1;
	}
	if (!blank(open_s)) {
		if (parse_amount(r, open_s, w->digits, F_OPEN_AMOUNT, &w->open,
		    found2, d))
			return -1;
		if (blank(amount_s))
			w->amount = w->open;
	} else if (!blank(paid_s)) {
		if (parse_amount(r, paid_s, w->digits, F_PAID_AMOUNT, &paid,
		    found2, d))
			return -1;
		if (money_add(w->amount, -paid, &w->open) != 0) {
			diag_set(d, "field \"paid_amount\": too large");
			return -1;
		}
	} else {
		w->open = w->amount;
	}
	/*
	 * An amount written "JPY 1600" or "€10.00" must agree with the
	 * row's currency.  With no currency column and no currency the
	 * client chose (--currency, client.currency), the code in the
	 * amount is the item's currency, read again with its minor
	 * digits.  "$" fits any dollar and "¥" JPY or CNY, but neither
	 * says which.
	 */
	for (int k = 0; k < 2; k++) {
		const char *got = k == 0 ? found : found2;
		const char *col = k == 0 ? "amount" : blank(open_s) ?
		    "paid_amount" : "open_amount";

		if (got[0] == '\0' || money_symbol_fits(got, w->currency))
			continue;
		if (!reparsed && money_is_currency(got) &&
		    !o->currency_given &&
		    blank(field(f, fields, nfields, F_CURRENCY))) {
			memcpy(w->currency, got, 4);
			w->digits = money_minor_digits(w->currency);
			reparsed = 1;
			goto reparse;
		}
		if (money_is_currency(got))
			diag_set(d, "field \"%s\": written in %s but the "
			    "currency is %s", col, got, w->currency);
		else
			diag_set(d, "field \"%s\": \"%s\" is not written "
			    "for %s (%s%s)", col, got, w->currency,
			    got[0] == '$' ? "$ is a dollar or peso: USD, CAD, "
			    "AUD, ..." : "\xc2\xa5 is JPY or CNY",
			    blank(field(f, fields, nfields, F_CURRENCY)) ?
			    "; give the currency with --currency" : "");
		return -1;
	}

	s = field(f, fields, nfields, F_DOC_TYPE);
	if (blank(s)) {
		w->type = w->amount < 0 ? DOC_CREDIT : DOC_INVOICE;
	} else if (parse_doc_type(o, s, &w->type) != 0) {
		diag_set(d, "field \"doc_type\": %s is not an invoice, "
		    "credit note, debit note or payment", Q(s));
		return -1;
	}
	/* A document listed by what is open alone (ERPNext's standalone
	 * credit note and payment entry: invoiced 0.00, outstanding
	 * -250.00) is of that amount. */
	if (w->amount == 0 && w->open != 0)
		w->amount = w->open;
	/* A journal entry is a debit or a credit by its sign; a refund paid
	 * out to the debtor is a debit (it uses up their credit). */
	if (w->type == DOC_BY_SIGN)
		w->type = w->amount < 0 ? DOC_CREDIT : DOC_DEBIT;
	if (w->type == DOC_REFUND) {
		w->type = DOC_DEBIT;
		if (w->amount < 0)
			w->amount = -w->amount;
		if (w->open < 0)
			w->open = -w->open;
	}
	/* A negative amount is a credit note; credit notes and receipts are
	 * held negative whatever sign the export wrote them with (UBL
	 * credit notes are positive). */
	if (w->type == DOC_INVOICE && w->amount < 0)
		w->type = DOC_CREDIT;
	if (w->type == DOC_CREDIT || w->type == DOC_PAYMENT) {
		if (w->amount > 0)
			w->amount = -w->amount;
		if (w->open > 0)
			w->open = -w->open;
	}
	if (w->amount >= 0 ? (w->open < 0 || w->open > w->amount) :
	    (w->open > 0 || w->open < w->amount)) {
		char a[MONEY_BUFSZ], b[MONEY_BUFSZ];

		diag_set(d, "field \"open_amount\": %s is outside the "
		    "document's amount %s", money_format(w->open, w->digits, a),
		    money_format(w->amount, w->digits, b));
		return -1;
	}

	s = field(f, fields, nfields, F_ISSUE_DATE);
	if (blank(s)) {
		diag_set(d, "field \"issue_date\": empty");
		return -1;
	}
	if (parse_date_field(f, s, F_ISSUE_DATE, &w->issue, d))
		return -1;
	s = field(f, fields, nfields, F_DUE_DATE);
	if (!blank(s)) {
		if (parse_date_field(f, s, F_DUE_DATE, &w->due, d))
			return -1;
	} else if (w->type == DOC_CREDIT || w->type == DOC_PAYMENT) {
		/* Credit is the debtor's from the day it is issued: terms
		 * are for what they owe. */
		w->due = w->issue;
	} else {
		const char *terms = field(f, fields, nfields, F_TERMS);

		if (blank(terms))
			terms = o->default_terms;
		if (terms != NULL && !blank(terms)) {
			if (ingest_terms_due(terms, w->issue, &w->due) != 0) {
				diag_set(d, "field \"terms\": %s is not "
				    "payment terms (net 30, eom 30)", Q(terms));
				return -1;
			}
		} else {
			diag_set(d, "field \"due_date\": empty, and no terms "
			    "to compute it (add input.default_terms or "
			    "--terms)");
			return -1;
		}
	}
	s = field(f, fields, nfields, F_SETTLED_DATE);
	if (!blank(s)) {
		if (parse_date_field(f, s, F_SETTLED_DATE, &w->settled, d))
			return -1;
		w->has_settled = 1;
		if (w->settled < w->issue) {
			diag_set(d, "field \"settled_date\": %s is before the "
			    "issue date", Q(s));
			return -1;
		}
	}
	s = field(f, fields, nfields, F_DISPUTED);
	if (!blank(s) && parse_flag(s, &w->disputed) != 0) {
		diag_set(d, "field \"disputed\": %s is not yes or no", Q(s));
		return -1;
	}
	if (w->doc_id == NULL)
		synth_doc_id(r, f, w);
	w->email = field(f, fields, nfields, F_EMAIL);
	w->phone = field(f, fields, nfields, F_PHONE);
	w->address = postal_address(r, f, fields, nfields);
	w->language = field(f, fields, nfields, F_LANGUAGE);
	w->country = field(f, fields, nfields, F_COUNTRY);
	w->segment = field(f, fields, nfields, F_SEGMENT);
	w->chase_path = field(f, fields, nfields, F_CHASE_PATH);
	/* A zone the system does not know would put every call window in
	 * the client's zone, silently: the row is refused instead. */
	w->time_zone = field(f, fields, nfields, F_TIME_ZONE);
	if (!blank(w->time_zone) && !calendar_zone_valid(w->time_zone)) {
		diag_set(d, "field \"time_zone\": %s is not a time zone this "
		    "system knows (use an IANA name such as Europe/London)",
		    Q(w->time_zone));
		return -1;
	}

	/* The item's own fields only: the debtor's name, type and contact
	 * details belong to the debtor, which each run brings up to date
	 * anyway, and an export that omits them must not look like a
	 * change to every item. */
	h = 0xcbf29ce484222325ULL;
	h = hash_str(h, w->debtor_ref);
	h = hash_str(h, w->doc_id);
	h = hash_int(h, w->type);
	h = hash_int(h, w->issue);
	h = hash_int(h, w->due);
	h = hash_str(h, w->currency);
	h = hash_int(h, w->amount);
	h = hash_int(h, w->open);
	h = hash_int(h, w->has_settled ? w->settled : INT32_MIN);
	h = hash_int(h, w->disputed);
	w->hash = h;
	return 0;
#undef Q
}

/* ---- writing ---- */

static void
json_string(struct sbuf *b, const char *s)
{
	sbuf_addc(b, '"');
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\') {
			sbuf_addc(b, '\\');
			sbuf_addc(b, (char)c);
		} else if (c < 0x20) {
			sbuf_addf(b, "\\u%04x", c);
		} else {
			sbuf_addc(b, (char)c);
		}
	}
	sbuf_addc(b, '"');
}

/* The unmapped columns of the row as a JSON object, "" when none. */
static const char *
make_attrs(struct ingest_run *r, const struct file_ctx *f,
    char *const *fields, size_t nfields)
{
	int any = 0;

	sbuf_reset(&r->attrs);
	for (size_t k = 0; k < f->map.nextra; k++) {
		int i = f->map.extra[k];

		if ((size_t)i >= nfields || blank(fields[i]))
			continue;
		sbuf_addc(&r->attrs, any ? ',' : '{');
		json_string(&r->attrs, f->map.extra_names[k]);
		sbuf_addc(&r->attrs, ':');
		json_string(&r->attrs, fields[i]);
		any = 1;
	}
	if (any)
		sbuf_addc(&r->attrs, '}');
	return any ? sbuf_str(&r->attrs) : NULL;
}

static void
bind_text_or_null(sqlite3_stmt *s, int i, const char *v)
{
	if (v == NULL || blank(v))
		sqlite3_bind_null(s, i);
	else
		sqlite3_bind_text(s, i, v, -1, SQLITE_STATIC);
}

static int
step_done(struct ingest_run *r, sqlite3_stmt *s, const char *what,
    struct diag *d)
{
	int rc = sqlite3_step(s);

	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
	if (rc != SQLITE_DONE)
		return state_error(r->st, d, what);
	return 0;
}

/* debtor_id: the state's id of the row's debtor, created or brought up
 * to date the first time the run meets it (*created says it was new).
 * A slot of 0 in the map is a debtor taken back (forget_debtor). */
static int
debtor_id(struct ingest_run *r, const struct row *w, int64_t *id,
    int *created, struct diag *d)
{
	size_t n = strlen(w->debtor_ref);
	int64_t *slot = hmap_get(r->debtors, w->debtor_ref, n);
	sqlite3_stmt *s;
	int rc;

	*created = 0;
	if (slot != NULL && *slot != 0) {
		*id = *slot;
		return 0;
	}
	/* First met in this run: found or created, and brought up to date
	 * with what this export says of it. */
	s = r->find_debtor;
	sqlite3_bind_text(s, 1, w->debtor_ref, -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		*id = sqlite3_column_int64(s, 0);
	sqlite3_reset(s);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return state_error(r->st, d, "looking up a debtor");
	s = rc == SQLITE_ROW ? r->upd_debtor : r->ins_debtor;
	sqlite3_bind_text(s, 1, w->debtor_ref, -1, SQLITE_STATIC);
	/* A new debtor takes the defaults; a known one only what the file
	 * says. */
	if (s == r->ins_debtor || w->name_given)
		sqlite3_bind_text(s, 2, w->debtor_name, -1, SQLITE_STATIC);
	if (s == r->ins_debtor || w->type_given)
		sqlite3_bind_text(s, 3, w->debtor_type, -1, SQLITE_STATIC);
	bind_text_or_null(s, 4, w->email);
	bind_text_or_null(s, 5, w->phone);
	bind_text_or_null(s, 6, w->address);
	bind_text_or_null(s, 7, w->language);
	bind_text_or_null(s, 8, w->country);
	sqlite3_bind_int64(s, 9, r->st->batch_id);
	bind_text_or_null(s, 10, w->time_zone);
	bind_text_or_null(s, 11, w->segment);
	bind_text_or_null(s, 12, w->chase_path);
	if (step_done(r, s, "writing a debtor", d))
		return -1;
	if (rc != SQLITE_ROW) {
		*id = sqlite3_last_insert_rowid(r->st->db);
		*created = 1;
	}
	*hmap_put(r->debtors, w->debtor_ref, n, NULL) = *id;
	return 0;
}

/* forget_debtor: a debtor that a rejected row created is taken back, so
 * a rejected row leaves nothing behind. */
static int
forget_debtor(struct ingest_run *r, const struct row *w, int64_t id,
    struct diag *d)
{
	sqlite3_bind_int64(r->del_debtor, 1, id);
	if (step_done(r, r->del_debtor, "taking back a debtor", d) != 0)
		return -1;
	*hmap_put(r->debtors, w->debtor_ref, strlen(w->debtor_ref), NULL) = 0;
	return 0;
}

/* old_debtor_ref: the reference of debtor id, into buf. */
static int
old_debtor_ref(struct ingest_run *r, int64_t id, struct sbuf *buf,
    struct diag *d)
{
	sqlite3_stmt *s = r->debtor_ref;
	int rc;

	sqlite3_bind_int64(s, 1, id);
	rc = sqlite3_step(s);
	sbuf_reset(buf);
	sbuf_adds(buf, rc == SQLITE_ROW ?
	    (const char *)sqlite3_column_text(s, 0) : "");
	sqlite3_reset(s);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return state_error(r->st, d, "looking up a debtor");
	return 0;
}

/* bureau_settled: the net of item's settlements by payments. */
static int
bureau_settled(struct ingest_run *r, int64_t item, int64_t *sum,
    struct diag *d)
{
	sqlite3_stmt *s = r->bureau;
	int rc;

	sqlite3_bind_int64(s, 1, item);
	rc = sqlite3_step(s);
	*sum = rc == SQLITE_ROW ? sqlite3_column_int64(s, 0) : 0;
	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
	if (rc != SQLITE_ROW)
		return state_error(r->st, d, "reading settlements");
	return 0;
}

/* add_settlement: date_known 0 for a paid part the export gives with no
 * day (see the settlement table in lib/state.c). */
static int
add_settlement(struct ingest_run *r, int64_t item, int32_t date,
    int64_t amount, const char *kind, int date_known, struct diag *d)
{
	sqlite3_stmt *s = r->ins_settle;

	sqlite3_bind_int64(s, 1, item);
	sqlite3_bind_int(s, 2, date);
	sqlite3_bind_int64(s, 3, amount);
	sqlite3_bind_text(s, 4, kind, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 5, r->st->batch_id);
	sqlite3_bind_int(s, 6, date_known);
	return step_done(r, s, "recording a settlement", d);
}

/* Where the row says the item ends up: open now, or closed on a day. */
static void
row_target(const struct ingest_run *r, const struct row *w, int64_t *open,
    int *closed, int32_t *closed_date, const char **reason,
    int32_t *settle_date, const char **settle_kind)
{
	if (w->has_settled) {
		*open = 0;
		*closed = 1;
		*closed_date = w->settled;
		*reason = "settled";
		*settle_date = w->settled;
		*settle_kind = "settled";
	} else {
		*open = w->open;
		*closed = w->open == 0;
		*closed_date = r->o->as_of;
		*reason = "paid";
		/* The export does not say when it was paid: by the export's
		 * date at the latest. */
		*settle_date = r->o->as_of;
		*settle_kind = "export";
	}
}

static int
record_change(struct ingest_run *r, int64_t item, const char *fieldname,
    const char *old, const char *new, struct diag *d)
{
	sqlite3_stmt *s = r->ins_change;

	sqlite3_bind_int64(s, 1, item);
	sqlite3_bind_int64(s, 2, r->st->batch_id);
	sqlite3_bind_text(s, 3, fieldname, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 4, old, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(s, 5, new, -1, SQLITE_TRANSIENT);
	return step_done(r, s, "recording a change", d);
}

static int
change_int(struct ingest_run *r, int64_t item, const char *name,
    int64_t old, int64_t new, int is_date, int digits, struct diag *d)
{
	char a[MONEY_BUFSZ], b[MONEY_BUFSZ];

	if (old == new)
		return 0;
	if (is_date) {
		date_format((int32_t)old, a);
		date_format((int32_t)new, b);
	} else {
		money_format(old, digits, a);
		money_format(new, digits, b);
	}
	return record_change(r, item, name, a, b, d);
}

/* bind_item: the parameters ins_item and upd_item share. */
static void
bind_item(const struct ingest_run *r, sqlite3_stmt *s, const struct row *w,
    int64_t did, int64_t open, int closed, int32_t closed_date,
    const char *reason, const char *hash, const char *attrs)
{
	sqlite3_bind_int64(s, 1, did);
	sqlite3_bind_int(s, 2, w->issue);
	sqlite3_bind_int(s, 3, w->due);
	sqlite3_bind_int64(s, 4, w->amount);
	sqlite3_bind_int64(s, 5, open);
	if (closed)
		sqlite3_bind_int(s, 6, closed_date);
	sqlite3_bind_int(s, 7, w->disputed);
	sqlite3_bind_text(s, 8, w->currency, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 9, doc_type_names[w->type], -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 10, w->doc_id, -1, SQLITE_STATIC);
	if (closed)
		sqlite3_bind_text(s, 11, reason, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 12, hash, -1, SQLITE_STATIC);
	if (attrs)
		sqlite3_bind_text(s, 13, attrs, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 14, r->st->batch_id);
}

enum upsert_result { UP_NEW, UP_UPDATED, UP_UNCHANGED, UP_MERGED,
    UP_DUPLICATE, UP_TWIN };

/* unpadded: doc_id without its leading zeros; its length in *n (0 when
 * it is all zeros). */
static const char *
unpadded(const char *doc_id, size_t *n)
{
	const char *p = doc_id + strspn(doc_id, "0");

	*n = strlen(p);
	return p;
}

/* delete_item: takes back the item just added.  0, or -1 with d set. */
static int
delete_item(struct ingest_run *r, int64_t item, struct diag *d)
{
	sqlite3_stmt *s = state_prepare(r->st, "DELETE FROM item WHERE id = ?",
	    d);
	int rc;

	if (s == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, item);
	rc = step_done(r, s, "taking back an item", d);
	sqlite3_finalize(s);
	return rc;
}

/* padded_map: r->padded, built from the state's numbers that start with
 * 0 the first time a new document needs it.  0, or -1 with d set. */
static int
padded_map(struct ingest_run *r, struct diag *d)
{
	sqlite3_stmt *s;
	int rc;

	if (r->padded != NULL)
		return 0;
	r->padded = hmap_new();
	s = state_prepare(r->st, "SELECT id, doc_id FROM item "
	    "WHERE doc_id >= '0' AND doc_id < '1'", d);
	if (s == NULL)
		return -1;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		const char *id = (const char *)sqlite3_column_text(s, 1);
		size_t n;
		const char *k = unpadded(id, &n);

		if (n > 0)
			*hmap_put(r->padded, k, n, NULL) =
			    sqlite3_column_int64(s, 0);
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE)
		return state_error(r->st, d, "reading the document numbers");
	return 0;
}

/*
 * zero_twin: whether the state holds the row's document under its number
 * with leading zeros added or taken away ("0045116634" and "45116634":
 * a spreadsheet re-saved the export and read the numbers as numbers),
 * for the same debtor, issue date, amount and currency.  Adding it would
 * double the document, chased and counted twice.  1 with r->twin the
 * stored number and *twin its item, 0 if none, -1 with d set.  Only for
 * a number the state does not hold itself.
 */
static int
zero_twin(struct ingest_run *r, const struct row *w, int64_t did,
    int64_t *twin, struct diag *d)
{
	sqlite3_stmt *s;
	const char *k;
	size_t n;
	int64_t cand = 0, *slot;
	int rc, same;

	k = unpadded(w->doc_id, &n);
	if (n == 0 || padded_map(r, d) != 0)
		return n == 0 ? 0 : -1;
	if ((slot = hmap_get(r->padded, k, n)) != NULL)
		cand = *slot;
	if (cand == 0 && k != w->doc_id) {
		s = r->find_item;
		sqlite3_bind_text(s, 1, k, -1, SQLITE_STATIC);
		rc = sqlite3_step(s);
		if (rc == SQLITE_ROW)
			cand = sqlite3_column_int64(s, 0);
		sqlite3_reset(s);
		sqlite3_clear_bindings(s);
		if (rc != SQLITE_ROW && rc != SQLITE_DONE)
			return state_error(r->st, d, "looking up an item");
	}
	if (cand == 0)
		return 0;
	s = r->twin_item;
	sqlite3_bind_int64(s, 1, cand);
	if ((rc = sqlite3_step(s)) != SQLITE_ROW) {
		sqlite3_reset(s);
		return state_error(r->st, d, "looking up an item");
	}
	same = strcmp((const char *)sqlite3_column_text(s, 0), w->doc_id)
	    != 0 && sqlite3_column_int64(s, 1) == did &&
	    sqlite3_column_int(s, 2) == w->issue &&
	    sqlite3_column_int64(s, 3) == w->amount &&
	    strcmp((const char *)sqlite3_column_text(s, 4), w->currency) == 0;
	if (same) {
		sbuf_reset(&r->twin);
		sbuf_adds(&r->twin, (const char *)sqlite3_column_text(s, 0));
		*twin = cand;
	}
	sqlite3_reset(s);
	return same;
}

/*
 * upsert: the row into the state.  UP_MERGED is a second row of a document
 * the run listed already with the same values (an invoice's line items);
 * UP_DUPLICATE one with other values, *first_line the line of the first
 * and *first_file its file (0: this one).
 */
static int
upsert(struct ingest_run *r, const struct file_ctx *f, const struct row *w,
    long line, char *const *fields, size_t nfields, enum upsert_result *res,
    long *first_line, size_t *first_file, struct diag *d)
{
	sqlite3_stmt *s;
	int64_t did = 0, item, open, old_open, old_amount, twin = 0;
	int closed, rc, created, attrs_same;
	int32_t closed_date, settle_date;
	const char *reason, *settle_kind, *attrs;
	char hash[17], old_reason[32];

	snprintf(hash, sizeof hash, "%016llx", (unsigned long long)w->hash);
	if (debtor_id(r, w, &did, &created, d) != 0)
		return -1;
	row_target(r, w, &open, &closed, &closed_date, &reason, &settle_date,
	    &settle_kind);
	attrs = make_attrs(r, f, fields, nfields);

	s = r->ins_item;
	bind_item(r, s, w, did, open, closed, closed_date, reason, hash,
	    attrs);
	if (step_done(r, s, "adding an item", d) != 0)
		return -1;
	if (sqlite3_changes(r->st->db) == 1) {
		const char *k;
		size_t n;

		item = sqlite3_last_insert_rowid(r->st->db);
		if ((rc = zero_twin(r, w, did, &twin, d)) != 0) {
			if (rc < 0)
				return -1;
			/* Taken back: the stored number stands, and is
			 * listed (--snapshot must not close it). */
			if (delete_item(r, item, d) != 0)
				return -1;
			if (r->seen && twin <= r->max_item_at_start)
				r->seen[twin] = 1;
			*res = UP_TWIN;
			return 0;
		}
		/* A twin within the run: "007" new, then "7". */
		k = unpadded(w->doc_id, &n);
		if (k != w->doc_id && n > 0)
			*hmap_put(r->padded, k, n, NULL) = item;
		listed(r, item, line);
		*res = UP_NEW;
		/* A new item's paid part: with no settled date, the day is
		 * unknown (before this export, perhaps long before). */
		if (open != w->amount &&
		    add_settlement(r, item, settle_date, w->amount - open,
		    settle_kind, strcmp(settle_kind, "export") != 0, d) != 0)
			return -1;
		return 0;
	}

	/* Known already: compare, and bring it up to date if it changed. */
	s = r->find_item;
	sqlite3_bind_text(s, 1, w->doc_id, -1, SQLITE_STATIC);
	if (attrs != NULL)
		sqlite3_bind_text(s, 2, attrs, -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	if (rc != SQLITE_ROW) {
		sqlite3_reset(s);
		sqlite3_clear_bindings(s);
		return state_error(r->st, d, "looking up an item");
	}
	item = sqlite3_column_int64(s, 0);
	if (*line_of(r, item) != 0) {
		/* After the first row, the stored hash is that row's. */
		*res = strcmp((const char *)sqlite3_column_text(s, 1), hash)
		    == 0 ? UP_MERGED : UP_DUPLICATE;
		*first_line = *line_of(r, item);
		*first_file = r->file_of[item] == r->nfiles ? 0 :
		    r->file_of[item];
		sqlite3_reset(s);
		sqlite3_clear_bindings(s);
		/* A rejected row leaves no debtor behind. */
		if (*res == UP_DUPLICATE && created)
			return forget_debtor(r, w, did, d);
		return 0;
	}
	listed(r, item, line);
	if (r->seen && item <= r->max_item_at_start)
		r->seen[item] = 1;
	attrs_same = sqlite3_column_int(s, 12);
	/* Unchanged, unless a snapshot closed it and it is open again. */
	if (strcmp((const char *)sqlite3_column_text(s, 1), hash) == 0 &&
	    attrs_same &&
	    (closed || sqlite3_column_type(s, 11) == SQLITE_NULL ||
	    strcmp((const char *)sqlite3_column_text(s, 11), "snapshot") != 0)) {
		sqlite3_reset(s);
		sqlite3_clear_bindings(s);
		*res = UP_UNCHANGED;
		return 0;
	}
	*res = UP_UPDATED;
	if (!attrs_same && record_change(r, item, "attrs",
	    sqlite3_column_type(s, 13) == SQLITE_NULL ? "" :
	    (const char *)sqlite3_column_text(s, 13), attrs, d) != 0) {
		sqlite3_reset(s);
		sqlite3_clear_bindings(s);
		return -1;
	}
	{
		int64_t old_debtor = sqlite3_column_int64(s, 2);
		int32_t old_issue = sqlite3_column_int(s, 3);
		int32_t old_due = sqlite3_column_int(s, 4);
		int old_query = sqlite3_column_int(s, 8);
		char old_ccy[8] = "", old_type[16] = "";
		int old_closed;
		int32_t old_closed_date;
		int64_t bureau = 0;

		old_amount = sqlite3_column_int64(s, 5);
		old_open = sqlite3_column_int64(s, 6);
		snprintf(old_ccy, sizeof old_ccy, "%s",
		    (const char *)sqlite3_column_text(s, 9));
		snprintf(old_type, sizeof old_type, "%s",
		    (const char *)sqlite3_column_text(s, 10));
		old_closed = sqlite3_column_type(s, 7) != SQLITE_NULL;
		old_closed_date = sqlite3_column_int(s, 7);
		snprintf(old_reason, sizeof old_reason, "%s",
		    old_closed && sqlite3_column_type(s, 11) != SQLITE_NULL ?
		    (const char *)sqlite3_column_text(s, 11) : "");
		sqlite3_reset(s);
		sqlite3_clear_bindings(s);
		/*
		 * The client's export lags the bank.  What the bureau applied
		 * from a receipt (allocate-payments: settlements with a
		 * payment) stands whatever the export says: the item is open
		 * by at most its amount less that, so an export that still
		 * shows the open amount from before the allocation does not
		 * undo it, and one that later shows the item paid settles
		 * nothing twice (the export can only take the item lower).
		 * A credit note the bureau netted against an invoice (its
		 * settlements negative) is held the same way, the other way
		 * round: the export can leave it no more credit than its
		 * amount less what was netted.
		 * An item the bureau closed that stays closed keeps its day.
		 */
		if (bureau_settled(r, item, &bureau, d) != 0)
			return -1;
		if (bureau > 0 && open > w->amount - bureau)
			open = w->amount - bureau;
		if (bureau < 0 && w->amount < 0 && open < w->amount - bureau)
			open = w->amount - bureau;
		if (bureau > 0 || (bureau < 0 && w->amount < 0)) {
			closed = open == 0;
			if (closed && old_closed) {
				closed_date = old_closed_date;
				if (old_reason[0] != '\0')
					reason = old_reason;
			}
		}
		if ((old_debtor != did && (old_debtor_ref(r, old_debtor,
		    &r->tmp, d) || record_change(r, item, "debtor_id",
		    sbuf_str(&r->tmp), w->debtor_ref, d))) ||
		    change_int(r, item, "issue_date", old_issue, w->issue, 1,
		    0, d) ||
		    change_int(r, item, "due_date", old_due, w->due, 1, 0, d) ||
		    change_int(r, item, "amount", old_amount, w->amount, 0,
		    w->digits, d) ||
		    change_int(r, item, "open_amount", old_open, open, 0,
		    w->digits, d) ||
		    (old_query != w->disputed && record_change(r, item,
		    "in_query", old_query ? "1" : "0",
		    w->disputed ? "1" : "0", d)) ||
		    (strcmp(old_ccy, w->currency) != 0 && record_change(r,
		    item, "currency", old_ccy, w->currency, d)) ||
		    (strcmp(old_type, doc_type_names[w->type]) != 0 &&
		    record_change(r, item, "doc_type", old_type,
		    doc_type_names[w->type], d)))
			return -1;
	}
	/*
	 * The settlements so far stand; a new amount moves the open amount
	 * by the same difference, and what is left between that and what the
	 * export says is open now is a settlement of this export (negative
	 * when the export reopened part of it).
	 */
	{
		int64_t carried = old_open + (w->amount - old_amount);
		int64_t delta = carried - open;

		if (delta != 0 && add_settlement(r, item, settle_date, delta,
		    delta > 0 ? settle_kind : "reopen", 1, d) != 0)
			return -1;
	}
	s = r->upd_item;
	bind_item(r, s, w, did, open, closed, closed_date, reason, hash,
	    attrs);
	return step_done(r, s, "updating an item", d);
}

/* ---- the item stream ---- */

static void
stream_header(struct ingest_run *r, const struct file_ctx *f)
{
	FILE *out = r->o->out;

	if (out == NULL || r->stream_header_done)
		return;
	r->stream_header_done = 1;
	for (size_t i = 0; i < itemmap_stream_ncolumns; i++) {
		if (i)
			tsv_sep(out);
		tsv_put(out, itemmap_stream_columns[i]);
	}
	/* The first file's unmapped columns pass through; they are kept in
	 * the state for every file either way. */
	r->stream_nextra = f->map.nextra;
	r->stream_extra = xcalloc(f->map.nextra ? f->map.nextra : 1,
	    sizeof *r->stream_extra);
	for (size_t k = 0; k < f->map.nextra; k++) {
		r->stream_extra[k] = xstrdup(f->map.extra_names[k]);
		tsv_sep(out);
		tsv_put(out, f->map.extra_names[k]);
	}
	tsv_end(out);
}

static void
stream_row(struct ingest_run *r, const struct file_ctx *f,
    const struct row *w, enum upsert_result res, char *const *fields,
    size_t nfields)
{
	static const char *const status[] = { "new", "updated", "unchanged",
	    "merged", "duplicate" };
	FILE *out = r->o->out;
	char buf[MONEY_BUFSZ];
	int64_t open;
	int closed;
	int32_t closed_date, settle_date;
	const char *reason, *settle_kind;
	struct sbuf *b;

	if (out == NULL)
		return;
	row_target(r, w, &open, &closed, &closed_date, &reason, &settle_date,
	    &settle_kind);
	/* The row is built whole and written at once. */
	b = &r->line;
	sbuf_reset(b);
	tsv_add(b, w->debtor_ref);
	sbuf_addc(b, '\t');
	tsv_add(b, w->debtor_name);
	sbuf_addc(b, '\t');
	tsv_add(b, w->debtor_type);
	sbuf_addc(b, '\t');
	tsv_add(b, w->doc_id);
	sbuf_addc(b, '\t');
	tsv_add(b, doc_type_names[w->type]);
	sbuf_addc(b, '\t');
	tsv_add(b, date_format(w->issue, buf));
	sbuf_addc(b, '\t');
	tsv_add(b, date_format(w->due, buf));
	sbuf_addc(b, '\t');
	tsv_add(b, w->currency);
	sbuf_addc(b, '\t');
	tsv_add(b, money_format(w->amount, w->digits, buf));
	sbuf_addc(b, '\t');
	tsv_add(b, money_format(open, w->digits, buf));
	sbuf_addc(b, '\t');
	if (w->has_settled)
		tsv_add(b, date_format(w->settled, buf));
	sbuf_addc(b, '\t');
	sbuf_adds(b, w->disputed ? "1" : "0");
	sbuf_addc(b, '\t');
	sbuf_adds(b, status[res]);
	for (size_t k = 0; k < r->stream_nextra; k++) {
		sbuf_addc(b, '\t');
		/* By name, so a second file's columns land where they
		 * belong or nowhere. */
		for (size_t j = 0; j < f->map.nextra; j++) {
			int i = f->map.extra[j];

			if (strcmp(f->map.extra_names[j],
			    r->stream_extra[k]) == 0 && (size_t)i < nfields) {
				tsv_add(b, fields[i]);
				break;
			}
		}
	}
	sbuf_addc(b, '\n');
	fwrite(b->buf, 1, b->len, out);
}

/* ---- the file loop ---- */

static void
held_free(struct held *h)
{
	for (size_t i = 0; i < h->nfields; i++)
		free(h->fields[i]);
	free(h->fields);
	free(h->lens);
	free(h->raw);
}

static void
held_copy(struct held *h, const struct csvin_record *rec)
{
	h->nfields = rec->nfields;
	h->fields = xcalloc(rec->nfields ? rec->nfields : 1,
	    sizeof *h->fields);
	h->lens = xcalloc(rec->nfields ? rec->nfields : 1, sizeof *h->lens);
	for (size_t i = 0; i < rec->nfields; i++) {
		h->fields[i] = xstrndup(rec->fields[i], rec->lens[i]);
		h->lens[i] = rec->lens[i];
	}
	h->line = rec->line;
	h->last_line = rec->last_line;
	h->raw = xstrndup(rec->raw, rec->rawlen);
	h->rawlen = rec->rawlen;
}

static void
reject(struct ingest_run *r, struct file_ctx *f, long line, long last_line,
    const char *raw, size_t rawlen, const char *doc_id, const char *msg)
{
	FILE *rj = r->o->rejects;

	f->c->rejected++;
	/* Under --strict the run stops with this message instead. */
	if (r->o->report && !r->o->strict)
		r->o->report(r->o->report_ctx, f->name, line, msg);
	if (rj != NULL) {
		if (!f->rejects_header_done && f->raw_header != NULL) {
			fwrite(f->raw_header, 1, f->raw_header_len, rj);
			f->rejects_header_done = 1;
		}
		fwrite(raw, 1, rawlen, rj);
		/* The last line of a file may have come without its end. */
		if (rawlen == 0 || (raw[rawlen - 1] != '\n' &&
		    raw[rawlen - 1] != '\r'))
			fputc('\n', rj);
	}
	/* A rejected row still says its document exists: --snapshot must
	 * not close it.  One that runs over several lines may have swallowed
	 * other rows (an unbalanced quote), whose documents are unknown. */
	if (r->seen != NULL) {
		size_t n;
		const char *t;

		if (last_line > line || doc_id == NULL || (n = strlen(doc_id),
		    t = util_trim(doc_id, &n), n == 0)) {
			r->unidentified_rejects++;
		} else {
			sqlite3_stmt *s = r->find_item;
			char *id = xstrndup(t, n);

			sqlite3_bind_text(s, 1, id, -1, SQLITE_STATIC);
			if (sqlite3_step(s) == SQLITE_ROW) {
				int64_t item = sqlite3_column_int64(s, 0);

				if (item <= r->max_item_at_start)
					r->seen[item] = 1;
			}
			sqlite3_reset(s);
			free(id);
		}
	}
}

/* Section and total rows of report-style exports (QuickBooks, Xero,
 * Sage, ERPNext): no document number and no amount, a first cell that
 * says "Total", or amounts with no document, debtor or date at all
 * (ERPNext's grand total row has no label).  They are skipped, never
 * summed in. */
static int
is_section_row(const struct file_ctx *f, char *const *fields,
    size_t nfields)
{
	const char *first = nfields > 0 ? fields[0] : "";
	size_t n = strlen(first);

	first = util_trim(first, &n);
	if (n >= 5 && util_strncaseeq(first, "total", 5))
		return 1;
	if (blank(field(f, fields, nfields, F_DOC_ID)) &&
	    blank(field(f, fields, nfields, F_DEBTOR_ID)) &&
	    blank(field(f, fields, nfields, F_DEBTOR_NAME)) &&
	    blank(field(f, fields, nfields, F_ISSUE_DATE)))
		return 1;
	return blank(field(f, fields, nfields, F_DOC_ID)) &&
	    blank(field(f, fields, nfields, F_AMOUNT)) &&
	    blank(field(f, fields, nfields, F_OPEN_AMOUNT));
}

/*
 * swallowed: whether a record that runs over several lines holds, inside
 * a field, lines that look like rows of their own (as many delimiters as
 * the header): the mark of a quote left open, which makes libcsv read on
 * to the next quote.  A real multi-line value (an address) has none.
 */
static int
swallowed(const struct file_ctx *f, char *const *fields, size_t nfields)
{
	size_t need = f->map.ncols > 2 ? f->map.ncols - 2 : 1;

	for (size_t i = 0; i < nfields; i++) {
		const char *p = strchr(fields[i], '\n');

		while (p != NULL) {
			size_t delims = 0;

			for (p++; *p != '\0' && *p != '\n'; p++)
				delims += *p == f->delim;
			if (delims >= need)
				return 1;
			p = *p == '\n' ? p : NULL;
		}
	}
	return 0;
}

static int
process_row(struct ingest_run *r, struct file_ctx *f, char *const *fields,
    size_t nfields, long line, long last_line, const char *raw,
    size_t rawlen, struct diag *d)
{
	struct row w;
	struct diag rd;
	enum upsert_result res = UP_UNCHANGED;
	const char *doc;
	long first_line = 0;
	size_t first_file = 0;

	if (is_section_row(f, fields, nfields))
		return 0;
	f->c->read++;
	diag_clear(&rd);
	doc = field(f, fields, nfields, F_DOC_ID);
	/* Fields beyond the header are an error only when they hold
	 * something (exports pad rows with empty columns). */
	for (size_t i = f->map.ncols; i < nfields; i++) {
		if (!blank(fields[i])) {
			diag_set(&rd, "row has %zu fields, header has %zu",
			    nfields, f->map.ncols);
			goto rejected;
		}
	}
	if (last_line > line && swallowed(f, fields, nfields)) {
		diag_set(&rd, "a quoted field runs on to line %ld and holds "
		    "what look like whole rows: is a quote unbalanced?",
		    last_line);
		goto rejected;
	}
	/* Fewer fields than the header: exports that drop trailing empty
	 * fields are read, but a row that lacks a column the mapping uses
	 * might have lost it (its open amount read as the whole amount),
	 * and a last line without its end is a file cut short. */
	if (nfields < f->map.ncols) {
		int k, cut = rawlen == 0 || (raw[rawlen - 1] != '\n' &&
		    raw[rawlen - 1] != '\r');

		for (k = 0; k < F_COUNT; k++)
			if (f->map.col[k] >= 0 &&
			    (size_t)f->map.col[k] >= nfields)
				break;
		if (k < F_COUNT) {
			diag_set(&rd, "row has %zu fields, header has %zu: "
			    "field \"%s\" is missing", nfields, f->map.ncols,
			    itemmap_field_name((enum item_field)k));
			goto rejected;
		}
		if (cut) {
			diag_set(&rd, "row has %zu fields, header has %zu, "
			    "and the file ends in it without a line end: is "
			    "the file cut short?", nfields, f->map.ncols);
			goto rejected;
		}
	}
	if (normalise(r, f, fields, nfields, &w, &rd) != 0) {
		/* A short row's "empty" field is the row's fault. */
		if (nfields < f->map.ncols)
			diag_prefix(&rd, "row has %zu fields, header has %zu",
			    nfields, f->map.ncols);
		goto rejected;
	}

	if (upsert(r, f, &w, line, fields, nfields, &res, &first_line,
	    &first_file, d))
		return INGEST_ESTATE;
	/* The same document twice in a run: line items of one invoice
	 * (Xero repeats the invoice's totals on each) merge; different
	 * values for the same number are an error. */
	if (res == UP_MERGED)
		return 0;
	if (res == UP_TWIN) {
		diag_set(&rd, "field \"doc_id\": \"%s\" is document \"%s\" "
		    "with its leading zeros %s (the same debtor, issue date "
		    "and amount): not added twice (was the export re-saved by "
		    "a spreadsheet? export the numbers as text)", w.doc_id,
		    sbuf_str(&r->twin), strlen(w.doc_id) <
		    r->twin.len ? "lost" : "added");
		goto rejected;
	}
	if (res == UP_DUPLICATE) {
		if (first_file == 0)
			diag_set(&rd, "document \"%s\" is on line %ld already, "
			    "with other values", w.doc_id, first_line);
		else
			diag_set(&rd, "document \"%s\" is on line %ld of %s "
			    "already, with other values", w.doc_id,
			    first_line, r->file_names[first_file - 1]);
		goto rejected;
	}
	switch (res) {
	case UP_NEW:
		f->c->ingested++;
		break;
	case UP_UPDATED:
		f->c->updated++;
		break;
	case UP_UNCHANGED:
		f->c->unchanged++;
		break;
	case UP_MERGED:
	case UP_DUPLICATE:
	case UP_TWIN:
		break;
	}
	stream_row(r, f, &w, res, fields, nfields);
	return 0;

rejected:
	if (last_line > line && strstr(rd.msg, "runs on to line") == NULL) {
		char msg[sizeof rd.msg];

		memcpy(msg, rd.msg, sizeof msg);
		diag_set(&rd, "%s (the record runs on to line %ld)", msg,
		    last_line);
	}
	reject(r, f, line, last_line, raw, rawlen, doc, rd.msg);
	if (r->o->strict) {
		d->line = line;
		diag_set(d, "%s (stopped by --strict: nothing ingested)",
		    rd.msg);
		return INGEST_EDATA;
	}
	return 0;
}

/*
 * Feed a held-back row to the sniffer; 1 once the order is decided.
 * Values that cannot be ambiguous (ISO, month names) constrain nothing;
 * when the first date of the file is one of them the file needs no order
 * at all, and a later value that does is rejected with the advice to give
 * --date-format.
 */
static int
sniff_row(struct file_ctx *f, struct date_sniff *sn, char *const *fields,
    size_t nfields, long line)
{
	static const enum item_field dates[] = { F_ISSUE_DATE, F_DUE_DATE,
	    F_SETTLED_DATE };
	int ambiguous;
	int32_t day;
	enum date_order o;

	if (is_section_row(f, fields, nfields))
		return 0;
	for (size_t k = 0; k < sizeof dates / sizeof dates[0]; k++) {
		const char *v = field(f, fields, nfields, dates[k]);

		if (blank(v))
			continue;
		if (date_parse(v, DATE_AUTO, &day, NULL) == 0) {
			if (sn->values == 0)
				return 1;
			continue;
		}
		date_sniff_add(sn, v, line);
	}
	if (sn->values == 0)
		return 0;
	o = date_sniff_result(sn, &ambiguous);
	if (o != DATE_AUTO) {
		f->order = o;
		return 1;
	}
	return 0;
}

/*
 * mapping_misses: a record that the built-in aliases take for a header
 * but that lacks a column the config's input.columns names is the header
 * the config was written for, or against: the config is wrong for this
 * export.  1 with d set (d->line the config's line), else 0.
 */
static int
mapping_misses(struct file_ctx *f, const struct csvin_record *rec,
    const struct ingest_opts *o, struct diag *d)
{
	struct itemmap m;
	struct diag ignored;
	int k;

	if (itemmap_header(&m, rec->fields, rec->nfields, NULL, NULL, NULL, 0,
	    &ignored) <= 0)
		return 0;
	itemmap_free(&m);
	k = itemmap_missing_override(rec->fields, rec->nfields, o->map_header,
	    o->nmap);
	if (k < 0)
		return 0;
	d->line = o->map_line ? o->map_line[k] : 0;
	diag_set(d, "input.columns.%s: \"%s\" is not a column of the "
	    "header on line %ld of %s", o->map_field[k], o->map_header[k],
	    rec->line, f->name);
	return 1;
}

/* name_bad_field: d's message for a field csvin could not take, with the
 * field named by its creditkit name or its column's. */
static void
name_bad_field(const struct file_ctx *f, const struct csvin_record *rec,
    struct diag *d)
{
	size_t i = rec->bad_field;

	for (int k = 0; k < F_COUNT; k++)
		if (f->map.col[k] >= 0 && (size_t)f->map.col[k] == i) {
			diag_set(d, "field \"%s\" %s",
			    itemmap_field_name((enum item_field)k),
			    rec->bad_why);
			return;
		}
	for (size_t k = 0; k < f->map.nextra; k++)
		if ((size_t)f->map.extra[k] == i) {
			diag_set(d, "field \"%s\" %s", f->map.extra_names[k],
			    rec->bad_why);
			return;
		}
	diag_set(d, "field %zu (past the header's %zu) %s", i + 1,
	    f->map.ncols, rec->bad_why);
}

/*
 * order_contradicted: after the sniffer chose D/M or M/D, each later
 * row's dates are still fed to it; a value that fits only the other
 * order means the column holds both (12/31/2025 and 31/12/2025), and
 * 02/03/2026 cannot be read either way with confidence.  1 with d set.
 */
static int
order_contradicted(const struct file_ctx *f, struct date_sniff *sn,
    char *const *fields, size_t nfields, long line, struct diag *d)
{
	static const enum item_field dates[] = { F_ISSUE_DATE, F_DUE_DATE,
	    F_SETTLED_DATE };
	char a[64], b[64];

	if (is_section_row(f, fields, nfields))
		return 0;
	for (size_t k = 0; k < sizeof dates / sizeof dates[0]; k++)
		date_sniff_add(sn, field(f, fields, nfields, dates[k]), line);
	if (sn->only_dmy_line == 0 || sn->only_mdy_line == 0)
		return 0;
	d->line = 0;
	diag_set(d, "the dates fit only day/month order on line %ld (%s) "
	    "and only month/day order on line %ld (%s): use --date-format "
	    "DMY or MDY", sn->only_dmy_line, util_quote(sn->only_dmy,
	    strlen(sn->only_dmy), a, sizeof a), sn->only_mdy_line,
	    util_quote(sn->only_mdy, strlen(sn->only_mdy), b, sizeof b));
	return 1;
}

/* The batch's SHA-256 is of the file's bytes as read. */
static void
hash_bytes(void *ctx, const void *bytes, size_t n)
{
	sha256_update(ctx, bytes, n);
}

int
ingest_file(struct ingest_run *r, FILE *fp, const char *name,
    const char *recorded_name, struct batch_counts *c, struct diag *d)
{
	const struct ingest_opts *o = r->o;
	struct csvin_opts co = { o->delimiter, o->encoding, 0, hash_bytes,
	    NULL };
	struct file_ctx f;
	struct csvin *in = NULL;
	struct csvin_record *rec = NULL;
	struct held *held = NULL;
	size_t nheld = 0, titles = 0, one_field = 0;
	struct date_sniff sn;
	struct sha256 sha;
	char hex[65];
	int rc = INGEST_EDATA, prc = 0, got, deciding, watching = 0;
	struct batch_counts fc = { 0 };

	memset(&f, 0, sizeof f);
	f.name = name;
	f.c = &fc;
	f.order = o->date_order;
	/* A document listed by an earlier file of the run is listed: the
	 * same values merge, others are refused. */
	r->file_names = xreallocarray(r->file_names, r->nfiles + 1,
	    sizeof *r->file_names);
	r->file_names[r->nfiles++] = xstrdup(name);
	date_sniff_init(&sn);
	sha256_init(&sha);
	co.tap_ctx = &sha;
	deciding = f.order == DATE_AUTO;

	if (state_batch_begin(r->st, "invoices", recorded_name, NULL, o->as_of,
	    o->snapshot, d) != 0) {
		rc = INGEST_ESTATE;
		goto out_nocsv;
	}
	in = csvin_open(fp, name, &co, d);
	if (in == NULL)
		goto out_nocsv;

	for (;;) {
		diag_clear(d);
		got = csvin_next(in, &rec, d);
		if (got == 0)
			break;
		if (o->progress != NULL)
			o->progress(o->progress_ctx, 0, 0);
		if (got < 0) {
			if (rec == NULL || !f.mapped)
				goto out;
			/* An unreadable record (bad UTF-8, a NUL) is a
			 * reject; the file goes on.  The field is named as
			 * every other reject names it. */
			if (rec->bad_why != NULL)
				name_bad_field(&f, rec, d);
			fc.read++;
			reject(r, &f, d->line, d->line, rec->raw, rec->rawlen,
			    NULL, d->msg);
			if (o->strict) {
				diag_prefix(d, "stopped by --strict");
				goto out;
			}
			continue;
		}
		if (!f.mapped) {
			int m = itemmap_header(&f.map, rec->fields,
			    rec->nfields, o->map_field, o->map_header,
			    o->map_line, o->nmap, d);

			if (m < 0)
				goto out;
			if (m == 0 && o->nmap > 0 &&
			    mapping_misses(&f, rec, o, d)) {
				rc = INGEST_ECONFIG;
				goto out;
			}
			/* An XML file (a UBL or CII e-invoice) is told as
			 * such, not sent to look for column names. */
			if (m == 0 && titles == 0 && rec->nfields > 0 &&
			    strncmp(rec->fields[0] + strspn(rec->fields[0],
			    " \t\r\n"), "<", 1) == 0) {
				d->line = rec->line;
				diag_set(d, "an XML file (a UBL or CII "
				    "e-invoice?): XML invoices are not read "
				    "yet, only CSV exports (ingest-invoices(1))");
				goto out;
			}
			if (m == 0) {
				one_field += rec->nfields == 1 &&
				    strpbrk(rec->fields[0], ",;\t|") != NULL;
				if (++titles > MAX_TITLE_ROWS) {
					d->line = 0;
					diag_set(d, "no header row found in "
					    "the first %d records (name the "
					    "columns in the config's "
					    "input.columns)", MAX_TITLE_ROWS);
					goto out;
				}
				continue;
			}
			f.mapped = 1;
			f.delim = csvin_delimiter(in);
			f.raw_header = xstrndup(rec->raw, rec->rawlen);
			f.raw_header_len = rec->rawlen;
			stream_header(r, &f);
			continue;
		}
		if (deciding) {
			held = xreallocarray(held, nheld + 1, sizeof *held);
			held_copy(&held[nheld++], rec);
			if (sniff_row(&f, &sn, rec->fields, rec->nfields,
			    rec->line) == 0) {
				if (nheld < MAX_SNIFF_ROWS)
					continue;
				d->line = 0;
				diag_set(d, "the date order is still unknown "
				    "after %d rows: use --date-format DMY or "
				    "MDY", MAX_SNIFF_ROWS);
				goto out;
			}
			deciding = 0;
			watching = f.order == DATE_DMY ||
			    f.order == DATE_MDY;
			for (size_t i = 0; i < nheld; i++)
				if ((prc = process_row(r, &f, held[i].fields,
				    held[i].nfields, held[i].line,
				    held[i].last_line, held[i].raw,
				    held[i].rawlen, d)) != 0)
					goto out;
			continue;
		}
		if (watching && order_contradicted(&f, &sn, rec->fields,
		    rec->nfields, rec->line, d)) {
			rc = INGEST_EUSAGE;
			goto out;
		}
		if ((prc = process_row(r, &f, rec->fields, rec->nfields,
		    rec->line, rec->last_line, rec->raw, rec->rawlen, d)) != 0)
			goto out;
	}
	if (!f.mapped) {
		d->line = 0;
		if (titles > 0 && one_field == titles)
			diag_set(d, "no header row found: every record is one "
			    "field that holds a %s (is the delimiter right? "
			    "see --delimiter)", o->delimiter ? "separator" :
			    "separator the sniffer did not take");
		else
			diag_set(d, titles ? "no header row found (name the "
			    "columns in the config's input.columns)" :
			    "empty file");
		goto out;
	}
	if (deciding && nheld > 0) {
		int ambiguous;

		date_sniff_result(&sn, &ambiguous);
		if (ambiguous) {
			d->line = 0;
			diag_set(d, "every date fits both day/month and "
			    "month/day order: use --date-format DMY or MDY");
			rc = INGEST_EUSAGE;	/* the option is missing */
			goto out;
		}
		/* No order fits every value: take the likeliest so that only
		 * the rows that fit none are rejected. */
		f.order = sn.fit_dmy >= sn.fit_mdy ? DATE_DMY : DATE_MDY;
		if (sn.fit_iso >= sn.fit_dmy && sn.fit_iso >= sn.fit_mdy)
			f.order = DATE_ISO;
		for (size_t i = 0; i < nheld; i++)
			if ((prc = process_row(r, &f, held[i].fields,
			    held[i].nfields, held[i].line, held[i].last_line,
			    held[i].raw, held[i].rawlen, d)) != 0)
				goto out;
	}
	rc = INGEST_ESTATE;
	sha256_hex(&sha, hex);
	{
		sqlite3_stmt *s = state_prepare(r->st,
		    "UPDATE batch SET sha256 = ? WHERE id = ?", d);

		if (s == NULL)
			goto out;
		sqlite3_bind_text(s, 1, hex, -1, SQLITE_STATIC);
		sqlite3_bind_int64(s, 2, r->st->batch_id);
		if (step_done(r, s, "recording the file's hash", d) != 0) {
			sqlite3_finalize(s);
			goto out;
		}
		sqlite3_finalize(s);
	}
	if (state_batch_finish(r->st, &fc, d) != 0)
		goto out;
	c->read += fc.read;
	c->ingested += fc.ingested;
	c->updated += fc.updated;
	c->unchanged += fc.unchanged;
	c->rejected += fc.rejected;
	rc = 0;
out:
	/* A row that failed says whose fault it was. */
	if (prc != 0)
		rc = prc;
	if (in != NULL)
		csvin_close(in);
out_nocsv:
	for (size_t i = 0; i < nheld; i++)
		held_free(&held[i]);
	free(held);
	free(f.raw_header);
	hmap_free(f.synth);
	itemmap_free(&f.map);
	return rc;
}

/*
 * snapshot_guard: a list cut short (an upload stopped half way, a report
 * the client filtered) reads as "everything else was paid".  Closing
 * most of a ledger in one night is that far more often than a real
 * night's work, so past o->snapshot_max_close percent of the open items
 * (and more than a few: a small ledger is read by eye) the run is
 * refused unless o->force.  0 to go on, 2 refused (reported), -1 with d
 * set.
 */
static int
snapshot_guard(struct ingest_run *r, struct diag *d)
{
	sqlite3_stmt *s;
	long open = 0, gone = 0;
	int rc;

	if (r->o->force)
		return 0;
	s = state_prepare(r->st, "SELECT id FROM item "
	    "WHERE closed_date IS NULL AND id <= ?", d);
	if (s == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, r->max_item_at_start);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		open++;
		if (!r->seen[sqlite3_column_int64(s, 0)])
			gone++;
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE)
		return state_error(r->st, d, "counting the open items");
	if (gone <= INGEST_SNAPSHOT_FEW ||
	    gone * 100 <= (long)r->o->snapshot_max_close * open)
		return 0;
	if (r->o->report) {
		char msg[400];

		snprintf(msg, sizeof msg, "the files list %ld of the %ld open "
		    "items: closing the other %ld (%ld%%) is more than "
		    "input.snapshot_max_close (%d%%) allows, so nothing is "
		    "changed (a file cut short or filtered? if the list is "
		    "complete, add --force)", open - gone, open, gone,
		    gone * 100 / open, r->o->snapshot_max_close);
		r->o->report(r->o->report_ctx, "--snapshot", 0, msg);
	}
	return 2;
}

int
ingest_finish(struct ingest_run *r, struct batch_counts *c, struct diag *d)
{
	sqlite3_stmt *s, *close;
	int rc;

	if (restore_indexes(r, d) != 0)
		return -1;
	if (!r->o->snapshot)
		return 0;
	if (r->unidentified_rejects > 0) {
		if (r->o->report) {
			char msg[200];

			snprintf(msg, sizeof msg, "%d rejected row%s cannot "
			    "say which document%s %s, so no item is closed "
			    "by this run", r->unidentified_rejects,
			    r->unidentified_rejects == 1 ? "" : "s",
			    r->unidentified_rejects == 1 ? "" : "s",
			    r->unidentified_rejects == 1 ? "it lists" :
			    "they list");
			r->o->report(r->o->report_ctx, "--snapshot", 0, msg);
		}
		return 0;
	}
	/* A truncated export (a header and nothing else) must not close the
	 * whole ledger. */
	if (c->read == 0 && !r->o->allow_empty) {
		if (r->o->report)
			r->o->report(r->o->report_ctx, "--snapshot", 0, "the "
			    "files list no items, so no item is closed (if "
			    "every debt really is paid, add --allow-empty)");
		return 1;
	}
	if ((rc = snapshot_guard(r, d)) != 0)
		return rc;
	s = state_prepare(r->st, "SELECT id, open_amount FROM item "
	    "WHERE closed_date IS NULL AND id <= ?", d);
	close = state_prepare(r->st, "UPDATE item SET open_amount = 0, "
	    "closed_date = ?, closed_reason = 'snapshot', "
	    "updated_batch_id = ? WHERE id = ?", d);
	if (s == NULL || close == NULL) {
		sqlite3_finalize(s);
		sqlite3_finalize(close);
		return -1;
	}
	sqlite3_bind_int64(s, 1, r->max_item_at_start);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		int64_t item = sqlite3_column_int64(s, 0);
		int64_t open = sqlite3_column_int64(s, 1);

		if (r->seen[item])
			continue;
		if ((open != 0 && add_settlement(r, item, r->o->as_of, open,
		    "snapshot", 1, d) != 0))
			break;
		sqlite3_bind_int(close, 1, r->o->as_of);
		sqlite3_bind_int64(close, 2, r->st->batch_id);
		sqlite3_bind_int64(close, 3, item);
		if (step_done(r, close, "closing an item", d) != 0)
			break;
		c->closed++;
	}
	sqlite3_finalize(s);
	sqlite3_finalize(close);
	if (rc != SQLITE_DONE) {
		if (d->msg[0] == '\0')
			state_error(r->st, d, "closing items by snapshot");
		return -1;
	}
	/* The closes belong to the run's last batch. */
	s = state_prepare(r->st, "UPDATE batch SET rows_closed = ? "
	    "WHERE id = ?", d);
	if (s == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, c->closed);
	sqlite3_bind_int64(s, 2, r->st->batch_id);
	rc = step_done(r, s, "recording the closes", d);
	sqlite3_finalize(s);
	return rc;
}

int
ingest_latest_export(struct state *st, int32_t *day, struct diag *d)
{
	sqlite3_stmt *s = state_prepare(st, "SELECT max(as_of) FROM batch "
	    "WHERE kind = 'invoices' AND finished_at IS NOT NULL", d);
	int rc;

	if (s == NULL)
		return -1;
	rc = sqlite3_step(s);
	*day = rc == SQLITE_ROW && sqlite3_column_type(s, 0) != SQLITE_NULL ?
	    sqlite3_column_int(s, 0) : INT32_MIN;
	sqlite3_finalize(s);
	if (rc != SQLITE_ROW)
		return state_error(st, d, "reading the batches");
	return 0;
}

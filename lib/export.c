/*
 * export: each kind is one query (or, for promises and plans, one query
 * read a debtor and currency at a time, since their statuses are judged
 * together against that debtor's receipts by lib/promise), written row by
 * row through one writer that speaks CSV or TSV.  Each row is built in
 * memory and written at once.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "contact.h"
#include "csvout.h"
#include "date.h"
#include "export.h"
#include "money.h"
#include "promise.h"
#include "timeline.h"
#include "tsv.h"
#include "util.h"

static const char *const kind_names[EXPORT_NKINDS] = {
	"actions", "contacts", "promises", "queries", "plans", "allocations",
	"scores", "holds"
};

const char *
export_kind_name(enum export_kind k)
{
	return (unsigned)k < EXPORT_NKINDS ? kind_names[k] : "";
}

int
export_kind_parse(const char *s)
{
	for (int k = 0; k < EXPORT_NKINDS; k++)
		if (strcmp(s, kind_names[k]) == 0)
			return k;
	return -1;
}

/* ---- the writer ------------------------------------------------------ */

struct xw {
	struct state *st;
	const struct export_opts *o;
	FILE *out;
	struct sbuf b;			/* the row being built */
	size_t n;			/* its fields so far */
	long rows;
	struct diag *d;
};

static void
put(struct xw *w, const char *s, enum csvout_kind k)
{
	if (w->n++ > 0)
		sbuf_addc(&w->b, w->o->format == EXPORT_CSV ? ',' : '\t');
	if (w->o->format == EXPORT_CSV)
		csvout_field(&w->b, s, k);
	else
		tsv_add(&w->b, s ? s : "");
}

static void
txt(struct xw *w, const char *s)
{
	put(w, s, CSVOUT_TEXT);
}

static void
num(struct xw *w, const char *s)
{
	put(w, s, CSVOUT_NUMBER);
}

static void
integer(struct xw *w, long long v)
{
	char buf[32];

	snprintf(buf, sizeof buf, "%lld", v);
	num(w, buf);
}

static void
day(struct xw *w, int32_t v)
{
	char buf[DATE_BUFSZ];

	txt(w, date_format(v, buf));
}

static int
digits_of(const char *ccy)
{
	int k = ccy ? money_minor_digits(ccy) : -1;

	return k < 0 ? 2 : k;
}

static void
money(struct xw *w, int64_t v, const char *ccy)
{
	char buf[MONEY_BUFSZ];

	num(w, money_format(v, digits_of(ccy), buf));
}

static const char *
ctext(sqlite3_stmt *s, int i)
{
	return (const char *)sqlite3_column_text(s, i);
}

static int
is_null(sqlite3_stmt *s, int i)
{
	return sqlite3_column_type(s, i) == SQLITE_NULL;
}

static void
col_txt(struct xw *w, sqlite3_stmt *s, int i)
{
	txt(w, ctext(s, i));
}

static void
col_day(struct xw *w, sqlite3_stmt *s, int i)
{
	if (is_null(s, i))
		txt(w, NULL);
	else
		day(w, (int32_t)sqlite3_column_int64(s, i));
}

static void
col_int(struct xw *w, sqlite3_stmt *s, int i)
{
	if (is_null(s, i))
		num(w, NULL);
	else
		integer(w, sqlite3_column_int64(s, i));
}

static void
col_money(struct xw *w, sqlite3_stmt *s, int i, const char *ccy)
{
	if (is_null(s, i))
		num(w, NULL);
	else
		money(w, sqlite3_column_int64(s, i), ccy);
}

static int
end_row(struct xw *w)
{
	sbuf_adds(&w->b, w->o->format == EXPORT_CSV ? "\r\n" : "\n");
	w->n = 0;
	if (fwrite(w->b.buf, 1, w->b.len, w->out) != w->b.len) {
		diag_set(w->d, "writing: %s", strerror(errno));
		sbuf_reset(&w->b);
		return -1;
	}
	sbuf_reset(&w->b);
	return 0;
}

static int
header(struct xw *w, const char *const *cols, size_t n)
{
	for (size_t i = 0; i < n; i++)
		txt(w, cols[i]);
	return end_row(w);
}

#define HEADER(w, cols) header(w, cols, sizeof cols / sizeof cols[0])

/* data_row: the row ended and counted. */
static int
data_row(struct xw *w)
{
	w->rows++;
	return end_row(w);
}

/* prepare: sql with ?1 the as-of day and ?2 the --since day. */
static sqlite3_stmt *
prepare(struct xw *w, const char *sql)
{
	sqlite3_stmt *s = state_prepare(w->st, sql, w->d);

	if (s == NULL)
		return NULL;
	sqlite3_bind_int(s, 1, w->o->as_of);
	sqlite3_bind_int(s, 2, w->o->since);
	return s;
}

/* each: every row of sql to fn; what names the table in messages. */
static int
each(struct xw *w, const char *sql, int (*fn)(struct xw *, sqlite3_stmt *),
    const char *what)
{
	sqlite3_stmt *s = prepare(w, sql);
	int rc;

	if (s == NULL)
		return -1;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW)
		if (fn(w, s) != 0) {
			sqlite3_finalize(s);
			return -1;
		}
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE)
		return state_error(w->st, w->d, what);
	return 0;
}

/* A list of the client's document ids, as build-chasepath and
 * emit-letters write one (chase_docs_add: a comma or backslash in an id
 * escaped by a backslash), from the items of a join. */
#define DOC_LIST(join) "(SELECT group_concat(x, ',') FROM (SELECT" \
	" replace(replace(i.doc_id, '\\', '\\\\'), ',', '\\,') AS x FROM " \
	join " ORDER BY i.doc_id))"

/* ---- actions --------------------------------------------------------- */

static const char *const action_cols[] = {
	"date", "debtor_id", "debtor_name", "path", "step", "channel",
	"template", "doc_ids", "currency", "amount_due", "interest",
	"compensation", "rate_pct", "file", "action_id"
};

/* rate: 1/10000 % as a percentage, without trailing zeros. */
static void
rate(struct xw *w, sqlite3_stmt *s, int i)
{
	char buf[MONEY_BUFSZ];
	size_t n;

	if (is_null(s, i)) {
		num(w, NULL);
		return;
	}
	money_format(sqlite3_column_int64(s, i), 4, buf);
	n = strlen(buf);
	while (n > 0 && buf[n - 1] == '0')
		buf[--n] = '\0';
	if (n > 0 && buf[n - 1] == '.')
		buf[--n] = '\0';
	num(w, buf);
}

static int
action_row(struct xw *w, sqlite3_stmt *s)
{
	const char *ccy = ctext(s, 8);

	col_day(w, s, 0);
	for (int i = 1; i <= 8; i++)
		col_txt(w, s, i);
	col_money(w, s, 9, ccy);
	col_money(w, s, 10, ccy);
	col_money(w, s, 11, ccy);
	rate(w, s, 12);
	col_txt(w, s, 13);
	col_int(w, s, 14);
	return data_row(w);
}

static int
actions(struct xw *w)
{
	if (HEADER(w, action_cols) != 0)
		return -1;
	return each(w, "SELECT a.as_of, d.ref, d.name, a.path, a.step,"
	    " a.channel, a.template, a.doc_ids, a.currency, a.amount_due,"
	    " a.interest, a.compensation, a.rate, a.file, a.id FROM action a"
	    " JOIN debtor d ON d.id = a.debtor_id WHERE a.as_of <= ?1 AND"
	    " a.as_of >= ?2 ORDER BY a.as_of, d.ref, a.id", action_row,
	    "reading actions");
}

/* ---- contacts -------------------------------------------------------- */

static const char *const contact_cols[] = {
	"date", "time", "debtor_id", "debtor_name", "channel", "outcome",
	"agent", "note", "event", "contact_id"
};

static int
contact_row(struct xw *w, sqlite3_stmt *s)
{
	col_day(w, s, 0);
	for (int i = 1; i <= 8; i++)
		col_txt(w, s, i);
	col_int(w, s, 9);
	return data_row(w);
}

static int
contacts(struct xw *w)
{
	if (HEADER(w, contact_cols) != 0)
		return -1;
	return each(w, "SELECT c.day, c.at, d.ref, d.name, c.channel,"
	    " c.outcome, c.agent, c.note, " TIMELINE_EVENT_REF("c", "attempt")
	    ", c.id FROM contact c JOIN debtor d ON d.id = c.debtor_id"
	    " WHERE c.day <= ?1 AND c.day >= ?2 ORDER BY c.day, c.at, d.ref,"
	    " c.id", contact_row, "reading contacts");
}

/* ---- queries --------------------------------------------------------- */

static const char *const query_cols[] = {
	"opened", "debtor_id", "debtor_name", "doc_ids", "reason", "owner",
	"review_date", "status", "closed", "outcome", "days_open", "note",
	"query", "query_id"
};

static int
query_row(struct xw *w, sqlite3_stmt *s)
{
	int32_t opened = (int32_t)sqlite3_column_int64(s, 0);
	int closed = !is_null(s, 7);

	col_day(w, s, 0);
	for (int i = 1; i <= 5; i++)
		col_txt(w, s, i);
	col_day(w, s, 6);
	txt(w, closed ? "closed" : "open");
	col_day(w, s, 7);
	col_txt(w, s, 8);
	integer(w, (closed ? sqlite3_column_int64(s, 7) : w->o->as_of) -
	    opened);
	col_txt(w, s, 9);
	col_txt(w, s, 10);
	col_int(w, s, 11);
	return data_row(w);
}

static int
queries(struct xw *w)
{
	if (HEADER(w, query_cols) != 0)
		return -1;
	/* A query closed after the day is open on it; one is exported when
	 * it was opened, or closed, on or after --since. */
	return each(w, "SELECT q.opened, d.ref, d.name, "
	    DOC_LIST("query_item qi JOIN item i ON i.id = qi.item_id WHERE"
	    " qi.query_id = q.id") ", q.reason, q.owner, q.review_date,"
	    " CASE WHEN q.closed <= ?1 THEN q.closed END, CASE WHEN q.closed"
	    " <= ?1 THEN q.outcome END, q.note, "
	    TIMELINE_EVENT_REF("q", "query_open") ", q.id FROM query q JOIN"
	    " debtor d ON d.id = q.debtor_id WHERE q.opened <= ?1 AND"
	    " (q.opened >= ?2 OR (q.closed >= ?2 AND q.closed <= ?1))"
	    " ORDER BY q.opened, d.ref, q.id", query_row, "reading queries");
}

/* ---- promises -------------------------------------------------------- */

static const char *const promise_cols[] = {
	"made_on", "debtor_id", "debtor_name", "currency", "amount",
	"due_date", "grace_days", "until", "status", "paid", "note",
	"promise", "promise_id"
};

struct pr {
	int64_t id, debtor;
	char *ref, *dref, *dname, *note;
	char ccy[4];
	struct promise_eval e;
};

static void
pr_free(struct pr *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(v[i].ref);
		free(v[i].dref);
		free(v[i].dname);
		free(v[i].note);
	}
}

static char *
dup_col(sqlite3_stmt *s, int i)
{
	return is_null(s, i) ? NULL : xstrdup(ctext(s, i));
}

/* in_window: whether day falls on or after --since and by the as-of
 * day. */
static int
in_window(const struct xw *w, int64_t v)
{
	return v >= w->o->since && v <= w->o->as_of;
}

/* promise_group: v[0..n), one debtor's promises in one currency, judged
 * together (lib/promise) and written. */
static int
promise_group(struct xw *w, struct pr *v, size_t n)
{
	struct promise_eval *e = xreallocarray(NULL, n, sizeof *e);
	struct promise_cash *c = NULL;
	size_t nc = 0;
	int res = 0;

	for (size_t i = 0; i < n; i++)
		e[i] = v[i].e;
	if (contact_load_cash(w->st, v[0].debtor, v[0].ccy, w->o->as_of, &c,
	    &nc, w->d) != 0) {
		free(e);
		return -1;
	}
	promise_evaluate(e, n, c, nc, w->o->as_of);
	for (size_t i = 0; i < n && res == 0; i++) {
		int64_t until = (int64_t)e[i].due + e[i].grace;

		/* Made, or kept or broken, on or after --since. */
		if (!(v[i].e.made_on >= w->o->since || (e[i].status !=
		    PROMISE_PENDING && in_window(w, until))))
			continue;
		day(w, e[i].made_on);
		txt(w, v[i].dref);
		txt(w, v[i].dname);
		txt(w, v[i].ccy);
		money(w, e[i].amount, v[i].ccy);
		day(w, e[i].due);
		integer(w, e[i].grace);
		day(w, (int32_t)until);
		txt(w, promise_status_name(e[i].status));
		money(w, e[i].paid, v[i].ccy);
		txt(w, v[i].note);
		txt(w, v[i].ref);
		integer(w, v[i].id);
		res = data_row(w);
	}
	free(c);
	free(e);
	return res;
}

static int
promises(struct xw *w)
{
	sqlite3_stmt *s;
	struct pr *v = NULL;
	size_t n = 0, cap = 0;
	int rc, res = 0;

	if (HEADER(w, promise_cols) != 0)
		return -1;
	/* In id order within a debtor and currency, as the timeline judges
	 * them: lib/promise's tie-break is the order given. */
	s = prepare(w, "SELECT p.id, " TIMELINE_EVENT_REF("p", "promise")
	    ", p.debtor_id, d.ref, d.name, p.made_on, p.amount, p.currency,"
	    " p.due_date, p.grace_days, p.note FROM promise p JOIN debtor d"
	    " ON d.id = p.debtor_id WHERE p.made_on <= ?1 ORDER BY d.ref,"
	    " p.currency, p.id");
	if (s == NULL)
		return -1;
	for (;;) {
		struct pr x;

		memset(&x, 0, sizeof x);
		rc = sqlite3_step(s);
		if (rc == SQLITE_ROW) {
			x.id = sqlite3_column_int64(s, 0);
			x.debtor = sqlite3_column_int64(s, 2);
			snprintf(x.ccy, sizeof x.ccy, "%s", ctext(s, 7) ?
			    ctext(s, 7) : "");
		}
		/* A group ends at another debtor or currency, or the end. */
		if (n > 0 && (rc != SQLITE_ROW || x.debtor != v[0].debtor ||
		    strcmp(x.ccy, v[0].ccy) != 0)) {
			res = promise_group(w, v, n);
			pr_free(v, n);
			n = 0;
			if (res != 0)
				break;
		}
		if (rc != SQLITE_ROW)
			break;
		x.ref = dup_col(s, 1);
		x.dref = dup_col(s, 3);
		x.dname = dup_col(s, 4);
		x.e.made_on = (int32_t)sqlite3_column_int64(s, 5);
		x.e.amount = sqlite3_column_int64(s, 6);
		x.e.due = (int32_t)sqlite3_column_int64(s, 8);
		x.e.grace = (int32_t)sqlite3_column_int64(s, 9);
		x.note = dup_col(s, 10);
		if (n == cap) {
			cap = cap ? cap * 2 : 8;
			v = xreallocarray(v, cap, sizeof *v);
		}
		v[n++] = x;
	}
	sqlite3_finalize(s);
	pr_free(v, n);
	free(v);
	if (res == 0 && rc != SQLITE_DONE)
		res = state_error(w->st, w->d, "reading promises");
	return res;
}

/* ---- plans ----------------------------------------------------------- */

static const char *const plan_cols[] = {
	"created", "debtor_id", "debtor_name", "plan", "currency", "total",
	"frequency", "grace_days", "plan_status", "plan_paid", "broken_on",
	"balance_due", "instalment", "due_date", "amount", "until", "status",
	"paid", "note", "plan_id"
};

struct pl {
	int64_t id, debtor;
	char *ref, *dref, *dname, *freq, *note;
	char ccy[4];
	struct plan_eval e;
	struct plan_inst *in;
	size_t n;
};

static void
pl_free(struct pl *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(v[i].ref);
		free(v[i].dref);
		free(v[i].dname);
		free(v[i].freq);
		free(v[i].note);
		free(v[i].in);
	}
}

/* plan_wanted: made on or after --since, or an instalment of it judged
 * (kept, missed, broken) on or after it. */
static int
plan_wanted(const struct xw *w, const struct pl *x)
{
	if (x->e.created >= w->o->since)
		return 1;
	for (size_t k = 0; k < x->n; k++)
		if (in_window(w, (int64_t)x->in[k].due + x->e.grace))
			return 1;
	return 0;
}

static int
plan_rows(struct xw *w, const struct pl *x)
{
	int broken = x->e.status == PLAN_BROKEN;

	for (size_t k = 0; k < x->n || (k == 0 && x->n == 0); k++) {
		day(w, x->e.created);
		txt(w, x->dref);
		txt(w, x->dname);
		txt(w, x->ref);
		txt(w, x->ccy);
		money(w, x->e.total, x->ccy);
		txt(w, x->freq);
		integer(w, x->e.grace);
		txt(w, plan_status_name(x->e.status));
		money(w, x->e.paid, x->ccy);
		if (broken) {
			day(w, x->e.broken_on);
			money(w, x->e.balance_due, x->ccy);
		} else {
			txt(w, NULL);
			num(w, NULL);
		}
		if (x->n == 0) {
			num(w, NULL);
			for (int i = 0; i < 5; i++)
				txt(w, NULL);
		} else {
			integer(w, (long long)k + 1);
			day(w, x->in[k].due);
			money(w, x->in[k].amount, x->ccy);
			day(w, (int32_t)((int64_t)x->in[k].due + x->e.grace));
			txt(w, plan_inst_status_name(x->in[k].status));
			money(w, x->in[k].paid, x->ccy);
		}
		txt(w, x->note);
		integer(w, x->id);
		if (data_row(w) != 0)
			return -1;
	}
	return 0;
}

/* plan_group: one debtor's plans in one currency, judged together (they
 * share its receipts) and written. */
static int
plan_group(struct xw *w, struct pl *v, size_t n)
{
	struct plan_eval *e = xreallocarray(NULL, n, sizeof *e);
	struct plan_inst **in = xreallocarray(NULL, n, sizeof *in);
	size_t *ni = xreallocarray(NULL, n, sizeof *ni);
	struct promise_cash *c = NULL;
	int32_t *acts = NULL;
	size_t nc = 0, na = 0;
	int res = 0;

	for (size_t i = 0; i < n; i++) {
		e[i] = v[i].e;
		in[i] = v[i].in;
		ni[i] = v[i].n;
	}
	if (contact_load_cash(w->st, v[0].debtor, v[0].ccy, w->o->as_of, &c,
	    &nc, w->d) != 0 || contact_load_action_days(w->st, v[0].debtor,
	    v[0].ccy, w->o->as_of, &acts, &na, w->d) != 0)
		res = -1;
	else {
		plan_evaluate_all(e, in, ni, n, c, nc, w->o->as_of);
		for (size_t i = 0; i < n; i++) {
			struct plan_miss m;

			plan_miss_judge(&e[i], in[i], ni[i], w->o->cal,
			    w->o->miss_days, acts, na, w->o->as_of, &m);
		}
		for (size_t i = 0; i < n && res == 0; i++) {
			v[i].e = e[i];
			if (plan_wanted(w, &v[i]))
				res = plan_rows(w, &v[i]);
		}
	}
	free(c);
	free(acts);
	free(ni);
	free(in);
	free(e);
	return res;
}

static int
load_instalments(struct xw *w, sqlite3_stmt *si, struct pl *x)
{
	size_t cap = 0;
	int rc;

	sqlite3_bind_int64(si, 1, x->id);
	while ((rc = sqlite3_step(si)) == SQLITE_ROW) {
		if (x->n == cap) {
			cap = cap ? cap * 2 : 8;
			x->in = xreallocarray(x->in, cap, sizeof *x->in);
		}
		memset(&x->in[x->n], 0, sizeof x->in[x->n]);
		x->in[x->n].due = (int32_t)sqlite3_column_int64(si, 0);
		x->in[x->n].amount = sqlite3_column_int64(si, 1);
		x->n++;
	}
	sqlite3_reset(si);
	if (rc != SQLITE_DONE)
		return state_error(w->st, w->d, "reading instalments");
	return 0;
}

static int
plans(struct xw *w)
{
	sqlite3_stmt *s, *si;
	struct pl *v = NULL;
	size_t n = 0, cap = 0;
	int rc, res = 0;

	if (HEADER(w, plan_cols) != 0)
		return -1;
	s = prepare(w, "SELECT p.id, " TIMELINE_EVENT_REF("p", "plan")
	    ", p.debtor_id, d.ref, d.name, p.total, p.currency, p.created,"
	    " p.frequency, p.grace_days, p.note FROM plan p JOIN debtor d ON"
	    " d.id = p.debtor_id WHERE p.created <= ?1 ORDER BY d.ref,"
	    " p.currency, p.id");
	if (s == NULL)
		return -1;
	if ((si = state_prepare(w->st, "SELECT due_date, amount FROM"
	    " instalment WHERE plan_id = ? ORDER BY seq", w->d)) == NULL) {
		sqlite3_finalize(s);
		return -1;
	}
	for (;;) {
		struct pl x;

		memset(&x, 0, sizeof x);
		rc = sqlite3_step(s);
		if (rc == SQLITE_ROW) {
			x.id = sqlite3_column_int64(s, 0);
			x.debtor = sqlite3_column_int64(s, 2);
			snprintf(x.ccy, sizeof x.ccy, "%s", ctext(s, 6) ?
			    ctext(s, 6) : "");
		}
		if (n > 0 && (rc != SQLITE_ROW || x.debtor != v[0].debtor ||
		    strcmp(x.ccy, v[0].ccy) != 0)) {
			res = plan_group(w, v, n);
			pl_free(v, n);
			n = 0;
			if (res != 0)
				break;
		}
		if (rc != SQLITE_ROW)
			break;
		x.ref = dup_col(s, 1);
		x.dref = dup_col(s, 3);
		x.dname = dup_col(s, 4);
		x.e.total = sqlite3_column_int64(s, 5);
		x.e.created = (int32_t)sqlite3_column_int64(s, 7);
		x.freq = dup_col(s, 8);
		x.e.grace = (int32_t)sqlite3_column_int64(s, 9);
		x.note = dup_col(s, 10);
		if (n == cap) {
			cap = cap ? cap * 2 : 8;
			v = xreallocarray(v, cap, sizeof *v);
		}
		v[n++] = x;
		if ((res = load_instalments(w, si, &v[n - 1])) != 0)
			break;
	}
	sqlite3_finalize(s);
	sqlite3_finalize(si);
	pl_free(v, n);
	free(v);
	if (res == 0 && rc != SQLITE_DONE && rc != SQLITE_ROW)
		res = state_error(w->st, w->d, "reading plans");
	return res;
}

/* ---- allocations ----------------------------------------------------- */

static const char *const alloc_cols[] = {
	"decided", "value_date", "payment_id", "debtor_id", "debtor_name",
	"bank_ref", "end_to_end_id", "reference", "payer_name", "currency",
	"payment_amount", "doc_id", "amount", "kind", "rule", "debtor_rule",
	"status"
};

static int
alloc_row(struct xw *w, sqlite3_stmt *s)
{
	const char *ccy = ctext(s, 11);

	col_day(w, s, 2);
	col_day(w, s, 3);
	col_int(w, s, 4);
	for (int i = 5; i <= 11; i++)
		col_txt(w, s, i);
	col_money(w, s, 12, ccy);
	col_txt(w, s, 13);
	col_money(w, s, 14, ccy);
	for (int i = 15; i <= 18; i++)
		col_txt(w, s, i);
	return data_row(w);
}

static int
allocations(struct xw *w)
{
	if (HEADER(w, alloc_cols) != 0)
		return -1;
	/*
	 * Three parts, each row with the payment: (0) what a payment
	 * settled on each document (cash, a write-off, a credit note
	 * netted, a reversal's undoing), decided by the run of the
	 * settlement's batch; (1) what a decided payment left on account
	 * or for refund, and the payments decided with no settlement (a
	 * receipt cancelled by its reversal); (2) the receipts no run could
	 * match, left for a person, dated by their value date.
	 */
	return each(w, "SELECT 0 AS part, s.id AS k, b.as_of, p.value_date,"
	    " p.id, d.ref, d.name, p.bank_ref, p.end_to_end_id, p.reference,"
	    " p.payer_name, p.currency, p.amount, i.doc_id, s.amount, s.kind,"
	    " s.rule, a.debtor_rule, a.status FROM settlement s JOIN payment p ON"
	    " p.id = s.payment_id JOIN item i ON i.id = s.item_id JOIN debtor"
	    " d ON d.id = i.debtor_id LEFT JOIN allocation a ON a.payment_id ="
	    " p.id LEFT JOIN batch b ON b.id = s.batch_id WHERE s.payment_id"
	    " IS NOT NULL AND s.date <= ?1 AND coalesce(b.as_of, s.date) >= ?2"
	    " UNION ALL SELECT 1, p.id, b.as_of, p.value_date, p.id, d.ref,"
	    " d.name, p.bank_ref, p.end_to_end_id, p.reference, p.payer_name,"
	    " p.currency, p.amount, NULL, p.unallocated, a.status, a.status,"
	    " a.debtor_rule, a.status FROM allocation a JOIN payment p ON p.id"
	    " = a.payment_id LEFT JOIN debtor d ON d.id = p.debtor_id LEFT"
	    " JOIN batch b ON b.id = a.batch_id WHERE p.value_date <= ?1 AND"
	    " coalesce(b.as_of, p.value_date) >= ?2 AND ((a.status IN"
	    " ('on_account', 'refund') AND p.unallocated <> 0) OR NOT EXISTS"
	    " (SELECT 1 FROM settlement x WHERE x.payment_id = p.id))"
	    " UNION ALL SELECT 2, p.id, NULL, p.value_date, p.id, NULL, NULL,"
	    " p.bank_ref, p.end_to_end_id, p.reference, p.payer_name,"
	    " p.currency, p.amount, NULL, p.unallocated, 'unmatched',"
	    " 'unmatched', NULL, 'unmatched' FROM payment p WHERE p.kind = 'receipt' AND"
	    " p.debtor_id IS NULL AND p.value_date <= ?1 AND p.value_date >= ?2"
	    " AND NOT EXISTS (SELECT 1 FROM allocation x WHERE x.payment_id ="
	    " p.id) ORDER BY 4, 5, 1, 2", alloc_row, "reading allocations");
}

/* ---- scores ---------------------------------------------------------- */

static const char *const score_cols[] = {
	"date", "debtor_id", "debtor_name", "score", "band", "factors"
};

static int
score_row(struct xw *w, sqlite3_stmt *s)
{
	char buf[64];

	col_day(w, s, 0);
	col_txt(w, s, 1);
	col_txt(w, s, 2);
	snprintf(buf, sizeof buf, "%.2f", sqlite3_column_double(s, 3));
	num(w, buf);
	col_txt(w, s, 4);
	col_txt(w, s, 5);
	return data_row(w);
}

static int
scores(struct xw *w)
{
	if (HEADER(w, score_cols) != 0)
		return -1;
	return each(w, "SELECT s.as_of, d.ref, d.name, s.score, s.band,"
	    " s.inputs FROM score s JOIN debtor d ON d.id = s.debtor_id WHERE"
	    " s.as_of <= ?1 AND s.as_of >= ?2 ORDER BY s.as_of, d.ref",
	    score_row, "reading scores");
}

/* ---- holds ----------------------------------------------------------- */

/* A breathing space, an insolvency, a death, a complaint, a legal or the
 * client's own stop: the client must stop enforcing too (a breathing
 * space binds the creditor itself), so the hold goes back to it. */
static const char *const hold_cols[] = {
	"start_date", "debtor_id", "debtor_name", "type", "end_date",
	"status", "released", "note", "hold", "hold_id"
};

static int
hold_row(struct xw *w, sqlite3_stmt *s)
{
	int released = !is_null(s, 5);
	int ended = !is_null(s, 4) && sqlite3_column_int64(s, 4) <
	    w->o->as_of;

	col_day(w, s, 0);
	for (int i = 1; i <= 3; i++)
		col_txt(w, s, i);
	col_day(w, s, 4);
	txt(w, released ? "released" : ended ? "ended" : "held");
	col_day(w, s, 5);
	col_txt(w, s, 6);
	col_txt(w, s, 7);
	col_int(w, s, 8);
	return data_row(w);
}

static int
holds(struct xw *w)
{
	if (HEADER(w, hold_cols) != 0)
		return -1;
	/* A release after the day is not one yet; a hold is exported when
	 * it started, was released or ended on or after --since. */
	return each(w, "SELECT h.start_date, d.ref, d.name, h.kind,"
	    " h.end_date, CASE WHEN h.released <= ?1 THEN h.released END,"
	    " h.note, " TIMELINE_EVENT_REF("h", "hold") ", h.id FROM hold h"
	    " JOIN debtor d ON d.id = h.debtor_id WHERE h.start_date <= ?1"
	    " AND (h.start_date >= ?2 OR (h.released >= ?2 AND h.released"
	    " <= ?1) OR (h.end_date >= ?2 AND h.end_date <= ?1))"
	    " ORDER BY h.start_date, d.ref, h.id", hold_row,
	    "reading holds");
}

/* ---- the run --------------------------------------------------------- */

int
export_begin(struct state *st, struct diag *d)
{
	return state_exec(st, "PRAGMA query_only = ON; BEGIN", d);
}

void
export_end(struct state *st)
{
	if (st->db && !sqlite3_get_autocommit(st->db))
		state_exec(st, "ROLLBACK", NULL);
}

int
export_write(struct state *st, enum export_kind k,
    const struct export_opts *o, FILE *out, long *rows, struct diag *d)
{
	static int (*const fn[EXPORT_NKINDS])(struct xw *) = {
		actions, contacts, promises, queries, plans, allocations,
		scores, holds
	};
	struct xw w = { st, o, out, { 0 }, 0, 0, d };
	int rc;

	if ((unsigned)k >= EXPORT_NKINDS) {
		diag_set(d, "no such kind");
		return -1;
	}
	rc = fn[k](&w);
	sbuf_free(&w.b);
	if (rc == 0 && (fflush(out) != 0 || ferror(out))) {
		diag_set(d, "writing: %s", strerror(errno));
		rc = -1;
	}
	if (rows)
		*rows = w.rows;
	return rc;
}

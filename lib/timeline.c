/*
 * timeline: one debtor's rows gathered from every table, judged as of
 * the day (lib/promise), sorted, written.  A debtor's history is small
 * (hundreds of rows), so it is held in memory and sorted there; each
 * table is read through its debtor index.
 */
#include <stdlib.h>
#include <string.h>

#include "contact.h"
#include "date.h"
#include "money.h"
#include "promise.h"
#include "timeline.h"
#include "tsv.h"
#include "util.h"

enum rank {
	R_ITEM, R_PAYMENT, R_SETTLEMENT, R_CONTACT, R_PROMISE, R_QUERY_OPEN,
	R_PLAN, R_INSTALMENT, R_QUERY_CLOSE, R_HOLD, R_RELEASE
};
static const char *const rank_names[] = {
	"item", "payment", "settlement", "contact", "promise", "query_open",
	"plan", "instalment", "query_close", "hold", "release"
};

#define NONE INT32_MIN

struct trow {
	int32_t date;
	enum rank rank;
	char *ref;
	int64_t seq;
	char ccy[4];
	int has_amount, has_applied;
	int64_t amount, applied;
	char *status;
	int32_t due;			/* NONE when empty */
	char *detail;
};

struct tl {
	struct state *st;
	int64_t id;
	int32_t as_of;
	const struct calendar *cal;	/* chase.calendar */
	int miss_days;			/* chase.plan_missed.days */
	struct trow *v;
	size_t n, cap;
	struct diag *d;
};

static struct trow *
add(struct tl *t, int32_t date, enum rank rank, const char *ref,
    int64_t seq)
{
	struct trow *r;

	if (t->n == t->cap) {
		t->cap = t->cap ? t->cap * 2 : 32;
		t->v = xreallocarray(t->v, t->cap, sizeof *t->v);
	}
	r = &t->v[t->n++];
	memset(r, 0, sizeof *r);
	r->date = date;
	r->rank = rank;
	r->ref = xstrdup(ref ? ref : "");
	r->seq = seq;
	r->due = NONE;
	return r;
}

static void
set_ccy(struct trow *r, const unsigned char *c)
{
	snprintf(r->ccy, sizeof r->ccy, "%s", c ? (const char *)c : "");
}

static void
set_money(struct trow *r, int64_t amount, int has_applied, int64_t applied)
{
	r->has_amount = 1;
	r->amount = amount;
	r->has_applied = has_applied;
	r->applied = applied;
}

/* kv: "; key=value" onto b, when value is not empty. */
static void
kv(struct sbuf *b, const char *key, const unsigned char *value)
{
	if (value == NULL || *value == '\0')
		return;
	if (b->len > 0)
		sbuf_adds(b, "; ");
	sbuf_addf(b, "%s=%s", key, (const char *)value);
}

static void
kv_day(struct sbuf *b, const char *key, int32_t day)
{
	char buf[DATE_BUFSZ];

	kv(b, key, (const unsigned char *)date_format(day, buf));
}

static void
kv_int(struct sbuf *b, const char *key, long long v)
{
	char buf[32];

	snprintf(buf, sizeof buf, "%lld", v);
	kv(b, key, (const unsigned char *)buf);
}

static void
kv_money(struct sbuf *b, const char *key, int64_t v, const char *ccy)
{
	char buf[MONEY_BUFSZ];
	int digits = money_minor_digits(ccy);

	kv(b, key, (const unsigned char *)money_format(v, digits < 0 ? 2 :
	    digits, buf));
}

static char *
take(struct sbuf *b)
{
	char *s = xstrdup(sbuf_str(b));

	sbuf_free(b);
	return s;
}

static const unsigned char *
text(sqlite3_stmt *s, int i)
{
	return sqlite3_column_text(s, i);
}

static int32_t
day_or_none(sqlite3_stmt *s, int i)
{
	return sqlite3_column_type(s, i) == SQLITE_NULL ? NONE :
	    (int32_t)sqlite3_column_int64(s, i);
}

/* query: sql bound to the debtor (?1) and the day (?2), each row to fn. */
static int
query(struct tl *t, const char *sql, int (*fn)(struct tl *, sqlite3_stmt *),
    const char *what)
{
	sqlite3_stmt *s = state_prepare(t->st, sql, t->d);
	int rc;

	if (s == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, t->id);
	sqlite3_bind_int(s, 2, t->as_of);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW)
		if (fn(t, s) != 0) {
			sqlite3_finalize(s);
			return -1;
		}
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE)
		return state_error(t->st, t->d, what);
	return 0;
}

#define EVENT_REF TIMELINE_EVENT_REF

static int
item_row(struct tl *t, sqlite3_stmt *s)
{
	struct trow *r = add(t, (int32_t)sqlite3_column_int64(s, 2), R_ITEM,
	    (const char *)text(s, 0), sqlite3_column_int64(s, 9));
	int64_t amount = sqlite3_column_int64(s, 4);
	int64_t open = sqlite3_column_int64(s, 6);
	int32_t closed = day_or_none(s, 7);
	struct sbuf b = { 0 };
	int is_open = (closed == NONE || closed > t->as_of) && open != 0;

	set_ccy(r, text(s, 5));
	set_money(r, amount, 1, amount - open);
	r->due = (int32_t)sqlite3_column_int64(s, 3);
	r->status = xstrdup(!is_open ? "closed" : sqlite3_column_int(s, 8) ?
	    "in_query" : "open");
	kv(&b, "doc_type", text(s, 1));
	r->detail = take(&b);
	return 0;
}

static int
payment_row(struct tl *t, sqlite3_stmt *s)
{
	struct trow *r = add(t, (int32_t)sqlite3_column_int64(s, 2),
	    R_PAYMENT, (const char *)text(s, 0), sqlite3_column_int64(s, 9));
	const char *kind = (const char *)text(s, 1);
	int64_t amount = sqlite3_column_int64(s, 3);
	int64_t applied = sqlite3_column_int64(s, 5);
	struct sbuf b = { 0 };
	const char *st;

	set_ccy(r, text(s, 4));
	set_money(r, amount, 1, applied);
	if (kind == NULL || strcmp(kind, "receipt") != 0)
		st = kind ? kind : "";
	else if (sqlite3_column_int(s, 8))
		st = "reversed";
	else if (applied == 0)
		st = "unallocated";
	else if (applied < amount)
		st = "part_allocated";
	else
		st = "allocated";
	r->status = xstrdup(st);
	kv(&b, "kind", text(s, 1));
	kv(&b, "reference", text(s, 6));
	kv(&b, "payer", text(s, 7));
	r->detail = take(&b);
	return 0;
}

static int
settlement_row(struct tl *t, sqlite3_stmt *s)
{
	struct trow *r = add(t, (int32_t)sqlite3_column_int64(s, 0),
	    R_SETTLEMENT, (const char *)text(s, 3), sqlite3_column_int64(s, 6));
	struct sbuf b = { 0 };

	set_ccy(r, text(s, 4));
	set_money(r, sqlite3_column_int64(s, 2), 0, 0);
	r->status = xstrdup((const char *)text(s, 1));
	kv(&b, "payment", text(s, 5));
	r->detail = take(&b);
	return 0;
}

static int
contact_row(struct tl *t, sqlite3_stmt *s)
{
	struct trow *r = add(t, (int32_t)sqlite3_column_int64(s, 2),
	    R_CONTACT, (const char *)text(s, 0), sqlite3_column_int64(s, 7));
	struct sbuf b = { 0 };

	r->status = xstrdup(text(s, 4) ? (const char *)text(s, 4) : "");
	kv(&b, "channel", text(s, 3));
	kv(&b, "time", text(s, 1));
	kv(&b, "agent", text(s, 5));
	kv(&b, "note", text(s, 6));
	r->detail = take(&b);
	return 0;
}

/* Promises are judged per currency, all of a debtor's at once, since
 * they share its receipts. */
struct pr {
	struct promise_eval e;
	char *ref;
	char ccy[4];
	char *note;
	int64_t id;
};

static int
cash_of(struct tl *t, const char *ccy, struct promise_cash **c, size_t *n)
{
	return contact_load_cash(t->st, t->id, ccy, t->as_of, c, n, t->d);
}

static int
promises(struct tl *t)
{
	static const char sql[] =
	    "SELECT p.id, " EVENT_REF("p", "promise") ", p.made_on, p.amount,"
	    " p.currency, p.due_date, p.grace_days, p.note FROM promise p"
	    " WHERE p.debtor_id = ?1 AND p.made_on <= ?2 ORDER BY p.id";
	sqlite3_stmt *s = state_prepare(t->st, sql, t->d);
	struct pr *v = NULL;
	size_t n = 0, cap = 0;
	int rc, res = 0;

	if (s == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, t->id);
	sqlite3_bind_int(s, 2, t->as_of);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct pr *x;

		if (n == cap) {
			cap = cap ? cap * 2 : 8;
			v = xreallocarray(v, cap, sizeof *v);
		}
		x = &v[n++];
		memset(x, 0, sizeof *x);
		x->id = sqlite3_column_int64(s, 0);
		x->ref = xstrdup((const char *)text(s, 1));
		x->e.made_on = (int32_t)sqlite3_column_int64(s, 2);
		x->e.amount = sqlite3_column_int64(s, 3);
		snprintf(x->ccy, sizeof x->ccy, "%s", (const char *)text(s, 4));
		x->e.due = (int32_t)sqlite3_column_int64(s, 5);
		x->e.grace = (int32_t)sqlite3_column_int64(s, 6);
		x->note = text(s, 7) ? xstrdup((const char *)text(s, 7)) :
		    NULL;
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE)
		res = state_error(t->st, t->d, "reading promises");
	/* One currency at a time: gather its promises, judge them. */
	for (size_t i = 0; i < n && res == 0; i++) {
		struct promise_eval *e;
		struct promise_cash *c = NULL;
		size_t nc = 0, k = 0;
		char ccy[4];

		if (v[i].ccy[0] == '\0')
			continue;	/* done with its currency */
		e = xreallocarray(NULL, n, sizeof *e);
		for (size_t j = i; j < n; j++)
			if (strcmp(v[j].ccy, v[i].ccy) == 0)
				e[k++] = v[j].e;
		if (cash_of(t, v[i].ccy, &c, &nc) != 0) {
			free(e);
			res = -1;
			break;
		}
		promise_evaluate(e, k, c, nc, t->as_of);
		free(c);
		memcpy(ccy, v[i].ccy, 4);
		k = 0;
		for (size_t j = i; j < n; j++) {
			struct trow *r;
			struct sbuf b = { 0 };

			if (strcmp(v[j].ccy, ccy) != 0)
				continue;
			v[j].e = e[k++];
			r = add(t, v[j].e.made_on, R_PROMISE, v[j].ref, v[j].id);
			memcpy(r->ccy, ccy, 4);
			set_money(r, v[j].e.amount, 1, v[j].e.paid);
			r->status = xstrdup(promise_status_name(v[j].e.status));
			r->due = v[j].e.due;
			kv_int(&b, "grace", v[j].e.grace);
			kv_day(&b, "until", v[j].e.due + v[j].e.grace);
			kv(&b, "note", (const unsigned char *)v[j].note);
			r->detail = take(&b);
			/* Judged: the outer loop skips it. */
			v[j].ccy[0] = '\0';
		}
		free(e);
	}
	for (size_t i = 0; i < n; i++) {
		free(v[i].ref);
		free(v[i].note);
	}
	free(v);
	return res;
}

static int
query_row(struct tl *t, sqlite3_stmt *s)
{
	int64_t id = sqlite3_column_int64(s, 0);
	const char *ref = (const char *)text(s, 1);
	int32_t opened = (int32_t)sqlite3_column_int64(s, 4);
	int32_t closed = day_or_none(s, 6);
	int is_closed = closed != NONE && closed <= t->as_of;
	struct trow *r = add(t, opened, R_QUERY_OPEN, ref, id);
	struct sbuf b = { 0 };

	r->status = xstrdup(is_closed ? "closed" : "open");
	r->due = day_or_none(s, 5);
	kv(&b, "reason", text(s, 2));
	kv(&b, "owner", text(s, 3));
	kv(&b, "doc_ids", text(s, 9));
	kv(&b, "note", text(s, 8));
	r->detail = take(&b);
	if (is_closed) {
		r = add(t, closed, R_QUERY_CLOSE, ref, id);
		r->status = xstrdup(text(s, 7) ? (const char *)text(s, 7) : "");
		kv_int(&b, "days_open", (long long)closed - opened);
		kv(&b, "doc_ids", text(s, 9));
		r->detail = take(&b);
	}
	return 0;
}

/* A debtor's plans are judged per currency, all at once, since they
 * share its receipts. */
struct pl {
	struct plan_eval e;
	struct plan_inst *in;
	size_t n;
	int64_t id;
	char *ref, *freq, *note;
	char ccy[4];
	int done;
};

static void
plan_rows(struct tl *t, const struct pl *x)
{
	struct trow *r = add(t, x->e.created, R_PLAN, x->ref, x->id);
	struct sbuf b = { 0 };

	memcpy(r->ccy, x->ccy, 4);
	set_money(r, x->e.total, 1, x->e.paid);
	r->status = xstrdup(plan_status_name(x->e.status));
	if (x->n > 0)
		r->due = x->in[x->n - 1].due;
	kv_int(&b, "instalments", (long long)x->n);
	kv(&b, "frequency", (const unsigned char *)x->freq);
	kv_int(&b, "grace", x->e.grace);
	if (x->e.status == PLAN_BROKEN) {
		kv_day(&b, "broken_on", x->e.broken_on);
		kv_money(&b, "balance_due", x->e.balance_due, x->ccy);
	}
	kv(&b, "note", (const unsigned char *)x->note);
	r->detail = take(&b);
	for (size_t k = 0; k < x->n; k++) {
		char iref[80];

		snprintf(iref, sizeof iref, "%.50s/%zu", x->ref, k + 1);
		r = add(t, x->in[k].due, R_INSTALMENT, iref, x->id);
		memcpy(r->ccy, x->ccy, 4);
		set_money(r, x->in[k].amount, 1, x->in[k].paid);
		r->status = xstrdup(plan_inst_status_name(x->in[k].status));
		r->due = x->in[k].due;
		kv_day(&b, "until", x->in[k].due + x->e.grace);
		r->detail = take(&b);
	}
}

static char *
dup_or_null(const unsigned char *s)
{
	return s ? xstrdup((const char *)s) : NULL;
}

/* judge_plans: the plans of v[] in v[from]'s currency, judged together,
 * their rows added. */
static int
judge_plans(struct tl *t, struct pl *v, size_t n, size_t from)
{
	struct plan_eval *e = xreallocarray(NULL, n, sizeof *e);
	struct plan_inst **in = xreallocarray(NULL, n, sizeof *in);
	size_t *ni = xreallocarray(NULL, n, sizeof *ni), k = 0;
	struct promise_cash *c = NULL;
	int32_t *acts = NULL;
	size_t nc = 0, na = 0;
	int res = 0;

	for (size_t j = from; j < n; j++)
		if (!v[j].done && strcmp(v[j].ccy, v[from].ccy) == 0) {
			e[k] = v[j].e;
			in[k] = v[j].in;
			ni[k] = v[j].n;
			k++;
		}
	if (cash_of(t, v[from].ccy, &c, &nc) != 0 ||
	    contact_load_action_days(t->st, t->id, v[from].ccy, t->as_of,
	    &acts, &na, t->d) != 0) {
		res = -1;
	} else {
		plan_evaluate_all(e, in, ni, k, c, nc, t->as_of);
		/* As build-chasepath judges them: a first miss not
		 * contacted in time breaks the plan. */
		for (size_t j = 0; j < k; j++) {
			struct plan_miss m;

			plan_miss_judge(&e[j], in[j], ni[j], t->cal,
			    t->miss_days, acts, na, t->as_of, &m);
		}
		k = 0;
		for (size_t j = from; j < n; j++)
			if (!v[j].done && strcmp(v[j].ccy, v[from].ccy) ==
			    0) {
				v[j].e = e[k++];
				plan_rows(t, &v[j]);
				v[j].done = 1;
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
plans(struct tl *t)
{
	static const char sql[] =
	    "SELECT p.id, " EVENT_REF("p", "plan") ", p.total, p.currency,"
	    " p.created, p.frequency, p.grace_days, p.note FROM plan p"
	    " WHERE p.debtor_id = ?1 AND p.created <= ?2 ORDER BY p.id";
	sqlite3_stmt *s = state_prepare(t->st, sql, t->d), *si;
	struct pl *v = NULL;
	size_t nv = 0, cap = 0;
	int rc, res = 0;

	if (s == NULL)
		return -1;
	si = state_prepare(t->st, "SELECT due_date, amount FROM instalment "
	    "WHERE plan_id = ? ORDER BY seq", t->d);
	if (si == NULL) {
		sqlite3_finalize(s);
		return -1;
	}
	sqlite3_bind_int64(s, 1, t->id);
	sqlite3_bind_int(s, 2, t->as_of);
	while (res == 0 && (rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct pl *x;
		size_t icap = 0;
		int irc;

		if (nv == cap) {
			cap = cap ? cap * 2 : 8;
			v = xreallocarray(v, cap, sizeof *v);
		}
		x = &v[nv++];
		memset(x, 0, sizeof *x);
		x->id = sqlite3_column_int64(s, 0);
		x->ref = xstrdup((const char *)text(s, 1));
		x->e.total = sqlite3_column_int64(s, 2);
		snprintf(x->ccy, sizeof x->ccy, "%s", text(s, 3) ?
		    (const char *)text(s, 3) : "");
		x->e.created = (int32_t)sqlite3_column_int64(s, 4);
		x->freq = dup_or_null(text(s, 5));
		x->e.grace = (int32_t)sqlite3_column_int64(s, 6);
		x->note = dup_or_null(text(s, 7));
		sqlite3_bind_int64(si, 1, x->id);
		while ((irc = sqlite3_step(si)) == SQLITE_ROW) {
			if (x->n == icap) {
				icap = icap ? icap * 2 : 8;
				x->in = xreallocarray(x->in, icap,
				    sizeof *x->in);
			}
			memset(&x->in[x->n], 0, sizeof x->in[x->n]);
			x->in[x->n].due = (int32_t)sqlite3_column_int64(si, 0);
			x->in[x->n].amount = sqlite3_column_int64(si, 1);
			x->n++;
		}
		sqlite3_reset(si);
		if (irc != SQLITE_DONE)
			res = state_error(t->st, t->d, "reading instalments");
	}
	if (res == 0 && rc != SQLITE_DONE)
		res = state_error(t->st, t->d, "reading plans");
	sqlite3_finalize(s);
	sqlite3_finalize(si);
	/* One currency at a time: its plans share its receipts. */
	for (size_t i = 0; i < nv && res == 0; i++)
		if (!v[i].done)
			res = judge_plans(t, v, nv, i);
	for (size_t i = 0; i < nv; i++) {
		free(v[i].in);
		free(v[i].ref);
		free(v[i].freq);
		free(v[i].note);
	}
	free(v);
	return res;
}

static int
hold_row(struct tl *t, sqlite3_stmt *s)
{
	int64_t id = sqlite3_column_int64(s, 0);
	const char *ref = (const char *)text(s, 1);
	int32_t start = (int32_t)sqlite3_column_int64(s, 3);
	int32_t end = day_or_none(s, 4), rel = day_or_none(s, 5);
	struct trow *r = add(t, start, R_HOLD, ref, id);
	struct sbuf b = { 0 };
	enum hold_status hs;

	hs = hold_evaluate(start, end == NONE ? INT32_MAX : end,
	    rel == NONE ? INT32_MAX : rel, t->as_of);
	r->status = xstrdup(hold_status_name(hs));
	r->due = end;
	kv(&b, "type", text(s, 2));
	kv(&b, "note", text(s, 6));
	r->detail = take(&b);
	if (hs == HOLD_RELEASED) {
		r = add(t, rel, R_RELEASE, ref, id);
		r->status = xstrdup("released");
		kv(&b, "type", text(s, 2));
		kv_int(&b, "days_held", (long long)rel - start);
		r->detail = take(&b);
	}
	return 0;
}

static int
cmp_row(const void *x, const void *y)
{
	const struct trow *a = x, *b = y;
	int c;

	if (a->date != b->date)
		return a->date < b->date ? -1 : 1;
	if (a->rank != b->rank)
		return a->rank < b->rank ? -1 : 1;
	if ((c = strcmp(a->ref, b->ref)) != 0)
		return c;
	return a->seq < b->seq ? -1 : a->seq > b->seq;
}

static void
put_money(FILE *out, int has, int64_t v, const char *ccy)
{
	char buf[MONEY_BUFSZ];
	int digits = money_minor_digits(ccy);

	if (has)
		fputs(money_format(v, digits < 0 ? 2 : digits, buf), out);
}

static void
write_rows(struct tl *t, const char *ref, FILE *out)
{
	char day[DATE_BUFSZ];

	if (t->n > 0)
		qsort(t->v, t->n, sizeof *t->v, cmp_row);
	for (size_t i = 0; i < t->n; i++) {
		const struct trow *r = &t->v[i];

		tsv_put(out, ref);
		tsv_sep(out);
		fputs(date_format(r->date, day), out);
		tsv_sep(out);
		fputs(rank_names[r->rank], out);
		tsv_sep(out);
		tsv_put(out, r->ref);
		tsv_sep(out);
		fputs(r->ccy, out);
		tsv_sep(out);
		put_money(out, r->has_amount, r->amount, r->ccy);
		tsv_sep(out);
		put_money(out, r->has_applied, r->applied, r->ccy);
		tsv_sep(out);
		tsv_put(out, r->status ? r->status : "");
		tsv_sep(out);
		if (r->due != NONE)
			fputs(date_format(r->due, day), out);
		tsv_sep(out);
		tsv_put(out, r->detail ? r->detail : "");
		tsv_end(out);
	}
}

int
timeline_debtor(struct state *st, const char *ref, int64_t *id,
    struct diag *d)
{
	sqlite3_stmt *s = state_prepare(st, "SELECT id FROM debtor WHERE "
	    "ref = ?", d);
	int rc;

	if (s == NULL)
		return -1;
	sqlite3_bind_text(s, 1, ref, -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		*id = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	if (rc == SQLITE_ROW)
		return 1;
	if (rc == SQLITE_DONE)
		return 0;
	return state_error(st, d, "looking up the debtor");
}

int
timeline_write(struct state *st, int64_t id, const char *ref,
    int32_t as_of, const struct calendar *cal, int miss_days, FILE *out,
    struct diag *d)
{
	struct tl t = { st, id, as_of, cal, miss_days, NULL, 0, 0, d };
	int rc;

	rc = query(&t, "SELECT i.doc_id, i.doc_type, i.issue_date,"
	    " i.due_date, i.amount, i.currency, i.open_amount + coalesce("
	    "(SELECT sum(s.amount) FROM settlement s WHERE s.item_id = i.id"
	    " AND s.date > ?2), 0), i.closed_date, i.in_query OR EXISTS"
	    " (SELECT 1 FROM query_item qi JOIN query q ON q.id = qi.query_id"
	    " WHERE qi.item_id = i.id AND q.opened <= ?2 AND (q.closed IS"
	    " NULL OR q.closed > ?2)), i.id FROM item i WHERE i.debtor_id = ?1"
	    " AND i.issue_date <= ?2", item_row, "reading items");
	/* A payment's applied is its cash: allocations, and what a reversal
	 * takes back; a write-off is no cash of the payer's and is listed
	 * as its own settlement row. */
	if (rc == 0)
		rc = query(&t, "SELECT p.entry_key, p.kind, p.value_date,"
		    " p.amount, p.currency, coalesce((SELECT sum(s.amount) FROM"
		    " settlement s WHERE s.payment_id = p.id AND s.date <= ?2"
		    " AND s.kind IN ('allocation', 'reversal')), 0),"
		    " p.reference, p.payer_name, EXISTS (SELECT 1 FROM"
		    " payment r WHERE r.reverses_id = p.id AND r.kind ="
		    " 'reversal' AND r.value_date <= ?2), p.id FROM payment p"
		    " WHERE p.debtor_id = ?1 AND p.value_date <= ?2",
		    payment_row, "reading payments");
	if (rc == 0)
		rc = query(&t, "SELECT s.date, s.kind, s.amount, i.doc_id,"
		    " i.currency, p.entry_key, s.id FROM item i JOIN settlement"
		    " s ON s.item_id = i.id LEFT JOIN payment p ON p.id ="
		    " s.payment_id WHERE i.debtor_id = ?1 AND s.date <= ?2",
		    settlement_row, "reading settlements");
	if (rc == 0)
		rc = query(&t, "SELECT " EVENT_REF("c", "attempt") ", c.at,"
		    " c.day, c.channel, c.outcome, c.agent, c.note, c.id FROM"
		    " contact c WHERE c.debtor_id = ?1 AND c.day <= ?2",
		    contact_row, "reading contacts");
	if (rc == 0)
		rc = promises(&t);
	if (rc == 0)
		rc = query(&t, "SELECT q.id, " EVENT_REF("q", "query_open")
		    ", q.reason, q.owner, q.opened, q.review_date, q.closed,"
		    " q.outcome, q.note, (SELECT group_concat(doc_id, ',') FROM"
		    " (SELECT i.doc_id FROM query_item qi JOIN item i ON i.id ="
		    " qi.item_id WHERE qi.query_id = q.id ORDER BY i.doc_id))"
		    " FROM query q WHERE q.debtor_id = ?1 AND q.opened <= ?2",
		    query_row, "reading queries");
	if (rc == 0)
		rc = plans(&t);
	if (rc == 0)
		rc = query(&t, "SELECT h.id, " EVENT_REF("h", "hold") ", h.kind,"
		    " h.start_date, h.end_date, h.released, h.note FROM hold h"
		    " WHERE h.debtor_id = ?1 AND h.start_date <= ?2", hold_row,
		    "reading holds");
	if (rc == 0)
		write_rows(&t, ref, out);
	for (size_t i = 0; i < t.n; i++) {
		free(t.v[i].ref);
		free(t.v[i].status);
		free(t.v[i].detail);
	}
	free(t.v);
	return rc;
}

int
timeline_write_all(struct state *st, int32_t as_of,
    const struct calendar *cal, int miss_days, FILE *out, struct diag *d)
{
	sqlite3_stmt *s = state_prepare(st, "SELECT id, ref FROM debtor "
	    "ORDER BY ref", d);
	int rc, res = 0;

	if (s == NULL)
		return -1;
	while (res == 0 && (rc = sqlite3_step(s)) == SQLITE_ROW)
		res = timeline_write(st, sqlite3_column_int64(s, 0),
		    (const char *)text(s, 1), as_of, cal, miss_days, out, d);
	if (res == 0 && rc != SQLITE_DONE)
		res = state_error(st, d, "reading debtors");
	sqlite3_finalize(s);
	return res;
}

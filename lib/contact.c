/*
 * contact: the event reader and recorder behind log-contact.
 *
 * A row is read into struct ev, every field checked and normalised
 * (codes, ISO dates, minor units) before the state is touched.  The
 * normalised fields as written, without the defaults filled in later
 * (the as-of day, the configured grace), make the event's content; its
 * SHA-256 is what idempotence compares, so the same sheet logged again
 * on another day, or under another configuration, is the same events.
 * Then the checks that need the state (the debtor's documents, its open
 * queries and holds) and the inserts, all in the caller's transaction.
 */
#include <stdlib.h>
#include <string.h>

#include "contact.h"
#include "date.h"
#include "money.h"
#include "sha256.h"
#include "tsv.h"
#include "util.h"

/* ---- configuration ------------------------------------------------ */

static const char *const default_reasons[] = {
	"price", "quantity", "quality", "not_received", "damaged",
	"duplicate", "wrong_customer", "missing_po", "short_payment", "other"
};

static void
set_reasons(struct contact_config *c, const char *const *v, size_t n)
{
	c->reasons = xreallocarray(NULL, n + 1, sizeof *c->reasons);
	for (size_t i = 0; i < n; i++)
		c->reasons[i] = xstrdup(v[i]);
	c->nreasons = n;
}

void
contact_config_defaults(struct contact_config *c)
{
	memset(c, 0, sizeof *c);
	c->promise_grace_days = 3;
	c->plan_grace_days = 3;
	c->breathing_space_days = 60;
	set_reasons(c, default_reasons,
	    sizeof default_reasons / sizeof default_reasons[0]);
}

void
contact_config_free(struct contact_config *c)
{
	for (size_t i = 0; i < c->nreasons; i++)
		free(c->reasons[i]);
	free(c->reasons);
	c->reasons = NULL;
	c->nreasons = 0;
}

static int
is_code(const char *s)
{
	if (*s == '\0')
		return 0;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') ||
		    *s == '_'))
			return 0;
	return 1;
}

int
contact_config_load(const struct cfg_node *root, struct contact_config *c,
    struct diag *d)
{
	static const char *const keys[] = {
		"query_reasons", "promise_grace_days", "plan_grace_days",
		"breathing_space_days", NULL
	};
	const struct cfg_node *sec = cfg_get(root, "contact"), *rs;
	long long v;
	int r;

	if (cfg_is_null(sec))
		return 0;
	if (sec->kind != CFG_MAP) {
		diag_set(d, "contact: expected a map of settings");
		d->line = sec->line;
		return -1;
	}
	if (cfg_check_keys(sec, keys, "contact", d) != 0)
		return -1;
	if ((r = cfg_get_int(sec, "contact", "promise_grace_days", 0, 365, &v,
	    d)) < 0)
		return -1;
	if (r)
		c->promise_grace_days = (int)v;
	if ((r = cfg_get_int(sec, "contact", "plan_grace_days", 0, 365, &v,
	    d)) < 0)
		return -1;
	if (r)
		c->plan_grace_days = (int)v;
	if ((r = cfg_get_int(sec, "contact", "breathing_space_days", 1, 366,
	    &v, d)) < 0)
		return -1;
	if (r)
		c->breathing_space_days = (int)v;
	rs = cfg_get(sec, "query_reasons");
	if (cfg_is_null(rs))
		return 0;
	if (rs->kind != CFG_SEQ || rs->n == 0) {
		diag_set(d, "contact.query_reasons: expected a list of reason "
		    "codes, like [price, quality, short_payment]");
		d->line = rs->line;
		return -1;
	}
	contact_config_free(c);
	c->reasons = xreallocarray(NULL, rs->n + 1, sizeof *c->reasons);
	for (size_t i = 0; i < rs->n; i++) {
		const char *s = NULL;

		if (cfg_to_str(rs->items[i], "contact.query_reasons", &s, d)
		    < 0)
			return -1;
		if (s == NULL || !is_code(s)) {
			diag_set(d, "contact.query_reasons: \"%.40s\" is not a "
			    "code (lower-case letters, digits and _)",
			    s ? s : "");
			d->line = rs->items[i]->line;
			return -1;
		}
		for (size_t k = 0; k < c->nreasons; k++)
			if (strcmp(c->reasons[k], s) == 0) {
				diag_set(d, "contact.query_reasons: \"%s\" is "
				    "listed twice", s);
				d->line = rs->items[i]->line;
				return -1;
			}
		c->reasons[c->nreasons++] = xstrdup(s);
	}
	return 0;
}

/* ---- codes ---------------------------------------------------------- */

struct alias {
	const char *key;	/* normalised: util_norm_key */
	const char *code;
};

static const char *
lookup(const struct alias *a, const char *s)
{
	struct sbuf k = { 0 };
	const char *code = NULL;

	util_norm_key(s, &k);
	for (; a->key != NULL; a++)
		if (strcmp(sbuf_str(&k), a->key) == 0) {
			code = a->code;
			break;
		}
	sbuf_free(&k);
	return code;
}

const char *
contact_event_code(const char *s)
{
	static const struct alias a[] = {
		{ "attempt", "attempt" }, { "contact", "attempt" },
		{ "promise", "promise" }, { "ptp", "promise" },
		{ "promisetopay", "promise" },
		{ "queryopen", "query_open" }, { "query", "query_open" },
		{ "dispute", "query_open" },
		{ "queryclose", "query_close" },
		{ "queryclosed", "query_close" },
		{ "plan", "plan" }, { "instalmentplan", "plan" },
		{ "installmentplan", "plan" },
		{ "hold", "hold" }, { "release", "release" },
		{ NULL, NULL }
	};

	return lookup(a, s);
}

const char *
contact_channel_code(const char *s)
{
	static const struct alias a[] = {
		{ "call", "call" }, { "phone", "call" },
		{ "phonecall", "call" }, { "telephone", "call" },
		{ "email", "email" },
		{ "sms", "sms" }, { "text", "sms" }, { "textmessage", "sms" },
		{ "letter", "letter" }, { "post", "letter" },
		{ "visit", "visit" }, { "fieldvisit", "visit" },
		{ NULL, NULL }
	};

	return lookup(a, s);
}

const char *
contact_outcome_code(const char *s)
{
	static const struct alias a[] = {
		{ "rpc", "rpc" }, { "rightpartycontact", "rpc" },
		{ "rightparty", "rpc" },
		{ "noanswer", "no_answer" }, { "na", "no_answer" },
		{ "noreply", "no_answer" }, { "unanswered", "no_answer" },
		{ "voicemail", "voicemail" }, { "vm", "voicemail" },
		{ "answeringmachine", "voicemail" },
		{ "leftmessage", "voicemail" },
		{ "wrongnumber", "wrong_number" }, { "wn", "wrong_number" },
		{ "refused", "refused" }, { "refusal", "refused" },
		{ "refusedtopay", "refused" },
		{ "promise", "promise" }, { "ptp", "promise" },
		{ "promisetopay", "promise" },
		{ "query", "query" }, { "dispute", "query" },
		{ "disputed", "query" },
		{ NULL, NULL }
	};

	return lookup(a, s);
}

int
contact_is_connect(const char *outcome)
{
	return outcome != NULL && *outcome != '\0' &&
	    strcmp(outcome, "no_answer") != 0 &&
	    strcmp(outcome, "voicemail") != 0;
}

int
contact_is_rpc(const char *outcome)
{
	static const char *const rpc[] = { "rpc", "promise", "query",
		"refused", NULL };

	for (size_t i = 0; outcome != NULL && rpc[i] != NULL; i++)
		if (strcmp(outcome, rpc[i]) == 0)
			return 1;
	return 0;
}

const char *
contact_hold_code(const char *s)
{
	static const struct alias a[] = {
		{ "breathingspace", "breathing_space" },
		{ "insolvency", "insolvency" }, { "insolvent", "insolvency" },
		{ "deceased", "deceased" },
		{ "complaint", "complaint" },
		{ "legal", "legal" }, { "legalhold", "legal" },
		{ "litigation", "legal" },
		{ "client", "client" }, { "clientinstruction", "client" },
		{ NULL, NULL }
	};

	return lookup(a, s);
}

const char *
contact_close_code(const char *s)
{
	static const struct alias a[] = {
		{ "creditnotedue", "credit_note_due" },
		{ "invalid", "invalid" }, { "paid", "paid" },
		{ "other", "other" },
		{ NULL, NULL }
	};

	return lookup(a, s);
}

int
contact_frequency(const char *s, enum plan_frequency *f)
{
	static const struct alias a[] = {
		{ "weekly", "w" }, { "fortnightly", "f" }, { "monthly", "m" },
		{ NULL, NULL }
	};
	const char *c = lookup(a, s);

	if (c == NULL)
		return -1;
	*f = c[0] == 'w' ? PLAN_WEEKLY : c[0] == 'f' ? PLAN_FORTNIGHTLY :
	    PLAN_MONTHLY;
	return 0;
}

/* ---- times and schedules --------------------------------------------- */

static int
two_digits(const char *s, int max, int *out)
{
	if (s[0] < '0' || s[0] > '9' || s[1] < '0' || s[1] > '9')
		return -1;
	*out = (s[0] - '0') * 10 + (s[1] - '0');
	return *out > max ? -1 : 0;
}

int
contact_parse_time(const char *s, int32_t *day, char out[CONTACT_TIMESZ],
    struct diag *d)
{
	char q[80], date[DATE_BUFSZ];
	size_t n = strlen(s);
	int h, m, sec = 0;
	const char *t;

	util_quote(s, n, q, sizeof q);
	/* The date is strict ISO: a time stamp is never worth a guess of
	 * the day and month order. */
	if (n >= 10) {
		memcpy(date, s, 10);
		date[10] = '\0';
	}
	if (n < 10 || date_parse_iso(date, day) != 0) {
		/* date_parse says what is wrong with a date that is not
		 * one (30 February); the rest is the wrong form. */
		if (date_parse(s, DATE_ISO, day, d) != 0)
			return -1;
		diag_set(d, "%s is not an ISO date-time (use YYYY-MM-DDTHH:MM)",
		    q);
		return -1;
	}
	if (n == 10) {
		memcpy(out, date, DATE_BUFSZ);
		return 0;
	}
	t = s + 10;
	if (*t != 'T' && *t != ' ')
		goto bad;
	t++;
	if (two_digits(t, 23, &h) != 0 || t[2] != ':' ||
	    two_digits(t + 3, 59, &m) != 0)
		goto bad;
	t += 5;
	if (*t == ':') {
		if (two_digits(t + 1, 59, &sec) != 0)
			goto bad;
		t += 3;
		/* Fractions of a second: some diallers write them. */
		if (*t == '.')
			for (t++; *t >= '0' && *t <= '9'; t++)
				;
	}
	if (*t == 'Z' || *t == '+' || *t == '-') {
		diag_set(d, "%s has a time zone: give the debtor's local time",
		    q);
		return -1;
	}
	if (*t != '\0')
		goto bad;
	snprintf(out, CONTACT_TIMESZ, "%sT%02d:%02d:%02d", date, h, m, sec);
	return 0;
bad:
	diag_set(d, "%s is not an ISO date-time (use YYYY-MM-DDTHH:MM)", q);
	return -1;
}

int
contact_parse_schedule(const char *s, int digits, struct plan_inst **out,
    size_t *n, struct diag *d)
{
	struct plan_inst *v = NULL;
	size_t nv = 0, cap = 0;
	const char *p = s;
	char q[80];

	*out = NULL;
	*n = 0;
	for (;;) {
		size_t len, dl;
		const char *colon;
		char date[DATE_BUFSZ + 8];
		int32_t day;
		int64_t amount;

		p += strspn(p, ",; \t");
		if (*p == '\0')
			break;
		len = strcspn(p, ",; \t");
		util_quote(p, len, q, sizeof q);
		colon = memchr(p, ':', len);
		if (colon == NULL || (dl = (size_t)(colon - p)) >= sizeof date) {
			diag_set(d, "%s is not date:amount (like "
			    "2024-03-01:100.00)", q);
			goto fail;
		}
		memcpy(date, p, dl);
		date[dl] = '\0';
		if (date_parse_iso(date, &day) != 0) {
			diag_set(d, "%s: \"%s\" is not a date (use YYYY-MM-DD)",
			    q, date);
			goto fail;
		}
		if (money_parse(colon + 1, len - dl - 1, digits, MONEY_POINT,
		    &amount, NULL, d) != 0) {
			diag_prefix(d, "%s", q);
			goto fail;
		}
		if (amount <= 0) {
			diag_set(d, "%s: an instalment must be more than 0", q);
			goto fail;
		}
		if (nv > 0 && day <= v[nv - 1].due) {
			diag_set(d, "%s: the dates must increase", q);
			goto fail;
		}
		if (nv == CONTACT_MAX_INSTALMENTS) {
			diag_set(d, "more than %d instalments",
			    CONTACT_MAX_INSTALMENTS);
			goto fail;
		}
		if (nv == cap) {
			cap = cap ? cap * 2 : 8;
			v = xreallocarray(v, cap, sizeof *v);
		}
		memset(&v[nv], 0, sizeof v[nv]);
		v[nv].due = day;
		v[nv].amount = amount;
		nv++;
		p += len;
	}
	if (nv == 0) {
		diag_set(d, "no instalments (like 2024-03-01:100.00,"
		    "2024-04-01:100.00)");
		goto fail;
	}
	*out = v;
	*n = nv;
	return 0;
fail:
	free(v);
	return -1;
}

/* ---- cash ------------------------------------------------------------ */

int
contact_load_cash(struct state *st, int64_t debtor_id, const char *ccy,
    int32_t as_of, struct promise_cash **out, size_t *n, struct diag *d)
{
	static const char sql[] =
	    "SELECT p.value_date, p.amount FROM payment p"
	    " WHERE p.debtor_id = ?1 AND p.kind = 'receipt'"
	    " AND p.currency = ?2 AND p.value_date <= ?3 AND NOT EXISTS"
	    " (SELECT 1 FROM payment r WHERE r.reverses_id = p.id"
	    "  AND r.kind = 'reversal' AND r.value_date <= ?3)"
	    " ORDER BY p.value_date, p.id";
	sqlite3_stmt *s = state_prepare(st, sql, d);
	struct promise_cash *v = NULL;
	size_t nv = 0, cap = 0;
	int rc;

	*out = NULL;
	*n = 0;
	if (s == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, debtor_id);
	sqlite3_bind_text(s, 2, ccy, -1, SQLITE_STATIC);
	sqlite3_bind_int(s, 3, as_of);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (nv == cap) {
			cap = cap ? cap * 2 : 16;
			v = xreallocarray(v, cap, sizeof *v);
		}
		v[nv].day = (int32_t)sqlite3_column_int64(s, 0);
		v[nv].amount = sqlite3_column_int64(s, 1);
		nv++;
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE) {
		free(v);
		return state_error(st, d, "reading receipts");
	}
	*out = v;
	*n = nv;
	return 0;
}

int
contact_load_action_days(struct state *st, int64_t debtor_id,
    const char *ccy, int32_t as_of, int32_t **out, size_t *n,
    struct diag *d)
{
	sqlite3_stmt *s = state_prepare(st, "SELECT as_of FROM action"
	    " WHERE debtor_id = ?1 AND as_of <= ?2 AND coalesce(currency, '')"
	    " IN ('', ?3)", d);
	int32_t *v = NULL;
	size_t nv = 0, cap = 0;
	int rc;

	*out = NULL;
	*n = 0;
	if (s == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, debtor_id);
	sqlite3_bind_int(s, 2, as_of);
	sqlite3_bind_text(s, 3, ccy, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (nv == cap) {
			cap = cap ? cap * 2 : 8;
			v = xreallocarray(v, cap, sizeof *v);
		}
		v[nv++] = (int32_t)sqlite3_column_int64(s, 0);
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE) {
		free(v);
		return state_error(st, d, "reading actions");
	}
	*out = v;
	*n = nv;
	return 0;
}

/* ---- the events ------------------------------------------------------ */

/* The columns log-contact knows; any other is ignored. */
enum col {
	C_EVENT, C_DEBTOR, C_EVENT_ID, C_TIME, C_DATE, C_CHANNEL, C_OUTCOME,
	C_AGENT, C_NOTE, C_AMOUNT, C_CURRENCY, C_DUE_DATE, C_GRACE,
	C_DOC_IDS, C_REASON, C_OWNER, C_REVIEW_DATE, C_QUERY_ID, C_TOTAL,
	C_NUMBER, C_FREQUENCY, C_FIRST_DATE, C_SCHEDULE, C_TYPE, C_END_DATE,
	C_HOLD_ID, NCOL
};
static const char *const col_names[NCOL] = {
	"event", "debtor_id", "event_id", "time", "date", "channel",
	"outcome", "agent", "note", "amount", "currency", "due_date", "grace",
	"doc_ids", "reason", "owner", "review_date", "query_id", "total",
	"number", "frequency", "first_date", "schedule", "type", "end_date",
	"hold_id"
};

#define NO_DAY INT32_MAX

struct ev {
	const char *kind;
	int64_t debtor;
	char debtor_ccy[4];		/* its items' one currency, or "" */
	int32_t day;			/* as written, NO_DAY when not */
	char at[CONTACT_TIMESZ];
	const char *channel, *outcome, *hold_type, *close_outcome;
	char ccy[4];			/* as written or implied, or "" */
	int64_t amount;
	int32_t due, review, end;
	int grace;			/* -1: not written */
	char **docs;
	int64_t *doc_item;
	size_t ndocs;
	struct plan_inst *inst;
	size_t ninst;
	enum plan_frequency freq;
	int has_freq;
};

struct contact_run {
	struct state *st;
	const struct contact_opts *o;
	sqlite3_stmt *debtor, *debtor_ccy, *item, *by_id, *by_hash, *ev_ins;
	/* the current file and row */
	struct tsv_reader *r;
	const char *name;
	int col[NCOL];
	char *v[NCOL];			/* the row's fields, trimmed */
	int header_out;			/* the rejects file has its header */
	struct sbuf content;		/* the event, normalised, for hashing */
	struct ev e;
};

static const char *
fv(const struct contact_run *r, enum col c)
{
	return r->v[c] ? r->v[c] : "";
}

static int
bad(struct diag *d, enum col c, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* bad: d set to field "c": message; returns -1. */
static int
bad(struct diag *d, enum col c, const char *fmt, ...)
{
	struct sbuf b = { 0 };
	va_list ap;

	va_start(ap, fmt);
	sbuf_vaddf(&b, fmt, ap);
	va_end(ap);
	diag_set(d, "field \"%s\": %s", col_names[c], sbuf_str(&b));
	sbuf_free(&b);
	return -1;
}

static int
need(const struct contact_run *r, enum col c, struct diag *d)
{
	if (*fv(r, c) != '\0')
		return 0;
	if (r->e.kind == NULL)
		return bad(d, c, "empty (every event needs it)");
	if (r->col[c] < 0)
		return bad(d, c, "no such column (%s events need it)",
		    r->e.kind);
	if ((size_t)r->col[c] >= tsv_nfields(r->r))
		return bad(d, c, "missing: the row has %zu fields, the header "
		    "%zu (%s events need it)", tsv_nfields(r->r),
		    tsv_ncols(r->r), r->e.kind);
	return bad(d, c, "empty (%s events need it)", r->e.kind);
}

/* put: one normalised field of the content, name=value and a newline
 * (the values are single-line: TSV fields unescaped have no newline
 * that matters, and a hash only has to tell contents apart). */
static void
put(struct contact_run *r, const char *name, const char *value)
{
	sbuf_adds(&r->content, name);
	sbuf_addc(&r->content, '=');
	for (const char *p = value; *p; p++)
		sbuf_addc(&r->content, *p == '\n' ? ' ' : *p);
	sbuf_addc(&r->content, '\n');
}

static void
put_int(struct contact_run *r, const char *name, long long v)
{
	char buf[32];

	snprintf(buf, sizeof buf, "%lld", v);
	put(r, name, buf);
}

static void
put_day(struct contact_run *r, const char *name, int32_t day)
{
	char buf[DATE_BUFSZ];

	put(r, name, day == NO_DAY ? "" : date_format(day, buf));
}

/* date_field: an optional ISO date; *out NO_DAY when empty. */
static int
date_field(const struct contact_run *r, enum col c, int32_t *out,
    struct diag *d)
{
	const char *s = fv(r, c);

	*out = NO_DAY;
	if (*s == '\0')
		return 0;
	if (date_parse(s, DATE_ISO, out, d) != 0) {
		diag_prefix(d, "field \"%s\"", col_names[c]);
		return -1;
	}
	return 0;
}

/* The event's own day: date, else the day of time, else (later) the
 * as-of day. */
static int
event_day(struct contact_run *r, struct diag *d)
{
	struct ev *e = &r->e;

	if (date_field(r, C_DATE, &e->day, d) != 0)
		return -1;
	if (e->day == NO_DAY && *fv(r, C_TIME) != '\0') {
		if (contact_parse_time(fv(r, C_TIME), &e->day, e->at, d) != 0)
			return bad(d, C_TIME, "%s", d->msg);
	}
	put_day(r, "date", e->day);
	return 0;
}

static int32_t
day_or_as_of(const struct contact_run *r)
{
	return r->e.day == NO_DAY ? r->o->as_of : r->e.day;
}

/* currency: as written (checked), else the debtor's items' one
 * currency, else the client's; "" and an error when the debtor has
 * items in several. */
static int
currency(struct contact_run *r, char out[4], struct diag *d)
{
	const char *s = fv(r, C_CURRENCY);
	char q[64];

	if (*s != '\0') {
		/* Three letters are not enough: "ABC" would be recorded
		 * and never match a receipt. */
		if (!money_known_currency(s)) {
			util_quote(s, strlen(s), q, sizeof q);
			return bad(d, C_CURRENCY, "%s is not an ISO 4217 "
			    "currency code", q);
		}
		for (int i = 0; i < 3; i++)
			out[i] = (char)(s[i] >= 'a' && s[i] <= 'z' ?
			    s[i] - 'a' + 'A' : s[i]);
		out[3] = '\0';
		return 0;
	}
	if (strcmp(r->e.debtor_ccy, "*") == 0)
		return bad(d, C_CURRENCY, "empty, and debtor %s has items in "
		    "several currencies (give the currency)", fv(r, C_DEBTOR));
	memcpy(out, r->e.debtor_ccy[0] ? r->e.debtor_ccy : r->o->currency, 4);
	return 0;
}

/* amount: a positive amount of ccy in column c; a currency written in
 * the amount ("GBP 500") must agree. */
static int
amount(struct contact_run *r, enum col c, const char *ccy, int64_t *out,
    struct diag *d)
{
	const char *s = fv(r, c);
	char found[4] = "";
	char q[64];

	if (money_parse(s, strlen(s), money_minor_digits(ccy), MONEY_POINT,
	    out, found, d) != 0) {
		diag_prefix(d, "field \"%s\"", col_names[c]);
		return -1;
	}
	if (found[0] != '\0' && strcmp(found, ccy) != 0)
		return bad(d, c, "in %s, but the currency is %s", found, ccy);
	if (*out <= 0) {
		util_quote(s, strlen(s), q, sizeof q);
		return bad(d, c, "%s: must be more than 0", q);
	}
	return 0;
}

static int
grace(struct contact_run *r, struct diag *d)
{
	const char *s = fv(r, C_GRACE), *err;
	long long v;

	r->e.grace = -1;
	if (*s == '\0') {
		put(r, "grace", "");
		return 0;
	}
	if (util_strtonum(s, 0, 365, &v, &err) != 0)
		return bad(d, C_GRACE, "\"%.20s\" is %s (use days, 0..365)", s,
		    err);
	r->e.grace = (int)v;
	put_int(r, "grace", v);
	return 0;
}

static int
ev_attempt(struct contact_run *r, struct diag *d)
{
	struct ev *e = &r->e;
	char q[64];

	if (need(r, C_TIME, d) != 0)
		return -1;
	if (contact_parse_time(fv(r, C_TIME), &e->day, e->at, d) != 0)
		return bad(d, C_TIME, "%s", d->msg);
	put(r, "time", e->at);
	if (need(r, C_CHANNEL, d) != 0)
		return -1;
	if ((e->channel = contact_channel_code(fv(r, C_CHANNEL))) == NULL) {
		util_quote(fv(r, C_CHANNEL), strlen(fv(r, C_CHANNEL)), q,
		    sizeof q);
		return bad(d, C_CHANNEL, "unknown channel %s (known: call, "
		    "email, sms, letter, visit)", q);
	}
	put(r, "channel", e->channel);
	if (*fv(r, C_OUTCOME) != '\0' &&
	    (e->outcome = contact_outcome_code(fv(r, C_OUTCOME))) == NULL) {
		util_quote(fv(r, C_OUTCOME), strlen(fv(r, C_OUTCOME)), q,
		    sizeof q);
		return bad(d, C_OUTCOME, "unknown outcome %s (known: rpc, "
		    "no_answer, voicemail, wrong_number, refused, promise, "
		    "query)", q);
	}
	put(r, "outcome", e->outcome ? e->outcome : "");
	put(r, "agent", fv(r, C_AGENT));
	put(r, "note", fv(r, C_NOTE));
	return 0;
}

static int
ev_promise(struct contact_run *r, struct diag *d)
{
	struct ev *e = &r->e;
	char a[DATE_BUFSZ], b[DATE_BUFSZ];

	if (event_day(r, d) != 0 || need(r, C_AMOUNT, d) != 0 ||
	    currency(r, e->ccy, d) != 0 ||
	    amount(r, C_AMOUNT, e->ccy, &e->amount, d) != 0)
		return -1;
	put(r, "currency", fv(r, C_CURRENCY)[0] ? e->ccy : "");
	put_int(r, "amount", e->amount);
	if (need(r, C_DUE_DATE, d) != 0 ||
	    date_field(r, C_DUE_DATE, &e->due, d) != 0 || grace(r, d) != 0)
		return -1;
	if (e->due < day_or_as_of(r))
		return bad(d, C_DUE_DATE, "%s is before the day the promise "
		    "was made (%s; give that day in date)", date_format(e->due, a),
		    date_format(day_or_as_of(r), b));
	put_day(r, "due_date", e->due);
	put(r, "note", fv(r, C_NOTE));
	return 0;
}

static int
cmp_str(const void *x, const void *y)
{
	return strcmp(*(char *const *)x, *(char *const *)y);
}

/* docs: the doc_ids list (comma, semicolon or space separated), each a
 * document of this debtor. */
static int
docs(struct contact_run *r, struct diag *d)
{
	struct ev *e = &r->e;
	const char *p = fv(r, C_DOC_IDS);
	struct sbuf all = { 0 };
	size_t cap = 0;
	char q[80];
	int rc = 0;

	for (;;) {
		size_t len;

		p += strspn(p, ",; \t");
		if (*p == '\0')
			break;
		len = strcspn(p, ",; \t");
		if (e->ndocs == cap) {
			cap = cap ? cap * 2 : 4;
			e->docs = xreallocarray(e->docs, cap, sizeof *e->docs);
		}
		e->docs[e->ndocs++] = xstrndup(p, len);
		p += len;
	}
	if (e->ndocs == 0)
		return bad(d, C_DOC_IDS, "no document ids");
	qsort(e->docs, e->ndocs, sizeof *e->docs, cmp_str);
	e->doc_item = xreallocarray(NULL, e->ndocs, sizeof *e->doc_item);
	for (size_t i = 0; i < e->ndocs && rc == 0; i++) {
		sqlite3_stmt *s = r->item;
		int step;

		util_quote(e->docs[i], strlen(e->docs[i]), q, sizeof q);
		if (i > 0 && strcmp(e->docs[i], e->docs[i - 1]) == 0) {
			rc = bad(d, C_DOC_IDS, "%s is listed twice", q);
			break;
		}
		sqlite3_reset(s);
		sqlite3_bind_text(s, 1, e->docs[i], -1, SQLITE_STATIC);
		step = sqlite3_step(s);
		if (step == SQLITE_DONE) {
			rc = bad(d, C_DOC_IDS, "no document %s", q);
		} else if (step != SQLITE_ROW) {
			rc = CONTACT_ESTATE;
			state_error(r->st, d, "looking up a document");
		} else if (sqlite3_column_int64(s, 1) != e->debtor) {
			rc = bad(d, C_DOC_IDS, "document %s is debtor %s's, not "
			    "%s's", q, (const char *)sqlite3_column_text(s, 2),
			    fv(r, C_DEBTOR));
		} else {
			e->doc_item[i] = sqlite3_column_int64(s, 0);
		}
		sqlite3_reset(s);
		if (i > 0)
			sbuf_addc(&all, ',');
		sbuf_adds(&all, e->docs[i]);
	}
	if (rc == 0)
		put(r, "doc_ids", sbuf_str(&all));
	sbuf_free(&all);
	return rc;
}

static int
ev_query_open(struct contact_run *r, struct diag *d)
{
	struct ev *e = &r->e;
	const char *reason = fv(r, C_REASON);
	const struct contact_config *cfg = r->o->cfg;
	char a[DATE_BUFSZ], b[DATE_BUFSZ];
	size_t i;
	int rc;

	if (event_day(r, d) != 0 || need(r, C_DOC_IDS, d) != 0)
		return -1;
	if ((rc = docs(r, d)) != 0)
		return rc;
	if (need(r, C_REASON, d) != 0)
		return -1;
	for (i = 0; i < cfg->nreasons; i++)
		if (strcmp(cfg->reasons[i], reason) == 0)
			break;
	if (i == cfg->nreasons) {
		struct sbuf known = { 0 };
		char q[64];

		for (i = 0; i < cfg->nreasons && i < 12; i++)
			sbuf_addf(&known, "%s%s", i ? ", " : "",
			    cfg->reasons[i]);
		if (cfg->nreasons > 12)
			sbuf_adds(&known, ", ...");
		util_quote(reason, strlen(reason), q, sizeof q);
		bad(d, C_REASON, "unknown reason %s (the client's codes: %s; "
		    "see contact.query_reasons)", q, sbuf_str(&known));
		sbuf_free(&known);
		return -1;
	}
	put(r, "reason", reason);
	put(r, "owner", fv(r, C_OWNER));
	if (date_field(r, C_REVIEW_DATE, &e->review, d) != 0)
		return -1;
	if (e->review != NO_DAY && e->review < day_or_as_of(r))
		return bad(d, C_REVIEW_DATE, "%s is before the query was "
		    "opened (%s)", date_format(e->review, a),
		    date_format(day_or_as_of(r), b));
	put_day(r, "review_date", e->review);
	put(r, "note", fv(r, C_NOTE));
	return 0;
}

static int
ev_query_close(struct contact_run *r, struct diag *d)
{
	struct ev *e = &r->e;
	char q[64];
	int rc;

	if (event_day(r, d) != 0)
		return -1;
	put(r, "query_id", fv(r, C_QUERY_ID));
	if (*fv(r, C_QUERY_ID) == '\0') {
		if (*fv(r, C_DOC_IDS) == '\0')
			return bad(d, C_QUERY_ID, "empty (name the query, or "
			    "its documents in doc_ids)");
		if ((rc = docs(r, d)) != 0)
			return rc;
	}
	if (need(r, C_OUTCOME, d) != 0)
		return -1;
	if ((e->close_outcome = contact_close_code(fv(r, C_OUTCOME))) ==
	    NULL) {
		util_quote(fv(r, C_OUTCOME), strlen(fv(r, C_OUTCOME)), q,
		    sizeof q);
		return bad(d, C_OUTCOME, "%s is not how a query closes "
		    "(known: credit_note_due, invalid, paid, other)", q);
	}
	put(r, "outcome", e->close_outcome);
	put(r, "note", fv(r, C_NOTE));
	return 0;
}

static int
ev_plan(struct contact_run *r, struct diag *d)
{
	struct ev *e = &r->e;
	const char *sched = fv(r, C_SCHEDULE);
	int64_t total = 0, sum = 0;
	int has_total = *fv(r, C_TOTAL) != '\0';
	char a[MONEY_BUFSZ], b[MONEY_BUFSZ];
	int digits;

	if (event_day(r, d) != 0 || currency(r, e->ccy, d) != 0)
		return -1;
	put(r, "currency", fv(r, C_CURRENCY)[0] ? e->ccy : "");
	digits = money_minor_digits(e->ccy);
	if (has_total && amount(r, C_TOTAL, e->ccy, &total, d) != 0)
		return -1;
	if (*sched != '\0') {
		if (*fv(r, C_NUMBER) || *fv(r, C_FREQUENCY) ||
		    *fv(r, C_FIRST_DATE))
			return bad(d, C_SCHEDULE, "give either a schedule or "
			    "number, frequency and first_date, not both");
		if (contact_parse_schedule(sched, digits, &e->inst, &e->ninst,
		    d) != 0)
			return bad(d, C_SCHEDULE, "%s", d->msg);
		for (size_t i = 0; i < e->ninst; i++)
			if (money_add(sum, e->inst[i].amount, &sum) != 0)
				return bad(d, C_SCHEDULE, "amounts too large");
		if (has_total && sum != total)
			return bad(d, C_SCHEDULE, "sums to %s, but the total is "
			    "%s", money_format(sum, digits, a),
			    money_format(total, digits, b));
		total = sum;
	} else {
		const char *err;
		long long n;
		int32_t first;

		if (need(r, C_TOTAL, d) != 0 || need(r, C_NUMBER, d) != 0)
			return -1;
		if (util_strtonum(fv(r, C_NUMBER), 1, CONTACT_MAX_INSTALMENTS,
		    &n, &err) != 0)
			return bad(d, C_NUMBER, "\"%.20s\" is %s (use 1..%d)",
			    fv(r, C_NUMBER), err, CONTACT_MAX_INSTALMENTS);
		if (need(r, C_FREQUENCY, d) != 0)
			return -1;
		if (contact_frequency(fv(r, C_FREQUENCY), &e->freq) != 0)
			return bad(d, C_FREQUENCY, "\"%.20s\" is not weekly, "
			    "fortnightly or monthly", fv(r, C_FREQUENCY));
		e->has_freq = 1;
		if (need(r, C_FIRST_DATE, d) != 0 ||
		    date_field(r, C_FIRST_DATE, &first, d) != 0)
			return -1;
		e->inst = xreallocarray(NULL, (size_t)n, sizeof *e->inst);
		e->ninst = (size_t)n;
		if (plan_schedule(total, (size_t)n, e->freq, first, e->inst)
		    != 0)
			return bad(d, C_TOTAL, "%s is less than one minor unit "
			    "per instalment", money_format(total, digits, a));
	}
	if (e->inst[0].due < day_or_as_of(r)) {
		char x[DATE_BUFSZ], y[DATE_BUFSZ];

		return bad(d, *sched ? C_SCHEDULE : C_FIRST_DATE, "the first "
		    "instalment (%s) is before the plan was made (%s; give "
		    "that day in date)",
		    date_format(e->inst[0].due, x),
		    date_format(day_or_as_of(r), y));
	}
	put_int(r, "total", total);
	e->amount = total;
	for (size_t i = 0; i < e->ninst; i++) {
		put_day(r, "due", e->inst[i].due);
		put_int(r, "amount", e->inst[i].amount);
	}
	if (grace(r, d) != 0)
		return -1;
	put(r, "note", fv(r, C_NOTE));
	return 0;
}

static int
ev_hold(struct contact_run *r, struct diag *d, int release)
{
	struct ev *e = &r->e;
	const char *t = fv(r, C_TYPE);
	char q[64], a[DATE_BUFSZ], b[DATE_BUFSZ];

	if (event_day(r, d) != 0)
		return -1;
	if (!release && need(r, C_TYPE, d) != 0)
		return -1;
	if (*t != '\0' && (e->hold_type = contact_hold_code(t)) == NULL) {
		util_quote(t, strlen(t), q, sizeof q);
		return bad(d, C_TYPE, "unknown hold %s (known: "
		    "breathing_space, insolvency, deceased, complaint, legal, "
		    "client)", q);
	}
	put(r, "type", e->hold_type ? e->hold_type : "");
	if (release) {
		put(r, "hold_id", fv(r, C_HOLD_ID));
	} else {
		if (date_field(r, C_END_DATE, &e->end, d) != 0)
			return -1;
		if (e->end != NO_DAY && e->end < day_or_as_of(r))
			return bad(d, C_END_DATE, "%s is before the hold starts "
			    "(%s)", date_format(e->end, a),
			    date_format(day_or_as_of(r), b));
		put_day(r, "end_date", e->end);
	}
	put(r, "note", fv(r, C_NOTE));
	return 0;
}

/* ---- the state --------------------------------------------------------- */

static int
step_done(struct contact_run *r, sqlite3_stmt *s, struct diag *d,
    const char *what)
{
	int rc = sqlite3_step(s);

	sqlite3_reset(s);
	if (rc != SQLITE_DONE) {
		state_error(r->st, d, what);
		return CONTACT_ESTATE;
	}
	return 0;
}

static void
bind_opt(sqlite3_stmt *s, int i, const char *v)
{
	if (v != NULL && *v != '\0')
		sqlite3_bind_text(s, i, v, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(s, i);
}

static void
bind_day(sqlite3_stmt *s, int i, int32_t day)
{
	if (day == NO_DAY)
		sqlite3_bind_null(s, i);
	else
		sqlite3_bind_int(s, i, day);
}

/* prep: the inserts and look-ups of the rarer events are prepared per
 * event: a sheet has few of them, and it keeps each next to its use. */
static sqlite3_stmt *
prep(struct contact_run *r, const char *sql, struct diag *d)
{
	return state_prepare(r->st, sql, d);
}

/* find_debtor: the debtor's id and its items' currency. 0, -1 (unknown:
 * d set), CONTACT_ESTATE. */
static int
find_debtor(struct contact_run *r, struct diag *d)
{
	const char *ref = fv(r, C_DEBTOR);
	sqlite3_stmt *s = r->debtor;
	char q[80];
	int rc, n = 0;

	sqlite3_bind_text(s, 1, ref, -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		r->e.debtor = sqlite3_column_int64(s, 0);
	sqlite3_reset(s);
	if (rc == SQLITE_DONE) {
		util_quote(ref, strlen(ref), q, sizeof q);
		return bad(d, C_DEBTOR, "no debtor %s (ingest its invoices "
		    "first)", q);
	}
	if (rc != SQLITE_ROW) {
		state_error(r->st, d, "looking up the debtor");
		return CONTACT_ESTATE;
	}
	s = r->debtor_ccy;
	sqlite3_bind_int64(s, 1, r->e.debtor);
	r->e.debtor_ccy[0] = '\0';
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		const char *c = (const char *)sqlite3_column_text(s, 0);

		if (n++ == 0)
			snprintf(r->e.debtor_ccy, 4, "%s", c ? c : "");
		else
			snprintf(r->e.debtor_ccy, 4, "*");
	}
	sqlite3_reset(s);
	if (rc != SQLITE_DONE) {
		state_error(r->st, d, "looking up the debtor's currency");
		return CONTACT_ESTATE;
	}
	return 0;
}

/* seen: 1 when the event was recorded before (same id and content, or
 * no id and the same content), 0 when new, -1 for an id recorded with
 * other content (d set), CONTACT_ESTATE. */
static int
seen(struct contact_run *r, const char *hash, struct diag *d)
{
	const char *id = fv(r, C_EVENT_ID);
	sqlite3_stmt *s = *id ? r->by_id : r->by_hash;
	int rc, res = 0;

	sqlite3_bind_text(s, 1, *id ? id : hash, -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		res = 1;
		if (*id && strcmp((const char *)sqlite3_column_text(s, 0),
		    hash) != 0) {
			char q[80], day[DATE_BUFSZ];

			util_quote(id, strlen(id), q, sizeof q);
			res = bad(d, C_EVENT_ID, "%s was logged before (%s of "
			    "%s) with other values: a changed event needs an "
			    "event id of its own",
			    q, (const char *)sqlite3_column_text(s, 1),
			    date_format((int32_t)sqlite3_column_int(s, 2),
			    day));
		}
	} else if (rc != SQLITE_DONE) {
		state_error(r->st, d, "looking up the event");
		res = CONTACT_ESTATE;
	}
	sqlite3_reset(s);
	return res;
}

static int
record(struct contact_run *r, const char *hash, int64_t entity,
    struct diag *d)
{
	sqlite3_stmt *s = r->ev_ins;

	bind_opt(s, 1, fv(r, C_EVENT_ID));
	sqlite3_bind_text(s, 2, hash, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, r->e.kind, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 4, r->e.debtor);
	sqlite3_bind_int(s, 5, day_or_as_of(r));
	sqlite3_bind_int64(s, 6, entity);
	sqlite3_bind_int64(s, 7, r->st->batch_id);
	sqlite3_bind_int64(s, 8, tsv_line(r->r));
	return step_done(r, s, d, "recording the event");
}

/* insert: runs s (prepared by the caller and bound), finalizes it, and
 * gives the new rowid. */
static int
insert(struct contact_run *r, sqlite3_stmt *s, int64_t *id, struct diag *d,
    const char *what)
{
	int rc = sqlite3_step(s);

	sqlite3_finalize(s);
	if (rc != SQLITE_DONE) {
		state_error(r->st, d, what);
		return CONTACT_ESTATE;
	}
	*id = sqlite3_last_insert_rowid(r->st->db);
	return 0;
}

static int
apply_attempt(struct contact_run *r, int64_t *id, struct diag *d)
{
	sqlite3_stmt *s = prep(r, "INSERT INTO contact (event_id, debtor_id, "
	    "at, day, channel, outcome, agent, note, batch_id) "
	    "VALUES (?,?,?,?,?,?,?,?,?)", d);

	if (s == NULL)
		return CONTACT_ESTATE;
	bind_opt(s, 1, fv(r, C_EVENT_ID));
	sqlite3_bind_int64(s, 2, r->e.debtor);
	sqlite3_bind_text(s, 3, r->e.at, -1, SQLITE_STATIC);
	sqlite3_bind_int(s, 4, r->e.day);
	sqlite3_bind_text(s, 5, r->e.channel, -1, SQLITE_STATIC);
	bind_opt(s, 6, r->e.outcome);
	bind_opt(s, 7, fv(r, C_AGENT));
	bind_opt(s, 8, fv(r, C_NOTE));
	sqlite3_bind_int64(s, 9, r->st->batch_id);
	return insert(r, s, id, d, "recording the attempt");
}

static int
apply_promise(struct contact_run *r, int64_t *id, struct diag *d)
{
	struct ev *e = &r->e;
	sqlite3_stmt *s = prep(r, "INSERT INTO promise (event_id, debtor_id, "
	    "made_on, amount, currency, due_date, grace_days, note, batch_id) "
	    "VALUES (?,?,?,?,?,?,?,?,?)", d);

	if (s == NULL)
		return CONTACT_ESTATE;
	bind_opt(s, 1, fv(r, C_EVENT_ID));
	sqlite3_bind_int64(s, 2, e->debtor);
	sqlite3_bind_int(s, 3, day_or_as_of(r));
	sqlite3_bind_int64(s, 4, e->amount);
	sqlite3_bind_text(s, 5, e->ccy, -1, SQLITE_STATIC);
	sqlite3_bind_int(s, 6, e->due);
	sqlite3_bind_int(s, 7, e->grace >= 0 ? e->grace :
	    r->o->cfg->promise_grace_days);
	bind_opt(s, 8, fv(r, C_NOTE));
	sqlite3_bind_int64(s, 9, r->st->batch_id);
	return insert(r, s, id, d, "recording the promise");
}

static int
apply_query_open(struct contact_run *r, int64_t *id, struct diag *d)
{
	struct ev *e = &r->e;
	sqlite3_stmt *s = prep(r, "INSERT INTO query (event_id, debtor_id, "
	    "reason, owner, opened, review_date, note, batch_id) "
	    "VALUES (?,?,?,?,?,?,?,?)", d);
	int rc;

	if (s == NULL)
		return CONTACT_ESTATE;
	bind_opt(s, 1, fv(r, C_EVENT_ID));
	sqlite3_bind_int64(s, 2, e->debtor);
	sqlite3_bind_text(s, 3, fv(r, C_REASON), -1, SQLITE_STATIC);
	bind_opt(s, 4, fv(r, C_OWNER));
	sqlite3_bind_int(s, 5, day_or_as_of(r));
	bind_day(s, 6, e->review);
	bind_opt(s, 7, fv(r, C_NOTE));
	sqlite3_bind_int64(s, 8, r->st->batch_id);
	if ((rc = insert(r, s, id, d, "recording the query")) != 0)
		return rc;
	if ((s = prep(r, "INSERT INTO query_item (query_id, item_id) "
	    "VALUES (?,?)", d)) == NULL)
		return CONTACT_ESTATE;
	for (size_t i = 0; i < e->ndocs && rc == 0; i++) {
		sqlite3_bind_int64(s, 1, *id);
		sqlite3_bind_int64(s, 2, e->doc_item[i]);
		rc = step_done(r, s, d, "recording the query's documents");
	}
	sqlite3_finalize(s);
	return rc;
}

/* apply_query_close: closes the query named by query_id, or the open
 * queries of the debtor that cover any of doc_ids. */
static int
apply_query_close(struct contact_run *r, int64_t *id, struct diag *d)
{
	struct ev *e = &r->e;
	const char *qid = fv(r, C_QUERY_ID);
	int32_t day = day_or_as_of(r);
	sqlite3_stmt *s, *u;
	char q[80], a[DATE_BUFSZ];
	int rc, n = 0, res = 0;

	if (*qid) {
		s = prep(r, "SELECT id, debtor_id, opened, closed FROM query "
		    "WHERE event_id = ?1", d);
		if (s == NULL)
			return CONTACT_ESTATE;
		sqlite3_bind_text(s, 1, qid, -1, SQLITE_STATIC);
	} else {
		struct sbuf in = { 0 };

		/* The item ids as a JSON array, one parameter for a list of
		 * any length. */
		sbuf_addc(&in, '[');
		for (size_t i = 0; i < e->ndocs; i++)
			sbuf_addf(&in, "%s%lld", i ? "," : "",
			    (long long)e->doc_item[i]);
		sbuf_addc(&in, ']');
		s = prep(r, "SELECT DISTINCT q.id, q.debtor_id, q.opened, "
		    "q.closed FROM query q JOIN query_item qi ON "
		    "qi.query_id = q.id WHERE q.debtor_id = ?1 AND "
		    "q.closed IS NULL AND qi.item_id IN (SELECT value FROM "
		    "json_each(?2)) ORDER BY q.id", d);
		if (s == NULL) {
			sbuf_free(&in);
			return CONTACT_ESTATE;
		}
		sqlite3_bind_int64(s, 1, e->debtor);
		sqlite3_bind_text(s, 2, sbuf_str(&in), -1, SQLITE_TRANSIENT);
		sbuf_free(&in);
	}
	/* The close's note is added to the query's own, not put over it. */
	u = prep(r, "UPDATE query SET closed = ?1, outcome = ?2, note = CASE "
	    "WHEN ?3 IS NULL THEN note ELSE coalesce(note || '; ', '') || "
	    "'closed: ' || ?3 END WHERE id = ?4", d);
	if (u == NULL) {
		sqlite3_finalize(s);
		return CONTACT_ESTATE;
	}
	util_quote(qid, strlen(qid), q, sizeof q);
	while (res == 0 && (rc = sqlite3_step(s)) == SQLITE_ROW) {
		int64_t qrow = sqlite3_column_int64(s, 0);
		int32_t opened = (int32_t)sqlite3_column_int(s, 2);

		if (sqlite3_column_int64(s, 1) != e->debtor) {
			res = bad(d, C_QUERY_ID, "query %s is not debtor %s's",
			    q, fv(r, C_DEBTOR));
			break;
		}
		if (sqlite3_column_type(s, 3) != SQLITE_NULL) {
			res = bad(d, C_QUERY_ID, "query %s was closed already, "
			    "on %s", q, date_format((int32_t)
			    sqlite3_column_int(s, 3), a));
			break;
		}
		if (opened > day) {
			res = bad(d, C_DATE, "the query was opened on %s, after "
			    "this close", date_format(opened, a));
			break;
		}
		if (n++ == 0)
			*id = qrow;
		sqlite3_bind_int(u, 1, day);
		sqlite3_bind_text(u, 2, e->close_outcome, -1, SQLITE_STATIC);
		bind_opt(u, 3, fv(r, C_NOTE));
		sqlite3_bind_int64(u, 4, qrow);
		res = step_done(r, u, d, "closing the query");
	}
	if (res == 0 && rc != SQLITE_DONE && rc != SQLITE_ROW) {
		state_error(r->st, d, "looking up the query");
		res = CONTACT_ESTATE;
	}
	sqlite3_finalize(s);
	sqlite3_finalize(u);
	if (res == 0 && n == 0)
		res = *qid ? bad(d, C_QUERY_ID, "no query %s", q) :
		    bad(d, C_DOC_IDS, "no open query of debtor %s covers these "
		    "documents", fv(r, C_DEBTOR));
	return res;
}

static int
apply_plan(struct contact_run *r, int64_t *id, struct diag *d)
{
	struct ev *e = &r->e;
	sqlite3_stmt *s = prep(r, "INSERT INTO plan (event_id, debtor_id, "
	    "total, currency, created, frequency, grace_days, note, batch_id) "
	    "VALUES (?,?,?,?,?,?,?,?,?)", d);
	int rc;

	if (s == NULL)
		return CONTACT_ESTATE;
	bind_opt(s, 1, fv(r, C_EVENT_ID));
	sqlite3_bind_int64(s, 2, e->debtor);
	sqlite3_bind_int64(s, 3, e->amount);
	sqlite3_bind_text(s, 4, e->ccy, -1, SQLITE_STATIC);
	sqlite3_bind_int(s, 5, day_or_as_of(r));
	bind_opt(s, 6, e->has_freq ? plan_frequency_name(e->freq) : NULL);
	sqlite3_bind_int(s, 7, e->grace >= 0 ? e->grace :
	    r->o->cfg->plan_grace_days);
	bind_opt(s, 8, fv(r, C_NOTE));
	sqlite3_bind_int64(s, 9, r->st->batch_id);
	if ((rc = insert(r, s, id, d, "recording the plan")) != 0)
		return rc;
	if ((s = prep(r, "INSERT INTO instalment (plan_id, seq, due_date, "
	    "amount) VALUES (?,?,?,?)", d)) == NULL)
		return CONTACT_ESTATE;
	for (size_t i = 0; i < e->ninst && rc == 0; i++) {
		sqlite3_bind_int64(s, 1, *id);
		sqlite3_bind_int64(s, 2, (int64_t)i + 1);
		sqlite3_bind_int(s, 3, e->inst[i].due);
		sqlite3_bind_int64(s, 4, e->inst[i].amount);
		rc = step_done(r, s, d, "recording the instalments");
	}
	sqlite3_finalize(s);
	return rc;
}

/* The holds of the debtor in force on day: not released by then, begun,
 * not ended. */
#define HOLDS_ON "FROM hold WHERE debtor_id = ?1 AND start_date <= ?2 AND " \
	"(end_date IS NULL OR end_date >= ?2) AND " \
	"(released IS NULL OR released > ?2)"

static int
apply_hold(struct contact_run *r, int64_t *id, struct diag *d)
{
	struct ev *e = &r->e;
	int32_t start = day_or_as_of(r), end = e->end;
	sqlite3_stmt *s;
	char a[DATE_BUFSZ];
	int rc;

	/* Breathing space lasts 60 days (DOMAIN.md 3.3) beginning with the
	 * day it starts, unless the notice gives its end. */
	if (end == NO_DAY && strcmp(e->hold_type, "breathing_space") == 0)
		end = start + r->o->cfg->breathing_space_days - 1;
	s = prep(r, "SELECT start_date " HOLDS_ON " AND kind = ?3 LIMIT 1", d);
	if (s == NULL)
		return CONTACT_ESTATE;
	sqlite3_bind_int64(s, 1, e->debtor);
	sqlite3_bind_int(s, 2, start);
	sqlite3_bind_text(s, 3, e->hold_type, -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		bad(d, C_TYPE, "debtor %s is in %s already, since %s (release "
		    "it first)", fv(r, C_DEBTOR), e->hold_type,
		    date_format((int32_t)sqlite3_column_int(s, 0), a));
		sqlite3_finalize(s);
		return -1;
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE) {
		state_error(r->st, d, "looking up holds");
		return CONTACT_ESTATE;
	}
	s = prep(r, "INSERT INTO hold (event_id, debtor_id, kind, start_date, "
	    "end_date, note, batch_id) VALUES (?,?,?,?,?,?,?)", d);
	if (s == NULL)
		return CONTACT_ESTATE;
	bind_opt(s, 1, fv(r, C_EVENT_ID));
	sqlite3_bind_int64(s, 2, e->debtor);
	sqlite3_bind_text(s, 3, e->hold_type, -1, SQLITE_STATIC);
	sqlite3_bind_int(s, 4, start);
	bind_day(s, 5, end);
	bind_opt(s, 6, fv(r, C_NOTE));
	sqlite3_bind_int64(s, 7, r->st->batch_id);
	return insert(r, s, id, d, "recording the hold");
}

static int
apply_release(struct contact_run *r, int64_t *id, struct diag *d)
{
	struct ev *e = &r->e;
	const char *hid = fv(r, C_HOLD_ID);
	int32_t day = day_or_as_of(r);
	sqlite3_stmt *s, *u;
	char q[80], a[DATE_BUFSZ];
	int rc, n = 0, res = 0;

	s = prep(r, "SELECT id " HOLDS_ON " AND (?3 IS NULL OR kind = ?3) "
	    "AND (?4 IS NULL OR event_id = ?4) ORDER BY id", d);
	if (s == NULL)
		return CONTACT_ESTATE;
	sqlite3_bind_int64(s, 1, e->debtor);
	sqlite3_bind_int(s, 2, day);
	bind_opt(s, 3, e->hold_type);
	bind_opt(s, 4, hid);
	u = prep(r, "UPDATE hold SET released = ? WHERE id = ?", d);
	if (u == NULL) {
		sqlite3_finalize(s);
		return CONTACT_ESTATE;
	}
	while (res == 0 && (rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (n++ == 0)
			*id = sqlite3_column_int64(s, 0);
		sqlite3_bind_int(u, 1, day);
		sqlite3_bind_int64(u, 2, sqlite3_column_int64(s, 0));
		res = step_done(r, u, d, "releasing the hold");
	}
	if (res == 0 && rc != SQLITE_DONE) {
		state_error(r->st, d, "looking up holds");
		res = CONTACT_ESTATE;
	}
	sqlite3_finalize(s);
	sqlite3_finalize(u);
	if (res == 0 && n == 0) {
		struct sbuf what = { 0 };

		if (*hid) {
			util_quote(hid, strlen(hid), q, sizeof q);
			sbuf_addf(&what, " %s", q);
		}
		if (e->hold_type)
			sbuf_addf(&what, " of type %s", e->hold_type);
		res = bad(d, *hid ? C_HOLD_ID : C_TYPE, "no hold%s on debtor %s "
		    "in force on %s to release", sbuf_str(&what),
		    fv(r, C_DEBTOR), date_format(day, a));
		sbuf_free(&what);
	}
	return res;
}

/* ---- rows ---------------------------------------------------------------- */

static void
ev_clear(struct ev *e)
{
	for (size_t i = 0; i < e->ndocs; i++)
		free(e->docs[i]);
	free(e->docs);
	free(e->doc_item);
	free(e->inst);
	memset(e, 0, sizeof *e);
	e->day = e->due = e->review = e->end = NO_DAY;
	e->grace = -1;
}

static void
row_clear(struct contact_run *r)
{
	for (int i = 0; i < NCOL; i++) {
		free(r->v[i]);
		r->v[i] = NULL;
	}
	ev_clear(&r->e);
	sbuf_reset(&r->content);
}

/* row_fields: the known columns of the current row, trimmed.  A value
 * with a NUL (a "\0" escape would need one) cannot be text: refused. */
static int
row_fields(struct contact_run *r, struct diag *d)
{
	for (int i = 0; i < NCOL; i++) {
		const char *f;
		size_t n;

		/* A short row's missing fields are empty (NULL). */
		if (r->col[i] < 0 || (size_t)r->col[i] >= tsv_nfields(r->r))
			continue;
		f = tsv_field(r->r, (size_t)r->col[i]);
		n = tsv_field_len(r->r, (size_t)r->col[i]);
		if (strlen(f) != n)
			return bad(d, (enum col)i, "holds a NUL byte");
		f = util_trim(f, &n);
		r->v[i] = xstrndup(f, n);
	}
	return 0;
}

static int
ev_hold_start(struct contact_run *r, struct diag *d)
{
	return ev_hold(r, d, 0);
}

static int
ev_release(struct contact_run *r, struct diag *d)
{
	return ev_hold(r, d, 1);
}

/* Each kind: its code (contact_event_code's), its parser (fields only,
 * no state but the debtor's documents) and what it does to the state. */
static const struct {
	const char *name;
	int (*parse)(struct contact_run *, struct diag *);
	int (*apply)(struct contact_run *, int64_t *, struct diag *);
} kinds[] = {
	{ "attempt", ev_attempt, apply_attempt },
	{ "promise", ev_promise, apply_promise },
	{ "query_open", ev_query_open, apply_query_open },
	{ "query_close", ev_query_close, apply_query_close },
	{ "plan", ev_plan, apply_plan },
	{ "hold", ev_hold_start, apply_hold },
	{ "release", ev_release, apply_release },
};

/* row: one event.  1 new, 0 recorded before, -1 rejected (d set),
 * CONTACT_ESTATE. */
static int
row(struct contact_run *r, struct diag *d)
{
	struct ev *e = &r->e;
	struct sha256 sh;
	char hash[65], q[64];
	int64_t entity = 0;
	size_t k;
	int rc;

	if (row_fields(r, d) != 0)
		return -1;
	if (need(r, C_EVENT, d) != 0)
		return -1;
	if ((e->kind = contact_event_code(fv(r, C_EVENT))) == NULL) {
		util_quote(fv(r, C_EVENT), strlen(fv(r, C_EVENT)), q, sizeof q);
		return bad(d, C_EVENT, "unknown event %s (known: attempt, "
		    "promise, query_open, query_close, plan, hold, release)",
		    q);
	}
	if (need(r, C_DEBTOR, d) != 0)
		return -1;
	if ((rc = find_debtor(r, d)) != 0)
		return rc;
	put(r, "event", e->kind);
	put(r, "debtor_id", fv(r, C_DEBTOR));
	for (k = 0; strcmp(kinds[k].name, e->kind) != 0; k++)
		;
	if ((rc = kinds[k].parse(r, d)) != 0)
		return rc;
	sha256_init(&sh);
	sha256_update(&sh, r->content.buf, r->content.len);
	sha256_hex(&sh, hash);
	if ((rc = seen(r, hash, d)) != 0)
		return rc > 0 ? 0 : rc;
	if ((rc = kinds[k].apply(r, &entity, d)) != 0)
		return rc;
	if ((rc = record(r, hash, entity, d)) != 0)
		return rc;
	return 1;
}

struct contact_run *
contact_begin(struct state *st, const struct contact_opts *o,
    struct diag *d)
{
	struct contact_run *r = xcalloc(1, sizeof *r);

	r->st = st;
	r->o = o;
	if ((r->debtor = state_prepare(st, "SELECT id FROM debtor WHERE "
	    "ref = ?", d)) == NULL ||
	    (r->debtor_ccy = state_prepare(st, "SELECT DISTINCT currency "
	    "FROM item WHERE debtor_id = ? LIMIT 2", d)) == NULL ||
	    (r->item = state_prepare(st, "SELECT i.id, i.debtor_id, d.ref "
	    "FROM item i JOIN debtor d ON d.id = i.debtor_id "
	    "WHERE i.doc_id = ?", d)) == NULL ||
	    (r->by_id = state_prepare(st, "SELECT hash, kind, day FROM "
	    "contact_event WHERE event_id = ?", d)) == NULL ||
	    (r->by_hash = state_prepare(st, "SELECT hash, kind, day FROM "
	    "contact_event WHERE hash = ? LIMIT 1", d)) == NULL ||
	    (r->ev_ins = state_prepare(st, "INSERT INTO contact_event "
	    "(event_id, hash, kind, debtor_id, day, entity_id, batch_id, "
	    "line) VALUES (?,?,?,?,?,?,?,?)", d)) == NULL) {
		contact_free(r);
		return NULL;
	}
	ev_clear(&r->e);
	return r;
}

void
contact_free(struct contact_run *r)
{
	if (r == NULL)
		return;
	sqlite3_finalize(r->debtor);
	sqlite3_finalize(r->debtor_ccy);
	sqlite3_finalize(r->item);
	sqlite3_finalize(r->by_id);
	sqlite3_finalize(r->by_hash);
	sqlite3_finalize(r->ev_ins);
	row_clear(r);
	sbuf_free(&r->content);
	free(r);
}

static void
reject(struct contact_run *r, long line, const char *msg, int whole)
{
	const struct contact_opts *o = r->o;

	if (o->report)
		o->report(o->report_ctx, r->name, line, msg);
	if (o->rejects == NULL || !whole)
		return;
	if (!r->header_out) {
		fputs(tsv_raw_header(r->r), o->rejects);
		fputc('\n', o->rejects);
		r->header_out = 1;
	}
	fputs(tsv_raw(r->r), o->rejects);
	fputc('\n', o->rejects);
}

int
contact_file(struct contact_run *r, FILE *fp, const char *name,
    struct batch_counts *c, struct diag *d)
{
	struct batch_counts fc = { 0 };
	int rc, res = 0;

	r->name = name;
	r->header_out = 0;
	if ((r->r = tsv_open(fp, name, d)) == NULL)
		return CONTACT_EDATA;
	/* A row may omit the trailing columns it does not use, as in
	 * ingest-invoices: one sheet mixes kinds, and a spreadsheet drops
	 * a row's empty tail. */
	tsv_allow_short(r->r);
	for (int i = 0; i < NCOL; i++)
		r->col[i] = tsv_col(r->r, col_names[i]);
	if (r->col[C_EVENT] < 0 || r->col[C_DEBTOR] < 0) {
		diag_set(d, "no column \"%s\" (events need the columns event "
		    "and debtor_id: see log-contact(1))",
		    r->col[C_EVENT] < 0 ? "event" : "debtor_id");
		d->line = 1;
		tsv_close(r->r);
		r->r = NULL;
		return CONTACT_EDATA;
	}
	if (state_batch_begin(r->st, "contacts", name, NULL, r->o->as_of, 0,
	    d) != 0) {
		tsv_close(r->r);
		r->r = NULL;
		return CONTACT_ESTATE;
	}
	while ((rc = tsv_next(r->r, d)) != 0) {
		fc.read++;
		if (rc < 0) {
			/* A malformed line is kept whole too: it is the
			 * row as the sender wrote it. */
			reject(r, d->line, d->msg, 1);
			fc.rejected++;
			diag_clear(d);
			continue;
		}
		diag_clear(d);
		if (tsv_nfields(r->r) < tsv_ncols(r->r) &&
		    !tsv_line_ended(r->r)) {
			/* Short and the last line without its end: most
			 * likely the file was cut there, not a short row. */
			diag_set(d, "row has %zu fields, header has %zu, and "
			    "the file ends in it without a line end: is the "
			    "file cut short?", tsv_nfields(r->r),
			    tsv_ncols(r->r));
			rc = -1;
		} else {
			rc = row(r, d);
		}
		row_clear(r);
		if (rc == CONTACT_ESTATE) {
			res = CONTACT_ESTATE;
			break;
		}
		if (rc < 0) {
			reject(r, tsv_line(r->r), d->msg, 1);
			fc.rejected++;
		} else if (rc == 1) {
			fc.ingested++;
		} else {
			fc.unchanged++;
		}
		diag_clear(d);
	}
	if (res == 0 && state_batch_finish(r->st, &fc, d) != 0)
		res = CONTACT_ESTATE;
	tsv_close(r->r);
	r->r = NULL;
	c->read += fc.read;
	c->ingested += fc.ingested;
	c->unchanged += fc.unchanged;
	c->rejected += fc.rejected;
	return res;
}

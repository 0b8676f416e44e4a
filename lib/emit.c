/*
 * emit: renders a chase plan into the outbox and records each action
 * (see emit.h; emit-letters(1) is the user's view).
 *
 * One plan row is one message.  Its fields come from three places: the
 * plan (step, channel, template, documents, amount due), the state (the
 * debtor's name, type, addresses; each document's dates, amount and
 * dated settlements) and the brand (the client's name, address, payment
 * details).  Everything a template may name is in one fixed schema, so a
 * misspelt field stops the run when the templates load, not in a letter.
 */
#include <dirent.h>
#include <stdarg.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "date.h"
#include "chase.h"
#include "csvout.h"
#include "emit.h"
#include "money.h"
#include "outbox.h"
#include "promise.h"
#include "sha256.h"
#include "template.h"
#include "tsv.h"

/* The schema: every field a template can name. */
enum {
	F_TODAY, F_STEP, F_PATH, F_CHANNEL, F_TEMPLATE, F_REASON, F_CURRENCY,
	F_AMOUNT_DUE, F_DAYS_PAST_DUE, F_PAYREF, F_DEADLINE, F_REPLY_BY,
	F_C_NAME, F_C_ADDRESS, F_C_EMAIL, F_C_PHONE, F_C_WEBSITE, F_C_LOGO,
	F_C_COLOUR, F_C_ACCENT, F_C_SIGNATURE, F_C_BANK, F_C_ACCNAME,
	F_C_ACCNO, F_C_SORT, F_C_IBAN, F_C_BIC, F_C_COMPANY, F_C_VAT,
	F_D_ID, F_D_NAME, F_D_TYPE, F_D_ADDRESS, F_D_EMAIL, F_D_PHONE,
	F_TOTAL_OPEN, F_TOTAL_INTEREST, F_TOTAL_COMP, F_TOTAL_CLAIM, F_RATE,
	F_HAS_INTEREST, F_REGIME, F_CONSUMER, F_SOLE_TRADER, F_BUSINESS,
	F_INDIVIDUAL, F_PAP, F_NINVOICES, F_UK, F_EU, F_INST_AMOUNT,
	F_INST_DUE, NF
};
static const char *const fields[NF] = {
	"today", "step", "path", "channel", "template", "reason", "currency",
	"amount_due", "days_past_due", "payment_reference", "deadline",
	"reply_by",
	"client.name", "client.address", "client.email", "client.phone",
	"client.website", "client.logo", "client.colour",
	"client.accent_colour", "client.signature", "client.bank_name",
	"client.account_name", "client.account_number", "client.sort_code",
	"client.iban", "client.bic", "client.company_number",
	"client.vat_number",
	"debtor.id", "debtor.name", "debtor.type", "debtor.address",
	"debtor.email", "debtor.phone",
	"total_open", "total_interest", "total_compensation", "total_claim",
	"interest_rate", "has_interest", "interest_regime", "consumer",
	"sole_trader", "business", "individual", "pap", "invoice_count",
	"interest_uk", "interest_eu", "instalment_amount", "instalment_due"
};
enum { I_DOC, I_ISSUE, I_DUE, I_AMOUNT, I_OPEN, I_DPD, I_INTEREST, I_COMP,
	I_RATE, NI };
static const char *const inv_fields[NI] = {
	"doc_id", "issue_date", "due_date", "amount", "open",
	"days_past_due", "interest", "compensation", "rate"
};
static const char *const line_fields[] = { "text" };
enum { L_INVOICES, L_CLIENT_ADDR, L_DEBTOR_ADDR, NL };
static const struct tpl_list_schema lists[NL] = {
	{ "invoices", "invoice", inv_fields, NI },
	{ "client_address", "line", line_fields, 1 },
	{ "debtor_address", "line", line_fields, 1 },
};
static const struct tpl_schema schema = { fields, NF, lists, NL };

/* A template name's files. */
struct tset {
	char *name;
	struct tpl *txt, *html, *sms;
	int txt_subject;	/* NAME.txt starts with "Subject:" */
};

struct item {
	int64_t id;
	char *doc_id;
	int32_t issue, due, closed;	/* closed: INT32_MAX while open */
	int64_t amount, open;
	char ccy[4];
	int cash;		/* a bank receipt on account: id is no item's */
	struct interest_result ir;
};

struct emit_run {
	const struct emit_opts *o;
	struct tset *ts;
	size_t nts;
	sqlite3_stmt *q_debtor, *q_done, *q_item, *q_settle, *ins_action,
	    *ins_item, *q_hold, *q_query, *q_earlier, *q_same,
	    *q_later, *q_cash;
	struct chase_run *chase;	/* the plan's rules, asked per row */
	long restated;			/* rows sent with the state's amount */
	struct outbox_stage stage;
	struct sbuf calls, tasks;	/* CSV bodies */
	struct sbuf calls_rel, tasks_rel;	/* their names, once chosen */
	size_t ncalls, ntasks;
	int64_t *call_actions, *task_actions;	/* to set file later */
	char day[DATE_BUFSZ];
	int rejects_header;
};

/* ---- branding ---- */

static const char *const brand_keys[] = {
	"name", "address", "email", "phone", "website", "logo", "colour",
	"accent_colour", "signature", "bank_name", "account_name",
	"account_number", "sort_code", "iban", "bic", "company_number",
	"vat_number", "reference_prefix", "sms_from", "pap_template",
	"templates", "deadline_days", "pap_days", NULL
};

/* sender_ok: an SMS sender id: a number (an optional '+' and up to 15
 * digits, E.164's limit) or an alphanumeric id of 1 to 11 characters
 * (GSM 03.40's TP-OA holds 11 septets), ASCII letters, digits and
 * spaces, which every network carries. */
static int
sender_ok(const char *s)
{
	size_t n = strlen(s), digits = strspn(s + (*s == '+'), "0123456789");

	if (n > 0 && digits > 0 && digits == n - (*s == '+'))
		return digits <= 15;
	if (n == 0 || n > 11)
		return 0;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		    (*s >= '0' && *s <= '9') || *s == ' '))
			return 0;
	return 1;
}

int
emit_branding_load(const struct cfg_node *root, const char *config_path,
    struct emit_branding *b, struct diag *d)
{
	const struct cfg_node *sec = cfg_get(root, "branding");
	char **slots[] = {
		&b->name, &b->address, &b->email, &b->phone, &b->website,
		&b->logo, &b->colour, &b->accent_colour, &b->signature,
		&b->bank_name, &b->account_name, &b->account_number,
		&b->sort_code, &b->iban, &b->bic, &b->company_number,
		&b->vat_number, &b->reference_prefix, &b->sms_from,
		&b->pap_template, &b->templates
	};
	const char *s;

	memset(b, 0, sizeof *b);
	b->deadline_days = 7;
	b->pap_days = 30;
	if (!cfg_is_null(sec)) {
		if (sec->kind != CFG_MAP) {
			diag_set(d, "branding: a map of keys is needed");
			d->line = sec->line;
			return -1;
		}
		if (cfg_check_keys(sec, brand_keys, "branding", d) != 0)
			return -1;
		for (size_t i = 0; i < sizeof slots / sizeof slots[0]; i++) {
			int rc = cfg_get_str(sec, "branding", brand_keys[i],
			    &s, d);

			if (rc < 0)
				goto fail;
			if (rc > 0)
				*slots[i] = xstrdup(s);
		}
		if (cfg_get_int(sec, "branding", "deadline_days", 0, 365,
		    &b->deadline_days, d) < 0 ||
		    cfg_get_int(sec, "branding", "pap_days", 30, 365,
		    &b->pap_days, d) < 0)
			goto fail;
		if (b->sms_from != NULL && !sender_ok(b->sms_from)) {
			diag_set(d, "branding.sms_from: \"%s\" is not a "
			    "sender id (at most 11 letters, digits and "
			    "spaces, or a number of at most 15 digits)",
			    b->sms_from);
			d->line = cfg_get(sec, "sms_from")->line;
			goto fail;
		}
		if (b->email != NULL && !outbox_addr_ok(b->email)) {
			diag_set(d, "branding.email: \"%s\" is not an e-mail "
			    "address", b->email);
			d->line = cfg_get(sec, "email")->line;
			goto fail;
		}
	}
	if (b->templates != NULL)
		b->templates_line = cfg_get(sec, "templates")->line;
	if (b->pap_template == NULL)
		b->pap_template = xstrdup("letter_of_claim");
	if (b->templates == NULL)
		b->templates = xstrdup("templates");
	if (b->templates[0] != '/' && config_path != NULL &&
	    strrchr(config_path, '/') != NULL) {
		struct sbuf p = { 0 };

		sbuf_add(&p, config_path,
		    (size_t)(strrchr(config_path, '/') - config_path));
		sbuf_addf(&p, "/%s", b->templates);
		free(b->templates);
		b->templates = p.buf;
	}
	return 0;
fail:
	emit_branding_free(b);
	return -1;
}

void
emit_branding_free(struct emit_branding *b)
{
	char *all[] = {
		b->name, b->address, b->email, b->phone, b->website, b->logo,
		b->colour, b->accent_colour, b->signature, b->bank_name,
		b->account_name, b->account_number, b->sort_code, b->iban,
		b->bic, b->company_number, b->vat_number, b->reference_prefix,
		b->sms_from, b->pap_template, b->templates
	};

	for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
		free(all[i]);
	memset(b, 0, sizeof *b);
}

int
emit_check_steps(const struct interest_rules *r,
    const struct cfg_node *interest, const struct chase_config *c,
    struct diag *d)
{
	const struct cfg_node *n = cfg_is_null(interest) ? NULL :
	    cfg_get(interest, "steps");

	for (size_t i = 0; i < r->nsteps; i++) {
		int found = 0;

		for (size_t p = 0; p < c->npaths && !found; p++)
			for (size_t k = 0; k < c->paths[p].nsteps; k++)
				if (strcmp(c->paths[p].steps[k].name,
				    r->steps[i]) == 0) {
					found = 1;
					break;
				}
		if (!found) {
			diag_set(d, "interest.steps: \"%s\" is not a step of "
			    "any chase path (paths:)", r->steps[i]);
			d->line = n != NULL && n->kind == CFG_SEQ &&
			    i < n->n ? n->items[i]->line : 0;
			return -1;
		}
	}
	return 0;
}

/* ---- formatting ---- */

void
emit_money(int64_t v, const char *ccy, struct sbuf *out)
{
	int digits = money_minor_digits(ccy);
	char buf[MONEY_BUFSZ], *p;
	size_t intlen;

	if (digits < 0)
		digits = 2;
	money_format(v, digits, buf);
	p = buf;
	if (*p == '-') {
		sbuf_addc(out, '-');
		p++;
	}
	if (strcmp(ccy, "GBP") == 0)
		sbuf_adds(out, "\xc2\xa3");
	else if (strcmp(ccy, "EUR") == 0)
		sbuf_adds(out, "\xe2\x82\xac");
	else
		sbuf_addf(out, "%s ", ccy);
	intlen = strcspn(p, ".");
	for (size_t i = 0; i < intlen; i++) {
		if (i > 0 && (intlen - i) % 3 == 0)
			sbuf_addc(out, ',');
		sbuf_addc(out, p[i]);
	}
	sbuf_adds(out, p + intlen);
}

void
emit_long_date(int32_t day, struct sbuf *out)
{
	static const char *const mon[] = { "January", "February", "March",
	    "April", "May", "June", "July", "August", "September", "October",
	    "November", "December" };
	int y, m, d;

	date_to_ymd(day, &y, &m, &d);
	sbuf_addf(out, "%d %s %d", d, mon[m - 1], y);
}

/* ---- templates ---- */

static struct tset *
tset_get(struct emit_run *r, const char *name, int create)
{
	for (size_t i = 0; i < r->nts; i++)
		if (strcmp(r->ts[i].name, name) == 0)
			return &r->ts[i];
	if (!create)
		return NULL;
	r->ts = xreallocarray(r->ts, r->nts + 1, sizeof *r->ts);
	memset(&r->ts[r->nts], 0, sizeof r->ts[r->nts]);
	r->ts[r->nts].name = xstrdup(name);
	return &r->ts[r->nts++];
}

static int
name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int
load_templates(struct emit_run *r, struct sbuf *errfile, struct diag *d)
{
	const char *dir = r->o->brand->templates;
	char **names = NULL;
	size_t n = 0;
	struct dirent *e;
	DIR *dp;
	int rc = 0;

	if ((dp = opendir(dir)) == NULL) {
		/* Told at the key that named the folder, when one did. */
		sbuf_reset(errfile);
		if (r->o->brand->templates_line > 0 &&
		    r->o->config_path != NULL) {
			diag_set(d, "branding.templates: %s: %s", dir,
			    strerror(errno));
			d->line = r->o->brand->templates_line;
			sbuf_adds(errfile, r->o->config_path);
		} else {
			diag_set(d, "%s", strerror(errno));
			sbuf_adds(errfile, dir);
		}
		return -1;
	}
	while ((e = readdir(dp)) != NULL) {
		const char *dot = strrchr(e->d_name, '.');

		if (e->d_name[0] == '_' || e->d_name[0] == '.' || !dot ||
		    (strcmp(dot, ".txt") != 0 && strcmp(dot, ".html") != 0 &&
		    strcmp(dot, ".sms") != 0))
			continue;
		names = xreallocarray(names, n + 1, sizeof *names);
		names[n++] = xstrdup(e->d_name);
	}
	closedir(dp);
	/* In name order, so the first error is the same on every system. */
	qsort(names, n, sizeof *names, name_cmp);
	for (size_t i = 0; i < n && rc == 0; i++) {
		char *dot = strrchr(names[i], '.'), *base;
		struct tset *t;
		struct tpl **slot;
		enum tpl_escape esc = TPL_TEXT;

		base = xstrndup(names[i], (size_t)(dot - names[i]));
		t = tset_get(r, base, 1);
		free(base);
		if (strcmp(dot, ".html") == 0) {
			slot = &t->html;
			esc = TPL_HTML;
		} else if (strcmp(dot, ".sms") == 0)
			slot = &t->sms;
		else
			slot = &t->txt;
		if (tpl_load(dir, names[i], &schema, esc, slot, errfile,
		    d) != 0) {
			struct sbuf p = { 0 };

			sbuf_addf(&p, "%s/%s", dir, sbuf_str(errfile));
			sbuf_reset(errfile);
			sbuf_adds(errfile, sbuf_str(&p));
			sbuf_free(&p);
			rc = -1;
		}
		if (rc == 0 && slot == &t->txt) {
			struct sbuf p = { 0 };
			FILE *fp;
			char head[9] = { 0 };

			sbuf_addf(&p, "%s/%s", dir, names[i]);
			if ((fp = fopen(sbuf_str(&p), "rb")) != NULL) {
				if (fread(head, 1, 8, fp) == 8 &&
				    memcmp(head, "Subject:", 8) == 0)
					t->txt_subject = 1;
				fclose(fp);
			}
			sbuf_free(&p);
		}
	}
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
	return rc;
}

/* tset_lacks: what template t (NULL: none of that name) lacks for a
 * message on channel ch, or NULL when it has it all; subject: an
 * e-mail's NAME.txt must start with its Subject: line too. */
static const char *
tset_lacks(const struct tset *t, enum chase_channel ch, int subject)
{
	switch (ch) {
	case CHASE_LETTER:
		if (t == NULL || (t->txt == NULL && t->html == NULL))
			return "NAME.txt and NAME.html";
		return t->txt == NULL ? "NAME.txt" : t->html == NULL ?
		    "NAME.html" : NULL;
	case CHASE_EMAIL:
		if (t == NULL || t->txt == NULL)
			return "NAME.txt";
		return t->txt_subject || !subject ? NULL :
		    "a \"Subject:\" first line in NAME.txt";
	case CHASE_SMS:
		return t == NULL || t->sms == NULL ? "NAME.sms" : NULL;
	default:
		return NULL;	/* a list row has no template */
	}
}

/* named: lack (tset_lacks) with NAME made name, into out. */
static void
named(const char *lack, const char *name, struct sbuf *out)
{
	const char *n;

	while ((n = strstr(lack, "NAME")) != NULL) {
		sbuf_add(out, lack, (size_t)(n - lack));
		sbuf_adds(out, name);
		lack = n + 4;
	}
	sbuf_adds(out, lack);
}

/* check_paths: each step's template has the files its channels need, so
 * a missing one is a configuration error before anything is sent, not a
 * row refused every day. */
static int
check_paths(struct emit_run *r, struct sbuf *errfile, struct diag *d)
{
	const struct chase_config *c = r->o->chase;

	for (size_t p = 0; c != NULL && p < c->npaths; p++)
		for (size_t k = 0; k < c->paths[p].nsteps; k++) {
			const struct chase_step *s = &c->paths[p].steps[k];
			const char *name = s->template ? s->template : s->name;

			for (int ch = 0; ch < CHASE_NCHANNELS; ch++) {
				const char *lack;
				struct sbuf f = { 0 };

				if (!(s->channels & 1u << ch) || (lack =
				    tset_lacks(tset_get(r, name, 0),
				    (enum chase_channel)ch, 1)) == NULL)
					continue;
				named(lack, name, &f);
				diag_set(d, "paths.%s.steps[%zu].template: %s "
				    "by %s needs %s among the templates (%s)",
				    c->paths[p].name, k + 1, name,
				    chase_channel_name((enum chase_channel)ch),
				    sbuf_str(&f), r->o->brand->templates);
				d->line = s->line;
				sbuf_free(&f);
				sbuf_reset(errfile);
				sbuf_adds(errfile, r->o->config_path);
				return -1;
			}
		}
	return 0;
}

/* ---- the run ---- */

int
emit_last_day(struct state *st, int32_t *day, struct diag *d)
{
	sqlite3_stmt *s = state_prepare(st, "SELECT coalesce(max(as_of), 0)"
	    " FROM action", d);
	int rc;

	*day = 0;
	if (s == NULL)
		return -1;
	if ((rc = sqlite3_step(s)) == SQLITE_ROW)
		*day = (int32_t)sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	if (rc != SQLITE_ROW)
		return state_error(st, d, "reading actions");
	return 0;
}

struct emit_run *
emit_begin(const struct emit_opts *o, struct sbuf *errfile, int *code,
    struct diag *d)
{
	struct emit_run *r = xcalloc(1, sizeof *r);
	struct state *st = o->st;

	r->o = o;
	date_format(o->as_of, r->day);
	*code = EMIT_EDATA;
	if (load_templates(r, errfile, d) != 0 ||
	    (o->check_paths && check_paths(r, errfile, d) != 0)) {
		emit_free(r);
		return NULL;
	}
	*code = EMIT_ESTATE;
	sbuf_reset(errfile);
	if (st == NULL)
		return r;
	/* What a killed run of this day left staged is never renamed: take
	 * it away (the caller holds the state's write lock, so no other
	 * run is staging now). */
	if (!o->dry_run) {
		static const char *const sub[] = { "", "/letters", "/email",
		    "/sms" };

		for (size_t i = 0; i < sizeof sub / sizeof sub[0]; i++) {
			struct sbuf p = { 0 };
			long n;

			sbuf_addf(&p, "%s/%s%s", o->outbox, r->day, sub[i]);
			n = outbox_remove_stale(sbuf_str(&p), d);
			sbuf_free(&p);
			if (n < 0) {
				*code = EMIT_EFILE;
				emit_free(r);
				return NULL;
			}
		}
	}
	if ((r->q_debtor = state_prepare(st, "SELECT id, name, type, email,"
	    " phone, address, country FROM debtor WHERE ref = ?", d)) == NULL
	    || (r->q_done = state_prepare(st, "SELECT id FROM action WHERE"
	    " debtor_id = ? AND as_of = ? AND step = ? AND channel = ?"
	    " AND currency IS ?", d)) == NULL
	    || (r->q_item = state_prepare(st, "SELECT id, debtor_id,"
	    " issue_date, due_date, amount, currency, closed_date, doc_type"
	    " FROM item WHERE doc_id = ?", d)) == NULL
	    /* Whether a document is among those a step sent today on this
	     * channel covered: one message a debtor, step, channel and
	     * currency a day (the action table's key). */
	    || (r->q_same = state_prepare(st, "SELECT 1 FROM action a JOIN"
	    " action_item ai ON ai.action_id = a.id JOIN item i ON i.id ="
	    " ai.item_id WHERE a.debtor_id = ?1 AND a.as_of = ?2 AND"
	    " a.step = ?3 AND a.channel = ?4 AND a.currency IS ?5 AND"
	    " i.doc_id = ?6", d)) == NULL
	    || (r->q_hold = state_prepare(st, "SELECT kind, start_date,"
	    " end_date, released FROM hold WHERE debtor_id = ?"
	    " ORDER BY start_date, id", d)) == NULL
	    /* In query on day D (the brief's contract, as age-ledger and
	     * allocate-payments read it): the export's flag, or a query
	     * opened on or before D and not closed by D. */
	    || (r->q_query = state_prepare(st, "SELECT 1 FROM item i"
	    " WHERE i.id = ?1 AND (i.in_query = 1 OR EXISTS (SELECT 1 FROM"
	    " query q JOIN query_item qi ON qi.query_id = q.id WHERE"
	    " qi.item_id = i.id AND q.opened <= ?2 AND (q.closed IS NULL"
	    " OR q.closed > ?2)))", d)) == NULL
	    || (r->q_earlier = state_prepare(st, "SELECT max(a.as_of) FROM"
	    " action a JOIN action_item ai ON ai.action_id = a.id WHERE"
	    " a.debtor_id = ?1 AND a.step = ?2 AND a.channel = ?3 AND"
	    " a.as_of <> ?4 AND ai.item_id = ?5", d)) == NULL
	    || (r->q_later = state_prepare(st, "SELECT a.step, a.as_of FROM"
	    " action a JOIN action_item ai ON ai.action_id = a.id WHERE"
	    " a.debtor_id = ?1 AND a.as_of < ?2 AND ai.item_id = ?3"
	    " ORDER BY a.as_of DESC, a.id DESC", d)) == NULL
	    /* A bank receipt of the debtor (its entry key is the id the
	     * plan lists) and what of it is on account on the day, as
	     * age-ledger counts it: only allocations spend its cash, and
	     * one reversed by the day is no cash. */
	    || (r->q_cash = state_prepare(st, "SELECT p.id, p.value_date,"
	    " p.currency, p.amount, coalesce((SELECT sum(s.amount) FROM"
	    " settlement s WHERE s.payment_id = p.id AND s.kind ="
	    " 'allocation' AND s.date <= ?3), 0), p.value_date <= ?3 AND"
	    " NOT EXISTS (SELECT 1 FROM payment v WHERE v.reverses_id = p.id"
	    " AND v.kind = 'reversal' AND v.value_date <= ?3) FROM payment p"
	    " WHERE p.entry_key = ?1 AND p.debtor_id = ?2 AND p.kind ="
	    " 'receipt'", d)) == NULL
	    || (r->q_settle = state_prepare(st, "SELECT date, amount FROM"
	    " settlement WHERE item_id = ? AND date <= ? ORDER BY date, id",
	    d)) == NULL
	    || (r->ins_action = state_prepare(st, "INSERT INTO action"
	    " (debtor_id, as_of, path, step, channel, template, doc_ids,"
	    " currency, amount_due, interest, compensation, file,"
	    " created_at, batch_id, rate, sha256)"
	    " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)", d)) == NULL
	    || (r->ins_item = state_prepare(st, "INSERT OR IGNORE INTO"
	    " action_item (action_id, item_id, open_amount, interest,"
	    " compensation) VALUES (?,?,?,?,?)", d)) == NULL) {
		emit_free(r);
		return NULL;
	}
	if (o->chase != NULL) {
		struct chase_opts co;

		memset(&co, 0, sizeof co);
		co.as_of = o->as_of;
		co.debtor_type = o->debtor_type;
		r->chase = chase_new(o->chase, &co, st);
	}
	return r;
}

void
emit_free(struct emit_run *r)
{
	if (r == NULL)
		return;
	for (size_t i = 0; i < r->nts; i++) {
		free(r->ts[i].name);
		tpl_free(r->ts[i].txt);
		tpl_free(r->ts[i].html);
		tpl_free(r->ts[i].sms);
	}
	free(r->ts);
	sqlite3_finalize(r->q_debtor);
	sqlite3_finalize(r->q_done);
	sqlite3_finalize(r->q_item);
	sqlite3_finalize(r->q_settle);
	sqlite3_finalize(r->ins_action);
	sqlite3_finalize(r->ins_item);
	sqlite3_finalize(r->q_hold);
	sqlite3_finalize(r->q_query);
	sqlite3_finalize(r->q_earlier);
	sqlite3_finalize(r->q_later);
	sqlite3_finalize(r->q_cash);
	sqlite3_finalize(r->q_same);
	chase_free(r->chase);
	outbox_stage_abort(&r->stage);
	sbuf_free(&r->calls);
	sbuf_free(&r->tasks);
	sbuf_free(&r->calls_rel);
	sbuf_free(&r->tasks_rel);
	free(r->call_actions);
	free(r->task_actions);
	free(r);
}

/* One plan row being emitted. */
struct row {
	const char *file;
	long line;
	const char *debtor_ref, *debtor_name, *path, *step, *channel,
	    *template, *reason, *win_start, *win_end, *dpd;
	char ccy[4];
	int digits;
	int64_t amount_due;
	int has_amount;
	/* from the state */
	int64_t debtor_id;
	char *d_name, *d_type, *d_email, *d_phone, *d_address, *d_country;
	char dial[OUTBOX_PHONE_BUFSZ];	/* d_phone as a dialler takes it */
	char def_start[6], def_end[6];	/* chase.hours' window, HH:MM */
	const struct chase_path *cpath;	/* the row's path and step there, */
	size_t cstep;			/* once check_rules judged them */
	/* chase.plan_missed's row (has_inst): the missed instalment's
	 * due date and what is short of the schedule up to it */
	int has_inst;
	int32_t inst_due;
	int64_t inst_arrears;
	struct item *items;
	size_t nitems;
	char *reason_plain;	/* the plan's reason as plain text */
	struct interest_span *frozen;	/* breathing spaces to the day */
	size_t nfrozen;
	int64_t total_open, total_interest, total_comp, rate;
	int claims;
	/* rendering */
	struct sbuf vals[NF];
	struct sbuf *ivals;	/* nitems * NI */
	const char **iv;
	char **caddr, **daddr;
	size_t ncaddr, ndaddr;
};

static void
row_free(struct row *w)
{
	free(w->d_name);
	free(w->d_type);
	free(w->d_email);
	free(w->d_phone);
	free(w->d_address);
	free(w->d_country);
	for (size_t i = 0; i < w->nitems; i++)
		free(w->items[i].doc_id);
	free(w->items);
	free(w->frozen);
	free(w->reason_plain);
	for (size_t i = 0; i < NF; i++)
		sbuf_free(&w->vals[i]);
	for (size_t i = 0; w->ivals && i < w->nitems * NI; i++)
		sbuf_free(&w->ivals[i]);
	free(w->ivals);
	free(w->iv);
	for (size_t i = 0; i < w->ncaddr; i++)
		free(w->caddr[i]);
	free(w->caddr);
	for (size_t i = 0; i < w->ndaddr; i++)
		free(w->daddr[i]);
	free(w->daddr);
}

static char *
col_dup(sqlite3_stmt *s, int i)
{
	const unsigned char *t = sqlite3_column_text(s, i);

	return t ? xstrdup((const char *)t) : NULL;
}

/* reject: reports a bad row; returns 1 (the row's verdict). */
static int reject(struct emit_run *r, struct row *w, struct tsv_reader *in,
    const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static int
reject(struct emit_run *r, struct row *w, struct tsv_reader *in,
    const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	if (r->o->report)
		r->o->report(r->o->report_ctx, w->file, w->line, msg);
	if (r->o->rejects != NULL) {
		if (!r->rejects_header) {
			fprintf(r->o->rejects, "%s\n", tsv_raw_header(in));
			r->rejects_header = 1;
		}
		fprintf(r->o->rejects, "%s\n", tsv_raw(in));
	}
	return 1;
}

static const char *
q(const char *s, char *buf, size_t n)
{
	return util_quote(s, strlen(s), buf, n);
}

/* split_lines: an address as lines: at newlines, else at ", ". */
static char **
split_lines(const char *s, size_t *n)
{
	char **v = NULL;
	const char *sep = strchr(s ? s : "", '\n') ? "\n" : ", ";

	*n = 0;
	while (s != NULL && *s) {
		const char *e = strstr(s, sep);
		size_t len = e ? (size_t)(e - s) : strlen(s);
		size_t tl = len;
		const char *t = util_trim(s, &tl);

		if (tl > 0) {
			v = xreallocarray(v, *n + 1, sizeof *v);
			v[(*n)++] = xstrndup(t, tl);
		}
		s = e ? e + strlen(sep) : NULL;
	}
	return v;
}

/*
 * load_cash: doc as a bank receipt of the row's debtor, the cash on
 * account build-chasepath lists in credit_doc_ids by its entry key (an
 * unapplied receipt, as age-ledger shows it): with chase.net_unapplied,
 * what is left of it on the day is a credit of the message (amount and
 * open negative, as a credit note's).  A receipt applied, or reversed,
 * since the plan was made nets nothing and is left out.  *found 0: no
 * receipt of the debtor.  0, or -1 state.
 */
static int
load_cash(struct emit_run *r, struct row *w, const char *doc, int *found,
    struct diag *d)
{
	sqlite3_stmt *s = r->q_cash;
	struct item *it;
	int64_t amount, left;
	int rc;

	*found = 0;
	sqlite3_reset(s);
	sqlite3_bind_text(s, 1, doc, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(s, 2, w->debtor_id);
	sqlite3_bind_int(s, 3, r->o->as_of);
	rc = sqlite3_step(s);
	if (rc == SQLITE_DONE) {
		sqlite3_reset(s);
		return 0;
	}
	if (rc != SQLITE_ROW) {
		sqlite3_reset(s);
		return state_error(r->o->st, d, "payment");
	}
	*found = 1;
	amount = sqlite3_column_int64(s, 3);
	left = amount - sqlite3_column_int64(s, 4);
	if (sqlite3_column_int(s, 5) == 0 || amount <= 0 || left <= 0 ||
	    (r->o->chase != NULL && !r->o->chase->net_unapplied)) {
		sqlite3_reset(s);
		return 0;
	}
	w->items = xreallocarray(w->items, w->nitems + 1, sizeof *w->items);
	it = &w->items[w->nitems++];
	memset(it, 0, sizeof *it);
	it->doc_id = xstrdup(doc);
	it->cash = 1;
	it->id = sqlite3_column_int64(s, 0);
	it->issue = it->due = sqlite3_column_int(s, 1);
	it->closed = INT32_MAX;
	it->amount = -amount;
	it->open = -left;
	snprintf(it->ccy, sizeof it->ccy, "%s",
	    (const char *)sqlite3_column_text(s, 2));
	sqlite3_reset(s);
	return 0;
}

/* load_items: each of the row's documents from the state, with its open
 * amount and interest as of the day.  credits: the list is the plan's
 * credit_doc_ids, of which only what the config nets is taken (a credit
 * note or an overpaid item with chase.net_credits, cash on account, a
 * payment item or a bank receipt, with chase.net_unapplied), so the
 * message's total is the plan's: a credit listed and not deducted there
 * is not in the message either.  1 rejected, 0 ok, -1 state. */
static int
load_items(struct emit_run *r, struct row *w, struct tsv_reader *in,
    const char *doc_ids, int credits, struct diag *d)
{
	const char *p = doc_ids;
	const char *field = credits ? "credit_doc_ids" : "doc_ids";
	struct sbuf one = { 0 };
	char qb[160];
	int more;

	/* The list as build-chasepath writes it (lib/chase.h: a comma
	 * inside an id is escaped), so INV,7 is one document. */
	while ((more = chase_docs_next(&p, &one)) != 0) {
		size_t tl = one.len;
		const char *t;
		struct item *it;
		char *doc;
		int rc;

		if (more < 0) {
			sbuf_free(&one);
			reject(r, w, in, "field \"%s\": the list ends in "
			    "a backslash", field);
			return 1;
		}
		t = util_trim(sbuf_str(&one), &tl);
		if (tl == 0)
			continue;
		doc = xstrndup(t, tl);
		for (size_t i = 0; i < w->nitems; i++)
			if (strcmp(w->items[i].doc_id, doc) == 0) {
				free(doc);
				doc = NULL;
				break;
			}
		if (doc == NULL)
			continue;
		sqlite3_reset(r->q_item);
		sqlite3_bind_text(r->q_item, 1, doc, -1, SQLITE_TRANSIENT);
		rc = sqlite3_step(r->q_item);
		if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
			free(doc);
			sbuf_free(&one);
			return state_error(r->o->st, d, "item");
		}
		if (rc == SQLITE_DONE || sqlite3_column_int64(r->q_item, 1) !=
		    w->debtor_id) {
			int found;

			sqlite3_reset(r->q_item);
			/* Not an item of the debtor: one of its bank
			 * receipts, cash on account, is a credit too. */
			if (load_cash(r, w, doc, &found, d) != 0) {
				free(doc);
				sbuf_free(&one);
				return -1;
			}
			if (found && credits) {
				free(doc);
				continue;
			}
			if (found)
				reject(r, w, in, "field \"doc_ids\": %s is "
				    "cash on account of debtor %s, not a "
				    "document to chase (it goes in "
				    "credit_doc_ids)", q(doc, qb, 80),
				    w->debtor_ref);
			else
				reject(r, w, in, "field \"%s\": %s is not a "
				    "document of debtor %s", field,
				    q(doc, qb, 80), w->debtor_ref);
			free(doc);
			sbuf_free(&one);
			return 1;
		}
		if (credits && r->o->chase != NULL) {
			const char *type = (const char *)
			    sqlite3_column_text(r->q_item, 7);
			int cash = type != NULL && strcmp(type, "payment") == 0;

			if (cash ? !r->o->chase->net_unapplied :
			    !r->o->chase->net_credits) {
				sqlite3_reset(r->q_item);
				free(doc);
				continue;
			}
		}
		w->items = xreallocarray(w->items, w->nitems + 1,
		    sizeof *w->items);
		it = &w->items[w->nitems++];
		memset(it, 0, sizeof *it);
		it->doc_id = doc;
		it->id = sqlite3_column_int64(r->q_item, 0);
		it->issue = sqlite3_column_int(r->q_item, 2);
		it->due = sqlite3_column_int(r->q_item, 3);
		it->amount = sqlite3_column_int64(r->q_item, 4);
		it->closed = sqlite3_column_type(r->q_item, 6) == SQLITE_NULL ?
		    INT32_MAX : sqlite3_column_int(r->q_item, 6);
		snprintf(it->ccy, sizeof it->ccy, "%s",
		    (const char *)sqlite3_column_text(r->q_item, 5));
		sqlite3_reset(r->q_item);
	}
	sbuf_free(&one);
	return 0;
}

/* item_interest: open amount and interest of each item as of the day. */
static int
item_interest(struct emit_run *r, struct row *w, struct tsv_reader *in,
    struct diag *d)
{
	const struct interest_rules *ir = r->o->rules;

	for (size_t i = 0; i < w->nitems; i++) {
		struct item *it = &w->items[i];
		struct interest_event *ev = NULL;
		size_t n = 0;
		int rc;

		if (strcmp(it->ccy, w->ccy) != 0)
			return reject(r, w, in, "field \"currency\": %s, "
			    "but document %s is in %s", w->ccy, it->doc_id,
			    it->ccy);
		/* Cash on account: load_cash gave what is left of it; no
		 * interest runs on it. */
		if (it->cash) {
			w->total_open += it->open;
			continue;
		}
		it->open = it->amount;
		sqlite3_reset(r->q_settle);
		sqlite3_bind_int64(r->q_settle, 1, it->id);
		sqlite3_bind_int(r->q_settle, 2, r->o->as_of);
		while ((rc = sqlite3_step(r->q_settle)) == SQLITE_ROW) {
			ev = xreallocarray(ev, n + 1, sizeof *ev);
			ev[n].date = sqlite3_column_int(r->q_settle, 0);
			ev[n].amount = sqlite3_column_int64(r->q_settle, 1);
			it->open -= ev[n].amount;
			n++;
		}
		sqlite3_reset(r->q_settle);
		if (rc != SQLITE_DONE) {
			free(ev);
			return state_error(r->o->st, d, "settlement") * 2;
		}
		if (w->claims) {
			struct diag id;

			diag_clear(&id);
			if (interest_compute_frozen(ir, it->amount, w->digits,
			    it->due, ev, n, r->o->as_of, w->frozen, w->nfrozen,
			    &it->ir, &id) != 0) {
				free(ev);
				return reject(r, w, in, "document %s: %s",
				    it->doc_id, id.msg);
			}
			/* Only debts still unpaid are claimed in a chase;
			 * interest on one paid late is its own claim. */
			if (it->open <= 0)
				memset(&it->ir, 0, sizeof it->ir);
			/* The Act's sums are in sterling and the Directive's
			 * in euros; no rate in the state converts them, so a
			 * debt in another currency gets interest but no
			 * fixed compensation (emit-letters(1)). */
			if (strcmp(it->ccy, ir->regime == INTEREST_UK ?
			    "GBP" : "EUR") != 0)
				it->ir.compensation = 0;
		}
		free(ev);
		w->total_open += it->open;
		w->total_interest += it->ir.interest;
		w->total_comp += it->ir.compensation;
		if (it->ir.rate != 0 && w->rate == 0)
			w->rate = it->ir.rate;
	}
	return 0;
}

/*
 * check_holds: a hold in force on the day stops every message of the
 * debtor, of any channel (DOMAIN.md 4.1's hard stops; a breathing space
 * is a legal one); hold_evaluate decides what is in force, as for
 * build-chasepath.  Every breathing space up to the day is kept in
 * w->frozen: interest does not run in it (DOMAIN.md 3.3).  1 rejected,
 * 0 ok, -1 state.
 */
static int
check_holds(struct emit_run *r, struct row *w, struct tsv_reader *in,
    struct diag *d)
{
	sqlite3_stmt *s = r->q_hold;
	char *held = NULL, b[DATE_BUFSZ], qb[160];
	int32_t held_from = 0, as_of = r->o->as_of;
	int rc;

	sqlite3_reset(s);
	sqlite3_bind_int64(s, 1, w->debtor_id);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		const char *kind = (const char *)sqlite3_column_text(s, 0);
		int32_t start = sqlite3_column_int(s, 1);
		int32_t end = sqlite3_column_type(s, 2) == SQLITE_NULL ?
		    INT32_MAX : sqlite3_column_int(s, 2);
		int32_t rel = sqlite3_column_type(s, 3) == SQLITE_NULL ?
		    INT32_MAX : sqlite3_column_int(s, 3);

		if (kind == NULL)
			kind = "";
		if (held == NULL && hold_evaluate(start, end, rel, as_of) ==
		    HOLD_ACTIVE) {
			held = xstrdup(kind);
			held_from = start;
		}
		if (strcmp(kind, "breathing_space") == 0 && start <= as_of) {
			/* Held to its end, or to the day before its release
			 * (a hold released on R is not held on R). */
			int32_t last = end;

			if (rel != INT32_MAX && rel - 1 < last)
				last = rel - 1;
			if (last > as_of)
				last = as_of;
			if (last >= start) {
				w->frozen = xreallocarray(w->frozen,
				    w->nfrozen + 1, sizeof *w->frozen);
				w->frozen[w->nfrozen].from = start;
				w->frozen[w->nfrozen++].to = last;
			}
		}
	}
	sqlite3_reset(s);
	if (rc != SQLITE_DONE) {
		free(held);
		return state_error(r->o->st, d, "hold");
	}
	if (held != NULL) {
		reject(r, w, in, "field \"debtor_id\": %s is on hold (%s "
		    "from %s): nothing is sent while it is in force",
		    q(w->debtor_ref, qb, 80), held, date_format(held_from, b));
		free(held);
		return 1;
	}
	return 0;
}

/*
 * check_behind: whether a step after the row's on its path was sent on
 * an earlier day for document it (a stale plan, or one edited by hand,
 * that would send the polite reminder after the letter before action):
 * a chase does not go back.  1 rejected, 0 ok, -1 state.
 */
static int
check_behind(struct emit_run *r, struct row *w, struct tsv_reader *in,
    const struct item *it, struct diag *d)
{
	sqlite3_stmt *s = r->q_later;
	char b[DATE_BUFSZ], qb[160];
	int rc, res = 0;

	if (w->cpath == NULL)
		return 0;
	sqlite3_reset(s);
	sqlite3_bind_int64(s, 1, w->debtor_id);
	sqlite3_bind_int(s, 2, r->o->as_of);
	sqlite3_bind_int64(s, 3, it->id);
	while (res == 0 && (rc = sqlite3_step(s)) == SQLITE_ROW) {
		const char *step = (const char *)sqlite3_column_text(s, 0);

		for (size_t k = w->cstep + 1; step && k < w->cpath->nsteps;
		    k++)
			if (strcmp(w->cpath->steps[k].name, step) == 0) {
				res = reject(r, w, in, "field \"step\": %s "
				    "comes before %s, sent on %s for "
				    "document %s: a chase does not go back",
				    q(w->step, qb, 80), step, date_format(
				    sqlite3_column_int(s, 1), b),
				    q(it->doc_id, qb + 80, 80));
				break;
			}
	}
	if (res == 0 && rc != SQLITE_DONE)
		res = state_error(r->o->st, d, "action");
	sqlite3_reset(s);
	return res;
}

/*
 * check_items: the row's documents against the state on the day: one
 * paid or closed, or in query, stops the row (its chase is over, or
 * paused); so does a step already sent on this channel, on another
 * day, for every one of them (a stale plan run again), or a later step
 * sent on an earlier day for one of them (check_behind).  1 rejected, 0
 * ok, -1 state.
 */
static int
check_items(struct emit_run *r, struct row *w, struct tsv_reader *in,
    struct diag *d)
{
	char b[DATE_BUFSZ], qb[160];
	int32_t as_of = r->o->as_of, last = INT32_MIN;
	size_t earlier = 0, docs = 0;
	int rc;

	for (size_t i = 0; i < w->nitems; i++) {
		struct item *it = &w->items[i];
		sqlite3_stmt *s;

		/* Cash on account is no document: never in query, never
		 * what an action covered. */
		if (it->cash)
			continue;
		docs++;
		/* A credit note (negative) is never "paid". */
		if (it->amount > 0 && (it->open <= 0 || it->closed <= as_of))
			return reject(r, w, in, "field \"doc_ids\": document "
			    "%s is %s on %s: nothing to chase",
			    q(it->doc_id, qb, 80), it->open <= 0 ? "paid" :
			    "closed", date_format(as_of, b));
		s = r->q_query;
		sqlite3_reset(s);
		sqlite3_bind_int64(s, 1, it->id);
		sqlite3_bind_int(s, 2, as_of);
		rc = sqlite3_step(s);
		sqlite3_reset(s);
		if (rc == SQLITE_ROW)
			return reject(r, w, in, "field \"doc_ids\": document "
			    "%s is in query on %s: its chase is paused",
			    q(it->doc_id, qb, 80), date_format(as_of, b));
		if (rc != SQLITE_DONE)
			return state_error(r->o->st, d, "query");
		s = r->q_earlier;
		sqlite3_reset(s);
		sqlite3_bind_int64(s, 1, w->debtor_id);
		sqlite3_bind_text(s, 2, w->step, -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 3, w->channel, -1, SQLITE_STATIC);
		sqlite3_bind_int(s, 4, as_of);
		sqlite3_bind_int64(s, 5, it->id);
		rc = sqlite3_step(s);
		if (rc == SQLITE_ROW &&
		    sqlite3_column_type(s, 0) != SQLITE_NULL) {
			int32_t day = sqlite3_column_int(s, 0);

			earlier++;
			if (day > last)
				last = day;
		}
		sqlite3_reset(s);
		if (rc != SQLITE_ROW && rc != SQLITE_DONE)
			return state_error(r->o->st, d, "action");
	}
	if (docs > 0 && earlier == docs)
		return reject(r, w, in, "field \"step\": %s was sent by %s on "
		    "%s for %s already", q(w->step, qb, 80), w->channel,
		    date_format(last, b), docs == 1 ? "this document" :
		    "each of these documents");
	for (size_t i = 0; i < w->nitems; i++)
		if (!w->items[i].cash &&
		    (rc = check_behind(r, w, in, &w->items[i], d)) != 0)
			return rc;
	return 0;
}

static void
setv(struct row *w, int f, const char *s)
{
	sbuf_reset(&w->vals[f]);
	sbuf_adds(&w->vals[f], s ? s : "");
}

static void
setm(struct row *w, int f, int64_t v)
{
	sbuf_reset(&w->vals[f]);
	emit_money(v, w->ccy, &w->vals[f]);
}

static void
setb(struct row *w, int f, int b)
{
	setv(w, f, b ? "1" : "");
}

static void
build_fields(struct emit_run *r, struct row *w)
{
	const struct emit_branding *b = r->o->brand;
	int consumer = strcmp(w->d_type, "consumer") == 0;
	int sole = strcmp(w->d_type, "sole_trader") == 0;
	int pap = (consumer || sole) && (w->d_country == NULL ||
	    util_strcaseeq(w->d_country, "GB"));
	struct sbuf t = { 0 };
	char rate[32];

	sbuf_reset(&t);
	emit_long_date(r->o->as_of, &t);
	setv(w, F_TODAY, sbuf_str(&t));
	setv(w, F_STEP, w->step);
	setv(w, F_PATH, w->path);
	setv(w, F_CHANNEL, w->channel);
	setv(w, F_TEMPLATE, w->template);
	setv(w, F_REASON, w->reason);
	setv(w, F_CURRENCY, w->ccy);
	setm(w, F_AMOUNT_DUE, w->amount_due);
	setv(w, F_DAYS_PAST_DUE, w->dpd);
	if (w->has_inst) {
		setm(w, F_INST_AMOUNT, w->inst_arrears);
		sbuf_reset(&t);
		emit_long_date(w->inst_due, &t);
		setv(w, F_INST_DUE, sbuf_str(&t));
	}
	sbuf_reset(&t);
	sbuf_addf(&t, "%s%s", b->reference_prefix ? b->reference_prefix : "",
	    w->debtor_ref);
	setv(w, F_PAYREF, sbuf_str(&t));
	sbuf_reset(&t);
	emit_long_date(r->o->as_of + (int32_t)b->deadline_days, &t);
	setv(w, F_DEADLINE, sbuf_str(&t));
	sbuf_reset(&t);
	emit_long_date(r->o->as_of + (int32_t)b->pap_days, &t);
	setv(w, F_REPLY_BY, sbuf_str(&t));
	setv(w, F_C_NAME, b->name);
	setv(w, F_C_ADDRESS, b->address);
	setv(w, F_C_EMAIL, b->email);
	setv(w, F_C_PHONE, b->phone);
	setv(w, F_C_WEBSITE, b->website);
	setv(w, F_C_LOGO, b->logo);
	setv(w, F_C_COLOUR, b->colour ? b->colour : "#1a3d6d");
	setv(w, F_C_ACCENT, b->accent_colour ? b->accent_colour : "#555555");
	setv(w, F_C_SIGNATURE, b->signature);
	setv(w, F_C_BANK, b->bank_name);
	setv(w, F_C_ACCNAME, b->account_name);
	setv(w, F_C_ACCNO, b->account_number);
	setv(w, F_C_SORT, b->sort_code);
	setv(w, F_C_IBAN, b->iban);
	setv(w, F_C_BIC, b->bic);
	setv(w, F_C_COMPANY, b->company_number);
	setv(w, F_C_VAT, b->vat_number);
	setv(w, F_D_ID, w->debtor_ref);
	setv(w, F_D_NAME, w->d_name);
	setv(w, F_D_TYPE, w->d_type);
	setv(w, F_D_ADDRESS, w->d_address);
	setv(w, F_D_EMAIL, w->d_email);
	setv(w, F_D_PHONE, w->d_phone);
	setm(w, F_TOTAL_OPEN, w->total_open);
	setm(w, F_TOTAL_INTEREST, w->total_interest);
	setm(w, F_TOTAL_COMP, w->total_comp);
	setm(w, F_TOTAL_CLAIM, w->total_open + w->total_interest +
	    w->total_comp);
	setv(w, F_RATE, w->rate ? interest_format_rate(w->rate, rate) : "");
	setb(w, F_HAS_INTEREST, w->total_interest + w->total_comp > 0);
	setv(w, F_REGIME, !w->claims ? "" : r->o->rules->regime ==
	    INTEREST_UK ? "uk" : "eu");
	setb(w, F_CONSUMER, consumer);
	setb(w, F_SOLE_TRADER, sole);
	setb(w, F_BUSINESS, !consumer && !sole);
	setb(w, F_INDIVIDUAL, consumer || sole);
	setb(w, F_PAP, pap);
	setb(w, F_UK, w->claims && r->o->rules->regime == INTEREST_UK);
	setb(w, F_EU, w->claims && r->o->rules->regime == INTEREST_EU);
	sbuf_reset(&t);
	sbuf_addf(&t, "%zu", w->nitems);
	setv(w, F_NINVOICES, sbuf_str(&t));
	sbuf_free(&t);

	w->ivals = xcalloc(w->nitems * NI + 1, sizeof *w->ivals);
	w->iv = xcalloc(w->nitems * NI + 1, sizeof *w->iv);
	for (size_t i = 0; i < w->nitems; i++) {
		struct item *it = &w->items[i];
		struct sbuf *v = &w->ivals[i * NI];

		sbuf_adds(&v[I_DOC], it->doc_id);
		emit_long_date(it->issue, &v[I_ISSUE]);
		emit_long_date(it->due, &v[I_DUE]);
		emit_money(it->amount, w->ccy, &v[I_AMOUNT]);
		emit_money(it->open, w->ccy, &v[I_OPEN]);
		sbuf_addf(&v[I_DPD], "%ld", (long)(r->o->as_of - it->due));
		if (it->ir.interest || it->ir.compensation) {
			emit_money(it->ir.interest, w->ccy, &v[I_INTEREST]);
			/* Empty when none (another currency's debt), so a
			 * template can leave it out. */
			if (it->ir.compensation != 0)
				emit_money(it->ir.compensation, w->ccy,
				    &v[I_COMP]);
			sbuf_adds(&v[I_RATE], interest_format_rate(
			    it->ir.rate, rate));
		}
		for (size_t k = 0; k < NI; k++)
			w->iv[i * NI + k] = sbuf_str(&v[k]);
	}
	w->caddr = split_lines(b->address, &w->ncaddr);
	w->daddr = split_lines(w->d_address, &w->ndaddr);
}

static void
render(struct row *w, const struct tpl *t, struct sbuf *out)
{
	const char *sv[NF];
	struct tpl_list_values lv[NL];

	for (size_t i = 0; i < NF; i++)
		sv[i] = sbuf_str(&w->vals[i]);
	lv[L_INVOICES].n = w->nitems;
	lv[L_INVOICES].values = w->iv;
	lv[L_CLIENT_ADDR].n = w->ncaddr;
	lv[L_CLIENT_ADDR].values = (const char *const *)w->caddr;
	lv[L_DEBTOR_ADDR].n = w->ndaddr;
	lv[L_DEBTOR_ADDR].values = (const char *const *)w->daddr;
	{
		struct tpl_ctx c = { sv, lv };

		tpl_render(t, &c, out);
	}
}

/* split_subject: a rendered .txt's "Subject: ..." line and the body
 * after it (and the blank line that follows). */
static const char *
split_subject(const char *s, int has, struct sbuf *subject)
{
	const char *nl;

	if (!has || strncmp(s, "Subject:", 8) != 0)
		return s;
	nl = strchr(s, '\n');
	{
		size_t n = nl ? (size_t)(nl - s - 8) : strlen(s + 8);
		const char *t = util_trim(s + 8, &n);

		sbuf_add(subject, t, n);
	}
	if (nl == NULL)
		return "";
	nl++;
	if (*nl == '\n')
		nl++;
	return nl;
}

static void
sha_hex(const char *s, size_t n, char out[65])
{
	struct sha256 h;

	sha256_init(&h);
	sha256_update(&h, s, n);
	sha256_hex(&h, out);
}

/* build_email: the RFC 5322 message of one row. */
static int
build_email(struct emit_run *r, struct row *w, struct tset *t,
    struct sbuf *msg, struct tsv_reader *in)
{
	const struct emit_branding *b = r->o->brand;
	struct sbuf txt = { 0 }, html = { 0 }, subj = { 0 }, mb = { 0 };
	struct sbuf key = { 0 };
	const char *body, *domain;
	char now[32], date[40], hash[65];

	if (b->email == NULL)
		return reject(r, w, in, "channel email needs branding.email "
		    "in the config (the From address)");
	if (w->d_email == NULL || !outbox_addr_ok(w->d_email))
		return reject(r, w, in, "debtor %s has no usable e-mail "
		    "address", w->debtor_ref);
	if (!t->txt_subject)
		return reject(r, w, in, "template %s.txt has no "
		    "\"Subject:\" first line, which an e-mail needs",
		    t->name);
	render(w, t->txt, &txt);
	body = split_subject(sbuf_str(&txt), 1, &subj);
	if (t->html != NULL)
		render(w, t->html, &html);
	state_now(now);
	if (outbox_rfc5322_date(now, date) != 0)
		snprintf(date, sizeof date, "Thu, 01 Jan 1970 00:00:00 +0000");
	sbuf_addf(&key, "%s|%s|%s|%s|%s", r->day, w->debtor_ref, w->step,
	    w->channel, b->email);
	/* A debtor's two currencies are two messages (as their file names
	 * are): the other currency goes into the key. */
	if (r->o->client_currency != NULL &&
	    strcmp(w->ccy, r->o->client_currency) != 0)
		sbuf_addf(&key, "|%s", w->ccy);
	sha_hex(key.buf, key.len, hash);
	domain = strchr(b->email, '@') + 1;

	(void)outbox_mailbox(b->name, b->email, &mb);
	outbox_header("From", sbuf_str(&mb), msg);
	sbuf_reset(&mb);
	(void)outbox_mailbox(w->d_name, w->d_email, &mb);
	outbox_header("To", sbuf_str(&mb), msg);
	outbox_header("Subject", sbuf_str(&subj), msg);
	sbuf_addf(msg, "Date: %s\n", date);
	sbuf_addf(msg, "Message-ID: <%.24s.%s@%s>\n", hash, r->day, domain);
	sbuf_adds(msg, "MIME-Version: 1.0\n");
	if (t->html != NULL) {
		sbuf_addf(msg, "Content-Type: multipart/alternative; "
		    "boundary=\"=_ck_%.32s\"\n\n", hash + 32);
		sbuf_adds(msg, "This is a message in MIME format.\n\n");
		sbuf_addf(msg, "--=_ck_%.32s\n", hash + 32);
	}
	sbuf_adds(msg, "Content-Type: text/plain; charset=UTF-8\n"
	    "Content-Transfer-Encoding: quoted-printable\n\n");
	outbox_qp(body, msg);
	if (msg->len && msg->buf[msg->len - 1] != '\n')
		sbuf_addc(msg, '\n');
	if (t->html != NULL) {
		sbuf_addf(msg, "--=_ck_%.32s\n", hash + 32);
		sbuf_adds(msg, "Content-Type: text/html; charset=UTF-8\n"
		    "Content-Transfer-Encoding: quoted-printable\n\n");
		outbox_qp(sbuf_str(&html), msg);
		if (msg->buf[msg->len - 1] != '\n')
			sbuf_addc(msg, '\n');
		sbuf_addf(msg, "--=_ck_%.32s--\n", hash + 32);
	}
	sbuf_free(&txt);
	sbuf_free(&html);
	sbuf_free(&subj);
	sbuf_free(&mb);
	sbuf_free(&key);
	return 0;
}

/* time_ok: "HH:MM" or "HH:MM:SS" at t[0..n). */
static int
time_ok(const char *t, size_t n)
{
	if (n != 5 && n != 8)
		return 0;
	return t[0] >= '0' && t[0] <= '2' && t[1] >= '0' && t[1] <= '9' &&
	    (t[0] < '2' || t[1] <= '3') && t[2] == ':' && t[3] >= '0' &&
	    t[3] <= '5' && t[4] >= '0' && t[4] <= '9' && (n == 5 ||
	    (t[5] == ':' && t[6] >= '0' && t[6] <= '5' && t[7] >= '0' &&
	    t[7] <= '9'));
}

/*
 * window_ok: a call window's end as build-chasepath writes it: "HH:MM",
 * or an ISO 8601 date and time with an optional UTC offset
 * ("2024-04-02T09:00+01:00", "...Z"), passed to the dialler as given.
 */
static int
window_ok(const char *s)
{
	size_t n = strlen(s);
	char day[DATE_BUFSZ];
	int32_t dn;

	if (n < 10 || (s[10] != 'T' && s[10] != ' '))
		return time_ok(s, n);
	memcpy(day, s, 10);
	day[10] = '\0';
	if (date_parse_iso(day, &dn) != 0)
		return 0;
	s += 11;
	n -= 11;
	if (n > 0 && s[n - 1] == 'Z')
		n--;
	else if (n > 6 && (s[n - 6] == '+' || s[n - 6] == '-') &&
	    time_ok(s + n - 5, 5))
		n -= 6;
	return time_ok(s, n);
}

/*
 * contact_window: the hours a call or an SMS may reach the debtor: the
 * plan's window, else the channel's chase.hours for the debtor's kind,
 * else DOMAIN.md 4.2's (09:00 to 17:30 for a business, 08:00 to 20:00
 * for an individual, in the debtor's local time).  And
 * the number it goes to must be one (outbox_phone_ok): an export's text
 * in the phone column is no number; w->dial gets it as a dialler or an
 * SMS gateway takes it, "+447700900001", not "+44 7700 900001" (which
 * the call list would also have to write with a leading apostrophe).
 * 1 rejected, 0 ok.
 */
static int
contact_window(struct emit_run *r, struct row *w, struct tsv_reader *in,
    const char **ws, const char **we)
{
	int business = strcmp(w->d_type, "business") == 0;
	char qb[160], b[DATE_BUFSZ];
	const char *day = date_format(r->o->as_of, b);

	if (w->d_phone == NULL || *w->d_phone == '\0')
		return reject(r, w, in, "debtor %s has no phone number %s",
		    w->debtor_ref, strcmp(w->channel, "sms") == 0 ?
		    "for an SMS" : "to call");
	if (!outbox_phone_ok(w->d_phone, w->dial))
		return reject(r, w, in, "debtor %s: phone %s is not a "
		    "telephone number (E.164, or national digits)",
		    w->debtor_ref, q(w->d_phone, qb, 80));
	*ws = w->win_start && *w->win_start ? w->win_start : business ?
	    "09:00" : "08:00";
	*we = w->win_end && *w->win_end ? w->win_end : business ? "17:30" :
	    "20:00";
	/* A client's own hours for the channel win over the defaults. */
	if (r->o->chase != NULL) {
		const struct chase_config *c = r->o->chase;
		int ch = strcmp(w->channel, "sms") == 0 ? CHASE_SMS :
		    CHASE_CALL;
		const struct cal_hours *h = &c->hours[ch][!business];

		if (c->has_hours[ch] && !(w->win_start && *w->win_start)) {
			snprintf(w->def_start, sizeof w->def_start,
			    "%02u:%02u", (unsigned)h->from / 60 % 100,
			    (unsigned)h->from % 60);
			*ws = w->def_start;
		}
		if (c->has_hours[ch] && !(w->win_end && *w->win_end)) {
			snprintf(w->def_end, sizeof w->def_end, "%02u:%02u",
			    (unsigned)h->to / 60 % 100, (unsigned)h->to % 60);
			*we = w->def_end;
		}
	}
	/* Written alike (the same length, so the same offset), the start
	 * must sort before the end. */
	if (!window_ok(*ws) || !window_ok(*we) || (strlen(*ws) ==
	    strlen(*we) && strcmp(*ws, *we) >= 0))
		return reject(r, w, in, "field \"call_window_start\": the "
		    "window %s to %s is not two times (HH:MM or ISO 8601), "
		    "the first earlier", *ws, *we);
	/* A dated window is the plan's day's: a plan made on another day
	 * would send the dialler or the gateway hours already gone. */
	if ((strlen(*ws) > 10 && strncmp(*ws, day, 10) != 0) ||
	    (strlen(*we) > 10 && strncmp(*we, day, 10) != 0))
		return reject(r, w, in, "field \"call_window_start\": the "
		    "window %s to %s is not on %s, the day sent (a plan of "
		    "another day: make it again)", *ws, *we, day);
	return 0;
}

static int
build_sms(struct emit_run *r, struct row *w, struct tset *t,
    struct sbuf *msg, struct tsv_reader *in)
{
	struct sbuf txt = { 0 };
	struct outbox_sms s;
	const char *ws, *we;
	size_t n;

	if (contact_window(r, w, in, &ws, &we) != 0)
		return 1;
	render(w, t->sms, &txt);
	/* A template's last line end is not part of the message. */
	n = txt.len;
	while (n > 0 && (txt.buf[n - 1] == '\n' || txt.buf[n - 1] == '\r'))
		txt.buf[--n] = '\0';
	txt.len = n;
	outbox_sms_split(sbuf_str(&txt), &s);
	outbox_header("To", w->dial, msg);
	if (r->o->brand->sms_from)
		outbox_header("From", r->o->brand->sms_from, msg);
	sbuf_addf(msg, "Coding: %s\nUnits: %zu\nParts: %zu\nPart-Units:",
	    s.coding == OUTBOX_GSM7 ? "GSM-7" : "UCS-2", s.units, s.nparts);
	for (size_t i = 0; i < s.nparts; i++) {
		struct outbox_sms one;

		outbox_sms_split(s.parts[i], &one);
		sbuf_addf(msg, "%s%zu", i ? "," : " ", one.units);
		outbox_sms_free(&one);
	}
	/* Whatever sends it keeps the contact hours (DOMAIN.md 4.2). */
	sbuf_adds(msg, "\n");
	outbox_header("Send-After", ws, msg);
	outbox_header("Send-Before", we, msg);
	sbuf_adds(msg, "\n");
	sbuf_adds(msg, sbuf_str(&txt));
	sbuf_addc(msg, '\n');
	outbox_sms_free(&s);
	sbuf_free(&txt);
	return 0;
}

/* csv_row: the lists are for people's spreadsheets and diallers, so
 * csvout neutralises what a spreadsheet would run (csvout.h). */
static void
csv_row(struct sbuf *out, const char *const *v, size_t n)
{
	csvout_row(out, v, NULL, n);
}

static const char *const call_cols[] = {
	"debtor_id", "debtor_name", "phone", "step", "call_window_start",
	"call_window_end", "currency", "amount_due", "days_past_due",
	"doc_ids", "reason"
};
static const char *const task_cols[] = {
	"debtor_id", "debtor_name", "step", "template", "currency",
	"amount_due", "days_past_due", "doc_ids", "reason"
};

static int
add_list_row(struct emit_run *r, struct row *w, struct tsv_reader *in,
    const char *doc_ids)
{
	char amt[MONEY_BUFSZ];

	money_format(w->amount_due, w->digits, amt);
	if (strcmp(w->channel, "call") == 0) {
		const char *ws, *we, *v[11];

		if (contact_window(r, w, in, &ws, &we) != 0)
			return 1;
		if (r->ncalls == 0)
			csv_row(&r->calls, call_cols, 11);
		v[0] = w->debtor_ref; v[1] = w->d_name; v[2] = w->dial;
		v[3] = w->step; v[4] = ws; v[5] = we; v[6] = w->ccy;
		v[7] = amt; v[8] = w->dpd; v[9] = doc_ids; v[10] = w->reason;
		csv_row(&r->calls, v, 11);
		r->ncalls++;
	} else {
		const char *v[9];

		if (r->ntasks == 0)
			csv_row(&r->tasks, task_cols, 9);
		v[0] = w->debtor_ref; v[1] = w->d_name; v[2] = w->step;
		v[3] = w->template; v[4] = w->ccy; v[5] = amt; v[6] = w->dpd;
		v[7] = doc_ids; v[8] = w->reason;
		csv_row(&r->tasks, v, 9);
		r->ntasks++;
	}
	return 0;
}

/* file_base: "<debtor>-<step>", each made safe; a debtor id that had to
 * change gets its row id too, so two debtors never share a name; a
 * message in another currency than the client's gets "-<currency>", so
 * a debtor's two currencies never share one. */
static void
file_base(const struct emit_run *r, struct row *w, struct sbuf *out)
{
	if (outbox_safe_name(w->debtor_ref, out))
		sbuf_addf(out, "-%lld", (long long)w->debtor_id);
	sbuf_addc(out, '-');
	(void)outbox_safe_name(w->step, out);
	if (r->o->client_currency != NULL && w->ccy[0] != '\0' &&
	    strcmp(w->ccy, r->o->client_currency) != 0) {
		sbuf_addc(out, '-');
		(void)outbox_safe_name(w->ccy, out);
	}
}

static int
stage(struct emit_run *r, const char *rel, const struct sbuf *body,
    struct sha256 *h, struct diag *d)
{
	struct sbuf path = { 0 };
	int rc = 0;

	sha256_update(h, sbuf_str(body), body->len);
	if (!r->o->dry_run) {
		sbuf_addf(&path, "%s/%s", r->o->outbox, rel);
		rc = outbox_stage_file(&r->stage, sbuf_str(&path),
		    sbuf_str(body), body->len, d);
		sbuf_free(&path);
	}
	return rc;
}

static int
record(struct emit_run *r, struct row *w, const char *doc_ids,
    const char *file, const char *sha, int64_t *action_id, struct diag *d)
{
	sqlite3_stmt *s = r->ins_action;
	char now[32];

	state_now(now);
	sqlite3_reset(s);
	sqlite3_bind_int64(s, 1, w->debtor_id);
	sqlite3_bind_int(s, 2, r->o->as_of);
	if (w->path && *w->path)
		sqlite3_bind_text(s, 3, w->path, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(s, 3);
	sqlite3_bind_text(s, 4, w->step, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 5, w->channel, -1, SQLITE_STATIC);
	if (w->template && *w->template)
		sqlite3_bind_text(s, 6, w->template, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(s, 6);
	sqlite3_bind_text(s, 7, doc_ids, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 8, w->ccy, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 9, w->amount_due);
	sqlite3_bind_int64(s, 10, w->total_interest);
	sqlite3_bind_int64(s, 11, w->total_comp);
	sqlite3_bind_text(s, 12, file, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 13, now, -1, SQLITE_TRANSIENT);
	if (r->o->st->batch_id)
		sqlite3_bind_int64(s, 14, r->o->st->batch_id);
	else
		sqlite3_bind_null(s, 14);
	if (w->rate)
		sqlite3_bind_int64(s, 15, w->rate);
	else
		sqlite3_bind_null(s, 15);
	if (sha)
		sqlite3_bind_text(s, 16, sha, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(s, 16);
	if (sqlite3_step(s) != SQLITE_DONE)
		return state_error(r->o->st, d, "action");
	*action_id = sqlite3_last_insert_rowid(r->o->st->db);
	for (size_t i = 0; i < w->nitems; i++) {
		sqlite3_stmt *t = r->ins_item;

		/* Cash on account is in the action's doc_ids, no item. */
		if (w->items[i].cash)
			continue;
		sqlite3_reset(t);
		sqlite3_bind_int64(t, 1, *action_id);
		sqlite3_bind_int64(t, 2, w->items[i].id);
		sqlite3_bind_int64(t, 3, w->items[i].open);
		sqlite3_bind_int64(t, 4, w->items[i].ir.interest);
		sqlite3_bind_int64(t, 5, w->items[i].ir.compensation);
		if (sqlite3_step(t) != SQLITE_DONE)
			return state_error(r->o->st, d, "action_item");
	}
	return state_audit(r->o->st, "emit", "action", *action_id, file, d);
}

static void
print_row(struct emit_run *r, struct row *w, const char *file,
    const char *doc_ids)
{
	char a[MONEY_BUFSZ], i[MONEY_BUFSZ], c[MONEY_BUFSZ];
	const char *v[8];

	v[0] = w->debtor_ref; v[1] = w->step; v[2] = w->channel; v[3] = file;
	v[4] = doc_ids;
	v[5] = money_format(w->amount_due, w->digits, a);
	v[6] = money_format(w->total_interest, w->digits, i);
	v[7] = money_format(w->total_comp, w->digits, c);
	tsv_row(r->o->out, v, 8);
}

struct cols {
	int debtor, name, path, step, channel, template, doc_ids, currency,
	    amount, dpd, reason, ws, we, credits, planned;
};

static const char *
fld(struct tsv_reader *in, int c)
{
	return c < 0 ? "" : tsv_field(in, (size_t)c);
}

/* list_name: day/calls.csv, or calls-2.csv, ... when an action of an
 * earlier run already names it.  The state decides, not the folder: a
 * list that a crash left with no action recorded is written over, so
 * its calls are not in two lists. */
static int
list_name(struct emit_run *r, const char *stem, struct sbuf *rel,
    struct diag *d)
{
	sqlite3_stmt *s;
	int rc = 0;

	if ((s = state_prepare(r->o->st, "SELECT 1 FROM action WHERE"
	    " file = ?", d)) == NULL)
		return -1;
	for (int i = 1; ; i++) {
		sbuf_reset(rel);
		if (i == 1)
			sbuf_addf(rel, "%s/%s.csv", r->day, stem);
		else
			sbuf_addf(rel, "%s/%s-%d.csv", r->day, stem, i);
		sqlite3_reset(s);
		sqlite3_bind_text(s, 1, sbuf_str(rel), -1, SQLITE_STATIC);
		rc = sqlite3_step(s);
		if (rc == SQLITE_DONE) {
			rc = 0;
			break;
		}
		if (rc != SQLITE_ROW) {
			rc = state_error(r->o->st, d, "action");
			break;
		}
	}
	sqlite3_finalize(s);
	return rc;
}

/*
 * same_day: a row whose debtor, step, channel and currency an action of
 * this day already has.  Done before when that message covered each of
 * the row's documents (a re-run); a row with another document is
 * refused, never dropped: one message a debtor, step and channel a day,
 * so the documents belong on one row.  0 done, 1 rejected, -1 state.
 */
static int
same_day(struct emit_run *r, struct row *w, struct tsv_reader *in,
    const char *doc_ids, struct diag *d)
{
	const char *p = doc_ids;
	struct sbuf one = { 0 };
	char qb[160], b[DATE_BUFSZ];
	int more, res = 0;

	while (res == 0 && (more = chase_docs_next(&p, &one)) > 0) {
		size_t tl = one.len;
		const char *t = util_trim(sbuf_str(&one), &tl);
		sqlite3_stmt *s = r->q_same;
		int rc;

		if (tl == 0)
			continue;
		sqlite3_reset(s);
		sqlite3_bind_int64(s, 1, w->debtor_id);
		sqlite3_bind_int(s, 2, r->o->as_of);
		sqlite3_bind_text(s, 3, w->step, -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 4, w->channel, -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 5, w->ccy, -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 6, t, (int)tl, SQLITE_TRANSIENT);
		rc = sqlite3_step(s);
		sqlite3_reset(s);
		if (rc == SQLITE_DONE) {
			char *doc = xstrndup(t, tl);
			int mine;

			/* An id that is no document of the debtor is told
			 * as such, as on a row not sent before. */
			sqlite3_reset(r->q_item);
			sqlite3_bind_text(r->q_item, 1, doc, -1,
			    SQLITE_TRANSIENT);
			rc = sqlite3_step(r->q_item);
			mine = rc == SQLITE_ROW && sqlite3_column_int64(
			    r->q_item, 1) == w->debtor_id;
			sqlite3_reset(r->q_item);
			if (rc != SQLITE_ROW && rc != SQLITE_DONE)
				res = state_error(r->o->st, d, "item");
			else if (!mine)
				res = reject(r, w, in, "field \"doc_ids\": %s "
				    "is not a document of debtor %s",
				    q(doc, qb, 80), w->debtor_ref);
			else
				res = reject(r, w, in, "field \"doc_ids\": %s "
				    "was sent by %s on %s for other documents "
				    "of %s, not %s: one message a debtor, step "
				    "and channel a day (put the documents on "
				    "one row)", q(w->step, qb, 80), w->channel,
				    date_format(r->o->as_of, b), w->debtor_ref,
				    q(doc, qb + 80, 80));
			free(doc);
		} else if (rc != SQLITE_ROW)
			res = state_error(r->o->st, d, "action");
	}
	sbuf_free(&one);
	return res;
}

/*
 * check_step: a row of an escalation step (a letter before action, the
 * hand-over to an agency or solicitor) goes by one of the step's
 * channels, with the step's template: a plan edited by hand that sent a
 * courtesy letter or an e-mail as the letter before action would record
 * it as sent (so never sent again, and the state's evidence that it
 * went) while sending something else.  Other steps' rows may carry a
 * reviewer's channel and template.  A call or task row's template is not
 * read.  And any row's channel must be open on the day (chase.hours).
 * 1 rejected, 0 ok.
 */
static int
check_step(struct emit_run *r, struct row *w, struct tsv_reader *in,
    const char *path, const struct chase_step *s)
{
	const struct chase_config *c = r->o->chase;
	const char *tpl = s->template ? s->template : s->name;
	int who = strcmp(w->d_type, "business") == 0 ? 0 : 1;
	char qb[160], b[DATE_BUFSZ];
	int ch;

	for (ch = 0; ch < CHASE_NCHANNELS; ch++)
		if (strcmp(w->channel,
		    chase_channel_name((enum chase_channel)ch)) == 0)
			break;
	/* The days chase.hours allows the channel, as build-chasepath
	 * keeps them (DOMAIN.md 4.2: no call to a business at a weekend,
	 * none to a consumer on a Sunday or a holiday). */
	if (ch < CHASE_NCHANNELS && c->has_hours[ch] &&
	    !calendar_hours_open(&c->hours[ch][who], &c->cal, r->o->as_of))
		return reject(r, w, in, "field \"channel\": no %s to %s on "
		    "%s: chase.hours.%s.%s does not allow the day (the "
		    "contact waits for one it does)", w->channel, who ?
		    "an individual" : "a business", date_format(r->o->as_of,
		    b), w->channel, who ? "consumer" : "business");
	if (s->escalation == NULL)
		return 0;
	if (ch == CHASE_NCHANNELS || !(s->channels & 1u << ch)) {
		struct sbuf by = { 0 };

		for (int k = 0; k < CHASE_NCHANNELS; k++)
			if (s->channels & 1u << k)
				sbuf_addf(&by, "%s%s", by.len ? " or " : "",
				    chase_channel_name((enum chase_channel)k));
		reject(r, w, in, "field \"channel\": step %s of path %s goes "
		    "by %s, not %s", s->name, path, sbuf_str(&by),
		    q(w->channel, qb, 80));
		sbuf_free(&by);
		return 1;
	}
	if (ch != CHASE_CALL && ch != CHASE_TASK &&
	    strcmp(w->template, tpl) != 0)
		return reject(r, w, in, "field \"template\": step %s of path "
		    "%s sends %s, not %s", s->name, path, tpl,
		    q(w->template, qb, 80));
	return 0;
}

/*
 * check_rules: lib/chase's verdict on the row now, in the transaction
 * that records it: a step that is not one of the debtor's path, a
 * debtor restricted, a promise pending or an instalment plan kept since
 * the plan was made stop it as they stop the plan.  1 rejected, 0 ok,
 * -1 state.
 */
static int
check_rules(struct emit_run *r, struct row *w, struct tsv_reader *in,
    struct diag *d)
{
	struct chase_verdict v;
	char qb[160], b[DATE_BUFSZ];
	const char *day = date_format(r->o->as_of, b);

	if (r->chase == NULL)
		return 0;
	if (chase_check_send(r->chase, w->debtor_ref, w->ccy, w->path,
	    w->step, &v, d) != 0)
		return -1;
	if (v.why == NULL && v.step == &r->o->chase->plan_missed) {
		/* Of no path: no later step to go back from. */
		w->has_inst = 1;
		w->inst_due = v.inst_due;
		w->inst_arrears = v.inst_arrears;
		return check_step(r, w, in, v.path, v.step);
	}
	if (v.why == NULL) {
		w->cpath = &r->o->chase->paths[chase_path_find(r->o->chase,
		    v.path)];
		w->cstep = (size_t)(v.step - w->cpath->steps);
		return check_step(r, w, in, v.path, v.step);
	}
	if (strcmp(v.why, "not_a_step") == 0)
		return reject(r, w, in, "field \"step\": %s is not a step of "
		    "path %s", q(w->step, qb, 80), v.path);
	if (strcmp(v.why, "unknown_path") == 0) {
		if (*w->path == '\0')
			return reject(r, w, in, "field \"debtor_id\": %s has "
			    "a chase_path that is not a path of the "
			    "configuration", q(w->debtor_ref, qb, 80));
		return reject(r, w, in, "field \"path\": %s is not %s",
		    q(w->path, qb, 80), chase_path_find(r->o->chase,
		    w->path) < 0 ? "a path of the configuration" :
		    "the debtor's path (its chase_path, or one chase.select "
		    "can give it)");
	}
	if (strcmp(v.why, "acted_today") == 0)
		return reject(r, w, in, "field \"step\": %s was sent %s "
		    "in %s on %s already: one step a debtor and currency a day "
		    "(the plan of the next day moves on)", q(w->debtor_ref, qb,
		    80), v.other, w->ccy, day);
	if (strcmp(v.why, "min_gap") == 0) {
		char b2[DATE_BUFSZ], b3[DATE_BUFSZ];

		return reject(r, w, in, "field \"step\": %s was last "
		    "contacted on %s: chase.min_days_between_contacts holds "
		    "its next step until %s", q(w->debtor_ref, qb, 80),
		    date_format(v.last, b2), date_format(v.until, b3));
	}
	if (strcmp(v.why, "restricted") == 0)
		return reject(r, w, in, "field \"debtor_id\": %s is "
		    "restricted (GDPR Art. 18) on %s: nothing is sent",
		    q(w->debtor_ref, qb, 80), day);
	if (strcmp(v.why, "promise_pending") == 0)
		return reject(r, w, in, "field \"debtor_id\": %s has a "
		    "promise to pay pending on %s: its chase waits for it",
		    q(w->debtor_ref, qb, 80), day);
	if (strcmp(v.why, "plan_active") == 0 ||
	    strcmp(v.why, "plan_in_arrears") == 0)
		return reject(r, w, in, "field \"debtor_id\": %s has an "
		    "instalment plan %s on %s: chasing waits while it stands",
		    q(w->debtor_ref, qb, 80), strcmp(v.why, "plan_active") ==
		    0 ? "in good standing" : "in arrears, within its grace",
		    day);
	if (strcmp(v.why, "plan_not_missed") == 0)
		return reject(r, w, in, "field \"step\": %s has no missed "
		    "instalment to contact about on %s (no plan in arrears "
		    "whose contact is due)", q(w->debtor_ref, qb, 80), day);
	return reject(r, w, in, "field \"debtor_id\": %s: %s on %s",
	    q(w->debtor_ref, qb, 80), v.why, day);
}

/*
 * check_minimum: the step's minimum (its min_amount, chase.min_balance),
 * lib/chase's as the plan judged it, against what the message demands
 * today, the row's documents with the credits netted: a row edited down
 * to a small invoice, or paid down since the plan, must not send a
 * letter before action below the client's minimum for one.  1 rejected,
 * 0 ok.
 */
static int
check_minimum(struct emit_run *r, struct row *w, struct tsv_reader *in)
{
	const struct chase_step *s;
	char a[MONEY_BUFSZ], m[MONEY_BUFSZ], qb[80];
	int64_t min;

	if (w->cpath == NULL)
		return 0;
	s = &w->cpath->steps[w->cstep];
	min = chase_step_minimum(r->o->chase, s, w->ccy);
	if (w->total_open >= min)
		return 0;
	return reject(r, w, in, "field \"amount_due\": %s %s is owed on %s "
	    "today, below step %s's minimum of %s (min_amount, "
	    "chase.min_balance): nothing is sent", w->ccy, money_format(
	    w->total_open, w->digits, a), w->nitems == 1 ? "its document" :
	    "its documents", q(s->name, qb, 80), money_format(min, w->digits,
	    m));
}

/* one_row: 0 emitted or done before (*done), 1 rejected, -1 state. */
static int
one_row(struct emit_run *r, struct tsv_reader *in, const struct cols *c,
    const char *name, int *done, struct diag *d)
{
	struct row w;
	struct sbuf docs = { 0 }, base = { 0 }, rel = { 0 }, body = { 0 };
	struct tset *t = NULL;
	struct sha256 h;
	const char *amount;
	char qb[160], sha[65], restated[256] = "";
	int rc = 0, is_letter, is_email, is_sms, is_list;
	int64_t action_id = 0;

	memset(&w, 0, sizeof w);
	*done = 0;
	w.file = name;
	w.line = tsv_line(in);
	w.debtor_ref = fld(in, c->debtor);
	w.debtor_name = fld(in, c->name);
	w.path = fld(in, c->path);
	w.step = fld(in, c->step);
	w.channel = fld(in, c->channel);
	w.template = fld(in, c->template);
	/* Text of the plan that reaches a list or a letter is one line of
	 * plain text, as a debtor's name is. */
	w.reason_plain = xstrdup(fld(in, c->reason));
	outbox_plain_text(w.reason_plain);
	w.reason = w.reason_plain;
	w.dpd = fld(in, c->dpd);
	w.win_start = fld(in, c->ws);
	w.win_end = fld(in, c->we);
	is_letter = strcmp(w.channel, "letter") == 0;
	is_email = strcmp(w.channel, "email") == 0;
	is_sms = strcmp(w.channel, "sms") == 0;
	is_list = strcmp(w.channel, "call") == 0 ||
	    strcmp(w.channel, "task") == 0;

	if (*w.debtor_ref == '\0') {
		rc = reject(r, &w, in, "field \"debtor_id\": empty");
		goto out;
	}
	if (*w.step == '\0') {
		rc = reject(r, &w, in, "field \"step\": empty");
		goto out;
	}
	if (!is_letter && !is_email && !is_sms && !is_list) {
		rc = reject(r, &w, in, "field \"channel\": %s is not letter, "
		    "email, sms, call or task", q(w.channel, qb, 80));
		goto out;
	}
	if (!is_list) {
		const char *lack = NULL;

		t = *w.template ? tset_get(r, w.template, 0) : NULL;
		if (*w.template == '\0' || (lack = tset_lacks(t, is_letter ?
		    CHASE_LETTER : is_email ? CHASE_EMAIL : CHASE_SMS, 0)) !=
		    NULL) {
			struct sbuf f = { 0 };

			named(lack ? lack : is_letter ? "NAME.txt and NAME.html"
			    : is_email ? "NAME.txt" : "NAME.sms", *w.template ?
			    w.template : "NAME", &f);
			rc = reject(r, &w, in, "field \"template\": %s: no "
			    "%s among the templates", q(w.template, qb, 80),
			    sbuf_str(&f));
			sbuf_free(&f);
			goto out;
		}
		if (strcmp(w.template, r->o->brand->pap_template) == 0 &&
		    !is_letter) {
			rc = reject(r, &w, in, "field \"channel\": the letter "
			    "of claim (%s) is sent by post: channel letter",
			    w.template);
			goto out;
		}
	}
	{
		const char *ccy = fld(in, c->currency);

		if (*ccy == '\0')
			ccy = r->o->client_currency;
		if (!money_is_currency(ccy)) {
			rc = reject(r, &w, in, "field \"currency\": %s is not "
			    "an ISO 4217 code", q(ccy, qb, 80));
			goto out;
		}
		snprintf(w.ccy, sizeof w.ccy, "%s", ccy);
		w.digits = money_minor_digits(ccy);
	}
	amount = fld(in, c->amount);
	if (*amount != '\0') {
		struct diag md;

		if (money_parse(amount, strlen(amount), w.digits, MONEY_POINT,
		    &w.amount_due, NULL, &md) != 0) {
			rc = reject(r, &w, in, "field \"amount_due\": %s",
			    md.msg);
			goto out;
		}
		if (w.amount_due < 0) {
			rc = reject(r, &w, in, "field \"amount_due\": %s is "
			    "negative: a demand is for what is owed",
			    q(amount, qb, 80));
			goto out;
		}
		w.has_amount = 1;
	}

	/* The debtor, from the state. */
	if (r->o->st == NULL) {
		rc = reject(r, &w, in, "no state to read the debtor from");
		goto out;
	}
	sqlite3_reset(r->q_debtor);
	sqlite3_bind_text(r->q_debtor, 1, w.debtor_ref, -1, SQLITE_STATIC);
	rc = sqlite3_step(r->q_debtor);
	if (rc == SQLITE_DONE) {
		sqlite3_reset(r->q_debtor);
		rc = reject(r, &w, in, "field \"debtor_id\": %s is not a "
		    "debtor of the state", q(w.debtor_ref, qb, 80));
		goto out;
	}
	if (rc != SQLITE_ROW) {
		rc = state_error(r->o->st, d, "debtor");
		goto out;
	}
	w.debtor_id = sqlite3_column_int64(r->q_debtor, 0);
	w.d_name = col_dup(r->q_debtor, 1);
	w.d_type = col_dup(r->q_debtor, 2);
	w.d_email = col_dup(r->q_debtor, 3);
	w.d_phone = col_dup(r->q_debtor, 4);
	w.d_address = col_dup(r->q_debtor, 5);
	w.d_country = col_dup(r->q_debtor, 6);
	sqlite3_reset(r->q_debtor);
	if (w.d_name == NULL || *w.d_name == '\0') {
		free(w.d_name);
		w.d_name = xstrdup(w.debtor_name);
	}
	if (w.d_type == NULL)
		w.d_type = xstrdup("business");
	/* A name is one line of plain text wherever it goes: a header, a
	 * call list, a letter's address block. */
	outbox_plain_text(w.d_name);

	/* Done before today? */
	sqlite3_reset(r->q_done);
	sqlite3_bind_int64(r->q_done, 1, w.debtor_id);
	sqlite3_bind_int(r->q_done, 2, r->o->as_of);
	sqlite3_bind_text(r->q_done, 3, w.step, -1, SQLITE_STATIC);
	sqlite3_bind_text(r->q_done, 4, w.channel, -1, SQLITE_STATIC);
	sqlite3_bind_text(r->q_done, 5, w.ccy, -1, SQLITE_STATIC);
	rc = sqlite3_step(r->q_done);
	sqlite3_reset(r->q_done);
	if (rc == SQLITE_ROW) {
		rc = same_day(r, &w, in, fld(in, c->doc_ids), d);
		*done = rc == 0;
		goto out;
	}
	if (rc != SQLITE_DONE) {
		rc = state_error(r->o->st, d, "action");
		goto out;
	}

	if ((rc = check_holds(r, &w, in, d)) != 0)
		goto out;
	if ((rc = check_rules(r, &w, in, d)) != 0)
		goto out;
	if (is_letter && (w.d_address == NULL ||
	    strspn(w.d_address, " \t\r\n,") == strlen(w.d_address))) {
		rc = reject(r, &w, in, "debtor %s has no postal address for "
		    "a letter", q(w.debtor_ref, qb, 80));
		goto out;
	}
	if ((rc = load_items(r, &w, in, fld(in, c->doc_ids), 0, d)) != 0)
		goto out;
	if (w.nitems == 0 && !is_list) {
		rc = reject(r, &w, in, "field \"doc_ids\": no documents to "
		    "chase");
		goto out;
	}
	/* The credits build-chasepath netted (net_credits) are listed and
	 * counted too, so the message states the amount the plan and the
	 * action record; those it only listed are not. */
	if ((rc = load_items(r, &w, in, fld(in, c->credits), 1, d)) != 0)
		goto out;
	/* Consumers are outside the Act and the Directive. */
	w.claims = interest_claims_step(r->o->rules, w.step) &&
	    strcmp(w.d_type, "consumer") != 0;
	if ((rc = item_interest(r, &w, in, d)) != 0) {
		if (rc == -2)
			rc = -1;
		goto out;
	}
	if ((rc = check_items(r, &w, in, d)) != 0)
		goto out;
	if ((rc = check_minimum(r, &w, in)) != 0)
		goto out;
	/* What is demanded is what the state says is owed on the row's
	 * documents today: a payment since the plan was made, or a
	 * reviewer who took documents off the row, changes it.  The plan's
	 * figure, when it differs, is told and not used. */
	if (w.has_amount && w.amount_due != w.total_open) {
		char pa[MONEY_BUFSZ], sa[MONEY_BUFSZ];

		snprintf(restated, sizeof restated, "field \"amount_due\": "
		    "%s, but %s is owed on %s today: the message states %s",
		    money_format(w.amount_due, w.digits, pa),
		    money_format(w.total_open, w.digits, sa), w.nitems == 1 ?
		    "its document" : "its documents", sa);
	}
	w.amount_due = w.total_open;
	for (size_t i = 0; i < w.nitems; i++)
		chase_docs_add(&docs, w.items[i].doc_id);
	build_fields(r, &w);

	sha256_init(&h);
	sbuf_addf(&rel, "%s/", r->day);
	file_base(r, &w, &base);
	if (is_list) {
		int call = strcmp(w.channel, "call") == 0;
		struct sbuf *lr = call ? &r->calls_rel : &r->tasks_rel;

		/* The list's name is chosen by its first row, before any
		 * action of this run names it. */
		if (lr->len == 0 && !r->o->dry_run &&
		    list_name(r, call ? "calls" : "tasks", lr, d) != 0)
			goto state_fail;
		if (lr->len == 0)
			sbuf_addf(lr, "%s/%s.csv", r->day, call ? "calls" :
			    "tasks");
		if ((rc = add_list_row(r, &w, in, sbuf_str(&docs))) != 0)
			goto out;
		sbuf_reset(&rel);
		sbuf_adds(&rel, sbuf_str(lr));
	} else if (is_letter) {
		struct sbuf txt = { 0 }, sub = { 0 };

		render(&w, t->txt, &txt);
		sbuf_adds(&body, split_subject(sbuf_str(&txt),
		    t->txt_subject, &sub));
		sbuf_free(&txt);
		sbuf_free(&sub);
		sbuf_addf(&rel, "letters/%s.txt", sbuf_str(&base));
		if (stage(r, sbuf_str(&rel), &body, &h, d) != 0)
			goto fs_fail;
		sbuf_reset(&body);
		render(&w, t->html, &body);
		sbuf_reset(&rel);
		sbuf_addf(&rel, "%s/letters/%s.html", r->day,
		    sbuf_str(&base));
		if (stage(r, sbuf_str(&rel), &body, &h, d) != 0)
			goto fs_fail;
	} else {
		if ((is_email ? build_email(r, &w, t, &body, in) :
		    build_sms(r, &w, t, &body, in)) != 0) {
			rc = 1;
			goto out;
		}
		sbuf_addf(&rel, "%s/%s.%s", is_email ? "email" : "sms",
		    sbuf_str(&base), is_email ? "eml" : "txt");
		if (stage(r, sbuf_str(&rel), &body, &h, d) != 0)
			goto fs_fail;
	}
	sha256_hex(&h, sha);
	if (!r->o->dry_run) {
		if (record(r, &w, sbuf_str(&docs), sbuf_str(&rel),
		    is_list ? NULL : sha, &action_id, d) != 0)
			goto state_fail;
		if (is_list) {
			int64_t **v = strcmp(w.channel, "call") == 0 ?
			    &r->call_actions : &r->task_actions;
			size_t n = strcmp(w.channel, "call") == 0 ?
			    r->ncalls : r->ntasks;

			*v = xreallocarray(*v, n, sizeof **v);
			(*v)[n - 1] = action_id;
		}
	}
	print_row(r, &w, sbuf_str(&rel), sbuf_str(&docs));
	/* Told once the row is sure to go with the state's figure. */
	if (restated[0] != '\0') {
		if (r->o->report)
			r->o->report(r->o->report_ctx, w.file, w.line,
			    restated);
		r->restated++;
	}
	rc = 0;
	goto out;
state_fail:
	rc = -1;
	goto out;
fs_fail:
	rc = -3;
out:
	row_free(&w);
	sbuf_free(&docs);
	sbuf_free(&base);
	sbuf_free(&rel);
	sbuf_free(&body);
	return rc;
}

int
emit_file(struct emit_run *r, FILE *fp, const char *name,
    struct emit_counts *c, struct diag *d)
{
	struct tsv_reader *in;
	struct cols k;
	int rc;

	if ((in = tsv_open(fp, name, d)) == NULL)
		return EMIT_EDATA;
	k.debtor = tsv_col(in, "debtor_id");
	k.name = tsv_col(in, "debtor_name");
	k.path = tsv_col(in, "path");
	k.step = tsv_col(in, "step");
	k.channel = tsv_col(in, "channel");
	k.template = tsv_col(in, "template");
	k.doc_ids = tsv_col(in, "doc_ids");
	k.currency = tsv_col(in, "currency");
	k.amount = tsv_col(in, "amount_due");
	k.dpd = tsv_col(in, "days_past_due");
	k.reason = tsv_col(in, "reason");
	k.ws = tsv_col(in, "call_window_start");
	k.we = tsv_col(in, "call_window_end");
	k.credits = tsv_col(in, "credit_doc_ids");
	k.planned = tsv_col(in, "planned");
	{
		const char *need[] = { "debtor_id", "step", "channel",
		    "doc_ids" };
		int have[] = { k.debtor, k.step, k.channel, k.doc_ids };

		for (size_t i = 0; i < 4; i++)
			if (have[i] < 0) {
				diag_set(d, "no \"%s\" column (a plan has "
				    "debtor_id, step, channel, template, "
				    "doc_ids, ...)", need[i]);
				d->line = 1;
				tsv_close(in);
				return EMIT_EDATA;
			}
	}
	r->rejects_header = 0;
	while ((rc = tsv_next(in, d)) != 0) {
		int done = 0, v;

		c->read++;
		if (rc < 0) {
			if (r->o->report)
				r->o->report(r->o->report_ctx, name, d->line,
				    d->msg);
			c->rejected++;
			continue;
		}
		/* build-chasepath --suppressed marks what it did not plan
		 * (planned 0): a reviewable row, never an action. */
		if (k.planned >= 0 &&
		    strcmp(tsv_field(in, (size_t)k.planned), "1") != 0) {
			c->not_planned++;
			continue;
		}
		v = one_row(r, in, &k, name, &done, d);
		if (v < 0) {
			tsv_close(in);
			return v == -3 ? EMIT_EFILE : EMIT_ESTATE;
		}
		c->restated += r->restated;
		r->restated = 0;
		if (v > 0)
			c->rejected++;
		else if (done)
			c->done_before++;
		else
			c->emitted++;
	}
	tsv_close(in);
	return 0;
}

static int
finish_list(struct emit_run *r, const struct sbuf *name, struct sbuf *body,
    size_t n, const int64_t *ids, struct diag *d)
{
	struct sbuf rel = { 0 };
	struct sha256 h;
	char sha[65];
	sqlite3_stmt *s;

	if (n == 0 || r->o->dry_run)
		return 0;
	sbuf_adds(&rel, sbuf_str(name));
	sha256_init(&h);
	if (stage(r, sbuf_str(&rel), body, &h, d) != 0) {
		sbuf_free(&rel);
		return -3;
	}
	sha256_hex(&h, sha);
	if ((s = state_prepare(r->o->st, "UPDATE action SET file = ?,"
	    " sha256 = ? WHERE id = ?", d)) == NULL) {
		sbuf_free(&rel);
		return -1;
	}
	for (size_t i = 0; i < n; i++) {
		sqlite3_reset(s);
		sqlite3_bind_text(s, 1, sbuf_str(&rel), -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 2, sha, -1, SQLITE_STATIC);
		sqlite3_bind_int64(s, 3, ids[i]);
		if (sqlite3_step(s) != SQLITE_DONE) {
			sqlite3_finalize(s);
			sbuf_free(&rel);
			return state_error(r->o->st, d, "action");
		}
	}
	sqlite3_finalize(s);
	sbuf_free(&rel);
	return 0;
}

int
emit_finish(struct emit_run *r, struct diag *d)
{
	int rc;

	if ((rc = finish_list(r, &r->calls_rel, &r->calls, r->ncalls,
	    r->call_actions, d)) != 0 || (rc = finish_list(r, &r->tasks_rel,
	    &r->tasks, r->ntasks, r->task_actions, d)) != 0)
		return rc == -3 ? EMIT_EFILE : EMIT_ESTATE;
	if (outbox_stage_commit(&r->stage, d) != 0)
		return EMIT_EFILE;
	return 0;
}

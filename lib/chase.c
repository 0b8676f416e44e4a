/*
 * chase: chase-path configuration and the day's plan.
 *
 * The plan is built per debtor and currency.  Each open debit item not
 * in query gets its own position on the debtor's path: the last step
 * whose day (due date + offset, shifted by the item's closed queries,
 * rolled to a business day) has come.  The debtor's level is the most
 * advanced position; what was already done comes from the actions that
 * covered its items.  The order of the checks is the order of the rules'
 * strength: a hold stops everything, then promises and plans, then the
 * amounts, then the steps, then the protocols of the day (gap, hours,
 * limits).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aging.h"
#include "chase.h"
#include "contact.h"
#include "date.h"
#include "hmap.h"
#include "money.h"
#include "promise.h"
#include "tsv.h"
#include "util.h"

static const char *const channel_names[CHASE_NCHANNELS] = {
	"email", "letter", "sms", "call", "task"
};

static const char *const escalations[] = {
	"account_manager", "stop_supply", "letter_before_action", "agency",
	"solicitor", NULL
};

static const char *const debtor_types[] = {
	"business", "sole_trader", "consumer", NULL
};

const char *
chase_channel_name(enum chase_channel c)
{
	return (unsigned)c < CHASE_NCHANNELS ? channel_names[c] : "?";
}

static int
channel_code(const char *s)
{
	for (int i = 0; i < CHASE_NCHANNELS; i++)
		if (s != NULL && strcmp(s, channel_names[i]) == 0)
			return i;
	return -1;
}

/* Configuration */

static int
fail(struct diag *d, long line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int
fail(struct diag *d, long line, const char *fmt, ...)
{
	char buf[sizeof d->msg];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	diag_set(d, "%s", buf);
	d->line = line;
	return -1;
}

static const char *
q(const char *s, char *buf, size_t n)
{
	return util_quote(s, strlen(s), buf, n);
}

static int
name_ok(const char *s)
{
	size_t n = 0;

	for (; s[n]; n++)
		if (!((s[n] >= 'A' && s[n] <= 'Z') ||
		    (s[n] >= 'a' && s[n] <= 'z') ||
		    (s[n] >= '0' && s[n] <= '9') || s[n] == '_' ||
		    s[n] == '-'))
			return 0;
	return n > 0 && n <= 64;
}

/* amount: a non-negative decimal with at most 2 places, in hundredths. */
static int
get_amount(const struct cfg_node *map, const char *what, const char *key,
    int64_t *out, struct diag *d)
{
	const struct cfg_node *n = cfg_get(map, key);
	struct diag e;
	char buf[80];

	if (cfg_is_null(n))
		return 0;
	diag_clear(&e);
	if (n->kind != CFG_SCALAR || money_parse(n->value, strlen(n->value),
	    2, MONEY_POINT, out, NULL, &e) != 0)
		return fail(d, n->line, "%s.%s: %s is not an amount (write "
		    "50 or 50.00)", what, key, n->kind == CFG_SCALAR ?
		    q(n->value, buf, sizeof buf) : "a list or map");
	if (*out < 0)
		return fail(d, n->line, "%s.%s: %s is negative (an amount of "
		    "0 or more is needed)", what, key, q(n->value, buf,
		    sizeof buf));
	return 1;
}

static int
choose(const struct cfg_node *map, const char *what, const char *key,
    const char *const *names, int *out, struct diag *d)
{
	const struct cfg_node *n = cfg_get(map, key);
	struct sbuf known = { 0 };
	char buf[80];

	if (cfg_is_null(n))
		return 0;
	if (n->kind == CFG_SCALAR)
		for (int i = 0; names[i]; i++)
			if (strcmp(n->value, names[i]) == 0) {
				*out = i;
				return 1;
			}
	for (int i = 0; names[i]; i++)
		sbuf_addf(&known, "%s%s", i ? ", " : "", names[i]);
	fail(d, n->line, "%s.%s: %s is not one of %s", what, key,
	    n->kind == CFG_SCALAR ? q(n->value, buf, sizeof buf) :
	    "a list or map", sbuf_str(&known));
	sbuf_free(&known);
	return -1;
}

static int
load_channels(const struct cfg_node *n, const char *what, unsigned *bits,
    struct diag *d)
{
	char buf[80];

	*bits = 0;
	if (cfg_is_null(n))
		return fail(d, 0, "%s: missing (one of email, letter, sms, "
		    "call, task, or a list of them)", what);
	if (n->kind == CFG_SCALAR) {
		int c = channel_code(n->value);

		if (c < 0)
			return fail(d, n->line, "%s: %s is not a channel "
			    "(email, letter, sms, call, task)", what,
			    q(n->value, buf, sizeof buf));
		*bits = 1u << c;
		return 0;
	}
	if (n->kind != CFG_SEQ || n->n == 0)
		return fail(d, n->line, "%s: must be a channel or a list of "
		    "channels", what);
	for (size_t i = 0; i < n->n; i++) {
		const struct cfg_node *v = n->items[i];
		int c = v->kind == CFG_SCALAR ? channel_code(v->value) : -1;

		if (c < 0)
			return fail(d, v->line, "%s: %s is not a channel "
			    "(email, letter, sms, call, task)", what,
			    v->kind == CFG_SCALAR && v->value ? q(v->value,
			    buf, sizeof buf) : "a list or map");
		if (*bits & (1u << c))
			return fail(d, v->line, "%s: %s twice", what,
			    channel_names[c]);
		*bits |= 1u << c;
	}
	return 0;
}

static int
load_step(const struct cfg_node *n, const char *what, struct chase_step *s,
    struct diag *d)
{
	static const char *const keys[] = {
		"step", "offset", "from", "channel", "template", "tone",
		"min_amount", "escalation", "required", NULL
	};
	static const char *const froms[] = { "due", "previous", NULL };
	const char *str;
	long long v;
	int i, r;
	char w[256];

	if (n->kind != CFG_MAP)
		return fail(d, n->line, "%s: a step must be a map (step, "
		    "offset, channel, template, ...)", what);
	if (cfg_check_keys(n, keys, what, d) != 0)
		return -1;
	s->line = n->line;
	if ((r = cfg_get_str(n, what, "step", &str, d)) < 0)
		return -1;
	if (r == 0)
		return fail(d, n->line, "%s.step: missing (the step's name, "
		    "such as S1)", what);
	if (!name_ok(str))
		return fail(d, cfg_get(n, "step")->line, "%s.step: \"%s\" "
		    "is not a name (letters, digits, _ and -)", what, str);
	s->name = xstrdup(str);
	if ((r = cfg_get_int(n, what, "offset", -3650, 3650, &v, d)) < 0)
		return -1;
	if (r == 0)
		return fail(d, n->line, "%s.offset: missing (days from the "
		    "due date, negative before it)", what);
	s->offset = (int)v;
	if ((r = choose(n, what, "from", froms, &i, d)) < 0)
		return -1;
	s->from_previous = r == 1 && i == 1;
	snprintf(w, sizeof w, "%s.channel", what);
	if (load_channels(cfg_get(n, "channel"), w, &s->channels, d) != 0) {
		if (d->line == 0)
			d->line = n->line;
		return -1;
	}
	if (cfg_get_str(n, what, "template", &str, d) < 0)
		return -1;
	s->template = xstrdup(cfg_get(n, "template") && str ? str :
	    s->name);
	str = NULL;
	if (cfg_get_str(n, what, "tone", &str, d) < 0)
		return -1;
	s->tone = str ? xstrdup(str) : NULL;
	if (get_amount(n, what, "min_amount", &s->min_amount, d) < 0)
		return -1;
	if ((r = choose(n, what, "escalation", escalations, &i, d)) < 0)
		return -1;
	s->escalation = r ? escalations[i] : NULL;
	/* Escalations are the levels a debtor must not miss by accident
	 * (a letter before action before the hand-over). */
	s->required = s->escalation != NULL;
	if (cfg_get_bool(n, what, "required", &s->required, d) < 0)
		return -1;
	return 0;
}

static int
step_index(const struct chase_path *p, const char *name)
{
	for (size_t i = 0; i < p->nsteps; i++)
		if (strcmp(p->steps[i].name, name) == 0)
			return (int)i;
	return -1;
}

static int
path_jump(const struct cfg_node *map, const char *what, const char *key,
    const struct chase_path *p, int *out, struct diag *d)
{
	const struct cfg_node *n = cfg_get(map, key);
	char buf[80];

	*out = -1;
	if (cfg_is_null(n))
		return 0;
	if (n->kind == CFG_SCALAR && strcmp(n->value, "next_escalation") == 0)
		return 0;
	if (n->kind != CFG_SCALAR || (*out = step_index(p, n->value)) < 0)
		return fail(d, n->line, "%s.%s: %s is not a step of this path "
		    "(or next_escalation)", what, key, n->kind == CFG_SCALAR ?
		    q(n->value, buf, sizeof buf) : "a list or map");
	return 0;
}

static int
load_path(const struct cfg_node *n, const char *name, long line,
    struct chase_path *p, struct diag *d)
{
	static const char *const keys[] = {
		"steps", "broken_promise", "broken_plan", NULL
	};
	const struct cfg_node *steps;
	char what[96], sw[128];

	snprintf(what, sizeof what, "paths.%s", name);
	p->name = xstrdup(name);
	if (!name_ok(name))
		return fail(d, line, "paths: \"%s\" is not a path name "
		    "(letters, digits, _ and -)", name);
	if (cfg_is_null(n) || n->kind != CFG_MAP)
		return fail(d, cfg_is_null(n) ? line : n->line, "%s: must "
		    "be a map with steps:", what);
	if (cfg_check_keys(n, keys, what, d) != 0)
		return -1;
	steps = cfg_get(n, "steps");
	if (cfg_is_null(steps) || steps->kind != CFG_SEQ || steps->n == 0)
		return fail(d, steps ? steps->line : n->line, "%s.steps: "
		    "must be a list of one step or more", what);
	p->steps = xcalloc(steps->n, sizeof *p->steps);
	for (size_t i = 0; i < steps->n; i++) {
		struct chase_step *s = &p->steps[i];

		p->nsteps = i + 1;
		snprintf(sw, sizeof sw, "%s.steps[%zu]", what, i + 1);
		if (load_step(steps->items[i], sw, s, d) != 0)
			return -1;
		if (step_index(p, s->name) != (int)i)
			return fail(d, s->line, "%s.step: \"%s\" twice in "
			    "the path", sw, s->name);
		if (s->from_previous && i == 0)
			return fail(d, s->line, "%s.from: the first step has "
			    "no previous step", sw);
		if (s->from_previous && s->offset < 0)
			return fail(d, s->line, "%s.offset: %d days before "
			    "the previous step (steps are in order)", sw,
			    s->offset);
		s->due_offset = s->from_previous ?
		    p->steps[i - 1].due_offset + s->offset : s->offset;
		if (i > 0 && s->due_offset < p->steps[i - 1].due_offset)
			return fail(d, s->line, "%s.offset: %d comes before "
			    "step %s (%d); list the steps in order", sw,
			    s->due_offset, p->steps[i - 1].name,
			    p->steps[i - 1].due_offset);
	}
	if (path_jump(n, what, "broken_promise", p, &p->broken_promise, d) ||
	    path_jump(n, what, "broken_plan", p, &p->broken_plan, d))
		return -1;
	return 0;
}

/* The default path of DOMAIN.md section 4.1. */
static const struct {
	const char *name;
	int offset;
	unsigned channels;
	const char *tone, *escalation;
} default_steps[] = {
	{ "S0", -5, 1u << CHASE_EMAIL, "courtesy", NULL },
	{ "S1", 0, 1u << CHASE_EMAIL, "reminder", NULL },
	{ "S2", 7, 1u << CHASE_EMAIL | 1u << CHASE_CALL, "polite", NULL },
	{ "S3", 14, 1u << CHASE_LETTER, "firm", NULL },
	{ "S4", 21, 1u << CHASE_CALL, "firm", NULL },
	{ "S5", 30, 1u << CHASE_LETTER, "final", "letter_before_action" },
	{ "S6", 45, 1u << CHASE_TASK, "escalate", "agency" },
};

static void
default_path(struct chase_config *c)
{
	size_t n = sizeof default_steps / sizeof default_steps[0];
	struct chase_path *p;

	c->paths = xcalloc(1, sizeof *c->paths);
	c->npaths = 1;
	p = &c->paths[0];
	p->name = xstrdup("default");
	p->steps = xcalloc(n, sizeof *p->steps);
	p->nsteps = n;
	p->broken_promise = p->broken_plan = -1;
	for (size_t i = 0; i < n; i++) {
		struct chase_step *s = &p->steps[i];

		s->name = xstrdup(default_steps[i].name);
		s->offset = s->due_offset = default_steps[i].offset;
		s->channels = default_steps[i].channels;
		s->template = xstrdup(s->name);
		s->tone = xstrdup(default_steps[i].tone);
		s->escalation = default_steps[i].escalation;
		s->required = s->escalation != NULL;
	}
}

int
chase_path_find(const struct chase_config *c, const char *name)
{
	for (size_t i = 0; i < c->npaths; i++)
		if (strcmp(c->paths[i].name, name) == 0)
			return (int)i;
	return -1;
}

static int
load_rules(const struct cfg_node *n, struct chase_config *c, struct diag *d)
{
	static const char *const keys[] = {
		"segment", "type", "score_band", "path", NULL
	};
	char what[64], buf[80];

	if (cfg_is_null(n))
		return 0;
	if (n->kind != CFG_SEQ)
		return fail(d, n->line, "chase.select: must be a list of "
		    "rules ({segment, type, score_band, path})");
	c->rules = xcalloc(n->n ? n->n : 1, sizeof *c->rules);
	for (size_t i = 0; i < n->n; i++) {
		const struct cfg_node *m = n->items[i], *pn;
		struct chase_rule *r = &c->rules[i];
		const char *s;
		int k, got;

		c->nrules = i + 1;
		snprintf(what, sizeof what, "chase.select[%zu]", i + 1);
		if (m->kind != CFG_MAP)
			return fail(d, m->line, "%s: must be a map", what);
		if (cfg_check_keys(m, keys, what, d) != 0)
			return -1;
		r->line = m->line;
		s = NULL;
		if ((got = cfg_get_str(m, what, "segment", &s, d)) < 0)
			return -1;
		r->segment = got ? xstrdup(s) : NULL;
		if ((got = choose(m, what, "type", debtor_types, &k, d)) < 0)
			return -1;
		r->type = got ? debtor_types[k] : NULL;
		if ((got = cfg_get_str(m, what, "score_band", &s, d)) < 0)
			return -1;
		r->score_band = got ? xstrdup(s) : NULL;
		pn = cfg_get(m, "path");
		if (cfg_is_null(pn) || pn->kind != CFG_SCALAR)
			return fail(d, pn ? pn->line : m->line, "%s.path: "
			    "missing (the name of a path under paths:)", what);
		if ((k = chase_path_find(c, pn->value)) < 0)
			return fail(d, pn->line, "%s.path: no path %s under "
			    "paths:", what, q(pn->value, buf, sizeof buf));
		r->path = (size_t)k;
	}
	return 0;
}

static int
load_hours(const struct cfg_node *n, struct chase_config *c, struct diag *d)
{
	static const char *const who_keys[] = { "business", "consumer",
	    NULL };
	static const char *const keys[] = { "days", "from", "to",
	    "holidays", NULL };
	char what[96];

	if (cfg_is_null(n))
		return 0;
	if (n->kind != CFG_MAP)
		return fail(d, n->line, "chase.hours: must be a map of "
		    "channels");
	for (size_t i = 0; i < n->n; i++) {
		int ch = channel_code(n->keys[i]);
		const struct cfg_node *m = n->items[i];

		if (ch < 0)
			return fail(d, n->key_lines[i], "chase.hours: \"%s\" "
			    "is not a channel (email, letter, sms, call, "
			    "task)", n->keys[i]);
		snprintf(what, sizeof what, "chase.hours.%s", n->keys[i]);
		if (cfg_is_null(m)) {
			c->has_hours[ch] = 0;	/* null: any time */
			continue;
		}
		if (m->kind != CFG_MAP)
			return fail(d, m->line, "%s: must be a map (business, "
			    "consumer)", what);
		if (cfg_check_keys(m, who_keys, what, d) != 0)
			return -1;
		if (!c->has_hours[ch])
			memset(c->hours[ch], 0, sizeof c->hours[ch]);
		for (int w = 0; w < 2; w++) {
			const struct cfg_node *h = cfg_get(m, who_keys[w]);
			struct cal_hours *o = &c->hours[ch][w];
			const struct cfg_node *t;
			char hw[128];

			if (cfg_is_null(h))
				continue;
			snprintf(hw, sizeof hw, "%s.%s", what, who_keys[w]);
			if (h->kind != CFG_MAP)
				return fail(d, h->line, "%s: must be a map "
				    "(days, from, to, holidays)", hw);
			if (cfg_check_keys(h, keys, hw, d) != 0)
				return -1;
			{
				char dw[256];

				snprintf(dw, sizeof dw, "%s.days", hw);
				if (calendar_parse_days(cfg_get(h, "days"),
				    dw, &o->days, d) < 0)
					return -1;
			}
			if ((t = cfg_get(h, "from")) != NULL &&
			    !cfg_is_null(t) && (t->kind != CFG_SCALAR ||
			    (o->from = calendar_parse_hm(t->value)) < 0))
				return fail(d, t->line, "%s.from: not a time "
				    "(write \"09:00\")", hw);
			if ((t = cfg_get(h, "to")) != NULL &&
			    !cfg_is_null(t) && (t->kind != CFG_SCALAR ||
			    (o->to = calendar_parse_hm(t->value)) < 0))
				return fail(d, t->line, "%s.to: not a time "
				    "(write \"17:30\")", hw);
			if (o->days == 0)
				return fail(d, h->line, "%s.days: missing "
				    "(write \"mon-fri\")", hw);
			if (o->to <= o->from)
				return fail(d, h->line, "%s: to must be after "
				    "from", hw);
			if (cfg_get_bool(h, hw, "holidays", &o->holidays,
			    d) < 0)
				return -1;
		}
		/* A channel given hours for one kind of debtor only has
		 * the same hours for the other. */
		if (c->hours[ch][0].days == 0)
			c->hours[ch][0] = c->hours[ch][1];
		if (c->hours[ch][1].days == 0)
			c->hours[ch][1] = c->hours[ch][0];
		c->has_hours[ch] = 1;
	}
	return 0;
}

static int
load_limits(const struct cfg_node *n, struct chase_config *c, struct diag *d)
{
	if (cfg_is_null(n))
		return 0;
	if (n->kind != CFG_MAP)
		return fail(d, n->line, "chase.limits: must be a map of "
		    "channels to a number per run");
	for (size_t i = 0; i < n->n; i++) {
		int ch = channel_code(n->keys[i]);
		long long v;

		if (ch < 0)
			return fail(d, n->key_lines[i], "chase.limits: \"%s\" "
			    "is not a channel (email, letter, sms, call, "
			    "task)", n->keys[i]);
		if (cfg_get_int(n, "chase.limits", n->keys[i], 0, 1000000000,
		    &v, d) < 0)
			return -1;
		c->limit[ch] = (long)v;
	}
	return 0;
}

/* claim_step: whether step s hands the debt on towards a claim (an
 * agency, a solicitor). */
static int
claim_step(const struct chase_step *s)
{
	return s->escalation != NULL && (strcmp(s->escalation, "agency") ==
	    0 || strcmp(s->escalation, "solicitor") == 0);
}

/*
 * claim_minimums: a step handing the debt to an agency or a solicitor is
 * for no smaller a balance than the letter before action before it: a
 * debt the client thinks too small for that letter would otherwise be
 * handed over without one (a consumer's claim with no letter of claim,
 * DOMAIN.md 3.3).
 */
static void
claim_minimums(struct chase_config *c)
{
	for (size_t i = 0; i < c->npaths; i++) {
		struct chase_path *p = &c->paths[i];
		int64_t lba = 0;

		for (size_t k = 0; k < p->nsteps; k++) {
			struct chase_step *s = &p->steps[k];

			if (s->escalation != NULL && strcmp(s->escalation,
			    "letter_before_action") == 0 && s->min_amount > lba)
				lba = s->min_amount;
			if (claim_step(s) && s->min_amount < lba)
				s->min_amount = lba;
		}
	}
}

/* chase.plan_missed: {channel, template, days}, each optional. */
static int
load_plan_missed(const struct cfg_node *n, struct chase_step *s,
    struct diag *d)
{
	static const char *const keys[] = {
		"channel", "template", "days", NULL
	};
	const char *what = "chase.plan_missed", *str = NULL;
	long long v;
	int r;

	if (cfg_is_null(n))
		return 0;
	if (n->kind != CFG_MAP)
		return fail(d, n->line, "%s: must be a map ({channel, "
		    "template, days})", what);
	if (cfg_check_keys(n, keys, what, d) != 0)
		return -1;
	s->line = n->line;
	if (cfg_get(n, "channel") != NULL && load_channels(cfg_get(n,
	    "channel"), "chase.plan_missed.channel", &s->channels, d) != 0) {
		if (d->line == 0)
			d->line = n->line;
		return -1;
	}
	if ((r = cfg_get_str(n, what, "template", &str, d)) < 0)
		return -1;
	if (r == 1 && str != NULL) {
		free(s->template);
		s->template = xstrdup(str);
	}
	/* DOMAIN.md 4.1: contact within 1-2 days of the miss. */
	if ((r = cfg_get_int(n, what, "days", 1, 2, &v, d)) < 0)
		return -1;
	if (r == 1)
		s->offset = s->due_offset = (int)v;
	return 0;
}

static void
config_init(struct chase_config *c)
{
	memset(c, 0, sizeof *c);
	calendar_init(&c->cal);
	c->time_zone = xstrdup("UTC");
	c->deadline_days = 7;
	c->pap_days = 30;
	c->plan_missed.name = xstrdup(CHASE_PLAN_MISSED);
	c->plan_missed.template = xstrdup(CHASE_PLAN_MISSED);
	c->plan_missed.tone = xstrdup("reminder");
	c->plan_missed.channels = 1u << CHASE_EMAIL;
	c->plan_missed.offset = c->plan_missed.due_offset = 1;
	for (int i = 0; i < CHASE_NCHANNELS; i++)
		c->limit[i] = -1;
	/* DOMAIN.md 4.2: calls to businesses Mon-Fri 09:00-17:30, to
	 * consumers Mon-Sat 08:00-20:00, never on a bank holiday. */
	c->has_hours[CHASE_CALL] = 1;
	c->hours[CHASE_CALL][0] = (struct cal_hours){ CAL_WEEKDAYS, 9 * 60,
	    17 * 60 + 30, 0 };
	c->hours[CHASE_CALL][1] = (struct cal_hours){ CAL_WEEKDAYS | CAL_SAT,
	    8 * 60, 20 * 60, 0 };
}

int
chase_config_load(const struct cfg_node *root, struct chase_config *c,
    struct diag *d)
{
	static const char *const keys[] = {
		"default_path", "select", "time_zone", "calendar",
		"min_days_between_contacts", "min_balance", "missed_steps",
		"net_credits", "net_unapplied", "limits", "hours",
		"plan_missed", NULL
	};
	static const char *const missed[] = { "latest", "all", NULL };
	const struct cfg_node *paths = cfg_get(root, "paths");
	const struct cfg_node *ch = cfg_get(root, "chase");
	const char *s;
	long long v;
	int k, r;
	char buf[80];

	config_init(c);
	if (!cfg_is_null(paths)) {
		if (paths->kind != CFG_MAP || paths->n == 0)
			return fail(d, paths->line, "paths: must be a map of "
			    "named paths");
		c->paths = xcalloc(paths->n, sizeof *c->paths);
		for (size_t i = 0; i < paths->n; i++) {
			c->npaths = i + 1;
			if (load_path(paths->items[i], paths->keys[i],
			    paths->key_lines[i], &c->paths[i], d) != 0)
				return -1;
		}
	} else {
		default_path(c);
	}
	claim_minimums(c);
	/* emit-letters' section: the deadline its letter before action
	 * gives, which no claim may come before. */
	{
		const struct cfg_node *br = cfg_get(root, "branding");

		if (!cfg_is_null(br) && br->kind == CFG_MAP) {
			if ((r = cfg_get_int(br, "branding", "deadline_days",
			    0, 365, &v, d)) < 0)
				return -1;
			if (r == 1)
				c->deadline_days = (int)v;
			if ((r = cfg_get_int(br, "branding", "pap_days", 30,
			    365, &v, d)) < 0)
				return -1;
			if (r == 1)
				c->pap_days = (int)v;
		}
	}
	if (cfg_is_null(ch))
		return 0;
	if (ch->kind != CFG_MAP)
		return fail(d, ch->line, "chase: must be a map");
	if (cfg_check_keys(ch, keys, "chase", d) != 0)
		return -1;
	if ((r = cfg_get_str(ch, "chase", "default_path", &s, d)) < 0)
		return -1;
	if (r == 1) {
		if ((k = chase_path_find(c, s)) < 0)
			return fail(d, cfg_get(ch, "default_path")->line,
			    "chase.default_path: no path %s under paths:",
			    q(s, buf, sizeof buf));
		c->default_path = (size_t)k;
	} else if (c->npaths > 1 && (k = chase_path_find(c, "default")) >= 0) {
		c->default_path = (size_t)k;
	}
	if (load_rules(cfg_get(ch, "select"), c, d) != 0)
		return -1;
	if ((r = cfg_get_str(ch, "chase", "time_zone", &s, d)) < 0)
		return -1;
	if (r == 1) {
		if (!calendar_zone_valid(s))
			return fail(d, cfg_get(ch, "time_zone")->line,
			    "chase.time_zone: %s is not a time zone this "
			    "system knows (use an IANA name such as "
			    "Europe/London)", q(s, buf, sizeof buf));
		free(c->time_zone);
		c->time_zone = xstrdup(s);
	}
	if (calendar_load(cfg_get(ch, "calendar"), "chase.calendar", &c->cal,
	    d) != 0)
		return -1;
	if ((r = cfg_get_int(ch, "chase", "min_days_between_contacts", 0, 365,
	    &v, d)) < 0)
		return -1;
	if (r == 1)
		c->min_gap = (int)v;
	if (get_amount(ch, "chase", "min_balance", &c->min_balance, d) < 0)
		return -1;
	if ((r = choose(ch, "chase", "missed_steps", missed, &k, d)) < 0)
		return -1;
	if (r == 1)
		c->missed = k == 1 ? CHASE_MISSED_ALL : CHASE_MISSED_LATEST;
	if (cfg_get_bool(ch, "chase", "net_credits", &c->net_credits, d) < 0 ||
	    cfg_get_bool(ch, "chase", "net_unapplied", &c->net_unapplied,
	    d) < 0)
		return -1;
	if (load_limits(cfg_get(ch, "limits"), c, d) != 0 ||
	    load_hours(cfg_get(ch, "hours"), c, d) != 0 ||
	    load_plan_missed(cfg_get(ch, "plan_missed"), &c->plan_missed, d))
		return -1;
	return 0;
}

void
chase_config_free(struct chase_config *c)
{
	for (size_t i = 0; i < c->npaths; i++) {
		struct chase_path *p = &c->paths[i];

		for (size_t k = 0; k < p->nsteps; k++) {
			free(p->steps[k].name);
			free(p->steps[k].template);
			free(p->steps[k].tone);
		}
		free(p->steps);
		free(p->name);
	}
	free(c->paths);
	for (size_t i = 0; i < c->nrules; i++) {
		free(c->rules[i].segment);
		free(c->rules[i].score_band);
	}
	free(c->rules);
	free(c->plan_missed.name);
	free(c->plan_missed.template);
	free(c->plan_missed.tone);
	free(c->time_zone);
	calendar_free(&c->cal);
	memset(c, 0, sizeof *c);
}

int32_t
chase_item_step(const struct chase_config *c, const struct chase_path *p,
    size_t k, int32_t due, const int32_t *opened, const int32_t *closed,
    size_t n)
{
	int32_t nominal = due + p->steps[k].due_offset, shift = 0;
	int32_t end = INT32_MIN;	/* the last counted pause's close */
	size_t *ord = n ? xreallocarray(NULL, n, sizeof *ord) : NULL;

	/* The pauses in the order they began (insertion sort: an item has
	 * a query or two, not thousands).  A pause counts when it began on
	 * or before the day the step would have fallen on by then. */
	for (size_t i = 0; i < n; i++) {
		size_t j = i;

		for (; j > 0 && opened[ord[j - 1]] > opened[i]; j--)
			ord[j] = ord[j - 1];
		ord[j] = i;
	}
	/* Overlapping queries (a price and a delivery dispute of one
	 * invoice) pause it once: a day in two of them is one day paused,
	 * so each adds only what runs past the ones before it. */
	for (size_t i = 0; i < n; i++) {
		size_t j = ord[i];
		int32_t from = opened[j] > end ? opened[j] : end;

		if (closed[j] > from &&
		    calendar_roll(&c->cal, nominal + shift) >= opened[j]) {
			shift += closed[j] - from;
			end = closed[j];
		}
	}
	free(ord);
	return calendar_roll(&c->cal, nominal + shift);
}

/* The run */

enum item_kind {
	IT_DEBIT,
	IT_CREDIT,		/* a credit note, an overpaid item */
	IT_UNAPPLIED		/* cash on account */
};

struct citem {
	char *doc_id;
	char ccy[4];
	int32_t due;
	int64_t open;
	enum item_kind kind;
	int in_query;
	size_t debtor;
	/* per group, filled while planning */
	int pos;		/* the item's step now, -1 none */
};

struct cdebtor {
	char *ref, *name, *score_band, *score;
};

struct crow {
	size_t debtor;
	char ccy[4];
	const struct chase_path *path;
	int step;		/* index, -1 none */
	const struct chase_step *xstep;	/* a step of no path (step -1):
					   chase.plan_missed */
	int channel;		/* -1 none */
	char *doc_ids;
	int64_t amount;
	int has_amount;
	int32_t dpd;
	int has_dpd;
	const char *reason;
	char *detail;		/* hold kind etc., owned; may be NULL */
	char win_start[CAL_TIMESZ], win_end[CAL_TIMESZ];
	int32_t step_date;	/* INT32_MIN none */
	char *credit_ids;
	int64_t credit_amount;
	int has_credits;
	char *skipped;
	int planned;
};

#define CHASE_NSTMTS 9

/* A closed query's pause of one item. */
struct cpause {
	char *doc;
	int32_t opened, closed;
};

struct chase_run {
	const struct chase_config *c;
	struct chase_opts o;
	struct state *st;
	struct hmap *byref;
	struct cdebtor *debtors;
	size_t ndebtors, capdebtors;
	struct citem *items;
	size_t nitems, capitems;
	struct crow *rows;
	size_t nrows, caprows;
	struct cpause *pauses;
	size_t npauses;
	sqlite3_stmt *stmts[CHASE_NSTMTS];	/* per debtor, prepared once */
	int has_band, has_score;
	int from_state;		/* the stream is the state's own replay */
	/* Each document's first stream row (file index << 32 | line), so
	 * that a document listed twice is not chased for twice its debt;
	 * the streams' names for the message. */
	struct hmap *seen;
	char **streams;
	size_t nstreams;
	/* The state's own open amount of each document on the day (the
	 * replay's), keyed as seen is: a stream is checked against it; and
	 * the documents in query on the day (value 1). */
	struct hmap *asof;
	struct sbuf vis;	/* write_row's name, reused */
	long problems;
};

struct chase_run *
chase_new(const struct chase_config *c, const struct chase_opts *o,
    struct state *st)
{
	struct chase_run *r = xcalloc(1, sizeof *r);

	r->c = c;
	r->o = *o;
	r->st = st;
	r->byref = hmap_new();
	return r;
}

static void
row_free(struct crow *w)
{
	free(w->doc_ids);
	free(w->detail);
	free(w->credit_ids);
	free(w->skipped);
}

void
chase_free(struct chase_run *r)
{
	if (r == NULL)
		return;
	for (size_t i = 0; i < r->ndebtors; i++) {
		free(r->debtors[i].ref);
		free(r->debtors[i].name);
		free(r->debtors[i].score_band);
		free(r->debtors[i].score);
	}
	for (size_t i = 0; i < r->nitems; i++)
		free(r->items[i].doc_id);
	for (size_t i = 0; i < r->nrows; i++)
		row_free(&r->rows[i]);
	free(r->debtors);
	free(r->items);
	free(r->rows);
	for (size_t i = 0; i < r->npauses; i++)
		free(r->pauses[i].doc);
	for (size_t i = 0; i < CHASE_NSTMTS; i++)
		sqlite3_finalize(r->stmts[i]);
	free(r->pauses);
	hmap_free(r->byref);
	hmap_free(r->seen);
	hmap_free(r->asof);
	for (size_t i = 0; i < r->nstreams; i++)
		free(r->streams[i]);
	free(r->streams);
	sbuf_free(&r->vis);
	free(r);
}

static void
problem(struct chase_run *r, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void
problem(struct chase_run *r, const char *fmt, ...)
{
	char buf[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	r->problems++;
	if (r->o.report)
		r->o.report(r->o.report_ctx, NULL, 0, buf);
}

static size_t
debtor_of(struct chase_run *r, const char *ref, const char *name)
{
	int created;
	int64_t *v = hmap_put(r->byref, ref, strlen(ref), &created);

	if (!created)
		return (size_t)*v;
	if (r->ndebtors == r->capdebtors) {
		r->capdebtors = r->capdebtors ? r->capdebtors * 2 : 64;
		r->debtors = xreallocarray(r->debtors, r->capdebtors,
		    sizeof *r->debtors);
	}
	memset(&r->debtors[r->ndebtors], 0, sizeof *r->debtors);
	r->debtors[r->ndebtors].ref = xstrdup(ref);
	r->debtors[r->ndebtors].name = xstrdup(name ? name : "");
	*v = (int64_t)r->ndebtors;
	return r->ndebtors++;
}

static sqlite3_stmt *cached(struct chase_run *r, int k, const char *sql,
    struct diag *d);

/* check_item: a stream row against the state: its document must be an
 * item (or a bank receipt) of the state, of the debtor and in the
 * currency the row names, or the plan would chase someone else, or no
 * one, for it.  0 ok, 1 rejected (d set), -1 state error (d set). */
static int
check_item(struct chase_run *r, const char *debtor, const char *doc,
    const char *ccy, struct diag *d)
{
	static const char sql[] = "SELECT d.ref, i.currency FROM item i"
	    " JOIN debtor d ON d.id = i.debtor_id WHERE i.doc_id = ?1"
	    " UNION ALL SELECT d.ref, p.currency FROM payment p"
	    " JOIN debtor d ON d.id = p.debtor_id WHERE p.entry_key = ?1"
	    " LIMIT 1";
	sqlite3_stmt *s;
	char b1[80], b2[80], b3[80];
	int rc, res = 0;

	if (r->st == NULL || r->from_state)
		return 0;
	if ((s = cached(r, 8, sql, d)) == NULL)
		return -1;
	sqlite3_bind_text(s, 1, doc, -1, SQLITE_STATIC);
	if ((rc = sqlite3_step(s)) == SQLITE_DONE) {
		diag_set(d, "field \"doc_id\": %s is not a document of the "
		    "state", q(doc, b1, sizeof b1));
		res = 1;
	} else if (rc != SQLITE_ROW) {
		res = state_error(r->st, d, "reading an item");
	} else {
		const char *ref = (const char *)sqlite3_column_text(s, 0);
		const char *cur = (const char *)sqlite3_column_text(s, 1);

		if (strcmp(ref, debtor) != 0) {
			diag_set(d, "field \"debtor_id\": %s is not the debtor "
			    "of %s (the state has %s)", q(debtor, b1,
			    sizeof b1), q(doc, b2, sizeof b2), q(ref, b3,
			    sizeof b3));
			res = 1;
		} else if (strcmp(cur, ccy) != 0) {
			diag_set(d, "field \"currency\": %s is not the "
			    "currency of %s (the state has %s)", q(ccy, b1,
			    sizeof b1), q(doc, b2, sizeof b2), q(cur, b3,
			    sizeof b3));
			res = 1;
		}
	}
	sqlite3_reset(s);
	return res;
}

static int
col(struct tsv_reader *t, const char *name)
{
	return tsv_col(t, name);
}

/* doc_key: a document's key in seen and asof: a receipt's entry key and
 * an item's doc_id are two namespaces. */
static void
doc_key(struct sbuf *key, int kind, const char *doc)
{
	sbuf_addc(key, kind == IT_UNAPPLIED ? 'p' : 'i');
	sbuf_add(key, doc, strlen(doc));
}

/* row_kind: what an aged stream row is: cash on account (its bucket or
 * type says so), a credit (negative) or a debit. */
static enum item_kind
row_kind(struct tsv_reader *t, int c_bucket, int c_type, int64_t open)
{
	if (c_bucket >= 0 && strcmp(tsv_field(t, (size_t)c_bucket),
	    "unapplied") == 0)
		return IT_UNAPPLIED;
	if (c_type >= 0 && (strcmp(tsv_field(t, (size_t)c_type), "receipt")
	    == 0 || strcmp(tsv_field(t, (size_t)c_type), "payment") == 0))
		return IT_UNAPPLIED;
	return open < 0 ? IT_CREDIT : IT_DEBIT;
}

/* first_row: whether this is the first row of document doc (of kind
 * kind) in the streams read; if not, d says where the first was.  The
 * first row stands and a later one is rejected: two exports joined, or a
 * sort without -u, must not double the debt the plan asks for. */
static int
first_row(struct chase_run *r, size_t stream, long line, int kind,
    const char *doc, struct diag *d)
{
	struct sbuf key = { 0 };
	int created;
	int64_t *v;
	char buf[80];

	if (r->seen == NULL)
		r->seen = hmap_new();
	doc_key(&key, kind, doc);
	v = hmap_put(r->seen, key.buf, key.len, &created);
	sbuf_free(&key);
	if (created) {
		*v = (int64_t)stream << 32 | (int64_t)line;
		return 1;
	}
	if ((size_t)(*v >> 32) == stream)
		diag_set(d, "field \"doc_id\": %s is listed twice (first on "
		    "line %ld): this row is not used", q(doc, buf, sizeof buf),
		    (long)(*v & 0xffffffff));
	else
		diag_set(d, "field \"doc_id\": %s is listed twice (first at "
		    "%s:%ld): this row is not used", q(doc, buf, sizeof buf),
		    r->streams[*v >> 32], (long)(*v & 0xffffffff));
	return 0;
}

/* check_open: whether the stream's open amount of doc is the state's on
 * the day; if not, d says so.  A stream of another day (yesterday's file
 * picked up by mistake, an --as-of that differs) would chase an invoice
 * paid since, or for more than is owed. */
static void
check_open(struct chase_run *r, int kind, const char *doc, const char *ccy,
    int64_t open, struct diag *d)
{
	struct sbuf key = { 0 };
	const int64_t *v;
	char b1[80], b2[MONEY_BUFSZ], b3[MONEY_BUFSZ], day[DATE_BUFSZ];
	int digits = money_minor_digits(ccy);

	doc_key(&key, kind, doc);
	v = hmap_get(r->asof, key.buf, key.len);
	sbuf_free(&key);
	date_format(r->o.as_of, day);
	if (v == NULL)
		diag_set(d, "field \"open_amount\": %s for %s, but the state "
		    "has nothing of it open on %s (paid, or not yet issued): a "
		    "stream of another day?", money_format(open, digits, b2),
		    q(doc, b1, sizeof b1), day);
	else if (*v != open)
		diag_set(d, "field \"open_amount\": %s for %s, but the state "
		    "has %s open on %s: a stream of another day?",
		    money_format(open, digits, b2), q(doc, b1, sizeof b1),
		    money_format(*v, digits, b3), day);
}

/* in_query_asof: whether the state's replay has doc in query on the
 * day. */
static int
in_query_asof(struct chase_run *r, int kind, const char *doc)
{
	struct sbuf key = { 0 };
	int in;

	doc_key(&key, kind, doc);
	sbuf_addc(&key, '\0');
	in = hmap_get(r->asof, key.buf, key.len) != NULL;
	sbuf_free(&key);
	return in;
}

/* replay: the state's aged items on the day, as age-ledger --by item
 * writes them, into a temporary file read from its start. */
static FILE *
replay(struct chase_run *r, struct diag *d)
{
	struct aging_opts ao;
	struct aging *a;
	FILE *tmp;

	memset(&ao, 0, sizeof ao);
	ao.as_of = r->o.as_of;
	ao.by = AGING_BY_ITEM;
	ao.basis = AGING_DUE;
	aging_bounds_default(&ao.bounds);
	if ((tmp = tmpfile()) == NULL) {
		diag_set(d, "a temporary file: %s", strerror(errno));
		return NULL;
	}
	a = aging_new(&ao);
	if (aging_scan_state(a, r->st, d) != 0 || aging_write(a, tmp, d) != 0)
		goto fail;
	if (fflush(tmp) != 0 || ferror(tmp)) {
		diag_set(d, "a temporary file: %s", strerror(errno));
		goto fail;
	}
	aging_free(a);
	rewind(tmp);
	return tmp;
fail:
	aging_free(a);
	fclose(tmp);
	return NULL;
}

/* load_asof: r->asof from the replay.  0, or -1 with d set. */
static int
load_asof(struct chase_run *r, struct diag *d)
{
	FILE *tmp = replay(r, d);
	struct tsv_reader *t;
	int c_doc, c_ccy, c_open, c_bucket, c_type, c_query, rc, res = 0;

	if (tmp == NULL)
		return -1;
	if ((t = tsv_open(tmp, "state", d)) == NULL) {
		fclose(tmp);
		return -1;
	}
	c_doc = tsv_col(t, "doc_id");
	c_ccy = tsv_col(t, "currency");
	c_open = tsv_col(t, "open_amount");
	c_bucket = tsv_col(t, "bucket");
	c_type = tsv_col(t, "doc_type");
	c_query = tsv_col(t, "in_query");
	r->asof = hmap_new();
	while (res == 0 && c_doc >= 0 && c_ccy >= 0 && c_open >= 0 &&
	    (rc = tsv_next(t, d)) != 0) {
		struct sbuf key = { 0 };
		int64_t open;
		int digits;

		if (rc < 0 || (digits = money_minor_digits(tsv_field(t,
		    (size_t)c_ccy))) < 0 || money_parse(tsv_field(t,
		    (size_t)c_open), tsv_field_len(t, (size_t)c_open), digits,
		    MONEY_POINT, &open, NULL, d) != 0) {
			diag_set(d, "the state's aged items could not be read "
			    "back");
			res = -1;
			break;
		}
		doc_key(&key, (int)row_kind(t, c_bucket, c_type, open),
		    tsv_field(t, (size_t)c_doc));
		*hmap_put(r->asof, key.buf, key.len, NULL) = open;
		if (c_query >= 0 && strcmp(tsv_field(t, (size_t)c_query), "1")
		    == 0) {
			sbuf_addc(&key, '\0');	/* the in-query key */
			*hmap_put(r->asof, key.buf, key.len, NULL) = 1;
		}
		sbuf_free(&key);
	}
	tsv_close(t);
	fclose(tmp);
	return res;
}

/* reject: the row whole to the rejects file, the header before the
 * stream's first. */
static void
reject(struct chase_run *r, struct tsv_reader *t, long nbad)
{
	if (r->o.rejects == NULL)
		return;
	if (nbad == 0)
		fprintf(r->o.rejects, "%s\n", tsv_raw_header(t));
	fprintf(r->o.rejects, "%s\n", tsv_raw(t));
}

int
chase_read_stream(struct chase_run *r, FILE *fp, const char *name,
    long *bad, struct diag *d)
{
	struct tsv_reader *t = tsv_open(fp, name, d);
	int c_deb, c_name, c_doc, c_type, c_due, c_ccy, c_open, c_bucket;
	int c_query, c_band, c_score, rc;
	long nbad;
	size_t stream;
	char buf[80];

	if (t == NULL)
		return -1;
	c_deb = col(t, "debtor_id");
	c_name = col(t, "debtor_name");
	c_doc = col(t, "doc_id");
	c_type = col(t, "doc_type");
	c_due = col(t, "due_date");
	c_ccy = col(t, "currency");
	c_open = col(t, "open_amount");
	c_bucket = col(t, "bucket");
	c_query = col(t, "in_query");
	c_band = col(t, "score_band");
	c_score = col(t, "score");
	if (c_deb < 0 || c_doc < 0 || c_due < 0 || c_ccy < 0 || c_open < 0) {
		if (!tsv_header_is_data(t, d))
			diag_set(d, "not an aged item stream: it needs the "
			    "columns debtor_id, doc_id, due_date, currency and "
			    "open_amount (use age-ledger --by item)");
		d->line = 1;
		tsv_close(t);
		return -1;
	}
	if (r->st != NULL && !r->from_state && r->asof == NULL &&
	    load_asof(r, d) != 0) {
		tsv_close(t);
		return -2;
	}
	nbad = 0;
	r->streams = xreallocarray(r->streams, r->nstreams + 1,
	    sizeof *r->streams);
	stream = r->nstreams;
	r->streams[r->nstreams++] = xstrdup(name);
	r->has_band |= c_band >= 0;
	r->has_score |= c_score >= 0;
	while ((rc = tsv_next(t, d)) != 0) {
		struct citem it;
		const char *v, *ccy;
		int digits;
		size_t k;

		if (rc < 0) {
			(*bad)++;
			if (r->o.report)
				r->o.report(r->o.report_ctx, name, d->line,
				    d->msg);
			reject(r, t, nbad++);
			continue;
		}
		memset(&it, 0, sizeof it);
		v = tsv_field(t, (size_t)c_deb);
		ccy = tsv_field(t, (size_t)c_ccy);
		diag_clear(d);
		if (*v == '\0')
			diag_set(d, "field \"debtor_id\": empty");
		else if (!money_is_currency(ccy))
			diag_set(d, "field \"currency\": %s is not a currency "
			    "code", q(ccy, buf, sizeof buf));
		else if (date_parse_iso(tsv_field(t, (size_t)c_due), &it.due)
		    != 0)
			diag_set(d, "field \"due_date\": %s is not a date "
			    "(use YYYY-MM-DD)", q(tsv_field(t, (size_t)c_due),
			    buf, sizeof buf));
		else if (c_query >= 0 && strcmp(tsv_field(t, (size_t)c_query),
		    "1") != 0 && strcmp(tsv_field(t, (size_t)c_query), "0")
		    != 0 && *tsv_field(t, (size_t)c_query) != '\0')
			/* "yes" read as not in query would chase a
			 * disputed invoice. */
			diag_set(d, "field \"in_query\": %s is not 1 or 0",
			    q(tsv_field(t, (size_t)c_query), buf, sizeof buf));
		else if ((digits = money_minor_digits(ccy)) < 0 ||
		    money_parse(tsv_field(t, (size_t)c_open),
		    tsv_field_len(t, (size_t)c_open), digits, MONEY_POINT,
		    &it.open, NULL, d) != 0)
			diag_prefix(d, "field \"open_amount\"");
		else if ((rc = check_item(r, v, tsv_field(t, (size_t)c_doc),
		    ccy, d)) < 0) {
			tsv_close(t);
			return -2;
		}
		it.kind = row_kind(t, c_bucket, c_type, it.open);
		if (d->msg[0] == '\0' && r->asof != NULL)
			check_open(r, (int)it.kind, tsv_field(t,
			    (size_t)c_doc), ccy, it.open, d);
		if (d->msg[0] == '\0')
			(void)first_row(r, stream, tsv_line(t), (int)it.kind,
			    tsv_field(t, (size_t)c_doc), d);
		if (d->msg[0] != '\0') {
			(*bad)++;
			if (r->o.report)
				r->o.report(r->o.report_ctx, name,
				    tsv_line(t), d->msg);
			reject(r, t, nbad++);
			continue;
		}
		it.doc_id = xstrdup(tsv_field(t, (size_t)c_doc));
		memcpy(it.ccy, ccy, 3);
		it.in_query = c_query >= 0 &&
		    strcmp(tsv_field(t, (size_t)c_query), "1") == 0;
		/* In query on the day by the state too: a stream without
		 * the column (cut, another tool's) or one of another day
		 * must not chase a disputed invoice. */
		if (r->asof != NULL && !it.in_query)
			it.in_query = in_query_asof(r, (int)it.kind,
			    tsv_field(t, (size_t)c_doc));
		k = debtor_of(r, v, c_name >= 0 ? tsv_field(t,
		    (size_t)c_name) : NULL);
		it.debtor = k;
		if (c_band >= 0 && r->debtors[k].score_band == NULL &&
		    *tsv_field(t, (size_t)c_band) != '\0')
			r->debtors[k].score_band =
			    xstrdup(tsv_field(t, (size_t)c_band));
		if (c_score >= 0 && r->debtors[k].score == NULL &&
		    *tsv_field(t, (size_t)c_score) != '\0')
			r->debtors[k].score =
			    xstrdup(tsv_field(t, (size_t)c_score));
		if (r->nitems == r->capitems) {
			r->capitems = r->capitems ? r->capitems * 2 : 256;
			r->items = xreallocarray(r->items, r->capitems,
			    sizeof *r->items);
		}
		r->items[r->nitems++] = it;
	}
	tsv_close(t);
	diag_clear(d);
	return 0;
}

int
chase_read_state(struct chase_run *r, struct diag *d)
{
	FILE *tmp = replay(r, d), *rj = r->o.rejects;
	long bad = 0;
	int rc;

	if (tmp == NULL)
		return -1;
	r->o.rejects = NULL;	/* not outside input */
	r->from_state = 1;
	rc = chase_read_stream(r, tmp, "state", &bad, d);
	r->from_state = 0;
	r->o.rejects = rj;
	if (rc == 0 && bad > 0) {
		diag_set(d, "the state's aged items could not be read back");
		rc = -1;
	}
	fclose(tmp);
	return rc;
}

/* cached: statement k of the per-debtor reads, prepared on first use and
 * reset for every later one (preparing each for each debtor cost more
 * than running them). */
static sqlite3_stmt *
cached(struct chase_run *r, int k, const char *sql, struct diag *d)
{
	sqlite3_stmt **s = &r->stmts[k];

	if (*s == NULL)
		return *s = state_prepare(r->st, sql, d);
	sqlite3_reset(*s);
	sqlite3_clear_bindings(*s);
	return *s;
}

/* What the state says about one debtor. */

struct caction {
	char *step;
	int channel;
	int32_t as_of;
	char ccy[4];		/* "" when the action names none */
	char **docs;
	size_t ndocs;
};

struct hist {
	int64_t id;		/* 0: not in the state */
	const char *type;
	char *segment, *chase_path, *zone, *country;
	int restricted;
	char *hold;		/* the kind of a hold in force, or NULL */
	struct caction *act;
	size_t nact;
	int32_t last_contact;	/* INT32_MIN: none */
	int32_t prev_contact;	/* the last before the day; INT32_MIN: none */
};

static void
hist_free(struct hist *h)
{
	free(h->segment);
	free(h->chase_path);
	free(h->zone);
	free(h->country);
	free(h->hold);
	for (size_t i = 0; i < h->nact; i++) {
		free(h->act[i].step);
		for (size_t k = 0; k < h->act[i].ndocs; k++)
			free(h->act[i].docs[k]);
		free(h->act[i].docs);
	}
	free(h->act);
	memset(h, 0, sizeof *h);
}

static char *
col_dup(sqlite3_stmt *s, int i)
{
	const unsigned char *t = sqlite3_column_text(s, i);

	return t && *t ? xstrdup((const char *)t) : NULL;
}

static void
add_doc(struct caction *a, const char *doc, size_t n)
{
	a->docs = xreallocarray(a->docs, a->ndocs + 1, sizeof *a->docs);
	a->docs[a->ndocs++] = xstrndup(doc, n);
}

static int
load_hist(struct chase_run *r, const char *ref, struct hist *h,
    struct diag *d)
{
	static const char dsql[] = "SELECT id, type, segment, chase_path,"
	    " time_zone, restricted, country FROM debtor WHERE ref = ?";
	static const char hsql[] = "SELECT kind, start_date, end_date,"
	    " released FROM hold WHERE debtor_id = ? ORDER BY start_date, id";
	static const char asql[] = "SELECT id, step, channel, as_of,"
	    " currency, doc_ids FROM action WHERE debtor_id = ?1 AND"
	    " as_of <= ?2 ORDER BY as_of, id";
	static const char isql[] = "SELECT i.doc_id FROM action_item ai"
	    " JOIN item i ON i.id = ai.item_id WHERE ai.action_id = ?";
	static const char csql[] = "SELECT max(day), max(CASE WHEN day < ?2"
	    " THEN day END) FROM contact WHERE debtor_id = ?1 AND day <= ?2";
	sqlite3_stmt *s = NULL, *si = NULL;
	int rc, res = -1;

	memset(h, 0, sizeof *h);
	h->type = r->o.debtor_type ? r->o.debtor_type : "business";
	h->last_contact = h->prev_contact = INT32_MIN;
	if (r->st == NULL)
		return 0;
	if ((s = cached(r, 0, dsql, d)) == NULL)
		return -1;
	sqlite3_bind_text(s, 1, ref, -1, SQLITE_STATIC);
	if ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		const char *t = (const char *)sqlite3_column_text(s, 1);

		h->id = sqlite3_column_int64(s, 0);
		for (int i = 0; t && debtor_types[i]; i++)
			if (strcmp(t, debtor_types[i]) == 0)
				h->type = debtor_types[i];
		h->segment = col_dup(s, 2);
		h->chase_path = col_dup(s, 3);
		h->zone = col_dup(s, 4);
		h->restricted = sqlite3_column_int(s, 5) != 0;
		h->country = col_dup(s, 6);
	} else if (rc != SQLITE_DONE) {
		goto state_err;
	}
	sqlite3_reset(s);
	s = NULL;
	if (h->id == 0)
		return 0;
	/* Holds: the first in force wins the reason. */
	if ((s = cached(r, 1, hsql, d)) == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, h->id);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		int32_t end = sqlite3_column_type(s, 2) == SQLITE_NULL ?
		    INT32_MAX : (int32_t)sqlite3_column_int64(s, 2);
		int32_t rel = sqlite3_column_type(s, 3) == SQLITE_NULL ?
		    INT32_MAX : (int32_t)sqlite3_column_int64(s, 3);

		if (h->hold == NULL && hold_evaluate((int32_t)
		    sqlite3_column_int64(s, 1), end, rel, r->o.as_of) ==
		    HOLD_ACTIVE)
			h->hold = col_dup(s, 0);
	}
	if (rc != SQLITE_DONE)
		goto state_err;
	sqlite3_reset(s);
	/* Actions done, with the items each covered. */
	if ((s = cached(r, 2, asql, d)) == NULL)
		return -1;
	if ((si = cached(r, 3, isql, d)) == NULL)
		goto out;
	sqlite3_bind_int64(s, 1, h->id);
	sqlite3_bind_int(s, 2, r->o.as_of);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct caction *a;
		const char *ccy = (const char *)sqlite3_column_text(s, 4);
		const char *docs = (const char *)sqlite3_column_text(s, 5);
		int irc;

		h->act = xreallocarray(h->act, h->nact + 1, sizeof *h->act);
		a = &h->act[h->nact++];
		memset(a, 0, sizeof *a);
		a->step = xstrdup((const char *)sqlite3_column_text(s, 1));
		a->channel = channel_code((const char *)
		    sqlite3_column_text(s, 2));
		a->as_of = (int32_t)sqlite3_column_int64(s, 3);
		snprintf(a->ccy, sizeof a->ccy, "%s", ccy ? ccy : "");
		if (a->channel != CHASE_TASK && a->as_of > h->last_contact)
			h->last_contact = a->as_of;
		if (a->channel != CHASE_TASK && a->as_of < r->o.as_of &&
		    a->as_of > h->prev_contact)
			h->prev_contact = a->as_of;
		sqlite3_bind_int64(si, 1, sqlite3_column_int64(s, 0));
		while ((irc = sqlite3_step(si)) == SQLITE_ROW)
			add_doc(a, (const char *)sqlite3_column_text(si, 0),
			    (size_t)sqlite3_column_bytes(si, 0));
		sqlite3_reset(si);
		if (irc != SQLITE_DONE)
			goto state_err;
		/* Without action_item rows, the doc_ids the action lists
		 * (as the plan writes them, chase_docs_add). */
		if (a->ndocs == 0 && docs != NULL) {
			struct sbuf id = { 0 };

			while (chase_docs_next(&docs, &id) == 1)
				if (id.len > 0)
					add_doc(a, id.buf, id.len);
			sbuf_free(&id);
		}
	}
	if (rc != SQLITE_DONE)
		goto state_err;
	sqlite3_reset(s);
	s = NULL;
	/* Contacts log-contact recorded count as contacts too. */
	if ((s = cached(r, 4, csql, d)) == NULL)
		goto out;
	sqlite3_bind_int64(s, 1, h->id);
	sqlite3_bind_int(s, 2, r->o.as_of);
	if ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (sqlite3_column_type(s, 0) != SQLITE_NULL &&
		    sqlite3_column_int64(s, 0) > h->last_contact)
			h->last_contact = (int32_t)sqlite3_column_int64(s, 0);
		if (sqlite3_column_type(s, 1) != SQLITE_NULL &&
		    sqlite3_column_int64(s, 1) > h->prev_contact)
			h->prev_contact = (int32_t)sqlite3_column_int64(s, 1);
	} else {
		goto state_err;
	}
	res = 0;
	goto out;
state_err:
	res = state_error(r->st, d, "reading the debtor's history");
out:
	sqlite3_reset(s);
	sqlite3_reset(si);
	return res;
}

/* Promises of one debtor and currency as of the day: 1 when one is
 * pending; *broken_day the day the latest broken one broke, INT32_MIN
 * when none is broken. */
static int
promises(struct chase_run *r, const struct hist *h, const char *ccy,
    int *pending, int32_t *broken_day, struct diag *d)
{
	static const char sql[] = "SELECT made_on, amount, due_date,"
	    " grace_days FROM promise WHERE debtor_id = ?1 AND currency = ?2"
	    " AND made_on <= ?3 ORDER BY id";
	sqlite3_stmt *s;
	struct promise_eval *e = NULL;
	struct promise_cash *cash = NULL;
	size_t n = 0, ncash = 0;
	int rc;

	*pending = 0;
	*broken_day = INT32_MIN;
	if (r->st == NULL || h->id == 0)
		return 0;
	if ((s = cached(r, 5, sql, d)) == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, h->id);
	sqlite3_bind_text(s, 2, ccy, -1, SQLITE_STATIC);
	sqlite3_bind_int(s, 3, r->o.as_of);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		e = xreallocarray(e, n + 1, sizeof *e);
		memset(&e[n], 0, sizeof e[n]);
		e[n].made_on = (int32_t)sqlite3_column_int64(s, 0);
		e[n].amount = sqlite3_column_int64(s, 1);
		e[n].due = (int32_t)sqlite3_column_int64(s, 2);
		e[n].grace = (int32_t)sqlite3_column_int64(s, 3);
		n++;
	}
	sqlite3_reset(s);
	if (rc != SQLITE_DONE) {
		free(e);
		return state_error(r->st, d, "reading promises");
	}
	if (n > 0 && contact_load_cash(r->st, h->id, ccy, r->o.as_of, &cash,
	    &ncash, d) != 0) {
		free(e);
		return -1;
	}
	if (n > 0)
		promise_evaluate(e, n, cash, ncash, r->o.as_of);
	for (size_t i = 0; i < n; i++) {
		if (e[i].status == PROMISE_PENDING)
			*pending = 1;
		else if (e[i].status == PROMISE_BROKEN &&
		    e[i].due + e[i].grace > *broken_day)
			*broken_day = e[i].due + e[i].grace;
	}
	free(e);
	free(cash);
	return 0;
}

/* miss_contact: plan p in arrears and its n instalments judged by
 * plan_miss_judge on the debtor's actions in ccy (or in none) and the
 * config's calendar and chase.plan_missed.days: 1 when the plan is
 * broken for want of the contact; else 0, *m filled when the contact is
 * due today and the earliest of the debtor's plans. */
static int
miss_contact(const struct chase_run *r, const struct hist *h,
    const char *ccy, struct plan_eval *p, const struct plan_inst *in,
    size_t n, struct plan_miss *m)
{
	int32_t *acts = xreallocarray(NULL, h->nact + 1, sizeof *acts);
	size_t na = 0;
	struct plan_miss x;
	int rc;

	for (size_t i = 0; i < h->nact; i++)
		if (h->act[i].ccy[0] == '\0' || strcmp(h->act[i].ccy, ccy) == 0)
			acts[na++] = h->act[i].as_of;
	rc = plan_miss_judge(p, in, n, &r->c->cal, r->c->plan_missed.offset,
	    acts, na, r->o.as_of, &x);
	free(acts);
	if (rc == 2 && (m->end == INT32_MIN || x.end < m->end))
		*m = x;
	return rc == 1;
}

/* Plans: the strongest status among the debtor's plans in ccy
 * (active or in arrears suppress, but for *miss; broken resumes),
 * *broken_day when broken, *ended when the plan of that day did not
 * break but ran out (below: 1) or went uncontacted after a miss
 * (miss_contact: 2).  *miss: the first miss whose contact is due
 * today (end INT32_MIN: none).  The plans are judged together, sharing
 * the debtor's receipts as log-contact judges them: one payment never
 * keeps two plans. */
static int
plans(struct chase_run *r, const struct hist *h, const char *ccy,
    int *status, int32_t *broken_day, int *ended, struct plan_miss *miss,
    struct diag *d)
{
	static const char sql[] = "SELECT id, total, created, grace_days"
	    " FROM plan WHERE debtor_id = ?1 AND currency = ?2 AND"
	    " created <= ?3 ORDER BY id";
	sqlite3_stmt *s, *si;
	struct plan_eval *e = NULL;
	struct plan_inst **in = NULL;
	size_t *ni = NULL, np = 0;
	struct promise_cash *cash = NULL;
	size_t ncash = 0;
	int rc, irc = SQLITE_DONE, res = 0;

	*status = -1;
	*broken_day = INT32_MIN;
	*ended = 0;
	miss->end = INT32_MIN;
	if (r->st == NULL || h->id == 0)
		return 0;
	if ((s = cached(r, 6, sql, d)) == NULL)
		return -1;
	if ((si = cached(r, 7, "SELECT due_date, amount FROM"
	    " instalment WHERE plan_id = ? ORDER BY seq", d)) == NULL) {
		sqlite3_reset(s);
		return -1;
	}
	sqlite3_bind_int64(s, 1, h->id);
	sqlite3_bind_text(s, 2, ccy, -1, SQLITE_STATIC);
	sqlite3_bind_int(s, 3, r->o.as_of);
	while (irc == SQLITE_DONE && (rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct plan_inst *v = NULL;
		size_t n = 0;

		e = xreallocarray(e, np + 1, sizeof *e);
		in = xreallocarray(in, np + 1, sizeof *in);
		ni = xreallocarray(ni, np + 1, sizeof *ni);
		memset(&e[np], 0, sizeof e[np]);
		e[np].total = sqlite3_column_int64(s, 1);
		e[np].created = (int32_t)sqlite3_column_int64(s, 2);
		e[np].grace = (int32_t)sqlite3_column_int64(s, 3);
		sqlite3_bind_int64(si, 1, sqlite3_column_int64(s, 0));
		while ((irc = sqlite3_step(si)) == SQLITE_ROW) {
			v = xreallocarray(v, n + 1, sizeof *v);
			memset(&v[n], 0, sizeof v[n]);
			v[n].due = (int32_t)sqlite3_column_int64(si, 0);
			v[n].amount = sqlite3_column_int64(si, 1);
			n++;
		}
		sqlite3_reset(si);
		in[np] = v;
		ni[np] = n;
		np++;
	}
	if (irc != SQLITE_DONE)
		res = state_error(r->st, d, "reading instalments");
	else if (rc != SQLITE_DONE)
		res = state_error(r->st, d, "reading plans");
	sqlite3_reset(s);
	sqlite3_reset(si);
	if (res == 0 && np > 0 && contact_load_cash(r->st, h->id, ccy,
	    r->o.as_of, &cash, &ncash, d) != 0)
		res = -1;
	if (res == 0 && np > 0)
		plan_evaluate_all(e, in, ni, np, cash, ncash, r->o.as_of);
	for (size_t j = 0; res == 0 && j < np; j++) {
		struct plan_eval *p = &e[j];
		size_t n = ni[j];
		/* A schedule run out unpaid (its last instalment the first
		 * miss, so never a second; or no instalment) is not in good
		 * standing for ever: the balance is due from its last day,
		 * as a broken plan's. */
		int over = (p->status == PLAN_ACTIVE ||
		    p->status == PLAN_IN_ARREARS) &&
		    (n == 0 || in[j][n - 1].status != INST_PENDING);

		if (over) {
			int64_t end = n == 0 ? p->created :
			    (int64_t)in[j][n - 1].due + p->grace;

			p->status = PLAN_BROKEN;
			p->broken_on = end > INT32_MAX ? INT32_MAX :
			    end < INT32_MIN ? INT32_MIN : (int32_t)end;
		} else if (p->status == PLAN_IN_ARREARS &&
		    miss_contact(r, h, ccy, p, in[j], n, miss)) {
			over = 2;
		}
		if (p->status == PLAN_ACTIVE ||
		    p->status == PLAN_IN_ARREARS) {
			if (*status != PLAN_ACTIVE)
				*status = (int)p->status;
		} else if (p->status == PLAN_BROKEN) {
			if (*status < 0)
				*status = PLAN_BROKEN;
			if (p->broken_on > *broken_day) {
				*broken_day = p->broken_on;
				*ended = over;
			}
		}
	}
	for (size_t j = 0; j < np; j++)
		free(in[j]);
	free(in);
	free(ni);
	free(e);
	free(cash);
	return res;
}

/* The closed pauses of every item (queries opened and closed by the
 * day), read once per run and sorted by document id: one query per item
 * would scan query_item for each, which has no index by item. */
static int
cmp_pause(const void *x, const void *y)
{
	const struct cpause *a = x, *b = y;

	return strcmp(a->doc, b->doc);
}

static int
load_pauses(struct chase_run *r, struct diag *d)
{
	static const char sql[] = "SELECT i.doc_id, q.opened, q.closed"
	    " FROM query q JOIN query_item qi ON qi.query_id = q.id"
	    " JOIN item i ON i.id = qi.item_id WHERE q.opened <= ?1 AND"
	    " q.closed IS NOT NULL AND q.closed <= ?1";
	sqlite3_stmt *s;
	size_t cap = 0;
	int rc;

	if (r->st == NULL)
		return 0;
	if ((s = state_prepare(r->st, sql, d)) == NULL)
		return -1;
	sqlite3_bind_int(s, 1, r->o.as_of);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct cpause *p;

		if (r->npauses == cap) {
			cap = cap ? cap * 2 : 64;
			r->pauses = xreallocarray(r->pauses, cap,
			    sizeof *r->pauses);
		}
		p = &r->pauses[r->npauses++];
		p->doc = xstrdup((const char *)sqlite3_column_text(s, 0));
		p->opened = (int32_t)sqlite3_column_int64(s, 1);
		p->closed = (int32_t)sqlite3_column_int64(s, 2);
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE)
		return state_error(r->st, d, "reading queries");
	if (r->npauses > 0)
		qsort(r->pauses, r->npauses, sizeof *r->pauses, cmp_pause);
	return 0;
}

/* pauses: the item's pauses into op, cl (grown as needed), *n of them. */
static void
pauses(struct chase_run *r, const char *doc_id, int32_t **op, int32_t **cl,
    size_t *n)
{
	size_t lo = 0, hi = r->npauses;

	*n = 0;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (strcmp(r->pauses[mid].doc, doc_id) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (; lo < r->npauses && strcmp(r->pauses[lo].doc, doc_id) == 0;
	    lo++) {
		*op = xreallocarray(*op, *n + 1, sizeof **op);
		*cl = xreallocarray(*cl, *n + 1, sizeof **cl);
		(*op)[*n] = r->pauses[lo].opened;
		(*cl)[*n] = r->pauses[lo].closed;
		(*n)++;
	}
}

/* Planning one debtor's items in one currency */

static struct crow *
new_row(struct chase_run *r, size_t debtor, const char *ccy,
    const struct chase_path *p, const char *reason)
{
	struct crow *w;

	if (r->nrows == r->caprows) {
		r->caprows = r->caprows ? r->caprows * 2 : 64;
		r->rows = xreallocarray(r->rows, r->caprows, sizeof *r->rows);
	}
	w = &r->rows[r->nrows++];
	memset(w, 0, sizeof *w);
	w->debtor = debtor;
	memcpy(w->ccy, ccy, 4);
	w->path = p;
	w->step = w->channel = -1;
	w->reason = reason;
	w->step_date = INT32_MIN;
	return w;
}

/* suppress: a row for what is not planned, kept only with --suppressed
 * (the limits pass needs none of them). */
static struct crow *
suppress(struct chase_run *r, size_t debtor, const char *ccy,
    const struct chase_path *p, const char *reason)
{
	if (!r->o.suppressed)
		return NULL;
	return new_row(r, debtor, ccy, p, reason);
}

/* path_of: the debtor's path: its own chase_path (-1 when the config
 * has none of that name), else the first rule that matches, else the
 * default.  band NULL matches no rule that names a score band. */
static int
path_of(const struct chase_config *c, const struct hist *h,
    const char *band)
{
	if (h->chase_path != NULL)
		return chase_path_find(c, h->chase_path);
	for (size_t i = 0; i < c->nrules; i++) {
		const struct chase_rule *u = &c->rules[i];

		if (u->segment && (h->segment == NULL ||
		    strcmp(u->segment, h->segment) != 0))
			continue;
		if (u->type && strcmp(u->type, h->type) != 0)
			continue;
		if (u->score_band && (band == NULL ||
		    strcmp(u->score_band, band) != 0))
			continue;
		return (int)u->path;
	}
	return (int)c->default_path;
}

/*
 * path_may_be: whether path k can be the one path_of gives a debtor with
 * no chase_path of its own, its score band unknown: a rule naming a band
 * (matching the rest) may give its path, the first rule without one that
 * matches gives its path and ends the search, else the default path.
 */
static int
path_may_be(const struct chase_config *c, const struct hist *h, size_t k)
{
	for (size_t i = 0; i < c->nrules; i++) {
		const struct chase_rule *u = &c->rules[i];

		if (u->segment && (h->segment == NULL ||
		    strcmp(u->segment, h->segment) != 0))
			continue;
		if (u->type && strcmp(u->type, h->type) != 0)
			continue;
		if (u->path == k)
			return 1;
		if (u->score_band == NULL)
			return 0;
	}
	return c->default_path == k;
}

static int
choose_path(struct chase_run *r, const struct hist *h, size_t debtor)
{
	int k = path_of(r->c, h, r->debtors[debtor].score_band);

	if (k < 0) {
		char buf[80];

		problem(r, "debtor %s: chase_path %s is not a path of the "
		    "configuration (not chased)", r->debtors[debtor].ref,
		    q(h->chase_path, buf, sizeof buf));
	}
	return k;
}

/* covers: whether action a is of step `step` on channel ch and covered
 * one of the n items at it (an action that lists no items covers the
 * debtor's every item). */
static int
covers(const struct caction *a, const char *step, int ch, const char *ccy,
    struct citem *const *it, size_t n)
{
	if (strcmp(a->step, step) != 0 || a->channel != ch)
		return 0;
	if (a->ccy[0] != '\0' && strcmp(a->ccy, ccy) != 0)
		return 0;
	if (a->ndocs == 0)
		return 1;
	for (size_t i = 0; i < a->ndocs; i++)
		for (size_t k = 0; k < n; k++)
			if (strcmp(a->docs[i], it[k]->doc_id) == 0)
				return 1;
	return 0;
}

/* done_mask: the channels of step k already done for the items. */
static unsigned
done_mask(const struct hist *h, const struct chase_step *s, const char *ccy,
    struct citem *const *it, size_t n)
{
	unsigned m = 0;

	for (size_t i = 0; i < h->nact; i++)
		if (h->act[i].channel >= 0 && (s->channels &
		    (1u << h->act[i].channel)) && covers(&h->act[i], s->name,
		    h->act[i].channel, ccy, it, n))
			m |= 1u << h->act[i].channel;
	return m;
}

/* lapsed: whether step s, before the due date (a courtesy reminder) or
 * on it ("due today"), has lost its purpose: every item at a step (those
 * it would list) has reached its due date (a step before it) or passed
 * it (a step on it).  A walk through missed steps passes over it
 * (skipped), or an invoice 26 days overdue would be told it "falls due
 * shortly"; an invoice not yet at any step (due next month) is not
 * listed, so it does not keep the step alive. */
static int
lapsed(const struct chase_step *s, struct citem *const *it, size_t n,
    int32_t as_of)
{
	if (s->due_offset > 0)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (it[i]->pos >= 0 && (s->due_offset < 0 ?
		    it[i]->due > as_of : it[i]->due >= as_of))
			return 0;
	return 1;
}

/* claim_until: the deadline the debtor's last letter before action in
 * ccy gave (a step of p with that escalation, done on a day), the first
 * day a claim step may come: that day plus deadline_days, or pap_days
 * for a debtor the Pre-Action Protocol covers (*pap set: a consumer or
 * sole trader in England and Wales, country GB or not given, as
 * emit-letters judges it).  INT32_MIN when none. */
static int32_t
claim_until(const struct chase_run *r, const struct chase_path *p,
    const struct hist *h, const char *ccy, int *pap)
{
	int32_t last = INT32_MIN;

	*pap = (strcmp(h->type, "consumer") == 0 ||
	    strcmp(h->type, "sole_trader") == 0) && (h->country == NULL ||
	    *h->country == '\0' || util_strcaseeq(h->country, "GB"));
	for (size_t i = 0; i < h->nact; i++) {
		const struct caction *a = &h->act[i];
		int k = step_index(p, a->step);

		if (k >= 0 && p->steps[k].escalation != NULL &&
		    strcmp(p->steps[k].escalation, "letter_before_action") ==
		    0 && (a->ccy[0] == '\0' || strcmp(a->ccy, ccy) == 0) &&
		    a->as_of > last)
			last = a->as_of;
	}
	return last == INT32_MIN ? INT32_MIN : last + (*pap ?
	    r->c->pap_days : r->c->deadline_days);
}

/* acted_since: whether an action in ccy (or in no currency) was taken
 * on or after day: the answer to a promise or plan of that currency that
 * broke then.  A letter about the pounds owed does not answer a broken
 * promise to pay the euros. */
static int
acted_since(const struct hist *h, int32_t day, const char *ccy)
{
	for (size_t i = 0; i < h->nact; i++)
		if (h->act[i].as_of >= day && (h->act[i].ccy[0] == '\0' ||
		    strcmp(h->act[i].ccy, ccy) == 0))
			return 1;
	return 0;
}

static int64_t
threshold(int64_t hundredths, const char *ccy)
{
	int64_t v;
	int digits = money_minor_digits(ccy);

	if (digits < 0 || money_rescale(hundredths, 2, digits, &v) != 0)
		return hundredths;
	return v;
}

int64_t
chase_step_minimum(const struct chase_config *c, const struct chase_step *s,
    const char *ccy)
{
	int64_t m = threshold(s->min_amount, ccy), b = threshold(c->min_balance,
	    ccy);

	if (b > m)
		m = b;
	return m > 1 ? m : 1;
}

/* reaches: whether the balance step s would ask for is at least its
 * min_amount: all, the debtor's open items with the credits netted, for
 * a step on or before the due date (its message lists items not yet
 * due); over, the overdue ones with the credits, for a step after it
 * (its message lists only those: an invoice not yet due must not carry
 * a letter before action past the client's minimum for one). */
static int
reaches(const struct chase_step *s, const char *ccy, int64_t all,
    int64_t over)
{
	return (s->due_offset > 0 ? over : all) >= threshold(s->min_amount,
	    ccy);
}

static int
cmp_item_due(const void *x, const void *y)
{
	const struct citem *a = *(struct citem *const *)x;
	const struct citem *b = *(struct citem *const *)y;

	if (a->due != b->due)
		return a->due < b->due ? -1 : 1;
	return strcmp(a->doc_id, b->doc_id);
}

void
chase_docs_add(struct sbuf *b, const char *id)
{
	if (b->len > 0)
		sbuf_addc(b, ',');
	for (; *id; id++) {
		if (*id == ',' || *id == '\\')
			sbuf_addc(b, '\\');
		sbuf_addc(b, *id);
	}
}

int
chase_docs_next(const char **s, struct sbuf *out)
{
	const char *p = *s;

	sbuf_reset(out);
	if (p == NULL || *p == '\0')
		return 0;
	for (; *p && *p != ','; p++) {
		if (*p == '\\' && *++p == '\0')
			return -1;
		sbuf_addc(out, *p);
	}
	if (out->buf == NULL)
		sbuf_add(out, "", 0);
	*s = *p == ',' ? p + 1 : p;
	return 1;
}

static char *
join_docs(struct citem **it, size_t n)
{
	struct sbuf b = { 0 };
	char *s;

	qsort(it, n, sizeof *it, cmp_item_due);
	for (size_t i = 0; i < n; i++)
		chase_docs_add(&b, it[i]->doc_id);
	s = xstrdup(sbuf_str(&b));
	sbuf_free(&b);
	return s;
}

/* next_escalation: the first escalation step after `after` that the
 * balance is large enough for and that is not yet done on every
 * channel, or -1. */
static int
next_escalation(const struct chase_path *p, int after, const struct hist *h,
    const char *ccy, struct citem *const *it, size_t n, int64_t amount,
    int64_t over)
{
	for (size_t k = (size_t)(after + 1); k < p->nsteps; k++) {
		const struct chase_step *s = &p->steps[k];

		if (s->escalation != NULL && reaches(s, ccy, amount, over) &&
		    done_mask(h, s, ccy, it, n) != s->channels)
			return (int)k;
	}
	return -1;
}

/*
 * fresh_items: when the debtor's path has ended (step `last` done, no
 * later step its balance is large enough for), the overdue items at a
 * step that no action of the last step covered, into out; their count.
 * Consolidation on the most advanced step would otherwise leave an
 * invoice raised after the hand-over never chased: it joins the last
 * step (the escalation, the hand-over task) again, with the rest.
 */
static size_t
fresh_items(struct chase_run *r, const struct chase_path *p, int last,
    const struct hist *h, const char *ccy, struct citem *const *el,
    size_t nel, int64_t amount, int64_t over, struct citem **out)
{
	size_t n = 0;

	if (last < 0)
		return 0;
	for (size_t k = (size_t)last + 1; k < p->nsteps; k++)
		if (reaches(&p->steps[k], ccy, amount, over))
			return 0;
	for (size_t i = 0; i < nel; i++)
		if (el[i]->pos >= 0 && el[i]->due < r->o.as_of &&
		    done_mask(h, &p->steps[last], ccy, &el[i], 1) == 0)
			out[n++] = el[i];
	return n;
}

/* debtor_zone: the debtor's time zone, else (reported) the client's. */
static const char *
debtor_zone(struct chase_run *r, size_t debtor, const struct hist *h)
{
	const struct chase_config *c = r->c;
	char buf[80];

	if (h->zone == NULL)
		return c->time_zone;
	if (calendar_zone_valid(h->zone))
		return h->zone;
	problem(r, "debtor %s: time_zone %s is not a time zone this system "
	    "knows (the client's, %s, is used)", r->debtors[debtor].ref,
	    q(h->zone, buf, sizeof buf), c->time_zone);
	return c->time_zone;
}

/* miss_rows: the plan_missed contact of a plan's first miss, on each
 * of chase.plan_missed's channels, for the debtor's open items not in
 * query; step_date is the contact's day.  Not a step of the path: the
 * plan still stands, so no step, gap or minimum is judged, only the
 * business day and the channel's hours.  0, or -1 with d set. */
static int
miss_rows(struct chase_run *r, size_t debtor, const char *ccy,
    const struct chase_path *p, const struct hist *h, struct citem **el,
    size_t nel, const struct plan_miss *m, struct diag *d)
{
	const struct chase_config *c = r->c;
	const struct chase_step *s = &c->plan_missed;
	int who = strcmp(h->type, "business") == 0 ? 0 : 1;
	int64_t amount = 0;
	int32_t mindue = INT32_MAX;
	const char *zone;
	struct crow *w;

	if (!calendar_is_business(&c->cal, r->o.as_of)) {
		if ((w = suppress(r, debtor, ccy, p, "not_business_day")))
			w->xstep = s;
		return 0;
	}
	for (size_t i = 0; i < nel; i++) {
		if (money_add(amount, el[i]->open, &amount) != 0)
			amount = INT64_MAX;
		if (el[i]->due < mindue)
			mindue = el[i]->due;
	}
	zone = debtor_zone(r, debtor, h);
	for (int ch = 0; ch < CHASE_NCHANNELS; ch++) {
		int open = 1;

		if (!(s->channels & (1u << ch)))
			continue;
		if (c->has_hours[ch])
			open = calendar_hours_open(&c->hours[ch][who], &c->cal,
			    r->o.as_of);
		if (!open && !r->o.suppressed)
			continue;
		w = new_row(r, debtor, ccy, p, open ? "plan_missed" :
		    "outside_hours");
		w->planned = open;
		w->xstep = s;
		w->channel = ch;
		w->doc_ids = join_docs(el, nel);
		w->amount = amount;
		w->has_amount = 1;
		w->dpd = r->o.as_of - mindue;
		w->has_dpd = 1;
		w->step_date = m->contact;
		if (open && c->has_hours[ch] && (calendar_local_time(zone,
		    r->o.as_of, c->hours[ch][who].from, w->win_start, d) != 0 ||
		    calendar_local_time(zone, r->o.as_of,
		    c->hours[ch][who].to, w->win_end, d) != 0))
			return -1;
	}
	return 0;
}

/* gap_until: the first day chase.min_days_between_contacts allows a new
 * step after a contact on day last.  The gap ends on a business day:
 * one that runs out on a Sunday holds the step to the Monday. */
static int32_t
gap_until(const struct chase_config *c, int32_t last)
{
	return calendar_roll(&c->cal, last + c->min_gap);
}

/* step_today: an action of another step than `step` sent the debtor in
 * ccy on day (one step a debtor and currency a day), or NULL. */
static const struct caction *
step_today(const struct hist *h, const char *ccy, const char *step,
    int32_t day)
{
	for (size_t i = 0; i < h->nact; i++)
		if (h->act[i].as_of == day && (h->act[i].ccy[0] == '\0' ||
		    strcmp(h->act[i].ccy, ccy) == 0) &&
		    strcmp(h->act[i].step, step) != 0)
			return &h->act[i];
	return NULL;
}

static int
plan_group(struct chase_run *r, size_t debtor, const char *ccy,
    struct citem **g, size_t ng, const struct hist *h, struct diag *d)
{
	const struct chase_config *c = r->c;
	const struct chase_path *p;
	struct citem **el, **inc, **fresh;
	size_t nel = 0, ninc = 0, ndebit = 0, nfresh = 0;
	int32_t *op = NULL, *cl = NULL, broken_promise, broken_plan;
	int64_t amount = 0, credits = 0, netted = 0, over = 0;
	int pk, pending, plan_st, plan_ended, L = -1, last_done = -1, t = -1, res = -1;
	const char *why = NULL;
	struct sbuf skipped = { 0 };
	char *credit_ids = NULL;
	struct crow *w;
	unsigned done;
	int32_t step_date = INT32_MIN, mindue = INT32_MAX;
	int32_t answer = INT32_MIN;
	struct plan_miss miss;
	const char *zone;
	int who = strcmp(h->type, "business") == 0 ? 0 : 1;

	el = xreallocarray(NULL, ng, sizeof *el);
	inc = xreallocarray(NULL, ng, sizeof *inc);
	fresh = xreallocarray(NULL, ng, sizeof *fresh);
	/* Credits are listed whatever the config; netted where it says. */
	{
		struct citem **cr = xreallocarray(NULL, ng, sizeof *cr);
		size_t ncr = 0;

		for (size_t i = 0; i < ng; i++) {
			if (g[i]->kind == IT_DEBIT) {
				if (g[i]->open > 0)
					ndebit++;
				if (g[i]->open > 0 && !g[i]->in_query)
					el[nel++] = g[i];
				continue;
			}
			cr[ncr++] = g[i];
			credits += g[i]->open;
			if ((g[i]->kind == IT_CREDIT && c->net_credits) ||
			    (g[i]->kind == IT_UNAPPLIED && c->net_unapplied))
				netted += g[i]->open;
		}
		if (ncr > 0)
			credit_ids = join_docs(cr, ncr);
		free(cr);
	}
	if (ndebit == 0) {		/* nothing owed: nothing planned */
		res = 0;
		goto out;
	}
	pk = choose_path(r, h, debtor);
	p = pk >= 0 ? &c->paths[pk] : NULL;
	if (h->hold != NULL || h->restricted || p == NULL || nel == 0) {
		why = h->hold ? "hold" : h->restricted ? "restricted" :
		    p == NULL ? "unknown_path" : "in_query";
		if ((w = suppress(r, debtor, ccy, p, why)) != NULL &&
		    h->hold != NULL)
			w->detail = xstrdup(h->hold);
		res = 0;
		goto out;
	}
	if (promises(r, h, ccy, &pending, &broken_promise, d) != 0 ||
	    plans(r, h, ccy, &plan_st, &broken_plan, &plan_ended, &miss,
	    d) != 0)
		goto out;
	if (pending || plan_st == PLAN_ACTIVE || (plan_st == PLAN_IN_ARREARS &&
	    miss.end == INT32_MIN)) {
		suppress(r, debtor, ccy, p, pending ? "promise_pending" :
		    plan_st == PLAN_ACTIVE ? "plan_active" : "plan_in_arrears");
		res = 0;
		goto out;
	}
	if (plan_st == PLAN_IN_ARREARS) {
		res = miss_rows(r, debtor, ccy, p, h, el, nel, &miss, d);
		goto out;
	}
	for (size_t i = 0; i < nel; i++) {
		if (money_add(amount, el[i]->open, &amount) != 0)
			amount = INT64_MAX;
		if (el[i]->due < r->o.as_of &&
		    money_add(over, el[i]->open, &over) != 0)
			over = INT64_MAX;
	}
	/* A step's minimum is judged on the balance the communication asks
	 * for (reaches): with credits netted, a letter before action must
	 * not go out for 50.00 when the client's minimum for one is
	 * 100.00. */
	if (money_add(amount, netted, &amount) != 0 || amount < 0)
		amount = 0;
	if (money_add(over, netted, &over) != 0 || over < 0)
		over = 0;
	/* Each item's step now: the last whose day has come, among the
	 * steps its debtor's balance is large enough for. */
	for (size_t i = 0; i < nel; i++) {
		size_t np = 0;

		pauses(r, el[i]->doc_id, &op, &cl, &np);
		el[i]->pos = -1;
		for (size_t k = 0; k < p->nsteps; k++) {
			if (!reaches(&p->steps[k], ccy, amount, over))
				continue;
			if (chase_item_step(c, p, k, el[i]->due, op, cl, np) <=
			    r->o.as_of)
				el[i]->pos = (int)k;
		}
		if (el[i]->pos > L)
			L = el[i]->pos;
	}
	for (size_t k = 0; k < p->nsteps; k++)
		if (done_mask(h, &p->steps[k], ccy, el, nel) != 0)
			last_done = (int)k;
	/* A broken promise or plan that no action has answered yet.  The
	 * day it broke may be a weekend or a holiday: the answer is due on
	 * the next business day, as a step's day is. */
	if (plan_st == PLAN_BROKEN && !acted_since(h, broken_plan, ccy)) {
		t = p->broken_plan >= 0 ? p->broken_plan :
		    next_escalation(p, -1, h, ccy, el, nel, amount, over);
		why = plan_ended == 1 ? "plan_ended" : plan_ended == 2 ?
		    "plan_no_contact" : "plan_broken";
		answer = calendar_roll(&c->cal, broken_plan);
	}
	if (t < 0 && broken_promise != INT32_MIN &&
	    !acted_since(h, broken_promise, ccy)) {
		t = p->broken_promise >= 0 ? p->broken_promise :
		    next_escalation(p, last_done, h, ccy, el, nel,
		    amount, over);
		why = "promise_broken";
		answer = calendar_roll(&c->cal, broken_promise);
	}
	if (t >= 0 && done_mask(h, &p->steps[t], ccy, el, nel) ==
	    p->steps[t].channels)
		t = -1;		/* that step is done already */
	/* Not yet its business day: nothing else either, or a polite step
	 * planned today would count as the answer. */
	if (t >= 0 && answer > r->o.as_of) {
		w = suppress(r, debtor, ccy, p, "not_business_day");
		if (w)
			w->step = t;
		res = 0;
		goto out;
	}
	if (t < 0) {
		why = NULL;
		if (L < 0) {
			suppress(r, debtor, ccy, p, "not_due");
			res = 0;
			goto out;
		}
		if (L <= last_done) {
			t = L == last_done ? L : -1;
			if ((t < 0 || done_mask(h, &p->steps[t], ccy, el, nel)
			    == p->steps[t].channels) && (nfresh = fresh_items(r,
			    p, last_done, h, ccy, el, nel, amount, over, fresh))
			    > 0) {
				/* The path has ended but new debt has come:
				 * the last step again, for all of it. */
				t = last_done;
				why = "new_items";
			} else if (t < 0 || done_mask(h, &p->steps[t], ccy, el,
			    nel) == p->steps[t].channels) {
				w = suppress(r, debtor, ccy, p, "done");
				if (w)
					w->step = last_done;
				res = 0;
				goto out;
			}
		} else if (c->missed == CHASE_MISSED_ALL) {
			for (t = last_done + 1; t < L; t++)
				if (reaches(&p->steps[t], ccy, amount, over) &&
				    !lapsed(&p->steps[t], el, nel, r->o.as_of))
					break;
		} else {
			/* The latest step; a required one missed on the
			 * way is never jumped over. */
			for (t = last_done + 1; t < L; t++)
				if (p->steps[t].required && reaches(&p->steps[t],
				    ccy, amount, over) && !lapsed(&p->steps[t], el,
				    nel, r->o.as_of))
					break;
		}
		for (int k = last_done + 1; k < t; k++)
			if (reaches(&p->steps[k], ccy, amount, over))
				sbuf_addf(&skipped, "%s%s", skipped.len ? "," :
				    "", p->steps[k].name);
	}
	/* The items the communication lists: those at a step; for a step
	 * after the due date, the overdue ones. */
	for (size_t i = 0; i < nel; i++) {
		int overdue = el[i]->due < r->o.as_of;

		if ((el[i]->pos >= 0 || why != NULL) &&
		    (p->steps[t].due_offset <= 0 || overdue))
			inc[ninc++] = el[i];
	}
	if (ninc == 0) {
		suppress(r, debtor, ccy, p, "not_due");
		res = 0;
		goto out;
	}
	amount = netted;
	for (size_t i = 0; i < ninc; i++) {
		int32_t sd;
		size_t np = 0;

		if (money_add(amount, inc[i]->open, &amount) != 0)
			amount = INT64_MAX;
		if (inc[i]->due < mindue)
			mindue = inc[i]->due;
		pauses(r, inc[i]->doc_id, &op, &cl, &np);
		sd = chase_item_step(c, p, (size_t)t, inc[i]->due, op, cl, np);
		if (sd <= r->o.as_of && sd > step_date)
			step_date = sd;
	}
	if (nfresh > 0)
		step_date = r->o.as_of;
	if (why == NULL)
		why = step_date == r->o.as_of ? "due" : "missed";
	/* Every day the rules work out is rolled to a business day, so on
	 * a weekend or a holiday only a step missed earlier could be due:
	 * caught up today it would go out on a day no step may, so it waits
	 * for the next business day like the rest. */
	if (!calendar_is_business(&c->cal, r->o.as_of)) {
		w = suppress(r, debtor, ccy, p, "not_business_day");
		if (w)
			w->step = t;
		res = 0;
		goto out;
	}
	/* What the row asks for, as emit-letters judges it: the step's
	 * minimum (chase_step_minimum) on the items listed. */
	if (amount < chase_step_minimum(c, &p->steps[t], ccy)) {
		w = suppress(r, debtor, ccy, p, amount < threshold(
		    c->min_balance, ccy) || amount <= 0 ? "below_min_balance" :
		    "below_min_amount");
		if (w) {
			w->step = t;
			w->amount = amount;
			w->has_amount = 1;
		}
		res = 0;
		goto out;
	}
	/* The letter before action gave a deadline (the letter of claim
	 * to a consumer or sole trader pap_days to reply, DOMAIN.md 3.3:
	 * no claim before them): no hand-over to an agency or a solicitor
	 * before that day, even when a catch-up puts the step the next. */
	if (claim_step(&p->steps[t])) {
		int pap;
		int32_t until = claim_until(r, p, h, ccy, &pap);

		if (until != INT32_MIN && r->o.as_of < until) {
			w = suppress(r, debtor, ccy, p, pap ? "pap_reply" :
			    "letter_deadline");
			if (w) {
				w->step = t;
				w->step_date = until;
			}
			res = 0;
			goto out;
		}
	}
	/* New items at the end of the path: done is what they had. */
	done = nfresh > 0 ? done_mask(h, &p->steps[t], ccy, fresh, nfresh) :
	    done_mask(h, &p->steps[t], ccy, el, nel);
	/* The gap is between steps: the other channels of a step begun
	 * today (its e-mail sent, its call still to make) are not held. */
	if (c->min_gap > 0 && done == 0 && h->last_contact != INT32_MIN &&
	    r->o.as_of < gap_until(c, h->last_contact)) {
		w = suppress(r, debtor, ccy, p, "min_gap");
		if (w)
			w->step = t;
		res = 0;
		goto out;
	}
	/* One step a day: a re-run after today's actions were recorded
	 * must not move on to the next step (missed_steps: all would). */
	if (done == 0 && step_today(h, ccy, p->steps[t].name, r->o.as_of)
	    != NULL) {
		w = suppress(r, debtor, ccy, p, "acted_today");
		if (w)
			w->step = t;
		res = 0;
		goto out;
	}
	zone = debtor_zone(r, debtor, h);
	for (int ch = 0; ch < CHASE_NCHANNELS; ch++) {
		const char *rw = why;
		int open = 1;

		if (!(p->steps[t].channels & (1u << ch)) || (done & (1u << ch)))
			continue;
		if (c->has_hours[ch])
			open = calendar_hours_open(&c->hours[ch][who], &c->cal,
			    r->o.as_of);
		if (!open && !r->o.suppressed)
			continue;
		if (!open)
			rw = "outside_hours";
		w = new_row(r, debtor, ccy, p, rw);
		w->planned = open;
		w->step = t;
		w->channel = ch;
		w->doc_ids = join_docs(inc, ninc);
		w->amount = amount;
		w->has_amount = 1;
		w->dpd = r->o.as_of - mindue;
		w->has_dpd = 1;
		w->step_date = step_date;
		w->credit_ids = credit_ids ? xstrdup(credit_ids) : NULL;
		w->credit_amount = credits;
		w->has_credits = credit_ids != NULL;
		w->skipped = skipped.len ? xstrdup(sbuf_str(&skipped)) : NULL;
		if (open && c->has_hours[ch] && (calendar_local_time(zone,
		    r->o.as_of, c->hours[ch][who].from, w->win_start, d) != 0 ||
		    calendar_local_time(zone, r->o.as_of,
		    c->hours[ch][who].to, w->win_end, d) != 0))
			goto out;
	}
	res = 0;
out:
	free(el);
	free(inc);
	free(fresh);
	free(op);
	free(cl);
	free(credit_ids);
	sbuf_free(&skipped);
	return res;
}

/* Writing the plan */

static struct chase_run *sort_run;	/* qsort has no context argument */

static int
cmp_group(const void *x, const void *y)
{
	const struct citem *a = *(struct citem *const *)x;
	const struct citem *b = *(struct citem *const *)y;
	int k = strcmp(sort_run->debtors[a->debtor].ref,
	    sort_run->debtors[b->debtor].ref);

	return k ? k : strcmp(a->ccy, b->ccy);
}

static int
cmp_row(const void *x, const void *y)
{
	const struct crow *a = x, *b = y;
	int k = strcmp(sort_run->debtors[a->debtor].ref,
	    sort_run->debtors[b->debtor].ref);

	if (k == 0)
		k = strcmp(a->ccy, b->ccy);
	if (k == 0 && a->step != b->step)
		k = a->step < b->step ? -1 : 1;
	if (k == 0 && a->channel != b->channel)
		k = a->channel < b->channel ? -1 : 1;
	return k;
}

/* cmp_urgent: for the limits, the most overdue first, then the largest,
 * then by debtor (so the cut is the same on every run). */
static int
cmp_urgent(const void *x, const void *y)
{
	const struct crow *a = *(struct crow *const *)x;
	const struct crow *b = *(struct crow *const *)y;

	if (a->dpd != b->dpd)
		return a->dpd > b->dpd ? -1 : 1;
	if (a->amount != b->amount)
		return a->amount > b->amount ? -1 : 1;
	return cmp_row(a, b);
}

static void
apply_limits(struct chase_run *r)
{
	struct crow **v = xreallocarray(NULL, r->nrows ? r->nrows : 1,
	    sizeof *v);

	for (int ch = 0; ch < CHASE_NCHANNELS; ch++) {
		size_t n = 0;

		if (r->c->limit[ch] < 0)
			continue;
		for (size_t i = 0; i < r->nrows; i++)
			if (r->rows[i].planned && r->rows[i].channel == ch)
				v[n++] = &r->rows[i];
		qsort(v, n, sizeof *v, cmp_urgent);
		for (size_t i = (size_t)r->c->limit[ch]; i < n; i++) {
			v[i]->planned = 0;
			v[i]->reason = "limit";
		}
	}
	free(v);
}

static void
put_money(FILE *out, int has, int64_t v, const char *ccy)
{
	char buf[MONEY_BUFSZ];
	int digits = money_minor_digits(ccy);

	tsv_sep(out);
	if (has)
		fputs(money_format(v, digits < 0 ? 2 : digits, buf), out);
}

static void
put(FILE *out, const char *s)
{
	tsv_sep(out);
	if (s)
		tsv_put(out, s);
}

static void
write_row(struct chase_run *r, const struct crow *w, FILE *out)
{
	const struct cdebtor *db = &r->debtors[w->debtor];
	const struct chase_step *s = w->xstep ? w->xstep : w->path &&
	    w->step >= 0 ? &w->path->steps[w->step] : NULL;
	char day[DATE_BUFSZ];
	struct sbuf reason = { 0 };

	tsv_put(out, db->ref);
	/* The name is for the person reviewing the plan: what would hide
	 * or reorder the row's text (a right-to-left override, an escape
	 * sequence) is shown as U+FFFD instead. */
	util_visible(db->name, &r->vis);
	put(out, sbuf_str(&r->vis));
	put(out, w->path ? w->path->name : NULL);
	put(out, s ? s->name : NULL);
	put(out, w->channel >= 0 ? channel_names[w->channel] : NULL);
	put(out, s && w->channel >= 0 ? s->template : NULL);
	put(out, w->doc_ids);
	put(out, w->ccy);
	put_money(out, w->has_amount, w->amount, w->ccy);
	tsv_sep(out);
	if (w->has_dpd)
		fprintf(out, "%ld", (long)w->dpd);
	sbuf_adds(&reason, w->reason);
	if (w->detail)
		sbuf_addf(&reason, "_%s", w->detail);
	put(out, sbuf_str(&reason));
	sbuf_free(&reason);
	put(out, w->win_start[0] ? w->win_start : NULL);
	put(out, w->win_end[0] ? w->win_end : NULL);
	put(out, s ? s->tone : NULL);
	put(out, s ? s->escalation : NULL);
	put(out, w->step_date != INT32_MIN ? date_format(w->step_date, day) :
	    NULL);
	put(out, w->credit_ids);
	put_money(out, w->has_credits, w->credit_amount, w->ccy);
	put(out, w->skipped);
	if (r->has_band)
		put(out, db->score_band);
	if (r->has_score)
		put(out, db->score);
	/* With the rows not planned in the same stream, a column no
	 * reader can miss says which rows are actions. */
	if (r->o.suppressed)
		put(out, w->planned ? "1" : "0");
	tsv_end(out);
}

long
chase_write(struct chase_run *r, FILE *out, long *problems, struct diag *d)
{
	struct citem **v = xreallocarray(NULL, r->nitems ? r->nitems : 1,
	    sizeof *v);
	long planned = 0;
	int res = 0;

	if (load_pauses(r, d) != 0) {
		free(v);
		return -1;
	}
	for (size_t i = 0; i < r->nitems; i++)
		v[i] = &r->items[i];
	sort_run = r;
	qsort(v, r->nitems, sizeof *v, cmp_group);
	for (size_t i = 0; i < r->nitems && res == 0;) {
		size_t debtor = v[i]->debtor, j = i;
		struct hist h;

		if (load_hist(r, r->debtors[debtor].ref, &h, d) != 0) {
			res = -1;
			break;
		}
		while (j < r->nitems && v[j]->debtor == debtor) {
			size_t k = j;

			while (k < r->nitems && v[k]->debtor == debtor &&
			    strcmp(v[k]->ccy, v[j]->ccy) == 0)
				k++;
			if (plan_group(r, debtor, v[j]->ccy, v + j, k - j, &h,
			    d) != 0) {
				res = -1;
				break;
			}
			j = k;
		}
		hist_free(&h);
		i = j;
	}
	free(v);
	if (res != 0)
		return -1;
	apply_limits(r);
	sort_run = r;
	if (r->nrows > 0)
		qsort(r->rows, r->nrows, sizeof *r->rows, cmp_row);
	fputs(CHASE_HEADER, out);
	if (r->has_band)
		fputs("\tscore_band", out);
	if (r->has_score)
		fputs("\tscore", out);
	if (r->o.suppressed)
		fputs("\tplanned", out);
	tsv_end(out);
	for (size_t i = 0; i < r->nrows; i++) {
		if (r->rows[i].planned)
			planned++;
		if (r->rows[i].planned || r->o.suppressed)
			write_row(r, &r->rows[i], out);
	}
	*problems = r->problems;
	return planned;
}

/*
 * check_contacts: plan_group's last two stops, for a row sent now: one
 * step a debtor and currency a day (another step sent today: v->other,
 * named from the config, since h is freed), and the gap between steps,
 * chase.min_days_between_contacts, from the last contact on an earlier
 * day (today's are the plan's own, made before any of them was sent: a
 * debtor's second currency, or a step's other channels).  A step begun
 * (sent on a channel, on any day) is not held by the gap, as the plan
 * does not hold its other channels.
 */
static void
check_contacts(struct chase_run *r, const struct hist *h, const char *ccy,
    const char *step, struct chase_verdict *v)
{
	const struct chase_config *c = r->c;
	const struct caction *a = step_today(h, ccy, step, r->o.as_of);
	int begun = 0;

	if (a != NULL) {
		v->why = "acted_today";
		v->other = "another step";
		for (size_t k = 0; k < c->npaths; k++)
			for (size_t n = 0; n < c->paths[k].nsteps; n++)
				if (strcmp(c->paths[k].steps[n].name,
				    a->step) == 0)
					v->other = c->paths[k].steps[n].name;
		return;
	}
	for (size_t i = 0; i < h->nact && !begun; i++)
		begun = strcmp(h->act[i].step, step) == 0 &&
		    (h->act[i].ccy[0] == '\0' || strcmp(h->act[i].ccy, ccy) ==
		    0);
	if (c->min_gap > 0 && !begun && h->prev_contact != INT32_MIN &&
	    r->o.as_of < gap_until(c, h->prev_contact)) {
		v->why = "min_gap";
		v->last = h->prev_contact;
		v->until = gap_until(c, h->prev_contact);
	}
}

int
chase_check_send(struct chase_run *r, const char *ref, const char *ccy,
    const char *path, const char *step, struct chase_verdict *v,
    struct diag *d)
{
	struct hist h;
	int k = -1, pending, plan_st, ended, res = 0;
	int32_t broken;
	struct plan_miss miss;

	memset(v, 0, sizeof *v);
	if (load_hist(r, ref, &h, d) != 0)
		return -1;
	if (path != NULL && *path != '\0') {
		k = chase_path_find(r->c, path);
		/* A debtor given its own path is chased on that one only;
		 * another is chased on one the rules can give it. */
		if (k >= 0 && ((h.chase_path != NULL &&
		    strcmp(h.chase_path, path) != 0) || (h.chase_path == NULL
		    && !path_may_be(r->c, &h, (size_t)k))))
			k = -1;
		v->path = k >= 0 ? r->c->paths[k].name : NULL;
	} else {
		k = path_of(r->c, &h, NULL);
		v->path = k >= 0 ? r->c->paths[k].name : NULL;
	}
	/* The stops in plan_group's order, with its reasons. */
	if (h.hold != NULL)
		v->why = "hold";
	else if (h.restricted)
		v->why = "restricted";
	else if (k < 0)
		v->why = "unknown_path";
	else {
		const struct chase_path *p = &r->c->paths[k];
		size_t i;

		int pm = strcmp(step, CHASE_PLAN_MISSED) == 0;

		for (i = 0; i < p->nsteps; i++)
			if (strcmp(p->steps[i].name, step) == 0)
				break;
		if (i < p->nsteps)
			v->step = &p->steps[i];
		else if (pm)
			v->step = &r->c->plan_missed;
		if (i == p->nsteps && !pm)
			v->why = "not_a_step";
		else if (promises(r, &h, ccy, &pending, &broken, d) != 0 ||
		    plans(r, &h, ccy, &plan_st, &broken, &ended, &miss,
		    d) != 0)
			res = -1;
		else if (pending)
			v->why = "promise_pending";
		else if (plan_st == PLAN_ACTIVE)
			v->why = "plan_active";
		else if (plan_st == PLAN_IN_ARREARS && (!pm ||
		    miss.end == INT32_MIN))
			v->why = "plan_in_arrears";
		else if (pm && plan_st != PLAN_IN_ARREARS)
			v->why = "plan_not_missed";
		else if (pm) {
			/* The plan's own contact: no step of the path, so
			 * neither the gap nor the day's step judge it. */
			v->inst_due = miss.due;
			v->inst_arrears = miss.arrears;
		} else
			check_contacts(r, &h, ccy, step, v);
	}
	hist_free(&h);
	return res;
}

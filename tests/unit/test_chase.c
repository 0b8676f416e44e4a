/*
 * Unit tests of lib/chase: the default path of DOMAIN.md 4.1 when the
 * config has none; its Easter example (D = Fri 15 Mar 2024, England and
 * Wales 2024 bank holidays) and its query pause example (25 Mar to 4 Apr)
 * through chase_item_step, with two pauses, two overlapping ones (paused
 * once), a pause after every step and a pause of no days; offsets from the previous step; the configuration's
 * keys, defaults and every kind of bad value with its line; the plan's
 * document lists, escaped and split.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "chase.h"
#include "config.h"
#include "date.h"
#include "util.h"
#include "t.h"

static int32_t
day(const char *iso)
{
	int32_t d = 0;

	if (date_parse_iso(iso, &d) != 0)
		printf("# bad date in a test: %s\n", iso);
	return d;
}

static const char ew[] =
    "chase:\n"
    "  calendar:\n"
    "    holidays: [2024-01-01, 2024-03-29, 2024-04-01, 2024-05-06,\n"
    "               2024-05-27, 2024-08-26, 2024-12-25, 2024-12-26]\n";

static int
load(const char *yaml, struct chase_config *c, struct diag *d)
{
	struct cfg_node *root = NULL;
	int rc;

	diag_clear(d);
	if (cfg_parse_string(yaml, strlen(yaml), "t", &root, d) != 0) {
		printf("# yaml: %s\n", d->msg);
		return -2;
	}
	rc = chase_config_load(root, c, d);
	cfg_free(root);
	return rc;
}

static void
steps(const struct chase_config *c, int32_t due, const int32_t *op,
    const int32_t *cl, size_t n, const char *const *want)
{
	const struct chase_path *p = &c->paths[0];
	char buf[DATE_BUFSZ];

	for (size_t k = 0; k < p->nsteps; k++)
		CHECK_STR(date_format(chase_item_step(c, p, k, due, op, cl, n),
		    buf), want[k]);
}

static void
test_default_path(void)
{
	struct chase_config c;
	struct diag d;
	const struct chase_path *p;

	CHECK_INT(load(ew, &c, &d), 0);
	CHECK_INT(c.npaths, 1);
	p = &c.paths[0];
	CHECK_STR(p->name, "default");
	CHECK_INT(p->nsteps, 7);
	CHECK_STR(p->steps[0].name, "S0");
	CHECK_INT(p->steps[0].due_offset, -5);
	CHECK_INT(p->steps[6].due_offset, 45);
	CHECK_INT(p->steps[2].channels, 1u << CHASE_EMAIL | 1u << CHASE_CALL);
	CHECK_STR(p->steps[5].escalation, "letter_before_action");
	CHECK(p->steps[5].required && !p->steps[4].required);
	CHECK_INT(c.missed, CHASE_MISSED_LATEST);
	CHECK_STR(c.time_zone, "UTC");
	CHECK_INT(c.limit[CHASE_CALL], -1);
	CHECK(c.has_hours[CHASE_CALL] && !c.has_hours[CHASE_EMAIL]);
	CHECK_INT(c.hours[CHASE_CALL][0].from, 9 * 60);
	CHECK_INT(c.hours[CHASE_CALL][0].to, 17 * 60 + 30);
	CHECK_INT(c.hours[CHASE_CALL][1].days, CAL_WEEKDAYS | CAL_SAT);
	/* A plan's first miss: one e-mail, template plan_missed, 1 day. */
	CHECK_STR(c.plan_missed.name, "plan_missed");
	CHECK_STR(c.plan_missed.template, "plan_missed");
	CHECK_INT(c.plan_missed.channels, 1u << CHASE_EMAIL);
	CHECK_INT(c.plan_missed.offset, 1);
	CHECK(c.plan_missed.escalation == NULL);
	chase_config_free(&c);
	CHECK_INT(load("chase:\n  plan_missed: { channel: [letter, sms], "
	    "template: late, days: 2 }\n", &c, &d), 0);
	CHECK_INT(c.plan_missed.channels, 1u << CHASE_LETTER |
	    1u << CHASE_SMS);
	CHECK_STR(c.plan_missed.template, "late");
	CHECK_INT(c.plan_missed.offset, 2);
	chase_config_free(&c);
	CHECK_INT(load("chase:\n  plan_missed: { days: 0 }\n", &c, &d), -1);
	CHECK_STR(d.msg, "chase.plan_missed.days: 0 is less than 1");
	chase_config_free(&c);
	/* No file at all: the same path. */
	CHECK_INT(chase_config_load(NULL, &c, &d), 0);
	CHECK_INT(c.paths[0].nsteps, 7);
	chase_config_free(&c);
}

static void
test_easter(void)
{
	static const char *const want[] = {
		"2024-03-11", "2024-03-15", "2024-03-22", "2024-04-02",
		"2024-04-05", "2024-04-15", "2024-04-29"
	};
	static const char *const paused[] = {
		"2024-03-11", "2024-03-15", "2024-03-22", "2024-04-08",
		"2024-04-15", "2024-04-24", "2024-05-09"
	};
	/* Two pauses: 25 Mar-4 Apr (10 days), then 20-25 Apr (5 days):
	 * S5 (24 Apr, after the first shift) is after the second start. */
	static const char *const twice[] = {
		"2024-03-11", "2024-03-15", "2024-03-22", "2024-04-08",
		"2024-04-15", "2024-04-29", "2024-05-14"
	};
	/* A pause of 2 days that began before S0: every step moves. */
	static const char *const early[] = {
		"2024-03-12", "2024-03-18", "2024-03-25", "2024-04-02",
		"2024-04-08", "2024-04-16", "2024-05-01"
	};
	struct chase_config c;
	struct diag d;
	int32_t op[2], cl[2];

	CHECK_INT(load(ew, &c, &d), 0);
	steps(&c, day("2024-03-15"), NULL, NULL, 0, want);
	op[0] = day("2024-03-25");
	cl[0] = day("2024-04-04");
	steps(&c, day("2024-03-15"), op, cl, 1, paused);
	/* In either order. */
	op[1] = op[0];
	cl[1] = cl[0];
	op[0] = day("2024-04-20");
	cl[0] = day("2024-04-25");
	steps(&c, day("2024-03-15"), op, cl, 2, twice);
	op[0] = day("2024-03-01");
	cl[0] = day("2024-03-03");
	steps(&c, day("2024-03-15"), op, cl, 1, early);
	/* Opened and closed the same day: no pause. */
	op[0] = cl[0] = day("2024-03-25");
	steps(&c, day("2024-03-15"), op, cl, 1, want);
	/* Two queries at once, 25 Mar-4 Apr and 1-4 Apr (inside it), or
	 * 25 Mar-1 Apr and 28 Mar-4 Apr (overlapping): paused 10 days, as
	 * one query, not 13 or 14. */
	op[0] = day("2024-03-25");
	cl[0] = day("2024-04-04");
	op[1] = day("2024-04-01");
	cl[1] = day("2024-04-04");
	steps(&c, day("2024-03-15"), op, cl, 2, paused);
	cl[0] = day("2024-04-01");
	op[1] = day("2024-03-28");
	steps(&c, day("2024-03-15"), op, cl, 2, paused);
	chase_config_free(&c);
}

static void
test_paths(void)
{
	static const char y[] =
	    "chase:\n"
	    "  default_path: b\n"
	    "  time_zone: Europe/London\n"
	    "  min_days_between_contacts: 6\n"
	    "  min_balance: 25.50\n"
	    "  missed_steps: all\n"
	    "  net_credits: yes\n"
	    "  limits: { call: 40, letter: 0 }\n"
	    "  hours:\n"
	    "    call:\n"
	    "      business: { days: mon-thu, from: \"10:00\", to: \"16:00\" }\n"
	    "    sms:\n"
	    "      consumer: { days: mon-sat, from: \"09:00\", to: \"19:00\" }\n"
	    "  select:\n"
	    "    - { segment: vip, type: business, path: a }\n"
	    "    - { score_band: D, path: b }\n"
	    "paths:\n"
	    "  a:\n"
	    "    broken_promise: last\n"
	    "    steps:\n"
	    "      - { step: first, offset: 3, channel: [sms, email],\n"
	    "          template: t1, tone: kind, min_amount: 10 }\n"
	    "      - { step: next, offset: 4, from: previous, channel: call }\n"
	    "      - { step: last, offset: 7, from: previous, channel: task,\n"
	    "          escalation: stop_supply, required: false }\n"
	    "  b:\n"
	    "    steps: [ { step: only, offset: 0, channel: letter } ]\n";
	struct chase_config c;
	struct diag d;
	const struct chase_path *a;

	CHECK_INT(load(y, &c, &d), 0);
	if (d.msg[0])
		printf("# %ld: %s\n", d.line, d.msg);
	CHECK_INT(c.npaths, 2);
	CHECK_INT(c.default_path, 1);
	CHECK_INT(chase_path_find(&c, "a"), 0);
	CHECK_INT(chase_path_find(&c, "z"), -1);
	a = &c.paths[0];
	CHECK_INT(a->steps[1].due_offset, 7);
	CHECK_INT(a->steps[2].due_offset, 14);
	CHECK_INT(a->broken_promise, 2);
	CHECK_INT(a->broken_plan, -1);
	CHECK_STR(a->steps[0].template, "t1");
	CHECK_STR(a->steps[1].template, "next");
	CHECK_STR(a->steps[0].tone, "kind");
	CHECK(a->steps[1].tone == NULL);
	CHECK_INT(a->steps[0].min_amount, 1000);
	CHECK_INT(a->steps[0].channels, 1u << CHASE_SMS | 1u << CHASE_EMAIL);
	CHECK(!a->steps[2].required);
	CHECK_STR(a->steps[2].escalation, "stop_supply");
	CHECK_STR(c.time_zone, "Europe/London");
	CHECK_INT(c.min_gap, 6);
	CHECK_INT(c.min_balance, 2550);
	CHECK_INT(c.missed, CHASE_MISSED_ALL);
	CHECK(c.net_credits && !c.net_unapplied);
	CHECK_INT(c.limit[CHASE_CALL], 40);
	CHECK_INT(c.limit[CHASE_LETTER], 0);
	CHECK_INT(c.limit[CHASE_EMAIL], -1);
	CHECK_INT(c.hours[CHASE_CALL][0].from, 600);
	CHECK_INT(c.hours[CHASE_CALL][0].days, 0x0F);
	/* Consumer call hours stay DOMAIN.md 4.2's. */
	CHECK_INT(c.hours[CHASE_CALL][1].from, 480);
	/* SMS given for consumers only: businesses get the same. */
	CHECK(c.has_hours[CHASE_SMS]);
	CHECK_INT(c.hours[CHASE_SMS][0].from, 540);
	CHECK_INT(c.nrules, 2);
	CHECK_STR(c.rules[0].segment, "vip");
	CHECK_STR(c.rules[0].type, "business");
	CHECK_INT(c.rules[1].path, 1);
	chase_config_free(&c);
}

static void
test_errors(void)
{
	static const struct { const char *yaml, *msg; long line; } t[] = {
		{ "chase: 1\n", "chase: must be a map", 1 },
		{ "chase:\n  foo: 1\n", "unknown key \"foo\" in chase", 2 },
		{ "paths: []\n", "paths: must be a map", 1 },
		{ "paths:\n  a: 1\n", "paths.a: must be a map", 2 },
		{ "paths:\n  a:\n    steps: []\n", "paths.a.steps: must be a "
		    "list", 3 },
		{ "paths:\n  a b:\n    steps: [{step: x, offset: 0, channel: "
		    "email}]\n", "\"a b\" is not a path name", 2 },
		{ "paths:\n  a:\n    steps:\n      - {step: x, offset: 0}\n",
		    "paths.a.steps[1].channel: missing", 4 },
		{ "paths:\n  a:\n    steps:\n      - {step: x, offset: 0, "
		    "channel: [email, email]}\n", "channel: email twice", 4 },
		{ "paths:\n  a:\n    steps:\n      - {offset: 0, channel: "
		    "email}\n", "paths.a.steps[1].step: missing", 4 },
		{ "paths:\n  a:\n    steps:\n      - {step: x, offset: 9999, "
		    "channel: email}\n", "offset: 9999 is more than 3650", 4 },
		{ "paths:\n  a:\n    steps:\n      - {step: x, offset: 0, "
		    "channel: email}\n      - {step: y, offset: -1, from: "
		    "previous, channel: email}\n", "-1 days before the "
		    "previous step", 5 },
		{ "paths:\n  a:\n    steps:\n      - {step: x, offset: 0, "
		    "channel: email, colour: red}\n", "unknown key \"colour\" "
		    "in paths.a.steps[1]", 4 },
		{ "paths:\n  a:\n    steps:\n      - {step: x, offset: 0, "
		    "channel: email, min_amount: -5}\n", "min_amount: \"-5\" "
		    "is negative (an amount of 0 or more is needed)", 4 },
		{ "paths:\n  a:\n    steps:\n      - {step: x, offset: 0, "
		    "channel: email, min_amount: 5.x}\n", "min_amount: "
		    "\"5.x\" is not an amount", 4 },
		{ "chase:\n  min_balance: -10.00\n", "chase.min_balance: "
		    "\"-10.00\" is negative", 2 },
		{ "paths:\n  a:\n    steps:\n      - {step: x, offset: 0, "
		    "channel: email, required: maybe}\n", "required", 4 },
		{ "chase:\n  select: {a: 1}\n", "chase.select: must be a "
		    "list", 2 },
		{ "chase:\n  select:\n    - {type: robot, path: default}\n",
		    "chase.select[1].type: \"robot\" is not one of", 3 },
		{ "chase:\n  select:\n    - {segment: x}\n",
		    "chase.select[1].path: missing", 3 },
		{ "chase:\n  hours:\n    fax: {}\n", "chase.hours: \"fax\" "
		    "is not a channel", 3 },
		{ "chase:\n  hours:\n    sms:\n      business: {from: "
		    "\"09:00\", to: \"10:00\"}\n", "chase.hours.sms.business."
		    "days: missing", 4 },
		{ "chase:\n  hours:\n    call:\n      business: {days: mon, "
		    "from: \"17:00\", to: \"09:00\"}\n", "to must be after "
		    "from", 4 },
		{ "chase:\n  limits: {call: -1}\n", "chase.limits.call: -1 is "
		    "less than 0", 2 },
		{ "chase:\n  min_days_between_contacts: 400\n",
		    "is more than 365", 2 },
		{ "chase:\n  net_unapplied: perhaps\n", "net_unapplied", 2 },
	};

	for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
		struct chase_config c;
		struct diag d;
		int rc = load(t[i].yaml, &c, &d);

		CHECK_INT(rc, -1);
		if (strstr(d.msg, t[i].msg) == NULL || d.line != t[i].line)
			printf("# case %zu: got %ld: \"%s\"\n", i, d.line,
			    d.msg);
		CHECK(strstr(d.msg, t[i].msg) != NULL);
		CHECK_INT(d.line, t[i].line);
		chase_config_free(&c);
	}
}

/* The plan's document lists: what is written for a list of ids, and
 * what a reader splits it back into, ids holding the separator first. */
static void
test_docs(void)
{
	static const struct {
		const char *ids[3];
		const char *list;
	} t[] = {
		{ { "INV,7", NULL }, "INV\\,7" },
		{ { "A\\", "B", NULL }, "A\\\\,B" },
		{ { ",", "\\,", NULL }, "\\,,\\\\\\," },
		{ { "INV-1", "INV-2", NULL }, "INV-1,INV-2" },
		{ { "x", NULL }, "x" },
	};
	struct sbuf b = { 0 }, id = { 0 };

	for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
		const char *p;
		size_t k = 0;

		sbuf_reset(&b);
		for (size_t j = 0; t[i].ids[j]; j++)
			chase_docs_add(&b, t[i].ids[j]);
		CHECK_STR(sbuf_str(&b), t[i].list);
		p = t[i].list;
		while (chase_docs_next(&p, &id) == 1) {
			CHECK(k < 2 && t[i].ids[k] != NULL);
			if (k < 2 && t[i].ids[k] != NULL)
				CHECK_STR(sbuf_str(&id), t[i].ids[k]);
			k++;
		}
		CHECK(t[i].ids[k] == NULL);
	}
	/* A plain list written by hand, an empty id, a dangling escape. */
	{
		const char *p = "A,,B";

		CHECK_INT(chase_docs_next(&p, &id), 1);
		CHECK_STR(sbuf_str(&id), "A");
		CHECK_INT(chase_docs_next(&p, &id), 1);
		CHECK_STR(sbuf_str(&id), "");
		CHECK_INT(chase_docs_next(&p, &id), 1);
		CHECK_STR(sbuf_str(&id), "B");
		CHECK_INT(chase_docs_next(&p, &id), 0);
		p = "A\\";
		CHECK_INT(chase_docs_next(&p, &id), -1);
		p = "";
		CHECK_INT(chase_docs_next(&p, &id), 0);
	}
	sbuf_free(&b);
	sbuf_free(&id);
}

int
main(void)
{
	T_RUN(test_docs);
	T_RUN(test_default_path);
	T_RUN(test_easter);
	T_RUN(test_paths);
	T_RUN(test_errors);
	return T_DONE();
}

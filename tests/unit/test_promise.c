/*
 * Unit tests of lib/promise: DOMAIN.md section 1.8's promises P1-P5 with
 * g = 3 and g = 0 and their rates to the hundredth; the day boundaries
 * (paid on due + grace, one day late, asked the day before); a receipt
 * counted once by two promises; plans with one miss caught up, two
 * misses, paid ahead, and the schedule builder's month ends; holds.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "calendar.h"
#include "date.h"
#include "promise.h"
#include "t.h"

static int32_t
day(const char *iso)
{
	int32_t d = 0;

	if (date_parse_iso(iso, &d) != 0)
		printf("# bad date in a test: %s\n", iso);
	return d;
}

/* pct: num/den as a percentage to 2 dp, rounded half up, as text. */
static const char *
pct(int64_t num, int64_t den, char *buf)
{
	int64_t bp = (num * 20000 + den) / (2 * den);

	snprintf(buf, 48, "%lld.%02lld", (long long)(bp / 100),
	    (long long)(bp % 100));
	return buf;
}

/*
 * DOMAIN.md 1.8: five debtors, one promise each, made on 1 March; the
 * period is March, so as of 31 March.  P5 (due 2 April) is pending.
 */
static void
domain_1_8(int32_t g, const char *count, const char *value,
    const char *cash)
{
	static const struct {
		const char *due;
		int64_t amount;
		const char *paid_on;
		int64_t paid;
	} p[] = {
		{ "2024-03-05", 50000, "2024-03-05", 50000 },
		{ "2024-03-08", 100000, "2024-03-10", 100000 },
		{ "2024-03-12", 80000, "2024-03-11", 40000 },
		{ "2024-03-20", 30000, NULL, 0 },
		{ "2024-04-02", 70000, NULL, 0 },
	};
	int64_t kept = 0, judged = 0, kept_value = 0, promised = 0, got = 0;
	char a[48], b[48], c[48];

	for (size_t i = 0; i < sizeof p / sizeof p[0]; i++) {
		struct promise_eval e;
		struct promise_cash rc;

		memset(&e, 0, sizeof e);
		e.made_on = day("2024-03-01");
		e.due = day(p[i].due);
		e.grace = g;
		e.amount = p[i].amount;
		if (p[i].paid_on) {
			rc.day = day(p[i].paid_on);
			rc.amount = p[i].paid;
		}
		promise_evaluate(&e, 1, &rc, p[i].paid_on ? 1 : 0,
		    day("2024-03-31"));
		if (i == 4) {
			CHECK_STR(promise_status_name(e.status), "pending");
			continue;
		}
		CHECK(e.status != PROMISE_PENDING);
		judged++;
		promised += e.amount;
		got += e.paid;
		if (e.status == PROMISE_KEPT) {
			kept++;
			kept_value += e.amount;
		}
	}
	CHECK_STR(pct(kept, judged, a), count);
	CHECK_STR(pct(kept_value, promised, b), value);
	CHECK_STR(pct(got, promised, c), cash);
}

static void
test_domain_grace_3(void)
{
	domain_1_8(3, "50.00", "57.69", "73.08");
}

static void
test_domain_grace_0(void)
{
	/* P2's payment on 10 March is late without grace: 500 of 2,600
	 * kept.  The late 1,000 is still P2's cash (paid, not kept). */
	domain_1_8(0, "25.00", "19.23", "73.08");
}

/*
 * DOMAIN.md 1.8 again, the five promises one debtor's: its receipts are
 * attributed in order, so P2's late 1,000 (g = 0) is P2's and keeps
 * neither P3 nor P4; the figures are the five debtors'.
 */
static void
domain_1_8_one_debtor(int32_t g, const char *count, const char *value,
    const char *cash)
{
	static const char *const due[] = {
		"2024-03-05", "2024-03-08", "2024-03-12", "2024-03-20",
		"2024-04-02"
	};
	static const int64_t amount[] = { 50000, 100000, 80000, 30000,
	    70000 };
	struct promise_eval e[5];
	struct promise_cash c[3];
	int64_t kept = 0, judged = 0, kept_value = 0, promised = 0, got = 0;
	char a[48], b[48], x[48];

	memset(e, 0, sizeof e);
	for (size_t i = 0; i < 5; i++) {
		e[i].made_on = day("2024-03-01");
		e[i].due = day(due[i]);
		e[i].grace = g;
		e[i].amount = amount[i];
	}
	/* Given out of order: attributed by value date all the same. */
	c[0].day = day("2024-03-11");
	c[0].amount = 40000;
	c[1].day = day("2024-03-05");
	c[1].amount = 50000;
	c[2].day = day("2024-03-10");
	c[2].amount = 100000;
	promise_evaluate(e, 5, c, 3, day("2024-03-31"));
	CHECK_STR(promise_status_name(e[4].status), "pending");
	CHECK_INT(e[4].paid, 0);
	CHECK_INT(e[1].paid, 100000);
	CHECK_INT(e[2].paid, 40000);
	CHECK_INT(e[3].paid, 0);
	for (size_t i = 0; i < 4; i++) {
		CHECK(e[i].status != PROMISE_PENDING);
		judged++;
		promised += e[i].amount;
		got += e[i].paid;
		if (e[i].status == PROMISE_KEPT) {
			kept++;
			kept_value += e[i].amount;
		}
	}
	CHECK_STR(pct(kept, judged, a), count);
	CHECK_STR(pct(kept_value, promised, b), value);
	CHECK_STR(pct(got, promised, x), cash);
}

static void
test_domain_one_debtor(void)
{
	domain_1_8_one_debtor(3, "50.00", "57.69", "73.08");
	domain_1_8_one_debtor(0, "25.00", "19.23", "73.08");
}

static void
test_late_payment_and_replacement(void)
{
	/* 500 by 5 March (grace 0), 300 by 20 March: 800 on 10 March pays
	 * the first late (broken) and the second in time (kept).  A
	 * promise made on 8 March, after the first's deadline, replaces
	 * it: the 500 on 10 March is the new promise's. */
	struct promise_eval e[2];
	struct promise_cash c = { 0, 80000 };

	memset(e, 0, sizeof e);
	e[0].made_on = day("2024-03-01");
	e[0].due = day("2024-03-05");
	e[0].amount = 50000;
	e[1].made_on = day("2024-03-01");
	e[1].due = day("2024-03-20");
	e[1].amount = 30000;
	c.day = day("2024-03-10");
	promise_evaluate(e, 2, &c, 1, day("2024-03-31"));
	CHECK_INT(e[0].status, PROMISE_BROKEN);
	CHECK_INT(e[0].paid, 50000);
	CHECK_INT(e[1].status, PROMISE_KEPT);
	CHECK_INT(e[1].paid, 30000);
	/* 500 only: late for the first, nothing left for the second. */
	c.amount = 50000;
	promise_evaluate(e, 2, &c, 1, day("2024-03-31"));
	CHECK_INT(e[0].paid, 50000);
	CHECK_INT(e[1].status, PROMISE_BROKEN);
	CHECK_INT(e[1].paid, 0);
	/* Asked again on 8 March: the new promise takes the 500. */
	e[1].made_on = day("2024-03-08");
	e[1].due = day("2024-03-12");
	e[1].amount = 50000;
	promise_evaluate(e, 2, &c, 1, day("2024-03-31"));
	CHECK_INT(e[0].status, PROMISE_BROKEN);
	CHECK_INT(e[0].paid, 0);
	CHECK_INT(e[1].status, PROMISE_KEPT);
	CHECK_INT(e[1].paid, 50000);
	/* Made on its deadline (5 March) it does not replace it. */
	e[1].made_on = day("2024-03-05");
	promise_evaluate(e, 2, &c, 1, day("2024-03-31"));
	CHECK_INT(e[0].paid, 50000);
	CHECK_INT(e[1].status, PROMISE_BROKEN);
}

static void
test_boundaries(void)
{
	struct promise_eval e;
	struct promise_cash c = { 0, 10000 };
	static const struct {
		const char *paid, *as_of;
		enum promise_status want;
		int64_t paid_amount;
	} t[] = {
		/* due 2024-03-08 + 3: until 2024-03-11 */
		{ "2024-03-11", "2024-03-11", PROMISE_KEPT, 10000 },
		/* one day late: broken, the payment still its own */
		{ "2024-03-12", "2024-03-12", PROMISE_BROKEN, 10000 },
		{ "2024-03-05", "2024-03-10", PROMISE_PENDING, 10000 },
		{ "2024-03-20", "2024-03-10", PROMISE_PENDING, 0 },
		{ "2024-02-29", "2024-03-31", PROMISE_BROKEN, 0 },
		{ "2024-03-01", "2024-03-31", PROMISE_KEPT, 10000 },
	};

	for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
		memset(&e, 0, sizeof e);
		e.made_on = day("2024-03-01");
		e.due = day("2024-03-08");
		e.grace = 3;
		e.amount = 10000;
		c.day = day(t[i].paid);
		promise_evaluate(&e, 1, &c, 1, day(t[i].as_of));
		CHECK_INT(e.status, t[i].want);
		CHECK_INT(e.paid, t[i].paid_amount);
	}
	/* More than promised is kept; the excess is not counted. */
	memset(&e, 0, sizeof e);
	e.made_on = day("2024-03-01");
	e.due = day("2024-03-08");
	e.amount = 10000;
	c.day = day("2024-03-02");
	c.amount = 25000;
	promise_evaluate(&e, 1, &c, 1, day("2024-03-31"));
	CHECK_INT(e.status, PROMISE_KEPT);
	CHECK_INT(e.paid, 10000);
}

static void
test_cash_counted_once(void)
{
	/* One debtor promises 500 by 5 March and 300 by 10 March; it pays
	 * 600 on 4 March and 200 on 9 March: both kept, 800 in all.  Paid
	 * 500 only: the first is kept, the second broken. */
	struct promise_eval e[2];
	struct promise_cash c[2];

	memset(e, 0, sizeof e);
	/* Given in the other order: judged by due date all the same. */
	e[0].made_on = day("2024-03-01");
	e[0].due = day("2024-03-10");
	e[0].amount = 30000;
	e[1].made_on = day("2024-03-01");
	e[1].due = day("2024-03-05");
	e[1].amount = 50000;
	c[0].day = day("2024-03-09");
	c[0].amount = 20000;
	c[1].day = day("2024-03-04");
	c[1].amount = 60000;
	promise_evaluate(e, 2, c, 2, day("2024-03-31"));
	CHECK_INT(e[1].status, PROMISE_KEPT);
	CHECK_INT(e[1].paid, 50000);
	CHECK_INT(e[0].status, PROMISE_KEPT);
	CHECK_INT(e[0].paid, 30000);
	c[0].amount = 0;
	c[1].amount = 50000;
	promise_evaluate(e, 2, c, 2, day("2024-03-31"));
	CHECK_INT(e[1].status, PROMISE_KEPT);
	CHECK_INT(e[0].status, PROMISE_BROKEN);
	CHECK_INT(e[0].paid, 0);
}

static void
three_monthly(struct plan_inst *in)
{
	CHECK_INT(plan_schedule(30000, 3, PLAN_MONTHLY, day("2024-03-01"),
	    in), 0);
}

static void
test_plan_one_miss_caught_up(void)
{
	struct plan_inst in[3];
	struct plan_eval p;
	/* Nothing by 4 March (1 March + 3); 200 on 20 March catches up;
	 * 100 on 2 May pays the last. */
	struct promise_cash c[2] = {
		{ 0, 20000 }, { 0, 10000 }
	};

	c[0].day = day("2024-03-20");
	c[1].day = day("2024-05-02");
	three_monthly(in);
	memset(&p, 0, sizeof p);
	p.created = day("2024-02-25");
	p.grace = 3;
	p.total = 30000;
	plan_evaluate(&p, in, 3, c, 2, day("2024-03-10"));
	CHECK_STR(plan_inst_status_name(in[0].status), "missed");
	CHECK_STR(plan_status_name(p.status), "in_arrears");
	CHECK_INT(in[0].paid, 0);
	plan_evaluate(&p, in, 3, c, 2, day("2024-03-25"));
	CHECK_STR(plan_inst_status_name(in[0].status), "missed");
	CHECK_INT(in[0].paid, 10000);
	CHECK_STR(plan_inst_status_name(in[1].status), "pending");
	CHECK_INT(in[1].paid, 10000);
	CHECK_STR(plan_status_name(p.status), "active");
	plan_evaluate(&p, in, 3, c, 2, day("2024-04-04"));
	CHECK_STR(plan_inst_status_name(in[1].status), "kept");
	plan_evaluate(&p, in, 3, c, 2, day("2024-05-31"));
	CHECK_STR(plan_inst_status_name(in[0].status), "missed");
	CHECK_STR(plan_inst_status_name(in[1].status), "kept");
	CHECK_STR(plan_inst_status_name(in[2].status), "kept");
	CHECK_STR(plan_status_name(p.status), "completed");
	CHECK_INT(p.paid, 30000);
	/* More cash than the plan's total: applied stops at the total. */
	c[1].amount = 90000;
	plan_evaluate(&p, in, 3, c, 2, day("2024-05-31"));
	CHECK_STR(plan_status_name(p.status), "completed");
	CHECK_INT(p.paid, 30000);
	CHECK_INT(in[2].paid, 10000);
}

static void
test_plan_two_misses(void)
{
	struct plan_inst in[3];
	struct plan_eval p;
	/* 100 on time for March, nothing in April, 50 in May: April's is
	 * the first miss, May's the second; broken on 4 May. */
	struct promise_cash c[2] = { { 0, 10000 }, { 0, 5000 } };

	c[0].day = day("2024-03-01");
	c[1].day = day("2024-05-03");
	three_monthly(in);
	memset(&p, 0, sizeof p);
	p.created = day("2024-02-25");
	p.grace = 3;
	p.total = 30000;
	plan_evaluate(&p, in, 3, c, 2, day("2024-05-03"));
	CHECK_STR(plan_inst_status_name(in[0].status), "kept");
	CHECK_STR(plan_inst_status_name(in[1].status), "missed");
	CHECK_STR(plan_inst_status_name(in[2].status), "pending");
	CHECK_STR(plan_status_name(p.status), "in_arrears");
	plan_evaluate(&p, in, 3, c, 2, day("2024-05-04"));
	CHECK_STR(plan_inst_status_name(in[2].status), "broken");
	CHECK_STR(plan_status_name(p.status), "broken");
	CHECK_INT(p.broken_on, day("2024-05-04"));
	CHECK_INT(p.balance_due, 15000);
	CHECK_INT(p.paid, 15000);
	CHECK_INT(in[0].paid, 10000);
	CHECK_INT(in[1].paid, 5000);
	CHECK_INT(in[2].paid, 0);
	/* Cash after the break is not the plan's: it is cancelled. */
	c[1].amount = 50000;
	c[1].day = day("2024-05-20");
	plan_evaluate(&p, in, 3, c, 2, day("2024-05-31"));
	CHECK_STR(plan_status_name(p.status), "broken");
	CHECK_INT(p.paid, 10000);
	CHECK_INT(p.balance_due, 20000);
	c[1].amount = 5000;
	c[1].day = day("2024-05-03");
	/* Receipts before the plan was made do not count toward it. */
	c[0].day = day("2024-02-20");
	plan_evaluate(&p, in, 3, c, 2, day("2024-03-04"));
	CHECK_STR(plan_inst_status_name(in[0].status), "missed");
	/* Grace 0: 4 March is already a day late for 1 March. */
	c[0].day = day("2024-03-02");
	p.grace = 0;
	plan_evaluate(&p, in, 3, c, 2, day("2024-03-04"));
	CHECK_STR(plan_inst_status_name(in[0].status), "missed");
}

/* DOMAIN.md 4.1: a first miss asks for a contact within 1-2 days; one
 * miss plus no contact breaks the plan.  Nothing by 4 March (1 March +
 * 3 days' grace): the contact is due on Tue 5 March (days 1), may be
 * made until Wed 6 March, and without it the plan breaks on 7 March. */
static void
test_plan_miss_contact(void)
{
	static const struct {
		const char *as_of, *act;	/* act: NULL none */
		int days, holiday, rc;
		const char *status, *contact, *last;
	} t[] = {
		{ "2024-03-04", NULL, 1, 0, 0, "in_arrears", "2024-03-05",
		    "2024-03-06" },
		{ "2024-03-05", NULL, 1, 0, 2, "in_arrears", "2024-03-05",
		    "2024-03-06" },
		{ "2024-03-06", NULL, 1, 0, 2, "in_arrears", "2024-03-05",
		    "2024-03-06" },
		{ "2024-03-07", NULL, 1, 0, 1, "broken", "2024-03-05",
		    "2024-03-06" },
		/* the contact made: the plan waits for the next instalment */
		{ "2024-03-07", "2024-03-05", 1, 0, 0, "in_arrears",
		    "2024-03-05", "2024-03-06" },
		{ "2024-03-07", "2024-03-06", 1, 0, 0, "in_arrears",
		    "2024-03-05", "2024-03-06" },
		/* an action on the miss's day, or after the deadline, is
		 * not the contact */
		{ "2024-03-07", "2024-03-04", 1, 0, 1, "broken", "2024-03-05",
		    "2024-03-06" },
		{ "2024-03-08", "2024-03-07", 1, 0, 1, "broken", "2024-03-05",
		    "2024-03-06" },
		/* days 2, 6 March a holiday: contact and deadline 7 March */
		{ "2024-03-06", NULL, 2, 1, 0, "in_arrears", "2024-03-07",
		    "2024-03-07" },
		{ "2024-03-07", NULL, 2, 1, 2, "in_arrears", "2024-03-07",
		    "2024-03-07" },
		{ "2024-03-08", NULL, 2, 1, 1, "broken", "2024-03-07",
		    "2024-03-07" },
	};
	struct plan_inst in[3];
	struct plan_eval p;
	struct calendar cal;
	struct plan_miss m;

	for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
		int32_t act = t[i].act ? day(t[i].act) : 0;

		calendar_init(&cal);
		if (t[i].holiday)
			calendar_add_holiday(&cal, day("2024-03-06"));
		three_monthly(in);
		memset(&p, 0, sizeof p);
		memset(&m, 0, sizeof m);
		p.created = day("2024-02-25");
		p.grace = 3;
		p.total = 30000;
		plan_evaluate(&p, in, 3, NULL, 0, day(t[i].as_of));
		CHECK_INT(plan_miss_judge(&p, in, 3, &cal, t[i].days, &act,
		    t[i].act ? 1 : 0, day(t[i].as_of), &m), t[i].rc);
		CHECK_STR(plan_status_name(p.status), t[i].status);
		CHECK_INT(m.end, day("2024-03-04"));
		CHECK_INT(m.contact, day(t[i].contact));
		CHECK_INT(m.last, day(t[i].last));
		CHECK_INT(m.due, day("2024-03-01"));
		CHECK_INT(m.arrears, 10000);
		if (t[i].rc == 1) {
			CHECK_INT(p.broken_on, day(t[i].last) + 1);
			CHECK_INT(p.balance_due, 30000);
		}
		calendar_free(&cal);
	}
	/* Caught up before the contact's day: nothing to judge. */
	{
		struct promise_cash c = { 0, 10000 };

		c.day = day("2024-03-05");
		calendar_init(&cal);
		three_monthly(in);
		memset(&p, 0, sizeof p);
		p.created = day("2024-02-25");
		p.grace = 3;
		p.total = 30000;
		plan_evaluate(&p, in, 3, &c, 1, day("2024-03-08"));
		CHECK_STR(plan_status_name(p.status), "active");
		CHECK_INT(plan_miss_judge(&p, in, 3, &cal, 1, NULL, 0,
		    day("2024-03-08"), &m), 0);
		CHECK_STR(plan_status_name(p.status), "active");
		calendar_free(&cal);
	}
}

static void
test_plan_late_payment(void)
{
	struct plan_inst in[3];
	struct plan_eval p;
	/* 100 on 20 March, late for March's: it pays March's, not
	 * April's, so April's is the second miss and breaks the plan. */
	struct promise_cash c = { 0, 10000 };

	c.day = day("2024-03-20");
	three_monthly(in);
	memset(&p, 0, sizeof p);
	p.created = day("2024-02-25");
	p.grace = 3;
	p.total = 30000;
	plan_evaluate(&p, in, 3, &c, 1, day("2024-04-04"));
	CHECK_STR(plan_inst_status_name(in[0].status), "missed");
	CHECK_INT(in[0].paid, 10000);
	CHECK_STR(plan_inst_status_name(in[1].status), "broken");
	CHECK_INT(in[1].paid, 0);
	CHECK_STR(plan_status_name(p.status), "broken");
	CHECK_INT(p.balance_due, 20000);
}

static void
test_plans_share_cash(void)
{
	/* One debtor, two plans: A 3 x 100 monthly from 1 March, B 100 on
	 * 15 March.  100 on 1 March is A's (due first), 100 on 14 March
	 * B's (A's next is due in April): each is paid once.  Without the
	 * second receipt, B has nothing: missed, not kept by A's cash. */
	struct plan_inst a[3], b[1];
	struct plan_inst *in[2] = { a, b };
	size_t n[2] = { 3, 1 };
	struct plan_eval p[2];
	struct promise_cash c[2] = { { 0, 10000 }, { 0, 10000 } };

	c[0].day = day("2024-03-01");
	c[1].day = day("2024-03-14");
	three_monthly(a);
	memset(b, 0, sizeof b);
	b[0].due = day("2024-03-15");
	b[0].amount = 10000;
	memset(p, 0, sizeof p);
	p[0].created = p[1].created = day("2024-02-25");
	p[0].grace = p[1].grace = 3;
	p[0].total = 30000;
	p[1].total = 10000;
	plan_evaluate_all(p, in, n, 2, c, 2, day("2024-03-31"));
	CHECK_STR(plan_inst_status_name(a[0].status), "kept");
	CHECK_INT(a[0].paid, 10000);
	CHECK_INT(a[1].paid, 0);
	CHECK_INT(p[0].paid, 10000);
	CHECK_STR(plan_status_name(p[0].status), "active");
	CHECK_STR(plan_inst_status_name(b[0].status), "kept");
	CHECK_STR(plan_status_name(p[1].status), "completed");
	CHECK_INT(p[1].paid, 10000);
	plan_evaluate_all(p, in, n, 2, c, 1, day("2024-03-31"));
	CHECK_STR(plan_inst_status_name(a[0].status), "kept");
	CHECK_STR(plan_inst_status_name(b[0].status), "missed");
	CHECK_INT(p[1].paid, 0);
	CHECK_STR(plan_status_name(p[1].status), "in_arrears");
	/* A plan made after a receipt does not take it. */
	p[1].created = day("2024-03-05");
	c[1].day = day("2024-03-02");
	plan_evaluate_all(p, in, n, 2, c, 2, day("2024-03-31"));
	CHECK_INT(p[0].paid, 20000);
	CHECK_INT(p[1].paid, 0);
}

static void
test_plan_broken_cancels_rest(void)
{
	struct plan_inst in[4];
	struct plan_eval p;

	CHECK_INT(plan_schedule(40000, 4, PLAN_WEEKLY, day("2024-03-01"), in),
	    0);
	memset(&p, 0, sizeof p);
	p.created = day("2024-03-01");
	p.total = 40000;
	plan_evaluate(&p, in, 4, NULL, 0, day("2024-04-30"));
	CHECK_STR(plan_inst_status_name(in[0].status), "missed");
	CHECK_STR(plan_inst_status_name(in[1].status), "broken");
	CHECK_STR(plan_inst_status_name(in[2].status), "cancelled");
	CHECK_STR(plan_inst_status_name(in[3].status), "cancelled");
	CHECK_INT(p.broken_on, day("2024-03-08"));
	CHECK_INT(p.balance_due, 40000);
}

static void
test_schedule(void)
{
	struct plan_inst in[4];

	/* Monthly keeps the 31st and clips it to each month's end. */
	CHECK_INT(plan_schedule(100000, 4, PLAN_MONTHLY, day("2024-01-31"),
	    in), 0);
	CHECK_INT(in[0].due, day("2024-01-31"));
	CHECK_INT(in[1].due, day("2024-02-29"));
	CHECK_INT(in[2].due, day("2024-03-31"));
	CHECK_INT(in[3].due, day("2024-04-30"));
	/* 1000.00 / 3: the last takes the odd penny. */
	CHECK_INT(plan_schedule(100000, 3, PLAN_FORTNIGHTLY,
	    day("2024-12-20"), in), 0);
	CHECK_INT(in[0].amount, 33333);
	CHECK_INT(in[1].amount, 33333);
	CHECK_INT(in[2].amount, 33334);
	CHECK_INT(in[1].due, day("2025-01-03"));
	CHECK_INT(in[2].due, day("2025-01-17"));
	CHECK_INT(plan_schedule(2, 3, PLAN_WEEKLY, 0, in), -1);
	CHECK_INT(plan_schedule(100, 0, PLAN_WEEKLY, 0, in), -1);
	CHECK_INT(plan_schedule(3, 3, PLAN_WEEKLY, 0, in), 0);
	CHECK_INT(in[2].amount, 1);
}

static void
test_hold(void)
{
	int32_t s = day("2024-03-01"), e = day("2024-04-29");

	CHECK_INT(hold_evaluate(s, e, INT32_MAX, s - 1), HOLD_PENDING);
	CHECK_INT(hold_evaluate(s, e, INT32_MAX, s), HOLD_ACTIVE);
	CHECK_INT(hold_evaluate(s, e, INT32_MAX, e), HOLD_ACTIVE);
	CHECK_INT(hold_evaluate(s, e, INT32_MAX, e + 1), HOLD_ENDED);
	CHECK_INT(hold_evaluate(s, INT32_MAX, INT32_MAX, e + 900),
	    HOLD_ACTIVE);
	CHECK_INT(hold_evaluate(s, e, s + 10, s + 9), HOLD_ACTIVE);
	CHECK_INT(hold_evaluate(s, e, s + 10, s + 10), HOLD_RELEASED);
}

int
main(void)
{
	T_RUN(test_domain_grace_3);
	T_RUN(test_domain_grace_0);
	T_RUN(test_domain_one_debtor);
	T_RUN(test_late_payment_and_replacement);
	T_RUN(test_boundaries);
	T_RUN(test_cash_counted_once);
	T_RUN(test_plan_one_miss_caught_up);
	T_RUN(test_plan_two_misses);
	T_RUN(test_plan_late_payment);
	T_RUN(test_plan_miss_contact);
	T_RUN(test_plans_share_cash);
	T_RUN(test_plan_broken_cancels_rest);
	T_RUN(test_schedule);
	T_RUN(test_hold);
	return T_DONE();
}

/*
 * Unit tests of lib/interest: DOMAIN.md 3.1's U1-U4 and 3.2's E1 to the
 * penny, the UK reference date either side of 1 July, the compensation
 * bands at their edges, payment on or before the due day, a missing
 * reference rate, and the config reader's errors.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "date.h"
#include "interest.h"
#include "t.h"

static int32_t
day(const char *iso)
{
	int32_t d = 0;

	if (date_parse_iso(iso, &d) != 0)
		printf("# bad date in a test: %s\n", iso);
	return d;
}

static void
uk(struct interest_rules *r, int64_t ref)
{
	static struct interest_rate rates[2];

	interest_rules_init(r);
	r->regime = INTEREST_UK;
	rates[0].from = day("2023-08-03");
	rates[0].rate = ref;
	rates[1].from = day("2024-08-01");
	rates[1].rate = 50000;		/* 5.00 %: must not be used */
	r->rates = rates;
	r->nrates = 2;
}

static void
u1(void)
{
	struct interest_rules r;
	struct interest_result o;
	struct interest_event paid = { 0, 240000 };
	struct diag d;

	uk(&r, 52500);
	paid.date = day("2024-03-15");
	CHECK_INT(interest_compute(&r, 240000, 2, day("2024-01-31"), &paid,
	    1, day("2024-03-15"), &o, &d), 0);
	CHECK_INT(o.days, 44);
	CHECK_INT(o.interest, 3833);
	CHECK_INT(o.compensation, 7000);
	CHECK_INT(o.rate, 132500);
	CHECK_INT(o.rate_day, day("2023-12-31"));
	/* Asked later, the paid debt earns no more. */
	CHECK_INT(interest_compute(&r, 240000, 2, day("2024-01-31"), &paid,
	    1, day("2024-06-30"), &o, &d), 0);
	CHECK_INT(o.interest, 3833);
}

static void
u2(void)
{
	struct interest_rules r;
	struct interest_result o;
	struct interest_event ev[2];
	struct diag d;

	uk(&r, 52500);
	/* Out of order on purpose: the module sorts. */
	ev[0].date = day("2024-03-31");
	ev[0].amount = 300000;
	ev[1].date = day("2024-03-01");
	ev[1].amount = 200000;
	CHECK_INT(interest_compute(&r, 500000, 2, day("2024-01-31"), ev, 2,
	    day("2024-03-31"), &o, &d), 0);
	CHECK_INT(o.interest, 8712);
	CHECK_INT(o.compensation, 7000);
	/* Halfway, before the second payment: 30 d on 5,000 and 15 on
	 * 3,000 = 54.452 + 16.336 = 70.79. */
	CHECK_INT(interest_compute(&r, 500000, 2, day("2024-01-31"), ev, 2,
	    day("2024-03-16"), &o, &d), 0);
	CHECK_INT(o.interest, 7079);
}

static void
u3(void)
{
	CHECK_INT(interest_uk_compensation(99999), 4000);
	CHECK_INT(interest_uk_compensation(100000), 7000);
	CHECK_INT(interest_uk_compensation(999999), 7000);
	CHECK_INT(interest_uk_compensation(1000000), 10000);
	CHECK_INT(interest_uk_compensation(1), 4000);
}

static void
u4(void)
{
	struct interest_rules r;
	struct interest_result o;
	struct diag d;

	uk(&r, 5000);		/* 0.50 % + 8 = 8.5 % */
	CHECK_INT(interest_compute(&r, 100000, 2, day("2024-01-31"), NULL, 0,
	    day("2024-03-31"), &o, &d), 0);
	CHECK_INT(o.days, 60);
	CHECK_INT(o.interest, 1397);	/* not 1380, rounding daily */
}

static void
e1(void)
{
	static struct interest_rate rates[] = { { 0, 45000 }, { 0, 42500 } };
	struct interest_rules r;
	struct interest_result o;
	struct interest_event paid = { 0, 1000000 };
	struct diag d;

	interest_rules_init(&r);
	r.regime = INTEREST_EU;
	rates[0].from = day("2023-09-20");
	rates[1].from = day("2024-06-12");
	r.rates = rates;
	r.nrates = 2;
	paid.date = day("2024-08-14");
	CHECK_INT(interest_compute(&r, 1000000, 2, day("2024-05-15"), &paid,
	    1, day("2024-08-14"), &o, &d), 0);
	CHECK_INT(o.interest, 30856);
	CHECK_INT(o.compensation, 4000);
	/* The rate stated is the one now in force (H2's 12.25 %), not the
	 * first half's 12.50 % (nu4 report, 7). */
	CHECK_INT(o.rate, 122500);
	/* UK-style frozen rate would give 311.64: the same debt, UK rules,
	 * reference of 30 Jun... here the first half's 4.50. */
	r.regime = INTEREST_UK;
	rates[1].from = day("2024-07-01");
	CHECK_INT(interest_compute(&r, 1000000, 2, day("2024-05-15"), &paid,
	    1, day("2024-08-14"), &o, &d), 0);
	CHECK_INT(o.interest, 31164);
}

/* A breathing space freezes interest (DOMAIN.md 3.3): 2,400 due 31 Jan
 * 2024 at 13.25 %, held 1 Feb to 31 Mar, as of 30 Apr: 30 days run, not
 * 90: 2400 x 0.1325 x 30 / 365 = 26.14 (nu4 report, 2).  The spans'
 * edges and overlaps, and a span after the end day, change nothing
 * else; compensation is unchanged. */
static void
frozen(void)
{
	struct interest_rules r;
	struct interest_result o;
	struct interest_span sp[3];
	struct diag d;

	uk(&r, 52500);
	sp[0].from = day("2024-02-01");
	sp[0].to = day("2024-03-31");
	CHECK_INT(interest_compute_frozen(&r, 240000, 2, day("2024-01-31"),
	    NULL, 0, day("2024-04-30"), sp, 1, &o, &d), 0);
	CHECK_INT(o.interest, 2614);
	CHECK_INT(o.compensation, 7000);
	CHECK_INT(interest_compute_frozen(&r, 240000, 2, day("2024-01-31"),
	    NULL, 0, day("2024-04-30"), NULL, 0, &o, &d), 0);
	CHECK_INT(o.interest, 7841);
	/* Overlapping spans count each day once; one wholly before the
	 * due day and one after the end take nothing. */
	sp[0].from = day("2024-02-01");
	sp[0].to = day("2024-03-01");
	sp[1].from = day("2024-02-15");
	sp[1].to = day("2024-03-31");
	sp[2].from = day("2024-05-01");
	sp[2].to = day("2024-06-01");
	CHECK_INT(interest_compute_frozen(&r, 240000, 2, day("2024-01-31"),
	    NULL, 0, day("2024-04-30"), sp, 3, &o, &d), 0);
	CHECK_INT(o.interest, 2614);
	/* Frozen to the end day: nothing runs, compensation still due. */
	sp[0].from = day("2024-02-01");
	sp[0].to = day("2024-04-30");
	CHECK_INT(interest_compute_frozen(&r, 240000, 2, day("2024-01-31"),
	    NULL, 0, day("2024-04-30"), sp, 1, &o, &d), 0);
	CHECK_INT(o.interest, 0);
	CHECK_INT(o.compensation, 7000);
	/* One frozen day: 89 of 90. 2400 x 0.1325 x 89 / 365 = 77.54. */
	sp[0].from = day("2024-03-01");
	sp[0].to = day("2024-03-01");
	CHECK_INT(interest_compute_frozen(&r, 240000, 2, day("2024-01-31"),
	    NULL, 0, day("2024-04-30"), sp, 1, &o, &d), 0);
	CHECK_INT(o.interest, 7754);
}

static void
boundaries(void)
{
	struct interest_rules r;
	struct interest_result o;
	struct interest_event ev = { 0, 100000 };
	struct diag d;

	uk(&r, 52500);
	/* Paid on the due day: nothing. */
	ev.date = day("2024-01-31");
	CHECK_INT(interest_compute(&r, 100000, 2, day("2024-01-31"), &ev, 1,
	    day("2024-03-01"), &o, &d), 0);
	CHECK_INT(o.interest, 0);
	CHECK_INT(o.compensation, 0);
	/* As of the due day: nothing; one day later: one day. */
	CHECK_INT(interest_compute(&r, 100000, 2, day("2024-01-31"), NULL, 0,
	    day("2024-01-31"), &o, &d), 0);
	CHECK_INT(o.interest, 0);
	CHECK_INT(interest_compute(&r, 100000, 2, day("2024-01-31"), NULL, 0,
	    day("2024-02-01"), &o, &d), 0);
	CHECK_INT(o.days, 1);
	CHECK_INT(o.interest, 36);	/* 1000 x 13.25 % / 365 = 0.363 */
	/* Due 30 June: interest starts 1 July, reference 30 June. */
	CHECK_INT(interest_compute(&r, 100000, 2, day("2024-06-30"), NULL, 0,
	    day("2024-07-10"), &o, &d), 0);
	CHECK_INT(o.rate_day, day("2024-06-30"));
	/* Due 29 June: starts 30 June, reference 31 December before. */
	CHECK_INT(interest_compute(&r, 100000, 2, day("2024-06-29"), NULL, 0,
	    day("2024-07-10"), &o, &d), 0);
	CHECK_INT(o.rate_day, day("2023-12-31"));
	/* No rate in force on the reference day. */
	CHECK_INT(interest_compute(&r, 100000, 2, day("2023-06-01"), NULL, 0,
	    day("2023-07-10"), &o, &d), -1);
	CHECK_STR(d.msg, "interest.rates: no reference rate in force on "
	    "2022-12-31");
	/* No regime: nothing, whatever the dates. */
	r.regime = INTEREST_NONE;
	CHECK_INT(interest_compute(&r, 100000, 2, day("2024-01-31"), NULL, 0,
	    day("2024-03-31"), &o, &d), 0);
	CHECK_INT(o.interest, 0);
	CHECK_INT(o.compensation, 0);
}

static void
config(void)
{
	static const char good[] =
	    "interest:\n  regime: uk\n  steps: [S3, S5]\n  rates:\n"
	    "    - {from: 2023-08-03, rate: 5.25}\n"
	    "    - {from: 2024-08-01, rate: \"5.00\"}\n";
	static const struct { const char *yaml, *msg; long line; } bad[] = {
	    { "interest:\n  regime: fr\n", "interest.regime: \"fr\" is not "
	      "uk, eu or none", 2 },
	    { "interest:\n  regime: uk\n", "interest.rates: regime uk needs "
	      "the reference rates (a list of {from: DATE, rate: PERCENT})",
	      2 },
	    { "interest:\n  rates:\n    - {from: 2024-13-01, rate: 1}\n",
	      "interest.rates[1].from: a date YYYY-MM-DD is needed", 3 },
	    { "interest:\n  rates:\n    - {from: 2024-01-01, rate: 5%}\n",
	      "interest.rates[1].rate: \"5%\" is not a percentage from 0 to "
	      "100 (write 5.25 for 5.25 %)", 3 },
	    /* The entry by its place: the second of two. */
	    { "interest:\n  rates:\n    - {from: 2024-01-01, rate: 5}\n"
	      "    - {from: 2024-02-01, rate: -1.5}\n",
	      "interest.rates[2].rate: \"-1.5\" is negative (a percentage "
	      "from 0 to 100 is needed)", 4 },
	    { "interest:\n  rates:\n    - {from: 2024-01-01, rate: 5}\n"
	      "    - [2024-02-01, 1]\n",
	      "interest.rates[2]: each entry is {from: DATE, rate: PERCENT}",
	      4 },
	    { "interest:\n  ragime: uk\n", NULL, 2 },
	};
	struct cfg_node *root;
	struct interest_rules r;
	struct diag d;
	char buf[32];

	CHECK_INT(cfg_parse_string(good, strlen(good), "t", &root, &d), 0);
	CHECK_INT(interest_config(cfg_get(root, "interest"), &r, &d), 0);
	CHECK_INT(r.regime, INTEREST_UK);
	CHECK_INT(r.nrates, 2);
	CHECK_INT(r.rates[1].rate, 50000);
	CHECK_INT(interest_claims_step(&r, "S3"), 1);
	CHECK_INT(interest_claims_step(&r, "S2"), 0);
	interest_rules_free(&r);
	cfg_free(root);
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		diag_clear(&d);
		CHECK_INT(cfg_parse_string(bad[i].yaml, strlen(bad[i].yaml),
		    "t", &root, &d), 0);
		CHECK_INT(interest_config(cfg_get(root, "interest"), &r, &d),
		    -1);
		if (bad[i].msg)
			CHECK_STR(d.msg, bad[i].msg);
		CHECK_INT(d.line, bad[i].line);
		cfg_free(root);
	}
	CHECK_STR(interest_format_rate(132500, buf), "13.25");
	CHECK_STR(interest_format_rate(85000, buf), "8.50");
	CHECK_STR(interest_format_rate(121250, buf), "12.125");
}

int
main(void)
{
	T_RUN(u1);
	T_RUN(u2);
	T_RUN(u3);
	T_RUN(u4);
	T_RUN(e1);
	T_RUN(frozen);
	T_RUN(boundaries);
	T_RUN(config);
	return T_DONE();
}

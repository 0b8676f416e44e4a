/*
 * Unit tests of lib/score: DOMAIN.md 4.3's composite example (57.17) and
 * its best-time example (16.00, 26.67, 28.33 %, 17:00 picked), 1.7's
 * amount-weighted DBT (13.33) and allocation-weighted part payments
 * (22.00), credit notes and write-offs that are not payments, a reversal
 * taking back the latest payment, the rolling window's edge on a leap
 * day, the trend, share over 60 days, dispute rate, bands at their
 * bounds, a debtor with no history, the configuration's errors, AUC.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "date.h"
#include "score.h"
#include "t.h"
#include "util.h"

static int32_t
day(const char *iso)
{
	int32_t d = 0;

	if (date_parse_iso(iso, &d) != 0)
		printf("# bad date in a test: %s\n", iso);
	return d;
}

static const char *
r2(double x, char *buf)
{
	snprintf(buf, 32, "%.2f", score_round2(x));
	return buf;
}

/* DOMAIN.md 4.3's own weights (the defaults were refitted). */
static void
domain_cfg(struct score_config *c)
{
	static const double w[SCORE_NFACTORS] = { 1, 10, 50, 0.5, 10 };

	score_config_defaults(c);
	memcpy(c->weight, w, sizeof w);
}

/* A history built in memory: items with their settlements. */
static struct score_hist H;

static void
reset(void)
{
	score_hist_free(&H);
	H.id = 1;
	H.ref = xstrdup("D1");
	H.name = xstrdup("D1 Ltd");
}

static size_t
item(const char *issue, const char *due, int64_t amount)
{
	struct score_item *it;

	H.item = xreallocarray(H.item, H.nitem + 1, sizeof *H.item);
	it = &H.item[H.nitem];
	memset(it, 0, sizeof *it);
	it->id = (int64_t)H.nitem + 1;
	it->issue = day(issue);
	it->due = day(due);
	it->amount = amount;
	it->debit = amount > 0;
	it->query_day = INT32_MAX;
	memcpy(it->ccy, "GBP", 4);
	it->s0 = H.nsettle;
	return H.nitem++;
}

/* settle: appended to the last item, in date order. */
static void
settle(const char *date, int64_t amount, int pay)
{
	H.settle = xreallocarray(H.settle, H.nsettle + 1, sizeof *H.settle);
	H.settle[H.nsettle].date = day(date);
	H.settle[H.nsettle].amount = amount;
	H.settle[H.nsettle].pay = pay;
	H.nsettle++;
	H.item[H.nitem - 1].ns++;
}

static void
call(const char *date, int hour, int rpc)
{
	struct score_msg *m;

	H.msg = xreallocarray(H.msg, H.nmsg + 1, sizeof *H.msg);
	m = &H.msg[H.nmsg++];
	m->day = day(date);
	m->channel = 0;
	m->hour = hour;
	m->attempt = 1;
	m->rpc = rpc;
}

static void
test_composite_domain(void)
{
	struct score_config c;
	double v[SCORE_NFACTORS] = { 40.0 / 3, 2, 0.05, 8, 0.30 };
	double s = 100;
	char b[32];

	domain_cfg(&c);
	for (int f = 0; f < SCORE_NFACTORS; f++)
		s -= score_points(&c, (enum score_factor)f, v[f]);
	CHECK_STR(r2(s, b), "57.17");
	CHECK_STR(r2(score_points(&c, SCORE_DBT, v[0]), b), "13.33");
	CHECK_STR(r2(score_points(&c, SCORE_BROKEN, 2), b), "20.00");
	CHECK_STR(r2(score_points(&c, SCORE_DISPUTE, 0.05), b), "2.50");
	CHECK_STR(r2(score_points(&c, SCORE_TREND, 8), b), "4.00");
	CHECK_STR(r2(score_points(&c, SCORE_SHARE60, 0.30), b), "3.00");
	/* Caps, and negative factors (early payers, an improving trend)
	 * take nothing off. */
	CHECK_STR(r2(score_points(&c, SCORE_DBT, 90), b), "40.00");
	CHECK_STR(r2(score_points(&c, SCORE_BROKEN, 3), b), "20.00");
	CHECK_STR(r2(score_points(&c, SCORE_DBT, -10), b), "0.00");
	CHECK_STR(r2(score_points(&c, SCORE_TREND, -8), b), "0.00");
	CHECK_INT(score_band(&c, s), 'C');
}

static void
test_bands(void)
{
	struct score_config c;

	score_config_defaults(&c);
	CHECK_INT(score_band(&c, 100), 'A');
	CHECK_INT(score_band(&c, 80), 'A');
	CHECK_INT(score_band(&c, 79.995), 'A');	/* printed as 80.00 */
	CHECK_INT(score_band(&c, 79.99), 'B');
	CHECK_INT(score_band(&c, 60), 'B');
	CHECK_INT(score_band(&c, 40), 'C');
	CHECK_INT(score_band(&c, 39.99), 'D');
	CHECK_INT(score_band(&c, 0), 'D');
}

static void
test_smoothing_domain(void)
{
	struct score_config c;
	struct score_result res;
	struct diag d;
	char b[32];
	int k;

	CHECK_STR(r2(100 * score_smooth(6, 40, 0.20, 10), b), "16.00");
	CHECK_STR(r2(100 * score_smooth(2, 5, 0.20, 10), b), "26.67");
	CHECK_STR(r2(100 * score_smooth(15, 50, 0.20, 10), b), "28.33");
	CHECK_STR(r2(100 * score_smooth(0, 0, 0.20, 10), b), "20.00");
	CHECK_STR(r2(100 * score_smooth(0, 0, 0.20, 0), b), "20.00");

	/* The same through score_compute: bands 09-12, 12-17, 17-24, all
	 * on Mondays; raw rates would pick 12:00 (40 %). */
	score_config_defaults(&c);
	c.nhours = 3;
	c.hour[0] = 9;
	c.hour[1] = 12;
	c.hour[2] = 17;
	reset();
	for (k = 0; k < 40; k++)
		call("2024-02-26", 9, k < 6);
	for (k = 0; k < 5; k++)
		call("2024-02-19", 12, k < 2);
	for (k = 0; k < 50; k++)
		call("2024-02-12", 17, k < 15);
	call("2024-02-12", 7, 1);	/* before the first band: no band */
	diag_clear(&d);
	CHECK_INT(score_compute(NULL, &c, &H, day("2024-02-29"), &res, &d), 0);
	CHECK_INT(res.hour_band, 2);
	CHECK_INT(res.hb_k, 15);
	CHECK_INT(res.hb_n, 50);
	CHECK_STR(r2(100 * res.hb_rate, b), "28.33");
	CHECK_INT(res.attempts, 96);
	CHECK_INT(res.rpc, 24);
	CHECK_INT(res.weekday, 0);

	/* Below the minimum sample a band is not trusted: with 51 needed,
	 * none is, and the default window is said. */
	c.min_sample = 51;
	CHECK_INT(score_compute(NULL, &c, &H, day("2024-02-29"), &res, &d), 0);
	CHECK_INT(res.hour_band, -1);
	CHECK(strstr(res.notes, "default window") != NULL);
	/* With min_sample 5, 12:00 qualifies and still loses to 17:00. */
	c.min_sample = 5;
	c.nhours = 2;	/* 09-12 and 12-24: 17:00's calls join 12:00's */
	CHECK_INT(score_compute(NULL, &c, &H, day("2024-02-29"), &res, &d), 0);
	CHECK_INT(res.hour_band, 1);
	CHECK_INT(res.hb_k, 17);
	CHECK_INT(res.hb_n, 55);
	score_hist_free(&H);
}

static void
test_dbt_domain(void)
{
	struct score_config c;
	struct score_result res;
	struct diag d;
	char b[32];

	score_config_defaults(&c);
	diag_clear(&d);
	/* DOMAIN.md 1.7: I1-I3, net 30. */
	reset();
	item("2024-01-05", "2024-02-04", 100000);
	settle("2024-01-25", 100000, 1);
	item("2024-01-10", "2024-02-09", 300000);
	settle("2024-02-19", 300000, 1);
	item("2024-01-20", "2024-02-19", 200000);
	settle("2024-03-20", 200000, 1);
	CHECK_INT(score_compute(NULL, &c, &H, day("2024-03-31"), &res, &d), 0);
	CHECK_STR(r2(res.factor[SCORE_DBT], b), "13.33");
	CHECK_INT(res.paid_items, 3);
	CHECK_INT(res.invoices, 3);
	CHECK_INT(res.open_balance, 0);
	/* As of 19 March, I3 was not paid yet: only what was known. */
	CHECK_INT(score_compute(NULL, &c, &H, day("2024-03-19"), &res, &d), 0);
	CHECK_STR(r2(res.factor[SCORE_DBT], b), "5.00");
	CHECK_INT(res.open_balance, 200000);

	/* I4: 1,000 due 31 Mar, 400 on 10 Apr, 600 on 30 Apr: 22.00
	 * allocation-weighted (the final-payment method would say 30). */
	reset();
	item("2024-03-01", "2024-03-31", 100000);
	settle("2024-04-10", 40000, 1);
	settle("2024-04-30", 60000, 1);
	CHECK_INT(score_compute(NULL, &c, &H, day("2024-05-31"), &res, &d), 0);
	CHECK_STR(r2(res.factor[SCORE_DBT], b), "22.00");

	/* A credit note's settlement and a write-off are not payments. */
	item("2024-03-01", "2024-03-31", 100000);
	settle("2024-04-01", 50000, 0);
	settle("2024-05-20", 50000, 1);
	CHECK_INT(score_compute(NULL, &c, &H, day("2024-05-31"), &res, &d), 0);
	/* (400x10 + 600x30 + 500x50) / 1500 = 31.33 */
	CHECK_STR(r2(res.factor[SCORE_DBT], b), "31.33");

	/* A reversal takes back the latest payment first. */
	reset();
	item("2024-03-01", "2024-03-31", 100000);
	settle("2024-04-10", 40000, 1);
	settle("2024-04-20", 60000, 1);
	settle("2024-04-25", -60000, -1);
	settle("2024-05-10", 60000, 1);
	CHECK_INT(score_compute(NULL, &c, &H, day("2024-05-31"), &res, &d), 0);
	/* (400x10 + 600x40) / 1000 = 28.00 */
	CHECK_STR(r2(res.factor[SCORE_DBT], b), "28.00");
	score_hist_free(&H);
}

static void
test_window_leap(void)
{
	struct score_config c;
	struct score_result res;
	struct diag d;
	char b[32];

	score_config_defaults(&c);
	diag_clear(&d);
	/* As of 29 Feb 2024 the 365-day window is 2 Mar 2023 .. 29 Feb
	 * 2024: a payment on 1 Mar 2023 is out, one on 2 Mar in. */
	reset();
	item("2023-01-01", "2023-01-31", 100000);
	settle("2023-03-01", 100000, 1);	/* 29 days late, out */
	item("2023-01-01", "2023-01-31", 100000);
	settle("2023-03-02", 100000, 1);	/* 30 days late, in */
	CHECK_INT(score_compute(NULL, &c, &H, day("2024-02-29"), &res, &d), 0);
	CHECK_STR(r2(res.factor[SCORE_DBT], b), "30.00");
	CHECK_INT(res.paid_items, 1);
	/* A day later (365 days back from 1 Mar 2024 is 2 Mar 2023) both
	 * are out: no payments, the default said. */
	CHECK_INT(score_compute(NULL, &c, &H, day("2024-03-01"), &res, &d), 0);
	CHECK_STR(r2(res.factor[SCORE_DBT], b), "0.00");
	CHECK(strstr(res.notes, "no payments in the window") != NULL);
	score_hist_free(&H);
}

static void
test_trend_share_dispute(void)
{
	struct score_config c;
	struct score_result res;
	struct diag d;
	char b[32];

	domain_cfg(&c);
	diag_clear(&d);
	reset();
	/* Previous 90 days (as of 31 May 2024: 4 Dec .. 2 Mar): 5 late;
	 * last 90 (3 Mar .. 31 May): 13 late: trend +8. */
	item("2024-01-01", "2024-01-31", 100000);
	settle("2024-02-05", 100000, 1);
	item("2024-03-01", "2024-03-31", 100000);
	settle("2024-04-13", 100000, 1);
	/* Open: 300 over 60 days past due, 700 not: share60 0.30. */
	item("2024-02-01", "2024-03-01", 30000);	/* 91 days */
	item("2024-05-01", "2024-05-31", 70000);
	H.item[H.nitem - 1].query_day = day("2024-05-15");
	/* A credit note: not an invoice, not in share60. */
	item("2024-05-01", "2024-05-01", -5000);
	CHECK_INT(score_compute(NULL, &c, &H, day("2024-05-31"), &res, &d), 0);
	CHECK_STR(r2(res.factor[SCORE_TREND], b), "8.00");
	CHECK_STR(r2(res.factor[SCORE_DBT], b), "9.00");
	CHECK_STR(r2(res.factor[SCORE_SHARE60], b), "0.30");
	CHECK_INT(res.invoices, 4);
	CHECK_INT(res.disputed, 1);
	CHECK_STR(r2(res.factor[SCORE_DISPUTE], b), "0.25");
	CHECK_INT(res.open_balance, 95000);
	/* 100 - 9 - 0 - min(15, 12.5) - 4 - 3 = 71.50 */
	CHECK_STR(r2(res.score, b), "71.50");
	/* The query was opened on 15 May: as of 14 May not disputed. */
	CHECK_INT(score_compute(NULL, &c, &H, day("2024-05-14"), &res, &d), 0);
	CHECK_INT(res.disputed, 0);
	/* The 91-day item is exactly 61 days past due on 1 May, 60 on 30
	 * April. */
	CHECK_INT(score_compute(NULL, &c, &H, day("2024-04-30"), &res, &d), 0);
	CHECK_STR(r2(res.factor[SCORE_SHARE60], b), "0.00");
	CHECK_INT(score_compute(NULL, &c, &H, day("2024-05-01"), &res, &d), 0);
	CHECK(res.factor[SCORE_SHARE60] > 0);
	score_hist_free(&H);
}

static void
test_no_history(void)
{
	struct score_config c;
	struct score_result res;
	struct diag d;
	char b[64];

	score_config_defaults(&c);
	diag_clear(&d);
	reset();
	CHECK_INT(score_compute(NULL, &c, &H, day("2024-02-29"), &res, &d), 0);
	CHECK_STR(r2(res.score, b), "100.00");
	CHECK_INT(res.band, 'A');
	CHECK(strstr(res.notes, "no payments in the window: dbt 0 "
	    "(default)") != NULL);
	CHECK(strstr(res.notes, "dispute rate 0 (default)") != NULL);
	CHECK(strstr(res.notes, "default channel") != NULL);
	CHECK_STR(score_value(&c, &res, 21, b, sizeof b), "Mon-Fri");
	CHECK_STR(score_value(&c, &res, 24, b, sizeof b), "09:00-17:30");
	CHECK_STR(score_value(&c, &res, 26, b, sizeof b), "default");
	CHECK_STR(score_value(&c, &res, 27, b, sizeof b), "email");
	CHECK_STR(score_value(&c, &res, 4, b, sizeof b), "0.00");
	score_hist_free(&H);
}

static int
load(const char *yaml, struct score_config *c, struct diag *d)
{
	struct cfg_node *root = NULL;
	int r;

	score_config_defaults(c);
	diag_clear(d);
	if (cfg_parse_string(yaml, strlen(yaml), "t", &root, d) != 0)
		return -2;
	r = score_config_load(root, c, d);
	cfg_free(root);
	return r;
}

static void
test_config(void)
{
	static const struct {
		const char *yaml;
		long line;
		const char *msg;	/* NULL: loads */
	} t[] = {
		{ "score:\n  weights: {dbt: 1, trend: 0.5}\n", 0, NULL },
		{ "score:\n  bands: [90, 70]\n  prior: 0.1\n", 0, NULL },
		{ "score:\n  colour: red\n", 2,
		    "unknown key \"colour\" in score" },
		{ "score:\n  weights:\n    dbt: lots\n", 3,
		    "score.weights.dbt: \"lots\" is not a number" },
		{ "score:\n  weights:\n    speed: 1\n", 3,
		    "unknown key \"speed\" in score.weights" },
		{ "score:\n  caps: {dbt: 101}\n", 2,
		    "score.caps.dbt: 101 is out of range" },
		{ "score:\n  weights: {dbt: -1}\n", 2,
		    "score.weights.dbt: -1 is out of range" },
		{ "score:\n  weights: {dbt: 0x10}\n", 2,
		    "is not a number" },
		{ "score:\n  bands: [60, 80]\n", 2,
		    "score.bands: values must decrease" },
		{ "score:\n  bands: 80\n", 2, "score.bands: must be a list" },
		{ "score:\n  prior: 1.5\n", 2, "score.prior: 1.5 is out" },
		{ "score:\n  hour_bands: [9, 9]\n", 2,
		    "score.hour_bands: whole hours that increase" },
		{ "score:\n  hour_bands: [9.5]\n", 2,
		    "score.hour_bands: whole hours" },
		{ "score:\n  hour_bands: [24]\n", 2,
		    "score.hour_bands[0]: 24 is out of range" },
		{ "score:\n  min_sample: 0\n", 2, "score.min_sample" },
		{ "score:\n  trend_days: 200\n", 2,
		    "score.trend_days: two periods of 200 days" },
		{ "score:\n  default_window: anytime\n", 2,
		    "score.default_window" },
		{ "score: [1]\n", 1, "score: must be a map" },
	};
	struct score_config c;
	struct diag d;

	for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
		int r = load(t[i].yaml, &c, &d);

		if (t[i].msg == NULL) {
			CHECK_INT(r, 0);
			continue;
		}
		CHECK_INT(r, -1);
		CHECK_INT(d.line, t[i].line);
		if (strstr(d.msg, t[i].msg) == NULL)
			printf("#   case %zu: got \"%s\"\n", i, d.msg);
		CHECK(strstr(d.msg, t[i].msg) != NULL);
	}
	CHECK_INT(load("score:\n  weights: {trend: 0.5}\n  bands: [90, 70]\n",
	    &c, &d), 0);
	CHECK(c.weight[SCORE_TREND] == 0.5);
	CHECK(c.weight[SCORE_DBT] == 2);	/* the default kept */
	CHECK_INT(c.nbands, 2);
	CHECK_INT(score_band(&c, 69.99), 'C');
}

static void
test_auc(void)
{
	struct score_bt_row r[4];
	char b[32];

	memset(r, 0, sizeof r);
	/* Perfect: the late ones scored lowest. */
	r[0].score = 10, r[0].late = 1;
	r[1].score = 20, r[1].late = 1;
	r[2].score = 30, r[2].late = 0;
	r[3].score = 40, r[3].late = 0;
	CHECK_STR(r2(score_auc(r, 4, 0), b), "1.00");
	/* Ties count half. */
	r[2].score = 20;
	CHECK_STR(r2(score_auc(r, 4, 0), b), "0.88");
	/* Baseline: the higher share is the higher risk. */
	r[0].baseline = 0.5, r[1].baseline = 0.5;
	r[2].baseline = 0.5, r[3].baseline = 0.5;
	CHECK_STR(r2(score_auc(r, 4, 1), b), "0.50");
	r[2].late = 1, r[3].late = 1;
	CHECK(score_auc(r, 4, 0) < 0);	/* one class only */
}

int
main(void)
{
	T_RUN(test_composite_domain);
	T_RUN(test_bands);
	T_RUN(test_smoothing_domain);
	T_RUN(test_dbt_domain);
	T_RUN(test_window_leap);
	T_RUN(test_trend_share_dispute);
	T_RUN(test_no_history);
	T_RUN(test_config);
	T_RUN(test_auc);
	return T_DONE();
}

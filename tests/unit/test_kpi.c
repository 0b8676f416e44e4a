/* Unit tests of lib/kpi: every worked example of DOMAIN.md section 1 with
 * its exact printed figure, then the boundaries (no sales, periods). */

#include <stdlib.h>

#include "date.h"
#include "kpi.h"
#include "t.h"

static const char *
f2(long double v)
{
	static char buf[4][KPI_BUFSZ];
	static int i;

	i = (i + 1) % 4;
	return kpi_format(v, 2, buf[i]);
}

/* Q1-2024 (1 Jan - 31 Mar, 91 days), in pounds: the ratios do not care
 * about the unit. */
static const int64_t q1_sales[] = { 100000, 80000, 70000 };	/* Mar back */
static const int q1_days[] = { 31, 29, 31 };
static const int q1_days30[] = { 30, 30, 30 };

static void
test_dso(void)
{
	long double v, bp, cb, bpcb;
	int ex;

	CHECK(kpi_dso_simple(212000, 250000, 91, &v) == 0);
	CHECK_STR(f2(v), "77.17");
	CHECK(kpi_dso_countback(212000, q1_sales, q1_days, 3, &cb, &ex) == 0);
	CHECK_STR(f2(cb), "74.17");
	CHECK(ex == 0);
	CHECK(kpi_dso_countback(212000, q1_sales, q1_days30, 3, &v, &ex) == 0);
	CHECK_STR(f2(v), "73.71");
	/* 1.4: BPDSO and ADD, same method each. */
	CHECK(kpi_dso_simple(130000, 250000, 91, &bp) == 0);
	CHECK_STR(f2(bp), "47.32");
	kpi_dso_simple(212000, 250000, 91, &v);
	CHECK_STR(f2(v - bp), "29.85");
	CHECK(kpi_dso_countback(130000, q1_sales, q1_days, 3, &bpcb, &ex) == 0);
	CHECK_STR(f2(bpcb), "41.88");
	CHECK_STR(f2(cb - bpcb), "32.30");
}

static void
test_dso_edges(void)
{
	long double v = -1;
	int ex;
	const int64_t zero[] = { 0, 100 }, big[] = { 10, 10 };
	const int dd[] = { 31, 30 };

	/* A period with no sales: undefined, v untouched. */
	CHECK(kpi_dso_simple(5000, 0, 31, &v) == -1);
	CHECK(kpi_dso_simple(5000, -10, 31, &v) == -1);
	CHECK(v == -1);
	CHECK(kpi_dso_countback(5000, zero, dd, 2, &v, &ex) == -1);
	/* The new user's D12: net AR -500.00 against March's 1,000.00 of
	 * sales in 31 days is -15.50, as the simple DSO. */
	{
		int64_t m[2] = { 100000, 100000 };
		int md[2] = { 31, 29 };

		CHECK(kpi_dso_countback(-50000, m, md, 2, &v, &ex) == 0);
		CHECK_STR(f2(v), "-15.50");
		CHECK_INT(ex, 0);
		CHECK(kpi_dso_countback(0, m, md, 2, &v, &ex) == 0);
		CHECK_STR(f2(v), "0.00");
	}
	CHECK(kpi_dso_countback(5000, zero, dd, 0, &v, &ex) == -1);
	/* AR beyond every month: a floor, flagged. */
	CHECK(kpi_dso_countback(100, big, dd, 2, &v, &ex) == 0);
	CHECK_STR(f2(v), "61.00");
	CHECK(ex == 1);
	/* No AR: zero days. */
	CHECK(kpi_dso_countback(0, big, dd, 2, &v, &ex) == 0);
	CHECK_STR(f2(v), "0.00");
	CHECK(ex == 0);
}

static void
test_true_dso(void)
{
	/* 1.3: report 31 Mar 2024; Jan 10,000 / Feb 8,000 / Mar 12,000. */
	struct { int m, d; int64_t open; } inv[] = {
		{ 3, 10, 6000 }, { 3, 25, 3000 }, { 2, 20, 2000 },
		{ 1, 15, 1000 },
	};
	int64_t sales[4] = { 0, 10000, 8000, 12000 };
	long double open[4] = { 0 }, w[4] = { 0 }, acc = 0, v;
	int64_t cbs[] = { 12000, 8000, 10000 };
	int cbd[] = { 31, 29, 31 }, ex;
	int32_t rep, day;

	date_from_ymd(2024, 3, 31, &rep);
	for (size_t i = 0; i < 4; i++) {
		date_from_ymd(2024, inv[i].m, inv[i].d, &day);
		open[inv[i].m] += inv[i].open;
		w[inv[i].m] += (long double)day * inv[i].open;
	}
	for (int m = 1; m <= 3; m++)
		CHECK(kpi_true_dso_term(rep, open[m], w[m], sales[m], &acc) ==
		    0);
	CHECK_STR(f2(acc), "29.60");
	CHECK(kpi_dso_simple(12000, 30000, 91, &v) == 0);
	CHECK_STR(f2(v), "36.40");
	CHECK(kpi_dso_countback(12000, cbs, cbd, 3, &v, &ex) == 0);
	CHECK_STR(f2(v), "31.00");
	/* An open invoice in a month of no sales: undefined, not added. */
	CHECK(kpi_true_dso_term(rep, 100, 100.0L * rep, 0, &acc) == -1);
	CHECK_STR(f2(acc), "29.60");
	/* Nothing open in a month of no sales is no term at all. */
	CHECK(kpi_true_dso_term(rep, 0, 0, 0, &acc) == 0);
}

static void
test_cei(void)
{
	long double v;

	CHECK(kpi_cei(180000, 250000, 212000, 130000, &v) == 0);
	CHECK_STR(f2(v), "72.67");
	CHECK(kpi_cei(180000, 250000.0L / 3, 212000, 130000, &v) == 0);
	CHECK_STR(f2(v), "38.50");
	CHECK(kpi_cei(6200, 10890, 6340, 3590, &v) == 0);
	CHECK_STR(f2(v), "79.63");
	CHECK(kpi_cei(6200, 10890.0L / 3, 6340, 3590, &v) == 0);
	CHECK_STR(f2(v), "55.93");
	/* Nothing collectable: undefined. */
	CHECK(kpi_cei(0, 0, 0, 0, &v) == -1);
}

static void
test_p90(void)
{
	long double v;

	CHECK(kpi_pct(291000, 1201000, &v) == 0);
	CHECK_STR(f2(v), "24.23");
	CHECK(kpi_pct(291000, 1071000, &v) == 0);
	CHECK_STR(f2(v), "27.17");
	CHECK(kpi_pct(1, 0, &v) == -1);
}

static void
test_adp_dbt(void)
{
	struct kpi_pay p = { 0 }, q = { 0 };
	struct { int64_t amt; int im, id, pm, pd; } pay[] = {
		{ 1000, 1, 5, 1, 25 }, { 3000, 1, 10, 2, 19 },
		{ 2000, 1, 20, 3, 20 },
	};
	int32_t iss, paid, due;
	long double v;

	CHECK(kpi_adp(&p, &v) == -1);		/* nothing paid */
	for (size_t i = 0; i < 3; i++) {
		date_from_ymd(2024, pay[i].im, pay[i].id, &iss);
		date_from_ymd(2024, pay[i].pm, pay[i].pd, &paid);
		kpi_pay_add(&p, pay[i].amt, iss, iss + 30, paid);
	}
	CHECK(kpi_adp(&p, &v) == 0);
	CHECK_STR(f2(v), "43.33");
	CHECK(kpi_adp_unweighted(&p, &v) == 0);
	CHECK_STR(f2(v), "40.00");
	CHECK(kpi_dbt(&p, KPI_DBT_SIGNED, &v) == 0);
	CHECK_STR(f2(v), "13.33");
	CHECK(kpi_dbt(&p, KPI_DBT_LATE_ONLY, &v) == 0);
	CHECK_STR(f2(v), "15.00");
	/* I4: 1,000 due 31 Mar, 400 on 10 Apr and 600 on 30 Apr. */
	date_from_ymd(2024, 3, 31, &due);
	date_from_ymd(2024, 4, 10, &paid);
	kpi_pay_add(&q, 400, due - 30, due, paid);
	date_from_ymd(2024, 4, 30, &paid);
	kpi_pay_add(&q, 600, due - 30, due, paid);
	CHECK(kpi_dbt(&q, KPI_DBT_SIGNED, &v) == 0);
	CHECK_STR(f2(v), "22.00");
}

static void
test_ptp_rates(void)
{
	long double v;

	/* 1.8, g = 3: kept P1 500, P2 1,000 of 2,600 evaluated; cash
	 * 1,900.  g = 0: only P1 kept. */
	CHECK(kpi_pct(2, 4, &v) == 0);
	CHECK_STR(f2(v), "50.00");
	CHECK(kpi_pct(1500, 2600, &v) == 0);
	CHECK_STR(f2(v), "57.69");
	CHECK(kpi_pct(1900, 2600, &v) == 0);
	CHECK_STR(f2(v), "73.08");
	CHECK(kpi_pct(1, 4, &v) == 0);
	CHECK_STR(f2(v), "25.00");
	CHECK(kpi_pct(500, 2600, &v) == 0);
	CHECK_STR(f2(v), "19.23");
}

static void
test_disputes_rpc_cash(void)
{
	int32_t days[] = { 41, 5, 30, 12 };
	long double v;
	char buf[KPI_BUFSZ];

	CHECK(kpi_pct(9, 200, &v) == 0);
	CHECK_STR(f2(v), "4.50");
	CHECK(kpi_mean(days, 4, &v) == 0);
	CHECK_STR(f2(v), "22.00");
	CHECK(kpi_median(days, 4, &v) == 0);
	CHECK_STR(f2(v), "21.00");
	CHECK(kpi_median(days, 3, &v) == 0);	/* sorted now: 5 12 30 */
	CHECK_STR(f2(v), "12.00");
	CHECK(kpi_mean(days, 0, &v) == -1);
	CHECK(kpi_median(days, 0, &v) == -1);
	CHECK(kpi_pct(48, 400, &v) == 0);
	CHECK_STR(f2(v), "12.00");
	CHECK(kpi_pct(48, 120, &v) == 0);
	CHECK_STR(f2(v), "40.00");
	CHECK(kpi_pct(138000, 150000, &v) == 0);
	CHECK_STR(f2(v), "92.00");
	CHECK(kpi_pct(6000, 250000, &v) == 0);
	CHECK_STR(f2(v), "2.40");
	CHECK(kpi_pct(6000 - 1000, 250000, &v) == 0);
	CHECK_STR(f2(v), "2.00");
	CHECK(kpi_ratio(9200, 138000, &v) == 0);
	CHECK_STR(kpi_format(v, 4, buf), "0.0667");
}

static void
test_format(void)
{
	char buf[KPI_BUFSZ];
	int64_t v;

	CHECK_STR(kpi_format(0.125L, 2, buf), "0.13");
	CHECK_STR(kpi_format(-0.125L, 2, buf), "-0.13");
	CHECK_STR(kpi_format(-0.001L, 2, buf), "0.00");
	CHECK_STR(kpi_format(29.848L, 2, buf), "29.85");
	CHECK_STR(kpi_format(1e30L, 2, buf), "(too large)");
	/* Exact halves as rationals: no binary fraction on the way. */
	CHECK(kpi_round_q(1005, 1000, 2, &v) == 0);
	CHECK_INT(v, 101);
	CHECK(kpi_round_q(-1005, 1000, 2, &v) == 0);
	CHECK_INT(v, -101);
	CHECK(kpi_round_q(2675, 1000, 2, &v) == 0);
	CHECK_INT(v, 268);
	CHECK(kpi_round_q(1, 40, 2, &v) == 0);		/* 0.025 */
	CHECK_INT(v, 3);
	CHECK(kpi_round_q(1, -8, 2, &v) == 0);		/* -0.125 */
	CHECK_INT(v, -13);
	CHECK(kpi_round_q(10049, 10000, 2, &v) == 0);
	CHECK_INT(v, 100);
	CHECK(kpi_round_q(1, 0, 2, &v) == -1);
	CHECK(kpi_round_q((__int128)INT64_MAX * 10, 1, 2, &v) == -1);
	CHECK_STR(kpi_format_scaled(101, 2, buf), "1.01");
	CHECK_STR(kpi_format_scaled(-5, 2, buf), "-0.05");
	CHECK_STR(kpi_format_scaled(667, 4, buf), "0.0667");
	CHECK_STR(kpi_format_scaled(7, 0, buf), "7");
	/* The new user's D1: 5,000,000,000,000.00 is no long double
	 * nudged up a penny. */
	CHECK(kpi_round_ld(5e12L, 2, &v) == 0);
	CHECK_STR(kpi_format_scaled(v, 2, buf), "5000000000000.00");
	CHECK_STR(kpi_format(90071992547409.93L, 2, buf),
	    "90071992547409.93");
}

static void
test_periods(void)
{
	struct kpi_period *p = NULL;
	size_t n = 0;
	struct diag d;
	char a[DATE_BUFSZ], b[DATE_BUFSZ];

	diag_clear(&d);
	CHECK(kpi_period_parse("2024-02", &p, &n, &d) == 0);
	CHECK_INT(n, 1);
	CHECK_STR(date_format(p[0].start, a), "2024-02-01");
	CHECK_STR(date_format(p[0].end, b), "2024-02-29");	/* leap */
	CHECK(kpi_period_parse("2023-02", &p, &n, &d) == 0);
	CHECK_STR(date_format(p[1].end, b), "2023-02-28");
	CHECK(kpi_period_parse("2024-q1", &p, &n, &d) == 0);
	CHECK_STR(p[2].label, "2024-Q1");
	CHECK_INT(p[2].end - p[2].start + 1, 91);
	CHECK_INT(p[2].months, 3);
	CHECK(kpi_period_parse("2024", &p, &n, &d) == 0);
	CHECK_INT(p[3].end - p[3].start + 1, 366);
	CHECK_INT(p[3].months, 12);
	CHECK(kpi_period_parse("2024-01-01..2024-03-31", &p, &n, &d) == 0);
	CHECK_STR(p[4].label, "2024-01-01..2024-03-31");
	CHECK_INT(p[4].months, 3);
	CHECK(kpi_period_parse("2023-11..2024-02", &p, &n, &d) == 0);
	CHECK_INT(n, 9);
	CHECK_STR(p[5].label, "2023-11");
	CHECK_STR(p[8].label, "2024-02");
	CHECK_STR(date_format(p[8].end, b), "2024-02-29");
	CHECK(kpi_period_parse("2023-Q4..2024-Q1", &p, &n, &d) == 0);
	CHECK_INT(n, 11);
	CHECK_STR(p[10].label, "2024-Q1");
	CHECK(kpi_period_parse("2024-02-29..2024-02-29", &p, &n, &d) == 0);
	CHECK_INT(p[11].end - p[11].start, 0);
	/* Bad ones append nothing. */
	CHECK(kpi_period_parse("2024-13", &p, &n, &d) == -1);
	CHECK(kpi_period_parse("2024-Q5", &p, &n, &d) == -1);
	CHECK(kpi_period_parse("2024-02-30..2024-03-01", &p, &n, &d) == -1);
	CHECK(kpi_period_parse("2024-03-01", &p, &n, &d) == -1);
	CHECK(kpi_period_parse("2024-03..2024-Q2", &p, &n, &d) == -1);
	CHECK(kpi_period_parse("2024-03..2024-01", &p, &n, &d) == -1);
	CHECK(kpi_period_parse("", &p, &n, &d) == -1);
	CHECK(kpi_period_parse("1000..9999", &p, &n, &d) == -1);
	CHECK(kpi_period_parse("24-03", &p, &n, &d) == -1);
	CHECK_INT(n, 12);
	free(p);
	/* The new user's D8: a date outside the years kept is told so. */
	{
		struct kpi_period *q = NULL;
		size_t nq = 0;

		CHECK(kpi_period_parse("2024-01-01..2999-12-31", &q, &nq, &d)
		    == -1);
		CHECK_STR(d.msg, "\"2024-01-01..2999-12-31\": its end "
		    "\"2999-12-31\" is outside the years 1800..2299");
		CHECK(kpi_period_parse("9999", &q, &nq, &d) == -1);
		CHECK_STR(d.msg, "\"9999\": the year is outside 1800..2299");
		CHECK(kpi_period_parse("2024-13", &q, &nq, &d) == -1);
		CHECK_INT(nq, 0);
		free(q);
	}
}

static void
test_status(void)
{
	/* Printed figures scaled by 100: 44.00 against 45.00. */
	CHECK(kpi_status_of(4400, 4500, 2, KPI_LOWER_BETTER, 2) == KPI_ST_ON);
	CHECK(kpi_status_of(4500, 4500, 2, KPI_LOWER_BETTER, 2) == KPI_ST_ON);
	CHECK(kpi_status_of(4700, 4500, 2, KPI_LOWER_BETTER, 2) ==
	    KPI_ST_NEAR);
	CHECK(kpi_status_of(4701, 4500, 2, KPI_LOWER_BETTER, 2) ==
	    KPI_ST_OFF);
	CHECK(kpi_status_of(8100, 8000, 5, KPI_HIGHER_BETTER, 2) ==
	    KPI_ST_ON);
	CHECK(kpi_status_of(7500, 8000, 5, KPI_HIGHER_BETTER, 2) ==
	    KPI_ST_NEAR);
	CHECK(kpi_status_of(7499, 8000, 5, KPI_HIGHER_BETTER, 2) ==
	    KPI_ST_OFF);
	/* The new user's D7: target 70.15, margin 10 % = 7.015; a miss of
	 * 7.02 is beyond it (the margin is not rounded up to 7.02 first),
	 * a miss of 7.01 within; a margin of 7.01 holds a miss of 7.01
	 * exactly. */
	CHECK(kpi_status_of(7717, 7015, 7.015L, KPI_LOWER_BETTER, 2) ==
	    KPI_ST_OFF);
	CHECK(kpi_status_of(7716, 7015, 7.015L, KPI_LOWER_BETTER, 2) ==
	    KPI_ST_NEAR);
	CHECK(kpi_status_of(7716, 7015, 70100 / 10000.0L, KPI_LOWER_BETTER,
	    2) == KPI_ST_NEAR);
	CHECK(kpi_status_of(667, 600, 0.0067L, KPI_LOWER_BETTER, 4) ==
	    KPI_ST_NEAR);
	CHECK_STR(kpi_status_name(KPI_ST_NEAR), "near");
	CHECK_STR(kpi_status_name(KPI_ST_NONE), "");
}

int
main(void)
{
	T_RUN(test_dso);
	T_RUN(test_dso_edges);
	T_RUN(test_true_dso);
	T_RUN(test_cei);
	T_RUN(test_p90);
	T_RUN(test_adp_dbt);
	T_RUN(test_ptp_rates);
	T_RUN(test_disputes_rpc_cash);
	T_RUN(test_format);
	T_RUN(test_periods);
	T_RUN(test_status);
	return T_DONE();
}

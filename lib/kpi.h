/*
 * kpi: the credit-control KPIs of DOMAIN.md section 1 as pure functions
 * over plain inputs (no state, no I/O), so each worked example there is a
 * unit test; the reporting periods (--period) and the target statuses.
 * lib/kpidata gathers the inputs from the state, lib/kpireport writes them.
 *
 * Money comes in as int64_t minor units.  A KPI is a ratio: it is computed
 * in long double from the exact integer sums (lib/kpidata sums them as
 * checked int64; a 64-bit mantissa holds each exactly) and rounded once,
 * half away from
 * zero, when it is printed (kpi_format).  A KPI whose denominator is zero
 * or negative is undefined: the function returns -1 and *out is left
 * alone, never a division by zero.
 */
#ifndef CK_KPI_H
#define CK_KPI_H

#include <stddef.h>
#include <stdint.h>

#include "diag.h"

/* Parameters (the kpi: section of the client config). */
enum kpi_month_len { KPI_MONTH_ACTUAL, KPI_MONTH_30 };
enum kpi_cei_sales { KPI_CEI_TOTAL, KPI_CEI_PER_MONTH };
enum kpi_dbt { KPI_DBT_SIGNED, KPI_DBT_LATE_ONLY };
enum kpi_p90 { KPI_P90_GROSS, KPI_P90_NET };

/* kpi_dso_simple: ar / sales * days (1.1).  -1 when sales <= 0. */
int kpi_dso_simple(int64_t ar, int64_t sales, int days, long double *out);

/*
 * kpi_dso_countback: the exhaustion method (1.2).  sales[0] and days[0]
 * are the latest month, then back; while the AR left covers a month's
 * sales its days are added, then the part of the next.  Stops at a month
 * whose sales are <= 0.  *exhausted is set when the months ran out (or
 * hit such a month) with AR still left, so the figure is a floor.
 * Returns -1 (undefined) when the latest month's sales are <= 0; an AR of
 * zero is 0 days, a negative one its share of the latest month's sales
 * times that month's days (negative, as kpi_dso_simple gives it).
 */
int kpi_dso_countback(int64_t ar, const int64_t *sales, const int *days,
    size_t n, long double *out, int *exhausted);

/*
 * True DSO (1.3) per invoice month: the sum over a month's open invoices
 * of days(issue, report) * open / sales of the month equals
 * (report * open_sum - issue_open_sum) / month_sales, where open_sum is
 * their open amount and issue_open_sum the sum of issue day * open.
 * kpi_true_dso_term adds that to *acc; -1 (nothing added) when the
 * month's sales are <= 0 and it has something open.
 */
int kpi_true_dso_term(int32_t report, long double open_sum,
    long double issue_open_sum, int64_t month_sales, long double *acc);

/* kpi_cei: (b + s - et) / (b + s - ec) * 100 (1.5); s is already total
 * or per month as the caller chose.  -1 when the denominator is <= 0. */
int kpi_cei(long double b, long double s, long double et, long double ec,
    long double *out);

/* kpi_pct: num / den * 100; -1 when den <= 0.  kpi_ratio without the
 * 100. */
int kpi_pct(long double num, long double den, long double *out);
int kpi_ratio(long double num, long double den, long double *out);

/*
 * Payments for ADP and DBT (1.7): each payment (for a part payment, each
 * receipt at its own date: the allocation-weighted method) adds its
 * amount weighted by days(issue, paid) and days(due, paid).
 */
struct kpi_pay {
	long double amount;		/* sum of amounts */
	long double w_dtp;		/* sum of amount * days to pay */
	long double w_dbt;		/* sum of amount * days beyond terms */
	long double w_late;		/* the same, early payments as 0 */
	long double sum_dtp;		/* unweighted */
	long n;
};
void kpi_pay_add(struct kpi_pay *p, int64_t amount, int32_t issue,
    int32_t due, int32_t paid);
int kpi_adp(const struct kpi_pay *p, long double *out);
int kpi_adp_unweighted(const struct kpi_pay *p, long double *out);
int kpi_dbt(const struct kpi_pay *p, enum kpi_dbt v, long double *out);

/* kpi_mean, kpi_median of n day counts; -1 when n is 0.  kpi_median
 * sorts v. */
int kpi_mean(const int32_t *v, size_t n, long double *out);
int kpi_median(int32_t *v, size_t n, long double *out);

/*
 * Rounding, always half away from zero and once.  kpi_round_q: num / den
 * scaled by 10^dp, exactly (1005/1000 at 2 decimals is 101: no binary
 * fraction on the way).  kpi_round_ld: the same of a long double, for
 * the figures that are no exact ratio of integers here (countback, true
 * DSO, chart scales): no nudge, so a long double a hair below a half
 * rounds down.  Both return -1 (nothing set) when the result is beyond
 * int64 or den is 0; dp is 0..6.
 * kpi_format_scaled: such a scaled integer as a decimal into buf
 * (KPI_BUFSZ); kpi_format: kpi_round_ld then that ("(too large)"
 * beyond); "-0.00" never appears.  Both return buf.
 */
#define KPI_BUFSZ 64
int kpi_round_q(__int128 num, __int128 den, int dp, int64_t *out);
int kpi_round_ld(long double v, int dp, int64_t *out);
char *kpi_format_scaled(int64_t v, int dp, char *buf);
char *kpi_format(long double v, int dp, char *buf);

/* Reporting periods: [start, end] inclusive day numbers and a label. */
#define KPI_LABELSZ 48
#define KPI_MAX_PERIODS 1200
struct kpi_period {
	int32_t start, end;
	int months;			/* calendar months it spans (>= 1) */
	char label[KPI_LABELSZ];
};

/*
 * kpi_period_parse: one --period value, appended to *p (grown with
 * xreallocarray; *n counts): a month 2024-03, a quarter 2024-Q1, a year
 * 2024, an explicit range 2024-01-01..2024-03-31 (one period), or a range
 * of months, quarters or years (2024-01..2024-12: twelve periods).
 * Returns 0, or -1 with d set (nothing appended).
 */
int kpi_period_parse(const char *s, struct kpi_period **p, size_t *n,
    struct diag *d);

/* Targets and their status (direction-aware). */
enum kpi_dir { KPI_LOWER_BETTER, KPI_HIGHER_BETTER, KPI_NO_DIRECTION };
enum kpi_status { KPI_ST_NONE, KPI_ST_ON, KPI_ST_NEAR, KPI_ST_OFF };

/*
 * kpi_status_of: on when value meets target (lower-better: value <=
 * target; higher-better: >=), near when it misses by no more than
 * margin, else off.  value and target are the printed figures (scaled
 * by 10^dp, dp 0..6), so a report never says "off" beside equal
 * numbers; the margin is not rounded to dp (a miss of 7.02 is beyond a
 * margin of 7.015).
 */
enum kpi_status kpi_status_of(int64_t value, int64_t target,
    long double margin, enum kpi_dir dir, int dp);
const char *kpi_status_name(enum kpi_status s);

#endif

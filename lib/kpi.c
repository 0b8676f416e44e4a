/*
 * kpi: DOMAIN.md section 1's formulas, reporting periods and target
 * statuses.  See kpi.h.
 */

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "date.h"
#include "kpi.h"
#include "money.h"
#include "util.h"

int
kpi_dso_simple(int64_t ar, int64_t sales, int days, long double *out)
{
	if (sales <= 0 || days <= 0)
		return -1;
	*out = (long double)ar / (long double)sales * days;
	return 0;
}

int
kpi_dso_countback(int64_t ar, const int64_t *sales, const int *days,
    size_t n, long double *out, int *exhausted)
{
	long double left = (long double)ar, d = 0;
	size_t i;

	*exhausted = 0;
	if (n == 0 || sales[0] <= 0)
		return -1;
	/* A negative net AR (credits beyond the debit items) walks no month:
	 * it is its share of the latest month's, negative, as the simple
	 * DSO is (the new user's D12: it was 0.00 beside -15.50). */
	if (left < 0) {
		*out = left / (long double)sales[0] * days[0];
		return 0;
	}
	for (i = 0; i < n && left > 0; i++) {
		if (sales[i] <= 0)
			break;
		if (left >= (long double)sales[i]) {
			d += days[i];
			left -= (long double)sales[i];
		} else {
			d += left / (long double)sales[i] * days[i];
			left = 0;
		}
	}
	if (left > 0)
		*exhausted = 1;
	*out = d;
	return 0;
}

int
kpi_true_dso_term(int32_t report, long double open_sum,
    long double issue_open_sum, int64_t month_sales, long double *acc)
{
	if (open_sum == 0 && issue_open_sum == 0)
		return 0;
	if (month_sales <= 0)
		return -1;
	*acc += ((long double)report * open_sum - issue_open_sum) /
	    (long double)month_sales;
	return 0;
}

int
kpi_cei(long double b, long double s, long double et, long double ec,
    long double *out)
{
	long double den = b + s - ec;

	if (den <= 0)
		return -1;
	*out = (b + s - et) / den * 100;
	return 0;
}

int
kpi_pct(long double num, long double den, long double *out)
{
	if (den <= 0)
		return -1;
	*out = num / den * 100;
	return 0;
}

int
kpi_ratio(long double num, long double den, long double *out)
{
	if (den <= 0)
		return -1;
	*out = num / den;
	return 0;
}

void
kpi_pay_add(struct kpi_pay *p, int64_t amount, int32_t issue, int32_t due,
    int32_t paid)
{
	long double a = (long double)amount;
	int32_t dtp = paid - issue, dbt = paid - due;

	p->amount += a;
	p->w_dtp += a * dtp;
	p->w_dbt += a * dbt;
	p->w_late += a * (dbt > 0 ? dbt : 0);
	p->sum_dtp += dtp;
	p->n++;
}

int
kpi_adp(const struct kpi_pay *p, long double *out)
{
	return kpi_ratio(p->w_dtp, p->amount, out);
}

int
kpi_adp_unweighted(const struct kpi_pay *p, long double *out)
{
	return kpi_ratio(p->sum_dtp, (long double)p->n, out);
}

int
kpi_dbt(const struct kpi_pay *p, enum kpi_dbt v, long double *out)
{
	return kpi_ratio(v == KPI_DBT_LATE_ONLY ? p->w_late : p->w_dbt,
	    p->amount, out);
}

int
kpi_mean(const int32_t *v, size_t n, long double *out)
{
	long double s = 0;

	if (n == 0)
		return -1;
	for (size_t i = 0; i < n; i++)
		s += v[i];
	*out = s / (long double)n;
	return 0;
}

static int
cmp_i32(const void *a, const void *b)
{
	int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;

	return (x > y) - (x < y);
}

int
kpi_median(int32_t *v, size_t n, long double *out)
{
	if (n == 0)
		return -1;
	qsort(v, n, sizeof *v, cmp_i32);
	if (n % 2)
		*out = v[n / 2];
	else
		*out = ((long double)v[n / 2 - 1] + v[n / 2]) / 2;
	return 0;
}

static const int64_t pow10_i[] = { 1, 10, 100, 1000, 10000, 100000,
	1000000, 10000000, 100000000, 1000000000, 10000000000 };

int
kpi_round_q(__int128 num, __int128 den, int dp, int64_t *out)
{
	__int128 lim = (__int128)1 << 112, q, r, ad;

	if (den == 0 || dp < 0 || dp > 6 || num >= lim || num <= -lim)
		return -1;
	num *= pow10_i[dp];
	q = num / den;
	r = num % den;
	if (r < 0)
		r = -r;
	ad = den < 0 ? -den : den;
	/* Truncated toward zero; step away from it on half or more. */
	if (r >= ad - r)
		q += (num < 0) != (den < 0) ? -1 : 1;
	if (q > INT64_MAX || q < INT64_MIN)
		return -1;
	*out = (int64_t)q;
	return 0;
}

int
kpi_round_ld(long double v, int dp, int64_t *out)
{
	long double x;

	if (dp < 0 || dp > 6)
		return -1;
	x = roundl(v * (long double)pow10_i[dp]);	/* half away from 0 */
	if (!(fabsl(x) < 0x1p63L))
		return -1;
	*out = (int64_t)x;
	return 0;
}

char *
kpi_format_scaled(int64_t v, int dp, char *buf)
{
	char m[MONEY_BUFSZ];

	snprintf(buf, KPI_BUFSZ, "%s", money_format(v, dp, m));
	return buf;
}

char *
kpi_format(long double v, int dp, char *buf)
{
	int64_t s;

	if (kpi_round_ld(v, dp, &s) != 0) {
		snprintf(buf, KPI_BUFSZ, "%s", "(too large)");
		return buf;
	}
	return kpi_format_scaled(s, dp, buf);
}

/* Periods. */

enum pkind { PK_NONE, PK_YEAR, PK_QUARTER, PK_MONTH, PK_DAY };

/* One side of a period: its kind and its first and last day. */
struct pside {
	enum pkind kind;
	int y, m;			/* m: month, or quarter 1..4 */
	int32_t first, last;
};

static int
digits(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return 0;
	return 1;
}

static int
parse_side(const char *s, size_t n, struct pside *p)
{
	int32_t a, b;
	char buf[16];

	memset(p, 0, sizeof *p);
	if (n < 4 || !digits(s, 4))
		return -1;
	p->y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 +
	    (s[3] - '0');
	if (p->y < 1 || p->y > 9999)
		return -1;
	if (p->y < DATE_MIN_YEAR || p->y > DATE_MAX_YEAR)
		return -2;		/* a date, but not one we keep */
	if (n == 4) {
		p->kind = PK_YEAR;
		if (date_from_ymd(p->y, 1, 1, &a) || date_from_ymd(p->y, 12,
		    31, &b))
			return -1;
	} else if (n == 7 && s[4] == '-' && (s[5] == 'Q' || s[5] == 'q') &&
	    s[6] >= '1' && s[6] <= '4') {
		p->kind = PK_QUARTER;
		p->m = s[6] - '0';
		if (date_from_ymd(p->y, p->m * 3 - 2, 1, &a))
			return -1;
		b = date_end_of_month(date_add_months(a, 2));
	} else if (n == 7 && s[4] == '-' && digits(s + 5, 2)) {
		p->kind = PK_MONTH;
		p->m = (s[5] - '0') * 10 + (s[6] - '0');
		if (p->m < 1 || p->m > 12 || date_from_ymd(p->y, p->m, 1, &a))
			return -1;
		b = date_end_of_month(a);
	} else if (n == 10) {
		p->kind = PK_DAY;
		memcpy(buf, s, n);
		buf[n] = '\0';
		if (date_parse_iso(buf, &a) != 0)
			return -1;
		b = a;
	} else
		return -1;
	p->first = a;
	p->last = b;
	return 0;
}

static int
months_between(int32_t a, int32_t b)
{
	int y1, m1, d1, y2, m2, d2;

	date_to_ymd(a, &y1, &m1, &d1);
	date_to_ymd(b, &y2, &m2, &d2);
	return (y2 - y1) * 12 + (m2 - m1) + 1;
}

static void
push(struct kpi_period **p, size_t *n, size_t *cap, int32_t a, int32_t b,
    const char *label)
{
	if (*n == *cap) {
		*cap = *cap ? *cap * 2 : 8;
		*p = xreallocarray(*p, *cap, sizeof **p);
	}
	(*p)[*n].start = a;
	(*p)[*n].end = b;
	(*p)[*n].months = months_between(a, b);
	snprintf((*p)[*n].label, KPI_LABELSZ, "%s", label);
	(*n)++;
}

int
kpi_period_parse(const char *s, struct kpi_period **p, size_t *n,
    struct diag *d)
{
	const char *dots = strstr(s, "..");
	struct pside a, b;
	size_t len = strlen(s), cap, n0 = *n;
	char q[40];
	int rc;

	/* The caller's array is exactly *n long (or grown by us). */
	cap = *n;
	if (dots == NULL) {
		if (parse_side(s, len, &a) == -2) {
			diag_set(d, "\"%s\": the year is outside %d..%d", s,
			    DATE_MIN_YEAR, DATE_MAX_YEAR);
			return -1;
		}
		if (parse_side(s, len, &a) != 0 || a.kind == PK_DAY) {
			diag_set(d, "\"%s\" is not a period (use 2024-03, "
			    "2024-Q1, 2024 or 2024-01-01..2024-03-31)", s);
			return -1;
		}
		push(p, n, &cap, a.first, a.last, s);
		if (a.kind == PK_QUARTER)
			(*p)[*n - 1].label[5] = 'Q';
		return 0;
	}
	if ((rc = parse_side(s, (size_t)(dots - s), &a)) != 0) {
		if (rc == -2)
			diag_set(d, "\"%s\": its start \"%.*s\" is outside "
			    "the years %d..%d", s, (int)(dots - s), s,
			    DATE_MIN_YEAR, DATE_MAX_YEAR);
		else
			diag_set(d, "\"%s\": its start \"%.*s\" is not a "
			    "day, month, quarter or year (no such date?)", s,
			    (int)(dots - s), s);
		return -1;
	}
	if ((rc = parse_side(dots + 2, strlen(dots + 2), &b)) != 0) {
		if (rc == -2)
			diag_set(d, "\"%s\": its end \"%s\" is outside the "
			    "years %d..%d", s, dots + 2, DATE_MIN_YEAR,
			    DATE_MAX_YEAR);
		else
			diag_set(d, "\"%s\": its end \"%s\" is not a day, "
			    "month, quarter or year (no such date?)", s,
			    dots + 2);
		return -1;
	}
	if (a.kind != b.kind) {
		diag_set(d, "\"%s\" is not a range of periods (both ends "
		    "alike: 2024-01-01..2024-03-31, 2024-01..2024-12, "
		    "2024-Q1..2024-Q4 or 2023..2024)", s);
		return -1;
	}
	if (b.last < a.first) {
		diag_set(d, "\"%s\": the range ends before it starts", s);
		return -1;
	}
	if (a.kind == PK_DAY) {
		char f[DATE_BUFSZ], l[DATE_BUFSZ], lab[KPI_LABELSZ];

		snprintf(lab, sizeof lab, "%s..%s", date_format(a.first, f),
		    date_format(b.last, l));
		push(p, n, &cap, a.first, b.last, lab);
		return 0;
	}
	for (int32_t day = a.first; day <= b.last;) {
		int y, m, dd;
		int32_t end;

		if (*n - n0 >= KPI_MAX_PERIODS) {
			*n = n0;
			diag_set(d, "\"%s\": more than %d periods", s,
			    KPI_MAX_PERIODS);
			return -1;
		}
		date_to_ymd(day, &y, &m, &dd);
		if (a.kind == PK_YEAR) {
			snprintf(q, sizeof q, "%04d", y);
			end = date_end_of_month(date_add_months(day, 11));
		} else if (a.kind == PK_QUARTER) {
			snprintf(q, sizeof q, "%04d-Q%d", y, (m + 2) / 3);
			end = date_end_of_month(date_add_months(day, 2));
		} else {
			snprintf(q, sizeof q, "%04d-%02d", y, m);
			end = date_end_of_month(day);
		}
		push(p, n, &cap, day, end, q);
		day = end + 1;
	}
	return 0;
}

enum kpi_status
kpi_status_of(int64_t value, int64_t target, long double margin,
    enum kpi_dir dir, int dp)
{
	__int128 miss;
	long double m;

	if (dir == KPI_NO_DIRECTION || dp < 0 || dp > 6)
		return KPI_ST_NONE;
	miss = dir == KPI_LOWER_BETTER ? (__int128)value - target :
	    (__int128)target - value;
	if (miss <= 0)
		return KPI_ST_ON;
	/* The margin is not rounded to the printed decimals (7.015 is not
	 * 7.02): it is compared at four more, where a margin the config
	 * gives (at most four decimals) is exact. */
	m = roundl(margin * (long double)pow10_i[dp + 4]);
	if ((long double)(miss * 10000) <= m)
		return KPI_ST_NEAR;
	return KPI_ST_OFF;
}

const char *
kpi_status_name(enum kpi_status s)
{
	switch (s) {
	case KPI_ST_ON:
		return "on";
	case KPI_ST_NEAR:
		return "near";
	case KPI_ST_OFF:
		return "off";
	default:
		return "";
	}
}

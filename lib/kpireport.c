/*
 * kpireport: KPI rows from the gathered inputs, targets and statuses, the
 * TSV and the HTML page.  See kpireport.h.
 */

#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "date.h"
#include "kpireport.h"
#include "money.h"
#include "util.h"

/* Which way is better, for the status column. */
static enum kpi_dir
direction(const char *key)
{
	static const char *const higher[] = {
		"cei", "ptp_kept_count_pct", "ptp_kept_value_pct",
		"rpc_per_attempt_pct", "rpc_per_connect_pct",
		"cash_collected", "cash_vs_target_pct", NULL
	};
	static const char *const none[] = {
		"letters", "emails", "sms", "calls", "escalations",
		"credit_sales", "ar_begin", "ar_end", "ar_current",
		"adp_unweighted", "ptp_cash_pct", "dispute_value_pct",
		"dispute_open_days_mean", NULL
	};

	for (size_t i = 0; higher[i] != NULL; i++)
		if (strcmp(key, higher[i]) == 0)
			return KPI_HIGHER_BETTER;
	for (size_t i = 0; none[i] != NULL; i++)
		if (strcmp(key, none[i]) == 0)
			return KPI_NO_DIRECTION;
	return KPI_LOWER_BETTER;
}

static struct kpi_row *
add(struct kpi_rows *rows, size_t period, const char *key, const char *unit,
    int dp)
{
	struct kpi_row *r;

	if (rows->n == rows->cap) {
		rows->cap = rows->cap ? rows->cap * 2 : 64;
		rows->v = xreallocarray(rows->v, rows->cap, sizeof *rows->v);
	}
	r = &rows->v[rows->n++];
	memset(r, 0, sizeof *r);
	r->period = period;
	r->key = key;
	r->unit = unit;
	r->dp = dp;
	return r;
}

static void
detail(struct kpi_row *r, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
detail(struct kpi_row *r, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(r->detail, sizeof r->detail, fmt, ap);
	va_end(ap);
}

static const char too_large[] = "too large to print: undefined";

/* set: a figure that is no exact ratio here, rounded once (kpi.h). */
static void
set(struct kpi_row *r, int rc, long double v)
{
	r->defined = rc == 0 && kpi_round_ld(v, r->dp, &r->sv) == 0;
	if (r->defined)
		r->value = v;
	else if (rc == 0)
		detail(r, too_large);
}

/* set_q: num / den rounded exactly (kpi_round_q); rc as set's. */
static void
set_q(struct kpi_row *r, int rc, __int128 num, __int128 den)
{
	r->defined = rc == 0 && kpi_round_q(num, den, r->dp, &r->sv) == 0;
	if (r->defined)
		r->value = (long double)num / (long double)den;
	else if (rc == 0)
		detail(r, too_large);
}

/* set_money: exact minor units, printed as they are (never through a
 * long double). */
static void
set_money(struct kpi_row *r, const struct kpi_data *x, int64_t minor)
{
	r->defined = 1;
	r->sv = minor;
	r->value = (long double)minor / powl(10, x->digits);
}

/*
 * I: a gathered sum back to its int64 (kpidata checked it is one, and a
 * long double of 64 mantissa bits holds it exactly).  ok_i: whether a
 * weighted sum (amount x days, not range-checked) still is such an exact
 * integer; where not, the ratio falls back to long double.
 */
static int64_t
I(long double v)
{
	return (int64_t)v;
}

static int
ok_i(long double v)
{
	return fabsl(v) < 0x1p63L;
}

/* isum: the sum of n day counts, for an exact mean. */
static __int128
isum(const int32_t *v, size_t n)
{
	__int128 s = 0;

	for (size_t i = 0; i < n; i++)
		s += v[i];
	return s;
}

/* The VAT gross-up 1 + kpi.sales_vat_pct / 100 as VAT_F / 10^6 (the
 * config gives the percentage with at most four decimals). */
#define VAT_DEN 1000000
static int64_t
vat_f(const struct kpi_config *k)
{
	return VAT_DEN + (int64_t)llroundl(k->vat_pct * 10000);
}

/* Money for details: minor units (long double) as a decimal. */
static const char *
mfmt(const struct kpi_data *x, long double v, char *buf)
{
	long double r = roundl(v);

	if (!(fabsl(r) < 0x1p63L))
		return "(too large)";
	return money_format((int64_t)r, x->digits, buf);
}

static long double
major(const struct kpi_data *x, long double minor)
{
	return minor / powl(10, x->digits);
}

/* The countback walk from the period's end (kpi.h): the month holding
 * the end counts the days elapsed in it, earlier months their length
 * (actual or 30); at most ten years back. */
static int
countback(const struct kpi_data *x, const struct kpi_config *k,
    int32_t end, long double ar, long double vat, long double *out,
    int *exhausted, size_t *walked)
{
	int64_t sales[120];
	int days[120];
	size_t n = 0;
	int32_t first = date_add_months(end, 0);
	int y, m, dd;

	date_to_ymd(end, &y, &m, &dd);
	date_from_ymd(y, m, 1, &first);
	for (; n < 120; n++) {
		int32_t last = n == 0 ? end : date_end_of_month(first);
		int len = last - first + 1;

		sales[n] = (int64_t)roundl(kpi_month_sales(x, first) * vat);
		if (k->month_len == KPI_MONTH_30)
			len = n == 0 && last != date_end_of_month(first) ?
			    (len < 30 ? len : 30) : 30;
		days[n] = len;
		first = date_add_months(first, -1);
		if (first < x->month0)
			{ n++; break; }
	}
	*walked = n;
	return kpi_dso_countback((int64_t)roundl(ar), sales, days, n, out,
	    exhausted);
}

/*
 * month_share: the part of the calendar month starting on m that period
 * p covers, its days over the month's: 1 for a whole month, 14/31 for
 * 1-14 January.  A month's target and cost are prorated by it, so an
 * explicit range of days gets the days' part, not a month per month
 * touched.
 */
static long double
month_share(const struct kpi_period *p, int32_t m)
{
	int32_t e = date_end_of_month(m);
	int32_t lo = p->start > m ? p->start : m;
	int32_t hi = p->end < e ? p->end : e;

	return hi < lo ? 0 : (long double)(hi - lo + 1) / (e - m + 1);
}

/*
 * period_share: the same sum as an exact fraction over SHARE_L, the
 * least common multiple of 28, 29, 30 and 31 (every month's length
 * divides it), so a prorated cash target is rounded once, exactly.
 */
#define SHARE_L 377580
static int64_t
period_share(const struct kpi_period *p)
{
	int64_t sum = 0;
	int32_t m;
	int y, mo, dd;

	date_to_ymd(p->start, &y, &mo, &dd);
	date_from_ymd(y, mo, 1, &m);
	for (; m <= p->end; m = date_add_months(m, 1)) {
		int32_t e = date_end_of_month(m);
		int32_t lo = p->start > m ? p->start : m;
		int32_t hi = p->end < e ? p->end : e;

		if (hi >= lo)
			sum += (int64_t)(hi - lo + 1) * (SHARE_L / (e - m + 1));
	}
	return sum;
}

/* cash_target_q: targets.cash_collected prorated to p, in minor units,
 * as num / den (the target has at most four decimals). */
static void
cash_target_q(const struct kpi_target *t, const struct kpi_period *p,
    const struct kpi_data *x, __int128 *num, __int128 *den)
{
	int64_t t4 = (int64_t)llroundl(t->value * 10000);

	*num = (__int128)t4 * (int64_t)powl(10, x->digits) *
	    period_share(p);
	*den = (__int128)10000 * SHARE_L;
}

/* period_months: the months p covers, prorated (month_share). */
static long double
period_months(const struct kpi_period *p)
{
	long double sum = 0;
	int32_t m;
	int y, mo, dd;

	date_to_ymd(p->start, &y, &mo, &dd);
	date_from_ymd(y, mo, 1, &m);
	for (; m <= p->end; m = date_add_months(m, 1))
		sum += month_share(p, m);
	return sum;
}

static long double
period_cost(const struct kpi_config *k, const struct kpi_period *p,
    char *missing, size_t msz)
{
	long double sum = 0;
	int32_t m = p->start;
	int y, mo, dd;

	date_to_ymd(m, &y, &mo, &dd);
	date_from_ymd(y, mo, 1, &m);
	for (; m <= p->end; m = date_add_months(m, 1)) {
		size_t i;

		for (i = 0; i < k->ncosts; i++)
			if (k->cost_month[i] == m)
				break;
		if (i < k->ncosts)
			sum += k->cost[i] * month_share(p, m);
		else if (k->monthly_cost >= 0)
			sum += k->monthly_cost * month_share(p, m);
		else {
			date_to_ymd(m, &y, &mo, &dd);
			snprintf(missing, msz, "%04d-%02d", y, mo);
			return -1;
		}
	}
	return sum;
}

static const char no_sales[] = "no credit sales in the period: undefined";

/*
 * current_net: the not-yet-due AR on the net basis of DSO's AR.  The net
 * AR is the open debit items less the credits (credit notes, unapplied
 * cash); the credits are taken off the overdue items first, as an
 * allocation by oldest due would, and only what is left of them off the
 * not-yet-due ones.  So BPDSO and DSO share one basis and ADD, the
 * overdue part, is never negative (DOMAIN.md 1.4), where gross not-yet-due
 * items against a net AR made it so when credits exceed what is overdue.
 */
static long double
current_net(const struct kpi_inputs *in)
{
	long double credits = in->gross_end - in->ar_end;
	long double overdue = in->gross_end - in->current_end;

	if (credits <= 0 || credits <= overdue)
		return in->current_end;
	return in->ar_end;	/* every overdue item offset: AR is current */
}

static void
build_period(struct kpi_rows *rows, size_t pi, const struct kpi_period *p,
    const struct kpi_data *x, const struct kpi_config *k)
{
	const struct kpi_inputs *in = &x->in[pi];
	long double vat = 1 + k->vat_pct / 100;
	long double sales = in->sales * vat, v, dso_s = 0, bp_s = 0;
	long double dso_c = 0, bp_c = 0;
	int days = p->end - p->start + 1, rc, rs, rbs, rcb, rbcb, ex, bex;
	const char *ccy = x->currency;
	char a[MONEY_BUFSZ], b[MONEY_BUFSZ], c[MONEY_BUFSZ], e4[MONEY_BUFSZ];
	int64_t isales = (int64_t)roundl(sales);
	size_t walked, bwalked;
	struct kpi_row *r;
	const struct kpi_target *t;
	long double cash_target = -1;
	/* The exact ratios: sales grossed up are S * vf / VAT_DEN, so a
	 * ratio over them takes VAT_DEN up and vf down. */
	int64_t vf = vat_f(k), S = I(in->sales);
	__int128 sden = (__int128)S * vf;

	r = add(rows, pi, "dso_simple", "days", 2);
	rs = kpi_dso_simple((int64_t)roundl(in->ar_end), isales, days, &dso_s);
	set_q(r, rs == 0 && sden > 0 ? 0 : -1, (__int128)I(in->ar_end) *
	    days * VAT_DEN, sden);
	if (rs == 0)
		detail(r, "AR %s / sales %s x %d days", mfmt(x, in->ar_end, a),
		    mfmt(x, sales, b), days);
	else
		detail(r, no_sales);
	r = add(rows, pi, "dso_countback", "days", 2);
	rcb = countback(x, k, p->end, in->ar_end, vat, &dso_c, &ex, &walked);
	set(r, rcb, dso_c);
	if (rcb != 0)
		detail(r, "no credit sales in the period's last month: "
		    "undefined");
	else
		detail(r, "%s months%s", k->month_len == KPI_MONTH_30 ?
		    "30-day" : "actual", ex ? "; AR exceeds the sales walked "
		    "back: a floor" : "");
	r = add(rows, pi, "bpdso_simple", "days", 2);
	rbs = kpi_dso_simple((int64_t)roundl(current_net(in)), isales, days,
	    &bp_s);
	if (sden <= 0)
		rbs = -1;
	set_q(r, rbs, (__int128)I(current_net(in)) * days * VAT_DEN, sden);
	if (rbs != 0)
		detail(r, no_sales);
	else if (current_net(in) != in->current_end)
		detail(r, "not yet due %s net: %s of items less the credits "
		    "beyond the %s overdue", mfmt(x, current_net(in), a),
		    mfmt(x, in->current_end, b), mfmt(x, in->gross_end -
		    in->current_end, c));
	else
		detail(r, "not yet due %s", mfmt(x, in->current_end, a));
	r = add(rows, pi, "bpdso_countback", "days", 2);
	rbcb = countback(x, k, p->end, current_net(in), vat, &bp_c, &bex,
	    &bwalked);
	set(r, rbcb, bp_c);
	if (rbcb != 0)
		detail(r, "no credit sales in the period's last month: "
		    "undefined");
	r = add(rows, pi, "add_simple", "days", 2);
	set_q(r, rs == 0 && rbs == 0 ? 0 : -1, ((__int128)I(in->ar_end) -
	    I(current_net(in))) * days * VAT_DEN, sden);
	if (!r->defined)
		detail(r, no_sales);
	r = add(rows, pi, "add_countback", "days", 2);
	set(r, rcb == 0 && rbcb == 0 ? 0 : -1, dso_c - bp_c);
	if (!r->defined)
		detail(r, "no credit sales in the period's last month: "
		    "undefined");

	r = add(rows, pi, "dso_true", "days", 2);
	/* Sales grossed up by VAT: scale the sum of terms back. */
	set(r, in->true_dso_ok || in->true_dso_skipped == 0 ? 0 : -1,
	    in->true_dso / vat);
	if (in->true_dso_skipped > 0)
		detail(r, "%ld invoice month%s with open items and no sales "
		    "left out", in->true_dso_skipped, in->true_dso_skipped ==
		    1 ? "" : "s");
	else if (!in->true_dso_ok)
		detail(r, "nothing open");

	r = add(rows, pi, "cei", "pct", 2);
	{
		long double s = k->cei_sales == KPI_CEI_PER_MONTH ?
		    sales / p->months : sales;

		/* Over VAT_DEN x months: B and the ends by that, S by vf. */
		__int128 f = (__int128)VAT_DEN * (k->cei_sales ==
		    KPI_CEI_PER_MONTH ? p->months : 1);
		__int128 den = I(in->ar_begin) * f + sden -
		    I(in->current_end) * f;

		rc = kpi_cei(in->ar_begin, s, in->ar_end, in->current_end, &v);
		set_q(r, rc == 0 && den > 0 ? 0 : -1, (I(in->ar_begin) * f +
		    sden - I(in->ar_end) * f) * 100, den);
		if (rc == 0)
			detail(r, "B %s, S %s%s, ET %s, EC %s",
			    mfmt(x, in->ar_begin, a), mfmt(x, s, b),
			    k->cei_sales == KPI_CEI_PER_MONTH ?
			    " (per month)" : "", mfmt(x, in->ar_end, c),
			    mfmt(x, in->current_end, e4));
		else
			detail(r, "nothing to collect: undefined");
	}
	r = add(rows, pi, "over_90_pct", "pct", 2);
	rc = kpi_pct(in->over90_end, k->p90 == KPI_P90_NET ? in->ar_end :
	    in->gross_end, &v);
	set_q(r, rc, (__int128)I(in->over90_end) * 100, I(k->p90 ==
	    KPI_P90_NET ? in->ar_end : in->gross_end));
	detail(r, rc == 0 ? "%s of %s %s" : "nothing open: undefined",
	    mfmt(x, in->over90_end, a), mfmt(x, k->p90 == KPI_P90_NET ?
	    in->ar_end : in->gross_end, b), k->p90 == KPI_P90_NET ?
	    "net" : "gross");

	r = add(rows, pi, "adp", "days", 2);
	rc = kpi_adp(&in->pay, &v);
	if (ok_i(in->pay.w_dtp))
		set_q(r, rc, I(in->pay.w_dtp), I(in->pay.amount));
	else
		set(r, rc, v);
	detail(r, rc == 0 ? "%ld payment%s, %s" : "no payments: undefined",
	    in->pay.n, in->pay.n == 1 ? "" : "s", mfmt(x, in->pay.amount, a));
	r = add(rows, pi, "adp_unweighted", "days", 2);
	rc = kpi_adp_unweighted(&in->pay, &v);
	set_q(r, rc, I(in->pay.sum_dtp), in->pay.n);
	if (rc != 0)
		detail(r, "no payments: undefined");
	r = add(rows, pi, "dbt", "days", 2);
	rc = kpi_dbt(&in->pay, k->dbt, &v);
	{
		long double w = k->dbt == KPI_DBT_LATE_ONLY ? in->pay.w_late :
		    in->pay.w_dbt;

		if (ok_i(w))
			set_q(r, rc, I(w), I(in->pay.amount));
		else
			set(r, rc, v);
	}
	detail(r, rc == 0 ? "%s" : "no payments: undefined",
	    k->dbt == KPI_DBT_LATE_ONLY ? "late only" : "signed");

	{
		long n = in->ptp_kept + in->ptp_broken;

		r = add(rows, pi, "ptp_kept_count_pct", "pct", 2);
		rc = kpi_pct(in->ptp_kept, n, &v);
		set_q(r, rc, (__int128)in->ptp_kept * 100, n);
		detail(r, rc == 0 ? "%ld kept of %ld, %ld pending" :
		    "no promise fell due: undefined (%ld of %ld, %ld "
		    "pending)", in->ptp_kept, n, in->ptp_pending);
		r = add(rows, pi, "ptp_kept_value_pct", "pct", 2);
		rc = kpi_pct(in->ptp_kept_v, in->ptp_eval_v, &v);
		set_q(r, rc, (__int128)I(in->ptp_kept_v) * 100,
		    I(in->ptp_eval_v));
		if (rc == 0)
			detail(r, "%s of %s", mfmt(x, in->ptp_kept_v, a),
			    mfmt(x, in->ptp_eval_v, b));
		r = add(rows, pi, "ptp_cash_pct", "pct", 2);
		rc = kpi_pct(in->ptp_paid_v, in->ptp_eval_v, &v);
		set_q(r, rc, (__int128)I(in->ptp_paid_v) * 100,
		    I(in->ptp_eval_v));
		if (rc == 0)
			detail(r, "%s received of %s promised",
			    mfmt(x, in->ptp_paid_v, a),
			    mfmt(x, in->ptp_eval_v, b));
	}

	r = add(rows, pi, "dispute_rate_pct", "pct", 2);
	rc = kpi_pct(in->disp_n, in->inv_n, &v);
	set_q(r, rc, (__int128)in->disp_n * 100, in->inv_n);
	detail(r, rc == 0 ? "%ld of %ld invoices issued" :
	    "no invoices issued: undefined", in->disp_n, in->inv_n);
	r = add(rows, pi, "dispute_value_pct", "pct", 2);
	rc = kpi_pct(in->disp_v, in->inv_v, &v);
	set_q(r, rc, (__int128)I(in->disp_v) * 100, I(in->inv_v));
	if (rc != 0)
		detail(r, "no invoices issued: undefined");
	{
		int32_t *tmp = xcalloc(in->nclosed + 1, sizeof *tmp);

		if (in->nclosed)
			memcpy(tmp, in->closed_days, in->nclosed *
			    sizeof *tmp);
		r = add(rows, pi, "dispute_days_mean", "days", 2);
		rc = kpi_mean(tmp, in->nclosed, &v);
		set_q(r, rc, isum(tmp, in->nclosed), (__int128)in->nclosed);
		detail(r, rc == 0 ? "%zu queries closed" :
		    "no query closed: undefined", in->nclosed);
		r = add(rows, pi, "dispute_days_median", "days", 2);
		rc = kpi_median(tmp, in->nclosed, &v);
		set(r, rc, v);
		if (rc != 0)
			detail(r, "no query closed: undefined");
		free(tmp);
		r = add(rows, pi, "dispute_open_days_mean", "days", 2);
		rc = kpi_mean(in->open_ages, in->nopen, &v);
		set_q(r, rc, isum(in->open_ages, in->nopen),
		    (__int128)in->nopen);
		detail(r, rc == 0 ? "%zu queries open at the end" :
		    "no query open at the end", in->nopen);
	}

	r = add(rows, pi, "rpc_per_attempt_pct", "pct", 2);
	rc = kpi_pct(in->rpcs, in->attempts, &v);
	set_q(r, rc, (__int128)in->rpcs * 100, in->attempts);
	detail(r, rc == 0 ? "%ld right-party contacts of %ld call attempts" :
	    "no call attempts: undefined", in->rpcs, in->attempts);
	r = add(rows, pi, "rpc_per_connect_pct", "pct", 2);
	rc = kpi_pct(in->rpcs, in->connects, &v);
	set_q(r, rc, (__int128)in->rpcs * 100, in->connects);
	detail(r, rc == 0 ? "%ld of %ld answered calls" :
	    "no answered calls: undefined", in->rpcs, in->connects);

	r = add(rows, pi, "cash_collected", ccy, x->digits);
	set_money(r, x, I(in->cash));
	detail(r, "cash applied to items");
	r = add(rows, pi, "cash_vs_target_pct", "pct", 2);
	{
		__int128 tn = 0, td = 1;
		int64_t tm = 0;

		if ((t = kpi_config_target(k, "cash_collected")) != NULL) {
			cash_target = t->value * period_months(p);
			cash_target_q(t, p, x, &tn, &td);
		}
		/* cash / (tn / td) x 100 */
		rc = cash_target > 0 && tn > 0 && kpi_round_q(tn, td, 0,
		    &tm) == 0 ? 0 : -1;
		set_q(r, rc, (__int128)I(in->cash) * td * 100, tn);
		money_format(tm, x->digits, a);
	}
	if (r->defined && period_months(p) == p->months)
		detail(r, "target %s for %d month%s", a, p->months,
		    p->months == 1 ? "" : "s");
	else if (r->defined)
		detail(r, "target %s for %d day%s (%.4Lf months)", a, days,
		    days == 1 ? "" : "s", period_months(p));
	else
		detail(r, "no targets.cash_collected: undefined");

	r = add(rows, pi, "bad_debt_gross_pct", "pct", 2);
	rc = kpi_pct(in->writeoff, sales, &v);
	set_q(r, rc == 0 && sden > 0 ? 0 : -1, (__int128)I(in->writeoff) *
	    100 * VAT_DEN, sden);
	detail(r, rc == 0 ? "written off %s" : no_sales,
	    mfmt(x, in->writeoff, a));
	r = add(rows, pi, "bad_debt_net_pct", "pct", 2);
	rc = kpi_pct(in->writeoff - in->recovery, sales, &v);
	set_q(r, rc == 0 && sden > 0 ? 0 : -1, ((__int128)I(in->writeoff) -
	    I(in->recovery)) * 100 * VAT_DEN, sden);
	detail(r, rc == 0 ? "recovered %s" : no_sales,
	    mfmt(x, in->recovery, a));

	r = add(rows, pi, "cost_per_unit", "ratio", 4);
	{
		char miss[16] = "";
		long double cost = period_cost(k, p, miss, sizeof miss);

		if (cost < 0) {
			set(r, -1, 0);
			detail(r, "no cost for %s (kpi.costs or "
			    "kpi.monthly_cost): undefined", miss);
		} else {
			rc = kpi_ratio(cost, major(x, in->cash), &v);
			set(r, rc, v);
			if (rc == 0)
				detail(r, "cost %.2Lf over %s %s collected",
				    cost, mfmt(x, in->cash, a), ccy);
			else
				detail(r, "no cash collected: undefined");
		}
	}

	{
		static const char *const keys[] = {
			"letters", "emails", "sms", "calls", "escalations"
		};

		for (int j = 0; j < 5; j++) {
			r = add(rows, pi, keys[j], "count", 0);
			set_q(r, 0, in->act[j], 1);
			if (j < 4)
				detail(r, "%ld actions, %ld logged contacts",
				    in->act[j] - in->act_contacts[j],
				    in->act_contacts[j]);
			else
				detail(r, "actions at kpi.escalation_steps");
		}
	}
	r = add(rows, pi, "credit_sales", ccy, x->digits);
	{
		int64_t gross;

		/* check_range made sure the grossed-up sales fit. */
		if (money_muldiv(S, vf, VAT_DEN, &gross) == 0)
			set_money(r, x, gross);
		else
			detail(r, too_large);
	}
	if (k->vat_pct > 0)
		detail(r, "grossed up by %.2Lf%% VAT", k->vat_pct);
	r = add(rows, pi, "ar_begin", ccy, x->digits);
	set_money(r, x, I(in->ar_begin));
	r = add(rows, pi, "ar_end", ccy, x->digits);
	set_money(r, x, I(in->ar_end));
	r = add(rows, pi, "ar_current", ccy, x->digits);
	set_money(r, x, I(in->current_end));
}

/*
 * after_as_of: a period ending after the as-of day is not over: its
 * figures are what the state holds now (later invoices and payments
 * included), not what the period will show.  Said in each row's detail
 * (the new user's D10), so a pipeline reading one KPI sees it too.
 */
static void
after_as_of(struct kpi_row *r, int32_t as_of)
{
	char day[DATE_BUFSZ];
	size_t n = strlen(r->detail);

	snprintf(r->detail + n, sizeof r->detail - n, "%sthe period ends "
	    "after the as-of day %s: not over", n ? "; " : "",
	    date_format(as_of, day));
}

static void
judge(struct kpi_row *r, const struct kpi_config *k,
    const struct kpi_period *p, const struct kpi_data *x)
{
	const struct kpi_target *t = kpi_config_target(k, r->key);
	enum kpi_dir dir = direction(r->key);
	long double margin;

	if (t == NULL || dir == KPI_NO_DIRECTION)
		return;
	r->target = t->value;
	if (strcmp(r->key, "cash_collected") == 0) {
		__int128 tn, td;

		r->target *= period_months(p);
		cash_target_q(t, p, x, &tn, &td);
		if (kpi_round_q(tn, td, 0, &r->st) != 0)
			return;
	} else if (kpi_round_q(llroundl(t->value * 10000), 10000, r->dp,
	    &r->st) != 0)
		return;		/* a target of four decimals: exact */
	r->has_target = 1;
	margin = t->margin >= 0 ? t->margin : fabsl(r->target) *
	    k->near_pct / 100;
	if (r->defined)
		r->status = kpi_status_of(r->sv, r->st, margin, dir, r->dp);
}

void
kpi_rows_build(struct kpi_rows *rows, const struct kpi_period *p,
    size_t np, const struct kpi_data *x, const struct kpi_config *k)
{
	memset(rows, 0, sizeof *rows);
	for (size_t i = 0; i < np; i++) {
		size_t first = rows->n;

		build_period(rows, i, &p[i], x, k);
		for (size_t j = first; j < rows->n; j++) {
			judge(&rows->v[j], k, &p[i], x);
			if (p[i].end > x->as_of)
				after_as_of(&rows->v[j], x->as_of);
		}
	}
}

void
kpi_rows_free(struct kpi_rows *rows)
{
	free(rows->v);
	memset(rows, 0, sizeof *rows);
}

int
kpi_write_tsv(FILE *out, const struct kpi_rows *rows,
    const struct kpi_period *p)
{
	char buf[KPI_BUFSZ];

	fputs("period\tkpi\tvalue\tunit\ttarget\tstatus\tdetail\n", out);
	for (size_t i = 0; i < rows->n; i++) {
		const struct kpi_row *r = &rows->v[i];

		fputs(p[r->period].label, out);
		fprintf(out, "\t%s\t%s\t%s\t", r->key, r->defined ?
		    kpi_format_scaled(r->sv, r->dp, buf) : "", r->unit);
		if (r->has_target)
			fputs(kpi_format_scaled(r->st, r->dp, buf), out);
		fprintf(out, "\t%s\t", kpi_status_name(r->status));
		/* Details are ours, but keep the stream's escaping rule. */
		for (const char *s = r->detail; *s; s++)
			if (*s == '\t')
				fputs("\\t", out);
			else if (*s == '\n')
				fputs("\\n", out);
			else if (*s == '\\')
				fputs("\\\\", out);
			else
				fputc(*s, out);
		fputc('\n', out);
	}
	return fflush(out) == 0 && !ferror(out) ? 0 : -1;
}

void
kpi_html_escape(FILE *out, const char *s)
{
	for (; s != NULL && *s; s++) {
		unsigned char ch = (unsigned char)*s;

		/* The bidirectional embeddings, overrides and isolates
		 * (U+202A-U+202E, U+2066-U+2069) would reorder what follows
		 * them ("evil" shown as "live"): dropped. */
		if (ch == 0xe2 && (unsigned char)s[1] == 0x80 &&
		    (unsigned char)s[2] >= 0xaa && (unsigned char)s[2] <= 0xae) {
			s += 2;
			continue;
		}
		if (ch == 0xe2 && (unsigned char)s[1] == 0x81 &&
		    (unsigned char)s[2] >= 0xa6 && (unsigned char)s[2] <= 0xa9) {
			s += 2;
			continue;
		}
		switch (ch) {
		case '&': fputs("&amp;", out); break;
		case '<': fputs("&lt;", out); break;
		case '>': fputs("&gt;", out); break;
		case '"': fputs("&quot;", out); break;
		case '\'': fputs("&#39;", out); break;
		default:
			/* Controls are not allowed in XML 1.0 text. */
			if (ch < 0x20 && ch != '\t' && ch != '\n')
				fputc(' ', out);
			else
				fputc(ch, out);
		}
	}
}

static void
esc(FILE *out, const char *s)
{
	kpi_html_escape(out, s);
}

/*
 * esc_name: a name from the ledger, isolated in <bdi> so a right-to-left
 * name does not reorder the cells beside it, and cut after KPI_NAME_MAX
 * characters with an ellipsis, the whole name in the title, so a name of
 * thousands of characters does not push the balance off the page.
 */
#define KPI_NAME_MAX 60
static void
esc_name(FILE *out, const char *s)
{
	size_t chars = 0, cut = 0;

	for (size_t i = 0; s != NULL && s[i]; i++)
		if (((unsigned char)s[i] & 0xc0) != 0x80 &&
		    chars++ == KPI_NAME_MAX)
			cut = i;
	if (cut == 0) {
		fputs("<bdi>", out);
		esc(out, s);
		fputs("</bdi>", out);
		return;
	}
	fputs("<bdi title=\"", out);
	esc(out, s);
	fputs("\">", out);
	{
		char *head = xstrndup(s, cut);

		esc(out, head);
		free(head);
	}
	fputs("\xe2\x80\xa6</bdi>", out);
}

/* bucket_label: an aging bucket as people read it: "not due", "1\xe2\x80\x93"
 * "30", "91+" for not_due, d1_30, d91_plus. */
static const char *
bucket_label(const char *name, char *buf, size_t bufsz)
{
	int lo, hi, used = 0;

	if (strcmp(name, "not_due") == 0)
		snprintf(buf, bufsz, "not due");
	else if (sscanf(name, "d%d_plus%n", &lo, &used) == 1 &&
	    name[used] == '\0')
		snprintf(buf, bufsz, "%d+", lo);
	else if (sscanf(name, "d%d_%d%n", &lo, &hi, &used) == 2 &&
	    name[used] == '\0')
		snprintf(buf, bufsz, "%d\xe2\x80\x93%d", lo, hi);
	else
		snprintf(buf, bufsz, "%s", name);
	return buf;
}

static const struct kpi_row *
find(const struct kpi_rows *rows, size_t period, const char *key)
{
	for (size_t i = 0; i < rows->n; i++)
		if (rows->v[i].period == period &&
		    strcmp(rows->v[i].key, key) == 0)
			return &rows->v[i];
	return NULL;
}

/*
 * svg_yaxis: the value scale of a chart at x = left: the axis from y_top
 * (hi) to y_bottom (lo), and hi, the middle and lo labelled, so a bar's
 * height reads as a figure.
 */
static void
svg_yaxis(FILE *out, int left, int y_top, int y_bottom, long double hi,
    long double lo, int digits, const char *unit)
{
	char buf[KPI_BUFSZ];

	fprintf(out, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" "
	    "stroke=\"#333\"/>\n", left, y_top, left, y_bottom);
	/* Nothing to scale (no value, or all zero): say so, rather than a
	 * scale of 0.00, 0.00, 0.00 or 1, 1, 0 (the new user's D9). */
	if (hi == lo) {
		fprintf(out, "<text x=\"%d\" y=\"%d\" font-size=\"10\" "
		    "text-anchor=\"end\">no data</text>\n", left - 5,
		    y_bottom + 3);
		fprintf(out, "<text x=\"4\" y=\"%d\" font-size=\"10\">",
		    y_top - 6);
		esc(out, unit);
		fputs("</text>\n", out);
		return;
	}
	for (int i = 0; i <= 2; i++) {
		long double v = hi - (hi - lo) * i / 2;
		int y = y_top + (y_bottom - y_top) * i / 2;

		fprintf(out, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" "
		    "y2=\"%d\" stroke=\"#333\"/>\n<text x=\"%d\" y=\"%d\" "
		    "font-size=\"10\" text-anchor=\"end\">", left - 3, y, left,
		    y, left - 5, y + 3);
		esc(out, kpi_format(v, digits, buf));
		fputs("</text>\n", out);
	}
	fprintf(out, "<text x=\"4\" y=\"%d\" font-size=\"10\">", y_top - 6);
	esc(out, unit);
	fputs("</text>\n", out);
}

/* A bar chart: n labelled values, heights scaled to the largest. */
static void
svg_bars(FILE *out, const char *title, const char (*names)[24],
    const long double *v, size_t n, int digits, const char *unit)
{
	const int w = 640, h = 240, left = 60, bottom = 40;
	long double max = 0;
	char buf[KPI_BUFSZ];
	int bw;

	for (size_t i = 0; i < n; i++)
		if (v[i] > max)
			max = v[i];
	bw = n ? (w - left - 20) / (int)n : 0;
	fprintf(out, "<svg xmlns=\"http://www.w3.org/2000/svg\" "
	    "width=\"%d\" height=\"%d\" role=\"img\" aria-label=\"", w, h);
	esc(out, title);
	fputs("\">\n<title>", out);
	esc(out, title);
	fputs("</title>\n", out);
	fprintf(out, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" "
	    "stroke=\"#333\"/>\n", left, h - bottom, w - 10, h - bottom);
	svg_yaxis(out, left, 30, h - bottom, max > 0 ? max : 0, 0, digits,
	    unit);
	/* A negative value (a bucket in credit) is no bar, its figure still
	 * written. */
	for (size_t i = 0; i < n; i++) {
		int bh = max > 0 && v[i] > 0 ? (int)(v[i] / max *
		    (h - bottom - 30)) : 0;
		int x = left + (int)i * bw + 4;

		fprintf(out, "<rect x=\"%d\" y=\"%d\" width=\"%d\" "
		    "height=\"%d\" fill=\"#4a7ab5\"/>\n", x, h - bottom - bh,
		    bw - 8, bh);
		fprintf(out, "<text x=\"%d\" y=\"%d\" font-size=\"11\" "
		    "text-anchor=\"middle\">", x + (bw - 8) / 2,
		    h - bottom - bh - 4);
		esc(out, kpi_format(v[i], digits, buf));
		fprintf(out, "</text>\n<text x=\"%d\" y=\"%d\" "
		    "font-size=\"11\" text-anchor=\"middle\">",
		    x + (bw - 8) / 2, h - bottom + 16);
		esc(out, bucket_label(names[i], buf, sizeof buf));
		fputs("</text>\n", out);
	}
	fputs("</svg>\n", out);
}

/* The DSO trend: one point per period, gaps where undefined. */
static void
svg_trend(FILE *out, const struct kpi_rows *rows,
    const struct kpi_period *p, size_t np)
{
	const int w = 640, h = 240, left = 50, bottom = 40, top = 20;
	long double max = 0, min = 0;
	char buf[KPI_BUFSZ];
	int pen = 0, any = 0;

	/* The scale runs from the lowest value or 0 to the highest: a
	 * negative DSO (net AR in credit) is drawn below the zero line,
	 * inside the chart. */
	for (size_t i = 0; i < np; i++) {
		const struct kpi_row *r = find(rows, i, "dso_simple");

		if (r && r->defined && r->value > max)
			max = r->value;
		if (r && r->defined && r->value < min)
			min = r->value;
		any |= r && r->defined;
	}
	if (max <= min)
		max = min + 1;
	fprintf(out, "<svg xmlns=\"http://www.w3.org/2000/svg\" "
	    "width=\"%d\" height=\"%d\" role=\"img\" aria-label=\"DSO "
	    "trend\">\n<title>DSO trend (simple)</title>\n", w, h);
#define TREND_Y(v) (h - bottom - (int)(((v) - min) / (max - min) * \
	    (h - bottom - top)))
	fprintf(out, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" "
	    "stroke=\"#333\"/>\n", left, TREND_Y(0), w - 10, TREND_Y(0));
	svg_yaxis(out, left, top, h - bottom, any ? max : min, min, 1, "days");
	fputs("<path fill=\"none\" stroke=\"#b5534a\" stroke-width=\"2\" "
	    "d=\"", out);
	for (size_t i = 0; i < np; i++) {
		const struct kpi_row *r = find(rows, i, "dso_simple");
		int x = left + (np > 1 ? (int)((w - left - 30) * i /
		    (np - 1)) : (w - left) / 2);

		if (r == NULL || !r->defined) {
			pen = 0;
			continue;
		}
		fprintf(out, "%s%d %d ", pen ? "L" : "M", x,
		    TREND_Y(r->value));
		pen = 1;
	}
	fputs("\"/>\n", out);
	for (size_t i = 0; i < np; i++) {
		const struct kpi_row *r = find(rows, i, "dso_simple");
		int x = left + (np > 1 ? (int)((w - left - 30) * i /
		    (np - 1)) : (w - left) / 2);

		if (r != NULL && r->defined) {
			int y = TREND_Y(r->value);

			fprintf(out, "<circle cx=\"%d\" cy=\"%d\" r=\"3\" "
			    "fill=\"#b5534a\"/>\n<text x=\"%d\" y=\"%d\" "
			    "font-size=\"10\" text-anchor=\"middle\">", x, y,
			    x, y - 6);
			esc(out, kpi_format(r->value, 1, buf));
			fputs("</text>\n", out);
		}
		if (np <= 12 || i % (np / 12 + 1) == 0) {
			fprintf(out, "<text x=\"%d\" y=\"%d\" font-size=\"10\" "
			    "text-anchor=\"middle\">", x, h - bottom + 16);
			esc(out, p[i].label);
			fputs("</text>\n", out);
		}
	}
#undef TREND_Y
	fputs("</svg>\n", out);
}

/* Cash against target per period: bars, the target a tick. */
static void
svg_cash(FILE *out, const struct kpi_rows *rows,
    const struct kpi_period *p, size_t np, int digits)
{
	const int w = 640, h = 240, left = 60, bottom = 40, top = 20;
	long double max = 0;
	int nodata = 0;
	int bw = np ? (w - left - 20) / (int)np : 0;
	char buf[KPI_BUFSZ];

	for (size_t i = 0; i < np; i++) {
		const struct kpi_row *r = find(rows, i, "cash_collected");

		if (r && r->value > max)
			max = r->value;
		if (r && r->has_target && r->target > max)
			max = r->target;
	}
	if (max <= 0)
		max = 1, nodata = 1;
	fprintf(out, "<svg xmlns=\"http://www.w3.org/2000/svg\" "
	    "width=\"%d\" height=\"%d\" role=\"img\" aria-label=\"Cash "
	    "collected against target\">\n<title>Cash collected against "
	    "target</title>\n", w, h);
	fprintf(out, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" "
	    "stroke=\"#333\"/>\n", left, h - bottom, w - 10, h - bottom);
	svg_yaxis(out, left, top, h - bottom, nodata ? 0 : max, 0, 0, "cash");
	for (size_t i = 0; i < np; i++) {
		const struct kpi_row *r = find(rows, i, "cash_collected");
		int x = left + (int)i * bw + 2;
		int bh;

		if (r == NULL)
			continue;
		bh = r->value > 0 ? (int)(r->value / max * (h - bottom -
		    top)) : 0;
		fprintf(out, "<rect x=\"%d\" y=\"%d\" width=\"%d\" "
		    "height=\"%d\" fill=\"#5a9a5a\"><title>", x,
		    h - bottom - bh, bw > 4 ? bw - 4 : 1, bh);
		esc(out, p[i].label);
		fputs(": ", out);
		esc(out, kpi_format(r->value, digits, buf));
		fputs("</title></rect>\n", out);
		if (np <= 12) {
			fprintf(out, "<text x=\"%d\" y=\"%d\" font-size=\"9\" "
			    "text-anchor=\"middle\">", x + bw / 2,
			    h - bottom - bh - 3);
			esc(out, kpi_format(r->value, 0, buf));
			fputs("</text>\n", out);
		}
		if (r->has_target) {
			int ty = h - bottom - (int)(r->target / max *
			    (h - bottom - top));

			fprintf(out, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" "
			    "y2=\"%d\" stroke=\"#000\" stroke-width=\"2\"/>\n",
			    x - 1, ty, x + (bw > 4 ? bw - 3 : 2), ty);
		}
		if (np <= 12 || i % (np / 12 + 1) == 0) {
			fprintf(out, "<text x=\"%d\" y=\"%d\" font-size=\"10\" "
			    "text-anchor=\"middle\">", x + bw / 2,
			    h - bottom + 16);
			esc(out, p[i].label);
			fputs("</text>\n", out);
		}
	}
	fputs("</svg>\n", out);
}

int
kpi_write_html(FILE *out, const struct kpi_rows *rows,
    const struct kpi_period *p, size_t np, const struct kpi_data *x,
    const char *title, int32_t as_of)
{
	char buf[KPI_BUFSZ], day[DATE_BUFSZ], mb[MONEY_BUFSZ];
	size_t last = np ? np - 1 : 0;
	long double bv[32];

	fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n"
	    "<meta charset=\"utf-8\"/>\n<title>", out);
	esc(out, title ? title : "creditkit");
	fputs(" KPI report</title>\n<style>\n"
	    "body{font-family:sans-serif;margin:2em;color:#222}\n"
	    "table{border-collapse:collapse;margin:1em 0}\n"
	    "td,th{border:1px solid #ccc;padding:2px 8px;text-align:left}\n"
	    "td.n{text-align:right}\n"
	    ".on{background:#dfd}.near{background:#ffd}.off{background:#fdd}\n"
	    "</style>\n</head>\n<body>\n<h1>", out);
	esc_name(out, title ? title : "KPI report");
	fputs("</h1>\n<p>Periods ", out);
	if (np > 0) {
		esc(out, p[0].label);
		if (np > 1) {
			fputs(" to ", out);
			esc(out, p[last].label);
		}
	}
	fputs("; as of ", out);
	esc(out, date_format(as_of, day));
	fputs("; amounts in ", out);
	esc(out, x->currency);
	fputs(".</p>\n<h2>KPIs for ", out);
	if (np > 0)
		esc(out, p[last].label);
	fputs("</h2>\n<table>\n<tr><th>KPI</th><th>value</th><th>unit</th>"
	    "<th>target</th><th>status</th><th>detail</th></tr>\n", out);
	for (size_t i = 0; i < rows->n; i++) {
		const struct kpi_row *r = &rows->v[i];
		const char *st = kpi_status_name(r->status);

		if (r->period != last)
			continue;
		fputs("<tr", out);
		if (*st) {
			fputs(" class=\"", out);
			esc(out, st);
			fputs("\"", out);
		}
		fputs("><td>", out);
		esc(out, r->key);
		fputs("</td><td class=\"n\">", out);
		esc(out, r->defined ? kpi_format_scaled(r->sv, r->dp, buf) :
		    "");
		fputs("</td><td>", out);
		esc(out, r->unit);
		fputs("</td><td class=\"n\">", out);
		esc(out, r->has_target ? kpi_format_scaled(r->st, r->dp, buf) :
		    "");
		fputs("</td><td>", out);
		esc(out, st);
		fputs("</td><td>", out);
		esc(out, r->detail);
		fputs("</td></tr>\n", out);
	}
	fputs("</table>\n<h2>Aged debt on ", out);
	esc(out, date_format(x->snap_day, day));
	fputs("</h2>\n", out);
	for (size_t i = 0; i < x->nbuckets; i++)
		bv[i] = x->buckets[i] / powl(10, x->digits);
	svg_bars(out, "Aged debt by days past due", x->bucket_names, bv,
	    x->nbuckets, x->digits, x->currency);
	fputs("<p>Credits and unapplied cash: ", out);
	esc(out, mfmt(x, x->snap_credits, mb));
	fputs("</p>\n<h2>DSO trend</h2>\n", out);
	svg_trend(out, rows, p, np);
	fputs("<h2>Cash collected against target</h2>\n", out);
	svg_cash(out, rows, p, np, x->digits);
	/* No table without rows (kpi.top_debtors: 0, or nothing open). */
	fputs("<h2>Top debtors by balance</h2>\n", out);
	if (x->ntop == 0)
		fputs("<p>None listed.</p>\n", out);
	else
		fputs("<table>\n<tr><th>debtor</th><th>name</th>"
		    "<th>balance</th></tr>\n", out);
	for (size_t i = 0; i < x->ntop; i++) {
		fputs("<tr><td>", out);
		esc_name(out, x->top[i].ref);
		fputs("</td><td>", out);
		esc_name(out, x->top[i].name);
		fputs("</td><td class=\"n\">", out);
		esc(out, mfmt(x, x->top[i].balance, mb));
		fputs("</td></tr>\n", out);
	}
	if (x->ntop > 0)
		fputs("</table>\n", out);
	fputs("</body>\n</html>\n", out);
	return fflush(out) == 0 && !ferror(out) ? 0 : -1;
}

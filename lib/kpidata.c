/*
 * kpidata: the kpi: and targets: config sections, exchange rates, and the
 * one-pass gathering of every period's KPI inputs from the state.  See
 * kpidata.h for how one pass serves any number of periods.
 */

#include <float.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "aging.h"
#include "chase.h"
#include "contact.h"
#include "date.h"
#include "kpidata.h"
#include "money.h"
#include "promise.h"
#include "tsv.h"
#include "util.h"

/* Config. */

static const char *const kpi_keys[] = {
	"countback_month", "cei_sales", "dbt", "over_90_basis",
	"sales_vat_pct", "near_margin_pct", "monthly_cost", "costs",
	"escalation_steps", "top_debtors", NULL
};

/* The KPI keys a target may name (kpireport knows their directions). */
static const char *const target_keys[] = {
	"dso_simple", "dso_countback", "bpdso_simple", "bpdso_countback",
	"add_simple", "add_countback", "dso_true", "cei", "over_90_pct",
	"adp", "dbt", "ptp_kept_count_pct", "ptp_kept_value_pct",
	"dispute_rate_pct", "dispute_days_mean", "dispute_days_median",
	"rpc_per_attempt_pct", "rpc_per_connect_pct", "cash_collected",
	"cash_vs_target_pct", "bad_debt_gross_pct", "bad_debt_net_pct",
	"cost_per_unit", NULL
};

void
kpi_config_defaults(struct kpi_config *k)
{
	memset(k, 0, sizeof *k);
	k->month_len = KPI_MONTH_ACTUAL;
	k->cei_sales = KPI_CEI_TOTAL;
	k->dbt = KPI_DBT_SIGNED;
	k->p90 = KPI_P90_GROSS;
	k->near_pct = 10;
	k->monthly_cost = -1;
	k->top_debtors = 10;
}

void
kpi_config_free(struct kpi_config *k)
{
	for (size_t i = 0; i < k->nescal; i++)
		free(k->escal[i]);
	for (size_t i = 0; i < k->ntargets; i++)
		free(k->targets[i].key);
	free(k->escal);
	free(k->targets);
	free(k->cost_month);
	free(k->cost);
	kpi_config_defaults(k);
}

/* A decimal number (up to 4 decimals), never through strtod. */
static int
num_of(const struct cfg_node *n, const char *what, int allow_neg,
    long double *out, struct diag *d)
{
	const char *s;
	int64_t v;
	int r;

	if ((r = cfg_to_str(n, what, &s, d)) != 1)
		return r;
	if (money_parse(s, strlen(s), 4, MONEY_POINT, &v, NULL, d) != 0) {
		/* Say what is wrong with a number (the new user's D8). */
		const char *why = strstr(d->msg, "decimals") != NULL ?
		    "has more than 4 decimals" : strstr(d->msg, "too large")
		    != NULL ? "is too large" : "is not a number (like 45 or "
		    "72.5)";

		diag_set(d, "%s: \"%.40s\" %s", what, s, why);
		d->line = n->line;
		return -1;
	}
	if (!allow_neg && v < 0) {
		diag_set(d, "%s: \"%.40s\" is negative (give 0 or more)", what,
		    s);
		d->line = n->line;
		return -1;
	}
	*out = (long double)v / 10000;
	return 1;
}

static int
choice(const struct cfg_node *map, const char *key, const char *a,
    const char *b, int *out, struct diag *d)
{
	const char *s;
	int r;

	if ((r = cfg_get_str(map, "kpi", key, &s, d)) != 1)
		return r;
	if (strcmp(s, a) == 0)
		*out = 0;
	else if (strcmp(s, b) == 0)
		*out = 1;
	else {
		diag_set(d, "kpi.%s: \"%.40s\" is not %s or %s", key, s, a, b);
		d->line = cfg_get(map, key)->line;
		return -1;
	}
	return 1;
}

static int
load_kpi(const struct cfg_node *m, struct kpi_config *k, struct diag *d)
{
	const struct cfg_node *n;
	long long top;
	int v;

	/* A list or a scalar has no keys to check: it must be refused, not
	 * read as an empty map. */
	if (m->kind != CFG_MAP) {
		diag_set(d, "kpi: must be a map of settings");
		d->line = m->line;
		return -1;
	}
	if (cfg_check_keys(m, kpi_keys, "kpi", d) != 0)
		return -1;
	if (choice(m, "countback_month", "actual", "30", &v, d) < 0)
		return -1;
	else if (cfg_get(m, "countback_month") && !cfg_is_null(cfg_get(m,
	    "countback_month")))
		k->month_len = v ? KPI_MONTH_30 : KPI_MONTH_ACTUAL;
	v = 0;
	if (choice(m, "cei_sales", "total", "per_month", &v, d) < 0)
		return -1;
	k->cei_sales = v ? KPI_CEI_PER_MONTH : KPI_CEI_TOTAL;
	v = 0;
	if (choice(m, "dbt", "signed", "late_only", &v, d) < 0)
		return -1;
	k->dbt = v ? KPI_DBT_LATE_ONLY : KPI_DBT_SIGNED;
	v = 0;
	if (choice(m, "over_90_basis", "gross", "net", &v, d) < 0)
		return -1;
	k->p90 = v ? KPI_P90_NET : KPI_P90_GROSS;
	if (num_of(cfg_get(m, "sales_vat_pct"), "kpi.sales_vat_pct", 0,
	    &k->vat_pct, d) < 0 ||
	    num_of(cfg_get(m, "near_margin_pct"), "kpi.near_margin_pct", 0,
	    &k->near_pct, d) < 0 ||
	    num_of(cfg_get(m, "monthly_cost"), "kpi.monthly_cost", 0,
	    &k->monthly_cost, d) < 0)
		return -1;
	if (k->vat_pct > 100) {
		diag_set(d, "kpi.sales_vat_pct: more than 100");
		d->line = cfg_get(m, "sales_vat_pct")->line;
		return -1;
	}
	if (cfg_get_int(m, "kpi", "top_debtors", 0, 100, &top, d) < 0)
		return -1;
	else if (cfg_get(m, "top_debtors") && !cfg_is_null(cfg_get(m,
	    "top_debtors")))
		k->top_debtors = (int)top;
	if ((n = cfg_get(m, "costs")) != NULL && !cfg_is_null(n)) {
		if (n->kind != CFG_MAP) {
			diag_set(d, "kpi.costs: a map of months to costs "
			    "(2024-03: 9200.00)");
			d->line = n->line;
			return -1;
		}
		k->cost_month = xcalloc(n->n ? n->n : 1, sizeof *k->cost_month);
		k->cost = xcalloc(n->n ? n->n : 1, sizeof *k->cost);
		for (size_t i = 0; i < n->n; i++) {
			struct kpi_period *p = NULL;
			size_t np = 0;
			char what[80];

			snprintf(what, sizeof what, "kpi.costs.%.40s",
			    n->keys[i]);
			if (strlen(n->keys[i]) != 7 || kpi_period_parse(
			    n->keys[i], &p, &np, d) != 0) {
				free(p);
				diag_set(d, "%s: not a month (like 2024-03)",
				    what);
				d->line = n->key_lines[i];
				return -1;
			}
			k->cost_month[i] = p[0].start;
			free(p);
			if (num_of(n->items[i], what, 0, &k->cost[i], d) < 0)
				return -1;
			k->ncosts++;
		}
	}
	if ((n = cfg_get(m, "escalation_steps")) != NULL && !cfg_is_null(n)) {
		if (n->kind != CFG_SEQ) {
			diag_set(d, "kpi.escalation_steps: a list of chase "
			    "step names");
			d->line = n->line;
			return -1;
		}
		k->escal = xcalloc(n->n ? n->n : 1, sizeof *k->escal);
		for (size_t i = 0; i < n->n; i++) {
			const char *s;

			if (cfg_to_str(n->items[i], "kpi.escalation_steps",
			    &s, d) != 1) {
				if (d->msg[0] == '\0')
					diag_set(d, "kpi.escalation_steps: "
					    "an empty step name");
				d->line = n->items[i]->line;
				return -1;
			}
			k->escal[k->nescal++] = xstrdup(s);
		}
	}
	return 0;
}

static int
load_targets(const struct cfg_node *m, struct kpi_config *k, struct diag *d)
{
	if (m->kind != CFG_MAP) {
		diag_set(d, "targets: a map of KPI keys to targets");
		d->line = m->line;
		return -1;
	}
	if (cfg_check_keys(m, target_keys, "targets", d) != 0)
		return -1;
	k->targets = xcalloc(m->n ? m->n : 1, sizeof *k->targets);
	for (size_t i = 0; i < m->n; i++) {
		const struct cfg_node *n = m->items[i], *v = n;
		struct kpi_target *t = &k->targets[k->ntargets];
		static const char *const tkeys[] = { "value", "margin", NULL };
		char what[96];

		snprintf(what, sizeof what, "targets.%s", m->keys[i]);
		t->margin = -1;
		t->line = m->key_lines[i];
		if (n->kind == CFG_MAP) {
			if (cfg_check_keys(n, tkeys, what, d) != 0)
				return -1;
			v = cfg_get(n, "value");
			if (num_of(cfg_get(n, "margin"), what, 0, &t->margin,
			    d) < 0)
				return -1;
		}
		if (v == NULL || cfg_is_null(v)) {
			diag_set(d, "%s: no value", what);
			d->line = n->line;
			return -1;
		}
		/* Only a signed DBT can aim below zero (paying early); a
		 * negative DSO, ADD, share or count is no target. */
		if (num_of(v, what, strcmp(m->keys[i], "dbt") == 0,
		    &t->value, d) < 0)
			return -1;
		t->key = xstrdup(m->keys[i]);
		k->ntargets++;
	}
	return 0;
}

/*
 * check_escal: each kpi.escalation_steps name is a step of one of the
 * config's paths (DOMAIN.md 4.1's default path without a paths:
 * section), or the count would be 0 for ever with nothing said (the new
 * user's D4: the example named final_demand and legal; its steps are
 * S0..S6).  An unknown one is an error at its line.
 */
static int
check_escal(const struct cfg_node *root, const struct kpi_config *k,
    struct diag *d)
{
	const struct cfg_node *m = cfg_get(cfg_get(root, "kpi"),
	    "escalation_steps");
	struct chase_config c;
	int rc = 0;

	if (chase_config_load(root, &c, d) != 0) {
		chase_config_free(&c);
		return -1;
	}
	for (size_t i = 0; rc == 0 && i < k->nescal; i++) {
		int found = 0;

		for (size_t p = 0; !found && p < c.npaths; p++)
			for (size_t j = 0; !found && j < c.paths[p].nsteps; j++)
				found = strcmp(c.paths[p].steps[j].name,
				    k->escal[i]) == 0;
		if (!found) {
			diag_set(d, "kpi.escalation_steps: \"%.40s\" is no "
			    "step of the chase paths (name a step: of "
			    "paths:, S0..S6 without them)", k->escal[i]);
			d->line = m != NULL && i < m->n ? m->items[i]->line : 0;
			rc = -1;
		}
	}
	chase_config_free(&c);
	return rc;
}

int
kpi_config_load(const struct cfg_node *root, struct kpi_config *k,
    struct diag *d)
{
	const struct cfg_node *m;

	kpi_config_defaults(k);
	if ((m = cfg_get(root, "kpi")) != NULL && !cfg_is_null(m) &&
	    load_kpi(m, k, d) != 0)
		goto fail;
	if ((m = cfg_get(root, "targets")) != NULL && !cfg_is_null(m) &&
	    load_targets(m, k, d) != 0)
		goto fail;
	if (k->nescal > 0 && check_escal(root, k, d) != 0)
		goto fail;
	return 0;
fail:
	kpi_config_free(k);
	return -1;
}

const struct kpi_target *
kpi_config_target(const struct kpi_config *k, const char *key)
{
	for (size_t i = 0; i < k->ntargets; i++)
		if (strcmp(k->targets[i].key, key) == 0)
			return &k->targets[i];
	return NULL;
}

/* Rates. */

struct kpi_rate {
	char code[4];
	int digits;
	int64_t rate8;			/* rate * 10^8 */
	int32_t day;
	int64_t mul, div;		/* money_rate_factors of rate8 */
	int factors;			/* mul and div set */
	int later;			/* rate8 0: only rates dated after
					   the as-of day were given */
};

struct kpi_rates {
	char report[4];
	int digits;
	size_t n;
	struct kpi_rate v[256];
	char missing[4];		/* the first currency without one */
	char too_big[4];		/* the first whose amount, converted,
					   is beyond int64 */
	int missing_later;		/* missing has rates, all later */
	int32_t as_of;
};

struct kpi_rates *
kpi_rates_new(const char *report_ccy)
{
	struct kpi_rates *r = xcalloc(1, sizeof *r);

	snprintf(r->report, sizeof r->report, "%s", report_ccy);
	r->digits = money_minor_digits(report_ccy);
	return r;
}

void
kpi_rates_free(struct kpi_rates *r)
{
	free(r);
}

int
kpi_rates_load(struct kpi_rates *r, FILE *fp, const char *name,
    int32_t as_of, struct diag *d)
{
	struct tsv_reader *t;
	int cc, cr, cd, rc;

	if ((t = tsv_open(fp, name, d)) == NULL)
		return -1;
	cc = tsv_col(t, "currency");
	cr = tsv_col(t, "rate");
	cd = tsv_col(t, "date");
	if (cc < 0 || cr < 0) {
		diag_set(d, "no column \"%s\" (rates need the columns "
		    "currency and rate, and may have date)", cc < 0 ?
		    "currency" : "rate");
		d->line = 0;
		tsv_close(t);
		return -1;
	}
	while ((rc = tsv_next(t, d)) != 0) {
		const char *code = tsv_field(t, (size_t)cc);
		const char *rate = tsv_field(t, (size_t)cr);
		int32_t day = INT32_MIN;
		int64_t v;
		size_t i;

		if (rc < 0)
			goto fail;
		d->line = tsv_line(t);
		if (!money_is_currency(code)) {
			diag_set(d, "field \"currency\": \"%.40s\" is not a "
			    "currency code (use ISO 4217, like EUR)", code);
			goto fail;
		}
		if (money_parse(rate, strlen(rate), 8, MONEY_POINT, &v, NULL,
		    d) != 0 || v <= 0) {
			diag_set(d, "field \"rate\": \"%.40s\" is not a "
			    "positive decimal of at most 8 places (like "
			    "0.8550)", rate);
			goto fail;
		}
		if (cd >= 0 && date_parse_iso(tsv_field(t, (size_t)cd), &day)
		    != 0) {
			diag_set(d, "field \"date\": \"%.40s\" is not a date "
			    "(use YYYY-MM-DD)", tsv_field(t, (size_t)cd));
			goto fail;
		}
		r->as_of = as_of;
		if (day > as_of) {
			/* Not in force yet; kept (with no rate) so that a
			 * missing rate can say so. */
			for (i = 0; i < r->n; i++)
				if (strcmp(r->v[i].code, code) == 0)
					break;
			if (i == r->n && r->n < sizeof r->v / sizeof r->v[0]) {
				r->n++;
				snprintf(r->v[i].code, 4, "%s", code);
				r->v[i].digits = money_minor_digits(code);
				r->v[i].day = INT32_MIN;
				r->v[i].later = 1;
			}
			continue;
		}
		if (strcmp(code, r->report) == 0 && v != 100000000) {
			diag_set(d, "field \"rate\": the reporting currency "
			    "%s converts at 1, not %.40s", code, rate);
			goto fail;
		}
		for (i = 0; i < r->n; i++)
			if (strcmp(r->v[i].code, code) == 0)
				break;
		if (i < r->n && r->v[i].day == day) {
			diag_set(d, "a second rate for %s%s", code,
			    cd >= 0 ? " on the same date" : "");
			goto fail;
		}
		if (i == r->n) {
			if (r->n == sizeof r->v / sizeof r->v[0]) {
				diag_set(d, "more than %zu currencies",
				    r->n);
				goto fail;
			}
			r->n++;
			snprintf(r->v[i].code, 4, "%s", code);
			r->v[i].digits = money_minor_digits(code);
			r->v[i].day = INT32_MIN;
		}
		if (day >= r->v[i].day) {
			r->v[i].day = day;
			r->v[i].rate8 = v;
		}
	}
	tsv_close(t);
	return 0;
fail:
	tsv_close(t);
	return -1;
}

/*
 * conv: amount (minor units of ccy) in reporting minor units, in one
 * rounding with the factors age-ledger uses (money_rate_factors).  -1
 * when ccy has no rate (its code kept in r->missing), -2 when the result
 * is beyond int64 (its code kept in r->too_big).
 */
static int
conv(struct kpi_rates *r, const char *ccy, int64_t amount, int64_t *out)
{
	if (ccy != NULL && strcmp(ccy, r->report) == 0) {
		*out = amount;
		return 0;
	}
	for (size_t i = 0; ccy != NULL && i < r->n; i++) {
		struct kpi_rate *k = &r->v[i];

		if (strcmp(k->code, ccy) != 0)
			continue;
		if (k->rate8 == 0) {
			if (r->missing[0] == '\0') {
				snprintf(r->missing, 4, "%s", ccy);
				r->missing_later = k->later;
			}
			return -1;
		}
		if (!k->factors) {
			if (money_rate_factors(k->rate8, 8, k->digits,
			    r->digits, &k->mul, &k->div) != 0)
				break;
			k->factors = 1;
		}
		if (money_muldiv(amount, k->mul, k->div, out) == 0)
			return 0;
		if (r->too_big[0] == '\0')
			snprintf(r->too_big, 4, "%s", ccy);
		return -2;
	}
	if (r->missing[0] == '\0')
		snprintf(r->missing, 4, "%s", ccy ? ccy : "");
	return -1;
}

/* Gathering. */

/*
 * Money is summed in int64 minor units, every addition checked (STYLE):
 * a sum that would leave int64 becomes MONEY_POISON, which every later
 * sum it enters keeps, and reaches the report as infinity, where
 * check_range refuses the figure by name.  A figure the report does not
 * read (a later month, a slot past every period) may overflow harmlessly.
 * Weighted sums (amount times days, for true DSO and days to pay) are not
 * money and can pass int64 on honest ledgers, so they and the counts are
 * long double: they only ever feed a ratio.
 */
#define MONEY_POISON INT64_MIN
struct month {
	int64_t sales;
	int64_t *open;			/* true DSO, diff arrays over Q */
	long double *wopen;
};

struct run {
	const struct kpi_period *p;
	size_t np;
	const struct kpi_config *k;
	struct kpi_rates *rates;
	int32_t *q;			/* the boundary days, sorted */
	size_t nq;
	/* Balances (difference arrays over Q, then prefix sums). */
	int64_t *ar, *gross, *cur, *o90;
	/* Flows (per slot, then prefix sums): money, then the rest. */
	int64_t *sales, *inv_v, *disp_v, *pay_amt, *cash, *woff, *recov;
	int64_t *kept_v, *eval_v, *paid_v;
	long double *inv_n, *disp_n;
	long double *pay_dtp, *pay_dbt, *pay_late, *pay_sum, *pay_n;
	long double *att, *con, *rpc, *act[5], *actc[4];
	long double *kept, *broken, *pend;
	/* Months. */
	int mfirst;			/* y * 12 + m - 1 of months[0] */
	size_t nm;
	struct month *m;
	/* The snapshot on the latest end. */
	int32_t snap;
	struct aging_opts ao;
	int64_t buckets[32], credits;
	int64_t *deb;
	size_t ndeb;
	/* Items in a query, sorted; items with a write-off, sorted. */
	int64_t *qitems;
	size_t nqitems;
	int64_t *woitems;
	int32_t *wodays;
	size_t nwo;
};

static size_t
slot(const struct run *r, int32_t t)
{
	size_t lo = 0, hi = r->nq;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (r->q[mid] < t)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static long double *
arr(const struct run *r)
{
	return xcalloc(r->nq + 1, sizeof(long double));
}

static int64_t *
marr(const struct run *r)
{
	return xcalloc(r->nq + 1, sizeof(int64_t));
}

/* madd: *acc += a, or MONEY_POISON when either is or the sum is not an
 * int64. */
static void
madd(int64_t *acc, int64_t a)
{
	if (*acc == MONEY_POISON || a == MONEY_POISON ||
	    money_add(*acc, a, acc) != 0)
		*acc = MONEY_POISON;
}

/* mneg: -a (the poison stays poison). */
static int64_t
mneg(int64_t a)
{
	return a == MONEY_POISON ? MONEY_POISON : -a;
}

/* mld: a money sum as the report reads it; poison is infinity, which
 * check_range refuses. */
static long double
mld(int64_t v)
{
	return v == MONEY_POISON ? INFINITY : (long double)v;
}

static int
month_of(int32_t day)
{
	int y, m, dd;

	date_to_ymd(day, &y, &m, &dd);
	return y * 12 + m - 1;
}

static struct month *
month_get(struct run *r, int32_t day)
{
	int mi = month_of(day);

	if (r->nm == 0) {
		r->mfirst = mi;
		r->nm = 1;
		r->m = xcalloc(1, sizeof *r->m);
	} else if (mi < r->mfirst) {
		size_t add = (size_t)(r->mfirst - mi);

		r->m = xreallocarray(r->m, r->nm + add, sizeof *r->m);
		memmove(r->m + add, r->m, r->nm * sizeof *r->m);
		memset(r->m, 0, add * sizeof *r->m);
		r->nm += add;
		r->mfirst = mi;
	} else if ((size_t)(mi - r->mfirst) >= r->nm) {
		size_t nn = (size_t)(mi - r->mfirst) + 1;

		r->m = xreallocarray(r->m, nn, sizeof *r->m);
		memset(r->m + r->nm, 0, (nn - r->nm) * sizeof *r->m);
		r->nm = nn;
	}
	return &r->m[mi - r->mfirst];
}

static int
has_id(const int64_t *v, size_t n, int64_t id, size_t *at)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (v[mid] < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (at != NULL)
		*at = lo;
	return lo < n && v[lo] == id;
}

static void
deb_add(struct run *r, int64_t id, int64_t a)
{
	if (id < 0 || (size_t)id >= r->ndeb)
		return;
	madd(&r->deb[id], a);
}

/* range_add: v over Q slots [lo, hi) by a (difference array). */
static void
range_add(long double *v, size_t lo, size_t hi, long double a)
{
	if (lo >= hi)
		return;
	v[lo] += a;
	v[hi] -= a;
}

/* mrange_add: the same for a money array, checked. */
static void
mrange_add(int64_t *v, size_t lo, size_t hi, int64_t a)
{
	if (lo >= hi)
		return;
	madd(&v[lo], a);
	madd(&v[hi], mneg(a));
}

static int
is_debit(const char *doc_type, int64_t amount)
{
	return amount > 0 && strcmp(doc_type, "payment") != 0 &&
	    strcmp(doc_type, "credit_note") != 0;
}

/* The balances an item's amount (sign +1) or a settlement (-1) moves,
 * from day `from` on. */
static void
balances(struct run *r, int32_t from, int32_t issue, int32_t due,
    int debit, int invoice, int64_t a)
{
	size_t lo = slot(r, from > issue ? from : issue);
	struct month *m;

	mrange_add(r->ar, lo, r->nq, a);
	if (!debit)
		return;
	mrange_add(r->gross, lo, r->nq, a);
	mrange_add(r->cur, lo, slot(r, due + 1), a);
	mrange_add(r->o90, slot(r, (from > issue ? from : issue) >
	    due + 91 ? (from > issue ? from : issue) : due + 91), r->nq, a);
	if (invoice && lo < r->nq) {
		m = month_get(r, issue);
		if (m->open == NULL) {
			m->open = marr(r);
			m->wopen = arr(r);
		}
		mrange_add(m->open, lo, r->nq, a);
		range_add(m->wopen, lo, r->nq, (long double)a * issue);
	}
}

static void
snap_item(struct run *r, int64_t debtor, int32_t due, int debit, int64_t a)
{
	deb_add(r, debtor, a);
	if (debit)
		madd(&r->buckets[aging_bucket_index(&r->ao, r->snap - due)],
		    a);
	else
		madd(&r->credits, a);
}

static int
step_err(struct state *st, sqlite3_stmt *s, int rc, struct diag *d,
    const char *what)
{
	if (rc != SQLITE_DONE) {
		state_error(st, d, what);
		sqlite3_finalize(s);
		return -1;
	}
	sqlite3_finalize(s);
	return 0;
}

/* rate_fail: after conv failed: a missing rate is the caller's to give
 * (-2, a usage error); an amount beyond int64 once converted is no
 * report (-1, exit 3), named. */
static int
rate_fail(struct run *r, struct diag *d)
{
	if (r->rates->too_big[0] != '\0') {
		diag_set(d, "%s amounts converted into %s too large (beyond "
		    "%lld minor units): no report", r->rates->too_big,
		    r->rates->report, (long long)INT64_MAX);
		return -1;
	}
	if (r->rates->missing_later) {
		char day[DATE_BUFSZ];

		diag_set(d, "the state holds amounts in %s: --rates gives "
		    "rates for %s into %s only dated after %s (none on or "
		    "before it)", r->rates->missing, r->rates->missing,
		    r->rates->report, date_format(r->rates->as_of, day));
		return -2;
	}
	diag_set(d, "the state holds amounts in %s: give --rates with a "
	    "rate for %s into %s", r->rates->missing, r->rates->missing,
	    r->rates->report);
	return -2;
}

static int
scan_items(struct run *r, struct state *st, struct diag *d)
{
	sqlite3_stmt *s = state_prepare(st, "SELECT id, debtor_id, "
	    "issue_date, due_date, amount, currency, doc_type, in_query "
	    "FROM item", d);
	int rc;

	if (s == NULL)
		return -1;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		int64_t id = sqlite3_column_int64(s, 0);
		int64_t debtor = sqlite3_column_int64(s, 1);
		int32_t issue = sqlite3_column_int(s, 2);
		int32_t due = sqlite3_column_int(s, 3);
		int64_t amount = sqlite3_column_int64(s, 4);
		const char *ccy = (const char *)sqlite3_column_text(s, 5);
		const char *type = (const char *)sqlite3_column_text(s, 6);
		int flagged = sqlite3_column_int(s, 7);
		int debit = is_debit(type, amount);
		int invoice = debit;
		size_t sl = slot(r, issue);
		int64_t a;

		if (conv(r->rates, ccy, amount, &a) != 0) {
			sqlite3_finalize(s);
			return rate_fail(r, d);
		}
		if (strcmp(type, "payment") != 0) {
			madd(&month_get(r, issue)->sales, a);
			madd(&r->sales[sl], a);
		}
		if (debit) {
			r->inv_n[sl] += 1;
			madd(&r->inv_v[sl], a);
			if (flagged || has_id(r->qitems, r->nqitems, id,
			    NULL)) {
				r->disp_n[sl] += 1;
				madd(&r->disp_v[sl], a);
			}
		}
		balances(r, issue, issue, due, debit, invoice, a);
		if (issue <= r->snap)
			snap_item(r, debtor, due, debit, a);
	}
	return step_err(st, s, rc, d, "reading items");
}

static int
pay_kind(const char *k)
{
	/* Cash that paid an item: what allocate-payments applied, what the
	 * client's export says was paid (with its date or by the export's
	 * date).  Credit notes, write-offs and snapshot closures are not
	 * payments (DOMAIN.md 1.7). */
	if (strcmp(k, "allocation") == 0 || strcmp(k, "settled") == 0 ||
	    strcmp(k, "export") == 0)
		return 1;
	/* Undoing one: a reversal reopens, the export's open amount grew. */
	if (strcmp(k, "reversal") == 0 || strcmp(k, "reopen") == 0)
		return -1;
	return 0;
}

/*
 * The payments of one item so far, in date order, for what a reversal or
 * a reopening takes back: the latest first, as score-debtor does, at the
 * days that payment was weighted with.  known 0: a paid part of unknown
 * day (settlement.date_known) or a snapshot close, which never entered
 * the figures nor the cash.
 */
struct paid {
	int64_t left;			/* not yet taken back */
	int32_t t;
	int known;
};

struct paids {
	int64_t item;
	size_t n, cap;
	struct paid *v;
};

static void
paid_push(struct paids *p, int64_t a, int32_t t, int known)
{
	if (p->n == p->cap) {
		p->cap = p->cap ? p->cap * 2 : 8;
		p->v = xreallocarray(p->v, p->cap, sizeof *p->v);
	}
	p->v[p->n].left = a;
	p->v[p->n].t = t;
	p->v[p->n].known = known;
	p->n++;
}

/* pay_weigh: adds (sign 1) or takes back (-1) a of a payment on day t
 * of an item issued and due as given to the slot's ADP and DBT sums;
 * whole: the payment counts (or no longer counts) as one. */
static void
pay_weigh(struct run *r, size_t sl, int64_t a, int32_t t, int32_t issue,
    int32_t due, int sign, int whole)
{
	long double dtp = t - issue, dbt = t - due;
	long double w = (long double)a * sign;

	madd(&r->pay_amt[sl], sign > 0 ? a : mneg(a));
	r->pay_dtp[sl] += w * dtp;
	r->pay_dbt[sl] += w * dbt;
	r->pay_late[sl] += w * (dbt > 0 ? dbt : 0);
	if (whole) {
		r->pay_sum[sl] += sign * dtp;
		r->pay_n[sl] += sign;
	}
}

/*
 * take_back: a reversal or reopening of `back` (> 0) on slot sl takes
 * back the item's latest payments first.  Out of ADP and DBT in the
 * slot each payment was counted in, at its days, as score-debtor drops
 * it: a bounced receipt was no payment, and a later period's figures of
 * days are not bent by one it never had.  Out of cash in the slot of
 * the reversal, as the bank statement nets it.  What no known payment
 * holds (a paid part of unknown day, or more than was paid) leaves the
 * figures of days alone; the cash of the latter is still taken back.
 */
static void
take_back(struct run *r, struct paids *p, size_t sl, int64_t back,
    int32_t issue, int32_t due)
{
	while (back > 0 && p->n > 0) {
		struct paid *e = &p->v[p->n - 1];
		int64_t take = e->left < back ? e->left : back;

		if (e->known) {
			pay_weigh(r, slot(r, e->t), take, e->t, issue, due,
			    -1, take == e->left);
			madd(&r->cash[sl], mneg(take));
		}
		e->left -= take;
		back -= take;
		if (e->left == 0)
			p->n--;
	}
	if (back > 0)
		madd(&r->cash[sl], mneg(back));
}

static int
scan_settlements(struct run *r, struct state *st, struct diag *d)
{
	/* By item and date, so a reversal meets the payments before it. */
	sqlite3_stmt *s = state_prepare(st, "SELECT s.date, s.amount, "
	    "s.kind, p.debtor_id, i.id, i.debtor_id, i.issue_date, "
	    "i.due_date, i.amount, i.currency, i.doc_type, p.currency, "
	    "s.date_known "
	    "FROM settlement s JOIN item i ON i.id = s.item_id "
	    "LEFT JOIN payment p ON p.id = s.payment_id "
	    "ORDER BY s.item_id, s.date, s.id", d);
	struct paids paid = { .item = -1 };
	int rc;

	if (s == NULL)
		return -1;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		int32_t t = sqlite3_column_int(s, 0);
		int64_t amount = sqlite3_column_int64(s, 1);
		const char *kind = (const char *)sqlite3_column_text(s, 2);
		int cash_side = sqlite3_column_type(s, 3) != SQLITE_NULL;
		int64_t pdebtor = sqlite3_column_int64(s, 3);
		int64_t id = sqlite3_column_int64(s, 4);
		int64_t debtor = sqlite3_column_int64(s, 5);
		int32_t issue = sqlite3_column_int(s, 6);
		int32_t due = sqlite3_column_int(s, 7);
		int64_t iamount = sqlite3_column_int64(s, 8);
		const char *ccy = (const char *)sqlite3_column_text(s, 9);
		const char *type = (const char *)sqlite3_column_text(s, 10);
		int debit = is_debit(type, iamount);
		int pk = pay_kind(kind);
		size_t sl = slot(r, t), at;
		int64_t a;

		int known = sqlite3_column_int(s, 12);

		if (conv(r->rates, ccy, amount, &a) != 0) {
			sqlite3_finalize(s);
			free(paid.v);
			return rate_fail(r, d);
		}
		if (id != paid.item) {
			paid.item = id;
			paid.n = 0;
		}
		balances(r, t, issue, due, debit, debit,
		    mneg(a));
		/* Cash a receipt applied leaves its unapplied balance. */
		if (cash_side && (strcmp(kind, "allocation") == 0 ||
		    strcmp(kind, "reversal") == 0)) {
			mrange_add(r->ar, sl, r->nq, a);
			if (t <= r->snap) {
				deb_add(r, pdebtor, a);
				madd(&r->credits, a);
			}
		}
		if (issue <= r->snap && (t <= r->snap))
			snap_item(r, debtor, due, debit,
			    mneg(a));
		if (debit && pk > 0 && amount > 0) {
			paid_push(&paid, a, t, known);
			if (known) {
				madd(&r->cash[sl], a);
				pay_weigh(r, sl, a, t, issue, due, 1, 1);
				if (has_id(r->woitems, r->nwo, id, &at) &&
				    r->wodays[at] < t)
					madd(&r->recov[sl], a);
			}
		} else if (debit && amount > 0 && strcmp(kind, "snapshot")
		    == 0)
			/* No payment, but what a reopening undoes when the
			 * item comes back to the export. */
			paid_push(&paid, a, t, 0);
		else if (debit && pk < 0 && amount < 0)
			take_back(r, &paid, sl, mneg(a), issue, due);
		else if (debit && pk != 0)
			madd(&r->cash[sl], a);
		if (strcmp(kind, "writeoff") == 0)
			madd(&r->woff[sl], a);
	}
	free(paid.v);
	return step_err(st, s, rc, d, "reading settlements");
}

static int
scan_payments(struct run *r, struct state *st, struct diag *d)
{
	sqlite3_stmt *s = state_prepare(st, "SELECT value_date, amount, "
	    "currency, debtor_id FROM payment WHERE debtor_id IS NOT NULL "
	    "AND kind IN ('receipt', 'reversal')", d);
	int rc;

	if (s == NULL)
		return -1;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		int32_t t = sqlite3_column_int(s, 0);
		int64_t a;

		if (conv(r->rates, (const char *)sqlite3_column_text(s, 2),
		    sqlite3_column_int64(s, 1), &a) != 0) {
			sqlite3_finalize(s);
			return rate_fail(r, d);
		}
		a = mneg(a);
		mrange_add(r->ar, slot(r, t), r->nq, a);
		if (t <= r->snap) {
			deb_add(r, sqlite3_column_int64(s, 3), a);
			madd(&r->credits, a);
		}
	}
	return step_err(st, s, rc, d, "reading payments");
}

static int
load_ids(struct state *st, const char *sql, int64_t **ids, int32_t **days,
    size_t *n, struct diag *d)
{
	sqlite3_stmt *s = state_prepare(st, sql, d);
	size_t cap = 0;
	int rc;

	if (s == NULL)
		return -1;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (*n == cap) {
			cap = cap ? cap * 2 : 64;
			*ids = xreallocarray(*ids, cap, sizeof **ids);
			if (days != NULL)
				*days = xreallocarray(*days, cap,
				    sizeof **days);
		}
		(*ids)[*n] = sqlite3_column_int64(s, 0);
		if (days != NULL)
			(*days)[*n] = sqlite3_column_int(s, 1);
		(*n)++;
	}
	return step_err(st, s, rc, d, "reading queries and write-offs");
}

static const char *const act_letter[] = { "letter", "post", NULL };
static const char *const act_email[] = { "email", "e-mail", NULL };
static const char *const act_sms[] = { "sms", "text", NULL };
static const char *const act_call[] = { "call", "dialler", "phone", NULL };

static int
in_list(const char *s, const char *const *l)
{
	for (; s != NULL && *l != NULL; l++)
		if (util_strcaseeq(s, *l))
			return 1;
	return 0;
}

static int
channel_index(const char *ch)
{
	if (in_list(ch, act_letter))
		return 0;
	if (in_list(ch, act_email))
		return 1;
	if (in_list(ch, act_sms))
		return 2;
	if (in_list(ch, act_call))
		return 3;
	return -1;
}

static int
scan_contacts(struct run *r, struct state *st, struct diag *d)
{
	sqlite3_stmt *s = state_prepare(st, "SELECT day, channel, outcome "
	    "FROM contact", d);
	int rc;

	if (s == NULL)
		return -1;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		size_t sl = slot(r, sqlite3_column_int(s, 0));
		const char *ch = (const char *)sqlite3_column_text(s, 1);
		const char *out = (const char *)sqlite3_column_text(s, 2);
		int ci = channel_index(ch);

		if (ci >= 0) {
			r->act[ci][sl] += 1;
			r->actc[ci][sl] += 1;
		}
		if (ci != 3)
			continue;
		/* Every logged call is a dial attempt; connects and RPCs
		 * as lib/contact defines them, as score-debtor counts. */
		r->att[sl] += 1;
		if (contact_is_connect(out))
			r->con[sl] += 1;
		if (contact_is_rpc(out))
			r->rpc[sl] += 1;
	}
	return step_err(st, s, rc, d, "reading contacts");
}

static int
scan_actions(struct run *r, struct state *st, struct diag *d)
{
	sqlite3_stmt *s = state_prepare(st, "SELECT as_of, channel, step "
	    "FROM action", d);
	int rc;

	if (s == NULL)
		return -1;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		size_t sl = slot(r, sqlite3_column_int(s, 0));
		const char *ch = (const char *)sqlite3_column_text(s, 1);
		const char *step = (const char *)sqlite3_column_text(s, 2);
		int ci = channel_index(ch);

		if (ci >= 0)
			r->act[ci][sl] += 1;
		for (size_t i = 0; i < r->k->nescal; i++)
			if (step != NULL && strcmp(step, r->k->escal[i]) == 0) {
				r->act[4][sl] += 1;
				break;
			}
	}
	return step_err(st, s, rc, d, "reading actions");
}

/* Promises, judged by lib/promise against each debtor's receipts. */
static int
scan_promises(struct run *r, struct state *st, int32_t as_of,
    struct diag *d)
{
	sqlite3_stmt *s = state_prepare(st, "SELECT debtor_id, currency, "
	    "made_on, due_date, grace_days, amount FROM promise "
	    "ORDER BY debtor_id, currency, id", d);
	struct promise_eval *pe = NULL;
	size_t n = 0, cap = 0;
	int64_t debtor = -1;
	char ccy[4] = "";
	int rc, last = 0;

	if (s == NULL)
		return -1;
	for (;;) {
		int64_t nd = 0;
		const char *nc = "";

		rc = sqlite3_step(s);
		if (rc == SQLITE_ROW) {
			nd = sqlite3_column_int64(s, 0);
			nc = (const char *)sqlite3_column_text(s, 1);
		} else
			last = 1;
		if (n > 0 && (last || nd != debtor || strcmp(nc, ccy) != 0)) {
			struct promise_cash *cash = NULL;
			size_t ncash = 0;

			if (contact_load_cash(st, debtor, ccy, as_of, &cash,
			    &ncash, d) != 0) {
				free(pe);
				sqlite3_finalize(s);
				return -1;
			}
			promise_evaluate(pe, n, cash, ncash, as_of);
			free(cash);
			for (size_t i = 0; i < n; i++) {
				size_t sl = slot(r, pe[i].due + pe[i].grace);
				int64_t a, paid;

				if (conv(r->rates, ccy, pe[i].amount, &a) ||
				    conv(r->rates, ccy, pe[i].paid, &paid)) {
					free(pe);
					sqlite3_finalize(s);
					return rate_fail(r, d);
				}
				if (pe[i].status == PROMISE_PENDING) {
					r->pend[sl] += 1;
					continue;
				}
				madd(&r->eval_v[sl], a);
				madd(&r->paid_v[sl], paid);
				if (pe[i].status == PROMISE_KEPT) {
					r->kept[sl] += 1;
					madd(&r->kept_v[sl], a);
				} else
					r->broken[sl] += 1;
			}
			n = 0;
		}
		if (last)
			break;
		if (n == cap) {
			cap = cap ? cap * 2 : 16;
			pe = xreallocarray(pe, cap, sizeof *pe);
		}
		memset(&pe[n], 0, sizeof pe[n]);
		debtor = nd;
		snprintf(ccy, sizeof ccy, "%s", nc);
		pe[n].made_on = sqlite3_column_int(s, 2);
		pe[n].due = sqlite3_column_int(s, 3);
		pe[n].grace = sqlite3_column_int(s, 4);
		pe[n].amount = sqlite3_column_int64(s, 5);
		n++;
	}
	free(pe);
	return step_err(st, s, rc, d, "reading promises");
}

/* Queries: few, so each period looks at all of them. */
static int
scan_queries(struct run *r, struct state *st, struct kpi_data *x,
    struct diag *d)
{
	sqlite3_stmt *s = state_prepare(st, "SELECT opened, closed FROM "
	    "query", d);
	int rc;

	if (s == NULL)
		return -1;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		int32_t o = sqlite3_column_int(s, 0);
		int closed = sqlite3_column_type(s, 1) != SQLITE_NULL;
		int32_t c = sqlite3_column_int(s, 1);

		for (size_t i = 0; i < r->np; i++) {
			struct kpi_inputs *in = &x->in[i];

			if (closed && c >= r->p[i].start && c <= r->p[i].end) {
				in->closed_days = xreallocarray(
				    in->closed_days, in->nclosed + 1,
				    sizeof *in->closed_days);
				in->closed_days[in->nclosed++] = c - o;
			}
			if (o <= r->p[i].end && (!closed || c > r->p[i].end)) {
				in->open_ages = xreallocarray(in->open_ages,
				    in->nopen + 1, sizeof *in->open_ages);
				in->open_ages[in->nopen++] = r->p[i].end - o;
			}
		}
	}
	return step_err(st, s, rc, d, "reading queries");
}

static int
cmp_i32(const void *a, const void *b)
{
	int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;

	return (x > y) - (x < y);
}

static int
cmp_bal(const void *a, const void *b)
{
	const struct kpi_debtor_bal *x = a, *y = b;

	if (x->balance != y->balance)
		return x->balance < y->balance ? 1 : -1;
	return (x->id > y->id) - (x->id < y->id);
}

#define KPI_NARRAYS 48

/* all_arrays: every per-slot array of r that is not money, so they are
 * made, summed and freed alike; returns how many.  money_arrays: the
 * same for the money. */
static size_t
all_arrays(struct run *r, long double **v[KPI_NARRAYS])
{
	size_t i = 0;

	v[i++] = &r->inv_n; v[i++] = &r->disp_n;
	v[i++] = &r->pay_dtp; v[i++] = &r->pay_dbt;
	v[i++] = &r->pay_late; v[i++] = &r->pay_sum; v[i++] = &r->pay_n;
	v[i++] = &r->att; v[i++] = &r->con; v[i++] = &r->rpc;
	for (int j = 0; j < 5; j++)
		v[i++] = &r->act[j];
	for (int j = 0; j < 4; j++)
		v[i++] = &r->actc[j];
	v[i++] = &r->kept; v[i++] = &r->broken; v[i++] = &r->pend;
	return i;
}

static size_t
money_arrays(struct run *r, int64_t **v[KPI_NARRAYS])
{
	size_t i = 0;

	v[i++] = &r->ar; v[i++] = &r->gross; v[i++] = &r->cur;
	v[i++] = &r->o90; v[i++] = &r->sales; v[i++] = &r->inv_v;
	v[i++] = &r->disp_v; v[i++] = &r->pay_amt; v[i++] = &r->cash;
	v[i++] = &r->woff; v[i++] = &r->recov; v[i++] = &r->kept_v;
	v[i++] = &r->eval_v; v[i++] = &r->paid_v;
	return i;
}

static void
prefix(long double *v, size_t n)
{
	for (size_t i = 1; i < n; i++)
		v[i] += v[i - 1];
}

static void
mprefix(int64_t *v, size_t n)
{
	for (size_t i = 1; i < n; i++)
		madd(&v[i], v[i - 1]);
}

static void
run_free(struct run *r)
{
	long double **v[KPI_NARRAYS];
	int64_t **mv[KPI_NARRAYS];
	size_t n = all_arrays(r, v), nm = money_arrays(r, mv);

	for (size_t i = 0; i < n; i++)
		free(*v[i]);
	for (size_t i = 0; i < nm; i++)
		free(*mv[i]);
	for (size_t i = 0; i < r->nm; i++) {
		free(r->m[i].open);
		free(r->m[i].wopen);
	}
	free(r->m);
	free(r->q);
	free(r->deb);
	free(r->qitems);
	free(r->woitems);
	free(r->wodays);
}

static int
max_debtor(struct state *st, size_t *n, struct diag *d)
{
	sqlite3_stmt *s = state_prepare(st, "SELECT coalesce(max(id), 0) "
	    "FROM debtor", d);
	int rc;

	if (s == NULL)
		return -1;
	if ((rc = sqlite3_step(s)) == SQLITE_ROW)
		*n = (size_t)sqlite3_column_int64(s, 0) + 1;
	sqlite3_finalize(s);
	return rc == SQLITE_ROW ? 0 : state_error(st, d, "reading debtors");
}

static int
top_debtors(struct run *r, struct state *st, struct kpi_data *x,
    struct diag *d)
{
	struct kpi_debtor_bal *all;
	size_t n = 0;
	sqlite3_stmt *s;

	all = xcalloc(r->ndeb ? r->ndeb : 1, sizeof *all);
	for (size_t i = 0; i < r->ndeb; i++)
		if (r->deb[i] > 0 || r->deb[i] == MONEY_POISON) {
			all[n].id = (int64_t)i;
			all[n++].balance = mld(r->deb[i]);
		}
	qsort(all, n, sizeof *all, cmp_bal);
	if (n > (size_t)r->k->top_debtors)
		n = (size_t)r->k->top_debtors;
	x->top = all;
	x->ntop = n;
	s = state_prepare(st, "SELECT ref, name FROM debtor WHERE id = ?", d);
	if (s == NULL)
		return -1;
	for (size_t i = 0; i < n; i++) {
		sqlite3_reset(s);
		sqlite3_bind_int64(s, 1, all[i].id);
		if (sqlite3_step(s) == SQLITE_ROW) {
			all[i].ref = xstrdup((const char *)
			    sqlite3_column_text(s, 0));
			all[i].name = xstrdup((const char *)
			    sqlite3_column_text(s, 1));
		} else {
			all[i].ref = xstrdup("");
			all[i].name = xstrdup("");
		}
	}
	sqlite3_finalize(s);
	return 0;
}

/* The period's flow: the sum up to its end less the sum before it;
 * MFLOW the same of a money array, checked. */
#define FLOW(v, i) ((v)[hi] - (v)[lo])
#define MFLOW(v) mflow((v)[hi], (v)[lo])

static long double
mflow(int64_t upto, int64_t before)
{
	int64_t v = upto;

	madd(&v, mneg(before));
	return mld(v);
}

static void
fill(struct run *r, struct kpi_data *x, int32_t as_of)
{
	(void)as_of;
	for (size_t i = 0; i < r->np; i++) {
		struct kpi_inputs *in = &x->in[i];
		size_t lo = slot(r, r->p[i].start - 1);
		size_t hi = slot(r, r->p[i].end);
		int32_t e = r->p[i].end;

		in->ar_begin = mld(r->ar[lo]);
		in->ar_end = mld(r->ar[hi]);
		in->gross_end = mld(r->gross[hi]);
		in->current_end = mld(r->cur[hi]);
		in->over90_end = mld(r->o90[hi]);
		in->sales = MFLOW(r->sales);
		in->inv_n = (long)FLOW(r->inv_n, i);
		in->inv_v = MFLOW(r->inv_v);
		in->disp_n = (long)FLOW(r->disp_n, i);
		in->disp_v = MFLOW(r->disp_v);
		in->pay.amount = MFLOW(r->pay_amt);
		in->pay.w_dtp = FLOW(r->pay_dtp, i);
		in->pay.w_dbt = FLOW(r->pay_dbt, i);
		in->pay.w_late = FLOW(r->pay_late, i);
		in->pay.sum_dtp = FLOW(r->pay_sum, i);
		in->pay.n = (long)FLOW(r->pay_n, i);
		in->cash = MFLOW(r->cash);
		in->writeoff = MFLOW(r->woff);
		in->recovery = MFLOW(r->recov);
		in->attempts = (long)FLOW(r->att, i);
		in->connects = (long)FLOW(r->con, i);
		in->rpcs = (long)FLOW(r->rpc, i);
		for (int j = 0; j < 5; j++)
			in->act[j] = (long)FLOW(r->act[j], i);
		for (int j = 0; j < 4; j++)
			in->act_contacts[j] = (long)FLOW(r->actc[j], i);
		in->ptp_kept = (long)FLOW(r->kept, i);
		in->ptp_broken = (long)FLOW(r->broken, i);
		in->ptp_pending = (long)FLOW(r->pend, i);
		in->ptp_kept_v = MFLOW(r->kept_v);
		in->ptp_eval_v = MFLOW(r->eval_v);
		in->ptp_paid_v = MFLOW(r->paid_v);
		in->true_dso = 0;
		in->true_dso_ok = 0;
		for (size_t m = 0; m < r->nm; m++) {
			struct month *mo = &r->m[m];

			if (mo->open == NULL)
				continue;
			if (kpi_true_dso_term(e, mld(mo->open[hi]),
			    mo->wopen[hi],
			    (int64_t)mo->sales, &in->true_dso) != 0)
				in->true_dso_skipped++;
			else if (mo->open[hi] != 0)
				in->true_dso_ok = 1;
		}
	}
}

/*
 * The sums are checked int64 (madd); they reach lib/kpi and the report
 * as long double, for the ratios, which holds each of them exactly only
 * where its mantissa has 64 bits (x86's 80-bit, or quad precision).
 */
_Static_assert(LDBL_MANT_DIG >= 64, "kpidata needs a long double that "
    "holds every int64 exactly");

/*
 * check_range: every money figure of the report in int64 minor units, or
 * -1 with d naming the first that is not.  The sums themselves cannot be
 * (gathering refuses them), but credit sales grossed up for VAT can:
 * beyond, a report would print a wrong number (and its conversion to
 * int64 would be undefined), so none is made.
 */
static int
too_big(long double v)
{
	return !(fabsl(v) < 0x1p63L);
}

static int
check_range(const struct kpi_period *p, size_t n, const struct kpi_config *k,
    const struct kpi_data *x, struct diag *d)
{
	long double vat = 1 + k->vat_pct / 100;

	for (size_t i = 0; i < n; i++) {
		const struct kpi_inputs *in = &x->in[i];
		const struct { const char *name; long double v; } f[] = {
			{ "ar_begin", in->ar_begin },
			{ "ar_end", in->ar_end },
			{ "open debit items", in->gross_end },
			{ "ar_current", in->current_end },
			{ "debt over 90 days", in->over90_end },
			{ "credit_sales", in->sales * vat },
			{ "cash_collected", in->cash },
			{ "written off", in->writeoff },
			{ "recovered", in->recovery },
			{ "payments", in->pay.amount },
			{ "invoices issued", in->inv_v },
			{ "invoices in dispute", in->disp_v },
			{ "promised", in->ptp_eval_v },
			{ "paid against promises", in->ptp_paid_v },
		};

		for (size_t j = 0; j < sizeof f / sizeof f[0]; j++)
			if (too_big(f[j].v)) {
				diag_set(d, "%s: %s too large (beyond %lld minor "
				    "units): no report", p[i].label, f[j].name,
				    (long long)INT64_MAX);
				return -1;
			}
	}
	/* The months a countback or the true DSO of these periods may read:
	 * up to the month of the latest end. */
	int32_t last = INT32_MIN;
	int y0, m0, ye, me, dd;
	long upto;

	for (size_t i = 0; i < n; i++)
		if (p[i].end > last)
			last = p[i].end;
	date_to_ymd(x->month0, &y0, &m0, &dd);
	date_to_ymd(last, &ye, &me, &dd);
	upto = (long)(ye * 12 + me) - (y0 * 12 + m0);
	for (size_t i = 0; i < x->nmonths && (long)i <= upto; i++)
		if (too_big(x->month_sales[i] * vat)) {
			diag_set(d, "a month's credit sales too large (beyond "
			    "%lld minor units): no report",
			    (long long)INT64_MAX);
			return -1;
		}
	for (size_t i = 0; i < x->nbuckets && i < 32; i++)
		if (too_big(x->buckets[i])) {
			diag_set(d, "aged debt %s too large: no report",
			    x->bucket_names[i]);
			return -1;
		}
	for (size_t i = 0; i < x->ntop; i++)
		if (too_big(x->top[i].balance)) {
			diag_set(d, "debtor %s: balance too large: no report",
			    x->top[i].ref);
			return -1;
		}
	if (too_big(x->snap_credits)) {
		diag_set(d, "credits too large: no report");
		return -1;
	}
	return 0;
}

int
kpi_gather(struct state *st, const struct kpi_period *p, size_t n,
    const struct kpi_config *k, const struct client_config *cfg,
    struct kpi_rates *rates, int32_t as_of, struct kpi_data *x,
    struct diag *d)
{
	struct run r;
	size_t na, nq = 0;
	long double **all[KPI_NARRAYS];
	int64_t **mall[KPI_NARRAYS];
	size_t nma;
	int rc = -1;

	memset(x, 0, sizeof *x);
	memset(&r, 0, sizeof r);
	x->as_of = as_of;
	r.p = p;
	r.np = n;
	r.k = k;
	r.rates = rates;
	x->n = n;
	x->in = xcalloc(n ? n : 1, sizeof *x->in);
	snprintf(x->currency, sizeof x->currency, "%s", rates->report);
	x->digits = rates->digits;
	/* Q: every start - 1 and end, sorted, unique. */
	r.q = xcalloc(2 * n + 1, sizeof *r.q);
	for (size_t i = 0; i < n; i++) {
		r.q[nq++] = p[i].start - 1;
		r.q[nq++] = p[i].end;
		if (i == 0 || p[i].end > r.snap)
			r.snap = p[i].end;
	}
	qsort(r.q, nq, sizeof *r.q, cmp_i32);
	r.nq = 0;
	for (size_t i = 0; i < nq; i++)
		if (r.nq == 0 || r.q[r.nq - 1] != r.q[i])
			r.q[r.nq++] = r.q[i];
	na = all_arrays(&r, all);
	for (size_t i = 0; i < na; i++)
		*all[i] = arr(&r);
	nma = money_arrays(&r, mall);
	for (size_t i = 0; i < nma; i++)
		*mall[i] = marr(&r);
	memset(&r.ao, 0, sizeof r.ao);
	r.ao.as_of = r.snap;
	r.ao.by = AGING_BY_DEBTOR;
	r.ao.basis = AGING_DUE;
	aging_bounds_default(&r.ao.bounds);
	if (cfg != NULL && aging_bounds_set(&r.ao.bounds, cfg->aging.buckets,
	    cfg->aging.nbuckets, d) != 0)
		goto out;
	x->snap_day = r.snap;
	x->nbuckets = aging_nbuckets(&r.ao);
	for (size_t i = 0; i < x->nbuckets; i++)
		aging_bucket_name(&r.ao, i, x->bucket_names[i]);

	if (state_exec(st, "BEGIN", d) != 0)
		goto out;
	if (max_debtor(st, &r.ndeb, d) != 0)
		goto rollback;
	r.deb = xcalloc(r.ndeb, sizeof *r.deb);
	if (load_ids(st, "SELECT DISTINCT qi.item_id FROM query_item qi "
	    "JOIN query q ON q.id = qi.query_id ORDER BY qi.item_id",
	    &r.qitems, NULL, &r.nqitems, d) != 0 ||
	    load_ids(st, "SELECT item_id, min(date) FROM settlement "
	    "WHERE kind = 'writeoff' "
	    "GROUP BY item_id ORDER BY item_id", &r.woitems, &r.wodays,
	    &r.nwo, d) != 0)
		goto rollback;
	if ((rc = scan_items(&r, st, d)) != 0 ||
	    (rc = scan_settlements(&r, st, d)) != 0 ||
	    (rc = scan_payments(&r, st, d)) != 0 ||
	    (rc = scan_contacts(&r, st, d)) != 0 ||
	    (rc = scan_actions(&r, st, d)) != 0 ||
	    (rc = scan_promises(&r, st, as_of, d)) != 0 ||
	    (rc = scan_queries(&r, st, x, d)) != 0 ||
	    (rc = top_debtors(&r, st, x, d)) != 0)
		goto rollback;
	state_exec(st, "COMMIT", d);
	for (size_t i = 0; i < na; i++)
		prefix(*all[i], r.nq + 1);
	for (size_t i = 0; i < nma; i++)
		mprefix(*mall[i], r.nq + 1);
	for (size_t i = 0; i < r.nm; i++)
		if (r.m[i].open != NULL) {
			mprefix(r.m[i].open, r.nq + 1);
			prefix(r.m[i].wopen, r.nq + 1);
		}
	fill(&r, x, as_of);
	for (size_t i = 0; i < 32; i++)
		x->buckets[i] = mld(r.buckets[i]);
	x->snap_credits = mld(r.credits);
	x->month0 = 0;
	x->nmonths = r.nm;
	x->month_sales = xcalloc(r.nm ? r.nm : 1, sizeof *x->month_sales);
	for (size_t i = 0; i < r.nm; i++)
		x->month_sales[i] = mld(r.m[i].sales);
	if (r.nm > 0)
		date_from_ymd(r.mfirst / 12, r.mfirst % 12 + 1, 1, &x->month0);
	rc = check_range(p, n, k, x, d);
	goto out;
rollback:
	if (rc == 0)
		rc = -1;
	sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
out:
	run_free(&r);
	return rc;
}

long double
kpi_month_sales(const struct kpi_data *x, int32_t day)
{
	int y0, m0, dd, y, m;
	long i;

	if (x->nmonths == 0)
		return 0;
	date_to_ymd(x->month0, &y0, &m0, &dd);
	date_to_ymd(day, &y, &m, &dd);
	i = (long)(y - y0) * 12 + (m - m0);
	if (i < 0 || (size_t)i >= x->nmonths)
		return 0;
	return x->month_sales[i];
}

void
kpi_data_free(struct kpi_data *x)
{
	for (size_t i = 0; i < x->n; i++) {
		free(x->in[i].closed_days);
		free(x->in[i].open_ages);
	}
	for (size_t i = 0; i < x->ntop; i++) {
		free(x->top[i].ref);
		free(x->top[i].name);
	}
	free(x->top);
	free(x->in);
	free(x->month_sales);
	memset(x, 0, sizeof *x);
}

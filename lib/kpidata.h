/*
 * kpidata: what kpi-report needs from the state and the client config.
 * It owns the kpi: and targets: sections of the config, the exchange
 * rates into the reporting currency, and the gathering of every KPI's
 * inputs for any number of periods in one pass over item, one over
 * settlement (joined to its item) and one over each smaller table.
 *
 * How one pass serves every period: the periods' boundary days (the day
 * before each start, each end) are sorted into Q.  An event dated t (an
 * item issued, a settlement) lands in the slot of the first day of Q on
 * or after t; balances (AR on a day) are difference arrays over Q,
 * flows (sales, cash, payments) sums per slot, and a prefix sum turns
 * both into "on day Q[j]" and "up to Q[j]".  A period's flow is then
 * sum(end) - sum(start - 1): O(log |Q|) per row, whatever the periods.
 *
 * Amounts are converted to the reporting currency row by row (a closing
 * rate per currency, as age-ledger's --rates) and summed in int64 minor
 * units, each addition checked: a sum beyond int64 is refused, naming
 * it, never printed wrong.  The sums reach lib/kpi as long double, for
 * the ratios; the build requires one whose mantissa holds every int64.
 */
#ifndef CK_KPIDATA_H
#define CK_KPIDATA_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "config.h"
#include "diag.h"
#include "kpi.h"
#include "state.h"

struct kpi_target {
	char *key;
	long double value;	/* in the KPI's unit (money: major units) */
	long double margin;	/* for "near"; < 0: the config's default */
	long line;
};

struct kpi_config {
	enum kpi_month_len month_len;	/* kpi.countback_month: actual, 30 */
	enum kpi_cei_sales cei_sales;	/* kpi.cei_sales: total, per_month */
	enum kpi_dbt dbt;		/* kpi.dbt: signed, late_only */
	enum kpi_p90 p90;		/* kpi.over_90_basis: gross, net */
	long double vat_pct;		/* kpi.sales_vat_pct: 0 */
	long double near_pct;		/* kpi.near_margin_pct: 10 */
	long double monthly_cost;	/* kpi.monthly_cost; < 0: none */
	size_t ncosts;			/* kpi.costs: month -> cost */
	int32_t *cost_month;		/* first day of the month */
	long double *cost;
	size_t nescal;			/* kpi.escalation_steps */
	char **escal;
	int top_debtors;		/* kpi.top_debtors: 10 */
	size_t ntargets;
	struct kpi_target *targets;
};

/* kpi_config_defaults, kpi_config_load: the kpi: and targets: sections
 * of root (the client config's tree, may be NULL).  Unknown keys and bad
 * values are errors with d->line set.  0, or -1 with d set. */
void kpi_config_defaults(struct kpi_config *k);
int kpi_config_load(const struct cfg_node *root, struct kpi_config *k,
    struct diag *d);
void kpi_config_free(struct kpi_config *k);
const struct kpi_target *kpi_config_target(const struct kpi_config *k,
    const char *key);

/* Exchange rates into the reporting currency. */
struct kpi_rates;
struct kpi_rates *kpi_rates_new(const char *report_ccy);
void kpi_rates_free(struct kpi_rates *r);
/*
 * kpi_rates_load: TSV with columns currency and rate (an exact decimal:
 * how many units of the reporting currency one unit buys), optionally
 * date (the latest on or before as_of is used).  0, or -1 with d set and
 * d->line the bad line.
 */
int kpi_rates_load(struct kpi_rates *r, FILE *fp, const char *name,
    int32_t as_of, struct diag *d);

/* What one period's KPIs are computed from (reporting currency, minor
 * units: exact int64 sums, carried as long double for the ratios). */
struct kpi_inputs {
	long double ar_begin;		/* net AR on start - 1 */
	long double ar_end;		/* net AR on end */
	long double gross_end;		/* open debit items on end */
	long double current_end;	/* of which not yet due */
	long double over90_end;		/* of which more than 90 days due */
	long double sales;		/* net credit sales in the period */
	long double true_dso;
	int true_dso_ok;		/* 0: no open invoice had sales */
	long true_dso_skipped;		/* months with open items, no sales */
	struct kpi_pay pay;
	long double cash, writeoff, recovery;
	long inv_n, disp_n;
	long double inv_v, disp_v;
	int32_t *closed_days;		/* queries closed in the period */
	size_t nclosed;
	int32_t *open_ages;		/* queries open on end */
	size_t nopen;
	long attempts, connects, rpcs;
	long act[5];			/* letters, emails, sms, calls,
					   escalations */
	long act_contacts[4];		/* of which logged contacts */
	long ptp_kept, ptp_broken, ptp_pending;
	long double ptp_kept_v, ptp_eval_v, ptp_paid_v;
};

struct kpi_debtor_bal {
	int64_t id;
	long double balance;
	char *ref, *name;
};

struct kpi_data {
	size_t n;
	struct kpi_inputs *in;		/* one per period, in their order */
	/* Calendar months' net sales, for countback. */
	int32_t month0;			/* first day of months[0] */
	size_t nmonths;
	long double *month_sales;
	/* On the latest period end: aged debt and top debtors. */
	int32_t snap_day;
	size_t nbuckets;
	long double buckets[32];
	char bucket_names[32][24];
	long double snap_credits;	/* credits and unapplied cash */
	size_t ntop;
	struct kpi_debtor_bal *top;
	char currency[4];
	int digits;
	int32_t as_of;			/* kpi_gather's */
};

/*
 * kpi_gather: the inputs of the n periods from the state, as of as_of
 * (promises are judged on as_of).  aging gives the buckets of the aged
 * debt.  Returns 0; -1 with d set on a state error; -2 with d set when
 * an amount's currency has no rate (the caller's input is at fault).
 */
int kpi_gather(struct state *st, const struct kpi_period *p, size_t n,
    const struct kpi_config *k, const struct client_config *cfg,
    struct kpi_rates *rates, int32_t as_of, struct kpi_data *out,
    struct diag *d);
void kpi_data_free(struct kpi_data *x);
/* kpi_month_sales: the net sales of the month holding day (0 outside
 * what the ledger has). */
long double kpi_month_sales(const struct kpi_data *x, int32_t day);

#endif

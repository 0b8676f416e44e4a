/*
 * score: a debtor's transparent risk score as of a day (DOMAIN.md 4.3),
 * its best time to call and preferred channel, from what the state knew
 * on that day: the dated settlements of its items, its promises (judged
 * by lib/promise, as of the day), its queries, contacts and actions.
 *
 * The score is 100 less one deduction per factor, each min(cap, weight
 * x factor+); every factor, its deduction and the figures behind it are
 * kept in struct score_result, so a score can be explained to the debtor
 * (GDPR Art. 15 and 22) and to a person who disagrees with it.  Scores
 * rank and route work; they decide nothing.
 *
 * A run over every debtor reads the item and settlement tables once, in
 * item order, accumulating each debtor's part (score_scan_items), and
 * each debtor's promises, contacts, actions and receipts by its indexes
 * (score_hist_load_light); no table is scanned per debtor.  The backtest
 * loads a debtor's whole history (score_hist_load) and scores it at any
 * day (score_compute) from the rows dated on or before it.  Nothing here
 * prints; the caller gets the rows (score_write_*, the runs of
 * lib/scorerun.c) and stores them (score_store).
 */
#ifndef CK_SCORE_H
#define CK_SCORE_H

#include <stdint.h>
#include <stdio.h>

#include "config.h"
#include "diag.h"
#include "state.h"

/* The composite's factors, in the order of the output columns. */
enum score_factor {
	SCORE_DBT,		/* amount-weighted days beyond terms */
	SCORE_BROKEN,		/* broken promises */
	SCORE_DISPUTE,		/* invoices disputed / issued */
	SCORE_TREND,		/* DBT last trend_days minus the previous */
	SCORE_SHARE60,		/* open debit amount > 60 days past due */
	SCORE_NFACTORS
};

#define SCORE_MAX_BANDS 8	/* bounds; one band more than bounds */
#define SCORE_MAX_HOUR_BANDS 24
#define SCORE_NCHANNELS 5	/* call, email, sms, letter, visit */

/* The client configuration's score: section. */
struct score_config {
	double weight[SCORE_NFACTORS];	/* points per unit of the factor */
	double cap[SCORE_NFACTORS];	/* at most this many points */
	size_t nbands;			/* bounds: score >= band[i] is band
					   letter 'A' + i; below all, the
					   next letter */
	double band[SCORE_MAX_BANDS];	/* decreasing */
	double prior;			/* p0 of the smoothing */
	double prior_weight;		/* m */
	long min_sample;		/* attempts or messages to trust */
	size_t nhours;
	int hour[SCORE_MAX_HOUR_BANDS];	/* band starts, increasing, 0..23 */
	long window_days;		/* the rolling window (365) */
	long trend_days;		/* 90 */
	long response_days;		/* 7 */
	char default_window[64];	/* "Mon-Fri 09:00-17:30" */
	char default_channel[16];	/* "email" */
};

void score_config_defaults(struct score_config *c);
/*
 * score_config_load: the score: section of a parsed configuration (root
 * may be NULL) over c.  Keys: weights and caps (maps of dbt, broken,
 * dispute, trend, share60: numbers >= 0), bands (decreasing numbers in
 * 0..100), prior (0..1), prior_weight (>= 0), min_sample, hour_bands
 * (increasing hours 0..23), window_days, trend_days, response_days,
 * default_window, default_channel.  Returns 0, or -1 with d set (the
 * dotted key first, d->line at it); an unknown key is an error.
 */
int score_config_load(const struct cfg_node *root, struct score_config *c,
    struct diag *d);

const char *score_factor_name(enum score_factor f);	/* "dbt", ... */
/* score_band: the band letter of a score under c. */
char score_band(const struct score_config *c, double score);
/* score_points: min(cap, weight x max(0, v)) for factor f (>= 0). */
double score_points(const struct score_config *c, enum score_factor f,
    double v);
/* score_smooth: (k + m p0) / (n + m); p0 when n + m is 0. */
double score_smooth(long k, long n, double p0, double m);
/* score_round2: x to 2 dp, half away from zero (for printing and tests). */
double score_round2(double x);

/* One debtor's history, all of it (score_compute picks by day). */
struct score_settle {
	int32_t date;
	int64_t amount;
	int pay;		/* 1 a payment (cash, the export's settled or
				   paid); 2 a close of no day known, which
				   can be taken back but has no days: a paid
				   part the first export showed
				   (settlement.date_known 0) or a snapshot
				   close (paid, credited or written off, who
				   knows when: kpi-report's rule too); 0 a
				   credit note or write-off; -1 a reversal
				   or reopen */
};
struct score_item {
	int64_t id;
	int32_t issue, due;
	int64_t amount;
	int debit;		/* invoice or debit note */
	int32_t query_day;	/* first query opened on it; INT32_MAX:
				   none; INT32_MIN: the export says
				   disputed (no date) */
	char ccy[4];
	size_t s0, ns;		/* its settlements in hist->settle, by date */
};
struct score_promise {
	int32_t made_on, due, grace;
	int64_t amount;
	char ccy[4];
};
struct score_msg {
	int32_t day;
	int channel;		/* 0..SCORE_NCHANNELS-1 */
	int hour;		/* 0..23; -1 when only the day is known */
	int attempt;		/* a call */
	int rpc;		/* right party reached (rpc, promise, query) */
};
struct score_hist {
	int64_t id;		/* debtor.id */
	char *ref, *name;
	struct score_item *item;
	size_t nitem;
	struct score_settle *settle;
	size_t nsettle;
	struct score_promise *promise;
	size_t npromise;
	struct score_msg *msg;	/* contacts and actions */
	size_t nmsg;
	int32_t *resp;		/* days the debtor answered, sorted */
	size_t nresp;
};

/* The run's shared reader: prepared statements and the query days of
 * items.  NULL with d set on a state error. */
struct score_reader;
struct score_reader *score_reader_new(struct state *st, struct diag *d);
void score_reader_free(struct score_reader *r);
/* score_hist_load: debtor id's history into h (emptied first).  0, or
 * -1 with d set. */
int score_hist_load(struct score_reader *r, int64_t id, const char *ref,
    const char *name, struct score_hist *h, struct diag *d);
void score_hist_free(struct score_hist *h);

struct score_result {
	int32_t as_of;
	double score;
	char band;
	double factor[SCORE_NFACTORS];
	double points[SCORE_NFACTORS];	/* deductions, >= 0 */
	long paid_items;		/* items with payments in the window */
	long promises_due, promises_broken;
	long invoices, disputed;	/* issued in the window */
	int64_t open_balance;		/* net, as of the day */
	char ccy[4];			/* "" when several currencies */
	long attempts, rpc;
	/* best weekday, best hour band, preferred channel: index or -1
	 * (the default), with the figures behind the pick */
	int weekday, hour_band, channel;
	long wd_k, wd_n, hb_k, hb_n, ch_k, ch_n;
	double wd_rate, hb_rate, ch_rate;
	char notes[512];		/* defaults taken, said in words */
};

/*
 * score_compute: h scored as of as_of under c, from the history dated on
 * or before as_of only.  Promises are judged by promise_evaluate against
 * contact_load_cash(as_of).  0, or -1 with d set (state error).
 */
int score_compute(struct state *st, const struct score_config *c,
    const struct score_hist *h, int32_t as_of, struct score_result *out,
    struct diag *d);

/*
 * The items' part of a score, accumulated one item at a time, so a run
 * over every debtor can read the item and settlement tables in one pass
 * (score_scan_items) instead of loading each debtor's items.
 */
struct score_acc {
	double amt[3], amt_days[3];	/* payments: window, last, previous */
	double debit_open, over60;
	long paid_items, invoices, disputed;
	int64_t open_balance;
	char ccy[4];
	int seen, mixed;
	int too_large;		/* an open amount or the balance passed
				   int64 minor units: no score */
};
struct score_part {
	int32_t date;
	int64_t amount;
	int known;		/* 0: its day is unknown (pay 2) */
};
struct score_parts {		/* scratch: an item's payments */
	struct score_part *v;
	size_t cap;
};
void score_acc_item(struct score_acc *a, const struct score_config *c,
    const struct score_item *it, const struct score_settle *s, size_t n,
    int32_t as_of, struct score_parts *ps);
/* score_finish: the score from a (h's items are not read: h gives the
 * promises, contacts and responses).  0, or -1 with d set. */
int score_finish(struct state *st, const struct score_config *c,
    const struct score_hist *h, const struct score_acc *a, int32_t as_of,
    struct score_result *res, struct diag *d);
/*
 * score_scan_items: every item of the state with its settlements, in one
 * pass in item order, into acc[debtor.id] (n entries: ids at or above n
 * are an error), as of as_of.  0, or -1 with d set.
 */
int score_scan_items(struct score_reader *r, const struct score_config *c,
    int32_t as_of, struct score_acc *acc, size_t n, struct diag *d);
/* score_max_debtor: the highest debtor id (0 when none). */
int score_max_debtor(struct state *st, int64_t *max, struct diag *d);
/* score_hist_load_light: as score_hist_load without the items. */
int score_hist_load_light(struct score_reader *r, int64_t id,
    const char *ref, const char *name, struct score_hist *h, struct diag *d);

/* Output: the columns after debtor_id and debtor_name, and their values
 * for one result (separated by tabs, escaped, no line end). */
size_t score_ncols(void);
const char *score_colname(size_t i);
/* score_value: column i of res as text into buf (bufsz >= 64, notes may
 * need 512). */
const char *score_value(const struct score_config *c,
    const struct score_result *res, size_t i, char *buf, size_t bufsz);
void score_write_values(FILE *fp, const struct score_config *c,
    const struct score_result *res);
void score_write_empty(FILE *fp);

/* score_store: the result as the score row of debtor id for its day (the
 * inputs JSON holds every output column, and the weights and caps),
 * replacing one stored before, through r's state.  0, or -1 with d set. */
int score_store(struct score_reader *r, const struct score_config *c,
    int64_t id, const struct score_result *res, struct diag *d);

/* score_show: the scores stored for as_of, as they were written then
 * (debtor_id, debtor_name and the score columns), in debtor order; *n
 * the rows.  0, or -1 with d set. */
int score_show(struct state *st, int32_t as_of, FILE *fp, long *n,
    struct diag *d);

/*
 * Backtest (score-debtor --backtest): each invoice issued in [from, to]
 * scored as of the day before its issue date, against whether it was
 * paid beyond terms (settled in full after its due date, or still open
 * on as_of past its due date; open and not due on as_of: left out).
 */
struct score_bt_row {
	double score;		/* the debtor's, the day before issue */
	double baseline;	/* its past share of late invoices */
	char band;
	int late;
	int32_t issue;
};
/* score_backtest_debtor: appends h's rows to *rows (n, cap). */
int score_backtest_debtor(struct state *st, const struct score_config *c,
    const struct score_hist *h, int32_t from, int32_t to, int32_t as_of,
    struct score_bt_row **rows, size_t *n, size_t *cap, struct diag *d);
/* score_auc: the chance that a late invoice got a lower score (higher
 * risk) than one paid in time, ties half: by score (which 0) or by
 * baseline (which 1, where a higher share is the higher risk).  -1 when
 * either class is empty. */
double score_auc(struct score_bt_row *rows, size_t n, int which);
/* score_backtest_write: the table: model (score, baseline), band (all,
 * A...), invoices, late, late_pct, mean (score, or the baseline's late
 * share in per cent), auc (on the "all" rows). */
void score_backtest_write(FILE *fp, const struct score_config *c,
    struct score_bt_row *rows, size_t n);

/*
 * Runs (lib/scorerun.c): what score-debtor does, inside the caller's
 * transaction.  score_run_begin reads the items of every debtor in one
 * pass (not for the backtest, which loads each debtor's whole history).
 */
enum score_run_mode {
	SCORE_RUN_STATE,	/* every debtor, or the rows of streams */
	SCORE_RUN_BACKTEST
};
struct score_run_opts {
	enum score_run_mode mode;
	int32_t as_of;
	const struct score_config *cfg;
	int store;		/* score_store each debtor scored */
	/* stream rows rejected or left without a score */
	void (*report)(void *ctx, const char *file, long line,
	    const char *msg);
	void *report_ctx;
};
struct score_run;
/* NULL with d set on a state error. */
struct score_run *score_run_begin(struct state *st,
    const struct score_run_opts *o, struct diag *d);
void score_run_free(struct score_run *r);
long score_run_scored(const struct score_run *r);	/* debtors */
/* score_run_all: every debtor, in debtor order, a header first.  0, or
 * -1 with d set. */
int score_run_all(struct score_run *r, FILE *out, struct diag *d);
/*
 * score_run_stream: the rows of one age-ledger stream with their
 * debtor's score columns appended (a header first, for the first stream
 * only; a later stream must have the same header).  A malformed row is
 * reported and left out; a row whose debtor_id is empty or unknown is
 * reported and written with empty score columns; both count in *bad.
 * Returns 0, SCORE_EDATA with d set when the stream cannot be used at
 * all (no header, no debtor_id column, score columns already there,
 * another header), SCORE_ESTATE with d set on a state error.
 */
#define SCORE_EDATA (-1)
#define SCORE_ESTATE (-2)
int score_run_stream(struct score_run *r, FILE *in, const char *name,
    FILE *out, long *bad, struct diag *d);
/* score_run_backtest: the backtest table of [from, to] (score.h above);
 * *n the invoices with an outcome.  0, or -1 with d set. */
int score_run_backtest(struct score_run *r, int32_t from, int32_t to,
    FILE *out, size_t *n, struct diag *d);

#endif

/*
 * aging: the aged-debt report (DOMAIN.md section 2), per debtor and
 * currency or per item, as of a day, from the state or from an item
 * stream.  It owns the bucket rules and their column names, the replay of
 * history (what was open on a past day), exchange rates for the reporting
 * currency, and the TSV it writes.
 *
 * The state path is built for speed: one sequential scan of item reading
 * only integer columns and two short texts, aggregated in memory in
 * arrays indexed by debtor, with the few settlements dated after the as-of
 * day and the open queries merged in by item id.  Nothing is written to
 * the state.
 *
 * Amounts are int64_t minor units of their own currency throughout; they
 * are never summed across currencies.  A sum that would overflow is an
 * error, never a wrap.
 */
#ifndef CK_AGING_H
#define CK_AGING_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "diag.h"
#include "state.h"

/* At most this many bounds; the bucket columns are one or two more. */
#define AGING_MAX_BOUNDS 16
#define AGING_MAX_BUCKETS (AGING_MAX_BOUNDS + 2)
/* Largest bound in days (a hundred years): keeps names short and sums of
 * days far from overflow. */
#define AGING_MAX_DAYS 36500
/* A bucket name ("d36500_plus") plus NUL fits. */
#define AGING_NAMESZ 24

enum aging_by {
	AGING_BY_DEBTOR,	/* one row per debtor and currency */
	AGING_BY_ITEM		/* one row per open item */
};

enum aging_basis {
	AGING_DUE,	/* days past due: not_due, d1_30, ..., d121_plus */
	AGING_INVOICE	/* days since issue: d0_30, d31_60, ..., d121_plus */
};

/*
 * The upper bounds of the buckets, inclusive, strictly increasing, each
 * in [1, AGING_MAX_DAYS]; there may be none.  With bounds 30,60 the due basis has buckets
 * not_due (dpd <= 0), d1_30, d31_60 and d61_plus; the invoice basis has
 * d0_30, d31_60 and d61_plus.
 */
struct aging_bounds {
	size_t n;
	int32_t v[AGING_MAX_BOUNDS];
};

struct aging_opts {
	int32_t as_of;		/* day number */
	enum aging_by by;
	enum aging_basis basis;
	struct aging_bounds bounds;
};

/* aging_bounds_default: 30,60,90,120. */
void aging_bounds_default(struct aging_bounds *b);

/*
 * aging_bounds_parse: "30,60,90,120" into b.  A leading 0 is accepted and
 * dropped (the not-yet-due bound is always there), so "0,30,60" equals
 * "30,60", and "0" alone gives no bounds: not_due and d1_plus (d0_plus on
 * the invoice basis).  Returns 0, or -1 with d set (b is then unchanged).
 */
int aging_bounds_parse(const char *s, struct aging_bounds *b,
    struct diag *d);

/* aging_bounds_set: the same checks for bounds from elsewhere (the client
 * config); n values at v. */
int aging_bounds_set(struct aging_bounds *b, const long long *v, size_t n,
    struct diag *d);

/* aging_nbuckets: how many bucket columns o gives (n + 2 on the due
 * basis, n + 1 on the invoice basis). */
size_t aging_nbuckets(const struct aging_opts *o);

/* aging_bucket_name: the column name of bucket i (< aging_nbuckets) into
 * buf (AGING_NAMESZ bytes); returns buf. */
char *aging_bucket_name(const struct aging_opts *o, size_t i, char *buf);

/* aging_bucket_index: the bucket of an open debit item that is `days`
 * past due (due basis) or `days` old (invoice basis). */
size_t aging_bucket_index(const struct aging_opts *o, int32_t days);

struct aging;		/* opaque: the report being built */

/* aging_new: an empty report with the options copied; aging_free frees
 * it and everything it holds (NULL is fine). */
struct aging *aging_new(const struct aging_opts *o);
void aging_free(struct aging *a);

/*
 * aging_load_rates: reads exchange rates (TSV with the columns currency
 * and rate, and optionally date) for converting into report_ccy.  rate is
 * how many units of report_ccy one unit of currency buys, an exact decimal
 * (never read through a double).  With a date column, each currency's
 * rate is the one of the latest date on or before the as-of day, the
 * closing rate; later rows are ignored.  The report currency converts at
 * 1 and need not be listed.  Any malformed row, duplicate, or a rate for
 * report_ccy other than 1, is an error: returns -1 with d set (d->line
 * the line, 0 for the file as a whole); 0 when loaded.
 */
int aging_load_rates(struct aging *a, FILE *fp, const char *name,
    const char *report_ccy, struct diag *d);

/*
 * aging_scan_state: ages what the state held open on the as-of day, in
 * one read transaction so that every table is seen at the same moment.
 * An item is open on day D when issued on or before D and not closed on
 * or before D; its open amount on D is its open amount now plus its
 * settlements dated after D.  Receipts in the payment table with a debtor,
 * dated on or before D, not reversed by D, count as unapplied cash for
 * what their allocations dated on or before D leave.  An item is in
 * query when its in_query flag is set or a query open on D covers it.
 * For the scan the connection's page cache is made small (the file is
 * read once, front to back) and the SQL function ck_aging_row exists;
 * both are put back after.  Returns 0, or -1 with d set.
 */
int aging_scan_state(struct aging *a, struct state *st, struct diag *d);

/*
 * Item streams: aging_stream_open reads the header of fp and finds the
 * columns by name (debtor_id, due_date, currency and open_amount or amount
 * are required; debtor_name, doc_id, doc_type, issue_date, settled_date,
 * in_query or disputed are optional, issue_date is required on the
 * invoice basis).  Other columns are passed through in --by item output:
 * the first stream's set, matched by name in later streams.  Returns NULL
 * with d set when the header is unusable.
 *
 * aging_stream_next reads one row: 1 for a row (aged, or skipped as not
 * open on the as-of day), 0 at the end, -1 for a bad row with d set and
 * d->line its line; reading may go on after -1.
 */
struct aging_stream;
struct aging_stream *aging_stream_open(struct aging *a, FILE *fp,
    const char *name, struct diag *d);
int aging_stream_next(struct aging_stream *s, struct diag *d);
void aging_stream_close(struct aging_stream *s);

/*
 * aging_write: the report as TSV on out, header first, rows sorted (by
 * debtor id then currency; by item: debtor id, due date, document id, then
 * input order).  With rates loaded, the report columns are filled for
 * every currency that has a rate and left empty for the others (see
 * aging_missing_rate).  Returns 0, or -1 with d set when a sum overflows
 * (nothing is then written past the rows already out).  Write errors on
 * out are the caller's to check.
 */
int aging_write(struct aging *a, FILE *out, struct diag *d);

/* aging_missing_rate: after aging_write, the i-th currency (in code
 * order) the report met but the rates did not give, or NULL past the
 * last. */
const char *aging_missing_rate(const struct aging *a, size_t i);

#endif

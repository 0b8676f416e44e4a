/*
 * ingest: client exports of open items (invoices, credit notes, debit
 * notes, unapplied receipts) into the state.  It owns the per-row rules:
 * finding the header below title rows, skipping section and total rows,
 * de-duplicating line items, normalising each row (dates, amounts, signs,
 * due dates from terms, debtor types), the idempotent upsert with changes
 * recorded, dated settlements so history can be replayed, the snapshot
 * close, and the item stream written for the next tool of a pipeline.
 *
 * One run may take several files; the caller wraps the run in one
 * transaction and decides, from the counts, whether to commit.
 */
#ifndef CK_INGEST_H
#define CK_INGEST_H

#include <stdio.h>
#include <stdint.h>
#include "date.h"
#include "diag.h"
#include "money.h"
#include "progress.h"
#include "state.h"

struct ingest_opts {
	int32_t as_of;			/* the export's date */
	int snapshot;			/* the files list every open item */
	int allow_empty;		/* even when they list none */
	int strict;			/* stop at the first rejected row */
	enum date_order date_order;	/* DATE_AUTO: sniff the columns */
	enum money_decimal decimal;
	int delimiter;			/* 0: sniff */
	const char *encoding;		/* NULL: UTF-8 */
	char currency[4];		/* when the export names none */
	int currency_given;		/* chosen by the client (option or
					   config), not the built-in GBP:
					   then a code written in an amount
					   must agree with it */
	const char *debtor_type;	/* default: "business" */
	const char *default_terms;	/* "net 30", "eom 30"; may be NULL */
	/* The client's explicit column mapping (config input.columns). */
	const char *const *map_field;
	const char *const *map_header;
	const long *map_line;
	size_t nmap;
	/* The client's own document type codes (config input.types): code
	 * -> invoice, credit_note, debit_note, payment, by_sign, refund. */
	const char *const *type_code;
	const char *const *type_name;
	size_t ntypes;
	FILE *out;			/* the item stream, or NULL */
	FILE *rejects;			/* rejected rows, whole, or NULL */
	/* Where each rejected row is told: file, line, message. */
	void (*report)(void *ctx, const char *file, long line,
	    const char *msg);
	void *report_ctx;	/* Called once a record is read, for a progress line (NULL: none);
	 * it measures the work by the input's bytes itself. */
	progress_fn *progress;
	void *progress_ctx;
};

struct ingest_run;	/* opaque */

/* ingest_begin: prepares a run against st, inside the caller's
 * transaction.  NULL with d set on a state error. */
struct ingest_run *ingest_begin(struct state *st,
    const struct ingest_opts *o, struct diag *d);

/* ingest_file's failures: the data (nothing of the run should be kept)
 * or the state and system. */
#define INGEST_EDATA (-1)
#define INGEST_ESTATE (-2)
/* The config's input.columns names a header the export does not have;
 * d->line is the config's line. */
#define INGEST_ECONFIG (-3)
/* The file cannot be read without an option: its dates fit day/month
 * order on one line and only month/day on another (--date-format). */
#define INGEST_EUSAGE (-4)

/*
 * ingest_file: one export, called name in messages and recorded_name in
 * the state.  Records a batch (file name, SHA-256 of the bytes read,
 * counts) and adds its counts to *c.  Rejected rows are
 * reported, counted and written to o->rejects; they never stop the run
 * unless o->strict.  Returns 0, INGEST_EDATA with d set when the file
 * cannot be ingested at all (no header, ambiguous dates, an unreadable
 * file, or the first reject under --strict), INGEST_ECONFIG when the
 * header lacks a column the config maps, INGEST_EUSAGE when its dates
 * hold evidence for both D/M and M/D order, or INGEST_ESTATE when the
 * state failed; in each case the caller rolls back.
 */
int ingest_file(struct ingest_run *r, FILE *fp, const char *name,
    const char *recorded_name, struct batch_counts *c, struct diag *d);

/* ingest_finish: with --snapshot, closes the items open before the run
 * that no file listed (counted in c->closed).  0, 1 when it closed
 * nothing because the files listed no item (and o->allow_empty is not
 * set; the reason is reported), or -1 with d set. */
int ingest_finish(struct ingest_run *r, struct batch_counts *c,
    struct diag *d);
void ingest_free(struct ingest_run *r);

/* ingest_latest_export: the as-of day of the newest export ingested into
 * st, or INT32_MIN when there is none.  0, or -1 with d set. */
int ingest_latest_export(struct state *st, int32_t *day, struct diag *d);

/* ingest_doc_type_known: 1 if name is a value input.types may map a
 * code to (invoice, credit_note, debit_note, payment, by_sign, refund). */
int ingest_doc_type_known(const char *name);

/*
 * Payment terms: "net 30", "30 days", "30", "eom 30", "end of month + 30",
 * "eom" (due at the month's end).  ingest_terms_due: the due date of an
 * item issued on `issue`; 0 or -1 when the text is not terms.
 */
int ingest_terms_due(const char *terms, int32_t issue, int32_t *due);

#endif

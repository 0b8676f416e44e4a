/*
 * payments: bank statements into the state, whatever format they came in.
 * It owns the common model every reader fills (a statement and its
 * entries), the rules that do not depend on the format (kinds and signs,
 * the entry key that makes a re-ingest change nothing, the balance check,
 * finding the original of a reversal, ISO 11649 creditor references), the
 * statement and payment rows, the batch of each file and the TSV the
 * tool prints.
 *
 * The readers (camt.h, mt940.h, bankcsv.h) parse one file held in memory
 * and hand what they find to a struct pay_sink; they never touch the
 * state.  One run may take several files; the caller wraps the run in
 * one transaction.  A file that cannot be read at all (malformed XML, not
 * a statement) is rolled back to where it began: nothing of it is kept,
 * the other files go on.
 */
#ifndef CK_PAYMENTS_H
#define CK_PAYMENTS_H

#include <stdint.h>
#include <stdio.h>
#include "date.h"
#include "diag.h"
#include "money.h"
#include "progress.h"
#include "state.h"
#include "util.h"

#define PAY_NO_DATE INT32_MIN

/*
 * The largest amounts taken, in minor units of any currency.  An entry
 * (its cash or its charges) beyond 10^15 (10,000,000,000,000.00 of a
 * two-decimal currency) is rejected: no bank books one, and a thousand
 * entries of that size still sum inside an int64_t, so no ledger built of
 * real entries overflows.  A balance, and a statement's entries summed,
 * beyond 10^17 cannot be checked.
 */
#define PAY_MAX_ENTRY 1000000000000000LL
#define PAY_MAX_BALANCE 100000000000000000LL

enum pay_format {
	PAY_FMT_AUTO,		/* sniffed from the content */
	PAY_FMT_CAMT,		/* ISO 20022 camt.052, camt.053, camt.054 */
	PAY_FMT_MT940,		/* SWIFT MT940, MT942 */
	PAY_FMT_CSV		/* a bank's CSV export */
};

/* One entry as a reader found it.  Strings are the reader's; they hold
 * until the next entry.  A reader sets `reversal` when the bank marks the
 * entry as undoing an earlier one; payments decides the kind. */
struct pay_entry {
	long line;		/* where it starts (XML: its element) */
	char currency[4];
	int64_t amount;		/* cash booked, signed: credits positive */
	int64_t charges;	/* what the bank kept, >= 0 */
	int32_t booking_date;	/* PAY_NO_DATE if the bank gives none */
	int32_t value_date;
	int reversal;
	int linked;		/* CSV: the row names a related one (a
				   currency conversion's other half) */
	int detail;		/* n-th transaction detail of a split
				   batch entry (1-based), else 0 */
	struct sbuf bank_ref, payer_name, payer_account, reference,
	    end_to_end_id, remittance, return_reason, related_ref;
	const char *raw;	/* the entry as it came, for --rejects */
	size_t rawlen;
};

struct pay_statement {
	long line;
	const char *format;	/* "camt.053.001.02", "mt940", "csv" */
	struct sbuf account, stmt_ref;
	char currency[4];	/* "" if unknown */
	int has_opening, has_closing;
	int opening_bad, closing_bad;	/* there, but unreadable */
	int balances_expected;	/* a statement proper (camt.053, MT940),
				   which must carry both balances; reports,
				   notifications and CSV exports may not */
	int64_t opening, closing;
	char opening_ccy[4], closing_ccy[4];
	int32_t from_date, to_date;	/* PAY_NO_DATE if not given */
};

void pay_entry_reset(struct pay_entry *e);
void pay_entry_free(struct pay_entry *e);
void pay_statement_reset(struct pay_statement *s);
void pay_statement_free(struct pay_statement *s);

/*
 * pay_sink: where a reader hands what it read.  statement() opens a
 * statement (its opening balance known), entry() is called for each
 * booked entry, statement_end() closes it (closing balance known by
 * then).  reject() tells an entry that cannot be taken (line, message,
 * its raw text); warn() a thing worth knowing that rejects nothing.
 * statement, entry and statement_end return 0, or -1 with d set when the
 * state failed (the reader then stops and returns PAY_ESTATE).
 */
struct pay_sink {
	int (*statement)(void *ctx, struct pay_statement *s, struct diag *d);
	int (*entry)(void *ctx, struct pay_entry *e, struct diag *d);
	int (*statement_end)(void *ctx, struct pay_statement *s,
	    struct diag *d);
	int (*reject)(void *ctx, long line, const char *msg, const char *raw,
	    size_t rawlen, struct diag *d);
	void (*warn)(void *ctx, long line, const char *msg);
	void *ctx;
};

/* Readers' results: 0, or these. */
#define PAY_EDATA (-1)		/* the file cannot be taken: d says why */
#define PAY_ESTATE (-2)		/* the state failed */
#define PAY_ESTRICT (-3)	/* pay_file: --strict stopped at a reject */
#define PAY_ECONFIG (-4)	/* the config does not fit the file (a
				   bank.columns header it lacks): d->line
				   is the config's line; the run stops */

/* pay_warnf, pay_rejectf: the sink's warn and reject with a format. */
void pay_warnf(const struct pay_sink *k, long line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
int pay_rejectf(const struct pay_sink *k, long line, const char *raw,
    size_t rawlen, struct diag *d, const char *fmt, ...)
	__attribute__((format(printf, 6, 7)));

/* What a bank CSV export's columns mean: lib/bankcsv.c. */
struct bankcsv_opts {
	enum date_order date_order;	/* DATE_AUTO: sniffed */
	int decimal;			/* -1 sniffed, else enum
					   money_decimal */
	const char *account;		/* the client's account, or NULL */
	char currency[4];		/* when the export names none */
	size_t nmap;			/* config bank.columns */
	const char *const *map_field;
	const char *const *map_header;
	const long *map_line;
};

struct pay_opts {
	int32_t as_of;
	int all;			/* print known entries too */
	int strict;			/* stop at the first rejected entry */
	enum pay_format format;
	const char *encoding;		/* NULL: UTF-8, else Windows-1252 */
	struct bankcsv_opts csv;
	FILE *out;			/* the TSV, or NULL */
	FILE *rejects;			/* rejected entries, or NULL */
	/* Rejected entries (error) and warnings (!error): file, line,
	 * message. */
	void (*report)(void *ctx, const char *file, long line, int error,
	    const char *msg);
	void *report_ctx;	/* Called once an entry is read, with its line of the file's lines,
	 * for a progress line (NULL: none). */
	progress_fn *progress;
	void *progress_ctx;
};

struct pay_counts {
	long read;		/* booked entries (payments) read */
	long ingested;		/* new */
	long unchanged;		/* known already */
	long rejected;
	long statements;
	long unbalanced;	/* statements whose balances do not add up */
	long unchecked;		/* statements lacking a balance to check */
	long skipped;		/* entries not booked (pending, info) */
	long refused;		/* files that could not be taken */
	long changed;		/* entries known by the bank's reference,
				   read with other content (kept as first
				   recorded) */
};

struct pay_run;	/* opaque */

/* pay_begin: a run against st inside the caller's transaction; writes the
 * TSV header to o->out.  NULL with d set on a state error. */
struct pay_run *pay_begin(struct state *st, const struct pay_opts *o,
    struct diag *d);

/*
 * pay_file: one input, read whole from fp, called name in messages and
 * recorded_name in its batch.  Returns 0 (c counts what it did; rejected
 * entries and unbalanced statements were reported), PAY_EDATA with d set
 * when the file was refused (nothing of it kept; the run may go on),
 * PAY_ESTRICT when --strict stopped at a reject, or PAY_ESTATE when the
 * state or the system failed (for these two the caller rolls back).
 * o->out and o->rejects must be seekable files: a refused file's lines
 * are taken back by truncating them.
 */
int pay_file(struct pay_run *r, FILE *fp, const char *name,
    const char *recorded_name, struct pay_counts *c, struct diag *d);
void pay_free(struct pay_run *r);

/* pay_sniff: the format of a file from its first bytes. */
enum pay_format pay_sniff(const char *buf, size_t n);
const char *pay_format_name(enum pay_format f);
int pay_format_from_name(const char *s, enum pay_format *f);

/*
 * pay_to_utf8: buf[0..n) as UTF-8 into out.  With encoding NULL, UTF-8
 * is taken as it is; anything else is read as Windows-1252 (of which
 * ISO-8859-1's printable characters are a subset), and *guessed is set;
 * bytes Windows-1252 does not define make it an error.  A named encoding
 * (WINDOWS-1252, ISO-8859-1, ...) is converted whatever the bytes.  A
 * leading BOM goes.  0, or -1 with d set (d->line the line).
 */
int pay_to_utf8(const char *buf, size_t n, const char *encoding,
    struct sbuf *out, int *guessed, struct diag *d);

/*
 * pay_rf_check: s as an ISO 11649 creditor reference ("RF18 5390 0754
 * 7034", any case, spaces allowed).  1 when it is one and its check
 * digits hold (norm gets the electronic form, "RF18539007547034"), -1
 * when it has the shape but fails the check, 0 when it does not look like
 * one at all.
 */
int pay_rf_check(const char *s, struct sbuf *norm);

/* pay_too_large: 1 when |v| is beyond limit (PAY_MAX_ENTRY or
 * PAY_MAX_BALANCE), with msg given the reason in ccy's digits. */
int pay_too_large(int64_t v, int64_t limit, const char *ccy,
    struct sbuf *msg);

/* pay_norm_space: b with runs of white space and control characters
 * made one space, trimmed. */
void pay_norm_space(struct sbuf *b);

/*
 * pay_ymd: y-m-d as a day, with a bank's impossible day of month (30
 * February) clamped to the month's end: 0, 1 when it was clamped, -1 when
 * the month or day is not a calendar's at all (month 13, day 0).
 */
int pay_ymd(int y, int m, int d, int32_t *out);

/* The TSV the tool prints, in this order. */
extern const char *const pay_stream_columns[];
extern const size_t pay_stream_ncolumns;

#endif

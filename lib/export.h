/*
 * export: what the bureau did and learned, as tables for the client's own
 * ledger or CRM (export-client(1)): the actions emitted, the contacts and
 * their outcomes, the promises, queries and instalment plans with the
 * statuses lib/promise computes as of the day, what allocate-payments
 * applied, the debtors' scores and the holds on chasing them.  It owns
 * each kind's columns, the queries that fill them, and what --since
 * keeps.
 *
 * Every row names the debtor by its account code in the client's system
 * (the export's debtor_id) and documents by the client's document ids, so
 * the client can join the rows back; money is a decimal in the currency's
 * minor digits with the currency beside it, dates are ISO.  CSV goes
 * through lib/csvout (RFC 4180, formulas neutralised in text columns,
 * numeric columns as they are); TSV through lib/tsv like every stream.
 *
 * It only reads: export_begin makes the connection query-only and opens
 * one read transaction, so the kinds of one run are of one moment even
 * while a cron job writes.
 */
#ifndef CK_EXPORT_H
#define CK_EXPORT_H

#include <stdint.h>
#include <stdio.h>

#include "diag.h"
#include "state.h"

enum export_kind {
	EXPORT_ACTIONS,
	EXPORT_CONTACTS,
	EXPORT_PROMISES,
	EXPORT_QUERIES,
	EXPORT_PLANS,
	EXPORT_ALLOCATIONS,
	EXPORT_SCORES,
	EXPORT_HOLDS,
	EXPORT_NKINDS
};

enum export_format {
	EXPORT_CSV,
	EXPORT_TSV
};

/* The kinds' names (actions, ...), and the kind a name is or -1. */
const char *export_kind_name(enum export_kind k);
int export_kind_parse(const char *s);
/* The kinds' names in order, comma-separated, for messages. */
#define EXPORT_KIND_LIST "actions, contacts, promises, queries, plans, " \
	"allocations, scores, holds"

/* EXPORT_SINCE_ALL: no --since. */
#define EXPORT_SINCE_ALL INT32_MIN

struct calendar;
struct export_opts {
	int32_t as_of;		/* nothing dated after it; statuses as of it */
	int32_t since;		/* rows of what happened on or after it */
	enum export_format format;
	/* The chase rules a plan is judged by, as build-chasepath and
	 * log-contact --list judge it (a first miss not contacted in time
	 * breaks it): chase.calendar and chase.plan_missed.days. */
	const struct calendar *cal;
	int miss_days;
};

/* export_begin: the connection made query-only and a read transaction
 * opened (export_end closes it).  0, or -1 with d set. */
int export_begin(struct state *st, struct diag *d);
void export_end(struct state *st);

/*
 * export_write: kind k's header and rows to out.  *rows (may be NULL)
 * counts the rows written.  0, or -1 with d set on a state error or when
 * out failed (what was written is then not whole: write to a file that
 * is replaced only on success).
 */
int export_write(struct state *st, enum export_kind k,
    const struct export_opts *o, FILE *out, long *rows, struct diag *d);

#endif

/*
 * timeline: a debtor's history as of a day, as one TSV in date order:
 * its items, payments and settlements, contact attempts, promises,
 * queries, plans and their instalments, holds, with the statuses
 * lib/promise computes for that day.  It only reads the state.
 *
 * The columns (TIMELINE_HEADER) are stable: debtor_id, date, kind, ref,
 * currency, amount, applied, status, due_date, detail.  See
 * log-contact(1) for what each kind puts in them.
 */
#ifndef CK_TIMELINE_H
#define CK_TIMELINE_H

#include <stdint.h>
#include <stdio.h>

#include "diag.h"
#include "state.h"

#define TIMELINE_HEADER "debtor_id\tdate\tkind\tref\tcurrency\tamount" \
	"\tapplied\tstatus\tdue_date\tdetail"

/* TIMELINE_EVENT_REF: SQL for the ref of an event of kind k in table
 * alias tbl: its id as logged, else "#" and the start of its hash (as
 * stable as the content), else the table and row; the ref the timeline
 * and export-client show, so the two name an event alike. */
#define TIMELINE_EVENT_REF(tbl, k) "coalesce(" tbl ".event_id, (SELECT '#' " \
	"|| substr(hash, 1, 12) FROM contact_event WHERE kind = '" k "' AND " \
	"entity_id = " tbl ".id), '" k ":' || " tbl ".id)"

/* timeline_debtor: the id of the debtor whose ref is ref: 1 and *id, 0
 * when there is none, -1 with d set. */
int timeline_debtor(struct state *st, const char *ref, int64_t *id,
    struct diag *d);

/*
 * timeline_write: the rows of debtor id (ref as its debtor_id column) as
 * of as_of, without the header: everything dated on or before as_of,
 * and the instalments of the plans made by then, also those due later.
 * Sorted by date, then kind (item, payment, settlement, contact,
 * promise, query_open, plan, instalment, query_close, hold, release),
 * then ref.  Plans are judged as build-chasepath judges them: cal and
 * miss_days are the client's chase.calendar and chase.plan_missed.days
 * (plan_miss_judge: a first miss not contacted in time breaks the
 * plan).  0, or -1 with d set (nothing is then written).
 */
struct calendar;
int timeline_write(struct state *st, int64_t id, const char *ref,
    int32_t as_of, const struct calendar *cal, int miss_days, FILE *out,
    struct diag *d);

/* timeline_write_all: every debtor's rows, by debtor ref. */
int timeline_write_all(struct state *st, int32_t as_of,
    const struct calendar *cal, int miss_days, FILE *out, struct diag *d);

#endif

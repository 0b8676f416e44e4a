/*
 * promise: whether a debtor kept its word, as of a day.  A promise to pay
 * (DOMAIN.md section 1.8) and an instalment plan (section 4.1: a promise
 * in several dated parts) are judged against the debtor's cash, never
 * against which items the cash was applied to; holds (breathing space,
 * insolvency, ...) are judged by their dates.
 *
 * Nothing here is stored: the statuses depend on the day asked about and
 * on receipts that allocate-payments may assign to the debtor later, so
 * every reader computes them with these functions from the events and
 * the receipts (one source of truth: the state's rows, not a status
 * column that would go stale).  Pure functions: no state, no I/O.
 *
 * The debtor's cash is its receipts (payment.debtor_id), each counted on
 * its value date, in the currency of the promise or plan, less those
 * reversed on or before the day asked about; contact_load_cash reads them.
 */
#ifndef CK_PROMISE_H
#define CK_PROMISE_H

#include <stddef.h>
#include <stdint.h>

/* One receipt: its value date and amount (positive minor units). */
struct promise_cash {
	int32_t day;
	int64_t amount;
};

enum promise_status {
	PROMISE_PENDING,	/* its due date + grace is after the day */
	PROMISE_KEPT,		/* the full amount came by due + grace */
	PROMISE_BROKEN		/* less than that (nothing, or part) */
};

struct promise_eval {
	/* in */
	int32_t made_on, due;
	int32_t grace;			/* days after due still in time */
	int64_t amount;
	/* out */
	enum promise_status status;
	int64_t paid;			/* the receipts attributed to it by
					   the day, in time or late */
};

/*
 * promise_evaluate: the n promises of one debtor in one currency, as of
 * as_of, against its receipts (any order).  The receipts dated on or
 * before as_of are attributed in value-date order, each to the earliest
 * promise (by due date, then made_on, then order in p) that is not yet
 * covered, was made on or before the receipt's day and has not been
 * replaced; what is left of a receipt goes on to the next.  A receipt
 * after a promise's due date + grace is still attributed to it (a late
 * payment is the payment for the promise it answered) and so never
 * keeps a later promise.  A promise is replaced, and takes no receipt
 * from that day on, when another is made after its due date + grace
 * (the debtor was asked again).  Before due + grace a promise is
 * pending, however much has come; on and after it, kept when what was
 * attributed to it by due + grace covers its amount, else broken.
 * paid is all that was attributed to it by as_of, late or not.
 */
void promise_evaluate(struct promise_eval *p, size_t n,
    const struct promise_cash *cash, size_t ncash, int32_t as_of);

const char *promise_status_name(enum promise_status s);

/* Instalment plans. */

enum plan_inst_status {
	INST_PENDING,		/* its due date + grace is after the day */
	INST_KEPT,		/* the cash by due + grace covers the
				   schedule up to and including it */
	INST_MISSED,		/* the first miss: the plan goes on, and the
				   debtor may catch up */
	INST_BROKEN,		/* the second miss: the plan is broken */
	INST_CANCELLED		/* after the plan broke */
};

enum plan_status {
	PLAN_ACTIVE,		/* in good standing (a miss caught up too) */
	PLAN_IN_ARREARS,	/* one miss not yet caught up */
	PLAN_BROKEN,		/* two misses: cancelled, full balance due */
	PLAN_COMPLETED		/* the total has been paid */
};

struct plan_inst {
	/* in */
	int32_t due;
	int64_t amount;
	/* out */
	enum plan_inst_status status;
	int64_t paid;			/* cash counted toward it by the day */
};

struct plan_eval {
	/* in */
	int32_t created;
	int32_t grace;
	int64_t total;
	/* out */
	enum plan_status status;
	int64_t paid;			/* what its instalments were paid:
					   at most the total */
	int32_t broken_on;		/* the day it broke, when broken */
	int64_t balance_due;		/* total less the cash, when broken */
};

/*
 * plan_evaluate: a plan's n instalments (in due order) as of as_of.  The
 * cash from the plan's creation on pays the instalments in order, any
 * excess running on to the next.  An instalment is judged on its due
 * date + grace: kept when the cash by then covers the schedule up to and
 * including it, else a miss.  The first miss leaves the plan running
 * (in arrears until the cash catches up with the schedule); the second
 * breaks it on that day: the plan is cancelled, its balance is due and
 * the later instalments are cancelled.  An instalment's paid is what
 * the cash paid of it by as_of (a broken plan's, by the day it broke);
 * the plan's paid is their sum, never more than its total.  Returns
 * nothing: every outcome is in p and in.
 */
void plan_evaluate(struct plan_eval *p, struct plan_inst *in, size_t n,
    const struct promise_cash *cash, size_t ncash, int32_t as_of);

/*
 * plan_evaluate_all: the np plans of one debtor in one currency as of
 * as_of, plan j being p[j] with its n[j] instalments in[j] (in due
 * order).  The debtor's receipts are attributed as for promises: each,
 * in value-date order, to the earliest-due instalment not yet paid in
 * full of the plans made on or before its day and not broken before it
 * (then the plan given first), the rest going on to the next; so one
 * payment never pays two plans, and a late one pays the instalment it
 * was late for.  Each plan is then judged as plan_evaluate says, on the
 * receipts attributed to it; plan_evaluate is this with one plan.
 */
void plan_evaluate_all(struct plan_eval *p, struct plan_inst *const *in,
    const size_t *n, size_t np, const struct promise_cash *cash,
    size_t ncash, int32_t as_of);

/*
 * plan_miss_judge: DOMAIN.md 4.1's contact after a first miss ("miss one
 * instalment: contact within 1-2 days"; "one miss plus no contact: plan
 * cancelled") on plan p in arrears, as plan_evaluate_all left it, with
 * its n instalments.  The missed instalment's contact falls on the
 * first business day of cal days (1 or 2) after its due date + grace
 * (m->end); it is made by any of the nacts actions (their days, in the
 * plan's currency or in none) after m->end and by m->last, the first
 * business day 2 days after m->end, or m->contact when later.  Returns
 * 0 when p is not in arrears, or the contact is made or not yet due;
 * 2 when it is due on as_of (m filled: m->due the instalment's due
 * date, m->arrears the schedule up to it less the cash); 1 when as_of is
 * after m->last without it: p is broken on m->last + 1, its balance due.
 */
struct calendar;
struct plan_miss {
	int32_t end, contact, last, due;
	int64_t arrears;
};
int plan_miss_judge(struct plan_eval *p, const struct plan_inst *in,
    size_t n, const struct calendar *cal, int days, const int32_t *acts,
    size_t nacts, int32_t as_of, struct plan_miss *m);

const char *plan_status_name(enum plan_status s);
const char *plan_inst_status_name(enum plan_inst_status s);

/*
 * plan_schedule: n instalments of a total, the first on first, then
 * every week, fortnight or month (PLAN_WEEKLY...).  Monthly keeps the
 * first date's day of the month and clips it to shorter months (31 Jan,
 * 29 Feb, 31 Mar).  The amounts are total / n rounded down, the last
 * taking what is left, so they sum to the total exactly.  in must hold
 * n entries.  Returns 0, or -1 when n < 1 or total < n (an instalment
 * of nothing).
 */
enum plan_frequency {
	PLAN_WEEKLY,
	PLAN_FORTNIGHTLY,
	PLAN_MONTHLY
};
int plan_schedule(int64_t total, size_t n, enum plan_frequency f,
    int32_t first, struct plan_inst *in);
const char *plan_frequency_name(enum plan_frequency f);

/* Holds. */

enum hold_status {
	HOLD_PENDING,		/* starts after the day */
	HOLD_ACTIVE,
	HOLD_ENDED,		/* its end date has passed */
	HOLD_RELEASED		/* lifted on or before the day */
};

/* hold_evaluate: as of as_of; end and released are INT32_MAX when not
 * set.  end is the last day held; a hold released on day R is not held
 * on R. */
enum hold_status hold_evaluate(int32_t start, int32_t end, int32_t released,
    int32_t as_of);
const char *hold_status_name(enum hold_status s);

#endif

/*
 * promise: promises, instalment plans and holds judged as of a day.
 * See promise.h for the rules; this file only counts.
 */
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "date.h"
#include "money.h"
#include "promise.h"
#include "util.h"

const char *
promise_status_name(enum promise_status s)
{
	static const char *const names[] = { "pending", "kept", "broken" };

	return names[s];
}

const char *
plan_status_name(enum plan_status s)
{
	static const char *const names[] = {
		"active", "in_arrears", "broken", "completed"
	};

	return names[s];
}

const char *
plan_inst_status_name(enum plan_inst_status s)
{
	static const char *const names[] = {
		"pending", "kept", "missed", "broken", "cancelled"
	};

	return names[s];
}

const char *
plan_frequency_name(enum plan_frequency f)
{
	static const char *const names[] = {
		"weekly", "fortnightly", "monthly"
	};

	return names[f];
}

const char *
hold_status_name(enum hold_status s)
{
	static const char *const names[] = {
		"pending", "active", "ended", "released"
	};

	return names[s];
}

/* end_day: due + grace without overflow (dates are far from the limits,
 * but a corrupt row must not be UB). */
static int32_t
end_day(int32_t due, int32_t grace)
{
	int64_t e = (int64_t)due + grace;

	return e > INT32_MAX ? INT32_MAX : e < INT32_MIN ? INT32_MIN :
	    (int32_t)e;
}

/* sat_add: *acc += v, stopping at INT64_MAX (sums of real receipts never
 * get there; a corrupt row must not wrap).  1 when it saturated. */
static int
sat_add(int64_t *acc, int64_t v)
{
	if (money_add(*acc, v, acc) != 0) {
		*acc = v > 0 ? INT64_MAX : INT64_MIN;
		return 1;
	}
	return 0;
}

static int
cmp_cash(const void *x, const void *y)
{
	const struct promise_cash *a = x, *b = y;

	if (a->day != b->day)
		return a->day < b->day ? -1 : 1;
	return (a->amount > b->amount) - (a->amount < b->amount);
}

/* sorted_cash: a copy of cash in day order, positive amounts only. */
static struct promise_cash *
sorted_cash(const struct promise_cash *cash, size_t ncash, size_t *n)
{
	struct promise_cash *c = xreallocarray(NULL, ncash + 1, sizeof *c);
	size_t k = 0;

	for (size_t i = 0; i < ncash; i++)
		if (cash[i].amount > 0)
			c[k++] = cash[i];
	qsort(c, k, sizeof *c, cmp_cash);
	*n = k;
	return c;
}

struct porder {
	const struct promise_eval *p;
	size_t i;
};

static int
cmp_porder(const void *x, const void *y)
{
	const struct porder *a = x, *b = y;

	if (a->p->due != b->p->due)
		return a->p->due < b->p->due ? -1 : 1;
	if (a->p->made_on != b->p->made_on)
		return a->p->made_on < b->p->made_on ? -1 : 1;
	return a->i < b->i ? -1 : a->i > b->i;
}

static int
cmp_day(const void *x, const void *y)
{
	int32_t a = *(const int32_t *)x, b = *(const int32_t *)y;

	return (a > b) - (a < b);
}

/* first_after: the first of the n sorted days v[] after day, or
 * INT32_MAX when none is. */
static int32_t
first_after(const int32_t *v, size_t n, int32_t day)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (v[mid] <= day)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < n ? v[lo] : INT32_MAX;
}

/*
 * The receipts are attributed, not windowed: a payment answers the
 * earliest promise still owed, even when it comes after that promise's
 * deadline, so a late payment for one promise never keeps the next one
 * (DOMAIN.md 1.8 with the five promises one debtor's: P2's late 1,000
 * is P2's, and P3 and P4 are broken at g = 0).  A promise made after an
 * earlier one's deadline replaces it (the debtor was asked again), so
 * from that day the earlier one takes no more.
 */
void
promise_evaluate(struct promise_eval *p, size_t n,
    const struct promise_cash *cash, size_t ncash, int32_t as_of)
{
	struct porder *ord = xreallocarray(NULL, n + 1, sizeof *ord);
	int32_t *made = xreallocarray(NULL, n + 1, sizeof *made);
	int32_t *until = xreallocarray(NULL, n + 1, sizeof *until);
	int32_t *replaced = xreallocarray(NULL, n + 1, sizeof *replaced);
	int64_t *in_time = xcalloc(n + 1, sizeof *in_time);
	size_t nc;
	struct promise_cash *c = sorted_cash(cash, ncash, &nc);

	for (size_t i = 0; i < n; i++) {
		ord[i].p = &p[i];
		ord[i].i = i;
		made[i] = p[i].made_on;
		p[i].paid = 0;
	}
	qsort(ord, n, sizeof *ord, cmp_porder);
	qsort(made, n, sizeof *made, cmp_day);
	for (size_t k = 0; k < n; k++) {
		const struct promise_eval *e = ord[k].p;

		until[k] = end_day(e->due, e->grace);
		replaced[k] = first_after(made, n, until[k]);
	}
	for (size_t i = 0; i < nc && c[i].day <= as_of; i++) {
		int64_t left = c[i].amount;

		for (size_t k = 0; k < n && left > 0; k++) {
			struct promise_eval *e = &p[ord[k].i];
			int64_t need = e->amount - e->paid, take;

			if (need <= 0 || c[i].day < e->made_on ||
			    c[i].day >= replaced[k])
				continue;
			take = left < need ? left : need;
			e->paid += take;
			left -= take;
			if (c[i].day <= until[k])
				in_time[k] += take;
		}
	}
	for (size_t k = 0; k < n; k++) {
		struct promise_eval *e = &p[ord[k].i];

		if (as_of < until[k])
			e->status = PROMISE_PENDING;
		else
			e->status = in_time[k] >= e->amount ? PROMISE_KEPT :
			    PROMISE_BROKEN;
	}
	free(c);
	free(in_time);
	free(replaced);
	free(until);
	free(made);
	free(ord);
}

/* cum: the cash from c[] dated from..to (both included), saturating. */
static int64_t
cum(const struct promise_cash *c, size_t nc, int32_t from, int32_t to)
{
	int64_t s = 0;

	for (size_t i = 0; i < nc && c[i].day <= to; i++)
		if (c[i].day >= from && sat_add(&s, c[i].amount))
			break;
	return s;
}

void
plan_evaluate(struct plan_eval *p, struct plan_inst *in, size_t n,
    const struct promise_cash *cash, size_t ncash, int32_t as_of)
{
	size_t nc;
	struct promise_cash *c = sorted_cash(cash, ncash, &nc);
	int64_t sched = 0, now = cum(c, nc, p->created, as_of), applied = now;
	int misses = 0, broken = 0, arrears = 0;

	p->paid = 0;
	p->broken_on = 0;
	p->balance_due = 0;
	for (size_t k = 0; k < n; k++) {
		struct plan_inst *it = &in[k];
		int32_t end = end_day(it->due, p->grace);

		sat_add(&sched, it->amount);
		if (broken) {
			it->status = INST_CANCELLED;
			continue;
		}
		if (as_of < end) {
			it->status = INST_PENDING;
			continue;
		}
		if (cum(c, nc, p->created, end) >= sched) {
			it->status = INST_KEPT;
		} else if (++misses < 2) {
			it->status = INST_MISSED;
		} else {
			it->status = INST_BROKEN;
			broken = 1;
			p->broken_on = end;
			applied = cum(c, nc, p->created, end);
			p->balance_due = p->total - applied;
		}
		/* Still short of the schedule judged so far, today? */
		arrears = now < sched;
	}
	/*
	 * What the plan's instalments were paid: the cash from its creation,
	 * the earlier instalments taking theirs first, up to the schedule;
	 * a broken plan took cash until the day it broke (the balance is
	 * due then, not the cancelled instalments).  So the plan's applied
	 * is never more than its total.
	 */
	for (size_t k = 0; k < n; k++) {
		struct plan_inst *it = &in[k];
		int64_t take = it->status == INST_CANCELLED || applied <= 0 ||
		    it->amount <= 0 ? 0 : applied < it->amount ? applied :
		    it->amount;

		it->paid = take;
		applied -= take;
		sat_add(&p->paid, take);
	}
	if (broken)
		p->status = PLAN_BROKEN;
	else if (now >= p->total)
		p->status = PLAN_COMPLETED;
	else if (arrears)
		p->status = PLAN_IN_ARREARS;
	else
		p->status = PLAN_ACTIVE;
	free(c);
}

int
plan_schedule(int64_t total, size_t n, enum plan_frequency f, int32_t first,
    struct plan_inst *in)
{
	int64_t each, left = total;

	if (n < 1 || total < (int64_t)n)
		return -1;
	each = total / (int64_t)n;
	for (size_t k = 0; k < n; k++) {
		int64_t day;

		switch (f) {
		case PLAN_WEEKLY:
			day = (int64_t)first + 7 * (int64_t)k;
			break;
		case PLAN_FORTNIGHTLY:
			day = (int64_t)first + 14 * (int64_t)k;
			break;
		default:
			/* From the first date each time, so a clip to 29 Feb
			 * does not carry into March. */
			day = date_add_months(first, (int)k);
			break;
		}
		if (day > INT32_MAX)
			return -1;
		memset(&in[k], 0, sizeof in[k]);
		in[k].due = (int32_t)day;
		in[k].amount = k + 1 == n ? left : each;
		left -= each;
	}
	return 0;
}

enum hold_status
hold_evaluate(int32_t start, int32_t end, int32_t released, int32_t as_of)
{
	if (as_of < start)
		return HOLD_PENDING;
	if (released <= as_of)
		return HOLD_RELEASED;
	if (end < as_of)
		return HOLD_ENDED;
	return HOLD_ACTIVE;
}

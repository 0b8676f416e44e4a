/*
 * promise: promises, instalment plans and holds judged as of a day.
 * See promise.h for the rules; this file only counts.
 */
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "calendar.h"
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

struct deadline {
	int32_t day;
	size_t plan, k;
};

static int
cmp_deadline(const void *x, const void *y)
{
	const struct deadline *a = x, *b = y;

	if (a->day != b->day)
		return a->day < b->day ? -1 : 1;
	if (a->plan != b->plan)
		return a->plan < b->plan ? -1 : 1;
	return (a->k > b->k) - (a->k < b->k);
}

/* One plan while its debtor's receipts are attributed. */
struct pstate {
	int64_t *cs;		/* the schedule summed through each
				   instalment */
	int64_t got;		/* the receipts attributed to it */
	size_t next;		/* its first instalment not paid in full */
	size_t broken_k;	/* the instalment that broke it */
	int misses, broken;
	int64_t judged;		/* the schedule through the last one
				   judged */
};

/*
 * attribute: a receipt of day to the plans, instalment by instalment,
 * the earliest due first (then the plan given first), each plan made by
 * then, not broken, and still owed something.
 */
static void
attribute(struct plan_eval *p, struct plan_inst *const *in, const size_t *n,
    struct pstate *ps, size_t np, int32_t day, int64_t left)
{
	while (left > 0) {
		size_t best = np;
		int64_t take;

		for (size_t j = 0; j < np; j++) {
			struct pstate *s = &ps[j];

			if (p[j].created > day || s->broken)
				continue;
			while (s->next < n[j] && s->cs[s->next] <= s->got)
				s->next++;
			if (s->next == n[j])
				continue;
			if (best == np || in[j][s->next].due <
			    in[best][ps[best].next].due)
				best = j;
		}
		if (best == np)
			return;
		take = ps[best].cs[ps[best].next] - ps[best].got;
		if (take > left)
			take = left;
		ps[best].got += take;
		left -= take;
	}
}

/* judge: instalment k of plan j on its due date + grace, day. */
static void
judge(struct plan_eval *p, struct plan_inst *it, struct pstate *s, size_t k,
    int32_t day)
{
	if (s->broken) {
		it->status = INST_CANCELLED;
		return;
	}
	s->judged = s->cs[k];
	if (s->got >= s->cs[k]) {
		it->status = INST_KEPT;
	} else if (++s->misses < 2) {
		it->status = INST_MISSED;
	} else {
		it->status = INST_BROKEN;
		s->broken = 1;
		s->broken_k = k;
		p->broken_on = day;
		p->balance_due = p->total - s->got;
	}
}

void
plan_evaluate_all(struct plan_eval *p, struct plan_inst *const *in,
    const size_t *n, size_t np, const struct promise_cash *cash,
    size_t ncash, int32_t as_of)
{
	size_t nc, nd = 0, i = 0, d = 0;
	struct promise_cash *c = sorted_cash(cash, ncash, &nc);
	struct pstate *ps = xcalloc(np + 1, sizeof *ps);
	struct deadline *dl;

	for (size_t j = 0; j < np; j++) {
		int64_t sched = 0;

		nd += n[j];
		ps[j].cs = xreallocarray(NULL, n[j] + 1, sizeof *ps[j].cs);
		for (size_t k = 0; k < n[j]; k++) {
			sat_add(&sched, in[j][k].amount);
			ps[j].cs[k] = sched;
			in[j][k].status = INST_PENDING;
			in[j][k].paid = 0;
		}
		p[j].paid = 0;
		p[j].broken_on = 0;
		p[j].balance_due = 0;
	}
	dl = xreallocarray(NULL, nd + 1, sizeof *dl);
	nd = 0;
	for (size_t j = 0; j < np; j++)
		for (size_t k = 0; k < n[j]; k++) {
			dl[nd].day = end_day(in[j][k].due, p[j].grace);
			dl[nd].plan = j;
			dl[nd].k = k;
			nd++;
		}
	qsort(dl, nd, sizeof *dl, cmp_deadline);
	/* In day order, a day's receipts before its deadlines: cash on the
	 * last day of grace is in time. */
	for (;;) {
		int rec = i < nc && c[i].day <= as_of;
		int due = d < nd && dl[d].day <= as_of;

		if (rec && (!due || c[i].day <= dl[d].day)) {
			attribute(p, in, n, ps, np, c[i].day, c[i].amount);
			i++;
		} else if (due) {
			size_t j = dl[d].plan;

			judge(&p[j], &in[j][dl[d].k], &ps[j], dl[d].k,
			    dl[d].day);
			d++;
		} else {
			break;
		}
	}
	for (size_t j = 0; j < np; j++) {
		struct pstate *s = &ps[j];
		int64_t applied = s->got;

		/* What the instalments were paid, the earlier first; a
		 * broken plan's cash stopped on the day it broke. */
		for (size_t k = 0; k < n[j]; k++) {
			struct plan_inst *it = &in[j][k];
			int64_t take;

			if (s->broken && k > s->broken_k)
				it->status = INST_CANCELLED;
			take = it->status == INST_CANCELLED || applied <= 0 ||
			    it->amount <= 0 ? 0 : applied < it->amount ?
			    applied : it->amount;
			it->paid = take;
			applied -= take;
			sat_add(&p[j].paid, take);
		}
		if (s->broken)
			p[j].status = PLAN_BROKEN;
		else if (s->got >= p[j].total)
			p[j].status = PLAN_COMPLETED;
		else if (s->got < s->judged)
			p[j].status = PLAN_IN_ARREARS;
		else
			p[j].status = PLAN_ACTIVE;
		free(s->cs);
	}
	free(dl);
	free(ps);
	free(c);
}

int
plan_miss_judge(struct plan_eval *p, const struct plan_inst *in, size_t n,
    const struct calendar *cal, int days, const int32_t *acts, size_t nacts,
    int32_t as_of, struct plan_miss *m)
{
	size_t k = 0;
	int64_t end, sched = 0, paid = 0;

	if (p->status != PLAN_IN_ARREARS)
		return 0;
	while (k < n && in[k].status != INST_MISSED)
		k++;
	end = k < n ? (int64_t)in[k].due + p->grace : 0;
	/* Dates are far from the limits; one that is not is left alone. */
	if (k == n || end > INT32_MAX - 8 || end < INT32_MIN + 1)
		return 0;
	for (size_t i = 0; i <= k; i++) {
		sat_add(&sched, in[i].amount);
		sat_add(&paid, in[i].paid);
	}
	m->end = (int32_t)end;
	m->due = in[k].due;
	m->arrears = sched - paid;
	m->contact = calendar_roll(cal, m->end + days);
	m->last = calendar_roll(cal, m->end + 2);
	if (m->last < m->contact)
		m->last = m->contact;
	for (size_t i = 0; i < nacts; i++)
		if (acts[i] > m->end && acts[i] <= m->last)
			return 0;
	if (as_of > m->last) {
		p->status = PLAN_BROKEN;
		p->broken_on = m->last + 1;
		p->balance_due = p->total - p->paid;
		return 1;
	}
	return as_of >= m->contact ? 2 : 0;
}

void
plan_evaluate(struct plan_eval *p, struct plan_inst *in, size_t n,
    const struct promise_cash *cash, size_t ncash, int32_t as_of)
{
	plan_evaluate_all(p, &in, &n, 1, cash, ncash, as_of);
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

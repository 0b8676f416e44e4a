/*
 * interest: statutory late-payment interest and fixed compensation (see
 * interest.h and DOMAIN.md section 3).  The sum is exact: every segment
 * adds balance x rate x days to one 128-bit numerator over 365 x 100 %,
 * divided and rounded once, so U4's 13.97 is not the 13.80 that rounding
 * each day first would give.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "date.h"
#include "interest.h"
#include "money.h"
#include "util.h"

void
interest_rules_init(struct interest_rules *r)
{
	memset(r, 0, sizeof *r);
	r->regime = INTEREST_NONE;
	r->margin = 8 * 10000;
	r->compensation = 1;
}

void
interest_rules_free(struct interest_rules *r)
{
	free(r->rates);
	for (size_t i = 0; i < r->nsteps; i++)
		free(r->steps[i]);
	free(r->steps);
	interest_rules_init(r);
}

/* parse_rate: a percentage "13.25" (up to 4 decimals) in [0, 100]. */
static int
parse_rate(const struct cfg_node *n, const char *what, int64_t *out,
    struct diag *d)
{
	const char *s;
	int rc, bad;

	if ((rc = cfg_to_str(n, what, &s, d)) <= 0) {
		if (rc == 0) {
			diag_set(d, "%s: a rate is needed", what);
			d->line = n ? n->line : 0;
		}
		return -1;
	}
	bad = money_parse(s, strlen(s), 4, MONEY_POINT, out, NULL, d) != 0;
	if (!bad && *out < 0)
		diag_set(d, "%s: \"%s\" is negative (a percentage from 0 to "
		    "100 is needed)", what, s);
	else if (bad || *out > INTEREST_RATE_UNIT)
		diag_set(d, "%s: \"%s\" is not a percentage from 0 to 100 "
		    "(write 5.25 for 5.25 %%)", what, s);
	else
		return 0;
	d->line = n->line;
	return -1;
}

static int
rate_cmp(const void *a, const void *b)
{
	const struct interest_rate *x = a, *y = b;

	return (x->from > y->from) - (x->from < y->from);
}

static int
read_rates(const struct cfg_node *seq, struct interest_rules *r,
    struct diag *d)
{
	static const char *const keys[] = { "from", "rate", NULL };

	if (cfg_is_null(seq))
		return 0;
	if (seq->kind != CFG_SEQ) {
		diag_set(d, "interest.rates: a list of {from: DATE, rate: "
		    "PERCENT} is needed");
		d->line = seq->line;
		return -1;
	}
	r->rates = xcalloc(seq->n ? seq->n : 1, sizeof *r->rates);
	for (size_t i = 0; i < seq->n; i++) {
		const struct cfg_node *e = seq->items[i];
		const char *from;
		char what[48], rw[56];
		int rc;

		/* Each entry by its place in the list, as paths' steps are:
		 * a table of twenty rates has twenty "rate:" lines. */
		snprintf(what, sizeof what, "interest.rates[%zu]", i + 1);
		snprintf(rw, sizeof rw, "%s.rate", what);
		if (e->kind != CFG_MAP) {
			diag_set(d, "%s: each entry is {from: DATE, rate: "
			    "PERCENT}", what);
			d->line = e->line;
			return -1;
		}
		if (cfg_check_keys(e, keys, what, d) != 0)
			return -1;
		rc = cfg_get_str(e, what, "from", &from, d);
		if (rc < 0)
			return -1;
		if (rc == 0 || date_parse_iso(from, &r->rates[i].from) != 0) {
			diag_set(d, "%s.from: a date YYYY-MM-DD is needed",
			    what);
			d->line = e->line;
			return -1;
		}
		if (parse_rate(cfg_get(e, "rate"), rw, &r->rates[i].rate,
		    d) != 0) {
			if (d->line == 0)
				d->line = e->line;
			return -1;
		}
		r->nrates++;
	}
	qsort(r->rates, r->nrates, sizeof *r->rates, rate_cmp);
	for (size_t i = 1; i < r->nrates; i++)
		if (r->rates[i].from == r->rates[i - 1].from) {
			char b[DATE_BUFSZ];

			diag_set(d, "interest.rates: two rates from %s",
			    date_format(r->rates[i].from, b));
			d->line = seq->line;
			return -1;
		}
	return 0;
}

int
interest_config(const struct cfg_node *sec, struct interest_rules *r,
    struct diag *d)
{
	static const char *const keys[] = {
		"regime", "margin", "compensation", "rates", "steps", NULL
	};
	const struct cfg_node *n;
	const char *s;
	int rc;

	interest_rules_init(r);
	if (cfg_is_null(sec))
		return 0;
	if (sec->kind != CFG_MAP) {
		diag_set(d, "interest: a map of keys is needed");
		d->line = sec->line;
		return -1;
	}
	if (cfg_check_keys(sec, keys, "interest", d) != 0)
		goto fail;
	if ((rc = cfg_get_str(sec, "interest", "regime", &s, d)) < 0)
		goto fail;
	if (rc > 0) {
		if (strcmp(s, "uk") == 0)
			r->regime = INTEREST_UK;
		else if (strcmp(s, "eu") == 0)
			r->regime = INTEREST_EU;
		else if (strcmp(s, "none") == 0)
			r->regime = INTEREST_NONE;
		else {
			diag_set(d, "interest.regime: \"%s\" is not uk, eu "
			    "or none", s);
			d->line = cfg_get(sec, "regime")->line;
			goto fail;
		}
	}
	if (!cfg_is_null(n = cfg_get(sec, "margin")) &&
	    parse_rate(n, "interest.margin", &r->margin, d) != 0)
		goto fail;
	if (cfg_get_bool(sec, "interest", "compensation", &r->compensation,
	    d) < 0)
		goto fail;
	if (read_rates(cfg_get(sec, "rates"), r, d) != 0)
		goto fail;
	n = cfg_get(sec, "steps");
	if (!cfg_is_null(n)) {
		if (n->kind != CFG_SEQ) {
			diag_set(d, "interest.steps: a list of step names "
			    "is needed");
			d->line = n->line;
			goto fail;
		}
		r->steps = xcalloc(n->n ? n->n : 1, sizeof *r->steps);
		for (size_t i = 0; i < n->n; i++) {
			if (cfg_to_str(n->items[i], "interest.steps", &s,
			    d) <= 0) {
				diag_set(d, "interest.steps: a list of step "
				    "names is needed");
				d->line = n->items[i]->line;
				goto fail;
			}
			r->steps[r->nsteps++] = xstrdup(s);
		}
	}
	if (r->regime != INTEREST_NONE && r->nrates == 0) {
		diag_set(d, "interest.rates: regime %s needs the reference "
		    "rates (a list of {from: DATE, rate: PERCENT})",
		    r->regime == INTEREST_UK ? "uk" : "eu");
		d->line = sec->line;
		goto fail;
	}
	return 0;
fail:
	interest_rules_free(r);
	return -1;
}

int
interest_claims_step(const struct interest_rules *r, const char *step)
{
	if (r->regime == INTEREST_NONE)
		return 0;
	if (r->nsteps == 0)
		return 1;
	for (size_t i = 0; i < r->nsteps; i++)
		if (strcmp(r->steps[i], step) == 0)
			return 1;
	return 0;
}

int
interest_reference(const struct interest_rules *r, int32_t day,
    int64_t *rate)
{
	const struct interest_rate *best = NULL;

	for (size_t i = 0; i < r->nrates && r->rates[i].from <= day; i++)
		best = &r->rates[i];
	if (best == NULL)
		return -1;
	*rate = best->rate;
	return 0;
}

int64_t
interest_uk_compensation(int64_t amount)
{
	if (amount < 100000)
		return 4000;
	if (amount < 1000000)
		return 7000;
	return 10000;
}

/* half_start: the first day of the half-year holding day. */
static int32_t
half_start(int32_t day)
{
	int y, m, dd;
	int32_t out = day;

	date_to_ymd(day, &y, &m, &dd);
	(void)date_from_ymd(y, m <= 6 ? 1 : 7, 1, &out);
	return out;
}

static int32_t
half_end(int32_t day)
{
	int y, m, dd;
	int32_t out = day;

	date_to_ymd(day, &y, &m, &dd);
	(void)date_from_ymd(y, m <= 6 ? 6 : 12, m <= 6 ? 30 : 31, &out);
	return out;
}

/* uk_rate_day: 31 Dec before a start in January to June, 30 Jun of the
 * year for a start in July to December (SI 2002/1675). */
static int32_t
uk_rate_day(int32_t start)
{
	int y, m, dd;
	int32_t out = start;

	date_to_ymd(start, &y, &m, &dd);
	if (m <= 6)
		(void)date_from_ymd(y - 1, 12, 31, &out);
	else
		(void)date_from_ymd(y, 6, 30, &out);
	return out;
}

struct accrual {
	const struct interest_rules *r;
	const struct interest_span *frozen;	/* sorted, disjoint */
	size_t nf;
	int64_t last_rate;
	__int128 num;		/* over 365 * INTEREST_RATE_UNIT */
	int64_t first_rate;
	int32_t first_day;
	int have_rate;
	struct diag *d;
};

static int
rate_on(struct accrual *a, int32_t refday, int64_t *rate)
{
	char b[DATE_BUFSZ];

	if (interest_reference(a->r, refday, rate) != 0) {
		diag_set(a->d, "interest.rates: no reference rate in force "
		    "on %s", date_format(refday, b));
		return -1;
	}
	*rate += a->r->margin;
	a->last_rate = *rate;
	if (!a->have_rate) {
		a->first_rate = *rate;
		a->first_day = refday;
		a->have_rate = 1;
	}
	return 0;
}

/* live_days: the days of [from, to] outside every frozen span. */
static int64_t
live_days(const struct accrual *a, int32_t from, int32_t to)
{
	int64_t n = (int64_t)to - from + 1;

	for (size_t i = 0; i < a->nf; i++) {
		int32_t lo = a->frozen[i].from > from ? a->frozen[i].from : from;
		int32_t hi = a->frozen[i].to < to ? a->frozen[i].to : to;

		if (lo <= hi)
			n -= (int64_t)hi - lo + 1;
	}
	return n;
}

/* accrue: bal on every day of [from, to]. */
static int
accrue(struct accrual *a, int32_t from, int32_t to, int64_t bal,
    int32_t uk_day)
{
	int64_t rate;

	if (from > to || bal <= 0)
		return 0;
	if (a->r->regime == INTEREST_UK) {
		if (rate_on(a, uk_day, &rate) != 0)
			return -1;
		a->num += (__int128)bal * rate * live_days(a, from, to);
		return 0;
	}
	while (from <= to) {
		int32_t e = half_end(from);

		if (e > to)
			e = to;
		if (rate_on(a, half_start(from), &rate) != 0)
			return -1;
		a->num += (__int128)bal * rate * live_days(a, from, e);
		from = e + 1;
	}
	return 0;
}

static int
ev_cmp(const void *x, const void *y)
{
	const struct interest_event *a = x, *b = y;

	return (a->date > b->date) - (a->date < b->date);
}

static int
span_cmp(const void *x, const void *y)
{
	const struct interest_span *a = x, *b = y;

	return (a->from > b->from) - (a->from < b->from);
}

int
interest_compute(const struct interest_rules *r, int64_t amount,
    int digits, int32_t due, const struct interest_event *ev, size_t n,
    int32_t end, struct interest_result *out, struct diag *d)
{
	return interest_compute_frozen(r, amount, digits, due, ev, n, end,
	    NULL, 0, out, d);
}

int
interest_compute_frozen(const struct interest_rules *r, int64_t amount,
    int digits, int32_t due, const struct interest_event *ev, size_t n,
    int32_t end, const struct interest_span *frozen, size_t nf,
    struct interest_result *out, struct diag *d)
{
	struct interest_span *fz = NULL;
	size_t nfz = 0;
	struct interest_event *e;
	struct accrual a;
	int64_t bal = amount, q;
	int32_t start = due + 1;
	__int128 den, rem, half;
	size_t i = 0;

	memset(out, 0, sizeof *out);
	if (r->regime == INTEREST_NONE || end <= due || amount <= 0)
		return 0;
	e = xcalloc(n ? n : 1, sizeof *e);
	if (n)
		memcpy(e, ev, n * sizeof *e);
	qsort(e, n, sizeof *e, ev_cmp);
	for (; i < n && e[i].date <= due; i++)
		bal -= e[i].amount;
	if (bal <= 0) {
		free(e);
		return 0;
	}
	/* The frozen spans sorted and merged, so no day is taken twice. */
	if (nf > 0) {
		fz = xcalloc(nf, sizeof *fz);
		memcpy(fz, frozen, nf * sizeof *fz);
		qsort(fz, nf, sizeof *fz, span_cmp);
		for (size_t k = 0; k < nf; k++) {
			if (fz[k].from > fz[k].to)
				continue;
			if (nfz > 0 && fz[k].from <= fz[nfz - 1].to + 1) {
				if (fz[k].to > fz[nfz - 1].to)
					fz[nfz - 1].to = fz[k].to;
			} else
				fz[nfz++] = fz[k];
		}
	}
	memset(&a, 0, sizeof a);
	a.r = r;
	a.d = d;
	a.frozen = fz;
	a.nf = nfz;
	for (; i < n && e[i].date <= end; i++) {
		if (accrue(&a, start, e[i].date, bal, uk_rate_day(due + 1))
		    != 0)
			goto fail;
		if (e[i].date + 1 > start)
			start = e[i].date + 1;
		bal -= e[i].amount;
	}
	if (accrue(&a, start, end, bal, uk_rate_day(due + 1)) != 0)
		goto fail;
	free(e);
	free(fz);
	if (!a.have_rate)	/* settled before any day accrued */
		(void)rate_on(&a, r->regime == INTEREST_UK ?
		    uk_rate_day(due + 1) : half_start(due + 1), &q);
	den = (__int128)365 * INTEREST_RATE_UNIT;
	q = 0;
	rem = a.num % den;
	half = den / 2 + den % 2;
	if (a.num / den > INT64_MAX - 1) {
		diag_set(d, "interest too large");
		return -1;
	}
	q = (int64_t)(a.num / den);
	if (rem >= half)
		q++;
	out->interest = q;
	/* The rate now in force: under the Directive a long debt's rate
	 * changes each half-year, and a letter states today's. */
	out->rate = a.last_rate ? a.last_rate : a.first_rate;
	out->rate_day = a.first_day;
	out->days = end - due;
	if (r->compensation) {
		int64_t pence, comp;

		if (r->regime == INTEREST_UK) {
			if (money_rescale(amount, digits, 2, &pence) != 0)
				pence = INT64_MAX;
			comp = interest_uk_compensation(pence);
			if (money_rescale(comp, 2, digits, &comp) != 0)
				comp = 0;
		} else if (money_rescale(4000, 2, digits, &comp) != 0)
			comp = 0;
		out->compensation = comp;
	}
	return 0;
fail:
	free(e);
	free(fz);
	return -1;
}

char *
interest_format_rate(int64_t rate, char *buf)
{
	char *p;

	money_format(rate, 4, buf);
	/* "13.2500" -> "13.25", "8.5000" -> "8.50", "12.1250" kept */
	p = buf + strlen(buf);
	while (p - buf > 3 && p[-1] == '0' && p[-3] != '.')
		*--p = '\0';
	return buf;
}

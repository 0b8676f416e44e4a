/*
 * interest: statutory late-payment interest and fixed compensation on
 * business debts (DOMAIN.md section 3).
 *
 * UK, Late Payment of Commercial Debts (Interest) Act 1998: simple
 * interest at the reference rate + 8 points, the reference rate being the
 * one in force on 31 December (interest starting 1 January to 30 June) or
 * 30 June (starting 1 July to 31 December), fixed for the debt's life;
 * fixed compensation of 40, 70 or 100 pounds by the debt's size (under
 * 1,000; under 10,000; 10,000 and over, on the gross invoice amount).
 * EU, Directive 2011/7/EU: the reference rate + 8 points, the rate in
 * force on 1 January governing the first half-year and on 1 July the
 * second, so a long debt changes rate at each half-year; 40 euro fixed.
 * Consumers are outside both: the caller never asks for them.
 *
 * Interest runs from the day after the due date to the day of payment,
 * both counted (days = end - due); a part-payment closes a segment on its
 * day and the rest runs on the smaller balance from the next day.  The
 * day basis is 365.  The exact sum over all segments is kept as a 128-bit
 * fraction and rounded half away from zero once, at the end: no doubles.
 *
 * Rates are held in units of 1/10000 of a percent (13.25 % = 132500), as
 * money_parse reads "13.25" with 4 minor digits.
 */
#ifndef CK_INTEREST_H
#define CK_INTEREST_H

#include <stddef.h>
#include <stdint.h>
#include "config.h"
#include "diag.h"

#define INTEREST_RATE_UNIT 1000000	/* 100 % in rate units */

enum interest_regime {
	INTEREST_NONE,
	INTEREST_UK,
	INTEREST_EU
};

/* One reference rate: in force from day `from` until the next entry. */
struct interest_rate {
	int32_t from;
	int64_t rate;		/* 1/10000 % */
};

struct interest_rules {
	enum interest_regime regime;
	int64_t margin;		/* added to the reference rate; 8 points */
	int compensation;	/* 1: add the fixed compensation */
	size_t nrates;
	struct interest_rate *rates;	/* sorted by from, owned */
	size_t nsteps;		/* 0: every step claims */
	char **steps;		/* the steps whose messages claim, owned */
};

/* A dated change of an item's balance: a settlement (positive reduces). */
struct interest_event {
	int32_t date;
	int64_t amount;
};

/* A span of days [from, to], both counted, on which no interest runs:
 * a breathing-space moratorium (DOMAIN.md 3.3) freezes it. */
struct interest_span {
	int32_t from, to;
};

/* What one item earns. */
struct interest_result {
	int64_t interest;	/* minor units, rounded once */
	int64_t compensation;	/* minor units; 0 when not late */
	int64_t rate;		/* the rate in force on the end day (the
				   last segment's), 1/10000 % */
	int32_t days;		/* days late to the end date (0: not late) */
	int32_t rate_day;	/* the reference date of that rate */
};

/* interest_rules_init: no regime, margin 8 points, compensation on. */
void interest_rules_init(struct interest_rules *r);
void interest_rules_free(struct interest_rules *r);

/*
 * interest_config: the `interest:` section of the client's config (NULL
 * or null: no interest).  Keys: regime (none, uk, eu), margin (percent),
 * compensation (bool), rates (a sequence of {from: DATE, rate: PERCENT}),
 * steps (a sequence of step names).  0, or -1 with d set (d->line at the
 * bad key or value, the message starting with its dotted key).
 */
int interest_config(const struct cfg_node *section, struct interest_rules *r,
    struct diag *d);

/* interest_claims_step: 1 if messages of step claim interest. */
int interest_claims_step(const struct interest_rules *r, const char *step);

/* interest_reference: the reference rate in force on day; -1 if none. */
int interest_reference(const struct interest_rules *r, int32_t day,
    int64_t *rate);

/*
 * interest_compute: what an item of gross `amount` (minor units, with
 * `digits` minor digits), due on `due`, with its settlements ev[0..n)
 * (any order; those dated after `end` are ignored), earns up to and
 * including day `end`.  Returns 0, or -1 with d set: no reference rate for
 * a day the rules need ("interest.rates: no reference rate in force on
 * 2023-12-31"), or an overflow.
 */
int interest_compute(const struct interest_rules *r, int64_t amount,
    int digits, int32_t due, const struct interest_event *ev, size_t n,
    int32_t end, struct interest_result *out, struct diag *d);
/* interest_compute_frozen: the same, no interest accruing on the days of
 * frozen[0..nf) (any order, may overlap); the fixed compensation is
 * unchanged. */
int interest_compute_frozen(const struct interest_rules *r, int64_t amount,
    int digits, int32_t due, const struct interest_event *ev, size_t n,
    int32_t end, const struct interest_span *frozen, size_t nf,
    struct interest_result *out, struct diag *d);

/* interest_uk_compensation: the s.5A band for a debt of amount (pence). */
int64_t interest_uk_compensation(int64_t amount);

/* interest_format_rate: "13.25" (at least two decimals, trailing zeros of
 * the rest dropped) into buf (32 bytes); returns buf. */
char *interest_format_rate(int64_t rate, char *buf);

#endif

/*
 * pay_sink.h: the checking sink the statement readers' fuzz targets
 * (fuzz_camt.c, fuzz_mt940.c) share.  It keeps no state but checks what a
 * reader hands it: entries only inside a statement, a currency and a value
 * or booking date on each, charges never negative, every reject and
 * warning with a message.  Included by one target each, so its functions
 * are static.
 */
#ifndef CK_FUZZ_PAY_SINK_H
#define CK_FUZZ_PAY_SINK_H

#include <stdlib.h>

#include "payments.h"

struct ctx {
	int open;
	long entries;
};

static int
on_statement(void *p, struct pay_statement *s, struct diag *d)
{
	struct ctx *c = p;

	(void)d;
	if (c->open || s->account.len == 0)
		abort();
	c->open = 1;
	return 0;
}

static int
on_entry(void *p, struct pay_entry *e, struct diag *d)
{
	struct ctx *c = p;

	(void)d;
	if (!c->open || !money_is_currency(e->currency) || e->charges < 0 ||
	    (e->booking_date == PAY_NO_DATE && e->value_date == PAY_NO_DATE))
		abort();
	c->entries++;
	return 0;
}

static int
on_end(void *p, struct pay_statement *s, struct diag *d)
{
	struct ctx *c = p;

	(void)s;
	(void)d;
	if (!c->open)
		abort();
	c->open = 0;
	return 0;
}

static int
on_reject(void *p, long line, const char *msg, const char *raw, size_t n,
    struct diag *d)
{
	(void)p;
	(void)raw;
	(void)n;
	(void)d;
	if (line < 0 || msg == NULL || *msg == '\0')
		abort();
	return 0;
}

static void
on_warn(void *p, long line, const char *msg)
{
	(void)p;
	if (line < 0 || msg == NULL)
		abort();
}

/* pay_sink_for: the sink with c as its context. */
static struct pay_sink
pay_sink_for(struct ctx *c)
{
	struct pay_sink k = { on_statement, on_entry, on_end, on_reject,
	    on_warn, c };

	return k;
}

#endif

/*
 * fuzz_mt940: libFuzzer target for the MT940 reader.  Each input is read
 * as MT940 (after decoding, as the tool does) into a sink that keeps no state but checks what the
 * reader hands it: entries only inside a statement, a currency and a
 * value or booking date on each, charges never negative, and the reader's
 * result one of its documented values with a message when it refuses.
 *
 *   sh tests/fuzz/run.sh 60     (or see the comment in fuzz_csvin.c)
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mt940.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

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

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ctx c = { 0, 0 };
	struct pay_sink k = { on_statement, on_entry, on_end, on_reject,
	    on_warn, &c };
	struct diag d;
	struct sbuf text = { 0 };
	int rc, guessed;

	diag_clear(&d);
	if (pay_to_utf8((const char *)data, size, NULL, &text, &guessed,
	    &d) != 0) {
		sbuf_free(&text);
		return 0;
	}
	rc = mt940_read(sbuf_str(&text), text.len, &k, &d);
	sbuf_free(&text);
	if (rc != 0 && (rc != PAY_EDATA || d.msg[0] == '\0'))
		abort();
	if (rc == 0 && c.open)
		abort();
	return 0;
}

/*
 * diag: filling the failure report lib/ hands back to the tools.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "diag.h"
#include "util.h"

void
diag_clear(struct diag *d)
{
	if (d == NULL)
		return;
	d->line = 0;
	d->msg[0] = '\0';
}

void
diag_set(struct diag *d, const char *fmt, ...)
{
	va_list ap;

	if (d == NULL)
		return;
	va_start(ap, fmt);
	vsnprintf(d->msg, sizeof d->msg, fmt, ap);
	va_end(ap);
}

void
diag_prefix(struct diag *d, const char *fmt, ...)
{
	char old[sizeof d->msg];
	size_t n;
	va_list ap;

	if (d == NULL)
		return;
	memcpy(old, d->msg, sizeof old);
	va_start(ap, fmt);
	vsnprintf(d->msg, sizeof d->msg, fmt, ap);
	va_end(ap);
	n = strlen(d->msg);
	snprintf(d->msg + n, sizeof d->msg - n, ": %s", old);
}

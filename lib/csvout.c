/*
 * csvout: RFC 4180 fields and rows with formula neutralisation; the rule
 * and why are in csvout.h.
 */
#include <string.h>

#include "csvout.h"
#include "util.h"

int
csvout_plain_number(const char *s)
{
	const char *p = s;

	if (*p == '-')
		p++;
	if (*p < '0' || *p > '9')
		return 0;
	while (*p >= '0' && *p <= '9')
		p++;
	if (*p == '.') {
		p++;
		if (*p < '0' || *p > '9')
			return 0;
		while (*p >= '0' && *p <= '9')
			p++;
	}
	return *p == '\0';
}

/* e164: + and one or more digits: a dialler needs it as written, and a
 * spreadsheet reads it as a number. */
static int
e164(const char *s)
{
	return s[0] == '+' && s[1] != '\0' &&
	    strspn(s + 1, "0123456789") == strlen(s + 1);
}

int
csvout_neutralised(const char *s)
{
	const char *p = s + strspn(s, " ");

	if (!(*p == '=' || *p == '+' || *p == '-' || *p == '@' ||
	    *p == '\t' || *p == '\r'))
		return 0;
	return !csvout_plain_number(s) && !e164(s);
}

void
csvout_field(struct sbuf *out, const char *s, enum csvout_kind k)
{
	int formula, quote;
	size_t len;

	if (s == NULL)
		s = "";
	if (k == CSVOUT_NUMBER && csvout_plain_number(s)) {
		sbuf_adds(out, s);
		return;
	}
	formula = csvout_neutralised(s);
	/* Space or tab at either end is quoted too: many readers (libcsv
	 * among them) trim it from a field that is not. */
	len = strlen(s);
	quote = formula || strpbrk(s, ",\"\r\n") != NULL || (len > 0 &&
	    (s[0] == ' ' || s[0] == '\t' || s[len - 1] == ' ' ||
	    s[len - 1] == '\t'));
	if (!quote) {
		sbuf_adds(out, s);
		return;
	}
	sbuf_addc(out, '"');
	if (formula)
		sbuf_addc(out, '\'');
	for (; *s; s++) {
		if (*s == '"')
			sbuf_addc(out, '"');
		sbuf_addc(out, *s);
	}
	sbuf_addc(out, '"');
}

void
csvout_row(struct sbuf *out, const char *const *v,
    const enum csvout_kind *kinds, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (i)
			sbuf_addc(out, ',');
		csvout_field(out, v[i], kinds ? kinds[i] : CSVOUT_TEXT);
	}
	sbuf_adds(out, "\r\n");
}

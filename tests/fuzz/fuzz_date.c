/*
 * fuzz_date: libFuzzer target for lib/date.c.  Dates come straight from
 * client files, so any bytes must give a clean yes or no: no crash, leak,
 * read past the end or undefined behaviour.  It also checks the
 * contract's promises, and abort()s (a crash to the fuzzer) when one
 * breaks:
 *   - a parsed day lies in DATE_MIN_YEAR..DATE_MAX_YEAR, and its
 *     YYYY-MM-DD text reads back to the same day, strictly and in every
 *     order;
 *   - a failure always leaves a message, and it is valid UTF-8;
 *   - sniffing the input's lines: an order it names parses every value
 *     (an Excel serial past 2299 excepted, which fails on its year), an
 *     ambiguous result parses every value both as DMY and as MDY, and a
 *     failed one names a value;
 *   - month arithmetic clips, never overflows a month.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "date.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const enum date_order orders[] = {
	DATE_AUTO, DATE_ISO, DATE_DMY, DATE_MDY, DATE_YMD, DATE_EXCEL
};

static void
check_day(int32_t day, int n)
{
	char buf[DATE_BUFSZ];
	int32_t lo, hi, back, r;
	int y, m, d, ry, rm, rd;
	size_t i;

	if (date_from_ymd(DATE_MIN_YEAR, 1, 1, &lo) != 0 ||
	    date_from_ymd(DATE_MAX_YEAR, 12, 31, &hi) != 0)
		abort();
	if (day < lo || day > hi)
		abort();
	date_format(day, buf);
	if (date_parse_iso(buf, &back) != 0 || back != day)
		abort();
	for (i = 0; i < sizeof orders / sizeof orders[0]; i++)
		if (date_parse(buf, orders[i], &back, NULL) != 0 || back != day)
			abort();
	date_to_ymd(day, &y, &m, &d);
	if (date_from_ymd(y, m, d, &back) != 0 || back != day)
		abort();
	if (date_weekday(day) < 0 || date_weekday(day) > 6)
		abort();
	/* n months on: the same day of month, or the month's last. */
	r = date_add_months(day, n);
	date_to_ymd(r, &ry, &rm, &rd);
	if ((int64_t)ry * 12 + rm - 1 != (int64_t)y * 12 + m - 1 + n ||
	    (rd != d && !(rd < d && rd == date_days_in_month(ry, rm))))
		abort();
	r = date_end_of_month(day);
	date_to_ymd(r, &ry, &rm, &rd);
	if (ry != y || rm != m || rd != date_days_in_month(y, m) || r < day)
		abort();
}

static void
check_parse(const char *s, int n)
{
	int32_t day;
	size_t i;

	for (i = 0; i < sizeof orders / sizeof orders[0]; i++) {
		struct diag d;

		diag_clear(&d);
		if (date_parse(s, orders[i], &day, &d) == 0)
			check_day(day, n);
		else if (d.msg[0] == '\0' ||
		    !util_utf8_valid(d.msg, strlen(d.msg)))
			abort();
	}
	if (date_parse(s, (enum date_order)99, &day, NULL) != -1)
		abort();
	if (date_parse_iso(s, &day) == 0)
		check_day(day, n);
}

/* Each line of the input is a value of one column. */
static void
check_sniff(char *s)
{
	struct date_sniff sn;
	enum date_order o;
	char *p, *nl;
	int amb = -1;
	long line = 0;

	date_sniff_init(&sn);
	for (p = s; p != NULL; p = nl ? nl + 1 : NULL) {
		if ((nl = strchr(p, '\n')) != NULL)
			*nl = '\0';
		date_sniff_add(&sn, p, ++line);
		if (nl != NULL)
			*nl = '\n';
	}
	o = date_sniff_result(&sn, &amb);
	if (amb != 0 && amb != 1)
		abort();
	if (amb && o != DATE_AUTO)
		abort();
	if (o == DATE_AUTO && !amb && sn.values > 0 &&
	    (sn.bad_value[0] == '\0' || sn.bad_line < 1))
		abort();
	if (o == DATE_AUTO && !amb)
		return;
	for (p = s; p != NULL; p = nl ? nl + 1 : NULL) {
		struct diag d;
		int32_t day;
		size_t n;

		if ((nl = strchr(p, '\n')) != NULL)
			*nl = '\0';
		n = strlen(p);
		(void)util_trim(p, &n);
		if (n > 0) {
			if (amb) {
				if (date_parse(p, DATE_DMY, &day, NULL) != 0 ||
				    date_parse(p, DATE_MDY, &day, NULL) != 0)
					abort();
			} else if (date_parse(p, o, &day, &d) != 0 &&
			    (o != DATE_EXCEL || strstr(d.msg, "year") == NULL))
				abort();
		}
		if (nl != NULL)
			*nl = '\n';
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s;
	int n = 0;

	/* date_parse takes a C string: parse a NUL-ended copy. */
	s = malloc(size + 1);
	if (s == NULL)
		abort();
	memcpy(s, data, size);
	s[size] = '\0';
	/* A month offset from the last bytes, kept to +-1000 years so the
	 * clipping check stays inside int32_t days. */
	if (size >= 2)
		n = (int)((data[size - 1] << 8 | data[size - 2]) % 24001) -
		    12000;

	check_parse(s, n);
	check_sniff(s);

	free(s);
	return 0;
}

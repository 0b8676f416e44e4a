/*
 * test_date: lib/date.c against its contract, boundaries first: leap
 * days (1900 is not one, 2000 and 2024 are), month ends, the year limits
 * 1800 and 2299, Excel's fictitious 29 February 1900; then every form
 * the parser accepts and refuses, the messages users see, and column
 * sniffing.  The real-data tests use the IBM sample's own columns as an
 * oracle (DueDate = InvoiceDate + 30, DaysToSettle, DaysLate) when
 * ../shared/data/real is there.
 */
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "date.h"
#include "util.h"
#include "t.h"

#define A DATE_AUTO
#define I DATE_ISO
#define D DATE_DMY
#define M DATE_MDY
#define Y DATE_YMD
#define X DATE_EXCEL

static int32_t
ymd(int y, int m, int d)
{
	int32_t day = INT32_MIN;

	if (date_from_ymd(y, m, d, &day) != 0)
		printf("#   ymd(%d, %d, %d) is not a date\n", y, m, d);
	return day;
}

static const char *
fmt(int32_t day)
{
	static char buf[4][DATE_BUFSZ];
	static int k;

	k = (k + 1) % 4;
	return date_format(day, buf[k]);
}

static void
test_ymd_boundaries(void)
{
	static const struct {
		int y, m, d, rc;
		int32_t day;		/* days since 1970-01-01 */
	} tc[] = {
		{ 1970, 1, 1, 0, 0 },
		{ 1969, 12, 31, 0, -1 },
		{ 1800, 1, 1, 0, -62091 },
		{ 2299, 12, 31, 0, 120529 },
		{ 1899, 12, 30, 0, -25569 },
		{ 1900, 1, 1, 0, -25567 },
		{ 1900, 3, 1, 0, -25508 },
		{ 2000, 3, 1, 0, 11017 },
		{ 2024, 2, 29, 0, 19782 },
		{ 2000, 2, 29, 0, 11016 },
		{ 1900, 2, 28, 0, -25509 },
		{ 1900, 2, 29, -1, 0 },		/* 1900 is not a leap year */
		{ 2100, 2, 29, -1, 0 },
		{ 2023, 2, 29, -1, 0 },
		{ 2024, 2, 30, -1, 0 },
		{ 2024, 4, 31, -1, 0 },
		{ 2024, 6, 31, -1, 0 },
		{ 2024, 9, 31, -1, 0 },
		{ 2024, 11, 31, -1, 0 },
		{ 2024, 13, 1, -1, 0 },
		{ 2024, 0, 1, -1, 0 },
		{ 2024, 1, 0, -1, 0 },
		{ 2024, 1, 32, -1, 0 },
		{ 2024, -1, 1, -1, 0 },
		{ 1799, 12, 31, -1, 0 },
		{ 2300, 1, 1, -1, 0 },
		{ 0, 1, 1, -1, 0 },
		{ INT_MAX, 1, 1, -1, 0 },
		{ INT_MIN, 1, 1, -1, 0 },
	};
	size_t i;

	for (i = 0; i < sizeof tc / sizeof tc[0]; i++) {
		int32_t day = 12345;

		CHECK_INT(date_from_ymd(tc[i].y, tc[i].m, tc[i].d, &day),
		    tc[i].rc);
		CHECK_INT(day, tc[i].rc == 0 ? tc[i].day : 12345);
	}
}

static void
test_leap_and_month_lengths(void)
{
	CHECK_INT(date_is_leap(1900), 0);
	CHECK_INT(date_is_leap(2000), 1);
	CHECK_INT(date_is_leap(2024), 1);
	CHECK_INT(date_is_leap(2023), 0);
	CHECK_INT(date_is_leap(2100), 0);
	CHECK_INT(date_is_leap(1600), 1);
	CHECK_INT(date_is_leap(0), 1);
	CHECK_INT(date_is_leap(-4), 1);
	CHECK_INT(date_is_leap(-100), 0);
	CHECK_INT(date_days_in_month(2024, 2), 29);
	CHECK_INT(date_days_in_month(2023, 2), 28);
	CHECK_INT(date_days_in_month(1900, 2), 28);
	CHECK_INT(date_days_in_month(2000, 2), 29);
	CHECK_INT(date_days_in_month(2024, 1), 31);
	CHECK_INT(date_days_in_month(2024, 4), 30);
	CHECK_INT(date_days_in_month(2024, 12), 31);
	CHECK_INT(date_days_in_month(2024, 13), 0);
	CHECK_INT(date_days_in_month(2024, 0), 0);
}

/* Every day of the supported range: format, split and rebuild agree,
 * days follow one another, and weekdays turn over by one. */
static void
test_every_day(void)
{
	int32_t first = ymd(DATE_MIN_YEAR, 1, 1);
	int32_t last = ymd(DATE_MAX_YEAR, 12, 31);
	int32_t day;
	int py = DATE_MIN_YEAR - 1, pm = 12, pd = 31, bad = 0;

	for (day = first; day <= last; day++) {
		int y, m, d;
		int32_t back = -1, back2 = -1;
		char buf[DATE_BUFSZ];

		date_to_ymd(day, &y, &m, &d);
		if (date_from_ymd(y, m, d, &back) != 0 || back != day)
			bad++;
		/* the next day of the previous one */
		if (!(y == py && m == pm && d == pd + 1) &&
		    !(y == py && m == pm + 1 && d == 1 &&
		    pd == date_days_in_month(py, pm)) &&
		    !(y == py + 1 && m == 1 && d == 1 && pm == 12 && pd == 31))
			bad++;
		if (date_weekday(day) != (date_weekday(day - 1) + 1) % 7)
			bad++;
		if (date_parse_iso(date_format(day, buf), &back2) != 0 ||
		    back2 != day)
			bad++;
		py = y;
		pm = m;
		pd = d;
	}
	CHECK_INT(bad, 0);
	CHECK_INT(last - first + 1, 500 * 365 + 121);	/* leap days */
}

static void
test_format(void)
{
	CHECK_STR(fmt(0), "1970-01-01");
	CHECK_STR(fmt(19782), "2024-02-29");
	CHECK_STR(fmt(-62091), "1800-01-01");
	CHECK_STR(fmt(120529), "2299-12-31");
	CHECK_STR(fmt(-719528), "0000-01-01");
	CHECK_STR(fmt(2932896), "9999-12-31");
	/* outside years 0..9999 the buffer cannot hold the year */
	CHECK_STR(fmt(2932897), "0000-00-00");
	CHECK_STR(fmt(-719529), "0000-00-00");
	CHECK_STR(fmt(INT32_MIN), "0000-00-00");
	CHECK_STR(fmt(INT32_MAX), "0000-00-00");
}

static void
test_weekday(void)
{
	CHECK_INT(date_weekday(ymd(2024, 3, 15)), 4);	/* Friday */
	CHECK_INT(date_weekday(0), 3);			/* Thursday */
	CHECK_INT(date_weekday(-1), 2);
	CHECK_INT(date_weekday(ymd(2024, 3, 10)), 6);	/* Sunday */
	CHECK_INT(date_weekday(ymd(2024, 3, 11)), 0);	/* Monday */
	CHECK_INT(date_weekday(ymd(2024, 3, 29)), 4);	/* Good Friday */
	CHECK_INT(date_weekday(ymd(2024, 4, 1)), 0);	/* Easter Monday */
	CHECK_INT(date_weekday(ymd(1800, 1, 1)), 2);	/* Wednesday */
	CHECK_INT(date_weekday(ymd(2299, 12, 31)), 6);
	CHECK(date_weekday(INT32_MIN) >= 0 && date_weekday(INT32_MIN) <= 6);
	CHECK(date_weekday(INT32_MAX) >= 0 && date_weekday(INT32_MAX) <= 6);
}

static void
test_add_months(void)
{
	static const struct {
		int y, m, d, n;
		const char *want;
	} tc[] = {
		{ 2024, 1, 31, 1, "2024-02-29" },	/* clipped */
		{ 2023, 1, 31, 1, "2023-02-28" },
		{ 2024, 3, 31, -1, "2024-02-29" },
		{ 2024, 3, 31, 1, "2024-04-30" },
		{ 2024, 2, 29, 12, "2025-02-28" },
		{ 2024, 2, 29, 48, "2028-02-29" },
		{ 2024, 2, 29, -1200, "1924-02-29" },
		{ 1900, 1, 31, 1, "1900-02-28" },
		{ 2000, 1, 31, 1, "2000-02-29" },
		{ 2024, 12, 15, 1, "2025-01-15" },
		{ 2024, 1, 15, -1, "2023-12-15" },
		{ 2024, 1, 15, -13, "2022-12-15" },
		{ 2024, 1, 15, -24, "2022-01-15" },
		{ 2024, 5, 17, 0, "2024-05-17" },
		{ 2024, 8, 31, 6, "2025-02-28" },
		{ 1969, 12, 31, 2, "1970-02-28" },
		/* DOMAIN.md §5: subject-access deadlines and retention */
		{ 2024, 1, 30, 1, "2024-02-29" },
		{ 2024, 1, 30, 3, "2024-04-30" },
		{ 2024, 3, 31, 3, "2024-06-30" },
		{ 2024, 11, 25, 3, "2025-02-25" },
		{ 2024, 2, 29, 72, "2030-02-28" },
		{ 2024, 12, 31, 72, "2030-12-31" },
	};
	size_t i;

	for (i = 0; i < sizeof tc / sizeof tc[0]; i++)
		CHECK_STR(fmt(date_add_months(ymd(tc[i].y, tc[i].m, tc[i].d),
		    tc[i].n)), tc[i].want);
	/* Far outside any real use: saturates, never wraps or traps. */
	CHECK_INT(date_add_months(0, INT_MAX), INT32_MAX);
	CHECK_INT(date_add_months(0, INT_MIN), INT32_MIN);
	CHECK_INT(date_add_months(INT32_MAX, INT_MAX), INT32_MAX);
	CHECK_INT(date_add_months(INT32_MIN, INT_MIN), INT32_MIN);
	(void)date_add_months(INT32_MAX, 1);
	(void)date_add_months(INT32_MIN, -1);
}

static void
test_end_of_month(void)
{
	CHECK_STR(fmt(date_end_of_month(ymd(2024, 2, 10))), "2024-02-29");
	CHECK_STR(fmt(date_end_of_month(ymd(2023, 2, 1))), "2023-02-28");
	CHECK_STR(fmt(date_end_of_month(ymd(1900, 2, 1))), "1900-02-28");
	CHECK_STR(fmt(date_end_of_month(ymd(2000, 2, 28))), "2000-02-29");
	CHECK_STR(fmt(date_end_of_month(ymd(2024, 12, 31))), "2024-12-31");
	CHECK_STR(fmt(date_end_of_month(ymd(2024, 4, 1))), "2024-04-30");
	/* "EOM + 30": last day of the invoice month plus 30 days */
	CHECK_STR(fmt(date_end_of_month(ymd(2024, 1, 15)) + 30),
	    "2024-03-01");
	(void)date_end_of_month(INT32_MAX);
	(void)date_end_of_month(INT32_MIN);
}

struct pcase {
	const char *in;
	enum date_order order;
	const char *want;	/* YYYY-MM-DD, or NULL for an error */
	const char *msg;	/* error: a part of the message */
};

static void
run_parse(const struct pcase *tc, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		struct diag d;
		int32_t day = 424242;
		int rc;

		diag_clear(&d);
		rc = date_parse(tc[i].in, tc[i].order, &day, &d);
		if (tc[i].want != NULL) {
			if (rc != 0)
				printf("#   \"%s\" as %s: %s\n", tc[i].in,
				    date_order_name(tc[i].order), d.msg);
			CHECK_INT(rc, 0);
			CHECK_STR(rc == 0 ? fmt(day) : "error", tc[i].want);
		} else {
			if (rc == 0)
				printf("#   \"%s\" as %s gave %s\n", tc[i].in,
				    date_order_name(tc[i].order), fmt(day));
			CHECK_INT(rc, -1);
			CHECK_INT(day, 424242);
			if (strstr(d.msg, tc[i].msg) == NULL)
				printf("#   \"%s\" as %s: message \"%s\" lacks "
				    "\"%s\"\n", tc[i].in,
				    date_order_name(tc[i].order), d.msg,
				    tc[i].msg);
			CHECK(strstr(d.msg, tc[i].msg) != NULL);
		}
	}
}

/* Forms that read the same in every order are accepted in every order. */
static void
test_parse_order_free(void)
{
	static const char *const in[] = {
		"2024-02-29", "20240229", "2024/02/29", "2024.02.29",
		"2024 02 29", "2024-2-29", "2024/2/29", " 2024-02-29 ",
		"29 Feb 2024", "29-Feb-2024", "29-FEB-24", "29 feb 2024",
		"29 February 2024", "29 FEBRUARY 2024", "29/Feb/2024",
		"29.Feb.2024", "29Feb2024", "29th February 2024",
		"Feb 29, 2024", "February 29 2024", "Feb 29 2024",
		"FEB 29, 24", "feb-29-2024", "February 29th, 2024",
		"Feb. 29, 2024", "2024-Feb-29", "2024 February 29",
		"2024-02-29T10:00:00", "2024-02-29t10:00",
		"2024-02-29T10:00:00Z",
		"2024-02-29T10:00:00.123+01:00", "2024-02-29T10:00:00-0500",
		"2024-02-29T23:59:60+01", "2024-02-29 10:00",
		"2024-02-29 00:00:00.000", "2024-02-29  7:05",
		"29 Feb 2024 10:00:00 AM", "Feb 29, 2024 12:00 pm",
		"20240229 10:00",
	};
	static const enum date_order orders[] = { A, I, D, M, Y, X };
	size_t i, k;

	for (i = 0; i < sizeof in / sizeof in[0]; i++) {
		for (k = 0; k < sizeof orders / sizeof orders[0]; k++) {
			struct pcase tc = { in[i], orders[k], "2024-02-29",
			    NULL };

			run_parse(&tc, 1);
		}
	}
}

static void
test_parse_numeric(void)
{
	static const struct pcase tc[] = {
		{ "29/02/2024", D, "2024-02-29", NULL },
		{ "29.02.24", D, "2024-02-29", NULL },
		{ "29-02-2024", D, "2024-02-29", NULL },
		{ "29 02 2024", D, "2024-02-29", NULL },
		{ "29 / 02 / 2024", D, "2024-02-29", NULL },
		{ "02/29/2024", M, "2024-02-29", NULL },
		{ "2/29/2024", M, "2024-02-29", NULL },
		{ "1/2/2013", D, "2013-02-01", NULL },
		{ "1/2/2013", M, "2013-01-02", NULL },
		{ "1/26/2013", M, "2013-01-26", NULL },
		{ "11/26/2012", M, "2012-11-26", NULL },
		{ "16/02/30", D, "2030-02-16", NULL },
		{ "01/04/20", D, "2020-04-01", NULL },
		{ "31/12/69", D, "2069-12-31", NULL },
		{ "01/01/70", D, "1970-01-01", NULL },
		{ "31/12/99", D, "1999-12-31", NULL },
		{ "01/01/00", D, "2000-01-01", NULL },
		{ "31/12/1800", D, "1800-12-31", NULL },
		{ "2/29/2024 10:00", M, "2024-02-29", NULL },
		{ "2/29/2024 10:00:00 AM", M, "2024-02-29", NULL },
		{ "29/02/2024 23:59", D, "2024-02-29", NULL },
		/* the order is unknown: never guessed */
		{ "03/04/2026", A, NULL, "bad date \"03/04/2026\": order of "
		    "day and month unknown; use --date-format DMY or MDY" },
		{ "03/04/2026", I, NULL, "use --date-format DMY or MDY" },
		{ "03/04/2026", Y, NULL, "use --date-format DMY or MDY" },
		{ "03/04/2026", X, NULL, "use --date-format DMY or MDY" },
		{ "31/12/2024", A, NULL, "order of day and month unknown; "
		    "use --date-format DMY" },
		{ "1/26/2013", A, NULL, "unknown; use --date-format MDY" },
		{ "29.02.24", A, NULL, "use --date-format DMY" },
		/* the other order's value in this order */
		{ "1/26/2013", D, NULL, "bad date \"1/26/2013\": no month 26 "
		    "in DMY order; use --date-format MDY" },
		{ "26/1/2013", M, NULL, "no month 26 in MDY order; use "
		    "--date-format DMY" },
		{ "13/13/2024", D, NULL,
		    "bad date \"13/13/2024\": no month 13" },
	};

	run_parse(tc, sizeof tc / sizeof tc[0]);
}

static void
test_parse_impossible(void)
{
	static const struct pcase tc[] = {
		{ "2023-02-29", A, NULL,
		    "bad date \"2023-02-29\": 2023 is not a leap year" },
		{ "1900-02-29", I, NULL, "1900 is not a leap year" },
		{ "2100-02-29", I, NULL, "2100 is not a leap year" },
		{ "2000-02-29", I, "2000-02-29", NULL },
		{ "29/02/1900", D, NULL, "1900 is not a leap year" },
		{ "31/04/2024", D, NULL,
		    "bad date \"31/04/2024\": april 2024 has 30 days" },
		{ "04/31/2024", M, NULL, "april 2024 has 30 days" },
		{ "30 Feb 2024", A, NULL, "february 2024 has 29 days" },
		{ "32 Jan 2024", A, NULL, "january 2024 has 31 days" },
		{ "2024-02-30", A, NULL, "february 2024 has 29 days" },
		{ "0/1/2024", D, NULL, "bad date \"0/1/2024\": no day 0" },
		{ "1/0/2024", M, NULL, "no day 0" },
		{ "2024-01-00", A, NULL, "no day 0" },
		{ "2024-13-01", A, NULL, "no month 13" },
		{ "2024-00-10", A, NULL, "no month 0" },
		{ "20241301", A, NULL, "no month 13" },
		{ "1799-12-31", A, NULL,
		    "bad date \"1799-12-31\": year 1799 is outside 1800-2299" },
		{ "2300-01-01", A, NULL, "year 2300 is outside 1800-2299" },
		{ "1800-01-01", A, "1800-01-01", NULL },
		{ "2299-12-31", A, "2299-12-31", NULL },
		{ "31/12/1799", D, NULL, "year 1799 is outside" },
		{ "20024-01-01", A, NULL, "not a date" },
		{ "29 Feb 23", A, NULL, "2023 is not a leap year" },
	};

	run_parse(tc, sizeof tc / sizeof tc[0]);
}

static void
test_parse_excel(void)
{
	static const struct pcase tc[] = {
		{ "45351", X, "2024-02-29", NULL },
		{ "45351.5", X, "2024-02-29", NULL },
		{ "45351.0", X, "2024-02-29", NULL },
		{ "1", X, "1900-01-01", NULL },
		{ "59", X, "1900-02-28", NULL },
		{ "61", X, "1900-03-01", NULL },
		{ "25569", X, "1970-01-01", NULL },
		{ "146098", X, "2299-12-31", NULL },
		{ "146099", X, NULL, "year 2300 is outside 1800-2299" },
		{ "60", X, NULL, "bad date \"60\": excel serial 60 is "
		    "1900-02-29, a day that never existed" },
		{ "0", X, NULL, "excel serial out of range" },
		{ "2958466", X, NULL, "excel serial out of range" },
		{ "2958465", X, NULL, "year 9999 is outside" },
		{ "45351", A, NULL, "bad date \"45351\": a number, not a "
		    "date (if it is a spreadsheet serial, use --date-format "
		    "EXCEL)" },
		{ "45351", D, NULL, "a number, not a date" },
		{ "45351", I, NULL, "a number, not a date" },
		{ "45351.5", D, NULL, "a number, not a date" },
		{ "-45351", X, NULL, "not a date" },
		{ "+45351", X, NULL, "not a date" },
		{ "45351.", X, NULL, "not a date" },
		{ "45351.5.5", X, NULL, "not a date" },
		{ "45351 .5", X, NULL, "not a date" },
		{ "12345678", X, NULL, "no month 56" },	/* ISO basic */
		{ "123456789", X, NULL, "not a date" },
	};

	run_parse(tc, sizeof tc / sizeof tc[0]);
}

static void
test_parse_junk(void)
{
	static const struct pcase tc[] = {
		{ "", A, NULL, "bad date \"\": empty" },
		{ "   ", D, NULL, "empty" },
		{ "\t\r\n", D, NULL, "empty" },
		{ "foo", A, NULL, "bad date \"foo\": not a date" },
		{ "2024", A, NULL, "not a date" },
		{ "2024-02", A, NULL, "not a date" },
		{ "Feb 2024", A, NULL, "not a date" },
		{ "29 Feb", A, NULL, "not a date" },
		{ "29/02", D, NULL, "not a date" },
		{ "2024-02-29-01", A, NULL, "not a date" },
		{ "29/02/2024/1", D, NULL, "not a date" },
		{ "29/02-2024", D, NULL, "not a date" },
		{ "2024-02/29", A, NULL, "not a date" },
		{ "29,02,2024", D, NULL, "not a date" },
		{ "2024--02-29", A, NULL, "not a date" },
		{ "-2024-02-29", A, NULL, "not a date" },
		{ "2024-02-29.", A, NULL, "not a date" },
		{ "2024-02-29Z", A, NULL, "not a date" },
		{ "Foo 25, 2026", A, NULL, "not a date" },
		{ "Ju 25, 2026", A, NULL, "not a date" },
		{ "Julyy 25, 2026", A, NULL, "not a date" },
		{ "15 Jul Aug", A, NULL, "not a date" },
		{ "Jul Aug 2026", A, NULL, "not a date" },
		{ "2026 15 Jul", A, NULL, "not a date" },
		{ "15 2026 Jul", A, NULL, "not a date" },
		{ "Jul 2026 15", A, NULL, "not a date" },
		{ "Jul 15th, 2026th", A, NULL, "not a date" },
		{ "15xx Jul 2026", A, NULL, "not a date" },
		{ "29th/02/2024", D, NULL, "not a date" },
		{ "12abc", A, NULL, "not a date" },
		{ "1e5", X, NULL, "not a date" },
		{ "02/29/202", M, NULL, "not a date" },
		{ "02/29/20245", M, NULL, "not a date" },
		{ "123/1/2024", D, NULL, "not a date" },
		{ "1/123/2024", D, NULL, "not a date" },
		{ "2024-123-01", A, NULL, "not a date" },
		{ "2024-02-29\xff", A, NULL,
		    "bad date \"2024-02-29\\xff\": not a date" },
		{ "\xe2\x80\x8b" "2024-02-29", A, NULL, "not a date" },
		{ "2024\xc2\xa0" "02\xc2\xa0" "29", A, NULL, "not a date" },
		{ "\xef\xbc\x92\xef\xbc\x90\xef\xbc\x92\xef\xbc\x94-02-29", A,
		    NULL, "not a date" },
		{ "2024-02-29 10", A, NULL, "not a date" },
		{ "10:00", A, NULL, "not a date" },
		{ "2024-02-29 25:00", A, NULL, "unreadable time" },
		{ "2024-02-29 10:60", A, NULL, "unreadable time" },
		{ "2024-02-29 10:00:61", A, NULL, "unreadable time" },
		{ "2024-02-29 13:00 PM", A, NULL, "unreadable time" },
		{ "2024-02-29 0:00 AM", A, NULL, "unreadable time" },
		{ "2024-02-29 10:00 xyz", A, NULL, "unreadable time" },
		{ "2024-02-29 10:0", A, NULL, "unreadable time" },
		{ "2024-02-29 10:00:0", A, NULL, "unreadable time" },
		{ "2024-02-29 10:00:00.", A, NULL, "unreadable time" },
		{ "2024-02-29 10:00+1", A, NULL, "unreadable time" },
		{ "2024-02-29 10:00+01:", A, NULL, "unreadable time" },
		{ "2024-02-29 10:00+01:0", A, NULL, "unreadable time" },
		{ "2024-02-29 123:00", A, NULL, "not a date" },
		{ "2024-02-29T", A, NULL, "not a date" },
		{ "2024-02-29x10:00", A, NULL, "not a date" },
		{ "2024:02:29", A, NULL, "not a date" },
		{ "a\"b", A, NULL, "bad date \"a\\x22b\": not a date" },
	};

	run_parse(tc, sizeof tc / sizeof tc[0]);
}

static void
test_parse_misc(void)
{
	struct diag d;
	int32_t day = 7;
	char big[300];

	/* NULL input and an unknown order are errors, not crashes. */
	CHECK_INT(date_parse(NULL, A, &day, &d), -1);
	CHECK_INT(date_parse("2024-02-29", (enum date_order)99, &day, &d),
	    -1);
	CHECK_INT(date_parse("2024-02-29", (enum date_order)-1, &day, &d),
	    -1);
	CHECK_INT(day, 7);
	CHECK_INT(date_parse("x", A, &day, NULL), -1);
	/* A long value is cut in the message. */
	memset(big, '9', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	CHECK_INT(date_parse(big, A, &day, &d), -1);
	CHECK(strlen(d.msg) < 140);
	CHECK(strstr(d.msg, "...\"") != NULL);
}

static void
test_parse_iso_strict(void)
{
	int32_t day = 5;

	CHECK_INT(date_parse_iso("2024-02-29", &day), 0);
	CHECK_INT(day, 19782);
	CHECK_INT(date_parse_iso("1800-01-01", &day), 0);
	CHECK_INT(date_parse_iso("2299-12-31", &day), 0);
	day = 5;
	CHECK_INT(date_parse_iso("2023-02-29", &day), -1);
	CHECK_INT(date_parse_iso("1799-12-31", &day), -1);
	CHECK_INT(date_parse_iso("2024-2-29", &day), -1);
	CHECK_INT(date_parse_iso("2024-02-2", &day), -1);
	CHECK_INT(date_parse_iso("2024-02-29 ", &day), -1);
	CHECK_INT(date_parse_iso(" 2024-02-29", &day), -1);
	CHECK_INT(date_parse_iso("2024-02-29T10:00", &day), -1);
	CHECK_INT(date_parse_iso("20240229", &day), -1);
	CHECK_INT(date_parse_iso("2024/02/29", &day), -1);
	CHECK_INT(date_parse_iso("+024-02-29", &day), -1);
	CHECK_INT(date_parse_iso("", &day), -1);
	CHECK_INT(date_parse_iso(NULL, &day), -1);
	CHECK_INT(day, 5);
}

static void
test_order_names(void)
{
	static const enum date_order all[] = { A, I, D, M, Y, X };
	enum date_order o;
	size_t i;

	for (i = 0; i < sizeof all / sizeof all[0]; i++) {
		o = (enum date_order)-1;
		CHECK_INT(date_order_from_name(date_order_name(all[i]), &o), 0);
		CHECK_INT(o, all[i]);
	}
	CHECK_STR(date_order_name(D), "DMY");
	CHECK_STR(date_order_name(I), "ISO");
	CHECK_STR(date_order_name(X), "EXCEL");
	CHECK_STR(date_order_name((enum date_order)42), "?");
	CHECK_INT(date_order_from_name("dmy", &o), 0);
	CHECK_INT(o, D);
	CHECK_INT(date_order_from_name("Excel", &o), 0);
	CHECK_INT(o, X);
	CHECK_INT(date_order_from_name("auto", &o), 0);
	CHECK_INT(o, A);
	CHECK_INT(date_order_from_name("mdy", &o), 0);
	CHECK_INT(o, M);
	CHECK_INT(date_order_from_name("DM", &o), -1);
	CHECK_INT(date_order_from_name("DMYY", &o), -1);
	CHECK_INT(date_order_from_name("", &o), -1);
	CHECK_INT(date_order_from_name(NULL, &o), -1);
	CHECK_INT(o, M);
}

struct scase {
	const char *values[6];	/* NULL-terminated */
	enum date_order want;
	int ambiguous;
	const char *bad_value;
	long bad_line;
};

static void
test_sniff(void)
{
	static const struct scase tc[] = {
		/* the IBM sample's M/D/YYYY */
		{ { "1/2/2013", "1/26/2013", "11/26/2012", NULL }, M, 0, "",
		    0 },
		{ { "1/26/2013", NULL }, M, 0, "", 0 },
		{ { "03/04/2026", "05/06/2026", NULL }, A, 1, "", 0 },
		{ { "03/04/2026", "05/06/2026", "31/12/2024", NULL }, D, 0, "",
		    0 },
		{ { "31/12/2024", NULL }, D, 0, "", 0 },
		{ { "16/02/30", "01/03/30", NULL }, D, 0, "", 0 },
		{ { "2024-02-29", "2024-03-01T10:00:00", "20240302", NULL }, I,
		    0, "", 0 },
		{ { "2024/02/29", "2024/03/01", NULL }, Y, 0, "", 0 },
		{ { "2024/02/29", "2024-03-01", NULL }, Y, 0, "", 0 },
		/* month names read the same in any order: no question */
		{ { "15 Jul 2026", "Jul 25, 2026", NULL }, Y, 0, "", 0 },
		{ { "15 Jul 2026", "03/04/2026", NULL }, A, 1, "", 0 },
		{ { "15 Jul 2026", "31/12/2024", NULL }, D, 0, "", 0 },
		{ { "Jul 25, 2026", "1/26/2013", NULL }, M, 0, "", 0 },
		{ { "2024-02-29", "31/12/2024", NULL }, D, 0, "", 0 },
		{ { "45351", "45352", "61", NULL }, X, 0, "", 0 },
		/* no order fits every value: name the one that broke it */
		{ { "45351", "60", NULL }, A, 0, "60", 2 },
		{ { "60", NULL }, A, 0, "60", 1 },
		{ { "45351.5", NULL }, A, 0, "45351.5", 1 },
		{ { "1/26/2013", "26/1/2013", "foo", NULL }, A, 0, "26/1/2013",
		    2 },
		{ { "03/04/2026", "31/12/2024", "1/26/2013", "13/13/2024",
		    NULL }, A, 0, "1/26/2013", 3 },
		{ { "foo", "2024-02-29", NULL }, A, 0, "foo", 1 },
		{ { "  foo\t", NULL }, A, 0, "foo", 1 },	/* trimmed */
		{ { "2024-02-29", "45351", NULL }, A, 0, "45351", 2 },
		{ { "2023-02-29", NULL }, A, 0, "2023-02-29", 1 },
		{ { "31/04/2024", NULL }, A, 0, "31/04/2024", 1 },
		/* blank cells say nothing */
		{ { "", "  ", "31/12/2024", NULL }, D, 0, "", 0 },
		{ { NULL }, A, 0, "", 0 },
		{ { "", NULL }, A, 0, "", 0 },
	};
	size_t i, k;

	for (i = 0; i < sizeof tc / sizeof tc[0]; i++) {
		struct date_sniff s;
		int amb = -1;
		enum date_order got;

		date_sniff_init(&s);
		for (k = 0; tc[i].values[k] != NULL; k++)
			date_sniff_add(&s, tc[i].values[k], (long)k + 1);
		got = date_sniff_result(&s, &amb);
		if (got != tc[i].want || amb != tc[i].ambiguous)
			printf("#   sniff case %zu: got %s amb %d\n", i,
			    date_order_name(got), amb);
		CHECK_INT(got, tc[i].want);
		CHECK_INT(amb, tc[i].ambiguous);
		CHECK_STR(s.bad_value, tc[i].bad_value);
		CHECK_INT(s.bad_line, tc[i].bad_line);
	}
}

static void
test_sniff_counts(void)
{
	struct date_sniff s;
	char v[80];

	date_sniff_init(&s);
	date_sniff_add(&s, "1/2/2013", 2);	/* DMY and MDY */
	date_sniff_add(&s, "1/26/2013", 3);	/* MDY */
	date_sniff_add(&s, "2013-01-26", 4);	/* every order but excel */
	date_sniff_add(&s, "45351", 5);		/* excel */
	date_sniff_add(&s, "", 6);
	date_sniff_add(&s, NULL, 7);
	CHECK_INT(s.values, 4);
	CHECK_INT(s.fit_iso, 1);
	CHECK_INT(s.fit_dmy, 2);
	CHECK_INT(s.fit_mdy, 3);
	CHECK_INT(s.fit_ymd, 1);
	CHECK_INT(s.fit_excel, 1);
	CHECK_STR(s.bad_value, "45351");
	CHECK_INT(s.bad_line, 5);
	CHECK_INT(date_sniff_result(&s, NULL), A);

	/* bad_value is cut to fit, on a UTF-8 character boundary */
	memset(v, 'x', 62);
	memcpy(v + 62, "\xc3\xa9zz", 5);
	date_sniff_init(&s);
	date_sniff_add(&s, v, 9);
	CHECK_INT((long)strlen(s.bad_value), 62);
	CHECK_INT(s.bad_line, 9);
	CHECK(util_utf8_valid(s.bad_value, strlen(s.bad_value)));
	memset(v, 'x', 61);
	memcpy(v + 61, "\xc3\xa9zz", 5);
	date_sniff_init(&s);
	date_sniff_add(&s, v, 9);
	CHECK_INT((long)strlen(s.bad_value), 63);
}

/* ---- real data: ../shared/data/real (README §1, §6) ---- */

static FILE *
open_real(const char *rel)
{
	const char *root = getenv("CK_REAL");
	char path[1024];
	FILE *fp;

	if (root == NULL || *root == '\0')
		root = "../shared/data/real";
	snprintf(path, sizeof path, "%s/%s", root, rel);
	if ((fp = fopen(path, "r")) == NULL)
		printf("# skip: %s is absent\n", path);
	return fp;
}

/* split: the comma-separated fields of line (no quoting in these
 * files but a pair of quotes around a field is dropped); CR/LF cut. */
static size_t
split(char *line, char **f, size_t max)
{
	size_t n = 0;
	char *p = line;

	line[strcspn(line, "\r\n")] = '\0';
	while (n < max) {
		char *e = strchr(p, ',');

		if (e != NULL)
			*e = '\0';
		if (*p == '"' && strlen(p) >= 2 && p[strlen(p) - 1] == '"') {
			p[strlen(p) - 1] = '\0';
			p++;
		}
		f[n++] = p;
		if (e == NULL)
			break;
		p = e + 1;
	}
	return n;
}

static long
num(const char *s)
{
	long long v;
	const char *err;

	return util_strtonum(s, -100000, 100000, &v, &err) == 0 ? (long)v :
	    -999999;
}

static void
test_real_ibm(void)
{
	FILE *fp = open_real(
	    "ar-ibm-watson/WA_Fn-UseC_-Accounts-Receivable.csv");
	struct date_sniff s[4];
	char line[512], *f[16];
	long rows = 0, bad = 0, late = 0, lineno = 1;
	int32_t lo = INT32_MAX, hi = INT32_MIN;
	int c, amb;

	if (fp == NULL)
		return;
	for (c = 0; c < 4; c++)
		date_sniff_init(&s[c]);
	if (fgets(line, sizeof line, fp) == NULL)
		CHECK(0);
	while (fgets(line, sizeof line, fp) != NULL) {
		int32_t paperless, inv, due, settled;

		lineno++;
		if (split(line, f, 16) != 12) {
			bad++;
			continue;
		}
		/* PaperlessDate, InvoiceDate, DueDate, SettledDate */
		date_sniff_add(&s[0], f[2], lineno);
		date_sniff_add(&s[1], f[4], lineno);
		date_sniff_add(&s[2], f[5], lineno);
		date_sniff_add(&s[3], f[8], lineno);
		if (date_parse(f[2], M, &paperless, NULL) != 0 ||
		    date_parse(f[4], M, &inv, NULL) != 0 ||
		    date_parse(f[5], M, &due, NULL) != 0 ||
		    date_parse(f[8], M, &settled, NULL) != 0) {
			bad++;
			continue;
		}
		/* the file's own arithmetic is the oracle */
		if (due != inv + 30 || settled - inv != num(f[10]) ||
		    (settled > due ? settled - due : 0) != num(f[11]))
			bad++;
		late += settled > due;
		lo = inv < lo ? inv : lo;
		hi = inv > hi ? inv : hi;
		rows++;
	}
	fclose(fp);
	CHECK_INT(bad, 0);
	CHECK_INT(rows, 2466);
	CHECK_INT(late, 877);
	CHECK_STR(fmt(lo), "2012-01-03");
	CHECK_STR(fmt(hi), "2013-12-02");
	for (c = 0; c < 4; c++) {
		CHECK_INT(date_sniff_result(&s[c], &amb), M);
		CHECK_INT(amb, 0);
		CHECK_INT(s[c].values, 2466);
	}
}

/* PayPal's Spanish export writes D/M/YYYY, its English one M/D/YYYY; the
 * Spanish sample's dates all have day and month <= 12, so sniffing must
 * ask rather than guess. */
static void
test_real_paypal(void)
{
	static const struct {
		const char *file;
		enum date_order want;
		int ambiguous;
	} tc[] = {
		{ "bank-csv-oca/paypal_statement_es.csv", A, 1 },
		{ "bank-csv-oca/paypal_statement_en.csv", M, 0 },
		{ "bank-csv-oca/sample_statement_en.csv", M, 0 },
	};
	size_t i;

	for (i = 0; i < sizeof tc / sizeof tc[0]; i++) {
		FILE *fp = open_real(tc[i].file);
		struct date_sniff s;
		char line[2048], *f[32];
		long lineno = 1;
		int amb;

		if (fp == NULL)
			continue;
		date_sniff_init(&s);
		if (fgets(line, sizeof line, fp) == NULL)
			CHECK(0);
		while (fgets(line, sizeof line, fp) != NULL) {
			lineno++;
			if (split(line, f, 32) > 1)
				date_sniff_add(&s, f[0], lineno);
		}
		fclose(fp);
		CHECK(s.values > 0);
		CHECK_INT(date_sniff_result(&s, &amb), tc[i].want);
		CHECK_INT(amb, tc[i].ambiguous);
	}
}

int
main(void)
{
	T_RUN(test_ymd_boundaries);
	T_RUN(test_leap_and_month_lengths);
	T_RUN(test_every_day);
	T_RUN(test_format);
	T_RUN(test_weekday);
	T_RUN(test_add_months);
	T_RUN(test_end_of_month);
	T_RUN(test_parse_order_free);
	T_RUN(test_parse_numeric);
	T_RUN(test_parse_impossible);
	T_RUN(test_parse_excel);
	T_RUN(test_parse_junk);
	T_RUN(test_parse_misc);
	T_RUN(test_parse_iso_strict);
	T_RUN(test_order_names);
	T_RUN(test_sniff);
	T_RUN(test_sniff_counts);
	T_RUN(test_real_ibm);
	T_RUN(test_real_paypal);
	return T_DONE();
}

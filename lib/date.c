/*
 * date: civil dates as a day count (days since 1970-01-01, proleptic
 * Gregorian), the calendar arithmetic aging and letters need, and the
 * parsing of the date text found in client exports.
 *
 * Parsing splits every value into one of a few forms.  Some read the same
 * whatever the column's order: ISO 8601 (2024-02-29, 20240229), any other
 * four-digit-year-first date (2024/02/29) and dates with a month name
 * (15 Jul 2026, Jul 25, 2026).  Those are accepted under every order.  The
 * order decides only a numeric d/m/y value, which DMY and MDY read
 * differently, and a plain number, which only DATE_EXCEL reads (as a
 * spreadsheet serial).  Nothing is guessed: under DATE_AUTO a numeric d/m/y
 * value is an error that says which --date-format to use, and an
 * impossible date (31/04/2024) is an error naming the value and the
 * reason, never rolled over into the next month.  No locale is involved:
 * month names are English, compared in ASCII.
 *
 * Day arithmetic is done in int64_t so no intermediate can overflow for
 * any int32_t day; parsed dates are held to DATE_MIN_YEAR..DATE_MAX_YEAR.
 */
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "date.h"
#include "util.h"

/* The last serial Excel shows as a date: 9999-12-31. */
#define EXCEL_MAX 2958465L
/* Day numbers of 1899-12-30 and 1899-12-31: Excel serial 61 onwards
 * counts from the first, serials 1..59 from the second, because Excel
 * (copying Lotus 1-2-3) gives 1900 a 29 February as serial 60. */
#define EXCEL_EPOCH (-25569L)

enum form {
	F_BAD,		/* not a date at all */
	F_ISO,		/* ISO 8601: 2024-02-29, 20240229 */
	F_YMD,		/* other four-digit-year-first: 2024/2/29 */
	F_NAMED,	/* a month name: 15 Jul 2026, Jul 25, 2026 */
	F_NUM,		/* a/b/year: DMY or MDY decides */
	F_SERIAL	/* a plain number: an Excel serial or nothing */
};

/* What lex_date found in a value; the order is applied afterwards. */
struct dlex {
	enum form form;
	const char *why;	/* F_BAD: the reason */
	int y, m, d;		/* F_ISO, F_YMD, F_NAMED */
	int a, b, y2;		/* F_NUM: first, second, year */
	long serial;		/* F_SERIAL */
	int frac;		/* F_SERIAL: a fraction (time of day) */
};

static const char *const month_names[12] = {
	"january", "february", "march", "april", "may", "june", "july",
	"august", "september", "october", "november", "december"
};

static const char *const order_names[] = {
	"AUTO", "ISO", "DMY", "MDY", "YMD", "EXCEL"
};

static int
is_digit(int c)
{
	return c >= '0' && c <= '9';
}

static int
is_alpha(int c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

static int
to_lower(int c)
{
	return c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c;
}

/* Floor division, for negative month totals and day counts. */
static int64_t
floor_div(int64_t a, int64_t b)
{
	int64_t q = a / b;

	return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

static int
leap64(int64_t y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int
dim64(int64_t y, int m)
{
	static const int dim[12] = {
		31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31
	};

	if (m < 1 || m > 12)
		return 0;
	return m == 2 && leap64(y) ? 29 : dim[m - 1];
}

/*
 * days_from_civil, civil_from_days: Howard Hinnant's algorithms
 * ("chrono-Compatible Low-Level Date Algorithms"), exact for every
 * proleptic Gregorian date; 400-year eras of 146097 days make them
 * branch-light and correct across centuries and for negative years.
 */
static int64_t
days_from_civil(int64_t y, int m, int d)
{
	int64_t era, yoe, doy, doe;

	y -= m <= 2;
	era = floor_div(y, 400);
	yoe = y - era * 400;
	doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static void
civil_from_days(int64_t z, int64_t *y, int *m, int *d)
{
	int64_t era, doe, yoe, doy, mp;

	z += 719468;
	era = floor_div(z, 146097);
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = yoe + era * 400 + (*m <= 2);
}

/* A day count computed from another int32_t day, saturated so callers
 * far outside the supported years get an extreme day, not a wrap. */
static int32_t
clamp_day(int64_t v)
{
	if (v > INT32_MAX)
		return INT32_MAX;
	if (v < INT32_MIN)
		return INT32_MIN;
	return (int32_t)v;
}

int
date_is_leap(int y)
{
	return leap64(y);
}

int
date_days_in_month(int y, int m)
{
	return dim64(y, m);
}

int
date_from_ymd(int y, int m, int d, int32_t *out)
{
	if (y < DATE_MIN_YEAR || y > DATE_MAX_YEAR || m < 1 || m > 12 ||
	    d < 1 || d > dim64(y, m))
		return -1;
	*out = (int32_t)days_from_civil(y, m, d);
	return 0;
}

void
date_to_ymd(int32_t day, int *y, int *m, int *d)
{
	int64_t yy;

	civil_from_days(day, &yy, m, d);
	*y = (int)yy;	/* |year| < 6 million for any int32_t day */
}

char *
date_format(int32_t day, char *buf)
{
	int y, m, d;

	date_to_ymd(day, &y, &m, &d);
	/* Only days from year 0 to 9999 fit the buffer; no date the
	 * parser accepts is outside, so show the rest as plainly wrong
	 * (month 00 is no date). */
	if (y < 0 || y > 9999) {
		memcpy(buf, "0000-00-00", DATE_BUFSZ);
		return buf;
	}
	buf[0] = (char)('0' + y / 1000);
	buf[1] = (char)('0' + y / 100 % 10);
	buf[2] = (char)('0' + y / 10 % 10);
	buf[3] = (char)('0' + y % 10);
	buf[4] = '-';
	buf[5] = (char)('0' + m / 10);
	buf[6] = (char)('0' + m % 10);
	buf[7] = '-';
	buf[8] = (char)('0' + d / 10);
	buf[9] = (char)('0' + d % 10);
	buf[10] = '\0';
	return buf;
}

int
date_weekday(int32_t day)
{
	/* 1970-01-01 was a Thursday, 3 counting Monday as 0. */
	return (int)(((int64_t)day % 7 + 7 + 3) % 7);
}

int32_t
date_add_months(int32_t day, int n)
{
	int64_t y, total, ny;
	int m, d, nm, last;

	civil_from_days(day, &y, &m, &d);
	total = y * 12 + (m - 1) + n;
	ny = floor_div(total, 12);
	nm = (int)(total - ny * 12) + 1;
	last = dim64(ny, nm);
	if (d > last)
		d = last;
	return clamp_day(days_from_civil(ny, nm, d));
}

int32_t
date_end_of_month(int32_t day)
{
	int64_t y;
	int m, d;

	civil_from_days(day, &y, &m, &d);
	return clamp_day(days_from_civil(y, m, dim64(y, m)));
}

const char *
date_order_name(enum date_order o)
{
	if ((unsigned)o >= sizeof order_names / sizeof order_names[0])
		return "?";
	return order_names[o];
}

int
date_order_from_name(const char *name, enum date_order *out)
{
	size_t i;

	if (name == NULL)
		return -1;
	for (i = 0; i < sizeof order_names / sizeof order_names[0]; i++) {
		if (util_strcaseeq(name, order_names[i])) {
			*out = (enum date_order)i;
			return 0;
		}
	}
	return -1;
}

/* month_of: 1..12 for an English month name or abbreviation (any case,
 * "Sept" too), else 0. */
static int
month_of(const char *s, size_t n)
{
	char w[10];
	size_t i;

	if (n < 3 || n >= sizeof w)
		return 0;
	for (i = 0; i < n; i++)
		w[i] = (char)to_lower((unsigned char)s[i]);
	w[n] = '\0';
	if (n == 4 && memcmp(w, "sept", 4) == 0)
		return 9;
	for (i = 0; i < 12; i++) {
		if ((n == 3 && memcmp(w, month_names[i], 3) == 0) ||
		    strcmp(w, month_names[i]) == 0)
			return (int)i + 1;
	}
	return 0;
}

/* num: s[0..n) (all digits, n <= 9) as a number. */
static int
num(const char *s, size_t n)
{
	int v = 0;

	while (n-- > 0)
		v = v * 10 + (*s++ - '0');
	return v;
}

/* Two-digit years: 00-69 are 2000-2069, 70-99 are 1970-1999. */
static int
year_of(const char *s, size_t n)
{
	int v = num(s, n);

	if (n == 2)
		return v < 70 ? 2000 + v : 1900 + v;
	return v;
}

/*
 * time_ok: t[0..n) is a time of day to ignore: H:MM, H:MM:SS with an
 * optional fraction, an optional AM/PM and an optional zone (Z, +01,
 * +0100, +01:00).  Checked, so "2024-02-29 99:99" is not waved through.
 */
static int
time_ok(const char *t, size_t n)
{
	size_t i = 0, k;
	int h = 0, mi, sec = 0, ampm = 0, colon;

	for (k = 0; i < n && is_digit((unsigned char)t[i]) && k < 2; i++, k++)
		h = h * 10 + (t[i] - '0');
	if (k == 0 || i >= n || t[i] != ':')
		return 0;
	i++;
	if (n - i < 2 || !is_digit((unsigned char)t[i]) ||
	    !is_digit((unsigned char)t[i + 1]))
		return 0;
	mi = (t[i] - '0') * 10 + (t[i + 1] - '0');
	i += 2;
	if (i < n && t[i] == ':') {
		i++;
		if (n - i < 2 || !is_digit((unsigned char)t[i]) ||
		    !is_digit((unsigned char)t[i + 1]))
			return 0;
		sec = (t[i] - '0') * 10 + (t[i + 1] - '0');
		i += 2;
		if (i < n && (t[i] == '.' || t[i] == ',')) {
			i++;
			for (k = 0; i < n && is_digit((unsigned char)t[i]);
			    i++, k++)
				;
			if (k == 0)
				return 0;
		}
	}
	while (i < n && t[i] == ' ')
		i++;
	if (n - i >= 2 && (t[i + 1] == 'M' || t[i + 1] == 'm') &&
	    (to_lower((unsigned char)t[i]) == 'a' ||
	    to_lower((unsigned char)t[i]) == 'p')) {
		ampm = 1;
		i += 2;
		while (i < n && t[i] == ' ')
			i++;
	}
	if (i < n && (t[i] == 'Z' || t[i] == 'z')) {
		i++;
	} else if (i < n && (t[i] == '+' || t[i] == '-')) {
		/* +01, +0100, +01:00 */
		i++;
		if (n - i < 2 || !is_digit((unsigned char)t[i]) ||
		    !is_digit((unsigned char)t[i + 1]))
			return 0;
		i += 2;
		colon = i < n && t[i] == ':';
		i += colon;
		if (i < n || colon) {
			if (n - i < 2 || !is_digit((unsigned char)t[i]) ||
			    !is_digit((unsigned char)t[i + 1]))
				return 0;
			i += 2;
		}
	}
	if (i != n || mi > 59 || sec > 60)
		return 0;
	return ampm ? h >= 1 && h <= 12 : h <= 23;
}

struct tok {
	const char *s;
	size_t len;
	int word;	/* letters (a month name), else digits */
	int month;	/* word: 1..12 */
	int ordinal;	/* digits followed by st, nd, rd or th */
	char sep;	/* the separator before it: - / . , or ' ', 0 none */
	int spaced;	/* that separator had spaces in it */
};

static void
lex_bad(struct dlex *lx, const char *why)
{
	lx->form = F_BAD;
	lx->why = why;
}

/*
 * lex_date: the form of s[0..n) and its numbers.  A trailing time is
 * found from its first colon and checked, then the date before it is cut
 * into at most three runs of digits or letters with one separator
 * (- / . , or spaces) between them.
 */
static void
lex_date(const char *s, size_t n, struct dlex *lx)
{
	struct tok t[3];
	const char *colon;
	size_t i, dn, hs, nt = 0;
	int nwords = 0;

	memset(lx, 0, sizeof *lx);
	s = util_trim(s, &n);
	if (n == 0) {
		lex_bad(lx, "empty");
		return;
	}
	if (memchr(s, '\0', n) != NULL) {
		lex_bad(lx, "not a date");
		return;
	}

	dn = n;
	if ((colon = memchr(s, ':', n)) != NULL) {
		hs = (size_t)(colon - s);
		while (hs > 0 && is_digit((unsigned char)s[hs - 1]) &&
		    (size_t)(colon - s) - hs < 2)
			hs--;
		dn = hs;
		if (dn > 0 && (s[dn - 1] == 'T' || s[dn - 1] == 't') &&
		    dn > 1 && is_digit((unsigned char)s[dn - 2])) {
			dn--;
		} else if (dn > 0 && s[dn - 1] == ' ') {
			while (dn > 0 && s[dn - 1] == ' ')
				dn--;
		} else {
			lex_bad(lx, "not a date");
			return;
		}
		if (dn == 0) {
			lex_bad(lx, "not a date");
			return;
		}
		if (!time_ok(s + hs, n - hs)) {
			lex_bad(lx, "unreadable time after the date");
			return;
		}
	}

	for (i = 0; i < dn;) {
		char sep = 0;
		int spaced = 0;
		const char *start;

		for (; i < dn; i++) {
			if (s[i] == ' ') {
				spaced = 1;
				if (sep == 0)
					sep = ' ';
			} else if (s[i] == '-' || s[i] == '/' || s[i] == '.' ||
			    s[i] == ',') {
				if (sep != 0 && sep != ' ')
					break;
				sep = s[i];
			} else {
				break;
			}
		}
		if (i >= dn || (sep == 0 && nt > 0 && t[nt - 1].word ==
		    is_alpha((unsigned char)s[i])) || (sep != 0 && nt == 0) ||
		    nt == 3) {
			lex_bad(lx, "not a date");
			return;
		}
		start = s + i;
		memset(&t[nt], 0, sizeof t[nt]);
		t[nt].sep = sep;
		t[nt].spaced = spaced;
		if (is_digit((unsigned char)s[i])) {
			while (i < dn && is_digit((unsigned char)s[i]))
				i++;
			t[nt].len = (size_t)(s + i - start);
			/* 1st, 2nd, 3rd, 4th: an ordinal day */
			if (dn - i >= 2 && is_alpha((unsigned char)s[i]) &&
			    is_alpha((unsigned char)s[i + 1]) && (dn - i == 2 ||
			    !is_alpha((unsigned char)s[i + 2]))) {
				int a = to_lower((unsigned char)s[i]);
				int b = to_lower((unsigned char)s[i + 1]);

				if ((a == 's' && b == 't') ||
				    (a == 'n' && b == 'd') ||
				    (a == 'r' && b == 'd') ||
				    (a == 't' && b == 'h')) {
					t[nt].ordinal = 1;
					i += 2;
				}
			}
		} else if (is_alpha((unsigned char)s[i])) {
			while (i < dn && is_alpha((unsigned char)s[i]))
				i++;
			t[nt].len = (size_t)(s + i - start);
			t[nt].word = 1;
			t[nt].month = month_of(start, t[nt].len);
			if (t[nt].month == 0) {
				lex_bad(lx, "not a date");
				return;
			}
			nwords++;
		} else {
			lex_bad(lx, "not a date");
			return;
		}
		t[nt].s = start;
		if (!t[nt].word && t[nt].len > 9) {
			lex_bad(lx, "not a date");
			return;
		}
		nt++;
	}

	/* A plain number: ISO basic if 8 digits, else maybe a serial. */
	if (nt == 1 && !t[0].word && !t[0].ordinal) {
		if (t[0].len == 8) {
			lx->form = F_ISO;
			lx->y = num(t[0].s, 4);
			lx->m = num(t[0].s + 4, 2);
			lx->d = num(t[0].s + 6, 2);
		} else if (t[0].len <= 7) {
			lx->form = F_SERIAL;
			lx->serial = num(t[0].s, t[0].len);
		} else {
			lex_bad(lx, "not a date");
		}
		return;
	}
	/* A serial with a fraction (a date and time): 45351.5 */
	if (nt == 2 && !t[0].word && !t[1].word && !t[0].ordinal &&
	    !t[1].ordinal && t[1].sep == '.' && !t[1].spaced &&
	    t[0].len <= 7) {
		lx->form = F_SERIAL;
		lx->serial = num(t[0].s, t[0].len);
		lx->frac = 1;
		return;
	}
	if (nt != 3 || nwords > 1) {
		lex_bad(lx, "not a date");
		return;
	}

	if (nwords == 0) {
		/* Numeric: one separator, the same both times. */
		if (t[1].sep != t[2].sep || t[1].sep == ',' ||
		    t[0].ordinal || t[1].ordinal || t[2].ordinal ||
		    t[1].len > 2 || t[1].len < 1) {
			lex_bad(lx, "not a date");
			return;
		}
		if (t[0].len == 4 && t[2].len <= 2) {
			lx->form = t[1].sep == '-' && !t[1].spaced &&
			    !t[2].spaced && t[1].len == 2 && t[2].len == 2 ?
			    F_ISO : F_YMD;
			lx->y = num(t[0].s, 4);
			lx->m = num(t[1].s, t[1].len);
			lx->d = num(t[2].s, t[2].len);
		} else if (t[0].len <= 2 && (t[2].len == 2 || t[2].len == 4)) {
			lx->form = F_NUM;
			lx->a = num(t[0].s, t[0].len);
			lx->b = num(t[1].s, t[1].len);
			lx->y2 = year_of(t[2].s, t[2].len);
		} else {
			lex_bad(lx, "not a date");
		}
		return;
	}

	lx->form = F_NAMED;
	if (t[1].word && t[0].len == 4 && !t[0].ordinal && t[2].len <= 2) {
		/* 2026-Jul-15 */
		lx->y = num(t[0].s, 4);
		lx->m = t[1].month;
		lx->d = num(t[2].s, t[2].len);
	} else if (t[1].word && t[0].len <= 2 && !t[2].ordinal &&
	    (t[2].len == 2 || t[2].len == 4)) {
		/* 15 Jul 2026, 15-Jul-26, 15th July 2026 */
		lx->d = num(t[0].s, t[0].len);
		lx->m = t[1].month;
		lx->y = year_of(t[2].s, t[2].len);
	} else if (t[0].word && t[1].len <= 2 && !t[2].ordinal &&
	    (t[2].len == 2 || t[2].len == 4)) {
		/* Jul 25, 2026; July 25 2026 */
		lx->m = t[0].month;
		lx->d = num(t[1].s, t[1].len);
		lx->y = year_of(t[2].s, t[2].len);
	} else {
		lex_bad(lx, "not a date");
	}
}

/*
 * check_ymd: y-m-d as a day, or -1 with the reason in d.  q is the quoted
 * value; hint is added to a bad month (the other order's reading).
 */
static int
check_ymd(int y, int m, int dd, int32_t *out, struct diag *d,
    const char *q, const char *hint)
{
	if (m < 1 || m > 12) {
		diag_set(d, "bad date %s: no month %d%s", q, m, hint);
		return -1;
	}
	if (y < DATE_MIN_YEAR || y > DATE_MAX_YEAR) {
		diag_set(d, "bad date %s: year %d is outside %d-%d", q, y,
		    DATE_MIN_YEAR, DATE_MAX_YEAR);
		return -1;
	}
	if (dd < 1) {
		diag_set(d, "bad date %s: no day 0", q);
		return -1;
	}
	if (dd > dim64(y, m)) {
		if (m == 2 && dd == 29)
			diag_set(d, "bad date %s: %d is not a leap year", q, y);
		else
			diag_set(d, "bad date %s: %s %d has %d days", q,
			    month_names[m - 1], y, dim64(y, m));
		return -1;
	}
	*out = (int32_t)days_from_civil(y, m, dd);
	return 0;
}

/* valid: 1 if y-m-d is a date the parser accepts. */
static int
valid(int y, int m, int d)
{
	int32_t day;

	return date_from_ymd(y, m, d, &day) == 0;
}

/* resolve: the lexed value read in the given order. */
static int
resolve(const struct dlex *lx, enum date_order order, int32_t *out,
    struct diag *d, const char *q)
{
	int dmy, mdy;
	long s;

	switch (lx->form) {
	case F_BAD:
		diag_set(d, "bad date %s: %s", q, lx->why);
		return -1;
	case F_ISO:
	case F_YMD:
	case F_NAMED:
		return check_ymd(lx->y, lx->m, lx->d, out, d, q, "");
	case F_NUM:
		dmy = valid(lx->y2, lx->b, lx->a);
		mdy = valid(lx->y2, lx->a, lx->b);
		if (order == DATE_DMY)
			return check_ymd(lx->y2, lx->b, lx->a, out, d, q, mdy ?
			    " in DMY order; use --date-format MDY" : "");
		if (order == DATE_MDY)
			return check_ymd(lx->y2, lx->a, lx->b, out, d, q, dmy ?
			    " in MDY order; use --date-format DMY" : "");
		if (dmy != mdy)
			diag_set(d, "bad date %s: order of day and month "
			    "unknown; use --date-format %s", q,
			    dmy ? "DMY" : "MDY");
		else
			diag_set(d, "bad date %s: order of day and month "
			    "unknown; use --date-format DMY or MDY", q);
		return -1;
	case F_SERIAL:
		if (order != DATE_EXCEL) {
			diag_set(d, "bad date %s: a number, not a date (if it "
			    "is a spreadsheet serial, use --date-format "
			    "EXCEL)", q);
			return -1;
		}
		s = lx->serial;
		if (s == 60) {
			diag_set(d, "bad date %s: excel serial 60 is "
			    "1900-02-29, a day that never existed", q);
			return -1;
		}
		if (s < 1 || s > EXCEL_MAX) {
			diag_set(d, "bad date %s: excel serial out of range "
			    "1-%ld", q, EXCEL_MAX);
			return -1;
		}
		{
			int y, m, dd;
			int32_t day = (int32_t)(EXCEL_EPOCH + s + (s < 60));

			date_to_ymd(day, &y, &m, &dd);
			return check_ymd(y, m, dd, out, d, q, "");
		}
	}
	diag_set(d, "bad date %s: not a date", q);
	return -1;
}

int
date_parse(const char *s, enum date_order order, int32_t *out,
    struct diag *d)
{
	struct dlex lx;
	char q[96];
	size_t n;

	if (s == NULL)
		s = "";
	n = strlen(s);
	if ((unsigned)order > DATE_EXCEL) {
		diag_set(d, "bad date order %d", (int)order);
		return -1;
	}
	lex_date(s, n, &lx);
	return resolve(&lx, order, out, d, util_quote(s, n, q, sizeof q));
}

int
date_parse_iso(const char *s, int32_t *out)
{
	static const char pat[] = "dddd-dd-dd";
	size_t i;

	if (s == NULL)
		return -1;
	/* Stops at the first mismatch, so a short string is never read
	 * past its NUL. */
	for (i = 0; i < sizeof pat - 1; i++) {
		if (pat[i] == 'd' ? !is_digit((unsigned char)s[i]) :
		    s[i] != pat[i])
			return -1;
	}
	if (s[i] != '\0')
		return -1;
	return date_from_ymd(num(s, 4), num(s + 5, 2), num(s + 8, 2), out);
}

/*
 * Sniffing.  A value "fits" an order when date_parse would accept it
 * under that order, with two sharper counts: fit_iso counts ISO 8601
 * values only (not every four-digit-year-first one), and fit_excel counts
 * plain integers 1..2958465 other than 60 (the serials Excel shows as
 * dates).  So fit_ymd counts the values that read the same in every order
 * (ISO, year first, month names): a column that fits YMD throughout needs
 * no order at all.
 */
enum {
	FIT_ISO = 1, FIT_DMY = 2, FIT_MDY = 4, FIT_YMD = 8, FIT_EXCEL = 16
};

static int
fits_of(const char *v)
{
	struct dlex lx;
	int f = 0;

	lex_date(v, strlen(v), &lx);
	switch (lx.form) {
	case F_ISO:
	case F_YMD:
	case F_NAMED:
		if (valid(lx.y, lx.m, lx.d))
			f = FIT_DMY | FIT_MDY | FIT_YMD |
			    (lx.form == F_ISO ? FIT_ISO : 0);
		break;
	case F_NUM:
		if (valid(lx.y2, lx.b, lx.a))
			f |= FIT_DMY;
		if (valid(lx.y2, lx.a, lx.b))
			f |= FIT_MDY;
		break;
	case F_SERIAL:
		if (!lx.frac && lx.serial >= 1 && lx.serial <= EXCEL_MAX &&
		    lx.serial != 60)
			f = FIT_EXCEL;
		break;
	case F_BAD:
		break;
	}
	return f;
}

/* alive: the orders every value so far fits. */
static int
alive(const struct date_sniff *s)
{
	return (s->fit_iso == s->values ? FIT_ISO : 0) |
	    (s->fit_dmy == s->values ? FIT_DMY : 0) |
	    (s->fit_mdy == s->values ? FIT_MDY : 0) |
	    (s->fit_ymd == s->values ? FIT_YMD : 0) |
	    (s->fit_excel == s->values ? FIT_EXCEL : 0);
}

void
date_sniff_init(struct date_sniff *s)
{
	memset(s, 0, sizeof *s);
}

void
date_sniff_add(struct date_sniff *s, const char *value, long line)
{
	const char *v;
	size_t n, k, back;
	int before, f;

	if (value == NULL)
		return;
	n = strlen(value);
	v = util_trim(value, &n);
	if (n == 0)
		return;	/* an empty cell says nothing about the order */
	before = alive(s);
	f = fits_of(value);
	s->values++;
	s->fit_iso += (f & FIT_ISO) != 0;
	s->fit_dmy += (f & FIT_DMY) != 0;
	s->fit_mdy += (f & FIT_MDY) != 0;
	s->fit_ymd += (f & FIT_YMD) != 0;
	s->fit_excel += (f & FIT_EXCEL) != 0;
	if ((f & (FIT_DMY | FIT_MDY)) == FIT_DMY && s->only_dmy_line == 0) {
		s->only_dmy_line = line;
		snprintf(s->only_dmy, sizeof s->only_dmy, "%.*s", (int)n, v);
	}
	if ((f & (FIT_DMY | FIT_MDY)) == FIT_MDY && s->only_mdy_line == 0) {
		s->only_mdy_line = line;
		snprintf(s->only_mdy, sizeof s->only_mdy, "%.*s", (int)n, v);
	}
	if (before != 0 && (before & f) == 0) {
		/* This value left no order standing: name it, trimmed.
		 * A cut backs off to a UTF-8 character boundary (at most
		 * 3 bytes) so a well-formed value stays well-formed. */
		k = n < sizeof s->bad_value - 1 ? n : sizeof s->bad_value - 1;
		for (back = 0; back < 3 && k < n && k > 1 &&
		    ((unsigned char)v[k] & 0xC0) == 0x80; back++)
			k--;
		if (k < n && ((unsigned char)v[k] & 0xC0) == 0x80)
			k = n < sizeof s->bad_value - 1 ? n :
			    sizeof s->bad_value - 1;
		memcpy(s->bad_value, v, k);
		s->bad_value[k] = '\0';
		s->bad_line = line;
	}
}

enum date_order
date_sniff_result(const struct date_sniff *s, int *ambiguous)
{
	int a = s->values > 0 ? alive(s) : 0;

	if (ambiguous != NULL)
		*ambiguous = 0;
	if (a & FIT_ISO)
		return DATE_ISO;
	if (a & FIT_YMD)
		return DATE_YMD;
	if ((a & FIT_DMY) && (a & FIT_MDY)) {
		if (ambiguous != NULL)
			*ambiguous = 1;
		return DATE_AUTO;
	}
	if (a & FIT_DMY)
		return DATE_DMY;
	if (a & FIT_MDY)
		return DATE_MDY;
	if (a & FIT_EXCEL)
		return DATE_EXCEL;
	return DATE_AUTO;
}

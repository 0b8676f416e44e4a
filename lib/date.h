/*
 * date: civil (calendar) dates held as a day count, days since 1970-01-01
 * (negative before it), proleptic Gregorian.  Parsing never depends on the
 * locale and never guesses: an ambiguous column (every value could be D/M
 * or M/D) is reported, not resolved by chance; impossible dates (31/02)
 * are rejected, never rolled over.
 */
#ifndef CK_DATE_H
#define CK_DATE_H

#include <stdint.h>
#include "diag.h"

/* "YYYY-MM-DD" plus NUL. */
#define DATE_BUFSZ 11
/* Years accepted anywhere: the range keeps day arithmetic far from
 * overflow and rejects typos like 20024. */
#define DATE_MIN_YEAR 1800
#define DATE_MAX_YEAR 2299

enum date_order {
	DATE_AUTO,	/* ISO accepted; anything else must be sniffed first */
	DATE_ISO,	/* 2024-02-29, 20240229 */
	DATE_DMY,	/* 29/02/2024, 29.02.24, 29-Feb-2024, 29 Feb 2024 */
	DATE_MDY,	/* 02/29/2024, Feb 29, 2024 */
	DATE_YMD,	/* 2024/02/29, 2024.02.29 */
	DATE_EXCEL	/* spreadsheet serial number, 1900 system: 45351 */
};

/* date_from_ymd: 0 and *out, or -1 when y-m-d is not a real date or the
 * year is outside [DATE_MIN_YEAR, DATE_MAX_YEAR]. */
int date_from_ymd(int y, int m, int d, int32_t *out);
void date_to_ymd(int32_t day, int *y, int *m, int *d);
/* date_format: "YYYY-MM-DD" into buf (DATE_BUFSZ bytes); returns buf. */
char *date_format(int32_t day, char *buf);

/*
 * date_parse: s as a date in the given order.  Separators - / . and space
 * all work; months may be English names or 3-letter abbreviations in any
 * case; two-digit years are 2000-2069 for 00-69 and 1970-1999 for 70-99;
 * ISO (4-digit year first) is always accepted whatever the order, as is
 * an Excel serial when order is DATE_EXCEL.  A time after the date
 * ("2024-02-29T10:00:00", "2/29/2024 10:00") is ignored.  DATE_AUTO
 * accepts only forms that cannot be ambiguous (ISO, YMD, month names).
 * Returns 0, or -1 with d set.
 */
int date_parse(const char *s, enum date_order order, int32_t *out,
    struct diag *d);
int date_parse_iso(const char *s, int32_t *out);	/* strict YYYY-MM-DD */

/* date_order_name: "ISO", "DMY", ...; date_order_from_name accepts those
 * names in any case (and "auto"); -1 for an unknown name. */
const char *date_order_name(enum date_order o);
int date_order_from_name(const char *name, enum date_order *out);

/* Calendar arithmetic. */
int date_weekday(int32_t day);			/* 0 Monday .. 6 Sunday */
int date_days_in_month(int y, int m);
int32_t date_add_months(int32_t day, int n);	/* clips to month end */
int32_t date_end_of_month(int32_t day);
int date_is_leap(int y);

/*
 * Sniffing a column: feed every non-empty value, then ask.  The result is
 * the one order every value fits; DATE_AUTO with *ambiguous set when both
 * D/M and M/D fit every value (the tool then asks for --date-format), or
 * DATE_AUTO with *ambiguous clear when no single order fits (the message
 * names the first value that fits none, in bad_value).
 */
struct date_sniff {
	long values;
	long fit_iso, fit_dmy, fit_mdy, fit_ymd, fit_excel;
	char bad_value[64];	/* first value no order fits, truncated */
	long bad_line;
	/* The first value that fits D/M but not M/D, and the other way
	 * round: both set is evidence for both orders, which no order can
	 * read (31/12/2025 beside 12/31/2025). */
	long only_dmy_line, only_mdy_line;
	char only_dmy[32], only_mdy[32];
};
void date_sniff_init(struct date_sniff *s);
void date_sniff_add(struct date_sniff *s, const char *value, long line);
enum date_order date_sniff_result(const struct date_sniff *s, int *ambiguous);

#endif

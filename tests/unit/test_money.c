/*
 * test_money: lib/money.c against its contract, boundaries first: the
 * int64_t limits, rounding halves in both signs, empty and blank text,
 * stray bytes that are not UTF-8, then the formats seen in real exports
 * and the worked interest examples of DOMAIN.md §3.  The last test sums
 * the IBM sample's amounts when ../shared/data/real is there.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "money.h"
#include "util.h"
#include "t.h"

#define P MONEY_POINT
#define C MONEY_COMMA

struct pcase {
	const char *in;
	int digits;
	enum money_decimal dec;
	int64_t want;		/* when msg is NULL */
	const char *ccy;	/* when msg is NULL */
	const char *msg;	/* NULL: must parse; else a part of the error */
};

static void
run_parse(const struct pcase *tc, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		struct diag d;
		char ccy[4] = "zz";
		int64_t v = 424242;
		int rc;

		diag_clear(&d);
		rc = money_parse(tc[i].in, strlen(tc[i].in), tc[i].digits,
		    tc[i].dec, &v, ccy, &d);
		if (tc[i].msg == NULL) {
			if (rc != 0)
				printf("#   input \"%s\": %s\n", tc[i].in,
				    d.msg);
			CHECK_INT(rc, 0);
			CHECK_INT(v, tc[i].want);
			CHECK_STR(ccy, tc[i].ccy);
		} else {
			if (rc == 0)
				printf("#   input \"%s\" parsed as %lld\n",
				    tc[i].in, (long long)v);
			CHECK_INT(rc, -1);
			CHECK_INT(v, 424242);	/* untouched */
			CHECK_STR(ccy, "");
			if (strstr(d.msg, tc[i].msg) == NULL)
				printf("#   input \"%s\": message \"%s\" lacks "
				    "\"%s\"\n", tc[i].in, d.msg, tc[i].msg);
			CHECK(strstr(d.msg, tc[i].msg) != NULL);
		}
	}
}

static void
test_parse_limits(void)
{
	static const struct pcase tc[] = {
		/* INT64_MAX is 9223372036854775807: both limits refused */
		{ "92233720368547758.06", 2, P, INT64_MAX - 1, "", NULL },
		{ "92233720368547758.07", 2, P, 0, "", "amount too large" },
		{ "92233720368547758.08", 2, P, 0, "", "amount too large" },
		{ "-92233720368547758.07", 2, P, INT64_MIN + 1, "", NULL },
		{ "-92233720368547758.08", 2, P, 0, "", "amount too large" },
		{ "-92233720368547758.09", 2, P, 0, "", "amount too large" },
		{ "(92233720368547758.07)", 2, P, INT64_MIN + 1, "", NULL },
		{ "92,233,720,368,547,758.06", 2, P, INT64_MAX - 1, "",
		    NULL },
		{ "9223372036854775806", 0, P, INT64_MAX - 1, "", NULL },
		{ "9223372036854775807", 0, P, 0, "", "amount too large" },
		{ "-9223372036854775807", 0, P, INT64_MIN + 1, "", NULL },
		{ "-9223372036854775808", 0, P, 0, "", "amount too large" },
		/* would wrap a uint64_t: 2^64 */
		{ "18446744073709551616", 0, P, 0, "", "amount too large" },
		{ "184467440737095516.16", 2, P, 0, "", "amount too large" },
		{ "99999999999999999999999999999", 2, P, 0, "",
		    "amount too large" },
		{ "9.223372036854775806", 18, P, INT64_MAX - 1, "", NULL },
		{ "9.223372036854775807", 18, P, 0, "", "amount too large" },
		{ "10", 18, P, 0, "", "amount too large" },
		{ "0000000000000000000000000001.00", 2, P, 100, "", NULL },
		{ "0.000000000000000001", 18, P, 1, "", NULL },
		/* digits outside 0..18 */
		{ "1", -1, P, 0, "", "minor digits" },
		{ "1", 19, P, 0, "", "minor digits" },
	};

	run_parse(tc, sizeof tc / sizeof tc[0]);
}

static void
test_parse_blank_and_junk(void)
{
	static const struct pcase tc[] = {
		{ "", 2, P, 0, "", "not an amount" },
		{ " ", 2, P, 0, "", "not an amount" },
		{ "\t\r\n", 2, P, 0, "", "not an amount" },
		{ "-", 2, P, 0, "", "not an amount" },
		{ "+", 2, P, 0, "", "not an amount" },
		{ "()", 2, P, 0, "", "not an amount" },
		{ ".", 2, P, 0, "", "not an amount" },
		{ "-.", 2, P, 0, "", "not an amount" },
		{ "£", 2, P, 0, "", "not an amount" },
		{ "€", 2, P, 0, "", "not an amount" },
		{ "$", 2, P, 0, "", "not an amount" },
		{ "GBP", 2, P, 0, "", "not an amount" },
		{ "- £", 2, P, 0, "", "not an amount" },
		{ "1.2.3", 2, P, 0, "", "not an amount" },
		{ "1,2,3", 2, C, 0, "", "not an amount" },
		{ "12abc", 2, P, 0, "", "not an amount: \"12abc\"" },
		{ "abc12", 2, P, 0, "", "not an amount" },
		{ "12eur", 2, P, 0, "", "not an amount" },
		{ "12 EURO", 2, P, 0, "", "not an amount" },
		{ "12 EU", 2, P, 0, "", "not an amount" },
		{ "XEUR 12", 2, P, 0, "", "not an amount" },
		{ "NaN", 2, P, 0, "", "not an amount" },
		{ "nan", 2, P, 0, "", "not an amount" },
		{ "NAN", 2, P, 0, "", "not an amount" },
		{ "inf", 2, P, 0, "", "not an amount" },
		{ "-Infinity", 2, P, 0, "", "not an amount" },
		{ "1e5", 2, P, 0, "", "not an amount" },
		{ "1E5", 2, P, 0, "", "not an amount" },
		{ "1.5e3", 2, P, 0, "", "not an amount" },
		{ "0x10", 2, P, 0, "", "not an amount" },
		{ "12 34", 2, P, 0, "", "not an amount" },
		{ "1 2", 2, P, 0, "", "not an amount" },
		{ ",5", 2, P, 0, "", "not an amount" },
		{ "1,", 2, P, 0, "", "not an amount" },
		{ "12.00.", 2, P, 0, "", "not an amount" },
		{ "12..00", 2, P, 0, "", "not an amount" },
		/* two signs */
		{ "--12", 2, P, 0, "", "not an amount" },
		{ "+-12", 2, P, 0, "", "not an amount" },
		{ "-12-", 2, P, 0, "", "not an amount" },
		{ "+12-", 2, P, 0, "", "not an amount" },
		{ "-(12)", 2, P, 0, "", "not an amount" },
		{ "(-12)", 2, P, 0, "", "not an amount" },
		{ "(12)-", 2, P, 0, "", "not an amount" },
		{ "((12))", 2, P, 0, "", "not an amount" },
		{ "(12", 2, P, 0, "", "not an amount" },
		{ "12)", 2, P, 0, "", "not an amount" },
		{ ")12(", 2, P, 0, "", "not an amount" },
		{ "12+", 2, P, 0, "", "not an amount" },
		/* two currencies */
		{ "£12 GBP", 2, P, 0, "", "not an amount" },
		{ "GBP EUR 12", 2, P, 0, "", "not an amount" },
		{ "$£12", 2, P, 0, "", "not an amount" },
		/* digits of other scripts are not ASCII digits */
		{ "\xd9\xa1\xd9\xa2", 2, P, 0, "", "not an amount" },
		{ "\xef\xbc\x91\xef\xbc\x92", 2, P, 0, "", "not an amount" },
		/* bytes that are not UTF-8, escaped in the message */
		{ "12\xff.00", 2, P, 0, "", "not an amount: \"12\\xff.00\"" },
		{ "\xa3" "12", 2, P, 0, "", "\"\\xa312\"" },	/* Latin-1 £ */
		{ "\xc2" "12", 2, P, 0, "", "not an amount" },
		{ "12\xc2", 2, P, 0, "", "not an amount" },
		{ "\xe2\x82" "12", 2, P, 0, "", "not an amount" },
		{ "12\xe2\x88", 2, P, 0, "", "not an amount" },
		{ "1\xc0\xa0" "234", 2, P, 0, "", "not an amount" },
		{ "\"12\"", 2, P, 0, "", "\"\\x2212\\x22\"" },
	};

	run_parse(tc, sizeof tc / sizeof tc[0]);
}

static void
test_parse_grouping(void)
{
	static const struct pcase tc[] = {
		{ "1,234.56", 2, P, 123456, "", NULL },
		{ "1,234,567.89", 2, P, 123456789, "", NULL },
		{ "1,234", 2, P, 123400, "", NULL },
		{ "123,456", 2, P, 12345600, "", NULL },
		{ "0,123", 2, P, 12300, "", NULL },
		{ "1'234.56", 2, P, 123456, "", NULL },
		{ "1 234.56", 2, P, 123456, "", NULL },
		{ "12 345 678.90", 2, P, 1234567890, "", NULL },
		{ "1\xc2\xa0" "234.56", 2, P, 123456, "", NULL },   /* NBSP */
		{ "1\xe2\x80\xaf" "234,56", 2, C, 123456, "", NULL },
		    /* U+202F */
		{ "1.234,56", 2, C, 123456, "", NULL },
		{ "1.234.567,89", 2, C, 123456789, "", NULL },
		{ "1 234,56", 2, C, 123456, "", NULL },
		{ "1'234,56", 2, C, 123456, "", NULL },
		{ "1.234", 2, C, 123400, "", NULL },
		/* a comma that is really a decimal comma */
		{ "1,23", 2, P, 0, "", "use --decimal comma" },
		{ "1,2", 2, P, 0, "", "use --decimal comma" },
		{ "1,2345", 2, P, 0, "", "use --decimal comma" },
		{ "1234,567", 2, P, 0, "", "use --decimal comma" },
		{ "12,34,567", 2, P, 0, "", "use --decimal comma" },
		{ "1,234,56", 2, P, 0, "", "use --decimal comma" },
		{ "-50,00", 2, P, 0, "", "use --decimal comma" },
		{ "1.234,56", 2, P, 0, "", "use --decimal comma" },
		{ "1.5", 2, C, 0, "", "use --decimal point" },
		{ "1.23", 2, C, 0, "", "use --decimal point" },
		{ "1,234.56", 2, C, 0, "", "use --decimal point" },
		{ "1'23", 2, P, 0, "", "group 3 digits" },
		{ "1 2345", 2, P, 0, "", "group 3 digits" },
		/* one kind of separator per number */
		{ "1,234 567", 2, P, 0, "", "not an amount" },
		{ "1'234,567.00", 2, P, 0, "", "not an amount" },
		{ "1,,234", 2, P, 0, "", "not an amount" },
		{ "1, 234", 2, P, 0, "", "not an amount" },
		/* no grouping after the point */
		{ "1.234,5", 3, P, 0, "", "not an amount" },
	};

	run_parse(tc, sizeof tc / sizeof tc[0]);
}

static void
test_parse_signs_and_currency(void)
{
	static const struct pcase tc[] = {
		{ "(12.00)", 2, P, -1200, "", NULL },
		{ "12.00-", 2, P, -1200, "", NULL },
		{ "-12.00", 2, P, -1200, "", NULL },
		{ "+12.00", 2, P, 1200, "", NULL },
		{ "- 12.00", 2, P, -1200, "", NULL },
		{ "12.00 -", 2, P, -1200, "", NULL },
		{ "\xe2\x88\x92" "5", 2, P, -500, "", NULL }, /* U+2212 */
		{ "-0", 2, P, 0, "", NULL },
		{ "(0.00)", 2, P, 0, "", NULL },
		{ "+31070,11", 2, C, 3107011, "", NULL },
		{ "£12", 2, P, 1200, "GBP", NULL },
		{ "€ 1.234,56", 2, C, 123456, "EUR", NULL },
		{ "€\xc2\xa0" "1.234,56", 2, C, 123456, "EUR", NULL },
		{ "1.234,56 €", 2, C, 123456, "EUR", NULL },
		{ "$4,250.00", 2, P, 425000, "$", NULL },
		{ "-$4,250.00", 2, P, -425000, "$", NULL },
		{ "-£5.00", 2, P, -500, "GBP", NULL },
		{ "£-5.00", 2, P, -500, "GBP", NULL },
		{ "(£12.00)", 2, P, -1200, "GBP", NULL },
		{ "£(12.00)", 2, P, -1200, "GBP", NULL },
		{ "(12.00) GBP", 2, P, -1200, "GBP", NULL },
		{ "(12.00 GBP)", 2, P, -1200, "GBP", NULL },
		{ "GBP 12.00", 2, P, 1200, "GBP", NULL },
		{ "GBP12.00", 2, P, 1200, "GBP", NULL },
		{ "GBP -12.00", 2, P, -1200, "GBP", NULL },
		{ "-GBP 12.00", 2, P, -1200, "GBP", NULL },
		{ "12.00 EUR", 2, P, 1200, "EUR", NULL },
		{ "12.00EUR", 2, P, 1200, "EUR", NULL },
		{ "12.00- EUR", 2, P, -1200, "EUR", NULL },
		{ "CHF 1'234.50", 2, P, 123450, "CHF", NULL },
		{ "¥1,000", 0, P, 1000, "¥", NULL },
		{ "JPY 1000", 0, P, 1000, "JPY", NULL },
		{ "  47.07  ", 2, P, 4707, "", NULL },
		{ "\t47.07\r\n", 2, P, 4707, "", NULL },
	};

	run_parse(tc, sizeof tc / sizeof tc[0]);
}

static void
test_parse_decimals(void)
{
	static const struct pcase tc[] = {
		{ "94", 2, P, 9400, "", NULL },
		{ ".5", 2, P, 50, "", NULL },
		{ ",5", 2, C, 50, "", NULL },
		{ "5.", 2, P, 500, "", NULL },
		{ "380115,", 2, C, 38011500, "", NULL },
		{ "0", 2, P, 0, "", NULL },
		{ "0.00", 2, P, 0, "", NULL },
		{ "007.50", 2, P, 750, "", NULL },
		{ "47.07", 2, P, 4707, "", NULL },
		{ "0.01", 2, P, 1, "", NULL },
		{ "-0.01", 2, P, -1, "", NULL },
		/* extra decimals only when they are zeros */
		{ "18.150", 2, P, 1815, "", NULL },
		{ "18.15000000000000000000000", 2, P, 1815, "", NULL },
		{ "18.151", 2, P, 0, "",
		    "too many decimals for 2 minor digits" },
		{ "0.001", 2, P, 0, "", "too many decimals" },
		{ "1000", 0, P, 1000, "", NULL },
		{ "1,000", 0, P, 1000, "", NULL },
		{ "1000.00", 0, P, 1000, "", NULL },
		{ "1000.5", 0, P, 0, "",
		    "too many decimals for 0 minor digits" },
		{ "1.234", 3, P, 1234, "", NULL },
		{ "1.2340", 3, P, 1234, "", NULL },
		{ "1.2345", 3, P, 0, "",
		    "too many decimals for 3 minor digits" },
		{ "0.001", 3, P, 1, "", NULL },
		{ "1,5", 3, C, 1500, "", NULL },
	};

	run_parse(tc, sizeof tc / sizeof tc[0]);
}

/* The length is the contract, not a NUL: bytes past n are never read,
 * and a NUL inside n is just a bad byte. */
static void
test_parse_length(void)
{
	static const char buf[] = "12.34567";
	char *exact;
	int64_t v = 0;
	struct diag d;

	CHECK_INT(money_parse(buf, 5, 2, P, &v, NULL, NULL), 0);
	CHECK_INT(v, 1234);
	CHECK_INT(money_parse(buf, 2, 2, P, &v, NULL, NULL), 0);
	CHECK_INT(v, 1200);
	CHECK_INT(money_parse("12\0" "5", 4, 2, P, &v, NULL, &d), -1);
	CHECK_STR(d.msg, "not an amount: \"12\\x005\"");
	CHECK_INT(money_parse(NULL, 0, 2, P, &v, NULL, &d), -1);
	CHECK_INT(money_parse("£", 1, 2, P, &v, NULL, NULL), -1);
	/* An exact-size heap copy: ASan reports any read past the end. */
	exact = xmalloc(5);
	memcpy(exact, "£12 ", 5);
	CHECK_INT(money_parse(exact, 5, 2, P, &v, NULL, NULL), 0);
	CHECK_INT(v, 1200);
	memcpy(exact, "1,234", 5);
	CHECK_INT(money_parse(exact, 5, 2, P, &v, NULL, NULL), 0);
	CHECK_INT(v, 123400);
	memcpy(exact, "12 GB", 5);
	CHECK_INT(money_parse(exact, 5, 2, P, &v, NULL, NULL), -1);
	memcpy(exact, "12 \xe2\x82", 5);
	CHECK_INT(money_parse(exact, 5, 2, P, &v, NULL, NULL), -1);
	free(exact);
}

static void
test_parse_messages(void)
{
	struct diag d;
	int64_t v;
	char big[400];

	money_parse("1,23", 4, 2, P, &v, NULL, &d);
	CHECK_STR(d.msg, "not an amount: \"1,23\" (a comma not followed by "
	    "3 digits looks like a decimal comma: use --decimal comma)");
	money_parse("18.151", 6, 2, P, &v, NULL, &d);
	CHECK_STR(d.msg, "too many decimals for 2 minor digits: \"18.151\"");
	money_parse("92233720368547758.07", 20, 2, P, &v, NULL, &d);
	CHECK_STR(d.msg, "amount too large: \"92233720368547758.07\"");
	money_parse("€ 1,234.x", strlen("€ 1,234.x"), 2, P, &v, NULL, &d);
	CHECK_STR(d.msg, "not an amount: \"€ 1,234.x\"");
	/* A long value is cut, and the message stays bounded. */
	memset(big, '7', sizeof big);
	big[100] = 'x';
	CHECK_INT(money_parse(big, sizeof big, 2, P, &v, NULL, &d), -1);
	CHECK(strlen(d.msg) < 120);
	CHECK(strstr(d.msg, "...\"") != NULL);
	/* A NULL diag is allowed. */
	CHECK_INT(money_parse("x", 1, 2, P, &v, NULL, NULL), -1);
}

static void
test_format(void)
{
	static const struct {
		int64_t v;
		int digits;
		const char *want;
	} tc[] = {
		{ INT64_MIN, 2, "-92233720368547758.08" },
		{ INT64_MAX, 2, "92233720368547758.07" },
		{ INT64_MIN, 0, "-9223372036854775808" },
		{ INT64_MIN, 18, "-9.223372036854775808" },
		{ INT64_MAX, 18, "9.223372036854775807" },
		{ -1, 18, "-0.000000000000000001" },
		{ -5, 2, "-0.05" },
		{ 5, 2, "0.05" },
		{ -50, 2, "-0.50" },
		{ 123456, 0, "123456" },
		{ 123456, 2, "1234.56" },
		{ 123456, 3, "123.456" },
		{ 0, 0, "0" },
		{ 0, 2, "0.00" },
		{ 0, 3, "0.000" },
		{ 100, 2, "1.00" },
		{ -100, 2, "-1.00" },
		{ 1, 3, "0.001" },
		{ -1, 0, "-1" },
		{ 9400, 2, "94.00" },
		{ 5, -1, "5" },			/* digits clamped to 0..18 */
		{ 5, 19, "0.000000000000000005" },
	};
	char buf[MONEY_BUFSZ];
	size_t i;

	for (i = 0; i < sizeof tc / sizeof tc[0]; i++) {
		CHECK_STR(money_format(tc[i].v, tc[i].digits, buf),
		    tc[i].want);
		CHECK(money_format(tc[i].v, tc[i].digits, buf) == buf);
	}
}

/* What money_format writes, money_parse reads back unchanged. */
static void
test_round_trip(void)
{
	static const int64_t vals[] = {
		0, 1, -1, 5, -5, 99, 100, 12345, -12345, 1000000,
		INT64_MAX - 1, INT64_MIN + 1, INT64_MAX / 3, INT64_MIN / 7
	};
	char buf[MONEY_BUFSZ];
	size_t i;
	int digits;

	for (digits = 0; digits <= 18; digits++) {
		for (i = 0; i < sizeof vals / sizeof vals[0]; i++) {
			int64_t v = -7;

			money_format(vals[i], digits, buf);
			CHECK_INT(money_parse(buf, strlen(buf), digits, P, &v,
			    NULL, NULL), 0);
			CHECK_INT(v, vals[i]);
		}
	}
}

static void
test_add_mul(void)
{
	int64_t r = 77;

	CHECK_INT(money_add(INT64_MAX, 0, &r), 0);
	CHECK_INT(r, INT64_MAX);
	CHECK_INT(money_add(INT64_MAX - 1, 1, &r), 0);
	CHECK_INT(r, INT64_MAX);
	r = 77;
	CHECK_INT(money_add(INT64_MAX, 1, &r), -1);
	CHECK_INT(money_add(INT64_MIN, -1, &r), -1);
	CHECK_INT(money_add(1, INT64_MAX, &r), -1);
	CHECK_INT(r, 77);		/* untouched on overflow */
	CHECK_INT(money_add(INT64_MIN, INT64_MAX, &r), 0);
	CHECK_INT(r, -1);
	CHECK_INT(money_add(-500, 200, &r), 0);
	CHECK_INT(r, -300);

	r = 77;
	CHECK_INT(money_mul(INT64_MIN, -1, &r), -1);
	CHECK_INT(money_mul(INT64_MAX, 2, &r), -1);
	CHECK_INT(money_mul(INT64_C(4294967296), INT64_C(2147483648), &r),
	    -1);
	CHECK_INT(r, 77);
	CHECK_INT(money_mul(-INT64_C(4294967296), INT64_C(2147483648), &r),
	    0);
	CHECK_INT(r, INT64_MIN);
	CHECK_INT(money_mul(INT64_MAX, -1, &r), 0);
	CHECK_INT(r, INT64_MIN + 1);
	CHECK_INT(money_mul(0, INT64_MIN, &r), 0);
	CHECK_INT(r, 0);
	CHECK_INT(money_mul(1234, 100, &r), 0);
	CHECK_INT(r, 123400);
}

static void
test_muldiv(void)
{
	static const struct {
		int64_t a, num, den;
		int rc;
		int64_t want;
	} tc[] = {
		/* halves round away from zero, whatever the signs */
		{ 5, 1, 2, 0, 3 },
		{ -5, 1, 2, 0, -3 },
		{ 5, 1, -2, 0, -3 },
		{ -5, 1, -2, 0, 3 },
		{ 5, -1, 2, 0, -3 },
		{ 15, 1, 10, 0, 2 },
		{ 25, 1, 10, 0, 3 },
		{ -25, 1, 10, 0, -3 },
		{ 14, 1, 10, 0, 1 },
		{ -14, 1, 10, 0, -1 },
		{ 16, 1, 10, 0, 2 },
		{ -16, 1, 10, 0, -2 },
		{ 1, 1, 3, 0, 0 },
		{ 2, 1, 3, 0, 1 },
		{ -2, 1, 3, 0, -1 },
		{ 0, 5, 7, 0, 0 },
		/* DOMAIN.md §3.1 U1: £2,400.00 at 13.25 % for 44 days */
		{ 240000, 1325 * 44, 10000 * 365, 0, 3833 },
		/* U1-alt: Actual/Actual, 366 days */
		{ 240000, 1325 * 44, 10000 * 366, 0, 3823 },
		/* U2: 30 days on £5,000 then 30 days on £3,000 */
		{ 500000, 1325 * 30, 10000 * 365, 0, 5445 },
		{ 300000, 1325 * 30, 10000 * 365, 0, 3267 },
		/* U4: £1,000 at 8.5 % for 60 days */
		{ 100000, 850 * 60, 10000 * 365, 0, 1397 },
		/* the same as credits round away from zero too */
		{ -240000, 1325 * 44, 10000 * 365, 0, -3833 },
		{ -100000, 850 * 60, 10000 * 365, 0, -1397 },
		/* §3.2 E1: €10,000, 46 days at 12.50 %, 45 at 12.25 % */
		{ 1000000, 1250 * 46, 10000 * 365, 0, 15753 },
		{ 1000000, 1225 * 45, 10000 * 365, 0, 15103 },
		/* EUR 2,000 at a closing rate of 0.8550 (§2) */
		{ 200000, 8550, 10000, 0, 171000 },
		/* 128-bit intermediates */
		{ INT64_MAX, INT64_MAX, INT64_MAX, 0, INT64_MAX },
		{ INT64_MIN, INT64_MIN, INT64_MIN, 0, INT64_MIN },
		{ INT64_MIN, 1, 1, 0, INT64_MIN },
		{ INT64_MAX, 3, 6, 0, INT64_C(4611686018427387904) },
		{ INT64_MIN, 1, 2, 0, INT64_MIN / 2 },
		{ INT64_MIN + 1, 1, 2, 0, INT64_MIN / 2 },
		/* failures */
		{ 1, 1, 0, -1, 0 },
		{ INT64_MIN, 1, -1, -1, 0 },
		{ INT64_MIN, -1, 1, -1, 0 },
		{ INT64_MAX, 2, 1, -1, 0 },
		{ INT64_MAX, INT64_MAX, 2, -1, 0 },
		{ INT64_MAX, INT64_MAX, INT64_MAX - 1, -1, 0 },
	};
	size_t i;

	for (i = 0; i < sizeof tc / sizeof tc[0]; i++) {
		int64_t r = 99;

		CHECK_INT(money_muldiv(tc[i].a, tc[i].num, tc[i].den, &r),
		    tc[i].rc);
		CHECK_INT(r, tc[i].rc == 0 ? tc[i].want : 99);
	}
}

static void
test_rescale(void)
{
	static const struct {
		int64_t v;
		int from, to, rc;
		int64_t want;
	} tc[] = {
		{ 12345, 2, 0, 0, 123 },
		{ 12350, 2, 0, 0, 124 },	/* 123.50 -> 124 */
		{ -12350, 2, 0, 0, -124 },	/* -123.50 -> -124 */
		{ 12349, 2, 0, 0, 123 },
		{ 5, 1, 0, 0, 1 },
		{ -5, 1, 0, 0, -1 },
		{ 4, 1, 0, 0, 0 },
		{ -4, 1, 0, 0, 0 },
		{ 1815, 3, 2, 0, 182 },		/* 18.150 EUR -> 18.15 */
		{ 18150, 3, 2, 0, 1815 },
		{ -1815, 3, 2, 0, -182 },
		{ 1, 0, 2, 0, 100 },
		{ -1, 0, 3, 0, -1000 },
		{ 777, 2, 2, 0, 777 },
		{ INT64_MAX, 18, 0, 0, 9 },
		{ INT64_MIN, 18, 0, 0, -9 },
		{ INT64_MIN, 2, 0, 0, INT64_C(-92233720368547758) },
		{ INT64_MAX, 0, 18, -1, 0 },
		{ INT64_MAX, 0, 1, -1, 0 },
		{ INT64_MAX / 10, 0, 1, 0, INT64_MAX / 10 * 10 },
		{ 1, 0, 18, 0, INT64_C(1000000000000000000) },
		{ 10, 0, 18, -1, 0 },
		{ 1, -1, 2, -1, 0 },
		{ 1, 2, 19, -1, 0 },
		{ 1, 19, 2, -1, 0 },
	};
	size_t i;

	for (i = 0; i < sizeof tc / sizeof tc[0]; i++) {
		int64_t r = 99;

		CHECK_INT(money_rescale(tc[i].v, tc[i].from, tc[i].to, &r),
		    tc[i].rc);
		CHECK_INT(r, tc[i].rc == 0 ? tc[i].want : 99);
	}
}

static void
test_currency(void)
{
	static const char *const zero[] = {
		"BIF", "CLP", "DJF", "GNF", "ISK", "JPY", "KMF", "KRW", "PYG",
		"RWF", "UGX", "UYI", "VND", "VUV", "XAF", "XOF", "XPF"
	};
	static const char *const three[] = {
		"BHD", "IQD", "JOD", "KWD", "LYD", "OMR", "TND"
	};
	size_t i;

	for (i = 0; i < sizeof zero / sizeof zero[0]; i++)
		CHECK_INT(money_minor_digits(zero[i]), 0);
	for (i = 0; i < sizeof three / sizeof three[0]; i++)
		CHECK_INT(money_minor_digits(three[i]), 3);
	CHECK_INT(money_minor_digits("jpy"), 0);
	CHECK_INT(money_minor_digits("Kwd"), 3);
	CHECK_INT(money_minor_digits("GBP"), 2);
	CHECK_INT(money_minor_digits("EUR"), 2);
	CHECK_INT(money_minor_digits("usd"), 2);
	CHECK_INT(money_minor_digits("XYZ"), 2);
	CHECK_INT(money_minor_digits(""), -1);
	CHECK_INT(money_minor_digits("GB"), -1);
	CHECK_INT(money_minor_digits("GBPX"), -1);
	CHECK_INT(money_minor_digits("GB1"), -1);
	CHECK_INT(money_minor_digits("G P"), -1);
	CHECK_INT(money_minor_digits("£"), -1);
	CHECK_INT(money_minor_digits("\xc3\x89UR"), -1);
	CHECK_INT(money_minor_digits(NULL), -1);

	CHECK_INT(money_is_currency("GBP"), 1);
	CHECK_INT(money_is_currency("XAF"), 1);
	CHECK_INT(money_is_currency("gbp"), 0);
	CHECK_INT(money_is_currency("GbP"), 0);
	CHECK_INT(money_is_currency("GB"), 0);
	CHECK_INT(money_is_currency("GBPP"), 0);
	CHECK_INT(money_is_currency(""), 0);
	CHECK_INT(money_is_currency("G1P"), 0);
	CHECK_INT(money_is_currency(NULL), 0);
	/* Every code whose minor digits are not 2 is a known one, and the
	 * list is the ISO's, not any three letters. */
	for (i = 0; i < sizeof zero / sizeof zero[0]; i++)
		CHECK_INT(money_known_currency(zero[i]), 1);
	for (i = 0; i < sizeof three / sizeof three[0]; i++)
		CHECK_INT(money_known_currency(three[i]), 1);
	CHECK_INT(money_known_currency("AED"), 1);	/* first */
	CHECK_INT(money_known_currency("ZWL"), 1);	/* last */
	CHECK_INT(money_known_currency("gbp"), 1);
	CHECK_INT(money_known_currency("Eur"), 1);
	CHECK_INT(money_known_currency("ABC"), 0);
	CHECK_INT(money_known_currency("XYZ"), 0);
	CHECK_INT(money_known_currency("XXX"), 0);	/* no currency */
	CHECK_INT(money_known_currency("XTS"), 0);	/* testing */
	CHECK_INT(money_known_currency("xau"), 1);	/* gold, as listed */
	CHECK_INT(money_known_currency("AAA"), 0);
	CHECK_INT(money_known_currency("ZZZ"), 0);
	CHECK_INT(money_known_currency("GB"), 0);
	CHECK_INT(money_known_currency("GBPX"), 0);
	CHECK_INT(money_known_currency(""), 0);
	CHECK_INT(money_known_currency(NULL), 0);
}

/* The ISO 4217 list: its first and last codes (the bsearch's ends),
 * codes beside real ones, the fund and metal codes, the euro's
 * predecessors, and what names no money. */
static void
test_iso4217(void)
{
	static const struct {
		const char *code;
		int want;
	} cases[] = {
		{ "AED", 1 }, { "ZWL", 1 }, { "ZWG", 1 }, { "AAA", 0 },
		{ "ZZZ", 0 }, { "GBP", 1 }, { "EUR", 1 }, { "JPY", 1 },
		{ "BHD", 1 }, { "XAU", 1 }, { "XDR", 1 }, { "DEM", 1 },
		{ "HRK", 1 }, { "XYZ", 0 }, { "ABC", 0 }, { "XXX", 0 },
		{ "XTS", 0 }, { "EUX", 0 }, { "gbp", 0 }, { "GB", 0 },
		{ "GBPP", 0 }, { "", 0 }, { NULL, 0 },
	};

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
		CHECK_INT(money_is_iso4217(cases[i].code), cases[i].want);
}

/*
 * The IBM Watson AR sample (README §1): dot decimals with trailing zeros
 * dropped ("94"), 2,466 rows summing to 147,703.18.  Read with the plain
 * split the file allows (no quoting, CRLF).
 */
static void
test_real_ibm(void)
{
	const char *root = getenv("CK_REAL");
	char path[1024], line[512];
	FILE *fp;
	int64_t sum = 0, v, lo = INT64_MAX, hi = INT64_MIN;
	long rows = 0, bad = 0;

	if (root == NULL || *root == '\0')
		root = "../shared/data/real";
	snprintf(path, sizeof path,
	    "%s/ar-ibm-watson/WA_Fn-UseC_-Accounts-Receivable.csv", root);
	if ((fp = fopen(path, "r")) == NULL) {
		printf("# skip test_real_ibm: %s is absent\n", path);
		return;
	}
	if (fgets(line, sizeof line, fp) == NULL)
		CHECK(0);
	while (fgets(line, sizeof line, fp) != NULL) {
		char *f = line, *e;
		int col;

		for (col = 0; col < 6 && f != NULL; col++) {
			f = strchr(f, ',');
			f = f ? f + 1 : NULL;
		}
		if (f == NULL || (e = strchr(f, ',')) == NULL) {
			bad++;
			continue;
		}
		if (money_parse(f, (size_t)(e - f), 2, P, &v, NULL,
		    NULL) != 0 || money_add(sum, v, &sum) != 0) {
			bad++;
			continue;
		}
		lo = v < lo ? v : lo;
		hi = v > hi ? v : hi;
		rows++;
	}
	fclose(fp);
	CHECK_INT(bad, 0);
	CHECK_INT(rows, 2466);
	CHECK_INT(sum, 14770318);
	CHECK_INT(lo, 526);
	CHECK_INT(hi, 12828);
}

/* money_rate_factors: the rate and the change of digits as one
 * fraction, so one rounding (the new user's D5: JPY into GBP kept
 * whole pounds). */
static void
test_rate_factors(void)
{
	static const struct {
		int64_t num;
		int frac, from, to;
		int64_t v, want;
		int rc;
	} tc[] = {
		{ 49, 4, 0, 2, 100, 49, 0 },		/* 100 JPY at 0.0049 */
		{ 490000, 8, 0, 2, 100, 49, 0 },	/* the same, 8 places */
		{ 125, 4, 0, 2, 1000, 1250, 0 },	/* 1000 JPY at 0.0125 */
		{ 333333, 8, 0, 2, 1000, 333, 0 },	/* 3.33 */
		{ 471, 3, 2, 3, 10000, 47100, 0 },	/* 100.00 GBP to BHD */
		{ 25, 4, 0, 3, 1000, 2500, 0 },		/* 1000 JPY to 2.500 */
		{ 8550, 4, 2, 2, 101, 86, 0 },		/* 0.8635 rounds up */
		{ 8550, 4, 2, 2, -101, -86, 0 },	/* away from zero */
		{ 150, 0, 2, 0, 1, 2, 0 },		/* 0.01 at 150: 1.5 */
		{ 10, 0, 2, 2, INT64_MAX, 0, -1 },	/* beyond int64 */
	};
	int64_t mul, div, r;

	for (size_t i = 0; i < sizeof tc / sizeof tc[0]; i++) {
		CHECK_INT(money_rate_factors(tc[i].num, tc[i].frac,
		    tc[i].from, tc[i].to, &mul, &div), 0);
		CHECK_INT(money_muldiv(tc[i].v, mul, div, &r), tc[i].rc);
		if (tc[i].rc == 0)
			CHECK_INT(r, tc[i].want);
	}
	CHECK_INT(money_rate_factors(1, 30, 0, 0, &mul, &div), -1);
	CHECK_INT(money_rate_factors(INT64_MAX, 0, 0, 3, &mul, &div), -1);
}

int
main(void)
{
	T_RUN(test_parse_limits);
	T_RUN(test_parse_blank_and_junk);
	T_RUN(test_parse_grouping);
	T_RUN(test_parse_signs_and_currency);
	T_RUN(test_parse_decimals);
	T_RUN(test_parse_length);
	T_RUN(test_parse_messages);
	T_RUN(test_format);
	T_RUN(test_round_trip);
	T_RUN(test_add_mul);
	T_RUN(test_muldiv);
	T_RUN(test_rescale);
	T_RUN(test_rate_factors);
	T_RUN(test_currency);
	T_RUN(test_iso4217);
	T_RUN(test_real_ibm);
	return T_DONE();
}

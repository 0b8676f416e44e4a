/*
 * test_csvout: CSV fields and rows as RFC 4180 writes them, and the
 * formula neutralisation of text (csvout.h), boundaries first.
 */
#include <string.h>

#include "csvout.h"
#include "util.h"
#include "t.h"

struct fcase {
	const char *in;
	enum csvout_kind k;
	const char *out;
};

#define T CSVOUT_TEXT
#define N CSVOUT_NUMBER

static void
fields(void)
{
	static const struct fcase c[] = {
		/* empty, and what needs nothing */
		{ "", T, "" },
		{ "", N, "" },
		{ "Acme Ltd", T, "Acme Ltd" },
		/* each trigger, alone and leading */
		{ "=", T, "\"'=\"" },
		{ "+", T, "\"'+\"" },
		{ "-", T, "\"'-\"" },
		{ "@", T, "\"'@\"" },
		{ "\t", T, "\"'\t\"" },
		{ "\r", T, "\"'\r\"" },
		{ "=HYPERLINK(\"http://x\",\"y\")", T,
		    "\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\"" },
		{ "@SUM(A1)", T, "\"'@SUM(A1)\"" },
		{ "-2+3+cmd|' /C calc'!A0", T,
		    "\"'-2+3+cmd|' /C calc'!A0\"" },
		{ "\tx", T, "\"'\tx\"" },
		{ "\rx", T, "\"'\rx\"" },
		/* leading spaces, then a trigger: an import that trims them
		 * would see the formula */
		{ " =1+1", T, "\"' =1+1\"" },
		{ "   @x", T, "\"'   @x\"" },
		{ " x=1", T, "\" x=1\"" },
		{ "a=1", T, "a=1" },
		/* a line feed first is not a trigger, but is quoted */
		{ "\n=1", T, "\"\n=1\"" },
		/* numbers: a numeric column is never neutralised; a text
		 * column's plain number or E.164 is left alone */
		{ "-12.50", N, "-12.50" },
		{ "-12.50", T, "-12.50" },
		{ "0", N, "0" },
		{ "-0.001", N, "-0.001" },
		{ "-cmd", T, "\"'-cmd\"" },
		{ "-12.", T, "\"'-12.\"" },
		{ "-.5", T, "\"'-.5\"" },
		{ "-1e5", T, "\"'-1e5\"" },
		{ " -12.50", T, "\"' -12.50\"" },
		{ "+447700900123", T, "+447700900123" },
		{ "+44 20 7946 0000", T, "\"'+44 20 7946 0000\"" },
		{ "+44+1", T, "\"'+44+1\"" },
		/* a numeric column given what is no number is text */
		{ "-cmd", N, "\"'-cmd\"" },
		{ "=1+1", N, "\"'=1+1\"" },
		{ "1,5", N, "\"1,5\"" },
		/* quoting */
		{ "a,b", T, "\"a,b\"" },
		{ "say \"hi\"", T, "\"say \"\"hi\"\"\"" },
		{ "\"", T, "\"\"\"\"" },
		{ "two\nlines", T, "\"two\nlines\"" },
		{ "cr\rinside", T, "\"cr\rinside\"" },
		{ "crlf\r\n", T, "\"crlf\r\n\"" },
		{ "tab\tinside", T, "tab\tinside" },
		/* space or tab at an end is quoted: readers trim it */
		{ " lead", T, "\" lead\"" },
		{ "trail ", T, "\"trail \"" },
		{ "trail\t", T, "\"trail\t\"" },
		{ " ", T, "\" \"" },
		/* non-ASCII passes as written */
		{ "Zo\xc3\xab M\xc3\xbcller", T, "Zo\xc3\xab M\xc3\xbcller" },
		{ "=Zo\xc3\xab", T, "\"'=Zo\xc3\xab\"" },
		{ "\xef\xbc\x9d" "1", T, "\xef\xbc\x9d" "1" },
		{ "\xe2\x82\xac 5,00", T, "\"\xe2\x82\xac 5,00\"" },
	};
	struct sbuf o = { 0 };

	for (size_t i = 0; i < sizeof c / sizeof c[0]; i++) {
		sbuf_reset(&o);
		csvout_field(&o, c[i].in, c[i].k);
		CHECK_STR(sbuf_str(&o), c[i].out);
	}
	sbuf_reset(&o);
	csvout_field(&o, NULL, T);
	CHECK_STR(sbuf_str(&o), "");
	sbuf_free(&o);
}

static void
plain_numbers(void)
{
	static const struct { const char *s; int yes; } c[] = {
		{ "", 0 }, { "-", 0 }, { "0", 1 }, { "-0", 1 }, { "12.50", 1 },
		{ "-12.50", 1 }, { "12.", 0 }, { ".5", 0 }, { "+1", 0 },
		{ "1 ", 0 }, { " 1", 0 }, { "1.2.3", 0 }, { "1e5", 0 },
		{ "9223372036854775807", 1 },
	};

	for (size_t i = 0; i < sizeof c / sizeof c[0]; i++)
		CHECK_INT(csvout_plain_number(c[i].s), c[i].yes);
}

static void
rows(void)
{
	static const char *const v[] = { "D1", "=cmd", NULL, "-12.50",
	    "-12.50", "a\"b" };
	static const enum csvout_kind k[] = { T, T, T, N, T, T };
	struct sbuf o = { 0 };

	csvout_row(&o, v, k, 6);
	CHECK_STR(sbuf_str(&o), "D1,\"'=cmd\",,-12.50,-12.50,\"a\"\"b\"\r\n");
	sbuf_reset(&o);
	csvout_row(&o, v, NULL, 2);
	CHECK_STR(sbuf_str(&o), "D1,\"'=cmd\"\r\n");
	sbuf_reset(&o);
	csvout_row(&o, v, NULL, 0);
	CHECK_STR(sbuf_str(&o), "\r\n");
	sbuf_free(&o);
}

int
main(void)
{
	T_RUN(fields);
	T_RUN(plain_numbers);
	T_RUN(rows);
	return T_DONE();
}

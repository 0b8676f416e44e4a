/* Unit tests of lib/util and lib/diag. */
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "util.h"
#include "t.h"

static void
test_strtonum(void)
{
	static const struct {
		const char *s;
		long long min, max;
		int rc;
		long long want;
		const char *err;
	} cases[] = {
		{ "0", 0, 10, 0, 0, NULL },
		{ "10", 0, 10, 0, 10, NULL },
		{ "11", 0, 10, -1, 0, "too large" },
		{ "-1", 0, 10, -1, 0, "too small" },
		{ "+7", 0, 10, 0, 7, NULL },
		{ "", 0, 10, -1, 0, "invalid" },
		{ "-", 0, 10, -1, 0, "invalid" },
		{ "1x", 0, 10, -1, 0, "invalid" },
		{ " 1", 0, 10, -1, 0, "invalid" },
		{ "9223372036854775807", LLONG_MIN, LLONG_MAX, 0, LLONG_MAX,
		    NULL },
		{ "-9223372036854775808", LLONG_MIN, LLONG_MAX, 0, LLONG_MIN,
		    NULL },
		{ "9223372036854775808", LLONG_MIN, LLONG_MAX, -1, 0,
		    "too large" },
		{ "-9223372036854775809", LLONG_MIN, LLONG_MAX, -1, 0,
		    "too small" },
		{ "99999999999999999999x", LLONG_MIN, LLONG_MAX, -1, 0,
		    "invalid" },
	};

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		long long v = 12345;
		const char *err = "unset";
		int rc = util_strtonum(cases[i].s, cases[i].min, cases[i].max,
		    &v, &err);

		CHECK_INT(rc, cases[i].rc);
		if (rc == 0)
			CHECK_INT(v, cases[i].want);
		CHECK_STR(err, cases[i].err);
	}
}

static void
test_utf8(void)
{
	static const struct {
		const char *s;
		int valid;
	} cases[] = {
		{ "", 1 },
		{ "plain", 1 },
		{ "M\xc3\xbcller \xe2\x82\xac \xf0\x9f\x98\x80", 1 },
		{ "\xc3", 0 },			/* truncated */
		{ "\xc0\xaf", 0 },		/* overlong */
		{ "\xe0\x80\xaf", 0 },		/* overlong */
		{ "\xed\xa0\x80", 0 },		/* surrogate */
		{ "\xf4\x90\x80\x80", 0 },	/* past U+10FFFF */
		{ "\x80", 0 },			/* lone continuation */
		{ "\xff", 0 },
		{ "caf\xe9", 0 },		/* Latin-1 */
	};

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
		CHECK_INT(util_utf8_valid(cases[i].s, strlen(cases[i].s)),
		    cases[i].valid);
}

static void
test_norm_key_and_case(void)
{
	struct sbuf b = { 0 };

	util_norm_key("*Invoice No.", &b);
	CHECK_STR(sbuf_str(&b), "invoiceno");
	util_norm_key("invoice_no", &b);
	CHECK_STR(sbuf_str(&b), "invoiceno");
	util_norm_key("INV 306", &b);
	CHECK_STR(sbuf_str(&b), "inv306");
	util_norm_key("W\xc3\xa4hrung", &b);
	CHECK_STR(sbuf_str(&b), "w\xc3\xa4hrung");
	util_norm_key("--", &b);
	CHECK_STR(sbuf_str(&b), "");
	sbuf_free(&b);
	CHECK(util_strcaseeq("GBP", "gbp"));
	CHECK(!util_strcaseeq("GBP", "gb"));
	CHECK(util_strncaseeq("TOTAL for x", "total", 5));
	CHECK(!util_strncaseeq("Tot", "total", 5));
}

static void
test_trim(void)
{
	const char *s = " \t a b \r\n";
	size_t n = strlen(s);
	const char *t = util_trim(s, &n);

	CHECK_INT(n, 3);
	CHECK(strncmp(t, "a b", 3) == 0);
	n = 3;
	util_trim("   ", &n);
	CHECK_INT(n, 0);
}

static void
test_sbuf(void)
{
	struct sbuf b = { 0 };

	CHECK_STR(sbuf_str(&b), "");
	for (int i = 0; i < 1000; i++)
		sbuf_addf(&b, "%d,", i);
	CHECK_INT(b.len, strlen(b.buf));
	CHECK(strncmp(b.buf, "0,1,2,", 6) == 0);
	sbuf_reset(&b);
	CHECK_STR(sbuf_str(&b), "");
	sbuf_add(&b, "a\0b", 3);
	CHECK_INT(b.len, 3);
	sbuf_free(&b);
}

static void
test_quote(void)
{
	char buf[32];

	CHECK_STR(util_quote("12abc", 5, buf, sizeof buf), "\"12abc\"");
	CHECK_STR(util_quote("a\"b\n", 4, buf, sizeof buf),
	    "\"a\\x22b\\x0a\"");
	CHECK_STR(util_quote("\xe2\x82\xac 5", 5, buf, sizeof buf),
	    "\"\xe2\x82\xac 5\"");
	CHECK_STR(util_quote("caf\xe9", 4, buf, sizeof buf),
	    "\"caf\\xe9\"");
	/* What would print as nothing is shown: a C1 control (NEL), a
	 * zero-width space, a right-to-left override, a BOM. */
	CHECK_STR(util_quote("10.00\xc2\x85", 7, buf, sizeof buf),
	    "\"10.00\\u0085\"");
	CHECK_STR(util_quote("1\xe2\x80\x8b" "0", 5, buf, sizeof buf),
	    "\"1\\u200b0\"");
	CHECK_STR(util_quote("\xe2\x80\xae" "01", 5, buf, sizeof buf),
	    "\"\\u202e01\"");
	CHECK_STR(util_quote("\xef\xbb\xbf" "5", 4, buf, sizeof buf),
	    "\"\\ufeff5\"");
	/* Other letters stay as written. */
	CHECK_STR(util_quote("\xc2\xa3" "5", 3, buf, sizeof buf),
	    "\"\xc2\xa3" "5\"");
	/* Long values are cut, never overflow. */
	util_quote("0123456789012345678901234567890123456789", 40, buf,
	    sizeof buf);
	CHECK(strlen(buf) < sizeof buf);
	CHECK(strstr(buf, "...") != NULL);
}

/* util_visible: what a reviewed list shows of a name. */
static void
test_visible(void)
{
	static const struct {
		const char *in, *want;
	} t[] = {
		{ "", "" },
		{ "Acme Ltd", "Acme Ltd" },
		{ "\xe2\x82\xac Caf\xc3\xa9", "\xe2\x82\xac Caf\xc3\xa9" },
		{ "Evil\r\nBcc: v@example.com", "Evil\xef\xbf\xbd\xef\xbf\xbd"
		    "Bcc: v@example.com" },
		{ "a\tb\x1b[31m", "a\xef\xbf\xbd" "b\xef\xbf\xbd[31m" },
		{ "\xe2\x80\xae" "dtl", "\xef\xbf\xbd" "dtl" },	/* RLO */
		{ "x\xe2\x81\xa6y", "x\xef\xbf\xbdy" },		/* LRI */
		{ "z\xe2\x80\x8bw", "z\xef\xbf\xbdw" },		/* ZWSP */
		{ "\xc2\x85", "\xef\xbf\xbd" },			/* C1 NEL */
		{ "bad\xff", "bad\xef\xbf\xbd" },
		{ "\x7f", "\xef\xbf\xbd" },
	};
	struct sbuf b = { 0 };

	for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
		util_visible(t[i].in, &b);
		CHECK_STR(sbuf_str(&b), t[i].want);
	}
	sbuf_free(&b);
}

static void
test_diag(void)
{
	struct diag d;
	char big[3000];

	diag_clear(&d);
	CHECK_STR(d.msg, "");
	diag_set(&d, "bad %s", "date");
	diag_prefix(&d, "field \"%s\"", "due_date");
	CHECK_STR(d.msg, "field \"due_date\": bad date");
	memset(big, 'x', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	diag_set(&d, "%s", big);	/* truncated, not overflowed */
	CHECK_INT(strlen(d.msg), sizeof d.msg - 1);
	diag_set(NULL, "ignored");
}

int
main(void)
{
	T_RUN(test_strtonum);
	T_RUN(test_utf8);
	T_RUN(test_norm_key_and_case);
	T_RUN(test_trim);
	T_RUN(test_sbuf);
	T_RUN(test_quote);
	T_RUN(test_visible);
	T_RUN(test_diag);
	return T_DONE();
}

/*
 * Unit tests of lib/outbox: file names from hostile data (path
 * traversal, control characters, dots), base64 and quoted-printable,
 * encoded-word headers for non-ASCII names, the RFC 5322 date, SMS
 * segmentation at 160/161 GSM-7 and 70/71 UCS-2 characters with the
 * extension table counting double and pairs never split, and CSV fields
 * that would be formulas.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "outbox.h"
#include "t.h"

static const char *
safe(const char *s, int *changed, struct sbuf *o)
{
	sbuf_reset(o);
	*changed = outbox_safe_name(s, o);
	return sbuf_str(o);
}

/* A debtor's name as one line of plain text (nu4 report 12, 17): controls
 * (C0, DEL, C1) become spaces, the bidirectional controls go. */
static void
plain(void)
{
	static const struct { const char *in, *want; } t[] = {
		{ "", "" },
		{ "Acme Ltd", "Acme Ltd" },
		{ "Evil\r\nBcc: v@x", "Evil  Bcc: v@x" },
		{ "a\x7f" "b\x01", "a b " },
		{ "a\xc2\x85" "b", "a b" },		/* NEL, a C1 control */
		{ "Abc\xe2\x80\xae" "gpj.exe", "Abcgpj.exe" },	/* RLO */
		{ "\xe2\x80\xaa\xe2\x80\xab\xe2\x80\xac\xe2\x80\xad"
		    "x\xe2\x81\xa6\xe2\x81\xa9\xe2\x80\x8e\xe2\x80\x8f"
		    "\xd8\x9c", "x" },
		/* Neighbours kept: U+2029 is not a bidi control here, nor
		 * U+2065, U+206A, nor the é of Café. */
		{ "\xe2\x80\xa9\xe2\x81\xa5\xe2\x81\xaa" "Caf\xc3\xa9",
		    "\xe2\x80\xa9\xe2\x81\xa5\xe2\x81\xaa" "Caf\xc3\xa9" },
	};

	for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
		char *s = xstrdup(t[i].in);

		outbox_plain_text(s);
		CHECK_STR(s, t[i].want);
		free(s);
	}
	outbox_plain_text(NULL);
}

/* A word no fold can split goes as encoded words, every line of the
 * header within 78 (nu4 report, 11); a 76-letter word is still
 * written as it is. */
static void
long_words(void)
{
	struct sbuf o = { 0 }, v = { 0 };
	size_t longest = 0, run = 0;

	for (int i = 0; i < 2000; i++)
		sbuf_addc(&v, 'L');
	outbox_header("Subject", sbuf_str(&v), &o);
	CHECK(strncmp(sbuf_str(&o), "Subject: =?UTF-8?B?", 19) == 0);
	for (const char *p = sbuf_str(&o); *p; p++) {
		run = *p == '\n' ? 0 : run + 1;
		if (run > longest)
			longest = run;
	}
	CHECK(longest <= 78);
	sbuf_reset(&o);
	(void)outbox_mailbox(sbuf_str(&v), "l@l.example", &o);
	CHECK(strncmp(sbuf_str(&o), "=?UTF-8?B?", 10) == 0);
	sbuf_reset(&o);
	sbuf_reset(&v);
	for (int i = 0; i < 76; i++)
		sbuf_addc(&v, 'L');
	outbox_header("X", sbuf_str(&v), &o);
	CHECK_INT((long)o.len, 76 + 4);
	sbuf_free(&o);
	sbuf_free(&v);
}

static void
names(void)
{
	struct sbuf o = { 0 };
	int ch;

	CHECK_STR(safe("C001", &ch, &o), "C001");
	CHECK_INT(ch, 0);
	CHECK_STR(safe("../../etc/passwd", &ch, &o), "_._.._etc_passwd");
	CHECK_INT(ch, 1);
	CHECK_STR(safe("..", &ch, &o), "_.");
	CHECK_STR(safe(".hidden", &ch, &o), "_hidden");
	CHECK_STR(safe("a\nb\tc\x01", &ch, &o), "a_b_c_");
	CHECK_STR(safe("", &ch, &o), "_");
	CHECK_STR(safe("Café", &ch, &o), "Caf__");
	CHECK_STR(safe("x/y", &ch, &o), "x_y");
	{
		char longname[200];

		memset(longname, 'a', sizeof longname - 1);
		longname[sizeof longname - 1] = '\0';
		CHECK_INT(strlen(safe(longname, &ch, &o)), 64);
		CHECK_INT(ch, 1);
	}
	sbuf_free(&o);
}

static void
mime(void)
{
	struct sbuf o = { 0 };
	char date[40];

	outbox_base64((const unsigned char *)"Man", 3, &o);
	outbox_base64((const unsigned char *)"Ma", 2, &o);
	outbox_base64((const unsigned char *)"M", 1, &o);
	CHECK_STR(sbuf_str(&o), "TWFuTWE=TQ==");
	sbuf_reset(&o);
	outbox_qp("Total: \xc2\xa3" "5 = due \n.dot\nFrom here\nend ", &o);
	CHECK_STR(sbuf_str(&o), "Total: =C2=A35 =3D due=20\n=2Edot\n=46rom "
	    "here\nend=20");
	sbuf_reset(&o);
	{
		char line[200];

		memset(line, 'x', 100);
		line[100] = '\0';
		outbox_qp(line, &o);
		CHECK(strstr(sbuf_str(&o), "=\n") != NULL);
		CHECK_INT(strcspn(sbuf_str(&o), "\n"), 76);
	}
	sbuf_reset(&o);
	outbox_header("Subject", "Invoice INV-1", &o);
	CHECK_STR(sbuf_str(&o), "Subject: Invoice INV-1\n");
	sbuf_reset(&o);
	outbox_header("Subject", "Fa\xc3\xa7" "ade\r\nBcc: x@evil", &o);
	CHECK_STR(sbuf_str(&o), "Subject: =?UTF-8?B?RmHDp2FkZSAgQmNjOiB4QGV2"
	    "aWw=?=\n");
	sbuf_reset(&o);
	CHECK_INT(outbox_mailbox("O'Brien & \"Sons\"", "ap@obrien.example",
	    &o), 0);
	CHECK_STR(sbuf_str(&o), "\"O'Brien & \\\"Sons\\\"\" "
	    "<ap@obrien.example>");
	sbuf_reset(&o);
	CHECK_INT(outbox_mailbox("Müller GmbH", "ap@m.example", &o), 0);
	CHECK_STR(sbuf_str(&o), "=?UTF-8?B?TcO8bGxlciBHbWJI?= <ap@m.example>");
	CHECK_INT(outbox_mailbox("x", "a@b>c", &o), -1);
	CHECK_INT(outbox_mailbox("x", "no-at", &o), -1);
	CHECK_INT(outbox_mailbox("x", "a@b\nBcc: c@d", &o), -1);
	CHECK_INT(outbox_rfc5322_date("2024-02-29T09:30:00Z", date), 0);
	CHECK_STR(date, "Thu, 29 Feb 2024 09:30:00 +0000");
	CHECK_INT(outbox_rfc5322_date("yesterday", date), -1);
	/* A long non-ASCII subject: several words, none over 75. */
	sbuf_reset(&o);
	{
		struct sbuf s = { 0 };
		const char *p, *e;

		for (int i = 0; i < 30; i++)
			sbuf_adds(&s, "\xc3\xa9t\xc3\xa9 ");
		outbox_header("Subject", sbuf_str(&s), &o);
		for (p = sbuf_str(&o); (e = strstr(p, "=?UTF-8?B?")) != NULL;
		    p = e + 1)
			CHECK(strstr(e, "?=") - e + 2 <= 75);
		CHECK(strstr(sbuf_str(&o), "\n =?UTF-8?B?") != NULL);
		sbuf_free(&s);
	}
	sbuf_free(&o);
}

static void
sms_case(const char *text, enum outbox_sms_coding coding, size_t units,
    size_t parts, size_t first_len)
{
	struct outbox_sms s;

	outbox_sms_split(text, &s);
	CHECK_INT(s.coding, coding);
	CHECK_INT(s.units, units);
	CHECK_INT(s.nparts, parts);
	if (s.nparts > 0)
		CHECK_INT(strlen(s.parts[0]), first_len);
	outbox_sms_free(&s);
}

static void
sms(void)
{
	char a[400];
	struct sbuf u = { 0 };

	memset(a, 'a', 160);
	a[160] = '\0';
	sms_case(a, OUTBOX_GSM7, 160, 1, 160);
	a[160] = 'a';
	a[161] = '\0';
	sms_case(a, OUTBOX_GSM7, 161, 2, 153);
	memset(a, 'a', 306);
	a[306] = '\0';
	sms_case(a, OUTBOX_GSM7, 306, 2, 153);
	a[306] = 'a';
	a[307] = '\0';
	sms_case(a, OUTBOX_GSM7, 307, 3, 153);
	/* The euro sign and the brackets count two; 158 + one euro = 160. */
	memset(a, 'a', 158);
	a[158] = '\0';
	sbuf_adds(&u, a);
	sbuf_adds(&u, "\xe2\x82\xac");
	sms_case(sbuf_str(&u), OUTBOX_GSM7, 160, 1, 161);
	sbuf_adds(&u, "[");
	sms_case(sbuf_str(&u), OUTBOX_GSM7, 162, 2, 153);
	/* An escape pair at 152-153 moves whole to the next part. */
	sbuf_reset(&u);
	memset(a, 'a', 152);
	a[152] = '\0';
	sbuf_adds(&u, a);
	sbuf_adds(&u, "{");
	sbuf_adds(&u, a);
	sms_case(sbuf_str(&u), OUTBOX_GSM7, 306, 3, 152);
	/* £ and é are in the default alphabet: one septet each. */
	sbuf_reset(&u);
	for (int i = 0; i < 80; i++)
		sbuf_adds(&u, "\xc2\xa3\xc3\xa9");
	sms_case(sbuf_str(&u), OUTBOX_GSM7, 160, 1, 320);
	/* One character outside GSM-7 (a curly quote) makes it UCS-2. */
	sbuf_reset(&u);
	memset(a, 'a', 69);
	a[69] = '\0';
	sbuf_adds(&u, a);
	sbuf_adds(&u, "\xe2\x80\x99");
	sms_case(sbuf_str(&u), OUTBOX_UCS2, 70, 1, 72);
	sbuf_adds(&u, "b");
	sms_case(sbuf_str(&u), OUTBOX_UCS2, 71, 2, 67);
	/* A backtick is not GSM-7 either. */
	sms_case("`", OUTBOX_UCS2, 1, 1, 1);
	/* An emoji is a surrogate pair: two units, never split. */
	sbuf_reset(&u);
	memset(a, 'a', 66);
	a[66] = '\0';
	sbuf_adds(&u, a);
	sbuf_adds(&u, "\xf0\x9f\x98\x80");
	sbuf_adds(&u, "bbbb");
	sms_case(sbuf_str(&u), OUTBOX_UCS2, 72, 2, 66);
	CHECK_INT(outbox_gsm7_units('a'), 1);
	CHECK_INT(outbox_gsm7_units(0x20ac), 2);
	CHECK_INT(outbox_gsm7_units('~'), 2);
	CHECK_INT(outbox_gsm7_units(0x394), 1);
	CHECK_INT(outbox_gsm7_units(0x2019), 0);
	sbuf_free(&u);
}

static void
staging(void)
{
	char dir[] = "/tmp/ck-ob-XXXXXX";
	struct outbox_stage st = { 0 };
	struct sbuf p = { 0 };
	struct diag d;
	FILE *fp;
	char buf[16] = { 0 };

	if (mkdtemp(dir) == NULL) {
		CHECK(0);
		return;
	}
	sbuf_addf(&p, "%s/a/b/x.txt", dir);
	CHECK_INT(outbox_stage_file(&st, sbuf_str(&p), "hi", 2, &d), 0);
	CHECK((fp = fopen(sbuf_str(&p), "r")) == NULL);
	CHECK_INT(outbox_stage_commit(&st, &d), 0);
	CHECK((fp = fopen(sbuf_str(&p), "r")) != NULL);
	if (fp) {
		CHECK_INT(fread(buf, 1, sizeof buf, fp), 2);
		fclose(fp);
	}
	sbuf_reset(&p);
	sbuf_addf(&p, "%s/y.txt", dir);
	CHECK_INT(outbox_stage_file(&st, sbuf_str(&p), "no", 2, &d), 0);
	outbox_stage_abort(&st);
	CHECK((fp = fopen(sbuf_str(&p), "r")) == NULL);
	sbuf_reset(&p);
	sbuf_addf(&p, "rm -rf '%s'", dir);
	CHECK_INT(system(sbuf_str(&p)), 0);
	sbuf_free(&p);
}

/* Telephone numbers for an SMS or a call (nu4b D9): E.164 and national
 * forms with the usual separators; text is never a number. */
static void
phones(void)
{
	static const struct { const char *in, *out; } t[] = {
		{ "+447700900001", "+447700900001" },
		{ "+44 7700 900001", "+447700900001" },
		{ "+1 (212) 555-0100", "+12125550100" },
		{ "0113 496 0000", "01134960000" },
		{ "(0113) 496.0000", "01134960000" },
		{ "01134960000", "01134960000" },
		{ "12345", "12345" },			/* shortest national */
		{ "1234", NULL },
		{ "+1234567", "+1234567" },		/* 7 digits */
		{ "+123456", NULL },
		{ "+123456789012345", "+123456789012345" }, /* E.164's 15 */
		{ "+1234567890123456", NULL },
		{ "1234567890123456", NULL },
		{ "+0447700900001", NULL },	/* no country code 0 */
		{ "++447700900001", NULL },
		{ "44+7700900001", NULL },
		{ "-0113 496 0000", NULL },	/* a formula's sign */
		{ ".01134960000", NULL },
		{ "+-447700900001", NULL },
		{ "=cmd|' /C calc'!A0", NULL },
		{ "n/a", NULL },
		{ "a@b.example", NULL },
		{ "0113 496 0000 x12", NULL },
		{ "", NULL },
		{ "   ", NULL },
		{ "+", NULL },
	};

	for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
		char out[OUTBOX_PHONE_BUFSZ] = "";

		CHECK_INT(outbox_phone_ok(t[i].in, out), t[i].out != NULL);
		CHECK_INT(outbox_phone_ok(t[i].in, NULL), t[i].out != NULL);
		if (t[i].out != NULL)
			CHECK_STR(out, t[i].out);
	}
	CHECK_INT(outbox_phone_ok(NULL, NULL), 0);
}

int
main(void)
{
	T_RUN(plain);
	T_RUN(long_words);
	T_RUN(names);
	T_RUN(mime);
	T_RUN(sms);
	T_RUN(staging);
	T_RUN(phones);
	return T_DONE();
}

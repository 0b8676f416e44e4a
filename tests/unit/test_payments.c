/*
 * test_payments: the rules of lib/payments.c and the :86: reader of
 * lib/mt940.c that do not need a state: ISO 11649 references (check
 * digits, spaces, case, the length limits), the clamp of impossible bank
 * dates, decoding to UTF-8 (valid UTF-8 kept, Windows-1252 guessed, bytes
 * it does not define refused, a named code page), format sniffing, and
 * the three forms of :86: details, MT940 amounts (no space or point in
 * them) and CSV dates beyond their month's end (clamped, as MT940's).
 */
#include <stdio.h>
#include <string.h>

#include "bankcsv.h"
#include "mt940.h"
#include "payments.h"
#include "t.h"

/* A sink that keeps the last entry's amount and booking date, and
 * counts entries, rejects and warnings. */
struct got {
	long entries, rejects, warnings;
	int64_t amount;
	int32_t booked;
};

static int
g_statement(void *ctx, struct pay_statement *s, struct diag *d)
{
	(void)ctx, (void)s, (void)d;
	return 0;
}

static int
g_entry(void *ctx, struct pay_entry *e, struct diag *d)
{
	struct got *g = ctx;

	(void)d;
	g->entries++;
	g->amount = e->amount;
	g->booked = e->booking_date;
	return 0;
}

static int
g_reject(void *ctx, long line, const char *msg, const char *raw,
    size_t rawlen, struct diag *d)
{
	(void)line, (void)msg, (void)raw, (void)rawlen, (void)d;
	((struct got *)ctx)->rejects++;
	return 0;
}

static void
g_warn(void *ctx, long line, const char *msg)
{
	(void)line, (void)msg;
	((struct got *)ctx)->warnings++;
}

static void
test_rf(void)
{
	static const struct {
		const char *in;
		int want;
		const char *norm;
	} t[] = {
		{ "RF18539007547034", 1, "RF18539007547034" },
		{ "RF18 5390 0754 7034", 1, "RF18539007547034" },
		{ "rf18539007547034", 1, "RF18539007547034" },
		{ "RF78INV2024001", 1, "RF78INV2024001" },
		{ "RF19539007547034", -1, NULL },	/* a check digit off */
		{ "RF18539007547035", -1, NULL },	/* a reference digit */
		{ "RF00", 0, NULL },			/* no reference */
		{ "RF331", -1, NULL },			/* shortest shape */
		{ "RF18", 0, NULL },
		{ "RF1X539007547034", 0, NULL },	/* check not digits */
		{ "RF18-5390", 0, NULL },		/* punctuation */
		{ "RF181234567890123456789012", 0, NULL },	/* 26: too long */
		{ "INV-302", 0, NULL },
		{ "", 0, NULL },
	};
	struct sbuf norm = { 0 };

	for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
		int got = pay_rf_check(t[i].in, &norm);

		if (got != t[i].want)
			printf("#   \"%s\"\n", t[i].in);
		CHECK_INT(got, t[i].want);
		if (t[i].want == 1)
			CHECK_STR(sbuf_str(&norm), t[i].norm);
	}
	sbuf_free(&norm);
}

static void
test_ymd(void)
{
	int32_t day;
	char buf[DATE_BUFSZ];

	CHECK_INT(pay_ymd(2024, 2, 29, &day), 0);
	CHECK_STR(date_format(day, buf), "2024-02-29");
	CHECK_INT(pay_ymd(2024, 2, 30, &day), 1);
	CHECK_STR(date_format(day, buf), "2024-02-29");
	CHECK_INT(pay_ymd(2023, 2, 31, &day), 1);
	CHECK_STR(date_format(day, buf), "2023-02-28");
	CHECK_INT(pay_ymd(2024, 4, 31, &day), 1);
	CHECK_STR(date_format(day, buf), "2024-04-30");
	CHECK_INT(pay_ymd(2024, 12, 31, &day), 0);
	CHECK_INT(pay_ymd(2024, 13, 1, &day), -1);
	CHECK_INT(pay_ymd(2024, 0, 1, &day), -1);
	CHECK_INT(pay_ymd(2024, 2, 0, &day), -1);
	CHECK_INT(pay_ymd(2024, 2, 32, &day), -1);
	CHECK_INT(pay_ymd(1799, 1, 1, &day), -1);
}

/* The bounds on an entry and a balance: the limit itself is taken, one
 * minor unit past it (either sign) is not, and the message names the
 * amount in the currency's digits. */
static void
test_too_large(void)
{
	static const struct {
		int64_t v, limit;
		const char *ccy;
		int want;
		const char *msg;
	} t[] = {
		{ 0, PAY_MAX_ENTRY, "GBP", 0, "" },
		{ PAY_MAX_ENTRY, PAY_MAX_ENTRY, "GBP", 0, "" },
		{ -PAY_MAX_ENTRY, PAY_MAX_ENTRY, "GBP", 0, "" },
		{ PAY_MAX_ENTRY + 1, PAY_MAX_ENTRY, "GBP", 1,
		  "10000000000000.01 GBP is beyond the 10000000000000.00 an "
		  "entry can be (10^15 minor units)" },
		{ -PAY_MAX_ENTRY - 1, PAY_MAX_ENTRY, "JPY", 1,
		  "-1000000000000001 JPY is beyond the 1000000000000000 an "
		  "entry can be (10^15 minor units)" },
		{ PAY_MAX_ENTRY + 1, PAY_MAX_BALANCE, "GBP", 0, "" },
		{ PAY_MAX_BALANCE + 1, PAY_MAX_BALANCE, "BHD", 1,
		  "100000000000000.001 BHD is beyond the 100000000000000.000 a "
		  "balance can be (10^17 minor units)" },
		{ INT64_MIN, PAY_MAX_BALANCE, "EUR", 1,
		  "-92233720368547758.08 EUR is beyond the 1000000000000000.00 "
		  "a balance can be (10^17 minor units)" },
	};

	for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
		struct sbuf m = { 0 };

		CHECK_INT(pay_too_large(t[i].v, t[i].limit, t[i].ccy, &m),
		    t[i].want);
		CHECK_STR(sbuf_str(&m), t[i].msg);
		sbuf_free(&m);
	}
}

static void
test_utf8(void)
{
	struct sbuf out = { 0 };
	struct diag d;
	int guessed;

	diag_clear(&d);
	/* UTF-8 stays, a BOM goes. */
	CHECK_INT(pay_to_utf8("\xEF\xBB\xBFM\xC3\xBCller", 10, NULL, &out,
	    &guessed, &d), 0);
	CHECK_STR(sbuf_str(&out), "M\xC3\xBCller");
	CHECK_INT(guessed, 0);
	/* Windows-1252: the euro sign 0x80 and umlauts. */
	CHECK_INT(pay_to_utf8("\x80 M\xFCller", 8, NULL, &out, &guessed, &d),
	    0);
	CHECK_STR(sbuf_str(&out), "\xE2\x82\xAC M\xC3\xBCller");
	CHECK_INT(guessed, 1);
	/* Latin-1 text (no 0x80-0x9F) reads the same. */
	CHECK_INT(pay_to_utf8("Gro\xDF", 4, "ISO-8859-1", &out, &guessed, &d),
	    0);
	CHECK_STR(sbuf_str(&out), "Gro\xC3\x9F");
	CHECK_INT(guessed, 0);
	/* A byte Windows-1252 leaves undefined is no guess. */
	diag_clear(&d);
	CHECK_INT(pay_to_utf8("a\nb\x81", 4, NULL, &out, &guessed, &d), -1);
	CHECK_INT(d.line, 2);
	CHECK(strstr(d.msg, "0x81") != NULL);
	/* Named UTF-8 that is not. */
	diag_clear(&d);
	CHECK_INT(pay_to_utf8("ok\n\xFC", 4, "UTF-8", &out, &guessed, &d),
	    -1);
	CHECK_INT(d.line, 2);
	CHECK_INT(pay_to_utf8("", 0, NULL, &out, &guessed, &d), 0);
	CHECK_STR(sbuf_str(&out), "");
	sbuf_free(&out);
}

static void
test_sniff(void)
{
	static const struct {
		const char *in;
		enum pay_format want;
	} t[] = {
		{ "<?xml version=\"1.0\"?><Document/>", PAY_FMT_CAMT },
		{ "\xEF\xBB\xBF  <Document/>", PAY_FMT_CAMT },
		{ ":20:X\n:25:1\n", PAY_FMT_MT940 },
		{ "\x01\r\n:20:X\r\n", PAY_FMT_MT940 },
		{ "ABNANL2A\n940\nABNANL2A\n:20:ABN\n", PAY_FMT_MT940 },
		{ "{1:F01X}{2:O940X}{4:\n:20:0\n", PAY_FMT_MT940 },
		{ ":60F:C100318EUR1,00\n", PAY_FMT_MT940 },
		{ "Date,Amount\n2024-01-01,1.00\n", PAY_FMT_CSV },
		{ "Date,Note\n1,\":20: in a field\"\n", PAY_FMT_CSV },
		{ "", PAY_FMT_CSV },
	};

	for (size_t i = 0; i < sizeof t / sizeof t[0]; i++)
		CHECK_INT(pay_sniff(t[i].in, strlen(t[i].in)), t[i].want);
}

static void
details(const char *in, const char *name, const char *acct,
    const char *ref, const char *e2e)
{
	struct pay_entry e;

	memset(&e, 0, sizeof e);
	pay_entry_reset(&e);
	mt940_details(in, strlen(in), &e);
	CHECK_STR(sbuf_str(&e.payer_name), name);
	CHECK_STR(sbuf_str(&e.payer_account), acct);
	CHECK_STR(sbuf_str(&e.reference), ref);
	CHECK_STR(sbuf_str(&e.end_to_end_id), e2e);
	pay_entry_free(&e);
}

static void
test_details(void)
{
	/* Structured, a subfield cut across lines (even "?2\n2"). */
	details("166?00GUTSCHRIFT?20EREF+ABC-1?21SVWZ+INV 12?2\n2 PAID?32ACME"
	    "?33 LTD?31DE02120300000000202051", "ACME LTD",
	    "DE02120300000000202051", "INV 12 PAID", "ABC-1");
	/* A full 27-character subfield joins the next with nothing. */
	details("166?20EREF+EndToEndIdTFNR20001000?2101?21SVWZ+X", "", "", "X",
	    "EndToEndIdTFNR2000100001");
	/* A tag cut between two full subfields ("... S" "VWZ+"). */
	details("835?20A?21BBBBBBBBBBBBBBBBBBBBBBBBB S?22VWZ+Text", "", "",
	    "Text", "");
	/* Triodos writes > for ?. */
	details("000>100987654321\n>20HUUR>21 KANTOOR", "", "", "HUUR KANTOOR",
	    "");
	/* NOTPROVIDED is no end-to-end id. */
	details("166?20EREF+NOTPROVIDED?21SVWZ+Y", "", "", "Y", "");
	/* KREF+ when there is nothing else. */
	details("191?20KREF+BATCH 7", "", "", "BATCH 7", "");
	/* The Dutch /TAG/ form. */
	details("/TRTP/SEPA OVERBOEKING/IBAN/NL91ABNA0417164300/BIC/ABNANL2A/"
	    "NAME/Epsilon BV/REMI/USTD//INV-305/EREF/E-9", "Epsilon BV",
	    "NL91ABNA0417164300", "INV-305", "E-9");
	/* Free text: a full line joins the next with nothing, a shorter
	 * one with a space; tags in it are read. */
	details("Zahlung EREF+E2E-77 SVWZ+Rechnung INV-77 vom 2. Januar, vielen "
	    "Da\nnk", "", "", "Rechnung INV-77 vom 2. Januar, vielen Dank",
	    "E2E-77");
	details("FACTUUR 201403110\nREK: NL65", "", "", "FACTUUR 201403110 REK: "
	    "NL65", "");
	details("TNR: \n179301073837502.000001", "", "",
	    "TNR: 179301073837502.000001", "");
	details("", "", "", "", "");
}

/* MT940 amounts: digits and one decimal comma, nothing else (nu3b B:
 * "1 000,00" read as 1,00). */
static void
test_mt940_amounts(void)
{
	static const struct {
		const char *amt;
		int ok;
		int64_t want;
	} t[] = {
		{ "1000,00", 1, 100000 },
		{ "0,01", 1, 1 },
		{ "1,", 1, 100 },
		{ "1 000,00", 0, 0 },
		{ "1.000,00", 0, 0 },
		{ "1000,00 ", 0, 0 },
	};
	struct sbuf f = { 0 };

	for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
		struct got g = { 0, 0, 0, 0, 0 };
		struct pay_sink k = { g_statement, g_entry, g_statement,
		    g_reject, g_warn, &g };
		struct diag d;

		sbuf_reset(&f);
		sbuf_addf(&f, ":20:T\n:25:ACC\n:28C:1/1\n:60F:C260101GBP0,00\n"
		    ":61:2601020102CR%sNTRFNONREF//X\n:86:x\n"
		    ":62F:C260102GBP0,00\n-\n", t[i].amt);
		diag_clear(&d);
		CHECK_INT(mt940_read(f.buf, f.len, &k, &d), 0);
		if (g.entries != t[i].ok)
			printf("#   \"%s\"\n", t[i].amt);
		CHECK_INT(g.entries, t[i].ok);
		CHECK_INT(g.rejects, !t[i].ok);
		if (t[i].ok)
			CHECK_INT(g.amount, t[i].want);
	}
	sbuf_free(&f);
}

/* CSV dates beyond their month's end are clamped with a warning, as
 * MT940 and camt dates are (nu3b I); a day or month no calendar has is
 * still rejected. */
static void
test_csv_dates(void)
{
	static const struct {
		const char *date;
		enum date_order order;
		int ok, warned;
		const char *want;
	} t[] = {
		{ "29/02/2024", DATE_DMY, 1, 0, "2024-02-29" },	/* leap */
		{ "29/02/2026", DATE_DMY, 1, 1, "2026-02-28" },
		{ "30/02/2026", DATE_DMY, 1, 1, "2026-02-28" },
		{ "31/04/2026", DATE_DMY, 1, 1, "2026-04-30" },
		{ "30.02.26", DATE_DMY, 1, 1, "2026-02-28" },
		{ "02/31/2026", DATE_MDY, 1, 1, "2026-02-28" },
		{ "2026-02-30", DATE_ISO, 1, 1, "2026-02-28" },
		{ "32/01/2026", DATE_DMY, 0, 0, NULL },	/* no month has 32 */
		{ "30/13/2026", DATE_DMY, 0, 0, NULL },
		{ "00/02/2026", DATE_DMY, 0, 0, NULL },
		{ "30/02/2026x", DATE_DMY, 0, 0, NULL },
	};
	struct sbuf f = { 0 };
	char buf[DATE_BUFSZ];

	for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
		struct got g = { 0, 0, 0, 0, 0 };
		struct pay_sink k = { g_statement, g_entry, g_statement,
		    g_reject, g_warn, &g };
		struct bankcsv_opts o;
		struct diag d;

		memset(&o, 0, sizeof o);
		o.date_order = t[i].order;
		o.decimal = -1;
		o.account = "ACC";
		memcpy(o.currency, "GBP", 4);
		sbuf_reset(&f);
		sbuf_addf(&f, "Date,Amount,Description\n%s,10.00,x\n",
		    t[i].date);
		diag_clear(&d);
		CHECK_INT(bankcsv_read(f.buf, f.len, &o, "id", &k, &d), 0);
		if (g.entries != t[i].ok || g.warnings != t[i].warned)
			printf("#   \"%s\"\n", t[i].date);
		CHECK_INT(g.entries, t[i].ok);
		CHECK_INT(g.rejects, !t[i].ok);
		CHECK_INT(g.warnings, t[i].warned);
		if (t[i].ok)
			CHECK_STR(date_format(g.booked, buf), t[i].want);
	}
	sbuf_free(&f);
}

int
main(void)
{
	T_RUN(test_rf);
	T_RUN(test_ymd);
	T_RUN(test_too_large);
	T_RUN(test_utf8);
	T_RUN(test_sniff);
	T_RUN(test_details);
	T_RUN(test_mt940_amounts);
	T_RUN(test_csv_dates);
	return T_DONE();
}

/*
 * test_tsv: the TSV reader and writer.  Reader cases are data: an input
 * and the transcript of what the reader made of it, one line per event
 * ("hdr" with the column names, "LINE: fields" for a row, "LINE! message"
 * for a rejected row, "eof"), with every byte that is not plain printable
 * ASCII written as \xHH so that the tables show exactly what came out.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "t.h"
#include "tsv.h"
#include "util.h"

static void
render(struct sbuf *b, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c >= 0x20 && c < 0x7f && c != '|' && c != '\\')
			sbuf_addc(b, (char)c);
		else
			sbuf_addf(b, "\\x%02x", c);
	}
}

static FILE *
open_bytes(const char *in, size_t len)
{
	FILE *fp = tmpfile();

	if (fp == NULL) {
		perror("tmpfile");
		exit(1);
	}
	if (len > 0 && fwrite(in, 1, len, fp) != len) {
		perror("fwrite");
		exit(1);
	}
	rewind(fp);
	return fp;
}

/* transcript: what the reader makes of in[0..len), as described above. */
static void
transcript(const char *in, size_t len, struct sbuf *out)
{
	FILE *fp = open_bytes(in, len);
	struct diag d;
	struct tsv_reader *r;
	int rc;

	sbuf_reset(out);
	diag_clear(&d);
	r = tsv_open(fp, "test", &d);
	if (r == NULL) {
		sbuf_addf(out, "open! %s @%ld", d.msg, d.line);
		fclose(fp);
		return;
	}
	sbuf_adds(out, "hdr ");
	for (size_t i = 0; i < tsv_ncols(r); i++) {
		const char *name = tsv_colname(r, i);

		if (i > 0)
			sbuf_addc(out, '|');
		render(out, name, strlen(name));
	}
	sbuf_addc(out, '\n');
	while ((rc = tsv_next(r, &d)) != 0) {
		if (rc < 0) {
			sbuf_addf(out, "%ld! %s\n", d.line, d.msg);
			continue;
		}
		sbuf_addf(out, "%ld: ", tsv_line(r));
		for (size_t i = 0; i < tsv_ncols(r); i++) {
			if (i > 0)
				sbuf_addc(out, '|');
			render(out, tsv_field(r, i), tsv_field_len(r, i));
			/* Fields are strings too, of exactly their length. */
			if (strlen(tsv_field(r, i)) != tsv_field_len(r, i))
				sbuf_adds(out, "<LEN MISMATCH>");
		}
		sbuf_addc(out, '\n');
	}
	sbuf_adds(out, "eof");
	tsv_close(r);
	fclose(fp);
}

#define IN(s) s, sizeof(s) - 1

static const struct {
	const char *in;
	size_t len;
	const char *want;
} read_cases[] = {
	/* Empty input and headers. */
	{ IN(""), "open! empty input: no header line @0" },
	{ IN("\n\n\r\n"), "open! empty input: no header line @0" },
	{ IN("\xEF\xBB\xBF"), "open! empty input: no header line @0" },
	{ IN("a"), "hdr a\neof" },
	{ IN("a\tb\n"), "hdr a|b\neof" },
	{ IN("a\tb\r\n"), "hdr a|b\neof" },
	{ IN("\n\na\n1\n"), "hdr a\n4: 1\neof" },
	{ IN("a\t\tb\n"), "open! empty column name (column 2 of 3) @1" },
	{ IN("a\t\n"), "open! empty column name (column 2 of 2) @1" },
	{ IN("\ta\n"), "open! empty column name (column 1 of 2) @1" },
	{ IN("\t\n"), "open! empty column name (column 1 of 2) @1" },
	{ IN("a\tb\ta\n"),
	    "open! duplicate column name \"a\" (columns 1 and 3) @1" },
	{ IN("b\ta\ta\tb\n"),
	    "open! duplicate column name \"a\" (columns 2 and 3) @1" },
	{ IN("x\ta\ta\ta\n"),
	    "open! duplicate column name \"a\" (columns 2 and 3) @1" },
	{ IN("\n\na\ta\n"),
	    "open! duplicate column name \"a\" (columns 1 and 2) @3" },
	{ IN("a\\\\\ta\\\\\n"),
	    "open! duplicate column name \"a\\\" (columns 1 and 2) @1" },
	{ IN("A\ta\n"), "hdr A|a\neof" },
	/* A data row where the header should be (grep dropped it): told
	 * so when a name is a date or a number; a bucket name is neither. */
	{ IN("EA\tEaster Ltd\t\t1200.00\n"), "open! no header line: the "
	    "first line is a data row (column 4 is \"1200.00\"), not column "
	    "names; a filter must keep the header (awk 'NR == 1 || /.../') "
	    "@1" },
	{ IN("U1\t2024-01-31\t2024-01-31\n"), "open! no header line: the "
	    "first line is a data row (column 2 is \"2024-01-31\"), not "
	    "column names; a filter must keep the header (awk 'NR == 1 || "
	    "/.../') @1" },
	{ IN("a\t\t1-30\t2024-1-31\t.\t-\n"),
	    "open! empty column name (column 2 of 6) @1" },
	{ IN("a\\x\n"), "open! bad escape \"\\x\" in column name 1 @1" },
	{ IN("a\tb\\\n"),
	    "open! bad escape \"\\\" at the end of column name 2 @1" },
	{ IN("a\t\xff\n"), "open! invalid UTF-8 in column name 2 @1" },
	{ IN("a\tb\0c\n"), "open! NUL byte in column name 2 @1" },
	{ IN("a\\tb\tc\\\\\n"), "hdr a\\x09b|c\\x5c\neof" },
	{ IN("caf\xC3\xA9\n1\n"), "hdr caf\\xc3\\xa9\n2: 1\neof" },

	/* BOM: skipped at the very start only. */
	{ IN("\xEF\xBB\xBF" "a\tb\n1\t2\n"), "hdr a|b\n2: 1|2\neof" },
	{ IN("\xEF\xBB\xBF" "a\tb\r\n1\t2\r\n"), "hdr a|b\n2: 1|2\neof" },
	{ IN("\xEF\xBB\xBF\na\n1\n"), "hdr a\n3: 1\neof" },
	{ IN("\xEF\xBB\xBF\xEF\xBB\xBF" "a\n"), "hdr \\xef\\xbb\\xbfa\neof" },
	{ IN("a\n\xEF\xBB\xBF" "x\n"), "hdr a\n2: \\xef\\xbb\\xbfx\neof" },
	{ IN("\xEF\xBB" "a\n"), "open! invalid UTF-8 in column name 1 @1" },

	/* Line ends. */
	{ IN("a\tb\n1\t2\n"), "hdr a|b\n2: 1|2\neof" },
	{ IN("a\tb\n1\t2"), "hdr a|b\n2: 1|2\neof" },
	{ IN("a\tb\r\n1\t2\r\n"), "hdr a|b\n2: 1|2\neof" },
	{ IN("a\tb\n1\t2\r"), "hdr a|b\n2: 1|2\neof" },
	{ IN("a\n1\r2\n"), "hdr a\n2: 1\\x0d2\neof" },
	{ IN("a\n1\r\r\n"), "hdr a\n2: 1\\x0d\neof" },
	{ IN("a\n\r1\n"), "hdr a\n2: \\x0d1\neof" },

	/* Blank lines are skipped but counted. */
	{ IN("a\n\n1\n\r\n\n2\n\n"), "hdr a\n3: 1\n6: 2\neof" },
	{ IN("a\n\n"), "hdr a\neof" },

	/* Empty fields and field counts. */
	{ IN("a\tb\tc\n\t\t\n"), "hdr a|b|c\n2: ||\neof" },
	{ IN("a\tb\n1\t\n"), "hdr a|b\n2: 1|\neof" },
	{ IN("a\tb\n\t1\n"), "hdr a|b\n2: |1\neof" },
	{ IN("a\tb\n\t\r\n"), "hdr a|b\n2: |\neof" },
	{ IN("a\tb\n1\t2\t3\n"),
	    "hdr a|b\n2! row has 3 fields, header has 2\neof" },
	{ IN("a\tb\n1\t2\t\n"),
	    "hdr a|b\n2! row has 3 fields, header has 2\neof" },
	{ IN("a\tb\tc\n1\n"),
	    "hdr a|b|c\n2! row has 1 field, header has 3\neof" },
	{ IN("a\n1\t\n"), "hdr a\n2! row has 2 fields, header has 1\neof" },
	{ IN("a\tb\n1\n2\t3\n4\t5\t6\n7\t8"),
	    "hdr a|b\n2! row has 1 field, header has 2\n3: 2|3\n"
	    "4! row has 3 fields, header has 2\n5: 7|8\neof" },

	/* Escapes. */
	{ IN("a\n\\t\\n\\r\\\\\n"), "hdr a\n2: \\x09\\x0a\\x0d\\x5c\neof" },
	{ IN("a\tb\nx\\ty\tp\\\\nq\n"), "hdr a|b\n2: x\\x09y|p\\x5cnq\neof" },
	{ IN("a\n\\\\\\\\\n"), "hdr a\n2: \\x5c\\x5c\neof" },
	{ IN("a\tnote\n1\tfoo\\xbar\n"),
	    "hdr a|note\n2! bad escape \"\\x\" in field \"note\"\neof" },
	{ IN("a\n1\\\n"),
	    "hdr a\n2! bad escape \"\\\" at the end of field \"a\"\neof" },
	{ IN("a\tb\nx\\\ty\n"),
	    "hdr a|b\n2! bad escape \"\\\" at the end of field \"a\"\neof" },
	{ IN("a\n\\ \n"), "hdr a\n2! bad escape \"\\ \" in field \"a\"\neof" },
	{ IN("a\n\\0\n"), "hdr a\n2! bad escape \"\\0\" in field \"a\"\neof" },
	{ IN("a\n\\N\n"), "hdr a\n2! bad escape \"\\N\" in field \"a\"\neof" },
	{ IN("a\n\\\xC3\xA9\n"),
	    "hdr a\n2! bad escape \"\\\xC3\xA9\" in field \"a\"\neof" },
	{ IN("a\n\\\x01\n"),
	    "hdr a\n"
	    "2! bad escape \"\\\" before byte 0x01 in field \"a\"\neof" },
	{ IN("a\n\\\r\n"),
	    "hdr a\n2! bad escape \"\\\" at the end of field \"a\"\neof" },
	{ IN("a\n\\\\\\\n"),
	    "hdr a\n2! bad escape \"\\\" at the end of field \"a\"\neof" },
	{ IN("a\n\\t\\q\\n\n2\n"),
	    "hdr a\n2! bad escape \"\\q\" in field \"a\"\n3: 2\neof" },

	/* UTF-8. */
	{ IN("a\n\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80\n"),
	    "hdr a\n2: \\xc3\\xa9\\xe2\\x82\\xac\\xf0\\x9f\\x98\\x80\neof" },
	{ IN("a\tb\nok\t\xff\n"),
	    "hdr a|b\n2! invalid UTF-8 in field \"b\"\neof" },
	{ IN("a\tb\n\x80\tok\n"),
	    "hdr a|b\n2! invalid UTF-8 in field \"a\"\neof" },
	{ IN("a\n\xC0\xAF\n"), "hdr a\n2! invalid UTF-8 in field \"a\"\neof" },
	{ IN("a\n\xED\xA0\x80\n"),
	    "hdr a\n2! invalid UTF-8 in field \"a\"\neof" },
	{ IN("a\n\xF4\x90\x80\x80\n"),
	    "hdr a\n2! invalid UTF-8 in field \"a\"\neof" },
	{ IN("a\n\xE2\x82\n"), "hdr a\n2! invalid UTF-8 in field \"a\"\neof" },
	{ IN("a\tb\n\xE2\x82\t\xAC\n"),
	    "hdr a|b\n2! invalid UTF-8 in field \"a\"\neof" },
	{ IN("a\tb\nabcdefghijklmnop\xC3\tx\n"),
	    "hdr a|b\n2! invalid UTF-8 in field \"a\"\neof" },
	/* The first bad field wins, whatever is wrong with it. */
	{ IN("a\tb\n\\x\t\xff\n"),
	    "hdr a|b\n2! bad escape \"\\x\" in field \"a\"\neof" },
	{ IN("a\tb\n\xff\t\\x\n"),
	    "hdr a|b\n2! invalid UTF-8 in field \"a\"\neof" },
	{ IN("a\tb\n\xff\n"),
	    "hdr a|b\n2! row has 1 field, header has 2\neof" },

	/* NUL bytes. */
	{ IN("a\tb\nx\ty\0z\n"), "hdr a|b\n2! NUL byte in field \"b\"\neof" },
	{ IN("a\n\0\n1\n"), "hdr a\n2! NUL byte in field \"a\"\n3: 1\neof" },
};

static void
test_read_table(void)
{
	struct sbuf got = { 0 };

	for (size_t i = 0; i < sizeof read_cases / sizeof read_cases[0]; i++) {
		transcript(read_cases[i].in, read_cases[i].len, &got);
		if (strcmp(sbuf_str(&got), read_cases[i].want) != 0)
			printf("# case %zu:\n", i);
		CHECK_STR(sbuf_str(&got), read_cases[i].want);
	}
	sbuf_free(&got);
}

static void
test_columns(void)
{
	static const char in[] = "\xEF\xBB\xBFid\tname\tamount\\tx\r\n"
	    "1\tacme\\\\co\t10.00\r\n\n2\tbad\n";
	FILE *fp = open_bytes(in, sizeof in - 1);
	struct diag d;
	struct tsv_reader *r = tsv_open(fp, "x", &d);

	CHECK(r != NULL);
	if (r == NULL)
		return;
	CHECK_INT(tsv_ncols(r), 3);
	CHECK_INT(tsv_col(r, "id"), 0);
	CHECK_INT(tsv_col(r, "name"), 1);
	CHECK_INT(tsv_col(r, "amount\tx"), 2);
	CHECK_INT(tsv_col(r, "amount"), -1);
	CHECK_INT(tsv_col(r, ""), -1);
	CHECK_INT(tsv_col(r, "ID"), -1);
	CHECK_STR(tsv_colname(r, 2), "amount\tx");
	CHECK(tsv_colname(r, 3) == NULL);
	CHECK_STR(tsv_raw_header(r), "id\tname\tamount\\tx");

	CHECK_INT(tsv_next(r, &d), 1);
	CHECK_INT(tsv_line(r), 2);
	CHECK_STR(tsv_raw(r), "1\tacme\\\\co\t10.00");
	CHECK_STR(tsv_field(r, 1), "acme\\co");
	CHECK_INT(tsv_field_len(r, 1), 7);

	CHECK_INT(tsv_next(r, &d), -1);
	CHECK_INT(d.line, 4);
	CHECK_INT(tsv_line(r), 4);
	CHECK_STR(tsv_raw(r), "2\tbad");
	CHECK_STR(d.msg, "row has 2 fields, header has 3");

	CHECK_INT(tsv_next(r, &d), 0);
	CHECK_INT(tsv_next(r, &d), 0);
	tsv_close(r);
	fclose(fp);
}

/* tsv_header_is_data: a header the tool cannot use, told as a data row
 * when it is one. */
static void
test_header_is_data(void)
{
	static const struct { const char *in; int want; } t[] = {
		{ "U1\tU One Ltd\t-5\n", 1 },
		{ "U1\t+7\n", 1 },
		{ "debtor_id\t1-30\t31-60\n", 0 },
		{ "a\t2024-01-3x\t1.2.3\n", 0 },
	};

	for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
		FILE *fp = open_bytes(t[i].in, strlen(t[i].in));
		struct diag d;
		struct tsv_reader *r = tsv_open(fp, "x", &d);

		CHECK(r != NULL);
		if (r == NULL) {
			fclose(fp);
			continue;
		}
		diag_clear(&d);
		CHECK_INT(tsv_header_is_data(r, &d), t[i].want);
		CHECK(t[i].want ? strncmp(d.msg, "no header line: ", 16) == 0 :
		    d.msg[0] == '\0');
		tsv_close(r);
		fclose(fp);
	}
}

/* Many columns: tsv_col's binary search and duplicate detection. */
static void
test_wide_header(void)
{
	struct sbuf in = { 0 }, name = { 0 };
	enum { N = 20000 };
	FILE *fp;
	struct diag d;
	struct tsv_reader *r;
	int ok = 1;

	for (int i = 0; i < N; i++)
		sbuf_addf(&in, "%sc%d", i ? "\t" : "", (i * 7919) % N);
	sbuf_addc(&in, '\n');
	for (int i = 0; i < N; i++)
		sbuf_addf(&in, "%s%d", i ? "\t" : "", (i * 7919) % N);
	sbuf_addc(&in, '\n');
	fp = open_bytes(in.buf, in.len);
	r = tsv_open(fp, "x", &d);
	CHECK(r != NULL);
	if (r != NULL) {
		CHECK_INT(tsv_ncols(r), N);
		CHECK_INT(tsv_next(r, &d), 1);
		for (int i = 0; i < N; i++) {
			int k = tsv_col(r, tsv_colname(r, (size_t)i));

			sbuf_reset(&name);
			sbuf_addf(&name, "%d", (i * 7919) % N);
			if (k != i || strcmp(tsv_field(r, (size_t)i),
			    sbuf_str(&name)) != 0)
				ok = 0;
		}
		CHECK(ok);
		CHECK_INT(tsv_col(r, "c20000"), -1);
		tsv_close(r);
	}
	fclose(fp);

	/* The same header with the last name repeating an early one. */
	sbuf_reset(&in);
	for (int i = 0; i < N; i++)
		sbuf_addf(&in, "\tc%d", i == N - 1 ? 5 : i);
	fp = open_bytes(in.buf + 1, in.len - 1);
	r = tsv_open(fp, "x", &d);
	CHECK(r == NULL);
	CHECK_STR(d.msg, "duplicate column name \"c5\" (columns 6 and 20000)");
	tsv_close(r);
	fclose(fp);
	sbuf_free(&in);
	sbuf_free(&name);
}

/* Lines far longer than any stdio buffer, growing and shrinking. */
static void
test_long_lines(void)
{
	enum { MB = 1 << 20 };
	struct sbuf in = { 0 };
	char *big = xmalloc(MB);
	FILE *fp;
	struct diag d;
	struct tsv_reader *r;

	for (size_t i = 0; i < MB; i++)
		big[i] = (char)('a' + i % 26);
	sbuf_adds(&in, "k\tv\n");
	sbuf_adds(&in, "1\t");
	sbuf_add(&in, big, MB);
	sbuf_adds(&in, "\n2\tshort\n3\t");
	/* A megabyte of escapes halves in place. */
	for (size_t i = 0; i < MB / 2; i++)
		sbuf_adds(&in, "\\t");
	sbuf_adds(&in, "\n4\t");
	sbuf_add(&in, big, MB);
	sbuf_adds(&in, "\\x\n5\t");
	sbuf_add(&in, big, MB);
	sbuf_adds(&in, "\t\n");

	fp = open_bytes(in.buf, in.len);
	r = tsv_open(fp, "x", &d);
	CHECK(r != NULL);
	if (r != NULL) {
		CHECK_INT(tsv_next(r, &d), 1);
		CHECK_INT(tsv_field_len(r, 1), MB);
		CHECK(memcmp(tsv_field(r, 1), big, MB) == 0);
		CHECK_INT(strlen(tsv_raw(r)), MB + 2);

		CHECK_INT(tsv_next(r, &d), 1);
		CHECK_STR(tsv_field(r, 1), "short");
		CHECK_STR(tsv_raw(r), "2\tshort");

		CHECK_INT(tsv_next(r, &d), 1);
		CHECK_INT(tsv_field_len(r, 1), MB / 2);
		CHECK_INT(strspn(tsv_field(r, 1), "\t"), MB / 2);

		CHECK_INT(tsv_next(r, &d), -1);
		CHECK_INT(d.line, 5);
		CHECK_STR(d.msg, "bad escape \"\\x\" in field \"v\"");

		CHECK_INT(tsv_next(r, &d), -1);
		CHECK_STR(d.msg, "row has 3 fields, header has 2");
		CHECK_INT(tsv_next(r, &d), 0);
		tsv_close(r);
	}
	fclose(fp);
	free(big);
	sbuf_free(&in);
}

/* The buffers are reused row after row; nothing leaks between rows. */
static void
test_many_rows(void)
{
	struct sbuf in = { 0 }, want = { 0 };
	FILE *fp;
	struct diag d;
	struct tsv_reader *r;
	int bad = 0;
	long rows = 0;

	sbuf_adds(&in, "n\tsq\ttext\n");
	for (int i = 0; i < 100000; i++)
		sbuf_addf(&in, "%d\t%lld\t%.*s\\n\n", i, (long long)i * i,
		    i % 40, "0123456789012345678901234567890123456789");
	fp = open_bytes(in.buf, in.len);
	r = tsv_open(fp, "x", &d);
	CHECK(r != NULL);
	while (r != NULL && tsv_next(r, &d) == 1) {
		sbuf_reset(&want);
		sbuf_addf(&want, "%.*s\n", (int)(rows % 40),
		    "0123456789012345678901234567890123456789");
		if (strcmp(tsv_field(r, 2), sbuf_str(&want)) != 0 ||
		    tsv_line(r) != rows + 2)
			bad++;
		rows++;
	}
	CHECK_INT(rows, 100000);
	CHECK_INT(bad, 0);
	tsv_close(r);
	fclose(fp);
	sbuf_free(&in);
	sbuf_free(&want);
}

static void
test_null_diag(void)
{
	static const char in[] = "a\n\\x\n1\n";
	FILE *fp = open_bytes(in, sizeof in - 1);
	struct tsv_reader *r = tsv_open(fp, NULL, NULL);

	CHECK(r != NULL);
	if (r != NULL) {
		CHECK_INT(tsv_next(r, NULL), -1);
		CHECK_INT(tsv_next(r, NULL), 1);
		CHECK_INT(tsv_next(r, NULL), 0);
		tsv_close(r);
	}
	fclose(fp);
	fp = open_bytes("", 0);
	CHECK(tsv_open(fp, NULL, NULL) == NULL);
	fclose(fp);
	tsv_close(NULL);
}

static void
test_read_error(void)
{
	/* Reading a directory fails with EISDIR on Linux and the BSDs. */
	FILE *fp = fopen(".", "r");
	struct diag d;

	if (fp == NULL)
		return;
	diag_clear(&d);
	CHECK(tsv_open(fp, "dir", &d) == NULL);
	CHECK(strncmp(d.msg, "read error: ", 12) == 0);
	fclose(fp);
}

static const struct {
	const char *in;
	size_t len;
	long want;		/* new length, or -1 */
	const char *out;
} unescape_cases[] = {
	{ IN(""), 0, "" },
	{ IN("abc"), 3, "abc" },
	{ IN("\\t"), 1, "\t" },
	{ IN("\\n\\r\\\\\\t"), 4, "\n\r\\\t" },
	{ IN("a\\\\b"), 3, "a\\b" },
	{ IN("\\\\t"), 2, "\\t" },
	{ IN("x\\ty\\nz"), 5, "x\ty\nz" },
	{ IN("\\"), -1, NULL },
	{ IN("ab\\"), -1, NULL },
	{ IN("\\\\\\"), -1, NULL },
	{ IN("\\x"), -1, NULL },
	{ IN("\\T"), -1, NULL },
	{ IN("\\0"), -1, NULL },
	{ IN("ok\\tthen\\a"), -1, NULL },
};

static void
test_unescape(void)
{
	for (size_t i = 0; i < sizeof unescape_cases /
	    sizeof unescape_cases[0]; i++) {
		char *s = xstrndup(unescape_cases[i].in, unescape_cases[i].len);
		long n = tsv_unescape(s, unescape_cases[i].len);

		CHECK_INT(n, unescape_cases[i].want);
		if (n >= 0) {
			CHECK(memcmp(s, unescape_cases[i].out, (size_t)n) == 0);
			CHECK_INT(strlen(s), n);
		}
		free(s);
	}
	/* Only the n bytes given are looked at. */
	{
		char s[] = "a\\tb\\";

		CHECK_INT(tsv_unescape(s, 4), 3);
		CHECK(memcmp(s, "a\tb", 3) == 0);
	}
}

/* capture_begin: a stream whose bytes end up in *buf after fclose. */
static void
capture_begin(FILE **fp, char **buf, size_t *len)
{
	*fp = open_memstream(buf, len);
	if (*fp == NULL) {
		perror("open_memstream");
		exit(1);
	}
}

static void
test_write(void)
{
	static const char *const row[] = { "a", NULL, "", "t\tn\nr\r\\",
	    "caf\xC3\xA9" };
	static const char want[] =
	    "\tplain\t\\t\\n\\r\\\\\t\\\\\\\\n\ta\0b\\tc\txy\t\n"
	    "a\t\t\tt\\tn\\nr\\r\\\\\tcaf\xC3\xA9\n"
	    "\n";
	char *buf = NULL;
	size_t len = 0;
	FILE *fp;

	capture_begin(&fp, &buf, &len);
	tsv_put(fp, "");
	tsv_sep(fp);
	tsv_put(fp, "plain");
	tsv_sep(fp);
	tsv_put(fp, "\t\n\r\\");
	tsv_sep(fp);
	tsv_put(fp, "\\\\n");
	tsv_sep(fp);
	tsv_putn(fp, "a\0b\tc", 5);
	tsv_sep(fp);
	tsv_putn(fp, "xyz", 2);
	tsv_sep(fp);
	tsv_putn(fp, NULL, 0);
	tsv_end(fp);
	tsv_row(fp, row, 5);
	tsv_row(fp, row, 0);
	fclose(fp);
	CHECK_INT(len, sizeof want - 1);
	CHECK(memcmp(buf, want, sizeof want - 1) == 0);
	free(buf);
}

/* Every byte 1..255 survives escaping and unescaping, and the escaped
 * text never holds a raw tab, LF or CR; through the reader too for the
 * bytes that are UTF-8 on their own. */
static void
test_roundtrip_bytes(void)
{
	char all[255], *buf = NULL;
	size_t len = 0;
	FILE *fp;
	int bad = 0;

	for (int c = 1; c < 256; c++) {
		char s[3] = { 'x', (char)c, 'y' };

		all[c - 1] = (char)c;
		capture_begin(&fp, &buf, &len);
		tsv_putn(fp, s, 3);
		fclose(fp);
		if (memchr(buf, '\t', len) || memchr(buf, '\n', len) ||
		    memchr(buf, '\r', len) || tsv_unescape(buf, len) != 3 ||
		    memcmp(buf, s, 3) != 0)
			bad++;
		free(buf);
		buf = NULL;
	}
	CHECK_INT(bad, 0);

	capture_begin(&fp, &buf, &len);
	tsv_putn(fp, all, sizeof all);
	fclose(fp);
	CHECK_INT(len, 255 + 4);
	CHECK_INT(tsv_unescape(buf, len), 255);
	CHECK(memcmp(buf, all, 255) == 0);
	free(buf);
	buf = NULL;

	/* tsv_put on the NUL-terminated string agrees with tsv_putn. */
	{
		char *s = xstrndup(all, sizeof all), *b2 = NULL;
		size_t l2 = 0;

		capture_begin(&fp, &buf, &len);
		tsv_put(fp, s);
		fclose(fp);
		capture_begin(&fp, &b2, &l2);
		tsv_putn(fp, s, strlen(s));
		fclose(fp);
		CHECK_INT(len, l2);
		CHECK(memcmp(buf, b2, len) == 0);
		free(buf);
		free(b2);
		free(s);
		buf = NULL;
	}

	/* A header and a row of one field per ASCII byte, plus UTF-8. */
	{
		char names[128][16], vals[128][4];
		const char *hdr[128], *row[128];
		struct diag d;
		struct tsv_reader *r;

		for (int c = 1; c < 128; c++) {
			snprintf(names[c], sizeof names[c], "c%d", c);
			vals[c][0] = (char)c;
			vals[c][1] = c % 2 ? '\\' : '\t';
			vals[c][2] = '\0';
			hdr[c - 1] = names[c];
			row[c - 1] = vals[c];
		}
		hdr[127] = "u";
		row[127] = "\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80";
		capture_begin(&fp, &buf, &len);
		tsv_row(fp, hdr, 128);
		tsv_row(fp, row, 128);
		fclose(fp);
		fp = open_bytes(buf, len);
		r = tsv_open(fp, "x", &d);
		CHECK(r != NULL);
		if (r != NULL) {
			CHECK_INT(tsv_ncols(r), 128);
			CHECK_INT(tsv_next(r, &d), 1);
			bad = 0;
			for (size_t i = 0; i < 128; i++)
				if (strcmp(tsv_field(r, i), row[i]) != 0)
					bad++;
			CHECK_INT(bad, 0);
			CHECK_INT(tsv_next(r, &d), 0);
			tsv_close(r);
		}
		fclose(fp);
		free(buf);
	}
}

/* tsv_allow_short: a row without its trailing fields reads them empty and
 * says how many it had, and whether its line ended; without it, an
 * error; a row with more fields than the header is an error either way. */
static void
test_short_rows(void)
{
	static const char in[] = "a\tb\tc\n1\n1\t2\t3\n1\t2\t3\t4\n1\t\\t";
	struct diag d;
	struct tsv_reader *r;
	FILE *fp = open_bytes(in, sizeof in - 1);

	diag_clear(&d);
	r = tsv_open(fp, "t", &d);
	CHECK(r != NULL);
	tsv_allow_short(r);
	CHECK_INT(tsv_next(r, &d), 1);
	CHECK_INT(tsv_nfields(r), 1);
	CHECK_INT(tsv_line_ended(r), 1);
	CHECK_STR(tsv_field(r, 0), "1");
	CHECK_STR(tsv_field(r, 1), "");
	CHECK_STR(tsv_field(r, 2), "");
	CHECK_INT(tsv_field_len(r, 2), 0);
	CHECK_INT(tsv_next(r, &d), 1);
	CHECK_INT(tsv_nfields(r), 3);
	CHECK_STR(tsv_field(r, 2), "3");
	CHECK_INT(tsv_next(r, &d), -1);
	CHECK_STR(d.msg, "row has 4 fields, header has 3");
	/* The last line: short, unended, an escape in it. */
	CHECK_INT(tsv_next(r, &d), 1);
	CHECK_INT(tsv_nfields(r), 2);
	CHECK_INT(tsv_line_ended(r), 0);
	CHECK_STR(tsv_field(r, 1), "\t");
	CHECK_STR(tsv_field(r, 2), "");
	CHECK_INT(tsv_next(r, &d), 0);
	tsv_close(r);
	fclose(fp);
	/* Not allowed: the short row is an error. */
	fp = open_bytes(in, sizeof in - 1);
	r = tsv_open(fp, "t", &d);
	CHECK(r != NULL);
	CHECK_INT(tsv_next(r, &d), -1);
	CHECK_STR(d.msg, "row has 1 field, header has 3");
	tsv_close(r);
	fclose(fp);
}

int
main(void)
{
	T_RUN(test_read_table);
	T_RUN(test_columns);
	T_RUN(test_header_is_data);
	T_RUN(test_short_rows);
	T_RUN(test_wide_header);
	T_RUN(test_long_lines);
	T_RUN(test_many_rows);
	T_RUN(test_null_diag);
	T_RUN(test_read_error);
	T_RUN(test_unescape);
	T_RUN(test_write);
	T_RUN(test_roundtrip_bytes);
	return T_DONE();
}

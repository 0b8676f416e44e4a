/*
 * test_csvin: the CSV reader against the dialects client exports come in
 * (line ends, BOM, quotes across lines, each delimiter, title rows,
 * Windows-1252 and Latin-1), its errors, every read chunk size (libcsv's
 * own trick for finding buffer-boundary bugs), and the real public files
 * in ../shared/data/real when they are there.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "csvin.h"
#include "util.h"
#include "t.h"

/* Escapes a value so a dump line shows control bytes plainly. */
static void
add_escaped(struct sbuf *b, const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (s[i] == '\n')
			sbuf_adds(b, "\\n");
		else if (s[i] == '\r')
			sbuf_adds(b, "\\r");
		else if (s[i] == '\t')
			sbuf_adds(b, "\\t");
		else
			sbuf_addc(b, s[i]);
	}
}

/*
 * dump: every record of in[0..n) as "first-last [f1][f2]" lines, errors
 * as "E<line> message", with the raw bytes too when raw is set.  The
 * delimiter found is appended as "delim=X".
 */
static void
dump(const char *in, size_t n, const struct csvin_opts *o, int raw,
    struct sbuf *out)
{
	FILE *fp;
	struct csvin *c;
	struct csvin_record *r;
	struct diag d;
	int rc, guard = 0;

	sbuf_reset(out);
	sbuf_add(out, "", 0);
	fp = fmemopen((void *)(uintptr_t)in, n, "r");
	if (fp == NULL) {
		sbuf_adds(out, "fmemopen failed");
		return;
	}
	diag_clear(&d);
	c = csvin_open(fp, "test", o, &d);
	if (c == NULL) {
		sbuf_addf(out, "open: %s", d.msg);
		fclose(fp);
		return;
	}
	while ((rc = csvin_next(c, &r, &d)) != 0 && guard++ < 100000) {
		if (rc < 0) {
			sbuf_addf(out, "E%ld %s\n", d.line, d.msg);
			if (r != NULL && raw) {
				sbuf_adds(out, "  raw=");
				add_escaped(out, r->raw, r->rawlen);
				sbuf_addc(out, '\n');
			}
			continue;
		}
		sbuf_addf(out, "%ld-%ld ", r->line, r->last_line);
		for (size_t i = 0; i < r->nfields; i++) {
			sbuf_addc(out, '[');
			add_escaped(out, r->fields[i], r->lens[i]);
			sbuf_addc(out, ']');
			if (strlen(r->fields[i]) != r->lens[i])
				sbuf_adds(out, "(NUL!)");
		}
		if (raw) {
			sbuf_adds(out, " raw=");
			add_escaped(out, r->raw, r->rawlen);
		}
		sbuf_addc(out, '\n');
	}
	sbuf_addf(out, "delim=");
	add_escaped(out, (const char[]){ (char)csvin_delimiter(c) }, 1);
	csvin_close(c);
	fclose(fp);
}

/* check_csv: the dump of in (as a C string) with opts, against want. */
#define CHECK_CSV(in, delim, enc, raw, want) do { \
	struct csvin_opts t_o = { (delim), (enc), 0, NULL, NULL }; \
	struct sbuf t_b = { 0 }; \
	dump((in), strlen(in), &t_o, (raw), &t_b); \
	CHECK_STR(sbuf_str(&t_b), (want)); \
	sbuf_free(&t_b); \
} while (0)

static void
test_line_ends(void)
{
	CHECK_CSV("a,b\nc,d\n", 0, NULL, 1,
	    "1-1 [a][b] raw=a,b\\n\n2-2 [c][d] raw=c,d\\n\ndelim=,");
	CHECK_CSV("a,b\r\nc,d\r\n", 0, NULL, 1,
	    "1-1 [a][b] raw=a,b\\r\\n\n2-2 [c][d] raw=c,d\\r\\n\ndelim=,");
	CHECK_CSV("a,b\rc,d\r", 0, NULL, 1,
	    "1-1 [a][b] raw=a,b\\r\n2-2 [c][d] raw=c,d\\r\ndelim=,");
	/* Mixed ends, the last line without one. */
	CHECK_CSV("a,b\r\nc,d\re,f\ng,h", 0, NULL, 1,
	    "1-1 [a][b] raw=a,b\\r\\n\n2-2 [c][d] raw=c,d\\r\n"
	    "3-3 [e][f] raw=e,f\\n\n4-4 [g][h] raw=g,h\ndelim=,");
	/* A quoted last field without a line end. */
	CHECK_CSV("a,\"b,c\"", 0, NULL, 0, "1-1 [a][b,c]\ndelim=,");
	CHECK_CSV("a,", 0, NULL, 0, "1-1 [a][]\ndelim=,");
	CHECK_CSV("", 0, NULL, 0, "delim=,");
	CHECK_CSV("\n\r\n\r", 0, NULL, 0, "delim=,");
}

static void
test_quoted_newlines(void)
{
	CHECK_CSV("id,note\n1,\"line one\nline two\"\n2,x\n", 0, NULL, 1,
	    "1-1 [id][note] raw=id,note\\n\n"
	    "2-3 [1][line one\\nline two] raw=1,\"line one\\nline two\"\\n\n"
	    "4-4 [2][x] raw=2,x\\n\ndelim=,");
	/* CRLF inside the quotes is kept; blank lines inside too. */
	CHECK_CSV("1,\"a\r\n\r\nb\",c\r\n2,d\r\n", 0, NULL, 0,
	    "1-3 [1][a\\r\\n\\r\\nb][c]\n4-4 [2][d]\ndelim=,");
	/* CR-only file with a CR in a quoted field. */
	CHECK_CSV("1,\"x\ry\"\r2,z\r", 0, NULL, 0,
	    "1-2 [1][x\\ry]\n3-3 [2][z]\ndelim=,");
	/* Two multi-line fields in one record. */
	CHECK_CSV("\"a\nb\",\"c\nd\ne\",f\ng\n", 0, NULL, 0,
	    "1-4 [a\\nb][c\\nd\\ne][f]\n5-5 [g]\ndelim=,");
	/* A quoted newline on the very last line, no final line end. */
	CHECK_CSV("x\n\"a\nb\"", 0, NULL, 0,
	    "1-1 [x]\n2-3 [a\\nb]\ndelim=,");
}

static void
test_bom_blank(void)
{
	CHECK_CSV("\xEF\xBB\xBFid,name\n1,x\n", 0, NULL, 1,
	    "1-1 [id][name] raw=id,name\\n\n2-2 [1][x] raw=1,x\\n\ndelim=,");
	/* Blank lines and lines of spaces, middle and end; rows of empty
	 * fields (the ",,,," an export pads with) are skipped too. */
	CHECK_CSV("a,b\n\n   \nc,d\n,,,\n , ,\n\n\n", 0, NULL, 0,
	    "1-1 [a][b]\n4-4 [c][d]\ndelim=,");
	CHECK_CSV("\xEF\xBB\xBF", 0, NULL, 0, "delim=,");
	/* Half a BOM is not one, and not UTF-8 either. */
	CHECK_CSV("\xEF\xBB", 0, NULL, 0,
	    "E1 field 1 is not valid UTF-8 (use --encoding WINDOWS-1252 or "
	    "ISO-8859-1)\ndelim=,");
}

static void
test_quotes_spaces(void)
{
	CHECK_CSV("\"say \"\"hi\"\"\",x\n", 0, NULL, 0,
	    "1-1 [say \"hi\"][x]\ndelim=,");
	/* Spaces around unquoted and quoted fields go; inside quotes
	 * they stay. */
	CHECK_CSV(" a , b ,\" c \" \n", 0, NULL, 0,
	    "1-1 [a][b][ c ]\ndelim=,");
	/* A stray quote inside an unquoted field is data. */
	CHECK_CSV("5\" pipe,2\n", 0, NULL, 0, "1-1 [5\" pipe][2]\ndelim=,");
	/* Empty quoted fields. */
	CHECK_CSV("\"\",\"\",x\n", 0, NULL, 0, "1-1 [][][x]\ndelim=,");
}

static void
test_sniff(void)
{
	CHECK_CSV("a,b,c\n1,2,3\n", 0, NULL, 0,
	    "1-1 [a][b][c]\n2-2 [1][2][3]\ndelim=,");
	/* Decimal commas do not fool it. */
	CHECK_CSV("date;amount;note\n01/04/20;-50,00;x\n02/04/20;1300,00;y\n",
	    0, NULL, 0,
	    "1-1 [date][amount][note]\n2-2 [01/04/20][-50,00][x]\n"
	    "3-3 [02/04/20][1300,00][y]\ndelim=;");
	/* TAB: empty fields survive (TAB is not trimmed as space). */
	CHECK_CSV("a\tb\tc\n1\t\t3\n\t2\t\n", 0, NULL, 0,
	    "1-1 [a][b][c]\n2-2 [1][][3]\n3-3 [][2][]\ndelim=\\t");
	CHECK_CSV("a|b\n\"1,5\"|2\n3,4|5\n", 0, NULL, 0,
	    "1-1 [a][b]\n2-2 [1,5][2]\n3-3 [3,4][5]\ndelim=|");
	/* Commas inside quotes are not counted. */
	CHECK_CSV("a;b\n\"x,y,z\";1\n\"p,q\";2\n", 0, NULL, 0,
	    "1-1 [a][b]\n2-2 [x,y,z][1]\n3-3 [p,q][2]\ndelim=;");
	/* No delimiter anywhere: comma. */
	CHECK_CSV("one\ntwo\n", 0, NULL, 0, "1-1 [one]\n2-2 [two]\ndelim=,");
	/* A given delimiter is not second-guessed. */
	CHECK_CSV("a;b,c\n", ',', NULL, 0, "1-1 [a;b][c]\ndelim=,");
	/* Ties go , ; TAB |. */
	CHECK_CSV("a,b;c\n", 0, NULL, 0, "1-1 [a][b;c]\ndelim=,");
	CHECK_CSV("a|b;c\n", 0, NULL, 0, "1-1 [a|b][c]\ndelim=;");
}

static void
test_quickbooks(void)
{
	static const char qb[] =
	    "Acme Trading Ltd\r\n"
	    "A/R Aging Detail\r\n"
	    "\"As of Jul 25, 2026\"\r\n"
	    "\r\n"
	    ",Date,Transaction type,Num,Customer full name,Due date,"
	    "Amount,Open balance\r\n"
	    "91 or more days past due,,,,,,,\r\n"
	    ",03/02/2026,Invoice,1001,Bloggs & Co,04/01/2026,"
	    "\"1,000.00\",\"1,000.00\"\r\n"
	    "Total for 91 or more days past due,,,,,,,\"$1,000.00\"\r\n"
	    ",,,,,,,\r\n"
	    "TOTAL,,,,,,,\"$1,000.00\"\r\n"
	    "\r\n"
	    "\r\n"
	    "\"Friday, Jul 25, 2026 09:12:01 AM GMTZ\"\r\n";

	CHECK_CSV(qb, 0, NULL, 0,
	    "1-1 [Acme Trading Ltd]\n"
	    "2-2 [A/R Aging Detail]\n"
	    "3-3 [As of Jul 25, 2026]\n"
	    "5-5 [][Date][Transaction type][Num][Customer full name]"
	    "[Due date][Amount][Open balance]\n"
	    "6-6 [91 or more days past due][][][][][][][]\n"
	    "7-7 [][03/02/2026][Invoice][1001][Bloggs & Co][04/01/2026]"
	    "[1,000.00][1,000.00]\n"
	    "8-8 [Total for 91 or more days past due][][][][][][][$1,000.00]\n"
	    "10-10 [TOTAL][][][][][][][$1,000.00]\n"
	    "13-13 [Friday, Jul 25, 2026 09:12:01 AM GMTZ]\n"
	    "delim=,");

	/* The same with unquoted title rows that hold a comma, and in
	 * semicolons: the data rows still decide. */
	CHECK_CSV("Acme; Ltd\nAs of Jul 25, 2026\n\n;Date;Num;Amount\n"
	    ";03/02/2026;1001;1000,00\n;04/02/2026;1002;20,50\n", 0, NULL, 0,
	    "1-1 [Acme][Ltd]\n2-2 [As of Jul 25, 2026]\n"
	    "4-4 [][Date][Num][Amount]\n5-5 [][03/02/2026][1001][1000,00]\n"
	    "6-6 [][04/02/2026][1002][20,50]\ndelim=;");
}

static void
test_encodings(void)
{
	/* Windows-1252: euro, curly quotes, a pound sign (0xA3). */
	CHECK_CSV("name,amount\n\x93Smith\x94,\x80" "5\n\xA3" "3,x\n", 0,
	    "WINDOWS-1252", 1,
	    "1-1 [name][amount] raw=name,amount\\n\n"
	    "2-2 [\xE2\x80\x9CSmith\xE2\x80\x9D][\xE2\x82\xAC" "5] "
	    "raw=\x93Smith\x94,\x80" "5\\n\n"
	    "3-3 [\xC2\xA3" "3][x] raw=\xA3" "3,x\\n\n"
	    "delim=,");
	CHECK_CSV("caf\xE9,\x80\n", 0, "cp1252", 0,
	    "1-1 [caf\xC3\xA9][\xE2\x82\xAC]\ndelim=,");
	/* Latin-1: 0xE9 is e-acute, 0x80 a C1 control, kept as such. */
	CHECK_CSV("caf\xE9,\x80\n", 0, "latin1", 0,
	    "1-1 [caf\xC3\xA9][\xC2\x80]\ndelim=,");
	CHECK_CSV("caf\xE9\n", 0, "ISO-8859-1", 0, "1-1 [caf\xC3\xA9]\ndelim=,");
	CHECK_CSV("caf\xE9\n", 0, "Latin-1", 0, "1-1 [caf\xC3\xA9]\ndelim=,");
	/* Bytes Windows-1252 leaves undefined: an error naming the line
	 * (the second line of the record here), the rest read on. */
	CHECK_CSV("a,b\n\"x\ny\x81\",z\nc,d\n", 0, "WINDOWS-1252", 1,
	    "1-1 [a][b] raw=a,b\\n\n"
	    "E3 byte 0x81 is not a WINDOWS-1252 character "
	    "(is the file in another encoding?)\n"
	    "  raw=\"x\\ny\x81\",z\\n\n"
	    "4-4 [c][d] raw=c,d\\n\ndelim=,");
	CHECK_CSV("\x8D\n\x8F,\x90,\x9D\n", 0, "windows-1252", 0,
	    "E1 byte 0x8D is not a WINDOWS-1252 character "
	    "(is the file in another encoding?)\n"
	    "E2 byte 0x8F is not a WINDOWS-1252 character "
	    "(is the file in another encoding?)\ndelim=,");
	/* UTF-8 is the default and "UTF-8" by name. */
	CHECK_CSV("caf\xC3\xA9\n", 0, "utf-8", 0, "1-1 [caf\xC3\xA9]\ndelim=,");
	CHECK_CSV("x\n", 0, "EBCDIC", 0,
	    "open: unknown encoding \"EBCDIC\" (use UTF-8, WINDOWS-1252 or "
	    "ISO-8859-1)");
}

static void
test_invalid_utf8(void)
{
	CHECK_CSV("a,b,c\n1,2,caf\xE9\n\"x\ny\",\"p\nq\xFF\"\n3,4,5\n", 0,
	    NULL, 1,
	    "1-1 [a][b][c] raw=a,b,c\\n\n"
	    "E2 field 3 is not valid UTF-8 (use --encoding WINDOWS-1252 or "
	    "ISO-8859-1)\n"
	    "  raw=1,2,caf\xE9\\n\n"
	    "E5 field 2 is not valid UTF-8 (use --encoding WINDOWS-1252 or "
	    "ISO-8859-1)\n"
	    "  raw=\"x\\ny\",\"p\\nq\xFF\"\\n\n"
	    "6-6 [3][4][5] raw=3,4,5\\n\ndelim=,");
	/* Overlong and surrogate encodings are not UTF-8 either. */
	CHECK_CSV("\xC0\xAF\n\xED\xA0\x80\n", 0, NULL, 0,
	    "E1 field 1 is not valid UTF-8 (use --encoding WINDOWS-1252 or "
	    "ISO-8859-1)\n"
	    "E2 field 1 is not valid UTF-8 (use --encoding WINDOWS-1252 or "
	    "ISO-8859-1)\ndelim=,");
}

static void
test_unterminated(void)
{
	CHECK_CSV("a,b\nc,\"d\ne\nf\n", 0, NULL, 1,
	    "1-1 [a][b] raw=a,b\\n\n"
	    "E2 quoted field opened on line 2 is never closed\n"
	    "  raw=c,\"d\\ne\\nf\\n\ndelim=,");
}

static void
test_unterminated2(void)
{
	/* The quote still open was opened on line 3, in a record that
	 * began on line 2. */
	CHECK_CSV("a,b\n\"c\nd\",\"e\nf", 0, NULL, 0,
	    "1-1 [a][b]\n"
	    "E2 quoted field opened on line 3 is never closed\ndelim=,");
	CHECK_CSV("\"", 0, NULL, 0,
	    "E1 quoted field opened on line 1 is never closed\ndelim=,");
	CHECK_CSV("x,\"abc\r\n", 0, NULL, 0,
	    "E1 quoted field opened on line 1 is never closed\ndelim=,");
}

static void
test_big_field(void)
{
	size_t n = 1024 * 1024, i;
	char *in = xmalloc(n + 16);
	FILE *fp;
	struct csvin *c;
	struct csvin_record *r;
	struct diag d;
	struct csvin_opts o = { 0, NULL, 0, NULL, NULL };

	/* A 1 MiB quoted field with line ends in it, then a short row. */
	memcpy(in, "id,\"", 4);
	for (i = 4; i < n; i++)
		in[i] = i % 1000 == 0 ? '\n' : 'x';
	memcpy(in + n, "\"\n2,y\n", 6);
	fp = fmemopen(in, n + 6, "r");
	CHECK(fp != NULL);
	if (fp == NULL) {
		free(in);
		return;
	}
	c = csvin_open(fp, "big", &o, &d);
	CHECK_INT(csvin_next(c, &r, &d), 1);
	CHECK_INT(r->nfields, 2);
	CHECK_INT(r->lens[1], n - 4);
	CHECK_INT(strlen(r->fields[1]), n - 4);
	CHECK_INT(r->line, 1);
	CHECK_INT(r->last_line, 1 + (n - 1) / 1000);
	CHECK_INT(r->rawlen, n + 2);
	CHECK(memcmp(r->raw, in, n + 2) == 0);
	CHECK_INT(csvin_next(c, &r, &d), 1);
	CHECK_STR(r->fields[1], "y");
	CHECK_INT(csvin_next(c, &r, &d), 0);
	csvin_close(c);
	fclose(fp);
	free(in);
}

/* Every chunk size from 1 to the input length gives the same records,
 * line numbers and raw bytes as the default. */
static void
check_chunks(const char *in, int delim, const char *enc)
{
	struct csvin_opts o = { delim, enc, 0, NULL, NULL };
	struct sbuf want = { 0 }, got = { 0 };
	size_t n = strlen(in), k;
	int bad = 0;

	dump(in, n, &o, 1, &want);
	for (k = 1; k <= n + 1 && !bad; k++) {
		o.chunk = k;
		dump(in, n, &o, 1, &got);
		if (strcmp(sbuf_str(&got), sbuf_str(&want)) != 0) {
			printf("#   chunk %zu differs:\n# %s\n# want\n# %s\n", k,
			    sbuf_str(&got), sbuf_str(&want));
			bad = 1;
		}
	}
	printf("#   %zu bytes at every chunk size\n", n);
	CHECK(!bad);
	sbuf_free(&want);
	sbuf_free(&got);
}

/* 50 lines in semicolons, then 60 in commas: only the first 50 lines
 * are sniffed, whatever the read size. */
static const char *
many_lines(void)
{
	static char text[1024];
	size_t n = 0;
	int i;

	for (i = 0; i < 50; i++)
		n += (size_t)snprintf(text + n, sizeof text - n, "%s;%d\n",
		    i % 7 ? "x" : "\"y\n\"", i % 10);
	for (i = 0; i < 60; i++)
		n += (size_t)snprintf(text + n, sizeof text - n, "%d,%d,%d\n",
		    i % 10, i % 3, i % 4);
	return text;
}

static void
test_sniff_limit(void)
{
	struct sbuf b = { 0 };
	struct csvin_opts o = { 0, NULL, 0, NULL, NULL };
	const char *in = many_lines();

	dump(in, strlen(in), &o, 0, &b);
	CHECK(strstr(sbuf_str(&b), "\ndelim=;") != NULL);
	CHECK(strstr(sbuf_str(&b), "1-2 [y\\n][0]\n") != NULL);
	CHECK(strstr(sbuf_str(&b), "[9,2,1]\n") != NULL);
	sbuf_free(&b);
}

static void
test_chunk_sizes(void)
{
	check_chunks("\xEF\xBB\xBF" "id,name,amount,note\r\n"
	    "1,\"Bloggs, Joe\",\"1,000.00\",\"line one\r\nline two\"\r\n"
	    "2,Smith,12.50,\"say \"\"hi\"\"\"\r\n"
	    "\r\n"
	    "3,\"O'Neil\",  7 ,\r\n"
	    ",,,\r\n"
	    "4,\"multi\r\n\r\nblank\",0.01,\"x\"\r\n"
	    "5,caf\xC3\xA9,9.99,\xE2\x82\xAC\r\n"
	    "6,bad\xFF,1,z\r\n"
	    "7,last,2,\"no end\"", 0, NULL);
	check_chunks("Acme Trading Ltd\r"
	    "A/R Aging Detail\r"
	    "\"As of Jul 25, 2026\"\r"
	    "\r"
	    ";Date;Num;Customer;Amount\r"
	    "CURRENT;;;;\r"
	    ";03/02/2026;1001;\"Bloggs;\rCo\";\"1.000,00\"\r"
	    ";04/02/2026;1002;Smith;20,50\r"
	    "Total for CURRENT;;;;1.020,50\r"
	    "TOTAL;;;;1.020,50\r"
	    "\r\r\r", 0, NULL);
	check_chunks("customer\tinvoice\tamount\tnote\n"
	    "\x93Quoted\x94 Ltd\tINV-1\t\x80" "1.234,50\t\n"
	    "Caf\xE9 M\xFCller\t\"INV\t2\"\t\xA3" "99\t\"tab\tinside\"\n"
	    "\n\n"
	    "\"two\nlines\"\tINV-3\t\x81\t3\n"
	    "\t\t\t\n"
	    "Smith \x96 Sons\tINV-4\t12,00\t\x85\n"
	    "\"x \"\"y\"\" z\"\tINV-5\t0,01\t\"\r\n\"\r\n"
	    "O\x92" "Brien\tINV-6\t5\t\x9D\n"
	    "last\tINV-7\t7\t\"open\t\"never\nclosed\n", 0, "WINDOWS-1252");
	check_chunks("h1|h2|h3\n"
	    " a | b | c \n"
	    "\"|\"|\"\"\"\"|\n"
	    "1|2|3\r\n"
	    "4|5|6\r"
	    "\"long \"\"quoted\"\" text with | pipes, commas; and\r\n"
	    "CRLF\r\nline ends\"|\xE9t\xE9|\xA3" "5\r\n"
	    "||\r\n"
	    "  |  |  \r\n"
	    "\"\"|\"\"|x\r\n"
	    "caf\xE9 au lait|cr\xE8me br\xFBl\xE9" "e|na\xEFve\r\n"
	    "7|8|9", '|', "latin1");
	check_chunks(many_lines(), 0, NULL);
}

/* Writing then reading gives the same fields back. */
static void
test_write_record(void)
{
	static const char *const text[] = { "plain", "with,comma",
	    "say \"hi\"", "two\nlines", " lead", "trail ", "", "cr\rhere",
	    "semi;colon" };
	char *f[9], *one[1];
	size_t lens[9], i;
	char *out = NULL;
	size_t outlen = 0;
	FILE *fp = open_memstream(&out, &outlen);
	struct csvin *c;
	struct csvin_record *r;
	struct diag d;
	struct csvin_opts o = { ',', NULL, 0, NULL, NULL };
	const size_t onelen[] = { 0 };

	/* The writer takes the reader's char **, so copy the text. */
	for (i = 0; i < 9; i++) {
		f[i] = xstrdup(text[i]);
		lens[i] = strlen(f[i]);
	}
	one[0] = xstrdup("");
	csvin_write_record(fp, ',', f, lens, 9);
	csvin_write_record(fp, ';', f, lens, 9);
	csvin_write_record(fp, ',', one, onelen, 1);
	fclose(fp);
	CHECK_STR(out, "plain,\"with,comma\",\"say \"\"hi\"\"\",\"two\nlines\","
	    "\" lead\",\"trail \",,\"cr\rhere\",semi;colon\n"
	    "plain;with,comma;\"say \"\"hi\"\"\";\"two\nlines\";\" lead\";"
	    "\"trail \";;\"cr\rhere\";\"semi;colon\"\n"
	    "\"\"\n");
	/* Only the first line reads back with a comma delimiter. */
	fp = fmemopen(out, strlen(out), "r");
	c = csvin_open(fp, "w", &o, &d);
	CHECK_INT(csvin_next(c, &r, &d), 1);
	CHECK_INT(r->nfields, 9);
	for (i = 0; i < 9 && i < r->nfields; i++)
		CHECK_STR(r->fields[i], f[i]);
	csvin_close(c);
	fclose(fp);
	free(out);
	for (i = 0; i < 9; i++)
		free(f[i]);
	free(one[0]);
}

static int
count_file(const char *path, long *records, long *min_nf, long *max_nf,
    long *errors, int *delim, char *header, size_t hsz)
{
	FILE *fp = fopen(path, "rb");
	struct csvin *c;
	struct csvin_record *r;
	struct diag d;
	struct csvin_opts o = { 0, NULL, 0, NULL, NULL };
	int rc;

	*records = *errors = 0;
	*min_nf = 1000000;
	*max_nf = 0;
	header[0] = '\0';
	if (fp == NULL)
		return -1;
	c = csvin_open(fp, path, &o, &d);
	while ((rc = csvin_next(c, &r, &d)) != 0) {
		if (rc < 0) {
			printf("#   %s:%ld: %s\n", path, d.line, d.msg);
			(*errors)++;
			continue;
		}
		if (*records == 0 && r->nfields > 0)
			snprintf(header, hsz, "%s", r->fields[0]);
		(*records)++;
		if ((long)r->nfields < *min_nf)
			*min_nf = (long)r->nfields;
		if ((long)r->nfields > *max_nf)
			*max_nf = (long)r->nfields;
	}
	*delim = csvin_delimiter(c);
	csvin_close(c);
	fclose(fp);
	return 0;
}

static const char *
real_dir(void)
{
	const char *s = getenv("CK_REAL");

	return s && *s ? s : "../shared/data/real";
}

static void
test_real_files(void)
{
	static const struct {
		const char *file;
		long records, min_nf, max_nf;
		const char *first;
	} want[] = {
		{ "ar-ibm-watson/WA_Fn-UseC_-Accounts-Receivable.csv",
		    2467, 12, 12, "countryCode" },
		{ "ar-ibm-watson/"
		    "WA_Fn-UseC_-Accounts-Receivable_with_missing.csv",
		    2587, 12, 12, "countryCode" },
		{ "bank-csv-oca/balance.csv", 3, 6, 6, "Date" },
		{ "bank-csv-oca/debit_credit_amount.csv", 5, 7, 7, "Date" },
		/* The ",,,,," row is skipped as blank. */
		{ "bank-csv-oca/meta_data_separated_credit_debit.csv",
		    9, 6, 6, "Bank code : 1001010101" },
		/* The header has 6 trailing empty fields the rows lack. */
		{ "bank-csv-oca/paypal_statement_es.csv", 0, 18, 24, "Fecha" },
	};
	struct sbuf path = { 0 };
	char header[128];
	long records, min_nf, max_nf, errors;
	int delim;
	size_t i;
	DIR *dir;
	struct dirent *e;

	for (i = 0; i < sizeof want / sizeof want[0]; i++) {
		sbuf_reset(&path);
		sbuf_addf(&path, "%s/%s", real_dir(), want[i].file);
		CHECK_INT(count_file(path.buf, &records, &min_nf, &max_nf,
		    &errors, &delim, header, sizeof header), 0);
		if (want[i].records)
			CHECK_INT(records, want[i].records);
		CHECK_INT(min_nf, want[i].min_nf);
		CHECK_INT(max_nf, want[i].max_nf);
		CHECK_INT(errors, 0);
		CHECK_INT(delim, ',');
		CHECK_STR(header, want[i].first);
	}
	/* Every bank file reads without an error. */
	sbuf_reset(&path);
	sbuf_addf(&path, "%s/bank-csv-oca", real_dir());
	dir = opendir(path.buf);
	CHECK(dir != NULL);
	while (dir && (e = readdir(dir)) != NULL) {
		if (strstr(e->d_name, ".csv") == NULL)
			continue;
		sbuf_reset(&path);
		sbuf_addf(&path, "%s/bank-csv-oca/%s", real_dir(), e->d_name);
		CHECK_INT(count_file(path.buf, &records, &min_nf, &max_nf,
		    &errors, &delim, header, sizeof header), 0);
		CHECK(records >= 2);
		CHECK_INT(errors, 0);
		CHECK_INT(delim, ',');
	}
	if (dir)
		closedir(dir);
	sbuf_free(&path);
}

int
main(void)
{
	struct stat st;
	struct sbuf p = { 0 };

	T_RUN(test_line_ends);
	T_RUN(test_quoted_newlines);
	T_RUN(test_bom_blank);
	T_RUN(test_quotes_spaces);
	T_RUN(test_sniff);
	T_RUN(test_sniff_limit);
	T_RUN(test_quickbooks);
	T_RUN(test_encodings);
	T_RUN(test_invalid_utf8);
	T_RUN(test_unterminated);
	T_RUN(test_unterminated2);
	T_RUN(test_big_field);
	T_RUN(test_chunk_sizes);
	T_RUN(test_write_record);
	sbuf_addf(&p, "%s/ar-ibm-watson", real_dir());
	if (stat(p.buf, &st) == 0) {
		T_RUN(test_real_files);
	} else {
		t_tests++;
		printf("ok %d - test_real_files # SKIP ../shared absent\n",
		    t_tests);
	}
	sbuf_free(&p);
	return T_DONE();
}

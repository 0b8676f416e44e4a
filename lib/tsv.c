/*
 * tsv: reading and writing the TSV stream every tool speaks (see tsv.h
 * for the format).  The reader owns two buffers: the line as getline read
 * it, kept intact for tsv_raw and rejects files, and a copy that is split
 * in place, tabs turned into NULs and escapes undone, so that a row costs
 * one getline, one memcpy and one scan, and no allocation once the
 * buffers have grown to the longest line.
 *
 * A row is checked in a fixed order so the same bad line always gives the
 * same message: the field count, then field by field a NUL byte, invalid
 * UTF-8 and a bad escape.
 */
#include <assert.h>
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tsv.h"
#include "util.h"

struct tsv_reader {
	FILE *fp;
	long line;		/* physical lines read so far */
	long rowline;		/* line of the current row */
	int done;		/* end of input or a read error was met */
	int allow_short;	/* tsv_allow_short */
	int ended;		/* the line read had its line end */
	size_t nfields;		/* fields the current row had */

	char *raw;		/* getline's buffer: the line as read */
	size_t rawcap;
	size_t rawlen;		/* without the line end */

	char *hdr;		/* the header line as read, without BOM */
	char *names;		/* the column names, split and unescaped */
	char **colname;
	size_t *sorted;		/* column indexes in name order, for
				   duplicates and tsv_col */
	size_t ncols;

	char *fbuf;		/* the current row, split and unescaped */
	size_t fcap;
	char **fld;		/* ncols pointers into fbuf */
	size_t *flen;
	unsigned char *fesc;	/* field has a backslash: unescape it */
};

enum line_status { LINE_OK, LINE_EOF, LINE_ERR };

/*
 * read_line: the next line into r->raw without its LF, or without CR LF;
 * a CR that ends the input is dropped too, as the rest of a CRLF whose LF
 * was lost.  A CR anywhere else is data.
 */
static enum line_status
read_line(struct tsv_reader *r, struct diag *d)
{
	ssize_t n;

	errno = 0;
	n = getline(&r->raw, &r->rawcap, r->fp);
	if (n < 0) {
		r->done = 1;
		/* getline fails without setting the error flag on ENOMEM. */
		if (ferror(r->fp) || !feof(r->fp)) {
			diag_set(d, "read error: %s",
			    strerror(errno ? errno : EIO));
			if (d != NULL)
				d->line = r->line + 1;
			return LINE_ERR;
		}
		return LINE_EOF;
	}
	r->line++;
	r->ended = n > 0 && r->raw[n - 1] == '\n';
	if (n > 0 && r->raw[n - 1] == '\n')
		n--;
	if (n > 0 && r->raw[n - 1] == '\r')
		n--;
	r->raw[n] = '\0';
	r->rawlen = (size_t)n;
	return LINE_OK;
}

/* The offset of the first byte >= 0x80 in s[0..n), or n; a word at a
 * time, because most of our input is ASCII. */
static size_t
ascii_span(const char *s, size_t n)
{
	size_t i = 0;

	for (; n - i >= 8; i += 8) {
		uint64_t w;

		memcpy(&w, s + i, 8);
		if (w & UINT64_C(0x8080808080808080))
			break;
	}
	for (; i < n; i++)
		if ((unsigned char)s[i] >= 0x80)
			break;
	return i;
}

static int
utf8_ok(const char *s, size_t n)
{
	size_t k = ascii_span(s, n);

	/* The first non-ASCII byte starts a character, so k is a boundary. */
	return k == n || util_utf8_valid(s + k, n - k);
}

/*
 * unescape: s[0..n) in place.  Returns the new length, or -1 with *bad
 * the offset of the backslash that starts a bad escape (s is then partly
 * rewritten).
 */
static long
unescape(char *s, size_t n, size_t *bad)
{
	char *end = s + n, *p = memchr(s, '\\', n), *w;

	if (p == NULL)
		return (long)n;
	/* w trails p once the first escape has shrunk the text. */
	for (w = p; p != NULL; ) {
		char *q;
		size_t run;

		if (p + 1 == end) {
			*bad = (size_t)(p - s);
			return -1;
		}
		switch (p[1]) {
		case 't':
			*w++ = '\t';
			break;
		case 'n':
			*w++ = '\n';
			break;
		case 'r':
			*w++ = '\r';
			break;
		case '\\':
			*w++ = '\\';
			break;
		default:
			*bad = (size_t)(p - s);
			return -1;
		}
		p += 2;
		q = memchr(p, '\\', (size_t)(end - p));
		run = (size_t)((q != NULL ? q : end) - p);
		memmove(w, p, run);
		w += run;
		p = q;
	}
	return (long)(w - s);
}

long
tsv_unescape(char *s, size_t n)
{
	size_t bad;
	long len = unescape(s, n, &bad);

	/* Keep a NUL-terminated string NUL-terminated at its new length. */
	if (len >= 0 && (size_t)len < n)
		s[len] = '\0';
	return len;
}

/* The length of the UTF-8 character whose first byte is c (the line was
 * validated before escapes are looked at). */
static size_t
utf8_len(unsigned char c)
{
	return c < 0xC0 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
}

/* The message for a bad escape at s[at] (a backslash) of s[0..n). */
static void
bad_escape(struct diag *d, const char *s, size_t n, size_t at,
    const char *what)
{
	unsigned char c;
	size_t len;

	if (at + 1 >= n) {
		diag_set(d, "bad escape \"\\\" at the end of %s", what);
		return;
	}
	c = (unsigned char)s[at + 1];
	len = utf8_len(c);
	if (len > n - at - 1)
		len = n - at - 1;
	if (c < 0x20 || c == 0x7f)
		diag_set(d, "bad escape \"\\\" before byte 0x%02x in %s",
		    c, what);
	else
		diag_set(d, "bad escape \"\\%.*s\" in %s", (int)len,
		    s + at + 1, what);
}

/*
 * split: r->raw copied into r->fbuf and cut at the tabs.  The first
 * r->ncols fields are recorded; returns the number of fields found, and
 * sets *nul when the line holds a NUL byte (getline reads them, but a
 * field with one would be cut short by every string function).
 */
static size_t
split(struct tsv_reader *r, int *nul)
{
	char *p, *end, *start;
	size_t nf = 0;

	if (r->rawlen + 1 > r->fcap) {
		r->fcap = r->rawlen + 1 > r->rawcap ? r->rawlen + 1 :
		    r->rawcap;
		free(r->fbuf);
		r->fbuf = xmalloc(r->fcap);
	}
	memcpy(r->fbuf, r->raw, r->rawlen + 1);
	p = start = r->fbuf;
	end = p + r->rawlen;
	*nul = 0;
	if (r->ncols > 0)
		r->fesc[0] = 0;
	for (;;) {
		/* strcspn stops at the terminating NUL too, and at any
		 * NUL inside the line, which is told apart by position. */
		p += strcspn(p, "\t\\");
		if (*p == '\\') {
			if (nf < r->ncols)
				r->fesc[nf] = 1;
			p++;
			continue;
		}
		if (*p == '\0' && p != end) {
			*nul = 1;
			p++;
			continue;
		}
		if (nf < r->ncols) {
			r->fld[nf] = start;
			r->flen[nf] = (size_t)(p - start);
		}
		nf++;
		if (p == end)
			break;
		*p++ = '\0';
		start = p;
		if (nf < r->ncols)
			r->fesc[nf] = 0;
	}
	return nf;
}

/* What field i is called in messages: a data field by its column's
 * name, a header field by its position. */
static void
field_what(const struct tsv_reader *r, size_t i, int header, struct sbuf *w)
{
	if (header)
		sbuf_addf(w, "column name %zu", i + 1);
	else
		sbuf_addf(w, "field \"%s\"", r->colname[i]);
}

/*
 * check_fields: the per-field checks of a line split into exactly ncols
 * fields, undoing the escapes as it goes.  nul is split's report.
 */
static int
check_fields(struct tsv_reader *r, int nul, struct diag *d, int header)
{
	/* Tab and backslash are ASCII, so the line is valid UTF-8 exactly
	 * when every field is: one check for the line, fields only when
	 * there is a culprit to name. */
	int utf8 = utf8_ok(r->raw, r->rawlen);

	for (size_t i = 0; i < r->ncols; i++) {
		char *f = r->fld[i];
		size_t n = r->flen[i], bad = 0;
		struct sbuf w = { 0 };
		long len = 0;

		if (nul && memchr(f, '\0', n) != NULL) {
			field_what(r, i, header, &w);
			diag_set(d, "NUL byte in %s", w.buf);
		} else if (!utf8 && !utf8_ok(f, n)) {
			field_what(r, i, header, &w);
			diag_set(d, "invalid UTF-8 in %s", w.buf);
		} else if (r->fesc[i] && (len = unescape(f, n, &bad)) < 0) {
			field_what(r, i, header, &w);
			bad_escape(d, f, n, bad, w.buf);
		} else {
			if (r->fesc[i]) {
				f[len] = '\0';
				r->flen[i] = (size_t)len;
			}
			continue;
		}
		sbuf_free(&w);
		return -1;
	}
	return 0;
}

/* Names in order, and equal names by column, so the first of a run of
 * equal names is its first occurrence. */
static int
cmp_col(char **names, size_t i, size_t j)
{
	int c = strcmp(names[i], names[j]);

	if (c != 0)
		return c;
	return i < j ? -1 : i > j;
}

/* A merge sort, since qsort_r is not in POSIX and a header may have
 * thousands of columns (a fuzzer finds any O(n^2)). */
static void
sort_cols(size_t *v, size_t *tmp, size_t n, char **names)
{
	size_t h, i, j, k;

	if (n < 2)
		return;
	h = n / 2;
	sort_cols(v, tmp, h, names);
	sort_cols(v + h, tmp, n - h, names);
	for (i = 0, j = h, k = 0; i < h && j < n; )
		tmp[k++] = cmp_col(names, v[i], v[j]) <= 0 ? v[i++] : v[j++];
	while (i < h)
		tmp[k++] = v[i++];
	while (j < n)
		tmp[k++] = v[j++];
	memcpy(v, tmp, n * sizeof *v);
}

static void
alloc_row(struct tsv_reader *r, size_t ncols)
{
	r->ncols = ncols;
	r->fld = xreallocarray(NULL, ncols, sizeof *r->fld);
	r->flen = xreallocarray(NULL, ncols, sizeof *r->flen);
	r->fesc = xcalloc(ncols, 1);
}

/* datum: whether s is a value no column is named: an ISO date or a
 * decimal number (2024-01-31, 1200.00, -5). */
static int
datum(const char *s)
{
	const char *p = s;
	int digits = 0;

	if (strlen(s) == 10 && s[4] == '-' && s[7] == '-') {
		for (int i = 0; i < 10; i++)
			if (i != 4 && i != 7 && !(s[i] >= '0' && s[i] <= '9'))
				return 0;
		return 1;
	}
	if (*p == '-' || *p == '+')
		p++;
	for (; *p >= '0' && *p <= '9'; p++)
		digits++;
	if (*p == '.')
		for (p++; *p >= '0' && *p <= '9'; p++)
			digits++;
	return digits > 0 && *p == '\0';
}

/* header_is_data: the message for a first line that is a row, not the
 * header (a filter such as grep dropped it): 1 with d set, else 0.
 * names[i] are the first line's fields. */
static int
header_is_data(char **names, size_t n, struct diag *d)
{
	for (size_t i = 0; i < n; i++)
		if (datum(names[i])) {
			diag_set(d, "no header line: the first line is a data "
			    "row (column %zu is \"%s\"), not column names; a "
			    "filter must keep the header (awk 'NR == 1 || "
			    "/.../')", i + 1, names[i]);
			return 1;
		}
	return 0;
}

int
tsv_header_is_data(const struct tsv_reader *r, struct diag *d)
{
	return header_is_data(r->colname, r->ncols, d);
}

static int
read_header(struct tsv_reader *r, struct diag *d)
{
	enum line_status st;
	size_t nf, *tmp;
	int nul;

	/* Blank lines before the header are skipped as they are anywhere. */
	for (;;) {
		st = read_line(r, d);
		if (st == LINE_ERR)
			return -1;
		if (st == LINE_EOF) {
			diag_set(d, "empty input: no header line");
			if (d != NULL)
				d->line = 0;
			return -1;
		}
		/* The BOM can only open the stream. */
		if (r->line == 1 && r->rawlen >= 3 &&
		    memcmp(r->raw, "\xEF\xBB\xBF", 3) == 0) {
			memmove(r->raw, r->raw + 3, r->rawlen - 3 + 1);
			r->rawlen -= 3;
		}
		if (r->rawlen > 0)
			break;
	}
	if (d != NULL)
		d->line = r->line;
	r->hdr = xstrndup(r->raw, r->rawlen);

	/* Count first, then split for real with room for every column. */
	alloc_row(r, 0);
	nf = split(r, &nul);
	free(r->fld);
	free(r->flen);
	free(r->fesc);
	alloc_row(r, nf);
	split(r, &nul);
	if (check_fields(r, nul, d, 1) != 0)
		return -1;

	/* The names keep the split buffer; rows get a fresh one. */
	r->names = r->fbuf;
	r->fbuf = NULL;
	r->fcap = 0;
	r->colname = r->fld;
	r->fld = xreallocarray(NULL, nf, sizeof *r->fld);

	for (size_t i = 0; i < nf; i++) {
		if (r->flen[i] == 0) {
			if (!header_is_data(r->colname, nf, d))
				diag_set(d, "empty column name (column %zu of "
				    "%zu)", i + 1, nf);
			return -1;
		}
	}
	r->sorted = xreallocarray(NULL, nf, sizeof *r->sorted);
	tmp = xreallocarray(NULL, nf, sizeof *tmp);
	for (size_t i = 0; i < nf; i++)
		r->sorted[i] = i;
	sort_cols(r->sorted, tmp, nf, r->colname);
	free(tmp);

	/* Of all repeated names, report the one whose repeat comes first:
	 * the second of each run of equal names in sorted order. */
	{
		size_t first = 0, second = 0;

		for (size_t i = 1; i < nf; i++) {
			char **cn = r->colname;
			size_t *o = r->sorted;

			if (strcmp(cn[o[i - 1]], cn[o[i]]) != 0)
				continue;
			if (i >= 2 && strcmp(cn[o[i - 2]], cn[o[i]]) == 0)
				continue;
			if (second == 0 || o[i] < second) {
				first = o[i - 1];
				second = o[i];
			}
		}
		if (second != 0 && header_is_data(r->colname, nf, d))
			return -1;
		if (second != 0) {
			diag_set(d, "duplicate column name \"%s\" "
			    "(columns %zu and %zu)", r->colname[second],
			    first + 1, second + 1);
			return -1;
		}
	}
	return 0;
}

struct tsv_reader *
tsv_open(FILE *fp, const char *name, struct diag *d)
{
	struct tsv_reader *r = xcalloc(1, sizeof *r);

	/* Messages leave the file name to the tool, as diag.h says. */
	(void)name;
	r->fp = fp;
	if (read_header(r, d) != 0) {
		tsv_close(r);
		return NULL;
	}
	return r;
}

void
tsv_close(struct tsv_reader *r)
{
	if (r == NULL)
		return;
	free(r->raw);
	free(r->hdr);
	free(r->names);
	free(r->colname);
	free(r->sorted);
	free(r->fbuf);
	free(r->fld);
	free(r->flen);
	free(r->fesc);
	free(r);
}

size_t
tsv_ncols(const struct tsv_reader *r)
{
	return r->ncols;
}

const char *
tsv_colname(const struct tsv_reader *r, size_t i)
{
	return i < r->ncols ? r->colname[i] : NULL;
}

int
tsv_col(const struct tsv_reader *r, const char *name)
{
	size_t lo = 0, hi = r->ncols;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(name, r->colname[r->sorted[mid]]);

		if (c == 0)
			return r->sorted[mid] > INT_MAX ? -1 :
			    (int)r->sorted[mid];
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return -1;
}

int
tsv_next(struct tsv_reader *r, struct diag *d)
{
	size_t nf;
	int nul;

	if (r->done)
		return 0;
	do {
		switch (read_line(r, d)) {
		case LINE_EOF:
			return 0;
		case LINE_ERR:
			/* No row: tsv_raw is empty, tsv_line the line that
			 * could not be read. */
			r->rowline = r->line + 1;
			r->rawlen = 0;
			r->raw[0] = '\0';
			return -1;
		case LINE_OK:
			break;
		}
	} while (r->rawlen == 0);
	r->rowline = r->line;
	if (d != NULL)
		d->line = r->line;

	nf = split(r, &nul);
	r->nfields = nf;
	if (nf != r->ncols && !(r->allow_short && nf < r->ncols)) {
		diag_set(d, "row has %zu field%s, header has %zu", nf,
		    nf == 1 ? "" : "s", r->ncols);
		return -1;
	}
	/* The fields a short row lacks read as empty: the NUL that ends
	 * the row's copy. */
	for (size_t i = nf; i < r->ncols; i++) {
		r->fld[i] = r->fbuf + r->rawlen;
		r->flen[i] = 0;
		r->fesc[i] = 0;
	}
	if (check_fields(r, nul, d, 0) != 0)
		return -1;
	return 1;
}

void
tsv_allow_short(struct tsv_reader *r)
{
	r->allow_short = 1;
}

size_t
tsv_nfields(const struct tsv_reader *r)
{
	return r->nfields;
}

int
tsv_line_ended(const struct tsv_reader *r)
{
	return r->ended;
}

const char *
tsv_field(const struct tsv_reader *r, size_t i)
{
	assert(i < r->ncols);
	return r->fld[i];
}

size_t
tsv_field_len(const struct tsv_reader *r, size_t i)
{
	assert(i < r->ncols);
	return r->flen[i];
}

const char *
tsv_raw(const struct tsv_reader *r)
{
	return r->raw != NULL ? r->raw : "";
}

long
tsv_line(const struct tsv_reader *r)
{
	return r->rowline;
}

/* Without the BOM and the line end, so a rejects file starts clean. */
const char *
tsv_raw_header(const struct tsv_reader *r)
{
	return r->hdr;
}

/* Bytes the writer must escape, and their escape letter. */
static const char esc_letter[256] = {
	['\t'] = 't', ['\n'] = 'n', ['\r'] = 'r', ['\\'] = '\\',
};

void
tsv_putn(FILE *fp, const char *s, size_t n)
{
	size_t i = 0, start = 0;

	for (; i < n; i++) {
		char e = esc_letter[(unsigned char)s[i]];

		if (e == 0)
			continue;
		if (i > start)
			fwrite(s + start, 1, i - start, fp);
		putc('\\', fp);
		putc(e, fp);
		start = i + 1;
	}
	if (i > start)
		fwrite(s + start, 1, i - start, fp);
}

void
tsv_put(FILE *fp, const char *s)
{
	for (;;) {
		size_t k = strcspn(s, "\t\n\r\\");

		if (k > 0)
			fwrite(s, 1, k, fp);
		if (s[k] == '\0')
			return;
		putc('\\', fp);
		putc(esc_letter[(unsigned char)s[k]], fp);
		s += k + 1;
	}
}

void
tsv_add(struct sbuf *b, const char *s)
{
	for (;;) {
		size_t k = strcspn(s, "\t\n\r\\");

		if (k > 0)
			sbuf_add(b, s, k);
		if (s[k] == '\0')
			return;
		sbuf_addc(b, '\\');
		sbuf_addc(b, esc_letter[(unsigned char)s[k]]);
		s += k + 1;
	}
}

void
tsv_sep(FILE *fp)
{
	putc('\t', fp);
}

void
tsv_end(FILE *fp)
{
	putc('\n', fp);
}

void
tsv_row(FILE *fp, const char *const *fields, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (i > 0)
			putc('\t', fp);
		if (fields[i] != NULL)
			tsv_put(fp, fields[i]);
	}
	putc('\n', fp);
}

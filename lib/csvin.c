/*
 * csvin: client CSV exports through libcsv.
 *
 * The input is cut into physical lines here (LF, CRLF or a lone CR ends
 * one) and each line is handed to libcsv on its own.  That is what lets a
 * record know the lines it spans and keep its raw bytes: libcsv fires its
 * end-of-record callback at the line end that closes a record, and a
 * non-blank line that fires none is inside a quoted field that goes on to
 * the next line.  Lines come from a growing buffer filled `chunk` bytes at
 * a time, so a line may be of any length and a CR that ends one read is
 * only judged once the next byte (LF or not) is known.
 *
 * Windows-1252 and ISO-8859-1 are converted to UTF-8 line by line with
 * iconv: both are single-byte encodings, so a line end can never fall
 * inside a character and per-line conversion is exact.
 *
 * The delimiter, when not given, is sniffed from the first lines (kept in
 * the buffer, since standard input cannot be rewound).
 */
#include <errno.h>
#include <iconv.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <csv.h>

#include "csvin.h"
#include "util.h"

#define CSVIN_CHUNK	65536	/* default read size */
#define SNIFF_BYTES	65536	/* sniff at most this much ... */
#define SNIFF_LINES	50	/* ... or this many lines */

enum { ENC_UTF8, ENC_ICONV };

struct csvin {
	FILE *fp;
	void (*tap)(void *, const void *, size_t);
	void *tap_ctx;
	int delim;		/* 0 until sniffed */
	int enc;
	const char *encname;	/* canonical name, for messages */
	iconv_t cd;
	size_t chunk;
	struct csv_parser p;

	/* Input buffer: bytes [start, end) are read but not yet consumed;
	 * [start, scan) is known to hold no line end. */
	char *buf;
	size_t start, end, scan, cap;
	int eof;
	int started;		/* BOM skipped and delimiter known */
	int done;		/* nothing more to return */
	long lineno;		/* physical lines consumed */

	/* The record being built. */
	int pending;		/* lines fed, no end of record yet */
	int row_ended;		/* set by the end-of-record callback */
	size_t line_fields;	/* fields libcsv submitted on this line */
	long open_line;		/* line the open quoted field began on */
	long bad_line;		/* first line that failed conversion */
	unsigned char bad_byte;
	struct sbuf raw;	/* bytes as read */
	struct sbuf conv;	/* one line converted to UTF-8 */
	struct sbuf data;	/* field bytes, each NUL-terminated */
	size_t *offs;		/* field starts in data */
	size_t *lens;
	char **fields;
	size_t nf, capf;
	struct csvin_record rec;
};

/* Only the space is trimmed around unquoted fields: libcsv's default
 * also trims TAB, which would eat empty fields of a tab-delimited file. */
static int
only_space(unsigned char ch)
{
	return ch == ' ';
}

static void
on_field(void *s, size_t len, void *arg)
{
	struct csvin *c = arg;

	if (c->nf == c->capf) {
		c->capf = c->capf ? c->capf * 2 : 16;
		c->offs = xreallocarray(c->offs, c->capf, sizeof *c->offs);
		c->lens = xreallocarray(c->lens, c->capf, sizeof *c->lens);
		c->fields = xreallocarray(c->fields, c->capf,
		    sizeof *c->fields);
	}
	c->offs[c->nf] = c->data.len;
	c->lens[c->nf] = len;
	sbuf_add(&c->data, s ? s : "", s ? len : 0);
	sbuf_addc(&c->data, '\0');
	c->nf++;
	c->line_fields++;
}

static void
on_row(int term, void *arg)
{
	struct csvin *c = arg;

	(void)term;
	c->row_ended = 1;
}

/* Maps an encoding name to what iconv calls it; -1 if unknown. */
static int
lookup_encoding(const char *name, int *enc, const char **canon)
{
	static const struct {
		const char *name, *canon;
	} tab[] = {
		{ "UTF-8", NULL }, { "UTF8", NULL },
		{ "WINDOWS-1252", "WINDOWS-1252" }, { "CP1252", "WINDOWS-1252" },
		{ "WINDOWS1252", "WINDOWS-1252" },
		{ "ISO-8859-1", "ISO-8859-1" }, { "ISO8859-1", "ISO-8859-1" },
		{ "LATIN1", "ISO-8859-1" }, { "LATIN-1", "ISO-8859-1" },
	};
	size_t i;

	if (name == NULL || *name == '\0') {
		*enc = ENC_UTF8;
		*canon = "UTF-8";
		return 0;
	}
	for (i = 0; i < sizeof tab / sizeof tab[0]; i++) {
		if (!util_strcaseeq(name, tab[i].name))
			continue;
		*enc = tab[i].canon ? ENC_ICONV : ENC_UTF8;
		*canon = tab[i].canon ? tab[i].canon : "UTF-8";
		return 0;
	}
	return -1;
}

int
csvin_encoding_known(const char *name)
{
	const char *canon;
	int enc;

	return lookup_encoding(name, &enc, &canon) == 0;
}

struct csvin *
csvin_open(FILE *fp, const char *name, const struct csvin_opts *opts,
    struct diag *d)
{
	struct csvin *c;
	const char *canon;
	int enc;

	if (lookup_encoding(opts ? opts->encoding : NULL, &enc, &canon) != 0) {
		diag_set(d, "unknown encoding \"%s\" (use UTF-8, "
		    "WINDOWS-1252 or ISO-8859-1)", opts->encoding);
		if (d)
			d->line = 0;
		return NULL;
	}
	c = xcalloc(1, sizeof *c);
	c->enc = enc;
	c->encname = canon;
	c->cd = (iconv_t)-1;
	if (enc == ENC_ICONV) {
		c->cd = iconv_open("UTF-8", canon);
		if (c->cd == (iconv_t)-1) {
			diag_set(d, "encoding %s is not supported by this "
			    "system's iconv", canon);
			if (d)
				d->line = 0;
			free(c);
			return NULL;
		}
	}
	/* csv_init fails only for a NULL parser; it allocates nothing. */
	(void)csv_init(&c->p, CSV_APPEND_NULL);
	csv_set_space_func(&c->p, only_space);
	csv_set_realloc_func(&c->p, xrealloc);
	/* name is not kept: messages never carry the file (diag.h). */
	(void)name;
	c->fp = fp;
	c->delim = opts ? opts->delimiter : 0;
	c->chunk = opts && opts->chunk ? opts->chunk : CSVIN_CHUNK;
	c->tap = opts ? opts->tap : NULL;
	c->tap_ctx = opts ? opts->tap_ctx : NULL;
	return c;
}

void
csvin_close(struct csvin *c)
{
	if (c == NULL)
		return;
	csv_free(&c->p);
	if (c->cd != (iconv_t)-1)
		iconv_close(c->cd);
	free(c->buf);
	sbuf_free(&c->raw);
	sbuf_free(&c->conv);
	sbuf_free(&c->data);
	free(c->offs);
	free(c->lens);
	free(c->fields);
	free(c);
}

int
csvin_delimiter(const struct csvin *c)
{
	return c->delim;
}

static void
set_io_error(struct csvin *c, struct diag *d)
{
	diag_set(d, "read error: %s", strerror(errno));
	if (d)
		d->line = c->lineno + 1;
}

/* Reads up to one chunk more into the buffer.  Returns the number of
 * bytes read (0 at end of input, c->eof set), or -1 on a read error. */
static long
fill(struct csvin *c)
{
	size_t n;

	if (c->eof)
		return 0;
	if (c->start > 0 && c->start == c->end) {
		c->start = c->end = c->scan = 0;
	} else if (c->start > 0 && c->cap - c->end < c->chunk) {
		memmove(c->buf, c->buf + c->start, c->end - c->start);
		c->end -= c->start;
		c->scan -= c->start;
		c->start = 0;
	}
	if (c->cap - c->end < c->chunk) {
		if (c->chunk > SIZE_MAX / 2 - c->end)
			c->cap = c->end + c->chunk;
		else
			c->cap = c->cap * 2 > c->end + c->chunk ?
			    c->cap * 2 : c->end + c->chunk;
		c->buf = xrealloc(c->buf, c->cap);
	}
	errno = 0;
	n = fread(c->buf + c->end, 1, c->chunk, c->fp);
	if (n > 0 && c->tap != NULL)
		c->tap(c->tap_ctx, c->buf + c->end, n);
	c->end += n;
	if (n == 0) {
		if (ferror(c->fp))
			return -1;
		c->eof = 1;
	}
	return (long)n;
}

/*
 * next_line: the next physical line, its line end included (none on a
 * last line without one).  Returns 1, 0 at end of input, -1 on a read
 * error.  The line stays valid until the next call.
 */
static int
next_line(struct csvin *c, const char **line, size_t *len)
{
	size_t i;

	for (;;) {
		for (i = c->scan; i < c->end; i++) {
			if (c->buf[i] == '\n')
				break;
			if (c->buf[i] == '\r') {
				if (i + 1 < c->end) {
					if (c->buf[i + 1] == '\n')
						i++;
					break;
				}
				if (c->eof)
					break;
				/* Is the next byte an LF?  Read on. */
				goto more;
			}
		}
		if (i < c->end) {
			*line = c->buf + c->start;
			*len = i + 1 - c->start;
			c->start = c->scan = i + 1;
			return 1;
		}
		if (c->eof) {
			if (c->start == c->end)
				return 0;
			*line = c->buf + c->start;
			*len = c->end - c->start;
			c->start = c->scan = c->end;
			return 1;
		}
more:
		c->scan = i;
		if (fill(c) < 0)
			return -1;
	}
}

/*
 * The sniffer counts , ; TAB | outside double quotes on each non-blank
 * line of the first SNIFF_LINES lines or SNIFF_BYTES bytes.  It is fed
 * as bytes arrive and says when it has seen enough, so the read-ahead
 * and the verdict are the same whatever the read size.
 */
struct sniffer {
	size_t counts[SNIFF_LINES][4];
	size_t cur[4];
	size_t nlines;
	size_t seen;		/* bytes looked at */
	int inq, nonblank;
};

static const char sniff_cand[4] = { ',', ';', '\t', '|' };

static void
sniff_endline(struct sniffer *sn)
{
	if (sn->nonblank && sn->nlines < SNIFF_LINES)
		memcpy(sn->counts[sn->nlines++], sn->cur, sizeof sn->cur);
	memset(sn->cur, 0, sizeof sn->cur);
	sn->nonblank = 0;
}

/* sniff_add: looks at s[0..n); returns 1 once it has seen enough. */
static int
sniff_add(struct sniffer *sn, const char *s, size_t n)
{
	size_t i, k;

	for (i = 0; i < n; i++) {
		int ch = (unsigned char)s[i];

		if (sn->nlines >= SNIFF_LINES || sn->seen >= SNIFF_BYTES)
			break;
		sn->seen++;
		if (ch == '"') {
			sn->inq = !sn->inq;
			sn->nonblank = 1;
		} else if (!sn->inq && (ch == '\n' || ch == '\r')) {
			/* The LF of a CRLF ends a blank line: no matter. */
			sniff_endline(sn);
		} else {
			if (ch != ' ')
				sn->nonblank = 1;
			for (k = 0; k < 4 && !sn->inq; k++)
				if (ch == sniff_cand[k])
					sn->cur[k]++;
		}
	}
	return sn->nlines >= SNIFF_LINES || sn->seen >= SNIFF_BYTES;
}

/*
 * sniff_result: for each candidate, the count per line that most lines
 * share, counting only counts above zero; the candidate whose count most
 * lines share wins, ties going to the larger count, then to the earlier
 * of , ; TAB |.  Title rows and blank rows without delimiters win no
 * candidate any lines, so they do not sway it.  ',' if nothing is found.
 */
static int
sniff_result(struct sniffer *sn)
{
	size_t k, a, b, best_score = 0, best_mode = 0;
	int best = ',';

	sniff_endline(sn);	/* the line the input or the limit cut */
	for (k = 0; k < 4; k++) {
		size_t score = 0, mode = 0;

		for (a = 0; a < sn->nlines; a++) {
			size_t same = 0;

			if (sn->counts[a][k] == 0)
				continue;
			for (b = 0; b < sn->nlines; b++)
				if (sn->counts[b][k] == sn->counts[a][k])
					same++;
			if (same > score ||
			    (same == score && sn->counts[a][k] > mode)) {
				score = same;
				mode = sn->counts[a][k];
			}
		}
		/* On a tie the candidate seen more times a line wins: in
		 * "01/04;-50,00;x" one decimal comma a line must not beat
		 * the semicolons when a title row lends the comma a line. */
		if (score > best_score ||
		    (score == best_score && score > 0 && mode > best_mode)) {
			best_score = score;
			best_mode = mode;
			best = sniff_cand[k];
		}
	}
	return best;
}

/* start: skips a UTF-8 BOM and sniffs the delimiter if none was given.
 * The bytes sniffed stay in the buffer for parsing. */
static int
start(struct csvin *c, struct diag *d)
{
	struct sniffer sn;

	while (!c->eof && c->end - c->start < 3)
		if (fill(c) < 0)
			goto fail;
	if (c->end - c->start >= 3 &&
	    memcmp(c->buf + c->start, "\xEF\xBB\xBF", 3) == 0)
		c->start = c->scan = c->start + 3;
	if (c->delim == 0) {
		memset(&sn, 0, sizeof sn);
		/* sn.seen is relative to c->start: fill may move bytes. */
		while (!sniff_add(&sn, c->buf + c->start + sn.seen,
		    c->end - c->start - sn.seen) && !c->eof)
			if (fill(c) < 0)
				goto fail;
		c->delim = sniff_result(&sn);
	}
	csv_set_delim(&c->p, (unsigned char)c->delim);
	c->started = 1;
	return 0;
fail:
	set_io_error(c, d);
	return -1;
}

/* Blank: nothing but spaces, tabs and the line end. */
static int
blank_line(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r' &&
		    s[i] != '\n')
			return 0;
	return 1;
}

/*
 * convert: the line s[0..n) into UTF-8 in c->conv.  A byte the encoding
 * does not define (0x81 in Windows-1252) is remembered and replaced by
 * U+FFFD in the text libcsv sees, so the record still ends where it
 * should (a line of just that byte is not blank) and is then reported
 * whole as an error: the replacement is never taken for data.
 */
static void
convert(struct csvin *c, const char *s, size_t n)
{
	char *in = (char *)(uintptr_t)s;	/* iconv's prototype is not const */
	size_t inleft = n;

	sbuf_reset(&c->conv);
	iconv(c->cd, NULL, NULL, NULL, NULL);
	while (inleft > 0) {
		char *out;
		size_t outleft, room, r;

		/* Three bytes per input byte is the most UTF-8 needs here
		 * (the euro sign); the loop copes if it ever were not. */
		room = inleft * 3 + 4;
		if (c->conv.cap - c->conv.len < room + 1) {
			sbuf_add(&c->conv, "", 0);
			c->conv.cap = c->conv.len + room + 1;
			c->conv.buf = xrealloc(c->conv.buf, c->conv.cap);
		}
		out = c->conv.buf + c->conv.len;
		outleft = c->conv.cap - c->conv.len - 1;
		r = iconv(c->cd, &in, &inleft, &out, &outleft);
		c->conv.len = (size_t)(out - c->conv.buf);
		c->conv.buf[c->conv.len] = '\0';
		if (r != (size_t)-1)
			break;
		if (errno == E2BIG)
			continue;
		/* EILSEQ, or EINVAL, which a single-byte encoding cannot
		 * give. */
		if (c->bad_line == 0) {
			c->bad_line = c->lineno;
			c->bad_byte = (unsigned char)*in;
		}
		sbuf_add(&c->conv, "\xEF\xBF\xBD", 3);
		in++;
		inleft--;
	}
}

static void
record_reset(struct csvin *c)
{
	sbuf_reset(&c->raw);
	sbuf_reset(&c->data);
	c->nf = 0;
	c->bad_line = 0;
	c->pending = 0;
}

/* feed: one physical line to libcsv.  Returns 0, or -1 if libcsv failed
 * (it can only be out of room, as allocation itself never fails). */
static int
feed(struct csvin *c, const char *s, size_t n)
{
	size_t blk;

	/* libcsv grows its field buffer by a fixed block; making the block
	 * at least the line and the buffer so far keeps a long field from
	 * costing a reallocation per 128 bytes. */
	blk = csv_get_buffer_size(&c->p);
	if (blk < n + 1)
		blk = n + 1;
	if (blk < 4096)
		blk = 4096;
	csv_set_blk_size(&c->p, blk);
	c->line_fields = 0;
	if (csv_parse(&c->p, s, n, on_field, on_row, c) != n)
		return -1;
	return 0;
}

/* The first line of the raw record that is not valid UTF-8. */
static long
bad_utf8_line(const struct csvin *c)
{
	const char *s = c->raw.buf, *e = s + c->raw.len, *p;
	long line = c->rec.line;

	while (s < e) {
		for (p = s; p < e && *p != '\n' && *p != '\r'; p++)
			;
		if (!util_utf8_valid(s, (size_t)(p - s)))
			return line;
		if (p < e && *p == '\r' && p + 1 < e && p[1] == '\n')
			p++;
		s = p + 1;
		line++;
	}
	return c->rec.line;
}

/* The first line of the raw record that holds a NUL byte. */
static long
nul_line(const struct csvin *c)
{
	const char *s = c->raw.buf, *e = s + c->raw.len;
	long line = c->rec.line;

	for (; s < e && *s != '\0'; s++)
		if (*s == '\n' || (*s == '\r' && (s + 1 == e || s[1] != '\n')))
			line++;
	return line;
}

static int
blank_record(const struct csvin *c)
{
	size_t i, k;

	for (i = 0; i < c->nf; i++)
		for (k = 0; k < c->lens[i]; k++) {
			char ch = c->data.buf[c->offs[i] + k];

			if (ch != ' ' && ch != '\t')
				return 0;
		}
	return 1;
}

/* finish: makes c->rec from what was collected.  Returns 1 for a record,
 * 0 for one to skip, -1 (d set) for one whose bytes are not text. */
static int
finish(struct csvin *c, struct diag *d)
{
	size_t i;

	for (i = 0; i < c->nf; i++)
		c->fields[i] = c->data.buf + c->offs[i];
	c->rec.nfields = c->nf;
	c->rec.fields = c->fields;
	c->rec.lens = c->lens;
	c->rec.last_line = c->lineno;
	c->rec.raw = sbuf_str(&c->raw);
	c->rec.rawlen = c->raw.len;
	c->pending = 0;
	c->rec.bad_field = SIZE_MAX;
	c->rec.bad_why = NULL;
	if (c->bad_line) {
		diag_set(d, "byte 0x%02X is not a %s character "
		    "(is the file in another encoding?)", c->bad_byte,
		    c->encname);
		if (d)
			d->line = c->bad_line;
		return -1;
	}
	/* A NUL would end the field's text early, silently: C3 read as
	 * C.  No text export holds one, in any encoding. */
	for (i = 0; i < c->nf; i++) {
		if (memchr(c->fields[i], '\0', c->lens[i]) == NULL)
			continue;
		c->rec.bad_field = i;
		c->rec.bad_why = "holds a NUL byte (is the file UTF-16, or "
		    "not text?)";
		diag_set(d, "field %zu %s", i + 1, c->rec.bad_why);
		if (d)
			d->line = nul_line(c);
		return -1;
	}
	if (c->enc == ENC_UTF8)
		for (i = 0; i < c->nf; i++) {
			if (util_utf8_valid(c->fields[i], c->lens[i]))
				continue;
			c->rec.bad_field = i;
			c->rec.bad_why = "is not valid UTF-8 (use --encoding "
			    "WINDOWS-1252 or ISO-8859-1)";
			diag_set(d, "field %zu %s", i + 1, c->rec.bad_why);
			if (d)
				d->line = bad_utf8_line(c);
			return -1;
		}
	return blank_record(c) ? 0 : 1;
}

/* at_eof: the end of input with a record pending.  A quote still open
 * is an error; otherwise csv_fini ends the last record. */
static int
at_eof(struct csvin *c, struct diag *d)
{
	int r;

	c->done = 1;
	/* Strict only now: mid-file, a stray quote in an unquoted field
	 * (5" pipe) is data, not an error. */
	csv_set_opts(&c->p, CSV_APPEND_NULL | CSV_STRICT | CSV_STRICT_FINI);
	r = csv_fini(&c->p, on_field, on_row, c);
	if (r != 0 || !c->row_ended) {
		(void)finish(c, NULL);
		diag_set(d, "quoted field opened on line %ld is never closed",
		    c->open_line);
		if (d)
			d->line = c->rec.line;
		return -1;
	}
	return finish(c, d);
}

int
csvin_next(struct csvin *c, struct csvin_record **rec, struct diag *d)
{
	const char *line;
	size_t len;
	int r;

	*rec = NULL;
	if (c->done)
		return 0;
	if (!c->started && start(c, d) != 0) {
		c->done = 1;
		return -1;
	}
	for (;;) {
		if (!c->pending)
			record_reset(c);
		r = next_line(c, &line, &len);
		if (r < 0) {
			c->done = 1;
			set_io_error(c, d);
			return -1;
		}
		if (r == 0) {
			if (!c->pending) {
				c->done = 1;
				return 0;
			}
			r = at_eof(c, d);
			if (r == 0)
				return 0;
			*rec = &c->rec;
			return r;
		}
		c->lineno++;
		if (!c->pending) {
			if (blank_line(line, len))
				continue;
			c->pending = 1;
			c->rec.line = c->open_line = c->lineno;
		}
		sbuf_add(&c->raw, line, len);
		if (c->enc == ENC_ICONV) {
			convert(c, line, len);
			line = c->conv.buf;
			len = c->conv.len;
		}
		c->row_ended = 0;
		if (feed(c, line, len) != 0) {
			c->done = 1;
			diag_set(d, "%s", csv_strerror(csv_error(&c->p)));
			if (d)
				d->line = c->lineno;
			return -1;
		}
		if (!c->row_ended) {
			/* A field ended on this line, so the quote still
			 * open was opened on it. */
			if (c->line_fields > 0)
				c->open_line = c->lineno;
			continue;
		}
		r = finish(c, d);
		if (r == 0)
			continue;
		*rec = &c->rec;
		return r;
	}
}

/* A field needs quotes if reading it back would otherwise change it:
 * spaces at its ends would be trimmed, and a leading U+FEFF at the start
 * of a file would be taken for a BOM. */
static int
needs_quotes(int delim, const char *s, size_t n)
{
	size_t i;

	if (n > 0 && (s[0] == ' ' || s[0] == '\t' || s[n - 1] == ' ' ||
	    s[n - 1] == '\t'))
		return 1;
	if (n >= 3 && memcmp(s, "\xEF\xBB\xBF", 3) == 0)
		return 1;
	for (i = 0; i < n; i++)
		if (s[i] == delim || s[i] == '"' || s[i] == '\r' ||
		    s[i] == '\n')
			return 1;
	return 0;
}

void
csvin_write_record(FILE *fp, int delim, char *const *fields,
    const size_t *lens, size_t n)
{
	size_t i, k;

	for (i = 0; i < n; i++) {
		const char *s = fields[i];

		if (i > 0)
			putc(delim, fp);
		/* A lone empty field would be a blank line, which reads
		 * back as no record at all. */
		if (needs_quotes(delim, s, lens[i]) || (n == 1 && lens[i] == 0)) {
			putc('"', fp);
			for (k = 0; k < lens[i]; k++) {
				if (s[k] == '"')
					putc('"', fp);
				putc(s[k], fp);
			}
			putc('"', fp);
		} else {
			fwrite(s, 1, lens[i], fp);
		}
	}
	putc('\n', fp);
}

/*
 * payments: the run that takes bank statements into the state, and the
 * rules every format shares.
 *
 * Idempotence rests on payment.entry_key.  An entry the bank names (camt
 * AcctSvcrRef, the MT940 bank reference after "//", a CSV transaction id)
 * is keyed "R|account|reference" (with "|n" for the n-th detail of a
 * split batch entry); an entry with no usable reference is keyed
 * "H|" + the SHA-256 of its normalised fields.  The same key twice in one
 * file gets "#2", "#3": two identical payments on one day stay two, and a
 * re-read of the file gives the same keys, so it changes nothing.  The
 * same entry reported by a camt.054 notification and then by the day's
 * camt.053 has the same key and is recorded once.
 *
 * Keys are made of what the bank wrote, not of how it was read: the text
 * in a hashed key has each run of non-ASCII characters folded to one
 * "?", so a file read as Windows-1252 one day and as ISO-8859-1 (or
 * mojibake) the next gives the same keys.  A file whose bytes were read
 * before is also matched entry by entry on payment.src (its SHA-256 and
 * each entry's place in it), so other options (a CSV's account named by
 * --account, a column mapped differently) never record its entries
 * again: the place of an entry in the same bytes is the entry.
 *
 * A statement (account and id) that comes again with other balances or
 * with entries the state does not know is a re-issue: the file is
 * refused (see sink_statement_end).
 *
 * The rows a file prints are written to o->out as they come; a refused
 * file's rows are taken back by truncating o->out (the tool gives a
 * temporary file), and its rows in the state by a savepoint.
 */
#include <errno.h>
#include <iconv.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bankcsv.h"
#include "camt.h"
#include "hmap.h"
#include "mt940.h"
#include "payments.h"
#include "sha256.h"
#include "tsv.h"

const char *const pay_stream_columns[] = {
	"payment_id", "statement_id", "account", "booking_date", "value_date",
	"currency", "amount", "charges", "kind", "payer_name",
	"payer_account", "reference", "end_to_end_id"
};
const size_t pay_stream_ncolumns =
    sizeof pay_stream_columns / sizeof pay_stream_columns[0];

static const char *const kind_names[] = { "receipt", "reversal", "debit" };
enum { K_RECEIPT, K_REVERSAL, K_DEBIT };

struct pay_run {
	struct state *st;
	const struct pay_opts *o;
	sqlite3_stmt *ins_stmt, *sel_stmt, *end_stmt, *ins_pay, *sel_pay;
	sqlite3_stmt *rev_e2e, *rev_ref, *rev_txt, *sel_src, *sel_seen;
	sqlite3_stmt *sum_stmt;

	/* The file being read. */
	const char *name;
	long nlines;		/* of the file, for progress */
	struct pay_counts fc;
	struct hmap *keys;	/* entry keys seen in this file */
	struct hmap *stmts;	/* statement references seen */
	struct sbuf key, tmp, src;
	char hex[65];		/* the file's SHA-256 */
	int seen;		/* read before (the same bytes) */
	long pos_line, pos_k;	/* the place of the last entry */
	long differ;		/* entries known by place, read otherwise */
	long changed;		/* entries known by the bank's reference,
				   read with other content */

	/* The statement being read (the reader's, alive until its
	 * statement_end). */
	const struct pay_statement *cur;
	int64_t stmt_id;
	int stmt_new;
	int stmt_known;		/* in the state from another file */
	int old_has_open, old_has_close;
	int64_t old_open, old_close;
	int old_ok;		/* its balances added up */
	long stmt_ingested;	/* its entries new to the state */
	struct sbuf stmt_ref;
	int64_t sum;
	int sum_bad;		/* overflowed, or an entry in another
				   currency than the balances */
	char sum_ccy[4];
	long stmt_rejected;
	/* What the state holds for the statement after this reading: the
	 * amounts stored (a known entry's as first recorded), over the
	 * entries of this reading; for a known statement the state's own
	 * rows of it are summed at its end (see stored_sum). */
	int64_t ssum;
	int ssum_bad;
	long stmt_matched;	/* its known entries stored under it */
	long stmt_changed;	/* its known entries read otherwise */
	int64_t sum_elsewhere;	/* its known entries stored under another
				   statement (a camt.054 before) */
	int elsewhere_bad;
};

void
pay_entry_reset(struct pay_entry *e)
{
	e->line = 0;
	e->currency[0] = '\0';
	e->amount = e->charges = 0;
	e->booking_date = e->value_date = PAY_NO_DATE;
	e->reversal = e->linked = e->detail = 0;
	sbuf_reset(&e->bank_ref);
	sbuf_reset(&e->payer_name);
	sbuf_reset(&e->payer_account);
	sbuf_reset(&e->reference);
	sbuf_reset(&e->end_to_end_id);
	sbuf_reset(&e->remittance);
	sbuf_reset(&e->return_reason);
	sbuf_reset(&e->related_ref);
	e->raw = NULL;
	e->rawlen = 0;
}

void
pay_entry_free(struct pay_entry *e)
{
	sbuf_free(&e->bank_ref);
	sbuf_free(&e->payer_name);
	sbuf_free(&e->payer_account);
	sbuf_free(&e->reference);
	sbuf_free(&e->end_to_end_id);
	sbuf_free(&e->remittance);
	sbuf_free(&e->return_reason);
	sbuf_free(&e->related_ref);
}

void
pay_statement_reset(struct pay_statement *s)
{
	s->line = 0;
	s->format = NULL;
	sbuf_reset(&s->account);
	sbuf_reset(&s->stmt_ref);
	s->currency[0] = s->opening_ccy[0] = s->closing_ccy[0] = '\0';
	s->has_opening = s->has_closing = 0;
	s->opening_bad = s->closing_bad = 0;
	s->balances_expected = 0;
	s->opening = s->closing = 0;
	s->from_date = s->to_date = PAY_NO_DATE;
}

void
pay_statement_free(struct pay_statement *s)
{
	sbuf_free(&s->account);
	sbuf_free(&s->stmt_ref);
}

void
pay_warnf(const struct pay_sink *k, long line, const char *fmt, ...)
{
	struct sbuf b = { 0 };
	va_list ap;

	va_start(ap, fmt);
	sbuf_vaddf(&b, fmt, ap);
	va_end(ap);
	k->warn(k->ctx, line, sbuf_str(&b));
	sbuf_free(&b);
}

int
pay_rejectf(const struct pay_sink *k, long line, const char *raw,
    size_t rawlen, struct diag *d, const char *fmt, ...)
{
	struct sbuf b = { 0 };
	va_list ap;
	int rc;

	va_start(ap, fmt);
	sbuf_vaddf(&b, fmt, ap);
	va_end(ap);
	rc = k->reject(k->ctx, line, sbuf_str(&b), raw, rawlen, d);
	sbuf_free(&b);
	return rc;
}

/* ---- format, encoding, references, dates ----------------------------- */

const char *
pay_format_name(enum pay_format f)
{
	switch (f) {
	case PAY_FMT_CAMT: return "camt";
	case PAY_FMT_MT940: return "mt940";
	case PAY_FMT_CSV: return "csv";
	default: return "auto";
	}
}

int
pay_format_from_name(const char *s, enum pay_format *f)
{
	if (util_strcaseeq(s, "camt"))
		*f = PAY_FMT_CAMT;
	else if (util_strcaseeq(s, "mt940") || util_strcaseeq(s, "mt942"))
		*f = PAY_FMT_MT940;
	else if (util_strcaseeq(s, "csv"))
		*f = PAY_FMT_CSV;
	else if (util_strcaseeq(s, "auto"))
		*f = PAY_FMT_AUTO;
	else
		return -1;
	return 0;
}

/*
 * An MT940 file shows its tags in its first lines, whatever preamble a
 * bank puts before them (ABN AMRO's "ABNANL2A / 940", ING's "0000 01...",
 * a SWIFT block header, mBank's SOH byte); XML starts with "<".  Anything
 * else is taken for CSV.
 */
enum pay_format
pay_sniff(const char *buf, size_t n)
{
	size_t i = 0, lim = n < 16384 ? n : 16384;

	if (n >= 3 && memcmp(buf, "\xEF\xBB\xBF", 3) == 0)
		i = 3;
	while (i < lim && ((unsigned char)buf[i] <= ' '))
		i++;
	if (i < lim && buf[i] == '<')
		return PAY_FMT_CAMT;
	for (size_t j = i; j < lim; j++) {
		const char *p = buf + j;
		size_t left = lim - j;

		if (j != i && buf[j - 1] != '\n' && buf[j - 1] != '\r' &&
		    buf[j - 1] != '\x01')
			continue;
		/* ":NN:" or ":NNA:" at a line start, or a SWIFT block. */
		if (left >= 4 && p[0] == ':' && p[1] >= '0' && p[1] <= '9' &&
		    p[2] >= '0' && p[2] <= '9' && (p[3] == ':' || (left >= 5 &&
		    p[3] >= 'A' && p[3] <= 'Z' && p[4] == ':')))
			return PAY_FMT_MT940;
		if (left >= 3 && memcmp(p, "{1:", 3) == 0)
			return PAY_FMT_MT940;
	}
	return PAY_FMT_CSV;
}

/* Windows-1252 leaves five bytes undefined; a file holding one of them is
 * in some other code page, which must not be guessed. */
static int
cp1252_undefined(unsigned char c)
{
	return c == 0x81 || c == 0x8D || c == 0x8F || c == 0x90 || c == 0x9D;
}

/* The line and byte of the first sequence that is not UTF-8. */
static long
bad_utf8_line(const char *buf, size_t n, unsigned char *byte)
{
	size_t start = 0, i;
	long line = 1;

	for (i = 0; i <= n; i++) {
		if (i < n && buf[i] != '\n')
			continue;
		if (!util_utf8_valid(buf + start, i - start)) {
			for (size_t k = start; k < i; k++)
				if ((unsigned char)buf[k] >= 0x80) {
					*byte = (unsigned char)buf[k];
					break;
				}
			return line;
		}
		line++;
		start = i + 1;
	}
	return 0;
}

static long
line_at(const char *buf, size_t off)
{
	long line = 1;

	for (size_t i = 0; i < off; i++)
		if (buf[i] == '\n')
			line++;
	return line;
}

int
pay_to_utf8(const char *buf, size_t n, const char *encoding,
    struct sbuf *out, int *guessed, struct diag *d)
{
	const char *from = encoding;
	iconv_t cd;
	char *in, *o;
	size_t inleft, oleft, cap;

	sbuf_reset(out);
	*guessed = 0;
	if (n >= 3 && memcmp(buf, "\xEF\xBB\xBF", 3) == 0) {
		buf += 3;
		n -= 3;
	}
	if (from == NULL || util_strcaseeq(from, "UTF-8") ||
	    util_strcaseeq(from, "UTF8")) {
		unsigned char byte = 0;
		long line;

		if (util_utf8_valid(buf, n)) {
			sbuf_add(out, buf, n);
			return 0;
		}
		line = bad_utf8_line(buf, n, &byte);
		if (from != NULL) {
			d->line = line;
			diag_set(d, "byte 0x%02x is not UTF-8 (name the file's "
			    "encoding with --encoding)", byte);
			return -1;
		}
		for (size_t i = 0; i < n; i++)
			if (cp1252_undefined((unsigned char)buf[i])) {
				d->line = line_at(buf, i);
				diag_set(d, "not UTF-8, and byte 0x%02x is not "
				    "Windows-1252 either: name the file's "
				    "encoding with --encoding",
				    (unsigned char)buf[i]);
				return -1;
			}
		from = "WINDOWS-1252";
		*guessed = 1;
	}
	cd = iconv_open("UTF-8", from);
	if (cd == (iconv_t)-1) {
		diag_set(d, "encoding \"%s\" is not one iconv knows", from);
		return -1;
	}
	/* A single-byte code page needs at most 3 UTF-8 bytes a byte. */
	cap = n * 3 + 1;
	out->buf = xrealloc(out->buf, cap);
	out->cap = cap;
	in = (char *)(uintptr_t)buf;
	inleft = n;
	o = out->buf;
	oleft = cap - 1;
	if (iconv(cd, &in, &inleft, &o, &oleft) == (size_t)-1) {
		d->line = line_at(buf, n - inleft);
		diag_set(d, "byte 0x%02x is not %s (name the file's encoding "
		    "with --encoding)", (unsigned char)*in, from);
		iconv_close(cd);
		return -1;
	}
	iconv_close(cd);
	out->len = (size_t)(o - out->buf);
	out->buf[out->len] = '\0';
	return 0;
}

int
pay_too_large(int64_t v, int64_t limit, const char *ccy, struct sbuf *msg)
{
	char a[MONEY_BUFSZ], b[MONEY_BUFSZ];
	int digits = money_minor_digits(ccy);

	if (v >= -limit && v <= limit)
		return 0;
	if (digits < 0)
		digits = 2;
	sbuf_addf(msg, "%s %s is beyond the %s %s can be (10^%d minor "
	    "units)", money_format(v, digits, a), ccy,
	    money_format(limit, digits, b), limit == PAY_MAX_ENTRY ?
	    "an entry" : "a balance", limit == PAY_MAX_ENTRY ? 15 : 17);
	return 1;
}

void
pay_norm_space(struct sbuf *b)
{
	size_t i, o = 0;
	int space = 0;

	for (i = 0; i < b->len; i++) {
		unsigned char c = (unsigned char)b->buf[i];

		if (c <= ' ' || c == 0x7F) {
			space = o > 0;
			continue;
		}
		if (space)
			b->buf[o++] = ' ';
		space = 0;
		b->buf[o++] = (char)c;
	}
	b->len = o;
	if (b->buf)
		b->buf[o] = '\0';
}

int
pay_rf_check(const char *s, struct sbuf *norm)
{
	char v[40];
	size_t n = 0, i;
	unsigned rem = 0;

	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == ' ')
			continue;
		if (!((c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') ||
		    (c >= 'a' && c <= 'z')) || n >= sizeof v - 1)
			return 0;
		v[n++] = (char)(c >= 'a' && c <= 'z' ? c - 'a' + 'A' : c);
	}
	v[n] = '\0';
	/* RF, two check digits, 1 to 21 characters of reference. */
	if (n < 5 || n > 25 || v[0] != 'R' || v[1] != 'F' ||
	    v[2] < '0' || v[2] > '9' || v[3] < '0' || v[3] > '9')
		return 0;
	/* The first four go to the end, letters become 10..35, and the
	 * number must be 1 modulo 97 (as an IBAN's). */
	for (i = 0; i < n; i++) {
		char c = v[(i + 4) % n];

		if (c >= 'A' && c <= 'Z')
			rem = (rem * 100 + (unsigned)(c - 'A' + 10)) % 97;
		else
			rem = (rem * 10 + (unsigned)(c - '0')) % 97;
	}
	if (rem != 1)
		return -1;
	if (norm) {
		sbuf_reset(norm);
		sbuf_add(norm, v, n);
	}
	return 1;
}

int
pay_ymd(int y, int m, int d, int32_t *out)
{
	int dim;

	if (date_from_ymd(y, m, d, out) == 0)
		return 0;
	if (m < 1 || m > 12 || d < 1 || d > 31 || y < DATE_MIN_YEAR ||
	    y > DATE_MAX_YEAR)
		return -1;
	dim = date_days_in_month(y, m);
	if (date_from_ymd(y, m, dim, out) != 0)
		return -1;
	return 1;
}

/* ---- the run ----------------------------------------------------------- */

static int
step_done(struct pay_run *r, sqlite3_stmt *s, const char *what,
    struct diag *d)
{
	int rc = sqlite3_step(s);

	sqlite3_reset(s);
	if (rc != SQLITE_DONE && rc != SQLITE_ROW)
		return state_error(r->st, d, what);
	return 0;
}

static void
bind_text_or_null(sqlite3_stmt *s, int i, const struct sbuf *b)
{
	if (b->len > 0)
		sqlite3_bind_text(s, i, b->buf, (int)b->len, SQLITE_STATIC);
	else
		sqlite3_bind_null(s, i);
}

static void
bind_day(sqlite3_stmt *s, int i, int32_t day)
{
	if (day == PAY_NO_DATE)
		sqlite3_bind_null(s, i);
	else
		sqlite3_bind_int(s, i, day);
}

struct pay_run *
pay_begin(struct state *st, const struct pay_opts *o, struct diag *d)
{
	struct pay_run *r = xcalloc(1, sizeof *r);

	r->st = st;
	r->o = o;
	if ((r->ins_stmt = state_prepare(st, "INSERT INTO statement (batch_id, "
	    "account, stmt_ref, currency, opening, from_date, format) VALUES "
	    "(?,?,?,?,?,?,?) ON CONFLICT (account, stmt_ref) DO NOTHING",
	    d)) == NULL ||
	    (r->sel_stmt = state_prepare(st, "SELECT id, opening, closing, "
	    "balance_ok FROM statement WHERE account = ? AND stmt_ref = ?",
	    d)) == NULL ||
	    (r->sel_seen = state_prepare(st, "SELECT s.id FROM statement s "
	    "JOIN batch b ON b.id = s.batch_id WHERE b.kind = 'payments' AND "
	    "b.sha256 = ?1 AND s.stmt_ref = ?2 ORDER BY s.id LIMIT 1", d)) ==
	    NULL ||
	    (r->sel_src = state_prepare(st, "SELECT id, entry_key FROM payment "
	    "WHERE src = ? ORDER BY id LIMIT 1", d)) == NULL ||
	    (r->end_stmt = state_prepare(st, "UPDATE statement SET closing = ?, "
	    "to_date = ?, balance_ok = ?, opening = ? WHERE id = ?", d)) ==
	    NULL ||
	    (r->ins_pay = state_prepare(st, "INSERT INTO payment (entry_key, "
	    "statement_id, batch_id, account, booking_date, value_date, "
	    "currency, amount, charges, kind, payer_name, payer_account, "
	    "reference, end_to_end_id, unallocated, reverses_id, bank_ref, "
	    "remittance, return_reason, src) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,"
	    "?,?,?,?,?,?,?,?) ON CONFLICT (entry_key) DO NOTHING", d)) == NULL ||
	    (r->sel_pay = state_prepare(st, "SELECT id, statement_id, amount, "
	    "currency, booking_date, value_date, reference FROM payment WHERE "
	    "entry_key = ?", d)) == NULL ||
	    (r->sum_stmt = state_prepare(st, "SELECT count(*), coalesce(sum(amount), 0), "
	    "coalesce(sum(currency IS NOT ?2), 0) FROM payment WHERE "
	    "statement_id = ?1",
	    d)) == NULL ||
	    /* The original of a reversal: a receipt of the amount it takes
	     * back, not reversed yet, found by the end-to-end id the bank
	     * repeats, by the transaction a CSV row names, or by payer
	     * account and reference together. */
	    (r->rev_e2e = state_prepare(st, "SELECT id FROM payment p WHERE "
	    "kind = 'receipt' AND end_to_end_id = ?1 AND amount = ?2 AND "
	    "currency = ?3 AND account IS ?4 AND value_date <= ?5 AND NOT "
	    "EXISTS (SELECT 1 FROM payment x WHERE x.reverses_id = p.id) "
	    "LIMIT 2", d)) == NULL ||
	    (r->rev_ref = state_prepare(st, "SELECT id FROM payment p WHERE "
	    "kind = 'receipt' AND bank_ref = ?1 AND amount = ?2 AND "
	    "currency = ?3 AND account IS ?4 AND value_date <= ?5 AND NOT "
	    "EXISTS (SELECT 1 FROM payment x WHERE x.reverses_id = p.id) "
	    "LIMIT 2", d)) == NULL ||
	    (r->rev_txt = state_prepare(st, "SELECT id FROM payment p WHERE "
	    "kind = 'receipt' AND payer_account = ?1 AND reference = ?6 AND "
	    "amount = ?2 AND currency = ?3 AND account IS ?4 AND "
	    "value_date <= ?5 AND NOT EXISTS (SELECT 1 FROM payment x WHERE "
	    "x.reverses_id = p.id) LIMIT 2", d)) == NULL) {
		pay_free(r);
		return NULL;
	}
	if (o->out != NULL) {
		for (size_t i = 0; i < pay_stream_ncolumns; i++) {
			if (i)
				tsv_sep(o->out);
			tsv_put(o->out, pay_stream_columns[i]);
		}
		tsv_end(o->out);
	}
	return r;
}

void
pay_free(struct pay_run *r)
{
	if (r == NULL)
		return;
	sqlite3_finalize(r->ins_stmt);
	sqlite3_finalize(r->sel_stmt);
	sqlite3_finalize(r->end_stmt);
	sqlite3_finalize(r->ins_pay);
	sqlite3_finalize(r->sel_pay);
	sqlite3_finalize(r->rev_e2e);
	sqlite3_finalize(r->rev_ref);
	sqlite3_finalize(r->rev_txt);
	sqlite3_finalize(r->sel_src);
	sqlite3_finalize(r->sel_seen);
	sqlite3_finalize(r->sum_stmt);
	hmap_free(r->keys);
	hmap_free(r->stmts);
	sbuf_free(&r->key);
	sbuf_free(&r->tmp);
	sbuf_free(&r->src);
	sbuf_free(&r->stmt_ref);
	free(r);
}

static void
sink_warn(void *ctx, long line, const char *msg)
{
	struct pay_run *r = ctx;

	if (r->o->report)
		r->o->report(r->o->report_ctx, r->name, line, 0, msg);
}

static void
run_warnf(struct pay_run *r, long line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void
run_warnf(struct pay_run *r, long line, const char *fmt, ...)
{
	struct sbuf b = { 0 };
	va_list ap;

	va_start(ap, fmt);
	sbuf_vaddf(&b, fmt, ap);
	va_end(ap);
	sink_warn(r, line, sbuf_str(&b));
	sbuf_free(&b);
}

/* The place of the entry at line in the file into r->src: the file's
 * hash, the line and which entry on that line (a camt file may be one
 * line).  Every entry read, rejected or not, takes its place. */
static void
position(struct pay_run *r, long line)
{
	if (line == r->pos_line) {
		r->pos_k++;
	} else {
		r->pos_line = line;
		r->pos_k = 1;
	}
	sbuf_reset(&r->src);
	sbuf_addf(&r->src, "%s:%ld.%ld", r->hex, line, r->pos_k);
}

static int
sink_reject(void *ctx, long line, const char *msg, const char *raw,
    size_t rawlen, struct diag *d)
{
	struct pay_run *r = ctx;

	position(r, line);
	r->fc.rejected++;
	r->stmt_rejected++;
	if (r->o->report)
		r->o->report(r->o->report_ctx, r->name, line, 1, msg);
	if (r->o->rejects != NULL && raw != NULL) {
		fwrite(raw, 1, rawlen, r->o->rejects);
		if (rawlen == 0 || raw[rawlen - 1] != '\n')
			fputc('\n', r->o->rejects);
	}
	if (r->o->strict) {
		d->line = line;
		diag_set(d, "stopped by --strict at this rejected entry: "
		    "nothing of the run is recorded");
		return PAY_EDATA;
	}
	return 0;
}

static int
sink_statement(void *ctx, struct pay_statement *s, struct diag *d)
{
	struct pay_run *r = ctx;
	sqlite3_stmt *q;
	int64_t *n;
	int rc;

	/* A statement reference twice in one file (banks reuse :20: and
	 * :28C:) is two statements. */
	sbuf_reset(&r->stmt_ref);
	sbuf_add(&r->stmt_ref, s->account.buf ? s->account.buf : "",
	    s->account.len);
	sbuf_addc(&r->stmt_ref, '|');
	sbuf_add(&r->stmt_ref, s->stmt_ref.buf ? s->stmt_ref.buf : "",
	    s->stmt_ref.len);
	n = hmap_put(r->stmts, r->stmt_ref.buf, r->stmt_ref.len, NULL);
	++*n;
	sbuf_reset(&r->stmt_ref);
	sbuf_adds(&r->stmt_ref, sbuf_str(&s->stmt_ref));
	if (*n > 1)
		sbuf_addf(&r->stmt_ref, "#%lld", (long long)*n);

	r->cur = s;
	r->fc.statements++;
	r->sum = 0;
	r->sum_bad = 0;
	r->stmt_rejected = 0;
	r->stmt_known = 0;
	r->stmt_ingested = 0;
	r->ssum = 0;
	r->ssum_bad = 0;
	r->stmt_matched = 0;
	r->stmt_changed = 0;
	r->sum_elsewhere = 0;
	r->elsewhere_bad = 0;
	memcpy(r->sum_ccy, s->has_opening ? s->opening_ccy : s->currency, 4);
	/* The same bytes again: the statement they made, whatever account
	 * the options gave it then or now. */
	if (r->seen) {
		q = r->sel_seen;
		sqlite3_bind_text(q, 1, r->hex, -1, SQLITE_STATIC);
		sqlite3_bind_text(q, 2, sbuf_str(&r->stmt_ref), -1,
		    SQLITE_STATIC);
		rc = sqlite3_step(q);
		if (rc == SQLITE_ROW)
			r->stmt_id = sqlite3_column_int64(q, 0);
		sqlite3_reset(q);
		sqlite3_clear_bindings(q);
		if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
			state_error(r->st, d, "finding a statement");
			return PAY_ESTATE;
		}
		if (rc == SQLITE_ROW) {
			r->stmt_new = 0;
			return 0;
		}
	}

	q = r->ins_stmt;
	sqlite3_bind_int64(q, 1, r->st->batch_id);
	sqlite3_bind_text(q, 2, sbuf_str(&s->account), -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 3, sbuf_str(&r->stmt_ref), -1, SQLITE_STATIC);
	if (s->currency[0])
		sqlite3_bind_text(q, 4, s->currency, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(q, 4);
	if (s->has_opening)
		sqlite3_bind_int64(q, 5, s->opening);
	else
		sqlite3_bind_null(q, 5);
	bind_day(q, 6, s->from_date);
	sqlite3_bind_text(q, 7, s->format ? s->format : "", -1,
	    SQLITE_STATIC);
	if (step_done(r, q, "recording a statement", d) != 0)
		return PAY_ESTATE;
	r->stmt_new = sqlite3_changes(r->st->db) > 0;
	sqlite3_clear_bindings(q);
	if (r->stmt_new) {
		r->stmt_id = sqlite3_last_insert_rowid(r->st->db);
	} else {
		q = r->sel_stmt;
		sqlite3_bind_text(q, 1, sbuf_str(&s->account), -1,
		    SQLITE_STATIC);
		sqlite3_bind_text(q, 2, sbuf_str(&r->stmt_ref), -1,
		    SQLITE_STATIC);
		if (sqlite3_step(q) != SQLITE_ROW) {
			sqlite3_reset(q);
			state_error(r->st, d, "finding a statement");
			return PAY_ESTATE;
		}
		r->stmt_id = sqlite3_column_int64(q, 0);
		r->stmt_known = 1;
		r->old_has_open = sqlite3_column_type(q, 1) != SQLITE_NULL;
		r->old_open = sqlite3_column_int64(q, 1);
		r->old_has_close = sqlite3_column_type(q, 2) != SQLITE_NULL;
		r->old_close = sqlite3_column_int64(q, 2);
		r->old_ok = sqlite3_column_type(q, 3) != SQLITE_NULL &&
		    sqlite3_column_int(q, 3) == 1;
		sqlite3_reset(q);
	}
	return 0;
}

static int
usable_ref(const struct sbuf *b)
{
	return b->len > 0 && !util_strcaseeq(b->buf, "NONREF") &&
	    !util_strcaseeq(b->buf, "NOTPROVIDED") &&
	    !util_strcaseeq(b->buf, "NONE");
}

/* s into b with each run of non-ASCII bytes made one "?": what a key
 * holds of a text must not depend on the code page it was read in. */
static void
add_folded(struct sbuf *b, const char *s)
{
	int in_run = 0;

	for (; *s; s++) {
		if ((unsigned char)*s < 0x80) {
			sbuf_addc(b, *s);
			in_run = 0;
		} else if (!in_run) {
			sbuf_addc(b, '?');
			in_run = 1;
		}
	}
}

/* The key of an entry (see the top of the file) into r->key. */
static void
entry_key(struct pay_run *r, const struct pay_statement *s,
    const struct pay_entry *e, int kind)
{
	int64_t *n;

	sbuf_reset(&r->key);
	if (usable_ref(&e->bank_ref)) {
		sbuf_adds(&r->key, "R|");
		add_folded(&r->key, sbuf_str(&s->account));
		sbuf_addc(&r->key, '|');
		add_folded(&r->key, sbuf_str(&e->bank_ref));
		if (e->detail > 0)
			sbuf_addf(&r->key, "|%d", e->detail);
	} else {
		struct sha256 h;
		char hex[65];
		const struct sbuf *f[] = { &s->account, &e->payer_name,
		    &e->payer_account, &e->reference, &e->end_to_end_id,
		    &e->remittance, &e->bank_ref };

		sbuf_reset(&r->tmp);
		sbuf_addf(&r->tmp, "%d\x1f%d\x1f%s\x1f%lld\x1f%lld\x1f%s\x1f%d",
		    (int)e->booking_date, (int)e->value_date, e->currency,
		    (long long)e->amount, (long long)e->charges,
		    kind_names[kind], e->detail);
		for (size_t i = 0; i < sizeof f / sizeof f[0]; i++) {
			sbuf_addc(&r->tmp, '\x1f');
			add_folded(&r->tmp, sbuf_str(f[i]));
		}
		sha256_init(&h);
		sha256_update(&h, r->tmp.buf, r->tmp.len);
		sha256_hex(&h, hex);
		sbuf_addf(&r->key, "H|%s", hex);
	}
	n = hmap_put(r->keys, r->key.buf, r->key.len, NULL);
	++*n;
	if (*n > 1)
		sbuf_addf(&r->key, "#%lld", (long long)*n);
}

/* The original a reversal takes back, or 0. */
static int
find_original(struct pay_run *r, const struct pay_statement *s,
    const struct pay_entry *e, int64_t *id, struct diag *d)
{
	sqlite3_stmt *q = NULL;
	const struct sbuf *by = NULL;
	int rc, found = 0;

	*id = 0;
	if (usable_ref(&e->end_to_end_id)) {
		q = r->rev_e2e;
		by = &e->end_to_end_id;
	} else if (e->related_ref.len > 0) {
		q = r->rev_ref;
		by = &e->related_ref;
	} else if (e->payer_account.len > 0 && e->reference.len > 0) {
		q = r->rev_txt;
		by = &e->payer_account;
		sqlite3_bind_text(q, 6, e->reference.buf, (int)e->reference.len,
		    SQLITE_STATIC);
	}
	if (q == NULL)
		return 0;
	sqlite3_bind_text(q, 1, by->buf, (int)by->len, SQLITE_STATIC);
	sqlite3_bind_int64(q, 2, -e->amount);
	sqlite3_bind_text(q, 3, e->currency, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 4, sbuf_str(&s->account), -1, SQLITE_STATIC);
	sqlite3_bind_int(q, 5, e->value_date);
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		*id = sqlite3_column_int64(q, 0);
		found++;
	}
	sqlite3_reset(q);
	sqlite3_clear_bindings(q);
	if (rc != SQLITE_DONE)
		return state_error(r->st, d, "looking for a reversal's "
		    "original");
	/* Two candidates: the original is not identifiable. */
	if (found != 1)
		*id = 0;
	return 0;
}

static void
put_day(FILE *fp, int32_t day)
{
	char buf[DATE_BUFSZ];

	if (day != PAY_NO_DATE)
		fputs(date_format(day, buf), fp);
}

static void
print_row(struct pay_run *r, int64_t id, const struct pay_statement *s,
    const struct pay_entry *e, int kind)
{
	FILE *fp = r->o->out;
	char buf[MONEY_BUFSZ];
	int digits = money_minor_digits(e->currency);

	fprintf(fp, "%lld\t%lld\t", (long long)id, (long long)r->stmt_id);
	tsv_put(fp, sbuf_str(&s->account));
	tsv_sep(fp);
	put_day(fp, e->booking_date);
	tsv_sep(fp);
	put_day(fp, e->value_date);
	fprintf(fp, "\t%s\t%s\t", e->currency,
	    money_format(e->amount, digits, buf));
	fprintf(fp, "%s\t%s\t", money_format(e->charges, digits, buf),
	    kind_names[kind]);
	tsv_put(fp, sbuf_str(&e->payer_name));
	tsv_sep(fp);
	tsv_put(fp, sbuf_str(&e->payer_account));
	tsv_sep(fp);
	tsv_put(fp, sbuf_str(&e->reference));
	tsv_sep(fp);
	tsv_put(fp, sbuf_str(&e->end_to_end_id));
	tsv_end(fp);
}

static int
entry_kind(const struct pay_entry *e)
{
	/* A reversal that takes money out undoes a receipt; one that
	 * brings money in undoes an outgoing payment, which was never a
	 * receipt: a debit entry like the one it undoes. */
	if (e->reversal)
		return e->amount < 0 ? K_REVERSAL : K_DEBIT;
	if (e->amount > 0 && !e->linked)
		return K_RECEIPT;
	return K_DEBIT;
}

/* a and b equal once each run of non-ASCII bytes is one "?" (as keys
 * fold them): the same text read in another code page is the same. */
static int
folded_eq(const char *a, const char *b)
{
	for (;;) {
		int ha = (unsigned char)*a >= 0x80, hb = (unsigned char)*b >= 0x80;

		if (ha != hb)
			return 0;
		if (ha) {
			while ((unsigned char)*a >= 0x80)
				a++;
			while ((unsigned char)*b >= 0x80)
				b++;
			continue;
		}
		if (*a != *b)
			return 0;
		if (*a == '\0')
			return 1;
		a++;
		b++;
	}
}

/* The day column i of sel as a pay_entry holds it. */
static int32_t
col_day(sqlite3_stmt *sel, int i)
{
	if (sqlite3_column_type(sel, i) == SQLITE_NULL)
		return PAY_NO_DATE;
	return (int32_t)sqlite3_column_int(sel, i);
}

/*
 * e is in the state already under its key (sel's row: id, statement_id,
 * amount, currency, booking_date, value_date, reference).  What the
 * statement holds is what was stored, so its amount counts; and an entry
 * the bank names by its own reference that comes with another amount,
 * date or reference is not the entry recorded (a hashed key holds all of
 * these, so only a named one can differ): the bank changed it.
 */
static void
known_entry(struct pay_run *r, const struct pay_entry *e, sqlite3_stmt *sel)
{
	int64_t amount = sqlite3_column_int64(sel, 2);
	const char *ccy = (const char *)sqlite3_column_text(sel, 3);
	const char *ref = (const char *)sqlite3_column_text(sel, 6);

	if (ccy == NULL)
		ccy = "";
	if (sqlite3_column_int64(sel, 1) == r->stmt_id) {
		r->stmt_matched++;
	} else if (strcmp(ccy, r->sum_ccy) != 0 ||
	    money_add(r->sum_elsewhere, amount, &r->sum_elsewhere) != 0) {
		r->elsewhere_bad = 1;
	}
	if (strcmp(ccy, r->sum_ccy) != 0 ||
	    money_add(r->ssum, amount, &r->ssum) != 0)
		r->ssum_bad = 1;
	if (amount != e->amount || strcmp(ccy, e->currency) != 0 ||
	    col_day(sel, 4) != e->booking_date ||
	    col_day(sel, 5) != e->value_date ||
	    !folded_eq(ref ? ref : "", sbuf_str(&e->reference))) {
		r->stmt_changed++;
		r->changed++;
	}
}

static int
sink_entry(void *ctx, struct pay_entry *e, struct diag *d)
{
	struct pay_run *r = ctx;
	const struct pay_statement *s = r->cur;
	sqlite3_stmt *q = r->ins_pay;
	int64_t id, orig = 0, unalloc;
	int kind, isnew;

	if (s == NULL) {
		diag_set(d, "an entry outside a statement");
		return PAY_ESTATE;
	}
	if (e->value_date == PAY_NO_DATE)
		e->value_date = e->booking_date;
	r->fc.read++;
	if (r->o->progress != NULL)
		r->o->progress(r->o->progress_ctx, e->line, r->nlines);
	if (strcmp(e->currency, r->sum_ccy) != 0 ||
	    money_add(r->sum, e->amount, &r->sum) != 0 ||
	    r->sum > PAY_MAX_BALANCE || r->sum < -PAY_MAX_BALANCE)
		r->sum_bad = 1;
	kind = entry_kind(e);
	/* A CSV row that names another and takes money out may take back
	 * a receipt: if that receipt is found, it is a reversal. */
	if (e->linked && e->amount < 0 && !e->reversal) {
		if (find_original(r, s, e, &orig, d) != 0)
			return PAY_ESTATE;
		if (orig != 0)
			kind = K_REVERSAL;
	}
	entry_key(r, s, e, kind);
	position(r, e->line);
	/* The same bytes read before: the entry at this place is known,
	 * however these options read it. */
	if (r->seen) {
		sqlite3_stmt *sel = r->sel_src;
		int rc;

		sqlite3_bind_text(sel, 1, r->src.buf, (int)r->src.len,
		    SQLITE_STATIC);
		rc = sqlite3_step(sel);
		if (rc == SQLITE_ROW) {
			const char *k = (const char *)sqlite3_column_text(sel,
			    1);

			id = sqlite3_column_int64(sel, 0);
			if (k == NULL || strcmp(k, r->key.buf) != 0)
				r->differ++;
		}
		sqlite3_reset(sel);
		sqlite3_clear_bindings(sel);
		if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
			state_error(r->st, d, "finding a payment");
			return PAY_ESTATE;
		}
		if (rc == SQLITE_ROW) {
			r->fc.unchanged++;
			if (r->o->out != NULL && r->o->all)
				print_row(r, id, s, e, kind);
			return 0;
		}
	}
	if (kind == K_REVERSAL && orig == 0 &&
	    find_original(r, s, e, &orig, d) != 0)
		return PAY_ESTATE;
	unalloc = kind == K_DEBIT ? 0 : e->amount;

	sqlite3_bind_text(q, 1, r->key.buf, (int)r->key.len, SQLITE_STATIC);
	sqlite3_bind_int64(q, 2, r->stmt_id);
	sqlite3_bind_int64(q, 3, r->st->batch_id);
	bind_text_or_null(q, 4, &s->account);
	bind_day(q, 5, e->booking_date);
	sqlite3_bind_int(q, 6, e->value_date);
	sqlite3_bind_text(q, 7, e->currency, -1, SQLITE_STATIC);
	sqlite3_bind_int64(q, 8, e->amount);
	sqlite3_bind_int64(q, 9, e->charges);
	sqlite3_bind_text(q, 10, kind_names[kind], -1, SQLITE_STATIC);
	bind_text_or_null(q, 11, &e->payer_name);
	bind_text_or_null(q, 12, &e->payer_account);
	bind_text_or_null(q, 13, &e->reference);
	bind_text_or_null(q, 14, &e->end_to_end_id);
	sqlite3_bind_int64(q, 15, unalloc);
	if (orig)
		sqlite3_bind_int64(q, 16, orig);
	else
		sqlite3_bind_null(q, 16);
	bind_text_or_null(q, 17, &e->bank_ref);
	bind_text_or_null(q, 18, &e->remittance);
	bind_text_or_null(q, 19, &e->return_reason);
	sqlite3_bind_text(q, 20, r->src.buf, (int)r->src.len, SQLITE_STATIC);
	if (step_done(r, q, "recording a payment", d) != 0)
		return PAY_ESTATE;
	isnew = sqlite3_changes(r->st->db) > 0;
	if (isnew) {
		id = sqlite3_last_insert_rowid(r->st->db);
		r->fc.ingested++;
		r->stmt_ingested++;
		if (strcmp(e->currency, r->sum_ccy) != 0 ||
		    money_add(r->ssum, e->amount, &r->ssum) != 0)
			r->ssum_bad = 1;
	} else {
		sqlite3_stmt *sel = r->sel_pay;

		sqlite3_bind_text(sel, 1, r->key.buf, (int)r->key.len,
		    SQLITE_STATIC);
		if (sqlite3_step(sel) != SQLITE_ROW) {
			sqlite3_reset(sel);
			state_error(r->st, d, "finding a payment");
			return PAY_ESTATE;
		}
		id = sqlite3_column_int64(sel, 0);
		known_entry(r, e, sel);
		sqlite3_reset(sel);
		r->fc.unchanged++;
	}
	if (r->o->out != NULL && (isnew || r->o->all))
		print_row(r, id, s, e, kind);
	return 0;
}

/*
 * What the state holds for the statement being read, once this reading
 * is in: the sum of its entries as stored (*sum, *bad when it cannot be
 * summed in the balances' currency), and how many entries it had before
 * this reading (*before).  A statement new to the state holds exactly
 * the entries of this reading; a known one (a corrected file) also holds
 * what its first reading recorded, so its rows are summed: its balance
 * check is of what allocation will see, never of the file alone.
 */
static int
stored_sum(struct pay_run *r, int64_t *sum, int *bad, long *before,
    struct diag *d)
{
	sqlite3_stmt *q = r->sum_stmt;
	int rc;

	*before = 0;
	*sum = 0;
	*bad = 1;
	if (!r->stmt_known) {
		*sum = r->stmt_new ? r->ssum : r->sum;
		*bad = r->sum_bad || (r->stmt_new && r->ssum_bad);
	} else {
		sqlite3_bind_int64(q, 1, r->stmt_id);
		sqlite3_bind_text(q, 2, r->sum_ccy, -1, SQLITE_STATIC);
		rc = sqlite3_step(q);
		if (rc == SQLITE_ROW) {
			*before = (long)sqlite3_column_int64(q, 0) -
			    r->stmt_ingested;
			*sum = sqlite3_column_int64(q, 1);
			*bad = r->sum_bad || r->elsewhere_bad ||
			    sqlite3_column_int64(q, 2) > 0 ||
			    money_add(*sum, r->sum_elsewhere, sum) != 0;
		}
		sqlite3_reset(q);
		sqlite3_clear_bindings(q);
		if (rc != SQLITE_ROW)
			return state_error(r->st, d, "summing a statement");
	}
	if (*sum > PAY_MAX_BALANCE || *sum < -PAY_MAX_BALANCE)
		*bad = 1;
	return 0;
}

static int
sink_statement_end(void *ctx, struct pay_statement *s, struct diag *d)
{
	struct pay_run *r = ctx;
	sqlite3_stmt *q = r->end_stmt;
	int digits = money_minor_digits(s->currency[0] ? s->currency :
	    s->opening_ccy);
	int ok = -1;
	char a[MONEY_BUFSZ], b[MONEY_BUFSZ], c[MONEY_BUFSZ], e[MONEY_BUFSZ];
	char rej[64] = "";
	int64_t held = 0;
	int held_bad = 0;
	long stored_before;

	if (digits < 0)
		digits = 2;
	if (r->stmt_rejected > 0)
		snprintf(rej, sizeof rej, " (%ld entr%s rejected)",
		    r->stmt_rejected, r->stmt_rejected == 1 ? "y" : "ies");
	/*
	 * A statement the state has from another file, come again with
	 * other balances or entries it did not have: the bank re-issued it.
	 * Refused, not merged and not kept as a second version: the entries
	 * of the first may be allocated already, and which of them the new
	 * one drops or replaces is the bank's and a person's question; a
	 * merge would also leave a closing balance that matches neither.
	 * Reports and notifications (no balances required) may grow under
	 * one id through the day, and are taken.  So is the same statement
	 * with the same balances whose first reading did not add up: the
	 * entries it adds are those rejected then (a bank's corrected file).
	 */
	if (stored_sum(r, &held, &held_bad, &stored_before, d) != 0)
		return PAY_ESTATE;
	if (r->stmt_known && s->balances_expected && ((r->stmt_ingested > 0 &&
	    r->old_ok) || r->stmt_changed > 0 ||
	    r->stmt_matched < stored_before ||
	    r->old_has_open != s->has_opening ||
	    r->old_has_close != s->has_closing ||
	    (s->has_opening && r->old_open != s->opening) ||
	    (s->has_closing && r->old_close != s->closing))) {
		d->line = s->line;
		sbuf_reset(&r->tmp);
		if (r->stmt_changed > 0)
			sbuf_addf(&r->tmp, ", %ld with other content",
			    r->stmt_changed);
		if (r->stmt_matched < stored_before)
			sbuf_addf(&r->tmp, ", %ld of its entries not in it",
			    stored_before - r->stmt_matched);
		diag_set(d, "statement \"%s\" of %s is in the state already "
		    "with other content (closing %s then, %s now; %ld entr%s "
		    "it did not have%s): a re-issued statement is refused, "
		    "nothing of this file recorded", sbuf_str(&r->stmt_ref),
		    sbuf_str(&s->account), r->old_has_close ?
		    money_format(r->old_close, digits, a) : "none",
		    s->has_closing ? money_format(s->closing, digits, b) :
		    "none", r->stmt_ingested, r->stmt_ingested == 1 ? "y" :
		    "ies", sbuf_str(&r->tmp));
		return PAY_EDATA;
	}
	if (s->has_opening && s->has_closing) {
		int64_t want;

		if (strcmp(s->opening_ccy, s->closing_ccy) != 0 ||
		    held_bad) {
			ok = 0;
			run_warnf(r, s->line, "statement \"%s\": the "
			    "balances cannot be checked: opening in %s, "
			    "closing in %s%s", sbuf_str(&r->stmt_ref),
			    s->opening_ccy, s->closing_ccy, held_bad &&
			    strcmp(s->opening_ccy, s->closing_ccy) == 0 ?
			    ", entries in another currency or too large" : "");
		} else if (money_add(s->opening, held, &want) != 0 ||
		    want != s->closing) {
			ok = 0;
			run_warnf(r, s->line, "statement \"%s\": the "
			    "balances do not add up: expected closing %s "
			    "(opening %s + entries %s), found %s%s",
			    sbuf_str(&r->stmt_ref),
			    money_format(want, digits, a),
			    money_format(s->opening, digits, b),
			    money_format(held, digits, c),
			    money_format(s->closing, digits, e), rej);
		} else {
			ok = 1;
		}
	} else if (s->has_opening || s->has_closing ||
	    s->balances_expected) {
		/* A statement without its balances cannot show that its
		 * entries are all there: as much a thing to look at as one
		 * that does not add up, though nothing is known wrong. */
		r->fc.unchecked++;
		const char *which = s->has_opening ? "closing" :
		    s->has_closing ? "opening" : "opening or closing";

		if ((!s->has_opening && s->opening_bad) ||
		    (!s->has_closing && s->closing_bad))
			/* Told where it was read; said again here, for
			 * the statement (not a missing balance). */
			run_warnf(r, s->line, "statement \"%s\": the balances "
			    "cannot be checked: its %s balance could not be "
			    "read", sbuf_str(&r->stmt_ref),
			    !s->has_opening && s->opening_bad &&
			    !s->has_closing && s->closing_bad ?
			    "opening and closing" : !s->has_closing &&
			    s->closing_bad ? "closing" : "opening");
		else
			run_warnf(r, s->line, "statement \"%s\": the balances "
			    "cannot be checked: it has no %s balance%s",
			    sbuf_str(&r->stmt_ref), which, !s->has_opening &&
			    !s->has_closing ? "s" : "");
	}
	if (ok == 0)
		r->fc.unbalanced++;
	r->cur = NULL;
	if (!r->stmt_new && !(r->stmt_known && r->stmt_ingested > 0))
		return 0;
	if (s->has_closing)
		sqlite3_bind_int64(q, 1, s->closing);
	else
		sqlite3_bind_null(q, 1);
	bind_day(q, 2, s->to_date);
	if (ok >= 0)
		sqlite3_bind_int(q, 3, ok);
	else
		sqlite3_bind_null(q, 3);
	/* A CSV export's opening balance is known only at its end. */
	if (s->has_opening)
		sqlite3_bind_int64(q, 4, s->opening);
	else
		sqlite3_bind_null(q, 4);
	sqlite3_bind_int64(q, 5, r->stmt_id);
	if (step_done(r, q, "finishing a statement", d) != 0)
		return PAY_ESTATE;
	sqlite3_clear_bindings(q);
	return 0;
}

static int
read_all(FILE *fp, struct sbuf *b)
{
	char chunk[65536];
	size_t n;

	sbuf_reset(b);
	while ((n = fread(chunk, 1, sizeof chunk, fp)) > 0)
		sbuf_add(b, chunk, n);
	if (b->buf == NULL)
		sbuf_add(b, "", 0);
	return ferror(fp) ? -1 : 0;
}

/* Takes back what a refused file wrote to fp (a temporary file). */
static void
take_back(FILE *fp, long pos)
{
	if (fp == NULL || pos < 0)
		return;
	if (fflush(fp) == 0 && ftruncate(fileno(fp), pos) == 0)
		fseek(fp, pos, SEEK_SET);
}

int
pay_file(struct pay_run *r, FILE *fp, const char *name,
    const char *recorded_name, struct pay_counts *c, struct diag *d)
{
	const struct pay_opts *o = r->o;
	struct pay_sink k = { sink_statement, sink_entry, sink_statement_end,
	    sink_reject, sink_warn, r };
	struct sbuf raw = { 0 }, text = { 0 };
	struct sha256 h;
	char hex[65];
	enum pay_format fmt = o->format;
	long out_pos = -1, rej_pos = -1;
	int rc = PAY_ESTATE, seen, guessed;
	struct batch_counts bc = { 0 };

	r->name = name;
	memset(&r->fc, 0, sizeof r->fc);
	r->cur = NULL;
	hmap_free(r->keys);
	hmap_free(r->stmts);
	r->keys = hmap_new();
	r->stmts = hmap_new();
	diag_clear(d);
	if (read_all(fp, &raw) != 0) {
		diag_set(d, "read error: %s", strerror(errno ? errno : EIO));
		goto out;
	}
	/* The file's lines measure the work for a progress line: it is
	 * read whole first, so its bytes would say nothing. */
	r->nlines = 1;
	for (size_t i = 0; o->progress != NULL && i < raw.len; i++)
		r->nlines += raw.buf[i] == '\n';
	sha256_init(&h);
	sha256_update(&h, raw.buf, raw.len);
	sha256_hex(&h, hex);
	memcpy(r->hex, hex, sizeof r->hex);
	r->pos_line = -1;
	r->pos_k = 0;
	r->differ = 0;
	r->changed = 0;
	if (fmt == PAY_FMT_AUTO)
		fmt = pay_sniff(raw.buf, raw.len);
	if (o->out != NULL)
		out_pos = ftell(o->out);
	if (o->rejects != NULL)
		rej_pos = ftell(o->rejects);
	if (state_exec(r->st, "SAVEPOINT pay_file", d) != 0)
		goto out;
	if ((seen = state_batch_seen(r->st, "payments", hex, d)) < 0 ||
	    state_batch_begin(r->st, "payments", recorded_name, hex, o->as_of,
	    0, d) != 0)
		goto rollback;
	r->seen = seen;
	if (seen)
		sink_warn(r, 0, "this file was ingested before (the same "
		    "SHA-256): its entries are known");
	if (raw.len == 0) {
		diag_set(d, "empty file");
		rc = PAY_EDATA;
		goto rollback;
	}
	diag_clear(d);
	switch (fmt) {
	case PAY_FMT_CAMT:
		/* XML says its own encoding; libxml2 reads it. */
		rc = camt_read(raw.buf, raw.len, name, &k, d);
		break;
	case PAY_FMT_MT940:
	case PAY_FMT_CSV:
	default:
	{
		const char *t = raw.buf;
		size_t tn = raw.len;

		/* UTF-8 is read where it lies; anything else is decoded
		 * and the raw bytes let go (a large file is held once). */
		if (tn >= 3 && memcmp(t, "\xEF\xBB\xBF", 3) == 0) {
			t += 3;
			tn -= 3;
		}
		if (o->encoding != NULL || !util_utf8_valid(t, tn)) {
			if (pay_to_utf8(raw.buf, raw.len, o->encoding, &text,
			    &guessed, d) != 0) {
				rc = PAY_EDATA;
				goto rollback;
			}
			if (guessed)
				sink_warn(r, 0, "not UTF-8: read as "
				    "Windows-1252 (name another encoding with "
				    "--encoding)");
			sbuf_free(&raw);
			t = sbuf_str(&text);
			tn = text.len;
		}
		rc = fmt == PAY_FMT_MT940 ? mt940_read(t, tn, &k, d) :
		    bankcsv_read(t, tn, &o->csv, hex, &k, d);
		break;
	}
	}
	if (rc != 0)
		goto rollback;
	if (r->differ > 0)
		run_warnf(r, 0, "%ld entr%s read otherwise than when this file "
		    "was first ingested (other options?): kept as first "
		    "recorded", r->differ, r->differ == 1 ? "y" : "ies");
	/* Entries the bank names as ones recorded before, with another
	 * amount, date or reference: kept as first recorded (they may be
	 * allocated), and a thing for a person to look at. */
	if (r->changed > 0) {
		run_warnf(r, 0, "%ld entr%s known by the bank's reference came "
		    "with another amount, date or reference than when first "
		    "recorded: kept as first recorded", r->changed,
		    r->changed == 1 ? "y" : "ies");
		r->fc.changed = r->changed;
	}
	bc.read = r->fc.read + r->fc.rejected;
	bc.ingested = r->fc.ingested;
	bc.unchanged = r->fc.unchanged;
	bc.rejected = r->fc.rejected;
	if (state_batch_finish(r->st, &bc, d) != 0 ||
	    state_exec(r->st, "RELEASE pay_file", d) != 0) {
		rc = PAY_ESTATE;
		goto out;
	}
	c->read += r->fc.read;
	c->ingested += r->fc.ingested;
	c->unchanged += r->fc.unchanged;
	c->rejected += r->fc.rejected;
	c->statements += r->fc.statements;
	c->unbalanced += r->fc.unbalanced;
	c->unchecked += r->fc.unchecked;
	c->skipped += r->fc.skipped;
	c->changed += r->fc.changed;
	goto out;

rollback:
	{
		struct diag d2;

		state_exec(r->st, "ROLLBACK TO pay_file", &d2);
		state_exec(r->st, "RELEASE pay_file", &d2);
	}
	take_back(o->out, out_pos);
	take_back(o->rejects, rej_pos);
	if (rc == PAY_EDATA && o->strict && r->fc.rejected > 0)
		rc = PAY_ESTRICT;
	else if (rc == PAY_EDATA)
		c->refused++;
out:
	r->cur = NULL;
	sbuf_free(&raw);
	sbuf_free(&text);
	return rc;
}

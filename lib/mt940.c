/*
 * mt940: SWIFT MT940/MT942 statements as banks write them.
 *
 * The file is cut into lines (LF, CRLF or CR) and lines into fields: a
 * field starts at a line ":TAG:" whose TAG is one MT940 or MT942 knows
 * and runs on over the lines after it.  A line that only looks like a tag
 * (":26:37 Fo..." where a wrapped time of day was cut, a stray ":12:")
 * continues the field before it, which is how the real files need it.
 *
 * Statement structure: :20: opens one, :25: names the account, :28C: its
 * number, :60F:/:60M: the opening balance, then :61: entries each with
 * the :86: fields after it, then :62F:/:62M:, and "-" (or the next :20:,
 * or the end of the file) closes it.  A :86: after the closing balance
 * is about the statement and is not read.
 *
 * :86: lines are joined the way the form needs: the structured ?NN form
 * and the /TAG/ form are cut anywhere (inside words, even inside "?2 2"),
 * so their lines join with nothing; free text joins with nothing after a
 * full 65-character line (a wrapped word) and with a space after a shorter
 * one (a line the bank ended).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mt940.h"

#define MT_LINE 65	/* the width of a SWIFT line */

struct span {
	const char *p;
	size_t n;
	size_t off;	/* of the line in the buffer */
	size_t end;	/* offset past its line end */
	long line;
};

struct field {
	char tag[4];
	struct span first;	/* after ":TAG:" */
	struct span *more;	/* continuation lines */
	size_t nmore, cap;
	long line;
	size_t off, end;
};

struct mt {
	const struct pay_sink *k;
	struct diag *d;
	const char *buf;
	struct pay_statement st;
	int in_stmt, opened, closed, nstmts, nentries_stmt;
	long stmt_line;		/* where the open statement began */
	struct sbuf ref20, ref28, acct;
	char ccy_hint[4];
	int32_t first_date;
	/* The entry waiting for its :86: fields. */
	int pending;
	struct pay_entry e;
	struct sbuf details, cust_ref, supp;
	size_t e_off, e_end;
	int e_bad;		/* rejected: why, and where */
	struct sbuf rej;
	long rej_line;
	struct sbuf t;
};

static const char *const known_tags[] = {
	"20", "21", "25", "25P", "28", "28C", "60F", "60M", "61", "62F",
	"62M", "64", "65", "86", "13", "13D", "34F", "90C", "90D", "NS",
	NULL
};

static int
is_digit(int c)
{
	return c >= '0' && c <= '9';
}

/* A known tag at the start of line s: its length with both colons. */
static size_t
tag_at(const char *s, size_t n, char tag[4])
{
	size_t i;

	if (n < 3 || s[0] != ':')
		return 0;
	for (i = 1; i < n && i < 5 && s[i] != ':'; i++)
		;
	if (i >= n || s[i] != ':' || i == 1)
		return 0;
	for (size_t k = 0; known_tags[k]; k++)
		if (strlen(known_tags[k]) == i - 1 &&
		    memcmp(known_tags[k], s + 1, i - 1) == 0) {
			memcpy(tag, s + 1, i - 1);
			tag[i - 1] = '\0';
			return i + 1;
		}
	return 0;
}

/* Control bytes a transport put around the text (SOH, ETX). */
static void
strip_controls(struct span *l)
{
	while (l->n > 0 && (l->p[0] == '\x01' || l->p[0] == '\x03' ||
	    l->p[0] == '\x02')) {
		l->p++;
		l->n--;
	}
	while (l->n > 0 && (l->p[l->n - 1] == '\x03' ||
	    l->p[l->n - 1] == '\x01'))
		l->n--;
}

static void
add_line(struct field *f, const struct span *l)
{
	if (f->nmore == f->cap) {
		f->cap = f->cap ? f->cap * 2 : 8;
		f->more = xreallocarray(f->more, f->cap, sizeof *f->more);
	}
	f->more[f->nmore++] = *l;
	f->end = l->end;
}

/* Two-digit years as date.h reads them: 00-69 in 2000-2069. */
static int
year2(int yy)
{
	return yy < 70 ? 2000 + yy : 1900 + yy;
}

static int
num(const char *p, int n)
{
	int v = 0;

	for (int i = 0; i < n; i++)
		v = v * 10 + (p[i] - '0');
	return v;
}

static int
all_digits(const char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!is_digit((unsigned char)p[i]))
			return 0;
	return 1;
}

/* A bank date, clamped (with a warning) when the day is past the
 * month's end.  0, or -1 when it is no date. */
static int
bank_date(struct mt *m, int y, int mo, int dd, long line, const char *tag,
    int32_t *out)
{
	int rc = pay_ymd(y, mo, dd, out);
	char buf[DATE_BUFSZ];

	if (rc < 0)
		return -1;
	if (rc > 0)
		pay_warnf(m->k, line, "field \":%s:\": %04d-%02d-%02d is not "
		    "a date: taken as %s, the month's last day", tag, y, mo,
		    dd, date_format(*out, buf));
	return 0;
}

/* :60F:/:62F: C YYMMDD CCY amount. */
static int
balance(struct mt *m, const struct field *f, int64_t *v, char ccy[4],
    int32_t *day)
{
	const char *p = f->first.p;
	size_t n = f->first.n;
	struct diag d;
	int sign;

	while (n > 0 && p[n - 1] == ' ')
		n--;
	if (n < 11 || (p[0] != 'C' && p[0] != 'D') || !all_digits(p + 1, 6))
		return -1;
	sign = p[0] == 'D' ? -1 : 1;
	if (bank_date(m, year2(num(p + 1, 2)), num(p + 3, 2), num(p + 5, 2),
	    f->line, f->tag, day) != 0)
		return -1;
	memcpy(ccy, p + 7, 3);
	ccy[3] = '\0';
	if (!money_is_iso4217(ccy))
		return -1;
	if (money_parse(p + 10, n - 10, money_minor_digits(ccy), MONEY_COMMA,
	    v, NULL, &d) != 0 || *v < 0 || *v > PAY_MAX_BALANCE)
		return -1;
	*v *= sign;
	return 0;
}

static int
open_statement(struct mt *m, long line)
{
	char buf[DATE_BUFSZ];

	if (m->opened)
		return 0;
	if (m->acct.len == 0) {
		m->d->line = line;
		diag_set(m->d, "statement \"%s\": no account (:25:) before its "
		    "entries", sbuf_str(&m->ref20));
		return PAY_EDATA;
	}
	m->opened = 1;
	sbuf_reset(&m->st.account);
	sbuf_adds(&m->st.account, m->acct.buf);
	sbuf_reset(&m->st.stmt_ref);
	sbuf_addf(&m->st.stmt_ref, "%s/%s", sbuf_str(&m->ref20),
	    sbuf_str(&m->ref28));
	if (m->first_date != PAY_NO_DATE)
		sbuf_addf(&m->st.stmt_ref, "/%s",
		    date_format(m->first_date, buf));
	if (!m->st.currency[0])
		memcpy(m->st.currency, m->st.has_opening ? m->st.opening_ccy :
		    m->ccy_hint, 4);
	return m->k->statement(m->k->ctx, &m->st, m->d);
}

static int
reject(struct mt *m, long line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Marks the pending entry rejected; it is told once its :86: lines are
 * read, so that the rejects file gets the entry whole. */
static int
reject(struct mt *m, long line, const char *fmt, ...)
{
	va_list ap;

	m->e_bad = 1;
	m->rej_line = line;
	sbuf_reset(&m->rej);
	va_start(ap, fmt);
	sbuf_vaddf(&m->rej, fmt, ap);
	va_end(ap);
	return 0;
}

/* The entry waiting for its details goes to the sink. */
static int
flush_entry(struct mt *m)
{
	struct pay_entry *e = &m->e;
	int rf;

	if (!m->pending)
		return 0;
	m->pending = 0;
	if (m->e_bad)
		return m->k->reject(m->k->ctx, m->rej_line, sbuf_str(&m->rej),
		    m->buf + m->e_off, m->e_end - m->e_off, m->d);
	rf = 0;
	if (m->details.len > 0) {
		mt940_details(m->details.buf, m->details.len, e);
		if (e->reference.len > 0) {
			struct sbuf norm = { 0 };

			rf = pay_rf_check(e->reference.buf, &norm);
			if (rf == 1) {
				sbuf_reset(&e->reference);
				sbuf_add(&e->reference, norm.buf, norm.len);
			} else if (rf < 0) {
				pay_warnf(m->k, e->line, "field \":86:\": "
				    "creditor reference \"%s\" fails its ISO "
				    "11649 check: kept as unstructured text",
				    e->reference.buf);
			}
			sbuf_free(&norm);
		}
	}
	/* The account owner's reference and the supplementary details
	 * of :61: belong to the remittance; with no :86: they are all
	 * there is. */
	if (m->cust_ref.len > 0 && !util_strcaseeq(m->cust_ref.buf, "NONREF")) {
		if (e->remittance.len > 0)
			sbuf_addc(&e->remittance, ' ');
		sbuf_add(&e->remittance, m->cust_ref.buf, m->cust_ref.len);
	}
	if (m->supp.len > 0) {
		if (e->remittance.len > 0)
			sbuf_addc(&e->remittance, ' ');
		sbuf_add(&e->remittance, m->supp.buf, m->supp.len);
	}
	if (e->reference.len == 0 && m->cust_ref.len > 0 &&
	    !util_strcaseeq(m->cust_ref.buf, "NONREF"))
		sbuf_add(&e->reference, m->cust_ref.buf, m->cust_ref.len);
	pay_norm_space(&e->remittance);
	e->raw = m->buf + m->e_off;
	e->rawlen = m->e_end - m->e_off;
	return m->k->entry(m->k->ctx, e, m->d);
}

/* :61: value date [entry date] mark [funds code] amount type reference
 * [//bank reference], then supplementary details on the next line. */
static int
entry(struct mt *m, const struct field *f)
{
	struct pay_entry *e = &m->e;
	const char *p = f->first.p, *end = f->first.p + f->first.n, *q;
	int y, mo, dd, credit, rc;
	char ccy[4];
	struct diag d;
	size_t i;

	pay_entry_reset(e);
	sbuf_reset(&m->details);
	sbuf_reset(&m->cust_ref);
	sbuf_reset(&m->supp);
	m->pending = 1;
	m->e_bad = 0;
	m->e_off = f->off;
	m->e_end = f->end;
	e->line = f->line;
	if (m->first_date == PAY_NO_DATE && end - p >= 6 &&
	    all_digits(p, 6) && pay_ymd(year2(num(p, 2)), num(p + 2, 2),
	    num(p + 4, 2), &m->first_date) < 0)
		m->first_date = PAY_NO_DATE;
	if ((rc = open_statement(m, f->line)) != 0)
		return rc;
	m->nentries_stmt++;
	memcpy(ccy, m->st.currency, 4);
	if (!money_is_currency(ccy)) {
		return reject(m, f->line, "field \":61:\": no currency known "
		    "for the statement (no :60F: balance before it)");
	}
	memcpy(e->currency, ccy, 4);
	if (end - p < 6 || !all_digits(p, 6)) {
		return reject(m, f->line, "field \":61:\": no value date "
		    "(YYMMDD) at its start");
	}
	y = year2(num(p, 2));
	mo = num(p + 2, 2);
	dd = num(p + 4, 2);
	if (bank_date(m, y, mo, dd, f->line, "61", &e->value_date) != 0) {
		return reject(m, f->line, "field \":61:\": value date "
		    "\"%.6s\" is not a date", p);
	}
	p += 6;
	/* The entry date is MMDD: the year is the value date's, or the one
	 * before or after when that is nearer (31 December valued, booked
	 * on 2 January). */
	if (end - p >= 4 && all_digits(p, 4)) {
		int32_t best = PAY_NO_DATE, cand;

		for (int dy = -1; dy <= 1; dy++) {
			if (pay_ymd(y + dy, num(p, 2), num(p + 2, 2),
			    &cand) < 0)
				continue;
			if (best == PAY_NO_DATE || llabs((long long)cand -
			    e->value_date) < llabs((long long)best -
			    e->value_date))
				best = cand;
		}
		if (best == PAY_NO_DATE) {
			m->e_bad = 1;
			return reject(m, f->line, "field \":61:\": entry date "
			    "\"%.4s\" is not a date", p);
		}
		{
			int by, bm, bd;

			date_to_ymd(best, &by, &bm, &bd);
			bank_date(m, by, num(p, 2), num(p + 2, 2), f->line,
			    "61", &e->booking_date);
		}
		p += 4;
	} else {
		/* No entry date: booked on the value date. */
		e->booking_date = e->value_date;
	}
	if (end - p >= 2 && p[0] == 'R' && (p[1] == 'C' || p[1] == 'D')) {
		e->reversal = 1;
		credit = p[1] == 'D';	/* RD undoes a debit: money in */
		p += 2;
	} else if (end - p >= 1 && (p[0] == 'C' || p[0] == 'D')) {
		credit = p[0] == 'C';
		p++;
	} else {
		return reject(m, f->line, "field \":61:\": no C, D, RC or RD "
		    "mark after the dates");
	}
	/* The funds code: the third letter of the currency. */
	if (end - p >= 2 && p[0] >= 'A' && p[0] <= 'Z' && is_digit(p[1]))
		p++;
	/* SWIFT amounts are digits and one decimal comma; a point is no
	 * thousands separator there ("1.000,00" would read as 1,00 and
	 * the rest as the transaction type), so it rejects the entry. */
	for (q = p; q < end && (is_digit(*q) || *q == ',' || *q == '.'); q++)
		;
	/* A space is no separator either: "1 000,00" would read as 1,00.
	 * The transaction type (N, F or S) follows the amount directly. */
	if (q < end && *q == ' ') {
		const char *t = q;

		while (t < end && (is_digit(*t) || *t == ',' || *t == '.' ||
		    *t == ' '))
			t++;
		q = t;
	}
	if (memchr(p, '.', (size_t)(q - p)) != NULL ||
	    memchr(p, ' ', (size_t)(q - p)) != NULL)
		return reject(m, f->line, "field \":61:\": amount \"%.*s\" is "
		    "not an MT940 amount (digits and a decimal comma, no "
		    "thousands separators)", (int)(q - p), p);
	diag_clear(&d);
	if (q == p || money_parse(p, (size_t)(q - p),
	    money_minor_digits(ccy), MONEY_COMMA, &e->amount, NULL, &d) != 0) {
		return reject(m, f->line, "field \":61:\": amount: %s",
		    q == p ? "missing" : d.msg);
	}
	sbuf_reset(&m->t);
	if (pay_too_large(e->amount, PAY_MAX_ENTRY, ccy, &m->t))
		return reject(m, f->line, "field \":61:\": amount: %s",
		    m->t.buf);
	if (!credit)
		e->amount = -e->amount;
	p = q;
	/* Transaction type: N, F or S and three characters. */
	if (end - p >= 4 && (p[0] == 'N' || p[0] == 'F' || p[0] == 'S'))
		p += 4;
	q = p;
	for (i = 0; q + i + 1 < end && !(q[i] == '/' && q[i + 1] == '/');
	    i++)
		;
	if (q + i + 1 < end) {
		const char *b = q + i + 2;
		size_t bn = (size_t)(end - b);

		sbuf_add(&m->cust_ref, q, i);
		sbuf_add(&e->bank_ref, b, bn);
		pay_norm_space(&e->bank_ref);
	} else {
		size_t n = (size_t)(end - q);

		/* A reference padded to its 16 characters and text after it
		 * is an old layout's counterparty (Rabobank: account, then
		 * name). */
		int padded = n > 16 && q[15] == ' ';

		sbuf_add(&m->cust_ref, q, padded ? 16 : n);
		if (padded) {
			sbuf_add(&m->supp, q + 16, n - 16);
			pay_norm_space(&m->supp);
			sbuf_add(&e->payer_name, m->supp.buf, m->supp.len);
		}
	}
	pay_norm_space(&m->cust_ref);
	for (i = 0; i < f->nmore; i++) {
		sbuf_addc(&m->supp, ' ');
		sbuf_add(&m->supp, f->more[i].p, f->more[i].n);
	}
	pay_norm_space(&m->supp);
	return 0;
}

/* Appends a :86: field's lines to the pending entry's details. */
static void
details(struct mt *m, const struct field *f)
{
	if (m->details.len > 0)
		sbuf_addc(&m->details, '\n');
	sbuf_add(&m->details, f->first.p, f->first.n);
	for (size_t i = 0; i < f->nmore; i++) {
		sbuf_addc(&m->details, '\n');
		sbuf_add(&m->details, f->more[i].p, f->more[i].n);
	}
	m->e_end = f->end;
}

static int
end_statement(struct mt *m, long line)
{
	int rc;

	if ((rc = flush_entry(m)) != 0)
		return rc;
	if (!m->in_stmt)
		return 0;
	m->in_stmt = 0;
	if (!m->opened && m->nentries_stmt == 0 && m->acct.len == 0)
		return 0;	/* a :20: with nothing after it */
	if ((rc = open_statement(m, line)) != 0)
		return rc;
	return m->k->statement_end(m->k->ctx, &m->st, m->d);
}

static void
start_statement(struct mt *m, const struct field *f)
{
	m->in_stmt = 1;
	m->stmt_line = f->line;
	m->opened = m->closed = 0;
	m->nentries_stmt = 0;
	m->nstmts++;
	m->first_date = PAY_NO_DATE;
	m->ccy_hint[0] = '\0';
	pay_statement_reset(&m->st);
	m->st.format = "mt940";
	m->st.balances_expected = 1;
	m->st.line = f->line;
	sbuf_reset(&m->ref20);
	sbuf_add(&m->ref20, f->first.p, f->first.n);
	pay_norm_space(&m->ref20);
	sbuf_reset(&m->ref28);
	sbuf_reset(&m->acct);
}

/* :25: account, with a currency some banks append ("...948EUR",
 * ".../HUF") taken off. */
static void
set_account(struct mt *m, const struct field *f)
{
	struct sbuf *a = &m->acct;

	sbuf_reset(a);
	sbuf_add(a, f->first.p, f->first.n);
	pay_norm_space(a);
	if (a->len > 4 && money_is_iso4217(a->buf + a->len - 3) &&
	    (is_digit((unsigned char)a->buf[a->len - 4]) ||
	    a->buf[a->len - 4] == '/')) {
		memcpy(m->ccy_hint, a->buf + a->len - 3, 4);
		a->len -= a->buf[a->len - 4] == '/' ? 4 : 3;
		a->buf[a->len] = '\0';
	}
}

static int
field(struct mt *m, const struct field *f)
{
	int64_t v;
	char ccy[4];
	int32_t day;
	int rc;

	if (strcmp(f->tag, "86") == 0) {
		if (m->pending)
			details(m, f);
		return 0;
	}
	if ((rc = flush_entry(m)) != 0)
		return rc;
	if (strcmp(f->tag, "20") == 0) {
		if ((rc = end_statement(m, f->line)) != 0)
			return rc;
		start_statement(m, f);
		return 0;
	}
	if (!m->in_stmt) {
		m->d->line = f->line;
		diag_set(m->d, "field \":%s:\" outside a statement (no :20: "
		    "before it)", f->tag);
		return PAY_EDATA;
	}
	if (strcmp(f->tag, "25") == 0 || strcmp(f->tag, "25P") == 0) {
		if (m->acct.len > 0 || m->nentries_stmt > 0) {
			m->d->line = f->line;
			diag_set(m->d, "field \":25:\": a second account in "
			    "statement \"%s\" (a :86: expected here?)",
			    sbuf_str(&m->ref20));
			return PAY_EDATA;
		}
		set_account(m, f);
	} else if (strcmp(f->tag, "28C") == 0 || strcmp(f->tag, "28") == 0) {
		sbuf_reset(&m->ref28);
		sbuf_add(&m->ref28, f->first.p, f->first.n);
		pay_norm_space(&m->ref28);
	} else if (f->tag[0] == '6' && (f->tag[1] == '0' || f->tag[1] == '2') &&
	    f->tag[2] != '\0') {
		if (balance(m, f, &v, ccy, &day) != 0) {
			pay_warnf(m->k, f->line, "field \":%s:\": not a "
			    "balance (C or D, YYMMDD, currency, amount): the "
			    "balances are not checked", f->tag);
			if (f->tag[1] == '0')
				m->st.opening_bad = 1;
			else
				m->st.closing_bad = 1;
			return 0;
		}
		if (f->tag[1] == '0') {
			if (m->opened) {
				m->d->line = f->line;
				diag_set(m->d, "field \":%s:\": an opening "
				    "balance after the entries of statement "
				    "\"%s\"", f->tag, sbuf_str(&m->ref20));
				return PAY_EDATA;
			}
			m->st.has_opening = 1;
			m->st.opening = v;
			memcpy(m->st.opening_ccy, ccy, 4);
			memcpy(m->st.currency, ccy, 4);
			m->st.from_date = m->first_date = day;
			return open_statement(m, f->line);
		}
		if ((rc = open_statement(m, f->line)) != 0)
			return rc;
		m->st.has_closing = 1;
		m->st.closing = v;
		memcpy(m->st.closing_ccy, ccy, 4);
		m->st.to_date = day;
		m->closed = 1;
	} else if (strcmp(f->tag, "34F") == 0 || strcmp(f->tag, "13D") == 0 ||
	    strcmp(f->tag, "13") == 0 || strcmp(f->tag, "90C") == 0 ||
	    strcmp(f->tag, "90D") == 0) {
		/* MT942's own fields: an interim report, whose balances
		 * are not required. */
		m->st.balances_expected = 0;
		if (!m->opened)
			m->st.format = "mt942";
	}
	if (strcmp(f->tag, "34F") == 0) {
		if (f->first.n >= 3) {
			memcpy(ccy, f->first.p, 3);
			ccy[3] = '\0';
			if (money_is_iso4217(ccy) && !m->opened)
				memcpy(m->st.currency, ccy, 4);
		}
	} else if (strcmp(f->tag, "61") == 0) {
		if (m->closed) {
			m->d->line = f->line;
			diag_set(m->d, "field \":61:\": an entry after the "
			    "closing balance of statement \"%s\"",
			    sbuf_str(&m->ref20));
			return PAY_EDATA;
		}
		return entry(m, f);
	}
	return 0;
}

int
mt940_read(const char *buf, size_t n, const struct pay_sink *k,
    struct diag *d)
{
	struct mt m;
	struct field f;
	size_t i = 0;
	long line = 0;
	int have = 0, rc = 0, started = 0;

	memset(&m, 0, sizeof m);
	memset(&f, 0, sizeof f);
	m.k = k;
	m.d = d;
	m.buf = buf;
	m.first_date = PAY_NO_DATE;
	pay_statement_reset(&m.st);
	while (i < n && rc == 0) {
		struct span l;
		size_t j = i, tl;
		char tag[4];

		while (j < n && buf[j] != '\n' && buf[j] != '\r')
			j++;
		l.p = buf + i;
		l.n = j - i;
		l.off = i;
		l.line = ++line;
		if (j < n && buf[j] == '\r' && j + 1 < n && buf[j + 1] == '\n')
			j++;
		i = j < n ? j + 1 : j;
		l.end = i;
		strip_controls(&l);
		while (l.n > 0 && l.p[l.n - 1] == ' ' && l.n > MT_LINE)
			l.n--;
		/* A SWIFT block header before the text block. */
		if (l.n > 0 && l.p[0] == '{') {
			const char *b4 = NULL;

			for (size_t q = 0; q + 2 < l.n; q++)
				if (memcmp(l.p + q, "{4:", 3) == 0)
					b4 = l.p + q + 3;
			if (b4 == NULL || b4 == l.p + l.n)
				continue;
			l.n -= (size_t)(b4 - l.p);
			l.p = b4;
		}
		if ((tl = tag_at(l.p, l.n, tag)) > 0) {
			if (have && (rc = field(&m, &f)) != 0)
				break;
			memcpy(f.tag, tag, sizeof tag);
			f.first.p = l.p + tl;
			f.first.n = l.n - tl;
			f.first.off = l.off;
			f.line = l.line;
			f.off = l.off;
			f.end = l.end;
			f.nmore = 0;
			have = 1;
			started = 1;
			continue;
		}
		if (l.n > 0 && l.p[0] == '-' && l.n <= 4 && started) {
			/* "-", "-}", "-XXX": the statement ends. */
			if (have && (rc = field(&m, &f)) != 0)
				break;
			have = 0;
			if ((rc = end_statement(&m, l.line)) != 0)
				break;
			continue;
		}
		if (have)
			add_line(&f, &l);
	}
	if (rc == 0 && have)
		rc = field(&m, &f);
	/* A file cut short is refused whole, as ingest-invoices refuses a
	 * CSV cut short: its last field stops without a line end, or its
	 * last statement has neither its closing balance nor the "-" that
	 * ends it.  Its last entry may have lost its tail ("SVWZ+I" for
	 * "SVWZ+INV-1003"): no part of it can be trusted. */
	while (n > 0 && (buf[n - 1] == ' ' || buf[n - 1] == '\t' ||
	    buf[n - 1] == '\x03' || buf[n - 1] == '\x1a'))
		n--;	/* padding and a transport's end bytes */
	if (rc == 0 && have && n > 0 && buf[n - 1] != '\n' &&
	    buf[n - 1] != '\r') {
		d->line = line;
		diag_set(d, "the file ends inside field \":%s:\" without a line "
		    "end: cut short? (refused, nothing of it recorded)", f.tag);
		rc = PAY_EDATA;
	}
	if (rc == 0 && m.in_stmt && !m.closed && (m.opened ||
	    m.nentries_stmt > 0) && m.st.balances_expected) {
		d->line = m.stmt_line;
		diag_set(d, "statement \"%s\": the file ends inside it (no "
		    "closing balance :62F: and no \"-\" after it): cut short? "
		    "(refused, nothing of it recorded)", sbuf_str(&m.ref20));
		rc = PAY_EDATA;
	}
	if (rc == 0)
		rc = end_statement(&m, line);
	if (rc == 0 && m.nstmts == 0) {
		d->line = 0;
		diag_set(d, "no MT940 statement (:20:) in the file");
		rc = PAY_EDATA;
	}
	free(f.more);
	pay_statement_free(&m.st);
	pay_entry_free(&m.e);
	sbuf_free(&m.ref20);
	sbuf_free(&m.ref28);
	sbuf_free(&m.acct);
	sbuf_free(&m.details);
	sbuf_free(&m.cust_ref);
	sbuf_free(&m.supp);
	sbuf_free(&m.t);
	sbuf_free(&m.rej);
	return rc;
}

/* ---- :86: -------------------------------------------------------------- */

static const char *const sepa_tags[] = {
	"EREF+", "KREF+", "MREF+", "CRED+", "DEBT+", "SVWZ+", "ABWA+",
	"ABWE+", "IBAN+", "BIC+", "COAM+", "OAMT+", "PURP+", NULL
};

struct tagval {
	const char *tag;
	size_t start, end;	/* the value in the text */
};

/* SEPA tags in s: at its start, after a space, or where a structured
 * subfield began (bound[i] set; bound may be NULL).  Their values run to
 * the next tag.  Returns how many (at most max). */
static size_t
find_tags(const char *s, size_t n, const unsigned char *bound,
    struct tagval *tv, size_t max)
{
	size_t count = 0;

	for (size_t i = 0; i < n && count < max; i++) {
		if (i > 0 && s[i - 1] != ' ' && !(bound && bound[i]))
			continue;
		for (size_t k = 0; sepa_tags[k]; k++) {
			size_t tl = strlen(sepa_tags[k]);

			if (i + tl <= n && memcmp(s + i, sepa_tags[k], tl) == 0) {
				if (count > 0)
					tv[count - 1].end = i;
				tv[count].tag = sepa_tags[k];
				tv[count].start = i + tl;
				tv[count].end = n;
				count++;
				i += tl - 1;
				break;
			}
		}
	}
	return count;
}

/* s[a..b) with spaces made single. */
static void
value(const char *s, size_t a, size_t b, struct sbuf *out)
{
	sbuf_reset(out);
	sbuf_add(out, s + a, b - a);
	pay_norm_space(out);
}

/* Fills e from the SEPA tags in purpose; 1 if there were any. */
static int
sepa(const char *s, size_t n, const unsigned char *bound,
    struct pay_entry *e)
{
	struct tagval tv[32];
	size_t count = find_tags(s, n, bound, tv, 32);
	struct sbuf v = { 0 }, rest = { 0 };

	if (count == 0)
		return 0;
	value(s, 0, tv[0].start - strlen(tv[0].tag), &rest);
	for (size_t i = 0; i < count; i++) {
		value(s, tv[i].start, tv[i].end, &v);
		if (strcmp(tv[i].tag, "EREF+") == 0) {
			if (!util_strcaseeq(v.buf ? v.buf : "", "NOTPROVIDED")) {
				sbuf_reset(&e->end_to_end_id);
				sbuf_add(&e->end_to_end_id, v.buf, v.len);
			}
		} else if (strcmp(tv[i].tag, "SVWZ+") == 0) {
			sbuf_reset(&e->reference);
			sbuf_add(&e->reference, v.buf, v.len);
		} else if (strcmp(tv[i].tag, "IBAN+") == 0 &&
		    e->payer_account.len == 0) {
			sbuf_add(&e->payer_account, v.buf, v.len);
		} else if (strcmp(tv[i].tag, "ABWA+") == 0 &&
		    e->payer_name.len == 0) {
			sbuf_add(&e->payer_name, v.buf, v.len);
		}
	}
	/* No SVWZ+: what the payer wrote outside the tags, else the
	 * customer reference. */
	if (e->reference.len == 0 && rest.len > 0)
		sbuf_add(&e->reference, rest.buf, rest.len);
	for (size_t i = 0; i < count && e->reference.len == 0; i++)
		if (strcmp(tv[i].tag, "KREF+") == 0) {
			value(s, tv[i].start, tv[i].end, &v);
			sbuf_add(&e->reference, v.buf, v.len);
		}
	sbuf_free(&v);
	sbuf_free(&rest);
	return 1;
}

/*
 * The German structured form: GVC, then ?NN subfields (> for Triodos).
 * The purpose subfields are 27 characters: a full one was cut inside a
 * word and joins the next with nothing; a shorter one was ended by the
 * bank and joins with a space.
 */
static int
structured(const char *t, size_t n, struct pay_entry *e)
{
	struct sbuf s = { 0 }, purpose = { 0 }, name = { 0 };
	unsigned char *bound = NULL;
	size_t i = 0, prev = 27;
	char sep;

	while (n > 0 && *t == ' ') {
		t++;
		n--;
	}
	if (n >= 6 && all_digits(t, 3) && (t[3] == '?' || t[3] == '>') &&
	    is_digit((unsigned char)t[4]) && is_digit((unsigned char)t[5]))
		sep = t[3];
	else if (n >= 3 && t[0] == '?' && is_digit((unsigned char)t[1]) &&
	    is_digit((unsigned char)t[2]))
		sep = '?';
	else
		return 0;
	for (size_t k = 0; k < n; k++)
		if (t[k] != '\n')
			sbuf_addc(&s, t[k]);
	bound = xcalloc(s.len + 1, 1);
	while (i < s.len && s.buf[i] != sep)
		i++;
	while (i + 2 < s.len) {
		int code = (s.buf[i + 1] - '0') * 10 + (s.buf[i + 2] - '0');
		size_t a = i + 3, b = a;

		if (!is_digit((unsigned char)s.buf[i + 1]) ||
		    !is_digit((unsigned char)s.buf[i + 2])) {
			i++;
			continue;
		}
		while (b < s.len && !(s.buf[b] == sep && b + 2 < s.len &&
		    is_digit((unsigned char)s.buf[b + 1]) &&
		    is_digit((unsigned char)s.buf[b + 2])))
			b++;
		if ((code >= 20 && code <= 29) || (code >= 60 && code <= 63)) {
			if (purpose.len > 0 && prev < 27 && b > a &&
			    purpose.buf[purpose.len - 1] != ' ' &&
			    s.buf[a] != ' ')
				sbuf_addc(&purpose, ' ');
			bound[purpose.len] = 1;
			sbuf_add(&purpose, s.buf + a, b - a);
			prev = b - a;
		} else if (code == 31) {
			sbuf_reset(&e->payer_account);
			sbuf_add(&e->payer_account, s.buf + a, b - a);
			pay_norm_space(&e->payer_account);
		} else if (code == 32 || code == 33) {
			sbuf_add(&name, s.buf + a, b - a);
		}
		i = b;
	}
	if (name.len > 0) {
		pay_norm_space(&name);
		sbuf_reset(&e->payer_name);
		sbuf_add(&e->payer_name, name.buf, name.len);
	}
	if (!sepa(purpose.buf ? purpose.buf : "", purpose.len, bound, e))
		value(purpose.buf ? purpose.buf : "", 0, purpose.len,
		    &e->reference);
	value(purpose.buf ? purpose.buf : "", 0, purpose.len, &e->remittance);
	free(bound);
	sbuf_free(&s);
	sbuf_free(&purpose);
	sbuf_free(&name);
	return 1;
}

/* The Dutch form: /TRTP/.../EREF/.../REMI/.../NAME/... */
static int
slashed(const char *t, size_t n, struct pay_entry *e)
{
	static const char *const keys[] = { "EREF", "REMI", "NAME", "IBAN",
	    "BIC", "TRTP", "MARF", "CSID", "ORDP", "BENM", "CNTP", "ID",
	    "RTRN", "PREF", "ADDR", "ISDT", "ULTC", "ULTD", "PURP", "SVCL",
	    "RTYP", NULL };
	struct sbuf s = { 0 }, v = { 0 };
	size_t pos[64], klen[64], cnt = 0;
	const char *which[64];

	if (n < 6 || t[0] != '/')
		return 0;
	for (size_t k = 0; k < n; k++)
		if (t[k] != '\n')
			sbuf_addc(&s, t[k]);
	for (size_t i = 0; i < s.len && cnt < 64; i++) {
		if (s.buf[i] != '/')
			continue;
		for (size_t k = 0; keys[k]; k++) {
			size_t kl = strlen(keys[k]);

			if (i + kl + 1 < s.len + 1 &&
			    strncmp(s.buf + i + 1, keys[k], kl) == 0 &&
			    i + kl + 1 < s.len && s.buf[i + kl + 1] == '/') {
				pos[cnt] = i;
				klen[cnt] = kl;
				which[cnt++] = keys[k];
				i += kl;
				break;
			}
		}
	}
	if (cnt == 0 || pos[0] != 0) {
		sbuf_free(&s);
		return 0;
	}
	for (size_t c = 0; c < cnt; c++) {
		size_t a = pos[c] + klen[c] + 2;
		size_t b = c + 1 < cnt ? pos[c + 1] : s.len;
		const char *k = which[c];

		if (b < a)
			b = a;
		sbuf_reset(&v);
		sbuf_add(&v, s.buf + a, b - a);
		while (v.len > 0 && v.buf[v.len - 1] == '/')
			v.buf[--v.len] = '\0';
		pay_norm_space(&v);
		if (strcmp(k, "EREF") == 0 &&
		    !util_strcaseeq(v.buf ? v.buf : "", "NOTPROVIDED")) {
			sbuf_reset(&e->end_to_end_id);
			sbuf_add(&e->end_to_end_id, v.buf, v.len);
		} else if (strcmp(k, "REMI") == 0) {
			const char *r = sbuf_str(&v);

			/* /REMI/USTD//text/ or /REMI/STRD/CUR/reference/ */
			if (strncmp(r, "USTD//", 6) == 0)
				r += 6;
			else if (strncmp(r, "STRD/CUR/", 9) == 0)
				r += 9;
			sbuf_reset(&e->reference);
			sbuf_adds(&e->reference, r);
			sbuf_reset(&e->remittance);
			sbuf_adds(&e->remittance, r);
		} else if (strcmp(k, "NAME") == 0) {
			sbuf_reset(&e->payer_name);
			sbuf_add(&e->payer_name, v.buf, v.len);
		} else if (strcmp(k, "IBAN") == 0) {
			sbuf_reset(&e->payer_account);
			sbuf_add(&e->payer_account, v.buf, v.len);
		} else if (strcmp(k, "CNTP") == 0) {
			/* account/BIC/name/city */
			const char *a1 = sbuf_str(&v), *s1 = strchr(a1, '/');

			sbuf_reset(&e->payer_account);
			sbuf_add(&e->payer_account, a1, s1 ? (size_t)(s1 - a1) :
			    strlen(a1));
			if (s1 && (s1 = strchr(s1 + 1, '/')) != NULL) {
				const char *s2 = strchr(s1 + 1, '/');

				sbuf_reset(&e->payer_name);
				sbuf_add(&e->payer_name, s1 + 1, s2 ?
				    (size_t)(s2 - s1 - 1) : strlen(s1 + 1));
			}
		}
	}
	sbuf_free(&s);
	sbuf_free(&v);
	return 1;
}

void
mt940_details(const char *t, size_t n, struct pay_entry *e)
{
	struct sbuf s = { 0 };
	size_t start = 0, prevlen = 0;
	int first = 1;

	if (structured(t, n, e) || slashed(t, n, e))
		return;
	/* Free text, joined line by line. */
	for (size_t i = 0; i <= n; i++) {
		size_t len;

		if (i < n && t[i] != '\n')
			continue;
		len = i - start;
		if (!first && prevlen < MT_LINE && s.len > 0 &&
		    s.buf[s.len - 1] != ' ' && !(len > 0 && t[start] == ' '))
			sbuf_addc(&s, ' ');
		sbuf_add(&s, t + start, len);
		prevlen = len;
		first = 0;
		start = i + 1;
	}
	if (s.buf == NULL)
		sbuf_add(&s, "", 0);
	if (!sepa(s.buf, s.len, NULL, e)) {
		sbuf_reset(&e->reference);
		sbuf_add(&e->reference, s.buf, s.len);
		pay_norm_space(&e->reference);
	}
	sbuf_reset(&e->remittance);
	sbuf_add(&e->remittance, s.buf, s.len);
	pay_norm_space(&e->remittance);
	sbuf_free(&s);
}

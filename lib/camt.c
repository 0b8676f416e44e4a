/*
 * camt: ISO 20022 camt.052/053/054 through libxml2's stream reader.
 *
 * Elements are matched by local name and by the document's own namespace
 * URI, never by prefix, so <Document>, <camt:Document> and <c:Document>
 * read the same.  Where versions differ the reader takes both paths:
 * Sts is text up to 001.06 and Sts/Cd after; a party's name is Dbtr/Nm up
 * to 001.06 and Dbtr/Pty/Nm after; dates are Dt or DtTm; TxDtls/Amt is
 * absent in 001.02, where AmtDtls/TxAmt stands in.
 *
 * Amounts: a camt amount may carry more decimals than its currency has.
 * Trailing zeros are exact ("8.850" EUR is 8.85) and taken; any other
 * extra digit means the bank booked a fraction of a cent, which no
 * account can hold, so the entry is rejected with the amount named
 * rather than rounded: a rounded receipt would allocate a sum the bank
 * never booked, and the statement's balance check would hide the
 * difference.
 */
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>
#include <libxml/xmlreader.h>
#include <libxml/tree.h>

#include "camt.h"

#define CAMT_NS "urn:iso:std:iso:20022:tech:xsd:camt.05"
#define CAMT_MIN_VERSION 2
#define CAMT_MAX_VERSION 13

struct camt {
	const struct pay_sink *k;
	struct diag *d;
	char *ns;		/* the document's namespace URI */
	int type;		/* 52, 53, 54 */
	char format[40];	/* "camt.053.001.02" */
	const char *msg_name;	/* BkToCstmrStmt ... */
	const char *stmt_name;	/* Stmt, Ntfctn, Rpt */
	int seen_msg, nstmts;
	int in_stmt, opened;
	int32_t cre_date;
	struct pay_statement st;
	struct pay_entry e;
	struct sbuf t, t2, t3;
	long skipped;
	/* The first error libxml2 reported. */
	int xml_err, err_code;
	long err_line, err_col;
	char err_msg[512];
};

#if LIBXML_VERSION >= 21200
static void
on_error(void *ctx, const xmlError *err)
#else
static void
on_error(void *ctx, xmlErrorPtr err)
#endif
{
	struct camt *c = ctx;
	size_t n;

	if (c->xml_err || err == NULL || err->level < XML_ERR_ERROR)
		return;
	c->xml_err = 1;
	c->err_code = err->code;
	c->err_line = err->line;
	c->err_col = err->int2;
	snprintf(c->err_msg, sizeof c->err_msg, "%s",
	    err->message ? err->message : "malformed XML");
	n = strlen(c->err_msg);
	while (n > 0 && (c->err_msg[n - 1] == '\n' || c->err_msg[n - 1] == ' '))
		c->err_msg[--n] = '\0';
	/* libxml2 puts a line break inside some messages ("...encoding !\n
	 * Bytes: 0xFC ..."): a diagnostic is one line. */
	for (char *p = c->err_msg; *p; p++)
		if (*p == '\n' || *p == '\r' || *p == '\t')
			*p = ' ';
}

static void
quiet(void *ctx, const char *fmt, ...)
{
	(void)ctx;
	(void)fmt;
}

static int
is(const xmlChar *a, const char *b)
{
	return a != NULL && strcmp((const char *)a, b) == 0;
}

/* The first element child of n called name in the document's namespace. */
static xmlNode *
kid(const struct camt *c, const xmlNode *n, const char *name)
{
	if (n == NULL)
		return NULL;
	for (xmlNode *k = n->children; k; k = k->next)
		if (k->type == XML_ELEMENT_NODE && is(k->name, name) &&
		    k->ns != NULL && is(k->ns->href, c->ns))
			return k;
	return NULL;
}

/* The next sibling of k with k's name. */
static xmlNode *
next_same(const xmlNode *k)
{
	for (xmlNode *s = k->next; s; s = s->next)
		if (s->type == XML_ELEMENT_NODE && xmlStrEqual(s->name,
		    k->name) && s->ns == k->ns)
			return s;
	return NULL;
}

/* path: "A/B/C" below n. */
static xmlNode *
path(const struct camt *c, const xmlNode *n, const char *p)
{
	char part[32];

	while (n != NULL && *p) {
		size_t len = strcspn(p, "/");

		if (len >= sizeof part)
			return NULL;
		memcpy(part, p, len);
		part[len] = '\0';
		n = kid(c, n, part);
		p += len;
		if (*p == '/')
			p++;
	}
	return (xmlNode *)(uintptr_t)n;
}

/* text: n's text, white space made single spaces, into out; 1 if there
 * is any. */
static int
text(const xmlNode *n, struct sbuf *out)
{
	xmlChar *s;

	sbuf_reset(out);
	if (n == NULL)
		return 0;
	s = xmlNodeGetContent(n);
	if (s != NULL) {
		sbuf_adds(out, (const char *)s);
		xmlFree(s);
	}
	pay_norm_space(out);
	return out->len > 0;
}

static long
line_of(const xmlNode *n)
{
	return n ? xmlGetLineNo(n) : 0;
}

/* A date element holding Dt or DtTm (or being one): 0, 1 when a day past
 * the month's end (a bank's 30 February) was clamped to it, -1 when it
 * is no date (tmp keeps the text for the message). */
static int
date_of(const struct camt *c, const xmlNode *n, struct sbuf *tmp,
    int32_t *day)
{
	const xmlNode *v = kid(c, n, "Dt");
	const char *p;

	if (v == NULL)
		v = kid(c, n, "DtTm");
	if (v == NULL)
		v = n;
	if (!text(v, tmp) || tmp->len < 10)
		return -1;
	p = tmp->buf;
	for (int i = 0; i < 10; i++)
		if (i == 4 || i == 7 ? p[i] != '-' : p[i] < '0' || p[i] > '9')
			return -1;
	if (tmp->len > 10 && p[10] != 'T' && p[10] != '+' && p[10] != 'Z' &&
	    p[10] != '-')
		return -1;
	tmp->buf[10] = '\0';
	return pay_ymd((p[0] - '0') * 1000 + (p[1] - '0') * 100 +
	    (p[2] - '0') * 10 + (p[3] - '0'), (p[5] - '0') * 10 + (p[6] - '0'),
	    (p[8] - '0') * 10 + (p[9] - '0'), day);
}

/* An entry's BookgDt or ValDt: 0, or -1 (no date: the caller rejects). */
static int
entry_date(struct camt *c, const xmlNode *n, const char *name, int32_t *day)
{
	int rc = date_of(c, kid(c, n, name), &c->t, day);
	char buf[DATE_BUFSZ];

	if (rc > 0)
		pay_warnf(c->k, line_of(kid(c, n, name)), "field \"%s\": %s "
		    "is not a date: taken as %s, the month's last day", name,
		    c->t.buf, date_format(*day, buf));
	return rc < 0 ? -1 : 0;
}

static int
reject(struct camt *c, const xmlNode *entry, long line, const char *fmt,
    ...) __attribute__((format(printf, 4, 5)));

/* Tells an entry that cannot be taken, its XML going to the rejects. */
static int
reject(struct camt *c, const xmlNode *entry, long line, const char *fmt,
    ...)
{
	struct sbuf m = { 0 };
	xmlBufferPtr b = xmlBufferCreate();
	va_list ap;
	int rc;

	va_start(ap, fmt);
	sbuf_vaddf(&m, fmt, ap);
	va_end(ap);
	if (b != NULL)
		xmlNodeDump(b, entry->doc, (xmlNode *)(uintptr_t)entry, 0, 0);
	rc = c->k->reject(c->k->ctx, line, sbuf_str(&m),
	    b ? (const char *)xmlBufferContent(b) : NULL,
	    b ? (size_t)xmlBufferLength(b) : 0, c->d);
	if (b != NULL)
		xmlBufferFree(b);
	sbuf_free(&m);
	return rc;
}

/*
 * amount: an Amt-like element's value in minor units of its Ccy, and the
 * currency.  0, or -1 with msg set to the reason.
 */
static int
amount(const struct camt *c, const xmlNode *n, int64_t *v, char ccy[4],
    int64_t limit, struct sbuf *tmp, struct sbuf *msg)
{
	xmlChar *cc;
	struct diag d;
	int digits;

	(void)c;
	sbuf_reset(msg);
	cc = xmlGetProp(n, (const xmlChar *)"Ccy");
	if (cc == NULL || !money_is_iso4217((const char *)cc)) {
		if (cc == NULL)
			sbuf_addf(msg, "field \"%s\": no Ccy attribute (its "
			    "ISO 4217 currency)", (const char *)n->name);
		else
			sbuf_addf(msg, "field \"%s\": Ccy \"%.40s\" is not an "
			    "ISO 4217 currency code", (const char *)n->name,
			    (const char *)cc);
		xmlFree(cc);
		return -1;
	}
	memcpy(ccy, cc, 4);
	xmlFree(cc);
	digits = money_minor_digits(ccy);
	text(n, tmp);
	diag_clear(&d);
	if (money_parse(tmp->buf, tmp->len, digits, MONEY_POINT, v, NULL,
	    &d) != 0) {
		sbuf_addf(msg, "field \"%s\": %s", (const char *)n->name,
		    d.msg);
		if (strstr(d.msg, "too many decimals") != NULL)
			sbuf_addf(msg, " (%s has %d: a fraction of its minor "
			    "unit is not rounded)", ccy, digits);
		return -1;
	}
	if (*v < 0) {
		sbuf_addf(msg, "field \"%s\": negative (the sign is in "
		    "CdtDbtInd)", (const char *)n->name);
		return -1;
	}
	sbuf_addf(msg, "field \"%s\": ", (const char *)n->name);
	if (pay_too_large(*v, limit, ccy, msg))
		return -1;
	sbuf_reset(msg);
	return 0;
}

/* An account: IBAN, else Othr/Id. */
static int
account(const struct camt *c, const xmlNode *acct, struct sbuf *out)
{
	const xmlNode *id = kid(c, acct, "Id");

	if (text(kid(c, id, "IBAN"), out))
		return 1;
	return text(path(c, id, "Othr/Id"), out);
}

static int
open_statement(struct camt *c)
{
	int rc;

	if (c->opened)
		return 0;
	c->opened = 1;
	if (c->st.account.len == 0) {
		c->d->line = c->st.line;
		diag_set(c->d, "statement \"%s\": no account (Acct/Id)",
		    sbuf_str(&c->st.stmt_ref));
		return PAY_EDATA;
	}
	rc = c->k->statement(c->k->ctx, &c->st, c->d);
	return rc;
}

static void
balance(struct camt *c, const xmlNode *bal)
{
	const xmlNode *tp = path(c, bal, "Tp/CdOrPrtry");
	const xmlNode *amt = kid(c, bal, "Amt");
	int64_t v;
	char ccy[4];
	int opening, closing;

	if (!text(kid(c, tp, "Cd"), &c->t) && !text(kid(c, tp, "Prtry"), &c->t))
		return;
	/* Booked balances only: the opening (OPBD, else the previous
	 * closing PRCD) and the closing (CLBD). */
	opening = strcmp(c->t.buf, "OPBD") == 0 ||
	    (strcmp(c->t.buf, "PRCD") == 0 && !c->st.has_opening);
	closing = strcmp(c->t.buf, "CLBD") == 0;
	if ((!opening && !closing) || amt == NULL)
		return;
	if (amount(c, amt, &v, ccy, PAY_MAX_BALANCE, &c->t2, &c->t3) != 0) {
		/* Named, so it is not taken for the entry beside it. */
		pay_warnf(c->k, line_of(amt), "balance \"%s\": %s: the "
		    "balances are not checked", c->t.buf, sbuf_str(&c->t3));
		if (opening)
			c->st.opening_bad = 1;
		else
			c->st.closing_bad = 1;
		return;
	}
	if (text(kid(c, bal, "CdtDbtInd"), &c->t) &&
	    strcmp(c->t.buf, "DBIT") == 0)
		v = -v;
	if (opening) {
		c->st.has_opening = 1;
		c->st.opening = v;
		memcpy(c->st.opening_ccy, ccy, 4);
	} else {
		int32_t day;

		c->st.has_closing = 1;
		c->st.closing = v;
		memcpy(c->st.closing_ccy, ccy, 4);
		if (c->st.to_date == PAY_NO_DATE &&
		    date_of(c, kid(c, bal, "Dt"), &c->t, &day) >= 0)
			c->st.to_date = day;
	}
}

/* The counterparty: the payer of a receipt (Dbtr), the payee of a debit
 * (Cdtr); the other side when that one is missing or is the account
 * itself. */
static void
party(struct camt *c, const xmlNode *tx, int want_dbtr, struct pay_entry *e)
{
	const xmlNode *rp = kid(c, tx, "RltdPties");

	for (int pass = 0; pass < 2 && rp != NULL; pass++) {
		int dbtr = pass == 0 ? want_dbtr : !want_dbtr;
		const xmlNode *p = kid(c, rp, dbtr ? "Dbtr" : "Cdtr");
		const xmlNode *a = kid(c, rp, dbtr ? "DbtrAcct" : "CdtrAcct");

		sbuf_reset(&e->payer_name);
		sbuf_reset(&e->payer_account);
		if (!text(kid(c, p, "Nm"), &e->payer_name))
			text(path(c, p, "Pty/Nm"), &e->payer_name);
		if (e->payer_name.len == 0)
			text(kid(c, kid(c, rp, dbtr ? "UltmtDbtr" :
			    "UltmtCdtr"), "Nm"), &e->payer_name);
		account(c, a, &e->payer_account);
		if (e->payer_name.len == 0 && e->payer_account.len == 0)
			continue;
		if (e->payer_account.len > 0 &&
		    strcmp(e->payer_account.buf, sbuf_str(&c->st.account)) == 0)
			continue;
		return;
	}
	sbuf_reset(&e->payer_name);
	sbuf_reset(&e->payer_account);
}

static void
add_word(struct sbuf *b, const struct sbuf *w)
{
	if (w->len == 0)
		return;
	if (b->len > 0)
		sbuf_addc(b, ' ');
	sbuf_add(b, w->buf, w->len);
}

/* References and remittance of one transaction detail (tx may be NULL). */
static void
remittance(struct camt *c, const xmlNode *tx, const xmlNode *entry,
    struct pay_entry *e)
{
	const xmlNode *rmt = kid(c, tx, "RmtInf"), *n;
	struct sbuf ustrd = { 0 }, cref = { 0 }, doc = { 0 }, norm = { 0 };
	long cref_line = 0;
	int demoted = 0;

	if (text(path(c, tx, "Refs/EndToEndId"), &e->end_to_end_id) &&
	    strcmp(e->end_to_end_id.buf, "NOTPROVIDED") == 0)
		sbuf_reset(&e->end_to_end_id);
	for (n = kid(c, rmt, "Ustrd"); n; n = next_same(n))
		if (text(n, &c->t))
			add_word(&ustrd, &c->t);
	for (n = kid(c, rmt, "Strd"); n; n = next_same(n)) {
		const xmlNode *ref = path(c, n, "CdtrRefInf/Ref");

		if (cref.len == 0 && text(ref, &cref))
			cref_line = line_of(ref);
		else if (text(ref, &c->t))
			add_word(&e->remittance, &c->t);
		if (doc.len == 0)
			text(path(c, n, "RfrdDocInf/Nb"), &doc);
		if (text(kid(c, n, "AddtlRmtInf"), &c->t))
			add_word(&e->remittance, &c->t);
	}
	sbuf_reset(&e->reference);
	if (cref.len > 0) {
		int rf = pay_rf_check(cref.buf, &norm);

		if (rf == 1) {
			sbuf_add(&e->reference, norm.buf, norm.len);
		} else if (rf < 0) {
			pay_warnf(c->k, cref_line, "field \"Ref\": creditor "
			    "reference \"%s\" fails its ISO 11649 check: kept "
			    "as unstructured text", cref.buf);
			add_word(&ustrd, &cref);
			demoted = 1;
		} else {
			sbuf_add(&e->reference, cref.buf, cref.len);
		}
	}
	if (e->reference.len == 0 && doc.len > 0)
		sbuf_add(&e->reference, doc.buf, doc.len);
	if (e->reference.len == 0 && ustrd.len > 0)
		sbuf_add(&e->reference, ustrd.buf, ustrd.len);
	if (e->reference.len == 0 && text(kid(c, tx, "AddtlTxInf"), &c->t))
		sbuf_add(&e->reference, c->t.buf, c->t.len);
	if (e->reference.len == 0 &&
	    text(kid(c, entry, "AddtlNtryInf"), &c->t))
		sbuf_add(&e->reference, c->t.buf, c->t.len);
	/* remittance: everything the payer wrote, unstructured first. */
	sbuf_reset(&c->t2);
	sbuf_add(&c->t2, e->remittance.buf ? e->remittance.buf : "",
	    e->remittance.len);
	sbuf_reset(&e->remittance);
	add_word(&e->remittance, &ustrd);
	if (cref.len > 0 && !demoted)
		add_word(&e->remittance, &cref);
	add_word(&e->remittance, &c->t2);
	if (text(path(c, tx, "RtrInf/Rsn/Cd"), &e->return_reason) ||
	    text(path(c, tx, "RtrInf/Rsn/Prtry"), &e->return_reason) ||
	    kid(c, tx, "RtrInf") != NULL)
		e->reversal = 1;
	if (kid(c, tx, "RtrInf") != NULL && e->return_reason.len == 0)
		sbuf_adds(&e->return_reason, "returned");
	sbuf_free(&ustrd);
	sbuf_free(&cref);
	sbuf_free(&doc);
	sbuf_free(&norm);
}

/* The booked amount of one detail in the entry's currency, or -1. */
static int64_t
detail_booked(struct camt *c, const xmlNode *tx, const char *ccy)
{
	static const char *const paths[] = { "Amt", "AmtDtls/TxAmt/Amt" };
	int64_t v;
	char cc[4];

	for (size_t i = 0; i < 2; i++) {
		const xmlNode *a = path(c, tx, paths[i]);

		if (a != NULL && amount(c, a, &v, cc, PAY_MAX_ENTRY, &c->t,
		    &c->t2) == 0 && strcmp(cc, ccy) == 0)
			return v;
	}
	return -1;
}

/*
 * What the bank kept of a transaction of `booked` (absolute): the
 * difference from the transaction (or instructed) amount when that is in
 * the same currency, else the charges records the bank says it included
 * in the amount (ChrgInclInd true).
 */
static int64_t
charges(struct camt *c, const xmlNode *tx, const xmlNode *entry,
    int64_t booked, int credit, const char *ccy)
{
	static const char *const paths[] = { "AmtDtls/TxAmt/Amt",
	    "AmtDtls/InstdAmt/Amt" };
	const xmlNode *where[2] = { tx, entry };
	int64_t v, sum = 0;
	char cc[4];

	for (size_t w = 0; w < 2; w++)
		for (size_t i = 0; i < 2; i++) {
			const xmlNode *a = path(c, where[w], paths[i]);

			if (a == NULL || amount(c, a, &v, cc, PAY_MAX_ENTRY,
			    &c->t, &c->t2) != 0 || strcmp(cc, ccy) != 0)
				continue;
			if (credit && v > booked)
				return v - booked;
			if (!credit && booked > v)
				return booked - v;
			goto records;
		}
records:
	for (size_t w = 0; w < 2; w++) {
		const xmlNode *ch = kid(c, where[w], "Chrgs");

		for (const xmlNode *r = kid(c, ch, "Rcrd"); r;
		    r = next_same(r)) {
			const xmlNode *a = kid(c, r, "Amt");

			if (!text(kid(c, r, "ChrgInclInd"), &c->t) ||
			    (strcmp(c->t.buf, "true") != 0 &&
			    strcmp(c->t.buf, "1") != 0))
				continue;
			if (a != NULL && amount(c, a, &v, cc, PAY_MAX_ENTRY,
			    &c->t, &c->t2) == 0 && strcmp(cc, ccy) == 0)
				sum += v;
		}
		if (sum > 0)
			return sum;
	}
	return 0;
}

static int
entry(struct camt *c, const xmlNode *n)
{
	struct pay_entry *e = &c->e;
	const xmlNode *amt = kid(c, n, "Amt"), *txs[64], *tx;
	xmlNode *dtl;
	size_t ntx = 0, more = 0;
	int64_t v, sign;
	int credit, rc, want_dbtr;
	char ccy[4];
	long line = line_of(n);

	pay_entry_reset(e);
	e->line = line;
	/* Only booked entries are cash: pending and information entries
	 * (camt.052 intraday, PDNG) are counted, not recorded. */
	if ((text(kid(c, kid(c, n, "Sts"), "Cd"), &c->t) ||
	    text(kid(c, n, "Sts"), &c->t)) && strcmp(c->t.buf, "BOOK") != 0) {
		c->skipped++;
		return 0;
	}
	if ((rc = open_statement(c)) != 0)
		return rc;
	if (amt == NULL)
		return reject(c, n, line, "field \"Amt\": missing");
	if (amount(c, amt, &v, ccy, PAY_MAX_ENTRY, &c->t, &c->t2) != 0)
		return reject(c, n, line_of(amt), "%s", sbuf_str(&c->t2));
	memcpy(e->currency, ccy, 4);
	if (!text(kid(c, n, "CdtDbtInd"), &c->t) ||
	    (strcmp(c->t.buf, "CRDT") != 0 && strcmp(c->t.buf, "DBIT") != 0))
		return reject(c, n, line_of(kid(c, n, "CdtDbtInd")) ?
		    line_of(kid(c, n, "CdtDbtInd")) : line,
		    "field \"CdtDbtInd\": \"%s\" is not CRDT or DBIT",
		    sbuf_str(&c->t));
	credit = strcmp(c->t.buf, "CRDT") == 0;
	sign = credit ? 1 : -1;
	if (text(kid(c, n, "RvslInd"), &c->t) &&
	    (strcmp(c->t.buf, "true") == 0 || strcmp(c->t.buf, "1") == 0))
		e->reversal = 1;
	if (kid(c, n, "BookgDt") != NULL &&
	    entry_date(c, n, "BookgDt", &e->booking_date) != 0)
		return reject(c, n, line_of(kid(c, n, "BookgDt")),
		    "field \"BookgDt\": not a date: \"%s\"", sbuf_str(&c->t));
	if (kid(c, n, "ValDt") != NULL &&
	    entry_date(c, n, "ValDt", &e->value_date) != 0)
		return reject(c, n, line_of(kid(c, n, "ValDt")),
		    "field \"ValDt\": not a date: \"%s\"", sbuf_str(&c->t));
	if (e->booking_date == PAY_NO_DATE && e->value_date == PAY_NO_DATE) {
		if (c->cre_date == PAY_NO_DATE)
			return reject(c, n, line, "field \"BookgDt\": the "
			    "entry has no booking or value date");
		e->booking_date = e->value_date = c->cre_date;
		pay_warnf(c->k, line, "field \"BookgDt\": the entry has no "
		    "booking or value date: dated %s, when the message was "
		    "created", date_format(c->cre_date,
		    (char[DATE_BUFSZ]){ 0 }));
	}
	text(kid(c, n, "AcctSvcrRef"), &e->bank_ref);

	for (dtl = kid(c, n, "NtryDtls"); dtl; dtl = next_same(dtl))
		for (tx = kid(c, dtl, "TxDtls"); tx; tx = next_same(tx)) {
			if (ntx < sizeof txs / sizeof txs[0])
				txs[ntx++] = tx;
			else
				more++;
		}
	if (ntx >= 2 && more == 0) {
		int64_t booked[64], sum = 0;
		size_t noamt = 0;
		int split = 1;

		for (size_t i = 0; i < ntx; i++) {
			booked[i] = detail_booked(c, txs[i], ccy);
			if (booked[i] < 0)
				noamt++;
			if (booked[i] < 0 || money_add(sum, booked[i],
			    &sum) != 0)
				split = 0;
		}
		if (split && sum == v) {
			int reversal = e->reversal;

			for (size_t i = 0; i < ntx; i++) {
				e->reversal = reversal;
				sbuf_reset(&e->remittance);
				sbuf_reset(&e->return_reason);
				e->detail = (int)i + 1;
				e->line = line_of(txs[i]);
				remittance(c, txs[i], n, e);
				want_dbtr = credit != e->reversal;
				party(c, txs[i], want_dbtr, e);
				e->amount = sign * booked[i];
				e->charges = charges(c, txs[i], NULL,
				    booked[i], credit, ccy);
				if ((rc = c->k->entry(c->k->ctx, e, c->d)) != 0)
					return rc;
			}
			return 0;
		}
		/* Details with no amount of their own cannot be split: say
		 * so, not that their (absent) amounts fail to add up. */
		if (noamt > 0)
			pay_warnf(c->k, line, "field \"NtryDtls\": %s%zu "
			    "transaction details carry no %s amount of their "
			    "own: recorded as one payment of the booked %s "
			    "%s, their references kept in its remittance",
			    noamt == ntx ? "the " : "", noamt == ntx ? ntx :
			    noamt, ccy, ccy, money_format(v,
			    money_minor_digits(ccy), (char[MONEY_BUFSZ]){ 0 }));
		else
			pay_warnf(c->k, line, "field \"NtryDtls\": %zu "
			    "transaction details do not add up to the booked "
			    "%s %s: recorded as one payment, their references "
			    "kept in its remittance", ntx, ccy, money_format(v,
			    money_minor_digits(ccy), (char[MONEY_BUFSZ]){ 0 }));
		for (size_t i = 0; i < ntx; i++) {
			sbuf_reset(&c->t3);
			if (text(path(c, txs[i], "Refs/EndToEndId"), &c->t3))
				add_word(&e->remittance, &c->t3);
			if (text(path(c, txs[i], "RmtInf"), &c->t3))
				add_word(&e->remittance, &c->t3);
		}
		e->amount = sign * v;
		return c->k->entry(c->k->ctx, e, c->d);
	}
	if (more > 0)
		pay_warnf(c->k, line, "field \"NtryDtls\": more than %zu "
		    "transaction details: recorded as one payment", ntx);
	tx = ntx == 1 && more == 0 ? txs[0] : NULL;
	remittance(c, tx, n, e);
	want_dbtr = credit != e->reversal;
	party(c, tx, want_dbtr, e);
	e->amount = sign * v;
	e->charges = charges(c, tx, n, v, credit, ccy);
	return c->k->entry(c->k->ctx, e, c->d);
}

/* The root: Document in a camt namespace of a version we know. */
static int
root(struct camt *c, xmlTextReaderPtr r)
{
	const xmlChar *ns = xmlTextReaderConstNamespaceUri(r);
	const char *s = (const char *)ns;
	int type, ver;

	if (!is(xmlTextReaderConstLocalName(r), "Document") || ns == NULL ||
	    strncmp(s, CAMT_NS, strlen(CAMT_NS)) != 0) {
		diag_set(c->d, "not an ISO 20022 camt message (root element "
		    "\"%s\", namespace \"%s\")",
		    (const char *)xmlTextReaderConstLocalName(r),
		    s ? s : "none");
		return PAY_EDATA;
	}
	s += strlen(CAMT_NS);
	if (s[0] < '2' || s[0] > '4' || strncmp(s + 1, ".001.", 5) != 0 ||
	    s[6] < '0' || s[6] > '9' || s[7] < '0' || s[7] > '9' ||
	    s[8] != '\0') {
		diag_set(c->d, "unknown camt namespace \"%s\"", (const char *)ns);
		return PAY_EDATA;
	}
	type = 50 + (s[0] - '0');
	ver = (s[6] - '0') * 10 + (s[7] - '0');
	snprintf(c->format, sizeof c->format, "camt.0%d.001.%02d", type, ver);
	if (ver < CAMT_MIN_VERSION || ver > CAMT_MAX_VERSION) {
		diag_set(c->d, "%s is not a version this reader knows "
		    "(001.%02d to 001.%02d)", c->format, CAMT_MIN_VERSION,
		    CAMT_MAX_VERSION);
		return PAY_EDATA;
	}
	c->ns = xstrdup((const char *)ns);
	c->type = type;
	c->msg_name = type == 53 ? "BkToCstmrStmt" : type == 54 ?
	    "BkToCstmrDbtCdtNtfctn" : "BkToCstmrAcctRpt";
	c->stmt_name = type == 53 ? "Stmt" : type == 54 ? "Ntfctn" : "Rpt";
	return 0;
}

static int
end_statement(struct camt *c)
{
	int rc;

	c->in_stmt = 0;
	if ((rc = open_statement(c)) != 0)
		return rc;
	return c->k->statement_end(c->k->ctx, &c->st, c->d);
}

/* One child of a statement. */
static int
header(struct camt *c, const xmlNode *n)
{
	int32_t day;

	if (is(n->name, "Ntry"))
		return entry(c, n);
	if (c->opened)
		return 0;
	if (is(n->name, "Id")) {
		text(n, &c->st.stmt_ref);
	} else if (is(n->name, "CreDtTm")) {
		if (date_of(c, n, &c->t, &day) >= 0)
			c->cre_date = day;
	} else if (is(n->name, "FrToDt")) {
		if (date_of(c, kid(c, n, "FrDtTm"), &c->t, &day) >= 0)
			c->st.from_date = day;
		if (date_of(c, kid(c, n, "ToDtTm"), &c->t, &day) >= 0)
			c->st.to_date = day;
	} else if (is(n->name, "Acct")) {
		account(c, n, &c->st.account);
		if (text(kid(c, n, "Ccy"), &c->t) &&
		    money_is_iso4217(c->t.buf))
			memcpy(c->st.currency, c->t.buf, 4);
	} else if (is(n->name, "Bal")) {
		balance(c, n);
	}
	return 0;
}

/* Whether libxml2's error at line:col is where the text ends (trailing
 * white space aside): a file cut short, not a mistake inside it. */
static int
at_end(const char *buf, size_t n, long line, long col)
{
	size_t i = 0, end = n;
	long l = 1;

	while (end > 0 && (buf[end - 1] == '\n' || buf[end - 1] == '\r' ||
	    buf[end - 1] == ' ' || buf[end - 1] == '\t'))
		end--;
	while (i < n && l < line) {
		if (buf[i++] == '\n')
			l++;
	}
	if (l != line || col < 1)
		return 0;
	return i + (size_t)col + 1 >= end;
}

/* Whether buf holds the root's end tag "</qname>" with more than white
 * space, comments or processing instructions after its last one: text
 * after a complete document, not a file cut short. */
static int
text_after_root(const char *buf, size_t n, const char *qname)
{
	size_t ql = strlen(qname), i, last = n;

	if (ql == 0)
		return 0;
	for (i = 0; i + ql + 2 < n; i++) {
		if (buf[i] == '<' && buf[i + 1] == '/' &&
		    memcmp(buf + i + 2, qname, ql) == 0) {
			size_t j = i + 2 + ql;

			while (j < n && (buf[j] == ' ' || buf[j] == '\t' ||
			    buf[j] == '\r' || buf[j] == '\n'))
				j++;
			if (j < n && buf[j] == '>')
				last = j + 1;
		}
	}
	if (last == n)
		return 0;
	for (i = last; i < n; i++) {
		if (buf[i] == ' ' || buf[i] == '\t' || buf[i] == '\r' ||
		    buf[i] == '\n')
			continue;
		return !(i + 1 < n && buf[i] == '<' &&
		    (buf[i + 1] == '!' || buf[i + 1] == '?'));
	}
	return 0;
}

int
camt_read(const char *buf, size_t n, const char *name,
    const struct pay_sink *k, struct diag *d)
{
	struct camt c;
	xmlTextReaderPtr r;
	int ret, rc = 0, depth_root = -1, root_closed = 0;
	struct sbuf root_name = { 0 };

	memset(&c, 0, sizeof c);
	c.k = k;
	c.d = d;
	c.cre_date = PAY_NO_DATE;
	pay_statement_reset(&c.st);
	if (n > INT_MAX) {
		diag_set(d, "too large for the XML reader (%zu bytes)", n);
		return PAY_EDATA;
	}
	xmlSetGenericErrorFunc(NULL, quiet);
	/* No network, no entity substitution, no DTD loading; libxml2's
	 * limits on huge input stay (no XML_PARSE_HUGE). */
	r = xmlReaderForMemory(buf, (int)n, name, NULL,
	    XML_PARSE_NONET | XML_PARSE_BIG_LINES | XML_PARSE_NOCDATA);
	if (r == NULL) {
		diag_set(d, "cannot start the XML reader");
		return PAY_EDATA;
	}
	xmlTextReaderSetStructuredErrorHandler(r, on_error, &c);
	ret = xmlTextReaderRead(r);
	while (ret == 1 && rc == 0 && !c.xml_err) {
		int type = xmlTextReaderNodeType(r);
		int depth = xmlTextReaderDepth(r);
		const xmlChar *lname = xmlTextReaderConstLocalName(r);
		int skip = 0;

		if (type == XML_READER_TYPE_DOCUMENT_TYPE) {
			d->line = 0;
			diag_set(d, "a DOCTYPE is not allowed in a camt "
			    "message (refused, not read)");
			rc = PAY_EDATA;
			break;
		}
		if (type == XML_READER_TYPE_END_ELEMENT) {
			if (c.in_stmt && depth == depth_root + 2)
				rc = end_statement(&c);
			if (depth == depth_root)
				root_closed = 1;
			ret = xmlTextReaderRead(r);
			continue;
		}
		if (type != XML_READER_TYPE_ELEMENT) {
			ret = xmlTextReaderRead(r);
			continue;
		}
		if (depth_root < 0) {
			depth_root = depth;
			sbuf_adds(&root_name,
			    (const char *)xmlTextReaderConstName(r));
			if ((rc = root(&c, r)) != 0) {
				d->line = xmlTextReaderGetParserLineNumber(r);
				break;
			}
		} else if (!is(xmlTextReaderConstNamespaceUri(r), c.ns)) {
			skip = 1;	/* extensions in other namespaces */
		} else if (depth == depth_root + 1) {
			if (!is(lname, c.msg_name)) {
				d->line = xmlTextReaderGetParserLineNumber(r);
				diag_set(d, "%s: <%s> where <%s> belongs",
				    c.format, (const char *)lname, c.msg_name);
				rc = PAY_EDATA;
				break;
			}
			c.seen_msg = 1;
		} else if (depth == depth_root + 2) {
			if (!is(lname, c.stmt_name)) {
				skip = 1;	/* GrpHdr */
			} else {
				c.nstmts++;
				c.in_stmt = 1;
				c.opened = 0;
				pay_statement_reset(&c.st);
				c.st.format = c.format;
				/* camt.053 is the statement proper;
				 * camt.052 reports and camt.054
				 * notifications carry balances at will. */
				c.st.balances_expected = c.type == 53;
				c.st.line = xmlTextReaderGetParserLineNumber(r);
				if (xmlTextReaderIsEmptyElement(r))
					rc = end_statement(&c);
			}
		} else if (c.in_stmt && depth == depth_root + 3) {
			xmlNode *node = xmlTextReaderExpand(r);

			if (node == NULL)
				break;
			rc = header(&c, node);
			skip = 1;
		}
		ret = skip ? xmlTextReaderNext(r) : xmlTextReaderRead(r);
	}
	if (rc == 0 && (ret < 0 || c.xml_err)) {
		d->line = c.err_line;
		if (c.xml_err && c.err_code == XML_ERR_INTERNAL_ERROR &&
		    strstr(c.err_msg, "depth") != NULL)
			diag_set(d, "malformed XML: elements nested deeper than "
			    "the XML reader allows (no camt message is): "
			    "refused, not read");
		else if (c.xml_err && (c.err_code == XML_ERR_INVALID_CHAR ||
		    c.err_code == XML_ERR_INVALID_ENCODING) &&
		    strstr(c.err_msg, "UTF-8") != NULL)
			diag_set(d, "malformed XML: bytes that are not UTF-8, "
			    "the encoding its XML declaration says (or, with "
			    "none, means); libxml2 says: %s", c.err_msg);
		else if (depth_root >= 0 && c.xml_err &&
		    c.err_code == XML_ERR_DOCUMENT_END &&
		    text_after_root(buf, n, sbuf_str(&root_name)))
			diag_set(d, "malformed XML: text after the end of the "
			    "document (</%s>); libxml2 says: %s",
			    sbuf_str(&root_name), c.err_msg);
		else if (depth_root >= 0 && !root_closed && (!c.xml_err ||
		    c.err_code == XML_ERR_DOCUMENT_END ||
		    c.err_code == XML_ERR_TAG_NOT_FINISHED ||
		    at_end(buf, n, c.err_line, c.err_col)))
			diag_set(d, "malformed XML: the file ends inside the "
			    "document (cut short?); libxml2 says: %s",
			    c.xml_err ? c.err_msg : "the reader stopped");
		else
			diag_set(d, "malformed XML: %s", c.xml_err ?
			    c.err_msg : "the reader stopped");
		rc = PAY_EDATA;
	}
	if (rc == 0 && depth_root < 0) {
		diag_set(d, "not an XML document");
		rc = PAY_EDATA;
	}
	if (rc == 0 && !c.seen_msg) {
		diag_set(d, "%s: no <%s> message", c.format, c.msg_name);
		rc = PAY_EDATA;
	}
	if (rc == 0 && c.nstmts == 0) {
		d->line = 0;
		diag_set(d, "%s: no statement (<%s>) in the message",
		    c.format, c.stmt_name);
		rc = PAY_EDATA;
	}
	if (rc == 0 && c.skipped > 0)
		pay_warnf(k, 0, "%ld entr%s not booked (pending or for "
		    "information): not recorded", c.skipped,
		    c.skipped == 1 ? "y" : "ies");
	xmlFreeTextReader(r);
	sbuf_free(&root_name);
	free(c.ns);
	pay_statement_free(&c.st);
	pay_entry_free(&c.e);
	sbuf_free(&c.t);
	sbuf_free(&c.t2);
	sbuf_free(&c.t3);
	return rc;
}

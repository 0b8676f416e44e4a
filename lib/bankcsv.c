/*
 * bankcsv: bank and PayPal CSV exports through csvin.
 *
 * The file is read twice from memory: the first pass finds the header,
 * the currencies, the metadata rows before the header (an "Account
 * Number : ..." there names the account) and feeds every date and amount
 * to the sniffers; the second pass, once per currency (each currency is
 * one statement), turns the rows into entries.  Rows that are not
 * movements (section and total rows, "Balance at start of period") are
 * recognised by having no date and no amount, or by their first words.
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bankcsv.h"
#include "csvin.h"

enum bfield {
	B_DATE, B_VALUE_DATE, B_AMOUNT, B_DEBIT, B_CREDIT, B_DC, B_CURRENCY,
	B_BALANCE, B_PAYER_NAME, B_PAYER_ACCOUNT, B_EMAIL, B_REFERENCE,
	B_INVOICE, B_DETAIL, B_E2E, B_BANK_REF, B_RELATED, B_FEE, B_GROSS,
	B_NET, B_COUNT
};

static const char *const field_names[B_COUNT] = {
	"booking_date", "value_date", "amount", "debit", "credit",
	"debit_credit", "currency", "balance", "payer_name", "payer_account",
	"payer_email", "reference", "invoice", "detail", "end_to_end_id",
	"bank_ref", "related_ref", "fee", "gross", "net"
};

/* Header aliases, as util_norm_key writes them. */
static const struct {
	enum bfield f;
	const char *alias;
} aliases[] = {
	{ B_DATE, "bookingdate" }, { B_DATE, "date" },
	{ B_DATE, "buchungstag" }, { B_DATE, "buchungsdatum" },
	{ B_DATE, "fecha" }, { B_DATE, "fechaoperacion" },
	{ B_DATE, "datum" }, { B_DATE, "transactiondate" },
	{ B_DATE, "posteddate" }, { B_DATE, "postingdate" },
	{ B_DATE, "entrydate" }, { B_DATE, "dateoperation" },
	{ B_DATE, "boekdatum" }, { B_DATE, "dateoperation" },
	{ B_VALUE_DATE, "valuedate" }, { B_VALUE_DATE, "valuta" },
	{ B_VALUE_DATE, "valutadatum" }, { B_VALUE_DATE, "wertstellung" },
	{ B_VALUE_DATE, "fechavalor" }, { B_VALUE_DATE, "datevaleur" },
	{ B_VALUE_DATE, "rentedatum" },
	{ B_AMOUNT, "amount" }, { B_AMOUNT, "betrag" },
	{ B_AMOUNT, "importe" }, { B_AMOUNT, "bedrag" },
	{ B_AMOUNT, "montant" }, { B_AMOUNT, "transactionamount" },
	{ B_AMOUNT, "umsatz" },
	{ B_DEBIT, "debit" }, { B_DEBIT, "debitamount" },
	{ B_DEBIT, "withdrawal" }, { B_DEBIT, "withdrawals" },
	{ B_DEBIT, "soll" }, { B_DEBIT, "debe" }, { B_DEBIT, "cargo" },
	{ B_DEBIT, "afschrijving" }, { B_DEBIT, "moneyout" },
	{ B_DEBIT, "paidout" },
	{ B_CREDIT, "credit" }, { B_CREDIT, "creditamount" },
	{ B_CREDIT, "deposit" }, { B_CREDIT, "deposits" },
	{ B_CREDIT, "haben" }, { B_CREDIT, "haber" }, { B_CREDIT, "abono" },
	{ B_CREDIT, "bijschrijving" }, { B_CREDIT, "moneyin" },
	{ B_CREDIT, "paidin" },
	{ B_DC, "dc" }, { B_DC, "debitcredit" }, { B_DC, "creditdebit" },
	{ B_DC, "cdindicator" }, { B_DC, "sollhaben" }, { B_DC, "afbij" },
	{ B_DC, "sh" }, { B_DC, "cd" },
	{ B_CURRENCY, "currency" }, { B_CURRENCY, "divisa" },
	{ B_CURRENCY, "wahrung" }, { B_CURRENCY, "w\xc3\xa4hrung" },
	{ B_CURRENCY, "ccy" }, { B_CURRENCY, "devise" },
	{ B_CURRENCY, "moneda" }, { B_CURRENCY, "munt" },
	{ B_BALANCE, "balance" }, { B_BALANCE, "saldo" },
	{ B_BALANCE, "runningbalance" }, { B_BALANCE, "solde" },
	{ B_BALANCE, "kontostand" },
	{ B_PAYER_NAME, "partnername" }, { B_PAYER_NAME, "name" },
	{ B_PAYER_NAME, "nombre" }, { B_PAYER_NAME, "payee" },
	{ B_PAYER_NAME, "payer" }, { B_PAYER_NAME, "payername" },
	{ B_PAYER_NAME, "counterparty" },
	{ B_PAYER_NAME, "counterpartyname" },
	{ B_PAYER_NAME, "auftraggeber" },
	{ B_PAYER_NAME, "beguenstigterzahlungspflichtiger" },
	{ B_PAYER_NAME, "naamtegenpartij" }, { B_PAYER_NAME, "beneficiary" },
	{ B_PAYER_NAME, "nomtiers" },
	{ B_PAYER_ACCOUNT, "bankaccount" }, { B_PAYER_ACCOUNT, "iban" },
	{ B_PAYER_ACCOUNT, "counterpartyaccount" },
	{ B_PAYER_ACCOUNT, "counterpartyiban" },
	{ B_PAYER_ACCOUNT, "tegenrekening" },
	{ B_PAYER_ACCOUNT, "ibantegenrekening" },
	{ B_PAYER_ACCOUNT, "kontonummer" },
	{ B_PAYER_ACCOUNT, "cuentabancaria" },
	{ B_EMAIL, "fromemailaddress" },
	{ B_EMAIL, "correoelectr\xc3\xb3nicodelremitente" },
	{ B_REFERENCE, "label" }, { B_REFERENCE, "description" },
	{ B_REFERENCE, "descripci\xc3\xb3n" }, { B_REFERENCE, "descripcion" },
	{ B_REFERENCE, "reference" }, { B_REFERENCE, "memo" },
	{ B_REFERENCE, "verwendungszweck" }, { B_REFERENCE, "omschrijving" },
	{ B_REFERENCE, "libelle" }, { B_REFERENCE, "paymentreference" },
	{ B_REFERENCE, "remittanceinformation" },
	{ B_REFERENCE, "purpose" }, { B_REFERENCE, "mededelingen" },
	{ B_REFERENCE, "narrative" }, { B_REFERENCE, "concepto" },
	{ B_INVOICE, "invoiceid" }, { B_INVOICE, "iddefactura" },
	{ B_INVOICE, "invoicenumber" }, { B_INVOICE, "invoiceno" },
	{ B_DETAIL, "detail" }, { B_DETAIL, "details" },
	{ B_E2E, "endtoendid" }, { B_E2E, "endtoendreference" },
	{ B_E2E, "eref" },
	{ B_BANK_REF, "transactionid" },
	{ B_BANK_REF, "iddetransacci\xc3\xb3n" },
	{ B_BANK_REF, "operationnumber" }, { B_BANK_REF, "bankreference" },
	{ B_BANK_REF, "transactionreference" },
	{ B_BANK_REF, "referencenumber" },
	{ B_RELATED, "referencetxnid" },
	{ B_RELATED, "iddereferenciadetrans" },
	{ B_FEE, "fee" }, { B_FEE, "fees" },
	{ B_FEE, "comisi\xc3\xb3n" }, { B_FEE, "comision" },
	{ B_FEE, "geb\xc3\xbchr" }, { B_FEE, "frais" },
	{ B_GROSS, "gross" }, { B_GROSS, "bruto" }, { B_GROSS, "brut" },
	{ B_NET, "net" }, { B_NET, "neto" },
};

#define MAX_META_ROWS 30
#define MAX_CCY 16

int
bankcsv_field_known(const char *name)
{
	for (size_t i = 0; i < B_COUNT; i++)
		if (strcmp(name, field_names[i]) == 0)
			return 1;
	return 0;
}

struct bc {
	const struct bankcsv_opts *o;
	const struct pay_sink *k;
	struct diag *d;
	int col[B_COUNT];
	long header_line;
	enum date_order order;
	enum money_decimal dec;
	struct sbuf account, t, t2;
	char ccys[MAX_CCY][4];
	size_t nccy;
	char meta_ccy[4];	/* named above the header, or "" */
	long map_missing;	/* the first bank.columns entry the header
				   lacks, or -1 */
	size_t map_found;	/* the bank.columns entries it has */
};

/* A field of a record, "" when the row is shorter. */
static const char *
fld(const struct bc *b, const struct csvin_record *r, enum bfield f,
    size_t *len)
{
	int c = b->col[f];

	if (c < 0 || (size_t)c >= r->nfields) {
		if (len)
			*len = 0;
		return "";
	}
	if (len)
		*len = r->lens[c];
	return r->fields[c];
}

static int
blank(const char *s)
{
	for (; *s; s++)
		if (*s != ' ' && *s != '\t')
			return 0;
	return 1;
}

/* Maps a header; the number of fields mapped, or -1 with d set (a
 * configured column missing). */
static int
map_header(struct bc *b, const struct csvin_record *r)
{
	struct sbuf key = { 0 }, want = { 0 };
	int mapped = 0;

	for (size_t f = 0; f < B_COUNT; f++)
		b->col[f] = -1;
	b->map_missing = -1;
	b->map_found = 0;
	for (size_t i = 0; i < b->o->nmap; i++) {
		int f = -1, found = -1;

		for (size_t k = 0; k < B_COUNT; k++)
			if (strcmp(b->o->map_field[i], field_names[k]) == 0)
				f = (int)k;
		util_norm_key(b->o->map_header[i], &want);
		for (size_t c = 0; c < r->nfields && found < 0; c++) {
			util_norm_key(r->fields[c], &key);
			if (strcmp(key.buf, want.buf) == 0)
				found = (int)c;
		}
		if (found >= 0)
			b->map_found++;
		if (f >= 0 && found >= 0) {
			b->col[f] = found;
			mapped++;
		} else if (b->map_missing < 0) {
			b->map_missing = (long)i;
		}
	}
	for (size_t c = 0; c < r->nfields; c++) {
		util_norm_key(r->fields[c], &key);
		if (key.len == 0)
			continue;
		for (size_t a = 0; a < sizeof aliases / sizeof aliases[0];
		    a++) {
			if (strcmp(key.buf, aliases[a].alias) != 0)
				continue;
			/* An explicit mapping wins; the first column of
			 * a name wins over later ones. */
			if (b->col[aliases[a].f] < 0) {
				int taken = 0;

				for (size_t f = 0; f < B_COUNT; f++)
					if (b->col[f] == (int)c)
						taken = 1;
				if (!taken) {
					b->col[aliases[a].f] = (int)c;
					mapped++;
				}
			}
			break;
		}
	}
	sbuf_free(&key);
	sbuf_free(&want);
	if (b->col[B_DATE] < 0 || (b->col[B_AMOUNT] < 0 &&
	    b->col[B_DEBIT] < 0 && b->col[B_CREDIT] < 0 &&
	    b->col[B_NET] < 0))
		return 0;
	return mapped;
}

/* The config's column that the header lacks: PAY_ECONFIG, d naming the
 * key and its line (the file's header in the message). */
static int
missing_column(struct bc *b, const struct csvin_record *r)
{
	size_t i = (size_t)b->map_missing;
	struct sbuf h = { 0 };

	for (size_t c = 0; c < r->nfields && h.len < 200; c++) {
		if (c)
			sbuf_adds(&h, ", ");
		sbuf_adds(&h, r->fields[c]);
	}
	diag_set(b->d, "bank.columns.%s: the export has no column \"%s\" "
	    "(its header, line %ld: %s)", b->o->map_field[i],
	    b->o->map_header[i], r->line, sbuf_str(&h));
	b->d->line = b->o->map_line ? b->o->map_line[i] : 0;
	sbuf_free(&h);
	return PAY_ECONFIG;
}

/* "Account Number : 08088804068" among the rows above the header. */
static void
meta_account(struct bc *b, const struct csvin_record *r)
{
	static const char *const keys[] = { "account number", "account no",
	    "account", "iban", "konto", "kontonummer", "rekeningnummer",
	    "numero de compte", NULL };

	if (b->account.len > 0)
		return;
	for (size_t i = 0; i < r->nfields; i++) {
		const char *f = r->fields[i], *colon = strchr(f, ':');
		size_t klen;

		if (colon == NULL)
			continue;
		klen = (size_t)(colon - f);
		while (klen > 0 && f[klen - 1] == ' ')
			klen--;
		for (size_t k = 0; keys[k]; k++)
			if (strlen(keys[k]) == klen &&
			    util_strncaseeq(f, keys[k], klen)) {
				sbuf_reset(&b->account);
				sbuf_adds(&b->account, colon + 1);
				pay_norm_space(&b->account);
				return;
			}
	}
}

/* ": EUR" or "Currency : EUR" among the rows above the header: the
 * currency of a file that has no currency column. */
static void
meta_currency(struct bc *b, const struct csvin_record *r)
{
	for (size_t i = 0; i < r->nfields && !b->meta_ccy[0]; i++) {
		const char *f = r->fields[i], *colon = strchr(f, ':');
		size_t klen, vlen;
		const char *v;

		if (colon == NULL)
			continue;
		klen = (size_t)(colon - f);
		while (klen > 0 && f[klen - 1] == ' ')
			klen--;
		static const char *const keys[] = { "", "currency", "devise",
		    "w\xc3\xa4hrung", "wahrung", "moneda", "divisa", "munt",
		    NULL };
		struct sbuf key = { 0 }, raw = { 0 };
		int known = 0;

		vlen = strlen(colon + 1);
		v = util_trim(colon + 1, &vlen);
		sbuf_add(&raw, f, klen);
		util_norm_key(sbuf_str(&raw), &key);
		for (size_t k = 0; keys[k] && !known; k++)
			known = strcmp(sbuf_str(&key), keys[k]) == 0;
		sbuf_free(&key);
		sbuf_free(&raw);
		if (vlen == 3 && known) {
			char c[4];

			memcpy(c, v, 3);
			c[3] = '\0';
			if (money_is_iso4217(c))
				memcpy(b->meta_ccy, c, 4);
		}
	}
}

/* A summary row's kind: 1 opening, 2 closing, 0 neither. */
static int
summary_kind(const char *s)
{
	static const char *const open[] = { "balance at start", "opening "
	    "balance", "saldo inicial", "anfangssaldo", "solde initial",
	    "beginsaldo", "start balance", NULL };
	static const char *const close[] = { "balance at end", "closing "
	    "balance", "saldo final", "endsaldo", "solde final", "eindsaldo",
	    "end balance", NULL };

	while (*s == ' ')
		s++;
	for (size_t i = 0; open[i]; i++)
		if (util_strncaseeq(s, open[i], strlen(open[i])))
			return 1;
	for (size_t i = 0; close[i]; i++)
		if (util_strncaseeq(s, close[i], strlen(close[i])))
			return 2;
	return 0;
}

static const enum bfield money_fields[] = { B_AMOUNT, B_DEBIT, B_CREDIT,
	B_FEE, B_GROSS, B_NET, B_BALANCE };
#define N_MONEY_FIELDS (sizeof money_fields / sizeof money_fields[0])

/* A data row has a date or some amount; others are section rows. */
static int
looks_like_data(const struct bc *b, const struct csvin_record *r)
{
	const char *d = fld(b, r, B_DATE, NULL);

	if (*d >= '0' && *d <= '9')
		return 1;
	for (size_t i = 0; i < N_MONEY_FIELDS; i++)
		if (!blank(fld(b, r, money_fields[i], NULL)))
			return summary_kind(r->nfields ? r->fields[0] : "") ==
			    0 && !blank(d);
	return 0;
}

struct dec_sniff {
	long point_only, comma_only, differ;
};

static void
sniff_amount(struct dec_sniff *s, const char *v, size_t n)
{
	int64_t a, b;
	int p, c;

	if (blank(v))
		return;
	p = money_parse(v, n, 2, MONEY_POINT, &a, NULL, NULL) == 0;
	c = money_parse(v, n, 2, MONEY_COMMA, &b, NULL, NULL) == 0;
	if (p && !c)
		s->point_only++;
	else if (c && !p)
		s->comma_only++;
	else if (p && c && a != b)
		s->differ++;
}

static const char *
row_currency(const struct bc *b, const struct csvin_record *r)
{
	const char *c = fld(b, r, B_CURRENCY, NULL);

	if (!blank(c))
		return c;
	return b->meta_ccy[0] ? b->meta_ccy : b->o->currency;
}

/* Pass 1: the header, the metadata, the currencies, the sniffers. */
static int
survey(struct bc *b, const char *buf, size_t n)
{
	FILE *fp = fmemopen((void *)(uintptr_t)buf, n, "r");
	struct csvin_opts co = { 0, NULL, 0, NULL, NULL };
	struct csvin *in;
	struct csvin_record *r;
	struct date_sniff sn;
	struct dec_sniff ds = { 0, 0, 0 };
	int got, mapped = 0, rc = 0, meta = 0;

	if (fp == NULL) {
		diag_set(b->d, "cannot read the file from memory");
		return PAY_ESTATE;
	}
	date_sniff_init(&sn);
	in = csvin_open(fp, "csv", &co, b->d);
	if (in == NULL) {
		fclose(fp);
		return PAY_EDATA;
	}
	while ((got = csvin_next(in, &r, b->d)) != 0) {
		if (got < 0) {
			if (r == NULL) {
				rc = PAY_EDATA;
				break;
			}
			continue;
		}
		if (!mapped) {
			int m = map_header(b, r);

			if (m > 0) {
				mapped = 1;
				b->header_line = r->line;
				/* A column the config names and the header
				 * lacks is the config's error: read without
				 * it, the field would be silently empty (or
				 * the entries keyed on other fields). */
				if (b->map_missing >= 0) {
					rc = missing_column(b, r);
					break;
				}
				continue;
			}
			/* A row with most of the columns bank.columns names
			 * is the header even when its date or amount is
			 * misnamed there: the config's error, named. */
			if (b->map_missing >= 0 && b->map_found > 0 &&
			    b->map_found * 2 >= b->o->nmap) {
				rc = missing_column(b, r);
				break;
			}
			meta_account(b, r);
			meta_currency(b, r);
			if (++meta > MAX_META_ROWS)
				break;
			continue;
		}
		if (!looks_like_data(b, r))
			continue;
		for (size_t i = 0; i < 2; i++) {
			const char *v = fld(b, r, i ? B_VALUE_DATE : B_DATE,
			    NULL);

			if (!blank(v))
				date_sniff_add(&sn, v, r->line);
		}
		for (size_t i = 0; i < N_MONEY_FIELDS; i++) {
			size_t len;
			const char *v = fld(b, r, money_fields[i], &len);

			sniff_amount(&ds, v, len);
		}
		{
			const char *c = row_currency(b, r);
			size_t k;

			for (k = 0; k < b->nccy; k++)
				if (strcmp(b->ccys[k], c) == 0)
					break;
			if (k == b->nccy && b->nccy < MAX_CCY &&
			    money_is_iso4217(c))
				memcpy(b->ccys[b->nccy++], c, 4);
		}
	}
	csvin_close(in);
	fclose(fp);
	if (rc != 0)
		return rc;
	diag_clear(b->d);
	if (!mapped) {
		diag_set(b->d, "no header row with a date and an amount column "
		    "found (name the columns in the config's bank.columns)");
		return PAY_EDATA;
	}
	if (b->order == DATE_AUTO && sn.values > 0) {
		int ambiguous;
		enum date_order o = date_sniff_result(&sn, &ambiguous);

		if (o == DATE_AUTO && ambiguous) {
			diag_set(b->d, "every date fits both day/month and "
			    "month/day order: use --date-format dmy or mdy "
			    "(or the config's bank.date_format)");
			return PAY_EDATA;
		}
		if (o == DATE_AUTO) {
			o = sn.fit_dmy >= sn.fit_mdy ? DATE_DMY : DATE_MDY;
			if (sn.fit_iso >= sn.fit_dmy && sn.fit_iso >= sn.fit_mdy)
				o = DATE_ISO;
		}
		b->order = o;
	}
	if ((int)b->o->decimal < 0) {
		if (ds.comma_only > ds.point_only)
			b->dec = MONEY_COMMA;
		else if (ds.point_only > 0)
			b->dec = MONEY_POINT;
		else if (ds.differ > 0) {
			diag_set(b->d, "the amounts read differently with a "
			    "decimal point and a decimal comma: use --decimal "
			    "point or comma (or the config's bank.decimal)");
			return PAY_EDATA;
		} else
			b->dec = MONEY_POINT;
	}
	if (b->nccy == 0) {
		const char *c = b->meta_ccy[0] ? b->meta_ccy : b->o->currency;

		if (!money_is_iso4217(c)) {
			diag_set(b->d, "no currency column and no default "
			    "currency");
			return PAY_EDATA;
		}
		memcpy(b->ccys[b->nccy++], c, 4);
	}
	return 0;
}

/* An amount field: 1 with *v, 0 if blank, -1 with msg. */
static int
money_field(struct bc *b, const struct csvin_record *r, enum bfield f,
    const char *ccy, int64_t *v, int *minus, struct sbuf *msg)
{
	size_t len;
	const char *s = fld(b, r, f, &len);
	struct diag d;

	if (blank(s))
		return 0;
	diag_clear(&d);
	if (money_parse(s, len, money_minor_digits(ccy), b->dec, v, NULL,
	    &d) != 0) {
		sbuf_reset(msg);
		sbuf_addf(msg, "field \"%s\": %s", field_names[f], d.msg);
		return -1;
	}
	sbuf_reset(msg);
	sbuf_addf(msg, "field \"%s\": ", field_names[f]);
	if (pay_too_large(*v, f == B_BALANCE ? PAY_MAX_BALANCE :
	    PAY_MAX_ENTRY, ccy, msg))
		return -1;
	sbuf_reset(msg);
	if (minus)
		*minus = *v < 0;
	return 1;
}

static int
direction(const char *s)
{
	static const char *const debit[] = { "d", "dr", "debit", "s", "soll",
	    "af", "-", "dbit", "cargo", NULL };
	static const char *const credit[] = { "c", "cr", "credit", "h",
	    "haben", "bij", "+", "crdt", "abono", NULL };
	size_t n = strlen(s);
	const char *t = util_trim(s, &n);

	for (size_t i = 0; debit[i]; i++)
		if (strlen(debit[i]) == n && util_strncaseeq(t, debit[i], n))
			return -1;
	for (size_t i = 0; credit[i]; i++)
		if (strlen(credit[i]) == n && util_strncaseeq(t, credit[i], n))
			return 1;
	return 0;
}

static void
copy_field(struct bc *b, const struct csvin_record *r, enum bfield f,
    struct sbuf *out)
{
	size_t len;
	const char *s = fld(b, r, f, &len);

	sbuf_reset(out);
	sbuf_add(out, s, len);
	pay_norm_space(out);
}

/*
 * s, which date_parse refused, as a numeric date in order o whose day is
 * beyond its month's end (a bank's 30 February): *out the month's last
 * day and 1, as MT940 and camt dates are clamped; else 0.  Three groups
 * of digits (separated by - / . or a space; a time after them is
 * ignored) are read in the order; a two-digit year as date_parse reads it.
 */
static int
clamp_date(const char *s, enum date_order o, int32_t *out)
{
	long v[3];
	int w[3], n = 0, y, m, d;

	while (*s == ' ')
		s++;
	while (n < 3) {
		const char *t = s;

		v[n] = 0;
		while (*t >= '0' && *t <= '9' && t - s < 5)
			v[n] = v[n] * 10 + (*t++ - '0');
		if (t == s || (*t >= '0' && *t <= '9'))
			return 0;
		w[n++] = (int)(t - s);
		s = t;
		if (n < 3) {
			if (*s != '-' && *s != '/' && *s != '.' && *s != ' ')
				return 0;
			s++;
		}
	}
	if (*s != '\0' && *s != ' ' && *s != 'T')
		return 0;
	if (w[0] == 4 || o == DATE_YMD || o == DATE_ISO) {
		y = (int)v[0], m = (int)v[1], d = (int)v[2];
		if (w[0] != 4)
			return 0;
	} else if (o == DATE_DMY) {
		d = (int)v[0], m = (int)v[1], y = (int)v[2];
	} else if (o == DATE_MDY) {
		m = (int)v[0], d = (int)v[1], y = (int)v[2];
	} else {
		return 0;
	}
	if (w[0] != 4 && w[2] == 2)
		y += y < 70 ? 2000 : 1900;
	else if (w[0] != 4 && w[2] != 4)
		return 0;
	if (m < 1 || m > 12 || d < 29 || d > 31)
		return 0;
	return pay_ymd(y, m, d, out) == 1;
}

/* The date field f of r into *out: 0; 1 when a day beyond the month's
 * end was clamped (told); -1 with msg set. */
static int
row_date(struct bc *b, const struct csvin_record *r, const char *s,
    const char *name, int32_t *out, struct sbuf *msg)
{
	struct diag d;
	char buf[DATE_BUFSZ];

	diag_clear(&d);
	if (date_parse(s, b->order, out, &d) == 0)
		return 0;
	if (clamp_date(s, b->order, out)) {
		pay_warnf(b->k, r->line, "field \"%s\": \"%s\" is no day of "
		    "its month: taken as %s, the month's last", name, s,
		    date_format(*out, buf));
		return 1;
	}
	sbuf_addf(msg, "field \"%s\": %s", name, d.msg);
	return -1;
}

/* One data row of currency ccy into e; 0, or -1 with msg set. */
static int
row_entry(struct bc *b, const struct csvin_record *r, const char *ccy,
    struct pay_entry *e, struct sbuf *msg)
{
	int64_t v = 0, fee;
	int got, minus = 0, dir;
	const char *s;
	struct diag d;

	pay_entry_reset(e);
	e->line = r->line;
	memcpy(e->currency, ccy, 4);
	s = fld(b, r, B_DATE, NULL);
	diag_clear(&d);
	if (blank(s)) {
		sbuf_adds(msg, "field \"booking_date\": empty");
		return -1;
	}
	if (row_date(b, r, s, "booking_date", &e->booking_date, msg) < 0)
		return -1;
	s = fld(b, r, B_VALUE_DATE, NULL);
	if (!blank(s) && row_date(b, r, s, "value_date", &e->value_date,
	    msg) < 0)
		return -1;
	if ((got = money_field(b, r, B_AMOUNT, ccy, &v, &minus, msg)) < 0)
		return -1;
	if (got == 0 && (got = money_field(b, r, B_NET, ccy, &v, &minus,
	    msg)) < 0)
		return -1;
	if (got > 0 && b->col[B_DC] >= 0) {
		/* The indicator says the direction, the number its size. */
		s = fld(b, r, B_DC, NULL);
		if ((dir = direction(s)) == 0) {
			sbuf_addf(msg, "field \"debit_credit\": \"%s\" is not "
			    "D or C (debit or credit)", s);
			return -1;
		}
		if (v != 0 && (v < 0) != (dir < 0)) {
			char a[MONEY_BUFSZ];

			pay_warnf(b->k, r->line, "field \"amount\": %s marked "
			    "%s: taken as a %s of %s", fld(b, r, B_AMOUNT,
			    NULL), s, dir < 0 ? "debit" : "credit",
			    money_format(v < 0 ? -v : v,
			    money_minor_digits(ccy), a));
		}
		v = (v < 0 ? -v : v) * dir;
	} else if (got == 0) {
		int64_t dv = 0, cv = 0;
		int dg, cg, dm = 0, cm = 0;

		if ((dg = money_field(b, r, B_DEBIT, ccy, &dv, &dm, msg)) < 0 ||
		    (cg = money_field(b, r, B_CREDIT, ccy, &cv, &cm, msg)) < 0)
			return -1;
		if (dg > 0 && dv == 0)
			dg = 0;
		if (cg > 0 && cv == 0)
			cg = 0;
		if (dg > 0 && cg > 0) {
			sbuf_addf(msg, "field \"debit\": both a debit and a "
			    "credit on one row");
			return -1;
		}
		if (dg == 0 && cg == 0 && b->col[B_DEBIT] < 0 &&
		    b->col[B_CREDIT] < 0) {
			sbuf_addf(msg, "field \"amount\": empty");
			return -1;
		}
		if (cg > 0 && cm) {
			char a[MONEY_BUFSZ];

			pay_warnf(b->k, r->line, "field \"credit\": \"%s\" has a "
			    "minus sign in the credit column: taken as a "
			    "credit of %s", fld(b, r, B_CREDIT, NULL),
			    money_format(-cv, money_minor_digits(ccy), a));
		}
		v = dg > 0 ? -(dv < 0 ? -dv : dv) : (cv < 0 ? -cv : cv);
	}
	e->amount = v;
	if ((got = money_field(b, r, B_FEE, ccy, &fee, NULL, msg)) < 0)
		return -1;
	if (got > 0) {
		e->charges = fee < 0 ? -fee : fee;
	} else if (b->col[B_AMOUNT] < 0) {
		int64_t gross;

		if ((got = money_field(b, r, B_GROSS, ccy, &gross, NULL,
		    msg)) < 0)
			return -1;
		if (got > 0 && gross != v)
			e->charges = gross > v ? gross - v : v - gross;
	}
	copy_field(b, r, B_PAYER_NAME, &e->payer_name);
	copy_field(b, r, B_PAYER_ACCOUNT, &e->payer_account);
	if (e->payer_account.len == 0)
		copy_field(b, r, B_EMAIL, &e->payer_account);
	copy_field(b, r, B_REFERENCE, &e->remittance);
	copy_field(b, r, B_INVOICE, &e->reference);
	if (e->reference.len == 0) {
		sbuf_add(&e->reference, e->remittance.buf ? e->remittance.buf :
		    "", e->remittance.len);
	} else if (e->remittance.len == 0) {
		sbuf_add(&e->remittance, e->reference.buf, e->reference.len);
	}
	copy_field(b, r, B_DETAIL, &b->t);
	if (b->t.len > 0) {
		if (e->remittance.len > 0)
			sbuf_addc(&e->remittance, ' ');
		sbuf_add(&e->remittance, b->t.buf, b->t.len);
	}
	{
		struct sbuf norm = { 0 };
		int rf = pay_rf_check(sbuf_str(&e->reference), &norm);

		if (rf == 1) {
			sbuf_reset(&e->reference);
			sbuf_add(&e->reference, norm.buf, norm.len);
		} else if (rf < 0) {
			pay_warnf(b->k, r->line, "field \"reference\": "
			    "creditor reference \"%s\" fails its ISO 11649 "
			    "check: kept as unstructured text",
			    e->reference.buf);
		}
		sbuf_free(&norm);
	}
	copy_field(b, r, B_E2E, &e->end_to_end_id);
	copy_field(b, r, B_BANK_REF, &e->bank_ref);
	copy_field(b, r, B_RELATED, &e->related_ref);
	e->linked = e->related_ref.len > 0;
	e->raw = r->raw;
	e->rawlen = r->rawlen;
	return 0;
}

/* Running balances of one currency. */
struct run_bal {
	int have, first_set;
	int64_t first_bal, first_amt, prev_bal, prev_amt, last_bal, last_amt;
	long fwd_bad, back_bad;
	long bad_line;
	int64_t bad_want, bad_got;
};

static void
track_balance(struct run_bal *rb, int64_t bal, int64_t amt, long line)
{
	if (rb->have) {
		int64_t want;

		if (money_add(rb->prev_bal, amt, &want) != 0 || want != bal) {
			if (rb->fwd_bad++ == 0) {
				rb->bad_line = line;
				rb->bad_want = want;
				rb->bad_got = bal;
			}
		}
		if (money_add(bal, rb->prev_amt, &want) != 0 ||
		    want != rb->prev_bal)
			rb->back_bad++;
	} else {
		rb->first_bal = bal;
		rb->first_amt = amt;
	}
	rb->have = 1;
	rb->prev_bal = rb->last_bal = bal;
	rb->prev_amt = rb->last_amt = amt;
}

/* Pass 2 for one currency. */
static int
statement(struct bc *b, const char *buf, size_t n, size_t ci,
    const char *file_id)
{
	FILE *fp = fmemopen((void *)(uintptr_t)buf, n, "r");
	struct csvin_opts co = { 0, NULL, 0, NULL, NULL };
	struct csvin *in;
	struct csvin_record *r;
	struct pay_statement st;
	struct pay_entry e;
	struct sbuf msg = { 0 };
	struct run_bal rb;
	const char *ccy = b->ccys[ci];
	int got, rc = 0, opened = 0, past_header = 0;
	int sum_open = 0, sum_close = 0;
	int64_t sopen = 0, sclose = 0;

	if (fp == NULL) {
		diag_set(b->d, "cannot read the file from memory");
		return PAY_ESTATE;
	}
	memset(&st, 0, sizeof st);
	memset(&e, 0, sizeof e);
	memset(&rb, 0, sizeof rb);
	pay_statement_reset(&st);
	st.format = "csv";
	sbuf_adds(&st.account, sbuf_str(&b->account));
	sbuf_addf(&st.stmt_ref, "csv:%.16s:%s", file_id, ccy);
	memcpy(st.currency, ccy, 4);
	st.line = b->header_line;
	in = csvin_open(fp, "csv", &co, b->d);
	if (in == NULL) {
		fclose(fp);
		return PAY_EDATA;
	}
	rc = b->k->statement(b->k->ctx, &st, b->d);
	opened = rc == 0;
	while (rc == 0 && (got = csvin_next(in, &r, b->d)) != 0) {
		const char *rc_ccy;
		int sk;

		if (got < 0) {
			if (r == NULL) {
				rc = PAY_EDATA;
				break;
			}
			if (past_header && ci == 0)
				rc = b->k->reject(b->k->ctx, b->d->line,
				    b->d->msg, r->raw, r->rawlen, b->d);
			continue;
		}
		sk = summary_kind(r->nfields ? r->fields[0] : "");
		if (!past_header && sk == 0) {
			past_header = r->line >= b->header_line;
			continue;
		}
		if (sk != 0) {
			/* The balance is the row's last amount. */
			for (size_t i = r->nfields; i-- > 1;) {
				int64_t v;

				if (blank(r->fields[i]))
					continue;
				if (money_parse(r->fields[i], r->lens[i],
				    money_minor_digits(ccy), b->dec, &v, NULL,
				    NULL) == 0 && v >= -PAY_MAX_BALANCE &&
				    v <= PAY_MAX_BALANCE) {
					if (sk == 1) {
						sum_open = 1;
						sopen = v;
					} else {
						sum_close = 1;
						sclose = v;
					}
				}
				break;
			}
			continue;
		}
		if (!looks_like_data(b, r))
			continue;
		rc_ccy = row_currency(b, r);
		if (!money_is_iso4217(rc_ccy)) {
			if (ci == 0)
				rc = pay_rejectf(b->k, r->line, r->raw,
				    r->rawlen, b->d, "field \"currency\": \"%s\" "
				    "is not an ISO 4217 code", rc_ccy);
			continue;
		}
		if (strcmp(rc_ccy, ccy) != 0)
			continue;
		sbuf_reset(&msg);
		if (row_entry(b, r, ccy, &e, &msg) != 0) {
			rc = b->k->reject(b->k->ctx, r->line, sbuf_str(&msg),
			    r->raw, r->rawlen, b->d);
			continue;
		}
		{
			int64_t bal;
			struct sbuf m2 = { 0 };

			if (money_field(b, r, B_BALANCE, ccy, &bal, NULL,
			    &m2) > 0)
				track_balance(&rb, bal, e.amount, r->line);
			sbuf_free(&m2);
		}
		rc = b->k->entry(b->k->ctx, &e, b->d);
	}
	if (rc == 0 && opened) {
		int digits = money_minor_digits(ccy);

		if (sum_open || sum_close) {
			st.has_opening = sum_open;
			st.opening = sopen;
			st.has_closing = sum_close;
			st.closing = sclose;
		} else if (rb.have && (rb.fwd_bad == 0 || rb.back_bad > 0)) {
			/* In file order (or broken either way: told). */
			st.has_opening = st.has_closing = 1;
			st.opening = rb.first_bal - rb.first_amt;
			st.closing = rb.last_bal;
			if (rb.fwd_bad > 0) {
				char a[MONEY_BUFSZ], c[MONEY_BUFSZ];

				pay_warnf(b->k, rb.bad_line, "field "
				    "\"balance\": %s, where the previous row's "
				    "balance and this row's amount make %s",
				    money_format(rb.bad_got, digits, a),
				    money_format(rb.bad_want, digits, c));
			}
		} else if (rb.have) {
			/* Newest first. */
			st.has_opening = st.has_closing = 1;
			st.opening = rb.last_bal - rb.last_amt;
			st.closing = rb.first_bal;
		}
		memcpy(st.opening_ccy, ccy, 4);
		memcpy(st.closing_ccy, ccy, 4);
		rc = b->k->statement_end(b->k->ctx, &st, b->d);
	}
	csvin_close(in);
	fclose(fp);
	pay_statement_free(&st);
	pay_entry_free(&e);
	sbuf_free(&msg);
	return rc;
}

int
bankcsv_read(const char *buf, size_t n, const struct bankcsv_opts *o,
    const char *file_id, const struct pay_sink *k, struct diag *d)
{
	struct bc b;
	int rc;

	memset(&b, 0, sizeof b);
	b.o = o;
	b.k = k;
	b.d = d;
	b.order = o->date_order;
	b.dec = o->decimal < 0 ? MONEY_POINT : (enum money_decimal)o->decimal;
	if (o->account != NULL)
		sbuf_adds(&b.account, o->account);
	rc = survey(&b, buf, n);
	for (size_t i = 0; rc == 0 && i < b.nccy; i++)
		rc = statement(&b, buf, n, i, file_id);
	sbuf_free(&b.account);
	sbuf_free(&b.t);
	sbuf_free(&b.t2);
	return rc;
}

/* ---- config -------------------------------------------------------------- */

static const char *const bank_keys[] = { "columns", "decimal", "date_format",
	"account", "currency", "encoding", NULL };

static int
bad(struct diag *d, const struct cfg_node *n, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int
bad(struct diag *d, const struct cfg_node *n, const char *fmt, ...)
{
	va_list ap;
	char buf[900];

	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	diag_set(d, "%s", buf);
	d->line = n ? n->line : 0;
	return -1;
}

int
bankcsv_config(const struct cfg_node *root, struct bankcsv_opts *o,
    const char **encoding, struct diag *d)
{
	const struct cfg_node *bank = cfg_get(root, "bank"), *cols, *n;
	const char *s;
	int r;

	if (cfg_is_null(bank))
		return 0;
	if (bank->kind != CFG_MAP)
		return bad(d, bank, "bank: expected a map (columns, decimal, "
		    "date_format, account, currency, encoding)");
	if (cfg_check_keys(bank, bank_keys, "bank", d) != 0)
		return -1;
	if ((r = cfg_get_str(bank, "bank", "decimal", &s, d)) < 0)
		return -1;
	if (r == 1) {
		n = cfg_get(bank, "decimal");
		if (util_strcaseeq(s, "point"))
			o->decimal = MONEY_POINT;
		else if (util_strcaseeq(s, "comma"))
			o->decimal = MONEY_COMMA;
		else if (util_strcaseeq(s, "auto"))
			o->decimal = -1;
		else
			return bad(d, n, "bank.decimal: \"%s\" is not point, "
			    "comma or auto", s);
	}
	if ((r = cfg_get_str(bank, "bank", "date_format", &s, d)) < 0)
		return -1;
	if (r == 1 && date_order_from_name(s, &o->date_order) != 0)
		return bad(d, cfg_get(bank, "date_format"), "bank.date_format: "
		    "\"%s\" is not one of auto, iso, dmy, mdy, ymd", s);
	if ((r = cfg_get_str(bank, "bank", "account", &s, d)) < 0)
		return -1;
	if (r == 1)
		o->account = s;
	if ((r = cfg_get_str(bank, "bank", "currency", &s, d)) < 0)
		return -1;
	if (r == 1) {
		if (!money_is_iso4217(s))
			return bad(d, cfg_get(bank, "currency"), "bank.currency: "
			    "\"%s\" is not an ISO 4217 code such as EUR", s);
		memcpy(o->currency, s, 4);
	}
	if ((r = cfg_get_str(bank, "bank", "encoding", &s, d)) < 0)
		return -1;
	if (r == 1)
		*encoding = s;
	cols = cfg_get(bank, "columns");
	if (!cfg_is_null(cols)) {
		const char **fields, **headers;
		long *lines;

		if (cols->kind != CFG_MAP)
			return bad(d, cols, "bank.columns: expected a map of "
			    "field: \"Header text\"");
		fields = xcalloc(cols->n, sizeof *fields);
		headers = xcalloc(cols->n, sizeof *headers);
		lines = xcalloc(cols->n, sizeof *lines);
		o->map_field = fields;
		o->map_header = headers;
		o->map_line = lines;
		for (size_t i = 0; i < cols->n; i++) {
			const struct cfg_node *v = cols->items[i];

			if (!bankcsv_field_known(cols->keys[i])) {
				d->line = cols->key_lines[i];
				diag_set(d, "bank.columns: unknown field \"%s\" "
				    "(known: booking_date, value_date, amount, "
				    "debit, credit, debit_credit, currency, "
				    "balance, payer_name, payer_account, "
				    "reference, invoice, end_to_end_id, "
				    "bank_ref, fee, ...: see ingest-payments(1))",
				    cols->keys[i]);
				return -1;
			}
			if (v->kind != CFG_SCALAR || v->value == NULL ||
			    *v->value == '\0')
				return bad(d, v, "bank.columns.%s: the export's "
				    "header text is needed", cols->keys[i]);
			fields[i] = cols->keys[i];
			headers[i] = v->value;
			lines[i] = cols->key_lines[i];
			o->nmap++;
		}
	}
	return 0;
}

void
bankcsv_config_free(struct bankcsv_opts *o)
{
	free((void *)(uintptr_t)o->map_field);
	free((void *)(uintptr_t)o->map_header);
	free((void *)(uintptr_t)o->map_line);
	o->map_field = o->map_header = NULL;
	o->map_line = NULL;
	o->nmap = 0;
}

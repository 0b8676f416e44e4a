/*
 * itemmap: canonical item fields, header aliases and the item stream.
 *
 * An alias is compared after util_norm_key (lower case, letters and digits
 * only), so "Invoice No.", "invoice_no" and "*InvoiceNo" are one alias.
 * Aliases are tried in table order and the first column that matches a
 * field wins; a column is given to one field only.  The weak aliases
 * (a generic "Account", "Account Code") are tried last, and only in a
 * header with no customer, contact, debtor or client column: beside one
 * of those, an account is the sales (GL) account, as Xero's *AccountCode
 * is.
 */
#include <stdlib.h>
#include <string.h>

#include "itemmap.h"
#include "util.h"

static const char *const field_names[F_COUNT] = {
	[F_DEBTOR_ID] = "debtor_id",
	[F_DEBTOR_NAME] = "debtor_name",
	[F_DEBTOR_TYPE] = "debtor_type",
	[F_DOC_ID] = "doc_id",
	[F_DOC_TYPE] = "doc_type",
	[F_ISSUE_DATE] = "issue_date",
	[F_DUE_DATE] = "due_date",
	[F_TERMS] = "terms",
	[F_CURRENCY] = "currency",
	[F_AMOUNT] = "amount",
	[F_OPEN_AMOUNT] = "open_amount",
	[F_PAID_AMOUNT] = "paid_amount",
	[F_SETTLED_DATE] = "settled_date",
	[F_DISPUTED] = "disputed",
	[F_EMAIL] = "email",
	[F_PHONE] = "phone",
	[F_ADDRESS] = "address",
	[F_LANGUAGE] = "language",
	[F_COUNTRY] = "country",
	[F_TIME_ZONE] = "time_zone",
	[F_SEGMENT] = "segment",
	[F_CHASE_PATH] = "chase_path",
	[F_ADDRESS_LINE2] = "address_line2",
	[F_CITY] = "city",
	[F_REGION] = "region",
	[F_POSTCODE] = "postcode",
};

/*
 * Header aliases, normalised.  Sources: the IBM Watson accounts-receivable
 * sample (customerID, invoiceNumber, InvoiceDate, DueDate, InvoiceAmount,
 * Disputed, SettledDate), QuickBooks A/R Aging Detail (Num, Customer full
 * name, Due date, Amount, Open balance, Transaction type), Xero's invoice
 * export (*ContactName, *InvoiceNumber, *InvoiceDate, *DueDate, Total,
 * InvoiceAmountPaid, InvoiceAmountDue, Currency, Type), ERPNext (Posting
 * Date, Customer, Voucher Type, Voucher No, Invoiced Amount, Paid Amount,
 * Outstanding Amount), Sage (Account Ref, Name, Ref, Details) and the
 * generated ledger of BENCH.md (invoice_id, amount_paid), and the
 * plainest German, French and Dutch headers.
 */
static const struct {
	enum item_field field;
	const char *alias;
} aliases[] = {
	{ F_DOC_ID, "docid" },
	{ F_DOC_ID, "invoicenumber" },
	{ F_DOC_ID, "invoiceid" },
	{ F_DOC_ID, "invoiceno" },
	{ F_DOC_ID, "invoicenum" },
	{ F_DOC_ID, "invoice" },
	{ F_DOC_ID, "documentnumber" },
	{ F_DOC_ID, "documentno" },
	{ F_DOC_ID, "documentid" },
	{ F_DOC_ID, "voucherno" },
	{ F_DOC_ID, "transactionnumber" },
	{ F_DOC_ID, "number" },
	{ F_DOC_ID, "num" },
	{ F_DOC_ID, "no" },
	{ F_DOC_ID, "invref" },		/* Sage's field export: INV_REF */
	{ F_DOC_ID, "ref" },

	{ F_DEBTOR_ID, "debtorid" },
	{ F_DEBTOR_ID, "customerid" },
	{ F_DEBTOR_ID, "customercode" },
	{ F_DEBTOR_ID, "customerno" },
	{ F_DEBTOR_ID, "customernumber" },
	{ F_DEBTOR_ID, "customerref" },
	{ F_DEBTOR_ID, "accountref" },
	{ F_DEBTOR_ID, "ac" },		/* Sage's A/C */
	{ F_DEBTOR_ID, "contactid" },
	{ F_DEBTOR_ID, "debtor" },
	{ F_DEBTOR_ID, "customer" },

	{ F_DEBTOR_NAME, "debtorname" },
	{ F_DEBTOR_NAME, "customername" },
	{ F_DEBTOR_NAME, "customerfullname" },
	{ F_DEBTOR_NAME, "contactname" },
	{ F_DEBTOR_NAME, "accountname" },
	{ F_DEBTOR_NAME, "companyname" },
	{ F_DEBTOR_NAME, "company" },
	{ F_DEBTOR_NAME, "name" },

	{ F_DEBTOR_TYPE, "debtortype" },
	{ F_DEBTOR_TYPE, "customertype" },

	{ F_DOC_TYPE, "doctype" },
	{ F_DOC_TYPE, "documenttype" },
	{ F_DOC_TYPE, "transactiontype" },
	{ F_DOC_TYPE, "vouchertype" },
	{ F_DOC_TYPE, "type" },

	{ F_ISSUE_DATE, "issuedate" },
	{ F_ISSUE_DATE, "invoicedate" },
	{ F_ISSUE_DATE, "documentdate" },
	{ F_ISSUE_DATE, "postingdate" },
	{ F_ISSUE_DATE, "transactiondate" },
	{ F_ISSUE_DATE, "txndate" },
	{ F_ISSUE_DATE, "date" },

	{ F_DUE_DATE, "duedate" },
	{ F_DUE_DATE, "paymentduedate" },
	{ F_DUE_DATE, "due" },

	{ F_TERMS, "terms" },
	{ F_TERMS, "paymentterms" },

	{ F_CURRENCY, "currency" },
	{ F_CURRENCY, "currencycode" },
	{ F_CURRENCY, "ccy" },

	{ F_AMOUNT, "amount" },
	{ F_AMOUNT, "invoiceamount" },
	{ F_AMOUNT, "invoicedamount" },
	{ F_AMOUNT, "invoicetotal" },
	{ F_AMOUNT, "totalamount" },
	{ F_AMOUNT, "grossamount" },
	{ F_AMOUNT, "total" },

	{ F_OPEN_AMOUNT, "openamount" },
	{ F_OPEN_AMOUNT, "openbalance" },
	{ F_OPEN_AMOUNT, "outstandingamount" },
	{ F_OPEN_AMOUNT, "outstanding" },
	{ F_OPEN_AMOUNT, "invoiceamountdue" },
	{ F_OPEN_AMOUNT, "amountdue" },
	{ F_OPEN_AMOUNT, "balancedue" },
	{ F_OPEN_AMOUNT, "balance" },

	{ F_PAID_AMOUNT, "paidamount" },
	{ F_PAID_AMOUNT, "amountpaid" },
	{ F_PAID_AMOUNT, "invoiceamountpaid" },
	{ F_PAID_AMOUNT, "paid" },

	{ F_SETTLED_DATE, "settleddate" },
	{ F_SETTLED_DATE, "paiddate" },
	{ F_SETTLED_DATE, "datepaid" },
	{ F_SETTLED_DATE, "fullypaiddate" },

	{ F_DISPUTED, "disputed" },
	{ F_DISPUTED, "indispute" },
	{ F_DISPUTED, "inquery" },
	{ F_DISPUTED, "dispute" },

	{ F_EMAIL, "email" },
	{ F_EMAIL, "emailaddress" },
	{ F_EMAIL, "contactemail" },
	{ F_PHONE, "phone" },
	{ F_PHONE, "telephone" },
	{ F_PHONE, "phonenumber" },
	{ F_ADDRESS, "address" },
	{ F_ADDRESS, "billingaddress" },
	{ F_ADDRESS, "poaddressline1" },	/* Xero */
	{ F_ADDRESS, "addressline1" },
	{ F_ADDRESS_LINE2, "poaddressline2" },
	{ F_ADDRESS_LINE2, "addressline2" },
	{ F_CITY, "pocity" },
	{ F_CITY, "city" },
	{ F_CITY, "town" },
	{ F_REGION, "poregion" },
	{ F_REGION, "county" },
	{ F_POSTCODE, "popostalcode" },
	{ F_POSTCODE, "postalcode" },
	{ F_POSTCODE, "postcode" },
	{ F_POSTCODE, "zipcode" },
	{ F_LANGUAGE, "language" },
	{ F_COUNTRY, "country" },
	/* What build-chasepath reads of a debtor. */
	{ F_TIME_ZONE, "timezone" },
	{ F_TIME_ZONE, "tz" },
	{ F_SEGMENT, "segment" },
	{ F_SEGMENT, "customersegment" },
	{ F_CHASE_PATH, "chasepath" },

	/* German, French and Dutch exports. */
	{ F_DOC_ID, "rechnungsnummer" },
	{ F_DOC_ID, "rechnungsnr" },
	{ F_DOC_ID, "belegnummer" },
	{ F_DOC_ID, "belegnr" },
	{ F_DOC_ID, "numerofacture" },
	{ F_DOC_ID, "nfacture" },
	{ F_DOC_ID, "facture" },
	{ F_DOC_ID, "factuurnummer" },
	{ F_DEBTOR_ID, "kundennummer" },
	{ F_DEBTOR_ID, "kundennr" },
	{ F_DEBTOR_ID, "debitor" },
	{ F_DEBTOR_ID, "kunde" },
	{ F_DEBTOR_ID, "codeclient" },
	{ F_DEBTOR_ID, "client" },
	{ F_DEBTOR_ID, "klantnummer" },
	{ F_DEBTOR_ID, "klant" },
	{ F_DEBTOR_NAME, "kundenname" },
	{ F_DEBTOR_NAME, "nomclient" },
	{ F_DEBTOR_NAME, "raisonsociale" },
	{ F_DEBTOR_NAME, "klantnaam" },
	{ F_DEBTOR_NAME, "naam" },
	{ F_DEBTOR_NAME, "nom" },
	{ F_ISSUE_DATE, "rechnungsdatum" },
	{ F_ISSUE_DATE, "belegdatum" },
	{ F_ISSUE_DATE, "datum" },
	{ F_ISSUE_DATE, "datefacture" },
	{ F_ISSUE_DATE, "factuurdatum" },
	{ F_DUE_DATE, "f\xc3\xa4" "lligkeitsdatum" },
	{ F_DUE_DATE, "f\xc3\xa4" "lligkeit" },
	{ F_DUE_DATE, "f\xc3\xa4" "llig" },
	{ F_DUE_DATE, "faelligkeit" },
	{ F_DUE_DATE, "\xc3\xa9" "ch\xc3\xa9" "ance" },
	{ F_DUE_DATE, "echeance" },
	{ F_DUE_DATE, "dateech\xc3\xa9" "ance" },
	{ F_DUE_DATE, "vervaldatum" },
	{ F_AMOUNT, "rechnungsbetrag" },
	{ F_AMOUNT, "bruttobetrag" },
	{ F_AMOUNT, "betrag" },
	{ F_AMOUNT, "montantttc" },
	{ F_AMOUNT, "montant" },
	{ F_AMOUNT, "bedrag" },
	{ F_OPEN_AMOUNT, "offenerbetrag" },
	{ F_OPEN_AMOUNT, "restbetrag" },
	{ F_OPEN_AMOUNT, "offen" },
	{ F_OPEN_AMOUNT, "resteapayer" },
	{ F_OPEN_AMOUNT, "solde" },
	{ F_OPEN_AMOUNT, "openstaand" },
	{ F_CURRENCY, "w\xc3\xa4" "hrung" },
	{ F_CURRENCY, "devise" },
	{ F_CURRENCY, "valuta" },
};

/* Tried last, and only when no column names a customer (see above). */
static const char *const weak_debtor_aliases[] = {
	"accountcode", "accountno", "accountnumber", "account",
};

/* names_a_debtor: a normalised header that says whose the row is. */
static int
names_a_debtor(const char *norm)
{
	static const char *const prefixes[] = { "customer", "contact",
	    "debtor", "client", "kunde", "klant" };

	for (size_t i = 0; i < sizeof prefixes / sizeof prefixes[0]; i++)
		if (strncmp(norm, prefixes[i], strlen(prefixes[i])) == 0)
			return 1;
	return 0;
}

const char *const itemmap_stream_columns[] = {
	"debtor_id", "debtor_name", "debtor_type", "doc_id", "doc_type",
	"issue_date", "due_date", "currency", "amount", "open_amount",
	"settled_date", "in_query", "status",
};
const size_t itemmap_stream_ncolumns =
    sizeof itemmap_stream_columns / sizeof itemmap_stream_columns[0];

const char *
itemmap_field_name(enum item_field f)
{
	return (unsigned)f < F_COUNT ? field_names[f] : "?";
}

int
itemmap_field_from_name(const char *name)
{
	for (int f = 0; f < F_COUNT; f++)
		if (strcmp(field_names[f], name) == 0)
			return f;
	return -1;
}

void
itemmap_snake(const char *header, size_t index, struct sbuf *out)
{
	const unsigned char *p = (const unsigned char *)header;
	int sep = 0;

	sbuf_reset(out);
	for (size_t i = 0; p[i]; i++) {
		int c = p[i];
		int upper = c >= 'A' && c <= 'Z';
		int lower = (c >= 'a' && c <= 'z') || c >= 0x80;
		int digit = c >= '0' && c <= '9';

		if (!upper && !lower && !digit) {
			sep = 1;
			continue;
		}
		/* CamelCase words split: customerID, POAddressLine1. */
		if (upper && i > 0) {
			int prev = p[i - 1], next = p[i + 1];

			if ((prev >= 'a' && prev <= 'z') ||
			    (prev >= '0' && prev <= '9') ||
			    (prev >= 'A' && prev <= 'Z' && next >= 'a' &&
			    next <= 'z'))
				sep = 1;
		}
		if (sep && out->len > 0)
			sbuf_addc(out, '_');
		sep = 0;
		sbuf_addc(out, (char)(upper ? c - 'A' + 'a' : c));
	}
	if (out->len == 0)
		sbuf_addf(out, "column_%zu", index + 1);
}

/* name_taken: whether a passed-through column called name would repeat a
 * stream column or an earlier passed-through one. */
static int
name_taken(const struct itemmap *m, const char *name)
{
	for (size_t i = 0; i < itemmap_stream_ncolumns; i++)
		if (strcmp(itemmap_stream_columns[i], name) == 0)
			return 1;
	for (size_t i = 0; i < m->nextra; i++)
		if (strcmp(m->extra_names[i], name) == 0)
			return 1;
	return 0;
}

/*
 * unique_name: a passed-through column's name made unique, so the stream
 * header never names a column twice (a reader refuses that): "Status"
 * beside the stream's own status becomes x_status, a second "Amount"
 * x_amount, a third x_amount_2.
 */
static void
unique_name(const struct itemmap *m, struct sbuf *name)
{
	struct sbuf base = { 0 };

	if (!name_taken(m, sbuf_str(name)))
		return;
	sbuf_addf(&base, "x_%s", sbuf_str(name));
	sbuf_reset(name);
	sbuf_adds(name, sbuf_str(&base));
	for (int n = 2; name_taken(m, sbuf_str(name)); n++) {
		sbuf_reset(name);
		sbuf_addf(name, "%s_%d", sbuf_str(&base), n);
	}
	sbuf_free(&base);
}

void
itemmap_free(struct itemmap *m)
{
	for (size_t i = 0; i < m->nextra; i++)
		free(m->extra_names[i]);
	free(m->extra);
	free(m->extra_names);
	m->extra = NULL;
	m->extra_names = NULL;
	m->nextra = 0;
}

int
itemmap_missing_override(char *const *fields, size_t nfields,
    const char *const *override_header, size_t noverride)
{
	struct sbuf want = { 0 }, key = { 0 };
	int missing = -1;

	for (size_t k = 0; k < noverride && missing < 0; k++) {
		size_t i;

		util_norm_key(override_header[k], &want);
		for (i = 0; i < nfields; i++) {
			util_norm_key(fields[i], &key);
			if (strcmp(sbuf_str(&key), sbuf_str(&want)) == 0)
				break;
		}
		if (i == nfields)
			missing = (int)k;
	}
	sbuf_free(&want);
	sbuf_free(&key);
	return missing;
}

int
itemmap_header(struct itemmap *m, char *const *fields, size_t nfields,
    const char *const *override_field, const char *const *override_header,
    const long *override_line, size_t noverride, struct diag *d)
{
	struct sbuf key = { 0 }, want = { 0 }, name = { 0 };
	char **norm;
	unsigned char *taken;
	int nmapped = 0, rc = -1;

	memset(m->col, -1, sizeof m->col);
	m->ncols = nfields;
	m->extra = NULL;
	m->extra_names = NULL;
	m->nextra = 0;
	norm = xcalloc(nfields, sizeof *norm);
	taken = xcalloc(nfields, 1);
	for (size_t i = 0; i < nfields; i++) {
		util_norm_key(fields[i], &key);
		norm[i] = xstrdup(sbuf_str(&key));
	}

	/* The client's own mapping first: it is never second-guessed. */
	for (size_t k = 0; k < noverride; k++) {
		int f = itemmap_field_from_name(override_field[k]);
		size_t i;

		if (f < 0) {
			d->line = override_line ? override_line[k] : 0;
			diag_set(d, "input.columns: unknown field \"%s\"",
			    override_field[k]);
			goto out;
		}
		util_norm_key(override_header[k], &want);
		for (i = 0; i < nfields; i++)
			if (!taken[i] && strcmp(norm[i], sbuf_str(&want)) == 0)
				break;
		if (i == nfields) {
			/* Not this record: perhaps a title row. */
			rc = 0;
			goto out;
		}
		m->col[f] = (int)i;
		taken[i] = 1;
		nmapped++;
	}
	for (size_t a = 0; a < sizeof aliases / sizeof aliases[0]; a++) {
		enum item_field f = aliases[a].field;

		if (m->col[f] >= 0)
			continue;
		for (size_t i = 0; i < nfields; i++) {
			if (taken[i] || strcmp(norm[i], aliases[a].alias) != 0)
				continue;
			m->col[f] = (int)i;
			taken[i] = 1;
			nmapped++;
			break;
		}
	}
	if (m->col[F_DEBTOR_ID] < 0) {
		int debtor_named = 0;

		for (size_t i = 0; i < nfields; i++)
			debtor_named |= names_a_debtor(norm[i]);
		for (size_t a = 0; !debtor_named && m->col[F_DEBTOR_ID] < 0 &&
		    a < sizeof weak_debtor_aliases /
		    sizeof weak_debtor_aliases[0]; a++)
			for (size_t i = 0; i < nfields; i++) {
				if (taken[i] || strcmp(norm[i],
				    weak_debtor_aliases[a]) != 0)
					continue;
				m->col[F_DEBTOR_ID] = (int)i;
				taken[i] = 1;
				nmapped++;
				break;
			}
	}
	if (nmapped < 3 || m->col[F_DOC_ID] < 0 ||
	    (m->col[F_AMOUNT] < 0 && m->col[F_OPEN_AMOUNT] < 0)) {
		memset(m->col, -1, sizeof m->col);
		rc = 0;
		goto out;
	}
	for (size_t i = 0; i < nfields; i++) {
		if (taken[i])
			continue;
		m->extra = xreallocarray(m->extra, m->nextra + 1,
		    sizeof *m->extra);
		m->extra_names = xreallocarray(m->extra_names, m->nextra + 1,
		    sizeof *m->extra_names);
		itemmap_snake(fields[i], i, &name);
		unique_name(m, &name);
		m->extra[m->nextra] = (int)i;
		m->extra_names[m->nextra] = xstrdup(sbuf_str(&name));
		m->nextra++;
	}
	rc = nmapped;
out:
	for (size_t i = 0; i < nfields; i++)
		free(norm[i]);
	free(norm);
	free(taken);
	sbuf_free(&key);
	sbuf_free(&want);
	sbuf_free(&name);
	return rc;
}

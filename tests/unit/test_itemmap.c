/* Unit tests of lib/itemmap (header aliases, title rows, snake_case) and
 * of ingest's payment terms. */
#include <string.h>

#include "date.h"
#include "ingest.h"
#include "itemmap.h"
#include "t.h"

#define N(a) (sizeof (a) / sizeof (a)[0])

/* The tests' headers are string literals; itemmap only reads them. */
#define FIELDS(a) ((char *const *)(a))

static int
map(struct itemmap *m, const char **fields, size_t n)
{
	struct diag d;

	return itemmap_header(m, FIELDS(fields), n, NULL, NULL, NULL, 0, &d);
}

static void
test_ibm_header(void)
{
	const char *h[] = { "countryCode", "customerID", "PaperlessDate",
	    "invoiceNumber", "InvoiceDate", "DueDate", "InvoiceAmount",
	    "Disputed", "SettledDate", "PaperlessBill", "DaysToSettle",
	    "DaysLate" };
	struct itemmap m;

	CHECK(map(&m, h, N(h)) >= 7);
	CHECK_INT(m.col[F_DEBTOR_ID], 1);
	CHECK_INT(m.col[F_DOC_ID], 3);
	CHECK_INT(m.col[F_ISSUE_DATE], 4);
	CHECK_INT(m.col[F_DUE_DATE], 5);
	CHECK_INT(m.col[F_AMOUNT], 6);
	CHECK_INT(m.col[F_DISPUTED], 7);
	CHECK_INT(m.col[F_SETTLED_DATE], 8);
	CHECK_INT(m.col[F_COUNTRY], -1);	/* a number, not a country */
	CHECK_INT(m.nextra, 5);
	CHECK_STR(m.extra_names[0], "country_code");
	CHECK_STR(m.extra_names[1], "paperless_date");
	itemmap_free(&m);
}

static void
test_quickbooks_and_titles(void)
{
	const char *title[] = { "Northwind Supplies" };
	const char *asof[] = { "As of Feb 29, 2024" };
	const char *h[] = { "", "Date", "Transaction type", "Num",
	    "Customer full name", "Due date", "Amount", "Open balance" };
	struct itemmap m;

	CHECK_INT(map(&m, title, N(title)), 0);
	CHECK_INT(map(&m, asof, N(asof)), 0);
	CHECK(map(&m, h, N(h)) > 0);
	CHECK_INT(m.col[F_ISSUE_DATE], 1);
	CHECK_INT(m.col[F_DOC_TYPE], 2);
	CHECK_INT(m.col[F_DOC_ID], 3);
	CHECK_INT(m.col[F_DEBTOR_NAME], 4);
	CHECK_INT(m.col[F_DEBTOR_ID], -1);
	CHECK_INT(m.col[F_DUE_DATE], 5);
	CHECK_INT(m.col[F_AMOUNT], 6);
	CHECK_INT(m.col[F_OPEN_AMOUNT], 7);
	CHECK_STR(m.extra_names[0], "column_1");
	itemmap_free(&m);
}

static void
test_xero_and_bench(void)
{
	const char *x[] = { "*ContactName", "EmailAddress", "*InvoiceNumber",
	    "*InvoiceDate", "*DueDate", "Total", "InvoiceAmountPaid",
	    "InvoiceAmountDue", "Currency" };
	const char *b[] = { "invoice_id", "debtor_id", "debtor_name",
	    "invoice_date", "due_date", "currency", "amount", "amount_paid" };
	struct itemmap m;

	CHECK(map(&m, x, N(x)) > 0);
	CHECK_INT(m.col[F_DEBTOR_NAME], 0);
	CHECK_INT(m.col[F_EMAIL], 1);
	CHECK_INT(m.col[F_DOC_ID], 2);
	CHECK_INT(m.col[F_AMOUNT], 5);
	CHECK_INT(m.col[F_PAID_AMOUNT], 6);
	CHECK_INT(m.col[F_OPEN_AMOUNT], 7);
	CHECK_INT(m.col[F_CURRENCY], 8);
	itemmap_free(&m);
	CHECK(map(&m, b, N(b)) == 8);
	CHECK_INT(m.col[F_DOC_ID], 0);
	CHECK_INT(m.col[F_PAID_AMOUNT], 7);
	CHECK_INT(m.nextra, 0);
	itemmap_free(&m);
}

static void
test_override(void)
{
	const char *h[] = { "Our Ref", "Acct", "Gross", "Invoice Date" };
	const char *f[] = { "doc_id", "debtor_id", "amount" };
	const char *hh[] = { "our ref", "ACCT", "Gross" };
	const long l[] = { 3, 4, 5 };
	const char *bad[] = { "invoice" };
	struct itemmap m;
	struct diag d;

	CHECK(itemmap_header(&m, FIELDS(h), N(h), f, hh, l, 3, &d) == 4);
	CHECK_INT(m.col[F_DOC_ID], 0);
	CHECK_INT(m.col[F_DEBTOR_ID], 1);
	CHECK_INT(m.col[F_AMOUNT], 2);
	CHECK_INT(m.col[F_ISSUE_DATE], 3);
	itemmap_free(&m);
	CHECK_INT(itemmap_header(&m, FIELDS(h), N(h), bad, hh, l, 1, &d), -1);
	CHECK_INT(d.line, 3);
	CHECK(strstr(d.msg, "unknown field \"invoice\"") != NULL);
	/* A mapped header that is not in this record: not the header. */
	CHECK_INT(itemmap_header(&m, FIELDS(h + 1), N(h) - 1, f, hh, l, 3, &d), 0);
}

static void
test_not_a_header(void)
{
	const char *a[] = { "a", "b", "c" };
	const char *noamount[] = { "Invoice No", "Customer", "Date" };
	struct itemmap m;

	CHECK_INT(map(&m, a, N(a)), 0);
	CHECK_INT(map(&m, noamount, N(noamount)), 0);
}

static void
test_snake(void)
{
	static const struct {
		const char *in, *out;
	} cases[] = {
		{ "Open balance", "open_balance" },
		{ "POAddressLine1", "po_address_line1" },
		{ "customerID", "customer_id" },
		{ "*InvoiceNumber", "invoice_number" },
		{ "  ", "column_3" },
		{ "Descripci\xc3\xb3n", "descripci\xc3\xb3n" },
	};
	struct sbuf b = { 0 };

	for (size_t i = 0; i < N(cases); i++) {
		itemmap_snake(cases[i].in, 2, &b);
		CHECK_STR(sbuf_str(&b), cases[i].out);
	}
	sbuf_free(&b);
}

static void
test_terms(void)
{
	static const struct {
		const char *terms, *issue, *due;
	} cases[] = {
		{ "net 30", "2024-01-15", "2024-02-14" },
		{ "Net 30 days", "2024-01-15", "2024-02-14" },
		{ "30", "2024-02-01", "2024-03-02" },
		{ "14d", "2024-02-20", "2024-03-05" },
		{ "EOM 30", "2024-01-31", "2024-03-01" },
		{ "end of month + 30", "2024-01-05", "2024-03-01" },
		{ "eom", "2024-02-10", "2024-02-29" },
		{ "net 0", "2024-02-10", "2024-02-10" },
	};
	static const char *const bad[] = { "", "whenever", "net", "30 weeks",
	    "net 99999", "-5" };
	char buf[DATE_BUFSZ];

	for (size_t i = 0; i < N(cases); i++) {
		int32_t issue, due = 0;

		CHECK_INT(date_parse_iso(cases[i].issue, &issue), 0);
		CHECK_INT(ingest_terms_due(cases[i].terms, issue, &due), 0);
		CHECK_STR(date_format(due, buf), cases[i].due);
	}
	for (size_t i = 0; i < N(bad); i++) {
		int32_t due;

		CHECK_INT(ingest_terms_due(bad[i], 0, &due), -1);
	}
}

/* A generic "Account" is the debtor only where no column names one: in
 * Xero's invoice export *AccountCode is the sales account. */
static void
test_account_aliases(void)
{
	const char *x[] = { "*ContactName", "*InvoiceNumber", "*InvoiceDate",
	    "*DueDate", "Total", "*AccountCode", "Currency" };
	const char *g[] = { "Account", "Customer", "Invoice No", "Date",
	    "Amount" };
	const char *a[] = { "Account", "Name", "Invoice No", "Date",
	    "Amount" };
	const char *sage[] = { "A/C", "Name", "Type", "No", "Date", "Ref",
	    "Balance" };
	const char *sage2[] = { "ACCOUNT_REF", "NAME", "TYPE", "INV_REF",
	    "DATE", "DUE_DATE", "AMOUNT", "OUTSTANDING", "AGED_30" };
	struct itemmap m;

	CHECK(map(&m, x, N(x)) > 0);
	CHECK_INT(m.col[F_DEBTOR_ID], -1);
	CHECK_INT(m.col[F_DEBTOR_NAME], 0);
	CHECK_STR(m.extra_names[0], "account_code");
	itemmap_free(&m);
	CHECK(map(&m, g, N(g)) > 0);
	CHECK_INT(m.col[F_DEBTOR_ID], 1);
	CHECK_STR(m.extra_names[0], "account");
	itemmap_free(&m);
	CHECK(map(&m, a, N(a)) > 0);
	CHECK_INT(m.col[F_DEBTOR_ID], 0);
	CHECK_INT(m.col[F_DEBTOR_NAME], 1);
	itemmap_free(&m);
	CHECK(map(&m, sage, N(sage)) > 0);
	CHECK_INT(m.col[F_DEBTOR_ID], 0);
	CHECK_INT(m.col[F_DOC_ID], 3);
	CHECK_INT(m.col[F_OPEN_AMOUNT], 6);
	itemmap_free(&m);
	CHECK(map(&m, sage2, N(sage2)) > 0);
	CHECK_INT(m.col[F_DEBTOR_ID], 0);
	CHECK_INT(m.col[F_DOC_ID], 3);
	CHECK_INT(m.col[F_OPEN_AMOUNT], 7);
	CHECK_STR(m.extra_names[0], "aged_30");
	itemmap_free(&m);
}

/* Passed-through columns never repeat a stream column or each other. */
static void
test_unique_names(void)
{
	const char *h[] = { "Invoice No", "Customer", "Date", "Amount",
	    "Status", "Amount", "Amount", "x_amount", "status" };
	struct itemmap m;

	CHECK(map(&m, h, N(h)) > 0);
	CHECK_INT(m.nextra, 5);
	CHECK_STR(m.extra_names[0], "x_status");
	CHECK_STR(m.extra_names[1], "x_amount");
	CHECK_STR(m.extra_names[2], "x_amount_2");
	CHECK_STR(m.extra_names[3], "x_x_amount");
	CHECK_STR(m.extra_names[4], "x_status_2");
	itemmap_free(&m);
}

int
main(void)
{
	T_RUN(test_ibm_header);
	T_RUN(test_quickbooks_and_titles);
	T_RUN(test_xero_and_bench);
	T_RUN(test_override);
	T_RUN(test_not_a_header);
	T_RUN(test_snake);
	T_RUN(test_terms);
	T_RUN(test_account_aliases);
	T_RUN(test_unique_names);
	return T_DONE();
}

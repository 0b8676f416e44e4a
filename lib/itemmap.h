/*
 * itemmap: how a client's export maps onto creditkit's item fields.  It
 * owns the canonical field names, the header aliases of common layouts
 * (the IBM accounts-receivable sample, QuickBooks' A/R Aging Detail,
 * Xero's invoice export, ERPNext, Sage, generic English headers and
 * creditkit's own snake_case names), finding the header row below title
 * rows, and the item stream that ingest-invoices writes and age-ledger
 * reads.
 */
#ifndef CK_ITEMMAP_H
#define CK_ITEMMAP_H

#include <stddef.h>
#include "diag.h"
#include "util.h"

enum item_field {
	F_DEBTOR_ID,
	F_DEBTOR_NAME,
	F_DEBTOR_TYPE,
	F_DOC_ID,
	F_DOC_TYPE,
	F_ISSUE_DATE,
	F_DUE_DATE,
	F_TERMS,
	F_CURRENCY,
	F_AMOUNT,
	F_OPEN_AMOUNT,
	F_PAID_AMOUNT,
	F_SETTLED_DATE,
	F_DISPUTED,
	F_EMAIL,
	F_PHONE,
	F_ADDRESS,
	F_LANGUAGE,
	F_COUNTRY,
	F_TIME_ZONE,		/* the debtor's: its call windows */
	F_SEGMENT,		/* the debtor's: picks its chase path */
	F_CHASE_PATH,		/* the debtor's own chase path */
	/* A postal address in parts (Xero's POAddressLine1, POCity, ...):
	 * joined under F_ADDRESS, one part a line. */
	F_ADDRESS_LINE2,
	F_CITY,
	F_REGION,
	F_POSTCODE,
	F_COUNT
};

/* itemmap_field_name: "debtor_id", ...; itemmap_field_from_name: the
 * field of a canonical name, or -1. */
const char *itemmap_field_name(enum item_field f);
int itemmap_field_from_name(const char *name);

/* A header mapped: col[f] is the column index of field f, or -1. */
struct itemmap {
	int col[F_COUNT];
	size_t ncols;
	int *extra;		/* columns mapped to no field, in order */
	size_t nextra;
	char **extra_names;	/* their names as snake_case */
};

/*
 * itemmap_header: maps the fields of a header record.  override is the
 * client config's explicit mapping (field name -> header text, n pairs,
 * may be 0); it wins over the aliases, and an override naming a header
 * that is not there, or an unknown field name, is an error.  Returns the
 * number of fields mapped (0 when this record does not look like a header:
 * fewer than three fields known, or neither a document number nor an
 * amount), or -1 with d set.
 */
int itemmap_header(struct itemmap *m, char *const *fields, size_t nfields,
    const char *const *override_field, const char *const *override_header,
    const long *override_line, size_t noverride, struct diag *d);
void itemmap_free(struct itemmap *m);

/* itemmap_missing_override: the index of the first of the n override
 * headers that fields lacks (compared as itemmap_header does), or -1. */
int itemmap_missing_override(char *const *fields, size_t nfields,
    const char *const *override_header, size_t noverride);

/* itemmap_snake: a header's text as a snake_case column name
 * ("Open balance" -> "open_balance", "POAddressLine1" ->
 * "po_address_line1"); a header with no letters or digits becomes
 * "column_N", N counted from 1. */
void itemmap_snake(const char *header, size_t index, struct sbuf *out);

/*
 * The item stream: the columns ingest-invoices writes, in this order,
 * followed by the export's unmapped columns; age-ledger and later tools
 * find them by name.
 */
extern const char *const itemmap_stream_columns[];
extern const size_t itemmap_stream_ncolumns;

#endif

/*
 * bankcsv: a bank's (or PayPal's) CSV export of account movements, mapped
 * like a client's export: the header found below metadata rows, columns
 * known by the headers of common exports (English, German, Spanish,
 * French, Dutch; the dialects of OCA's bank-statement-import fixtures) or
 * named in the client's config (bank.columns), dates and the decimal
 * mark sniffed from the whole file unless the config or an option says.
 *
 * Signs: a signed amount column as it is; an amount with a debit/credit
 * column (D/C, S/H, debit/credit ...), or separate debit and credit
 * columns: the column says the direction and the number its size, so
 * "-1,533.50" marked C is a credit of 1,533.50 (a warning says so).  A
 * fee column gives the charges; a net column is the cash when there is
 * no amount column (PayPal's Gross/Fee/Net).  A balance column is checked
 * row by row; "Balance at start/end of period" rows give the statement's
 * opening and closing balances.  Each currency of a file is one statement.
 */
#ifndef CK_BANKCSV_H
#define CK_BANKCSV_H

#include <stddef.h>
#include "config.h"
#include "payments.h"

/*
 * bankcsv_read: the export in buf[0..n) (UTF-8).  file_id (the file's
 * SHA-256) names its statements.  Returns 0; PAY_EDATA with d set when no
 * header is found, or the dates or the decimal mark cannot be told;
 * PAY_ECONFIG when the header lacks a column bank.columns names (d->line
 * the config's line); or what a sink callback returned.
 */
int bankcsv_read(const char *buf, size_t n, const struct bankcsv_opts *o,
    const char *file_id, const struct pay_sink *k, struct diag *d);

/*
 * bankcsv_config: the config's bank section (bank.columns, bank.decimal,
 * bank.date_format, bank.account, bank.currency, bank.encoding) over the
 * defaults in o and *encoding.  Strings point into root.  Returns 0, or
 * -1 with d set (d->line at the bad key or value).
 */
int bankcsv_config(const struct cfg_node *root, struct bankcsv_opts *o,
    const char **encoding, struct diag *d);
void bankcsv_config_free(struct bankcsv_opts *o);

/* bankcsv_field_known: 1 if name is a field bank.columns may map. */
int bankcsv_field_known(const char *name);

#endif

/*
 * mt940: SWIFT MT940 customer statements and MT942 interim reports, as
 * banks really write them: CRLF or LF, any preamble before the first tag
 * (ABN AMRO's "ABNANL2A / 940", ING's "0000 01...", a SWIFT block header
 * "{1:...}{2:...}{4:", a leading SOH byte), several statements a file,
 * :60F:/:60M: and :62F:/:62M: balances, C/D/RC/RD marks with the third
 * letter of the currency after them, decimal commas, wrapped :86: lines,
 * several :86: tags for one entry, and the dates banks write (30 February
 * is clamped to the month's end with a warning; a 4-digit entry date
 * after a 31 December value date is in the next year).
 *
 * The :86: information is read three ways: the German structured form
 * (?00 posting text, ?20-?29 and ?60-?63 purpose, ?30/?31 the payer's bank
 * and account, ?32/?33 the payer's name; Triodos writes > for ?), the
 * SEPA tags inside the purpose (EREF+ end-to-end id, KREF+, MREF+, CRED+,
 * SVWZ+ remittance, ABWA+ ...), the Dutch /TAG/value/ form (/EREF/,
 * /REMI/, /NAME/, /IBAN/), or else as free text.
 *
 * The text must already be UTF-8 (payments decodes the file first).
 */
#ifndef CK_MT940_H
#define CK_MT940_H

#include <stddef.h>
#include "payments.h"

/*
 * mt940_read: the statements in buf[0..n).  Returns 0; PAY_EDATA with d
 * set (d->line) when the file holds no statement or its structure is
 * broken beyond one entry (an entry before any account, a second
 * account inside a statement); or what a sink callback returned.
 */
int mt940_read(const char *buf, size_t n, const struct pay_sink *k,
    struct diag *d);

/*
 * mt940_details: one :86: field's text (lines joined as the field came,
 * with "\n" between them) into e's payer_name, payer_account, reference,
 * end_to_end_id and remittance.  For tests and the reader.
 */
void mt940_details(const char *text, size_t n, struct pay_entry *e);

#endif

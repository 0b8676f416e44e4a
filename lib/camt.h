/*
 * camt: ISO 20022 bank-to-customer cash management messages through
 * libxml2: camt.053 statements, camt.054 debit/credit notifications and
 * camt.052 account reports, versions 001.02 to 001.13, whatever prefix
 * the file binds the namespace to.  It reads the statement header (id,
 * account, booked opening and closing balances) and every booked entry,
 * splitting a batch entry into its transaction details, and hands them to
 * a struct pay_sink.  Entries not booked (PDNG, INFO) are counted, not
 * recorded.
 *
 * The XML is read as a stream (libxml2's xmlTextReader, one entry's
 * subtree at a time), with no network, no external entities, no DTD
 * loaded and libxml2's limits on huge input kept; a DOCTYPE is refused
 * outright, since no camt message has one.
 */
#ifndef CK_CAMT_H
#define CK_CAMT_H

#include <stddef.h>
#include "payments.h"

/*
 * camt_read: the message in buf[0..n) (name for libxml2's messages).
 * Returns 0; PAY_EDATA with d set (d->line too) when the file is not a
 * camt message this reader knows, is malformed XML, holds no statement,
 * or a statement has no account; or what a sink callback returned.
 */
int camt_read(const char *buf, size_t n, const char *name,
    const struct pay_sink *k, struct diag *d);

#endif

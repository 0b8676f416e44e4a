/*
 * csvout: CSV written for other people's programs (a spreadsheet, a CRM's
 * import, a dialler): RFC 4180 (comma, CRLF, a field quoted when it holds
 * a comma, a quote, CR or LF, or starts or ends with a space or tab,
 * quotes doubled), UTF-8 as given.  It is the
 * one CSV writer of the tools that write for people: emit-letters' call
 * and task lists and export-client's files.
 *
 * A spreadsheet runs a cell that starts with = + - or @ as a formula, and
 * one that starts with a tab or CR may be read so (OWASP, "CSV
 * Injection"): a debtor's name or a note typed by anyone could make the
 * client's clerk's spreadsheet fetch a URL or run a command.  So a text
 * value that starts with one of them, also after leading spaces (an
 * import that trims them would see the formula), gets a leading
 * apostrophe, which the spreadsheet shows as text and drops, and is
 * quoted.  Left alone: a value that is wholly a plain decimal number
 * (-12.50), which a spreadsheet reads as that number and runs nothing,
 * and an E.164 telephone number (+447700900123), which a dialler needs
 * as written.  A numeric column (CSVOUT_NUMBER) is written as it is: the
 * tool made it from an integer, so it is a number, and an apostrophe
 * would make the client's import read it as text; a value there that is
 * not a plain number is treated as text all the same, so a mistake in a
 * caller can never open the hole.
 */
#ifndef CK_CSVOUT_H
#define CK_CSVOUT_H

#include <stddef.h>

struct sbuf;

enum csvout_kind {
	CSVOUT_TEXT,		/* neutralised as above */
	CSVOUT_NUMBER		/* a plain decimal number, as it is */
};

/* csvout_plain_number: s is [-]digits[.digits], nothing else. */
int csvout_plain_number(const char *s);

/* csvout_neutralised: whether text value s gets the apostrophe. */
int csvout_neutralised(const char *s);

/* csvout_field: s (NULL is empty) as one field onto out, no separator. */
void csvout_field(struct sbuf *out, const char *s, enum csvout_kind k);

/*
 * csvout_row: n fields, comma-separated, and the CRLF that ends the
 * record.  kinds[i] says field i's kind; kinds NULL: all text.  A NULL
 * field is empty.
 */
void csvout_row(struct sbuf *out, const char *const *v,
    const enum csvout_kind *kinds, size_t n);

#endif

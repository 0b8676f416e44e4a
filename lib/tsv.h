/*
 * tsv: the stream format every tool reads and writes.  UTF-8, first line a
 * header of column names, LF line ends (a CR before the LF is tolerated on
 * input), and inside a value the escapes \t \n \r \\ so that no value is
 * lost or splits a row (Miller's and PostgreSQL's convention).  Lines of
 * any length; columns are found by name so unknown columns pass through.
 */
#ifndef CK_TSV_H
#define CK_TSV_H

#include <stdio.h>
#include <stddef.h>
#include "diag.h"

struct tsv_reader;	/* opaque */

/*
 * tsv_open: reads the header line of fp.  name is used in messages only.
 * Returns NULL with d set when the stream is empty or the header is
 * malformed (empty or duplicate column names).  A UTF-8 BOM is skipped.
 */
struct tsv_reader *tsv_open(FILE *fp, const char *name, struct diag *d);
void tsv_close(struct tsv_reader *r);	/* does not fclose fp */

/*
 * tsv_header_is_data: for a reader whose header lacks the columns a tool
 * needs: 1 with d set to "no header line: the first line is a data row
 * ..." when a column name is an ISO date or a number (no column is named
 * so: a filter such as grep dropped the header), else 0.  tsv_open says
 * the same itself instead of "empty column name" or "duplicate column
 * name" for such a line.
 */
int tsv_header_is_data(const struct tsv_reader *r, struct diag *d);

size_t tsv_ncols(const struct tsv_reader *r);
const char *tsv_colname(const struct tsv_reader *r, size_t i);
/* tsv_col: index of the column called name, or -1. */
int tsv_col(const struct tsv_reader *r, const char *name);

/*
 * tsv_next: reads one row.  Returns 1 for a row, 0 at end of input, -1 on
 * a malformed row (wrong number of fields, bad escape, invalid UTF-8) with
 * d set and d->line the row's line; reading may go on after -1.
 * Blank lines are skipped.
 */
int tsv_next(struct tsv_reader *r, struct diag *d);
/*
 * tsv_allow_short: rows with fewer fields than the header are read, the
 * fields they lack empty (sheets and exports drop trailing columns a row
 * does not use); tsv_nfields is how many the current row had, and
 * tsv_line_ended whether its line had a line end (a short last line
 * without one may be a file cut short: the caller decides).
 */
void tsv_allow_short(struct tsv_reader *r);
size_t tsv_nfields(const struct tsv_reader *r);
int tsv_line_ended(const struct tsv_reader *r);
/* The current row's field i, unescaped and NUL-terminated; valid until
 * the next tsv_next.  i must be < tsv_ncols(). */
const char *tsv_field(const struct tsv_reader *r, size_t i);
size_t tsv_field_len(const struct tsv_reader *r, size_t i);
/* The current row's line as read (escaped, without the line end). */
const char *tsv_raw(const struct tsv_reader *r);
long tsv_line(const struct tsv_reader *r);	/* line number of the row */
/* The header line as read, for rejects files. */
const char *tsv_raw_header(const struct tsv_reader *r);

/* Writing: fields escaped, tab between, LF at the end of the row. */
void tsv_put(FILE *fp, const char *s);		/* one field, escaped */
void tsv_putn(FILE *fp, const char *s, size_t n);
void tsv_sep(FILE *fp);				/* a tab */
void tsv_end(FILE *fp);				/* a newline */
/* tsv_row: a whole row of n fields (NULL is written as empty). */
void tsv_row(FILE *fp, const char *const *fields, size_t n);
/* tsv_add: one field, escaped, onto b: a writer of millions of rows builds
 * each in memory and writes it at once (a stdio call per field costs a
 * lock each). */
struct sbuf;
void tsv_add(struct sbuf *b, const char *s);

/* tsv_unescape: in place; returns the new length or -1 on a bad escape. */
long tsv_unescape(char *s, size_t n);

#endif

/*
 * csvin: client CSV exports read through libcsv, one record at a time.
 * It owns the dialect: delimiter sniffing (, ; TAB |), quotes and quoted
 * newlines, a UTF-8 BOM, CRLF or LF or CR line ends, blank lines, and
 * Windows-1252 / ISO-8859-1 input converted to UTF-8 with iconv.
 *
 * libcsv is fed one physical line at a time, so every record knows the
 * line it starts on and keeps its raw bytes: a rejected record can be
 * written out whole, exactly as it came.
 */
#ifndef CK_CSVIN_H
#define CK_CSVIN_H

#include <stdio.h>
#include <stddef.h>
#include "diag.h"

struct csvin_opts {
	int delimiter;		/* 0: sniff from the first lines */
	const char *encoding;	/* NULL or "UTF-8"; "WINDOWS-1252",
				   "CP1252", "ISO-8859-1", "LATIN1", any
				   case: converted to UTF-8 */
	size_t chunk;		/* read size, 0 for the default; tests set
				   it small to find buffer-boundary bugs */
	/* Called with every block of bytes read, in order, so a caller can
	 * hash the file exactly as it came (blank lines and BOM included).
	 * May be NULL. */
	void (*tap)(void *ctx, const void *bytes, size_t n);
	void *tap_ctx;
};

struct csvin_record {
	size_t nfields;
	char **fields;		/* NUL-terminated, UTF-8 after conversion */
	size_t *lens;
	long line;		/* physical line the record starts on */
	long last_line;		/* and the one it ends on */
	const char *raw;	/* the record's bytes as read (before
				   conversion), line end included */
	size_t rawlen;
	/* After -1 for a field that is not text (invalid UTF-8, a NUL
	 * byte): its index and what is wrong ("is not valid UTF-8 ...");
	 * else SIZE_MAX and NULL. */
	size_t bad_field;
	const char *bad_why;
};

struct csvin;	/* opaque */

/* csvin_open: fp is read from its current position; name is for
 * messages.  Returns NULL with d set for an unknown encoding. */
struct csvin *csvin_open(FILE *fp, const char *name,
    const struct csvin_opts *opts, struct diag *d);
void csvin_close(struct csvin *c);	/* does not fclose fp */

/* csvin_encoding_known: 1 if csvin_open accepts the encoding name (NULL
 * too, meaning UTF-8), else 0; for checking a setting where it is read. */
int csvin_encoding_known(const char *name);

/*
 * csvin_next: the next non-blank record (a record whose fields are all
 * empty or white space counts as blank and is skipped).  Returns 1, 0 at
 * end of input, -1 with d set (d->line too) on an I/O error, a byte
 * sequence that is not valid UTF-8 in a UTF-8 file, a NUL byte in a
 * field, or a quote left open at end of input; after -1 for invalid
 * UTF-8 or a NUL reading may go on.
 * On -1 for bad data (invalid UTF-8, a NUL, a byte the encoding does not
 * define, an unclosed quote) *rec is still the offending record, so its
 * raw bytes can go to the rejects file (its fields may be incomplete);
 * on an I/O error *rec is NULL.
 * The record is valid until the next call.
 */
int csvin_next(struct csvin *c, struct csvin_record **rec, struct diag *d);

/* The delimiter in use (after sniffing, once the first record is read). */
int csvin_delimiter(const struct csvin *c);

/* csvin_write_record: fields as one CSV record with delimiter delim,
 * quoting only where needed, CRLF-free (LF end). */
void csvin_write_record(FILE *fp, int delim, char *const *fields,
    const size_t *lens, size_t n);

#endif

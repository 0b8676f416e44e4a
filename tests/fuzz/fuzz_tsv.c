/*
 * fuzz_tsv: libFuzzer target for the TSV reader.  The input is opened as
 * a stream and read to the end; besides the sanitizers' own checks it
 * asserts what the reader promises for an accepted row (fields are
 * NUL-free strings of their stated length, valid UTF-8) and that
 * escaping a field and unescaping it again gives it back.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tsv.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check_field(const char *f, size_t len)
{
	char *buf = NULL;
	size_t blen = 0;
	FILE *out;

	if (strlen(f) != len || !util_utf8_valid(f, len))
		abort();
	out = open_memstream(&buf, &blen);
	if (out == NULL)
		return;
	tsv_putn(out, f, len);
	if (fclose(out) != 0) {
		free(buf);
		return;
	}
	if (memchr(buf, '\t', blen) != NULL || memchr(buf, '\n', blen) ||
	    memchr(buf, '\r', blen) != NULL)
		abort();
	if (tsv_unescape(buf, blen) != (long)len || memcmp(buf, f, len) != 0)
		abort();
	free(buf);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char empty[1];
	struct tsv_reader *r;
	struct diag d;
	FILE *fp;
	int rc;

	/* fmemopen takes a non-const buffer but only reads it in "r". */
	fp = fmemopen(size ? (void *)(uintptr_t)data : empty, size, "r");
	if (fp == NULL)
		return 0;
	diag_clear(&d);
	r = tsv_open(fp, "fuzz", &d);
	if (r == NULL) {
		if (d.msg[0] == '\0')
			abort();
		fclose(fp);
		return 0;
	}
	for (size_t i = 0; i < tsv_ncols(r); i++) {
		const char *name = tsv_colname(r, i);

		if (name[0] == '\0' || tsv_col(r, name) != (int)i)
			abort();
	}
	if (strlen(tsv_raw_header(r)) == 0)
		abort();
	while ((rc = tsv_next(r, &d)) != 0) {
		if (rc < 0) {
			if (d.msg[0] == '\0' || d.line != tsv_line(r))
				abort();
			(void)strlen(tsv_raw(r));
			continue;
		}
		for (size_t i = 0; i < tsv_ncols(r); i++)
			check_field(tsv_field(r, i), tsv_field_len(r, i));
	}
	tsv_close(r);
	fclose(fp);
	return 0;
}

/*
 * fuzz_csvin: libFuzzer target for the CSV reader.  Each input is read
 * as UTF-8 and as Windows-1252, at the default read size and at a small
 * one taken from the input; the two reads must give the same records
 * (line numbers and raw bytes too), and every record the reader returns
 * must come back unchanged through csvin_write_record.
 *
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -Ilib \
 *       tests/fuzz/fuzz_csvin.c lib/csvin.c lib/util.c lib/diag.c -lcsv
 *   ./a.out tests/fuzz/corpus/csvin
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csvin.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Reading back one written record gives the same fields. */
static void
round_trip(const struct csvin_record *r, int delim)
{
	char *out = NULL;
	size_t outlen = 0, i;
	FILE *fp = open_memstream(&out, &outlen);
	struct csvin_opts o = { delim, NULL, 0, NULL, NULL };
	struct csvin *c;
	struct csvin_record *back;
	struct diag d;

	if (fp == NULL)
		return;
	csvin_write_record(fp, delim, r->fields, r->lens, r->nfields);
	fclose(fp);
	fp = fmemopen(out, outlen, "r");
	if (fp == NULL)
		abort();
	c = csvin_open(fp, "rt", &o, &d);
	if (csvin_next(c, &back, &d) != 1 || back->nfields != r->nfields)
		abort();
	for (i = 0; i < r->nfields; i++)
		if (back->lens[i] != r->lens[i] ||
		    memcmp(back->fields[i], r->fields[i], r->lens[i]) != 0)
			abort();
	if (csvin_next(c, &back, &d) != 0)
		abort();
	csvin_close(c);
	fclose(fp);
	free(out);
}

/* Everything the reader returned, as one string to compare. */
static void
read_all(const uint8_t *data, size_t size, const char *enc, size_t chunk,
    int check, struct sbuf *out)
{
	FILE *fp = fmemopen((void *)(uintptr_t)data, size, "r");
	struct csvin_opts o = { 0, enc, chunk, NULL, NULL };
	struct csvin *c;
	struct csvin_record *r;
	struct diag d;
	long prev = 0;
	size_t i;
	int rc;

	sbuf_reset(out);
	if (fp == NULL)
		abort();
	c = csvin_open(fp, "fuzz", &o, &d);
	if (c == NULL)
		abort();
	while ((rc = csvin_next(c, &r, &d)) != 0) {
		if (rc < 0) {
			sbuf_addf(out, "E%ld %s\n", d.line, d.msg);
			if (r == NULL)
				continue;
		}
		if (r->line <= prev || r->last_line < r->line)
			abort();
		prev = r->last_line;
		sbuf_addf(out, "%ld-%ld %zu:", r->line, r->last_line,
		    r->rawlen);
		sbuf_add(out, r->raw, r->rawlen);
		for (i = 0; i < r->nfields; i++) {
			if (r->fields[i][r->lens[i]] != '\0')
				abort();
			sbuf_addf(out, "|%zu:", r->lens[i]);
			sbuf_add(out, r->fields[i], r->lens[i]);
		}
		sbuf_addc(out, '\n');
		if (check && rc == 1)
			round_trip(r, csvin_delimiter(c));
	}
	sbuf_addf(out, "delim %d\n", csvin_delimiter(c));
	csvin_close(c);
	fclose(fp);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const enc[] = { NULL, "WINDOWS-1252" };
	struct sbuf a = { 0 }, b = { 0 };
	size_t k;

	/* fmemopen may refuse an empty buffer. */
	if (size == 0)
		return 0;
	for (k = 0; k < 2; k++) {
		read_all(data, size, enc[k], 0, k == 0, &a);
		read_all(data, size, enc[k], 1 + data[0] % 7, 0, &b);
		if (a.len != b.len || memcmp(a.buf, b.buf, a.len) != 0)
			abort();
	}
	sbuf_free(&a);
	sbuf_free(&b);
	return 0;
}

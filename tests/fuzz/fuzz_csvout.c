/*
 * fuzz_csvout: libFuzzer target for the CSV writer.  The input's first
 * byte says which fields are numeric (bit i, field i), the rest is the
 * fields, split at NUL bytes (at most 8).  The row csvout writes must
 * read back through csvin (libcsv, as the tools read a client's CSV) as
 * one record of the same fields, each as given or, when csvout says it
 * is neutralised, with the one apostrophe before it; a numeric field
 * that is a plain number is never changed.
 *
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -Ilib \
 *       tests/fuzz/fuzz_csvout.c lib/csvout.c lib/csvin.c lib/util.c \
 *       lib/diag.c -lcsv
 *   ./a.out tests/fuzz/corpus/csvout
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csvin.h"
#include "csvout.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAXF 8

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *f[MAXF];
	enum csvout_kind k[MAXF];
	size_t n = 0, i, start;
	struct sbuf row = { 0 }, want = { 0 };
	struct csvin_opts o = { ',', NULL, 0, NULL, NULL };
	struct csvin_record *r;
	struct csvin *c;
	struct diag d;
	int blank = 1;
	FILE *fp;

	if (size < 1)
		return 0;
	for (start = 1, i = 1; i <= size && n < MAXF; i++)
		if (i == size || data[i] == '\0') {
			f[n] = malloc(i - start + 1);
			memcpy(f[n], data + start, i - start);
			f[n][i - start] = '\0';
			k[n] = (data[0] >> n) & 1 ? CSVOUT_NUMBER : CSVOUT_TEXT;
			n++;
			start = i + 1;
		}
	/* What csvin refuses or skips is not the writer's to prove: text
	 * that is not UTF-8, a record of blanks, a BOM first in the file. */
	for (i = 0; i < n; i++) {
		if (!util_utf8_valid(f[i], strlen(f[i])))
			goto out;
		if (strspn(f[i], " \t") != strlen(f[i]))
			blank = 0;
	}
	if (blank || strncmp(f[0], "\xef\xbb\xbf", 3) == 0)
		goto out;
	csvout_row(&row, (const char *const *)f, k, n);
	if ((fp = fmemopen(row.buf, row.len, "r")) == NULL)
		abort();
	if ((c = csvin_open(fp, "row", &o, &d)) == NULL)
		abort();
	if (csvin_next(c, &r, &d) != 1 || r->nfields != n)
		abort();
	for (i = 0; i < n; i++) {
		int neut = !(k[i] == CSVOUT_NUMBER &&
		    csvout_plain_number(f[i])) && csvout_neutralised(f[i]);

		sbuf_reset(&want);
		if (neut)
			sbuf_addc(&want, '\'');
		sbuf_adds(&want, f[i]);
		if (r->lens[i] != want.len || memcmp(r->fields[i],
		    sbuf_str(&want), want.len) != 0)
			abort();
	}
	if (csvin_next(c, &r, &d) != 0)
		abort();
	csvin_close(c);
	fclose(fp);
out:
	for (i = 0; i < n; i++)
		free(f[i]);
	sbuf_free(&row);
	sbuf_free(&want);
	return 0;
}

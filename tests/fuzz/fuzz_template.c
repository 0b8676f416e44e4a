/*
 * fuzz_template: libFuzzer target for the template compiler.  Each input
 * is compiled as an HTML template against a small schema; one that loads
 * is rendered with values that need escaping, and the rendering must
 * never hold a raw '<' from a value; one that does not load must say
 * why, with a line within the input.
 *
 *   sh tests/fuzz/run.sh 60     (or see the comment in fuzz_csvin.c)
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "template.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const scal[] = { "a", "b.c" };
	static const char *const inv[] = { "x" };
	static const struct tpl_list_schema lst[] = {
		{ "items", "item", inv, 1 },
	};
	static const struct tpl_schema sch = { scal, 2, lst, 1 };
	/* \001 marks where a value starts: only a value can put it
	 * in the rendering when the input has none. */
	static const char *const iv[] = { "\001<i>", "" };
	const char *sv[2] = { "\001<v>&", "0" };
	struct tpl_list_values lv[1] = { { 2, iv } };
	struct tpl_ctx c = { sv, lv };
	struct sbuf out = { 0 };
	struct tpl *t;
	struct diag d;
	long lines = 1;

	for (size_t i = 0; i < size; i++)
		lines += data[i] == '\n';
	diag_clear(&d);
	if (tpl_compile((const char *)data, size, &sch, TPL_HTML, &t,
	    &d) != 0) {
		if (d.msg[0] == '\0' || d.line < 1 || d.line > lines)
			abort();
		return 0;
	}
	tpl_render(t, &c, &out);
	if (memchr(data, 1, size) == NULL &&
	    strstr(sbuf_str(&out), "\001<") != NULL)
		abort();
	tpl_free(t);
	sbuf_free(&out);
	return 0;
}

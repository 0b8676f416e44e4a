/*
 * fuzz_mt940: libFuzzer target for the MT940 reader.  Each input is read
 * as MT940 (after decoding, as the tool does) into the checking sink
 * of pay_sink.h; the
 * reader's result must be one of its documented values, with a message
 * when it refuses.
 *
 *   sh tests/fuzz/run.sh 60     (or see the comment in fuzz_csvin.c)
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mt940.h"
#include "pay_sink.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ctx c = { 0, 0 };
	struct pay_sink k = pay_sink_for(&c);
	struct diag d;
	struct sbuf text = { 0 };
	int rc, guessed;

	diag_clear(&d);
	if (pay_to_utf8((const char *)data, size, NULL, &text, &guessed,
	    &d) != 0) {
		sbuf_free(&text);
		return 0;
	}
	rc = mt940_read(sbuf_str(&text), text.len, &k, &d);
	sbuf_free(&text);
	if (rc != 0 && (rc != PAY_EDATA || d.msg[0] == '\0'))
		abort();
	if (rc == 0 && c.open)
		abort();
	return 0;
}

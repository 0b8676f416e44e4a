/*
 * fuzz_camt: libFuzzer target for the camt reader.  Each input is read
 * as a camt message into the checking sink of pay_sink.h; the
 * reader's result must be one of its documented values, with a message
 * when it refuses.
 *
 *   sh tests/fuzz/run.sh 60     (or see the comment in fuzz_csvin.c)
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "camt.h"
#include "pay_sink.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ctx c = { 0, 0 };
	struct pay_sink k = pay_sink_for(&c);
	struct diag d;
	int rc;

	diag_clear(&d);
	rc = camt_read((const char *)data, size, "fuzz", &k, &d);
	if (rc != 0 && (rc != PAY_EDATA || d.msg[0] == '\0'))
		abort();
	if (rc == 0 && c.open)
		abort();
	return 0;
}

/*
 * fuzz_kpi: libFuzzer target for lib/kpi.c's --period parser, which reads
 * what a user or a cron line typed.  Any bytes give a clean yes or no,
 * and abort() (a crash to the fuzzer) when the contract breaks:
 *   - a failure appends nothing and leaves a message;
 *   - a success appends 1..KPI_MAX_PERIODS periods, each with start <=
 *     end, months >= 1 and a label; a range's periods follow each other
 *     day after day.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "kpi.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct kpi_period *p = NULL;
	struct diag d;
	size_t n = 0;
	char *s;

	if (size > 64)
		return 0;
	s = xmalloc(size + 1);
	memcpy(s, data, size);
	s[size] = '\0';
	diag_clear(&d);
	if (kpi_period_parse(s, &p, &n, &d) != 0) {
		if (n != 0 || d.msg[0] == '\0')
			abort();
	} else {
		if (n < 1 || n > KPI_MAX_PERIODS)
			abort();
		for (size_t i = 0; i < n; i++) {
			if (p[i].start > p[i].end || p[i].months < 1 ||
			    p[i].label[0] == '\0')
				abort();
			if (i > 0 && p[i].start != p[i - 1].end + 1)
				abort();
		}
	}
	free(p);
	free(s);
	return 0;
}

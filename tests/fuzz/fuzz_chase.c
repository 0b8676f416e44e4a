/*
 * fuzz_chase: libFuzzer target for the chase configuration (the chase:
 * and paths: sections of a client's YAML).  Besides the sanitizers'
 * checks it asserts what the loader promises: a rejected file has a
 * message; a loaded one has at least one path, every path at least one
 * step, steps in the order of their days, rules and the default naming
 * real paths; and every step's day can be computed, rolled to a business
 * day whenever the calendar has one.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "chase.h"
#include "config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cfg_node *root = NULL;
	struct chase_config c;
	struct diag d;
	int32_t op[1] = { 19800 }, cl[1] = { 19810 };

	diag_clear(&d);
	if (cfg_parse_string((const char *)data, size, "fuzz", &root, &d) != 0)
		return 0;
	if (chase_config_load(root, &c, &d) != 0) {
		if (d.msg[0] == '\0')
			abort();
	} else {
		if (c.npaths < 1 || c.default_path >= c.npaths)
			abort();
		for (size_t i = 0; i < c.nrules; i++)
			if (c.rules[i].path >= c.npaths)
				abort();
		for (size_t i = 0; i < c.npaths; i++) {
			const struct chase_path *p = &c.paths[i];

			if (p->nsteps < 1)
				abort();
			for (size_t k = 0; k < p->nsteps; k++) {
				int32_t day = chase_item_step(&c, p, k, 19797,
				    op, cl, 1);

				if (k > 0 && p->steps[k].due_offset <
				    p->steps[k - 1].due_offset)
					abort();
				if (p->steps[k].channels == 0)
					abort();
				if (c.cal.workdays != 0 && c.cal.nholidays <
				    300 && !calendar_is_business(&c.cal, day))
					abort();
			}
		}
	}
	chase_config_free(&c);
	cfg_free(root);
	return 0;
}

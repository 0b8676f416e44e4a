/*
 * test_progress: the progress line's arithmetic: the rate, the percent
 * and the time left from the work done of the work in all, with the
 * boundaries first (nothing done, nothing known, no time yet, done, a
 * file that grew), and the line's text.
 */
#include <stdio.h>
#include <string.h>

#include "progress.h"
#include "t.h"

static void
test_compute(void)
{
	static const struct {
		long long rows, done, total;
		double elapsed;
		double rate;
		int percent;
		long long left;
	} t[] = {
		/* Nothing known: rows and rate only. */
		{ 0, 0, 0, 0, 0, -1, -1 },
		{ 500, 0, 0, 2, 250, -1, -1 },
		{ 500, 123, -1, 2, 250, -1, -1 },
		/* No time yet: no rate, no time left. */
		{ 10, 100, 1000, 0, 0, 10, -1 },
		/* Nothing done yet: 0 %, the time left unknown. */
		{ 0, 0, 1000, 1, 0, 0, -1 },
		/* A quarter in 3 s: 9 s left. */
		{ 300, 250, 1000, 3, 100, 25, 9 },
		/* Rounded up: 1 of 3 in 1 s is 2 s left; 2 of 3 is 0.5 s
		 * left, shown as 1. */
		{ 1, 1, 3, 1, 1, 33, 2 },
		{ 2, 2, 3, 1, 2, 66, 1 },
		/* Done: 100 %, nothing left; a file that grew is clamped. */
		{ 40, 1000, 1000, 4, 10, 100, 0 },
		{ 40, 1200, 1000, 4, 10, 100, 0 },
		/* Large: a 10 GB file, 1 % in 60 s: 99 minutes left. */
		{ 1000000, 100000000LL, 10000000000LL, 60, 1000000.0 / 60, 1,
		    5940 },
	};

	for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
		struct progress_view v;

		progress_compute(t[i].rows, t[i].done, t[i].total,
		    t[i].elapsed, &v);
		printf("# compute %zu\n", i);
		CHECK_INT(v.rows, t[i].rows);
		CHECK(v.rate > t[i].rate - 1e-9 && v.rate < t[i].rate + 1e-9);
		CHECK_INT(v.percent, t[i].percent);
		CHECK_INT(v.left, t[i].left);
	}
}

static void
test_format(void)
{
	static const struct {
		struct progress_view v;
		const char *want;
	} t[] = {
		{ { 0, 0, -1, -1 }, "0 rows" },
		{ { 1, 0, -1, -1 }, "1 row" },
		{ { 12345, 4321.4, -1, -1 }, "12345 rows, 4321 rows/s" },
		{ { 12345, 4321.6, 45, 12 },
		    "12345 rows, 4322 rows/s, 45%, 0:12 left" },
		{ { 5, 0, 0, -1 }, "5 rows, 0%" },
		{ { 9, 3, 100, 0 }, "9 rows, 3 rows/s, 100%, 0:00 left" },
		{ { 9, 3, 1, 3599 }, "9 rows, 3 rows/s, 1%, 59:59 left" },
		{ { 9, 3, 1, 3600 }, "9 rows, 3 rows/s, 1%, 1:00:00 left" },
		{ { 9, 3, 1, 90061 }, "9 rows, 3 rows/s, 1%, 25:01:01 left" },
	};

	for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
		struct sbuf b = { 0 };

		progress_format(&t[i].v, &b);
		CHECK_STR(sbuf_str(&b), t[i].want);
		sbuf_free(&b);
	}
}

int
main(void)
{
	T_RUN(test_compute);
	T_RUN(test_format);
	return T_DONE();
}

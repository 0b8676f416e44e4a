/*
 * t: the unit-test harness, TAP output.  Each test file is a main that
 * calls T_RUN on its test functions; CHECK records a failure with file and
 * line and goes on, so one run shows every broken case of a table.
 * The process exits 1 if anything failed.
 */
#ifndef CK_T_H
#define CK_T_H

#include <stdio.h>
#include <string.h>
#include <inttypes.h>

static int t_failed_checks;	/* in the current test */
static int t_tests, t_failures;

#define CHECK(cond) do { \
	if (!(cond)) { \
		t_failed_checks++; \
		printf("#   %s:%d: check failed: %s\n", __FILE__, __LINE__, \
		    #cond); \
	} \
} while (0)

#define CHECK_STR(got, want) do { \
	const char *t_g = (got), *t_w = (want); \
	if (t_g == NULL || t_w == NULL ? t_g != t_w : strcmp(t_g, t_w) != 0) { \
		t_failed_checks++; \
		printf("#   %s:%d: %s: got \"%s\", want \"%s\"\n", __FILE__, \
		    __LINE__, #got, t_g ? t_g : "(null)", \
		    t_w ? t_w : "(null)"); \
	} \
} while (0)

#define CHECK_INT(got, want) do { \
	long long t_g = (long long)(got), t_w = (long long)(want); \
	if (t_g != t_w) { \
		t_failed_checks++; \
		printf("#   %s:%d: %s: got %lld, want %lld\n", __FILE__, \
		    __LINE__, #got, t_g, t_w); \
	} \
} while (0)

#define T_RUN(fn) do { \
	t_failed_checks = 0; \
	fn(); \
	t_tests++; \
	if (t_failed_checks) { \
		t_failures++; \
		printf("not ok %d - %s\n", t_tests, #fn); \
	} else { \
		printf("ok %d - %s\n", t_tests, #fn); \
	} \
} while (0)

#define T_DONE() (printf("1..%d\n", t_tests), t_failures ? 1 : 0)

#endif

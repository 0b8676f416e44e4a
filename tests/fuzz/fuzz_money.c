/*
 * fuzz_money: libFuzzer target for lib/money.c.  Amounts come straight
 * from client files, so any bytes must give a clean yes or no: no crash,
 * leak, read past the end or undefined behaviour.  Beyond that it checks
 * the contract's promises, and abort()s (a crash to the fuzzer) when one
 * breaks:
 *   - a parsed amount is never INT64_MIN or INT64_MAX;
 *   - what money_format writes, money_parse reads back unchanged;
 *   - the length is the contract: parsing the exact-size copy (no NUL
 *     after it, so ASan sees any over-read) agrees with the NUL-ended one;
 *   - a failure always leaves a message, and it is valid UTF-8;
 *   - a found currency is "", three upper-case letters, "$" or "¥".
 * The arithmetic runs on numbers taken from the input bytes.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "money.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check_parse(const char *exact, size_t size, int digits,
    enum money_decimal dec)
{
	struct diag d;
	char ccy[4], buf[MONEY_BUFSZ];
	int64_t v = 0, back = 0, r;
	int rc;

	diag_clear(&d);
	rc = money_parse(exact, size, digits, dec, &v, ccy, &d);
	if (rc != 0) {
		if (rc != -1 || d.msg[0] == '\0' ||
		    !util_utf8_valid(d.msg, strlen(d.msg)) || ccy[0] != '\0')
			abort();
		return;
	}
	if (v == INT64_MIN || v == INT64_MAX)
		abort();
	if (ccy[0] != '\0' && !money_is_currency(ccy) &&
	    strcmp(ccy, "$") != 0 && strcmp(ccy, "\xc2\xa5") != 0)
		abort();
	money_format(v, digits, buf);
	if (money_parse(buf, strlen(buf), digits, MONEY_POINT, &back, NULL,
	    NULL) != 0 || back != v)
		abort();
	/* Rescaling up and back down is exact when it fits. */
	if (money_rescale(v, digits, 18, &r) == 0 &&
	    (money_rescale(r, 18, digits, &back) != 0 || back != v))
		abort();
	(void)money_rescale(v, digits, 0, &r);
	(void)money_muldiv(v, 1325 * 44, 10000 * 365, &r);
}

static int64_t
take64(const uint8_t **p, size_t *left)
{
	uint64_t u = 0;
	size_t k = *left < 8 ? *left : 8;

	memcpy(&u, *p, k);
	*p += k;
	*left -= k;
	return (int64_t)u;
}

static void
check_arith(const uint8_t *data, size_t size)
{
	const uint8_t *p = data;
	size_t left = size;
	int64_t a = take64(&p, &left), b = take64(&p, &left);
	int64_t c = take64(&p, &left), r = 0, s = 0;

	__int128 sum = (__int128)a + b, prod = (__int128)a * b;

	/* add and mul fail exactly when the true result does not fit. */
	if ((money_add(a, b, &r) == 0) != (sum >= INT64_MIN &&
	    sum <= INT64_MAX) || (sum >= INT64_MIN && sum <= INT64_MAX &&
	    r != (int64_t)sum))
		abort();
	if ((money_mul(a, b, &s) == 0) != (prod >= INT64_MIN &&
	    prod <= INT64_MAX) || (prod >= INT64_MIN && prod <= INT64_MAX &&
	    s != (int64_t)prod))
		abort();
	if (money_muldiv(a, b, c, &r) == 0 && c != 0) {
		/* |result - a*b/c| <= 1/2: check with 128 bits. */
		__int128 diff = (__int128)r * c - prod;
		__int128 ac = c < 0 ? -(__int128)c : (__int128)c;

		if (diff < 0)
			diff = -diff;
		if (diff > ac || 2 * diff > ac)
			abort();
		/* and a tie went away from zero */
		if (2 * diff == ac && diff != 0 &&
		    ((__int128)r * c < 0 ? -((__int128)r * c) :
		    (__int128)r * c) < (prod < 0 ? -prod : prod))
			abort();
	}
	if (money_muldiv(a, b, 0, &r) != -1)
		abort();
	(void)money_rescale(a, (int)((uint64_t)b % 21) - 1,
	    (int)((uint64_t)c % 21) - 1, &r);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const int digits[] = { 0, 2, 3, 18 };
	char *s, *exact;
	size_t i;

	/* A NUL-ended copy, as the brief for every target asks, and an
	 * exact-size one to catch reads past the given length. */
	s = malloc(size + 1);
	exact = malloc(size ? size : 1);
	if (s == NULL || exact == NULL)
		abort();
	memcpy(s, data, size);
	s[size] = '\0';
	memcpy(exact, data, size);

	for (i = 0; i < sizeof digits / sizeof digits[0]; i++) {
		int64_t v1 = 1, v2 = 2;
		int r1, r2;

		check_parse(exact, size, digits[i], MONEY_POINT);
		check_parse(exact, size, digits[i], MONEY_COMMA);
		/* Without a NUL inside, both copies must agree. */
		if (strlen(s) == size) {
			r1 = money_parse(s, size, digits[i], MONEY_POINT, &v1,
			    NULL, NULL);
			r2 = money_parse(exact, size, digits[i], MONEY_POINT,
			    &v2, NULL, NULL);
			if (r1 != r2 || (r1 == 0 && v1 != v2))
				abort();
		}
	}
	(void)money_minor_digits(s);
	(void)money_is_currency(s);
	check_arith(data, size);

	free(exact);
	free(s);
	return 0;
}

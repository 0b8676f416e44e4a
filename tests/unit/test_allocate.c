/* Unit tests of lib/allocate: the keys a reference names, RF references,
 * the combination search, tolerances and the allocation config. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "allocate.h"
#include "t.h"

/* keys_str: the keys joined by "|". */
static const char *
keys_str(const struct alloc_keys *k)
{
	static char buf[512];
	size_t o = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < k->n && o < sizeof buf; i++)
		o += (size_t)snprintf(buf + o, sizeof buf - o, "%s%s",
		    i ? "|" : "", alloc_key(k, i));
	return buf;
}

static void
test_ref_keys(void)
{
	static const struct {
		const char *ref, *want;
	} t[] = {
		{ "", "" },
		{ "ab", "" },			/* too short to name anything */
		{ "INV306", "inv306" },
		{ "inv-306", "inv306" },
		{ "INV 306", "inv306|inv|306" },
		{ "INV-1 INV-2", "inv1inv2|inv1|inv2" },
		{ "Invoice: INV-9, thanks", "invoiceinv9thanks|invoice|inv9|"
		    "thanks|invoiceinv9|inv9thanks" },
		{ "  C100  ", "c100" },
		{ "A/B/C", "abc" },		/* words of one letter */
		{ "€ 12.00 INV-1", "12.00inv1" },
	};

	for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
		struct alloc_keys k = { 0 };

		alloc_ref_keys(t[i].ref, &k);
		if (strcmp(t[i].ref, "€ 12.00 INV-1") == 0)
			CHECK(k.n >= 2);
		else
			CHECK_STR(keys_str(&k), t[i].want);
		alloc_keys_free(&k);
	}
}

/* The cap on what a reference is looked at for: boundaries first; the
 * cut never splits a UTF-8 character; keys come only from what is kept,
 * each once however often a word repeats. */
static void
test_ref_cap(void)
{
	char *big = malloc(ALLOC_REF_SCAN + 64);
	struct alloc_keys k = { 0 };
	size_t n;

	CHECK(big != NULL);
	CHECK_INT((long long)alloc_ref_len(NULL), 0);
	CHECK_INT((long long)alloc_ref_len("INV-1"), 5);
	memset(big, 'a', ALLOC_REF_SCAN);
	big[ALLOC_REF_SCAN] = '\0';
	CHECK_INT((long long)alloc_ref_len(big), ALLOC_REF_SCAN);
	big[ALLOC_REF_SCAN] = 'b';
	big[ALLOC_REF_SCAN + 1] = '\0';
	CHECK_INT((long long)alloc_ref_len(big), ALLOC_REF_SCAN);
	/* "é" (C3 A9) across the cap: cut before it. */
	big[ALLOC_REF_SCAN - 1] = (char)0xC3;
	big[ALLOC_REF_SCAN] = (char)0xA9;
	CHECK_INT((long long)alloc_ref_len(big), ALLOC_REF_SCAN - 1);
	/* "INV-7 " over and over, then INV-8 past the cap. */
	memset(big, ' ', ALLOC_REF_SCAN + 8);
	for (n = 0; n + 6 <= ALLOC_REF_SCAN; n += 6)
		memcpy(big + n, "INV-7 ", 6);
	memcpy(big + ALLOC_REF_SCAN + 1, "INV-8", 6);
	alloc_ref_keys(big, &k);
	CHECK_INT((long long)k.n, 3);	/* the whole text, inv7, inv7inv7 */
	for (size_t i = 0; i < k.n; i++)
		CHECK(strcmp(alloc_key(&k, i), "inv8") != 0);
	/* A reset starts afresh: keys seen before are keys again. */
	alloc_ref_keys("INV-7", &k);
	CHECK_STR(keys_str(&k), "inv7");
	alloc_keys_free(&k);
	free(big);
}

static void
test_rf(void)
{
	static const struct {
		const char *s;
		int valid;
	} v[] = {
		{ "RF18539007547034", 1 },	/* ISO 11649's example */
		{ "rf18539007547034", 1 },
		{ "RF19539007547034", 0 },	/* a check digit off */
		{ "RF41INV301", 1 },
		{ "RF42INV301", 0 },
		{ "RF18", 0 },			/* no payload */
		{ "RFxx1234", 0 },
		{ "RF18539007547034539007547034", 0 },	/* too long */
		{ "RF41INV-301", 0 },
	};
	struct alloc_keys k = { 0 };

	for (size_t i = 0; i < sizeof v / sizeof v[0]; i++)
		CHECK_INT(alloc_rf_valid(v[i].s, strlen(v[i].s)), v[i].valid);
	alloc_rf_keys("RF18 5390 0754 7034", &k);
	CHECK_STR(keys_str(&k), "539007547034");
	alloc_rf_keys("paid RF41INV301 thanks", &k);
	CHECK_STR(keys_str(&k), "inv301");
	alloc_rf_keys("INV-301", &k);
	CHECK_STR(keys_str(&k), "");
	alloc_keys_free(&k);
}

static void
test_combination(void)
{
	static const int64_t ex[] = { 120000, 200000, 43050, 9999, 64000 };
	static const int64_t dup[] = { 100, 100, 200 };
	static const int64_t three[] = { 10, 20, 30, 45 };
	size_t pick[ALLOC_MAX_COMBINATION];
	int n;

	/* DOMAIN.md section 6, B2: INV-303 + INV-304. */
	CHECK_INT(alloc_combination(ex, 5, 243050, 3, 1000000, pick, &n),
	    ALLOC_COMB_UNIQUE);
	CHECK_INT(n, 2);
	CHECK((pick[0] == 1 && pick[1] == 2) || (pick[0] == 2 &&
	    pick[1] == 1));
	/* B5: nothing sums to 150.00. */
	CHECK_INT(alloc_combination(ex, 5, 15000, 3, 1000000, pick, &n),
	    ALLOC_COMB_NONE);
	/* Two equal items make two sets. */
	CHECK_INT(alloc_combination(dup, 3, 300, 3, 1000000, pick, &n),
	    ALLOC_COMB_MANY);
	CHECK_INT(alloc_combination(dup, 3, 200, 3, 1000000, pick, &n),
	    ALLOC_COMB_UNIQUE);
	CHECK_INT(n, 2);
	CHECK_INT(alloc_combination(dup, 3, 400, 3, 1000000, pick, &n),
	    ALLOC_COMB_UNIQUE);
	CHECK_INT(n, 3);
	/* 10+20+30 is a triple, and 60 has no pair: unique only with 3. */
	CHECK_INT(alloc_combination(three, 4, 60, 2, 1000000, pick, &n),
	    ALLOC_COMB_NONE);
	CHECK_INT(alloc_combination(three, 4, 60, 3, 1000000, pick, &n),
	    ALLOC_COMB_UNIQUE);
	/* 30 = 10+20 only (30 alone is rule 2's). */
	CHECK_INT(alloc_combination(three, 4, 30, 3, 1000000, pick, &n),
	    ALLOC_COMB_UNIQUE);
	/* 75 = 30+45 = 10+20+45: two sets. */
	CHECK_INT(alloc_combination(three, 4, 75, 3, 1000000, pick, &n),
	    ALLOC_COMB_MANY);
	/* Boundaries: one value, kmax 1, nothing positive. */
	CHECK_INT(alloc_combination(ex, 1, 120000, 3, 1000000, pick, &n),
	    ALLOC_COMB_NONE);
	CHECK_INT(alloc_combination(ex, 5, 243050, 1, 1000000, pick, &n),
	    ALLOC_COMB_NONE);
	CHECK_INT(alloc_combination(ex, 5, 0, 3, 1000000, pick, &n),
	    ALLOC_COMB_NONE);
	/* A budget too small proves nothing. */
	CHECK_INT(alloc_combination(ex, 5, 243050, 3, 2, pick, &n),
	    ALLOC_COMB_BUDGET);
}

/* Thousands of items: the search stays within its budget. */
static void
test_combination_bounded(void)
{
	size_t n = 5000, pick[ALLOC_MAX_COMBINATION];
	int64_t *v = calloc(n, sizeof *v);
	int np, r;

	for (size_t i = 0; i < n; i++)
		v[i] = 1000 + (int64_t)(i * 7919 % 100000);
	r = alloc_combination(v, n, 1, 3, 1000, pick, &np);
	CHECK_INT(r, ALLOC_COMB_NONE);
	r = alloc_combination(v, n, 150000, 3, 100000, pick, &np);
	CHECK(r == ALLOC_COMB_BUDGET || r == ALLOC_COMB_MANY);
	free(v);
}

static void
test_tolerance(void)
{
	struct alloc_config c;

	alloc_config_defaults(&c);
	CHECK_INT(alloc_tolerance(&c, 2, 64000), 500);	/* 5.00 */
	CHECK_INT(alloc_tolerance(&c, 0, 64000), 5);	/* JPY 5 */
	CHECK_INT(alloc_tolerance(&c, 3, 64000), 5000);	/* BHD 5.000 */
	c.tolerance_pct = 5000;				/* 0.5 % */
	CHECK_INT(alloc_tolerance(&c, 2, 64000), 320);	/* 3.20 < 5.00 */
	CHECK_INT(alloc_tolerance(&c, 2, 1000000), 500);	/* 50.00 > 5 */
	CHECK_INT(alloc_tolerance(&c, 2, 99), 0);	/* 0.495 rounds to 0 */
	CHECK_INT(alloc_tolerance(&c, 2, 101), 1);	/* half away: 0.505 */
	c.tolerance = 0;
	CHECK_INT(alloc_tolerance(&c, 2, 64000), 0);
}

static void
test_config(void)
{
	static const struct {
		const char *yaml, *msg;
		long line;
	} bad[] = {
		{ "allocation:\n  tolerance: -1\n",
		  "allocation.tolerance: \"-1\" is not a decimal from 0 to "
		  "1000000000", 2 },
		{ "allocation:\n  tolerance: 1.00001\n",
		  "allocation.tolerance: \"1.00001\" is not a decimal from 0 "
		  "to 1000000000", 2 },
		{ "allocation:\n  tolerance_pct: 100.01\n",
		  "allocation.tolerance_pct: \"100.01\" is not a decimal from "
		  "0 to 100 (percent)", 2 },
		{ "allocation:\n  max_combination: 0\n",
		  "allocation.max_combination: 0 is less than 1", 2 },
		{ "allocation:\n  excess: keep\n",
		  "allocation.excess: \"keep\" is not on_account or refund",
		  2 },
		{ "allocation:\n  x: 1\n",
		  "unknown key \"x\" in allocation (known: tolerance, "
		  "tolerance_pct, max_combination, combination_items, "
		  "not_due, excess)", 2 },
		{ "allocation: [1]\n",
		  "allocation: expected a map of settings", 1 },
	};
	struct client_config cc;
	struct alloc_config c;
	struct diag d;
	const char *good = "allocation:\n  tolerance: 2.5\n"
	    "  tolerance_pct: 100\n  max_combination: 4\n"
	    "  combination_items: 0\n  not_due: no\n  excess: refund\n";

	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		diag_clear(&d);
		CHECK_INT(config_load_string(bad[i].yaml,
		    strlen(bad[i].yaml), &cc, &d), 0);
		CHECK_INT(alloc_config_read(cc.root, &c, &d), -1);
		CHECK_STR(d.msg, bad[i].msg);
		CHECK_INT(d.line, bad[i].line);
		config_free(&cc);
	}
	diag_clear(&d);
	CHECK_INT(config_load_string(good, strlen(good), &cc, &d), 0);
	CHECK_INT(alloc_config_read(cc.root, &c, &d), 0);
	CHECK_INT(c.tolerance, 25000);
	CHECK_INT(c.tolerance_pct, 1000000);
	CHECK_INT(c.max_combination, 4);
	CHECK_INT(c.combination_items, 0);
	CHECK_INT(c.not_due, 0);
	CHECK_INT(c.refund, 1);
	config_free(&cc);
	/* No section: the defaults. */
	CHECK_INT(alloc_config_read(NULL, &c, &d), 0);
	CHECK_INT(c.tolerance, 50000);
	CHECK_INT(c.tolerance_pct, -1);
	CHECK_INT(c.max_combination, 3);
	CHECK_INT(c.not_due, 1);
	CHECK_INT(c.refund, 0);
}

int
main(void)
{
	T_RUN(test_ref_keys);
	T_RUN(test_ref_cap);
	T_RUN(test_rf);
	T_RUN(test_combination);
	T_RUN(test_combination_bounded);
	T_RUN(test_tolerance);
	T_RUN(test_config);
	return T_DONE();
}

/*
 * test_hmap: the string map.  Keys are byte strings (pointer and length),
 * so the empty key, prefixes of one another and every byte value are
 * distinct keys; a million keys push the table through its growth and
 * the iteration must still be in insertion order.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "t.h"
#include "hmap.h"
#include "util.h"

#define K(s) s, sizeof(s) - 1

/* Operations in order on one map: put (want: created?) or get (want:
 * present?); every put adds its step number to the key's value. */
static const struct {
	char op;
	const char *key;
	size_t len;
	int want;
} ops[] = {
	{ 'g', K(""), 0 },
	{ 'p', K(""), 1 },
	{ 'g', K(""), 1 },
	{ 'p', K(""), 0 },
	{ 'g', K("a"), 0 },
	{ 'p', K("a"), 1 },
	{ 'p', K("ab"), 1 },
	{ 'p', K("abc"), 1 },
	{ 'g', K("abcd"), 0 },
	{ 'p', K("b"), 1 },
	{ 'p', K("A"), 1 },
	{ 'p', K("a"), 0 },
	{ 'p', K("\xff"), 1 },
	{ 'p', K("\xff\xfe"), 1 },
	{ 'p', K("\x01"), 1 },
	{ 'g', K("\x01"), 1 },
	{ 'p', K("a\0b"), 1 },	/* a NUL inside: its own key */
	{ 'p', K("a\0c"), 1 },
	{ 'g', K("a\0b"), 1 },
	{ 'g', K("a\0"), 0 },
	{ 'p', K("caf\xC3\xA9"), 1 },
	{ 'g', K("caf\xC3\xA9"), 1 },
	{ 'g', K("cafe"), 0 },
};

static void
test_ops(void)
{
	struct hmap *m = hmap_new();
	size_t nops = sizeof ops / sizeof ops[0], created_n = 0;
	int64_t sum[sizeof ops / sizeof ops[0]] = { 0 };

	CHECK_INT(hmap_count(m), 0);
	for (size_t i = 0; i < nops; i++) {
		int64_t *v;
		int created = -1;

		if (ops[i].op == 'g') {
			v = hmap_get(m, ops[i].key, ops[i].len);
			if ((v != NULL) != ops[i].want)
				printf("#   step %zu\n", i);
			CHECK_INT(v != NULL, ops[i].want);
			continue;
		}
		v = hmap_put(m, ops[i].key, ops[i].len, &created);
		if (created != ops[i].want)
			printf("#   step %zu\n", i);
		CHECK_INT(created, ops[i].want);
		CHECK(v != NULL);
		if (created)
			CHECK_INT(*v, 0);
		*v += (int64_t)i;
		created_n += created == 1;
	}
	CHECK_INT(hmap_count(m), created_n);

	/* The values and the order of first insertion. */
	for (size_t i = 0, k = 0; i < nops; i++) {
		if (ops[i].op != 'p' || !ops[i].want)
			continue;
		for (size_t j = 0; j < nops; j++)
			if (ops[j].op == 'p' && ops[j].len == ops[i].len &&
			    memcmp(ops[j].key, ops[i].key, ops[i].len) == 0)
				sum[i] += (int64_t)j;
		{
			size_t len = 99;
			const char *key = hmap_key(m, k, &len);

			CHECK_INT(len, ops[i].len);
			CHECK(memcmp(key, ops[i].key, len) == 0);
			CHECK(key[len] == '\0');
			CHECK_INT(hmap_value(m, k), sum[i]);
			CHECK_INT(*hmap_get(m, ops[i].key, ops[i].len), sum[i]);
		}
		k++;
	}
	/* NULL with length 0 is the empty key; keylen may be NULL. */
	CHECK(hmap_get(m, NULL, 0) == hmap_get(m, "", 0));
	CHECK_STR(hmap_key(m, 0, NULL), "");
	CHECK(hmap_put(m, "a", 1, NULL) == hmap_get(m, "a", 1));
	hmap_free(m);
	hmap_free(NULL);
}

/* Every one- and two-byte key of bytes 1..255: 65,280 keys, all
 * distinct, found again, in order. */
static void
test_binary_keys(void)
{
	struct hmap *m = hmap_new();
	int bad = 0;
	int64_t n = 0;

	for (int a = 1; a < 256; a++) {
		char k1[1] = { (char)a };

		*hmap_put(m, k1, 1, NULL) = n++;
		for (int b = 1; b < 256; b++) {
			char k2[2] = { (char)a, (char)b };
			int created;

			*hmap_put(m, k2, 2, &created) = n++;
			if (!created)
				bad++;
		}
	}
	CHECK_INT(bad, 0);
	CHECK_INT(hmap_count(m), 255 * 256);
	for (size_t i = 0; i < hmap_count(m); i++) {
		size_t len;
		const char *key = hmap_key(m, i, &len);
		int64_t *v = hmap_get(m, key, len);

		if (v == NULL || *v != (int64_t)i || hmap_value(m, i) !=
		    (int64_t)i || len != (i % 256 == 0 ? 1u : 2u))
			bad++;
	}
	CHECK_INT(bad, 0);
	hmap_free(m);
}

static void
test_million(void)
{
	enum { N = 1000000 };
	struct hmap *m = hmap_new();
	char key[32];
	int bad = 0;

	for (int i = 0; i < N; i++) {
		int n = snprintf(key, sizeof key, "debtor-%d", i);
		int created;
		int64_t *v = hmap_put(m, key, (size_t)n, &created);

		if (!created)
			bad++;
		*v = (int64_t)i * 3;
	}
	CHECK_INT(bad, 0);
	CHECK_INT(hmap_count(m), N);
	for (int i = 0; i < N; i++) {
		int n = snprintf(key, sizeof key, "debtor-%d", i);
		int64_t *v = hmap_get(m, key, (size_t)n);
		int created;

		if (v == NULL || *v != (int64_t)i * 3)
			bad++;
		if (hmap_put(m, key, (size_t)n, &created) != v || created)
			bad++;
		/* Absent: a key with a different tail. */
		n = snprintf(key, sizeof key, "debtor-%d-", i);
		if (hmap_get(m, key, (size_t)n) != NULL)
			bad++;
	}
	CHECK_INT(bad, 0);
	CHECK_INT(hmap_count(m), N);
	for (size_t i = 0; i < N; i++) {
		size_t len;
		const char *k = hmap_key(m, i, &len);
		int n = snprintf(key, sizeof key, "debtor-%zu", i);

		if (len != (size_t)n || strcmp(k, key) != 0 ||
		    hmap_value(m, i) != (int64_t)i * 3)
			bad++;
	}
	CHECK_INT(bad, 0);
	hmap_free(m);
}

/* Long keys and values at the int64 limits. */
static void
test_long_keys(void)
{
	struct hmap *m = hmap_new();
	size_t n = 100000;
	char *big = xmalloc(n);

	memset(big, 'x', n);
	*hmap_put(m, big, n, NULL) = INT64_MAX;
	*hmap_put(m, big, n - 1, NULL) = INT64_MIN;
	CHECK_INT(hmap_count(m), 2);
	CHECK(*hmap_get(m, big, n) == INT64_MAX);
	CHECK(*hmap_get(m, big, n - 1) == INT64_MIN);
	big[n / 2] = 'y';
	CHECK(hmap_get(m, big, n) == NULL);
	CHECK(hmap_get(m, big, n - 1) == NULL);
	free(big);
	hmap_free(m);
}

int
main(void)
{
	T_RUN(test_ops);
	T_RUN(test_binary_keys);
	T_RUN(test_million);
	T_RUN(test_long_keys);
	return T_DONE();
}

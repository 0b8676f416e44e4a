/*
 * test_sha256: the FIPS 180-4 example messages, lengths around the
 * padding boundaries (55/56/63/64 bytes, where the length field does or
 * does not fit in the last block), and every input fed at every chunk
 * size from 1 to 130, which finds block-boundary bugs (libcsv's trick).
 * All of it twice: with the CPU's SHA instructions where it has them,
 * then with the portable rounds.
 */
#include <stdlib.h>
#include <string.h>

#include "t.h"
#include "sha256.h"
#include "util.h"

static const struct {
	const char *msg;	/* NULL: count times 'a' */
	size_t count;
	const char *hex;
} vectors[] = {
	{ "", 0,
	  "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855" },
	{ "abc", 0,
	  "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad" },
	{ "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", 0,
	  "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1" },
	{ "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmn"
	  "hijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu", 0,
	  "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1" },
	{ NULL, 1,
	  "ca978112ca1bbdcafac231b39a23dc4da786eff8147c4e72b9807785afee48bb" },
	{ NULL, 55,
	  "9f4390f8d30c2dd92ec9f095b65e2b9ae9b0a925a5258e241c9f1e910f734318" },
	{ NULL, 56,
	  "b35439a4ac6f0948b6d6f9e3c6af0f5f590ce20f1bde7090ef7970686ec6738a" },
	{ NULL, 57,
	  "f13b2d724659eb3bf47f2dd6af1accc87b81f09f59f2b75e5c0bed6589dfe8c6" },
	{ NULL, 63,
	  "7d3e74a05d7db15bce4ad9ec0658ea98e3f06eeecf16b4c6fff2da457ddc2f34" },
	{ NULL, 64,
	  "ffe054fe7ae0cb6dc65c3af9b61d5209f439851db43d0ba5997337df154668eb" },
	{ NULL, 65,
	  "635361c48bb9eab14198e76ea8ab7f1a41685d6ad62aa9146d301d4f17eb0ae0" },
	{ NULL, 119,
	  "31eba51c313a5c08226adf18d4a359cfdfd8d2e816b13f4af952f7ea6584dcfb" },
	{ NULL, 120,
	  "2f3d335432c70b580af0e8e1b3674a7c020d683aa5f73aaaedfdc55af904c21c" },
	{ NULL, 128,
	  "6836cf13bac400e9105071cd6af47084dfacad4e5e302c94bfed24e013afb73e" },
	{ NULL, 1000000,
	  "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0" },
};

#define NVEC (sizeof vectors / sizeof vectors[0])

/* The message of vector i, allocated; its length in *n. */
static char *
message(size_t i, size_t *n)
{
	char *m;

	if (vectors[i].msg != NULL) {
		*n = strlen(vectors[i].msg);
		return xstrndup(vectors[i].msg, *n);
	}
	*n = vectors[i].count;
	m = xmalloc(*n);
	memset(m, 'a', *n);
	return m;
}

/* hash: m[0..n) fed chunk bytes at a time (0: all at once). */
static void
hash(const char *m, size_t n, size_t chunk, char out[65])
{
	struct sha256 s;

	sha256_init(&s);
	if (chunk == 0)
		chunk = n;
	for (size_t off = 0; off < n; off += chunk)
		sha256_update(&s, m + off, n - off < chunk ? n - off : chunk);
	sha256_hex(&s, out);
}

static void
test_vectors(void)
{
	char out[65];

	for (size_t i = 0; i < NVEC; i++) {
		size_t n;
		char *m = message(i, &n);

		hash(m, n, 0, out);
		CHECK_STR(out, vectors[i].hex);
		free(m);
	}
}

static void
test_chunks(void)
{
	char out[65];

	for (size_t i = 0; i < NVEC; i++) {
		size_t n;
		char *m = message(i, &n);
		int bad = 0;

		for (size_t chunk = 1; chunk <= 130; chunk++) {
			/* The million bytes at 130 sizes take seconds under
			 * the sanitizers; the sizes around a block suffice
			 * there, the short vectors get all of them. */
			if (n > 1000 && !(chunk <= 3 || (chunk >= 63 &&
			    chunk <= 65) || chunk >= 127))
				continue;
			hash(m, n, chunk, out);
			if (strcmp(out, vectors[i].hex) != 0) {
				printf("#   vector %zu chunk %zu: %s\n", i,
				    chunk, out);
				bad++;
			}
		}
		CHECK_INT(bad, 0);
		free(m);
	}
}

/* Every length 0..300 of a non-repeating message: chunked equals whole,
 * and zero-length updates (with a NULL pointer) change nothing. */
static void
test_lengths(void)
{
	unsigned char m[1280];
	char whole[65], part[65];
	int bad = 0;

	for (size_t i = 0; i < sizeof m; i++)
		m[i] = (unsigned char)i;
	for (size_t n = 0; n <= 300; n++) {
		hash((const char *)m, n, 0, whole);
		for (size_t chunk = 1; chunk <= 130; chunk++) {
			struct sha256 s;

			sha256_init(&s);
			for (size_t off = 0; off < n; off += chunk) {
				sha256_update(&s, m + off, n - off < chunk ?
				    n - off : chunk);
				sha256_update(&s, NULL, 0);
			}
			sha256_hex(&s, part);
			if (strcmp(whole, part) != 0)
				bad++;
		}
	}
	CHECK_INT(bad, 0);
	/* All 256 byte values, five times over (a reference from another
	 * implementation). */
	hash((const char *)m, sizeof m, 0, whole);
	CHECK_STR(whole,
	    "d414b085826eb06778483ba35564dc849e643359f69ed9747878ba6e54985bed");
}

static void
test_reuse(void)
{
	struct sha256 s;
	char out[65];

	sha256_init(&s);
	sha256_update(&s, "abc", 3);
	sha256_hex(&s, out);
	sha256_init(&s);
	sha256_hex(&s, out);
	CHECK_STR(out,
	    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	CHECK_INT(strlen(out), 64);
}

int
main(void)
{
	T_RUN(test_vectors);
	T_RUN(test_chunks);
	T_RUN(test_lengths);
	T_RUN(test_reuse);
	sha256_plain_only();
	T_RUN(test_vectors);
	T_RUN(test_chunks);
	T_RUN(test_lengths);
	T_RUN(test_reuse);
	return T_DONE();
}

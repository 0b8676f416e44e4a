/*
 * sha256: FIPS 180-4 SHA-256, written out plainly so that the batch hash
 * of an ingested file needs no crypto library.  The plain rounds cost
 * about 60 instructions a byte, a tenth of ingest-invoices' whole work on
 * a large export, so where the CPU has the SHA extensions (x86-64 since
 * about 2017) their instructions do the rounds instead, a dozen times
 * faster; the plain code stays for every other machine.
 */
#include <stdint.h>
#include <string.h>

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <cpuid.h>
#include <immintrin.h>
#define SHA256_NI 1
#endif

#include "sha256.h"
#include "util.h"

static const uint32_t K[64] = {
	0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5,
	0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
	0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3,
	0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
	0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc,
	0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
	0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7,
	0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
	0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13,
	0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
	0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3,
	0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
	0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5,
	0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
	0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208,
	0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
};

static uint32_t
ror(uint32_t x, unsigned n)
{
	return x >> n | x << (32 - n);
}

static void
compress(uint32_t h[8], const unsigned char *p)
{
	uint32_t w[64], a, b, c, d, e, f, g, k;

	for (int i = 0; i < 16; i++)
		w[i] = (uint32_t)p[4 * i] << 24 | (uint32_t)p[4 * i + 1] << 16 |
		    (uint32_t)p[4 * i + 2] << 8 | (uint32_t)p[4 * i + 3];
	for (int i = 16; i < 64; i++) {
		uint32_t s0 = ror(w[i - 15], 7) ^ ror(w[i - 15], 18) ^
		    w[i - 15] >> 3;
		uint32_t s1 = ror(w[i - 2], 17) ^ ror(w[i - 2], 19) ^
		    w[i - 2] >> 10;

		w[i] = w[i - 16] + s0 + w[i - 7] + s1;
	}
	a = h[0]; b = h[1]; c = h[2]; d = h[3];
	e = h[4]; f = h[5]; g = h[6]; k = h[7];
	for (int i = 0; i < 64; i++) {
		uint32_t t1 = k + (ror(e, 6) ^ ror(e, 11) ^ ror(e, 25)) +
		    ((e & f) ^ (~e & g)) + K[i] + w[i];
		uint32_t t2 = (ror(a, 2) ^ ror(a, 13) ^ ror(a, 22)) +
		    ((a & b) ^ (a & c) ^ (b & c));

		k = g; g = f; f = e; e = d + t1;
		d = c; c = b; b = a; a = t1 + t2;
	}
	h[0] += a; h[1] += b; h[2] += c; h[3] += d;
	h[4] += e; h[5] += f; h[6] += g; h[7] += k;
}

#ifdef SHA256_NI
/*
 * compress_ni: n blocks at p with the SHA extensions.  The instructions
 * hold the state as (A, B, E, F) and (C, D, G, H); two rounds per
 * sha256rnds2, four message words per step of the schedule.
 */
__attribute__((target("sha,ssse3,sse4.1")))
static void
compress_ni(uint32_t h[8], const unsigned char *p, size_t n)
{
	const __m128i bswap = _mm_set_epi64x(0x0c0d0e0f08090a0bLL,
	    0x0405060700010203LL);
	__m128i abef, cdgh, t, wk, m[4];

	t = _mm_shuffle_epi32(_mm_loadu_si128((const void *)&h[0]), 0xB1);
	cdgh = _mm_shuffle_epi32(_mm_loadu_si128((const void *)&h[4]), 0x1B);
	abef = _mm_alignr_epi8(t, cdgh, 8);
	cdgh = _mm_blend_epi16(cdgh, t, 0xF0);
	for (; n > 0; n--, p += 64) {
		__m128i abef0 = abef, cdgh0 = cdgh;

#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC unroll 16
#endif
		for (int j = 0; j < 16; j++) {
			if (j < 4) {
				m[j] = _mm_shuffle_epi8(_mm_loadu_si128(
				    (const void *)(p + 16 * j)), bswap);
			} else {
				/* m[j & 3] holds words 4j-16.., the others
				 * the three groups after it. */
				t = _mm_sha256msg1_epu32(m[j & 3],
				    m[(j + 1) & 3]);
				t = _mm_add_epi32(t, _mm_alignr_epi8(
				    m[(j + 3) & 3], m[(j + 2) & 3], 4));
				m[j & 3] = _mm_sha256msg2_epu32(t,
				    m[(j + 3) & 3]);
			}
			wk = _mm_add_epi32(m[j & 3],
			    _mm_loadu_si128((const void *)&K[4 * j]));
			cdgh = _mm_sha256rnds2_epu32(cdgh, abef, wk);
			wk = _mm_shuffle_epi32(wk, 0x0E);
			abef = _mm_sha256rnds2_epu32(abef, cdgh, wk);
		}
		abef = _mm_add_epi32(abef, abef0);
		cdgh = _mm_add_epi32(cdgh, cdgh0);
	}
	t = _mm_shuffle_epi32(abef, 0x1B);
	cdgh = _mm_shuffle_epi32(cdgh, 0xB1);
	_mm_storeu_si128((void *)&h[0], _mm_blend_epi16(t, cdgh, 0xF0));
	_mm_storeu_si128((void *)&h[4], _mm_alignr_epi8(cdgh, t, 8));
}

/* -1 not asked yet, 0 no, 1 yes; sha256_plain_only sets 0 for tests. */
static int have_ni = -1;

static int
cpu_has_ni(void)
{
	unsigned a, b, c, d;

	if (have_ni < 0) {
		have_ni = 0;
		if (__get_cpuid(1, &a, &b, &c, &d) && (c & bit_SSSE3) &&
		    (c & bit_SSE4_1) && __get_cpuid_count(7, 0, &a, &b, &c,
		    &d) && (b & (1u << 29)))
			have_ni = 1;
	}
	return have_ni;
}
#endif

/* blocks: n whole blocks at p into h, by whichever code the CPU has. */
static void
blocks(uint32_t h[8], const unsigned char *p, size_t n)
{
#ifdef SHA256_NI
	if (cpu_has_ni()) {
		compress_ni(h, p, n);
		return;
	}
#endif
	for (; n > 0; n--, p += 64)
		compress(h, p);
}

void
sha256_plain_only(void)
{
#ifdef SHA256_NI
	have_ni = 0;
#endif
}

void
sha256_init(struct sha256 *s)
{
	static const uint32_t iv[8] = {
		0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
		0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
	};

	memcpy(s->h, iv, sizeof iv);
	s->len = 0;
	s->fill = 0;
}

void
sha256_update(struct sha256 *s, const void *data, size_t n)
{
	const unsigned char *p = data;

	if (n == 0)
		return;		/* data may be NULL then */
	s->len += n;
	if (s->fill > 0) {
		size_t take = 64 - s->fill < n ? 64 - s->fill : n;

		memcpy(s->block + s->fill, p, take);
		s->fill += take;
		p += take;
		n -= take;
		if (s->fill < 64)
			return;
		blocks(s->h, s->block, 1);
		s->fill = 0;
	}
	/* Whole blocks straight from the caller's memory. */
	blocks(s->h, p, n / 64);
	p += n / 64 * 64;
	n %= 64;
	if (n > 0)
		memcpy(s->block, p, n);
	s->fill = n;
}

/* Finishes the hash: s is spent afterwards, sha256_init it to reuse it. */
void
sha256_hex(struct sha256 *s, char out[65])
{
	static const char hex[] = "0123456789abcdef";
	uint64_t bits = s->len * 8;

	s->block[s->fill++] = 0x80;
	if (s->fill > 56) {
		memset(s->block + s->fill, 0, 64 - s->fill);
		blocks(s->h, s->block, 1);
		s->fill = 0;
	}
	memset(s->block + s->fill, 0, 56 - s->fill);
	for (int i = 0; i < 8; i++)
		s->block[56 + i] = (unsigned char)(bits >> (56 - 8 * i));
	blocks(s->h, s->block, 1);
	s->fill = 0;
	for (int i = 0; i < 8; i++)
		for (int j = 0; j < 8; j++)
			out[8 * i + j] = hex[s->h[i] >> (28 - 4 * j) & 0xf];
	out[64] = '\0';
}

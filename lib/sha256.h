/*
 * sha256: FIPS 180-4 SHA-256, for the batch record of every ingested file
 * (the same file twice is recognised by its hash).
 */
#ifndef CK_SHA256_H
#define CK_SHA256_H

#include <stddef.h>
#include <stdint.h>

struct sha256 {
	uint32_t h[8];
	uint64_t len;		/* bytes so far */
	unsigned char block[64];
	size_t fill;
};

void sha256_init(struct sha256 *s);
void sha256_update(struct sha256 *s, const void *data, size_t n);
/* sha256_hex: finishes and writes 64 lowercase hex digits and a NUL. */
void sha256_hex(struct sha256 *s, char out[65]);
/* sha256_plain_only: the portable rounds from now on, even where the CPU
 * has SHA instructions (for tests of that code). */
void sha256_plain_only(void);

#endif

/*
 * hmap: the string-keyed map of hmap.h.  Three arrays:
 *
 *   entries  one per key in insertion order (hash, key offset and length,
 *            value), which is what iteration walks and what a slot
 *            pointer points into;
 *   arena    the keys, each followed by a NUL so hmap_key is a string;
 *            entries hold offsets, since the arena moves as it grows;
 *   slots    the open-addressing table, linear probing, a power of two
 *            kept at most 5/8 full; a slot holds an entry index + 1 (0 is
 *            empty) and 32 more bits of the hash, so a probe rarely
 *            touches an entry or a key that is not the one sought.
 *
 * Pointers handed out (hmap_get and hmap_put slots, hmap_key strings) are
 * invalidated by the next hmap_put, which may move entries and arena.
 * There is no delete: the tools build a map, use it and free it.
 *
 * The hash is FNV-1a, then a 64-bit finaliser so that the low bits that
 * pick the slot depend on every byte.  It is not keyed: a file crafted to
 * collide can make lookups slow (never wrong).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "hmap.h"
#include "util.h"

struct slot {
	uint32_t tag;		/* high half of the hash */
	uint32_t idx;		/* entry index + 1; 0 for an empty slot */
};

struct entry {
	uint64_t hash;
	size_t off;		/* of the key in the arena */
	size_t len;
	int64_t val;
};

struct hmap {
	struct slot *slots;
	size_t mask;		/* number of slots - 1 */
	struct entry *ents;
	size_t n, ecap;
	struct sbuf arena;
};

#define HMAP_MIN_SLOTS 16

static uint64_t
hash_key(const char *key, size_t len)
{
	const unsigned char *p = (const unsigned char *)key;
	uint64_t h = UINT64_C(0xcbf29ce484222325);

	for (size_t i = 0; i < len; i++) {
		h ^= p[i];
		h *= UINT64_C(0x100000001b3);
	}
	/* MurmurHash3's fmix64: FNV's low bits alone probe badly. */
	h ^= h >> 33;
	h *= UINT64_C(0xff51afd7ed558ccd);
	h ^= h >> 33;
	h *= UINT64_C(0xc4ceb9fe1a85ec53);
	h ^= h >> 33;
	return h;
}

struct hmap *
hmap_new(void)
{
	struct hmap *m = xcalloc(1, sizeof *m);

	m->slots = xcalloc(HMAP_MIN_SLOTS, sizeof *m->slots);
	m->mask = HMAP_MIN_SLOTS - 1;
	return m;
}

void
hmap_free(struct hmap *m)
{
	if (m == NULL)
		return;
	free(m->slots);
	free(m->ents);
	sbuf_free(&m->arena);
	free(m);
}

size_t
hmap_count(const struct hmap *m)
{
	return m->n;
}

/*
 * find: the position of key's slot if it is there, else of the empty
 * slot where it would go; *found says which.
 */
static size_t
find(const struct hmap *m, const char *key, size_t len, uint64_t h,
    int *found)
{
	uint32_t tag = (uint32_t)(h >> 32);
	size_t i = (size_t)h & m->mask;

	for (;; i = (i + 1) & m->mask) {
		const struct slot *s = &m->slots[i];
		const struct entry *e;

		if (s->idx == 0) {
			*found = 0;
			return i;
		}
		if (s->tag != tag)
			continue;
		e = &m->ents[s->idx - 1];
		if (e->hash == h && e->len == len && (len == 0 ||
		    memcmp(m->arena.buf + e->off, key, len) == 0)) {
			*found = 1;
			return i;
		}
	}
}

static void
grow(struct hmap *m)
{
	size_t nslots = (m->mask + 1) * 2;

	free(m->slots);
	m->slots = xcalloc(nslots, sizeof *m->slots);
	m->mask = nslots - 1;
	/* Keys are distinct, so each goes to the first empty slot. */
	for (size_t k = 0; k < m->n; k++) {
		size_t i = (size_t)m->ents[k].hash & m->mask;

		while (m->slots[i].idx != 0)
			i = (i + 1) & m->mask;
		m->slots[i].tag = (uint32_t)(m->ents[k].hash >> 32);
		m->slots[i].idx = (uint32_t)(k + 1);
	}
}

int64_t *
hmap_get(const struct hmap *m, const char *key, size_t keylen)
{
	int found;
	size_t i = find(m, key, keylen, hash_key(key, keylen), &found);

	return found ? &m->ents[m->slots[i].idx - 1].val : NULL;
}

int64_t *
hmap_put(struct hmap *m, const char *key, size_t keylen, int *created)
{
	uint64_t h = hash_key(key, keylen);
	int found;
	size_t i = find(m, key, keylen, h, &found);
	struct entry *e;

	if (created != NULL)
		*created = !found;
	if (found)
		return &m->ents[m->slots[i].idx - 1].val;

	/* A slot holds a 32-bit index; four billion keys would not fit in
	 * memory anyway, so die the way every allocation failure does. */
	if (m->n >= UINT32_MAX - 1)
		xreallocarray(NULL, SIZE_MAX, 2);
	if ((m->n + 1) * 8 > (m->mask + 1) * 5) {
		grow(m);
		i = find(m, key, keylen, h, &found);
	}
	if (m->n == m->ecap) {
		m->ecap = m->ecap ? m->ecap * 2 : 16;
		m->ents = xreallocarray(m->ents, m->ecap, sizeof *m->ents);
	}
	e = &m->ents[m->n];
	e->hash = h;
	e->off = m->arena.len;
	e->len = keylen;
	e->val = 0;
	sbuf_add(&m->arena, key, keylen);
	sbuf_addc(&m->arena, '\0');
	m->n++;
	m->slots[i].tag = (uint32_t)(h >> 32);
	m->slots[i].idx = (uint32_t)m->n;
	return &e->val;
}

const char *
hmap_key(const struct hmap *m, size_t i, size_t *keylen)
{
	if (keylen != NULL)
		*keylen = m->ents[i].len;
	return m->arena.buf + m->ents[i].off;
}

int64_t
hmap_value(const struct hmap *m, size_t i)
{
	return m->ents[i].val;
}

/*
 * hmap: a string-keyed hash map (open addressing, linear probing) from a
 * key to an int64_t value or a pointer, for the lookups that must not go
 * to SQLite once per row: debtor ids during ingest, groups during aging.
 * Keys are copied into the map's own arena.
 */
#ifndef CK_HMAP_H
#define CK_HMAP_H

#include <stddef.h>
#include <stdint.h>

struct hmap;	/* opaque */

struct hmap *hmap_new(void);
void hmap_free(struct hmap *m);
size_t hmap_count(const struct hmap *m);

/*
 * Keys are byte strings (key may be NULL when keylen is 0).  A slot
 * pointer, like a hmap_key string, is valid only until the next hmap_put,
 * which may move the map's storage: store values, not slot pointers.
 */

/* hmap_get: the slot of key, or NULL when absent. */
int64_t *hmap_get(const struct hmap *m, const char *key, size_t keylen);
/* hmap_put: the slot of key, created with value 0 if absent (*created
 * says which; created may be NULL). */
int64_t *hmap_put(struct hmap *m, const char *key, size_t keylen,
    int *created);

/* Iteration in insertion order: i from 0 to hmap_count()-1. */
const char *hmap_key(const struct hmap *m, size_t i, size_t *keylen);
int64_t hmap_value(const struct hmap *m, size_t i);

#endif

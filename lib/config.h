/*
 * config: the client's YAML configuration, read through libyaml.
 *
 * Two layers.  cfg_* is a generic tree of the YAML (maps, sequences,
 * scalars, each with its 1-based line) with checked readers that report
 * the dotted key and the line of a bad value; any module that owns a
 * section of the file (chase paths, branding, KPI targets) reads its own
 * subtree with them.  config_* fills struct client_config with today's
 * sections (client, input, aging) and keeps the whole tree in c->root for
 * the sections later modules own.
 *
 * Kept simple and safe: one document per file, aliases rejected (no
 * billion laughs, no shared subtrees), keys must be scalars, a key twice
 * in one map is an error, nesting is limited.  Messages follow diag.h:
 * no file name, the line in d->line, the key first ("aging.buckets:
 * values must increase").
 */
#ifndef CK_CONFIG_H
#define CK_CONFIG_H

#include <stddef.h>
#include "date.h"
#include "diag.h"
#include "money.h"

enum cfg_kind {
	CFG_SCALAR,
	CFG_MAP,
	CFG_SEQ
};

struct cfg_node {
	enum cfg_kind kind;
	long line;			/* 1-based */
	char *value;			/* CFG_SCALAR: NUL-terminated text;
					   NULL for a YAML null (empty, ~,
					   null), which readers treat as
					   not given */
	size_t n;			/* CFG_MAP, CFG_SEQ: item count */
	char **keys;			/* CFG_MAP: the n keys */
	long *key_lines;		/* CFG_MAP: the line of each key */
	struct cfg_node **items;	/* CFG_MAP, CFG_SEQ: the n values */
};

/*
 * cfg_parse_file, cfg_parse_string: the YAML document in the file at path,
 * or in text[0..n) (name says what the text is; messages do not carry
 * it, the tool adds the file: diag.h).
 * *root is the tree, NULL for an empty document (nothing but comments).
 * Returns 0, or -1 with d set: the file cannot be read (strerror), a
 * YAML syntax error (libyaml's words, its line), more than one document,
 * an alias, a key that is not a scalar, a duplicate key, a NUL byte in a
 * value, nesting deeper than CFG_MAX_DEPTH.
 */
#define CFG_MAX_DEPTH 64
int cfg_parse_file(const char *path, struct cfg_node **root, struct diag *d);
int cfg_parse_string(const char *text, size_t n, const char *name,
    struct cfg_node **root, struct diag *d);
void cfg_free(struct cfg_node *n);

/* cfg_get: the value at key in map; NULL if map is NULL or not a map,
 * or has no such key. */
const struct cfg_node *cfg_get(const struct cfg_node *map, const char *key);

/* cfg_is_null: 1 if n is absent (NULL) or a YAML null. */
int cfg_is_null(const struct cfg_node *n);

/*
 * cfg_check_keys: every key of map is in allowed (NULL-terminated).
 * where names the map for the message ("input"; NULL at the top).
 * Returns 0 (also for a NULL or null map), or -1 with d set, d->line at
 * the key: unknown key "delimitr" in input (known: date_format, ...).
 */
int cfg_check_keys(const struct cfg_node *map, const char *const *allowed,
    const char *where, struct diag *d);

/*
 * Typed readers of one node.  what is the dotted key for messages
 * ("aging.buckets").  Each returns 1 with *out set, 0 if n is absent or
 * null (*out untouched), or -1 with d set (d->line at the value):
 *   cfg_to_str: a scalar; *out points into the tree.
 *   cfg_to_int: a decimal integer in [min, max].
 *   cfg_to_bool: true/false/yes/no, any case; *out 1 or 0.
 */
int cfg_to_str(const struct cfg_node *n, const char *what, const char **out,
    struct diag *d);
int cfg_to_int(const struct cfg_node *n, const char *what, long long min,
    long long max, long long *out, struct diag *d);
int cfg_to_bool(const struct cfg_node *n, const char *what, int *out,
    struct diag *d);

/* The same, for key in map; where is the map's dotted name (NULL at the
 * top) and makes "where.key" for messages. */
int cfg_get_str(const struct cfg_node *map, const char *where,
    const char *key, const char **out, struct diag *d);
int cfg_get_int(const struct cfg_node *map, const char *where,
    const char *key, long long min, long long max, long long *out,
    struct diag *d);
int cfg_get_bool(const struct cfg_node *map, const char *where,
    const char *key, int *out, struct diag *d);

/* The client's configuration as today's tools read it. */

#define CONFIG_MAX_BUCKETS 12
#define CONFIG_MAX_BUCKET_DAYS 36500	/* a hundred years, as aging */

enum config_basis {
	CONFIG_BASIS_DUE,	/* days past the due date */
	CONFIG_BASIS_INVOICE	/* days since the invoice date */
};

struct client_config {
	struct {
		char *id;			/* which client the state belongs
						   to ([A-Za-z0-9_-]{1,64}): a
						   state of another id is
						   refused; NULL if not given */
		long id_line;
		char *name;			/* NULL if not given */
		char currency[4];		/* ISO 4217, upper case: GBP */
		char reporting_currency[4];	/* default: currency */
		const char *debtor_type;	/* "business", "sole_trader" or
						   "consumer" (static text) */
		char country[3];		/* ISO 3166 alpha-2: GB */
	} client;
	struct {
		enum date_order date_order;	/* date_format */
		enum money_decimal decimal;
		int delimiter;			/* 0: sniff ("auto") */
		char *encoding;			/* NULL: UTF-8 */
		/* columns: creditkit field -> the export's header text,
		 * not checked here (ingest knows the fields; it reports
		 * a bad one at column_line). */
		size_t ncolumns;
		char **column_field;
		char **column_header;
		long *column_line;
		char *default_terms;		/* "net 30"; NULL if not given */
		long default_terms_line;
		/* types: the export's document type code -> a creditkit
		 * type name, not checked here (ingest knows the names; the
		 * tool reports a bad one at type_line). */
		size_t ntypes;
		char **type_code;
		char **type_name;
		long *type_line;
	} input;
	struct {
		enum config_basis basis;
		size_t nbuckets;		/* 1..CONFIG_MAX_BUCKETS */
		long long buckets[CONFIG_MAX_BUCKETS];	/* increasing */
	} aging;
	struct cfg_node *root;	/* the whole file (NULL if empty or none),
				   for the sections later modules own */
};

/* config_defaults: c as if the file were empty (GBP, business, GB, auto
 * dates, decimal point, sniffed delimiter, UTF-8, buckets 0 30 60 90 120
 * on the due basis).  Overwrites c: config_free a loaded one first. */
void config_defaults(struct client_config *c);

/*
 * config_load: the file at path over the defaults.  Unknown keys are
 * errors, except the top-level sections later modules own (chase, paths,
 * branding, interest, targets, kpi, score, contact, gdpr, export,
 * allocation, bank), which are kept in c->root unchecked.  Returns 0, or
 * -1 with d set (d->line at
 * the bad key or value, the message starting with its dotted key); on
 * failure c holds the defaults again, and config_free is safe either way.
 */
int config_load(const char *path, struct client_config *c, struct diag *d);
/* config_load_string: the same for text[0..n) (tests, embedded configs). */
int config_load_string(const char *text, size_t n, struct client_config *c,
    struct diag *d);
void config_free(struct client_config *c);

/* Names of the enums, as written in the file. */
const char *config_basis_name(enum config_basis b);

#endif

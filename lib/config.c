/*
 * config: the YAML tree built from libyaml's events, its checked
 * readers, and the client configuration of today's tools.
 *
 * The event API rather than libyaml's document API: it lets us refuse an
 * alias the moment it appears (the document loader would expand shared
 * nodes for us), count nesting, and catch a duplicate key with both of
 * its lines, none of which the document API reports.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <yaml.h>

#include "config.h"
#include "clientdir.h"
#include "csvin.h"
#include "util.h"

/* The tree */

struct builder {
	yaml_parser_t p;
	yaml_event_t ev;
	int have_ev;		/* ev holds an event to delete */
	struct diag *d;
	/* The source again, for better messages on the error path. */
	const char *text;
	size_t textlen;
	FILE *fp;
	int reader_error;	/* libyaml knows a byte offset, not a line */
	size_t reader_offset;
	int token_error;	/* perhaps a tab in the indentation */
};

static void
set_line(struct diag *d, long line)
{
	if (d)
		d->line = line;
}

/*
 * quote: s as "text" for a message, cut short, control bytes escaped;
 * values come from the user's file and may be anything.
 */
static const char *
quote(const char *s, struct sbuf *b)
{
	size_t i, n = strlen(s), max = 40;

	sbuf_reset(b);
	sbuf_addc(b, '"');
	if (n > max) {
		/* Do not cut a UTF-8 sequence in two. */
		while (max > 0 && ((unsigned char)s[max] & 0xC0) == 0x80)
			max--;
	}
	for (i = 0; i < n && i < max; i++) {
		unsigned char ch = (unsigned char)s[i];

		if (ch < 0x20 || ch == 0x7F)
			sbuf_addf(b, "\\x%02x", ch);
		else if (ch == '"' || ch == '\\')
			sbuf_addf(b, "\\%c", ch);
		else
			sbuf_addc(b, (char)ch);
	}
	if (i < n)
		sbuf_adds(b, "...");
	sbuf_addc(b, '"');
	return sbuf_str(b);
}

static void
yaml_failed(struct builder *b)
{
	yaml_parser_t *p = &b->p;
	long line;

	switch (p->error) {
	case YAML_MEMORY_ERROR:
		diag_set(b->d, "out of memory");
		set_line(b->d, 0);
		return;
	case YAML_READER_ERROR:
		/* The reader knows a byte offset, not a line; the scanner's
		 * mark is a first guess that refine() improves on. */
		b->reader_error = 1;
		b->reader_offset = p->problem_offset;
		if (p->problem_value != -1)
			diag_set(b->d, "yaml: %s (byte 0x%02x)", p->problem,
			    (unsigned)p->problem_value & 0xFF);
		else
			diag_set(b->d, "yaml: %s", p->problem);
		set_line(b->d, (long)p->mark.line + 1);
		return;
	default:
		break;
	}
	line = (long)p->problem_mark.line + 1;
	b->token_error = p->problem != NULL &&
	    strcmp(p->problem, "found character that cannot start any token")
	    == 0;
	if (p->context != NULL && (long)p->context_mark.line + 1 != line)
		diag_set(b->d, "yaml: %s (%s that began on line %ld)",
		    p->problem ? p->problem : "syntax error", p->context,
		    (long)p->context_mark.line + 1);
	else if (p->context != NULL)
		diag_set(b->d, "yaml: %s (%s)",
		    p->problem ? p->problem : "syntax error", p->context);
	else
		diag_set(b->d, "yaml: %s",
		    p->problem ? p->problem : "syntax error");
	set_line(b->d, line);
}

/* next: the next event into b->ev.  0, or -1 with d set. */
static int
next(struct builder *b)
{
	if (b->have_ev) {
		yaml_event_delete(&b->ev);
		b->have_ev = 0;
	}
	if (!yaml_parser_parse(&b->p, &b->ev)) {
		yaml_failed(b);
		return -1;
	}
	b->have_ev = 1;
	return 0;
}

static long
ev_line(const struct builder *b)
{
	return (long)b->ev.start_mark.line + 1;
}

static struct cfg_node *
node_new(enum cfg_kind kind, long line)
{
	struct cfg_node *n = xcalloc(1, sizeof *n);

	n->kind = kind;
	n->line = line;
	return n;
}

/* A plain empty, ~ or null scalar is YAML's null; quoted it is text. */
static int
is_null_scalar(const yaml_event_t *ev)
{
	const char *v = (const char *)ev->data.scalar.value;

	if (ev->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
		return 0;
	return ev->data.scalar.length == 0 || strcmp(v, "~") == 0 ||
	    strcmp(v, "null") == 0 || strcmp(v, "Null") == 0 ||
	    strcmp(v, "NULL") == 0;
}

static void
add_item(struct cfg_node *n, char *key, long key_line, struct cfg_node *v)
{
	/* Grow to twice the count when the count is 0 or a power of two,
	 * so the arrays always have room for one more. */
	if ((n->n & (n->n - 1)) == 0) {
		size_t cap = n->n ? n->n * 2 : 1;

		n->items = xreallocarray(n->items, cap, sizeof *n->items);
		if (n->kind == CFG_MAP) {
			n->keys = xreallocarray(n->keys, cap, sizeof *n->keys);
			n->key_lines = xreallocarray(n->key_lines, cap,
			    sizeof *n->key_lines);
		}
	}
	if (n->kind == CFG_MAP) {
		n->keys[n->n] = key;
		n->key_lines[n->n] = key_line;
	}
	n->items[n->n++] = v;
}

/*
 * build: the node whose first event is in b->ev, into *out (NULL on
 * failure, nothing leaked).  Returns 0 or -1 with d set.
 */
static int
build(struct builder *b, int depth, struct cfg_node **out)
{
	struct cfg_node *n = NULL, *v;
	yaml_event_t *ev = &b->ev;
	size_t len, i;
	char *key;
	long key_line;

	*out = NULL;
	if (depth > CFG_MAX_DEPTH) {
		diag_set(b->d, "nesting deeper than %d levels", CFG_MAX_DEPTH);
		set_line(b->d, ev_line(b));
		return -1;
	}
	switch (ev->type) {
	case YAML_SCALAR_EVENT:
		n = node_new(CFG_SCALAR, ev_line(b));
		len = ev->data.scalar.length;
		if (memchr(ev->data.scalar.value, '\0', len) != NULL) {
			diag_set(b->d, "a value holds a NUL byte");
			set_line(b->d, n->line);
			goto fail;
		}
		if (!is_null_scalar(ev))
			n->value = xstrndup((const char *)ev->data.scalar.value,
			    len);
		*out = n;
		return 0;
	case YAML_ALIAS_EVENT:
		diag_set(b->d, "aliases (*%s) are not supported: write the "
		    "value out in full", (const char *)ev->data.alias.anchor);
		set_line(b->d, ev_line(b));
		return -1;
	case YAML_SEQUENCE_START_EVENT:
		n = node_new(CFG_SEQ, ev_line(b));
		for (;;) {
			if (next(b) != 0)
				goto fail;
			if (ev->type == YAML_SEQUENCE_END_EVENT)
				break;
			if (build(b, depth + 1, &v) != 0)
				goto fail;
			add_item(n, NULL, 0, v);
		}
		*out = n;
		return 0;
	case YAML_MAPPING_START_EVENT:
		n = node_new(CFG_MAP, ev_line(b));
		for (;;) {
			if (next(b) != 0)
				goto fail;
			if (ev->type == YAML_MAPPING_END_EVENT)
				break;
			key_line = ev_line(b);
			if (ev->type != YAML_SCALAR_EVENT) {
				diag_set(b->d, "a key must be a plain value, "
				    "not a list or a map");
				set_line(b->d, key_line);
				goto fail;
			}
			if (memchr(ev->data.scalar.value, '\0',
			    ev->data.scalar.length) != NULL) {
				diag_set(b->d, "a key holds a NUL byte");
				set_line(b->d, key_line);
				goto fail;
			}
			key = xstrndup((const char *)ev->data.scalar.value,
			    ev->data.scalar.length);
			for (i = 0; i < n->n; i++) {
				struct sbuf q = { 0 };

				if (strcmp(n->keys[i], key) != 0)
					continue;
				diag_set(b->d, "duplicate key %s (first on "
				    "line %ld)", quote(key, &q),
				    n->key_lines[i]);
				set_line(b->d, key_line);
				sbuf_free(&q);
				free(key);
				goto fail;
			}
			if (next(b) != 0 || build(b, depth + 1, &v) != 0) {
				free(key);
				goto fail;
			}
			add_item(n, key, key_line, v);
		}
		*out = n;
		return 0;
	default:
		diag_set(b->d, "yaml: unexpected event");
		set_line(b->d, ev_line(b));
		return -1;
	}
fail:
	cfg_free(n);
	return -1;
}

/* parse: the one document of the stream the parser was set up with. */
static int
parse(struct builder *b, struct cfg_node **root)
{
	struct cfg_node *n = NULL;

	*root = NULL;
	if (next(b) != 0)		/* STREAM-START */
		return -1;
	if (next(b) != 0)
		return -1;
	if (b->ev.type == YAML_STREAM_END_EVENT)
		return 0;		/* nothing but comments */
	/* DOCUMENT-START, then the root node. */
	if (next(b) != 0 || build(b, 1, &n) != 0)
		return -1;
	if (next(b) != 0)		/* DOCUMENT-END */
		goto fail;
	if (next(b) != 0)
		goto fail;
	if (b->ev.type != YAML_STREAM_END_EVENT) {
		diag_set(b->d, "more than one YAML document (---) in the file");
		set_line(b->d, ev_line(b));
		goto fail;
	}
	/* An empty document ("---" alone) is as good as none. */
	if (n->kind == CFG_SCALAR && n->value == NULL) {
		cfg_free(n);
		n = NULL;
	}
	*root = n;
	return 0;
fail:
	cfg_free(n);
	return -1;
}

/* source: the whole input again (error path only; a config is small). */
static const char *
source(struct builder *b, size_t *n, struct sbuf *tmp)
{
	char buf[4096];
	size_t got;

	if (b->fp == NULL) {
		*n = b->textlen;
		return b->text;
	}
	if (fseek(b->fp, 0, SEEK_SET) != 0)
		return NULL;
	clearerr(b->fp);
	while ((got = fread(buf, 1, sizeof buf, b->fp)) > 0)
		sbuf_add(tmp, buf, got);
	*n = tmp->len;
	return sbuf_str(tmp);
}

/* refine_line: hints from the line s[0..n) (up to its end) a syntax
 * error is on. */
static void
refine_line(struct diag *d, const char *s, size_t n, int token_error)
{
	size_t i, len;

	for (i = 0; i < n && (s[i] == ' ' || s[i] == '\t'); i++)
		if (s[i] == '\t' && token_error) {
			diag_set(d, "yaml: a tab in the indentation (YAML "
			    "indents with spaces)");
			return;
		}
	/* "delimiter: ," is the likely one: a comma cannot start a plain
	 * value. */
	for (; i < n && s[i] != '\n' && s[i] != '#'; i++) {
		if (s[i] != ':' || i + 1 >= n || s[i + 1] != ' ')
			continue;
		for (i++; i < n && s[i] == ' '; i++)
			;
		if (i < n && s[i] == ',') {
			len = strlen(d->msg);
			snprintf(d->msg + len, sizeof d->msg - len, "; put "
			    "quotes around a value that starts with a "
			    "comma: \",\"");
		}
		return;
	}
}

/*
 * refine: a failed parse's message made more useful from the source: the
 * line of a reader error (bad UTF-8), and the usual cause of "found
 * character that cannot start any token", a tab in the indentation.
 */
static void
refine(struct builder *b)
{
	struct sbuf tmp = { 0 };
	const char *s;
	size_t n, i;
	long line = 1;

	if (b->d == NULL)
		return;
	if ((s = source(b, &n, &tmp)) == NULL)
		return;
	if (b->reader_error) {
		for (i = 0; i < n && i < b->reader_offset; i++)
			if (s[i] == '\n')
				line++;
		b->d->line = line;
	} else if (b->d->line > 0) {
		for (i = 0; i < n && line < b->d->line; i++)
			if (s[i] == '\n')
				line++;
		refine_line(b->d, s + i, n - i, b->token_error);
	}
	sbuf_free(&tmp);
}

static void
builder_done(struct builder *b)
{
	if (b->have_ev)
		yaml_event_delete(&b->ev);
	yaml_parser_delete(&b->p);
}

int
cfg_parse_string(const char *text, size_t n, const char *name,
    struct cfg_node **root, struct diag *d)
{
	struct builder b;
	int rc;

	(void)name;	/* messages never carry the file name (diag.h) */
	memset(&b, 0, sizeof b);
	b.d = d;
	if (!yaml_parser_initialize(&b.p)) {
		diag_set(d, "out of memory");
		set_line(d, 0);
		return -1;
	}
	yaml_parser_set_input_string(&b.p, (const unsigned char *)text, n);
	b.text = text;
	b.textlen = n;
	rc = parse(&b, root);
	if (rc != 0)
		refine(&b);
	builder_done(&b);
	return rc;
}

int
cfg_parse_file(const char *path, struct cfg_node **root, struct diag *d)
{
	struct builder b;
	FILE *fp;
	int rc;

	*root = NULL;
	if ((fp = fopen(path, "rb")) == NULL) {
		diag_set(d, "%s", strerror(errno));
		set_line(d, 0);
		return -1;
	}
	memset(&b, 0, sizeof b);
	b.d = d;
	if (!yaml_parser_initialize(&b.p)) {
		fclose(fp);
		diag_set(d, "out of memory");
		set_line(d, 0);
		return -1;
	}
	yaml_parser_set_input_file(&b.p, fp);
	b.fp = fp;
	errno = 0;
	rc = parse(&b, root);
	if (ferror(fp)) {
		/* libyaml says "input error"; errno says what it was (a
		 * directory, an I/O error). */
		diag_set(d, "%s", strerror(errno ? errno : EIO));
		set_line(d, 0);
		cfg_free(*root);
		*root = NULL;
		rc = -1;
	} else if (rc != 0) {
		refine(&b);
	}
	builder_done(&b);
	fclose(fp);
	return rc;
}

void
cfg_free(struct cfg_node *n)
{
	size_t i;

	if (n == NULL)
		return;
	for (i = 0; i < n->n; i++) {
		if (n->keys)
			free(n->keys[i]);
		cfg_free(n->items[i]);
	}
	free(n->keys);
	free(n->key_lines);
	free(n->items);
	free(n->value);
	free(n);
}

const struct cfg_node *
cfg_get(const struct cfg_node *map, const char *key)
{
	size_t i;

	if (map == NULL || map->kind != CFG_MAP)
		return NULL;
	for (i = 0; i < map->n; i++)
		if (strcmp(map->keys[i], key) == 0)
			return map->items[i];
	return NULL;
}

int
cfg_is_null(const struct cfg_node *n)
{
	return n == NULL || (n->kind == CFG_SCALAR && n->value == NULL);
}

static int
in_list(const char *s, const char *const *list)
{
	for (; *list; list++)
		if (strcmp(s, *list) == 0)
			return 1;
	return 0;
}

int
cfg_check_keys(const struct cfg_node *map, const char *const *allowed,
    const char *where, struct diag *d)
{
	struct sbuf known = { 0 }, q = { 0 };
	const char *const *a;
	size_t i;

	if (map == NULL || map->kind != CFG_MAP)
		return 0;
	for (i = 0; i < map->n; i++) {
		if (in_list(map->keys[i], allowed))
			continue;
		for (a = allowed; *a; a++)
			sbuf_addf(&known, "%s%s", a == allowed ? "" : ", ", *a);
		diag_set(d, "unknown key %s%s%s (known: %s)",
		    quote(map->keys[i], &q), where ? " in " : "",
		    where ? where : "", sbuf_str(&known));
		set_line(d, map->key_lines[i]);
		sbuf_free(&known);
		sbuf_free(&q);
		return -1;
	}
	return 0;
}

static const char *
kind_name(enum cfg_kind k)
{
	return k == CFG_MAP ? "map" : k == CFG_SEQ ? "list" : "value";
}

int
cfg_to_str(const struct cfg_node *n, const char *what, const char **out,
    struct diag *d)
{
	if (cfg_is_null(n))
		return 0;
	if (n->kind != CFG_SCALAR) {
		diag_set(d, "%s: expected a single value, not a %s", what,
		    kind_name(n->kind));
		set_line(d, n->line);
		return -1;
	}
	*out = n->value;
	return 1;
}

int
cfg_to_int(const struct cfg_node *n, const char *what, long long min,
    long long max, long long *out, struct diag *d)
{
	const char *s, *err;
	struct sbuf q = { 0 };
	long long v;
	int r;

	if ((r = cfg_to_str(n, what, &s, d)) != 1)
		return r;
	if (util_strtonum(s, min, max, &v, &err) == 0) {
		*out = v;
		return 1;
	}
	if (strcmp(err, "too small") == 0)
		diag_set(d, "%s: %s is less than %lld", what, s, min);
	else if (strcmp(err, "too large") == 0)
		diag_set(d, "%s: %s is more than %lld", what, s, max);
	else
		diag_set(d, "%s: %s is not a whole number", what,
		    quote(s, &q));
	set_line(d, n->line);
	sbuf_free(&q);
	return -1;
}

int
cfg_to_bool(const struct cfg_node *n, const char *what, int *out,
    struct diag *d)
{
	const char *s;
	struct sbuf q = { 0 };
	int r;

	if ((r = cfg_to_str(n, what, &s, d)) != 1)
		return r;
	if (util_strcaseeq(s, "true") || util_strcaseeq(s, "yes")) {
		*out = 1;
		return 1;
	}
	if (util_strcaseeq(s, "false") || util_strcaseeq(s, "no")) {
		*out = 0;
		return 1;
	}
	diag_set(d, "%s: %s is not true or false (or yes or no)", what,
	    quote(s, &q));
	set_line(d, n->line);
	sbuf_free(&q);
	return -1;
}

/* The dotted name "where.key" into b. */
static const char *
dotted(const char *where, const char *key, struct sbuf *b)
{
	sbuf_reset(b);
	if (where)
		sbuf_addf(b, "%s.%s", where, key);
	else
		sbuf_adds(b, key);
	return sbuf_str(b);
}

int
cfg_get_str(const struct cfg_node *map, const char *where, const char *key,
    const char **out, struct diag *d)
{
	struct sbuf w = { 0 };
	int r;

	r = cfg_to_str(cfg_get(map, key), dotted(where, key, &w), out, d);
	sbuf_free(&w);
	return r;
}

int
cfg_get_int(const struct cfg_node *map, const char *where, const char *key,
    long long min, long long max, long long *out, struct diag *d)
{
	struct sbuf w = { 0 };
	int r;

	r = cfg_to_int(cfg_get(map, key), dotted(where, key, &w), min, max,
	    out, d);
	sbuf_free(&w);
	return r;
}

int
cfg_get_bool(const struct cfg_node *map, const char *where, const char *key,
    int *out, struct diag *d)
{
	struct sbuf w = { 0 };
	int r;

	r = cfg_to_bool(cfg_get(map, key), dotted(where, key, &w), out, d);
	sbuf_free(&w);
	return r;
}

/* The client configuration */

static const char *const top_keys[] = {
	"client", "input", "aging",
	/* Owned by later modules; kept in c->root unchecked. */
	"chase", "paths", "branding", "interest", "targets", "kpi", "score",
	"contact", "gdpr", "export",
	/* "chase" and "paths": lib/chase.c, build-chasepath */
	"allocation",		/* lib/allocate.c: allocate-payments */
	"bank",		/* bank CSV mapping: lib/bankcsv.c reads it */
	NULL
};
static const char *const client_keys[] = {
	"id", "name", "currency", "reporting_currency", "debtor_type", "country",
	NULL
};
static const char *const input_keys[] = {
	"date_format", "decimal", "delimiter", "encoding", "columns",
	"default_terms", "types", NULL
};
static const char *const aging_keys[] = { "basis", "buckets", NULL };

static const char *const debtor_types[] = {
	"business", "sole_trader", "consumer", NULL
};
static const char *const basis_names[] = { "due", "invoice", NULL };

const char *
config_basis_name(enum config_basis b)
{
	if ((unsigned)b >= sizeof basis_names / sizeof basis_names[0] - 1)
		return "?";
	return basis_names[b];
}

void
config_defaults(struct client_config *c)
{
	static const long long buckets[] = { 0, 30, 60, 90, 120 };

	memset(c, 0, sizeof *c);
	memcpy(c->client.currency, "GBP", 4);
	memcpy(c->client.reporting_currency, "GBP", 4);
	c->client.debtor_type = debtor_types[0];
	memcpy(c->client.country, "GB", 3);
	c->input.date_order = DATE_AUTO;
	c->input.decimal = MONEY_POINT;
	c->input.delimiter = 0;
	c->aging.basis = CONFIG_BASIS_DUE;
	c->aging.nbuckets = sizeof buckets / sizeof buckets[0];
	memcpy(c->aging.buckets, buckets, sizeof buckets);
}

void
config_free(struct client_config *c)
{
	size_t i;

	free(c->client.id);
	free(c->client.name);
	free(c->input.encoding);
	for (i = 0; i < c->input.ncolumns; i++) {
		free(c->input.column_field[i]);
		free(c->input.column_header[i]);
	}
	free(c->input.column_field);
	free(c->input.column_header);
	free(c->input.column_line);
	free(c->input.default_terms);
	for (i = 0; i < c->input.ntypes; i++) {
		free(c->input.type_code[i]);
		free(c->input.type_name[i]);
	}
	free(c->input.type_code);
	free(c->input.type_name);
	free(c->input.type_line);
	cfg_free(c->root);
	config_defaults(c);
}

/*
 * A loader of one setting: reads key in map, checks it, stores it.  The
 * shared helper gets the text and its node; an error names "where.key".
 */
struct loader {
	const struct cfg_node *map;
	const char *where;
	struct diag *d;
	struct sbuf what;	/* "where.key" */
	struct sbuf q;		/* a quoted value */
};

/* get_text: the non-empty text at key.  1 with *s and *n, 0 if not given,
 * -1 with d set. */
static int
get_text(struct loader *l, const char *key, const char **s,
    const struct cfg_node **n)
{
	int r;

	*n = cfg_get(l->map, key);
	r = cfg_to_str(*n, dotted(l->where, key, &l->what), s, l->d);
	if (r == 1 && **s == '\0') {
		diag_set(l->d, "%s: empty (leave the key out for the "
		    "default)", sbuf_str(&l->what));
		set_line(l->d, (*n)->line);
		return -1;
	}
	return r;
}

static int
bad_value(struct loader *l, const struct cfg_node *n, const char *s,
    const char *expect)
{
	diag_set(l->d, "%s: %s is not %s", sbuf_str(&l->what),
	    quote(s, &l->q), expect);
	set_line(l->d, n->line);
	return -1;
}

/* choice: text at key that must be one of names (any case); *out its
 * index. */
static int
choice(struct loader *l, const char *key, const char *const *names,
    int *out)
{
	const struct cfg_node *n;
	struct sbuf expect = { 0 };
	const char *s;
	int r, i;

	if ((r = get_text(l, key, &s, &n)) != 1)
		return r;
	for (i = 0; names[i]; i++)
		if (util_strcaseeq(s, names[i])) {
			*out = i;
			return 1;
		}
	sbuf_adds(&expect, "one of ");
	for (i = 0; names[i]; i++)
		sbuf_addf(&expect, "%s%s", i ? ", " : "", names[i]);
	r = bad_value(l, n, s, sbuf_str(&expect));
	sbuf_free(&expect);
	return r;
}

/* code: text at key of exactly len ASCII letters, upper-cased into out
 * (len + 1 bytes). */
static int
code(struct loader *l, const char *key, size_t len, char *out,
    const char *expect)
{
	const struct cfg_node *n;
	const char *s;
	size_t i;
	int r;

	if ((r = get_text(l, key, &s, &n)) != 1)
		return r;
	for (i = 0; i < len; i++) {
		char ch = s[i];

		if (!((ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z')))
			break;
	}
	if (i != len || s[len] != '\0')
		return bad_value(l, n, s, expect);
	for (i = 0; i < len; i++)
		out[i] = s[i] >= 'a' ? (char)(s[i] - ('a' - 'A')) : s[i];
	out[len] = '\0';
	return 1;
}

/* currency: code() of an ISO 4217 currency: three letters that name no
 * currency (ABC) would be stamped on every item and match no receipt. */
static int
currency(struct loader *l, const char *key, char *out)
{
	static const char expect[] = "an ISO 4217 code (three letters, "
	    "like GBP)";
	const struct cfg_node *n;
	const char *s;
	char was[4];
	int r;

	memcpy(was, out, 4);
	if ((r = code(l, key, 3, out, expect)) != 1)
		return r;
	if (!money_is_iso4217(out)) {
		memcpy(out, was, 4);
		(void)get_text(l, key, &s, &n);
		return bad_value(l, n, s, expect);
	}
	return 1;
}

static int
section(const struct cfg_node *root, const char *name,
    const char *const *keys, const struct cfg_node **out, struct diag *d)
{
	const struct cfg_node *n = cfg_get(root, name);

	*out = NULL;
	if (cfg_is_null(n))
		return 0;
	if (n->kind != CFG_MAP) {
		diag_set(d, "%s: expected a map of settings (key: value on "
		    "the lines below it), not a %s", name, kind_name(n->kind));
		set_line(d, n->line);
		return -1;
	}
	*out = n;
	return cfg_check_keys(n, keys, name, d);
}

static int
load_client(struct client_config *c, struct loader *l)
{
	const struct cfg_node *n;
	const char *s;
	int i, r;

	if ((r = get_text(l, "id", &s, &n)) < 0)
		return -1;
	if (r == 1 && !clientdir_id_ok(s))
		return bad_value(l, n, s, "a client id (1 to 64 letters, "
		    "digits, _ and -)");
	if (r == 1) {
		c->client.id = xstrdup(s);
		c->client.id_line = n->line;
	}
	if ((r = get_text(l, "name", &s, &n)) < 0)
		return -1;
	if (r == 1)
		c->client.name = xstrdup(s);
	if (currency(l, "currency", c->client.currency) < 0)
		return -1;
	memcpy(c->client.reporting_currency, c->client.currency, 4);
	if (currency(l, "reporting_currency",
	    c->client.reporting_currency) < 0)
		return -1;
	if ((r = choice(l, "debtor_type", debtor_types, &i)) < 0)
		return -1;
	if (r == 1)
		c->client.debtor_type = debtor_types[i];
	r = code(l, "country", 2, c->client.country,
	    "an ISO 3166 code (two letters, like GB)");
	if (r == 1 && strcmp(c->client.country, "UK") == 0) {
		n = cfg_get(l->map, "country");
		return bad_value(l, n, n->value,
		    "an ISO 3166 code (the United Kingdom is GB)");
	}
	return r < 0 ? -1 : 0;
}

static int
load_delimiter(struct client_config *c, struct loader *l)
{
	static const struct {
		const char *name;
		int ch;
	} names[] = {
		{ "auto", 0 }, { "tab", '\t' }, { "comma", ',' },
		{ "semicolon", ';' }, { "pipe", '|' },
	};
	const struct cfg_node *n;
	const char *s;
	size_t i;
	int r;

	if ((r = get_text(l, "delimiter", &s, &n)) != 1)
		return r;
	for (i = 0; i < sizeof names / sizeof names[0]; i++)
		if (util_strcaseeq(s, names[i].name)) {
			c->input.delimiter = names[i].ch;
			return 1;
		}
	/* One ASCII character that cannot be part of the quoting or the
	 * line structure. */
	if (s[1] == '\0' && (s[0] == '\t' || (s[0] > ' ' && s[0] < 0x7F &&
	    s[0] != '"'))) {
		c->input.delimiter = (unsigned char)s[0];
		return 1;
	}
	return bad_value(l, n, s, "one character (in quotes: \",\"), "
	    "\"tab\" or \"auto\"");
}

static int
load_columns(struct client_config *c, struct loader *l)
{
	const struct cfg_node *cols = cfg_get(l->map, "columns"), *v;
	struct sbuf what = { 0 };
	const char *s;
	size_t i;
	int r;

	if (cfg_is_null(cols))
		return 0;
	if (cols->kind != CFG_MAP) {
		diag_set(l->d, "input.columns: expected a map of field: "
		    "\"Header text\", not a %s", kind_name(cols->kind));
		set_line(l->d, cols->line);
		return -1;
	}
	c->input.column_field = xcalloc(cols->n, sizeof (char *));
	c->input.column_header = xcalloc(cols->n, sizeof (char *));
	c->input.column_line = xcalloc(cols->n, sizeof (long));
	for (i = 0; i < cols->n; i++) {
		v = cols->items[i];
		sbuf_reset(&what);
		sbuf_addf(&what, "input.columns.%s", cols->keys[i]);
		r = cfg_to_str(v, sbuf_str(&what), &s, l->d);
		if (r == 1 && *s == '\0')
			r = 0;
		if (r == 0) {
			diag_set(l->d, "%s: the export's header text is "
			    "needed", sbuf_str(&what));
			set_line(l->d, cols->key_lines[i]);
			r = -1;
		}
		if (r < 0) {
			sbuf_free(&what);
			return -1;
		}
		c->input.column_field[i] = xstrdup(cols->keys[i]);
		c->input.column_header[i] = xstrdup(s);
		c->input.column_line[i] = cols->key_lines[i];
		c->input.ncolumns++;
	}
	sbuf_free(&what);
	return 0;
}

/* input.types: { SI: invoice, SC: credit_note }, a client's own codes. */
static int
load_types(struct client_config *c, struct loader *l)
{
	const struct cfg_node *types = cfg_get(l->map, "types");
	struct sbuf what = { 0 };
	const char *s;
	size_t i;
	int r;

	if (cfg_is_null(types))
		return 0;
	if (types->kind != CFG_MAP) {
		diag_set(l->d, "input.types: expected a map of code: type, "
		    "not a %s", kind_name(types->kind));
		set_line(l->d, types->line);
		return -1;
	}
	c->input.type_code = xcalloc(types->n, sizeof (char *));
	c->input.type_name = xcalloc(types->n, sizeof (char *));
	c->input.type_line = xcalloc(types->n, sizeof (long));
	for (i = 0; i < types->n; i++) {
		sbuf_reset(&what);
		sbuf_addf(&what, "input.types.%s", types->keys[i]);
		r = cfg_to_str(types->items[i], sbuf_str(&what), &s, l->d);
		if (r == 1 && *s == '\0')
			r = 0;
		if (r == 0) {
			diag_set(l->d, "%s: a type is needed (invoice, "
			    "credit_note, debit_note, payment, by_sign, "
			    "refund)", sbuf_str(&what));
			set_line(l->d, types->key_lines[i]);
			r = -1;
		}
		if (r < 0) {
			sbuf_free(&what);
			return -1;
		}
		c->input.type_code[i] = xstrdup(types->keys[i]);
		c->input.type_name[i] = xstrdup(s);
		c->input.type_line[i] = types->items[i]->line;
		c->input.ntypes++;
	}
	sbuf_free(&what);
	return 0;
}

static int
load_input(struct client_config *c, struct loader *l)
{
	static const char *const dec_names[] = { "point", "comma", NULL };
	const struct cfg_node *n;
	enum date_order order;
	const char *s;
	int i, r;

	if ((r = get_text(l, "date_format", &s, &n)) < 0)
		return -1;
	if (r == 1) {
		if (date_order_from_name(s, &order) != 0)
			return bad_value(l, n, s,
			    "one of auto, iso, dmy, mdy, ymd, excel");
		c->input.date_order = order;
	}
	if ((r = choice(l, "decimal", dec_names, &i)) < 0)
		return -1;
	if (r == 1)
		c->input.decimal = i == 0 ? MONEY_POINT : MONEY_COMMA;
	if (load_delimiter(c, l) < 0)
		return -1;
	if ((r = get_text(l, "encoding", &s, &n)) < 0)
		return -1;
	if (r == 1) {
		if (!csvin_encoding_known(s))
			return bad_value(l, n, s, "one of UTF-8, "
			    "WINDOWS-1252 (CP1252), ISO-8859-1 (LATIN1)");
		c->input.encoding = xstrdup(s);
	}
	if (load_columns(c, l) < 0 || load_types(c, l) < 0)
		return -1;
	if ((r = get_text(l, "default_terms", &s, &n)) < 0)
		return -1;
	if (r == 1) {
		c->input.default_terms = xstrdup(s);
		c->input.default_terms_line = n->line;
	}
	return 0;
}

static int
load_buckets(struct client_config *c, struct loader *l)
{
	const struct cfg_node *n = cfg_get(l->map, "buckets");
	long long v;
	size_t i;

	if (cfg_is_null(n))
		return 0;
	if (n->kind != CFG_SEQ) {
		diag_set(l->d, "aging.buckets: expected a list of days, like "
		    "[0, 30, 60, 90, 120]");
		set_line(l->d, n->line);
		return -1;
	}
	if (n->n == 0) {
		diag_set(l->d, "aging.buckets: at least one bound is needed, "
		    "like [0, 30, 60, 90, 120]");
		set_line(l->d, n->line);
		return -1;
	}
	if (n->n > CONFIG_MAX_BUCKETS) {
		diag_set(l->d, "aging.buckets: at most %d bounds, not %zu",
		    CONFIG_MAX_BUCKETS, n->n);
		set_line(l->d, n->items[CONFIG_MAX_BUCKETS]->line);
		return -1;
	}
	for (i = 0; i < n->n; i++) {
		if (cfg_is_null(n->items[i])) {
			diag_set(l->d, "aging.buckets: an empty bound");
			set_line(l->d, n->items[i] ? n->items[i]->line :
			    n->line);
			return -1;
		}
		if (cfg_to_int(n->items[i], "aging.buckets", 0,
		    CONFIG_MAX_BUCKET_DAYS, &v, l->d) < 0)
			return -1;
		if (i > 0 && v <= c->aging.buckets[i - 1]) {
			diag_set(l->d, "aging.buckets: values must increase "
			    "(%lld after %lld)", v, c->aging.buckets[i - 1]);
			set_line(l->d, n->items[i]->line);
			return -1;
		}
		c->aging.buckets[i] = v;
	}
	c->aging.nbuckets = n->n;
	return 0;
}

static int
load_aging(struct client_config *c, struct loader *l)
{
	int i, r;

	if ((r = choice(l, "basis", basis_names, &i)) < 0)
		return -1;
	if (r == 1)
		c->aging.basis = (enum config_basis)i;
	return load_buckets(c, l);
}

/* load: c (holding the defaults) from the tree root. */
static int
load(struct client_config *c, struct cfg_node *root, struct diag *d)
{
	static const struct {
		const char *name;
		const char *const *keys;
		int (*fn)(struct client_config *, struct loader *);
	} sections[] = {
		{ "client", client_keys, load_client },
		{ "input", input_keys, load_input },
		{ "aging", aging_keys, load_aging },
	};
	struct loader l;
	size_t i;
	int rc = 0;

	c->root = root;
	if (root == NULL)
		return 0;
	if (root->kind != CFG_MAP) {
		diag_set(d, "expected a map of sections (client:, input:, "
		    "aging:, ...), not a %s", kind_name(root->kind));
		set_line(d, root->line);
		return -1;
	}
	if (cfg_check_keys(root, top_keys, NULL, d) != 0)
		return -1;
	memset(&l, 0, sizeof l);
	l.d = d;
	for (i = 0; i < sizeof sections / sizeof sections[0] && rc == 0; i++) {
		if (section(root, sections[i].name, sections[i].keys, &l.map,
		    d) != 0) {
			rc = -1;
			break;
		}
		l.where = sections[i].name;
		if (l.map != NULL && sections[i].fn(c, &l) != 0)
			rc = -1;
	}
	sbuf_free(&l.what);
	sbuf_free(&l.q);
	return rc;
}

int
config_load(const char *path, struct client_config *c, struct diag *d)
{
	struct cfg_node *root;

	config_defaults(c);
	if (cfg_parse_file(path, &root, d) != 0)
		return -1;
	if (load(c, root, d) != 0) {
		config_free(c);
		return -1;
	}
	return 0;
}

int
config_load_string(const char *text, size_t n, struct client_config *c,
    struct diag *d)
{
	struct cfg_node *root;

	config_defaults(c);
	if (cfg_parse_string(text, n, "config", &root, d) != 0)
		return -1;
	if (load(c, root, d) != 0) {
		config_free(c);
		return -1;
	}
	return 0;
}

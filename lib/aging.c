/*
 * aging: the aged-debt report from the state or from item streams.
 *
 * Both sources feed one model: debtors (a reference and a name), interned
 * currencies (with their rate into the report currency, when rates are
 * loaded), and either groups (one per debtor and currency, holding the
 * bucket sums: --by debtor) or items (one per open document, sorted at the
 * end: --by item).  Memory is in the number of debtors for --by debtor,
 * whatever the number of items, and in the number of open items for
 * --by item.
 *
 * Speed on the state comes from letting SQLite do only what it does fast:
 * a scan of item in rowid order that decodes the leading integer columns
 * (the schema puts them first for this) and filters on the day, with no
 * sort and no join, handing each row to a C function (see scan_step).
 * Everything that needs a join is small and loaded before the scan,
 * sorted by item id, so the scan merges it in one pass: the settlements
 * dated after the as-of day (only those change the past) and the items
 * covered by queries open on that day.  On the bench's 5M items this is
 * about a fifth of the time of the same aging as a GROUP BY in SQL.
 */
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aging.h"
#include "date.h"
#include "hmap.h"
#include "money.h"
#include "tsv.h"
#include "util.h"

/* Day numbers outside this are not dates (years about -6000 to 10000):
 * far enough from INT32 limits that differences never overflow. */
#define DAY_LIMIT 3000000
/* An issue date a stream did not give (only the due basis can do
 * without). */
#define NO_DAY INT32_MIN

enum doc {
	DOC_INVOICE,
	DOC_DEBIT_NOTE,
	DOC_CREDIT_NOTE,
	DOC_PAYMENT,	/* a receipt the client's own ledger holds */
	DOC_RECEIPT	/* a receipt in the payment table (bank) */
};
static const char *const doc_names[] = {
	"invoice", "debit_note", "credit_note", "payment", "receipt"
};
static const size_t doc_name_len[] = { 7, 10, 11, 7, 7 };

/* Where an open amount goes: never netted across these. */
enum kind {
	K_BUCKET,	/* open debit: a bucket */
	K_CREDITS,	/* credit notes, overpaid debits */
	K_UNAPPLIED	/* cash not yet applied to items */
};

struct ccy {
	char code[4];
	int digits;
	int has_rate;
	int missing;		/* met in the report, no rate for it */
	int32_t rate_day;	/* the rate's date, INT32_MIN undated */
	int64_t mul, div;	/* report minor units = v * mul / div */
	char rate[48];		/* the rate as a decimal, for fx_rate */
};

struct debtor {
	const char *ref;	/* in the arena */
	const char *name;
	int64_t id;		/* the state's debtor.id; 0 for streams */
	uint32_t rank;		/* position in ref order */
};

/*
 * A group is this header and then one sum per bucket, a->gstride bytes in
 * all (GRP), so that the sums a row touches share a cache line or two
 * with the header: the scan's cost is mostly these misses.
 */
struct group {
	uint32_t debtor;
	uint32_t ccy;
	int32_t next;		/* next group of the same debtor, -1 */
	int32_t oldest_due;	/* INT32_MAX while there is no debit */
	int64_t open_items;
	int64_t credits, unapplied, in_query;
	int64_t b[];
};
#define GRP(a, i) \
	((struct group *)(void *)((char *)(a)->grp + (size_t)(i) * (a)->gstride))

struct item {
	uint32_t debtor;
	uint32_t rank;		/* the debtor's, copied before sorting */
	uint32_t ccy;
	uint8_t doc;
	uint8_t in_query;
	int32_t issue, due;
	int64_t amount, open;
	size_t seq;		/* input order, the last sort key */
	const char *doc_id;	/* in the arena */
	const char *extra;	/* pass-through fields, escaped, tab-joined */
};

/* Strings live in blocks that never move, so pointers to them stay good
 * while more are added. */
struct arena_blk {
	struct arena_blk *next;
	size_t used, cap;
	char data[];
};

struct aging {
	struct aging_opts o;
	size_t nb;			/* bucket columns */

	struct ccy *ccy;
	size_t nccy, ccycap;
	int rates;			/* rates loaded */
	char report[4];

	struct debtor *deb;
	int32_t *head;			/* per debtor: its first group, -1;
					   apart from deb to stay in cache */
	size_t ndeb, debcap;
	struct hmap *debmap;		/* streams: ref -> index */

	void *grp;			/* groups, gstride bytes each */
	size_t gstride;
	size_t ngrp, grpcap;

	struct item *item;
	size_t nitem, itemcap;

	char **extra_names;		/* pass-through columns */
	size_t nextra;
	int extra_set;			/* the first stream set them */
	enum { SRC_NONE, SRC_STATE, SRC_STREAM } source;

	struct arena_blk *arena;
};

/* ---- small helpers ------------------------------------------------- */

/* add64: *acc += v, or -1 with *acc untouched on overflow.  Inline here
 * rather than money_add, because the scan calls it per item. */
static int
add64(int64_t *acc, int64_t v)
{
#if defined(__GNUC__) || defined(__clang__)
	int64_t r;

	if (__builtin_add_overflow(*acc, v, &r))
		return -1;
	*acc = r;
	return 0;
#else
	if ((v > 0 && *acc > INT64_MAX - v) || (v < 0 && *acc < INT64_MIN - v))
		return -1;
	*acc += v;
	return 0;
#endif
}

static const char *
arena_strndup(struct aging *a, const char *s, size_t n)
{
	struct arena_blk *b = a->arena;
	char *p;

	if (b == NULL || b->cap - b->used < n + 1) {
		size_t cap = n + 1 > 65536 ? n + 1 : 65536;

		b = xmalloc(sizeof *b + cap);
		b->cap = cap;
		b->used = 0;
		b->next = a->arena;
		a->arena = b;
	}
	p = b->data + b->used;
	memcpy(p, s, n);
	p[n] = '\0';
	b->used += n + 1;
	return p;
}

#define GROW(p, n, cap) do { \
	if ((n) == (cap)) { \
		(cap) = (cap) ? (cap) * 2 : 64; \
		(p) = xreallocarray((p), (cap), sizeof *(p)); \
	} \
} while (0)

/* ---- buckets -------------------------------------------------------- */

void
aging_bounds_default(struct aging_bounds *b)
{
	static const int32_t def[] = { 30, 60, 90, 120 };

	b->n = sizeof def / sizeof def[0];
	memcpy(b->v, def, sizeof def);
}

int
aging_bounds_set(struct aging_bounds *b, const long long *v, size_t n,
    struct diag *d)
{
	struct aging_bounds nb;
	size_t i = 0;

	/* The 0 of "0/30/60/90" is the not-yet-due bound, always there;
	 * "0" alone leaves not_due and d1_plus. */
	if (n > 0 && v[0] == 0)
		i = 1;
	if (n == 0) {
		diag_set(d, "no bucket bounds (give some, like 30,60,90,120)");
		return -1;
	}
	if (n - i > AGING_MAX_BOUNDS) {
		diag_set(d, "%zu bucket bounds, at most %d", n - i,
		    AGING_MAX_BOUNDS);
		return -1;
	}
	nb.n = 0;
	for (; i < n; i++) {
		if (v[i] < 1 || v[i] > AGING_MAX_DAYS) {
			diag_set(d, "bucket bound %lld is not in 1..%d days",
			    v[i], AGING_MAX_DAYS);
			return -1;
		}
		if (nb.n > 0 && v[i] <= nb.v[nb.n - 1]) {
			diag_set(d, "bucket bounds must increase (%lld after "
			    "%d)", v[i], (int)nb.v[nb.n - 1]);
			return -1;
		}
		nb.v[nb.n++] = (int32_t)v[i];
	}
	*b = nb;
	return 0;
}

int
aging_bounds_parse(const char *s, struct aging_bounds *b, struct diag *d)
{
	long long v[AGING_MAX_BOUNDS + 2];
	size_t n = 0;
	const char *p = s;

	for (;;) {
		const char *comma = strchr(p, ',');
		size_t len = comma ? (size_t)(comma - p) : strlen(p);
		const char *errstr;
		char num[24];

		if (n == sizeof v / sizeof v[0]) {
			diag_set(d, "too many bucket bounds (at most %d)",
			    AGING_MAX_BOUNDS);
			return -1;
		}
		if (len == 0 || len >= sizeof num) {
			diag_set(d, "\"%s\" is not a list of days like "
			    "30,60,90,120", s);
			return -1;
		}
		memcpy(num, p, len);
		num[len] = '\0';
		if (util_strtonum(num, 0, AGING_MAX_DAYS, &v[n], &errstr)
		    != 0) {
			diag_set(d, "bucket bound \"%s\" is %s (use days in "
			    "0..%d)", num, errstr, AGING_MAX_DAYS);
			return -1;
		}
		n++;
		if (comma == NULL)
			break;
		p = comma + 1;
	}
	return aging_bounds_set(b, v, n, d);
}

size_t
aging_nbuckets(const struct aging_opts *o)
{
	return o->bounds.n + (o->basis == AGING_DUE ? 2 : 1);
}

char *
aging_bucket_name(const struct aging_opts *o, size_t i, char *buf)
{
	const struct aging_bounds *b = &o->bounds;
	size_t k = i;
	int32_t lo;

	if (o->basis == AGING_DUE) {
		if (i == 0) {
			snprintf(buf, AGING_NAMESZ, "not_due");
			return buf;
		}
		k = i - 1;
	}
	lo = k == 0 ? (o->basis == AGING_DUE ? 1 : 0) : b->v[k - 1] + 1;
	if (k >= b->n)
		snprintf(buf, AGING_NAMESZ, "d%d_plus", (int)lo);
	else
		snprintf(buf, AGING_NAMESZ, "d%d_%d", (int)lo, (int)b->v[k]);
	return buf;
}

size_t
aging_bucket_index(const struct aging_opts *o, int32_t days)
{
	const struct aging_bounds *b = &o->bounds;
	size_t i, first = 0;

	if (o->basis == AGING_DUE) {
		if (days <= 0)
			return 0;
		first = 1;
	}
	for (i = 0; i < b->n; i++)
		if (days <= b->v[i])
			break;
	return first + i;
}

/* ---- the model ------------------------------------------------------ */

struct aging *
aging_new(const struct aging_opts *o)
{
	struct aging *a = xcalloc(1, sizeof *a);

	a->o = *o;
	a->nb = aging_nbuckets(o);
	a->gstride = sizeof(struct group) + a->nb * sizeof(int64_t);
	return a;
}

void
aging_free(struct aging *a)
{
	struct arena_blk *b, *next;

	if (a == NULL)
		return;
	for (b = a->arena; b != NULL; b = next) {
		next = b->next;
		free(b);
	}
	for (size_t i = 0; i < a->nextra; i++)
		free(a->extra_names[i]);
	free(a->extra_names);
	hmap_free(a->debmap);
	free(a->ccy);
	free(a->deb);
	free(a->head);
	free(a->grp);
	free(a->item);
	free(a);
}

/*
 * ccy_find: the index of currency code[0..n), interned on first sight;
 * -1 with d set when it is not a currency code.  The codes of a ledger are
 * few, so a linear search beats hashing; callers cache the last one.
 */
static long
ccy_find(struct aging *a, const char *code, size_t n, struct diag *d)
{
	char c[4];
	int digits;

	if (n != 3) {
		diag_set(d, "\"%.*s\" is not a currency code (use ISO 4217, "
		    "like GBP)", (int)(n > 40 ? 40 : n), code);
		return -1;
	}
	memcpy(c, code, 3);
	c[3] = '\0';
	for (size_t i = 0; i < a->nccy; i++)
		if (memcmp(a->ccy[i].code, c, 4) == 0)
			return (long)i;
	if ((digits = money_minor_digits(c)) < 0) {
		diag_set(d, "\"%s\" is not a currency code (use ISO 4217, "
		    "like GBP)", c);
		return -1;
	}
	if (a->nccy >= UINT16_MAX) {
		diag_set(d, "more than %d currencies", UINT16_MAX);
		return -1;
	}
	GROW(a->ccy, a->nccy, a->ccycap);
	memset(&a->ccy[a->nccy], 0, sizeof a->ccy[0]);
	memcpy(a->ccy[a->nccy].code, c, 4);
	a->ccy[a->nccy].digits = digits;
	a->ccy[a->nccy].rate_day = INT32_MIN;
	return (long)a->nccy++;
}

static uint32_t
debtor_add(struct aging *a, int64_t id, const char *ref, size_t reflen,
    const char *name, size_t namelen)
{
	struct debtor *dp;

	if (a->ndeb == a->debcap) {
		a->debcap = a->debcap ? a->debcap * 2 : 64;
		a->deb = xreallocarray(a->deb, a->debcap, sizeof *a->deb);
		a->head = xreallocarray(a->head, a->debcap, sizeof *a->head);
	}
	dp = &a->deb[a->ndeb];
	dp->ref = arena_strndup(a, ref, reflen);
	dp->name = arena_strndup(a, name, namelen);
	dp->id = id;
	dp->rank = 0;
	a->head[a->ndeb] = -1;
	return (uint32_t)a->ndeb++;
}

/* group_of: the group of (debtor, currency), created empty if new. */
static uint32_t
group_of(struct aging *a, uint32_t debtor, uint32_t ccy)
{
	struct group *g;
	int32_t i;

	for (i = a->head[debtor]; i >= 0; i = GRP(a, i)->next)
		if (GRP(a, i)->ccy == ccy)
			return (uint32_t)i;
	if (a->ngrp == a->grpcap) {
		a->grpcap = a->grpcap ? a->grpcap * 2 : 64;
		a->grp = xreallocarray(a->grp, a->grpcap, a->gstride);
	}
	g = GRP(a, a->ngrp);
	memset(g, 0, a->gstride);
	g->debtor = debtor;
	g->ccy = ccy;
	g->oldest_due = INT32_MAX;
	g->next = a->head[debtor];
	a->head[debtor] = (int32_t)a->ngrp;
	return (uint32_t)a->ngrp++;
}

/* kind_of: where an open amount of doc type doc goes.  An overpaid debit
 * (negative) is a credit balance; the buckets hold only what is owed. */
static enum kind
kind_of(enum doc doc, int64_t open)
{
	switch (doc) {
	case DOC_INVOICE:
	case DOC_DEBIT_NOTE:
		return open > 0 ? K_BUCKET : K_CREDITS;
	case DOC_CREDIT_NOTE:
		return K_CREDITS;
	default:
		return K_UNAPPLIED;
	}
}

/* bucket_of: the bucket of an open debit item. */
static size_t
bucket_of(const struct aging *a, int32_t issue, int32_t due)
{
	return aging_bucket_index(&a->o, a->o.basis == AGING_DUE ?
	    a->o.as_of - due : a->o.as_of - issue);
}

/* tally: one open amount into its group (b: its bucket, for K_BUCKET),
 * all or nothing.  0, or -1 on overflow with the group as it was. */
static int
tally(struct group *g, enum kind k, size_t b, int32_t due, int64_t open,
    int in_query)
{
	int64_t sum, q;

	switch (k) {
	case K_BUCKET:
		sum = g->b[b];
		q = g->in_query;
		if (add64(&sum, open) != 0 ||
		    (in_query && add64(&q, open) != 0))
			return -1;
		g->b[b] = sum;
		g->in_query = q;
		if (due < g->oldest_due)
			g->oldest_due = due;
		break;
	case K_CREDITS:
		if (add64(&g->credits, open) != 0)
			return -1;
		break;
	case K_UNAPPLIED:
		if (add64(&g->unapplied, open) != 0)
			return -1;
		break;
	}
	g->open_items++;
	return 0;
}

static void
overflow(struct aging *a, uint32_t debtor, uint32_t ccy, struct diag *d)
{
	diag_set(d, "debtor \"%s\": %s amounts too large to sum",
	    a->deb[debtor].ref, a->ccy[ccy].code);
}

/*
 * add_open: one document open on the as-of day, into the report.  Credit
 * notes and payments reduce the balance whatever sign their source gave
 * them.  Returns 0, or -1 with d set.
 */
static int
add_open(struct aging *a, uint32_t debtor, uint32_t ccy, enum doc doc,
    int32_t issue, int32_t due, int64_t amount, int64_t open, int in_query,
    const char *doc_id, size_t doc_len, const char *extra, struct diag *d)
{
	struct item *it;

	if (doc == DOC_CREDIT_NOTE || doc == DOC_PAYMENT ||
	    doc == DOC_RECEIPT) {
		/* INT64_MIN has no positive twin; the sums would overflow
		 * on it anyway. */
		if (open == INT64_MIN || amount == INT64_MIN) {
			overflow(a, debtor, ccy, d);
			return -1;
		}
		if (open > 0)
			open = -open;
		if (amount > 0)
			amount = -amount;
	}
	if (a->o.by == AGING_BY_DEBTOR) {
		uint32_t g = group_of(a, debtor, ccy);
		enum kind k = kind_of(doc, open);

		if (tally(GRP(a, g), k, k == K_BUCKET ? bucket_of(a, issue,
		    due) : 0, due, open, in_query) != 0) {
			overflow(a, debtor, ccy, d);
			return -1;
		}
		return 0;
	}
	GROW(a->item, a->nitem, a->itemcap);
	it = &a->item[a->nitem];
	it->debtor = debtor;
	it->rank = 0;
	it->ccy = ccy;
	it->doc = (uint8_t)doc;
	it->in_query = in_query != 0;
	it->issue = issue;
	it->due = due;
	it->amount = amount;
	it->open = open;
	it->seq = a->nitem;
	it->doc_id = arena_strndup(a, doc_id ? doc_id : "", doc_id ? doc_len :
	    0);
	it->extra = extra;
	a->nitem++;
	return 0;
}

/* ---- the state ------------------------------------------------------ */

/* A settlement total of one item, or an item id alone (queries). */
struct adj {
	int64_t item;
	int64_t sum;
};

struct idmap {
	int32_t *dense;		/* debtor id -> index + 1, when ids are
				   compact (they are rowids: usually) */
	int64_t max;
};

static int
load_debtors(struct aging *a, struct state *st, struct idmap *m,
    struct diag *d)
{
	sqlite3_stmt *s;
	int rc;

	s = state_prepare(st, "SELECT id, ref, name FROM debtor ORDER BY id",
	    d);
	if (s == NULL)
		return -1;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		const char *ref = (const char *)sqlite3_column_text(s, 1);
		size_t reflen = (size_t)sqlite3_column_bytes(s, 1);
		const char *name = (const char *)sqlite3_column_text(s, 2);
		size_t namelen = (size_t)sqlite3_column_bytes(s, 2);

		debtor_add(a, sqlite3_column_int64(s, 0), ref ? ref : "",
		    ref ? reflen : 0, name ? name : "", name ? namelen : 0);
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE)
		return state_error(st, d, "reading debtors");
	m->dense = NULL;
	m->max = a->ndeb ? a->deb[a->ndeb - 1].id : 0;
	/* A dense map when it costs at most a few times the debtors; else
	 * a binary search of the (sorted) ids. */
	if (a->ndeb > 0 && a->deb[0].id >= 0 &&
	    (uint64_t)m->max <= 8 * (uint64_t)a->ndeb + 65536) {
		m->dense = xcalloc((size_t)m->max + 1, sizeof *m->dense);
		for (size_t i = 0; i < a->ndeb; i++)
			if (a->deb[i].id >= 0)
				m->dense[a->deb[i].id] = (int32_t)i + 1;
	}
	return 0;
}

/* debtor_index: the index of the debtor with state id id, or -1. */
static long
debtor_index(const struct aging *a, const struct idmap *m, int64_t id)
{
	size_t lo = 0, hi = a->ndeb;

	if (m->dense != NULL)
		return id >= 0 && id <= m->max ? (long)m->dense[id] - 1 : -1;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (a->deb[mid].id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < a->ndeb && a->deb[lo].id == id ? (long)lo : -1;
}

static int
cmp_adj(const void *x, const void *y)
{
	const struct adj *p = x, *q = y;

	return p->item < q->item ? -1 : p->item > q->item;
}

/*
 * load_adj: rows of (item id, amount) from sql bound to the as-of day,
 * summed per item, in item order.  Summed here rather than by a GROUP BY,
 * which makes SQLite walk the whole table through an index when the rows
 * it wants are few (a recent day) or sort them all when they are many (a
 * day long past); the rows come mostly in item order already, and then
 * the sort is skipped.
 */
static int
load_adj(struct state *st, const char *sql, int32_t D, struct adj **out,
    size_t *n, struct diag *d, const char *what)
{
	sqlite3_stmt *s = state_prepare(st, sql, d);
	struct adj *v = NULL;
	size_t cap = 0, nv = 0, w;
	int rc, sorted = 1;

	*out = NULL;
	*n = 0;
	if (s == NULL)
		return -1;
	sqlite3_bind_int(s, 1, D);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		GROW(v, nv, cap);
		v[nv].item = sqlite3_column_int64(s, 0);
		v[nv].sum = sqlite3_column_int64(s, 1);
		if (nv > 0 && v[nv].item < v[nv - 1].item)
			sorted = 0;
		nv++;
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE) {
		free(v);
		return state_error(st, d, what);
	}
	if (!sorted && nv > 1)
		qsort(v, nv, sizeof *v, cmp_adj);
	for (size_t i = w = 0; i < nv; i++) {
		if (w > 0 && v[w - 1].item == v[i].item) {
			if (add64(&v[w - 1].sum, v[i].sum) != 0) {
				diag_set(d, "item %lld: settlements too large "
				    "to sum", (long long)v[i].item);
				free(v);
				return -1;
			}
			continue;
		}
		v[w++] = v[i];
	}
	*out = v;
	*n = w;
	return 0;
}

static int
doc_of(const unsigned char *t, int n, enum doc *out)
{
	for (size_t i = 0; i < DOC_RECEIPT; i++)
		if (t != NULL && strlen(doc_names[i]) == (size_t)n &&
		    memcmp(doc_names[i], t, (size_t)n) == 0) {
			*out = (enum doc)i;
			return 0;
		}
	return -1;
}

static int
is_day(int64_t v)
{
	return v >= -DAY_LIMIT && v <= DAY_LIMIT;
}

/*
 * The item scan.  SQLite hands each row to scan_step, an aggregate
 * function over the scan, rather than returning it through sqlite3_step
 * and a call per column: the values come as sqlite3_value pointers, with
 * no round trip through the statement per row, which makes the scan about
 * a fifth faster.  For --by debtor, rows are gathered in a batch and
 * summed after, so that the cache misses of looking up their groups (one
 * per row, at random over the debtors) overlap instead of queueing one
 * behind the other.
 */
#define BATCH 256
#ifndef PREFETCH
#define PREFETCH 8
#endif
struct srow {
	int64_t open;		/* signed as it is summed */
	int64_t did;		/* the state's debtor id */
	uint32_t debtor;	/* its index, found in flush_rows */
	uint32_t ccy;
	int32_t due;
	uint8_t kind, bucket, in_query;
};

struct scan {
	struct aging *a;
	const struct idmap *m;
	const struct adj *adj, *qry;	/* settlements after the day, and
					   items in query on it */
	size_t nadj, nqry, k, q;	/* merge cursors */
	int64_t last_id;
	long ccy;			/* the last row's currency */
	enum doc doc;			/* and type */
	struct srow batch[BATCH];
	size_t nbatch;
	struct diag *d;
	int failed;
};

static int
flush_rows(struct scan *sc)
{
	struct aging *a = sc->a;
	struct srow *r = sc->batch;
	size_t n = sc->nbatch;

	sc->nbatch = 0;
	for (size_t i = 0; i < n; i++) {
		long deb = debtor_index(a, sc->m, r[i].did);

		if (deb < 0) {
			diag_set(sc->d, "no debtor %lld", (long long)r[i].did);
			return -1;
		}
		r[i].debtor = (uint32_t)deb;
	}
	for (size_t i = 0; i < n; i++) {
#if defined(__GNUC__) || defined(__clang__)
		/* A few rows ahead: far enough for the line to arrive, near
		 * enough not to flood the cache's miss buffers. */
		if (i + PREFETCH < n) {
			int32_t h = a->head[r[i + PREFETCH].debtor];

			if (h >= 0) {
				__builtin_prefetch(GRP(a, h));
				__builtin_prefetch((char *)GRP(a, h) + 64);
			}
		}
#endif
		/* group_of may move the groups: GRP only after it. */
		uint32_t g = group_of(a, r[i].debtor, r[i].ccy);

		if (tally(GRP(a, g), (enum kind)r[i].kind, r[i].bucket,
		    r[i].due, r[i].open, r[i].in_query) != 0) {
			overflow(a, r[i].debtor, r[i].ccy, sc->d);
			return -1;
		}
	}
	return 0;
}

/*
 * adj_find: the entry of item id in v (sorted), or NULL.  Rows come in
 * rowid order, so a cursor that only moves forward finds it; should they
 * ever not, a binary search does.
 */
static const struct adj *
adj_find(const struct adj *v, size_t n, size_t *cur, int64_t id,
    int forward)
{
	size_t lo = 0, hi = n;

	if (forward) {
		while (*cur < n && v[*cur].item < id)
			(*cur)++;
		return *cur < n && v[*cur].item == id ? &v[*cur] : NULL;
	}
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (v[mid].item < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	*cur = lo;
	return lo < n && v[lo].item == id ? &v[lo] : NULL;
}

/* scan_row: one row of the item scan, the columns in the order of the
 * SELECT in scan_items.  0, or -1 with sc->d set. */
static int
scan_row(struct scan *sc, sqlite3_value **v)
{
	struct aging *a = sc->a;
	int64_t id = sqlite3_value_int64(v[0]);
	int64_t did = sqlite3_value_int64(v[1]);
	int64_t issue = sqlite3_value_int64(v[2]);
	int64_t due = sqlite3_value_int64(v[3]);
	int64_t open = sqlite3_value_int64(v[4]);
	int forward = id > sc->last_id, inq;
	const struct adj *adj;
	const unsigned char *cc, *dt;
	int ccn, dtn;
	struct srow *r;

	sc->last_id = id;
	adj = adj_find(sc->adj, sc->nadj, &sc->k, id, forward);
	if (adj != NULL && add64(&open, adj->sum) != 0) {
		diag_set(sc->d, "item %lld: open amount too large",
		    (long long)id);
		return -1;
	}
	if (open == 0)
		return 0;
	inq = sqlite3_value_int(v[5]) != 0 ||
	    adj_find(sc->qry, sc->nqry, &sc->q, id, forward) != NULL;
	if (!is_day(issue) || !is_day(due)) {
		diag_set(sc->d, "item %lld: a date is not a day number",
		    (long long)id);
		return -1;
	}
	/* Runs of one currency and type are common, and the checks below
	 * are cheap when they are. */
	cc = sqlite3_value_text(v[6]);
	ccn = sqlite3_value_bytes(v[6]);
	if (sc->ccy < 0 || cc == NULL || ccn != 3 ||
	    memcmp(cc, a->ccy[sc->ccy].code, 3) != 0) {
		sc->ccy = ccy_find(a, cc ? (const char *)cc : "",
		    cc ? (size_t)ccn : 0, sc->d);
		if (sc->ccy < 0) {
			diag_prefix(sc->d, "item %lld", (long long)id);
			return -1;
		}
	}
	dt = sqlite3_value_text(v[7]);
	dtn = sqlite3_value_bytes(v[7]);
	/* The four types the schema allows differ in their first letter
	 * and length. */
	if (dt == NULL || dt[0] != doc_names[sc->doc][0] ||
	    (size_t)dtn != doc_name_len[sc->doc]) {
		if (doc_of(dt, dtn, &sc->doc) != 0) {
			diag_set(sc->d, "item %lld: unknown doc_type",
			    (long long)id);
			return -1;
		}
	}
	if (a->o.by == AGING_BY_ITEM) {
		long deb = debtor_index(a, sc->m, did);

		if (deb < 0) {
			diag_set(sc->d, "item %lld: no debtor %lld",
			    (long long)id, (long long)did);
			return -1;
		}
		return add_open(a, (uint32_t)deb, (uint32_t)sc->ccy, sc->doc,
		    (int32_t)issue, (int32_t)due, sqlite3_value_int64(v[8]),
		    open, inq, (const char *)sqlite3_value_text(v[9]),
		    (size_t)sqlite3_value_bytes(v[9]), NULL, sc->d);
	}
	/* As add_open does, in the batch's terms. */
	if (sc->doc == DOC_CREDIT_NOTE || sc->doc == DOC_PAYMENT ||
	    sc->doc == DOC_RECEIPT) {
		if (open == INT64_MIN) {
			diag_set(sc->d, "item %lld: open amount too large",
			    (long long)id);
			return -1;
		}
		if (open > 0)
			open = -open;
	}
	r = &sc->batch[sc->nbatch++];
	r->open = open;
	r->did = did;
	r->ccy = (uint32_t)sc->ccy;
	r->due = (int32_t)due;
	r->kind = (uint8_t)kind_of(sc->doc, open);
	r->bucket = (uint8_t)(r->kind == K_BUCKET ? bucket_of(a,
	    (int32_t)issue, (int32_t)due) : 0);
	r->in_query = (uint8_t)inq;
	return sc->nbatch == BATCH ? flush_rows(sc) : 0;
}

static void
scan_step(sqlite3_context *ctx, int argc, sqlite3_value **v)
{
	struct scan *sc = sqlite3_user_data(ctx);

	(void)argc;
	if (sc->failed)
		return;
	if (scan_row(sc, v) != 0) {
		sc->failed = 1;
		/* Stops the statement; sc->d says why. */
		sqlite3_result_error(ctx, "aging stopped", -1);
	}
}

static void
scan_final(sqlite3_context *ctx)
{
	sqlite3_result_null(ctx);
}

/*
 * scan_items: every item open on the day, through scan_step.  Column
 * order follows the table's, so SQLite decodes each record once, front
 * to back; --by debtor reads neither amount nor doc_id.  The function is
 * registered for this statement only and removed after.
 */
static int
scan_items(struct aging *a, struct state *st, const struct idmap *m,
    const struct adj *adj, size_t nadj, const struct adj *qry, size_t nqry,
    struct diag *d)
{
	static const char sql_debtor[] =
	    "SELECT ck_aging_row(id, debtor_id, issue_date, due_date,"
	    " open_amount, in_query, currency, doc_type) FROM item"
	    " WHERE issue_date <= ?1 AND (closed_date IS NULL OR"
	    " closed_date > ?1)";
	static const char sql_item[] =
	    "SELECT ck_aging_row(id, debtor_id, issue_date, due_date,"
	    " open_amount, in_query, currency, doc_type, amount, doc_id)"
	    " FROM item WHERE issue_date <= ?1 AND (closed_date IS NULL OR"
	    " closed_date > ?1)";
	int by_item = a->o.by == AGING_BY_ITEM, nargs = by_item ? 10 : 8;
	struct scan *sc = xcalloc(1, sizeof *sc);
	sqlite3_stmt *s = NULL;
	int rc = -1;

	sc->a = a;
	sc->m = m;
	sc->adj = adj;
	sc->nadj = nadj;
	sc->qry = qry;
	sc->nqry = nqry;
	sc->last_id = INT64_MIN;
	sc->ccy = -1;
	sc->doc = DOC_INVOICE;
	sc->d = d;
	if (sqlite3_create_function_v2(st->db, "ck_aging_row", nargs,
	    SQLITE_UTF8 | SQLITE_DIRECTONLY, sc, NULL, scan_step, scan_final,
	    NULL) != SQLITE_OK) {
		state_error(st, d, "registering the scan");
		free(sc);
		return -1;
	}
	if ((s = state_prepare(st, by_item ? sql_item : sql_debtor, d)) ==
	    NULL)
		goto out;
	sqlite3_bind_int(s, 1, a->o.as_of);
	if (sqlite3_step(s) != SQLITE_ROW) {
		if (!sc->failed)
			state_error(st, d, "reading items");
		goto out;
	}
	if (flush_rows(sc) != 0)
		goto out;
	rc = 0;
out:
	sqlite3_finalize(s);
	sqlite3_create_function_v2(st->db, "ck_aging_row", nargs, SQLITE_UTF8,
	    NULL, NULL, NULL, NULL, NULL);
	free(sc);
	return rc;
}

/*
 * scan_receipts: bank receipts of known debtors not (fully) allocated on
 * the as-of day.  A receipt reversed by then is not cash any more.  The
 * allocations and reversals are grouped first so that SQLite joins two
 * small materialised sets instead of running a subquery per payment
 * (SQLite builds them only when there is a payment to join).  Only
 * allocations spend a receipt's cash: its write-offs settle the item
 * with no cash, and what its reversal reopens is the reversal's.  "+date"
 * keeps SQLite off the date index, which for the usual "all of them"
 * costs a lookup per settlement where a plain scan is 2-3 times faster.
 */
static int
scan_receipts(struct aging *a, struct state *st, const struct idmap *m,
    struct diag *d)
{
	static const char sql[] =
	    "SELECT p.id, p.debtor_id, p.value_date, p.currency, p.amount,"
	    " coalesce(al.s, 0), p.entry_key FROM payment p"
	    " LEFT JOIN (SELECT payment_id AS pid, sum(amount) AS s"
	    "  FROM settlement WHERE payment_id IS NOT NULL"
	    "  AND kind = 'allocation' AND +date <= ?1"
	    "  GROUP BY payment_id) al ON al.pid = p.id"
	    " LEFT JOIN (SELECT DISTINCT reverses_id AS rid FROM payment"
	    "  WHERE kind = 'reversal' AND reverses_id IS NOT NULL"
	    "  AND value_date <= ?1) rv ON rv.rid = p.id"
	    " WHERE p.kind = 'receipt' AND p.debtor_id IS NOT NULL"
	    " AND p.value_date <= ?1 AND rv.rid IS NULL ORDER BY p.id";
	sqlite3_stmt *s = state_prepare(st, sql, d);
	int rc;

	if (s == NULL)
		return -1;
	sqlite3_bind_int(s, 1, a->o.as_of);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		int64_t id = sqlite3_column_int64(s, 0);
		int64_t day = sqlite3_column_int64(s, 2);
		int64_t amount = sqlite3_column_int64(s, 4);
		int64_t alloc = sqlite3_column_int64(s, 5);
		const char *cc = (const char *)sqlite3_column_text(s, 3);
		size_t ccn = (size_t)sqlite3_column_bytes(s, 3);
		const char *key = (const char *)sqlite3_column_text(s, 6);
		size_t keylen = (size_t)sqlite3_column_bytes(s, 6);
		long deb, ccy;
		int64_t left;

		/* An over-allocated receipt leaves nothing, not a debit. */
		if (amount <= 0 || alloc >= amount)
			continue;
		left = amount - alloc;
		if (!is_day(day)) {
			diag_set(d, "payment %lld: value_date is not a day "
			    "number", (long long)id);
			goto fail;
		}
		if ((deb = debtor_index(a, m, sqlite3_column_int64(s, 1)))
		    < 0) {
			diag_set(d, "payment %lld: no debtor %lld",
			    (long long)id,
			    (long long)sqlite3_column_int64(s, 1));
			goto fail;
		}
		if ((ccy = ccy_find(a, cc ? cc : "", cc ? ccn : 0, d)) < 0) {
			diag_prefix(d, "payment %lld", (long long)id);
			goto fail;
		}
		if (add_open(a, (uint32_t)deb, (uint32_t)ccy, DOC_RECEIPT,
		    (int32_t)day, (int32_t)day, amount, left, 0, key, keylen,
		    NULL, d) != 0)
			goto fail;
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE)
		return state_error(st, d, "reading payments");
	return 0;
fail:
	sqlite3_finalize(s);
	return -1;
}

/* cache_size: the connection's page cache setting, to put back. */
static int
cache_size(struct state *st, long long *out, struct diag *d)
{
	sqlite3_stmt *s = state_prepare(st, "PRAGMA cache_size", d);

	if (s == NULL)
		return -1;
	if (sqlite3_step(s) != SQLITE_ROW) {
		sqlite3_finalize(s);
		return state_error(st, d, "reading cache_size");
	}
	*out = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	return 0;
}

int
aging_scan_state(struct aging *a, struct state *st, struct diag *d)
{
	struct idmap m = { NULL, 0 };
	struct adj *adj = NULL, *qry = NULL;
	size_t nadj = 0, nqry = 0;
	long long cache = -2000;
	char pragma[64];
	int rc = -1;

	if (a->source != SRC_NONE) {
		diag_set(d, "one report ages the state once, or streams");
		return -1;
	}
	a->source = SRC_STATE;
	/*
	 * The scan reads the file once, front to back, so a large page cache
	 * only costs memory (and the page faults of filling it): a small
	 * one keeps a 5M-item scan in a few tens of MiB and is faster.
	 */
	if (cache_size(st, &cache, d) != 0 ||
	    state_exec(st, "PRAGMA cache_size = -8192", d) != 0)
		return -1;
	/* A read transaction: every table seen at one moment, even while a
	 * cron job ingests. */
	if (state_exec(st, "BEGIN", d) != 0)
		goto out;
	if (load_debtors(a, st, &m, d) != 0)
		goto out;
	/* Only settlements after the day change the past; usually few. */
	if (load_adj(st, "SELECT item_id, amount FROM settlement"
	    " WHERE date > ?1", a->o.as_of, &adj, &nadj, d,
	    "reading settlements") != 0)
		goto out;
	if (load_adj(st, "SELECT qi.item_id, 0 FROM query_item qi"
	    " JOIN query q ON q.id = qi.query_id WHERE q.opened <= ?1"
	    " AND (q.closed IS NULL OR q.closed > ?1)", a->o.as_of, &qry,
	    &nqry, d, "reading queries") != 0)
		goto out;
	if (scan_items(a, st, &m, adj, nadj, qry, nqry, d) != 0)
		goto out;
	if (scan_receipts(a, st, &m, d) != 0)
		goto out;
	rc = 0;
out:
	/* Nothing was written: ending the read either way is the same. */
	if (!sqlite3_get_autocommit(st->db))
		state_exec(st, "ROLLBACK", NULL);
	snprintf(pragma, sizeof pragma, "PRAGMA cache_size = %lld", cache);
	state_exec(st, pragma, NULL);
	free(m.dense);
	free(adj);
	free(qry);
	return rc;
}

/* ---- item streams ---------------------------------------------------- */

enum scol {
	SC_DEBTOR_ID,
	SC_DEBTOR_NAME,
	SC_DOC_ID,
	SC_DOC_TYPE,
	SC_ISSUE_DATE,
	SC_DUE_DATE,
	SC_CURRENCY,
	SC_AMOUNT,
	SC_OPEN_AMOUNT,
	SC_SETTLED_DATE,
	SC_IN_QUERY,
	SC_COUNT
};
static const char *const scol_names[] = {
	"debtor_id", "debtor_name", "doc_id", "doc_type", "issue_date",
	"due_date", "currency", "amount", "open_amount", "settled_date",
	"in_query"
};

struct aging_stream {
	struct aging *a;
	struct tsv_reader *r;
	int col[SC_COUNT];
	int *extra_col;		/* per a->extra_names: column here, or -1 */
	size_t *fstart;		/* raw field offsets, for pass-through */
	size_t *flen;
	struct sbuf extra;
	long ccy;		/* the last currency, cached */
};

static int
is_known(const struct aging_stream *s, size_t i)
{
	for (size_t k = 0; k < SC_COUNT; k++)
		if (s->col[k] == (int)i)
			return 1;
	return 0;
}

struct aging_stream *
aging_stream_open(struct aging *a, FILE *fp, const char *name,
    struct diag *d)
{
	struct aging_stream *s;
	struct tsv_reader *r;
	size_t n;

	if (a->source == SRC_STATE) {
		diag_set(d, "one report ages the state once, or streams");
		return NULL;
	}
	a->source = SRC_STREAM;
	if ((r = tsv_open(fp, name, d)) == NULL)
		return NULL;
	s = xcalloc(1, sizeof *s);
	s->a = a;
	s->r = r;
	s->ccy = -1;
	for (size_t k = 0; k < SC_COUNT; k++)
		s->col[k] = tsv_col(r, scol_names[k]);
	/* ingest-invoices' canonical name for the flag is "disputed". */
	if (s->col[SC_IN_QUERY] < 0)
		s->col[SC_IN_QUERY] = tsv_col(r, "disputed");
	if (s->col[SC_OPEN_AMOUNT] < 0 && s->col[SC_AMOUNT] < 0) {
		diag_set(d, "no column \"open_amount\" or \"amount\"");
		goto fail;
	}
	for (size_t k = 0; k < SC_COUNT; k++) {
		int need = k == SC_DEBTOR_ID || k == SC_DUE_DATE ||
		    k == SC_CURRENCY || (k == SC_ISSUE_DATE &&
		    a->o.basis == AGING_INVOICE);

		if (need && s->col[k] < 0) {
			diag_set(d, "no column \"%s\"%s", scol_names[k],
			    k == SC_ISSUE_DATE ? " (needed by --basis invoice)"
			    : "");
			goto fail;
		}
	}
	n = tsv_ncols(r);
	if (a->o.by == AGING_BY_ITEM) {
		if (!a->extra_set) {
			for (size_t i = 0; i < n; i++) {
				if (is_known(s, i))
					continue;
				a->extra_names = xreallocarray(a->extra_names,
				    a->nextra + 1, sizeof *a->extra_names);
				a->extra_names[a->nextra++] =
				    xstrdup(tsv_colname(r, i));
			}
			a->extra_set = 1;
		}
		s->extra_col = xreallocarray(NULL, a->nextra + 1,
		    sizeof *s->extra_col);
		for (size_t i = 0; i < a->nextra; i++) {
			int c = tsv_col(r, a->extra_names[i]);

			s->extra_col[i] = c >= 0 && !is_known(s, (size_t)c) ?
			    c : -1;
		}
		s->fstart = xreallocarray(NULL, n + 1, sizeof *s->fstart);
		s->flen = xreallocarray(NULL, n + 1, sizeof *s->flen);
	}
	if (a->debmap == NULL)
		a->debmap = hmap_new();
	return s;
fail:
	tsv_close(r);
	free(s);
	return NULL;
}

void
aging_stream_close(struct aging_stream *s)
{
	if (s == NULL)
		return;
	tsv_close(s->r);
	free(s->extra_col);
	free(s->fstart);
	free(s->flen);
	sbuf_free(&s->extra);
	free(s);
}

static const char *
fld(const struct aging_stream *s, enum scol c, size_t *n)
{
	if (s->col[c] < 0) {
		*n = 0;
		return "";
	}
	*n = tsv_field_len(s->r, (size_t)s->col[c]);
	return tsv_field(s->r, (size_t)s->col[c]);
}

/* bad_field: d says field c of the row is bad (why), naming the column
 * as the stream does: in_query may be read from "disputed".  -1. */
static int
bad_field(struct aging_stream *s, enum scol c, struct diag *d,
    const char *why)
{
	const char *col = s->col[c] >= 0 ?
	    tsv_colname(s->r, (size_t)s->col[c]) : scol_names[c];
	size_t n;
	const char *v = fld(s, c, &n);

	if (n == 0)
		diag_set(d, "field \"%s\": empty%s", col, why);
	else
		diag_set(d, "field \"%s\": \"%.*s\"%s", col,
		    (int)(n > 60 ? 60 : n), v, why);
	d->line = tsv_line(s->r);
	return -1;
}

/* stream_date: an ISO date field; *present 0 when empty and optional. */
static int
stream_date(struct aging_stream *s, enum scol c, int required,
    int32_t *out, int *present, struct diag *d)
{
	size_t n;
	const char *v = fld(s, c, &n);

	*present = n > 0;
	if (n == 0 && !required)
		return 0;
	if (n == 0 || date_parse_iso(v, out) != 0)
		return bad_field(s, c, d, n ? " is not a date (use "
		    "YYYY-MM-DD)" : " (a date is needed)");
	return 0;
}

static int
stream_amount(struct aging_stream *s, enum scol c, int digits,
    int64_t *out, struct diag *d)
{
	size_t n;
	const char *v = fld(s, c, &n);
	struct diag md;

	/* money's messages quote the value already. */
	if (money_parse(v, n, digits, MONEY_POINT, out, NULL, &md) != 0) {
		diag_set(d, "field \"%s\": %s", scol_names[c], md.msg);
		d->line = tsv_line(s->r);
		return -1;
	}
	return 0;
}

static int
stream_flag(struct aging_stream *s, int *out, struct diag *d)
{
	static const char *const yes[] = { "1", "true", "yes", "y", "t" };
	static const char *const no[] = { "", "0", "false", "no", "n", "f" };
	size_t n;
	const char *v = fld(s, SC_IN_QUERY, &n);

	for (size_t i = 0; i < sizeof yes / sizeof yes[0]; i++)
		if (util_strcaseeq(v, yes[i])) {
			*out = 1;
			return 0;
		}
	for (size_t i = 0; i < sizeof no / sizeof no[0]; i++)
		if (util_strcaseeq(v, no[i])) {
			*out = 0;
			return 0;
		}
	return bad_field(s, SC_IN_QUERY, d, " is not a flag (use 1 or 0)");
}

/* stream_extra: the pass-through fields of the row, escaped as read,
 * tab-joined, in the arena; NULL when there are none. */
static const char *
stream_extra(struct aging_stream *s)
{
	struct aging *a = s->a;
	const char *raw = tsv_raw(s->r), *p = raw;
	size_t n = tsv_ncols(s->r);

	if (a->nextra == 0)
		return NULL;
	/* Tabs never occur inside an escaped field, so the raw line cut at
	 * tabs gives each field exactly as it was written. */
	for (size_t i = 0; i < n; i++) {
		const char *t = strchr(p, '\t');

		s->fstart[i] = (size_t)(p - raw);
		s->flen[i] = t ? (size_t)(t - p) : strlen(p);
		p = t ? t + 1 : p + s->flen[i];
	}
	sbuf_reset(&s->extra);
	for (size_t i = 0; i < a->nextra; i++) {
		int c = s->extra_col[i];

		if (i > 0)
			sbuf_addc(&s->extra, '\t');
		if (c >= 0)
			sbuf_add(&s->extra, raw + s->fstart[c], s->flen[c]);
	}
	return arena_strndup(a, s->extra.buf ? s->extra.buf : "",
	    s->extra.len);
}

static int
stream_row(struct aging_stream *s, struct diag *d)
{
	struct aging *a = s->a;
	int32_t D = a->o.as_of, issue = 0, due = 0, settled = 0;
	int has_issue, has_due, has_settled, inq = 0, created;
	int64_t amount = 0, open = 0, *slot;
	enum doc doc = DOC_INVOICE;
	const char *v, *cc;
	size_t n, ccn, an, on;
	long ccy;
	int doc_given;

	fld(s, SC_DEBTOR_ID, &n);
	if (n == 0)
		return bad_field(s, SC_DEBTOR_ID, d, "");
	v = fld(s, SC_DOC_TYPE, &n);
	doc_given = n > 0;
	if (doc_given && (doc_of((const unsigned char *)v, (int)n, &doc)
	    != 0))
		return bad_field(s, SC_DOC_TYPE, d, " is not invoice, "
		    "debit_note, credit_note or payment");
	if (stream_date(s, SC_ISSUE_DATE, a->o.basis == AGING_INVOICE,
	    &issue, &has_issue, d) != 0)
		return -1;
	if (stream_date(s, SC_DUE_DATE, 1, &due, &has_due, d) != 0)
		return -1;
	cc = fld(s, SC_CURRENCY, &ccn);
	if (s->ccy >= 0 && ccn == 3 && memcmp(cc, a->ccy[s->ccy].code, 3)
	    == 0)
		ccy = s->ccy;
	else if (ccn != 3 || !money_is_currency(cc) ||
	    (ccy = ccy_find(a, cc, ccn, d)) < 0)
		return bad_field(s, SC_CURRENCY, d, " is not a currency code "
		    "(use ISO 4217, like GBP)");
	s->ccy = ccy;
	/* Either amount may stand for the other: a document without an
	 * open amount is open whole. */
	fld(s, SC_AMOUNT, &an);
	fld(s, SC_OPEN_AMOUNT, &on);
	if (an == 0 && on == 0)
		return bad_field(s, s->col[SC_OPEN_AMOUNT] >= 0 ?
		    SC_OPEN_AMOUNT : SC_AMOUNT, d, " (an amount is needed)");
	if (an > 0 && stream_amount(s, SC_AMOUNT, a->ccy[ccy].digits,
	    &amount, d) != 0)
		return -1;
	if (on > 0 && stream_amount(s, SC_OPEN_AMOUNT, a->ccy[ccy].digits,
	    &open, d) != 0)
		return -1;
	if (an == 0)
		amount = open;
	if (on == 0)
		open = amount;
	if (stream_date(s, SC_SETTLED_DATE, 0, &settled, &has_settled, d)
	    != 0)
		return -1;
	if (s->col[SC_IN_QUERY] >= 0 && stream_flag(s, &inq, d) != 0)
		return -1;
	if (!doc_given && amount < 0)
		doc = DOC_CREDIT_NOTE;

	/* The row is good; is it open on the day? */
	if ((has_issue && issue > D) || (has_settled && settled <= D) ||
	    open == 0)
		return 1;
	if (!has_issue)
		issue = NO_DAY;

	v = fld(s, SC_DEBTOR_ID, &n);
	slot = hmap_put(a->debmap, v, n, &created);
	if (created) {
		const char *name;
		size_t namelen;

		name = fld(s, SC_DEBTOR_NAME, &namelen);
		*slot = debtor_add(a, 0, v, n, name, namelen);
	} else if (a->deb[*slot].name[0] == '\0') {
		const char *name;
		size_t namelen;

		/* The first name given wins; a later row may fill it. */
		name = fld(s, SC_DEBTOR_NAME, &namelen);
		if (namelen > 0)
			a->deb[*slot].name = arena_strndup(a, name, namelen);
	}
	v = fld(s, SC_DOC_ID, &n);
	if (add_open(a, (uint32_t)*slot, (uint32_t)ccy, doc, issue, due,
	    amount, open, inq, v, n, a->o.by == AGING_BY_ITEM ?
	    stream_extra(s) : NULL, d) != 0) {
		d->line = tsv_line(s->r);
		return -1;
	}
	return 1;
}

int
aging_stream_next(struct aging_stream *s, struct diag *d)
{
	int rc = tsv_next(s->r, d);

	if (rc <= 0)
		return rc;
	diag_clear(d);
	return stream_row(s, d);
}

/* ---- rates ---------------------------------------------------------- */

/*
 * parse_rate: a positive decimal ("0.8550", "1", "149.2") as num / 10^frac,
 * exactly.  At most 18 digits in all and 12 after the point.
 */
static int
parse_rate(const char *s, int64_t *num, int *frac)
{
	int64_t v = 0;
	int digits = 0, f = -1;

	for (; *s; s++) {
		if (*s == '.' && f < 0) {
			f = 0;
			continue;
		}
		if (*s < '0' || *s > '9' || ++digits > 18)
			return -1;
		v = v * 10 + (*s - '0');
		if (f >= 0 && ++f > 12)
			return -1;
	}
	if (digits == 0 || v == 0)
		return -1;
	*num = v;
	*frac = f < 0 ? 0 : f;
	return 0;
}

static int64_t
pow10i(int e)
{
	int64_t p = 1;

	while (e-- > 0)
		p *= 10;
	return p;
}

/* set_rate: the factors that take c's minor units to the report's. */
static int
set_rate(struct ccy *c, int64_t num, int frac, int report_digits)
{
	char *p;
	int n;

	if (money_rate_factors(num, frac, c->digits, report_digits, &c->mul,
	    &c->div) != 0)
		return -1;
	c->has_rate = 1;
	/* The rate as written, less any leading zeros. */
	n = snprintf(c->rate, sizeof c->rate, "%0*lld", frac + 1,
	    (long long)num);
	if (frac > 0) {
		p = c->rate + n - frac;
		memmove(p + 1, p, (size_t)frac + 1);
		*p = '.';
	}
	return 0;
}

int
aging_load_rates(struct aging *a, FILE *fp, const char *name,
    const char *report_ccy, struct diag *d)
{
	struct tsv_reader *r;
	int cc, cr, cd, rc, rdigits;
	long rep;

	if (!money_is_currency(report_ccy)) {
		diag_set(d, "\"%.40s\" is not a currency code (use ISO 4217, "
		    "like GBP)", report_ccy);
		d->line = 0;
		return -1;
	}
	if ((rep = ccy_find(a, report_ccy, strlen(report_ccy), d)) < 0)
		return -1;
	rdigits = a->ccy[rep].digits;
	memcpy(a->report, a->ccy[rep].code, 4);
	if ((r = tsv_open(fp, name, d)) == NULL)
		return -1;
	cc = tsv_col(r, "currency");
	cr = tsv_col(r, "rate");
	cd = tsv_col(r, "date");
	if (cc < 0 || cr < 0) {
		diag_set(d, "no column \"%s\" (rates need the columns "
		    "currency and rate, and may have date)", cc < 0 ?
		    "currency" : "rate");
		d->line = 0;
		goto fail;
	}
	while ((rc = tsv_next(r, d)) != 0) {
		const char *code = tsv_field(r, (size_t)cc);
		const char *rate = tsv_field(r, (size_t)cr);
		int32_t day = INT32_MIN;
		int64_t num;
		int frac;
		long i;
		struct ccy *c;

		if (rc < 0)
			goto fail;
		d->line = tsv_line(r);
		if (!money_is_currency(code)) {
			diag_set(d, "field \"currency\": \"%.40s\" is not a "
			    "currency code (use ISO 4217, like EUR)", code);
			goto fail;
		}
		if (parse_rate(rate, &num, &frac) != 0) {
			diag_set(d, "field \"rate\": \"%.40s\" is not a "
			    "positive decimal (like 0.8550)", rate);
			goto fail;
		}
		if (cd >= 0 && date_parse_iso(tsv_field(r, (size_t)cd), &day)
		    != 0) {
			diag_set(d, "field \"date\": \"%.40s\" is not a date "
			    "(use YYYY-MM-DD)", tsv_field(r, (size_t)cd));
			goto fail;
		}
		if (cd >= 0 && day > a->o.as_of)
			continue;
		if ((i = ccy_find(a, code, 3, d)) < 0)
			goto fail;
		c = &a->ccy[i];
		if (i == rep && num != pow10i(frac)) {
			diag_set(d, "the rate of the report currency %s must "
			    "be 1", code);
			goto fail;
		}
		if (c->has_rate && day == c->rate_day) {
			diag_set(d, "a second rate for %s%s%s", code,
			    cd >= 0 ? " on " : "", cd >= 0 ?
			    tsv_field(r, (size_t)cd) : "");
			goto fail;
		}
		if (c->has_rate && day < c->rate_day)
			continue;
		c->rate_day = day;
		if (set_rate(c, num, frac, rdigits) != 0) {
			diag_set(d, "field \"rate\": \"%.40s\" is too large",
			    rate);
			goto fail;
		}
	}
	tsv_close(r);
	if (!a->ccy[rep].has_rate)
		set_rate(&a->ccy[rep], 1, 0, rdigits);
	a->rates = 1;
	return 0;
fail:
	tsv_close(r);
	return -1;
}

const char *
aging_missing_rate(const struct aging *a, size_t i)
{
	size_t k = 0;
	const char *best = NULL, *prev = NULL;

	/* The currencies are few: pick the i-th missing in code order by
	 * repeated minimum rather than keep a sorted copy. */
	for (;;) {
		best = NULL;
		for (size_t j = 0; j < a->nccy; j++) {
			const char *c = a->ccy[j].code;

			if (!a->ccy[j].missing)
				continue;
			if (prev != NULL && strcmp(c, prev) <= 0)
				continue;
			if (best == NULL || strcmp(c, best) < 0)
				best = c;
		}
		if (best == NULL || k == i)
			return best;
		prev = best;
		k++;
	}
}

/* ---- writing -------------------------------------------------------- */

/* put_text: s escaped as the stream format wants. */
static void
put_text(struct sbuf *b, const char *s)
{
	for (;;) {
		size_t n = strcspn(s, "\t\n\r\\");

		sbuf_add(b, s, n);
		s += n;
		switch (*s) {
		case '\0':
			return;
		case '\t':
			sbuf_add(b, "\\t", 2);
			break;
		case '\n':
			sbuf_add(b, "\\n", 2);
			break;
		case '\r':
			sbuf_add(b, "\\r", 2);
			break;
		default:
			sbuf_add(b, "\\\\", 2);
			break;
		}
		s++;
	}
}

static void
put_money(struct sbuf *b, int64_t v, int digits)
{
	char buf[MONEY_BUFSZ];

	sbuf_adds(b, money_format(v, digits, buf));
}

static void
put_date(struct sbuf *b, int32_t day)
{
	char buf[DATE_BUFSZ];

	sbuf_adds(b, date_format(day, buf));
}

static int
cmp_ref(const void *x, const void *y)
{
	const struct debtor *const *p = x, *const *q = y;
	int c = strcmp((*p)->ref, (*q)->ref);

	/* Refs are unique in the state and in the stream's map; the
	 * pointer order only keeps qsort's result defined. */
	if (c != 0)
		return c;
	return *p < *q ? -1 : *p > *q;
}

/* rank_debtors: each debtor's position in ref order. */
static void
rank_debtors(struct aging *a)
{
	struct debtor **v = xreallocarray(NULL, a->ndeb + 1, sizeof *v);

	for (size_t i = 0; i < a->ndeb; i++)
		v[i] = &a->deb[i];
	qsort(v, a->ndeb, sizeof *v, cmp_ref);
	for (size_t i = 0; i < a->ndeb; i++)
		v[i]->rank = (uint32_t)i;
	free(v);
}

/*
 * convert: v into the report currency, or 0 without a rate (the currency
 * is then marked missing).  -1 when the result does not fit.
 */
static int
convert(struct aging *a, uint32_t ccy, int64_t v, int64_t *out, int *ok)
{
	struct ccy *c = &a->ccy[ccy];

	*ok = c->has_rate;
	if (!c->has_rate) {
		c->missing = 1;
		return 0;
	}
	return money_muldiv(v, c->mul, c->div, out);
}

static void
put_header_report(struct aging *a, struct sbuf *b, const char *cols)
{
	if (a->rates) {
		sbuf_adds(b, "\treport_currency\tfx_rate\t");
		sbuf_adds(b, cols);
	}
}

static int
write_debtor_row(struct aging *a, struct sbuf *b, const struct group *g,
    struct diag *d)
{
	const struct debtor *dp = &a->deb[g->debtor];
	const struct ccy *c = &a->ccy[g->ccy];
	int64_t total = 0;
	char buf[32];

	sbuf_reset(b);
	put_text(b, dp->ref);
	sbuf_addc(b, '\t');
	put_text(b, dp->name);
	sbuf_addc(b, '\t');
	sbuf_adds(b, c->code);
	for (size_t i = 0; i < a->nb; i++) {
		sbuf_addc(b, '\t');
		put_money(b, g->b[i], c->digits);
		if (add64(&total, g->b[i]) != 0)
			goto overflow;
	}
	if (add64(&total, g->credits) != 0 || add64(&total, g->unapplied)
	    != 0)
		goto overflow;
	sbuf_addc(b, '\t');
	put_money(b, g->credits, c->digits);
	sbuf_addc(b, '\t');
	put_money(b, g->unapplied, c->digits);
	sbuf_addc(b, '\t');
	put_money(b, total, c->digits);
	sbuf_addc(b, '\t');
	put_money(b, g->in_query, c->digits);
	sbuf_addc(b, '\t');
	if (g->oldest_due != INT32_MAX) {
		put_date(b, g->oldest_due);
		snprintf(buf, sizeof buf, "\t%ld",
		    (long)a->o.as_of - g->oldest_due);
		sbuf_adds(b, buf);
	} else {
		sbuf_addc(b, '\t');
	}
	snprintf(buf, sizeof buf, "\t%lld", (long long)g->open_items);
	sbuf_adds(b, buf);
	if (a->rates) {
		int64_t rt = 0, rq = 0;
		int ok;

		if (convert(a, g->ccy, total, &rt, &ok) != 0 ||
		    convert(a, g->ccy, g->in_query, &rq, &ok) != 0)
			goto overflow;
		sbuf_addc(b, '\t');
		sbuf_adds(b, a->report);
		sbuf_addc(b, '\t');
		if (ok) {
			int rd = money_minor_digits(a->report);

			sbuf_adds(b, c->rate);
			sbuf_addc(b, '\t');
			put_money(b, rt, rd);
			sbuf_addc(b, '\t');
			put_money(b, rq, rd);
		} else {
			sbuf_adds(b, "\t\t");
		}
	}
	sbuf_addc(b, '\n');
	return 0;
overflow:
	diag_set(d, "debtor \"%s\": %s amounts too large to sum", dp->ref,
	    c->code);
	return -1;
}

static int
write_by_debtor(struct aging *a, FILE *out, struct diag *d)
{
	struct debtor **order;
	struct sbuf b = { 0 };
	char name[AGING_NAMESZ];
	int rc = 0;

	sbuf_adds(&b, "debtor_id\tdebtor_name\tcurrency");
	for (size_t i = 0; i < a->nb; i++) {
		sbuf_addc(&b, '\t');
		sbuf_adds(&b, aging_bucket_name(&a->o, i, name));
	}
	sbuf_adds(&b, "\tcredits\tunapplied\ttotal_open\tin_query"
	    "\toldest_due_date\tmax_days_past_due\topen_items");
	put_header_report(a, &b, "total_open_report\tin_query_report");
	sbuf_addc(&b, '\n');
	fwrite(b.buf, 1, b.len, out);

	rank_debtors(a);
	order = xreallocarray(NULL, a->ndeb + 1, sizeof *order);
	for (size_t i = 0; i < a->ndeb; i++)
		order[a->deb[i].rank] = &a->deb[i];
	for (size_t i = 0; i < a->ndeb && rc == 0; i++) {
		const char *prev = "";

		/* A debtor's groups, by currency code: a selection over the
		 * few currencies one debtor has. */
		for (;;) {
			const struct group *best = NULL;

			for (int32_t k = a->head[order[i] - a->deb];
			    k >= 0; k = GRP(a, k)->next) {
				const struct group *g = GRP(a, k);
				const char *c = a->ccy[g->ccy].code;

				if (strcmp(c, prev) > 0 && (best == NULL ||
				    strcmp(c, a->ccy[best->ccy].code) < 0))
					best = g;
			}
			if (best == NULL)
				break;
			if ((rc = write_debtor_row(a, &b, best, d)) != 0)
				break;
			fwrite(b.buf, 1, b.len, out);
			prev = a->ccy[best->ccy].code;
		}
	}
	free(order);
	sbuf_free(&b);
	return rc;
}

static int
cmp_item(const void *x, const void *y)
{
	const struct item *p = x, *q = y;
	int c;

	if (p->rank != q->rank)
		return p->rank < q->rank ? -1 : 1;
	if (p->due != q->due)
		return p->due < q->due ? -1 : 1;
	if ((c = strcmp(p->doc_id, q->doc_id)) != 0)
		return c;
	return p->seq < q->seq ? -1 : p->seq > q->seq;
}

/* write_item_row: the row into b; 1 when its amount could not be
 * converted (the report column is left empty), else 0. */
static int
write_item_row(struct aging *a, struct sbuf *b, const struct item *it)
{
	const struct debtor *dp = &a->deb[it->debtor];
	const struct ccy *c = &a->ccy[it->ccy];
	enum kind k = kind_of((enum doc)it->doc, it->open);
	char buf[AGING_NAMESZ + 16];
	int unconverted = 0;

	sbuf_reset(b);
	put_text(b, dp->ref);
	sbuf_addc(b, '\t');
	put_text(b, dp->name);
	sbuf_addc(b, '\t');
	put_text(b, it->doc_id);
	sbuf_addc(b, '\t');
	sbuf_adds(b, doc_names[it->doc]);
	sbuf_addc(b, '\t');
	if (it->issue != NO_DAY)
		put_date(b, it->issue);
	sbuf_addc(b, '\t');
	put_date(b, it->due);
	sbuf_addc(b, '\t');
	sbuf_adds(b, c->code);
	sbuf_addc(b, '\t');
	put_money(b, it->amount, c->digits);
	sbuf_addc(b, '\t');
	put_money(b, it->open, c->digits);
	sbuf_addc(b, '\t');
	if (k == K_BUCKET) {
		int32_t days = a->o.basis == AGING_DUE ?
		    a->o.as_of - it->due : a->o.as_of - it->issue;

		snprintf(buf, sizeof buf, "%ld\t", (long)a->o.as_of - it->due);
		sbuf_adds(b, buf);
		sbuf_adds(b, aging_bucket_name(&a->o,
		    aging_bucket_index(&a->o, days), buf));
	} else {
		sbuf_addc(b, '\t');
		sbuf_adds(b, k == K_CREDITS ? "credits" : "unapplied");
	}
	sbuf_adds(b, it->in_query ? "\t1" : "\t0");
	if (a->rates) {
		int64_t r = 0;
		int ok;

		/* One amount past int64 in the report currency must not
		 * cost the other rows: its report column stays empty, and
		 * caller tells the first such document. */
		if (convert(a, it->ccy, it->open, &r, &ok) != 0) {
			ok = 0;
			unconverted = 1;
		}
		sbuf_addc(b, '\t');
		sbuf_adds(b, a->report);
		sbuf_addc(b, '\t');
		if (ok) {
			sbuf_adds(b, c->rate);
			sbuf_addc(b, '\t');
			put_money(b, r, money_minor_digits(a->report));
		} else {
			sbuf_addc(b, '\t');
		}
	}
	if (a->nextra > 0) {
		sbuf_addc(b, '\t');
		if (it->extra != NULL)
			sbuf_adds(b, it->extra);
		else
			for (size_t i = 1; i < a->nextra; i++)
				sbuf_addc(b, '\t');
	}
	sbuf_addc(b, '\n');
	return unconverted;
}

static int
write_by_item(struct aging *a, FILE *out, struct diag *d)
{
	struct sbuf b = { 0 };
	int rc = 0;

	sbuf_adds(&b, "debtor_id\tdebtor_name\tdoc_id\tdoc_type\tissue_date"
	    "\tdue_date\tcurrency\tamount\topen_amount\tdays_past_due\tbucket"
	    "\tin_query");
	put_header_report(a, &b, "open_amount_report");
	for (size_t i = 0; i < a->nextra; i++) {
		sbuf_addc(&b, '\t');
		put_text(&b, a->extra_names[i]);
	}
	sbuf_addc(&b, '\n');
	fwrite(b.buf, 1, b.len, out);

	rank_debtors(a);
	for (size_t i = 0; i < a->nitem; i++)
		a->item[i].rank = a->deb[a->item[i].debtor].rank;
	/* qsort's pointer must not be NULL, even for no items. */
	if (a->nitem > 1)
		qsort(a->item, a->nitem, sizeof *a->item, cmp_item);
	for (size_t i = 0; i < a->nitem; i++) {
		const struct item *it = &a->item[i];

		if (write_item_row(a, &b, it) != 0 && rc == 0) {
			diag_set(d, "document \"%s\": %s amount too large to "
			    "convert (its report column is empty)", it->doc_id,
			    a->ccy[it->ccy].code);
			rc = -1;
		}
		fwrite(b.buf, 1, b.len, out);
	}
	sbuf_free(&b);
	return rc;
}

int
aging_write(struct aging *a, FILE *out, struct diag *d)
{
	if (a->o.by == AGING_BY_DEBTOR)
		return write_by_debtor(a, out, d);
	return write_by_item(a, out, d);
}

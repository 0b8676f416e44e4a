/*
 * allocate: cash application, DOMAIN.md section 6.
 *
 * A run takes the payments still to decide (receipts with no debtor and
 * cash unallocated, reversals not yet undone), in value-date order, and
 * for each: finds the debtor (find_debtor: the documents the reference
 * names, an RF reference's document, the payer account of an earlier
 * receipt, a debtor code in the reference, the payer's name; any step
 * that names two debtors stops the search: ambiguous, for a person), then
 * applies the cash to that debtor's open items in the receipt's currency
 * by the rules of section 6, writing each step as a settlement and a row
 * of the allocation stream.
 *
 * Open items are read from the state once per debtor and currency and
 * then kept here (struct cache): in due-date order for rule 4, indexed
 * by open amount for rule 2, and by item id for rule 1.  Every change is
 * written through to the state as it is made, so the state and the
 * memory never disagree inside the run; a reversal, which reopens items
 * the cache may not hold, throws the debtor's caches away.
 */
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "allocate.h"
#include "date.h"
#include "hmap.h"
#include "money.h"
#include "tsv.h"
#include "util.h"

const char *const alloc_columns[] = {
	"payment_id", "value_date", "debtor_id", "doc_id", "currency",
	"allocated", "rule", "residual_open", "note"
};
const size_t alloc_ncolumns = sizeof alloc_columns / sizeof alloc_columns[0];

#define GROW(p, n, cap) do { \
	if ((n) == (cap)) { \
		(cap) = (cap) ? 2 * (cap) : 16; \
		(p) = xreallocarray((p), (cap), sizeof *(p)); \
	} \
} while (0)

/* ---- config ---------------------------------------------------------- */

void
alloc_config_defaults(struct alloc_config *c)
{
	memset(c, 0, sizeof *c);
	c->tolerance = 50000;
	c->tolerance_pct = -1;
	c->max_combination = 3;
	c->combination_items = 1000;
	c->not_due = 1;
	c->refund = 0;
}

static const char *const alloc_keys_allowed[] = {
	"tolerance", "tolerance_pct", "max_combination", "combination_items",
	"not_due", "excess", NULL
};

/* decimal: a non-negative decimal with at most 4 places, x 10^4. */
static int
decimal(const struct cfg_node *map, const char *key, int64_t max,
    int64_t *out, struct diag *d)
{
	const struct cfg_node *n = cfg_get(map, key);
	const char *s;
	struct diag pd;
	int64_t v;
	int r;

	if ((r = cfg_get_str(map, "allocation", key, &s, d)) != 1)
		return r;
	diag_clear(&pd);
	if (money_parse(s, strlen(s), 4, MONEY_POINT, &v, NULL, &pd) != 0 ||
	    v < 0 || v > max) {
		char q[64];

		diag_set(d, "allocation.%s: %s is not a decimal from 0 to "
		    "%lld%s", key, util_quote(s, strlen(s), q, sizeof q),
		    (long long)(max / 10000), max == 1000000 ? " (percent)" :
		    "");
		d->line = n->line;
		return -1;
	}
	*out = v;
	return 1;
}

int
alloc_config_read(const struct cfg_node *root, struct alloc_config *c,
    struct diag *d)
{
	const struct cfg_node *map = cfg_get(root, "allocation");
	long long v;
	const char *s;
	int r;

	alloc_config_defaults(c);
	if (cfg_is_null(map))
		return 0;
	if (map->kind != CFG_MAP) {
		diag_set(d, "allocation: expected a map of settings");
		d->line = map->line;
		return -1;
	}
	if (cfg_check_keys(map, alloc_keys_allowed, "allocation", d) != 0)
		return -1;
	/* A billion in any currency is no small balance. */
	if (decimal(map, "tolerance", (int64_t)1000000000 * 10000,
	    &c->tolerance, d) < 0)
		return -1;
	if (decimal(map, "tolerance_pct", 1000000, &c->tolerance_pct, d) < 0)
		return -1;
	if ((r = cfg_get_int(map, "allocation", "max_combination", 1,
	    ALLOC_MAX_COMBINATION, &v, d)) < 0)
		return -1;
	if (r == 1)
		c->max_combination = (int)v;
	if ((r = cfg_get_int(map, "allocation", "combination_items", 0,
	    100000, &v, d)) < 0)
		return -1;
	if (r == 1)
		c->combination_items = (long)v;
	if (cfg_get_bool(map, "allocation", "not_due", &c->not_due, d) < 0)
		return -1;
	if ((r = cfg_get_str(map, "allocation", "excess", &s, d)) < 0)
		return -1;
	if (r == 1) {
		if (strcmp(s, "on_account") == 0)
			c->refund = 0;
		else if (strcmp(s, "refund") == 0)
			c->refund = 1;
		else {
			char q[64];

			diag_set(d, "allocation.excess: %s is not on_account "
			    "or refund", util_quote(s, strlen(s), q,
			    sizeof q));
			d->line = cfg_get(map, "excess")->line;
			return -1;
		}
	}
	return 0;
}

int64_t
alloc_tolerance(const struct alloc_config *c, int digits, int64_t named)
{
	int64_t tol, pct;

	if (money_rescale(c->tolerance, 4, digits, &tol) != 0)
		tol = INT64_MAX;
	if (c->tolerance_pct >= 0 && named > 0 &&
	    money_muldiv(named, c->tolerance_pct, 1000000, &pct) == 0 &&
	    pct < tol)
		tol = pct;
	return tol;
}

/* ---- keys ------------------------------------------------------------ */

const char *
alloc_key(const struct alloc_keys *k, size_t i)
{
	return k->text.buf + k->off[i];
}

void
alloc_keys_free(struct alloc_keys *k)
{
	sbuf_free(&k->text);
	free(k->off);
	hmap_free(k->seen);
	memset(k, 0, sizeof *k);
}

/* keys_reset: empty.  The set of keys seen is stamped with a generation
 * rather than cleared, so a reset costs nothing; it is thrown away when
 * a run's references have filled it. */
static void
keys_reset(struct alloc_keys *k)
{
	sbuf_reset(&k->text);
	k->n = 0;
	if (k->seen != NULL && hmap_count(k->seen) > 65536) {
		hmap_free(k->seen);
		k->seen = NULL;
	}
	if (k->seen == NULL)
		k->seen = hmap_new();
	k->gen++;
}

/* keys_add: the normalised text s[0..n) as a key, unless too short or
 * there already (a hash lookup: a reference of many words is linear). */
static void
keys_add(struct alloc_keys *k, const char *s, size_t n, struct sbuf *tmp)
{
	char *raw = xstrndup(s, n);
	int64_t *seen;
	size_t off;

	util_norm_key(raw, tmp);
	free(raw);
	if (tmp->len < ALLOC_KEY_MIN)
		return;
	seen = hmap_put(k->seen, tmp->buf, tmp->len, NULL);
	if (*seen == k->gen)
		return;
	*seen = k->gen;
	off = k->text.len;
	sbuf_add(&k->text, tmp->buf, tmp->len + 1);	/* with its NUL */
	GROW(k->off, k->n, k->cap);
	k->off[k->n++] = off;
}

static int
is_sep(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == ',' ||
	    c == ';' || c == '/' || c == '+' || c == ':' || c == '#' ||
	    c == '(' || c == ')';
}

size_t
alloc_ref_len(const char *ref)
{
	size_t n;

	if (ref == NULL)
		return 0;
	if ((n = strlen(ref)) <= ALLOC_REF_SCAN)
		return n;
	n = ALLOC_REF_SCAN;
	while (n > 0 && ((unsigned char)ref[n] & 0xC0) == 0x80)
		n--;
	return n;
}

/* words: the spans of ref[0..L) between separators, into start/len arrays
 * (grown as needed); returns their count. */
static size_t
words(const char *ref, size_t L, size_t **start, size_t **len, size_t *cap)
{
	size_t n = 0, i = 0;

	while (i < L) {
		size_t b;

		while (i < L && is_sep((unsigned char)ref[i]))
			i++;
		if (i >= L)
			break;
		b = i;
		while (i < L && !is_sep((unsigned char)ref[i]))
			i++;
		if (n == *cap) {
			*cap = *cap ? 2 * *cap : 16;
			*start = xreallocarray(*start, *cap, sizeof **start);
			*len = xreallocarray(*len, *cap, sizeof **len);
		}
		(*start)[n] = b;
		(*len)[n] = i - b;
		n++;
	}
	return n;
}

void
alloc_ref_keys(const char *ref, struct alloc_keys *k)
{
	struct sbuf tmp = { 0 };
	size_t *st = NULL, *ln = NULL, cap = 0, n;

	size_t L = alloc_ref_len(ref);

	keys_reset(k);
	if (ref == NULL)
		return;
	keys_add(k, ref, L, &tmp);
	n = words(ref, L, &st, &ln, &cap);
	for (size_t i = 0; i < n; i++)
		keys_add(k, ref + st[i], ln[i], &tmp);
	for (size_t i = 0; i + 1 < n; i++)
		keys_add(k, ref + st[i], st[i + 1] + ln[i + 1] - st[i], &tmp);
	free(st);
	free(ln);
	sbuf_free(&tmp);
}

/* ISO 11649: RF, two check digits, 1-21 letters or digits; moved to the
 * end with letters as 10..35, the number mod 97 is 1. */
int
alloc_rf_valid(const char *s, size_t n)
{
	unsigned rem = 0;

	if (n < 5 || n > 25 || (s[0] != 'R' && s[0] != 'r') ||
	    (s[1] != 'F' && s[1] != 'f') || s[2] < '0' || s[2] > '9' ||
	    s[3] < '0' || s[3] > '9')
		return 0;
	for (size_t j = 0; j < n; j++) {
		unsigned char c = (unsigned char)s[(j + 4) % n];

		if (c >= '0' && c <= '9')
			rem = (rem * 10 + (c - '0')) % 97;
		else if (c >= 'A' && c <= 'Z')
			rem = (rem * 100 + (c - 'A' + 10)) % 97;
		else if (c >= 'a' && c <= 'z')
			rem = (rem * 100 + (c - 'a' + 10)) % 97;
		else
			return 0;
	}
	return rem == 1;
}

/* rf_try: s[0..n) with spaces taken out, as an RF reference. */
static void
rf_try(struct alloc_keys *k, const char *s, size_t n, struct sbuf *tmp)
{
	struct sbuf c = { 0 };

	for (size_t i = 0; i < n; i++)
		if (s[i] != ' ')
			sbuf_addc(&c, s[i]);
	if (c.len > 0 && alloc_rf_valid(c.buf, c.len))
		keys_add(k, c.buf + 4, c.len - 4, tmp);
	sbuf_free(&c);
}

void
alloc_rf_keys(const char *ref, struct alloc_keys *k)
{
	struct sbuf tmp = { 0 };
	size_t *st = NULL, *ln = NULL, cap = 0, n;

	size_t L = alloc_ref_len(ref);

	keys_reset(k);
	if (ref == NULL)
		return;
	/* Printed RF references come in groups of four: "RF18 5390 ...". */
	rf_try(k, ref, L, &tmp);
	n = words(ref, L, &st, &ln, &cap);
	for (size_t i = 0; i < n; i++)
		rf_try(k, ref + st[i], ln[i], &tmp);
	free(st);
	free(ln);
	sbuf_free(&tmp);
}

/* ---- rule 3: a unique combination ------------------------------------ */

struct comb {
	const int64_t *v;	/* sorted ascending */
	size_t n;
	long steps, budget;
	int found;		/* sets found, at most 2 */
	size_t cur[ALLOC_MAX_COMBINATION], best[ALLOC_MAX_COMBINATION];
	int depth, bestn;
};

/* pairs: sets of two among v[lo..n) summing to t, by two pointers; equal
 * values count as the different items they are. */
static void
pairs(struct comb *c, size_t lo, int64_t t)
{
	size_t hi = c->n;

	if (hi <= lo + 1)
		return;
	hi--;
	while (lo < hi && c->found < 2) {
		int64_t s = c->v[lo] + c->v[hi];

		if (++c->steps > c->budget)
			return;
		if (s < t)
			lo++;
		else if (s > t)
			hi--;
		else if (c->v[lo] == c->v[hi]) {
			/* Three or more equal values hold several pairs. */
			if (hi - lo + 1 > 2) {
				c->found = 2;
				return;
			}
			goto one;
		} else {
			size_t a = lo, b = hi;

			while (a + 1 < hi && c->v[a + 1] == c->v[lo])
				a++;
			while (b - 1 > lo && c->v[b - 1] == c->v[hi])
				b--;
			if (a != lo || b != hi) {
				c->found = 2;
				return;
			}
one:
			if (c->found++ == 0) {
				memcpy(c->best, c->cur, sizeof c->cur);
				c->best[c->depth] = lo;
				c->best[c->depth + 1] = hi;
				c->bestn = c->depth + 2;
			}
			lo++;
			hi--;
		}
	}
}

/* ksum: sets of k (>= 2) among v[lo..n) summing to t. */
static void
ksum(struct comb *c, size_t lo, int k, int64_t t)
{
	if (k == 2) {
		pairs(c, lo, t);
		return;
	}
	for (size_t i = lo; i + (size_t)k <= c->n && c->found < 2; i++) {
		int64_t least = 0;

		if (++c->steps > c->budget)
			return;
		/* The k smallest from i already pass t: so do all later. */
		for (int j = 0; j < k; j++)
			least += c->v[i + (size_t)j];
		if (least > t)
			return;
		c->cur[c->depth++] = i;
		ksum(c, i + 1, k - 1, t - c->v[i]);
		c->depth--;
	}
}

struct vidx {
	int64_t v;
	size_t i;
};

static int
cmp_vidx(const void *x, const void *y)
{
	const struct vidx *p = x, *q = y;

	if (p->v != q->v)
		return p->v < q->v ? -1 : 1;
	return p->i < q->i ? -1 : p->i > q->i;
}

int
alloc_combination(const int64_t *v, size_t n, int64_t target, int kmax,
    long budget, size_t *pick, int *npick)
{
	struct vidx *s;
	int64_t *sv;
	struct comb c;
	size_t m = 0;

	*npick = 0;
	if (kmax > ALLOC_MAX_COMBINATION)
		kmax = ALLOC_MAX_COMBINATION;
	if (n < 2 || kmax < 2 || target <= 0)
		return ALLOC_COMB_NONE;
	s = xcalloc(n, sizeof *s);
	/* Only values below the target can be part of a set of two or
	 * more positive values. */
	for (size_t i = 0; i < n; i++)
		if (v[i] > 0 && v[i] < target) {
			s[m].v = v[i];
			s[m].i = i;
			m++;
		}
	qsort(s, m, sizeof *s, cmp_vidx);
	sv = xcalloc(m ? m : 1, sizeof *sv);
	for (size_t i = 0; i < m; i++)
		sv[i] = s[i].v;
	memset(&c, 0, sizeof c);
	c.v = sv;
	c.n = m;
	c.budget = budget;
	for (int k = 2; k <= kmax && c.found < 2 && c.steps <= budget; k++)
		ksum(&c, 0, k, target);
	free(sv);
	if (c.steps > budget) {
		free(s);
		return ALLOC_COMB_BUDGET;
	}
	if (c.found == 1) {
		for (int j = 0; j < c.bestn; j++)
			pick[j] = s[c.best[j]].i;
		*npick = c.bestn;
	}
	free(s);
	return c.found == 0 ? ALLOC_COMB_NONE : c.found == 1 ?
	    ALLOC_COMB_UNIQUE : ALLOC_COMB_MANY;
}

/* ---- the run ---------------------------------------------------------- */

/* An open debit item of a cached debtor and currency. */
struct aitem {
	int64_t id;
	int64_t open;
	int32_t issue, due;
	int32_t next_amt;	/* next item of the same open amount, -1 */
	uint32_t cache;
	int flagged;		/* in_query set by the client's export */
	char *doc_id;
};

/* A debtor's open items in one currency: it[start..start+n), by due
 * date. */
struct cache {
	int64_t debtor;
	char ccy[4];
	size_t start, n;
	size_t cur;		/* no open item before it[start+cur] */
	long nopen;
	int stale;		/* a reversal reopened items: read again */
};

/* A query's time on an item. */
struct qiv {
	int64_t query;
	int32_t opened, closed;	/* closed INT32_MAX while open */
	int32_t next;
};

struct debtor {
	int64_t id;
	char *ref;
};

struct payment {
	int64_t id;
	char kind[12];
	int32_t value_date;
	char ccy[4];
	int digits;
	int64_t amount, unallocated;
	char *payer_name, *payer_account, *reference, *e2e;
	int64_t debtor;		/* 0 when none */
	int64_t reverses;	/* 0 when not known */
};

struct queued {
	int64_t id;
	int32_t value_date;
};

/* A named document, as the state has it. */
struct named {
	int64_t item, debtor;
	char ccy[4];
	int debit;		/* invoice or debit note */
	int credit;		/* credit note */
	int32_t issue;
	int closed;
	int64_t open, amount;
	char *doc_id;
};

struct alloc_run {
	struct state *st;
	const struct alloc_opts *o;

	struct aitem *it;
	size_t nit, itcap;
	struct cache *cache;
	size_t ncache, cachecap;
	struct hmap *cachemap;	/* debtor id + currency -> cache + 1 */
	struct hmap *itemmap;	/* item id -> it index + 1 */
	struct hmap *amtmap;	/* cache index + open amount -> it + 1 */

	struct qiv *qiv;
	size_t nqiv, qivcap;
	struct hmap *qmap;	/* item id -> qiv index + 1 */

	struct debtor *deb;	/* by id */
	size_t ndeb, debcap;
	struct hmap *refmap;	/* normalised ref -> debtor id, -1 if two */
	struct hmap *namemap;	/* normalised name -> debtor id, -1 */

	struct queued *q;
	size_t nq, qcap;

	struct named *nm;
	size_t nnm, nmcap;
	struct hmap *nmseen;	/* item id -> the receipt it was named by */
	int64_t nmgen;

	struct alloc_keys keys, rfkeys;
	struct sbuf note, tmp;
	struct sbuf cut;	/* the receipt's reference was cut short */
	int header_done;

	sqlite3_stmt *s_pay, *s_pay_key, *s_done, *s_doc, *s_payer, *s_items,
	    *s_ins_set, *s_upd_item, *s_upd_pay, *s_ins_alloc, *s_ins_query,
	    *s_ins_qitem, *s_bureau, *s_rev_items, *s_item_row, *s_close_query,
	    *s_e2e, *s_pending, *s_paid_by;
};

static int
prep(struct alloc_run *r, sqlite3_stmt **s, const char *sql,
    struct diag *d)
{
	*s = state_prepare(r->st, sql, d);
	return *s ? 0 : -1;
}

static int
step_done(struct alloc_run *r, sqlite3_stmt *s, const char *what,
    struct diag *d)
{
	int rc = sqlite3_step(s);

	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
	if (rc != SQLITE_DONE)
		return state_error(r->st, d, what);
	return 0;
}

static char *
col_strdup(sqlite3_stmt *s, int i)
{
	const unsigned char *t = sqlite3_column_text(s, i);

	return t ? xstrndup((const char *)t, (size_t)sqlite3_column_bytes(s,
	    i)) : NULL;
}

/* ck_alloc_norm(text): the doc_key of a document id. */
static void
norm_fn(sqlite3_context *ctx, int argc, sqlite3_value **v)
{
	struct sbuf b = { 0 };
	const unsigned char *t = sqlite3_value_text(v[0]);

	(void)argc;
	util_norm_key(t ? (const char *)t : "", &b);
	sqlite3_result_text(ctx, b.buf, (int)b.len, SQLITE_TRANSIENT);
	sbuf_free(&b);
}

/* index_docs: the keys of the items added since the last run. */
static int
index_docs(struct alloc_run *r, struct diag *d)
{
	int rc;

	if (sqlite3_create_function_v2(r->st->db, "ck_alloc_norm", 1,
	    SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_DIRECTONLY, NULL,
	    norm_fn, NULL, NULL, NULL) != SQLITE_OK)
		return state_error(r->st, d, "registering a function");
	rc = state_exec(r->st, "INSERT OR IGNORE INTO doc_key (key, item_id)"
	    " SELECT k, id FROM (SELECT ck_alloc_norm(doc_id) AS k, id"
	    " FROM item WHERE id > (SELECT coalesce(max(item_id), 0)"
	    " FROM doc_key)) WHERE k <> ''", d);
	sqlite3_create_function_v2(r->st->db, "ck_alloc_norm", 1, SQLITE_UTF8,
	    NULL, NULL, NULL, NULL, NULL);
	if (rc != 0)
		diag_prefix(d, "indexing document ids");
	return rc;
}

/* map_key_put: the normalised key of s into m as id, or -1 when a
 * different debtor has it too. */
static void
map_key_put(struct hmap *m, const char *s, int64_t id, struct sbuf *tmp)
{
	int64_t *slot;
	int created;

	if (s == NULL)
		return;
	util_norm_key(s, tmp);
	if (tmp->len < ALLOC_KEY_MIN)
		return;
	slot = hmap_put(m, tmp->buf, tmp->len, &created);
	if (created)
		*slot = id;
	else if (*slot != id)
		*slot = -1;
}

static int
load_debtors(struct alloc_run *r, struct diag *d)
{
	sqlite3_stmt *s;
	int rc;

	if ((s = state_prepare(r->st, "SELECT id, ref, name FROM debtor "
	    "ORDER BY id", d)) == NULL)
		return -1;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct debtor *db;
		const char *name = (const char *)sqlite3_column_text(s, 2);

		GROW(r->deb, r->ndeb, r->debcap);
		db = &r->deb[r->ndeb++];
		db->id = sqlite3_column_int64(s, 0);
		db->ref = col_strdup(s, 1);
		map_key_put(r->refmap, db->ref, db->id, &r->tmp);
		map_key_put(r->namemap, name, db->id, &r->tmp);
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE)
		return state_error(r->st, d, "reading debtors");
	return 0;
}

static const char *
debtor_ref(const struct alloc_run *r, int64_t id)
{
	size_t lo = 0, hi = r->ndeb;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (r->deb[mid].id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < r->ndeb && r->deb[lo].id == id ? r->deb[lo].ref : "";
}

static void
qiv_add(struct alloc_run *r, int64_t query, int64_t item, int32_t opened,
    int32_t closed)
{
	int64_t *slot;

	GROW(r->qiv, r->nqiv, r->qivcap);
	slot = hmap_put(r->qmap, (const char *)&item, sizeof item, NULL);
	r->qiv[r->nqiv].query = query;
	r->qiv[r->nqiv].opened = opened;
	r->qiv[r->nqiv].closed = closed;
	r->qiv[r->nqiv].next = (int32_t)*slot - 1;
	*slot = (int64_t)r->nqiv + 1;
	r->nqiv++;
}

static int
load_queries(struct alloc_run *r, struct diag *d)
{
	sqlite3_stmt *s;
	int rc;

	if ((s = state_prepare(r->st, "SELECT q.id, qi.item_id, q.opened, "
	    "q.closed FROM query q JOIN query_item qi ON qi.query_id = q.id",
	    d)) == NULL)
		return -1;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW)
		qiv_add(r, sqlite3_column_int64(s, 0),
		    sqlite3_column_int64(s, 1), sqlite3_column_int(s, 2),
		    sqlite3_column_type(s, 3) == SQLITE_NULL ? INT32_MAX :
		    sqlite3_column_int(s, 3));
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE)
		return state_error(r->st, d, "reading queries");
	return 0;
}

struct alloc_run *
alloc_begin(struct state *st, const struct alloc_opts *o, struct diag *d)
{
	struct alloc_run *r = xcalloc(1, sizeof *r);

	r->st = st;
	r->o = o;
	r->cachemap = hmap_new();
	r->itemmap = hmap_new();
	r->amtmap = hmap_new();
	r->qmap = hmap_new();
	r->refmap = hmap_new();
	r->namemap = hmap_new();
	if (prep(r, &r->s_pay, "SELECT kind, value_date, currency, amount, "
	    "unallocated, payer_name, payer_account, reference, "
	    "end_to_end_id, debtor_id, reverses_id FROM payment WHERE id = ?",
	    d) ||
	    prep(r, &r->s_pay_key, "SELECT id FROM payment WHERE "
	    "entry_key = ?", d) ||
	    prep(r, &r->s_done, "SELECT status FROM allocation WHERE "
	    "payment_id = ?", d) ||
	    prep(r, &r->s_doc, "SELECT i.id, i.debtor_id, i.currency, "
	    "i.doc_type, i.open_amount, i.closed_date, i.amount, i.doc_id, "
	    "i.issue_date FROM doc_key k JOIN item i ON i.id = k.item_id "
	    "WHERE k.key = ?", d) ||
	    prep(r, &r->s_paid_by, "SELECT payment_id FROM settlement WHERE "
	    "item_id = ? AND payment_id IS NOT NULL AND kind <> 'reversal' "
	    "ORDER BY date DESC, id DESC LIMIT 1", d) ||
	    /* From the index alone: the receipts of an account not yet
	     * allocated (often most of them) are never read.  The first
	     * two debtors in the index's order, each found by a seek:
	     * DISTINCT ... LIMIT 2 walked every receipt of the account
	     * until a second debtor came, and an account that pays one
	     * debtor never has one (quadratic in its receipts). */
	    prep(r, &r->s_payer, "SELECT d1, (SELECT debtor_id FROM payment "
	    "WHERE payer_account = ?1 AND debtor_id > d1 "
	    "ORDER BY debtor_id LIMIT 1) FROM (SELECT debtor_id AS d1 "
	    "FROM payment WHERE payer_account = ?1 AND debtor_id IS NOT NULL "
	    "ORDER BY debtor_id LIMIT 1)", d) ||
	    prep(r, &r->s_items, "SELECT id, doc_id, issue_date, due_date, "
	    "open_amount, in_query FROM item WHERE debtor_id = ?1 AND "
	    "currency = ?2 AND closed_date IS NULL AND open_amount > 0 AND "
	    "(doc_type = 'invoice' OR doc_type = 'debit_note') "
	    "ORDER BY due_date, issue_date, id", d) ||
	    prep(r, &r->s_ins_set, "INSERT INTO settlement (item_id, date, "
	    "amount, kind, payment_id, batch_id, note, rule) VALUES "
	    "(?,?,?,?,?,?,?,?)",
	    d) ||
	    prep(r, &r->s_upd_item, "UPDATE item SET open_amount = ?2, "
	    "closed_date = ?3, closed_reason = ?4, updated_batch_id = ?5 "
	    "WHERE id = ?1", d) ||
	    prep(r, &r->s_upd_pay, "UPDATE payment SET debtor_id = ?2, "
	    "unallocated = ?3 WHERE id = ?1", d) ||
	    prep(r, &r->s_ins_alloc, "INSERT INTO allocation (payment_id, "
	    "batch_id, status, debtor_rule, note) VALUES (?1,?2,?3,?4,?5) "
	    "ON CONFLICT (payment_id) DO UPDATE SET batch_id = ?2, "
	    "status = ?3, note = coalesce(?5, note)", d) ||
	    prep(r, &r->s_ins_query, "INSERT INTO query (event_id, debtor_id, "
	    "reason, opened, note, batch_id) VALUES (?,?,'short_payment',?,?,?)",
	    d) ||
	    prep(r, &r->s_ins_qitem, "INSERT OR IGNORE INTO query_item "
	    "(query_id, item_id) VALUES (?,?)", d) ||
	    prep(r, &r->s_bureau, "SELECT coalesce(sum(amount), 0) FROM "
	    "settlement WHERE item_id = ? AND payment_id IS NOT NULL", d) ||
	    prep(r, &r->s_rev_items, "SELECT item_id, kind, sum(amount) FROM "
	    "settlement WHERE payment_id = ? GROUP BY item_id, kind "
	    "HAVING sum(amount) <> 0 ORDER BY item_id, kind", d) ||
	    prep(r, &r->s_item_row, "SELECT debtor_id, currency, doc_id, "
	    "open_amount, closed_date, closed_reason FROM item WHERE id = ?",
	    d) ||
	    prep(r, &r->s_close_query, "UPDATE query SET closed = ?2, "
	    "outcome = 'reversed' WHERE event_id = ?1 AND closed IS NULL "
	    "RETURNING id", d) ||
	    prep(r, &r->s_e2e, "SELECT id FROM payment WHERE kind = 'receipt' "
	    "AND end_to_end_id = ?1 AND (?2 IS NULL OR amount = ?2) AND "
	    "value_date <= ?3 LIMIT 2", d) ||
	    prep(r, &r->s_pending, "SELECT 1 FROM allocation WHERE "
	    "payment_id = ?", d) ||
	    index_docs(r, d) != 0 || load_debtors(r, d) != 0 ||
	    load_queries(r, d) != 0) {
		alloc_free(r);
		return NULL;
	}
	return r;
}

void
alloc_free(struct alloc_run *r)
{
	if (r == NULL)
		return;
	sqlite3_finalize(r->s_pay);
	sqlite3_finalize(r->s_pay_key);
	sqlite3_finalize(r->s_done);
	sqlite3_finalize(r->s_doc);
	sqlite3_finalize(r->s_payer);
	sqlite3_finalize(r->s_items);
	sqlite3_finalize(r->s_ins_set);
	sqlite3_finalize(r->s_upd_item);
	sqlite3_finalize(r->s_upd_pay);
	sqlite3_finalize(r->s_ins_alloc);
	sqlite3_finalize(r->s_ins_query);
	sqlite3_finalize(r->s_ins_qitem);
	sqlite3_finalize(r->s_bureau);
	sqlite3_finalize(r->s_rev_items);
	sqlite3_finalize(r->s_item_row);
	sqlite3_finalize(r->s_close_query);
	sqlite3_finalize(r->s_e2e);
	sqlite3_finalize(r->s_pending);
	sqlite3_finalize(r->s_paid_by);
	for (size_t i = 0; i < r->nit; i++)
		free(r->it[i].doc_id);
	free(r->it);
	free(r->cache);
	hmap_free(r->cachemap);
	hmap_free(r->itemmap);
	hmap_free(r->amtmap);
	hmap_free(r->qmap);
	free(r->qiv);
	for (size_t i = 0; i < r->ndeb; i++)
		free(r->deb[i].ref);
	free(r->deb);
	hmap_free(r->refmap);
	hmap_free(r->namemap);
	free(r->q);
	for (size_t i = 0; i < r->nnm; i++)
		free(r->nm[i].doc_id);
	free(r->nm);
	hmap_free(r->nmseen);
	alloc_keys_free(&r->keys);
	alloc_keys_free(&r->rfkeys);
	sbuf_free(&r->note);
	sbuf_free(&r->tmp);
	sbuf_free(&r->cut);
	free(r);
}

/* ---- choosing the payments ------------------------------------------ */

static int
is_pending_kind(const char *kind)
{
	return strcmp(kind, "receipt") == 0 || strcmp(kind, "reversal") == 0;
}

/* pending: whether payment id is still to decide; 1, 0, -1. */
static int
pending(struct alloc_run *r, int64_t id, const char *kind, int64_t debtor,
    int64_t unallocated, struct diag *d)
{
	sqlite3_stmt *s = r->s_pending;
	int rc;

	/* A debtor set by hand (or by an earlier tool) is a decision. */
	if (!is_pending_kind(kind) || debtor != 0)
		return 0;
	if (strcmp(kind, "receipt") == 0 && unallocated == 0)
		return 0;
	sqlite3_bind_int64(s, 1, id);
	rc = sqlite3_step(s);
	sqlite3_reset(s);
	if (rc == SQLITE_ROW)
		return 0;
	if (rc != SQLITE_DONE)
		return state_error(r->st, d, "reading allocations");
	return 1;
}

static void
queue(struct alloc_run *r, int64_t id, int32_t day)
{
	GROW(r->q, r->nq, r->qcap);
	r->q[r->nq].id = id;
	r->q[r->nq].value_date = day;
	r->nq++;
}

int
alloc_select_all(struct alloc_run *r, struct diag *d)
{
	sqlite3_stmt *s;
	int rc;

	if ((s = state_prepare(r->st, "SELECT p.id, p.value_date FROM "
	    "payment p WHERE p.debtor_id IS NULL AND p.value_date <= ?1 AND "
	    "(p.kind = 'reversal' OR (p.kind = 'receipt' AND "
	    "p.unallocated <> 0)) AND NOT EXISTS (SELECT 1 FROM allocation a "
	    "WHERE a.payment_id = p.id)", d)) == NULL)
		return -1;
	sqlite3_bind_int(s, 1, r->o->as_of);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW)
		queue(r, sqlite3_column_int64(s, 0), sqlite3_column_int(s, 1));
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE)
		return state_error(r->st, d, "reading payments");
	return 0;
}

int
alloc_select(struct alloc_run *r, const char *payment_id, struct diag *d)
{
	sqlite3_stmt *s;
	long long id = 0;
	const char *err;
	char q[80];
	int rc, p;

	if (util_strtonum(payment_id, 1, INT64_MAX, &id, &err) != 0) {
		s = r->s_pay_key;
		sqlite3_bind_text(s, 1, payment_id, -1, SQLITE_STATIC);
		rc = sqlite3_step(s);
		if (rc == SQLITE_ROW)
			id = sqlite3_column_int64(s, 0);
		sqlite3_reset(s);
		sqlite3_clear_bindings(s);
		if (rc != SQLITE_ROW && rc != SQLITE_DONE)
			return state_error(r->st, d, "reading payments");
		if (rc == SQLITE_DONE) {
			diag_set(d, "field \"payment_id\": %s is neither a "
			    "payment's id nor its entry key", util_quote(
			    payment_id, strlen(payment_id), q, sizeof q));
			return ALLOC_SEL_BAD;
		}
	}
	s = r->s_pay;
	sqlite3_bind_int64(s, 1, id);
	rc = sqlite3_step(s);
	if (rc != SQLITE_ROW) {
		sqlite3_reset(s);
		if (rc != SQLITE_DONE)
			return state_error(r->st, d, "reading payments");
		diag_set(d, "field \"payment_id\": no payment %lld in the "
		    "state", id);
		return ALLOC_SEL_BAD;
	}
	{
		char kind[12];
		int32_t day = sqlite3_column_int(s, 1);
		int64_t unalloc = sqlite3_column_int64(s, 4);
		int64_t debtor = sqlite3_column_int64(s, 9);

		snprintf(kind, sizeof kind, "%s",
		    (const char *)sqlite3_column_text(s, 0));
		sqlite3_reset(s);
		if (day > r->o->as_of)
			return ALLOC_SEL_SKIP;
		if ((p = pending(r, id, kind, debtor, unalloc, d)) < 0)
			return -1;
		if (p == 0)
			return ALLOC_SEL_SKIP;
		/* The same id twice in a stream is one payment. */
		for (size_t i = 0; i < r->nq; i++)
			if (r->q[i].id == id)
				return ALLOC_SEL_SKIP;
		queue(r, id, day);
	}
	return ALLOC_SEL_OK;
}

/* ---- the cache of open items ---------------------------------------- */

struct amtkey {
	uint32_t cache;
	int64_t amount;
};

static int64_t *
amt_slot(struct alloc_run *r, uint32_t cache, int64_t amount, int create)
{
	char k[12];

	memcpy(k, &cache, 4);
	memcpy(k + 4, &amount, 8);
	return create ? hmap_put(r->amtmap, k, sizeof k, NULL) :
	    hmap_get(r->amtmap, k, sizeof k);
}

static void
amt_link(struct alloc_run *r, size_t i)
{
	int64_t *slot = amt_slot(r, r->it[i].cache, r->it[i].open, 1);

	r->it[i].next_amt = (int32_t)(*slot - 1);
	*slot = (int64_t)i + 1;
}

static void
amt_unlink(struct alloc_run *r, size_t i)
{
	int64_t *slot = amt_slot(r, r->it[i].cache, r->it[i].open, 0);
	int32_t *link;

	if (slot == NULL)
		return;
	if (*slot - 1 == (int64_t)i) {
		*slot = r->it[i].next_amt + 1;
		return;
	}
	for (int32_t j = (int32_t)*slot - 1; j >= 0; j = *link) {
		link = &r->it[j].next_amt;
		if (*link == (int32_t)i) {
			*link = r->it[i].next_amt;
			return;
		}
	}
}

/* set_open: item i's open amount in memory, with its indexes. */
static void
set_open(struct alloc_run *r, size_t i, int64_t open)
{
	struct cache *c = &r->cache[r->it[i].cache];

	if (r->it[i].open > 0) {
		amt_unlink(r, i);
		c->nopen--;
	}
	r->it[i].open = open;
	if (open > 0) {
		amt_link(r, i);
		c->nopen++;
		if (i - c->start < c->cur)
			c->cur = i - c->start;
	}
}

/* cache_get: the cache of debtor's open items in ccy, read now if it is
 * not held (or stale); *out its index.  0 or -1. */
static int
cache_get(struct alloc_run *r, int64_t debtor, const char *ccy,
    uint32_t *out, struct diag *d)
{
	char k[11];
	int64_t *slot;
	struct cache *c;
	sqlite3_stmt *s = r->s_items;
	uint32_t ci = 0;
	int rc;

	memcpy(k, &debtor, 8);
	memcpy(k + 8, ccy, 3);
	slot = hmap_put(r->cachemap, k, sizeof k, NULL);
	if (*slot != 0 && !r->cache[*slot - 1].stale) {
		*out = (uint32_t)(*slot - 1);
		return 0;
	}
	if (*slot == 0) {
		GROW(r->cache, r->ncache, r->cachecap);
		*slot = (int64_t)r->ncache + 1;
		r->ncache++;
	}
	ci = (uint32_t)(*slot - 1);
	c = &r->cache[ci];
	memset(c, 0, sizeof *c);
	c->debtor = debtor;
	memcpy(c->ccy, ccy, 4);
	c->start = r->nit;
	sqlite3_bind_int64(s, 1, debtor);
	sqlite3_bind_text(s, 2, ccy, 3, SQLITE_STATIC);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct aitem *a;
		int64_t *is;

		GROW(r->it, r->nit, r->itcap);
		a = &r->it[r->nit];
		a->id = sqlite3_column_int64(s, 0);
		a->doc_id = col_strdup(s, 1);
		a->issue = sqlite3_column_int(s, 2);
		a->due = sqlite3_column_int(s, 3);
		a->open = 0;
		a->cache = ci;
		a->flagged = sqlite3_column_int(s, 5) != 0;
		a->next_amt = -1;
		is = hmap_put(r->itemmap, (const char *)&a->id, sizeof a->id,
		    NULL);
		*is = (int64_t)r->nit + 1;
		r->nit++;
		r->cache[ci].n++;
		set_open(r, r->nit - 1, sqlite3_column_int64(s, 4));
	}
	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
	if (rc != SQLITE_DONE)
		return state_error(r->st, d, "reading open items");
	r->cache[ci].cur = 0;
	*out = ci;
	return 0;
}

/* cached: item id's index in cache ci, or -1. */
static long
cached(struct alloc_run *r, uint32_t ci, int64_t id)
{
	int64_t *slot = hmap_get(r->itemmap, (const char *)&id, sizeof id);
	const struct cache *c = &r->cache[ci];
	size_t i;

	if (slot == NULL)
		return -1;
	i = (size_t)(*slot - 1);
	return i >= c->start && i < c->start + c->n ? (long)i : -1;
}

static void
drop_caches(struct alloc_run *r, int64_t debtor)
{
	for (size_t i = 0; i < r->ncache; i++)
		if (r->cache[i].debtor == debtor)
			r->cache[i].stale = 1;
}

/* in_query: item i disputed on day (the export's flag, or a query open
 * on it). */
static int
in_query(const struct alloc_run *r, size_t i, int32_t day)
{
	int64_t id = r->it[i].id;
	int64_t *slot;

	if (r->it[i].flagged)
		return 1;
	slot = hmap_get(r->qmap, (const char *)&id, sizeof id);
	for (int32_t j = slot ? (int32_t)*slot - 1 : -1; j >= 0;
	    j = r->qiv[j].next)
		if (r->qiv[j].opened <= day && r->qiv[j].closed > day)
			return 1;
	return 0;
}

/* ---- writing ----------------------------------------------------------- */

static void
put_money(FILE *out, int64_t v, int digits)
{
	char b[MONEY_BUFSZ];

	fputs(money_format(v, digits, b), out);
}

static void
header(struct alloc_run *r)
{
	if (r->header_done || r->o->out == NULL)
		return;
	r->header_done = 1;
	tsv_row(r->o->out, alloc_columns, alloc_ncolumns);
	if (r->o->unmatched) {
		static const char *const cols[] = {
			"payment_id", "value_date", "kind", "currency",
			"amount", "payer_name", "payer_account", "reference",
			"reason"
		};
		tsv_row(r->o->unmatched, cols, sizeof cols / sizeof cols[0]);
	}
}

/* row: one line of the allocation stream.  doc NULL for rows of no item;
 * residual < 0 with has_residual 0 leaves the column empty. */
static void
row(struct alloc_run *r, struct alloc_counts *cn, const struct payment *p,
    int64_t debtor, const char *doc, int64_t allocated, const char *rule,
    int has_residual, int64_t residual, const char *note)
{
	FILE *out = r->o->out;
	char day[DATE_BUFSZ];

	cn->rows++;
	if (out == NULL)
		return;
	fprintf(out, "%lld\t%s\t", (long long)p->id,
	    date_format(p->value_date, day));
	tsv_put(out, debtor ? debtor_ref(r, debtor) : "");
	tsv_sep(out);
	tsv_put(out, doc ? doc : "");
	fprintf(out, "\t%s\t", p->ccy);
	put_money(out, allocated, p->digits);
	fprintf(out, "\t%s\t", rule);
	if (has_residual)
		put_money(out, residual, p->digits);
	tsv_sep(out);
	tsv_put(out, note ? note : "");
	tsv_end(out);
}

/* settle: a settlement of item; rule (NULL: none) is the allocation
 * rule that made it, recorded so the client can be told why its cash
 * went where it did (export-client's allocations). */
static int
settle(struct alloc_run *r, int64_t item, int32_t day, int64_t amount,
    const char *kind, int64_t payment, const char *rule, const char *note,
    struct diag *d)
{
	sqlite3_stmt *s = r->s_ins_set;

	sqlite3_bind_int64(s, 1, item);
	sqlite3_bind_int(s, 2, day);
	sqlite3_bind_int64(s, 3, amount);
	sqlite3_bind_text(s, 4, kind, -1, SQLITE_STATIC);
	if (payment != 0)
		sqlite3_bind_int64(s, 5, payment);
	sqlite3_bind_int64(s, 6, r->st->batch_id);
	if (note)
		sqlite3_bind_text(s, 7, note, -1, SQLITE_TRANSIENT);
	if (rule)
		sqlite3_bind_text(s, 8, rule, -1, SQLITE_STATIC);
	return step_done(r, s, "recording a settlement", d);
}

static int
update_item(struct alloc_run *r, int64_t item, int64_t open, int32_t day,
    const char *reason, struct diag *d)
{
	sqlite3_stmt *s = r->s_upd_item;

	sqlite3_bind_int64(s, 1, item);
	sqlite3_bind_int64(s, 2, open);
	if (open == 0) {
		sqlite3_bind_int(s, 3, day);
		sqlite3_bind_text(s, 4, reason, -1, SQLITE_STATIC);
	}
	sqlite3_bind_int64(s, 5, r->st->batch_id);
	return step_done(r, s, "updating an item", d);
}

/*
 * apply: amount of p onto cached item i under rule, and its row.  The
 * settlement is a 'writeoff' for the writeoff rule, a 'credit' for the
 * credit_note rule (a credit note netted against it), else an
 * 'allocation'.  Only an allocation is cash: the row's allocated column
 * shows 0 for the others, so a receipt's rows add up to its amount.
 */
static int
apply(struct alloc_run *r, struct alloc_counts *cn, const struct payment *p,
    size_t i, int64_t amount, const char *rule, const char *note,
    struct diag *d)
{
	int wo = strcmp(rule, "writeoff") == 0;
	int cr = strcmp(rule, "credit_note") == 0;
	int64_t open = r->it[i].open - amount;
	int64_t id = r->it[i].id;

	if (settle(r, id, p->value_date, amount, wo ? "writeoff" : cr ?
	    "credit" : "allocation", p->id, rule, NULL, d) != 0 ||
	    update_item(r, id, open, p->value_date, wo ? "writeoff" : cr ?
	    "netted" : "allocated", d) != 0)
		return -1;
	set_open(r, i, open);
	row(r, cn, p, r->cache[r->it[i].cache].debtor, r->it[i].doc_id,
	    wo || cr ? 0 : amount, rule, 1, open, note);
	return 0;
}

/* write_off: the rest of cached item i written off, the row saying how
 * much. */
static int
write_off(struct alloc_run *r, struct alloc_counts *cn,
    const struct payment *p, size_t i, struct diag *d)
{
	char amt[MONEY_BUFSZ], note[96];

	snprintf(note, sizeof note, "%s written off: shortfall within the "
	    "tolerance", money_format(r->it[i].open, p->digits, amt));
	return apply(r, cn, p, i, r->it[i].open, "writeoff", note, d);
}

static int
decide(struct alloc_run *r, const struct payment *p, int64_t debtor,
    int64_t unallocated, const char *status, const char *how,
    struct diag *d)
{
	sqlite3_stmt *s = r->s_upd_pay;

	sqlite3_bind_int64(s, 1, p->id);
	if (debtor)
		sqlite3_bind_int64(s, 2, debtor);
	sqlite3_bind_int64(s, 3, unallocated);
	if (step_done(r, s, "updating a payment", d) != 0)
		return -1;
	s = r->s_ins_alloc;
	sqlite3_bind_int64(s, 1, p->id);
	sqlite3_bind_int64(s, 2, r->st->batch_id);
	sqlite3_bind_text(s, 3, status, -1, SQLITE_STATIC);
	if (how)
		sqlite3_bind_text(s, 4, how, -1, SQLITE_STATIC);
	return step_done(r, s, "recording the allocation", d);
}

static void for_person(struct alloc_run *r, const struct payment *p,
    const char *reason);

/* unmatched: p is left for a person, for reason; nothing is changed. */
static void
unmatched(struct alloc_run *r, struct alloc_counts *cn,
    const struct payment *p, const char *reason)
{
	cn->unmatched++;
	row(r, cn, p, 0, NULL, 0, "unmatched", 0, 0, reason);
	for_person(r, p, reason);
}

/* for_person: p's line in the --unmatched file, for reason. */
static void
for_person(struct alloc_run *r, const struct payment *p, const char *reason)
{
	FILE *u = r->o->unmatched;
	char day[DATE_BUFSZ];

	if (u == NULL)
		return;
	fprintf(u, "%lld\t%s\t%s\t%s\t", (long long)p->id,
	    date_format(p->value_date, day), p->kind, p->ccy);
	put_money(u, p->amount, p->digits);
	tsv_sep(u);
	tsv_put(u, p->payer_name ? p->payer_name : "");
	tsv_sep(u);
	tsv_put(u, p->payer_account ? p->payer_account : "");
	tsv_sep(u);
	tsv_put(u, p->reference ? p->reference : "");
	tsv_sep(u);
	tsv_put(u, reason);
	tsv_end(u);
}

/* ---- finding the debtor ------------------------------------------------- */

static void
named_clear(struct alloc_run *r)
{
	for (size_t i = 0; i < r->nnm; i++)
		free(r->nm[i].doc_id);
	r->nnm = 0;
	if (r->nmseen != NULL && hmap_count(r->nmseen) > 65536) {
		hmap_free(r->nmseen);
		r->nmseen = NULL;
	}
	if (r->nmseen == NULL)
		r->nmseen = hmap_new();
	r->nmgen++;
}

/* lookup_docs: the items the keys name, into r->nm (once each). */
static int
lookup_docs(struct alloc_run *r, const struct alloc_keys *k,
    struct diag *d)
{
	sqlite3_stmt *s = r->s_doc;
	int rc;

	for (size_t i = 0; i < k->n; i++) {
		sqlite3_bind_text(s, 1, alloc_key(k, i), -1, SQLITE_STATIC);
		while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
			int64_t id = sqlite3_column_int64(s, 0);
			const char *type = (const char *)
			    sqlite3_column_text(s, 3);
			int64_t *seen = hmap_put(r->nmseen, (const char *)&id,
			    sizeof id, NULL);
			struct named *n;

			if (*seen == r->nmgen)
				continue;
			*seen = r->nmgen;
			GROW(r->nm, r->nnm, r->nmcap);
			n = &r->nm[r->nnm++];
			n->item = id;
			n->debtor = sqlite3_column_int64(s, 1);
			snprintf(n->ccy, sizeof n->ccy, "%s",
			    (const char *)sqlite3_column_text(s, 2));
			n->debit = type && (strcmp(type, "invoice") == 0 ||
			    strcmp(type, "debit_note") == 0);
			n->credit = type && strcmp(type, "credit_note") == 0;
			n->issue = sqlite3_column_int(s, 8);
			n->open = sqlite3_column_int64(s, 4);
			n->closed = sqlite3_column_type(s, 5) != SQLITE_NULL;
			n->amount = sqlite3_column_int64(s, 6);
			n->doc_id = col_strdup(s, 7);
		}
		sqlite3_reset(s);
		if (rc != SQLITE_DONE) {
			sqlite3_clear_bindings(s);
			return state_error(r->st, d, "looking up documents");
		}
	}
	sqlite3_clear_bindings(s);
	return 0;
}

/* one_debtor: the debtor every named document has: >0, 0 when none are
 * named, -1 when two debtors are (then *other is the second). */
static int64_t
one_debtor(const struct alloc_run *r, int64_t *other)
{
	int64_t who = 0;

	for (size_t i = 0; i < r->nnm; i++) {
		if (who == 0)
			who = r->nm[i].debtor;
		else if (r->nm[i].debtor != who) {
			*other = r->nm[i].debtor;
			return -1;
		}
	}
	return who;
}

/*
 * find_debtor: the debtor of receipt p, or 0 with *why set (unmatched).
 * *how names the step that found it; r->nm holds the documents the
 * reference named (steps 1 and 2).  -1 on a state error.
 */
static int64_t
find_debtor(struct alloc_run *r, const struct payment *p, const char **how,
    const char **why, struct diag *d)
{
	int64_t who, other = 0;
	int64_t *slot;

	sbuf_reset(&r->note);
	named_clear(r);
	alloc_ref_keys(p->reference, &r->keys);
	alloc_rf_keys(p->reference, &r->rfkeys);

	/* 1 and 2: the documents the reference names, any debtor's. */
	for (int step = 0; step < 2; step++) {
		if (lookup_docs(r, step == 0 ? &r->keys : &r->rfkeys, d) != 0)
			return -1;
		who = one_debtor(r, &other);
		if (who < 0) {
			sbuf_addf(&r->note, "the reference names documents "
			    "of two debtors, %s and %s",
			    debtor_ref(r, r->nm[0].debtor),
			    debtor_ref(r, other));
			*why = sbuf_str(&r->note);
			return 0;
		}
		if (who > 0) {
			*how = step == 0 ? "reference" : "rf";
			return who;
		}
	}
	/* 3: the payer account of an earlier receipt. */
	if (p->payer_account != NULL && p->payer_account[0] != '\0') {
		sqlite3_stmt *s = r->s_payer;
		int64_t found[2];
		int n = 0, rc;

		sqlite3_bind_text(s, 1, p->payer_account, -1, SQLITE_STATIC);
		if ((rc = sqlite3_step(s)) == SQLITE_ROW) {
			found[n++] = sqlite3_column_int64(s, 0);
			if (sqlite3_column_type(s, 1) != SQLITE_NULL)
				found[n++] = sqlite3_column_int64(s, 1);
		}
		sqlite3_reset(s);
		sqlite3_clear_bindings(s);
		if (rc != SQLITE_DONE && rc != SQLITE_ROW)
			return state_error(r->st, d, "looking up payers");
		if (n == 2) {
			sbuf_addf(&r->note, "payer account %s paid two "
			    "debtors before, %s and %s", p->payer_account,
			    debtor_ref(r, found[0]), debtor_ref(r, found[1]));
			*why = sbuf_str(&r->note);
			return 0;
		}
		if (n == 1) {
			*how = "payer_account";
			return found[0];
		}
	}
	/* 4: a debtor code in the reference. */
	who = 0;
	for (size_t i = 0; i < r->keys.n; i++) {
		const char *k = alloc_key(&r->keys, i);

		slot = hmap_get(r->refmap, k, strlen(k));
		if (slot == NULL)
			continue;
		if (*slot < 0 || (who != 0 && who != *slot)) {
			sbuf_addf(&r->note, "the reference names two debtor "
			    "codes");
			*why = sbuf_str(&r->note);
			return 0;
		}
		who = *slot;
	}
	if (who > 0) {
		*how = "debtor_ref";
		return who;
	}
	/* 5: the payer's name. */
	if (p->payer_name != NULL) {
		util_norm_key(p->payer_name, &r->tmp);
		slot = r->tmp.len >= ALLOC_KEY_MIN ? hmap_get(r->namemap,
		    r->tmp.buf, r->tmp.len) : NULL;
		if (slot != NULL && *slot < 0) {
			sbuf_addf(&r->note, "two debtors are called %s",
			    p->payer_name);
			*why = sbuf_str(&r->note);
			return 0;
		}
		if (slot != NULL) {
			*how = "payer_name";
			return *slot;
		}
	}
	*why = "no document, payer account, debtor code or name matches";
	return 0;
}

/* ---- applying a receipt --------------------------------------------------- */

static int
cmp_pos(const void *x, const void *y)
{
	size_t a = *(const size_t *)x, b = *(const size_t *)y;

	return a < b ? -1 : a > b;
}

/* short_query: a short-payment query on the items of pick with a residual,
 * opened on the payment's value date. */
static int
short_query(struct alloc_run *r, const struct payment *p, int64_t debtor,
    const size_t *pick, size_t n, int64_t shortfall, struct diag *d)
{
	sqlite3_stmt *s = r->s_ins_query;
	char ev[64], amt[MONEY_BUFSZ], note[128];
	int64_t qid;

	snprintf(ev, sizeof ev, "allocate-payments:payment:%lld",
	    (long long)p->id);
	snprintf(note, sizeof note, "payment %lld short by %s %s",
	    (long long)p->id, money_format(shortfall, p->digits, amt), p->ccy);
	sqlite3_bind_text(s, 1, ev, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(s, 2, debtor);
	sqlite3_bind_int(s, 3, p->value_date);
	sqlite3_bind_text(s, 4, note, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(s, 5, r->st->batch_id);
	if (step_done(r, s, "opening a query", d) != 0)
		return -1;
	qid = sqlite3_last_insert_rowid(r->st->db);
	for (size_t j = 0; j < n; j++) {
		if (r->it[pick[j]].open <= 0)
			continue;
		s = r->s_ins_qitem;
		sqlite3_bind_int64(s, 1, qid);
		sqlite3_bind_int64(s, 2, r->it[pick[j]].id);
		if (step_done(r, s, "opening a query", d) != 0)
			return -1;
		qiv_add(r, qid, r->it[pick[j]].id, p->value_date, INT32_MAX);
	}
	return 0;
}

/* bureau_sum: what payments have settled on item (net), for linking a
 * receipt to an item the client's export closed already. */
static int
bureau_sum(struct alloc_run *r, int64_t item, int64_t *sum, struct diag *d)
{
	sqlite3_stmt *s = r->s_bureau;
	int rc;

	sqlite3_bind_int64(s, 1, item);
	rc = sqlite3_step(s);
	*sum = rc == SQLITE_ROW ? sqlite3_column_int64(s, 0) : 0;
	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
	if (rc != SQLITE_ROW)
		return state_error(r->st, d, "reading settlements");
	return 0;
}

/* first_note: the note of a receipt's first row says how its debtor was
 * found, then what else there is to say. */
static const char *
note_of(struct alloc_run *r, int *first, const char *how, const char *more)
{
	if (!*first)
		return more;
	*first = 0;
	sbuf_reset(&r->note);
	sbuf_addf(&r->note, "debtor by %s", how);
	if (r->cut.len)
		sbuf_addf(&r->note, "; %s", r->cut.buf);
	if (more && *more)
		sbuf_addf(&r->note, "; %s", more);
	return sbuf_str(&r->note);
}

/* paid_by: the payment that last settled item (0 when none), for saying
 * which receipt paid a document named again. */
static int
paid_by(struct alloc_run *r, int64_t item, int64_t *pid, struct diag *d)
{
	sqlite3_stmt *s = r->s_paid_by;
	int rc;

	*pid = 0;
	sqlite3_bind_int64(s, 1, item);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		*pid = sqlite3_column_int64(s, 0);
	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return state_error(r->st, d, "reading settlements");
	return 0;
}

/*
 * net_credit: take of credit note c netted against cached item i, as the
 * payer's remittance did: a 'credit' settlement on each (the invoice's
 * positive, the credit note's negative, both with the payment, so a
 * reversal undoes them and the client's next export cannot), each with
 * its row.  Neither is cash.
 */
static int
net_credit(struct alloc_run *r, struct alloc_counts *cn,
    const struct payment *p, size_t i, struct named *c, int64_t take,
    int *first, const char *how, struct diag *d)
{
	char amt[MONEY_BUFSZ], why[320];

	snprintf(why, sizeof why, "%s of %s netted",
	    money_format(take, p->digits, amt), c->doc_id);
	if (apply(r, cn, p, i, take, "credit_note", note_of(r, first, how,
	    why), d) != 0)
		return -1;
	c->open += take;
	if (settle(r, c->item, p->value_date, -take, "credit", p->id,
	    "credit_note", NULL, d) != 0 || update_item(r, c->item, c->open, p->value_date,
	    "netted", d) != 0)
		return -1;
	snprintf(why, sizeof why, "netted against %s", r->it[i].doc_id);
	row(r, cn, p, c->debtor, c->doc_id, 0, "credit_note", 1, c->open,
	    why);
	return 0;
}

/*
 * receipt: one receipt, DOMAIN.md section 6.  Rule 1 when the reference
 * names open items of the debtor in the receipt's currency (less the
 * credit notes it names beside them); when all it names are settled
 * already, on account for a person; else 2 (one
 * open item of exactly the amount), 3 (one set of 2..max_combination
 * open items that sums to it), 4 (oldest due first, items in query
 * skipped, then not-yet-due items).  What rule 1 leaves short is written
 * off within the tolerance, else a short-payment query; what rule 4
 * leaves on its last item likewise written off within the tolerance;
 * what is left of the cash goes on account (never onto items in query).
 */
/*
 * The documents named (of debtor, in p's currency) that the bureau has
 * settled already, each said in extra with the receipt that settled it;
 * *any set when there is one.  0, or -1 with d set.
 */
static int
settled_named(struct alloc_run *r, uint32_t ci, const struct payment *p,
    int64_t debtor, struct sbuf *extra, int *any, struct diag *d)
{
	for (size_t j = 0; j < r->nnm; j++) {
		const struct named *n = &r->nm[j];
		long i = cached(r, ci, n->item);
		int64_t pid;

		if (n->debtor != debtor || !n->debit ||
		    strcmp(n->ccy, p->ccy) != 0 || (i >= 0 &&
		    r->it[i].open > 0))
			continue;
		/* Paid by this receipt just now (rule 1): not a repeat. */
		if (paid_by(r, n->item, &pid, d) != 0)
			return -1;
		if (pid == p->id)
			continue;
		sbuf_addf(extra, "%s%s is settled already", extra->len ? "; " :
		    "", n->doc_id);
		if (pid != 0)
			sbuf_addf(extra, " (by payment %lld)", (long long)pid);
		*any = 1;
	}
	return 0;
}

static int
receipt(struct alloc_run *r, const struct payment *p,
    struct alloc_counts *cn, struct diag *d)
{
	const char *how = NULL, *why = NULL;
	int64_t debtor, cash = p->unallocated;
	size_t *pick = NULL, npick = 0, *cnl = NULL, ncn = 0;
	int first = 1, rc = -1, paid_named = 0, ruled = 0;
	uint32_t ci = 0;
	struct sbuf extra = { 0 };
	char amt[MONEY_BUFSZ];

	cn->receipts++;
	if (cash <= 0 || p->amount <= 0) {
		unmatched(r, cn, p, "not a positive amount to allocate");
		return 0;
	}
	if ((debtor = find_debtor(r, p, &how, &why, d)) < 0)
		return -1;
	/* Said on the receipt's first row (note_of). */
	sbuf_reset(&r->cut);
	if (p->reference != NULL &&
	    alloc_ref_len(p->reference) < strlen(p->reference))
		sbuf_addf(&r->cut, "only the first %zu bytes of the reference "
		    "were looked at", alloc_ref_len(p->reference));
	if (debtor == 0) {
		if (r->cut.len) {
			sbuf_reset(&r->tmp);
			sbuf_addf(&r->tmp, "%s; %s", why, r->cut.buf);
			why = sbuf_str(&r->tmp);
		}
		unmatched(r, cn, p, why);
		return 0;
	}
	if (cache_get(r, debtor, p->ccy, &ci, d) != 0)
		return -1;
	pick = xcalloc(r->nnm + ALLOC_MAX_COMBINATION + 1, sizeof *pick);
	cnl = xcalloc(r->nnm + 1, sizeof *cnl);

	/* Rule 1: the open items the reference names, oldest due first,
	 * less the credit notes named beside them (in the order named). */
	for (size_t j = 0; j < r->nnm; j++) {
		const struct named *n = &r->nm[j];
		long i;

		if (n->debtor != debtor || (!n->debit && !n->credit))
			continue;
		if (strcmp(n->ccy, p->ccy) != 0) {
			sbuf_addf(&extra, "%s%s is in %s, not %s: left for a "
			    "person", extra.len ? "; " : "", n->doc_id,
			    n->ccy, p->ccy);
			continue;
		}
		if (n->credit) {
			/* The payer cannot have netted a credit note the
			 * client had not issued; the replay would show it
			 * used before it existed. */
			if (n->closed || n->open >= 0 || n->open == INT64_MIN)
				sbuf_addf(&extra, "%s%s has no credit left",
				    extra.len ? "; " : "", n->doc_id);
			else if (n->issue > p->value_date)
				sbuf_addf(&extra, "%s%s is dated after the "
				    "payment: not netted", extra.len ? "; " :
				    "", n->doc_id);
			else
				cnl[ncn++] = j;
			continue;
		}
		if ((i = cached(r, ci, n->item)) >= 0 && r->it[i].open > 0)
			pick[npick++] = (size_t)i;
	}
	qsort(pick, npick, sizeof *pick, cmp_pos);
	if (npick > 0) {
		int64_t named = 0, credit = 0, used, due, shortfall, left;
		size_t k = 0;
		int query, bad;

		/* What kept a document from counting is said on the first
		 * row, with the debtor (note_of). */
		if (extra.len) {
			sbuf_addf(&r->cut, "%s%s", r->cut.len ? "; " : "",
			    extra.buf);
			sbuf_reset(&extra);
		}
		ruled = 1;

		/* Sums that would overflow stop at the largest amount: the
		 * cash is far less, so the outcome (a shortfall) is the same. */
		for (size_t j = 0; j < npick; j++)
			if (money_add(named, r->it[pick[j]].open, &named) != 0)
				named = INT64_MAX;
		for (size_t j = 0; j < ncn; j++)
			if (r->nm[cnl[j]].open == INT64_MIN || money_add(credit,
			    -r->nm[cnl[j]].open, &credit) != 0)
				credit = INT64_MAX;
		used = credit < named ? credit : named;
		due = named - used;
		shortfall = due > cash ? due - cash : 0;
		query = shortfall > alloc_tolerance(&r->o->cfg, p->digits,
		    due);
		/* The credit first, as the payer took it off what it paid;
		 * then the cash, so a shortfall stays on the newest item. */
		left = used;
		for (size_t j = 0; j < npick && left > 0 && k < ncn; j++) {
			size_t i = pick[j];

			while (r->it[i].open > 0 && left > 0 && k < ncn) {
				struct named *c = &r->nm[cnl[k]];
				int64_t take = -c->open;

				if (take <= 0) {
					k++;
					continue;
				}
				if (take > r->it[i].open)
					take = r->it[i].open;
				if (take > left)
					take = left;
				if (net_credit(r, cn, p, i, c, take, &first,
				    how, d) != 0)
					goto out;
				left -= take;
			}
		}
		sbuf_reset(&r->tmp);
		if (query)
			sbuf_addf(&r->tmp, "short by %s: query opened",
			    money_format(shortfall, p->digits, amt));
		for (size_t j = 0; j < npick && cash > 0; j++) {
			int64_t a = r->it[pick[j]].open < cash ?
			    r->it[pick[j]].open : cash;

			if (a <= 0)
				continue;
			/* The row that leaves the residual says so. */
			char *more = query && a == cash ?
			    xstrdup(sbuf_str(&r->tmp)) : NULL;

			cash -= a;
			bad = apply(r, cn, p, pick[j], a, "reference",
			    note_of(r, &first, how, more), d);
			free(more);
			if (bad)
				goto out;
		}
		for (size_t j = 0; j < npick && shortfall > 0 && !query; j++)
			if (r->it[pick[j]].open > 0 &&
			    write_off(r, cn, p, pick[j], d) != 0)
				goto out;
		if (query && short_query(r, p, debtor, pick, npick, shortfall,
		    d) != 0)
			goto out;
		/* Cash left over with other documents named that were paid
		 * already: the payer paid those again, a person's to
		 * decide, and the note names them. */
		if (cash > 0 && settled_named(r, ci, p, debtor, &extra,
		    &paid_named, d) != 0)
			goto out;
		goto rest;
	}
	/*
	 * Documents named but closed already: the client's export booked
	 * this receipt before the bureau saw it.  The receipt is linked to
	 * them (an allocation) and the export's own settlement offset by a
	 * reopen of the same day, so the item is not paid twice and the
	 * cash is not left unapplied as well.
	 */
	for (size_t j = 0; j < r->nnm && cash > 0; j++) {
		const struct named *n = &r->nm[j];
		int64_t b, a;

		if (n->debtor != debtor || !n->debit || !n->closed ||
		    strcmp(n->ccy, p->ccy) != 0)
			continue;
		if (bureau_sum(r, n->item, &b, d) != 0)
			goto out;
		a = n->amount - b;
		if (a <= 0)
			continue;
		if (a > cash)
			a = cash;
		if (settle(r, n->item, p->value_date, a, "allocation", p->id,
		    "reference", NULL, d) != 0 || settle(r, n->item,
		    p->value_date, -a, "reopen", 0, NULL, "the client's export "
		    "booked this receipt already", d) != 0)
			goto out;
		cash -= a;
		row(r, cn, p, debtor, n->doc_id, a, "reference", 1, 0,
		    note_of(r, &first, how, "closed by the client's export "
		    "already: linked, not applied twice"));
	}
	if (cash < p->unallocated)
		goto rest;
	/*
	 * Documents named that the bureau has settled already: the payer
	 * says what this pays, and it is not the debtor's other items, so
	 * rules 2-4 do not spread it over them.  It waits on account for a
	 * person: a second payment of the same invoice, or a wrong number.
	 */
	if (settled_named(r, ci, p, debtor, &extra, &paid_named, d) != 0)
		goto out;
	if (paid_named)
		goto rest;
	if (ncn > 0)
		sbuf_addf(&extra, "%s%s named with no invoice: not netted",
		    extra.len ? "; " : "", r->nm[cnl[0]].doc_id);

	/* Rule 2: one open item of exactly the amount. */
	{
		int64_t *slot = amt_slot(r, ci, cash, 0);
		long found = -1, count = 0;

		/* Two are enough to know it is not unique. */
		for (int32_t j = slot ? (int32_t)*slot - 1 : -1; j >= 0 &&
		    count < 2; j = r->it[j].next_amt)
			if (r->it[j].issue <= p->value_date) {
				found = j;
				count++;
			}
		if (count == 1) {
			cash = 0;
			if (apply(r, cn, p, (size_t)found, p->unallocated,
			    "exact_amount", note_of(r, &first, how, NULL),
			    d) != 0)
				goto out;
			goto rest;
		}
		if (count > 1)
			sbuf_addf(&extra, "%sseveral items of %s", extra.len ?
			    "; " : "", money_format(cash, p->digits, amt));
	}
	/* Rule 3: one set of open items summing to the amount. */
	if (r->o->cfg.max_combination >= 2) {
		struct cache *c = &r->cache[ci];

		while (c->cur < c->n && r->it[c->start + c->cur].open <= 0)
			c->cur++;

		/* Bounded both ways: few open items, and few loaded (closed
		 * ones stay in the range until the run ends), so the walk
		 * below is short for every receipt of a large debtor. */
		if (c->nopen > r->o->cfg.combination_items ||
		    c->n - c->cur > 4 * (size_t)r->o->cfg.combination_items) {
			sbuf_addf(&extra, "%s%ld open items: too many to "
			    "search for a combination", extra.len ? "; " : "",
			    c->nopen);
		} else if (c->nopen >= 2) {
			int64_t *v = xcalloc((size_t)c->n, sizeof *v);
			size_t *at = xcalloc((size_t)c->n, sizeof *at);
			size_t m = 0, sel[ALLOC_MAX_COMBINATION];
			int ns, res;

			for (size_t j = c->start + c->cur; j < c->start + c->n;
			    j++)
				if (r->it[j].open > 0 &&
				    r->it[j].issue <= p->value_date) {
					v[m] = r->it[j].open;
					at[m++] = j;
				}
			res = alloc_combination(v, m, cash,
			    r->o->cfg.max_combination,
			    ALLOC_COMBINATION_BUDGET, sel, &ns);
			if (res == ALLOC_COMB_UNIQUE) {
				for (int j = 0; j < ns; j++)
					pick[j] = at[sel[j]];
				qsort(pick, (size_t)ns, sizeof *pick, cmp_pos);
				for (int j = 0; j < ns; j++) {
					cash -= r->it[pick[j]].open;
					if (apply(r, cn, p, pick[j],
					    r->it[pick[j]].open, "combination",
					    note_of(r, &first, how, NULL), d)
					    != 0) {
						free(v);
						free(at);
						goto out;
					}
				}
			} else if (res == ALLOC_COMB_MANY)
				sbuf_addf(&extra, "%sseveral combinations",
				    extra.len ? "; " : "");
			else if (res == ALLOC_COMB_BUDGET)
				sbuf_addf(&extra, "%scombination search "
				    "stopped after %ld steps", extra.len ?
				    "; " : "", ALLOC_COMBINATION_BUDGET);
			free(v);
			free(at);
			if (res == ALLOC_COMB_UNIQUE)
				goto rest;
		}
	}
	/* Rule 4: oldest due first, skipping items in query; items not yet
	 * due come last in due order, and only if the client wants. */
	{
		struct cache *c = &r->cache[ci];

		while (c->cur < c->n && r->it[c->start + c->cur].open <= 0)
			c->cur++;
		for (size_t j = c->start + c->cur; j < c->start + c->n &&
		    cash > 0; j++) {
			struct aitem *a = &r->it[j];
			int64_t take, before;

			if (a->open <= 0 || a->issue > p->value_date ||
			    in_query(r, j, p->value_date))
				continue;
			if (a->due > p->value_date && !r->o->cfg.not_due)
				break;
			before = a->open;
			take = before < cash ? before : cash;
			cash -= take;
			if (apply(r, cn, p, j, take, "oldest_due", note_of(r,
			    &first, how, extra.len ? sbuf_str(&extra) : NULL),
			    d) != 0)
				goto out;
			if (cash == 0 && r->it[j].open > 0 && r->it[j].open <=
			    alloc_tolerance(&r->o->cfg, p->digits, before) &&
			    write_off(r, cn, p, j, d) != 0)
				goto out;
		}
	}
rest:
	if (cash > 0) {
		const char *rule = r->o->cfg.refund ? "refund" : "on_account";

		sbuf_reset(&r->tmp);
		if (extra.len)
			sbuf_addf(&r->tmp, "%s; ", extra.buf);
		if (paid_named)
			sbuf_adds(&r->tmp, "not spread over the other items: "
			    "for a person to decide");
		else
			sbuf_adds(&r->tmp, cash == p->unallocated && !ruled ?
			    "no open item to apply it to" :
			    "excess over the items");
		if (r->o->cfg.refund && !paid_named)
			sbuf_adds(&r->tmp, ": to refund");
		{
			char *more = xstrdup(sbuf_str(&r->tmp));

			row(r, cn, p, debtor, NULL, cash, rule, 0, 0,
			    note_of(r, &first, how, more));
			/* On account, but for a person all the same: listed
			 * with the unmatched. */
			if (paid_named) {
				for_person(r, p, more);
				cn->held++;
			}
			free(more);
		}
		cn->on_account++;
	} else
		cn->allocated++;
	if (decide(r, p, debtor, cash, cash > 0 ? (r->o->cfg.refund ?
	    "refund" : "on_account") : "allocated", how, d) != 0)
		goto out;
	rc = 0;
out:
	free(pick);
	free(cnl);
	sbuf_free(&extra);
	return rc;
}

/* ---- reversals ------------------------------------------------------------ */

static int
load_payment(struct alloc_run *r, int64_t id, struct payment *p,
    struct diag *d)
{
	sqlite3_stmt *s = r->s_pay;
	int rc;

	memset(p, 0, sizeof *p);
	sqlite3_bind_int64(s, 1, id);
	rc = sqlite3_step(s);
	if (rc != SQLITE_ROW) {
		sqlite3_reset(s);
		if (rc == SQLITE_DONE)
			diag_set(d, "payment %lld: gone", (long long)id);
		else
			state_error(r->st, d, "reading a payment");
		return -1;
	}
	p->id = id;
	snprintf(p->kind, sizeof p->kind, "%s",
	    (const char *)sqlite3_column_text(s, 0));
	p->value_date = sqlite3_column_int(s, 1);
	snprintf(p->ccy, sizeof p->ccy, "%s",
	    (const char *)sqlite3_column_text(s, 2));
	p->digits = money_minor_digits(p->ccy);
	if (p->digits < 0)
		p->digits = 2;
	p->amount = sqlite3_column_int64(s, 3);
	p->unallocated = sqlite3_column_int64(s, 4);
	p->payer_name = col_strdup(s, 5);
	p->payer_account = col_strdup(s, 6);
	p->reference = col_strdup(s, 7);
	p->e2e = col_strdup(s, 8);
	p->debtor = sqlite3_column_int64(s, 9);
	p->reverses = sqlite3_column_int64(s, 10);
	sqlite3_reset(s);
	return 0;
}

static void
payment_free(struct payment *p)
{
	free(p->payer_name);
	free(p->payer_account);
	free(p->reference);
	free(p->e2e);
}

/* allocation_status: the status recorded for payment id into buf ("" when
 * none).  0 or -1. */
static int
allocation_status(struct alloc_run *r, int64_t id, char *buf, size_t n,
    struct diag *d)
{
	sqlite3_stmt *s = r->s_done;
	int rc;

	buf[0] = '\0';
	sqlite3_bind_int64(s, 1, id);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		snprintf(buf, n, "%s", (const char *)sqlite3_column_text(s, 0));
	sqlite3_reset(s);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return state_error(r->st, d, "reading allocations");
	return 0;
}

/* find_original: the receipt a reversal without reverses_id undoes: the
 * one receipt with its end-to-end id and the opposite amount.  When there
 * is none, *other is the one receipt of that end-to-end id with another
 * amount (a partial reversal), else 0. */
static int
e2e_receipts(struct alloc_run *r, const struct payment *p, int exact,
    int64_t *out, struct diag *d)
{
	sqlite3_stmt *s = r->s_e2e;
	int n = 0, rc;

	*out = 0;
	sqlite3_bind_text(s, 1, p->e2e, -1, SQLITE_STATIC);
	if (exact)
		sqlite3_bind_int64(s, 2, -p->amount);
	sqlite3_bind_int(s, 3, p->value_date);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		*out = sqlite3_column_int64(s, 0);
		n++;
	}
	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
	if (rc != SQLITE_DONE)
		return state_error(r->st, d, "looking up a reversal's receipt");
	if (n != 1)
		*out = 0;
	return 0;
}

static int
find_original(struct alloc_run *r, const struct payment *p, int64_t *out,
    int64_t *other, struct diag *d)
{
	*out = 0;
	*other = 0;
	if (p->e2e == NULL || p->e2e[0] == '\0' || p->amount == INT64_MIN)
		return 0;
	if (e2e_receipts(r, p, 1, out, d) != 0)
		return -1;
	/* None of the opposite amount: one of another is a partial
	 * reversal, worth saying so. */
	if (*out == 0 && e2e_receipts(r, p, 0, other, d) != 0)
		return -1;
	return 0;
}

/* not_original: why receipt o cannot be what reversal p undoes whole, into
 * buf; 0 when it can. */
static int
not_original(const struct payment *p, const struct payment *o, char *buf,
    size_t n)
{
	char a[MONEY_BUFSZ], b[MONEY_BUFSZ];

	if (strcmp(o->kind, "receipt") != 0)
		snprintf(buf, n, "payment %lld is a %s, not a receipt",
		    (long long)o->id, o->kind);
	else if (strcmp(o->ccy, p->ccy) != 0)
		snprintf(buf, n, "receipt %lld is in %s, not %s",
		    (long long)o->id, o->ccy, p->ccy);
	else if (p->amount == INT64_MIN || o->amount != -p->amount)
		snprintf(buf, n, "the amount differs from receipt %lld's: "
		    "%s of %s reversed (a partial reversal is for a person)",
		    (long long)o->id, p->amount == INT64_MIN ? "?" :
		    money_format(-p->amount, p->digits, a),
		    money_format(o->amount, o->digits, b));
	else
		return 0;
	return 1;
}

/*
 * reversal: undoes what the original receipt applied, at the reversal's
 * value date: a negative 'reversal' settlement per item it had settled
 * (allocations and write-offs), reopening the item; its cash on account
 * taken back (unallocated 0: age-ledger drops a reversed receipt from the
 * reversal's date on); its short-payment query closed.
 */
static int
reversal(struct alloc_run *r, const struct payment *p,
    struct alloc_counts *cn, struct diag *d)
{
	struct payment o;
	int64_t orig = p->reverses, other = 0;
	char st[16], note[160];
	sqlite3_stmt *s;
	int rc, any = 0;

	if (orig == 0) {
		if (find_original(r, p, &orig, &other, d) != 0)
			return -1;
		/* Said in the state, so that age-ledger drops the receipt
		 * from the reversal's day on. */
		if (orig != 0) {
			char sql[96];

			snprintf(sql, sizeof sql, "UPDATE payment SET "
			    "reverses_id = %lld WHERE id = %lld",
			    (long long)orig, (long long)p->id);
			if (state_exec(r->st, sql, d) != 0)
				return -1;
		}
	}
	if (orig == 0 && other == 0) {
		unmatched(r, cn, p, "a reversal of no receipt the state "
		    "knows");
		return 0;
	}
	/* Known by its end-to-end id but not of the opposite amount: not
	 * linked, since a partial reversal does not cancel the receipt. */
	if (load_payment(r, orig ? orig : other, &o, d) != 0)
		return -1;
	if (not_original(p, &o, note, sizeof note)) {
		unmatched(r, cn, p, note);
		payment_free(&o);
		return 0;
	}
	if (allocation_status(r, orig, st, sizeof st, d) != 0) {
		payment_free(&o);
		return -1;
	}
	if (strcmp(st, "reversed") == 0) {
		snprintf(note, sizeof note, "receipt %lld is reversed already",
		    (long long)orig);
		unmatched(r, cn, p, note);
		payment_free(&o);
		return 0;
	}
	cn->reversals++;
	snprintf(note, sizeof note, "reverses payment %lld", (long long)orig);
	/* Undo each item's net settlement by the original. */
	s = r->s_rev_items;
	sqlite3_bind_int64(s, 1, orig);
	for (;;) {
		int64_t item, net, open, debtor, cash;
		char doc[256], kind[16], why[192], amt[MONEY_BUFSZ];
		const char *undo;

		rc = sqlite3_step(s);
		if (rc != SQLITE_ROW)
			break;
		item = sqlite3_column_int64(s, 0);
		snprintf(kind, sizeof kind, "%s",
		    (const char *)sqlite3_column_text(s, 1));
		net = sqlite3_column_int64(s, 2);
		/*
		 * Each kind is undone by its own kind, so that the sums stay
		 * true: 'reversal' settlements are the cash taken back (the
		 * row's allocated), and a write-off or a credit note's
		 * netting undone is a negative 'writeoff' or 'credit', its
		 * own row with no cash, so write-offs net out of the totals.
		 */
		if (strcmp(kind, "writeoff") == 0 ||
		    strcmp(kind, "credit") == 0) {
			undo = kind;
			cash = 0;
			snprintf(why, sizeof why, "%s of %s undone; %s",
			    kind[0] == 'w' ? "write-off" : "credit note netting",
			    money_format(net < 0 ? -net : net, p->digits, amt),
			    note);
		} else {
			undo = "reversal";
			cash = -net;
			snprintf(why, sizeof why, "%s", note);
		}
		{
			sqlite3_stmt *t = r->s_item_row;

			sqlite3_bind_int64(t, 1, item);
			if (sqlite3_step(t) != SQLITE_ROW) {
				sqlite3_reset(t);
				rc = SQLITE_ERROR;
				break;
			}
			debtor = sqlite3_column_int64(t, 0);
			snprintf(doc, sizeof doc, "%s",
			    (const char *)sqlite3_column_text(t, 2));
			open = sqlite3_column_int64(t, 3) + net;
			sqlite3_reset(t);
		}
		if (settle(r, item, p->value_date, -net, undo, p->id,
		    "reversal", note, d) != 0 || update_item(r, item, open, p->value_date,
		    "reversed", d) != 0) {
			sqlite3_reset(s);
			payment_free(&o);
			return -1;
		}
		drop_caches(r, debtor);
		row(r, cn, p, debtor, doc, cash, "reversal", 1, open, why);
		any = 1;
	}
	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
	if (rc != SQLITE_DONE) {
		payment_free(&o);
		return state_error(r->st, d, "reading what a receipt applied");
	}
	if (o.unallocated > 0 && o.debtor != 0) {
		row(r, cn, p, o.debtor, NULL, -o.unallocated, "reversal", 0, 0,
		    "unapplied cash taken back");
		any = 1;
	}
	if (!any)
		row(r, cn, p, o.debtor, NULL, 0, "reversal", 0, 0,
		    o.debtor ? "reverses payment with nothing applied" :
		    "reverses a receipt that was never allocated");
	/* The short payment is moot once the money is gone. */
	{
		char ev[64];

		snprintf(ev, sizeof ev, "allocate-payments:payment:%lld",
		    (long long)orig);
		int64_t qid = 0;

		s = r->s_close_query;
		sqlite3_bind_text(s, 1, ev, -1, SQLITE_TRANSIENT);
		sqlite3_bind_int(s, 2, p->value_date);
		rc = sqlite3_step(s);
		if (rc == SQLITE_ROW)
			qid = sqlite3_column_int64(s, 0);
		while (rc == SQLITE_ROW)
			rc = sqlite3_step(s);
		sqlite3_reset(s);
		sqlite3_clear_bindings(s);
		if (rc != SQLITE_DONE) {
			payment_free(&o);
			return state_error(r->st, d, "closing a query");
		}
		for (size_t j = 0; qid != 0 && j < r->nqiv; j++)
			if (r->qiv[j].query == qid)
				r->qiv[j].closed = p->value_date;
	}
	/* The original keeps its debtor: its cash was that debtor's until
	 * the reversal's day, as age-ledger replays it. */
	{
		struct payment po = o;

		po.id = orig;
		if (decide(r, &po, o.debtor, 0, "reversed", NULL, d) != 0 ||
		    decide(r, p, o.debtor, 0, "reversal", "original", d) != 0) {
			payment_free(&o);
			return -1;
		}
	}
	payment_free(&o);
	return 0;
}

/* ---- the loop --------------------------------------------------------------- */

static int
cmp_queued(const void *x, const void *y)
{
	const struct queued *a = x, *b = y;

	if (a->value_date != b->value_date)
		return a->value_date < b->value_date ? -1 : 1;
	return a->id < b->id ? -1 : a->id > b->id;
}

int
alloc_go(struct alloc_run *r, struct alloc_counts *c, struct diag *d)
{
	header(r);
	if (r->nq > 1)
		qsort(r->q, r->nq, sizeof *r->q, cmp_queued);
	for (size_t i = 0; i < r->nq; i++) {
		struct payment p;
		int rc;

		if (r->o->progress != NULL)
			r->o->progress(r->o->progress_ctx, (long long)i,
			    (long long)r->nq);
		if (load_payment(r, r->q[i].id, &p, d) != 0)
			return -1;
		/* A reversal earlier in the run may have cancelled it. */
		if ((rc = pending(r, p.id, p.kind, p.debtor, p.unallocated,
		    d)) <= 0) {
			payment_free(&p);
			if (rc < 0)
				return -1;
			c->skipped++;
			continue;
		}
		c->payments++;
		rc = strcmp(p.kind, "reversal") == 0 ? reversal(r, &p, c, d) :
		    receipt(r, &p, c, d);
		payment_free(&p);
		if (rc != 0) {
			diag_prefix(d, "payment %lld", (long long)r->q[i].id);
			return -1;
		}
	}
	return 0;
}

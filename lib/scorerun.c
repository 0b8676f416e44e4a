/*
 * scorerun: score-debtor's runs over the state (score.h, "Runs"): every
 * debtor, the rows of age-ledger streams, the backtest.  Separate from
 * score.c, which scores one debtor: this file owns the loops, the one
 * pass over the items and the stream's rows.  Nothing is printed: stream
 * problems go to the caller's report callback.
 */

#include <stdlib.h>
#include <string.h>

#include "hmap.h"
#include "score.h"
#include "tsv.h"
#include "util.h"

struct score_run {
	struct state *st;
	struct score_run_opts o;
	struct score_reader *rd;
	struct score_hist h;
	struct score_acc *acc;		/* by debtor.id, from one pass */
	size_t nacc;
	long scored;
	/* streams: each debtor scored once, on first sight */
	struct hmap *seen;		/* ref -> index + 1 into res, or -1 */
	struct score_result *res;
	size_t nres, capres;
	sqlite3_stmt *find;
	char *header;			/* the first stream's */
};

struct score_run *
score_run_begin(struct state *st, const struct score_run_opts *o,
    struct diag *d)
{
	struct score_run *r = xcalloc(1, sizeof *r);
	int64_t max;

	r->st = st;
	r->o = *o;
	r->seen = hmap_new();
	if ((r->rd = score_reader_new(st, d)) == NULL)
		goto fail;
	if (o->mode == SCORE_RUN_BACKTEST)
		return r;
	/* The items' part of every score in one pass over the item table,
	 * the rest (promises, contacts) by each debtor's indexes. */
	if (score_max_debtor(st, &max, d) != 0)
		goto fail;
	r->nacc = (size_t)max + 1;
	r->acc = xcalloc(r->nacc, sizeof *r->acc);
	if (score_scan_items(r->rd, o->cfg, o->as_of, r->acc, r->nacc, d) != 0)
		goto fail;
	if ((r->find = state_prepare(st, "SELECT id, name FROM debtor"
	    " WHERE ref = ?1", d)) == NULL)
		goto fail;
	return r;
fail:
	score_run_free(r);
	return NULL;
}

void
score_run_free(struct score_run *r)
{
	if (r == NULL)
		return;
	score_hist_free(&r->h);
	score_reader_free(r->rd);
	sqlite3_finalize(r->find);
	hmap_free(r->seen);
	free(r->acc);
	free(r->res);
	free(r->header);
	free(r);
}

long
score_run_scored(const struct score_run *r)
{
	return r->scored;
}

static int
score_one(struct score_run *r, struct score_result *res, struct diag *d)
{
	if (score_finish(r->st, r->o.cfg, &r->h, &r->acc[r->h.id], r->o.as_of,
	    res, d) != 0 || (r->o.store && score_store(r->rd, r->o.cfg,
	    r->h.id, res, d) != 0))
		return -1;
	r->scored++;
	return 0;
}

static void
header(FILE *fp, const char *first)
{
	fputs(first, fp);
	for (size_t i = 0; i < score_ncols(); i++) {
		tsv_sep(fp);
		tsv_put(fp, score_colname(i));
	}
	tsv_end(fp);
}

int
score_run_all(struct score_run *r, FILE *out, struct diag *d)
{
	sqlite3_stmt *s = state_prepare(r->st, "SELECT id, ref, name"
	    " FROM debtor ORDER BY ref", d);
	struct sbuf vis = { 0 };
	int rc, res = 0;

	if (s == NULL)
		return -1;
	header(out, "debtor_id\tdebtor_name");
	while (res == 0 && (rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct score_result sr;

		if (score_hist_load_light(r->rd, sqlite3_column_int64(s, 0),
		    (const char *)sqlite3_column_text(s, 1),
		    (const char *)sqlite3_column_text(s, 2), &r->h, d) != 0 ||
		    score_one(r, &sr, d) != 0) {
			res = -1;
			break;
		}
		tsv_put(out, r->h.ref);
		tsv_sep(out);
		/* The name comes from the client's export: an escape
		 * sequence or a direction override in it must not reach a
		 * collector's terminal (shown as U+FFFD, as build-chasepath
		 * shows it). */
		util_visible(r->h.name, &vis);
		tsv_put(out, sbuf_str(&vis));
		tsv_sep(out);
		score_write_values(out, r->o.cfg, &sr);
		tsv_end(out);
	}
	sbuf_free(&vis);
	sqlite3_finalize(s);
	if (res == 0 && rc != SQLITE_DONE)
		return state_error(r->st, d, "reading debtors");
	return res;
}

/* lookup: *out the result for debtor ref, NULL when the state has no
 * such debtor.  0, or -1 with d set. */
static int
lookup(struct score_run *r, const char *ref,
    const struct score_result **out, struct diag *d)
{
	int64_t *slot = hmap_get(r->seen, ref, strlen(ref));
	int rc;

	*out = NULL;
	if (slot != NULL) {
		*out = *slot > 0 ? &r->res[*slot - 1] : NULL;
		return 0;
	}
	sqlite3_reset(r->find);
	sqlite3_bind_text(r->find, 1, ref, -1, SQLITE_TRANSIENT);
	rc = sqlite3_step(r->find);
	if (rc == SQLITE_ROW) {
		if (score_hist_load_light(r->rd,
		    sqlite3_column_int64(r->find, 0), ref,
		    (const char *)sqlite3_column_text(r->find, 1), &r->h,
		    d) != 0)
			return -1;
		if (r->nres == r->capres) {
			r->capres = r->capres ? 2 * r->capres : 64;
			r->res = xreallocarray(r->res, r->capres,
			    sizeof *r->res);
		}
		if (score_one(r, &r->res[r->nres], d) != 0)
			return -1;
		*out = &r->res[r->nres++];
	} else if (rc != SQLITE_DONE)
		return state_error(r->st, d, "finding a debtor");
	*hmap_put(r->seen, ref, strlen(ref), NULL) = rc == SQLITE_ROW ?
	    (int64_t)r->nres : -1;
	return 0;
}

static void
report(struct score_run *r, const char *name, long line, const char *msg)
{
	if (r->o.report != NULL)
		r->o.report(r->o.report_ctx, name, line, msg);
}

int
score_run_stream(struct score_run *r, FILE *in, const char *name, FILE *out,
    long *bad, struct diag *d)
{
	struct tsv_reader *t;
	struct diag rd;
	int col, rc, res = 0;

	diag_clear(&rd);
	if ((t = tsv_open(in, name, d)) == NULL)
		return SCORE_EDATA;
	if ((col = tsv_col(t, "debtor_id")) < 0) {
		diag_set(d, "no debtor_id column (give an age-ledger stream, "
		    "by debtor or by item)");
		d->line = 1;
		tsv_close(t);
		return SCORE_EDATA;
	}
	for (size_t i = 0; i < score_ncols(); i++)
		if (tsv_col(t, score_colname(i)) >= 0) {
			diag_set(d, "column \"%s\" is already there (a stream "
			    "scored twice?)", score_colname(i));
			d->line = 1;
			tsv_close(t);
			return SCORE_EDATA;
		}
	if (r->header == NULL) {
		r->header = xstrdup(tsv_raw_header(t));
		header(out, r->header);
	} else if (strcmp(r->header, tsv_raw_header(t)) != 0) {
		diag_set(d, "its header differs from the first stream's (score "
		    "one kind of stream at a time)");
		d->line = 1;
		tsv_close(t);
		return SCORE_EDATA;
	}
	while ((rc = tsv_next(t, &rd)) != 0) {
		const struct score_result *sr = NULL;
		const char *ref;

		if (rc < 0) {
			report(r, name, rd.line, rd.msg);
			(*bad)++;
			continue;
		}
		ref = tsv_field(t, (size_t)col);
		if (ref[0] != '\0' && lookup(r, ref, &sr, d) != 0) {
			res = SCORE_ESTATE;
			break;
		}
		/* Every row comes out, so nothing downstream loses an item;
		 * one without a score is told. */
		fputs(tsv_raw(t), out);
		tsv_sep(out);
		if (sr != NULL)
			score_write_values(out, r->o.cfg, sr);
		else {
			score_write_empty(out);
			report(r, name, tsv_line(t), ref[0] == '\0' ?
			    "field \"debtor_id\": empty (its score columns are "
			    "left empty)" : "field \"debtor_id\": no such "
			    "debtor in the state (its score columns are left "
			    "empty)");
			(*bad)++;
		}
		tsv_end(out);
	}
	tsv_close(t);
	return res;
}

int
score_run_backtest(struct score_run *r, int32_t from, int32_t to,
    FILE *out, size_t *n, struct diag *d)
{
	struct score_bt_row *rows = NULL;
	size_t cap = 0;
	sqlite3_stmt *s = state_prepare(r->st, "SELECT id, ref, name"
	    " FROM debtor ORDER BY ref", d);
	int rc, res = 0;

	*n = 0;
	if (s == NULL)
		return -1;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW)
		if (score_hist_load(r->rd, sqlite3_column_int64(s, 0),
		    (const char *)sqlite3_column_text(s, 1),
		    (const char *)sqlite3_column_text(s, 2), &r->h, d) != 0 ||
		    score_backtest_debtor(r->st, r->o.cfg, &r->h, from, to,
		    r->o.as_of, &rows, n, &cap, d) != 0) {
			res = -1;
			break;
		}
	sqlite3_finalize(s);
	if (res == 0 && rc != SQLITE_DONE)
		res = state_error(r->st, d, "reading debtors");
	if (res == 0)
		score_backtest_write(out, r->o.cfg, rows, *n);
	free(rows);
	return res;
}

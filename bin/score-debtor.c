/*
 * score-debtor: each debtor's transparent score as of a day, its best
 * time to call and preferred channel, one row per debtor from the state,
 * or appended to each row of an age-ledger stream; scores stored with
 * their inputs, shown again with --show; --backtest measures how well
 * they rank late payers.  This file is options, inputs and messages;
 * lib/score does the work.  See score-debtor(1).
 */

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "config.h"
#include "date.h"
#include "hmap.h"
#include "score.h"
#include "state.h"
#include "tsv.h"
#include "util.h"

static const char usage[] =
    "score-debtor [--no-store] [--db file] [--as-of date] "
    "[--config file] [file ...]\n"
    "score-debtor --show date [--db file]\n"
    "score-debtor --backtest from to [--db file] [--as-of date] "
    "[--config file]";

enum {
	OPT_SHOW = CLI_OPT_FIRST_TOOL,
	OPT_BACKTEST,
	OPT_NO_STORE
};

static const struct option longopts[] = {
	{ "show", required_argument, NULL, OPT_SHOW },
	{ "backtest", required_argument, NULL, OPT_BACKTEST },
	{ "no-store", no_argument, NULL, OPT_NO_STORE },
	CLI_SHARED_LONGOPTS,
	{ NULL, 0, NULL, 0 }
};

struct run {
	struct cli *cli;
	struct state st;
	struct score_config cfg;
	struct score_reader *rd;
	struct score_hist h;
	int store;
	long scored;
	FILE *out;
	/* filter mode: each debtor scored once, on first sight */
	struct hmap *seen;		/* ref -> index + 1 into res, or -1 */
	struct score_result *res;
	size_t nres, capres;
	sqlite3_stmt *find;
};

/* score_one: h scored as of the run's day, and stored. */
static void
score_one(struct run *r, struct score_result *res)
{
	struct diag d;

	diag_clear(&d);
	if (score_compute(&r->st, &r->cfg, &r->h, r->cli->as_of, res,
	    &d) != 0 || (r->store && score_store(&r->st, &r->cfg, r->h.id, res,
	    &d) != 0))
		cli_die(r->cli, EXIT_STATE, "%s: %s", r->cli->db, d.msg);
	r->scored++;
}

static void
all_debtors(struct run *r)
{
	sqlite3_stmt *s;
	struct diag d;
	int rc;

	diag_clear(&d);
	s = state_prepare(&r->st, "SELECT id, ref, name FROM debtor"
	    " ORDER BY ref", &d);
	if (s == NULL)
		cli_die(r->cli, EXIT_STATE, "%s: %s", r->cli->db, d.msg);
	fputs("debtor_id\tdebtor_name", r->out);
	for (size_t i = 0; i < score_ncols(); i++) {
		tsv_sep(r->out);
		tsv_put(r->out, score_colname(i));
	}
	tsv_end(r->out);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct score_result res;

		if (score_hist_load(r->rd, sqlite3_column_int64(s, 0),
		    (const char *)sqlite3_column_text(s, 1),
		    (const char *)sqlite3_column_text(s, 2), &r->h, &d) != 0)
			cli_die(r->cli, EXIT_STATE, "%s: %s", r->cli->db,
			    d.msg);
		score_one(r, &res);
		tsv_put(r->out, r->h.ref);
		tsv_sep(r->out);
		tsv_put(r->out, r->h.name);
		tsv_sep(r->out);
		score_write_values(r->out, &r->cfg, &res);
		tsv_end(r->out);
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE)
		cli_die(r->cli, EXIT_STATE, "%s: reading debtors: %s",
		    r->cli->db, sqlite3_errmsg(r->st.db));
}

/* lookup: the result for debtor ref, NULL when the state has no such
 * debtor. */
static const struct score_result *
lookup(struct run *r, const char *ref)
{
	int64_t *slot = hmap_get(r->seen, ref, strlen(ref));
	struct diag d;
	int rc;

	if (slot != NULL)
		return *slot > 0 ? &r->res[*slot - 1] : NULL;
	diag_clear(&d);
	sqlite3_reset(r->find);
	sqlite3_bind_text(r->find, 1, ref, -1, SQLITE_TRANSIENT);
	rc = sqlite3_step(r->find);
	if (rc == SQLITE_ROW) {
		if (score_hist_load(r->rd, sqlite3_column_int64(r->find, 0),
		    ref, (const char *)sqlite3_column_text(r->find, 1), &r->h,
		    &d) != 0)
			cli_die(r->cli, EXIT_STATE, "%s: %s", r->cli->db,
			    d.msg);
		if (r->nres == r->capres) {
			r->capres = r->capres ? 2 * r->capres : 64;
			r->res = xreallocarray(r->res, r->capres,
			    sizeof *r->res);
		}
		score_one(r, &r->res[r->nres++]);
	} else if (rc != SQLITE_DONE)
		cli_die(r->cli, EXIT_STATE, "%s: finding a debtor: %s",
		    r->cli->db, sqlite3_errmsg(r->st.db));
	*hmap_put(r->seen, ref, strlen(ref), NULL) = rc == SQLITE_ROW ?
	    (int64_t)r->nres : -1;
	return rc == SQLITE_ROW ? &r->res[r->nres - 1] : NULL;
}

/* filter: one operand's rows with the score columns appended.  Every row
 * of the stream comes out (a debtor the state lacks gets empty score
 * columns and is reported), so nothing downstream loses an item.  The
 * first stream's header is the output's; a later stream must have the
 * same.  Returns the rows rejected; *failed set on any problem. */
static long
filter(struct run *r, const char *file, struct sbuf *header, int *failed)
{
	const char *name = cli_input_name(file);
	struct tsv_reader *t;
	struct diag d;
	FILE *fp;
	long bad = 0;
	int col, rc;

	diag_clear(&d);
	if ((fp = cli_open_input(r->cli, file)) == NULL) {
		*failed = 1;
		return 0;
	}
	if ((t = tsv_open(fp, name, &d)) == NULL) {
		cli_at(r->cli, name, d.line, "%s", d.msg);
		goto bad_file;
	}
	if ((col = tsv_col(t, "debtor_id")) < 0) {
		cli_at(r->cli, name, 1, "no debtor_id column (give an "
		    "age-ledger stream, by debtor or by item)");
		goto bad_file;
	}
	for (size_t i = 0; i < score_ncols(); i++)
		if (tsv_col(t, score_colname(i)) >= 0) {
			cli_at(r->cli, name, 1, "column \"%s\" is already "
			    "there (a stream scored twice?)",
			    score_colname(i));
			goto bad_file;
		}
	if (header->len == 0) {
		sbuf_adds(header, tsv_raw_header(t));
		fputs(sbuf_str(header), r->out);
		for (size_t i = 0; i < score_ncols(); i++) {
			tsv_sep(r->out);
			tsv_put(r->out, score_colname(i));
		}
		tsv_end(r->out);
	} else if (strcmp(sbuf_str(header), tsv_raw_header(t)) != 0) {
		cli_at(r->cli, name, 1, "its header differs from the first "
		    "stream's (score one kind of stream at a time)");
		goto bad_file;
	}
	while ((rc = tsv_next(t, &d)) != 0) {
		const struct score_result *res;
		const char *ref;

		if (rc < 0) {
			cli_at(r->cli, name, d.line, "%s", d.msg);
			bad++;
			continue;
		}
		ref = tsv_field(t, (size_t)col);
		res = ref[0] != '\0' ? lookup(r, ref) : NULL;
		fputs(tsv_raw(t), r->out);
		tsv_sep(r->out);
		if (res != NULL)
			score_write_values(r->out, &r->cfg, res);
		else {
			score_write_empty(r->out);
			cli_at(r->cli, name, tsv_line(t), "field \"debtor_id\": "
			    "%s (its score columns are left empty)",
			    ref[0] == '\0' ? "empty" : "no such debtor in "
			    "the state");
			bad++;
		}
		tsv_end(r->out);
	}
	tsv_close(t);
	cli_close_input(fp);
	if (bad > 0)
		*failed = 1;
	return bad;
bad_file:
	if (t != NULL)
		tsv_close(t);
	cli_close_input(fp);
	*failed = 1;
	return 0;
}

static int
backtest(struct run *r, int32_t from, int32_t to)
{
	struct score_bt_row *rows = NULL;
	size_t n = 0, cap = 0;
	sqlite3_stmt *s;
	struct diag d;
	int rc;

	diag_clear(&d);
	s = state_prepare(&r->st, "SELECT id, ref, name FROM debtor"
	    " ORDER BY ref", &d);
	if (s == NULL)
		cli_die(r->cli, EXIT_STATE, "%s: %s", r->cli->db, d.msg);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW)
		if (score_hist_load(r->rd, sqlite3_column_int64(s, 0),
		    (const char *)sqlite3_column_text(s, 1),
		    (const char *)sqlite3_column_text(s, 2), &r->h, &d) != 0 ||
		    score_backtest_debtor(&r->st, &r->cfg, &r->h, from, to,
		    r->cli->as_of, &rows, &n, &cap, &d) != 0)
			cli_die(r->cli, EXIT_STATE, "%s: %s", r->cli->db,
			    d.msg);
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE)
		cli_die(r->cli, EXIT_STATE, "%s: reading debtors: %s",
		    r->cli->db, sqlite3_errmsg(r->st.db));
	score_backtest_write(stdout, &r->cfg, rows, n);
	free(rows);
	if (n == 0) {
		cli_warn(r->cli, "no invoice issued in the window has a known "
		    "outcome");
		return EXIT_REJECTS;
	}
	return EXIT_OK;
}

int
main(int argc, char *argv[])
{
	struct cli c;
	struct run r;
	struct diag d;
	struct client_config cc;
	const char *show = NULL, *bt_from = NULL, *bt_to = NULL;
	int opt, status = EXIT_OK, failed = 0;
	int32_t from = 0, to = 0, show_day = 0;
	long bad = 0;

	cli_init(&c, "score-debtor", usage);
	memset(&r, 0, sizeof r);
	r.cli = &c;
	r.store = 1;
	while ((opt = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		if (cli_shared_option(&c, opt, optarg))
			continue;
		switch (opt) {
		case OPT_SHOW:
			show = optarg;
			break;
		case OPT_BACKTEST:
			/* Two arguments: FROM is the option's, TO the next. */
			bt_from = optarg;
			if (optind >= argc || argv[optind][0] == '-')
				cli_usage_error(&c, "--backtest needs two "
				    "dates, from and to");
			bt_to = argv[optind++];
			break;
		case OPT_NO_STORE:
			r.store = 0;
			break;
		default:
			cli_usage_error(&c, "unknown option");
		}
	}
	argc -= optind;
	argv += optind;
	if (show != NULL && bt_from != NULL)
		cli_usage_error(&c, "--show and --backtest do not go together");
	if ((show != NULL || bt_from != NULL) && argc > 0)
		cli_usage_error(&c, "%s reads the state: give no files",
		    show != NULL ? "--show" : "--backtest");
	if (show != NULL)
		show_day = cli_parse_date_arg(&c, "--show", show);
	if (bt_from != NULL) {
		from = cli_parse_date_arg(&c, "--backtest", bt_from);
		to = cli_parse_date_arg(&c, "--backtest", bt_to);
		if (to < from)
			cli_usage_error(&c, "--backtest: %s is before %s",
			    bt_to, bt_from);
	}

	config_defaults(&cc);
	score_config_defaults(&r.cfg);
	diag_clear(&d);
	if (c.config != NULL && (config_load(c.config, &cc, &d) != 0 ||
	    score_config_load(cc.root, &r.cfg, &d) != 0)) {
		cli_at(&c, c.config, d.line, "%s", d.msg);
		config_free(&cc);
		return EXIT_USAGE;
	}
	config_free(&cc);
	cli_need_stdout(&c);

	if (state_open(&r.st, c.db, STATE_READ, c.prog, &d) != 0)
		cli_die(&c, EXIT_STATE, "%s: %s", c.db, d.msg);
	if (show != NULL) {
		long n;

		if (score_show(&r.st, show_day, stdout, &n, &d) != 0)
			cli_die(&c, EXIT_STATE, "%s: %s", c.db, d.msg);
		if (n == 0) {
			cli_warn(&c, "no scores stored as of %s", show);
			status = EXIT_REJECTS;
		}
		state_close(&r.st);
		return cli_finish(&c, status);
	}
	if ((r.rd = score_reader_new(&r.st, &d)) == NULL)
		cli_die(&c, EXIT_STATE, "%s: %s", c.db, d.msg);
	if (bt_from != NULL) {
		status = backtest(&r, from, to);
		goto done;
	}

	/* Only operands make a stream ("-" is stdin), as in age-ledger: a
	 * cron job with a pipe on stdin still scores the state. */
	if ((r.out = tmpfile()) == NULL)
		cli_die(&c, EXIT_STATE, "a temporary file for the output: %s",
		    strerror(errno));
	if (state_begin(&r.st, &d) != 0)
		cli_die(&c, EXIT_STATE, "%s: %s", c.db, d.msg);
	if (argc == 0)
		all_debtors(&r);
	else {
		struct sbuf header = { 0 };

		r.seen = hmap_new();
		if ((r.find = state_prepare(&r.st, "SELECT id, name FROM debtor"
		    " WHERE ref = ?1", &d)) == NULL)
			cli_die(&c, EXIT_STATE, "%s: %s", c.db, d.msg);
		for (int i = 0; i < argc; i++)
			bad += filter(&r, argv[i], &header, &failed);
		sbuf_free(&header);
		sqlite3_finalize(r.find);
		hmap_free(r.seen);
		free(r.res);
	}
	if (r.store) {
		char day[DATE_BUFSZ], detail[64];

		snprintf(detail, sizeof detail, "%ld debtor%s as of %s",
		    r.scored, r.scored == 1 ? "" : "s",
		    date_format(c.as_of, day));
		if (state_audit(&r.st, "score", "score", 0, detail, &d) != 0)
			cli_die(&c, EXIT_STATE, "%s: %s", c.db, d.msg);
	}
	if (state_commit(&r.st, &d) != 0)
		cli_die(&c, EXIT_STATE, "%s: %s", c.db, d.msg);
	if (cli_copy_out(&c, r.out) != 0)
		status = EXIT_STATE;
	fclose(r.out);
	if (failed && status == EXIT_OK)
		status = EXIT_REJECTS;
	if (bad > 0)
		cli_warn(&c, "%ld row%s rejected or not scored", bad,
		    bad == 1 ? "" : "s");
done:
	score_hist_free(&r.h);
	score_reader_free(r.rd);
	state_close(&r.st);
	return cli_finish(&c, status);
}

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
#include "score.h"
#include "state.h"
#include "tsv.h"
#include "util.h"

static const char usage[] =
    "score-debtor [--no-store] [--client dir] [--db file] [--as-of date] "
    "[--config file] [file ...]\n"
    "score-debtor --show date [--client dir] [--db file]\n"
    "score-debtor --backtest from to [--client dir] [--db file] "
    "[--as-of date] [--config file]";

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

/* report: a stream row told with its file and line. */
static void
report(void *ctx, const char *file, long line, const char *msg)
{
	cli_at(ctx, file, line, "%s", msg);
}

/* streams: every operand ("-" is stdin); a stream that cannot be used is
 * told and skipped.  Returns the rows rejected or not scored; *failed
 * set on any problem.  Exits 3 on a state error. */
static long
streams(struct cli *c, struct score_run *r, char **files, int n, FILE *out,
    int *failed)
{
	long bad = 0;

	for (int i = 0; i < n; i++) {
		const char *name = cli_input_name(files[i]);
		struct diag d;
		FILE *fp;
		int rc;

		diag_clear(&d);
		if ((fp = cli_open_input(c, files[i])) == NULL) {
			*failed = 1;
			continue;
		}
		rc = score_run_stream(r, fp, name, out, &bad, &d);
		cli_close_input(fp);
		if (rc == SCORE_ESTATE)
			cli_die(c, EXIT_STATE, "%s: %s", c->db, d.msg);
		if (rc != 0) {
			cli_at(c, name, d.line, "%s", d.msg);
			*failed = 1;
		}
	}
	if (bad > 0)
		*failed = 1;
	return bad;
}

int
main(int argc, char *argv[])
{
	struct cli c;
	struct state st;
	struct score_config cfg;
	struct score_run_opts o;
	struct score_run *r = NULL;
	struct diag d;
	struct client_config cc;
	FILE *out;
	const char *show = NULL, *bt_from = NULL, *bt_to = NULL;
	int opt, status = EXIT_OK, failed = 0, store = 1;
	int32_t from = 0, to = 0, show_day = 0;
	long bad = 0;

	cli_init(&c, "score-debtor", usage);
	/* getopt's own messages (an unknown option) name the tool as
	 * every other message does, not the path it was run by. */
	if (argc > 0)
		argv[0] = (char *)c.prog;
	memset(&o, 0, sizeof o);
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
			store = 0;
			break;
		default:
			cli_usage_error(&c, "unknown option");
		}
	}
	cli_options_done(&c);
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
	score_config_defaults(&cfg);
	diag_clear(&d);
	if (c.config != NULL && (cli_config_load(&c, &cc, &d) != 0 ||
	    score_config_load(cc.root, &cfg, &d) != 0)) {
		cli_at(&c, c.config, d.line, "%s", d.msg);
		config_free(&cc);
		return EXIT_USAGE;
	}
	config_free(&cc);
	cli_need_stdout(&c);
	cli_keep_going_on_epipe();

	if (cli_state_open(&c, &st, STATE_READ, &d) != 0)
		cli_die(&c, EXIT_STATE, "%s: %s", c.db, d.msg);
	if (show != NULL) {
		long n;

		if (score_show(&st, show_day, stdout, &n, &d) != 0)
			cli_die(&c, EXIT_STATE, "%s: %s", c.db, d.msg);
		if (n == 0) {
			cli_warn(&c, "no scores stored as of %s", show);
			status = EXIT_REJECTS;
		}
		state_close(&st);
		return cli_finish(&c, status);
	}
	o.mode = bt_from != NULL ? SCORE_RUN_BACKTEST : SCORE_RUN_STATE;
	o.as_of = c.as_of;
	o.cfg = &cfg;
	o.store = store && bt_from == NULL;
	o.report = report;
	o.report_ctx = &c;
	if (bt_from != NULL) {
		size_t n;

		if ((r = score_run_begin(&st, &o, &d)) == NULL ||
		    score_run_backtest(r, from, to, stdout, &n, &d) != 0)
			cli_die(&c, EXIT_STATE, "%s: %s", c.db, d.msg);
		if (n == 0) {
			cli_warn(&c, "no invoice issued in the window has a "
			    "known outcome");
			status = EXIT_REJECTS;
		}
		goto done;
	}

	/* Only operands make a stream ("-" is stdin), as in age-ledger: a
	 * cron job with a pipe on stdin still scores the state.  The rows
	 * go out once the scores are committed. */
	if ((out = tmpfile()) == NULL)
		cli_die(&c, EXIT_STATE, "a temporary file for the output: %s",
		    strerror(errno));
	if (state_begin(&st, &d) != 0 ||
	    (r = score_run_begin(&st, &o, &d)) == NULL)
		cli_die(&c, EXIT_STATE, "%s: %s", c.db, d.msg);
	if (argc == 0) {
		if (score_run_all(r, out, &d) != 0)
			cli_die(&c, EXIT_STATE, "%s: %s", c.db, d.msg);
	} else
		bad = streams(&c, r, argv, argc, out, &failed);
	if (o.store) {
		char day[DATE_BUFSZ], detail[64];
		long k = score_run_scored(r);

		snprintf(detail, sizeof detail, "%ld debtor%s as of %s", k,
		    k == 1 ? "" : "s", date_format(c.as_of, day));
		if (state_audit(&st, "score", "score", 0, detail, &d) != 0)
			cli_die(&c, EXIT_STATE, "%s: %s", c.db, d.msg);
	}
	/* The whole run's rows are in out: they go to stdout before the
	 * commit, so a stdout that fails (a full disk) stores nothing.  A
	 * reader that went away (| head) is no failure (SIGPIPE is ignored
	 * for this): the scores stored are the whole run's, already
	 * computed, not the part that was read. */
	if (cli_copy_out(&c, out) != 0) {
		state_rollback(&st);
		fclose(out);
		score_run_free(r);
		state_close(&st);
		return EXIT_STATE;
	}
	fclose(out);
	if (state_commit(&st, &d) != 0)
		cli_die(&c, EXIT_STATE, "%s: %s", c.db, d.msg);
	if (failed && status == EXIT_OK)
		status = EXIT_REJECTS;
	if (bad > 0)
		cli_warn(&c, "%ld row%s rejected or not scored", bad,
		    bad == 1 ? "" : "s");
done:
	score_run_free(r);
	state_close(&st);
	return cli_finish(&c, status);
}

/*
 * build-chasepath: the day's chase plan, one row per debtor, currency,
 * step and channel due, from the aged ledger (an `age-ledger --by item`
 * stream, or the state) and the client's chase paths.  This file is
 * options, inputs and messages; lib/chase does the work.  See
 * build-chasepath(1).
 */

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chase.h"
#include "cli.h"
#include "config.h"
#include "state.h"

static const char usage[] =
    "build-chasepath [--suppressed] [--state] [--rejects file] "
    "[--client dir] [--db file]\n"
    "[--as-of date] [--config file] [file ...]";

enum {
	OPT_SUPPRESSED = CLI_OPT_FIRST_TOOL,
	OPT_STATE,
	OPT_REJECTS
};

static const struct option longopts[] = {
	{ "suppressed", no_argument, NULL, OPT_SUPPRESSED },
	{ "state", no_argument, NULL, OPT_STATE },
	{ "rejects", required_argument, NULL, OPT_REJECTS },
	CLI_SHARED_LONGOPTS,
	{ NULL, 0, NULL, 0 }
};

static void
report(void *ctx, const char *file, long line, const char *msg)
{
	const struct cli *c = ctx;

	if (file != NULL)
		cli_at(c, file, line, "%s", msg);
	else
		cli_warn(c, "%s", msg);
}

/* read_streams: every operand; returns the bad rows, *failed set when
 * a file could not be read at all, -1 on a state error (told). */
static long
read_streams(struct cli *c, struct chase_run *r, char **files, int n,
    int *failed)
{
	int rc;

	long bad = 0;

	for (int i = 0; i < n; i++) {
		const char *name = cli_input_name(files[i]);
		struct diag d;
		FILE *fp;

		diag_clear(&d);
		if ((fp = cli_open_input(c, files[i])) == NULL) {
			*failed = 1;
			continue;
		}
		if ((rc = chase_read_stream(r, fp, name, &bad, &d)) == -2) {
			cli_warn(c, "%s: %s", c->db, d.msg);
			cli_close_input(fp);
			return -1;
		}
		if (rc != 0) {
			cli_at(c, name, d.line, "%s", d.msg);
			*failed = 1;
		}
		cli_close_input(fp);
	}
	return bad;
}

int
main(int argc, char *argv[])
{
	struct cli c;
	struct client_config cfg;
	struct chase_config cc;
	struct chase_opts o;
	struct chase_run *r;
	struct state st;
	struct diag d;
	FILE *tmp;
	struct cli_replace rj = { 0 };
	const char *rejects = NULL;
	int opt, force_state = 0, failed = 0, status = EXIT_OK;
	long bad = 0, problems = 0, planned;
	int rj_done = 0;

	cli_init(&c, "build-chasepath", usage);
	memset(&o, 0, sizeof o);
	while ((opt = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		if (cli_shared_option(&c, opt, optarg))
			continue;
		switch (opt) {
		case OPT_SUPPRESSED:
			o.suppressed = 1;
			break;
		case OPT_STATE:
			force_state = 1;
			break;
		case OPT_REJECTS:
			rejects = optarg;
			break;
		default:
			cli_usage_error(&c, "unknown option");
		}
	}
	cli_options_done(&c);
	argc -= optind;
	argv += optind;
	if (force_state && argc > 0)
		cli_usage_error(&c, "--state plans from the state: give no "
		    "files");
	if (rejects != NULL && argc == 0)
		cli_usage_error(&c, "--rejects is for stream rows: give the "
		    "stream as a file or -");
	/* Never the state, the config or a stream, however named. */
	if (rejects != NULL)
		cli_check_output(&c, "--rejects", rejects,
		    (const char *const *)argv, (size_t)argc);

	config_defaults(&cfg);
	diag_clear(&d);
	if (c.config != NULL && cli_config_load(&c, &cfg, &d) != 0) {
		cli_at(&c, c.config, d.line, "%s", d.msg);
		return EXIT_USAGE;
	}
	if (chase_config_load(cfg.root, &cc, &d) != 0) {
		cli_at(&c, c.config ? c.config : "<defaults>", d.line, "%s",
		    d.msg);
		chase_config_free(&cc);
		config_free(&cfg);
		return EXIT_USAGE;
	}
	cli_need_stdout(&c);
	o.as_of = c.as_of;
	o.debtor_type = cfg.client.debtor_type;
	o.report = report;
	o.report_ctx = &c;

	if (cli_state_open(&c, &st, STATE_READ, &d) != 0)
		cli_die(&c, EXIT_STATE, "%s: %s", c.db, d.msg);
	if (rejects != NULL) {
		if (cli_replace_open(&c, &rj, rejects) != 0) {
			state_close(&st);
			chase_config_free(&cc);
			config_free(&cfg);
			return EXIT_STATE;
		}
		o.rejects = rj.fp;
	}
	r = chase_new(&cc, &o, &st);
	/* Only operands make a stream, as in age-ledger: a cron job with
	 * a pipe on stdin still plans from the state. */
	if (argc > 0) {
		if ((bad = read_streams(&c, r, argv, argc, &failed)) < 0) {
			status = EXIT_STATE;
			goto out;
		}
	} else if (chase_read_state(r, &d) != 0) {
		cli_warn(&c, "%s: %s", c.db, d.msg);
		status = EXIT_STATE;
		goto out;
	}
	/* The plan goes to a temporary file first: a state error half-way
	 * leaves stdout empty rather than a plan cut short. */
	if ((tmp = tmpfile()) == NULL) {
		cli_warn(&c, "a temporary file: %s", strerror(errno));
		status = EXIT_STATE;
		goto out;
	}
	if (state_exec(&st, "BEGIN", &d) != 0 ||
	    (planned = chase_write(r, tmp, &problems, &d)) < 0) {
		cli_warn(&c, "%s: %s", c.db, d.msg);
		status = EXIT_STATE;
		fclose(tmp);
		goto out;
	}
	state_exec(&st, "COMMIT", &d);
	if (cli_copy_out(&c, tmp) != 0)
		status = EXIT_STATE;
	fclose(tmp);
	if (bad > 0)
		cli_warn(&c, "%ld row%s rejected", bad, bad == 1 ? "" : "s");
	/* The rejects file replaces what was there only when the plan
	 * stands. */
	if (rj.fp != NULL) {
		rj_done = 1;
		if (status == EXIT_STATE)
			cli_replace_abort(&rj);
		else if (cli_replace_commit(&c, &rj) != 0)
			status = EXIT_STATE;
	}
	if (status == EXIT_OK && (bad > 0 || failed || problems > 0))
		status = EXIT_REJECTS;
out:
	if (rj.fp != NULL && !rj_done)
		cli_replace_abort(&rj);
	chase_free(r);
	state_close(&st);
	chase_config_free(&cc);
	config_free(&cfg);
	return cli_finish(&c, status);
}

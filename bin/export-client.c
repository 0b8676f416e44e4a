/*
 * export-client: what the bureau did and learned, back to the client's
 * own ledger or CRM, as CSV or TSV: one kind to standard output, or
 * every kind into a folder, each file whole or not at all.  This file is
 * options, files and messages; lib/export does the work.  Nothing is
 * written to the state.  See export-client(1).
 */

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "chase.h"
#include "config.h"
#include "export.h"
#include "outbox.h"
#include "state.h"
#include "util.h"

static const char usage[] =
    "export-client [--since date] [--format csv|tsv] [--client dir]\n"
    "[--db file] [--as-of date] [--config file] (kind | --dir dir)";

enum {
	OPT_SINCE = CLI_OPT_FIRST_TOOL,
	OPT_FORMAT,
	OPT_DIR
};

static const struct option longopts[] = {
	{ "since", required_argument, NULL, OPT_SINCE },
	{ "format", required_argument, NULL, OPT_FORMAT },
	{ "dir", required_argument, NULL, OPT_DIR },
	CLI_SHARED_LONGOPTS,
	{ NULL, 0, NULL, 0 }
};

/* to_stdout: one kind, written to a temporary file first so that a state
 * error part-way leaves standard output without half a table. */
static int
to_stdout(struct cli *c, struct state *st, enum export_kind k,
    const struct export_opts *o)
{
	struct diag d;
	FILE *tmp;

	diag_clear(&d);
	if ((tmp = tmpfile()) == NULL)
		cli_die(c, EXIT_STATE, "a temporary file: %s", strerror(errno));
	if (export_write(st, k, o, tmp, NULL, &d) != 0) {
		fclose(tmp);
		cli_warn(c, "%s: %s", c->db, d.msg);
		return EXIT_STATE;
	}
	if (cli_copy_out(c, tmp) != 0) {
		fclose(tmp);
		return EXIT_STATE;
	}
	fclose(tmp);
	return EXIT_OK;
}

/* to_dir: every kind as dir/KIND.csv (or .tsv).  All are written and
 * checked before any is renamed into place, so a failure leaves the
 * folder as it was. */
static int
to_dir(struct cli *c, struct state *st, const char *dir,
    const struct export_opts *o)
{
	struct cli_replace r[EXPORT_NKINDS];
	struct sbuf path[EXPORT_NKINDS];
	struct diag d;
	int k, opened = 0, status = EXIT_OK;

	memset(path, 0, sizeof path);
	diag_clear(&d);
	if (outbox_mkdirs(dir, &d) != 0) {
		cli_warn(c, "--dir: %s", d.msg);
		return EXIT_STATE;
	}
	for (k = 0; k < EXPORT_NKINDS; k++) {
		sbuf_addf(&path[k], "%s/%s.%s", dir,
		    export_kind_name((enum export_kind)k),
		    o->format == EXPORT_CSV ? "csv" : "tsv");
		if (cli_is_state(sbuf_str(&path[k]), c->db)) {
			cli_warn(c, "--dir: %s is the state file",
			    sbuf_str(&path[k]));
			status = EXIT_STATE;
			break;
		}
		if (cli_replace_open(c, &r[k], sbuf_str(&path[k])) != 0) {
			status = EXIT_STATE;
			break;
		}
		opened++;
		if (export_write(st, (enum export_kind)k, o, r[k].fp, NULL,
		    &d) != 0) {
			cli_warn(c, "%s: %s", sbuf_str(&path[k]), d.msg);
			status = EXIT_STATE;
			break;
		}
	}
	for (k = 0; k < opened; k++) {
		if (status != EXIT_OK)
			cli_replace_abort(&r[k]);
		else if (cli_replace_commit(c, &r[k]) != 0)
			status = EXIT_STATE;
	}
	for (k = 0; k < EXPORT_NKINDS; k++)
		sbuf_free(&path[k]);
	return status;
}

int
main(int argc, char *argv[])
{
	struct cli c;
	struct diag d;
	struct client_config cfg;
	struct export_opts o;
	struct chase_config chase;
	struct state st;
	const char *dir = NULL;
	int opt, kind = -1, status;

	cli_init(&c, "export-client", usage);
	memset(&o, 0, sizeof o);
	o.since = EXPORT_SINCE_ALL;
	o.format = EXPORT_CSV;
	while ((opt = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		if (cli_shared_option(&c, opt, optarg))
			continue;
		switch (opt) {
		case OPT_SINCE:
			o.since = cli_parse_date_arg(&c, "--since", optarg);
			break;
		case OPT_FORMAT:
			if (strcmp(optarg, "csv") == 0)
				o.format = EXPORT_CSV;
			else if (strcmp(optarg, "tsv") == 0)
				o.format = EXPORT_TSV;
			else
				cli_usage_error(&c, "--format: \"%s\" is not "
				    "csv or tsv", optarg);
			break;
		case OPT_DIR:
			if (*optarg == '\0')
				cli_usage_error(&c, "--dir: an empty name");
			dir = optarg;
			break;
		default:
			cli_usage_error(&c, "unknown option");
		}
	}
	cli_options_done(&c);
	cli_check_other_client(&c, "--dir", dir);
	argc -= optind;
	argv += optind;
	o.as_of = c.as_of;
	if (dir != NULL && argc > 0)
		cli_usage_error(&c, "--dir writes every kind: give no kind "
		    "(\"%s\")", argv[0]);
	if (dir == NULL && argc == 0)
		cli_usage_error(&c, "no kind (one of " EXPORT_KIND_LIST
		    ") and no --dir");
	if (argc > 1)
		cli_usage_error(&c, "one kind at a time (\"%s\" and \"%s\"); "
		    "--dir writes them all", argv[0], argv[1]);
	if (argc == 1 && (kind = export_kind_parse(argv[0])) < 0)
		cli_usage_error(&c, "\"%s\" is not a kind (one of "
		    EXPORT_KIND_LIST ")", argv[0]);
	if (o.since != EXPORT_SINCE_ALL && o.since > o.as_of)
		cli_usage_error(&c, "--since is after the as-of day: nothing "
		    "could be exported");

	/* The config names the client the state must be of, and the chase
	 * rules a plan's status is judged by (its calendar, what a first
	 * missed instalment asks), as build-chasepath judges it; one that
	 * does not load is refused, as every tool refuses it. */
	config_defaults(&cfg);
	diag_clear(&d);
	if (c.config != NULL && cli_config_load(&c, &cfg, &d) != 0) {
		cli_at(&c, c.config, d.line, "%s", d.msg);
		return EXIT_USAGE;
	}
	if (chase_config_load(c.config != NULL ? cfg.root : NULL, &chase,
	    &d) != 0) {
		cli_at(&c, c.config, d.line, "%s", d.msg);
		chase_config_free(&chase);
		config_free(&cfg);
		return EXIT_USAGE;
	}
	config_free(&cfg);
	o.cal = &chase.cal;
	o.miss_days = chase.plan_missed.offset;
	if (dir == NULL)
		cli_need_stdout(&c);

	if (cli_state_open(&c, &st, STATE_READ, &d) != 0)
		cli_die(&c, EXIT_STATE, "%s: %s", c.db, d.msg);
	if (export_begin(&st, &d) != 0) {
		state_close(&st);
		cli_die(&c, EXIT_STATE, "%s: %s", c.db, d.msg);
	}
	if (dir != NULL)
		status = to_dir(&c, &st, dir, &o);
	else
		status = to_stdout(&c, &st, (enum export_kind)kind, &o);
	export_end(&st);
	state_close(&st);
	chase_config_free(&chase);
	return cli_finish(&c, status);
}

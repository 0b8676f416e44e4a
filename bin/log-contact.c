/*
 * log-contact: what happened with a debtor (contact attempts, promises,
 * queries, plans, holds) from a TSV of events into the client's state;
 * with --list, a debtor's timeline as of a day.  This file is options,
 * inputs and messages; lib/contact records, lib/timeline lists and
 * lib/promise judges.  See log-contact(1).
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chase.h"
#include "cli.h"
#include "config.h"
#include "contact.h"
#include "state.h"
#include "timeline.h"
#include "util.h"

static const char usage[] =
    "log-contact [-v] [--rejects file] [--client dir] [--db file] "
    "[--as-of date]\n"
    "[--config file] [file ...]\n"
    "log-contact --list [--client dir] [--db file] [--as-of date] "
    "[debtor ...]";

enum {
	OPT_LIST = CLI_OPT_FIRST_TOOL,
	OPT_REJECTS
};

static const struct option longopts[] = {
	CLI_SHARED_LONGOPTS,
	{ "list", no_argument, NULL, OPT_LIST },
	{ "rejects", required_argument, NULL, OPT_REJECTS },
	{ "verbose", no_argument, NULL, 'v' },
	{ NULL, 0, NULL, 0 }
};

/* list: the timelines of the debtors named (all without names). */
static int
list(struct cli *c, const struct chase_config *cc, char **refs, int nrefs)
{
	struct state st;
	struct diag d;
	int status = EXIT_OK;

	/* The timelines are the product: with stdout closed they would go
	 * nowhere, and exit 0 would say they went somewhere. */
	cli_need_stdout(c);
	diag_clear(&d);
	if (cli_state_open(c, &st, STATE_READ, &d) != 0)
		cli_die(c, EXIT_STATE, "%s: %s", c->db, d.msg);
	/* One read transaction: every table seen at one moment. */
	if (state_exec(&st, "BEGIN", &d) != 0) {
		state_close(&st);
		cli_die(c, EXIT_STATE, "%s: %s", c->db, d.msg);
	}
	puts(TIMELINE_HEADER);
	if (nrefs == 0 && timeline_write_all(&st, c->as_of, &cc->cal,
	    cc->plan_missed.offset, stdout, &d) != 0)
		status = EXIT_STATE;
	for (int i = 0; i < nrefs && status != EXIT_STATE; i++) {
		int64_t id = 0;
		int rc = timeline_debtor(&st, refs[i], &id, &d);

		if (rc == 0) {
			cli_warn(c, "%s: no debtor \"%s\"", c->db, refs[i]);
			status = EXIT_REJECTS;
		} else if (rc < 0 || timeline_write(&st, id, refs[i], c->as_of,
		    &cc->cal, cc->plan_missed.offset, stdout, &d) != 0) {
			status = EXIT_STATE;
		}
	}
	if (status == EXIT_STATE)
		cli_warn(c, "%s: %s", c->db, d.msg);
	state_rollback(&st);
	state_close(&st);
	return status;
}

int
main(int argc, char **argv)
{
	struct cli cli;
	struct client_config cfg;
	struct contact_config ccfg;
	struct contact_opts o;
	struct cli_reporter rp = { 0 };
	struct state st;
	struct contact_run *run = NULL;
	struct batch_counts total = { 0 };
	struct diag d;
	const char *rejects_path = NULL;
	FILE **files;
	size_t nfiles;
	long skipped = 0;
	int ch, listing = 0, verbose = 0, status = EXIT_OK;

	cli_init(&cli, "log-contact", usage);
	while ((ch = getopt_long(argc, argv, "hv", longopts, NULL)) != -1) {
		if (cli_shared_option(&cli, ch, optarg))
			continue;
		switch (ch) {
		case OPT_LIST: listing = 1; break;
		case OPT_REJECTS: rejects_path = optarg; break;
		case 'v': verbose = 1; break;
		default:
			cli_usage_error(&cli, "unknown option");
		}
	}
	cli_options_done(&cli);
	cli_check_other_client(&cli, "--rejects", rejects_path);
	argc -= optind;
	argv += optind;
	/* A reader that stops early (| head) is not a failure: the run
	 * still commits, and a listing ends there, exit 0. */
	cli_keep_going_on_epipe();
	if (!listing)
		cli_no_future(&cli);
	if (listing) {
		if (rejects_path != NULL || verbose)
			cli_usage_error(&cli, "--list takes no --rejects or -v");
		struct chase_config cc;
		int rc;

		/* The config is read for its client.id (a listing reads
		 * only its own client's state) and for the chase rules a
		 * plan is judged by (its calendar, chase.plan_missed), as
		 * build-chasepath judges it. */
		diag_clear(&d);
		if (cli.config != NULL) {
			if (cli_config_load(&cli, &cfg, &d) != 0) {
				cli_at(&cli, cli.config, d.line, "%s", d.msg);
				return EXIT_USAGE;
			}
			rc = chase_config_load(cfg.root, &cc, &d);
			config_free(&cfg);
		} else {
			rc = chase_config_load(NULL, &cc, &d);
		}
		if (rc != 0) {
			cli_at(&cli, cli.config, d.line, "%s", d.msg);
			chase_config_free(&cc);
			return EXIT_USAGE;
		}
		rc = list(&cli, &cc, argv, argc);
		chase_config_free(&cc);
		return cli_finish(&cli, rc);
	}

	config_defaults(&cfg);
	contact_config_defaults(&ccfg);
	diag_clear(&d);
	if (cli.config != NULL && (cli_config_load(&cli, &cfg, &d) != 0 ||
	    contact_config_load(cfg.root, &ccfg, &d) != 0)) {
		cli_at(&cli, cli.config, d.line, "%s", d.msg);
		contact_config_free(&ccfg);
		config_free(&cfg);
		return EXIT_USAGE;
	}
	memset(&o, 0, sizeof o);
	o.as_of = cli.as_of;
	o.cfg = &ccfg;
	memcpy(o.currency, cfg.client.currency, sizeof o.currency);
	rp.cli = &cli;
	o.report = cli_report;
	o.report_ctx = &rp;
	/* Never the state, the config or an event file, however named. */
	if (rejects_path != NULL)
		cli_check_output(&cli, "--rejects", rejects_path,
		    (const char *const *)argv, (size_t)argc);
	if (rejects_path != NULL &&
	    (o.rejects = fopen(rejects_path, "w")) == NULL)
		/* Cannot be made: a system error, as for every tool. */
		cli_die(&cli, EXIT_STATE, "%s: %s", rejects_path,
		    strerror(errno));

	/* Inputs are opened before the state, so a missing file leaves no
	 * trace. */
	nfiles = argc ? (size_t)argc : 1;
	files = xcalloc(nfiles, sizeof *files);
	for (size_t i = 0; i < nfiles; i++)
		if ((files[i] = cli_open_input(&cli, argc ? argv[i] : "-")) ==
		    NULL) {
			for (size_t k = 0; k < i; k++)
				cli_close_input(files[k]);
			status = EXIT_USAGE;
			goto out;
		}

	/* The state must exist: events are about debtors ingest-invoices
	 * recorded, and a mistyped --db must not make an empty state. */
	if (cli_state_open(&cli, &st, STATE_READ, &d) != 0 ||
	    state_begin(&st, &d) != 0 ||
	    (run = contact_begin(&st, &o, &d)) == NULL) {
		cli_at(&cli, cli.db, 0, "%s", d.msg);
		status = EXIT_STATE;
	}
	for (size_t i = 0; i < nfiles; i++) {
		const char *name = cli_input_name(argc ? argv[i] : "-");
		int rc = status == EXIT_OK ? contact_file(run, files[i], name,
		    &total, &d) : 0;

		if (rc == CONTACT_ESTATE) {
			cli_at(&cli, cli.db, 0, "%s", d.msg);
			status = EXIT_STATE;
		} else if (rc == CONTACT_EDATA) {
			/* Not events at all: told, the other files go on;
			 * a file, not an event, so not counted as one. */
			cli_at(&cli, name, d.line, "%s", d.msg);
			skipped++;
		} else if (status == EXIT_OK && ferror(files[i])) {
			cli_warn(&cli, "%s: read error", name);
			status = EXIT_STATE;
		}
		cli_close_input(files[i]);
	}
	/* The rejects must be out before the commit: a full disk rolls the
	 * run back, so exit 3 keeps meaning "nothing changed". */
	if (status == EXIT_OK && o.rejects != NULL &&
	    (fflush(o.rejects) != 0 || ferror(o.rejects))) {
		cli_warn(&cli, "%s: %s", rejects_path,
		    strerror(errno ? errno : EIO));
		status = EXIT_STATE;
	}
	if (status == EXIT_OK && state_commit(&st, &d) != 0) {
		cli_at(&cli, cli.db, 0, "%s", d.msg);
		status = EXIT_STATE;
	}
	if (status != EXIT_OK)
		state_rollback(&st);
	contact_free(run);
	state_close(&st);
	if (status == EXIT_OK && verbose && skipped == 0)
		cli_warn(&cli, "%ld events: %ld new, %ld logged before, %ld "
		    "rejected", total.read, total.ingested, total.unchanged,
		    total.rejected);
	else if (status == EXIT_OK && verbose)
		cli_warn(&cli, "%ld events: %ld new, %ld logged before, %ld "
		    "rejected; %ld file%s skipped (not events)", total.read,
		    total.ingested, total.unchanged, total.rejected, skipped,
		    skipped == 1 ? "" : "s");
	if (status == EXIT_OK && (total.rejected > 0 || skipped > 0))
		status = EXIT_REJECTS;
out:
	free(files);
	if (o.rejects != NULL)
		fclose(o.rejects);
	contact_config_free(&ccfg);
	config_free(&cfg);
	return cli_finish(&cli, status);
}

/*
 * emit-letters: renders a chase plan into the outbox (letters, e-mails,
 * SMS, the call and task lists) with the client's templates, statutory
 * interest where the client claims it, and records each action in the
 * state with the files, in one transaction.  This file is options,
 * inputs and messages; lib/emit does the work.  See emit-letters(1).
 */

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "config.h"
#include "date.h"
#include "emit.h"
#include "interest.h"
#include "state.h"
#include "util.h"

static const char usage[] =
    "emit-letters [-v] [--dry-run] [--outbox dir] [--rejects file]\n"
    "[--client dir] [--db file] [--as-of date] [--config file] [plan ...]";

enum {
	OPT_OUTBOX = CLI_OPT_FIRST_TOOL,
	OPT_DRY_RUN,
	OPT_REJECTS
};

static const struct option longopts[] = {
	{ "outbox", required_argument, NULL, OPT_OUTBOX },
	{ "dry-run", no_argument, NULL, OPT_DRY_RUN },
	{ "rejects", required_argument, NULL, OPT_REJECTS },
	{ "verbose", no_argument, NULL, 'v' },
	CLI_SHARED_LONGOPTS,
	{ NULL, 0, NULL, 0 }
};

struct reporter {
	const struct cli *cli;
	long shown;
};

/* Each rejected row is told; past a hundred, only the count (the
 * rejects file has them all). */
static void
report(void *ctx, const char *file, long line, const char *msg)
{
	struct reporter *rp = ctx;

	if (rp->shown++ < 100)
		cli_at(rp->cli, file, line, "%s", msg);
	else if (rp->shown == 101)
		cli_warn(rp->cli, "more rejected rows not shown");
}

int
main(int argc, char *argv[])
{
	struct cli cli;
	struct client_config cfg;
	struct emit_branding brand;
	struct interest_rules rules;
	struct chase_config chase;
	struct emit_opts o;
	struct emit_counts total;
	struct emit_run *run = NULL;
	struct reporter rp;
	struct state st;
	struct sbuf errfile = { 0 };
	struct diag d;
	struct cli_replace rej;
	const char *outbox = NULL, *rejects_path = NULL;
	FILE **files, *out;
	size_t nfiles;
	int opt, verbose = 0, dry = 0, status = EXIT_OK, code, have_st = 0;

	cli_init(&cli, "emit-letters", usage);
	while ((opt = getopt_long(argc, argv, "hv", longopts, NULL)) != -1) {
		if (cli_shared_option(&cli, opt, optarg))
			continue;
		switch (opt) {
		case OPT_OUTBOX: outbox = optarg; break;
		case OPT_DRY_RUN: dry = 1; break;
		case OPT_REJECTS: rejects_path = optarg; break;
		case 'v': verbose = 1; break;
		default: cli_usage_error(&cli, "unknown option");
		}
	}
	cli_options_done(&cli);
	cli_check_other_client(&cli, "--outbox", outbox);
	cli_check_other_client(&cli, "--rejects", rejects_path);
	/* --outbox wins; then the client folder's, then ./outbox. */
	if (outbox == NULL)
		outbox = cli.client_outbox ? cli.client_outbox : "outbox";
	argc -= optind;
	argv += optind;
	if (*outbox == '\0')
		cli_usage_error(&cli, "--outbox: an empty folder name");

	config_defaults(&cfg);
	diag_clear(&d);
	if (cli.config != NULL && cli_config_load(&cli, &cfg, &d) != 0) {
		cli_at(&cli, cli.config, d.line, "%s", d.msg);
		return EXIT_USAGE;
	}
	interest_rules_init(&rules);
	memset(&chase, 0, sizeof chase);
	if (emit_branding_load(cfg.root, cli.config, &brand, &d) != 0 ||
	    interest_config(cfg_get(cfg.root, "interest"), &rules, &d) != 0 ||
	    chase_config_load(cfg.root, &chase, &d) != 0 ||
	    emit_check_steps(&rules, cfg_get(cfg.root, "interest"), &chase,
	    &d) != 0) {
		chase_config_free(&chase);
		cli_at(&cli, cli.config ? cli.config : "<config>", d.line,
		    "%s", d.msg);
		emit_branding_free(&brand);
		interest_rules_free(&rules);
		config_free(&cfg);
		return EXIT_USAGE;
	}
	/* A day after today is a typo or a wrong clock, and the letters it
	 * dated would be recorded as sent, their steps never planned again
	 * when the real days come (nu6 D23): previewed with --dry-run,
	 * never sent. */
	if (!dry && cli.as_of > cli_today()) {
		char ab[DATE_BUFSZ], tb[DATE_BUFSZ];

		chase_config_free(&chase);
		emit_branding_free(&brand);
		interest_rules_free(&rules);
		config_free(&cfg);
		cli_warn(&cli, "--as-of %s is after today (%s): nothing "
		    "is sent for a day still to come (--dry-run renders it)",
		    date_format(cli.as_of, ab), date_format(cli_today(), tb));
		return EXIT_USAGE;
	}
	cli_need_stdout(&cli);

	memset(&o, 0, sizeof o);
	memset(&total, 0, sizeof total);
	o.as_of = cli.as_of;
	o.brand = &brand;
	o.rules = &rules;
	o.client_currency = cfg.client.currency;
	o.chase = &chase;
	o.debtor_type = cfg.client.debtor_type;
	o.config_path = cli.config;
	o.check_paths = cli.config != NULL &&
	    !cfg_is_null(cfg_get(cfg.root, "paths"));
	o.outbox = outbox;
	o.dry_run = dry;
	rp.cli = &cli;
	rp.shown = 0;
	o.report = report;
	o.report_ctx = &rp;
	memset(&rej, 0, sizeof rej);

	/* Inputs first, so a missing file leaves no trace. */
	nfiles = argc ? (size_t)argc : 1;
	files = xcalloc(nfiles, sizeof *files);
	for (size_t i = 0; i < nfiles; i++)
		if ((files[i] = cli_open_input(&cli, argc ? argv[i] : "-")) ==
		    NULL) {
			for (size_t k = 0; k < i; k++)
				cli_close_input(files[k]);
			free(files);
			chase_config_free(&chase);
			emit_branding_free(&brand);
			interest_rules_free(&rules);
			config_free(&cfg);
			return cli_finish(&cli, EXIT_USAGE);
		}
	/* The rejects file replaces what was there only when the run
	 * stands, and never an input or the state (nor its -wal or -shm,
	 * nor either through a link). */
	if (rejects_path != NULL) {
		int clash = cli_same_file(rejects_path, files, nfiles, cli.db);

		if (clash == 0 && cli_is_state(rejects_path, cli.db))
			clash = 2;
		if (clash != 0) {
			cli_warn(&cli, "--rejects: %s is %s", rejects_path,
			    clash == 1 ? "one of the inputs" :
			    "the state file");
			for (size_t i = 0; i < nfiles; i++)
				cli_close_input(files[i]);
			free(files);
			chase_config_free(&chase);
			emit_branding_free(&brand);
			interest_rules_free(&rules);
			config_free(&cfg);
			return cli_finish(&cli, EXIT_USAGE);
		}
	}
	/* What was emitted is held here until every row is done. */
	if ((out = tmpfile()) == NULL)
		cli_die(&cli, EXIT_STATE, "tmpfile: %s", strerror(errno));
	o.out = out;

	/* The state must exist (STATE_READ opens it for writing too, never
	 * creating it): a mistyped --db must not make an empty state whose
	 * every row is then "not a debtor". */
	if (cli_state_open(&cli, &st, STATE_READ, &d) != 0 || (have_st = 1,
	    !dry && (state_begin(&st, &d) != 0 ||
	    state_batch_begin(&st, "letters", argc ? argv[0] : "<stdin>",
	    NULL, cli.as_of, 0, &d) != 0))) {
		cli_at(&cli, cli.db, 0, "%s", d.msg);
		status = EXIT_STATE;
	}
	/* The state is judged as of the day, so a day before its latest
	 * letters would not see them, and send them again (a backdated
	 * night: final notices twice, for invoices paid since; nu6 D23). */
	if (status == EXIT_OK && !dry) {
		int32_t last;

		if (emit_last_day(&st, &last, &d) != 0) {
			cli_at(&cli, cli.db, 0, "%s", d.msg);
			status = EXIT_STATE;
		} else if (last > cli.as_of) {
			char ab[DATE_BUFSZ], lb[DATE_BUFSZ];

			cli_warn(&cli, "%s: actions were sent on %s, after "
			    "--as-of %s: a run as of an earlier day would "
			    "send them again (--dry-run renders it)", cli.db,
			    date_format(last, lb), date_format(cli.as_of, ab));
			status = EXIT_USAGE;
		}
	}
	if (status == EXIT_OK) {
		o.st = &st;
		if ((run = emit_begin(&o, &errfile, &code, &d)) == NULL) {
			if (code == EMIT_EDATA)
				cli_at(&cli, sbuf_str(&errfile), d.line, "%s",
				    d.msg);
			else if (code == EMIT_EFILE)
				cli_warn(&cli, "%s", d.msg);
			else
				cli_at(&cli, cli.db, 0, "%s", d.msg);
			status = code == EMIT_EDATA ? EXIT_USAGE : EXIT_STATE;
		}
	}
	if (status == EXIT_OK && rejects_path != NULL) {
		if (cli_replace_open(&cli, &rej, rejects_path) != 0)
			status = EXIT_STATE;
		else
			o.rejects = rej.fp;
	}
	for (size_t i = 0; i < nfiles; i++) {
		const char *name = cli_input_name(argc ? argv[i] : "-");
		int rc = status == EXIT_OK ? emit_file(run, files[i], name,
		    &total, &d) : 0;

		if (rc == EMIT_ESTATE) {
			cli_at(&cli, cli.db, 0, "%s", d.msg);
			status = EXIT_STATE;
		} else if (rc == EMIT_EFILE) {
			cli_warn(&cli, "%s", d.msg);
			status = EXIT_STATE;
		} else if (rc == EMIT_EDATA) {
			cli_at(&cli, name, d.line, "%s", d.msg);
			total.rejected++;
		}
		cli_close_input(files[i]);
	}
	free(files);
	if (status == EXIT_OK && !dry) {
		struct batch_counts bc;

		memset(&bc, 0, sizeof bc);
		bc.read = total.read;
		bc.ingested = total.emitted;
		bc.unchanged = total.done_before;
		bc.rejected = total.rejected;
		if (state_batch_finish(&st, &bc, &d) != 0) {
			cli_at(&cli, cli.db, 0, "%s", d.msg);
			status = EXIT_STATE;
		}
	}
	/* What was emitted is told before the files are renamed into
	 * place and the commit, so a standard output that cannot take it
	 * (a full disk) rolls the run back: exit 3 means nothing recorded,
	 * and no action is recorded that the TSV did not tell. */
	if (status == EXIT_OK) {
		fputs("debtor_id\tstep\tchannel\tfile\tdoc_ids\tamount_due\t"
		    "interest\tcompensation\n", stdout);
		if (cli_copy_out(&cli, out) != 0)
			status = EXIT_STATE;
	}
	/* Files renamed into place, then the commit: a crash between the
	 * two leaves files with no action, which the next run writes again;
	 * never an action without its file. */
	if (status == EXIT_OK && emit_finish(run, &d) != 0) {
		cli_warn(&cli, "%s", d.msg);
		status = EXIT_STATE;
	}
	/* A fault seam for the tests, like git's GIT_TEST_*: die as a crash
	 * would between the renames and the commit. */
	if (status == EXIT_OK && !dry && getenv("CREDITKIT_TEST_CRASH") &&
	    strcmp(getenv("CREDITKIT_TEST_CRASH"), "before-commit") == 0)
		_exit(EXIT_STATE);
	if (status == EXIT_OK && !dry && state_commit(&st, &d) != 0) {
		cli_at(&cli, cli.db, 0, "%s", d.msg);
		status = EXIT_STATE;
	}
	if (status != EXIT_OK && have_st && !dry)
		state_rollback(&st);
	emit_free(run);
	if (have_st)
		state_close(&st);
	if (rej.fp != NULL) {
		if (status == EXIT_OK) {
			if (cli_replace_commit(&cli, &rej) != 0)
				status = EXIT_STATE;
		} else
			cli_replace_abort(&rej);
	}
	if (status == EXIT_OK) {
		if (verbose) {
			char np[96] = "";
			size_t l;

			/* Told only when a --suppressed plan had some. */
			if (total.not_planned > 0)
				snprintf(np, sizeof np, ", %ld not planned",
				    total.not_planned);
			l = strlen(np);
			if (total.restated > 0)
				snprintf(np + l, sizeof np - l, ", %ld with the "
				    "state's amount due", total.restated);
			cli_warn(&cli, "%ld row%s: %ld emitted, %ld emitted "
			    "before, %ld rejected%s%s", total.read,
			    total.read == 1 ? "" : "s", total.emitted,
			    total.done_before, total.rejected, np,
			    dry ? " (dry run: nothing written)" : "");
		}
		if (total.rejected > 0 && status == EXIT_OK)
			status = EXIT_REJECTS;
	}
	fclose(out);
	chase_config_free(&chase);
	sbuf_free(&errfile);
	emit_branding_free(&brand);
	interest_rules_free(&rules);
	config_free(&cfg);
	return cli_finish(&cli, status);
}

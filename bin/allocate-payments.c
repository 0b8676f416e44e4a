/*
 * allocate-payments: applies the bank receipts in the client's state to
 * the debtors' open items (DOMAIN.md section 6) and prints what it did as
 * an allocation stream.  This file is options, inputs and messages;
 * lib/allocate does the work.  See allocate-payments(1).
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "allocate.h"
#include "cli.h"
#include "config.h"
#include "state.h"
#include "tsv.h"
#include "util.h"

static const char usage[] =
    "allocate-payments [-qv] [--dry-run] [--unmatched file] [--rejects file]\n"
    "[--client dir] [--db file] [--as-of date] [--config file] [file ...]";

enum {
	OPT_DRY_RUN = CLI_OPT_FIRST_TOOL,
	OPT_UNMATCHED,
	OPT_REJECTS
};

static const struct option longopts[] = {
	CLI_SHARED_LONGOPTS,
	{ "dry-run", no_argument, NULL, OPT_DRY_RUN },
	{ "unmatched", required_argument, NULL, OPT_UNMATCHED },
	{ "rejects", required_argument, NULL, OPT_REJECTS },
	{ "quiet", no_argument, NULL, 'q' },
	{ "verbose", no_argument, NULL, 'v' },
	{ NULL, 0, NULL, 0 }
};

/*
 * select_stream: the payments a stream's payment_id column names.  Bad
 * rows are told, counted and written to rejects; a stream without the
 * column is told and counted as one.  Returns the rejects, or -1 with d
 * set on a state error.
 */
static long
select_stream(struct cli *c, struct alloc_run *run, FILE *fp,
    const char *name, FILE *rejects, int *rejects_header, long *skipped,
    struct diag *d)
{
	struct tsv_reader *t;
	long bad = 0;
	int col, rc;

	diag_clear(d);
	if ((t = tsv_open(fp, name, d)) == NULL) {
		cli_at(c, name, d->line, "%s", d->msg);
		return 1;
	}
	if ((col = tsv_col(t, "payment_id")) < 0) {
		cli_at(c, name, 1, "no \"payment_id\" column (give the stream "
		    "ingest-payments writes)");
		tsv_close(t);
		return 1;
	}
	while ((rc = tsv_next(t, d)) != 0) {
		int sel = rc < 0 ? ALLOC_SEL_BAD : alloc_select(run,
		    tsv_field(t, (size_t)col), d);

		if (sel < 0) {
			tsv_close(t);
			return -1;
		}
		if (sel == ALLOC_SEL_SKIP)
			(*skipped)++;
		if (sel != ALLOC_SEL_BAD)
			continue;
		cli_at(c, name, rc < 0 ? d->line : tsv_line(t), "%s", d->msg);
		bad++;
		if (rejects != NULL && rc > 0) {
			if (!*rejects_header) {
				fprintf(rejects, "%s\n", tsv_raw_header(t));
				*rejects_header = 1;
			}
			fprintf(rejects, "%s\n", tsv_raw(t));
		}
		diag_clear(d);
	}
	tsv_close(t);
	return bad;
}

static FILE *
open_out(struct cli *c, const char *path)
{
	FILE *fp;

	if (path == NULL)
		return NULL;
	/* A file that cannot be made (a missing folder, no permission) is
	 * a system error, as for every tool's output files. */
	if ((fp = fopen(path, "w")) == NULL)
		cli_die(c, EXIT_STATE, "%s: %s", path, strerror(errno));
	return fp;
}

/* same_output: whether two output paths are one file (the same name, or
 * one existing regular file by two names). */
static int
same_output(const char *a, const char *b)
{
	struct stat sa, sb;

	if (strcmp(a, b) == 0)
		return 1;
	return stat(a, &sa) == 0 && stat(b, &sb) == 0 &&
	    S_ISREG(sa.st_mode) && sa.st_dev == sb.st_dev &&
	    sa.st_ino == sb.st_ino;
}

/* flushed: whether fp (may be NULL) got all it was given. */
static int
flushed(struct cli *c, FILE *fp, const char *path)
{
	if (fp == NULL || (fflush(fp) == 0 && !ferror(fp)))
		return 1;
	cli_warn(c, "%s: %s", path, strerror(errno ? errno : EIO));
	return 0;
}

int
main(int argc, char **argv)
{
	struct cli cli;
	struct client_config cfg;
	struct alloc_opts o;
	struct alloc_counts n;
	struct batch_counts bc;
	struct state st;
	struct alloc_run *run = NULL;
	struct diag d;
	const char *unmatched_path = NULL, *rejects_path = NULL;
	FILE **files = NULL, *rejects;
	struct cli_progress pg;
	int quiet = 0, verbose = 0, dry = 0, ch, status = EXIT_OK;
	int rejects_header = 0;
	long bad = 0;
	char detail[256];

	cli_init(&cli, "allocate-payments", usage);
	cli_keep_going_on_epipe();
	memset(&o, 0, sizeof o);
	memset(&n, 0, sizeof n);
	while ((ch = getopt_long(argc, argv, "hqv", longopts, NULL)) != -1) {
		if (cli_shared_option(&cli, ch, optarg))
			continue;
		switch (ch) {
		case OPT_DRY_RUN: dry = 1; break;
		case OPT_UNMATCHED: unmatched_path = optarg; break;
		case OPT_REJECTS: rejects_path = optarg; break;
		case 'q': quiet = 1; break;
		case 'v': verbose = 1; break;
		default:
			cli_usage_error(&cli, "unknown option");
		}
	}
	cli_options_done(&cli);
	if (!dry)
		cli_no_future(&cli);
	cli_check_other_client(&cli, "--unmatched", unmatched_path);
	cli_check_other_client(&cli, "--rejects", rejects_path);
	argc -= optind;
	argv += optind;
	o.as_of = cli.as_of;

	config_defaults(&cfg);
	diag_clear(&d);
	if (cli.config != NULL && (cli_config_load(&cli, &cfg, &d) != 0 ||
	    alloc_config_read(cfg.root, &o.cfg, &d) != 0)) {
		cli_at(&cli, cli.config, d.line, "%s", d.msg);
		config_free(&cfg);
		return EXIT_USAGE;
	}
	if (cli.config == NULL)
		alloc_config_defaults(&o.cfg);
	config_free(&cfg);

	/* Everything is opened before the state, so a missing file leaves
	 * no trace.  The stream is held back until the run stands. */
	files = xcalloc(argc ? (size_t)argc : 1, sizeof *files);
	for (int i = 0; i < argc; i++)
		if ((files[i] = cli_open_input(&cli, argv[i])) == NULL) {
			while (i-- > 0)
				cli_close_input(files[i]);
			free(files);
			return cli_finish(&cli, EXIT_USAGE);
		}
	/* The stream is the record of what was done: with nowhere to go it
	 * is refused before anything changes. */
	if (!quiet)
		cli_need_stdout(&cli);
	if (!quiet && (o.out = tmpfile()) == NULL)
		cli_die(&cli, EXIT_STATE, "a temporary file for the stream: %s",
		    strerror(errno));
	/* Outputs never replace the state, the config or an input, however
	 * named, nor each other. */
	if (unmatched_path != NULL)
		cli_check_output(&cli, "--unmatched", unmatched_path,
		    (const char *const *)argv, (size_t)argc);
	if (rejects_path != NULL)
		cli_check_output(&cli, "--rejects", rejects_path,
		    (const char *const *)argv, (size_t)argc);
	if (unmatched_path != NULL && rejects_path != NULL &&
	    same_output(unmatched_path, rejects_path))
		cli_usage_error(&cli, "--rejects and --unmatched name the same "
		    "file");
	o.unmatched = open_out(&cli, unmatched_path);
	rejects = open_out(&cli, rejects_path);

	diag_clear(&d);
	if (cli_state_open(&cli, &st, STATE_READ, &d) != 0 ||
	    state_begin(&st, &d) != 0 ||
	    state_batch_begin(&st, "allocation", argc ? argv[0] : "state",
	    NULL, o.as_of, 0, &d) != 0 ||
	    (run = alloc_begin(&st, &o, &d)) == NULL) {
		cli_at(&cli, cli.db, 0, "%s", d.msg);
		status = EXIT_STATE;
		goto done;
	}
	if (argc == 0 && alloc_select_all(run, &d) != 0)
		status = EXIT_STATE;
	for (int i = 0; i < argc && status == EXIT_OK; i++) {
		long b = select_stream(&cli, run, files[i],
		    cli_input_name(argv[i]), rejects, &rejects_header,
		    &n.skipped, &d);

		if (b < 0)
			status = EXIT_STATE;
		else
			bad += b;
	}
	cli_progress_start(&cli, &pg, quiet);
	o.progress = cli_progress;
	o.progress_ctx = &pg;
	if (status == EXIT_OK && alloc_go(run, &n, &d) != 0)
		status = EXIT_STATE;
	cli_progress_end(&pg);
	if (status != EXIT_OK) {
		cli_at(&cli, cli.db, 0, "%s", d.msg);
		goto done;
	}
	memset(&bc, 0, sizeof bc);
	bc.read = n.payments;
	bc.ingested = n.allocated + n.on_account;
	bc.updated = n.reversals;
	bc.unchanged = n.unmatched;
	bc.rejected = bad;
	snprintf(detail, sizeof detail, "%ld allocated, %ld on account, "
	    "%ld reversals undone, %ld unmatched", n.allocated,
	    n.on_account, n.reversals, n.unmatched);
	if (state_batch_finish(&st, &bc, &d) != 0 ||
	    state_audit(&st, "allocate", "batch", st.batch_id, detail,
	    &d) != 0) {
		cli_at(&cli, cli.db, 0, "%s", d.msg);
		status = EXIT_STATE;
		goto done;
	}
	/* What the run writes must be out before it commits: a full disk
	 * rolls it back, so exit 3 keeps meaning "nothing changed". */
	if (!flushed(&cli, o.unmatched, unmatched_path) ||
	    !flushed(&cli, rejects, rejects_path) ||
	    (o.out != NULL && cli_copy_out(&cli, o.out) != 0)) {
		status = EXIT_STATE;
		goto done;
	}
	if (!dry && state_commit(&st, &d) != 0) {
		cli_at(&cli, cli.db, 0, "%s", d.msg);
		status = EXIT_STATE;
		goto done;
	}
	if (!quiet && n.unmatched > 0 && n.held == 0)
		cli_warn(&cli, "%ld payment%s left for a person (rule "
		    "unmatched%s%s)", n.unmatched, n.unmatched == 1 ? "" : "s",
		    unmatched_path ? "; listed in " : "",
		    unmatched_path ? unmatched_path : "");
	else if (!quiet && n.unmatched > 0)
		cli_warn(&cli, "%ld payments left for a person (%ld rule "
		    "unmatched, %ld on account: documents named paid "
		    "already%s%s)", n.unmatched + n.held, n.unmatched, n.held,
		    unmatched_path ? "; listed in " : "",
		    unmatched_path ? unmatched_path : "");
	else if (!quiet && n.held > 0)
		cli_warn(&cli, "%ld payment%s left for a person (on account: "
		    "documents named paid already%s%s)", n.held,
		    n.held == 1 ? "" : "s", unmatched_path ? "; listed in " :
		    "", unmatched_path ? unmatched_path : "");
	if (verbose)
		cli_warn(&cli, "%s%s", dry ? "dry run, nothing changed: " : "",
		    detail);
	if (bad > 0) {
		cli_warn(&cli, "%ld row%s rejected", bad, bad == 1 ? "" : "s");
		status = EXIT_REJECTS;
	}
done:
	if (status != EXIT_OK && status != EXIT_REJECTS)
		state_rollback(&st);
	if (dry)
		state_rollback(&st);
	alloc_free(run);
	state_close(&st);
	for (int i = 0; i < argc; i++)
		cli_close_input(files[i]);
	free(files);
	if (o.out != NULL)
		fclose(o.out);
	if (o.unmatched != NULL)
		fclose(o.unmatched);
	if (rejects != NULL)
		fclose(rejects);
	return cli_finish(&cli, status);
}

/*
 * ingest-payments: bank statements and notifications (ISO 20022 camt.053,
 * camt.054, camt.052; SWIFT MT940 and MT942; a bank's CSV export) into the
 * client's state as payments, and out again as a TSV of the entries
 * recorded.  See ingest-payments(1).
 */
#define _XOPEN_SOURCE 700	/* realpath */

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bankcsv.h"
#include "cli.h"
#include "config.h"
#include "payments.h"
#include "state.h"
#include "util.h"

static const char usage[] =
    "ingest-payments [-q] [--all] [--strict] [--rejects file]\n"
    "[--format camt|mt940|csv|auto] [--encoding name] [--date-format order]\n"
    "[--decimal point|comma] [--account account] [--currency code]\n"
    "[--client dir] [--db file] [--as-of date] [--config file] [file ...]";

enum {
	OPT_ALL = CLI_OPT_FIRST_TOOL,
	OPT_STRICT,
	OPT_REJECTS,
	OPT_FORMAT,
	OPT_ENCODING,
	OPT_DATE_FORMAT,
	OPT_DECIMAL,
	OPT_ACCOUNT,
	OPT_CURRENCY
};

static const struct option longopts[] = {
	CLI_SHARED_LONGOPTS,
	{ "all", no_argument, NULL, OPT_ALL },
	{ "strict", no_argument, NULL, OPT_STRICT },
	{ "rejects", required_argument, NULL, OPT_REJECTS },
	{ "format", required_argument, NULL, OPT_FORMAT },
	{ "encoding", required_argument, NULL, OPT_ENCODING },
	{ "date-format", required_argument, NULL, OPT_DATE_FORMAT },
	{ "decimal", required_argument, NULL, OPT_DECIMAL },
	{ "account", required_argument, NULL, OPT_ACCOUNT },
	{ "currency", required_argument, NULL, OPT_CURRENCY },
	{ "quiet", no_argument, NULL, 'q' },
	{ NULL, 0, NULL, 0 }
};

/* Each rejected entry and warning is told, up to two hundred (a real
 * bank file may warn on every entry). */
static void
report(void *ctx, const char *file, long line, int error, const char *msg)
{
	(void)error;
	cli_report(ctx, file, line, msg);
}

static void
options(struct cli *cli, struct pay_opts *o, const char *enc,
    const char *date, const char *dec, const char *acct, const char *ccy,
    const char *fmt)
{
	if (fmt && pay_format_from_name(fmt, &o->format) != 0)
		cli_usage_error(cli, "--format: \"%s\" is not camt, mt940, csv "
		    "or auto", fmt);
	if (enc) {
		if (!cli_known_encoding(enc))
			cli_usage_error(cli, "--encoding: \"%s\" is not an "
			    "encoding iconv knows (try WINDOWS-1252 or "
			    "ISO-8859-1; iconv -l lists them)", enc);
		o->encoding = enc;
	}
	if (date && date_order_from_name(date, &o->csv.date_order) != 0)
		cli_usage_error(cli, "--date-format: \"%s\" is not one of auto, "
		    "iso, dmy, mdy, ymd", date);
	if (dec) {
		if (util_strcaseeq(dec, "point"))
			o->csv.decimal = MONEY_POINT;
		else if (util_strcaseeq(dec, "comma"))
			o->csv.decimal = MONEY_COMMA;
		else
			cli_usage_error(cli, "--decimal: \"%s\" is not point or "
			    "comma", dec);
	}
	if (acct)
		o->csv.account = acct;
	if (ccy) {
		if (!money_is_iso4217(ccy))
			cli_usage_error(cli, "--currency: \"%s\" is not an ISO "
			    "4217 code such as EUR", ccy);
		memcpy(o->csv.currency, ccy, 4);
	}
}

int
main(int argc, char **argv)
{
	struct cli cli;
	struct client_config cfg;
	struct pay_opts o;
	struct cli_reporter rp = { 0 };
	struct cli_replace rj = { NULL, NULL, NULL };
	struct state st;
	struct pay_run *run = NULL;
	struct pay_counts total;
	struct diag d;
	const char *rejects_path = NULL, *opt_enc = NULL, *opt_date = NULL;
	const char *opt_dec = NULL, *opt_acct = NULL, *opt_ccy = NULL;
	const char *opt_fmt = NULL, *cfg_enc = NULL;
	FILE **files;
	size_t nfiles;
	struct cli_progress pg;
	int quiet = 0, ch, rc, status = EXIT_OK;

	cli_init(&cli, "ingest-payments", usage);
	cli_keep_going_on_epipe();
	memset(&o, 0, sizeof o);
	memset(&total, 0, sizeof total);
	while ((ch = getopt_long(argc, argv, "hq", longopts, NULL)) != -1) {
		if (cli_shared_option(&cli, ch, optarg))
			continue;
		switch (ch) {
		case OPT_ALL: o.all = 1; break;
		case OPT_STRICT: o.strict = 1; break;
		case OPT_REJECTS: rejects_path = optarg; break;
		case OPT_FORMAT: opt_fmt = optarg; break;
		case OPT_ENCODING: opt_enc = optarg; break;
		case OPT_DATE_FORMAT: opt_date = optarg; break;
		case OPT_DECIMAL: opt_dec = optarg; break;
		case OPT_ACCOUNT: opt_acct = optarg; break;
		case OPT_CURRENCY: opt_ccy = optarg; break;
		case 'q': quiet = 1; break;
		default:
			cli_usage_error(&cli, "unknown option");
		}
	}
	cli_options_done(&cli);
	cli_no_future(&cli);
	cli_check_other_client(&cli, "--rejects", rejects_path);
	argc -= optind;
	argv += optind;

	/* The config gives the defaults (the client's currency, the bank
	 * section's mapping); options override them. */
	config_defaults(&cfg);
	diag_clear(&d);
	o.as_of = cli.as_of;
	o.csv.date_order = DATE_AUTO;
	o.csv.decimal = -1;
	if (cli.config != NULL && (cli_config_load(&cli, &cfg, &d) != 0 ||
	    bankcsv_config(cfg.root, &o.csv, &cfg_enc, &d) != 0)) {
		cli_at(&cli, cli.config, d.line, "%s", d.msg);
		bankcsv_config_free(&o.csv);
		config_free(&cfg);
		return EXIT_USAGE;
	}
	if (!o.csv.currency[0])
		memcpy(o.csv.currency, cfg.client.currency, 4);
	if (cfg_enc != NULL && opt_enc == NULL && !cli_known_encoding(cfg_enc)) {
		cli_at(&cli, cli.config, 0, "bank.encoding: \"%s\" is not an "
		    "encoding iconv knows", cfg_enc);
		bankcsv_config_free(&o.csv);
		config_free(&cfg);
		return EXIT_USAGE;
	}
	o.encoding = cfg_enc;
	options(&cli, &o, opt_enc, opt_date, opt_dec, opt_acct, opt_ccy,
	    opt_fmt);
	/* The TSV is held back until the run is known to stand, so a run
	 * that is rolled back prints nothing; a stream that is wanted and
	 * has nowhere to go stops the run before it changes anything. */
	if (!quiet)
		cli_need_stdout(&cli);
	if (!quiet && (o.out = tmpfile()) == NULL)
		cli_die(&cli, EXIT_STATE, "a temporary file for the output: %s",
		    strerror(errno));
	rp.cli = &cli;
	rp.limit = 200;
	o.report = report;
	o.report_ctx = &rp;

	/* Every input is opened before the state, so a missing file leaves
	 * no trace; no operands means standard input. */
	nfiles = argc ? (size_t)argc : 1;
	files = xcalloc(nfiles, sizeof *files);
	for (size_t i = 0; i < nfiles; i++) {
		files[i] = cli_open_input(&cli, argc ? argv[i] : "-");
		if (files[i] == NULL) {
			for (size_t k = 0; k < i; k++)
				cli_close_input(files[k]);
			free(files);
			bankcsv_config_free(&o.csv);
			config_free(&cfg);
			if (o.out != NULL)
				fclose(o.out);
			return EXIT_USAGE;
		}
	}

	/* The rejects file replaces what was there only when the run
	 * stands (written beside it, renamed at the end), and never an
	 * input or the state; one that cannot be made is a system error,
	 * as in ingest-invoices. */
	if (rejects_path != NULL) {
		/* Never the state, the config or an input, however
		 * named (a link, a hard link). */
		cli_check_output(&cli, "--rejects", rejects_path,
		    (const char *const *)argv, (size_t)argc);
		if (cli_replace_open(&cli, &rj, rejects_path) != 0) {
			for (size_t i = 0; i < nfiles; i++)
				cli_close_input(files[i]);
			free(files);
			bankcsv_config_free(&o.csv);
			config_free(&cfg);
			if (o.out != NULL)
				fclose(o.out);
			return EXIT_STATE;
		}
		o.rejects = rj.fp;
	}

	if (cli_state_open(&cli, &st, STATE_WRITE, &d) != 0 ||
	    state_begin(&st, &d) != 0 ||
	    (run = pay_begin(&st, &o, &d)) == NULL) {
		cli_at(&cli, cli.db, 0, "%s", d.msg);
		state_rollback(&st);
		state_close(&st);
		for (size_t i = 0; i < nfiles; i++)
			cli_close_input(files[i]);
		free(files);
		cli_replace_abort(&rj);
		bankcsv_config_free(&o.csv);
		config_free(&cfg);
		if (o.out != NULL)
			fclose(o.out);
		return EXIT_STATE;
	}
	cli_progress_start(&cli, &pg, quiet);
	o.progress = cli_progress;
	o.progress_ctx = &pg;
	for (size_t i = 0; i < nfiles && status == EXIT_OK; i++) {
		const char *name = cli_input_name(argc ? argv[i] : "-");
		char *path;

		/* Messages name the file as given; the batch records where
		 * it is. */
		path = argc > 0 && strcmp(argv[i], "-") != 0 ?
		    realpath(argv[i], NULL) : NULL;
		rc = pay_file(run, files[i], name, path ? path : name, &total,
		    &d);
		free(path);
		if (rc == PAY_EDATA) {
			/* This file is refused; the others go on. */
			cli_at(&cli, name, d.line, "%s", d.msg);
		} else if (rc == PAY_ESTRICT) {
			cli_at(&cli, name, d.line, "%s", d.msg);
			status = EXIT_REJECTS;
		} else if (rc == PAY_ECONFIG) {
			/* The config does not fit the export: a usage error,
			 * and nothing of the run is kept. */
			cli_at(&cli, cli.config, d.line, "%s: %s", name, d.msg);
			status = EXIT_USAGE;
		} else if (rc != 0) {
			cli_at(&cli, cli.db, 0, "%s: %s", name, d.msg);
			status = EXIT_STATE;
		}
	}
	cli_progress_end(&pg);
	for (size_t i = 0; i < nfiles; i++)
		cli_close_input(files[i]);
	free(files);
	pay_free(run);
	/* What the run writes must be out before it commits: a full disk
	 * rolls it back, so exit 3 keeps meaning "nothing changed". */
	if (status == EXIT_OK && o.rejects != NULL &&
	    (fflush(o.rejects) != 0 || ferror(o.rejects))) {
		cli_warn(&cli, "%s: %s", rejects_path,
		    strerror(errno ? errno : EIO));
		status = EXIT_STATE;
	}
	if (status == EXIT_OK && o.out != NULL &&
	    cli_copy_out(&cli, o.out) != 0)
		status = EXIT_STATE;
	if (o.rejects != NULL) {
		o.rejects = NULL;
		if (status != EXIT_OK)
			cli_replace_abort(&rj);
		else if (cli_replace_commit(&cli, &rj) != 0)
			status = EXIT_STATE;
	}
	if (status == EXIT_OK && state_commit(&st, &d) != 0) {
		cli_at(&cli, cli.db, 0, "%s", d.msg);
		status = EXIT_STATE;
	}
	if (status != EXIT_OK)
		state_rollback(&st);
	state_close(&st);
	bankcsv_config_free(&o.csv);
	config_free(&cfg);
	if (o.out != NULL)
		fclose(o.out);
	/* Rejected entries, refused files, statements that do not add
	 * up and known entries come otherwise are all exit 1: something in the input needs a look. */
	if (status == EXIT_OK && (total.rejected > 0 || total.refused > 0 ||
	    total.unbalanced > 0 || total.unchecked > 0 ||
	    total.changed > 0))
		status = EXIT_REJECTS;
	return cli_finish(&cli, status);
}

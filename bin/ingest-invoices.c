/*
 * ingest-invoices: a client's open-items export (CSV in the dialect of its
 * accounting system) into the client's state, and out again as an item
 * stream for the next tool of a pipeline.  See ingest-invoices(1).
 */
#define _XOPEN_SOURCE 700	/* realpath */

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "config.h"
#include "ingest.h"
#include "itemmap.h"
#include "state.h"
#include "util.h"

static const char usage[] =
    "ingest-invoices [--snapshot [--allow-empty] [--force]] [--strict]\n"
    "[--rejects file] [-qv] [--date-format order] [--decimal point|comma]\n"
    "[--delimiter c] [--encoding name] [--currency code] [--debtor-type type]\n"
    "[--terms terms] [--client dir] [--db file] [--as-of date] "
    "[--config file]\n"
    "[file ...]";

enum {
	OPT_SNAPSHOT = CLI_OPT_FIRST_TOOL,
	OPT_ALLOW_EMPTY,
	OPT_FORCE,
	OPT_STRICT,
	OPT_REJECTS,
	OPT_DATE_FORMAT,
	OPT_DECIMAL,
	OPT_DELIMITER,
	OPT_ENCODING,
	OPT_CURRENCY,
	OPT_DEBTOR_TYPE,
	OPT_TERMS
};

static const struct option longopts[] = {
	CLI_SHARED_LONGOPTS,
	{ "snapshot", no_argument, NULL, OPT_SNAPSHOT },
	{ "allow-empty", no_argument, NULL, OPT_ALLOW_EMPTY },
	{ "force", no_argument, NULL, OPT_FORCE },
	{ "strict", no_argument, NULL, OPT_STRICT },
	{ "rejects", required_argument, NULL, OPT_REJECTS },
	{ "date-format", required_argument, NULL, OPT_DATE_FORMAT },
	{ "decimal", required_argument, NULL, OPT_DECIMAL },
	{ "delimiter", required_argument, NULL, OPT_DELIMITER },
	{ "encoding", required_argument, NULL, OPT_ENCODING },
	{ "currency", required_argument, NULL, OPT_CURRENCY },
	{ "debtor-type", required_argument, NULL, OPT_DEBTOR_TYPE },
	{ "terms", required_argument, NULL, OPT_TERMS },
	{ "quiet", no_argument, NULL, 'q' },
	{ "verbose", no_argument, NULL, 'v' },
	{ NULL, 0, NULL, 0 }
};

static int
parse_delimiter(const char *s)
{
	if (strcmp(s, "tab") == 0 || strcmp(s, "\\t") == 0)
		return '\t';
	if (strcmp(s, "auto") == 0)
		return 0;
	if (strlen(s) == 1 && strchr(",;|\t", s[0]) != NULL)
		return (unsigned char)s[0];
	return -1;
}

int
main(int argc, char **argv)
{
	struct cli cli;
	struct client_config cfg;
	struct ingest_opts o;
	struct cli_reporter rp = { 0 };
	struct cli_progress pg;
	struct state st;
	struct ingest_run *run;
	struct batch_counts total = { 0 };
	struct cli_replace rj = { NULL, NULL, NULL };
	struct diag d;
	const char *rejects_path = NULL;
	const char *opt_date = NULL, *opt_decimal = NULL, *opt_delim = NULL;
	const char *opt_enc = NULL, *opt_ccy = NULL, *opt_type = NULL;
	const char *opt_terms = NULL;
	FILE **files;
	size_t nfiles;
	int quiet = 0, verbose = 0, ch, rc, status = EXIT_OK, refused = 0;
	int32_t latest = INT32_MIN;

	cli_init(&cli, "ingest-invoices", usage);
	cli_keep_going_on_epipe();
	memset(&o, 0, sizeof o);
	while ((ch = getopt_long(argc, argv, "hqv", longopts, NULL)) != -1) {
		if (cli_shared_option(&cli, ch, optarg))
			continue;
		switch (ch) {
		case OPT_SNAPSHOT: o.snapshot = 1; break;
		case OPT_ALLOW_EMPTY: o.allow_empty = 1; break;
		case OPT_FORCE: o.force = 1; break;
		case OPT_STRICT: o.strict = 1; break;
		case OPT_REJECTS: rejects_path = optarg; break;
		case OPT_DATE_FORMAT: opt_date = optarg; break;
		case OPT_DECIMAL: opt_decimal = optarg; break;
		case OPT_DELIMITER: opt_delim = optarg; break;
		case OPT_ENCODING: opt_enc = optarg; break;
		case OPT_CURRENCY: opt_ccy = optarg; break;
		case OPT_DEBTOR_TYPE: opt_type = optarg; break;
		case OPT_TERMS: opt_terms = optarg; break;
		case 'q': quiet = 1; break;
		case 'v': verbose = 1; break;
		default:
			cli_usage_error(&cli, "unknown option");
		}
	}
	cli_options_done(&cli);
	cli_no_future(&cli);
	cli_check_other_client(&cli, "--rejects", rejects_path);
	argc -= optind;
	argv += optind;

	/* The config gives the defaults; options override them. */
	config_defaults(&cfg);
	diag_clear(&d);
	if (cli.config != NULL && cli_config_load(&cli, &cfg, &d) != 0) {
		cli_at(&cli, cli.config, d.line, "%s", d.msg);
		return EXIT_USAGE;
	}
	o.as_of = cli.as_of;
	o.date_order = cfg.input.date_order;
	o.decimal = cfg.input.decimal;
	o.delimiter = cfg.input.delimiter;
	o.encoding = cfg.input.encoding;
	snprintf(o.currency, sizeof o.currency, "%s", cfg.client.currency);
	o.currency_given = !cfg_is_null(cfg_get(cfg_get(cfg.root, "client"),
	    "currency"));
	o.debtor_type = cfg.client.debtor_type;
	o.default_terms = cfg.input.default_terms;
	o.snapshot_max_close = cfg.input.snapshot_max_close;
	o.map_field = (const char *const *)cfg.input.column_field;
	o.map_header = (const char *const *)cfg.input.column_header;
	o.map_line = cfg.input.column_line;
	o.nmap = cfg.input.ncolumns;
	o.type_code = (const char *const *)cfg.input.type_code;
	o.type_name = (const char *const *)cfg.input.type_name;
	o.ntypes = cfg.input.ntypes;
	if (o.default_terms != NULL) {
		int32_t due;

		if (ingest_terms_due(o.default_terms, 0, &due) != 0) {
			cli_at(&cli, cli.config, cfg.input.default_terms_line,
			    "input.default_terms: \"%s\" is not payment terms "
			    "such as \"net 30\" or \"eom 30\"",
			    o.default_terms);
			config_free(&cfg);
			return EXIT_USAGE;
		}
	}
	if (opt_date && date_order_from_name(opt_date, &o.date_order) != 0)
		cli_usage_error(&cli, "--date-format: \"%s\" is not one of "
		    "auto, iso, dmy, mdy, ymd, excel", opt_date);
	if (opt_decimal) {
		if (util_strcaseeq(opt_decimal, "point"))
			o.decimal = MONEY_POINT;
		else if (util_strcaseeq(opt_decimal, "comma"))
			o.decimal = MONEY_COMMA;
		else
			cli_usage_error(&cli, "--decimal: \"%s\" is not point "
			    "or comma", opt_decimal);
	}
	if (opt_delim && (o.delimiter = parse_delimiter(opt_delim)) < 0)
		cli_usage_error(&cli, "--delimiter: \"%s\" is not one of , ; "
		    "| tab auto", opt_delim);
	if (opt_enc) {
		if (!cli_known_encoding(opt_enc))
			cli_usage_error(&cli, "--encoding: \"%s\" is not an "
			    "encoding iconv knows (try WINDOWS-1252 or "
			    "ISO-8859-1; iconv -l lists them)", opt_enc);
		o.encoding = opt_enc;
	} else if (o.encoding != NULL && !cli_known_encoding(o.encoding)) {
		cli_at(&cli, cli.config, 0, "input.encoding: \"%s\" is not an "
		    "encoding iconv knows", o.encoding);
		config_free(&cfg);
		return EXIT_USAGE;
	}
	if (opt_ccy) {
		if (!money_is_currency(opt_ccy))
			cli_usage_error(&cli, "--currency: \"%s\" is not an ISO "
			    "4217 code such as GBP", opt_ccy);
		snprintf(o.currency, sizeof o.currency, "%s", opt_ccy);
		o.currency_given = 1;
	}
	if (opt_type) {
		if (strcmp(opt_type, "business") != 0 &&
		    strcmp(opt_type, "sole_trader") != 0 &&
		    strcmp(opt_type, "consumer") != 0)
			cli_usage_error(&cli, "--debtor-type: \"%s\" is not "
			    "business, sole_trader or consumer", opt_type);
		o.debtor_type = opt_type;
	}
	if (opt_terms) {
		int32_t due;

		if (ingest_terms_due(opt_terms, 0, &due) != 0)
			cli_usage_error(&cli, "--terms: \"%s\" is not payment "
			    "terms such as \"net 30\" or \"eom 30\"",
			    opt_terms);
		o.default_terms = opt_terms;
	}
	if (o.allow_empty && !o.snapshot)
		cli_usage_error(&cli, "--allow-empty goes with --snapshot");
	if (o.force && !o.snapshot)
		cli_usage_error(&cli, "--force goes with --snapshot");
	/* The item stream is held back until the run is known to stand, so
	 * a run that is rolled back prints nothing. */
	o.out = NULL;
	if (!quiet)
		cli_need_stdout(&cli);
	if (!quiet && (o.out = tmpfile()) == NULL)
		cli_die(&cli, EXIT_STATE, "a temporary file for the item "
		    "stream: %s", strerror(errno));
	/* A row is about a hundred bytes: stdio's default buffer would be
	 * a write(2) every forty rows. */
	if (o.out != NULL)
		setvbuf(o.out, NULL, _IOFBF, 1 << 16);
	rp.cli = &cli;
	o.report = cli_report;
	o.report_ctx = &rp;
	cli_progress_start(&cli, &pg, quiet);
	o.progress = cli_progress;
	o.progress_ctx = &pg;
	/* The config's column names and types are checked before any data
	 * is read. */
	for (size_t i = 0; i < o.ntypes; i++)
		if (!ingest_doc_type_known(o.type_name[i])) {
			cli_at(&cli, cli.config, cfg.input.type_line[i],
			    "input.types.%s: \"%s\" is not one of invoice, "
			    "credit_note, debit_note, payment, by_sign, refund",
			    o.type_code[i], o.type_name[i]);
			config_free(&cfg);
			return EXIT_USAGE;
		}
	for (size_t i = 0; i < o.nmap; i++)
		if (itemmap_field_from_name(o.map_field[i]) < 0) {
			cli_at(&cli, cli.config, o.map_line[i], "input.columns: "
			    "unknown field \"%s\" (known: debtor_id, "
			    "debtor_name, doc_id, issue_date, due_date, amount, "
			    "...: see ingest-invoices(1))", o.map_field[i]);
			config_free(&cfg);
			return EXIT_USAGE;
		}
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
			config_free(&cfg);
			return EXIT_USAGE;
		}
	}
	cli_progress_files(&pg, files, nfiles);
	/* The rejects file replaces what was there only when the run stands,
	 * and never an input or the state. */
	if (rejects_path != NULL) {
		/* Never the state, the config or an input, however
		 * named (a link, a hard link). */
		cli_check_output(&cli, "--rejects", rejects_path,
		    (const char *const *)argv, (size_t)argc);
		if (cli_replace_open(&cli, &rj, rejects_path) != 0) {
			for (size_t i = 0; i < nfiles; i++)
				cli_close_input(files[i]);
			free(files);
			config_free(&cfg);
			return EXIT_STATE;
		}
		o.rejects = rj.fp;
	}

	if (cli_state_open(&cli, &st, STATE_WRITE, &d) != 0 ||
	    state_bulk_load(&st, &d) != 0 ||
	    state_begin(&st, &d) != 0 ||
	    ingest_latest_export(&st, &latest, &d) != 0 ||
	    (run = ingest_begin(&st, &o, &d)) == NULL) {
		cli_at(&cli, cli.db, 0, "%s", d.msg);
		state_rollback(&st);
		state_close(&st);
		cli_replace_abort(&rj);
		for (size_t i = 0; i < nfiles; i++)
			cli_close_input(files[i]);
		free(files);
		config_free(&cfg);
		return EXIT_STATE;
	}
	/* An export older than one already ingested would move open amounts
	 * back and date the change before later ones: replay would break. */
	if (o.as_of < latest) {
		char a[DATE_BUFSZ], b[DATE_BUFSZ];

		cli_warn(&cli, "%s: holds an export as of %s; this one is as of "
		    "%s, older: ingesting it would roll the ledger back "
		    "(give --as-of the export's own date, on or after %s)",
		    cli.db, date_format(latest, a), date_format(o.as_of, b),
		    a);
		status = EXIT_USAGE;
	}
	for (size_t i = 0; i < nfiles && status == EXIT_OK; i++) {
		const char *name = cli_input_name(argc ? argv[i] : "-");
		FILE *fp = files[i];
		struct batch_counts before = total;
		char *path;

		diag_clear(&d);
		cli_progress_file(&pg, i);
		/* Messages name the file as given; the batch records where it
		 * is, wherever the run started from. */
		path = argc > 0 && strcmp(argv[i], "-") != 0 ?
		    realpath(argv[i], NULL) : NULL;
		rc = ingest_file(run, fp, name, path ? path : name, &total,
		    &d);
		free(path);
		if (rc != 0) {
			/* The data stopped the run (strict, no header,
			 * ambiguous dates) or the state did: nothing of it
			 * is kept. */
			cli_at(&cli, rc == INGEST_ESTATE ? cli.db :
			    rc == INGEST_ECONFIG ? cli.config : name,
			    d.line, "%s", d.msg);
			status = rc == INGEST_ESTATE ? EXIT_STATE :
			    rc == INGEST_ECONFIG || rc == INGEST_EUSAGE ?
			    EXIT_USAGE : EXIT_REJECTS;
		} else if (ferror(fp)) {
			cli_warn(&cli, "%s: read error", name);
			status = EXIT_STATE;
		} else if (verbose) {
			long merged = (total.read - before.read) -
			    (total.ingested - before.ingested) -
			    (total.updated - before.updated) -
			    (total.unchanged - before.unchanged) -
			    (total.rejected - before.rejected);

			cli_warn(&cli, "%s: %ld rows: %ld new, %ld updated, "
			    "%ld unchanged, %ld rejected, %ld merged into "
			    "an earlier row", name, total.read - before.read,
			    total.ingested - before.ingested,
			    total.updated - before.updated,
			    total.unchanged - before.unchanged,
			    total.rejected - before.rejected, merged);
		}
	}
	cli_progress_end(&pg);
	for (size_t i = 0; i < nfiles; i++)
		cli_close_input(files[i]);
	free(files);
	if (status == EXIT_OK) {
		int fin = ingest_finish(run, &total, &d);

		if (fin < 0) {
			cli_at(&cli, cli.db, 0, "%s", d.msg);
			status = EXIT_STATE;
		} else if (fin == 2) {
			/* Closing most of the ledger: nothing of the run
			 * stands, so the file can be dropped again whole. */
			status = EXIT_USAGE;
		}
		refused = fin == 1;
	}
	if (status == EXIT_OK && verbose && o.snapshot)
		cli_warn(&cli, "--snapshot: %ld item%s closed", total.closed,
		    total.closed == 1 ? "" : "s");
	ingest_free(run);
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
	config_free(&cfg);
	if (o.out != NULL)
		fclose(o.out);
	if (status == EXIT_OK && (total.rejected > 0 || refused))
		status = EXIT_REJECTS;
	return cli_finish(&cli, status);
}

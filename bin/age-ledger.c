/*
 * age-ledger: the aged-debt report as of a day, per debtor and currency or
 * per item, from the state or from an item stream.  This file is options,
 * inputs and messages; lib/aging does the work.  See age-ledger(1).
 */

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "aging.h"
#include "cli.h"
#include "config.h"
#include "date.h"
#include "money.h"
#include "state.h"
#include "util.h"

static const char usage[] =
    "age-ledger [--by debtor|item] [--basis due|invoice] "
    "[--buckets days,...]\n"
    "[--rates file --report-currency code] [--state] [--client dir] "
    "[--db file]\n"
    "[--as-of date] [--config file] [file ...]";

enum {
	OPT_BY = CLI_OPT_FIRST_TOOL,
	OPT_BASIS,
	OPT_BUCKETS,
	OPT_RATES,
	OPT_REPORT,
	OPT_STATE
};

static const struct option longopts[] = {
	{ "by", required_argument, NULL, OPT_BY },
	{ "basis", required_argument, NULL, OPT_BASIS },
	{ "buckets", required_argument, NULL, OPT_BUCKETS },
	{ "rates", required_argument, NULL, OPT_RATES },
	{ "report-currency", required_argument, NULL, OPT_REPORT },
	{ "state", no_argument, NULL, OPT_STATE },
	CLI_SHARED_LONGOPTS,
	{ NULL, 0, NULL, 0 }
};

/* load_rates: exits 2 when the file cannot be used at all, since every
 * converted figure would be wrong. */
static void
load_rates(struct cli *c, struct aging *a, const char *file,
    const char *report)
{
	struct diag d;
	FILE *fp;

	diag_clear(&d);
	if ((fp = cli_open_input(c, file)) == NULL)
		exit(EXIT_USAGE);
	if (aging_load_rates(a, fp, cli_input_name(file), report, &d) != 0) {
		cli_at(c, cli_input_name(file), d.line, "%s", d.msg);
		cli_close_input(fp);
		exit(EXIT_USAGE);
	}
	cli_close_input(fp);
}

/* age_streams: every operand ("-" is stdin); bad rows and unusable files
 * are reported and counted, the rest is aged.  Returns the bad rows;
 * *failed is set when anything was rejected. */
static long
age_streams(struct cli *c, struct aging *a, char **files, int nfiles,
    int *failed)
{
	long bad = 0;

	for (int i = 0; i < nfiles; i++) {
		const char *name = cli_input_name(files[i]);
		struct aging_stream *s;
		struct diag d;
		FILE *fp;
		int rc;

		diag_clear(&d);
		if ((fp = cli_open_input(c, files[i])) == NULL) {
			*failed = 1;
			continue;
		}
		if ((s = aging_stream_open(a, fp, name, &d)) == NULL) {
			cli_at(c, name, d.line, "%s", d.msg);
			cli_close_input(fp);
			*failed = 1;
			continue;
		}
		while ((rc = aging_stream_next(s, &d)) != 0)
			if (rc < 0) {
				cli_at(c, name, d.line, "%s", d.msg);
				bad++;
				*failed = 1;
			}
		aging_stream_close(s);
		cli_close_input(fp);
	}
	return bad;
}

static void
age_state(struct cli *c, struct aging *a)
{
	struct state st;
	struct diag d;

	diag_clear(&d);
	if (cli_state_open(c, &st, STATE_READ, &d) != 0)
		cli_die(c, EXIT_STATE, "%s: %s", c->db, d.msg);
	if (aging_scan_state(a, &st, &d) != 0) {
		state_close(&st);
		cli_die(c, EXIT_STATE, "%s: %s", c->db, d.msg);
	}
	state_close(&st);
}

int
main(int argc, char *argv[])
{
	struct cli c;
	struct aging_opts o;
	struct aging *a;
	struct diag d;
	const char *rates = NULL, *report = NULL, *buckets = NULL;
	int opt, force_state = 0, status = EXIT_OK, stream, basis = -1;
	int failed = 0;
	struct client_config cfg;
	long bad = 0;

	cli_init(&c, "age-ledger", usage);
	memset(&o, 0, sizeof o);
	o.by = AGING_BY_DEBTOR;
	aging_bounds_default(&o.bounds);
	while ((opt = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		if (cli_shared_option(&c, opt, optarg))
			continue;
		switch (opt) {
		case OPT_BY:
			if (strcmp(optarg, "debtor") == 0)
				o.by = AGING_BY_DEBTOR;
			else if (strcmp(optarg, "item") == 0)
				o.by = AGING_BY_ITEM;
			else
				cli_usage_error(&c, "--by: \"%s\" is not "
				    "debtor or item", optarg);
			break;
		case OPT_BASIS:
			if (strcmp(optarg, "due") == 0)
				basis = AGING_DUE;
			else if (strcmp(optarg, "invoice") == 0)
				basis = AGING_INVOICE;
			else
				cli_usage_error(&c, "--basis: \"%s\" is not "
				    "due or invoice", optarg);
			break;
		case OPT_BUCKETS:
			buckets = optarg;
			break;
		case OPT_RATES:
			rates = optarg;
			break;
		case OPT_REPORT:
			report = optarg;
			break;
		case OPT_STATE:
			force_state = 1;
			break;
		default:
			cli_usage_error(&c, "unknown option");
		}
	}
	cli_options_done(&c);
	argc -= optind;
	argv += optind;
	o.as_of = c.as_of;

	/* The client's config gives the defaults; options override them. */
	config_defaults(&cfg);
	diag_clear(&d);
	if (c.config != NULL) {
		if (cli_config_load(&c, &cfg, &d) != 0) {
			cli_at(&c, c.config, d.line, "%s", d.msg);
			return EXIT_USAGE;
		}
		if (basis < 0)
			basis = cfg.aging.basis == CONFIG_BASIS_INVOICE ?
			    AGING_INVOICE : AGING_DUE;
		if (buckets == NULL && aging_bounds_set(&o.bounds,
		    cfg.aging.buckets, cfg.aging.nbuckets, &d) != 0) {
			cli_at(&c, c.config, 0, "aging.buckets: %s", d.msg);
			return EXIT_USAGE;
		}
		if (rates != NULL && report == NULL)
			report = cfg.client.reporting_currency;
	}
	o.basis = basis == AGING_INVOICE ? AGING_INVOICE : AGING_DUE;
	if (buckets != NULL &&
	    aging_bounds_parse(buckets, &o.bounds, &d) != 0)
		cli_usage_error(&c, "--buckets: %s", d.msg);
	if (rates != NULL && report == NULL)
		cli_usage_error(&c, "--rates needs --report-currency (or "
		    "--config with client.reporting_currency)");
	if (rates == NULL && report != NULL)
		cli_usage_error(&c, "--report-currency needs --rates");
	if (report != NULL && !money_is_currency(report))
		cli_usage_error(&c, "--report-currency: \"%s\" is not a "
		    "currency code (use ISO 4217, like GBP)", report);
	if (force_state && argc > 0)
		cli_usage_error(&c, "--state ages the state: give no files");
	/* Only operands make a stream: stdin is not looked at unless named
	 * "-", so a cron job or a loop that happens to have a pipe on stdin
	 * still ages the state. */
	stream = argc > 0;
	cli_need_stdout(&c);

	a = aging_new(&o);
	if (rates != NULL)
		load_rates(&c, a, rates, report);
	if (stream)
		bad = age_streams(&c, a, argv, argc, &failed);
	else
		age_state(&c, a);
	if (failed)
		status = EXIT_REJECTS;

	diag_clear(&d);
	if (aging_write(a, stdout, &d) != 0) {
		cli_warn(&c, "%s", d.msg);
		status = EXIT_REJECTS;
	}
	for (size_t i = 0; aging_missing_rate(a, i) != NULL; i++) {
		char day[DATE_BUFSZ];

		cli_at(&c, cli_input_name(rates), 0, "no rate for %s on %s "
		    "(its report columns are left empty)",
		    aging_missing_rate(a, i), date_format(o.as_of, day));
		status = EXIT_REJECTS;
	}
	if (bad > 0)
		cli_warn(&c, "%ld row%s rejected", bad, bad == 1 ? "" : "s");
	aging_free(a);
	config_free(&cfg);
	return cli_finish(&c, status);
}

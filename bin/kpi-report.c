/*
 * kpi-report: the credit-control KPIs of DOMAIN.md section 1 for one or
 * more periods, as long-format TSV against the client's targets, and the
 * monthly-review HTML page.  This file is options, inputs and messages;
 * lib/kpi (formulas), lib/kpidata (the state, one pass) and lib/kpireport
 * (rows, TSV, HTML) do the work.  Nothing is written to the state.  See
 * kpi-report(1).
 */

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "config.h"
#include "kpidata.h"
#include "kpireport.h"
#include "money.h"
#include "state.h"
#include "util.h"

static const char usage[] =
    "kpi-report --period period [--period period ...] [--html file]\n"
    "[--rates file] [--report-currency code] [--client dir] [--db file] "
    "[--as-of date]\n"
    "[--config file]";

enum {
	OPT_PERIOD = CLI_OPT_FIRST_TOOL,
	OPT_HTML,
	OPT_RATES,
	OPT_REPORT
};

static const struct option longopts[] = {
	{ "period", required_argument, NULL, OPT_PERIOD },
	{ "html", required_argument, NULL, OPT_HTML },
	{ "rates", required_argument, NULL, OPT_RATES },
	{ "report-currency", required_argument, NULL, OPT_REPORT },
	CLI_SHARED_LONGOPTS,
	{ NULL, 0, NULL, 0 }
};

static struct kpi_rates *
load_rates(struct cli *c, const char *file, const char *report)
{
	struct kpi_rates *r = kpi_rates_new(report);
	struct diag d;
	FILE *fp;

	if (file == NULL)
		return r;
	diag_clear(&d);
	if ((fp = cli_open_input(c, file)) == NULL) {
		kpi_rates_free(r);
		exit(EXIT_USAGE);
	}
	if (kpi_rates_load(r, fp, cli_input_name(file), c->as_of, &d) != 0) {
		cli_at(c, cli_input_name(file), d.line, "%s", d.msg);
		kpi_rates_free(r);
		cli_close_input(fp);
		exit(EXIT_USAGE);
	}
	cli_close_input(fp);
	return r;
}

int
main(int argc, char *argv[])
{
	struct cli c;
	struct diag d;
	struct client_config cfg;
	struct kpi_config k;
	struct kpi_period *p = NULL;
	struct kpi_data x;
	struct kpi_rows rows;
	struct kpi_rates *rates;
	struct state st;
	struct cli_replace html;
	const char *html_path = NULL, *rates_path = NULL, *report = NULL;
	size_t np = 0;
	int opt, rc, status = EXIT_OK;

	cli_init(&c, "kpi-report", usage);
	/* getopt's own messages (an unknown option) name the tool as
	 * every other message does, not the path it was run by. */
	if (argc > 0)
		argv[0] = (char *)c.prog;
	diag_clear(&d);
	while ((opt = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		if (cli_shared_option(&c, opt, optarg))
			continue;
		switch (opt) {
		case OPT_PERIOD:
			if (np >= KPI_MAX_PERIODS ||
			    kpi_period_parse(optarg, &p, &np, &d) != 0)
				cli_usage_error(&c, "--period: %s", np >=
				    KPI_MAX_PERIODS ? "too many periods" :
				    d.msg);
			break;
		case OPT_HTML:
			html_path = optarg;
			break;
		case OPT_RATES:
			rates_path = optarg;
			break;
		case OPT_REPORT:
			report = optarg;
			break;
		default:
			cli_usage_error(&c, "unknown option");
		}
	}
	cli_options_done(&c);
	if (optind < argc)
		cli_usage_error(&c, "\"%s\": kpi-report reads the state, not "
		    "files (use --db)", argv[optind]);
	if (np == 0)
		cli_usage_error(&c, "no --period (like --period 2024-03 or "
		    "--period 2024-01..2024-12)");
	if (np > KPI_MAX_PERIODS)
		cli_usage_error(&c, "--period: more than %d periods",
		    KPI_MAX_PERIODS);

	/* Never the state, the config or the rates file, however named. */
	if (html_path != NULL)
		cli_check_output(&c, "--html", html_path, &rates_path,
		    rates_path != NULL);

	config_defaults(&cfg);
	kpi_config_defaults(&k);
	if (c.config != NULL) {
		if (cli_config_load(&c, &cfg, &d) != 0) {
			cli_at(&c, c.config, d.line, "%s", d.msg);
			free(p);
			return EXIT_USAGE;
		}
		if (kpi_config_load(cfg.root, &k, &d) != 0) {
			cli_at(&c, c.config, d.line, "%s", d.msg);
			config_free(&cfg);
			free(p);
			return EXIT_USAGE;
		}
	}
	if (report == NULL)
		report = cfg.client.reporting_currency;
	if (!money_is_currency(report) || !money_known_currency(report))
		cli_usage_error(&c, "--report-currency: \"%s\" is not a "
		    "currency code (use ISO 4217, like GBP)", report);
	cli_need_stdout(&c);
	rates = load_rates(&c, rates_path, report);

	if (cli_state_open(&c, &st, STATE_READ, &d) != 0)
		rc = -1;
	else {
		rc = kpi_gather(&st, p, np, &k, &cfg, rates, c.as_of, &x, &d);
		state_close(&st);
	}
	if (rc != 0) {
		/* Freed before exiting, so the sanitizer's leak check sees
		 * nothing whatever the optimizer kept on the stack. */
		kpi_rates_free(rates);
		kpi_config_free(&k);
		config_free(&cfg);
		free(p);
		cli_die(&c, rc == -2 ? EXIT_USAGE : EXIT_STATE, "%s: %s", c.db,
		    d.msg);
	}
	kpi_rows_build(&rows, p, np, &x, &k);
	if (html_path != NULL) {
		if (cli_replace_open(&c, &html, html_path) != 0)
			status = EXIT_STATE;
		else if (kpi_write_html(html.fp, &rows, p, np, &x,
		    cfg.client.name, c.as_of) != 0) {
			cli_warn(&c, "%s: writing failed", html_path);
			cli_replace_abort(&html);
			status = EXIT_STATE;
		} else if (cli_replace_commit(&c, &html) != 0)
			status = EXIT_STATE;
	}
	errno = 0;
	if (status == EXIT_OK && kpi_write_tsv(stdout, &rows, p) != 0 &&
	    cli_stdout_failed(&c) != 0)
		status = EXIT_STATE;
	kpi_rows_free(&rows);
	kpi_data_free(&x);
	kpi_rates_free(rates);
	kpi_config_free(&k);
	config_free(&cfg);
	free(p);
	return cli_finish(&c, status);
}

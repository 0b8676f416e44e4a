/* Unit tests of lib/kpidata's config sections and rates, and of
 * lib/kpireport's HTML escaping. */

#include <stdio.h>
#include <stdlib.h>

#include "config.h"
#include "kpidata.h"
#include "kpireport.h"
#include "t.h"

static int
load(const char *yaml, struct kpi_config *k, struct diag *d)
{
	struct cfg_node *root = NULL;
	int rc;

	diag_clear(d);
	if (cfg_parse_string(yaml, strlen(yaml), "test", &root, d) != 0)
		return -2;
	rc = kpi_config_load(root, k, d);
	cfg_free(root);
	return rc;
}

static void
test_defaults(void)
{
	struct kpi_config k;
	struct diag d;

	CHECK(load("client:\n  name: x\n", &k, &d) == 0);
	CHECK(k.month_len == KPI_MONTH_ACTUAL);
	CHECK(k.cei_sales == KPI_CEI_TOTAL);
	CHECK(k.dbt == KPI_DBT_SIGNED);
	CHECK(k.p90 == KPI_P90_GROSS);
	CHECK(k.near_pct == 10);
	CHECK(k.monthly_cost < 0);
	CHECK_INT(k.top_debtors, 10);
	CHECK_INT(k.ntargets, 0);
	kpi_config_free(&k);
}

static void
test_values(void)
{
	struct kpi_config k;
	struct diag d;
	const struct kpi_target *t;

	CHECK(load("kpi:\n  countback_month: 30\n  cei_sales: per_month\n"
	    "  dbt: late_only\n  over_90_basis: net\n  sales_vat_pct: 20\n"
	    "  near_margin_pct: 2.5\n  monthly_cost: 9200.00\n"
	    "  costs:\n    2024-02: 100\n  escalation_steps: [S5, S6]\n"
	    "  top_debtors: 0\n"
	    "targets:\n  dso_simple: 45\n  cei: {value: 80, margin: 3}\n"
	    "  dbt: -2\n", &k, &d) == 0);
	CHECK(k.month_len == KPI_MONTH_30);
	CHECK(k.cei_sales == KPI_CEI_PER_MONTH);
	CHECK(k.dbt == KPI_DBT_LATE_ONLY);
	CHECK(k.p90 == KPI_P90_NET);
	CHECK(k.vat_pct == 20);
	CHECK(k.near_pct == 2.5L);
	CHECK(k.monthly_cost == 9200);
	CHECK_INT(k.ncosts, 1);
	CHECK(k.cost[0] == 100);
	CHECK_INT(k.nescal, 2);
	CHECK_STR(k.escal[1], "S6");
	CHECK_INT(k.top_debtors, 0);
	CHECK_INT(k.ntargets, 3);
	t = kpi_config_target(&k, "cei");
	CHECK(t != NULL && t->value == 80 && t->margin == 3);
	t = kpi_config_target(&k, "dso_simple");
	CHECK(t != NULL && t->value == 45 && t->margin < 0);
	t = kpi_config_target(&k, "dbt");
	CHECK(t != NULL && t->value == -2);
	CHECK(kpi_config_target(&k, "adp") == NULL);
	kpi_config_free(&k);
}

static void
test_errors(void)
{
	static const struct { const char *yaml; long line; const char *msg; }
	    bad[] = {
		{ "kpi:\n  dbt: late\n", 2, "kpi.dbt: \"late\" is not signed "
		    "or late_only" },
		{ "kpi:\n  x: 1\n", 2, NULL },
		{ "targets:\n  dso: 1\n", 2, NULL },
		{ "targets:\n  cei: {value: 1, margn: 2}\n", 2, NULL },
		{ "targets:\n  cei: {margin: 2}\n", 2, "targets.cei: no value" },
		{ "targets:\n  cei: abc\n", 2, NULL },
		{ "targets: [1]\n", 1, NULL },
		{ "kpi:\n  costs:\n    2024-3: 1\n", 3, NULL },
		{ "kpi:\n  costs:\n    2024-03: -1\n", 3, NULL },
		{ "kpi:\n  costs: 5\n", 2, NULL },
		{ "kpi:\n  sales_vat_pct: 101\n", 2, NULL },
		{ "kpi:\n  top_debtors: 101\n", 2, NULL },
		{ "kpi:\n  escalation_steps: legal\n", 2, NULL },
		/* The new user's D8: numbers told what is wrong with them;
		 * a negative target only for the signed DBT. */
		{ "targets:\n  dso_simple: 45.123456789\n", 2,
		    "targets.dso_simple: \"45.123456789\" has more than 4 "
		    "decimals" },
		{ "targets:\n  cash_collected: 99999999999999999999\n", 2,
		    "targets.cash_collected: \"99999999999999999999\" is too "
		    "large" },
		{ "targets:\n  dso_simple: -5\n", 2,
		    "targets.dso_simple: \"-5\" is negative (give 0 or more)" },
		/* The new user's D4: a name no path has. */
		{ "kpi:\n  escalation_steps:\n    - S5\n    - legal\n", 4,
		    "kpi.escalation_steps: \"legal\" is no step of the chase "
		    "paths (name a step: of paths:, S0..S6 without them)" },
		{ "paths:\n  p:\n    steps:\n      - { step: A, offset: 1, "
		    "channel: email, template: t }\n"
		    "kpi:\n  escalation_steps: [S6]\n", 6, NULL },
		{ "kpi:\n  monthly_cost: 1.00001\n", 2, NULL },
	};
	struct kpi_config k;
	struct diag d;

	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		CHECK(load(bad[i].yaml, &k, &d) == -1);
		CHECK_INT(d.line, bad[i].line);
		if (bad[i].msg != NULL)
			CHECK_STR(d.msg, bad[i].msg);
		/* Defaults again, and free twice is safe. */
		CHECK_INT(k.ntargets, 0);
		kpi_config_free(&k);
	}
}

static int
rates(const char *text, struct diag *d)
{
	struct kpi_rates *r = kpi_rates_new("GBP");
	FILE *fp = fmemopen((void *)text, strlen(text), "r");
	int32_t asof = 19782;		/* 2024-02-29 */
	int rc;

	diag_clear(d);
	rc = kpi_rates_load(r, fp, "r.tsv", asof, d);
	fclose(fp);
	kpi_rates_free(r);
	return rc;
}

static void
test_rates(void)
{
	struct diag d;

	CHECK(rates("currency\trate\nEUR\t0.8550\nGBP\t1\n", &d) == 0);
	CHECK(rates("date\tcurrency\trate\n2024-02-01\tEUR\t0.85\n"
	    "2024-02-29\tEUR\t0.86\n2024-03-01\tEUR\tx\n", &d) == -1);
	CHECK(rates("date\tcurrency\trate\n2024-02-01\tEUR\t0.85\n"
	    "2024-02-29\tEUR\t0.86\n2024-03-01\tEUR\t0.9\n", &d) == 0);
	CHECK(rates("currency\trate\nEUR\t0.85\nEUR\t0.86\n", &d) == -1);
	CHECK_INT(d.line, 3);
	CHECK(rates("currency\trate\nEUR\t0\n", &d) == -1);
	CHECK(rates("currency\trate\nEUR\t-1\n", &d) == -1);
	CHECK(rates("currency\trate\neur\t1\n", &d) == -1);
	CHECK(rates("currency\trate\nGBP\t1.1\n", &d) == -1);
	CHECK(rates("currency\tfx\nEUR\t1\n", &d) == -1);
	CHECK_INT(d.line, 0);
	CHECK(rates("currency\trate\nEUR\t0.123456789\n", &d) == -1);
}

static void
test_escape(void)
{
	char *buf = NULL;
	size_t n = 0;
	FILE *fp = open_memstream(&buf, &n);

	kpi_html_escape(fp, "<a href=\"x\">Tom & Jerry's</a>\x01");
	fclose(fp);
	CHECK_STR(buf, "&lt;a href=&quot;x&quot;&gt;Tom &amp; Jerry&#39;s"
	    "&lt;/a&gt; ");
	free(buf);
}

int
main(void)
{
	T_RUN(test_defaults);
	T_RUN(test_values);
	T_RUN(test_errors);
	T_RUN(test_rates);
	T_RUN(test_escape);
	return T_DONE();
}

/*
 * test_config: the YAML tree (syntax errors with libyaml's line,
 * duplicate keys, aliases, nesting, the typed readers) and the client
 * configuration (a full file, the defaults, every bad value with its line
 * and key, unknown keys, the sections kept for later modules).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "util.h"
#include "t.h"

static int
loads(const char *yaml, struct client_config *c, struct diag *d)
{
	return config_load_string(yaml, strlen(yaml), c, d);
}

static const char full[] =
    "# Acme's configuration\n"
    "client:\n"
    "  id: Acme_Trading-01\n"
    "  name: Acme Trading Ltd\n"
    "  currency: eur\n"
    "  reporting_currency: GBP\n"
    "  debtor_type: sole_trader\n"
    "  country: ie\n"
    "input:\n"
    "  date_format: DMY\n"
    "  decimal: comma\n"
    "  delimiter: \";\"\n"
    "  encoding: windows-1252\n"
    "  columns:\n"
    "    invoice_number: \"Num\"\n"
    "    debtor_name: Customer full name\n"
    "    amount: 'Open balance'\n"
    "  default_terms: net 30\n"
    "aging:\n"
    "  basis: invoice\n"
    "  buckets: [0, 15, 30, 45]\n"
    "chase:\n"
    "  steps:\n"
    "    - day: 7\n"
    "      channel: email\n"
    "branding: {logo: acme.png}\n";

static void
test_full(void)
{
	struct client_config c;
	struct diag d;
	const struct cfg_node *steps, *day;
	long long v = 0;

	diag_clear(&d);
	CHECK_INT(config_load_string(full, strlen(full), &c, &d), 0);
	CHECK_STR(d.msg, "");
	CHECK_STR(c.client.name, "Acme Trading Ltd");
	CHECK_STR(c.client.id, "Acme_Trading-01");
	CHECK_INT(c.client.id_line, 3);
	CHECK_STR(c.client.currency, "EUR");
	CHECK_STR(c.client.reporting_currency, "GBP");
	CHECK_STR(c.client.debtor_type, "sole_trader");
	CHECK_STR(c.client.country, "IE");
	CHECK_INT(c.input.date_order, DATE_DMY);
	CHECK_INT(c.input.decimal, MONEY_COMMA);
	CHECK_INT(c.input.delimiter, ';');
	CHECK_STR(c.input.encoding, "windows-1252");
	CHECK_INT(c.input.ncolumns, 3);
	if (c.input.ncolumns == 3) {
		CHECK_STR(c.input.column_field[0], "invoice_number");
		CHECK_STR(c.input.column_header[0], "Num");
		CHECK_INT(c.input.column_line[0], 15);
		CHECK_STR(c.input.column_field[1], "debtor_name");
		CHECK_STR(c.input.column_header[1], "Customer full name");
		CHECK_INT(c.input.column_line[1], 16);
		CHECK_STR(c.input.column_field[2], "amount");
		CHECK_STR(c.input.column_header[2], "Open balance");
		CHECK_INT(c.input.column_line[2], 17);
	}
	CHECK_STR(c.input.default_terms, "net 30");
	CHECK_INT(c.input.default_terms_line, 18);
	CHECK_INT(c.aging.basis, CONFIG_BASIS_INVOICE);
	CHECK_INT(c.aging.nbuckets, 4);
	CHECK_INT(c.aging.buckets[0], 0);
	CHECK_INT(c.aging.buckets[1], 15);
	CHECK_INT(c.aging.buckets[3], 45);
	/* Later sections stay in the tree, lines and all. */
	steps = cfg_get(cfg_get(c.root, "chase"), "steps");
	CHECK(steps != NULL && steps->kind == CFG_SEQ && steps->n == 1);
	if (steps != NULL && steps->n == 1) {
		day = cfg_get(steps->items[0], "day");
		CHECK(day != NULL);
		CHECK_INT(cfg_to_int(day, "chase.steps.day", 0, 365, &v, &d),
		    1);
		CHECK_INT(v, 7);
		CHECK_INT(day->line, 24);
	}
	CHECK_STR(cfg_get(cfg_get(c.root, "branding"), "logo")->value,
	    "acme.png");
	CHECK_STR(config_basis_name(c.aging.basis), "invoice");
	config_free(&c);
	/* config_free leaves the defaults: a second one is harmless. */
	CHECK(c.root == NULL && c.client.name == NULL);
	config_free(&c);
}

static void
check_defaults(const struct client_config *c)
{
	CHECK(c->client.name == NULL);
	CHECK_STR(c->client.currency, "GBP");
	CHECK_STR(c->client.reporting_currency, "GBP");
	CHECK_STR(c->client.debtor_type, "business");
	CHECK_STR(c->client.country, "GB");
	CHECK_INT(c->input.date_order, DATE_AUTO);
	CHECK_INT(c->input.decimal, MONEY_POINT);
	CHECK_INT(c->input.delimiter, 0);
	CHECK(c->input.encoding == NULL);
	CHECK_INT(c->input.ncolumns, 0);
	CHECK(c->input.default_terms == NULL);
	CHECK_INT(c->aging.basis, CONFIG_BASIS_DUE);
	CHECK_INT(c->aging.nbuckets, 5);
	CHECK_INT(c->aging.buckets[0], 0);
	CHECK_INT(c->aging.buckets[1], 30);
	CHECK_INT(c->aging.buckets[2], 60);
	CHECK_INT(c->aging.buckets[3], 90);
	CHECK_INT(c->aging.buckets[4], 120);
}

static void
test_defaults(void)
{
	static const char *const empty[] = {
		"", "\n\n", "# only a comment\n", "---\n", "--- ~\n",
		"client:\ninput:\naging: ~\n", "{}\n",
		"client: {}\ninput: {}\naging: {buckets: ~}\n",
	};
	struct client_config c;
	struct diag d;
	size_t i;

	config_defaults(&c);
	check_defaults(&c);
	config_free(&c);
	for (i = 0; i < sizeof empty / sizeof empty[0]; i++) {
		diag_clear(&d);
		CHECK_INT(config_load_string(empty[i], strlen(empty[i]), &c,
		    &d), 0);
		CHECK_STR(d.msg, "");
		check_defaults(&c);
		config_free(&c);
	}
	/* The reporting currency follows the currency unless given. */
	CHECK_INT(loads("client: {currency: USD}", &c, &d), 0);
	CHECK_STR(c.client.reporting_currency, "USD");
	config_free(&c);
}

static void
test_files(void)
{
	char path[] = "/tmp/ck-config-XXXXXX";
	struct client_config c;
	struct diag d;
	FILE *fp;
	int fd;

	/* An empty file is all defaults. */
	fd = mkstemp(path);
	CHECK(fd >= 0);
	if (fd < 0)
		return;
	close(fd);
	diag_clear(&d);
	CHECK_INT(config_load(path, &c, &d), 0);
	check_defaults(&c);
	config_free(&c);
	/* A real file, with an error on line 3. */
	fp = fopen(path, "w");
	fputs("client:\n  name: x\n  currency: pounds\n", fp);
	fclose(fp);
	CHECK_INT(config_load(path, &c, &d), -1);
	CHECK_STR(d.msg, "client.currency: \"pounds\" is not an ISO 4217 "
	    "code (three letters, like GBP)");
	CHECK_INT(d.line, 3);
	/* A failed load leaves the defaults. */
	check_defaults(&c);
	config_free(&c);
	/* Three letters that name no currency are refused too. */
	fp = fopen(path, "w");
	fputs("client:\n  reporting_currency: abc\n", fp);
	fclose(fp);
	CHECK_INT(config_load(path, &c, &d), -1);
	CHECK_STR(d.msg, "client.reporting_currency: \"abc\" is not an ISO "
	    "4217 code (three letters, like GBP)");
	CHECK_INT(d.line, 2);
	check_defaults(&c);
	config_free(&c);
	/* A syntax error in a file. */
	fp = fopen(path, "w");
	fputs("client:\n  name: x\n name: y\n", fp);
	fclose(fp);
	CHECK_INT(config_load(path, &c, &d), -1);
	CHECK_INT(d.line, 3);
	CHECK(strncmp(d.msg, "yaml: ", 6) == 0);
	config_free(&c);
	/* Lines found again from the file: bad UTF-8, a tab. */
	fp = fopen(path, "w");
	fputs("client:\n  name: x\n\n  country: \xC3\n", fp);
	fclose(fp);
	CHECK_INT(config_load(path, &c, &d), -1);
	CHECK_STR(d.msg, "yaml: invalid trailing UTF-8 octet (byte 0x0a)");
	CHECK_INT(d.line, 4);
	config_free(&c);
	fp = fopen(path, "w");
	fputs("client:\n\tname: x\n", fp);
	fclose(fp);
	CHECK_INT(config_load(path, &c, &d), -1);
	CHECK_STR(d.msg, "yaml: a tab in the indentation (YAML indents with "
	    "spaces)");
	CHECK_INT(d.line, 2);
	config_free(&c);
	/* libyaml's own words where they are clear already. */
	fp = fopen(path, "w");
	fputs("client:\n  name: x\n\tcountry: GB\n", fp);
	fclose(fp);
	CHECK_INT(config_load(path, &c, &d), -1);
	CHECK_STR(d.msg, "yaml: found a tab character that violates "
	    "indentation (while scanning a plain scalar that began on line 2)");
	CHECK_INT(d.line, 3);
	config_free(&c);
	unlink(path);
	/* A file that is not there. */
	CHECK_INT(config_load(path, &c, &d), -1);
	CHECK_STR(d.msg, "No such file or directory");
	CHECK_INT(d.line, 0);
	config_free(&c);
}

/* Each bad value: the message names the key, d->line its line. */
static void
test_bad_values(void)
{
	static const struct {
		const char *yaml;
		long line;
		const char *msg;
	} t[] = {
		{ "client:\n  id: a.b\n", 2,
		    "client.id: \"a.b\" is not a client id (1 to 64 "
		    "letters, digits, _ and -)" },
		{ "client:\n  id: ../b\n", 2,
		    "client.id: \"../b\" is not a client id (1 to 64 "
		    "letters, digits, _ and -)" },
		{ "client:\n  id: \"\"\n", 2,
		    "client.id: empty (leave the key out for the default)" },
		{ "client:\n  id: "
		    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
		    "\n", 2, "client.id: \""
		    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa..."
		    "\" is not a client id (1 to 64 letters, digits, _ and -)" },
		{ "client:\n  currency: GB\n", 2,
		    "client.currency: \"GB\" is not an ISO 4217 code (three "
		    "letters, like GBP)" },
		{ "client:\n  currency: GBP1\n", 2,
		    "client.currency: \"GBP1\" is not an ISO 4217 code (three "
		    "letters, like GBP)" },
		{ "client:\n  reporting_currency: \"\"\n", 2,
		    "client.reporting_currency: empty (leave the key out for "
		    "the default)" },
		{ "client:\n  name: [a, b]\n", 2,
		    "client.name: expected a single value, not a list" },
		{ "client:\n  debtor_type: company\n", 2,
		    "client.debtor_type: \"company\" is not one of business, "
		    "sole_trader, consumer" },
		{ "client:\n  country: GBR\n", 2,
		    "client.country: \"GBR\" is not an ISO 3166 code (two "
		    "letters, like GB)" },
		{ "client:\n  country: UK\n", 2,
		    "client.country: \"UK\" is not an ISO 3166 code (the "
		    "United Kingdom is GB)" },
		{ "input:\n  date_format: dd/mm/yyyy\n", 2,
		    "input.date_format: \"dd/mm/yyyy\" is not one of auto, "
		    "iso, dmy, mdy, ymd, excel" },
		{ "input:\n  decimal: dot\n", 2,
		    "input.decimal: \"dot\" is not one of point, comma" },
		{ "input:\n  delimiter: \";;\"\n", 2,
		    "input.delimiter: \";;\" is not one character (in quotes: "
		    "\",\"), \"tab\" or \"auto\"" },
		{ "input:\n  delimiter: '\"'\n", 2,
		    "input.delimiter: \"\\\"\" is not one character (in quotes: "
		    "\",\"), \"tab\" or \"auto\"" },
		{ "input:\n  encoding: EBCDIC\n", 2,
		    "input.encoding: \"EBCDIC\" is not one of UTF-8, "
		    "WINDOWS-1252 (CP1252), ISO-8859-1 (LATIN1)" },
		{ "input:\n  columns: [a, b]\n", 2,
		    "input.columns: expected a map of field: \"Header text\", "
		    "not a list" },
		{ "input:\n  columns:\n    amount: Total\n    due_date:\n", 4,
		    "input.columns.due_date: the export's header text is "
		    "needed" },
		{ "input:\n  columns:\n    amount: {a: b}\n", 3,
		    "input.columns.amount: expected a single value, not a "
		    "map" },
		{ "input:\n  default_terms: ''\n", 2,
		    "input.default_terms: empty (leave the key out for the "
		    "default)" },
		{ "input: csv\n", 1,
		    "input: expected a map of settings (key: value on the "
		    "lines below it), not a value" },
		{ "aging:\n  basis: issue\n", 2,
		    "aging.basis: \"issue\" is not one of due, invoice" },
		{ "aging:\n  buckets: 30\n", 2,
		    "aging.buckets: expected a list of days, like "
		    "[0, 30, 60, 90, 120]" },
		{ "aging:\n  buckets: []\n", 2,
		    "aging.buckets: at least one bound is needed, like "
		    "[0, 30, 60, 90, 120]" },
		{ "aging:\n  buckets:\n    - 0\n    - 30\n    - 60\n"
		    "    - 60\n", 6,
		    "aging.buckets: values must increase (60 after 60)" },
		{ "aging:\n  buckets: [0, 60, 30]\n", 2,
		    "aging.buckets: values must increase (30 after 60)" },
		{ "aging:\n  buckets: [-30, 0]\n", 2,
		    "aging.buckets: -30 is less than 0" },
		{ "aging:\n  buckets: [0, 40000]\n", 2,
		    "aging.buckets: 40000 is more than 36500" },
		{ "aging:\n  buckets: [0, 3O]\n", 2,
		    "aging.buckets: \"3O\" is not a whole number" },
		{ "aging:\n  buckets: [0, 99999999999999999999999]\n", 2,
		    "aging.buckets: 99999999999999999999999 is more than "
		    "36500" },
		{ "aging:\n  buckets: [0, ~]\n", 2,
		    "aging.buckets: an empty bound" },
		{ "aging:\n  buckets: [1,2,3,4,5,6,7,8,9,10,11,12,13]\n", 2,
		    "aging.buckets: at most 12 bounds, not 13" },
		{ "- client\n- input\n", 1,
		    "expected a map of sections (client:, input:, aging:, "
		    "...), not a list" },
		{ "just text\n", 1,
		    "expected a map of sections (client:, input:, aging:, "
		    "...), not a value" },
	};
	struct client_config c;
	struct diag d;
	size_t i;

	for (i = 0; i < sizeof t / sizeof t[0]; i++) {
		diag_clear(&d);
		if (config_load_string(t[i].yaml, strlen(t[i].yaml), &c,
		    &d) != -1)
			printf("#   case %zu loaded\n", i);
		CHECK_STR(d.msg, t[i].msg);
		if (d.line != t[i].line)
			printf("#   case %zu: line %ld, want %ld\n", i, d.line,
			    t[i].line);
		CHECK_INT(d.line, t[i].line);
		check_defaults(&c);
		config_free(&c);
	}
}

static void
test_good_values(void)
{
	static const struct {
		const char *yaml;
		int delim;
	} t[] = {
		{ "input: {delimiter: \",\"}", ',' },
		{ "input: {delimiter: tab}", '\t' },
		{ "input: {delimiter: TAB}", '\t' },
		{ "input: {delimiter: \"\\t\"}", '\t' },
		{ "input: {delimiter: '|'}", '|' },
		{ "input: {delimiter: ;}", ';' },
		{ "input: {delimiter: auto}", 0 },
		{ "input: {delimiter: semicolon}", ';' },
	};
	struct client_config c;
	struct diag d;
	size_t i;

	for (i = 0; i < sizeof t / sizeof t[0]; i++) {
		diag_clear(&d);
		CHECK_INT(config_load_string(t[i].yaml, strlen(t[i].yaml), &c,
		    &d), 0);
		CHECK_STR(d.msg, "");
		CHECK_INT(c.input.delimiter, t[i].delim);
		config_free(&c);
	}
	CHECK_INT(loads("input: {date_format: excel, encoding: latin1}\n"
	    "aging: {buckets: [30]}\n", &c, &d), 0);
	CHECK_INT(c.input.date_order, DATE_EXCEL);
	CHECK_STR(c.input.encoding, "latin1");
	CHECK_INT(c.aging.nbuckets, 1);
	CHECK_INT(c.aging.buckets[0], 30);
	config_free(&c);
}

static void
test_unknown_keys(void)
{
	static const struct {
		const char *yaml;
		long line;
		const char *msg;
	} t[] = {
		{ "client:\n  name: x\ninput:\n  delimitr: \";\"\n", 4,
		    "unknown key \"delimitr\" in input (known: date_format, "
		    "decimal, delimiter, encoding, columns, "
		    "default_terms, types)" },
		{ "client:\n  name: x\n\nreports:\n  a: 1\n", 4,
		    "unknown key \"reports\" (known: client, input, aging, "
		    "chase, paths, branding, interest, targets, kpi, score, "
		    "contact, gdpr, export, allocation, bank)" },
		{ "aging:\n  buckets: [0]\n  basis_: due\n", 3,
		    "unknown key \"basis_\" in aging (known: basis, buckets)" },
		{ "client:\n  Name: x\n", 2,
		    "unknown key \"Name\" in client (known: id, name, currency, "
		    "reporting_currency, debtor_type, country)" },
	};
	struct client_config c;
	struct diag d;
	size_t i;

	for (i = 0; i < sizeof t / sizeof t[0]; i++) {
		diag_clear(&d);
		CHECK_INT(config_load_string(t[i].yaml, strlen(t[i].yaml), &c,
		    &d), -1);
		CHECK_STR(d.msg, t[i].msg);
		CHECK_INT(d.line, t[i].line);
		config_free(&c);
	}
	/* Sections of later modules are not checked. */
	CHECK_INT(loads("gdpr:\n  anything: [goes]\nkpi: 3\n", &c, &d), 0);
	CHECK_STR(cfg_get(c.root, "kpi")->value, "3");
	config_free(&c);
}

/* Errors of the tree itself, through cfg_parse_string. */
static void
test_tree_errors(void)
{
	static const struct {
		const char *yaml;
		long line;
		const char *msg;	/* NULL: starts "yaml: " */
	} t[] = {
		{ "client:\n  name: a\n  name: b\n", 3,
		    "duplicate key \"name\" (first on line 2)" },
		{ "a: 1\nb: 2\na: 3\n", 3,
		    "duplicate key \"a\" (first on line 1)" },
		{ "x: {p: 1, p: 2}\n", 1,
		    "duplicate key \"p\" (first on line 1)" },
		{ "base: &b {a: 1}\nother: *b\n", 2,
		    "aliases (*b) are not supported: write the value out in "
		    "full" },
		{ "? [a, b]\n: c\n", 1,
		    "a key must be a plain value, not a list or a map" },
		{ "a: 1\n---\nb: 2\n", 2,
		    "more than one YAML document (---) in the file" },
		{ "a: \"x\\0y\"\n", 1, "a value holds a NUL byte" },
		/* Syntax errors carry libyaml's words and line. */
		{ "client:\n  name: x\n   currency: GBP\n", 3, NULL },
		{ "a: [1, 2\nb: 3\n", 2, NULL },
		{ "a: \"open\n\n", 3, NULL },
		{ "a:\n\tb: 1\n", 2, "yaml: a tab in the indentation (YAML "
		    "indents with spaces)" },
		{ "input:\n  delimiter: ,\n", 2, "yaml: did not find expected "
		    "node content (while parsing a block node); put quotes "
		    "around a value that starts with a comma: \",\"" },
		{ "a: b: c\n", 1, NULL },
		{ "a: 1\n\xFF: 2\n", 2, NULL },
	};
	struct cfg_node *root;
	struct diag d;
	size_t i;

	for (i = 0; i < sizeof t / sizeof t[0]; i++) {
		diag_clear(&d);
		root = NULL;
		CHECK_INT(cfg_parse_string(t[i].yaml, strlen(t[i].yaml), "t",
		    &root, &d), -1);
		CHECK(root == NULL);
		if (t[i].msg)
			CHECK_STR(d.msg, t[i].msg);
		else
			CHECK(strncmp(d.msg, "yaml: ", 6) == 0);
		if (d.line != t[i].line)
			printf("#   case %zu: line %ld, want %ld: %s\n", i,
			    d.line, t[i].line, d.msg);
		CHECK_INT(d.line, t[i].line);
	}
}

static void
test_depth(void)
{
	struct sbuf y = { 0 };
	struct cfg_node *root = NULL;
	struct diag d;
	int i;

	for (i = 0; i < CFG_MAX_DEPTH - 1; i++)
		sbuf_addc(&y, '[');
	for (i = 0; i < CFG_MAX_DEPTH - 1; i++)
		sbuf_addc(&y, ']');
	CHECK_INT(cfg_parse_string(y.buf, y.len, "t", &root, &d), 0);
	cfg_free(root);
	sbuf_reset(&y);
	for (i = 0; i < 10000; i++)
		sbuf_addc(&y, '[');
	CHECK_INT(cfg_parse_string(y.buf, y.len, "t", &root, &d), -1);
	CHECK_STR(d.msg, "nesting deeper than 64 levels");
	sbuf_free(&y);
}

static void
test_readers(void)
{
	static const char y[] =
	    "n: 42\n"
	    "neg: -7\n"
	    "big: 1000\n"
	    "word: forty\n"
	    "yes1: yes\n"
	    "no1: No\n"
	    "t: TRUE\n"
	    "maybe: perhaps\n"
	    "empty:\n"
	    "tilde: ~\n"
	    "quoted_null: \"null\"\n"
	    "list: [1]\n"
	    "map: {a: 1}\n"
	    "multi: |\n  two\n  lines\n";
	struct cfg_node *root = NULL;
	struct diag d;
	const char *s = "unset";
	long long v = -1;
	int b = -1;

	CHECK_INT(cfg_parse_string(y, strlen(y), "t", &root, &d), 0);
	CHECK_INT(cfg_get_int(root, "sec", "n", 0, 100, &v, &d), 1);
	CHECK_INT(v, 42);
	CHECK_INT(cfg_get_int(root, "sec", "neg", -10, 0, &v, &d), 1);
	CHECK_INT(v, -7);
	CHECK_INT(cfg_get_int(root, "sec", "big", 0, 999, &v, &d), -1);
	CHECK_STR(d.msg, "sec.big: 1000 is more than 999");
	CHECK_INT(d.line, 3);
	CHECK_INT(cfg_get_int(root, NULL, "word", 0, 9, &v, &d), -1);
	CHECK_STR(d.msg, "word: \"forty\" is not a whole number");
	CHECK_INT(d.line, 4);
	v = -1;
	CHECK_INT(cfg_get_int(root, NULL, "absent", 0, 9, &v, &d), 0);
	CHECK_INT(cfg_get_int(root, NULL, "empty", 0, 9, &v, &d), 0);
	CHECK_INT(cfg_get_int(root, NULL, "tilde", 0, 9, &v, &d), 0);
	CHECK_INT(v, -1);
	CHECK_INT(cfg_get_bool(root, NULL, "yes1", &b, &d), 1);
	CHECK_INT(b, 1);
	CHECK_INT(cfg_get_bool(root, NULL, "no1", &b, &d), 1);
	CHECK_INT(b, 0);
	CHECK_INT(cfg_get_bool(root, NULL, "t", &b, &d), 1);
	CHECK_INT(b, 1);
	CHECK_INT(cfg_get_bool(root, "x", "maybe", &b, &d), -1);
	CHECK_STR(d.msg, "x.maybe: \"perhaps\" is not true or false (or yes "
	    "or no)");
	CHECK_INT(d.line, 8);
	CHECK_INT(cfg_get_str(root, NULL, "quoted_null", &s, &d), 1);
	CHECK_STR(s, "null");
	CHECK_INT(cfg_get_str(root, NULL, "multi", &s, &d), 1);
	CHECK_STR(s, "two\nlines\n");
	CHECK_INT(cfg_get_str(root, NULL, "list", &s, &d), -1);
	CHECK_STR(d.msg, "list: expected a single value, not a list");
	CHECK_INT(d.line, 12);
	CHECK_INT(cfg_get_str(root, NULL, "map", &s, &d), -1);
	CHECK_STR(d.msg, "map: expected a single value, not a map");
	CHECK(cfg_is_null(cfg_get(root, "empty")));
	CHECK(cfg_is_null(cfg_get(root, "nope")));
	CHECK(!cfg_is_null(cfg_get(root, "quoted_null")));
	CHECK(cfg_get(cfg_get(root, "n"), "x") == NULL);
	CHECK_INT(root->key_lines[13], 14);
	/* A long, odd value is quoted short in a message. */
	cfg_free(root);
	root = NULL;
	s = "v: \"\\t01234567890123456789012345678901234567890123456789\"";
	CHECK_INT(cfg_parse_string(s, strlen(s), "t", &root, &d), 0);
	CHECK_INT(cfg_get_int(root, NULL, "v", 0, 9, &v, &d), -1);
	CHECK_STR(d.msg, "v: \"\\x09012345678901234567890123456789012345678...\""
	    " is not a whole number");
	cfg_free(root);
}

int
main(void)
{
	T_RUN(test_full);
	T_RUN(test_defaults);
	T_RUN(test_files);
	T_RUN(test_bad_values);
	T_RUN(test_good_values);
	T_RUN(test_unknown_keys);
	T_RUN(test_tree_errors);
	T_RUN(test_depth);
	T_RUN(test_readers);
	return T_DONE();
}

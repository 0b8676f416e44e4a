/*
 * test_clientdir: the client folder's rules: the id's alphabet and
 * length, which state and config a run uses (explicit options, the
 * folder, the environment, and the mixes refused), paths resolved with
 * links and parts not made yet, and the config paths kept inside the
 * folder.  Runs in a temporary folder holding clients A and B.
 */
#define _XOPEN_SOURCE 700	/* realpath, symlink, mkdtemp */

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "clientdir.h"
#include "util.h"
#include "t.h"

static char top[4096];	/* the temporary folder, resolved */

static void
put(const char *path, const char *text)
{
	FILE *fp = fopen(path, "w");

	if (fp == NULL) {
		perror(path);
		exit(2);
	}
	fputs(text, fp);
	fclose(fp);
}

static void
test_id(void)
{
	static const struct {
		const char *id;
		int ok;
	} t[] = {
		{ "", 0 }, { "a", 1 }, { "A_z-9", 1 }, { "-", 1 },
		{ "a b", 0 }, { "a.b", 0 }, { "a/b", 0 }, { "..", 0 },
		{ "caf\xc3\xa9", 0 }, { "a\n", 0 },
		{ "0123456789012345678901234567890123456789012345678901234567890123",
		    1 },
		{ "01234567890123456789012345678901234567890123456789012345678901234",
		    0 },
	};

	for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
		if (clientdir_id_ok(t[i].id) != t[i].ok)
			printf("#   id \"%s\"\n", t[i].id);
		CHECK_INT(clientdir_id_ok(t[i].id), t[i].ok);
	}
}

static void
test_resolve(void)
{
	static const struct {
		struct clientdir_in in;
		const char *db, *config, *client, *from, *err;
	} t[] = {
		/* No client: the options, the environment, the default. */
		{ { NULL, NULL, NULL, NULL, NULL, NULL },
		    "creditkit.db", NULL, NULL, NULL, NULL },
		{ { NULL, "", NULL, "", NULL, "" },
		    "creditkit.db", NULL, NULL, NULL, NULL },
		{ { NULL, NULL, NULL, "x.db", NULL, "x.yaml" },
		    "x.db", "x.yaml", NULL, NULL, NULL },
		{ { NULL, NULL, "o.db", "x.db", "o.yaml", "x.yaml" },
		    "o.db", "o.yaml", NULL, NULL, NULL },
		/* A client: its files. */
		{ { "A", NULL, NULL, NULL, NULL, NULL },
		    "A/state.db", "A/client.yaml", "A", "--client", NULL },
		{ { "A/", NULL, NULL, NULL, NULL, NULL },
		    "A/state.db", "A/client.yaml", "A/", "--client", NULL },
		{ { NULL, "A", NULL, NULL, NULL, NULL },
		    "A/state.db", "A/client.yaml", "A", "CREDITKIT_CLIENT",
		    NULL },
		/* --client wins over the environment's client. */
		{ { "B", "A", NULL, NULL, NULL, NULL },
		    "B/state.db", "B/client.yaml", "B", "--client", NULL },
		/* Options on the command line win over the folder. */
		{ { "A", NULL, "B/state.db", NULL, NULL, NULL },
		    "B/state.db", "A/client.yaml", "A", "--client", NULL },
		{ { NULL, "A", NULL, NULL, "B/client.yaml", NULL },
		    "A/state.db", "B/client.yaml", "A", "CREDITKIT_CLIENT",
		    NULL },
		/* The environment may name the client's own files. */
		{ { "A", NULL, NULL, "A/state.db", NULL, "A/client.yaml" },
		    "A/state.db", "A/client.yaml", "A", "--client", NULL },
		{ { "A", NULL, NULL, "./A/../A/state.db", NULL, NULL },
		    "A/state.db", "A/client.yaml", "A", "--client", NULL },
		/* ... and no other client's: refused, even with --db. */
		{ { "A", NULL, NULL, "B/state.db", NULL, NULL },
		    NULL, NULL, NULL, NULL,
		    "CREDITKIT_DB names B/state.db, not A/state.db of --client "
		    "A (unset it, or name the state with --db)" },
		{ { "A", NULL, "A/state.db", "B/state.db", NULL, NULL },
		    NULL, NULL, NULL, NULL,
		    "CREDITKIT_DB names B/state.db, not A/state.db of --client "
		    "A (unset it, or name the state with --db)" },
		{ { NULL, "A", NULL, "state.db", NULL, NULL },
		    NULL, NULL, NULL, NULL,
		    "CREDITKIT_DB names state.db, not A/state.db of "
		    "CREDITKIT_CLIENT A (unset it, or name the state with "
		    "--db)" },
		{ { "A", NULL, NULL, NULL, NULL, "B/client.yaml" },
		    NULL, NULL, NULL, NULL,
		    "CREDITKIT_CONFIG names B/client.yaml, not A/client.yaml "
		    "of --client A (unset it, or name the config with "
		    "--config)" },
		/* Not a client folder. */
		{ { "", NULL, NULL, NULL, NULL, NULL },
		    NULL, NULL, NULL, NULL, "--client: an empty folder name" },
		{ { "nowhere", NULL, NULL, NULL, NULL, NULL },
		    NULL, NULL, NULL, NULL, "--client nowhere: no such folder" },
		{ { NULL, "nowhere", NULL, NULL, NULL, NULL },
		    NULL, NULL, NULL, NULL,
		    "CREDITKIT_CLIENT nowhere: no such folder" },
		{ { "A/client.yaml", NULL, NULL, NULL, NULL, NULL },
		    NULL, NULL, NULL, NULL,
		    "--client A/client.yaml: not a folder" },
		{ { "E", NULL, NULL, NULL, NULL, NULL },
		    NULL, NULL, NULL, NULL,
		    "--client E: not a client folder (it has no client.yaml)" },
	};

	for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
		struct clientdir_out o;
		struct diag d;
		int rc;

		diag_clear(&d);
		rc = clientdir_resolve(&t[i].in, &o, &d);
		printf("# resolve %zu\n", i);
		CHECK_INT(rc, t[i].err ? -1 : 0);
		if (t[i].err) {
			CHECK_STR(d.msg, t[i].err);
			CHECK(o.db == NULL && o.client == NULL);
		} else {
			CHECK_STR(o.db, t[i].db);
			CHECK_STR(o.config, t[i].config);
			CHECK_STR(o.client, t[i].client);
			CHECK_STR(o.client_from, t[i].from);
		}
		clientdir_out_free(&o);
	}
}

static void
test_resolve_path(void)
{
	static const struct {
		const char *base, *path, *want;	/* want under top; NULL */
	} t[] = {
		{ NULL, "A", "/A" },
		{ NULL, "A/", "/A" },
		{ NULL, "./A/./client.yaml", "/A/client.yaml" },
		{ NULL, "A/new/x", "/A/new/x" },
		{ NULL, "A/new//x/", "/A/new/x" },
		{ NULL, "A/new/../x", NULL },	/* unknowable */
		{ NULL, "A/../B/x", "/B/x" },
		{ NULL, "A/toB/x", "/B/x" },	/* a link: where it leads */
		{ "A", "templates", "/A/templates" },
		{ "A", "../B", "/B" },
	};
	char *want = NULL;

	for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
		char *got = clientdir_resolve_path(t[i].base, t[i].path);

		free(want);
		want = NULL;
		if (t[i].want) {
			struct sbuf w = { 0 };

			sbuf_addf(&w, "%s%s", top, t[i].want);
			want = w.buf;
		}
		printf("# resolve_path %zu\n", i);
		CHECK_STR(got, want);
		free(got);
	}
	free(want);
}

static void
test_inside(void)
{
	static const struct {
		const char *dir, *base, *path;
		int in;
	} t[] = {
		{ "A", NULL, "A", 1 },
		{ "A", NULL, "A/templates/x.txt", 1 },
		{ "A/", NULL, "./A/new/file", 1 },
		{ "A", NULL, "B", 0 },
		{ "A", NULL, "A/../B/templates", 0 },
		{ "A", NULL, "AB/x", 0 },	/* a prefix is not a folder */
		{ "A", NULL, "A/toB", 0 },	/* a link out */
		/* .. from where the link leads (B's parent), back into A */
		{ "A", NULL, "A/toB/../A/x", 1 },
		{ "A", NULL, "A/toB/../B/x", 0 },
		{ "A", NULL, "A/new/../../B", 0 },
		{ "A", NULL, "/etc/passwd", 0 },
		{ "A", "A", "templates", 1 },
		{ "A", "A", "../B/templates", 0 },
		{ "nowhere", NULL, "nowhere/x", 0 },
	};

	for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
		printf("# inside %zu\n", i);
		CHECK_INT(clientdir_inside(t[i].dir, t[i].base, t[i].path,
		    NULL), t[i].in);
	}
}

static void
test_check_config(void)
{
	static const struct {
		const char *cfgpath, *yaml;
		const char *err;	/* %s: top */
		long line;
	} t[] = {
		{ "A/client.yaml", "client:\n  id: A\n", NULL, 0 },
		{ "A/client.yaml", "branding:\n  templates: templates\n",
		    NULL, 0 },
		{ "A/client.yaml", "branding:\n  templates: ./templates/\n",
		    NULL, 0 },
		{ "A/client.yaml", "branding:\n  logo: logo.svg\n", NULL, 0 },
		{ "A/client.yaml", "branding:\n  logo: \"data:image/svg+xml;"
		    "base64,PHN2Zy8+\"\n", NULL, 0 },
		{ "A/client.yaml", "branding:\n  logo: https://x.example/l.png\n",
		    NULL, 0 },
		{ "A/client.yaml", "paths:\n  standard:\n    steps:\n"
		    "      - { step: S1, offset: 0, template: x }\n", NULL, 0 },
		{ "A/client.yaml", "branding:\n  name: x\n"
		    "  templates: ../B/templates\n",
		    "branding.templates: \"../B/templates\" resolves to "
		    "%s/B/templates, outside the client folder A (a client's "
		    "files stay in its folder)", 3 },
		{ "A/client.yaml", "branding:\n  logo: /etc/passwd\n",
		    "branding.logo: \"/etc/passwd\" resolves to /etc/passwd, "
		    "outside the client folder A (a client's files stay in "
		    "its folder)", 2 },
		{ "A/client.yaml", "branding:\n  logo: file:///etc/passwd\n",
		    "branding.logo: \"file:///etc/passwd\" resolves to "
		    "/etc/passwd, outside the client folder A (a client's "
		    "files stay in its folder)", 2 },
		{ "A/client.yaml", "branding:\n  logo: ../B/logo.svg\n",
		    "branding.logo: \"../B/logo.svg\" resolves to "
		    "%s/B/logo.svg, outside the client folder A (a client's "
		    "files stay in its folder)", 2 },
		{ "A/client.yaml", "kpi:\n  x:\n    rates_file: toB/r.tsv\n",
		    "kpi.x.rates_file: \"toB/r.tsv\" resolves to %s/B/r.tsv, "
		    "outside the client folder A (a client's files stay in "
		    "its folder)", 3 },
		{ "A/client.yaml", "export:\n  dir: new/../../B\n",
		    "export.dir: \"new/../../B\" cannot be resolved, outside "
		    "the client folder A (a client's files stay in its "
		    "folder)", 2 },
		/* A link among the templates. */
		{ "A/client.yaml", "branding:\n  templates: t2\n",
		    "branding.templates: \"t2/leak.txt\" resolves "
		    "to %s/B/templates/x.txt, outside the client folder A (a "
		    "client's files stay in its folder)", 2 },
		/* Another client's config: its default templates are its. */
		{ "B/client.yaml", "client:\n  id: B\n",
		    "branding.templates (the default): \"templates\" resolves "
		    "to %s/B/templates, outside the client folder A (a "
		    "client's files stay in its folder)", 0 },
	};

	for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
		struct cfg_node *root = NULL;
		struct diag d;
		struct sbuf want = { 0 };
		int rc;

		diag_clear(&d);
		printf("# check_config %zu\n", i);
		CHECK_INT(cfg_parse_string(t[i].yaml, strlen(t[i].yaml), "t",
		    &root, &d), 0);
		rc = clientdir_check_config(root, t[i].cfgpath, "A", &d);
		CHECK_INT(rc, t[i].err ? -1 : 0);
		if (t[i].err) {
			const char *at = strstr(t[i].err, "%s");

			if (at == NULL)
				sbuf_adds(&want, t[i].err);
			else
				sbuf_addf(&want, "%.*s%s%s",
				    (int)(at - t[i].err), t[i].err, top,
				    at + 2);
			CHECK_STR(d.msg, sbuf_str(&want));
			sbuf_free(&want);
			CHECK_INT(d.line, t[i].line);
		}
		cfg_free(root);
	}
	/* No config at all: the default templates, inside. */
	CHECK_INT(clientdir_check_config(NULL, "A/client.yaml", "A", NULL), 0);
}

int
main(void)
{
	char tmp[] = "/tmp/ck-clientdir-XXXXXX", *r;

	if (mkdtemp(tmp) == NULL || chdir(tmp) != 0 ||
	    (r = realpath(".", NULL)) == NULL) {
		perror(tmp);
		return 2;
	}
	snprintf(top, sizeof top, "%s", r);
	free(r);
	if (mkdir("A", 0777) || mkdir("B", 0777) || mkdir("E", 0777) ||
	    mkdir("AB", 0777) || mkdir("A/templates", 0777) ||
	    mkdir("A/t2", 0777) || mkdir("B/templates", 0777) ||
	    symlink("../B", "A/toB") ||
	    symlink("../../B/templates/x.txt", "A/t2/leak.txt")) {
		perror("setup");
		return 2;
	}
	put("A/client.yaml", "client:\n  id: A\n");
	put("B/client.yaml", "client:\n  id: B\n");
	put("B/templates/x.txt", "x\n");
	put("A/t2/ok.txt", "x\n");

	T_RUN(test_id);
	T_RUN(test_resolve);
	T_RUN(test_resolve_path);
	T_RUN(test_inside);
	T_RUN(test_check_config);

	if (chdir("/") == 0) {
		char cmd[sizeof tmp + 16];

		snprintf(cmd, sizeof cmd, "rm -rf %s", tmp);
		if (system(cmd) != 0)
			printf("# could not remove %s\n", tmp);
	}
	return T_DONE();
}

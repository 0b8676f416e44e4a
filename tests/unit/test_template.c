/*
 * Unit tests of lib/template: fields, loops, conditionals, HTML escaping
 * of hostile names, standalone block lines, and every load-time error
 * with its line (unknown field, element field outside its loop, unclosed
 * and stray blocks, a tag split over lines, a bad partial name).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "template.h"
#include "t.h"

static const char *const scal[] = { "debtor.name", "total", "flag" };
static const char *const inv[] = { "doc_id", "open" };
static const struct tpl_list_schema lst[] = {
	{ "invoices", "invoice", inv, 2 },
	{ "lines", "line", (const char *const[]){ "text" }, 1 },
};
static const struct tpl_schema sch = { scal, 3, lst, 2 };

static const char *
run(const char *src, enum tpl_escape esc, const char *name,
    const char *flag, size_t ninv, struct sbuf *out)
{
	static const char *const iv[] = { "INV-1", "10.00", "INV-2", "5.50" };
	const char *sv[3];
	struct tpl_list_values lv[2] = { { 0, iv }, { 0, NULL } };
	struct tpl_ctx c;
	struct tpl *t;
	struct diag d;

	sv[0] = name;
	sv[1] = "15.50";
	sv[2] = flag;
	lv[0].n = ninv;
	c.scalars = sv;
	c.lists = lv;
	sbuf_reset(out);
	if (tpl_compile(src, strlen(src), &sch, esc, &t, &d) != 0) {
		sbuf_addf(out, "ERROR %ld: %s", d.line, d.msg);
		return sbuf_str(out);
	}
	tpl_render(t, &c, out);
	tpl_free(t);
	return sbuf_str(out);
}

static void
render(void)
{
	struct sbuf o = { 0 };

	CHECK_STR(run("Dear {{debtor.name}},", TPL_TEXT, "O'Brien & Sons",
	    "", 0, &o), "Dear O'Brien & Sons,");
	CHECK_STR(run("<p>{{ debtor.name }}</p>", TPL_HTML,
	    "<script>alert(1)</script>", "", 0, &o),
	    "<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>");
	CHECK_STR(run("<b>{{debtor.name}}</b>", TPL_HTML, "O'Brien & Sons",
	    "", 0, &o), "<b>O&#39;Brien &amp; Sons</b>");
	CHECK_STR(run("<a title=\"{{debtor.name}}\">", TPL_HTML, "a\"b", "",
	    0, &o), "<a title=\"a&quot;b\">");
	/* A loop; standalone block lines vanish with their line end. */
	CHECK_STR(run("Items:\n{{#each invoices}}\n- {{invoice.doc_id}} "
	    "{{invoice.open}}\n{{/each}}\nTotal {{total}}\n", TPL_TEXT, "x",
	    "", 2, &o), "Items:\n- INV-1 10.00\n- INV-2 5.50\nTotal 15.50\n");
	CHECK_STR(run("{{#each invoices}}{{invoice.doc_id}};{{/each}}",
	    TPL_TEXT, "x", "", 0, &o), "");
	/* Conditionals: empty and "0" are false; lists by their length. */
	CHECK_STR(run("{{#if flag}}yes{{else}}no{{/if}}", TPL_TEXT, "x", "1",
	    0, &o), "yes");
	CHECK_STR(run("{{#if flag}}yes{{else}}no{{/if}}", TPL_TEXT, "x", "0",
	    0, &o), "no");
	CHECK_STR(run("{{#if flag}}yes{{else}}no{{/if}}", TPL_TEXT, "x", NULL,
	    0, &o), "no");
	CHECK_STR(run("{{#unless flag}}none{{/unless}}", TPL_TEXT, "x", "",
	    0, &o), "none");
	CHECK_STR(run("{{#if invoices}}some{{else}}none{{/if}}", TPL_TEXT,
	    "x", "", 1, &o), "some");
	CHECK_STR(run("a\n  {{#if flag}}  \nb\n{{/if}}\nc", TPL_TEXT, "x",
	    "", 0, &o), "a\nc");
	CHECK_STR(run("x {{! a note }}y \\{{debtor.name}}", TPL_TEXT, "n",
	    "", 0, &o), "x y {{debtor.name}}");
	/* An inline block keeps the text around it. */
	CHECK_STR(run("a {{#if flag}}b{{/if}} c", TPL_TEXT, "x", "1", 0, &o),
	    "a b c");
	sbuf_free(&o);
}

static void
errors(void)
{
	static const struct { const char *src, *want; } e[] = {
	    { "Dear {{debtor.nme}}", "ERROR 1: unknown field \"debtor.nme\"" },
	    { "a\nb\n{{invoice.doc_id}}", "ERROR 3: field \"invoice.doc_id\" "
	      "is only known inside its {{#each}}" },
	    { "{{#if flag}}\nx\n", "ERROR 1: {{#if}} is not closed" },
	    { "x\n{{/if}}", "ERROR 2: {{/if}} with no block open" },
	    { "{{#each invoices}}\n{{/if}}", "ERROR 2: {{/if}} closes the "
	      "block opened on line 1" },
	    { "{{#each bills}}{{/each}}", "ERROR 1: unknown list \"bills\"" },
	    { "{{#for x}}{{/for}}", "ERROR 1: unknown block \"#for\" (use "
	      "#if, #unless or #each)" },
	    { "{{#if nope}}{{/if}}", "ERROR 1: unknown field \"nope\"" },
	    { "{{#each invoices}}{{#each lines}}{{/each}}{{/each}}",
	      "ERROR 1: {{#each}} inside {{#each}}" },
	    { "a {{total", "ERROR 1: \"{{\" without its \"}}\" (write \\{{ "
	      "for a literal {{)" },
	    { "{{total\n}}", "ERROR 1: a tag must end on its own line" },
	    { "{{else}}", "ERROR 1: {{else}} outside an {{#if}} or "
	      "{{#unless}}, or twice" },
	    { "{{> ../etc}}", "ERROR 1: bad tag \"{{> ../etc}}\" (a field is "
	      "letters, digits, _ - and .)" },
	    { "{{> head}}", "ERROR 1: partial \"head\": no template folder to "
	      "read it from" },
	    { "{{to tal}}", "ERROR 1: bad tag \"{{to tal}}\" (a field is "
	      "letters, digits, _ - and .)" },
	};
	struct sbuf o = { 0 };

	for (size_t i = 0; i < sizeof e / sizeof e[0]; i++)
		CHECK_STR(run(e[i].src, TPL_TEXT, "x", "", 0, &o), e[i].want);
	sbuf_free(&o);
}

static void
files(void)
{
	char dir[] = "/tmp/ck-tpl-XXXXXX";
	struct sbuf p = { 0 }, ef = { 0 }, o = { 0 };
	struct tpl *t;
	struct diag d;
	FILE *fp;

	if (mkdtemp(dir) == NULL) {
		CHECK(0);
		return;
	}
	sbuf_addf(&p, "%s/_head.html", dir);
	fp = fopen(sbuf_str(&p), "w");
	fputs("<h1>{{debtor.name}}</h1>\n{{#if flag}}\n", fp);
	fclose(fp);
	sbuf_reset(&p);
	sbuf_addf(&p, "%s/a.html", dir);
	fp = fopen(sbuf_str(&p), "w");
	fputs("<html>\n{{> _head}}\n</html>\n", fp);
	fclose(fp);
	/* The partial's unclosed #if is told with the partial's name. */
	CHECK_INT(tpl_load(dir, "a.html", &sch, TPL_HTML, &t, &ef, &d), -1);
	CHECK_STR(sbuf_str(&ef), "_head.html");
	CHECK_INT(d.line, 2);
	CHECK_STR(d.msg, "{{#if}} is not closed");
	sbuf_reset(&p);
	sbuf_addf(&p, "%s/_head.html", dir);
	fp = fopen(sbuf_str(&p), "w");
	fputs("<h1>{{debtor.name}}</h1>\n", fp);
	fclose(fp);
	CHECK_INT(tpl_load(dir, "a.html", &sch, TPL_HTML, &t, &ef, &d), 0);
	{
		const char *sv[3] = { "A&B", "", "" };
		struct tpl_list_values lv[2] = { { 0, NULL }, { 0, NULL } };
		struct tpl_ctx c = { sv, lv };

		tpl_render(t, &c, &o);
		CHECK_STR(sbuf_str(&o), "<html>\n<h1>A&amp;B</h1>\n</html>\n");
		CHECK_INT(tpl_uses(t, 0), 1);
		CHECK_INT(tpl_uses(t, 1), 0);
	}
	tpl_free(t);
	/* A partial that includes itself stops at the depth bound. */
	sbuf_reset(&p);
	sbuf_addf(&p, "%s/_loop.txt", dir);
	fp = fopen(sbuf_str(&p), "w");
	fputs("{{> _loop}}", fp);
	fclose(fp);
	CHECK_INT(tpl_load(dir, "_loop.txt", &sch, TPL_TEXT, &t, &ef, &d),
	    -1);
	CHECK_STR(d.msg, "partial \"_loop\": partials nest too deep (a "
	    "cycle?)");
	sbuf_reset(&p);
	sbuf_addf(&p, "rm -rf '%s'", dir);
	CHECK_INT(system(sbuf_str(&p)), 0);
	sbuf_free(&p);
	sbuf_free(&ef);
	sbuf_free(&o);
}

int
main(void)
{
	T_RUN(render);
	T_RUN(errors);
	T_RUN(files);
	return T_DONE();
}

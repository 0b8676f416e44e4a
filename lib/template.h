/*
 * template: the mail-merge language of creditkit's letters, e-mails and
 * SMS (creditkit-template(5) is its reference).
 *
 *   {{name}}                  a field's value (HTML-escaped in HTML)
 *   {{#if name}} .. {{else}} .. {{/if}}
 *   {{#unless name}} .. {{/unless}}
 *   {{#each list}} .. {{/each}}   once per element; inside, the
 *                             element's fields as {{item.field}}
 *   {{> name}}                the partial file name.EXT of the same
 *                             folder (EXT: the including file's)
 *   {{! comment }}            nothing
 *   \{{                       a literal "{{"
 *
 * A field is true when its value is not empty and not "0"; a list when it
 * has elements.  A line holding nothing but one block tag (#if, else,
 * /if, #unless, /unless, #each, /each, a comment) is dropped whole, so
 * text templates need no tricks to avoid blank lines.
 *
 * Every field name is checked against the schema when the template is
 * loaded: an unknown field, an unclosed block or a stray {{/if}} is an
 * error with the file and line then, never a blank in a sent letter.
 * Rendering cannot fail.
 */
#ifndef CK_TEMPLATE_H
#define CK_TEMPLATE_H

#include <stddef.h>
#include "diag.h"
#include "util.h"

enum tpl_escape {
	TPL_TEXT,	/* values as they are */
	TPL_HTML	/* & < > " ' as entities */
};

struct tpl_list_schema {
	const char *name;		/* "invoices" */
	const char *item;		/* "invoice": {{invoice.doc_id}} */
	const char *const *fields;	/* "doc_id", ... */
	size_t nfields;
};

struct tpl_schema {
	const char *const *scalars;	/* "debtor.name", ... */
	size_t nscalars;
	const struct tpl_list_schema *lists;
	size_t nlists;
};

/* The values of one rendering, indexed as the schema. */
struct tpl_list_values {
	size_t n;			/* elements */
	const char *const *values;	/* n * nfields, row by row */
};
struct tpl_ctx {
	const char *const *scalars;	/* nscalars; NULL reads as "" */
	const struct tpl_list_values *lists;	/* nlists */
};

struct tpl;	/* opaque */

/*
 * tpl_load: the template file dir/file, with its partials, compiled
 * against schema.  Returns 0, or -1 with d set (d->line the line) and
 * errfile set to the file the problem is in (the template or a partial).
 * TPL_MAX_DEPTH bounds partials within partials (and so a cycle).
 */
#define TPL_MAX_DEPTH 8
int tpl_load(const char *dir, const char *file, const struct tpl_schema *s,
    enum tpl_escape esc, struct tpl **out, struct sbuf *errfile,
    struct diag *d);
/* tpl_compile: the same from text (name: for partials' folder, none). */
int tpl_compile(const char *text, size_t n, const struct tpl_schema *s,
    enum tpl_escape esc, struct tpl **out, struct diag *d);
void tpl_free(struct tpl *t);

/* tpl_uses: 1 if the template refers to the scalar field i anywhere. */
int tpl_uses(const struct tpl *t, size_t i);

/* tpl_render: appends the rendering to out. */
void tpl_render(const struct tpl *t, const struct tpl_ctx *c,
    struct sbuf *out);

/* tpl_html_escape: s escaped as tpl_render escapes HTML values. */
void tpl_html_escape(const char *s, struct sbuf *out);

#endif

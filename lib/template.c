/*
 * template: compiles a template (and its partials) into a flat list of
 * nodes checked against a schema of field names, and renders it.  See
 * template.h for the language; creditkit-template(5) for the reference.
 *
 * Blocks are kept flat: an #if node knows where its {{else}} and its end
 * are, an #each node its end, so rendering is a loop over a range with
 * no tree to build or free.  Partials are compiled in place, so their
 * fields are checked against the same schema and a mistake in one is
 * reported with the partial's own file and line.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "template.h"

enum node_kind { N_TEXT, N_VAR, N_IF, N_ELSE, N_EACH, N_END };

struct node {
	enum node_kind kind;
	char *text;		/* N_TEXT */
	size_t len;
	int item;		/* N_VAR, N_IF: 1 an element's field */
	int list;		/* N_IF: 1 a list's emptiness */
	int negate;		/* N_IF from #unless */
	size_t idx;		/* field or list index */
	size_t alt, end;	/* N_IF: else (or end); N_IF, N_EACH: end */
	long line;
	char open;		/* N_IF: 'i' if, 'u' unless; N_EACH 'e' */
};

struct tpl {
	struct node *nodes;
	size_t n, cap;
	enum tpl_escape esc;
	unsigned char *used;	/* nscalars */
	size_t nscalars;
	size_t *nfields;	/* per list of the schema */
};

#define MAX_NEST 32

struct parser {
	struct tpl *t;
	const struct tpl_schema *s;
	const char *dir;	/* NULL: no partials */
	struct sbuf *errfile;
	struct diag *d;
	size_t stack[MAX_NEST];	/* open block nodes */
	size_t depth;
	long each_list;		/* the open #each's list, -1 none */
};

static size_t
add_node(struct tpl *t, enum node_kind k, long line)
{
	if (t->n == t->cap) {
		t->cap = t->cap ? 2 * t->cap : 32;
		t->nodes = xreallocarray(t->nodes, t->cap, sizeof *t->nodes);
	}
	memset(&t->nodes[t->n], 0, sizeof t->nodes[t->n]);
	t->nodes[t->n].kind = k;
	t->nodes[t->n].line = line;
	return t->n++;
}

static void
add_text(struct tpl *t, const char *s, size_t n, long line)
{
	size_t i;

	if (n == 0)
		return;
	i = add_node(t, N_TEXT, line);
	t->nodes[i].text = xstrndup(s, n);
	t->nodes[i].len = n;
}

static int perr(struct parser *p, const char *file, long line,
    const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static int
perr(struct parser *p, const char *file, long line, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(p->d->msg, sizeof p->d->msg, fmt, ap);
	va_end(ap);
	p->d->line = line;
	if (p->errfile != NULL) {
		sbuf_reset(p->errfile);
		sbuf_adds(p->errfile, file ? file : "<template>");
	}
	return -1;
}

static int
name_ok(const char *s, size_t n, int dots)
{
	if (n == 0)
		return 0;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || c == '_' || c == '-' ||
		    (dots && c == '.')))
			return 0;
	}
	return 1;
}

/*
 * lookup: name as a scalar (*item 0), an element's field inside the open
 * #each (*item 1), or with lists_ok a list (*list 1).  0 or -1.
 */
static int
lookup(struct parser *p, const char *name, int lists_ok, int *item,
    int *list, size_t *idx)
{
	const struct tpl_schema *s = p->s;
	int outside = 0;

	*item = *list = 0;
	for (size_t i = 0; i < s->nscalars; i++)
		if (strcmp(s->scalars[i], name) == 0) {
			*idx = i;
			return 0;
		}
	for (size_t l = 0; l < s->nlists; l++) {
		const struct tpl_list_schema *L = &s->lists[l];
		size_t k = strlen(L->item);

		if (lists_ok && strcmp(L->name, name) == 0) {
			*list = 1;
			*idx = l;
			return 0;
		}
		if (strncmp(name, L->item, k) != 0 || name[k] != '.')
			continue;
		for (size_t f = 0; f < L->nfields; f++)
			if (strcmp(L->fields[f], name + k + 1) == 0) {
				if (p->each_list != (long)l) {
					outside = 1;	/* not its loop */
					break;
				}
				*item = 1;
				*idx = f;
				return 0;
			}
	}
	return outside ? -2 : -1;
}

static int compile_src(struct parser *p, const char *src, size_t n,
    const char *file, int depth);

static int
do_partial(struct parser *p, const char *name, const char *file, long line,
    int depth)
{
	struct sbuf path = { 0 };
	const char *ext = file ? strrchr(file, '.') : NULL;
	struct sbuf text = { 0 };
	char buf[4096];
	size_t got;
	FILE *fp;
	int rc;

	if (p->dir == NULL || file == NULL)
		return perr(p, file, line, "partial \"%s\": no template "
		    "folder to read it from", name);
	if (depth >= TPL_MAX_DEPTH)
		return perr(p, file, line, "partial \"%s\": partials nest "
		    "too deep (a cycle?)", name);
	sbuf_addf(&path, "%s/%s%s", p->dir, name, ext ? ext : "");
	if ((fp = fopen(sbuf_str(&path), "rb")) == NULL) {
		rc = perr(p, file, line, "partial \"%s\": %s: %s", name,
		    sbuf_str(&path), strerror(errno));
		sbuf_free(&path);
		return rc;
	}
	while ((got = fread(buf, 1, sizeof buf, fp)) > 0)
		sbuf_add(&text, buf, got);
	fclose(fp);
	{
		const char *slash = strrchr(sbuf_str(&path), '/');
		char *pf = xstrdup(slash ? slash + 1 : sbuf_str(&path));

		rc = compile_src(p, sbuf_str(&text), text.len, pf, depth + 1);
		free(pf);
	}
	sbuf_free(&path);
	sbuf_free(&text);
	return rc;
}

/* standalone: the tag [ts, te) is alone on its line; sets the line's
 * start and the position after its end. */
static int
standalone(const char *src, size_t n, size_t ts, size_t te, size_t *ls,
    size_t *le)
{
	size_t a = ts, b = te;

	while (a > 0 && (src[a - 1] == ' ' || src[a - 1] == '\t'))
		a--;
	if (a > 0 && src[a - 1] != '\n')
		return 0;
	while (b < n && (src[b] == ' ' || src[b] == '\t'))
		b++;
	if (b < n && src[b] == '\r' && b + 1 < n && src[b + 1] == '\n')
		b++;
	if (b < n && src[b] != '\n')
		return 0;
	*ls = a;
	*le = b < n ? b + 1 : b;
	return 1;
}

static int
compile_src(struct parser *p, const char *src, size_t n, const char *file,
    int depth)
{
	struct tpl *t = p->t;
	size_t pos = 0, lit = 0, base = p->depth;
	long line = 1, lit_line = 1;

	while (pos < n) {
		size_t ts, te, ns, nl, ls, le;
		const char *tag;
		long tag_line;
		char name[128], sigil;

		if (src[pos] == '\n') {
			line++;
			pos++;
			continue;
		}
		if (src[pos] == '\\' && pos + 2 < n && src[pos + 1] == '{'
		    && src[pos + 2] == '{') {
			add_text(t, src + lit, pos - lit, lit_line);
			add_text(t, "{{", 2, line);
			pos += 3;
			lit = pos;
			lit_line = line;
			continue;
		}
		if (src[pos] != '{' || pos + 1 >= n || src[pos + 1] != '{') {
			pos++;
			continue;
		}
		ts = pos;
		tag_line = line;
		tag = memchr(src + ts + 2, '}', n - ts - 2);
		while (tag != NULL && ((size_t)(tag - src) + 1 >= n ||
		    tag[1] != '}'))
			tag = memchr(tag + 1, '}', n - (size_t)(tag + 1 - src));
		if (tag == NULL)
			return perr(p, file, tag_line, "%s", "\"{{\" without "
			    "its \"}}\" (write \\{{ for a literal {{)");
		te = (size_t)(tag - src) + 2;
		for (size_t i = ts; i < te; i++)
			if (src[i] == '\n')
				return perr(p, file, tag_line, "%s", "a tag "
				    "must end on its own line");
		ns = ts + 2;
		nl = te - 2;
		while (ns < nl && (src[ns] == ' ' || src[ns] == '\t'))
			ns++;
		sigil = ns < nl ? src[ns] : '\0';
		if (sigil == '#' || sigil == '/' || sigil == '>' ||
		    sigil == '!')
			ns++;
		while (ns < nl && (src[ns] == ' ' || src[ns] == '\t'))
			ns++;
		while (nl > ns && (src[nl - 1] == ' ' || src[nl - 1] == '\t'))
			nl--;
		if (sigil == '!') {
			name[0] = '\0';
		} else if (nl - ns >= sizeof name || (sigil != '#' &&
		    !name_ok(src + ns, nl - ns, 1))) {
			char q[160];

			snprintf(q, sizeof q, "%.*s", (int)(te - ts > 120 ?
			    120 : te - ts), src + ts);
			return perr(p, file, tag_line, "bad tag \"%s\" (a "
			    "field is letters, digits, _ - and .)", q);
		} else {
			memcpy(name, src + ns, nl - ns);
			name[nl - ns] = '\0';
		}
		/* A block tag alone on its line takes the line with it. */
		ls = ts;
		le = te;
		if ((sigil == '#' || sigil == '/' || sigil == '!' ||
		    sigil == '>' ||
		    (sigil != '>' && strcmp(name, "else") == 0)) &&
		    !standalone(src, n, ts, te, &ls, &le)) {
			ls = ts;
			le = te;
		}
		add_text(t, src + lit, ls - lit, lit_line);
		for (size_t i = te; i < le; i++)
			if (src[i] == '\n')
				line++;
		pos = lit = le;
		lit_line = line;

		if (sigil == '!')
			continue;
		if (sigil == '>') {
			if (!name_ok(name, strlen(name), 0))
				return perr(p, file, tag_line, "partial "
				    "\"%s\": a name of letters, digits, _ "
				    "and -", name);
			if (do_partial(p, name, file, tag_line, depth) != 0)
				return -1;
			continue;
		}
		if (sigil == '#') {
			char *arg;
			int item, list;
			size_t idx, k;
			int rc;

			/* "#if name": the keyword, then the field. */
			{
				size_t off = ns;

				while (off < nl && src[off] != ' ' &&
				    src[off] != '\t')
					off++;
				k = off - ns;
				while (off < nl && (src[off] == ' ' ||
				    src[off] == '\t'))
					off++;
				if (k >= sizeof name || off >= nl ||
				    nl - off >= sizeof name)
					return perr(p, file, tag_line, "%s",
					    "a block tag is {{#if FIELD}}, "
					    "{{#unless FIELD}} or {{#each "
					    "LIST}}");
				memcpy(name, src + ns, k);
				name[k] = '\0';
				arg = name + k + 1;
				memcpy(arg, src + off, nl - off);
				arg[nl - off] = '\0';
				if (!name_ok(arg, strlen(arg), 1))
					return perr(p, file, tag_line, "bad "
					    "field \"%s\" (letters, digits, _ "
					    "- and .)", arg);
			}
			if (p->depth >= MAX_NEST)
				return perr(p, file, tag_line, "%s", "blocks "
				    "nest too deep");
			if (strcmp(name, "each") == 0) {
				size_t l;

				if (p->each_list >= 0)
					return perr(p, file, tag_line, "%s",
					    "{{#each}} inside {{#each}}");
				for (l = 0; l < p->s->nlists; l++)
					if (strcmp(p->s->lists[l].name, arg)
					    == 0)
						break;
				if (l == p->s->nlists)
					return perr(p, file, tag_line,
					    "unknown list \"%s\"", arg);
				idx = add_node(t, N_EACH, tag_line);
				t->nodes[idx].idx = l;
				t->nodes[idx].open = 'e';
				p->each_list = (long)l;
				p->stack[p->depth++] = idx;
				continue;
			}
			if (strcmp(name, "if") != 0 &&
			    strcmp(name, "unless") != 0)
				return perr(p, file, tag_line, "unknown block "
				    "\"#%s\" (use #if, #unless or #each)",
				    name);
			rc = lookup(p, arg, 1, &item, &list, &idx);
			if (rc == -2)
				return perr(p, file, tag_line, "field \"%s\" "
				    "is only known inside its {{#each}}", arg);
			if (rc != 0)
				return perr(p, file, tag_line, "unknown field "
				    "\"%s\"", arg);
			k = add_node(t, N_IF, tag_line);
			t->nodes[k].item = item;
			t->nodes[k].list = list;
			t->nodes[k].idx = idx;
			t->nodes[k].negate = name[0] == 'u';
			t->nodes[k].open = name[0] == 'u' ? 'u' : 'i';
			t->nodes[k].alt = (size_t)-1;
			if (!item && !list)
				t->used[idx] = 1;
			p->stack[p->depth++] = k;
			continue;
		}
		if (sigil == '/') {
			struct node *o;
			size_t e;
			char want = strcmp(name, "each") == 0 ? 'e' :
			    strcmp(name, "if") == 0 ? 'i' :
			    strcmp(name, "unless") == 0 ? 'u' : 0;

			if (want == 0)
				return perr(p, file, tag_line, "unknown block "
				    "end \"/%s\"", name);
			if (p->depth <= base)
				return perr(p, file, tag_line, "{{/%s}} with "
				    "no block open", name);
			o = &t->nodes[p->stack[p->depth - 1]];
			if (o->open != want)
				return perr(p, file, tag_line, "{{/%s}} closes "
				    "the block opened on line %ld", name,
				    o->line);
			e = add_node(t, N_END, tag_line);
			o = &t->nodes[p->stack[--p->depth]];
			o->end = e;
			if (o->kind == N_IF && o->alt == (size_t)-1)
				o->alt = e;
			if (o->kind == N_EACH)
				p->each_list = -1;
			continue;
		}
		if (strcmp(name, "else") == 0) {
			struct node *o;
			size_t e;

			if (p->depth <= base || t->nodes[p->stack[p->depth -
			    1]].kind != N_IF || t->nodes[p->stack[p->depth -
			    1]].alt != (size_t)-1)
				return perr(p, file, tag_line, "%s",
				    "{{else}} outside an {{#if}} or "
				    "{{#unless}}, or twice");
			e = add_node(t, N_ELSE, tag_line);
			o = &t->nodes[p->stack[p->depth - 1]];
			o->alt = e;
			continue;
		}
		{
			int item, list, rc;
			size_t idx, k;

			rc = lookup(p, name, 0, &item, &list, &idx);
			if (rc == -2)
				return perr(p, file, tag_line, "field \"%s\" "
				    "is only known inside its {{#each}}",
				    name);
			if (rc != 0)
				return perr(p, file, tag_line, "unknown field "
				    "\"%s\"", name);
			k = add_node(t, N_VAR, tag_line);
			t->nodes[k].item = item;
			t->nodes[k].idx = idx;
			if (!item)
				t->used[idx] = 1;
		}
	}
	add_text(t, src + lit, n - lit, lit_line);
	if (p->depth > base) {
		struct node *o = &t->nodes[p->stack[p->depth - 1]];

		return perr(p, file, o->line, "{{#%s}} is not closed",
		    o->open == 'e' ? "each" : o->open == 'u' ? "unless" :
		    "if");
	}
	return 0;
}

static int
compile(const char *dir, const char *file, const char *text, size_t n,
    const struct tpl_schema *s, enum tpl_escape esc, struct tpl **out,
    struct sbuf *errfile, struct diag *d)
{
	struct parser p;
	struct tpl *t = xcalloc(1, sizeof *t);

	t->esc = esc;
	t->nscalars = s->nscalars;
	t->used = xcalloc(s->nscalars ? s->nscalars : 1, 1);
	t->nfields = xcalloc(s->nlists ? s->nlists : 1, sizeof *t->nfields);
	for (size_t l = 0; l < s->nlists; l++)
		t->nfields[l] = s->lists[l].nfields;
	memset(&p, 0, sizeof p);
	p.t = t;
	p.s = s;
	p.dir = dir;
	p.errfile = errfile;
	p.d = d;
	p.each_list = -1;
	if (compile_src(&p, text, n, file, 0) != 0) {
		tpl_free(t);
		*out = NULL;
		return -1;
	}
	*out = t;
	return 0;
}

int
tpl_compile(const char *text, size_t n, const struct tpl_schema *s,
    enum tpl_escape esc, struct tpl **out, struct diag *d)
{
	return compile(NULL, NULL, text, n, s, esc, out, NULL, d);
}

int
tpl_load(const char *dir, const char *file, const struct tpl_schema *s,
    enum tpl_escape esc, struct tpl **out, struct sbuf *errfile,
    struct diag *d)
{
	struct sbuf path = { 0 }, text = { 0 };
	char buf[4096];
	size_t got;
	FILE *fp;
	int rc;

	sbuf_addf(&path, "%s/%s", dir, file);
	if ((fp = fopen(sbuf_str(&path), "rb")) == NULL) {
		diag_set(d, "%s", strerror(errno));
		d->line = 0;
		if (errfile) {
			sbuf_reset(errfile);
			sbuf_adds(errfile, file);
		}
		sbuf_free(&path);
		*out = NULL;
		return -1;
	}
	while ((got = fread(buf, 1, sizeof buf, fp)) > 0)
		sbuf_add(&text, buf, got);
	fclose(fp);
	sbuf_free(&path);
	if (!util_utf8_valid(sbuf_str(&text), text.len) ||
	    memchr(sbuf_str(&text), '\0', text.len) != NULL) {
		diag_set(d, "not UTF-8 text");
		d->line = 0;
		if (errfile) {
			sbuf_reset(errfile);
			sbuf_adds(errfile, file);
		}
		sbuf_free(&text);
		*out = NULL;
		return -1;
	}
	rc = compile(dir, file, sbuf_str(&text), text.len, s, esc, out,
	    errfile, d);
	sbuf_free(&text);
	return rc;
}

void
tpl_free(struct tpl *t)
{
	if (t == NULL)
		return;
	for (size_t i = 0; i < t->n; i++)
		free(t->nodes[i].text);
	free(t->nodes);
	free(t->used);
	free(t->nfields);
	free(t);
}

int
tpl_uses(const struct tpl *t, size_t i)
{
	return i < t->nscalars && t->used[i];
}

void
tpl_html_escape(const char *s, struct sbuf *out)
{
	for (; *s; s++)
		switch (*s) {
		case '&': sbuf_adds(out, "&amp;"); break;
		case '<': sbuf_adds(out, "&lt;"); break;
		case '>': sbuf_adds(out, "&gt;"); break;
		case '"': sbuf_adds(out, "&quot;"); break;
		case '\'': sbuf_adds(out, "&#39;"); break;
		default: sbuf_addc(out, *s);
		}
}

/* value: the node's text for the current element of the open list. */
static const char *
value(const struct tpl *t, const struct node *nd, const struct tpl_ctx *c,
    long list, size_t row)
{
	const char *v;

	if (nd->item)
		v = c->lists[list].values[row * t->nfields[list] + nd->idx];
	else
		v = c->scalars[nd->idx];
	return v ? v : "";
}

static int
truthy(const struct tpl *t, const struct node *nd, const struct tpl_ctx *c,
    long list, size_t row)
{
	const char *v;

	if (nd->list)
		return c->lists[nd->idx].n > 0;
	v = value(t, nd, c, list, row);
	return v[0] != '\0' && strcmp(v, "0") != 0;
}

static void
render(const struct tpl *t, size_t lo, size_t hi, const struct tpl_ctx *c,
    long list, size_t row, struct sbuf *out)
{
	size_t i = lo;

	while (i < hi) {
		const struct node *nd = &t->nodes[i];

		switch (nd->kind) {
		case N_TEXT:
			sbuf_add(out, nd->text, nd->len);
			i++;
			break;
		case N_VAR:
			if (t->esc == TPL_HTML)
				tpl_html_escape(value(t, nd, c, list, row),
				    out);
			else
				sbuf_adds(out, value(t, nd, c, list, row));
			i++;
			break;
		case N_IF:
			if (truthy(t, nd, c, list, row) != nd->negate)
				render(t, i + 1, nd->alt, c, list, row, out);
			else if (nd->alt != nd->end)
				render(t, nd->alt + 1, nd->end, c, list, row,
				    out);
			i = nd->end + 1;
			break;
		case N_EACH:
			for (size_t r = 0; r < c->lists[nd->idx].n; r++)
				render(t, i + 1, nd->end, c, (long)nd->idx, r,
				    out);
			i = nd->end + 1;
			break;
		case N_ELSE:
		case N_END:
			i++;
			break;
		}
	}
}

void
tpl_render(const struct tpl *t, const struct tpl_ctx *c, struct sbuf *out)
{
	sbuf_add(out, "", 0);
	render(t, 0, t->n, c, -1, 0, out);
}

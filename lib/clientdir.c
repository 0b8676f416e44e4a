/*
 * clientdir: the client folder's defaults and its isolation rules.
 */
#define _XOPEN_SOURCE 700	/* realpath */

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "clientdir.h"
#include "util.h"

int
clientdir_id_ok(const char *id)
{
	size_t n = 0;

	for (; id[n] != '\0'; n++) {
		char ch = id[n];

		if (n >= CLIENTDIR_ID_MAX)
			return 0;
		if (!((ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') ||
		    (ch >= '0' && ch <= '9') || ch == '_' || ch == '-'))
			return 0;
	}
	return n > 0;
}

char *
clientdir_join(const char *dir, const char *name)
{
	struct sbuf b = { 0 };
	size_t n = strlen(dir);

	sbuf_add(&b, dir, n);
	if (n == 0 || dir[n - 1] != '/')
		sbuf_addc(&b, '/');
	sbuf_adds(&b, name);
	return b.buf;
}

int
clientdir_same_file(const char *a, const char *b)
{
	struct stat sa, sb;
	const char *ba = strrchr(a, '/'), *bb = strrchr(b, '/');
	char *da, *db;
	int same;

	if (stat(a, &sa) == 0 && stat(b, &sb) == 0)
		return sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
	ba = ba ? ba + 1 : a;
	bb = bb ? bb + 1 : b;
	if (strcmp(ba, bb) != 0)
		return 0;
	da = ba == a ? xstrdup(".") : xstrndup(a, (size_t)(ba - a));
	db = bb == b ? xstrdup(".") : xstrndup(b, (size_t)(bb - b));
	same = stat(da, &sa) == 0 && stat(db, &sb) == 0 &&
	    sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
	free(da);
	free(db);
	return same;
}

void
clientdir_out_free(struct clientdir_out *out)
{
	free(out->client);
	free(out->db);
	free(out->config);
	memset(out, 0, sizeof *out);
}

static const char *
given(const char *s)
{
	return s != NULL && *s != '\0' ? s : NULL;
}

int
clientdir_resolve(const struct clientdir_in *in, struct clientdir_out *out,
    struct diag *d)
{
	const char *dir, *from;
	char *own_db = NULL, *own_cfg = NULL;
	struct stat sb;

	memset(out, 0, sizeof *out);
	if (in->client_opt != NULL && *in->client_opt == '\0') {
		diag_set(d, "--client: an empty folder name");
		return -1;
	}
	dir = in->client_opt;
	from = "--client";
	if (dir == NULL) {
		dir = given(in->client_env);
		from = "CREDITKIT_CLIENT";
	}
	if (dir == NULL) {
		const char *db = in->db_opt ? in->db_opt : given(in->db_env);
		const char *cfg = in->config_opt ? in->config_opt :
		    given(in->config_env);

		out->db = xstrdup(db ? db : "creditkit.db");
		out->config = cfg ? xstrdup(cfg) : NULL;
		return 0;
	}
	if (stat(dir, &sb) != 0) {
		diag_set(d, "%s %s: %s", from, dir, errno == ENOENT ?
		    "no such folder" : strerror(errno));
		return -1;
	}
	if (!S_ISDIR(sb.st_mode)) {
		diag_set(d, "%s %s: not a folder", from, dir);
		return -1;
	}
	own_db = clientdir_join(dir, "state.db");
	own_cfg = clientdir_join(dir, "client.yaml");
	if (stat(own_cfg, &sb) != 0 || !S_ISREG(sb.st_mode)) {
		diag_set(d, "%s %s: not a client folder (it has no "
		    "client.yaml)", from, dir);
		goto fail;
	}
	/* The environment's files must be the client's: a shell that still
	 * names yesterday's client would mix two of them. */
	if (given(in->db_env) && !clientdir_same_file(in->db_env, own_db)) {
		diag_set(d, "CREDITKIT_DB names %s, not %s of %s %s (unset it, "
		    "or name the state with --db)", in->db_env, own_db, from,
		    dir);
		goto fail;
	}
	if (given(in->config_env) &&
	    !clientdir_same_file(in->config_env, own_cfg)) {
		diag_set(d, "CREDITKIT_CONFIG names %s, not %s of %s %s (unset "
		    "it, or name the config with --config)", in->config_env,
		    own_cfg, from, dir);
		goto fail;
	}
	out->client = xstrdup(dir);
	out->client_from = from;
	if (in->db_opt != NULL) {
		out->db = xstrdup(in->db_opt);
		free(own_db);
	} else
		out->db = own_db;
	if (in->config_opt != NULL) {
		out->config = xstrdup(in->config_opt);
		free(own_cfg);
	} else
		out->config = own_cfg;
	return 0;
fail:
	free(own_db);
	free(own_cfg);
	return -1;
}

/* is_dotdot: whether the n bytes at s are "..". */
static int
is_dotdot(const char *s, size_t n)
{
	return n == 2 && s[0] == '.' && s[1] == '.';
}

char *
clientdir_resolve_path(const char *base, const char *path)
{
	struct sbuf full = { 0 };
	char *cur, *real = NULL, *out = NULL;
	size_t cut;

	if (path[0] != '/' && base != NULL)
		sbuf_addf(&full, "%s/%s", base, path);
	else
		sbuf_adds(&full, path);
	cur = xstrdup(sbuf_str(&full));
	sbuf_free(&full);
	/* Strip parts from the end until what is left exists: that much
	 * realpath resolves, the rest is taken as written. */
	cut = strlen(cur);
	for (;;) {
		char save = cur[cut];

		cur[cut] = '\0';
		real = realpath(cut == 0 ? "." : cur, NULL);
		cur[cut] = save;
		if (real != NULL || cut == 0 || (errno != ENOENT &&
		    errno != ENOTDIR))
			break;
		while (cut > 0 && cur[cut - 1] == '/')
			cut--;
		while (cut > 0 && cur[cut - 1] != '/')
			cut--;
		if (cut == 0 && cur[0] == '/')
			cut = 1;
	}
	if (real != NULL) {
		struct sbuf b = { 0 };
		const char *p = cur + cut;

		sbuf_adds(&b, real);
		while (*p != '\0') {
			size_t n;

			while (*p == '/')
				p++;
			n = strcspn(p, "/");
			if (n == 0)
				break;
			if (is_dotdot(p, n)) {
				/* Past a part that does not exist: where it
				 * leads cannot be known. */
				sbuf_free(&b);
				goto done;
			}
			if (!(n == 1 && p[0] == '.')) {
				if (b.len == 0 || b.buf[b.len - 1] != '/')
					sbuf_addc(&b, '/');
				sbuf_add(&b, p, n);
			}
			p += n;
		}
		out = b.buf ? b.buf : xstrdup(real);
	}
done:
	free(real);
	free(cur);
	return out;
}

int
clientdir_inside(const char *dir, const char *base, const char *path,
    char **where)
{
	char *rd = realpath(dir, NULL);
	char *rp = clientdir_resolve_path(base, path);
	int in = 0;

	if (rd != NULL && rp != NULL) {
		size_t n = strlen(rd);

		in = strcmp(rd, "/") == 0 || (strncmp(rp, rd, n) == 0 &&
		    (rp[n] == '\0' || rp[n] == '/'));
	}
	free(rd);
	if (where != NULL)
		*where = rp;
	else
		free(rp);
	return in;
}

/* path_key: whether a config key names a file by its name. */
static int
path_key(const char *k)
{
	static const char *const whole[] = {
		"logo", "file", "dir", "folder", "templates", NULL
	};
	static const char *const sfx[] = {
		"_file", "_dir", "_folder", "_path", NULL
	};
	size_t n = strlen(k);

	for (size_t i = 0; whole[i]; i++)
		if (strcmp(k, whole[i]) == 0)
			return 1;
	for (size_t i = 0; sfx[i]; i++) {
		size_t m = strlen(sfx[i]);

		if (n > m && strcmp(k + n - m, sfx[i]) == 0)
			return 1;
	}
	return 0;
}

/* url_path: NULL if s is a URL that names no local file (https:, data:,
 * mailto:); the path part of a file: URL; else s itself. */
static const char *
url_path(const char *s)
{
	size_t n = 0;

	if ((s[0] >= 'A' && s[0] <= 'Z') || (s[0] >= 'a' && s[0] <= 'z')) {
		n = 1;
		while (s[n] != '\0' && (((s[n] | 0x20) >= 'a' &&
		    (s[n] | 0x20) <= 'z') || (s[n] >= '0' && s[n] <= '9') ||
		    s[n] == '+' || s[n] == '.' || s[n] == '-'))
			n++;
	}
	/* One letter and a colon is a Windows drive, not a scheme. */
	if (n < 2 || s[n] != ':')
		return s;
	if (n == 4 && util_strncaseeq(s, "file", 4)) {
		s += 5;
		if (strncmp(s, "//", 2) == 0) {
			s += 2;
			/* file://host/path: only localhost is this machine */
			if (util_strncaseeq(s, "localhost", 9))
				s += 9;
			s = strchr(s, '/') ? strchr(s, '/') : s;
		}
		return s;
	}
	return NULL;
}

struct walk {
	const char *dir, *base;
	struct sbuf key;
	struct diag *d;
};

static int
outside(struct walk *w, const char *key, const char *value, const char *rp,
    long line)
{
	diag_set(w->d, "%s: \"%s\" %s%s, outside the client folder %s (a "
	    "client's files stay in its folder)", key, value,
	    rp ? "resolves to " : "cannot be resolved",
	    rp ? rp : "", w->dir);
	w->d->line = line;
	return -1;
}

/* check_templates: each file of the templates folder (a link can lead
 * anywhere) must stay inside too; written is the folder as the config
 * wrote it, for the message. */
static int
check_templates(struct walk *w, const char *key, const char *written,
    const char *folder, long line)
{
	DIR *dp;
	struct dirent *e;
	int rc = 0;

	if ((dp = opendir(folder)) == NULL)
		return 0;	/* emit-letters says what is wrong with it */
	while (rc == 0 && (e = readdir(dp)) != NULL) {
		char *rp = NULL, *f;

		if (strcmp(e->d_name, ".") == 0 ||
		    strcmp(e->d_name, "..") == 0)
			continue;
		f = clientdir_join(folder, e->d_name);
		if (!clientdir_inside(w->dir, NULL, f, &rp)) {
			char *shown = clientdir_join(written, e->d_name);

			rc = outside(w, key, shown, rp, line);
			free(shown);
		}
		free(rp);
		free(f);
	}
	closedir(dp);
	return rc;
}

static int
check_one(struct walk *w, const char *key, const char *name,
    const char *value, long line)
{
	const char *p = url_path(value);
	char *rp = NULL;
	int rc = 0;

	if (p == NULL || *p == '\0')
		return 0;
	if (!clientdir_inside(w->dir, w->base, p, &rp))
		rc = outside(w, key, value, rp, line);
	else if (strcmp(name, "templates") == 0)
		rc = check_templates(w, key, value, rp, line);
	free(rp);
	return rc;
}

static int
walk_node(struct walk *w, const struct cfg_node *n, const char *name,
    long line)
{
	size_t keep = w->key.len;
	int rc = 0;

	if (n == NULL)
		return 0;
	if (n->kind == CFG_SCALAR) {
		if (name != NULL && n->value != NULL && path_key(name))
			rc = check_one(w, sbuf_str(&w->key), name, n->value,
			    n->line ? n->line : line);
		return rc;
	}
	for (size_t i = 0; i < n->n && rc == 0; i++) {
		if (n->kind == CFG_MAP) {
			if (w->key.len > 0)
				sbuf_addc(&w->key, '.');
			sbuf_adds(&w->key, n->keys[i]);
			rc = walk_node(w, n->items[i], n->keys[i],
			    n->key_lines[i]);
		} else {
			/* A list of files under a path key: each is one. */
			rc = walk_node(w, n->items[i], name, line);
		}
		w->key.len = keep;
		if (w->key.buf)
			w->key.buf[keep] = '\0';
	}
	return rc;
}

int
clientdir_check_config(const struct cfg_node *root, const char *config_path,
    const char *dir, struct diag *d)
{
	struct walk w = { 0 };
	const char *slash = config_path ? strrchr(config_path, '/') : NULL;
	char *base;
	int rc;

	base = slash == NULL ? xstrdup(".") : slash == config_path ?
	    xstrdup("/") : xstrndup(config_path, (size_t)(slash - config_path));
	w.dir = dir;
	w.base = base;
	w.d = d;
	rc = walk_node(&w, root, NULL, 0);
	/* The templates emit-letters reads when the config names none. */
	if (rc == 0 && cfg_is_null(cfg_get(cfg_get(root, "branding"),
	    "templates")))
		rc = check_one(&w, "branding.templates (the default)",
		    "templates", "templates", 0);
	sbuf_free(&w.key);
	free(base);
	return rc;
}

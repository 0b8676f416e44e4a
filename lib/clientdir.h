/*
 * clientdir: a bureau's client folder (--client DIR, $CREDITKIT_CLIENT)
 * and the rules that keep one client's run away from another's files:
 * which state and config a run uses (clientdir_resolve: explicit options
 * win, the folder gives the defaults, an environment that names another
 * client's files is refused), what a client id may be, and whether the
 * paths a config names stay inside the folder.  See creditkit(7), THE
 * BUREAU LAYOUT.  Pure logic over the file system: nothing printed.
 */
#ifndef CK_CLIENTDIR_H
#define CK_CLIENTDIR_H

#include "config.h"
#include "diag.h"

#define CLIENTDIR_ID_MAX 64

/* clientdir_id_ok: id is 1 to 64 of A-Z a-z 0-9 _ -. */
int clientdir_id_ok(const char *id);

/* What the command line and the environment said; NULL when not given.
 * An empty environment value counts as not given. */
struct clientdir_in {
	const char *client_opt, *client_env;
	const char *db_opt, *db_env;
	const char *config_opt, *config_env;
};

/* What the run uses, allocated (clientdir_out_free). */
struct clientdir_out {
	char *client;		/* the folder as named; NULL: no client */
	const char *client_from;	/* "--client" or "CREDITKIT_CLIENT" */
	char *db;		/* never NULL: ./creditkit.db at the least */
	char *config;		/* NULL: no config */
};

/*
 * clientdir_resolve: --db and --config win; then, with a client folder
 * (--client, else $CREDITKIT_CLIENT), DIR/state.db and DIR/client.yaml;
 * without one, $CREDITKIT_DB, $CREDITKIT_CONFIG, ./creditkit.db.
 * Returns 0, or -1 with d set (a usage error): the folder does not exist
 * or holds no client.yaml, or a client is named and $CREDITKIT_DB or
 * $CREDITKIT_CONFIG names another file than the client's (two clients
 * mixed silently is what must never happen).  out is always safe to free.
 */
int clientdir_resolve(const struct clientdir_in *in,
    struct clientdir_out *out, struct diag *d);
void clientdir_out_free(struct clientdir_out *out);

/* clientdir_join: dir/name, allocated, without a doubled '/'. */
char *clientdir_join(const char *dir, const char *name);

/* clientdir_same_file: whether a and b name one file: by device and
 * inode when both exist, else the same last component in the same
 * folder (a file not made yet). */
int clientdir_same_file(const char *a, const char *b);

/*
 * clientdir_resolve_path: path made absolute with every symbolic link
 * and "." and ".." resolved, as realpath(3), also when its last parts do
 * not exist yet (they are taken as written; a ".." among them makes it
 * unresolvable).  A relative path is taken from the folder base (NULL:
 * the current one).  Allocated, or NULL.
 */
char *clientdir_resolve_path(const char *base, const char *path);

/* clientdir_inside: whether path (as clientdir_resolve_path with base)
 * is dir or lies under it once both are resolved.  *where, when not
 * NULL, gets the resolved path (allocated, NULL if unresolvable). */
int clientdir_inside(const char *dir, const char *base, const char *path,
    char **where);

/*
 * clientdir_check_config: in client mode, every path the config at
 * config_path names must resolve inside dir, relative ones taken from
 * the config's folder: the templates folder (branding.templates, its
 * default "templates" too) and each template in it, and every key that
 * names a file by its name: logo, file, dir, folder, templates, or one
 * ending in _file, _dir, _folder or _path (a logo or value that is a URL,
 * data: or https:, is not a path; file: is).  root may be NULL (an empty
 * config).  0, or -1 with d set: the dotted key, what it resolves to,
 * the folder; d->line at the value (0 for a default).
 */
int clientdir_check_config(const struct cfg_node *root,
    const char *config_path, const char *dir, struct diag *d);

#endif

/*
 * cli: shared options and messages of the tools.
 */
#include <errno.h>
#include <iconv.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "clientdir.h"
#include "date.h"
#include "util.h"

int32_t
cli_today(void)
{
	time_t t = time(NULL);
	struct tm tm;
	int32_t day = 0;

	localtime_r(&t, &tm);
	date_from_ymd(tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, &day);
	return day;
}

static void progress_clear(void);

static void
vmsg(const struct cli *c, const char *fmt, va_list ap)
{
	progress_clear();
	fflush(stdout);
	fprintf(stderr, "%s: ", c->prog);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

void
cli_warn(const struct cli *c, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmsg(c, fmt, ap);
	va_end(ap);
}

void
cli_at(const struct cli *c, const char *file, long line, const char *fmt,
    ...)
{
	va_list ap;

	progress_clear();
	fflush(stdout);
	if (line > 0)
		fprintf(stderr, "%s: %s:%ld: ", c->prog, file, line);
	else
		fprintf(stderr, "%s: %s: ", c->prog, file);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

void
cli_die(const struct cli *c, int status, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmsg(c, fmt, ap);
	va_end(ap);
	exit(status);
}

static void
print_usage(const struct cli *c, FILE *fp)
{
	const char *u = c->usage, *nl;
	int first = 1;

	/* Each SYNOPSIS line gets "usage: " or its indent. */
	while (*u) {
		nl = strchr(u, '\n');
		if (nl == NULL)
			nl = u + strlen(u);
		fprintf(fp, "%s%.*s\n", first ? "usage: " : "       ",
		    (int)(nl - u), u);
		first = 0;
		u = *nl ? nl + 1 : nl;
	}
}

void
cli_usage_error(const struct cli *c, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmsg(c, fmt, ap);
	va_end(ap);
	print_usage(c, stderr);
	exit(EXIT_USAGE);
}

int32_t
cli_parse_date_arg(const struct cli *c, const char *option, const char *arg)
{
	int32_t day;

	if (date_parse_iso(arg, &day) != 0)
		cli_usage_error(c, "%s: \"%s\" is not a date (use YYYY-MM-DD)",
		    option, arg);
	return day;
}

/*
 * std_fds: a tool started with fd 0, 1 or 2 closed would give that number
 * to the next file it opens (a temporary file, the state), and then write
 * its output or messages into it.  Each closed one gets /dev/null, as
 * OpenBSD's and sbase's tools do; a closed stdout is remembered, so a
 * tool whose product is its output can refuse (cli_need_stdout).
 */
static int stdout_was_closed;

static void
std_fds(const char *prog)
{
	for (int fd = 0; fd <= 2; fd++) {
		int nfd;

		if (fcntl(fd, F_GETFD) != -1 || errno != EBADF)
			continue;
		if (fd == 1)
			stdout_was_closed = 1;
		nfd = open("/dev/null", fd == 0 ? O_RDONLY : O_WRONLY);
		if (nfd != fd) {
			/* Nothing safe to print to: stderr may be the one. */
			if (fd != 2)
				fprintf(stderr, "%s: /dev/null: %s\n", prog,
				    strerror(errno));
			exit(EXIT_STATE);
		}
	}
}

void
cli_need_stdout(const struct cli *c)
{
	if (stdout_was_closed)
		cli_die(c, EXIT_STATE, "standard output: %s (the tool was "
		    "started with it closed)", strerror(EBADF));
}

void
cli_init(struct cli *c, const char *prog, const char *usage)
{
	const char *e;

	std_fds(prog);
	memset(c, 0, sizeof *c);
	c->prog = prog;
	c->usage = usage;
	e = getenv("CREDITKIT_DB");
	c->db = e && *e ? e : "creditkit.db";
	e = getenv("CREDITKIT_CONFIG");
	c->config = e && *e ? e : NULL;
	e = getenv("CREDITKIT_AS_OF");
	if (e && *e) {
		if (date_parse_iso(e, &c->as_of) != 0)
			cli_usage_error(c, "CREDITKIT_AS_OF: \"%s\" is not a "
			    "date (use YYYY-MM-DD)", e);
	} else {
		c->as_of = cli_today();
	}
}

int
cli_shared_option(struct cli *c, int opt, const char *arg)
{
	switch (opt) {
	case CLI_OPT_DB:
		if (*arg == '\0')
			cli_usage_error(c, "--db: empty file name");
		c->db = c->opt_db = arg;
		return 1;
	case CLI_OPT_CLIENT:
		if (*arg == '\0')
			cli_usage_error(c, "--client: an empty folder name");
		c->opt_client = arg;
		return 1;
	case CLI_OPT_AS_OF:
		c->as_of = cli_parse_date_arg(c, "--as-of", arg);
		return 1;
	case CLI_OPT_CONFIG:
		c->config = c->opt_config = arg;
		return 1;
	case 'h':
		print_usage(c, stdout);
		printf("See %s(1).\n", c->prog);
		exit(cli_finish(c, EXIT_OK));
	case CLI_OPT_VERSION:
		printf("%s (creditkit) %s\n", c->prog, CK_VERSION);
		exit(cli_finish(c, EXIT_OK));
	case '?':
		/* getopt_long has said what was wrong. */
		print_usage(c, stderr);
		exit(EXIT_USAGE);
	}
	return 0;
}

/* What cli_options_done and cli_config_load made, held here for the
 * run (a tool runs once; these live until it exits). */
static struct clientdir_out resolved;
static char *client_outbox, *client_id;

void
cli_no_future(const struct cli *c)
{
	char ab[DATE_BUFSZ], tb[DATE_BUFSZ];

	if (c->as_of <= cli_today())
		return;
	cli_warn(c, "--as-of %s is after today (%s): the state is never "
	    "changed as of a day still to come (every real day's input "
	    "after it would be older, and refused)",
	    date_format(c->as_of, ab), date_format(cli_today(), tb));
	exit(EXIT_USAGE);
}

void
cli_options_done(struct cli *c)
{
	struct clientdir_in in;
	struct diag d;

	in.client_opt = c->opt_client;
	in.client_env = getenv("CREDITKIT_CLIENT");
	in.db_opt = c->opt_db;
	in.db_env = getenv("CREDITKIT_DB");
	in.config_opt = c->opt_config;
	in.config_env = getenv("CREDITKIT_CONFIG");
	clientdir_out_free(&resolved);
	free(client_outbox);
	client_outbox = NULL;
	diag_clear(&d);
	if (clientdir_resolve(&in, &resolved, &d) != 0)
		cli_usage_error(c, "%s", d.msg);
	c->db = resolved.db;
	c->config = resolved.config;
	c->client = resolved.client;
	if (c->client != NULL)
		client_outbox = clientdir_join(c->client, "outbox");
	c->client_outbox = client_outbox;
}

int
cli_config_load(struct cli *c, struct client_config *cfg, struct diag *d)
{
	if (config_load(c->config, cfg, d) != 0)
		return -1;
	if (c->client != NULL && clientdir_check_config(cfg->root, c->config,
	    c->client, d) != 0) {
		config_free(cfg);
		return -1;
	}
	free(client_id);
	client_id = NULL;
	/* In a bureau the folder is the client: its name is the id the
	 * state must record, whether the config says it or not. */
	if (c->client != NULL) {
		if (clientdir_client_id(c->client, cfg->client.id,
		    cfg->client.id_line, &client_id, d) != 0) {
			config_free(cfg);
			return -1;
		}
	} else if (cfg->client.id != NULL)
		client_id = xstrdup(cfg->client.id);
	c->client_id = client_id;
	return 0;
}

void
cli_check_other_client(const struct cli *c, const char *opt,
    const char *path)
{
	char *other;

	if (c->client == NULL || path == NULL || strcmp(path, "-") == 0 ||
	    !clientdir_other_client(c->client, path, &other))
		return;
	cli_warn(c, "%s: \"%s\" is in the folder of client %s: a run for "
	    "--client %s writes nothing into another client's folder", opt,
	    path, other, c->client);
	free(other);
	exit(EXIT_USAGE);
}

int
cli_state_open(const struct cli *c, struct state *st, enum state_mode mode,
    struct diag *d)
{
	/* Refused before the open, which would make a -wal and -shm in
	 * the other client's folder. */
	if (state_peek_client(c->db, c->client_id, d) != 0) {
		memset(st, 0, sizeof *st);
		return -1;
	}
	if (state_open(st, c->db, mode, c->prog, d) != 0)
		return -1;
	if (state_client(st, c->client_id, d) != 0) {
		state_close(st);
		return -1;
	}
	return 0;
}

const char *
cli_input_name(const char *name)
{
	return name == NULL || strcmp(name, "-") == 0 ? "<stdin>" : name;
}

/*
 * link_hop: where the symbolic link cur points, a relative target taken
 * from the link's folder; NULL when it cannot be read or is too long.
 * Allocated.
 */
static char *
link_hop(const char *cur)
{
	char buf[4096], *next;
	const char *slash = strrchr(cur, '/');
	ssize_t n;
	size_t dl;

	if ((n = readlink(cur, buf, sizeof buf - 1)) < 0 ||
	    (size_t)n == sizeof buf - 1)
		return NULL;
	buf[n] = '\0';
	if (buf[0] == '/' || slash == NULL)
		return xstrdup(buf);
	dl = (size_t)(slash - cur) + 1;
	next = xmalloc(dl + (size_t)n + 1);
	memcpy(next, cur, dl);
	memcpy(next + dl, buf, (size_t)n + 1);
	return next;
}

/*
 * follow_links: where path leads: each symbolic link followed hop by hop
 * (a relative target is taken from the link's folder), up to a name that
 * is not a link (it may not exist: a dangling link's target, a -wal not
 * made yet).  NULL when the chain is too long or unreadable (a loop).
 * Allocated.
 */
static char *
follow_links(const char *path)
{
	char *cur = xstrdup(path);
	struct stat sb;

	for (int hops = 0; hops < 40; hops++) {
		char *next;

		if (lstat(cur, &sb) != 0 || !S_ISLNK(sb.st_mode))
			return cur;
		if ((next = link_hop(cur)) == NULL)
			break;
		free(cur);
		cur = next;
	}
	free(cur);
	return NULL;
}

/*
 * same_name: whether a and b name the same file (clientdir_same_file: by
 * device and inode, or a -wal not made yet by its folder and name), links
 * followed first, so a dangling link onto the state's -wal is the -wal.
 */
static int
same_name(const char *a0, const char *b0)
{
	char *a = follow_links(a0), *b = follow_links(b0);
	int same = a != NULL && b != NULL && clientdir_same_file(a, b);

	free(a);
	free(b);
	return same;
}

int
cli_is_state(const char *path, const char *db)
{
	static const char *const sfx[] = { "", "-wal", "-shm" };
	/* SQLite names the -wal after the state as opened, and a state
	 * reached by a link after the file it names: both are checked. */
	char *real = follow_links(db);
	const char *dbs[2] = { db, real };
	int same = 0;

	for (size_t k = 0; k < 2 && !same; k++) {
		if (dbs[k] == NULL)
			continue;
		for (size_t i = 0; i < sizeof sfx / sizeof sfx[0] && !same;
		    i++) {
			size_t n = strlen(dbs[k]), m = strlen(sfx[i]);
			char *name = xmalloc(n + m + 1);

			memcpy(name, dbs[k], n);
			memcpy(name + n, sfx[i], m + 1);
			same = same_name(path, name);
			free(name);
		}
	}
	free(real);
	return same;
}

/* same_regular: whether path and the file st describes are one regular
 * file (by device and inode); a device (/dev/null as input and output)
 * is not a clash. */
static int
same_regular(const char *path, const struct stat *st)
{
	struct stat a;

	return stat(path, &a) == 0 && S_ISREG(a.st_mode) &&
	    S_ISREG(st->st_mode) && a.st_dev == st->st_dev &&
	    a.st_ino == st->st_ino;
}

/* Every regular file cli_open_input opened, so that cli_replace_open
 * never replaces one, whichever tool forgot to check. */
static struct cli_opened {
	dev_t dev;
	ino_t ino;
} *opened;
static size_t nopened, capopened;

static void
note_opened(FILE *fp)
{
	struct stat sb;

	if (fstat(fileno(fp), &sb) != 0 || !S_ISREG(sb.st_mode))
		return;
	if (nopened == capopened) {
		capopened = capopened ? capopened * 2 : 8;
		opened = xreallocarray(opened, capopened, sizeof *opened);
	}
	opened[nopened].dev = sb.st_dev;
	opened[nopened].ino = sb.st_ino;
	nopened++;
}

static int
is_opened(const char *path)
{
	struct stat sb;

	if (stat(path, &sb) != 0 || !S_ISREG(sb.st_mode))
		return 0;
	for (size_t i = 0; i < nopened; i++)
		if (opened[i].dev == sb.st_dev && opened[i].ino == sb.st_ino)
			return 1;
	return 0;
}

const char *
cli_output_clash(const struct cli *c, const char *path,
    const char *const *inputs, size_t ninputs)
{
	struct stat sb;

	if (cli_is_state(path, c->db))
		return "the state file";
	if (c->config != NULL && stat(c->config, &sb) == 0 &&
	    same_regular(path, &sb))
		return "the configuration file";
	for (size_t i = 0; i < ninputs; i++) {
		const char *in = inputs[i];
		int got = in == NULL || strcmp(in, "-") == 0 ?
		    fstat(0, &sb) : stat(in, &sb);

		if (got == 0 && same_regular(path, &sb))
			return "one of the inputs";
	}
	if (is_opened(path))
		return "one of the inputs";
	return NULL;
}

void
cli_check_output(const struct cli *c, const char *option, const char *path,
    const char *const *inputs, size_t ninputs)
{
	const char *what = cli_output_clash(c, path, inputs, ninputs);

	/* Not a misspelt command line: the message alone, no usage. */
	if (what != NULL)
		cli_die(c, EXIT_USAGE, "%s: %s is %s", option, path, what);
}

int
cli_same_file(const char *path, FILE **files, size_t nfiles, const char *db)
{
	struct stat b;

	for (size_t i = 0; i < nfiles; i++)
		if (fstat(fileno(files[i]), &b) == 0 && same_regular(path, &b))
			return 1;
	if (cli_is_state(path, db))
		return 2;
	return 0;
}

FILE *
cli_open_input(const struct cli *c, const char *name)
{
	FILE *fp;
	struct stat sb;

	if (name == NULL || strcmp(name, "-") == 0) {
		note_opened(stdin);
		return stdin;
	}
	fp = fopen(name, "rb");
	if (fp == NULL) {
		cli_warn(c, "%s: %s", name, strerror(errno));
		return NULL;
	}
	/* A directory opens, then fails on the first read: say so now. */
	if (fstat(fileno(fp), &sb) == 0 && S_ISDIR(sb.st_mode)) {
		cli_warn(c, "%s: %s", name, strerror(EISDIR));
		fclose(fp);
		return NULL;
	}
	note_opened(fp);
	return fp;
}

/* Set when a reader went away: stdout's error flag is then no fault; and
 * when a failure of stdout has been told already. */
static int stdout_gone, stdout_told;

int
cli_copy_out(const struct cli *c, FILE *from)
{
	char buf[65536];
	size_t n;

	if (fflush(from) != 0 || fseek(from, 0, SEEK_SET) != 0) {
		fprintf(stderr, "%s: rereading the output: %s\n", c->prog,
		    strerror(errno));
		return -1;
	}
	while ((n = fread(buf, 1, sizeof buf, from)) > 0) {
		errno = 0;
		if (fwrite(buf, 1, n, stdout) != n)
			goto failed;
	}
	if (ferror(from)) {
		fprintf(stderr, "%s: rereading the output: %s\n", c->prog,
		    strerror(errno ? errno : EIO));
		return -1;
	}
	errno = 0;
	if (fflush(stdout) == 0)
		return 0;
failed:
	if (errno == EPIPE) {
		stdout_gone = 1;
		return 0;
	}
	fprintf(stderr, "%s: standard output: %s\n", c->prog,
	    strerror(errno ? errno : EIO));
	stdout_told = 1;
	return -1;
}

/*
 * replace_target: where a replaced file really lives.  A symbolic link is
 * followed hop by hop, so the temporary file is made and renamed beside
 * the file it names, never over the link itself; a path that is, or
 * whose links pass through, /dev/ or /proc/ (/dev/stdout ->
 * /proc/self/fd/1 -> a file the shell opened) is a device or an open
 * descriptor and is written directly: NULL.  Otherwise the path to
 * rename onto, allocated.
 */
static char *
replace_target(const char *path)
{
	char *cur = xstrdup(path);
	struct stat sb;

	for (int hops = 0; hops < 40; hops++) {
		char *next;

		if (strncmp(cur, "/dev/", 5) == 0 ||
		    strncmp(cur, "/proc/", 6) == 0)
			break;
		if (lstat(cur, &sb) != 0)
			return cur;	/* a new file (or a dangling link's
					   target): made by the rename */
		if (S_ISREG(sb.st_mode))
			return cur;
		if (!S_ISLNK(sb.st_mode))
			break;		/* a FIFO, a device, a directory */
		if ((next = link_hop(cur)) == NULL)
			break;
		free(cur);
		cur = next;
	}
	free(cur);
	return NULL;
}

int
cli_replace_open(const struct cli *c, struct cli_replace *r,
    const char *path)
{
	struct stat sb;
	mode_t mask;
	const char *what;
	char *dest;
	size_t len;
	int fd;

	memset(r, 0, sizeof *r);
	r->path = path;
	/* The last guard, whatever the tool checked: an output never
	 * replaces the state, the configuration or an open input. */
	if ((what = cli_output_clash(c, path, NULL, 0)) != NULL) {
		cli_warn(c, "%s is %s: not overwritten", path, what);
		return -1;
	}
	if ((dest = replace_target(path)) == NULL) {
		struct stat out;

		/* The tool's own stdout (/dev/stdout > file) is written through
		 * its descriptor: a second open would start at offset 0 too,
		 * and what stdout writes next would overwrite it. */
		fflush(stdout);
		if (stat(path, &sb) == 0 && fstat(1, &out) == 0 &&
		    sb.st_dev == out.st_dev && sb.st_ino == out.st_ino) {
			if ((fd = dup(1)) < 0)
				goto fail;
			if ((r->fp = fdopen(fd, "w")) == NULL) {
				close(fd);
				goto fail;
			}
		} else if ((r->fp = fopen(path, "w")) == NULL)
			goto fail;
		return 0;
	}
	/* The temporary file is dest with a suffix: commit renames it onto
	 * dest, the file a link names, the link left as it was. */
	len = strlen(dest);
	r->tmp = xmalloc(len + 8);
	memcpy(r->tmp, dest, len);
	memcpy(r->tmp + len, ".XXXXXX", 8);
	if ((fd = mkstemp(r->tmp)) < 0) {
		free(dest);
		goto fail;
	}
	/* As fopen would have made it (mkstemp's is 0600), or as the file
	 * it replaces was. */
	mask = umask(0);
	umask(mask);
	(void)fchmod(fd, stat(dest, &sb) == 0 ? sb.st_mode & 07777 :
	    0666 & ~mask);
	free(dest);
	if ((r->fp = fdopen(fd, "w")) == NULL) {
		close(fd);
		unlink(r->tmp);
		goto fail;
	}
	return 0;
fail:
	cli_warn(c, "%s: %s", path, strerror(errno));
	free(r->tmp);
	r->tmp = NULL;
	return -1;
}

int
cli_replace_commit(const struct cli *c, struct cli_replace *r)
{
	int bad;

	errno = 0;
	bad = fflush(r->fp) != 0 || ferror(r->fp) ||
	    (r->tmp != NULL && fsync(fileno(r->fp)) != 0);
	if (fclose(r->fp) != 0)
		bad = 1;
	r->fp = NULL;
	if (!bad && r->tmp != NULL) {
		/* tmp is the real destination and ".XXXXXX". */
		size_t n = strlen(r->tmp) - 7;
		char *dest = xmalloc(n + 1);

		memcpy(dest, r->tmp, n);
		dest[n] = '\0';
		if (rename(r->tmp, dest) != 0)
			bad = 1;
		free(dest);
	}
	if (bad) {
		cli_warn(c, "%s: %s", r->path, strerror(errno ? errno : EIO));
		if (r->tmp != NULL)
			unlink(r->tmp);
	}
	free(r->tmp);
	r->tmp = NULL;
	return bad ? -1 : 0;
}

void
cli_replace_abort(struct cli_replace *r)
{
	if (r->fp != NULL)
		fclose(r->fp);
	r->fp = NULL;
	if (r->tmp != NULL)
		unlink(r->tmp);
	free(r->tmp);
	r->tmp = NULL;
}

void
cli_close_input(FILE *fp)
{
	if (fp != NULL && fp != stdin)
		fclose(fp);
}

void
cli_keep_going_on_epipe(void)
{
	signal(SIGPIPE, SIG_IGN);
}

int
cli_stdout_failed(const struct cli *c)
{
	if (errno == EPIPE || stdout_gone) {
		stdout_gone = 1;
		return 0;
	}
	if (!stdout_told)
		fprintf(stderr, "%s: standard output: %s\n", c->prog,
		    strerror(errno ? errno : EIO));
	stdout_told = 1;
	return -1;
}

int
cli_finish(const struct cli *c, int status)
{
	errno = 0;
	if (fflush(stdout) != 0 || ferror(stdout)) {
		/* The reader went away (| head): its choice, not a fault. */
		if (errno == EPIPE || stdout_gone)
			return status;
		if (stdout_told)
			return EXIT_STATE;
		fprintf(stderr, "%s: standard output: %s\n", c->prog,
		    strerror(errno ? errno : EIO));
		return EXIT_STATE;
	}
	return status;
}

void
cli_report(void *reporter, const char *file, long line, const char *msg)
{
	struct cli_reporter *rp = reporter;
	long limit = rp->limit > 0 ? rp->limit : 100;

	if (rp->shown++ < limit)
		cli_at(rp->cli, file, line, "%s", msg);
	else if (rp->shown == limit + 1)
		cli_warn(rp->cli, "more messages not shown");
}

/* The line on the terminal now, cleared before any message. */
static struct cli_progress *drawn;

static double
now_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/*
 * Where the line is drawn: standard error when it is a terminal; else
 * the descriptor $CREDITKIT_PROGRESS_FD names (3 or more) when that is a
 * terminal: creditkit-nightly's, whose tools' standard error goes to the
 * client's log.  -1: nowhere.
 */
static int
progress_fd(void)
{
	static int fd = -2;
	const char *s;
	char *end;
	long n;

	if (fd != -2)
		return fd;
	fd = -1;
	if (isatty(2)) {
		fd = 2;
		return fd;
	}
	s = getenv("CREDITKIT_PROGRESS_FD");
	if (s == NULL || *s < '0' || *s > '9')
		return fd;
	errno = 0;
	n = strtol(s, &end, 10);
	if (errno == 0 && *end == '\0' && n >= 3 && n <= 1024 &&
	    isatty((int)n))
		fd = (int)n;
	return fd;
}

/* progress_put: s on the line's descriptor, whole (a signal may cut a
 * write short); a failure is not the run's business. */
static void
progress_put(const char *s, size_t n)
{
	int fd = progress_fd();

	if (fd == 2)
		fflush(stderr);
	while (fd >= 0 && n > 0) {
		ssize_t w = write(fd, s, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return;
		s += w;
		n -= (size_t)w;
	}
}

static void
progress_clear(void)
{
	struct sbuf b = { 0 };

	if (drawn == NULL || drawn->width == 0)
		return;
	sbuf_addf(&b, "\r%*s\r", (int)drawn->width, "");
	progress_put(sbuf_str(&b), b.len);
	sbuf_free(&b);
	drawn->width = 0;
	drawn = NULL;
}

void
cli_progress_start(const struct cli *c, struct cli_progress *p, int quiet)
{
	memset(p, 0, sizeof *p);
	p->cli = c;
	p->on = !quiet && progress_fd() >= 0;
	p->start = p->last = p->on ? now_seconds() : 0;
}

void
cli_progress_files(struct cli_progress *p, FILE **files, size_t n)
{
	struct stat sb;

	p->files = files;
	p->nfiles = n;
	p->bytes = 0;
	for (size_t i = 0; i < n; i++) {
		if (fstat(fileno(files[i]), &sb) != 0 || !S_ISREG(sb.st_mode)) {
			p->bytes = 0;
			return;
		}
		p->bytes += (long long)sb.st_size;
	}
}

void
cli_progress_file(struct cli_progress *p, size_t i)
{
	struct stat sb;

	p->before = 0;
	for (size_t k = 0; k < i && k < p->nfiles; k++)
		if (fstat(fileno(p->files[k]), &sb) == 0)
			p->before += (long long)sb.st_size;
	p->cur = i;
}

void
cli_progress(void *ctx, long long done, long long total)
{
	struct cli_progress *p = ctx;
	struct progress_view v;
	struct sbuf line = { 0 };
	double t;
	size_t n;

	p->rows++;
	/* The clock is read every 64 rows: a row costs microseconds. */
	if (!p->on || (p->tick++ & 63) != 0)
		return;
	t = now_seconds();
	if (t - p->last < 0.25 || t - p->start < 0.5)
		return;
	p->last = t;
	if (total <= 0 && p->bytes > 0 && p->cur < p->nfiles) {
		off_t at = ftello(p->files[p->cur]);

		done = at < 0 ? -1 : p->before + (long long)at;
		total = p->bytes;
	}
	progress_compute(p->rows, done, total, t - p->start, &v);
	sbuf_addf(&line, "%s: ", p->cli->prog);
	progress_format(&v, &line);
	n = line.len;
	{
		struct sbuf b = { 0 };

		/* Spaces over what a longer line before left; on the
		 * driver's terminal, its own line's rest cleared too. */
		sbuf_addf(&b, "\r%s%*s%s", sbuf_str(&line),
		    p->width > n ? (int)(p->width - n) : 0, "",
		    progress_fd() == 2 ? "" : "\033[K");
		progress_put(sbuf_str(&b), b.len);
		sbuf_free(&b);
	}
	p->width = n > p->width ? n : p->width;
	drawn = p;
	sbuf_free(&line);
}

void
cli_progress_end(struct cli_progress *p)
{
	if (drawn == p)
		progress_clear();
	p->on = 0;
}

int
cli_known_encoding(const char *name)
{
	iconv_t cd = iconv_open("UTF-8", name);

	if (cd == (iconv_t)-1)
		return 0;
	iconv_close(cd);
	return 1;
}

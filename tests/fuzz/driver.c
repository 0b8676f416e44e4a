/*
 * driver: a main for the fuzz targets when libFuzzer is not linked in, so
 * that each target also builds with gcc or cc under ASan and UBSan and
 * replays its corpus as a regression test.  Every argument is a file, or
 * a directory whose regular files are all run; inputs are read whole, of
 * any size.  A crash ends the process (that is the test); otherwise the
 * exit is 0, or 2 when an argument could not be read.
 */
#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int
run_file(const char *path)
{
	FILE *fp = fopen(path, "rb");
	struct sbuf b = { 0 };
	char chunk[65536];
	size_t n;
	int bad;

	if (fp == NULL) {
		fprintf(stderr, "driver: %s: %s\n", path, strerror(errno));
		return -1;
	}
	while ((n = fread(chunk, 1, sizeof chunk, fp)) > 0)
		sbuf_add(&b, chunk, n);
	bad = ferror(fp);
	fclose(fp);
	if (bad) {
		fprintf(stderr, "driver: %s: read error\n", path);
		sbuf_free(&b);
		return -1;
	}
	/* An exact-size copy, so ASan sees a read past the input. */
	{
		size_t len = b.len;
		uint8_t *data = xmalloc(len);

		if (len > 0)
			memcpy(data, b.buf, len);
		sbuf_free(&b);
		LLVMFuzzerTestOneInput(data, len);
		free(data);
	}
	return 0;
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The regular files of dir, in name order so runs are repeatable. */
static int
run_dir(const char *dir, long *count)
{
	DIR *dp = opendir(dir);
	struct dirent *de;
	char **names = NULL;
	size_t n = 0, cap = 0;
	int rc = 0;

	if (dp == NULL) {
		fprintf(stderr, "driver: %s: %s\n", dir, strerror(errno));
		return -1;
	}
	while ((de = readdir(dp)) != NULL) {
		struct sbuf path = { 0 };
		struct stat st;

		if (de->d_name[0] == '.')
			continue;
		sbuf_addf(&path, "%s/%s", dir, de->d_name);
		if (stat(path.buf, &st) != 0 || !S_ISREG(st.st_mode)) {
			sbuf_free(&path);
			continue;
		}
		if (n == cap) {
			cap = cap ? cap * 2 : 64;
			names = xreallocarray(names, cap, sizeof *names);
		}
		names[n++] = path.buf;
	}
	closedir(dp);
	if (n > 0)
		qsort(names, n, sizeof *names, cmp_str);
	for (size_t i = 0; i < n; i++) {
		if (run_file(names[i]) != 0)
			rc = -1;
		else
			(*count)++;
		free(names[i]);
	}
	free(names);
	return rc;
}

int
main(int argc, char **argv)
{
	long count = 0;
	int rc = 0;

	for (int i = 1; i < argc; i++) {
		struct stat st;

		if (stat(argv[i], &st) == 0 && S_ISDIR(st.st_mode)) {
			if (run_dir(argv[i], &count) != 0)
				rc = 2;
		} else if (run_file(argv[i]) != 0) {
			rc = 2;
		} else {
			count++;
		}
	}
	printf("%ld inputs\n", count);
	return rc;
}

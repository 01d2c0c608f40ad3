/*
 * outfile.c - temporary file, then rename.
 */
#include "outfile.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util.h"

static void release(struct hg_outfile *o)
{
	free(o->path);
	free(o->tmp);
	o->path = NULL;
	o->tmp = NULL;
	o->f = NULL;
}

/*
 * file_mode is the mode the target gets: the existing file's, or what
 * creat() would give a new one (0666 less the umask).
 */
static mode_t file_mode(const char *path)
{
	struct stat st;
	mode_t mask;

	if (stat(path, &st) == 0 && S_ISREG(st.st_mode))
		return st.st_mode & 07777;
	mask = umask(0);
	umask(mask);
	return 0666 & ~mask;
}

int hg_outfile_open(struct hg_outfile *o, const char *path)
{
	const char *slash;
	size_t dirlen, n;
	int fd;

	memset(o, 0, sizeof(*o));
	if (strcmp(path, "-") == 0) {
		o->f = tmpfile();
		if (!o->f) {
			hg_cli_error("cannot create a temporary file: %s",
				     strerror(errno));
			return -1;
		}
		return 0;
	}
	/* "DIR/.NAME.XXXXXX": same directory, so that rename is atomic. */
	slash = strrchr(path, '/');
	dirlen = slash ? (size_t)(slash - path) + 1 : 0;
	n = strlen(path) + 16;
	o->path = hg_xstrdup(path);
	o->tmp = hg_xmalloc(n);
	snprintf(o->tmp, n, "%.*s.%s.XXXXXX", (int)dirlen, path, path + dirlen);
	fd = mkstemp(o->tmp);
	if (fd < 0) {
		hg_cli_error("cannot create '%s': %s", path, strerror(errno));
		release(o);
		return -1;
	}
	if (fchmod(fd, file_mode(path)) != 0 || !(o->f = fdopen(fd, "w"))) {
		hg_cli_error("cannot create '%s': %s", path, strerror(errno));
		close(fd);
		unlink(o->tmp);
		release(o);
		return -1;
	}
	return 0;
}

/* copy_to_stdout copies the buffered standard output file. */
static int copy_to_stdout(FILE *f)
{
	char buf[65536];
	size_t n;

	if (fflush(f) != 0 || fseek(f, 0, SEEK_SET) != 0)
		return -1;
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
		if (fwrite(buf, 1, n, stdout) != n)
			return -1;
	return ferror(f) ? -1 : 0;
}

int hg_outfile_commit(struct hg_outfile *o)
{
	int err;

	if (!o->f)
		return 0;
	if (!o->path) {
		err = copy_to_stdout(o->f);
		fclose(o->f);
		release(o);
		if (err) {
			hg_cli_error("cannot write to standard output: %s",
				     strerror(errno));
			return -1;
		}
		return 0;
	}
	err = fflush(o->f) != 0 || ferror(o->f);
	err |= fclose(o->f) != 0;
	o->f = NULL;
	if (err || rename(o->tmp, o->path) != 0) {
		hg_cli_error("cannot write '%s': %s", o->path, strerror(errno));
		unlink(o->tmp);
		release(o);
		return -1;
	}
	release(o);
	return 0;
}

void hg_outfile_abort(struct hg_outfile *o)
{
	if (!o->f)
		return;
	fclose(o->f);
	if (o->tmp)
		unlink(o->tmp);
	release(o);
}

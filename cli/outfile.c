/*
 * outfile.c - the run's output files: temporary files renamed together at
 * the end, or non-regular targets written in place (outfile.h).
 */
#include "outfile.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util.h"

#define MAX_OUTPUTS 64
#define MAX_INPUTS 16
#define MAX_LINKS 40 /* symbolic links followed, as the kernel's limit */

enum slot_state { SLOT_FREE, SLOT_OPEN, SLOT_DONE };

/* One temporary file of the run. tmp is what the signal handler removes:
 * it is set only once the string is complete and cleared before free. */
struct slot {
	enum slot_state state;
	char *target;       /* the regular file it replaces */
	char *volatile tmp; /* "DIR/.NAME.XXXXXX" beside target */
};

static struct slot slots[MAX_OUTPUTS];
static struct {
	dev_t dev;
	ino_t ino;
	char *path;
} inputs[MAX_INPUTS];
static size_t ninputs;
static bool handlers_set;

/* (async-signal-safe: on_signal calls it) */
void hg_outfiles_remove(void)
{
	for (size_t i = 0; i < MAX_OUTPUTS; i++) {
		char *t = slots[i].tmp;
		if (t)
			unlink(t);
	}
}

static void on_signal(int sig)
{
	hg_outfiles_remove();
	/* SA_RESETHAND restored the default action: die of the signal. */
	raise(sig);
}

static const int handled[] = { SIGINT, SIGTERM, SIGHUP, SIGPIPE };

/*
 * hold blocks the handled signals while the slots and the files on disk
 * change together (a temporary file created and recorded, or forgotten and
 * removed, the set renamed), so that the handler never sees one without
 * the other; release_hold delivers what came meanwhile. A signal that
 * arrives while the outputs are renamed kills the process once they all
 * are: the set is replaced whole or not at all.
 */
static void hold(sigset_t *old)
{
	sigset_t set;

	sigemptyset(&set);
	for (size_t i = 0; i < sizeof(handled) / sizeof(handled[0]); i++)
		sigaddset(&set, handled[i]);
	sigprocmask(SIG_BLOCK, &set, old);
}

static void release_hold(const sigset_t *old)
{
	sigprocmask(SIG_SETMASK, old, NULL);
}

static void set_handlers(void)
{
	const int *sigs = handled;
	struct sigaction sa, old;

	if (handlers_set)
		return;
	handlers_set = true;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sa.sa_flags = SA_RESETHAND;
	sigemptyset(&sa.sa_mask);
	for (size_t i = 0; i < sizeof(handled) / sizeof(handled[0]); i++) {
		/* A signal the caller ignores (nohup, SIGPIPE) stays
		 * ignored. */
		if (sigaction(sigs[i], NULL, &old) == 0 &&
		    old.sa_handler == SIG_IGN)
			continue;
		sigaction(sigs[i], &sa, NULL);
	}
}

void hg_outfile_input(const char *path)
{
	struct stat st;

	if (!path || strcmp(path, "-") == 0 || ninputs == MAX_INPUTS ||
	    stat(path, &st) != 0 || !S_ISREG(st.st_mode))
		return;
	inputs[ninputs].dev = st.st_dev;
	inputs[ninputs].ino = st.st_ino;
	inputs[ninputs].path = hg_xstrdup(path);
	ninputs++;
}

/* input_of returns the input that st is, or NULL. */
static const char *input_of(const struct stat *st)
{
	for (size_t i = 0; i < ninputs; i++)
		if (inputs[i].dev == st->st_dev && inputs[i].ino == st->st_ino)
			return inputs[i].path;
	return NULL;
}

/*
 * resolve follows the symbolic links of path (which may end in a dangling
 * one) and returns the malloc'd path of the file they lead to.
 */
static char *resolve(const char *path)
{
	char *cur = hg_xstrdup(path);
	struct stat st;

	for (int i = 0; i < MAX_LINKS; i++) {
		char buf[PATH_MAX];
		ssize_t n;

		if (lstat(cur, &st) != 0 || !S_ISLNK(st.st_mode))
			return cur;
		n = readlink(cur, buf, sizeof(buf) - 1);
		if (n < 0)
			return cur;
		buf[n] = '\0';
		char *slash = strrchr(cur, '/');
		char *next;
		if (buf[0] == '/' || !slash) {
			next = hg_xstrdup(buf);
		} else {
			size_t dirlen = (size_t)(slash - cur) + 1;
			next = hg_xmalloc(dirlen + (size_t)n + 1);
			memcpy(next, cur, dirlen);
			memcpy(next + dirlen, buf, (size_t)n + 1);
		}
		free(cur);
		cur = next;
	}
	return cur;
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

/* std_stream is the standard stream a "/dev/stdout"-like path names. */
static FILE *std_stream(const char *path)
{
	if (strcmp(path, "-") == 0 || strcmp(path, "/dev/stdout") == 0 ||
	    strcmp(path, "/dev/fd/1") == 0 ||
	    strcmp(path, "/proc/self/fd/1") == 0)
		return stdout;
	if (strcmp(path, "/dev/stderr") == 0 ||
	    strcmp(path, "/dev/fd/2") == 0 ||
	    strcmp(path, "/proc/self/fd/2") == 0)
		return stderr;
	return NULL;
}

static int open_in_place(struct hg_outfile *o, const char *path)
{
	int fd = open(path, O_WRONLY | O_NOCTTY | O_CLOEXEC);

	if (fd < 0 || !(o->f = fdopen(fd, "w"))) {
		hg_cli_error("cannot write '%s': %s", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return 0;
}

static int open_temporary(struct hg_outfile *o, const char *path)
{
	char *target = resolve(path), *tmp;
	const char *slash = strrchr(target, '/');
	size_t dirlen = slash ? (size_t)(slash - target) + 1 : 0;
	size_t n = strlen(target) + 16;
	sigset_t held;
	int i, fd;

	for (i = 0; i < MAX_OUTPUTS && slots[i].state != SLOT_FREE; i++)
		;
	if (i == MAX_OUTPUTS) {
		hg_cli_error("cannot write '%s': more than %d output files",
			     path, MAX_OUTPUTS);
		free(target);
		return -1;
	}
	tmp = hg_xmalloc(n);
	snprintf(tmp, n, "%.*s.%s.XXXXXX", (int)dirlen, target,
		 target + dirlen);
	set_handlers();
	hold(&held);
	fd = mkstemp(tmp);
	if (fd < 0) {
		release_hold(&held);
		hg_cli_error("cannot create '%s': %s", path, strerror(errno));
		free(tmp);
		free(target);
		return -1;
	}
	slots[i].target = target;
	slots[i].tmp = tmp;
	slots[i].state = SLOT_OPEN;
	release_hold(&held);
	o->slot = i + 1;
	if (fchmod(fd, file_mode(target)) != 0 || !(o->f = fdopen(fd, "w"))) {
		hg_cli_error("cannot create '%s': %s", path, strerror(errno));
		close(fd);
		o->f = NULL;
		hg_outfile_abort(o);
		return -1;
	}
	return 0;
}

int hg_outfile_open(struct hg_outfile *o, const char *path)
{
	struct stat st;
	const char *in;

	memset(o, 0, sizeof(*o));
	if ((o->f = std_stream(path))) {
		o->path = hg_xstrdup(path);
		return 0;
	}
	if (stat(path, &st) == 0) {
		if ((in = input_of(&st))) {
			hg_cli_error("'%s' is the input '%s': refusing to "
				     "overwrite it",
				     path, in);
			return -1;
		}
		if (S_ISDIR(st.st_mode)) {
			hg_cli_error("cannot write '%s': %s", path,
				     strerror(EISDIR));
			return -1;
		}
		if (!S_ISREG(st.st_mode)) {
			if (open_in_place(o, path))
				return -1;
			o->path = hg_xstrdup(path);
			return 0;
		}
	}
	if (open_temporary(o, path))
		return -1;
	o->path = hg_xstrdup(path);
	return 0;
}

static void release(struct hg_outfile *o)
{
	free(o->path);
	o->path = NULL;
	o->f = NULL;
	o->slot = 0;
}

static void slot_free(int i, bool remove)
{
	char *tmp = slots[i].tmp;
	sigset_t held;

	hold(&held);
	slots[i].tmp = NULL; /* the handler must not see it once freed */
	if (tmp && remove)
		unlink(tmp);
	release_hold(&held);
	free(tmp);
	free(slots[i].target);
	slots[i].target = NULL;
	slots[i].state = SLOT_FREE;
}

int hg_outfile_commit(struct hg_outfile *o)
{
	int err;

	if (!o->f)
		return 0;
	if (o->f == stdout || o->f == stderr) {
		err = fflush(o->f) != 0 || ferror(o->f);
		if (err)
			hg_cli_error("cannot write '%s': %s", o->path,
				     strerror(errno));
		release(o);
		return err ? -1 : 0;
	}
	err = fflush(o->f) != 0 || ferror(o->f);
	err |= fclose(o->f) != 0;
	o->f = NULL;
	if (err) {
		hg_cli_error("cannot write '%s': %s", o->path, strerror(errno));
		if (o->slot)
			slot_free(o->slot - 1, true);
		release(o);
		return -1;
	}
	if (o->slot)
		slots[o->slot - 1].state = SLOT_DONE;
	release(o);
	return 0;
}

void hg_outfile_abort(struct hg_outfile *o)
{
	if (o->f && o->f != stdout && o->f != stderr)
		fclose(o->f);
	if (o->slot)
		slot_free(o->slot - 1, true);
	release(o);
}

int hg_outfiles_finish(bool ok)
{
	struct stat st;
	const char *in;
	sigset_t held;
	int status = 0;
	size_t i;

	/* Check every target first, so that none is renamed if one fails. */
	for (i = 0; ok && i < MAX_OUTPUTS; i++) {
		if (slots[i].state == SLOT_OPEN) {
			/* Opened but never completed: a bug, but no reason
			 * to replace the other targets with a partial set. */
			hg_cli_error("'%s' was not completed", slots[i].target);
			ok = false;
			status = -1;
		} else if (slots[i].state == SLOT_DONE &&
			   stat(slots[i].target, &st) == 0 &&
			   (in = input_of(&st))) {
			hg_cli_error("'%s' is the input '%s': refusing to "
				     "overwrite it",
				     slots[i].target, in);
			ok = false;
			status = -1;
		}
	}
	hold(&held);
	for (i = 0; i < MAX_OUTPUTS; i++) {
		if (slots[i].state == SLOT_FREE)
			continue;
		if (ok && slots[i].state == SLOT_DONE &&
		    rename(slots[i].tmp, slots[i].target) != 0) {
			hg_cli_error("cannot write '%s': %s", slots[i].target,
				     strerror(errno));
			status = -1;
			slot_free((int)i, true);
			continue;
		}
		slot_free((int)i, !ok || slots[i].state != SLOT_DONE);
	}
	release_hold(&held);
	for (i = 0; i < ninputs; i++)
		free(inputs[i].path);
	ninputs = 0;
	return status;
}

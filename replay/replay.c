/*
 * replay.c - the replay loop, its built-in observers (checker, figures at
 * marks, fidelity) and the one classification of errors.
 */
#include "replay.h"

#include "hg_os.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

int hg_replay_exit_status(int status)
{
	switch (status) {
	case HG_REPLAY_OK:
		return 0;
	case HG_REPLAY_OOM:
		return 3;
	default:
		return 2;
	}
}

void hg_replay_init(struct hg_replay *rp)
{
	memset(rp, 0, sizeof(*rp));
	rp->format = HG_FMT_AUTO;
}

static void marks_release(struct hg_marks *mk)
{
	free(mk->buf);
	if (mk->spill)
		fclose(mk->spill);
	memset(mk, 0, sizeof(*mk));
}

void hg_replay_release(struct hg_replay *rp)
{
	for (size_t i = 0; i < rp->nlanes; i++) {
		hg_model_free(rp->lane[i].model);
		marks_release(&rp->lane[i].marks);
	}
	hg_trace_close(rp->trace);
	memset(rp, 0, sizeof(*rp));
}

int hg_replay_fail(struct hg_replay *rp, int status, unsigned line,
		   unsigned col, const char *fmt, ...)
{
	va_list ap;

	if (rp->status == HG_REPLAY_OK || rp->status == HG_REPLAY_OOM) {
		rp->status = status;
		/* A position names the input; other errors stand alone. */
		snprintf(rp->err.file, sizeof(rp->err.file), "%s",
			 line ? rp->file : "");
		rp->err.line = line;
		rp->err.col = col;
		va_start(ap, fmt);
		vsnprintf(rp->err.msg, sizeof(rp->err.msg), fmt, ap);
		va_end(ap);
	}
	return HG_EINVAL;
}

/* host_oom records the host out of memory. */
static int host_oom(struct hg_replay *rp)
{
	if (rp->status == HG_REPLAY_OK || rp->status == HG_REPLAY_OOM) {
		rp->status = HG_REPLAY_EHOST;
		memset(&rp->err, 0, sizeof(rp->err));
		snprintf(rp->err.msg, sizeof(rp->err.msg),
			 "out of host memory");
	}
	return rp->status;
}

void hg_replay_message(const struct hg_replay *rp, char *buf, size_t len)
{
	if (rp->status == HG_REPLAY_EHOST) {
		snprintf(buf, len, "out of host memory");
		return;
	}
	hg_diag_format(&rp->err, buf, len);
}

/* ------------------------------------------------------------------ */
/* Sources                                                             */
/* ------------------------------------------------------------------ */

static int trace_next(void *ctx, struct hg_op *op, unsigned *line,
		      unsigned *col, struct hg_diag *d)
{
	return hg_trace_next(ctx, op, line, col, d);
}

static void trace_progress(void *ctx, uint64_t *done, uint64_t *total)
{
	hg_trace_progress(ctx, done, total);
}

/* source_error classifies a reader's failure. */
static int source_error(struct hg_replay *rp, int rc, const struct hg_diag *d)
{
	if (rc == HG_ENOMEM)
		return host_oom(rp);
	if (rp->status == HG_REPLAY_OK || rp->status == HG_REPLAY_OOM) {
		rp->status = HG_REPLAY_EINPUT;
		rp->err = *d;
	}
	return rp->status;
}

int hg_replay_open(struct hg_replay *rp, const char *path)
{
	struct hg_diag d;
	int rc;

	memset(&d, 0, sizeof(d));
	snprintf(rp->file, sizeof(rp->file), "%s",
		 strcmp(path, "-") == 0 ? "<stdin>" : path);
	rc = hg_trace_open_as(&rp->trace, path, rp->format, &d);
	if (rc)
		return source_error(rp, rc, &d);
	rp->src.ctx = rp->trace;
	rp->src.next = trace_next;
	rp->src.progress = trace_progress;
	return HG_REPLAY_OK;
}

int hg_replay_open_fd(struct hg_replay *rp, int fd, const char *name)
{
	struct hg_diag d;
	int rc;

	memset(&d, 0, sizeof(d));
	snprintf(rp->file, sizeof(rp->file), "%s", name);
	rc = hg_trace_open_fd_as(&rp->trace, fd, name, rp->format, &d);
	if (rc)
		return source_error(rp, rc, &d);
	rp->src.ctx = rp->trace;
	rp->src.next = trace_next;
	rp->src.progress = trace_progress;
	return HG_REPLAY_OK;
}

void hg_replay_source(struct hg_replay *rp, const struct hg_op_source *src,
		      const char *file)
{
	rp->src = *src;
	snprintf(rp->file, sizeof(rp->file), "%s", file ? file : "");
}

const struct hg_trace_info *hg_replay_info(const struct hg_replay *rp)
{
	return rp->trace ? hg_trace_info(rp->trace) : NULL;
}

void hg_replay_progress(const struct hg_replay *rp, uint64_t *done,
			uint64_t *total)
{
	*done = *total = 0;
	if (rp->src.progress)
		rp->src.progress(rp->src.ctx, done, total);
}

int hg_replay_add_lane(struct hg_replay *rp, const struct hg_config *cfg,
		       const char *label)
{
	return hg_replay_add_lane_with(rp, cfg, NULL, label);
}

int hg_replay_add_lane_with(struct hg_replay *rp, const struct hg_config *cfg,
			    const struct hg_model_opts *opts, const char *label)
{
	struct hg_replay_lane *l;
	char err[256];
	int rc;

	if (rp->nlanes == HG_REPLAY_MAX_LANES)
		return hg_replay_fail(rp, HG_REPLAY_EINPUT, 0, 0,
				      "at most %d configurations",
				      HG_REPLAY_MAX_LANES),
		       rp->status;
	l = &rp->lane[rp->nlanes];
	memset(l, 0, sizeof(*l));
	err[0] = '\0';
	rc = hg_model_new_with(&l->model, cfg, opts, err, sizeof(err));
	if (rc == HG_ENOMEM)
		return host_oom(rp);
	if (rc) {
		/* A configuration error names the configuration, or the
		 * trace whose settings made it. */
		if (rp->status == HG_REPLAY_OK) {
			rp->status = HG_REPLAY_EINPUT;
			memset(&rp->err, 0, sizeof(rp->err));
			if (!label)
				snprintf(rp->err.file, sizeof(rp->err.file),
					 "%s", rp->file);
			snprintf(rp->err.msg, sizeof(rp->err.msg), "%s%s%s",
				 label ? label : "", label ? ": " : "",
				 err[0] ? err : "invalid configuration");
		}
		return rp->status;
	}
	l->label = label;
	rp->nlanes++;
	return HG_REPLAY_OK;
}

int hg_replay_observe(struct hg_replay *rp, const struct hg_observer *o)
{
	if (rp->nobs == HG_REPLAY_MAX_OBSERVERS)
		return hg_replay_fail(rp, HG_REPLAY_EINPUT, 0, 0,
				      "too many observers"),
		       rp->status;
	rp->obs[rp->nobs++] = *o;
	return HG_REPLAY_OK;
}

struct hg_model *hg_replay_model(const struct hg_replay *rp, size_t i)
{
	return i < rp->nlanes ? rp->lane[i].model : NULL;
}

/* ------------------------------------------------------------------ */
/* Figures at marks                                                    */
/* ------------------------------------------------------------------ */

/* In memory up to this many bytes of records, then in a temporary file. */
#define MARKS_MEM_MAX (1u << 20)

struct mark_rec {
	uint64_t event;
	struct hg_figures fig;
	uint32_t label_len;
};

static int marks_add(struct hg_marks *mk, uint64_t event,
		     const struct hg_figures *fig, const char *label)
{
	struct mark_rec r;
	size_t n = label ? strlen(label) : 0;

	if (n >= sizeof(((struct hg_mark_figures *)0)->label))
		n = sizeof(((struct hg_mark_figures *)0)->label) - 1;
	/* Cut at a UTF-8 boundary. */
	while (n && ((unsigned char)label[n] & 0xc0) == 0x80)
		n--;
	memset(&r, 0, sizeof(r));
	r.event = event;
	r.fig = *fig;
	r.label_len = (uint32_t)n;
	if (!mk->spill && mk->len + sizeof(r) + n > MARKS_MEM_MAX) {
		mk->spill = tmpfile();
		if (!mk->spill ||
		    fwrite(mk->buf, 1, mk->len, mk->spill) != mk->len)
			return HG_ENOMEM;
		free(mk->buf);
		mk->buf = NULL;
		mk->len = mk->cap = 0;
	}
	if (mk->spill) {
		if (fwrite(&r, sizeof(r), 1, mk->spill) != 1 ||
		    fwrite(label, 1, n, mk->spill) != n)
			return HG_ENOMEM;
	} else {
		if (mk->len + sizeof(r) + n > mk->cap) {
			size_t cap = mk->cap ? 2 * mk->cap : 4096;
			while (cap < mk->len + sizeof(r) + n)
				cap *= 2;
			unsigned char *b = realloc(mk->buf, cap);
			if (!b)
				return HG_ENOMEM;
			mk->buf = b;
			mk->cap = cap;
		}
		memcpy(mk->buf + mk->len, &r, sizeof(r));
		memcpy(mk->buf + mk->len + sizeof(r), label, n);
		mk->len += sizeof(r) + n;
	}
	mk->n++;
	return HG_OK;
}

int hg_marks_each(struct hg_marks *mk, hg_mark_fn fn, void *arg)
{
	struct hg_mark_figures m;
	struct mark_rec r;
	size_t pos = 0;
	int rc;

	if (mk->spill) {
		if (fflush(mk->spill) != 0 || fseek(mk->spill, 0, SEEK_SET))
			return HG_EINVAL;
	}
	for (uint64_t i = 0; i < mk->n; i++) {
		if (mk->spill) {
			if (fread(&r, sizeof(r), 1, mk->spill) != 1 ||
			    r.label_len >= sizeof(m.label) ||
			    fread(m.label, 1, r.label_len, mk->spill) !=
				    r.label_len)
				return HG_EINVAL;
		} else {
			memcpy(&r, mk->buf + pos, sizeof(r));
			memcpy(m.label, mk->buf + pos + sizeof(r), r.label_len);
			pos += sizeof(r) + r.label_len;
		}
		m.label[r.label_len] = '\0';
		m.event = r.event;
		m.fig = r.fig;
		if ((rc = fn(arg, &m)) != 0)
			return rc;
	}
	if (mk->spill && fseek(mk->spill, 0, SEEK_END))
		return HG_EINVAL;
	return 0;
}

/* ------------------------------------------------------------------ */
/* The loop                                                            */
/* ------------------------------------------------------------------ */

/* fidelity compares the address an allocating op recorded with the
 * model's. */
static void fidelity(struct hg_fidelity *f, uint64_t i, const struct hg_op *op,
		     const struct hg_op_result *res)
{
	const struct hg_op_spec *k = hg_op_spec(op->kind);

	/* Recorded addresses only: an mmap's address is a hint. */
	if (!op->has_addr || !k || !hg_op_has_field(k, HG_FIELD_ADDR))
		return;
	f->addresses++;
	if (res->addr == op->addr) {
		f->exact++;
		return;
	}
	if (f->mismatch)
		return;
	f->mismatch = true;
	f->mismatch_event = i;
	snprintf(f->mismatch_id, sizeof(f->mismatch_id), "%s",
		 op->id ? op->id : "");
	f->recorded = op->addr;
	f->model = res->addr;
}

/* apply_failed classifies a lane's model's refusal of an op (rc neither
 * HG_OK nor HG_EOOM). */
static int apply_failed(struct hg_replay *rp, const struct hg_replay_lane *l,
			int rc, const char *err, unsigned line, unsigned col)
{
	if (rc == HG_ENOMEM)
		return host_oom(rp);
	if (rc == HG_ETRACE && rp->lenient)
		return HG_REPLAY_OK;
	return hg_replay_fail(rp, HG_REPLAY_EINPUT, line, col, "%s%s%s%s",
			      err[0] ? err : hg_strerror(rc),
			      l->label ? " (" : "", l->label ? l->label : "",
			      l->label ? ")" : ""),
	       rp->status;
}

/* observe hands the event to every observer. */
static inline int observe(struct hg_replay *rp, struct hg_replay_lane *l,
			  const struct hg_replay_event *ev)
{
	for (size_t j = 0; j < rp->nobs; j++) {
		int orc = rp->obs[j].event(rp->obs[j].ctx, rp, ev);
		if (orc == HG_REPLAY_STOP) {
			l->stopped = true;
		} else if (orc == HG_ENOMEM) {
			return host_oom(rp);
		} else if (orc != 0) {
			if (rp->status == HG_REPLAY_OK ||
			    rp->status == HG_REPLAY_OOM)
				hg_replay_fail(rp, HG_REPLAY_EOUTPUT, ev->line,
					       0, "%s", hg_strerror(orc));
			return rp->status;
		}
	}
	return HG_REPLAY_OK;
}

/* check_event runs the checker after an event. */
static int check_event(struct hg_replay *rp, struct hg_replay_lane *l,
		       uint64_t i, const struct hg_op *op,
		       const struct hg_op_result *res, unsigned line)
{
	char err[256];
	/* The event's own check always; the whole state after every
	 * event (full) or at marks (linear; the end: check_end). */
	bool full = rp->check == HG_REPLAY_CHECK_FULL || op->kind == HG_OP_MARK;

	err[0] = '\0';
	if (hg_model_check_event(l->model, op, res, err, sizeof(err)) != 0 ||
	    (full && hg_model_check(l->model, err, sizeof(err)) != 0))
		return hg_replay_fail(rp, HG_REPLAY_EINVARIANT, line, 0,
				      "invariant violated after event %" PRIu64
				      " (%s)%s%s%s: %s",
				      i, hg_op_name(op->kind),
				      l->label ? " (" : "",
				      l->label ? l->label : "",
				      l->label ? ")" : "", err),
		       rp->status;
	return HG_REPLAY_OK;
}

/* apply runs one op on one lane with the observers after it. */
static inline int apply(struct hg_replay *rp, size_t k, uint64_t i,
			const struct hg_op *op, unsigned line, unsigned col)
{
	struct hg_replay_lane *l = &rp->lane[k];
	struct hg_op_result res;
	char err[256];
	bool oom;
	int rc;

	err[0] = '\0';
	rc = hg_model_apply(l->model, op, &res, err, sizeof(err));
	if (__builtin_expect(rc != HG_OK, 0) && rc != HG_EOOM)
		return apply_failed(rp, l, rc, err, line, col);
	oom = rc == HG_EOOM || res.oom;
	if (op->has_addr)
		fidelity(&l->fidelity, i, op, &res);
	if (__builtin_expect(op->kind == HG_OP_MARK, 0) && rp->record_marks &&
	    marks_add(&l->marks, i, &hg_model_stats(l->model)->final,
		      op->text) != HG_OK)
		return host_oom(rp);
	if (rp->nobs) {
		struct hg_replay_event ev = { k, i, op, &res, oom, line, col };

		if ((rc = observe(rp, l, &ev)) != HG_REPLAY_OK)
			return rc;
	}
	if (rp->check && (rc = check_event(rp, l, i, op, &res, line)) != 0)
		return rc;
	if (__builtin_expect(oom, 0)) {
		l->oom = l->stopped = true;
		l->oom_line = line;
		rp->status = HG_REPLAY_OOM;
	}
	return HG_REPLAY_OK;
}

/* check_end recomputes every lane's whole state once the events ended
 * (the linear checker's last check). */
static int check_end(struct hg_replay *rp)
{
	char err[256];

	for (size_t k = 0; k < rp->nlanes; k++) {
		struct hg_replay_lane *l = &rp->lane[k];
		err[0] = '\0';
		if (hg_model_check(l->model, err, sizeof(err)) != 0)
			return hg_replay_fail(
				rp, HG_REPLAY_EINVARIANT, 0, 0,
				"invariant violated at the end of the replay "
				"(after %" PRIu64 " events)%s%s%s: %s",
				hg_model_stats(l->model)->events,
				l->label ? " (" : "", l->label ? l->label : "",
				l->label ? ")" : "", err);
	}
	return 0;
}

/*
 * Once a lane prefetches (run_events), ops are read AHEAD ahead of the
 * one applied, so that each lane's model can fetch what it will need for
 * them while the ones before run (hg_model_prefetch: an op's id slot when
 * it is read, what that slot leads to one op later, AHEAD - 1 ops before
 * it runs: with a large live set each fetch takes about an event's time).
 * A source's strings are borrowed until its next call: each op read ahead
 * has its id and mark label copied into its slot's buffer.
 */
#define AHEAD 3
/* The ring of ops read: AHEAD ahead and the one applied, a power of two
 * (an op's slot is its index's low bits). */
#define RING (AHEAD + 1)
_Static_assert((RING & (RING - 1)) == 0, "the ring is a power of two");
/* Every this many events each lane's model is asked whether prefetching
 * helps it (hg_model_prefetch_wanted: its id maps have outgrown the
 * host's caches); until it says so, no op is hinted to it. */
#define PREFETCH_ASK 1024u

/* A slot's buffer starts this large: an id and a short label fit. */
#define KEEP_FIRST 64u

struct ahead {
	struct hg_op op;
	unsigned line, col;
	int rc; /* the source's: 1 an op, 0 the end, < 0 an error */
	char *buf;
	size_t cap;
	struct ahead *succ; /* the slot of the op after this one */
};

/* copy_str copies s[0, n) and a NUL to d: up to 16 bytes (an id, most
 * often) by two overlapping loads and stores of 4 or 8 bytes, no call. */
static inline void copy_str(char *d, const char *s, size_t n)
{
	if (n >= 8 && n <= 16) {
		uint64_t a, b;

		memcpy(&a, s, 8);
		memcpy(&b, s + n - 8, 8);
		memcpy(d, &a, 8);
		memcpy(d + n - 8, &b, 8);
	} else if (n >= 4 && n < 8) {
		uint32_t a, b;

		memcpy(&a, s, 4);
		memcpy(&b, s + n - 4, 4);
		memcpy(d, &a, 4);
		memcpy(d + n - 4, &b, 4);
	} else if (n < 4) {
		for (size_t i = 0; i < n; i++)
			d[i] = s[i];
	} else {
		memcpy(d, s, n);
	}
	d[n] = '\0';
}

/* keep_all copies a's borrowed strings into its buffer, growing it;
 * HG_ENOMEM or 0. */
static int keep_all(struct ahead *a)
{
	size_t ni = 0, nt = 0;

	if (a->op.id)
		ni = a->op.id_len && a->op.id_hash ? a->op.id_len
						   : strlen(a->op.id);
	if (a->op.text)
		nt = strlen(a->op.text);
	if (ni + nt + 2 > a->cap) {
		size_t cap = (ni + nt + 2) * 2;
		char *b = realloc(a->buf, cap);

		if (!b)
			return HG_ENOMEM;
		a->buf = b;
		a->cap = cap;
	}
	if (a->op.id) {
		copy_str(a->buf, a->op.id, ni);
		a->op.id = a->buf;
	}
	if (a->op.text) {
		copy_str(a->buf + ni + 1, a->op.text, nt);
		a->op.text = a->buf + ni + 1;
	}
	return 0;
}

/* keep is keep_all, the common case (an id of known length that fits,
 * no label) inline. */
static inline int keep(struct ahead *a)
{
	if (!a->op.text) {
		size_t n = a->op.id_len;

		if (!a->op.id)
			return 0;
		if (n && a->op.id_hash && n < a->cap) {
			copy_str(a->buf, a->op.id, n);
			a->op.id = a->buf;
			return 0;
		}
	}
	return keep_all(a);
}

/* hint_one gives every live lane that prefetches an op read ahead (step:
 * events since). */
static void hint_one(struct hg_replay *rp, struct ahead *a, int step)
{
	if (a->rc <= 0)
		return;
	for (size_t k = 0; k < rp->nlanes; k++)
		if (rp->lane[k].prefetch && !rp->lane[k].stopped)
			hg_model_prefetch(rp->lane[k].model, &a->op, step);
}

/* hint gives every live lane that prefetches, in one pass, the op just
 * read (step 0) and the one before it (step 1). */
static inline void hint(struct hg_replay *rp, struct ahead *next,
			struct ahead *last)
{
	bool n = next->rc > 0, b = last->rc > 0;

	for (size_t k = 0; k < rp->nlanes; k++) {
		const struct hg_replay_lane *l = &rp->lane[k];

		if (!l->prefetch || l->stopped)
			continue;
		if (n)
			hg_model_prefetch(l->model, &next->op, 0);
		if (b)
			hg_model_prefetch(l->model, &last->op, 1);
	}
}

/* read_ahead reads the next op into a (none after the end or an error:
 * the one before stays the last), its borrowed strings copied when more
 * ops are read before it runs (kept). A trace reader is called as such,
 * not through the source's pointer. */
static inline int read_ahead(struct hg_replay *rp, struct ahead *a,
			     const struct ahead *before, struct hg_diag *d,
			     bool kept)
{
	if (before && before->rc <= 0) {
		a->line = a->col = 0;
		a->rc = before->rc;
		return 0;
	}
	/* A trace reader gives every op its line and column; another source
	 * may leave them (0). Past the end or an error they are not read. */
	if (rp->src.next == trace_next) {
		a->rc = hg_trace_next(rp->src.ctx, &a->op, &a->line, &a->col,
				      d);
	} else {
		a->line = a->col = 0;
		a->rc = rp->src.next(rp->src.ctx, &a->op, &a->line, &a->col, d);
	}
	if (kept && a->rc > 0 && keep(a))
		return HG_ENOMEM;
	return 0;
}

/* apply_plain is apply for one lane without observers or checker
 * (one_lane, one_lane_ahead): the model's steps, the fidelity and the
 * marks. The lane stops when the modeled runtime ran out of memory. */
static inline __attribute__((always_inline)) int
apply_plain(struct hg_replay *rp, struct hg_replay_lane *l, struct hg_model *m,
	    uint64_t j, const struct ahead *cur)
{
	struct hg_op_result res;
	char err[256];

	err[0] = '\0';
	int rc = hg_model_apply(m, &cur->op, &res, err, sizeof(err));
	if (__builtin_expect(rc != HG_OK, 0) && rc != HG_EOOM)
		return apply_failed(rp, l, rc, err, cur->line, cur->col);
	if (cur->op.has_addr)
		fidelity(&l->fidelity, j, &cur->op, &res);
	if (__builtin_expect(cur->op.kind == HG_OP_MARK, 0) &&
	    rp->record_marks &&
	    marks_add(&l->marks, j, &hg_model_stats(m)->final, cur->op.text) !=
		    HG_OK)
		return host_oom(rp);
	if (__builtin_expect(rc == HG_EOOM || res.oom, 0)) {
		l->oom = l->stopped = true;
		l->oom_line = cur->line;
		rp->status = HG_REPLAY_OOM;
	}
	return HG_REPLAY_OK;
}

/*
 * one_lane is run_events' loop for a replay of one lane while it does not
 * prefetch: each op read into cur just before it runs (its strings
 * borrowed), from event *i until event end, the lane stopping or the
 * source's end or error. *i is the last event applied, or the one the
 * source ended at (cur->rc 0).
 */
static int one_lane(struct hg_replay *rp, struct ahead *cur, uint64_t *i,
		    uint64_t end, struct hg_diag *d)
{
	struct hg_replay_lane *l = &rp->lane[0];
	struct hg_model *m = l->model;

	if (!rp->nobs && !rp->check) {
		/* apply's steps that remain without observers or checker. */
		for (uint64_t j = *i; j < end; j++) {
			read_ahead(rp, cur, NULL, d, false);
			*i = j;
			if (__builtin_expect(cur->rc <= 0, 0))
				return cur->rc < 0
					       ? source_error(rp, cur->rc, d)
					       : HG_REPLAY_OK;
			int rc = apply_plain(rp, l, m, j, cur);
			if (rc != HG_REPLAY_OK || l->stopped)
				return rc;
		}
		return HG_REPLAY_OK;
	}
	for (uint64_t j = *i; j < end; j++) {
		read_ahead(rp, cur, NULL, d, false);
		*i = j;
		if (__builtin_expect(cur->rc <= 0, 0))
			return cur->rc < 0 ? source_error(rp, cur->rc, d)
					   : HG_REPLAY_OK;
		int rc = apply(rp, 0, j, &cur->op, cur->line, cur->col);
		if (rc != HG_REPLAY_OK && rc != HG_REPLAY_OOM)
			return rc;
		if (l->stopped)
			break;
	}
	return HG_REPLAY_OK;
}

/*
 * one_lane_ahead is one_lane while the lane prefetches, without
 * observers or checker: the ring kept full, each op hinted when it is
 * read and an op later, from event *i (its op in *cur, *have ops read
 * from it on) until event end, the lane stopping or the source's end or
 * error. Leaves *i, *cur and *have at the last event applied (or the one
 * the source ended at, (*cur)->rc 0), as run_events keeps them.
 */
static int one_lane_ahead(struct hg_replay *rp, struct ahead **curp,
			  unsigned *havep, uint64_t *i, uint64_t end,
			  struct hg_diag *d)
{
	struct hg_replay_lane *l = &rp->lane[0];
	struct hg_model *m = l->model;
	struct ahead *cur = *curp, *last = cur;
	unsigned have = *havep;
	int rc = HG_REPLAY_OK;

	for (unsigned j = 1; j < have; j++)
		last = last->succ;
	for (uint64_t j = *i;; j++, cur = cur->succ, have--) {
		for (; have < RING; have++) {
			struct ahead *next = have ? last->succ : cur;

			if (read_ahead(rp, next, have ? last : NULL, d, true))
				return host_oom(rp);
			if (next->rc > 0)
				hg_model_prefetch(m, &next->op, 0);
			if (have && last->rc > 0)
				hg_model_prefetch(m, &last->op, 1);
			last = next;
		}
		*i = j;
		if (__builtin_expect(cur->rc <= 0, 0)) {
			if (cur->rc < 0)
				return source_error(rp, cur->rc, d);
			break;
		}
		rc = apply_plain(rp, l, m, j, cur);
		if (rc != HG_REPLAY_OK || l->stopped || j + 1 >= end)
			break;
	}
	*curp = cur;
	*havep = have;
	return rc;
}

/*
 * run_events reads and applies the ops. While no lane prefetches (its id
 * maps fit the host's caches: most replays), each op is read just before
 * it runs, its strings borrowed from the source; once one does, AHEAD
 * ops are read ahead of the one applied (copied into their slots) and
 * hinted; when none does any more, the ops read are applied before the
 * next read. have counts the ops read and not yet applied, from cur on.
 */
static int run_events(struct hg_replay *rp, struct ahead *ring)
{
	struct hg_diag d;
	bool prefetch = false; /* some lane's lane.prefetch */
	size_t live = 0;       /* lanes not stopped */
	unsigned have = 0;

	memset(&d, 0, sizeof(d));
	for (unsigned j = 0; j < RING; j++) {
		ring[j].buf = malloc(KEEP_FIRST);
		if (!ring[j].buf)
			return host_oom(rp);
		ring[j].cap = KEEP_FIRST;
		ring[j].succ = &ring[(j + 1) % RING];
	}
	for (size_t k = 0; k < rp->nlanes; k++)
		live += !rp->lane[k].stopped;
	struct ahead *cur = &ring[0];
	for (uint64_t i = 0;; i++, cur = cur->succ, have--) {
		size_t nlanes = rp->nlanes;
		int rc;

		if (!live)
			break;
		if (__builtin_expect(i % PREFETCH_ASK == 0, 0)) {
			prefetch = false;
			for (size_t k = 0; k < nlanes; k++) {
				struct hg_replay_lane *l = &rp->lane[k];

				l->prefetch =
					hg_model_prefetch_wanted(l->model);
				prefetch |= l->prefetch;
			}
		}
		if (__builtin_expect(prefetch, 0) && nlanes == 1 && !rp->nobs &&
		    !rp->check) {
			/* One lane: up to the next question, without the
			 * loops over lanes (one_lane_ahead). */
			uint64_t end = (i / PREFETCH_ASK + 1) * PREFETCH_ASK;

			rc = one_lane_ahead(rp, &cur, &have, &i, end, &d);
			if (rc != HG_REPLAY_OK)
				return rc;
			if (rp->lane[0].stopped || cur->rc == 0)
				break;
			continue;
		} else if (__builtin_expect(prefetch, 0)) {
			/* The ring full: this op and AHEAD after it (an
			 * error in one is said after the ones before it ran,
			 * as it comes after them). */
			struct ahead *last = cur;

			for (unsigned j = 1; j < have; j++)
				last = last->succ;
			for (; have < RING; have++) {
				struct ahead *next = have ? last->succ : cur;

				if (read_ahead(rp, next, have ? last : NULL, &d,
					       true))
					return host_oom(rp);
				if (have)
					hint(rp, next, last);
				else
					hint_one(rp, next, 0);
				last = next;
			}
		} else if (have == 0 && nlanes == 1) {
			/* One lane: up to the next question, read and apply
			 * without the loops over lanes (one_lane). */
			uint64_t end = (i / PREFETCH_ASK + 1) * PREFETCH_ASK;

			rc = one_lane(rp, cur, &i, end, &d);
			if (rc != HG_REPLAY_OK)
				return rc;
			if (rp->lane[0].stopped || cur->rc == 0)
				break;
			have = 1; /* the last op applied, cur's */
			continue;
		} else if (have == 0) {
			/* Applied before the next read: borrowed strings. */
			read_ahead(rp, cur, NULL, &d, false);
			have = 1;
		}
		if (cur->rc == 0)
			break;
		if (cur->rc < 0)
			return source_error(rp, cur->rc, &d);
		for (size_t k = 0; k < nlanes; k++) {
			struct hg_replay_lane *l = &rp->lane[k];

			if (l->stopped)
				continue;
			rc = apply(rp, k, i, &cur->op, cur->line, cur->col);
			if (rc != HG_REPLAY_OK && rc != HG_REPLAY_OOM)
				return rc;
			live -= l->stopped;
		}
	}
	return HG_REPLAY_OK;
}

int hg_replay_run(struct hg_replay *rp)
{
	struct ahead ring[RING];
	int rc;

	if (rp->status != HG_REPLAY_OK)
		return rp->status;
	if (!rp->src.next || !rp->nlanes)
		return hg_replay_fail(rp, HG_REPLAY_EINPUT, 0, 0,
				      "nothing to replay"),
		       rp->status;
	memset(ring, 0, sizeof(ring));
	rc = run_events(rp, ring);
	for (unsigned j = 0; j < RING; j++)
		free(ring[j].buf);
	if (rc != HG_REPLAY_OK && rc != HG_REPLAY_OOM)
		return rc;
	if (rp->check == HG_REPLAY_CHECK_LINEAR && check_end(rp))
		return rp->status;
	for (size_t j = 0; j < rp->nobs; j++) {
		if (!rp->obs[j].finish)
			continue;
		int orc = rp->obs[j].finish(rp->obs[j].ctx, rp);
		if (orc == HG_ENOMEM)
			return host_oom(rp);
		if (orc != 0) {
			if (rp->status == HG_REPLAY_OK ||
			    rp->status == HG_REPLAY_OOM)
				hg_replay_fail(rp, HG_REPLAY_EOUTPUT, 0, 0,
					       "%s", hg_strerror(orc));
			return rp->status;
		}
	}
	return rp->status;
}

/*
 * report_html.c - the recorder of the interactive HTML report (report_html.h
 * says what is recorded) and its writer.
 *
 * The data go into the page as deflate-compressed streams of LEB128
 * numbers in base64 (the page inflates them with the browser's own
 * DecompressionStream), the rest as one JSON object.
 */
#include "report_html.h"

#include <inttypes.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "render.h"
#include "scene_int.h"

/* ------------------------------------------------------------------ */
/* Small growable arrays and a string map                              */
/* ------------------------------------------------------------------ */

static bool grow(void **v, size_t *cap, size_t n, size_t size)
{
	if (n < *cap)
		return true;
	size_t c = *cap ? 2 * *cap : 64;
	void *p = realloc(*v, c * size);
	if (!p)
		return false;
	*v = p;
	*cap = c;
	return true;
}

struct bytes {
	unsigned char *p;
	size_t n, cap;
	bool oom;
};

static void put_byte(struct bytes *b, unsigned char c)
{
	if (b->oom || !grow((void **)&b->p, &b->cap, b->n, 1)) {
		b->oom = true;
		return;
	}
	b->p[b->n++] = c;
}

static void put_uv(struct bytes *b, uint64_t v)
{
	while (v >= 0x80) {
		put_byte(b, (unsigned char)(v | 0x80));
		v >>= 7;
	}
	put_byte(b, (unsigned char)v);
}

/* put_delta writes v - *prev zigzagged (small either way) and keeps v. */
static void put_delta(struct bytes *b, uint64_t v, uint64_t *prev)
{
	uint64_t d = v - *prev;
	put_uv(b, (int64_t)d < 0 ? ~(d << 1) : d << 1);
	*prev = v;
}

/* An open-addressing map from strings (owned) to numbers. */
struct smap {
	char **key;
	uint32_t *val;
	size_t cap, n, used; /* used counts tombstones too */
};

#define TOMB ((char *)1)

static uint64_t hash(const char *s, size_t n)
{
	uint64_t h = 1469598103934665603ull;
	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)s[i]) * 1099511628211ull;
	return h;
}

static void smap_release(struct smap *m)
{
	for (size_t i = 0; i < m->cap; i++)
		if (m->key[i] && m->key[i] != TOMB)
			free(m->key[i]);
	free(m->key);
	free(m->val);
	memset(m, 0, sizeof(*m));
}

static bool smap_rehash(struct smap *m, size_t cap)
{
	char **key = calloc(cap, sizeof(*key));
	uint32_t *val = calloc(cap, sizeof(*val));
	if (!key || !val) {
		free(key);
		free(val);
		return false;
	}
	for (size_t i = 0; i < m->cap; i++) {
		char *k = m->key[i];
		if (!k || k == TOMB)
			continue;
		size_t j = hash(k, strlen(k)) & (cap - 1);
		while (key[j])
			j = (j + 1) & (cap - 1);
		key[j] = k;
		val[j] = m->val[i];
	}
	free(m->key);
	free(m->val);
	m->key = key;
	m->val = val;
	m->cap = cap;
	m->used = m->n;
	return true;
}

/* smap_find returns the slot of s[0, n), or -1. */
static long smap_find(const struct smap *m, const char *s, size_t n)
{
	if (!m->cap)
		return -1;
	size_t j = hash(s, n) & (m->cap - 1);
	while (m->key[j]) {
		if (m->key[j] != TOMB && strncmp(m->key[j], s, n) == 0 &&
		    m->key[j][n] == '\0')
			return (long)j;
		j = (j + 1) & (m->cap - 1);
	}
	return -1;
}

/* smap_put adds s[0, n) -> v (s not present). */
static bool smap_put(struct smap *m, const char *s, size_t n, uint32_t v)
{
	if ((m->used + 1) * 2 > m->cap &&
	    !smap_rehash(m,
			 m->cap ? (m->n + 1) * 4 > m->cap ? 2 * m->cap : m->cap
				: 64))
		return false;
	char *k = malloc(n + 1);
	if (!k)
		return false;
	memcpy(k, s, n);
	k[n] = '\0';
	size_t j = hash(s, n) & (m->cap - 1);
	while (m->key[j] && m->key[j] != TOMB)
		j = (j + 1) & (m->cap - 1);
	if (!m->key[j])
		m->used++;
	m->key[j] = k;
	m->val[j] = v;
	m->n++;
	return true;
}

static void smap_del(struct smap *m, long slot)
{
	free(m->key[slot]);
	m->key[slot] = TOMB;
	m->n--;
}

/* ------------------------------------------------------------------ */
/* Recorder                                                            */
/* ------------------------------------------------------------------ */

#define NEVER UINT64_MAX
#define NCURVES HG_STAT_NCURVES /* the statistics table's curves */

struct run {
	hg_addr base, end;
	uint64_t born;
	uint8_t cls;
};

struct rec { /* a run that ended: alive at keyframes in [born, died) */
	hg_addr base, end;
	uint64_t born, died;
	uint8_t cls;
};

struct idrec {
	hg_addr base, end;
	uint64_t born, died;
	uint32_t prefix; /* index in the prefix table */
	uint64_t num;    /* 0: the id is the prefix; else the number + 1 */
	uint8_t family;  /* enum hg_id_family */
};

struct keyframe {
	uint64_t event;
	struct hg_figures fig;
	uint64_t grows, maps; /* heap grows, OS map calls so far */
	uint8_t op;           /* enum hg_op_kind */
	bool pinned;
};

struct lane {
	char *label;
	struct hg_config cfg;
	bool have_cfg, ended;
	struct hg_stats stats; /* at the end */
	/* keyframes */
	struct keyframe *kf;
	size_t nkf, capkf, npinned, nunpinned;
	uint64_t stride;
	/* the map at the last keyframe, and the runs that ended */
	struct run *cur, *next;
	size_t ncur, capcur, nnext, capnext;
	struct rec *rec;
	size_t nrec, caprec;
	/* ids */
	struct idrec *ids;
	size_t nids, capids;
	bool ids_dropped;
	struct smap live;
	/* curves */
	struct hg_bucket bk[HG_REPORT_BUCKETS];
	uint64_t bsize;
	uint64_t events;
	struct hg_extents meta; /* the metadata band at the end */
	hg_addr (*arenas)[2];   /* the heap arenas at the end */
	size_t narenas, caparenas;
	bool arenas_oom, thinned_for_size;
};

struct mark {
	uint64_t event;
	char *label;
};

struct hg_report {
	char *trace_name;
	struct lane lane[9];
	size_t nlanes;
	struct mark *marks;
	size_t nmarks, capmarks;
	bool marks_dropped;
	struct smap prefixes;
	uint64_t start;           /* the event the page opens at (--at) */
	hg_addr view_lo, view_hi; /* the addresses it first shows (--range) */
	hg_addr zoom_lo, zoom_hi; /* else: the heap, when it is small */
	bool show_metadata;       /* --show metadata */
	bool have_start;
	char **prefix; /* by index */
	size_t nprefix, capprefix;
	const struct hg_stat_spec *curve[NCURVES]; /* what each curve draws */
};

int hg_report_new(struct hg_report **out, size_t nlanes, const char *trace_name)
{
	*out = NULL;
	if (!nlanes || nlanes > 9)
		return HG_EINVAL;
	struct hg_report *r = calloc(1, sizeof(*r));
	if (!r)
		return HG_ENOMEM;
	r->nlanes = nlanes;
	for (unsigned c = 0; c < NCURVES; c++)
		r->curve[c] = hg_stat_curve(c);
	for (size_t i = 0; i < nlanes; i++) {
		r->lane[i].stride = 1;
		r->lane[i].bsize = 1;
	}
	r->trace_name = strdup(trace_name ? trace_name : "");
	if (!r->trace_name) {
		free(r);
		return HG_ENOMEM;
	}
	*out = r;
	return HG_OK;
}

void hg_report_free(struct hg_report *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->nlanes; i++) {
		struct lane *l = &r->lane[i];
		free(l->label);
		free(l->kf);
		free(l->cur);
		free(l->next);
		free(l->rec);
		free(l->ids);
		free(l->arenas);
		hg_extents_release(&l->meta);
		smap_release(&l->live);
	}
	for (size_t i = 0; i < r->nmarks; i++)
		free(r->marks[i].label);
	free(r->marks);
	smap_release(&r->prefixes);
	free(r->prefix);
	free(r->trace_name);
	free(r);
}

void hg_report_framing(struct hg_report *r, hg_addr zoom_lo, hg_addr zoom_hi,
		       bool show_metadata)
{
	r->zoom_lo = zoom_lo;
	r->zoom_hi = zoom_hi;
	r->show_metadata = show_metadata;
}

void hg_report_view(struct hg_report *r, hg_addr lo, hg_addr hi)
{
	r->view_lo = lo;
	r->view_hi = hi;
}

int hg_report_label(struct hg_report *r, size_t lane, const char *label)
{
	if (lane >= r->nlanes)
		return HG_EINVAL;
	free(r->lane[lane].label);
	r->lane[lane].label = label ? strdup(label) : NULL;
	return label && !r->lane[lane].label ? HG_ENOMEM : HG_OK;
}

/* Keyframes ---------------------------------------------------------- */

static int collect_run(void *arg, hg_addr base, hg_addr end, enum hg_class c)
{
	struct lane *l = arg;
	if (!grow((void **)&l->next, &l->capnext, l->nnext, sizeof(*l->next)))
		return HG_ENOMEM;
	l->next[l->nnext++] = (struct run){ base, end, 0, (uint8_t)c };
	return 0;
}

static bool add_rec(struct lane *l, const struct run *u, uint64_t died)
{
	if (!grow((void **)&l->rec, &l->caprec, l->nrec, sizeof(*l->rec)))
		return false;
	l->rec[l->nrec++] =
		(struct rec){ u->base, u->end, u->born, died, u->cls };
	return true;
}

/* visible tells whether some kept keyframe lies in [born, died). */
static bool visible(const struct lane *l, uint64_t born, uint64_t died)
{
	size_t lo = 0, hi = l->nkf;
	while (lo < hi) { /* first keyframe at or after born */
		size_t mid = (lo + hi) / 2;
		if (l->kf[mid].event < born)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < l->nkf && l->kf[lo].event < died;
}

/* thin drops every other unpinned keyframe (doubling the spacing) and
 * the runs no kept keyframe shows. */
static void thin(struct lane *l)
{
	size_t j = 0;
	l->stride *= 2;
	l->nunpinned = 0;
	for (size_t i = 0; i < l->nkf; i++) {
		struct keyframe *k = &l->kf[i];
		bool keep = k->pinned || (k->event + 1) % l->stride == 0;
		if (keep) {
			l->nunpinned += !k->pinned;
			l->kf[j++] = *k;
		}
	}
	l->nkf = j;
	j = 0;
	for (size_t i = 0; i < l->nrec; i++)
		if (visible(l, l->rec[i].born, l->rec[i].died))
			l->rec[j++] = l->rec[i];
	l->nrec = j;
}

static int keyframe(struct lane *l, struct hg_model *m, uint64_t i,
		    enum hg_op_kind op, bool pinned)
{
	if (l->nkf && l->kf[l->nkf - 1].event == i) {
		l->kf[l->nkf - 1].pinned |= pinned;
		return HG_OK;
	}
	l->nnext = 0;
	int rc = hg_model_regions(m, 0, hg_model_space_end(m), collect_run, l);
	if (rc)
		return HG_ENOMEM;
	/* The runs that are not exactly in the new map ended here. */
	size_t a = 0, b = 0;
	while (a < l->ncur || b < l->nnext) {
		struct run *u = a < l->ncur ? &l->cur[a] : NULL;
		struct run *v = b < l->nnext ? &l->next[b] : NULL;
		if (u && v && u->base == v->base && u->end == v->end &&
		    u->cls == v->cls) {
			v->born = u->born;
			a++;
			b++;
		} else if (u && (!v || u->base <= v->base)) {
			if (!add_rec(l, u, i))
				return HG_ENOMEM;
			a++;
		} else {
			v->born = i;
			b++;
		}
	}
	struct run *t = l->cur;
	size_t tc = l->capcur;
	l->cur = l->next;
	l->capcur = l->capnext;
	l->ncur = l->nnext;
	l->next = t;
	l->capnext = tc;
	if (!grow((void **)&l->kf, &l->capkf, l->nkf, sizeof(*l->kf)))
		return HG_ENOMEM;
	const struct hg_stats *st = hg_model_stats(m);
	l->kf[l->nkf++] = (struct keyframe){
		i,           st->final, st->heap_grows, st->os_calls.map,
		(uint8_t)op, pinned
	};
	if (pinned)
		l->npinned++;
	else if (++l->nunpinned >= 2 * HG_REPORT_KEYFRAMES)
		thin(l);
	/* Bounded in size too: fewer keyframes while the log is too long. */
	while (l->nrec > HG_REPORT_MAX_REGIONS && l->nunpinned > 16) {
		thin(l);
		l->thinned_for_size = true;
	}
	return HG_OK;
}

/* Ids ---------------------------------------------------------------- */

static int prefix_index(struct hg_report *r, const char *s, size_t n,
			uint32_t *out)
{
	long slot = smap_find(&r->prefixes, s, n);
	if (slot >= 0) {
		*out = r->prefixes.val[slot];
		return HG_OK;
	}
	if (!grow((void **)&r->prefix, &r->capprefix, r->nprefix,
		  sizeof(*r->prefix)) ||
	    !smap_put(&r->prefixes, s, n, (uint32_t)r->nprefix))
		return HG_ENOMEM;
	slot = smap_find(&r->prefixes, s, n);
	r->prefix[r->nprefix] = r->prefixes.key[slot];
	*out = (uint32_t)r->nprefix++;
	return HG_OK;
}

/* split_id splits "s123" into the prefix "s" and 123 + 1 (0: no number
 * kept, "007" stays whole). */
static size_t split_id(const char *id, uint64_t *num)
{
	size_t n = strlen(id), k = n;
	while (k > 0 && id[k - 1] >= '0' && id[k - 1] <= '9')
		k--;
	*num = 0;
	if (k == n || n - k > 15 || (id[k] == '0' && n - k > 1))
		return n;
	uint64_t v = 0;
	for (size_t i = k; i < n; i++)
		v = v * 10 + (uint64_t)(id[i] - '0');
	*num = v + 1;
	return k;
}

static int record_id(struct hg_report *r, struct lane *l,
		     const struct hg_op *op, const struct hg_op_result *res,
		     uint64_t i)
{
	const struct hg_op_spec *sp = hg_op_spec(op->kind);
	enum hg_id_use use;
	char key[256];
	int n = hg_idlive_key(op, key, sizeof(key), &use);

	if (!n)
		return HG_OK;
	if (use == HG_ID_END) {
		long slot = smap_find(&l->live, key, (size_t)n);
		if (slot >= 0) {
			l->ids[l->live.val[slot]].died = i;
			smap_del(&l->live, slot);
		}
		return HG_OK;
	}
	if (!res->addr)
		return HG_OK;
	if (l->nids >= HG_REPORT_MAX_IDS) {
		l->ids_dropped = true;
		return HG_OK;
	}
	uint64_t size = res->size;
	if (sp->family == HG_IDS_OBJECT)
		size = res->elemsize ? res->elemsize : op->size;
	if (!size)
		size = 1;
	struct idrec d = { res->addr, res->addr + size,   i, NEVER, 0,
			   0,         (uint8_t)sp->family };
	size_t k = split_id(op->id, &d.num);
	if (prefix_index(r, op->id, k, &d.prefix))
		return HG_ENOMEM;
	if (!grow((void **)&l->ids, &l->capids, l->nids, sizeof(*l->ids)))
		return HG_ENOMEM;
	long slot = smap_find(&l->live, key, (size_t)n);
	if (slot >= 0) /* a trace error the model reported; keep the first */
		return HG_OK;
	if (!smap_put(&l->live, key, (size_t)n, (uint32_t)l->nids))
		return HG_ENOMEM;
	l->ids[l->nids++] = d;
	return HG_OK;
}

/* Curves ------------------------------------------------------------- */

static void curves(const struct hg_report *r, struct lane *l,
		   const struct hg_figures *f, uint64_t i)
{
	uint64_t v[NCURVES];
	for (unsigned c = 0; c < NCURVES; c++)
		v[c] = hg_stat_figure(r->curve[c], f);
	hg_bucket_add(l->bk, HG_REPORT_BUCKETS, &l->bsize, i, v);
}

/* Events ------------------------------------------------------------- */

int hg_report_event(struct hg_report *r, size_t lane, struct hg_model *m,
		    const struct hg_op *op, const struct hg_op_result *res,
		    uint64_t index)
{
	if (lane >= r->nlanes)
		return HG_EINVAL;
	struct lane *l = &r->lane[lane];
	bool pin = false;

	if (!l->have_cfg) {
		l->cfg = *hg_model_config(m);
		l->have_cfg = true;
	}
	l->events = index + 1;
	if (op->kind == HG_OP_MARK) {
		if (!r->nmarks || r->marks[r->nmarks - 1].event < index) {
			if (r->nmarks >= HG_REPORT_MAX_MARKS) {
				r->marks_dropped = true;
			} else {
				if (!grow((void **)&r->marks, &r->capmarks,
					  r->nmarks, sizeof(*r->marks)))
					return HG_ENOMEM;
				char *t = strdup(op->text ? op->text : "");
				if (!t)
					return HG_ENOMEM;
				r->marks[r->nmarks++] =
					(struct mark){ index, t };
			}
		}
		pin = l->npinned < HG_REPORT_MAX_PINNED;
	}
	if (res->oom)
		pin = true;
	int rc = record_id(r, l, op, res, index);
	if (rc)
		return rc;
	curves(r, l, &hg_model_stats(m)->final, index);
	if (pin || (index + 1) % l->stride == 0)
		return keyframe(l, m, index, op->kind, pin);
	return HG_OK;
}

int hg_report_start(struct hg_report *r, size_t lane, struct hg_model *m,
		    const struct hg_op *op, uint64_t index)
{
	if (lane >= r->nlanes)
		return HG_EINVAL;
	r->start = index;
	r->have_start = true;
	return keyframe(&r->lane[lane], m, index, op->kind, true);
}

static int arena_of(void *arg, hg_addr base, hg_addr end, enum hg_class c)
{
	struct lane *l = arg;
	(void)c;
	if (!grow((void **)&l->arenas, &l->caparenas, l->narenas,
		  sizeof(*l->arenas))) {
		l->arenas_oom = true;
		return 1;
	}
	l->arenas[l->narenas][0] = base;
	l->arenas[l->narenas++][1] = end;
	return 0;
}

int hg_report_end(struct hg_report *r, size_t lane, struct hg_model *m)
{
	if (lane >= r->nlanes)
		return HG_EINVAL;
	struct lane *l = &r->lane[lane];
	if (!l->have_cfg) {
		l->cfg = *hg_model_config(m);
		l->have_cfg = true;
	}
	l->stats = *hg_model_stats(m);
	if (l->events) {
		int rc = keyframe(l, m, l->events - 1,
				  l->nkf ? (enum hg_op_kind)l->kf[l->nkf - 1].op
					 : HG_OP_MARK,
				  true);
		if (rc)
			return rc;
	}
	for (size_t i = 0; i < l->ncur; i++)
		if (!add_rec(l, &l->cur[i], NEVER))
			return HG_ENOMEM;
	l->ncur = 0;
	l->narenas = 0;
	hg_model_arenas(m, arena_of, l);
	if (l->arenas_oom)
		return HG_ENOMEM;
	hg_extents_release(&l->meta);
	hg_extents_metadata_of(&l->meta, &m, 1);
	if (l->meta.oom)
		return HG_ENOMEM;
	l->ended = true;
	return HG_OK;
}

/* ------------------------------------------------------------------ */
/* Reading back                                                        */
/* ------------------------------------------------------------------ */

size_t hg_report_keyframes(const struct hg_report *r, size_t lane,
			   uint64_t *events, size_t max)
{
	if (lane >= r->nlanes)
		return 0;
	const struct lane *l = &r->lane[lane];
	for (size_t i = 0; i < l->nkf && i < max; i++)
		events[i] = l->kf[i].event;
	return l->nkf;
}

static int cmp_rec(const void *a, const void *b);

int hg_report_map_at(const struct hg_report *r, size_t lane, uint64_t e,
		     hg_region_fn fn, void *arg)
{
	if (lane >= r->nlanes)
		return HG_EINVAL;
	const struct lane *l = &r->lane[lane];
	size_t n = 0;
	struct rec *v = malloc((l->nrec + 1) * sizeof(*v));
	if (!v)
		return HG_ENOMEM;
	for (size_t i = 0; i < l->nrec; i++)
		if (l->rec[i].born <= e && e < l->rec[i].died)
			v[n++] = l->rec[i];
	if (n > 1)
		qsort(v, n, sizeof(*v), cmp_rec);
	int rc = 0;
	for (size_t i = 0; i < n && !rc; i++)
		rc = fn(arg, v[i].base, v[i].end, (enum hg_class)v[i].cls);
	free(v);
	return rc;
}

int hg_report_id_at(const struct hg_report *r, size_t lane, uint64_t e,
		    hg_addr a, char *id, size_t idlen, hg_addr *base,
		    hg_addr *end, uint64_t *born)
{
	if (lane >= r->nlanes)
		return 0;
	const struct lane *l = &r->lane[lane];
	const struct idrec *best = NULL;
	for (size_t i = 0; i < l->nids; i++) {
		const struct idrec *x = &l->ids[i];
		if (x->born <= e && e < x->died && x->base <= a && a < x->end &&
		    (!best || x->end - x->base < best->end - best->base))
			best = x;
	}
	if (!best)
		return 0;
	if (best->num)
		snprintf(id, idlen, "%s%" PRIu64, r->prefix[best->prefix],
			 best->num - 1);
	else
		snprintf(id, idlen, "%s", r->prefix[best->prefix]);
	*base = best->base;
	*end = best->end;
	*born = best->born;
	return 1;
}

/* ------------------------------------------------------------------ */
/* Writer                                                              */
/* ------------------------------------------------------------------ */

/* json_str writes s as a JSON string safe inside a <script> element:
 * '<', '>' and '&' escaped, invalid UTF-8 replaced. */
static void json_str(FILE *f, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	fputc('"', f);
	while (*p) {
		unsigned c = *p;
		if (c == '"' || c == '\\') {
			fprintf(f, "\\%c", c);
			p++;
		} else if (c < 0x20 || c == '<' || c == '>' || c == '&') {
			fprintf(f, "\\u%04x", c);
			p++;
		} else if (c < 0x80) {
			fputc((int)c, f);
			p++;
		} else {
			int n = c >= 0xf0 && c < 0xf5   ? 4
				: c >= 0xe0 && c < 0xf0 ? 3
				: c >= 0xc2 && c < 0xe0 ? 2
							: 0;
			int k = 1;
			while (n && k < n && (p[k] & 0xc0) == 0x80)
				k++;
			if (!n || k < n) {
				fputs("\\ufffd", f);
				p += k;
			} else {
				fwrite(p, 1, (size_t)n, f);
				p += n;
			}
		}
	}
	fputc('"', f);
}

static const char b64[] =
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/* blob writes the deflated bytes as base64 in a script element. */
static int blob(FILE *f, const char *name, const struct bytes *b)
{
	if (b->oom)
		return -1;
	uLongf zn = compressBound((uLong)b->n);
	unsigned char *z = malloc(zn);
	if (!z)
		return -1;
	if (compress2(z, &zn, b->p ? b->p : (const unsigned char *)"",
		      (uLong)b->n, 6) != Z_OK) {
		free(z);
		return -1;
	}
	fprintf(f, "<script type=\"text/plain\" id=\"%s\">", name);
	char line[77];
	size_t o = 0;
	for (size_t i = 0; i < zn; i += 3) {
		uint32_t v = (uint32_t)z[i] << 16;
		if (i + 1 < zn)
			v |= (uint32_t)z[i + 1] << 8;
		if (i + 2 < zn)
			v |= z[i + 2];
		line[o++] = b64[v >> 18 & 63];
		line[o++] = b64[v >> 12 & 63];
		line[o++] = i + 1 < zn ? b64[v >> 6 & 63] : '=';
		line[o++] = i + 2 < zn ? b64[v & 63] : '=';
		if (o == 76) {
			line[o++] = '\n';
			fwrite(line, 1, o, f);
			o = 0;
		}
	}
	fwrite(line, 1, o, f);
	fputs("</script>\n", f);
	free(z);
	return 0;
}

static int cmp_rec(const void *a, const void *b)
{
	const struct rec *x = a, *y = b;
	if (x->base != y->base)
		return x->base < y->base ? -1 : 1;
	return (x->born > y->born) - (x->born < y->born);
}

static int cmp_id(const void *a, const void *b)
{
	const struct idrec *x = a, *y = b;
	if (x->base != y->base)
		return x->base < y->base ? -1 : 1;
	return (x->born > y->born) - (x->born < y->born);
}

/* put_run writes one record of the region or id log: its base (from the
 * previous record's, *prev), its length, its class or family, and its
 * birth and life (died - born, 0 if it never died) as differences from
 * the previous record's (*pborn, *plife). */
static void put_run(struct bytes *b, hg_addr base, hg_addr end,
		    unsigned char kind, uint64_t born, uint64_t died,
		    hg_addr *prev, uint64_t *pborn, uint64_t *plife)
{
	put_uv(b, base - *prev);
	put_uv(b, end - base);
	put_byte(b, kind);
	put_delta(b, born, pborn);
	put_delta(b, died == NEVER ? 0 : died - born, plife);
	*prev = base;
}

/*
 * The region log, per run: base - the previous base, length, class, then
 * born and life (died - born, 0: never) each as a zigzag difference from
 * the previous run's. Neighbours are alike, so the deltas are small and
 * deflate well.
 */
static void encode_regions(struct bytes *b, struct lane *l)
{
	hg_addr prev = 0;
	uint64_t pborn = 0, plife = 0;
	if (l->nrec > 1) /* qsort's base may not be NULL */
		qsort(l->rec, l->nrec, sizeof(*l->rec), cmp_rec);
	for (size_t i = 0; i < l->nrec; i++) {
		const struct rec *x = &l->rec[i];
		put_run(b, x->base, x->end, x->cls, x->born, x->died, &prev,
			&pborn, &plife);
	}
}

/* The id log: as the region log, with the family instead of the class,
 * then the prefix's index and the number (+ 1, 0: none) as differences
 * from the previous record's. */
static void encode_ids(struct bytes *b, struct lane *l)
{
	hg_addr prev = 0;
	uint64_t pborn = 0, plife = 0, pprefix = 0, pnum = 0;
	if (l->nids > 1) /* qsort's base may not be NULL */
		qsort(l->ids, l->nids, sizeof(*l->ids), cmp_id);
	for (size_t i = 0; i < l->nids; i++) {
		const struct idrec *x = &l->ids[i];
		put_run(b, x->base, x->end, x->family, x->born, x->died, &prev,
			&pborn, &plife);
		put_delta(b, x->prefix, &pprefix);
		put_delta(b, x->num, &pnum);
	}
}

static void add_extents(struct hg_extents *e, const struct lane *l)
{
	for (size_t i = 0; i < l->nrec; i++)
		hg_extents_add(e, l->rec[i].base, l->rec[i].end);
	for (size_t i = 0; i < l->narenas; i++)
		hg_extents_add(e, l->arenas[i][0], l->arenas[i][1]);
}

static void fig_array(FILE *f, const struct keyframe *k)
{
	const struct hg_figures *g = &k->fig;
	fprintf(f,
		"[%" PRIu64 ",%" PRIu64 ",%" PRIu64 ",%" PRIu64 ",%" PRIu64
		",%" PRIu64 ",%" PRIu64 ",%" PRIu64 ",%" PRIu64,
		g->heap_sys, g->heap_idle, g->heap_inuse, g->heap_released,
		g->committed, g->mapped, g->address_space, g->linear_memory,
		g->arenas);
	for (int c = 0; c < HG_CLASS_COUNT; c++)
		fprintf(f, ",%" PRIu64, g->classes[c]);
	fprintf(f, ",%" PRIu64 ",%" PRIu64 "]", k->grows, k->maps);
}

static void sampled_note(char *buf, size_t len, const struct hg_report *r)
{
	/* The longest lane (compare: one may have stopped early). */
	const struct lane *l = &r->lane[0];
	for (size_t i = 1; i < r->nlanes; i++)
		if (r->lane[i].events > l->events)
			l = &r->lane[i];
	char every[48], per[48];
	if (l->stride == 1)
		snprintf(every, sizeof(every), "every event");
	else
		snprintf(every, sizeof(every), "every %" PRIu64 "th event",
			 l->stride);
	if (l->bsize == 1)
		snprintf(per, sizeof(per), "each event");
	else
		snprintf(per, sizeof(per), "each %" PRIu64 " events", l->bsize);
	size_t o = (size_t)snprintf(
		buf, len,
		"map exact at %zu of %" PRIu64 " events (every mark%s, the "
		"last event, and %s); ids and bounds of spans, objects and "
		"mappings exact at every event%s; curves: min, max and last "
		"value of %s",
		l->nkf, l->events,
		l->npinned >= HG_REPORT_MAX_PINNED ? " up to the 512th" : "",
		every, l->ids_dropped ? " (the first 4194304 only)" : "", per);
	if (r->marks_dropped && o < len)
		o += (size_t)snprintf(buf + o, len - o,
				      "; the first %d marks listed",
				      HG_REPORT_MAX_MARKS);
	for (size_t i = 0; i < r->nlanes && o < len; i++)
		if (r->lane[i].thinned_for_size) {
			snprintf(buf + o, len - o,
				 "; keyframes spaced wider to keep the map's "
				 "log under %d runs",
				 HG_REPORT_MAX_REGIONS);
			break;
		}
}

/* write_axis writes an axis's segments: [lo, hi, p0, p1, fold, band]. */
static void write_axis(FILE *f, const char *name, const struct hg_axis *ax)
{
	fprintf(f, ",\"%s\":{\"length\":%d,\"segs\":[", name, ax->length);
	for (size_t i = 0; i < ax->n; i++)
		fprintf(f, "%s[%" PRIu64 ",%" PRIu64 ",%d,%d,%d,%d]",
			i ? "," : "", ax->seg[i].lo, ax->seg[i].hi,
			ax->seg[i].p0, ax->seg[i].p1, ax->seg[i].fold,
			ax->seg[i].band);
	fputs("]}", f);
}

/* metadata_band is the lanes' metadata band: each one's at its end, less
 * what any lane ever held outside its own. */
static void metadata_band(struct hg_extents *meta, const struct hg_report *r)
{
	struct hg_extents other;
	hg_extents_init(&other);
	for (size_t i = 0; i < r->nlanes; i++) {
		const struct lane *l = &r->lane[i];
		struct hg_extents held;
		hg_extents_init(&held);
		add_extents(&held, l);
		hg_extents_normalize(&held);
		hg_extents_subtract(&held, &l->meta);
		for (size_t k = 0; k < held.n; k++)
			hg_extents_add(&other, held.v[k].lo, held.v[k].hi);
		for (size_t k = 0; k < l->meta.n; k++)
			hg_extents_add(meta, l->meta.v[k].lo, l->meta.v[k].hi);
		meta->oom |= held.oom;
		hg_extents_release(&held);
	}
	hg_extents_normalize(meta);
	hg_extents_normalize(&other);
	hg_extents_subtract(meta, &other);
	meta->oom |= other.oom;
	hg_extents_release(&other);
}

int hg_report_write_html(struct hg_report *r, FILE *f)
{
	struct hg_extents ext, meta;
	struct hg_axis ax, axf;
	char note[512], line[256], t[32];
	int rc = -1;
	bool band = false;

	for (size_t i = 0; i < r->nlanes; i++)
		if (!r->lane[i].ended)
			return -1;
	hg_extents_init(&ext);
	hg_extents_init(&meta);
	memset(&ax, 0, sizeof(ax));
	memset(&axf, 0, sizeof(axf));
	for (size_t i = 0; i < r->nlanes; i++)
		add_extents(&ext, &r->lane[i]);
	hg_extents_normalize(&ext);
	metadata_band(&meta, r);
	if (ext.oom || meta.oom)
		goto out;
	if (!ext.n) /* nothing ever held: an empty axis */
		hg_extents_add(&ext, 0, 1u << 20);
	/* The metadata folded into a band, and the axis without it (the
	 * page's "metadata" toggle). */
	if (hg_axis_build_banded(&ax, &ext, &meta, 1160, HG_BAND_PX) ||
	    hg_axis_build(&axf, &ext, 1160))
		goto out;
	for (size_t i = 0; i < ax.n; i++)
		band |= ax.seg[i].band;
	sampled_note(note, sizeof(note), r);

	fputs("<!DOCTYPE html>\n<html lang=\"en\"><head><meta "
	      "charset=\"utf-8\">\n",
	      f);
	fputs("<!-- heapgrow report (README \"Pictures\"). Sampled: ", f);
	for (const char *p = note; *p; p++) /* no "--" inside a comment */
		fputc(*p == '-' ? '_' : *p, f);
	fputs(". -->\n<title>", f);
	for (const unsigned char *p = (const unsigned char *)r->trace_name; *p;
	     p++) {
		if (*p == '<')
			fputs("&lt;", f);
		else if (*p == '&')
			fputs("&amp;", f);
		else
			fputc(*p, f);
	}
	fputs(r->trace_name[0] ? " \xe2\x80\x94 heapgrow report"
			       : "heapgrow report",
	      f);
	fprintf(f, "</title>\n<style>\n%s</style>\n</head><body>\n",
		(const char *)hg_report_css);
	fputs("<div id=\"app\"><p id=\"loading\">Loading the report\xe2\x80\xa6"
	      "</p></div>\n",
	      f);
	fputs("<script type=\"application/json\" id=\"hg-data\">{\"format\":1,"
	      "\"trace\":",
	      f);
	json_str(f, r->trace_name);
	if (r->have_start)
		fprintf(f, ",\"start\":%" PRIu64, r->start);
	if (r->view_hi > r->view_lo)
		fprintf(f, ",\"view\":[%" PRIu64 ",%" PRIu64 "]", r->view_lo,
			r->view_hi);
	else if (r->zoom_hi > r->zoom_lo)
		fprintf(f, ",\"zoom\":[%" PRIu64 ",%" PRIu64 "]", r->zoom_lo,
			r->zoom_hi);
	if (r->show_metadata)
		fputs(",\"show_metadata\":true", f);
	fputs(",\"sampled\":", f);
	json_str(f, note);
	fputs(",\"classes\":[", f);
	for (int c = 0; c < HG_CLASS_COUNT; c++) {
		fputs(c ? "," : "", f);
		json_str(f, hg_class_name((enum hg_class)c));
	}
	fputs("],\"colors\":[", f);
	for (int c = 0; c < HG_CLASS_COUNT; c++)
		fprintf(f, "%s\"#%06" PRIx32 "\"", c ? "," : "",
			hg_class_rgb((enum hg_class)c));
	fputs("],\"ops\":[", f);
	for (int k = 0;; k++) {
		const struct hg_op_spec *sp = hg_op_spec((enum hg_op_kind)k);
		if (!sp)
			break;
		fputs(k ? "," : "", f);
		json_str(f, sp->name);
	}
	fputc(']', f);
	write_axis(f, "axis", &ax);
	if (band)
		write_axis(f, "axis_full", &axf);
	fputs(",\"marks\":[", f);
	for (size_t i = 0; i < r->nmarks; i++) {
		fprintf(f, "%s[%" PRIu64 ",", i ? "," : "", r->marks[i].event);
		json_str(f, r->marks[i].label);
		fputc(']', f);
	}
	fputs("],\"prefixes\":[", f);
	for (size_t i = 0; i < r->nprefix; i++) {
		fputs(i ? "," : "", f);
		json_str(f, r->prefix[i]);
	}
	fputs("],\"lanes\":[", f);
	for (size_t i = 0; i < r->nlanes; i++) {
		struct lane *l = &r->lane[i];
		fputs(i ? ",\n{" : "\n{", f);
		fputs("\"label\":", f);
		json_str(f, l->label ? l->label : "");
		hg_config_line(line, sizeof(line), &l->cfg);
		fputs(",\"config\":", f);
		json_str(f, line);
		fprintf(f,
			",\"events\":%" PRIu64 ",\"page\":%" PRIu64
			",\"os_page\":%" PRIu64 ",\"commit_limit\":%" PRIu64,
			l->events, l->cfg.page_size, l->cfg.phys_page_size,
			l->cfg.commit_limit);
		if (l->stats.oom) {
			fprintf(f,
				",\"oom\":{\"event\":%" PRIu64 ",\"message\":",
				l->stats.oom_event);
			json_str(f, l->stats.oom_message);
			fputc('}', f);
		}
		fputs(",\"keys\":[", f);
		for (size_t k = 0; k < l->nkf; k++) {
			fprintf(f, "%s[%" PRIu64 ",%u,%d,", k ? "," : "",
				l->kf[k].event, l->kf[k].op, l->kf[k].pinned);
			fig_array(f, &l->kf[k]);
			fputc(']', f);
		}
		fprintf(f, "],\"bucket\":%" PRIu64 ",\"curves\":[", l->bsize);
		bool first = true;
		for (size_t k = 0; k < HG_REPORT_BUCKETS; k++) {
			const struct hg_bucket *x = &l->bk[k];
			if (!x->set)
				continue;
			fprintf(f, "%s[%zu", first ? "" : ",", k);
			first = false;
			for (int c = 0; c < NCURVES; c++)
				fprintf(f, ",%" PRIu64 ",%" PRIu64 ",%" PRIu64,
					x->mn[c], x->mx[c], x->last[c]);
			fputc(']', f);
		}
		fputs("],\"arenas\":[", f);
		for (size_t k = 0; k < l->narenas; k++)
			fprintf(f, "%s[%" PRIu64 ",%" PRIu64 "]", k ? "," : "",
				l->arenas[k][0], l->arenas[k][1]);
		fprintf(f, "],\"nregions\":%zu,\"nids\":%zu}", l->nrec,
			l->nids);
	}
	fputs("]}</script>\n", f);
	for (size_t i = 0; i < r->nlanes; i++) {
		struct bytes b = { 0 }, d = { 0 };
		encode_regions(&b, &r->lane[i]);
		encode_ids(&d, &r->lane[i]);
		snprintf(t, sizeof(t), "hg-regions-%zu", i);
		int e = blob(f, t, &b);
		snprintf(t, sizeof(t), "hg-ids-%zu", i);
		e |= blob(f, t, &d);
		free(b.p);
		free(d.p);
		if (e)
			goto out;
	}
	fprintf(f, "<script>\n%s</script>\n</body></html>\n",
		(const char *)hg_report_js);
	rc = ferror(f) ? -1 : 0;
out:
	hg_extents_release(&ext);
	hg_extents_release(&meta);
	hg_axis_release(&ax);
	hg_axis_release(&axf);
	return rc;
}

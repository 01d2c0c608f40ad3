/*
 * ids.c - the id rules of a trace (share/doc/trace-format.md, "Events"):
 * the one definition that replay (hg_model_apply) and heapgrow check
 * (hg_ids_apply) both use, driven by the op table's family and use.
 */
#include "ids.h"

#include <stdlib.h>
#include <string.h>

#include "internal.h"

void hg_ids_key(const struct hg_op *op, struct hg_idkey *k)
{
	k->s = op->id;
	if (op->id_len && op->id_hash) {
		k->len = op->id_len;
		k->hash = op->id_hash;
	} else {
		k->len = strlen(op->id);
		k->hash = hg_id_hash(op->id, k->len);
	}
	/* A reader that reuses an op must not keep a stale hash. */
	HG_ASSERT(k->len == strlen(op->id) &&
		  k->hash == hg_id_hash(op->id, k->len));
}

/* enter is hg_ids_enter for op's row k (not NULL). */
static inline int enter(struct hg_idmap *live, const struct hg_op_spec *k,
			const struct hg_op *op, struct hg_identry **made,
			struct hg_idval *ended, struct hg_idval *old, char *err,
			size_t errlen)
{
	struct hg_idkey key;
	struct hg_identry *e;
	int rc;

	if (k->use == HG_ID_NO)
		return HG_OK;
	if (!op->id || !live)
		return hg_errorf(err, errlen, HG_ETRACE, "%s: missing id",
				 k->name);
	hg_ids_key(op, &key);
	if (k->use == HG_ID_END) {
		if (!hg_idmap_take(live, &key, ended))
			return hg_errorf(err, errlen, HG_ETRACE,
					 "%s: unknown id '%s'", k->name,
					 op->id);
		return HG_OK;
	}
	if (op->size == 0 && hg_op_has_field(k, HG_FIELD_SIZE)) {
		/* Refused either way: which message is the id's to say. */
		if (hg_idmap_find(live, &key, old))
			return hg_errorf(err, errlen, HG_ETRACE,
					 "%s: id '%s' is already live", k->name,
					 op->id);
		return hg_errorf(err, errlen, HG_ETRACE,
				 "%s: size must be positive", k->name);
	}
	rc = hg_idmap_insert(live, &key, &e);
	if (rc < 0)
		return hg_errorf(err, errlen, HG_ENOMEM, "out of memory");
	if (rc == 0) {
		if (old)
			hg_identry_get(e, old);
		return hg_errorf(err, errlen, HG_ETRACE,
				 "%s: id '%s' is already live", k->name,
				 op->id);
	}
	if (made)
		*made = e;
	return HG_OK;
}

int hg_ids_enter_spec(struct hg_idmap *live, const struct hg_op_spec *k,
		      const struct hg_op *op, struct hg_identry **made,
		      struct hg_idval *ended, struct hg_idval *old, char *err,
		      size_t errlen)
{
	if (!k)
		return hg_errorf(err, errlen, HG_ETRACE, "unknown operation");
	return enter(live, k, op, made, ended, old, err, errlen);
}

int hg_ids_enter(struct hg_idmap *live, const struct hg_op *op,
		 struct hg_identry **made, struct hg_idval *ended,
		 struct hg_idval *old, char *err, size_t errlen)
{
	return hg_ids_enter_spec(live, hg_op_spec(op->kind), op, made, ended,
				 old, err, errlen);
}

/* ------------------------------------------------------------------ */
/* hg_ids: the rules without a model                                   */
/* ------------------------------------------------------------------ */

struct hg_ids {
	struct hg_idmap live[HG_IDS_COUNT]; /* by enum hg_id_family */
};

int hg_ids_new(struct hg_ids **out)
{
	struct hg_ids *ids = calloc(1, sizeof(*ids));

	*out = ids;
	if (!ids)
		return HG_ENOMEM;
	for (int f = 0; f < HG_IDS_COUNT; f++)
		hg_idmap_init(&ids->live[f]);
	return HG_OK;
}

void hg_ids_free(struct hg_ids *ids)
{
	if (!ids)
		return;
	for (int f = 0; f < HG_IDS_COUNT; f++)
		hg_idmap_release(&ids->live[f]);
	free(ids);
}

int hg_ids_apply(struct hg_ids *ids, const struct hg_op *op, uint64_t tag,
		 uint64_t *since, char *err, size_t errlen)
{
	const struct hg_op_spec *k = hg_op_spec(op->kind);
	struct hg_idval old = { 0, 0, 0 }, ended;
	struct hg_identry *made = NULL;
	struct hg_idmap *live;
	int rc;

	if (!k)
		return hg_errorf(err, errlen, HG_ETRACE, "unknown operation");
	live = k->family != HG_IDS_NONE ? &ids->live[k->family] : NULL;
	rc = enter(live, k, op, &made, &ended, &old, err, errlen);
	if (rc != HG_OK) {
		if (rc == HG_ETRACE && old.kind && since)
			*since = old.a;
		return rc;
	}
	if (made) {
		struct hg_idval v = { tag, 0, (uint32_t)k->family };

		hg_identry_set(made, &v);
	}
	return HG_OK;
}

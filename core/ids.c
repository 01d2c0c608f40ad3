/*
 * ids.c - the id rules of a trace (share/doc/trace-format.md, "Events"):
 * the one definition that replay (hg_model_apply) and heapgrow check
 * (hg_ids_apply) both use, driven by the op table's family and use.
 */
#include "ids.h"

#include <stdlib.h>

#include "internal.h"

int hg_ids_rule(const struct hg_idmap *live, const struct hg_op *op,
		const struct hg_idval **old, char *err, size_t errlen)
{
	const struct hg_op_spec *k = hg_op_spec(op->kind);
	const struct hg_idval *v;

	if (!k)
		return hg_errorf(err, errlen, HG_ETRACE, "unknown operation");
	if (k->use == HG_ID_NO)
		return HG_OK;
	if (!op->id || !live)
		return hg_errorf(err, errlen, HG_ETRACE, "%s: missing id",
				 k->name);
	v = hg_idmap_get(live, op->id);
	if (k->use == HG_ID_END) {
		if (!v)
			return hg_errorf(err, errlen, HG_ETRACE,
					 "%s: unknown id '%s'", k->name,
					 op->id);
		return HG_OK;
	}
	if (v) {
		if (old)
			*old = v;
		return hg_errorf(err, errlen, HG_ETRACE,
				 "%s: id '%s' is already live", k->name,
				 op->id);
	}
	if (hg_op_has_field(k, HG_FIELD_SIZE) && op->size == 0)
		return hg_errorf(err, errlen, HG_ETRACE,
				 "%s: size must be positive", k->name);
	return HG_OK;
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
	const struct hg_idval *old = NULL;
	struct hg_idmap *live =
		k && k->family != HG_IDS_NONE ? &ids->live[k->family] : NULL;
	int rc = hg_ids_rule(live, op, &old, err, errlen);

	if (rc != HG_OK) {
		if (old && since)
			*since = old->a;
		return rc;
	}
	if (k->use == HG_ID_END) {
		hg_idmap_del(live, op->id, NULL);
	} else if (k->use == HG_ID_MAKE) {
		struct hg_idval v = { tag, 0, (uint32_t)k->family };

		if (hg_idmap_put(live, op->id, &v) != 0)
			return hg_errorf(err, errlen, HG_ENOMEM,
					 "out of memory");
	}
	return HG_OK;
}

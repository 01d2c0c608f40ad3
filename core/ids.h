/*
 * ids.h - the id rules of a trace, shared by the model (hg_model_apply)
 * and hg_ids (heapgrow check); internal to hgcore.
 */
#ifndef HG_IDS_H
#define HG_IDS_H

#include "hg_core.h"
#include "idmap.h"

/*
 * hg_ids_rule checks op against live, the live ids of op's family (the op
 * table's family; NULL for an op that names no id): an op that ends an id
 * must name a live one, an op that makes an id must not, and must have a
 * positive size when it has one. Returns HG_OK, or HG_ETRACE with the
 * message in err and, for an id already live, its value in *old (old may
 * be NULL). It changes nothing: the caller records the effect.
 */
int hg_ids_rule(const struct hg_idmap *live, const struct hg_op *op,
		const struct hg_idval **old, char *err, size_t errlen);

#endif /* HG_IDS_H */

/*
 * ids.h - the id rules of a trace, shared by the model (hg_model_apply)
 * and hg_ids (heapgrow check); internal to hgcore.
 */
#ifndef HG_IDS_H
#define HG_IDS_H

#include "hg_core.h"
#include "idmap.h"

/* hg_ids_key gives op's id as the id maps take it: the length and hash
 * the reader passed in the op (id_len, id_hash), or computed here. */
void hg_ids_key(const struct hg_op *op, struct hg_idkey *k);

/*
 * hg_ids_enter checks op against live, the live ids of op's family (the op
 * table's family; NULL for an op that names no id), and records what the
 * op does to them, with one probe of the map: an op that ends an id must
 * name a live one, which it removes (its value in *ended); an op that
 * makes an id must not, and must have a positive size when it has one: it
 * is inserted, *made its entry, its value zero until the caller sets it.
 * Returns HG_OK, HG_ENOMEM (nothing changed), or HG_ETRACE with the
 * message in err and, for an id already live, its value in *old (old may
 * be NULL); nothing changed then either. made and ended may be NULL for
 * ops that cannot need them.
 */
int hg_ids_enter(struct hg_idmap *live, const struct hg_op *op,
		 struct hg_identry **made, struct hg_idval *ended,
		 struct hg_idval *old, char *err, size_t errlen);

/* hg_ids_enter for op's row k (hg_op_spec(op->kind), NULL: unknown). */
int hg_ids_enter_spec(struct hg_idmap *live, const struct hg_op_spec *k,
		      const struct hg_op *op, struct hg_identry **made,
		      struct hg_idval *ended, struct hg_idval *old, char *err,
		      size_t errlen);

#endif /* HG_IDS_H */

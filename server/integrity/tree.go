package integrity

import (
	"context"

	"zirkel/ent"
	"zirkel/ent/schema/gid"
	"zirkel/server/apperr"
)

// treeMutation changes a node of a tree.
type treeMutation interface {
	ID() (gid.ID, bool)
	ParentID() (gid.ID, bool)
}

// noCycle checks a mutation that sets the parent of an existing node (see checkNoCycle).
func noCycle(ctx context.Context, m treeMutation, parentOf func(context.Context, gid.ID) (gid.ID, error)) error {
	id, hasID := m.ID()
	parent, setsParent := m.ParentID()
	if !hasID || !setsParent {
		return nil
	}
	return checkNoCycle(ctx, id, parent, parentOf)
}

// maxTreeDepth bounds the walk up a tree; deeper trees are refused as well.
const maxTreeDepth = 32

// checkNoCycle walks from parent upwards and fails if it meets id.
func checkNoCycle(ctx context.Context, id, parent gid.ID, parentOf func(context.Context, gid.ID) (gid.ID, error)) error {
	at := parent
	for range maxTreeDepth {
		if at == id {
			return apperr.Invalid("parentID", "would make the object its own ancestor")
		}
		next, err := parentOf(ctx, at)
		if ent.IsNotFound(err) {
			return nil
		}
		if err != nil {
			return err
		}
		at = next
	}
	return apperr.Invalid("parentID", "makes the tree too deep")
}

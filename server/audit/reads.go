package audit

import (
	"context"
	"fmt"
	"sync"

	"zirkel/ent"
	"zirkel/ent/predicate"
	"zirkel/ent/schema/gid"
	"zirkel/server/policy"
	"zirkel/server/viewer"
)

// WatchReads returns ctx for one GraphQL operation in which reads of a closed circle's content
// by a platform admin or moderator outside the circle (policy.AuditClosedReads) are audited:
// one "admin.read.closedCircle" entry per circle per operation, however many rows were read,
// written before the rows are returned (in the operation's transaction, if it has one).
func WatchReads(ctx context.Context, client *ent.Client) context.Context {
	return policy.WithClosedReads(ctx, &closedReads{client: client, seen: map[gid.ID]bool{}})
}

// closedReads is the recorder of one operation.
type closedReads struct {
	client *ent.Client
	mu     sync.Mutex // held while recording, so that no read of a circle returns before its entry is written
	seen   map[gid.ID]bool
}

// Record implements policy.ClosedReads.
func (r *closedReads) Record(ctx context.Context, circles predicate.Circle) error {
	c := r.client
	if tx := ent.TxFromContext(ctx); tx != nil {
		c = tx.Client() // on SQLite the operation's transaction holds the one write lock
	}
	ids, err := c.Circle.Query().Where(circles).IDs(trusted(ctx))
	if err != nil {
		return fmt.Errorf("finding the closed circles read: %w", err)
	}
	v := viewer.FromContext(ctx)
	r.mu.Lock()
	defer r.mu.Unlock()
	var entries []Entry
	for _, id := range ids {
		if !r.seen[id] {
			entries = append(entries, Entry{Actor: v.MemberID, Action: ActionReadClosedCircle, TargetType: "Circle",
				TargetID: id, Circle: id, Organisation: v.OrganisationID})
		}
	}
	if err := Append(ctx, c, entries...); err != nil {
		return err
	}
	for _, e := range entries {
		r.seen[e.TargetID] = true
	}
	return nil
}

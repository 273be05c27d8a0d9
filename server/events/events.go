// Package events is Zirkel's one event pipeline: a single ent hook, installed on every type by
// the store, records what each mutation did (type, id, kind of change, actor, changed field and
// edge names, never values) into a buffer per transaction. When the transaction commits, the
// consumers registered in one place (server/app) receive the transaction's changes: InTx
// consumers just before COMMIT, inside the transaction (audit entries, notifications, outbox
// mails: atomic with the change), AfterCommit consumers once it has committed (live delivery).
// A rolled-back transaction delivers nothing. No resolver publishes by hand.
package events

import (
	"context"
	"fmt"
	"log/slog"
	"sync"

	"zirkel/ent"
	"zirkel/ent/privacy"
	"zirkel/ent/schema/gid"
	"zirkel/server/viewer"
)

// Op is the kind of change.
type Op string

// The kinds of change.
const (
	Created Op = "create"
	Updated Op = "update"
	Deleted Op = "delete"
)

// Change is what one mutation did to one row (one Change per affected id).
type Change struct {
	Type   string   // ent type name, e.g. "Message"
	ID     gid.ID   // the row
	Op     Op       // created, updated or deleted
	Actor  gid.ID   // the member who caused it; empty for the system
	Fields []string // fields set or cleared, by ent name
	Edges  []string // edges added, removed or cleared, by ent name
	// Refs are the rows the change's unique edges point at, by edge name: the ones set by a
	// create or an update, and for a delete all of them as they were before (the row is gone
	// when consumers run).
	Refs   map[string]gid.ID
	Action string // the domain action the writer named with WithAction, or ""
	Reason string // the reason the writer gave with WithReason, or ""
	// Before holds, for an update of one row, the values before it of the fields a consumer
	// asked for with KeepBefore (for example a message's body, to tell which mentions an
	// edit added). They live in memory for the transaction's consumers and are never stored.
	Before map[string]any
}

// Has reports whether the change set or cleared one of the named fields or edges.
func (c Change) Has(names ...string) bool {
	for _, n := range names {
		for _, f := range c.Fields {
			if f == n {
				return true
			}
		}
		for _, e := range c.Edges {
			if e == n {
				return true
			}
		}
	}
	return false
}

// InTxFunc consumes a transaction's changes inside it, with the transaction's client. Its
// context is quiet (its own writes are not recorded); an error rolls the transaction back.
type InTxFunc func(ctx context.Context, tx *ent.Client, changes []Change) error

// AfterCommitFunc consumes a transaction's changes after it committed.
type AfterCommitFunc func(ctx context.Context, changes []Change)

type inTxConsumer struct {
	name string
	f    InTxFunc
}

type afterCommitConsumer struct {
	name string
	f    AfterCommitFunc
}

// Pipeline collects changes per transaction and hands them to its consumers.
type Pipeline struct {
	logger *slog.Logger

	mu      sync.Mutex
	pending map[any]*[]Change // by ent.TxKey
	inTx    []inTxConsumer
	after   []afterCommitConsumer
	before  map[string][]string // type → fields whose value before an update is kept
}

// New returns a pipeline without consumers; Install puts its hook on a client.
func New(logger *slog.Logger) *Pipeline {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	return &Pipeline{logger: logger, pending: map[any]*[]Change{}}
}

// Install puts the pipeline's hook on every type of the client. Call it before other hooks so
// that it sees only what the rules let through.
func (p *Pipeline) Install(client *ent.Client) { client.Use(p.hook) }

// KeepBefore asks that updates of one row of the type carry the named fields' values before
// the update (Change.Before). Only consumers read them: the values are not stored.
func (p *Pipeline) KeepBefore(typ string, fields ...string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.before == nil {
		p.before = map[string][]string{}
	}
	p.before[typ] = append(p.before[typ], fields...)
}

// keptBefore returns the values before an update of one row that consumers asked for.
func (p *Pipeline) keptBefore(ctx context.Context, m ent.Mutation) (map[string]any, error) {
	if !m.Op().Is(ent.OpUpdateOne) {
		return nil, nil
	}
	p.mu.Lock()
	wanted := p.before[m.Type()]
	p.mu.Unlock()
	var before map[string]any
	for _, f := range wanted {
		if _, set := m.Field(f); !set && !m.FieldCleared(f) {
			continue
		}
		v, err := m.OldField(ctx, f)
		if ent.IsNotFound(err) {
			return nil, nil // the update will say so itself
		}
		if err != nil {
			return nil, fmt.Errorf("events: %s.%s before the update: %w", m.Type(), f, err)
		}
		if before == nil {
			before = map[string]any{}
		}
		before[f] = v
	}
	return before, nil
}

// InTx registers a consumer that runs inside each transaction that changed something, just
// before it commits, in the order of registration.
func (p *Pipeline) InTx(name string, f InTxFunc) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.inTx = append(p.inTx, inTxConsumer{name: name, f: f})
}

// AfterCommit registers a consumer that runs after each transaction that changed something
// has committed, in the order of registration.
func (p *Pipeline) AfterCommit(name string, f AfterCommitFunc) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.after = append(p.after, afterCommitConsumer{name: name, f: f})
}

type (
	quietKey  struct{}
	actionKey struct{}
	reasonKey struct{}
	carryKey  struct{}
)

// carried is what a transaction's consumers hand on to its after-commit consumers.
type carried struct {
	mu     sync.Mutex
	values map[any]any
}

// withCarry gives ctx a fresh carry for one transaction's delivery.
func withCarry(ctx context.Context) context.Context {
	return context.WithValue(ctx, carryKey{}, &carried{values: map[any]any{}})
}

// Carry keeps a value for the after-commit consumers of the same transaction (for example
// who was notified inside it); an InTx consumer calls it with the context it was given. A
// transaction that rolls back drops it with everything else.
func Carry(ctx context.Context, key, value any) {
	if c, ok := ctx.Value(carryKey{}).(*carried); ok {
		c.mu.Lock()
		c.values[key] = value
		c.mu.Unlock()
	}
}

// Carried returns what an InTx consumer of the same transaction kept with Carry, or nil; an
// AfterCommit consumer calls it with the context it was given.
func Carried(ctx context.Context, key any) any {
	c, ok := ctx.Value(carryKey{}).(*carried)
	if !ok {
		return nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.values[key]
}

// Quiet returns a context whose mutations the pipeline does not record: consumers write
// under it, so that their own writes (audit entries, notifications) cause no new events.
func Quiet(ctx context.Context) context.Context { return context.WithValue(ctx, quietKey{}, true) }

// WithAction names the domain action of the mutations made with ctx (e.g. "moderation.hide");
// consumers such as the audit log record it.
func WithAction(ctx context.Context, action string) context.Context {
	return context.WithValue(ctx, actionKey{}, action)
}

// WithReason attaches the reason a member gave for the mutations made with ctx.
func WithReason(ctx context.Context, reason string) context.Context {
	return context.WithValue(ctx, reasonKey{}, reason)
}

func isQuiet(ctx context.Context) bool { q, _ := ctx.Value(quietKey{}).(bool); return q }

func stringOf(ctx context.Context, key any) string { s, _ := ctx.Value(key).(string); return s }

// Mutations of every generated type offer these.
type (
	idOfMutation  interface{ ID() (gid.ID, bool) }
	idsOfMutation interface {
		IDs(ctx context.Context) ([]gid.ID, error)
	}
	txOfMutation     interface{ Tx() (*ent.Tx, error) }
	clientOfMutation interface{ Client() *ent.Client }
)

// hook records each successful mutation's changes.
func (p *Pipeline) hook(next ent.Mutator) ent.Mutator {
	return ent.MutateFunc(func(ctx context.Context, m ent.Mutation) (ent.Value, error) {
		if isQuiet(ctx) {
			return next.Mutate(ctx, m)
		}
		var (
			ids    []gid.ID
			refs   map[gid.ID]map[string]gid.ID
			before map[string]any
		)
		if !m.Op().Is(ent.OpCreate) {
			// Which rows an update or delete touches, and what a deleted row belonged to,
			// is known only before it runs; the lookup is the system's, whatever the viewer
			// may read (the rules run next).
			sys := privacy.DecisionContext(ctx, privacy.Allow)
			var err error
			if ids, err = affected(sys, m); err != nil {
				return nil, err
			}
			if m.Op().Is(ent.OpDelete|ent.OpDeleteOne) && len(ids) > 0 {
				if refs, err = deletedRefs(sys, m, ids); err != nil {
					return nil, err
				}
			}
			if before, err = p.keptBefore(sys, m); err != nil {
				return nil, err
			}
		}
		v, err := next.Mutate(ctx, m)
		if err != nil {
			return v, err
		}
		if m.Op().Is(ent.OpCreate) {
			if id, ok := createdID(m, v); ok {
				ids = []gid.ID{id}
			}
		}
		if len(ids) == 0 {
			return v, nil
		}
		p.record(ctx, m, describe(ctx, m, ids, refs, before))
		return v, nil
	})
}

// affected returns the ids an update or delete will touch.
func affected(ctx context.Context, m ent.Mutation) ([]gid.ID, error) {
	if one, ok := m.(idOfMutation); ok && m.Op().Is(ent.OpUpdateOne|ent.OpDeleteOne) {
		if id, ok := one.ID(); ok {
			return []gid.ID{id}, nil
		}
	}
	many, ok := m.(idsOfMutation)
	if !ok {
		return nil, nil
	}
	ids, err := many.IDs(ctx)
	if err != nil {
		return nil, fmt.Errorf("events: rows of %s %s: %w", m.Op(), m.Type(), err)
	}
	return ids, nil
}

// createdID is the id of a created row: the mutation's, or the returned entity's.
func createdID(m ent.Mutation, v ent.Value) (gid.ID, bool) {
	if one, ok := m.(idOfMutation); ok {
		if id, ok := one.ID(); ok {
			return id, true
		}
	}
	if n, ok := v.(interface{ GetID() gid.ID }); ok {
		return n.GetID(), true
	}
	return "", false
}

// deletedRefs reads what the rows about to be deleted point at.
func deletedRefs(ctx context.Context, m ent.Mutation, ids []gid.ID) (map[gid.ID]map[string]gid.ID, error) {
	cm, ok := m.(clientOfMutation)
	if !ok {
		return nil, nil
	}
	refs, err := ent.UniqueEdgeIDs(ctx, cm.Client(), m.Type(), ids)
	if err != nil {
		return nil, fmt.Errorf("events: edges of deleted %s: %w", m.Type(), err)
	}
	return refs, nil
}

// setRefs are the unique edges a create or update sets.
func setRefs(m ent.Mutation) map[string]gid.ID {
	var refs map[string]gid.ID
	for _, name := range m.AddedEdges() {
		if !ent.SchemaInfo[m.Type()].Edges[name].Unique {
			continue
		}
		for _, v := range m.AddedIDs(name) {
			if id, ok := v.(gid.ID); ok {
				if refs == nil {
					refs = map[string]gid.ID{}
				}
				refs[name] = id
			}
		}
	}
	return refs
}

// describe turns a mutation into one change per affected row.
func describe(ctx context.Context, m ent.Mutation, ids []gid.ID, deleted map[gid.ID]map[string]gid.ID, before map[string]any) []Change {
	op := Updated
	switch {
	case m.Op().Is(ent.OpCreate):
		op = Created
	case m.Op().Is(ent.OpDelete | ent.OpDeleteOne):
		op = Deleted
	}
	fields := append(append([]string(nil), m.Fields()...), m.ClearedFields()...)
	edges := append(append(append([]string(nil), m.AddedEdges()...), m.RemovedEdges()...), m.ClearedEdges()...)
	var actor gid.ID
	if v := viewer.FromContext(ctx); v != nil {
		actor = v.MemberID
	}
	action, reason := stringOf(ctx, actionKey{}), stringOf(ctx, reasonKey{})
	set := setRefs(m)
	changes := make([]Change, len(ids))
	for i, id := range ids {
		refs := set
		if op == Deleted {
			refs = deleted[id]
		}
		changes[i] = Change{Type: m.Type(), ID: id, Op: op, Actor: actor, Fields: fields, Edges: edges, Refs: refs, Action: action, Reason: reason, Before: before}
	}
	return changes
}

// record buffers changes for the mutation's transaction; outside one, it delivers them now.
func (p *Pipeline) record(ctx context.Context, m ent.Mutation, changes []Change) {
	key := ent.TxKey(m)
	txm, inTx := m.(txOfMutation)
	if key == nil || !inTx {
		p.deliverWithoutTx(ctx, m, changes)
		return
	}
	p.mu.Lock()
	buf, started := p.pending[key]
	if !started {
		buf = new([]Change)
		p.pending[key] = buf
	}
	*buf = append(*buf, changes...)
	p.mu.Unlock()
	if started {
		return
	}
	tx, err := txm.Tx()
	if err != nil { // cannot happen: TxKey found a transaction
		p.logger.Error("events: transaction of a mutation", "type", m.Type(), "error", err)
		return
	}
	tx.OnCommit(p.onCommit(key))
	tx.OnRollback(p.onRollback(key))
}

// take removes and returns a transaction's buffered changes.
func (p *Pipeline) take(key any) ([]Change, []inTxConsumer, []afterCommitConsumer) {
	p.mu.Lock()
	defer p.mu.Unlock()
	var changes []Change
	if buf, ok := p.pending[key]; ok {
		changes = *buf
		delete(p.pending, key)
	}
	return changes, append([]inTxConsumer(nil), p.inTx...), append([]afterCommitConsumer(nil), p.after...)
}

func (p *Pipeline) onCommit(key any) ent.CommitHook {
	return func(next ent.Committer) ent.Committer {
		return ent.CommitFunc(func(ctx context.Context, tx *ent.Tx) error {
			changes, inTx, after := p.take(key)
			ctx = withCarry(ctx)
			if len(changes) > 0 {
				client := tx.Client()
				for _, c := range inTx {
					if err := c.f(Quiet(ctx), client, changes); err != nil {
						if rerr := tx.Rollback(); rerr != nil {
							p.logger.Error("events: rollback after a failed consumer", "consumer", c.name, "error", rerr)
						}
						return fmt.Errorf("events: %s: %w", c.name, err)
					}
				}
			}
			if err := next.Commit(ctx, tx); err != nil {
				return err
			}
			p.deliver(context.WithoutCancel(ctx), after, changes)
			return nil
		})
	}
}

func (p *Pipeline) onRollback(key any) ent.RollbackHook {
	return func(next ent.Rollbacker) ent.Rollbacker {
		return ent.RollbackFunc(func(ctx context.Context, tx *ent.Tx) error {
			p.take(key)
			return next.Rollback(ctx, tx)
		})
	}
}

// deliverWithoutTx hands the changes of a mutation outside a transaction to every consumer at
// once: it has already been written, so a failing InTx consumer can only be logged.
func (p *Pipeline) deliverWithoutTx(ctx context.Context, m ent.Mutation, changes []Change) {
	_, inTx, after := p.take(nil)
	ctx = withCarry(ctx)
	if cm, ok := m.(clientOfMutation); ok {
		client := cm.Client()
		for _, c := range inTx {
			if err := c.f(Quiet(ctx), client, changes); err != nil {
				p.logger.Error("events: consumer of a change outside a transaction", "consumer", c.name, "type", m.Type(), "error", err)
			}
		}
	}
	p.deliver(context.WithoutCancel(ctx), after, changes)
}

func (p *Pipeline) deliver(ctx context.Context, after []afterCommitConsumer, changes []Change) {
	if len(changes) == 0 {
		return
	}
	for _, c := range after {
		c.f(ctx, changes)
	}
}

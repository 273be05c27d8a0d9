package api

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"sync"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/hashicorp/golang-lru/v2/simplelru"
	"github.com/vektah/gqlparser/v2/ast"

	"zirkel/server/i18n"
	"zirkel/server/viewer"
	"zirkel/server/writes"
)

// AnswerCache configures the cache of query answers: an answer is kept for the session (or
// for anonymous visitors) that asked, in the language it was asked in, and served again for
// the same question while the database has not been written since it was read (Generation)
// and for at most TTL. Nobody gets an answer computed for another session, and no answer
// outlives a write, on this replica or (through server/writes) another.
type AnswerCache struct {
	// Generation is the database's write generation (server/writes): an answer read at one
	// generation is served only at that generation. The generation an answer is read at is
	// the one its request was marked with before authentication (writes.Middleware), so that
	// its viewer is as current as its data; requests without a mark are not cached.
	Generation func() uint64
	// MaxBytes bounds the answers kept, together; 0 turns the cache off.
	MaxBytes int64
	// MaxAnswerBytes bounds one answer kept; larger ones are not kept.
	MaxAnswerBytes int
	// TTL bounds how long an answer is served: what depends on the time (an event that has
	// begun, a session that idled out is checked before) changes without a write.
	TTL time.Duration
}

// DefaultAnswerCache keeps 32 MiB of answers of up to 256 KiB for a second.
var DefaultAnswerCache = AnswerCache{MaxBytes: 32 << 20, MaxAnswerBytes: 256 << 10, TTL: time.Second}

// answerCache is the gqlgen extension that serves and keeps answers (see AnswerCache). It
// must be added after the operation middleware that sets a websocket's viewer, so that it
// sees the viewer the answer is for.
type answerCache struct {
	cfg   AnswerCache
	mu    sync.Mutex
	kept  *simplelru.LRU[answerKey, keptAnswer]
	bytes int64
}

// answerKey is the SHA-256 of everything an answer depends on besides the data.
type answerKey [sha256.Size]byte

// keptAnswer is an answer with the generation and time it was read at.
type keptAnswer struct {
	data       json.RawMessage
	generation uint64
	at         time.Time
}

func newAnswerCache(cfg AnswerCache) *answerCache {
	c := &answerCache{cfg: cfg}
	// The bound is the bytes kept (evict); the count is only there because simplelru needs one.
	c.kept, _ = simplelru.NewLRU[answerKey, keptAnswer](1<<20, func(_ answerKey, a keptAnswer) {
		c.bytes -= int64(len(a.data))
	})
	return c
}

// ExtensionName implements graphql.HandlerExtension.
func (c *answerCache) ExtensionName() string { return "AnswerCache" }

// Validate implements graphql.HandlerExtension.
func (c *answerCache) Validate(graphql.ExecutableSchema) error { return nil }

// InterceptOperation serves a kept answer or keeps the one computed. Only queries are kept,
// only answers without errors or extensions, only those during whose reading nothing was
// written (a read that writes, such as an audited one, is not served from the cache), and
// never for moderators and administrators, whose reads of closed circles are audited. It
// wraps the operation, not each response: a transport asks the operation for responses until
// it returns nil (the websocket transports do), and a query has one.
func (c *answerCache) InterceptOperation(ctx context.Context, next graphql.OperationHandler) graphql.ResponseHandler {
	oc := graphql.GetOperationContext(ctx)
	v := viewer.FromContext(ctx)
	if oc.Operation == nil || oc.Operation.Operation != ast.Query || v.IsModerator() {
		return next(ctx)
	}
	key, ok := keyOf(ctx, oc, v)
	if !ok {
		return next(ctx)
	}
	// The viewer was loaded after the mark: if anything was written since (a membership
	// ended, say), the answer computed for it is not the session's answer any more.
	generation, ok := writes.Marked(ctx)
	if !ok {
		return next(ctx)
	}
	if data, ok := c.get(key, generation); ok {
		return graphql.OneShot(&graphql.Response{Data: data})
	}
	// The TTL counts from before the reading: what the clock changes is bounded by it.
	started := time.Now()
	responses, first := next(ctx), true
	return func(ctx context.Context) *graphql.Response {
		resp := responses(ctx)
		if first && resp != nil && resp.HasNext == nil && len(resp.Errors) == 0 && len(resp.Extensions) == 0 && len(resp.Data) > 0 &&
			len(resp.Data) <= c.cfg.MaxAnswerBytes && c.cfg.Generation() == generation {
			c.put(key, keptAnswer{data: resp.Data, generation: generation, at: started})
		}
		first = false
		return resp
	}
}

// keyOf hashes who asks (the session, or anonymous), in which language, and the operation
// with its variables.
func keyOf(ctx context.Context, oc *graphql.OperationContext, v *viewer.Viewer) (answerKey, bool) {
	vars, err := json.Marshal(oc.Variables) // map keys sorted: equal variables, equal bytes
	if err != nil {
		return answerKey{}, false
	}
	h := sha256.New()
	for _, part := range [][]byte{[]byte(who(v)), []byte(i18n.FromContext(ctx).String()), []byte(oc.OperationName), []byte(oc.RawQuery), vars} {
		var n [8]byte
		binary.BigEndian.PutUint64(n[:], uint64(len(part)))
		h.Write(n[:])
		h.Write(part)
	}
	var k answerKey
	h.Sum(k[:0])
	return k, true
}

// who names the asker in the key: the session for a member, so that a session that ends
// takes its answers with it (they are never found again).
func who(v *viewer.Viewer) string {
	if v == nil {
		return "anonymous"
	}
	return "session " + string(v.SessionID)
}

// get returns a kept answer still valid at generation.
func (c *answerCache) get(key answerKey, generation uint64) (json.RawMessage, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	a, ok := c.kept.Get(key)
	if !ok {
		return nil, false
	}
	if a.generation != generation || time.Since(a.at) > c.cfg.TTL {
		c.kept.Remove(key)
		return nil, false
	}
	return a.data, true
}

// put keeps an answer, dropping the least recently used beyond the byte bound.
func (c *answerCache) put(key answerKey, a keptAnswer) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if old, ok := c.kept.Peek(key); ok {
		c.bytes -= int64(len(old.data)) // Add replaces without calling evict
	}
	c.kept.Add(key, a)
	c.bytes += int64(len(a.data))
	for c.bytes > c.cfg.MaxBytes && c.kept.Len() > 0 {
		c.kept.RemoveOldest()
	}
}

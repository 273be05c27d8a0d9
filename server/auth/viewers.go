package auth

import (
	"crypto/sha256"
	"sync"
	"time"

	"zirkel/server/viewer"
)

// viewersKept bounds the viewers kept within one write generation.
const viewersKept = 10_000

// viewerCache keeps the viewers of the sessions used recently while the database has not been
// written (server/writes): a member's next request within the TTL needs no statement. A
// logout, a revocation, a change of role, organisation or circle, and a session's touch are
// writes, so the next request after them loads the session again, on every replica.
type viewerCache struct {
	generation func() uint64
	ttl        time.Duration // a session's idle and absolute expiry are checked at least this often
	mu         sync.Mutex
	at         uint64 // the generation the kept viewers were loaded at
	kept       map[[sha256.Size]byte]keptViewer
}

// keptViewer is a session's viewer, when it was loaded and when the session ends unless it
// is loaded again (the uses served from the cache do not count as uses: they are not written).
type keptViewer struct {
	v        *viewer.Viewer
	loadedAt time.Time
	ends     sessionEnds
}

// get returns the kept viewer of the token's session, if loaded at generation within the TTL
// and the session has not ended since (idle or expired: time ends a session without a write).
func (c *viewerCache) get(token string, generation uint64, now time.Time) (*viewer.Viewer, bool) {
	if c == nil {
		return nil, false
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	k, ok := c.kept[hashTokenBytes(token)]
	if !ok || c.at != generation || now.Sub(k.loadedAt) > c.ttl || now.Before(k.loadedAt) || !k.ends.live(now) {
		return nil, false
	}
	return k.v, true
}

// put keeps a viewer loaded at generation, forgetting those of earlier generations.
func (c *viewerCache) put(token string, generation uint64, now time.Time, v *viewer.Viewer, ends sessionEnds) {
	if c == nil || c.generation() != generation {
		return // written meanwhile: what was loaded may be stale already
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.at != generation || len(c.kept) >= viewersKept {
		c.at, c.kept = generation, make(map[[sha256.Size]byte]keptViewer)
	}
	c.kept[hashTokenBytes(token)] = keptViewer{v: v, loadedAt: now, ends: ends}
}

// hashTokenBytes keys the cache by the token's SHA-256, as the database does.
func hashTokenBytes(token string) [sha256.Size]byte { return sha256.Sum256([]byte(token)) }

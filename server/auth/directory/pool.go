package directory

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/go-ldap/ldap/v3"
)

// idleLifetime is how long a connection may wait unused in a pool. Directories and firewalls
// drop idle connections (Active Directory after 15 minutes, some middleboxes silently): a
// short lifetime keeps a login from waiting on a connection that is already dead.
const idleLifetime = 30 * time.Second

// pool keeps a bounded number of prepared connections to one directory: at most size in use at
// once and at most size idle. A connection that failed, timed out or was cut off is closed,
// never put back.
type pool struct {
	open  func(ctx context.Context) (*conn, error) // dials and prepares a new connection
	slots chan struct{}                            // one per connection in use
	idle  chan *conn

	mu     sync.Mutex
	closed bool
}

func newPool(size int, open func(ctx context.Context) (*conn, error)) *pool {
	return &pool{open: open, slots: make(chan struct{}, size), idle: make(chan *conn, size)}
}

// errPoolClosed is returned after close.
var errPoolClosed = errors.New("directory connections are closed (shutting down)")

// do runs f on a connection of the pool under ctx's deadline. When f fails on a reused
// connection with anything but an answer of the directory (it dropped the connection while
// idle), it runs once more on a new one.
func (p *pool) do(ctx context.Context, f func(c *conn) error) error {
	select {
	case p.slots <- struct{}{}:
	case <-ctx.Done():
		return unavailable("waiting for a free connection", ctx.Err())
	}
	defer func() { <-p.slots }()
	c, err := p.get(ctx, true)
	if err != nil {
		return err
	}
	reused := c.reused // read before run: afterwards c may be back in the pool, in another's hands
	err = p.run(ctx, c, f)
	if reused && broken(err) && ctx.Err() == nil {
		if c, err = p.get(ctx, false); err != nil {
			return err
		}
		err = p.run(ctx, c, f)
	}
	return classify(err)
}

// run runs f on c under ctx and puts c back when it is still healthy.
func (p *pool) run(ctx context.Context, c *conn, f func(c *conn) error) error {
	release := c.bound(ctx)
	err := f(c)
	healthy := release() && !broken(err)
	if healthy {
		p.put(c)
	} else {
		c.Close()
	}
	return err
}

// broken tells whether an error leaves the connection unusable: anything but an answer of the
// directory (a result code) or a refusal decided here.
func broken(err error) bool {
	if err == nil || errors.Is(err, ErrRejected) {
		return false
	}
	var le *ldap.Error
	return !errors.As(err, &le) || le.ResultCode >= ldap.ErrorNetwork
}

// get takes an idle connection that is still alive, or opens a new one.
func (p *pool) get(ctx context.Context, reuse bool) (*conn, error) {
	for reuse {
		select {
		case c := <-p.idle:
			if c.IsClosing() || time.Since(c.idleSince) > idleLifetime {
				c.Close()
				continue
			}
			c.reused = true
			return c, nil
		default:
			reuse = false
		}
	}
	p.mu.Lock()
	closed := p.closed
	p.mu.Unlock()
	if closed {
		return nil, unavailable("connecting", errPoolClosed)
	}
	return p.open(ctx)
}

// put keeps c for the next use, or closes it when the pool is full or closed.
func (p *pool) put(c *conn) {
	c.idleSince, c.reused = time.Now(), false
	p.mu.Lock()
	defer p.mu.Unlock()
	if !p.closed {
		select {
		case p.idle <- c:
			return
		default:
		}
	}
	c.Close()
}

// close closes the idle connections; connections in use are closed when they come back.
func (p *pool) close() {
	p.mu.Lock()
	p.closed = true
	p.mu.Unlock()
	for {
		select {
		case c := <-p.idle:
			c.Close()
		default:
			return
		}
	}
}

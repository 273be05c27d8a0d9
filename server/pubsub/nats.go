package pubsub

import (
	"context"
	"fmt"
	"time"

	"github.com/nats-io/nats.go"
)

// NATS is the broker for several replicas: each replica subscribes to the subjects its
// clients need, and NATS fans a published event out to all of them.
type NATS struct {
	conn *nats.Conn
}

// NewNATS connects to a NATS server; the connection reconnects by itself.
func NewNATS(url string) (*NATS, error) {
	conn, err := nats.Connect(url,
		nats.Name("zirkel"),
		nats.Timeout(5*time.Second),
		nats.MaxReconnects(-1),
		nats.ReconnectWait(time.Second),
	)
	if err != nil {
		return nil, fmt.Errorf("connecting to NATS: %w", err)
	}
	return &NATS{conn: conn}, nil
}

// Publish implements Broker.
func (n *NATS) Publish(_ context.Context, subject string, data []byte) error {
	if err := n.conn.Publish(subject, data); err != nil {
		return fmt.Errorf("publishing to NATS: %w", err)
	}
	return nil
}

// Subscribe implements Broker.
func (n *NATS) Subscribe(subject string, h Handler) (func(), error) {
	sub, err := n.conn.Subscribe(subject, func(m *nats.Msg) { h(m.Data) })
	if err != nil {
		return nil, fmt.Errorf("subscribing to NATS: %w", err)
	}
	// A replica serving thousands of subscribers must not be cut off by NATS for being
	// slow: allow a generous backlog (the live hub has its own bounded buffers per client).
	_ = sub.SetPendingLimits(1_000_000, 512<<20)
	return func() { _ = sub.Unsubscribe() }, nil
}

// Flush waits until the server has received everything published so far.
func (n *NATS) Flush() error { return n.conn.FlushTimeout(5 * time.Second) }

// Close implements Broker.
func (n *NATS) Close() error {
	n.conn.Close()
	return nil
}

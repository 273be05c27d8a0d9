// Package pubsub carries events between the replicas of Zirkel. A Broker publishes bytes on a
// subject and hands what arrives to subscribers; the in-process broker serves one process (the
// embedded default), the NATS broker several replicas. Choose by URL: "" or "inproc://" for
// in-process, "nats://host:4222" for NATS.
package pubsub

import (
	"context"
	"fmt"
	"strings"
	"sync"
)

// Handler receives the data of one message. It must not block for long: the broker calls
// handlers of a subscription one after another.
type Handler func(data []byte)

// Broker publishes and subscribes.
type Broker interface {
	// Publish sends data to every subscriber of subject, on every replica.
	Publish(ctx context.Context, subject string, data []byte) error
	// Subscribe calls h for each message on subject; the returned function unsubscribes.
	// A subject ending in ".>" matches every subject below it.
	Subscribe(subject string, h Handler) (unsubscribe func(), err error)
	// Close releases the broker.
	Close() error
}

// Open returns the broker for a URL.
func Open(url string) (Broker, error) {
	switch {
	case url == "" || url == "inproc://":
		return NewLocal(), nil
	case strings.HasPrefix(url, "nats://") || strings.HasPrefix(url, "tls://"):
		return NewNATS(url)
	}
	return nil, fmt.Errorf("opening broker: unknown URL scheme in %q", url)
}

// Local is the in-process broker.
type Local struct {
	mu        sync.RWMutex
	next      int
	subs      map[string]map[int]Handler
	wildcards map[string]bool // subscribed patterns with "*" or ">"
}

// NewLocal returns an empty in-process broker.
func NewLocal() *Local {
	return &Local{subs: map[string]map[int]Handler{}, wildcards: map[string]bool{}}
}

// Publish implements Broker. Handlers run synchronously in the publisher's goroutine.
func (l *Local) Publish(_ context.Context, subject string, data []byte) error {
	l.mu.RLock()
	var hs []Handler
	for _, h := range l.subs[subject] {
		hs = append(hs, h)
	}
	for pattern := range l.wildcards {
		if matches(pattern, subject) {
			for _, h := range l.subs[pattern] {
				hs = append(hs, h)
			}
		}
	}
	l.mu.RUnlock()
	for _, h := range hs {
		h(data)
	}
	return nil
}

// Subscribe implements Broker.
func (l *Local) Subscribe(subject string, h Handler) (func(), error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	id := l.next
	l.next++
	if l.subs[subject] == nil {
		l.subs[subject] = map[int]Handler{}
	}
	l.subs[subject][id] = h
	if strings.ContainsAny(subject, "*>") {
		l.wildcards[subject] = true
	}
	return func() {
		l.mu.Lock()
		defer l.mu.Unlock()
		delete(l.subs[subject], id)
		if len(l.subs[subject]) == 0 {
			delete(l.subs, subject)
			delete(l.wildcards, subject)
		}
	}, nil
}

// Close implements Broker.
func (l *Local) Close() error { return nil }

// matches implements NATS-style subjects: "*" matches one token, a final ">" one or more.
func matches(pattern, subject string) bool {
	p, s := strings.Split(pattern, "."), strings.Split(subject, ".")
	if p[len(p)-1] == ">" {
		return len(s) >= len(p) && matchTokens(p[:len(p)-1], s[:len(p)-1])
	}
	return matchTokens(p, s)
}

func matchTokens(p, s []string) bool {
	if len(p) != len(s) {
		return false
	}
	for i := range p {
		if p[i] != "*" && p[i] != s[i] {
			return false
		}
	}
	return true
}

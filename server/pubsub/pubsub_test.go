package pubsub_test

import (
	"context"
	"os"
	"sync"
	"testing"
	"time"

	"zirkel/server/pubsub"
)

// NATSURL is the NATS server the tests use (never skipped: they fail when it is missing).
func natsURL() string {
	if u := os.Getenv("ZIRKEL_TEST_NATS_URL"); u != "" {
		return u
	}
	return "nats://127.0.0.1:4222"
}

func TestBrokers(t *testing.T) {
	for name, open := range map[string]func() (pubsub.Broker, pubsub.Broker){
		"local": func() (pubsub.Broker, pubsub.Broker) { b := pubsub.NewLocal(); return b, b },
		"nats": func() (pubsub.Broker, pubsub.Broker) {
			a, err := pubsub.Open(natsURL())
			if err != nil {
				t.Fatalf("NATS at %s is required (set ZIRKEL_TEST_NATS_URL): %v", natsURL(), err)
			}
			b, err := pubsub.Open(natsURL())
			if err != nil {
				t.Fatal(err)
			}
			return a, b
		},
	} {
		t.Run(name, func(t *testing.T) {
			pub, sub := open()
			defer pub.Close()
			defer sub.Close()
			prefix := "test." + name + "." + time.Now().Format("150405.000000000")
			var mu sync.Mutex
			var got []string
			arrived := make(chan struct{}, 10)
			unsub, err := sub.Subscribe(prefix+".>", func(d []byte) {
				mu.Lock()
				got = append(got, string(d))
				mu.Unlock()
				arrived <- struct{}{}
			})
			if err != nil {
				t.Fatal(err)
			}
			if n, ok := sub.(*pubsub.NATS); ok {
				_ = n.Flush()
			}
			for _, s := range []string{".a", ".b.c", "x.other"} {
				subject := prefix + s
				if s == "x.other" {
					subject = "test.elsewhere"
				}
				if err := pub.Publish(context.Background(), subject, []byte(s)); err != nil {
					t.Fatal(err)
				}
			}
			for range 2 {
				select {
				case <-arrived:
				case <-time.After(5 * time.Second):
					t.Fatal("timed out waiting for messages")
				}
			}
			unsub()
			flush := func(b pubsub.Broker) {
				if n, ok := b.(*pubsub.NATS); ok {
					if err := n.Flush(); err != nil {
						t.Fatal(err)
					}
				}
			}
			flush(sub) // the server knows of the unsubscription before the next publish
			_ = pub.Publish(context.Background(), prefix+".a", []byte("after"))
			flush(pub) // and has the message: delivering it would take well under the wait
			time.Sleep(100 * time.Millisecond)
			mu.Lock()
			defer mu.Unlock()
			if len(got) != 2 || got[0] != ".a" || got[1] != ".b.c" {
				t.Fatalf("got %v", got)
			}
		})
	}
}

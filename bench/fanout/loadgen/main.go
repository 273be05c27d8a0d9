// Command loadgen opens many websocket subscriptions to one discussion and records when each
// message arrives. It is started by the fan-out benchmark (bench/fanout), several at once,
// since one process may hold at most 20,000 open files.
//
// Protocol with the driver: it prints "ready" once every subscription is acknowledged, waits
// for a line on stdin, then counts messages until it has seen -messages of them on every
// connection (or -timeout passes) and prints one JSON line of latencies in microseconds.
package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"log"
	"os"
	"sync"
	"time"

	"github.com/gorilla/websocket"
)

// query is what a chat client selects; it resumes after the last message it showed.
const query = `subscription($d: ID!, $after: Int) { messageAdded(discussionID: $d, after: $after) {
	cursor message { id body createdAt author { id displayName organisation { name } } vendorLabel reactions { kind count } } } }`

func main() {
	url := flag.String("url", "ws://127.0.0.1:8080/graphql", "websocket endpoint")
	token := flag.String("token", "", "bearer token")
	discussion := flag.String("discussion", "", "discussion id")
	conns := flag.Int("conns", 1000, "connections to open (one subscription each)")
	messages := flag.Int("messages", 20, "messages to wait for on every connection")
	timeout := flag.Duration("timeout", 2*time.Minute, "give up after")
	flag.Parse()

	clients := make([]*websocket.Conn, *conns)
	var wg sync.WaitGroup
	sem := make(chan struct{}, 64)
	for i := range clients {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			c, err := subscribe(*url, *token, *discussion)
			if err != nil {
				log.Fatalf("connection %d: %v", i, err)
			}
			clients[i] = c
		}()
	}
	wg.Wait()
	fmt.Println("ready")
	_, _ = bufio.NewReader(os.Stdin).ReadString('\n')

	var mu sync.Mutex
	latencies := make([]int64, 0, *conns**messages)
	deadline := time.Now().Add(*timeout)
	for _, c := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			own := receive(c, *messages, deadline)
			mu.Lock()
			latencies = append(latencies, own...)
			mu.Unlock()
		}()
	}
	wg.Wait()
	_ = json.NewEncoder(os.Stdout).Encode(latencies)
}

// subscribe dials, authenticates and subscribes; it returns once the server acknowledged.
func subscribe(url, token, discussion string) (*websocket.Conn, error) {
	d := websocket.Dialer{Subprotocols: []string{"graphql-transport-ws"}, HandshakeTimeout: 30 * time.Second}
	c, _, err := d.Dial(url, nil)
	if err != nil {
		return nil, err
	}
	if err := c.WriteJSON(map[string]any{"type": "connection_init", "payload": map[string]any{"authorization": "Bearer " + token}}); err != nil {
		return nil, err
	}
	var ack struct{ Type string }
	if err := c.ReadJSON(&ack); err != nil || ack.Type != "connection_ack" {
		return nil, fmt.Errorf("no ack (%s): %v", ack.Type, err)
	}
	err = c.WriteJSON(map[string]any{"type": "subscribe", "id": "1", "payload": map[string]any{"query": query, "variables": map[string]any{"d": discussion, "after": 0}}})
	return c, err
}

// receive reads until n messages arrived and returns their latencies from creation. It reads
// the creation time without decoding the whole message: the load generator shares the cores
// with the server and should take as little of them as it can.
func receive(c *websocket.Conn, n int, deadline time.Time) []int64 {
	out := make([]int64, 0, n)
	_ = c.SetReadDeadline(deadline)
	for len(out) < n {
		_, data, err := c.ReadMessage()
		if err != nil {
			return out
		}
		now := time.Now()
		if !bytes.Contains(data, []byte(`"type":"next"`)) {
			if bytes.Contains(data, []byte(`"type":"ping"`)) {
				_ = c.WriteJSON(map[string]any{"type": "pong"})
			}
			continue
		}
		if created, ok := createdAt(data); ok {
			out = append(out, now.Sub(created).Microseconds())
		}
	}
	return out
}

// createdAt finds the message's creation time in a delivery.
func createdAt(data []byte) (time.Time, bool) {
	const key = `"createdAt":"`
	i := bytes.Index(data, []byte(key))
	if i < 0 {
		return time.Time{}, false
	}
	rest := data[i+len(key):]
	end := bytes.IndexByte(rest, '"')
	if end < 0 {
		return time.Time{}, false
	}
	t, err := time.Parse(time.RFC3339Nano, string(rest[:end]))
	return t, err == nil
}

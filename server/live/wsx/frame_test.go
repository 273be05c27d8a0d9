package wsx

import (
	"encoding/json"
	"testing"
)

// gqlgenLike mirrors the shape of gqlgen's protocol messages.
type gqlgenLike struct {
	Payload json.RawMessage `json:"payload,omitempty"`
	ID      string          `json:"id,omitempty"`
	Type    string          `json:"type"`
}

func TestFrameMatchesEncodingJSON(t *testing.T) {
	for _, m := range []*gqlgenLike{
		{Type: "next", ID: "1", Payload: json.RawMessage(`{"data":{"x":"ä\\"<"}}`)},
		{Type: "complete", ID: `we"ird`},
		{Type: "connection_ack"},
	} {
		got, env, ok := frame(nil, m)
		want, _ := json.Marshal(m)
		var a, b any
		_ = json.Unmarshal(got, &a)
		_ = json.Unmarshal(want, &b)
		ja, _ := json.Marshal(a)
		jb, _ := json.Marshal(b)
		if !ok || string(ja) != string(jb) || env.Type != m.Type || env.ID != m.ID {
			t.Fatalf("frame %s, encoding/json %s", got, want)
		}
	}
	if _, _, ok := frame(nil, map[string]any{"type": "x"}); ok {
		t.Fatal("frame must leave other values to encoding/json")
	}
}

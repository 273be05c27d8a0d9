package wsx

import (
	"encoding/json"
	"reflect"
	"sync"
)

var rawMessageType = reflect.TypeOf(json.RawMessage(nil))

// messageFields are the indices of the Type, ID and Payload fields of a gqlgen protocol
// message type; ok is false for other types.
type messageFields struct {
	typ, id, payload int
	ok               bool
}

// fieldsByType caches messageFields by reflect.Type (gqlgen has two message types).
var fieldsByType sync.Map

func fieldsOf(t reflect.Type) messageFields {
	if f, ok := fieldsByType.Load(t); ok {
		return f.(messageFields)
	}
	var f messageFields
	typ, okT := t.FieldByName("Type")
	id, okI := t.FieldByName("ID")
	payload, okP := t.FieldByName("Payload")
	if okT && okI && okP && len(typ.Index) == 1 && len(id.Index) == 1 && len(payload.Index) == 1 &&
		typ.Type.Kind() == reflect.String && id.Type.Kind() == reflect.String && payload.Type == rawMessageType {
		f = messageFields{typ: typ.Index[0], id: id.Index[0], payload: payload.Index[0], ok: true}
	}
	fieldsByType.Store(t, f)
	return f
}

// frame encodes gqlgen's protocol messages (type, id, payload) by hand. Their payload is
// JSON already; encoding/json would validate and compact it again for every subscriber, the
// largest cost of a delivery after the write itself.
func frame(buf []byte, v any) ([]byte, envelope, bool) {
	rv := reflect.ValueOf(v)
	if rv.Kind() != reflect.Pointer || rv.Elem().Kind() != reflect.Struct {
		return nil, envelope{}, false
	}
	rv = rv.Elem()
	f := fieldsOf(rv.Type())
	if !f.ok {
		return nil, envelope{}, false
	}
	env := envelope{Type: rv.Field(f.typ).String(), ID: rv.Field(f.id).String()}
	raw := rv.Field(f.payload).Bytes()
	buf = appendJSONString(append(buf, `{"type":`...), env.Type)
	if env.ID != "" {
		buf = appendJSONString(append(buf, `,"id":`...), env.ID)
	}
	if len(raw) > 0 {
		buf = append(append(buf, `,"payload":`...), raw...)
	}
	return append(buf, '}'), env, true
}

// framePool recycles frame buffers: a delivery to thousands of subscribers would otherwise
// leave one behind per subscriber for the garbage collector.
var framePool = sync.Pool{New: func() any { b := make([]byte, 0, 2048); return &b }}

func putFrame(b *[]byte) {
	if cap(*b) <= 64<<10 {
		framePool.Put(b)
	}
}

// appendJSONString appends s as a JSON string.
func appendJSONString(buf []byte, s string) []byte {
	for i := range len(s) {
		if c := s[i]; c < 0x20 || c >= 0x7f || c == '"' || c == '\\' {
			quoted, _ := json.Marshal(s)
			return append(buf, quoted...)
		}
	}
	return append(append(append(buf, '"'), s...), '"')
}

// envelope is the part of an outgoing protocol message the guard reads.
type envelope struct {
	Type string `json:"type"`
	ID   string `json:"id"`
}

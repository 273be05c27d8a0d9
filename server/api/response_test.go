package api

import (
	"encoding/json"
	"testing"

	"github.com/vektah/gqlparser/v2/gqlerror"
)

// TestMarshalResponseIsJSONMarshal: the response is written byte for byte as json.Marshal
// would write it, with errors, HTML characters and extensions.
func TestMarshalResponseIsJSONMarshal(t *testing.T) {
	for _, out := range []response{
		{},
		{Data: json.RawMessage(`{"a":"<b>& x","n":1}`)},
		{Data: json.RawMessage(`null`), Errors: gqlerror.List{{Message: "x<y", Extensions: map[string]any{"code": "A"}}}},
		{Data: json.RawMessage(`{"a":[1,2]}`), Extensions: map[string]any{"k": "<v>"}, Errors: gqlerror.List{{Message: "m"}}},
		{Errors: gqlerror.List{{Message: "m"}}},
	} {
		want, _ := json.Marshal(out)
		got, err := marshalResponse(out)
		if err != nil || string(got) != string(want) {
			t.Errorf("got %s %v, want %s", got, err, want)
		}
	}
}

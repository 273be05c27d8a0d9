package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"zirkel/server/i18n"
)

// Codes of the answers the transport gives before any GraphQL runs. Like every code they are
// stable: clients may rely on them (and translate them).
const (
	CodeBadRequest            = "BAD_REQUEST"               // 400: the body or URL is not a GraphQL request
	CodeBatchingNotSupported  = "BATCHING_NOT_SUPPORTED"    // 400: a JSON array of operations
	CodeTransportNotSupported = "TRANSPORT_NOT_SUPPORTED"   // 400: e.g. a subscription over HTTP
	CodeMethodNotAllowed      = "METHOD_NOT_ALLOWED"        // 405: not GET or POST, or a mutation over GET
	CodeNotAcceptable         = "NOT_ACCEPTABLE"            // 406: Accept names no JSON type we answer in
	CodeRequestTooLarge       = "REQUEST_TOO_LARGE"         // 413: body over Limits.MaxBodyBytes
	CodeUnsupportedMediaType  = "UNSUPPORTED_MEDIA_TYPE"    // 415: a POST that is not application/json
	CodeHeadersTooLarge       = "REQUEST_HEADERS_TOO_LARGE" // 431: headers over Limits.MaxHeaderBytes
)

// Media types of GraphQL-over-HTTP responses.
const (
	mediaJSON            = "application/json"
	mediaGraphQLResponse = "application/graphql-response+json"
)

// requestError is an answer given before GraphQL runs: an HTTP status and one error.
type requestError struct {
	status  int
	code    string
	field   string // the request parameter that was wrong, if any
	message string // English; translated when written
	args    []any
}

func (e *requestError) Error() string { return e.message }

func badParam(field, message string) *requestError {
	return &requestError{status: http.StatusBadRequest, code: CodeBadRequest, field: field, message: message}
}

// httpTransport serves GraphQL over HTTP as the GraphQL-over-HTTP specification has it: POST
// with a JSON body, GET (queries only) with URL parameters; answers in application/json or
// application/graphql-response+json as the client accepts. It decodes the request itself,
// strictly, and answers what is not a GraphQL request with a 4xx and a code before gqlgen
// sees it (gqlgen's own transports answer some of it with a panic in its error path).
type httpTransport struct {
	maxBody int64
}

var _ graphql.Transport = httpTransport{}

// Supports implements graphql.Transport: every request that is not a websocket upgrade.
func (httpTransport) Supports(r *http.Request) bool { return r.Header.Get("Upgrade") == "" }

// Do implements graphql.Transport.
func (t httpTransport) Do(w http.ResponseWriter, r *http.Request, exec graphql.GraphExecutor) {
	media, ok := negotiate(r.Header.Values("Accept"))
	if !ok {
		writeRequestError(w, r, mediaJSON, &requestError{status: http.StatusNotAcceptable, code: CodeNotAcceptable,
			message: "the response can only be application/json or application/graphql-response+json"})
		return
	}
	start := graphql.Now()
	params, rerr := t.params(r)
	if rerr != nil {
		writeRequestError(w, r, media, rerr)
		return
	}
	params.ReadTime = graphql.TraceTiming{Start: start, End: graphql.Now()}
	ctx := r.Context()
	oc, errs := exec.CreateOperationContext(ctx, params)
	if errs != nil {
		// The request failed before execution: no data entry. The specification wants 200 for
		// application/json (older clients read errors only from 200s) and 400 for its own type.
		status := http.StatusOK
		if media == mediaGraphQLResponse {
			status = http.StatusBadRequest
		}
		resp := exec.DispatchError(graphql.WithOperationContext(ctx, oc), errs)
		writeResponse(w, status, media, resp, false)
		return
	}
	if rerr := allowedOperation(r, oc.Operation); rerr != nil {
		writeRequestError(w, r, media, rerr)
		return
	}
	responses, ctx := exec.DispatchOperation(ctx, oc)
	writeResponse(w, http.StatusOK, media, responses(ctx), true)
}

// allowedOperation refuses mutations over GET (which caches and links may repeat) and
// subscriptions over HTTP (they need a websocket).
func allowedOperation(r *http.Request, op *ast.OperationDefinition) *requestError {
	switch {
	case op == nil:
		return nil
	case op.Operation == ast.Subscription:
		return &requestError{status: http.StatusBadRequest, code: CodeTransportNotSupported,
			message: "subscriptions need a websocket (graphql-transport-ws or graphql-ws)"}
	case r.Method == http.MethodGet && op.Operation != ast.Query:
		return &requestError{status: http.StatusMethodNotAllowed, code: CodeMethodNotAllowed,
			message: "GET requests may only run queries; send mutations with POST"}
	}
	return nil
}

// params reads the request's GraphQL parameters from the URL (GET) or the JSON body (POST).
func (t httpTransport) params(r *http.Request) (*graphql.RawParams, *requestError) {
	if r.Method == http.MethodGet {
		return paramsFromURL(r.URL.RawQuery)
	}
	if rerr := checkContentType(r.Header.Get("Content-Type")); rerr != nil {
		return nil, rerr
	}
	body, rerr := t.readBody(r)
	if rerr != nil {
		return nil, rerr
	}
	params, rerr := paramsFromJSON(body)
	if params != nil {
		params.Headers = r.Header
	}
	return params, rerr
}

// checkContentType accepts application/json, in UTF-8 if a charset is named.
func checkContentType(header string) *requestError {
	mediaType, p, err := mime.ParseMediaType(header)
	if err != nil || mediaType != mediaJSON || (p["charset"] != "" && !strings.EqualFold(p["charset"], "utf-8")) {
		return &requestError{status: http.StatusUnsupportedMediaType, code: CodeUnsupportedMediaType,
			message: "send the request as application/json (UTF-8)"}
	}
	return nil
}

// readBody reads the capped body (http.MaxBytesReader is set by the handler).
func (t httpTransport) readBody(r *http.Request) ([]byte, *requestError) {
	tooLarge := &requestError{status: http.StatusRequestEntityTooLarge, code: CodeRequestTooLarge,
		message: "the request body is larger than %d bytes", args: []any{t.maxBody}}
	if r.ContentLength > t.maxBody {
		return nil, tooLarge
	}
	body, err := io.ReadAll(r.Body)
	var maxErr *http.MaxBytesError
	switch {
	case errors.As(err, &maxErr):
		return nil, tooLarge
	case err != nil:
		return nil, badParam("", "the request body is not valid JSON")
	}
	return body, nil
}

// paramsFromJSON decodes a POST body: one JSON object whose query is a string, operationName
// a string or null, variables and extensions objects or null. Numbers stay json.Number, as
// gqlgen's coercion expects.
func paramsFromJSON(body []byte) (*graphql.RawParams, *requestError) {
	if !utf8.Valid(body) {
		return nil, badParam("", "the request body is not valid UTF-8")
	}
	trimmed := bytes.TrimLeft(body, " \t\r\n")
	if len(trimmed) > 0 && trimmed[0] == '[' {
		return nil, &requestError{status: http.StatusBadRequest, code: CodeBatchingNotSupported,
			message: "batching is not supported: send one operation per request"}
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var raw map[string]json.RawMessage
	if err := dec.Decode(&raw); err != nil {
		var typeErr *json.UnmarshalTypeError
		if errors.As(err, &typeErr) {
			return nil, badParam("", "the request body must be one JSON object")
		}
		return nil, badParam("", "the request body is not valid JSON")
	}
	if raw == nil { // the body was `null`
		return nil, badParam("", "the request body must be one JSON object")
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, badParam("", "the request body must be one JSON object")
	}
	p := &graphql.RawParams{}
	if rerr := decodeString(raw, "query", &p.Query); rerr != nil {
		return nil, rerr
	}
	if rerr := decodeString(raw, "operationName", &p.OperationName); rerr != nil {
		return nil, rerr
	}
	if rerr := decodeObject(raw["variables"], "variables", &p.Variables); rerr != nil {
		return nil, rerr
	}
	if rerr := decodeObject(raw["extensions"], "extensions", &p.Extensions); rerr != nil {
		return nil, rerr
	}
	if p.Query == "" {
		return nil, badParam("query", "the request has no query")
	}
	return p, nil
}

// paramsFromURL reads a GET request's parameters; variables and extensions are JSON objects.
func paramsFromURL(rawQuery string) (*graphql.RawParams, *requestError) {
	values, err := url.ParseQuery(rawQuery)
	if err != nil {
		return nil, badParam("", "the URL's query string cannot be read")
	}
	for _, vs := range values {
		for _, v := range vs {
			if !utf8.ValidString(v) {
				return nil, badParam("", "the URL's query string is not valid UTF-8")
			}
		}
	}
	p := &graphql.RawParams{Query: values.Get("query"), OperationName: values.Get("operationName")}
	if v := values.Get("variables"); v != "" {
		if rerr := decodeObject(json.RawMessage(v), "variables", &p.Variables); rerr != nil {
			return nil, rerr
		}
	}
	if v := values.Get("extensions"); v != "" {
		if rerr := decodeObject(json.RawMessage(v), "extensions", &p.Extensions); rerr != nil {
			return nil, rerr
		}
	}
	if p.Query == "" {
		return nil, badParam("query", "the request has no query")
	}
	return p, nil
}

// decodeString reads a string parameter; null or absent leave it empty.
func decodeString(raw map[string]json.RawMessage, name string, out *string) *requestError {
	v, ok := raw[name]
	if !ok || string(v) == "null" {
		return nil
	}
	if err := json.Unmarshal(v, out); err != nil {
		return badParam(name, "must be a string")
	}
	return nil
}

// decodeObject reads an object parameter; null or absent leave it nil.
func decodeObject(v json.RawMessage, name string, out *map[string]any) *requestError {
	v = bytes.TrimSpace(v)
	if len(v) == 0 || string(v) == "null" {
		return nil
	}
	if v[0] != '{' {
		return badParam(name, "must be a JSON object")
	}
	dec := json.NewDecoder(bytes.NewReader(v))
	dec.UseNumber()
	if err := dec.Decode(out); err != nil {
		return badParam(name, "must be a JSON object")
	}
	if _, err := dec.Token(); err != io.EOF { // one object and nothing after it
		return badParam(name, "must be a JSON object")
	}
	return nil
}

// negotiate picks the response's media type from the Accept headers: the acceptable one with
// the highest q (application/json first among equals, as older clients expect); no Accept,
// */* and application/* mean application/json, and so does an Accept with nothing readable
// in it. ok is false when it names media types but none we answer in.
func negotiate(accepts []string) (media string, ok bool) {
	bestQ, named := 0.0, false
	for _, header := range accepts {
		for part := range strings.SplitSeq(header, ",") {
			if strings.TrimSpace(part) == "" {
				continue
			}
			mt, params, err := mime.ParseMediaType(part)
			if err != nil {
				continue
			}
			named = true
			q := 1.0
			if s, found := params["q"]; found {
				if q, err = strconv.ParseFloat(s, 64); err != nil {
					continue
				}
			}
			candidate := ""
			switch mt {
			case "*/*", "application/*", mediaJSON:
				candidate = mediaJSON
			case mediaGraphQLResponse:
				candidate = mediaGraphQLResponse
			}
			if candidate != "" && q > 0 && (q > bestQ || (q == bestQ && candidate == mediaJSON)) {
				media, bestQ = candidate, q
			}
		}
	}
	if !named {
		return mediaJSON, true
	}
	return media, media != ""
}

// response is a GraphQL response as written: data is left out when the request failed before
// execution, as the GraphQL-over-HTTP specification says.
type response struct {
	Errors     gqlerror.List   `json:"errors,omitempty"`
	Data       json.RawMessage `json:"data,omitempty"`
	Extensions map[string]any  `json:"extensions,omitempty"`
}

// writeResponse writes a GraphQL response; withData keeps a data entry (null if empty).
func writeResponse(w http.ResponseWriter, status int, media string, resp *graphql.Response, withData bool) {
	out := response{}
	if resp != nil {
		out.Errors, out.Data, out.Extensions = resp.Errors, resp.Data, resp.Extensions
	}
	if withData && len(out.Data) == 0 {
		out.Data = json.RawMessage("null")
	}
	if !withData {
		out.Data = nil
	}
	body, err := marshalResponse(out)
	if err != nil { // a resolver produced something JSON cannot carry
		body = []byte(`{"errors":[{"message":"internal error","extensions":{"code":"INTERNAL_SERVER_ERROR"}}]}`)
	}
	h := w.Header()
	h.Set("Content-Type", media+"; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

// marshalResponse is json.Marshal(out) without compacting the data again: gqlgen writes it
// compact already, and json.Marshal spent as long re-reading a page of practices (30 KB) as
// writing its ent edges. The data is only HTML-escaped (<, >, &, U+2028, U+2029), as
// json.Marshal does with every string.
func marshalResponse(out response) ([]byte, error) {
	data := out.Data
	out.Data = nil
	if len(data) == 0 {
		return json.Marshal(out)
	}
	var buf bytes.Buffer
	buf.Grow(len(data) + 64)
	buf.WriteByte('{')
	if len(out.Errors) > 0 { // errors come before data, as in the struct
		errs, err := json.Marshal(out.Errors)
		if err != nil {
			return nil, err
		}
		buf.WriteString(`"errors":`)
		buf.Write(errs)
		buf.WriteByte(',')
	}
	buf.WriteString(`"data":`)
	json.HTMLEscape(&buf, data)
	if len(out.Extensions) > 0 {
		ext, err := json.Marshal(out.Extensions)
		if err != nil {
			return nil, err
		}
		buf.WriteString(`,"extensions":`)
		buf.Write(ext)
	}
	buf.WriteByte('}')
	return buf.Bytes(), nil
}

// writeRequestError answers with one error in the client's language.
func writeRequestError(w http.ResponseWriter, r *http.Request, media string, e *requestError) {
	lang := i18n.FromContext(r.Context())
	message := i18n.T(lang, e.message, e.args...)
	ext := map[string]any{"code": e.code}
	if e.field != "" {
		ext["field"] = e.field
		message = e.field + ": " + message
	}
	if e.status == http.StatusMethodNotAllowed {
		allow := "GET, POST"
		if r.Method == http.MethodGet {
			allow = "POST"
		}
		w.Header().Set("Allow", allow)
	}
	resp := &graphql.Response{Errors: gqlerror.List{{Message: message, Extensions: ext}}}
	writeResponse(w, e.status, media, resp, false)
}

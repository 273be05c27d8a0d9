package graphiql_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"

	"zirkel/server/graphiql"
)

func newServer(t *testing.T, title string) *httptest.Server {
	t.Helper()
	h := graphiql.Handler(title, "/graphql")
	mux := http.NewServeMux()
	mux.Handle("/", h)
	mux.Handle(graphiql.AssetPrefix, h)
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}

func get(t *testing.T, url string) (*http.Response, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, string(body)
}

var assetRef = regexp.MustCompile(`(?:src|href)="([^"]+)"`)

func TestPageAndAssets(t *testing.T) {
	srv := newServer(t, "Zirkel")
	resp, html := get(t, srv.URL+"/")
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET /: status %d", resp.StatusCode)
	}
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/html") {
		t.Errorf("GET /: Content-Type %q", ct)
	}
	for k, want := range map[string]string{
		"X-Content-Type-Options": "nosniff",
		"Referrer-Policy":        "no-referrer",
		"X-Frame-Options":        "DENY",
	} {
		if got := resp.Header.Get(k); got != want {
			t.Errorf("GET /: %s = %q, want %q", k, got, want)
		}
	}
	csp := resp.Header.Get("Content-Security-Policy")
	if !strings.Contains(csp, "script-src 'self';") || strings.Contains(csp, "unsafe-eval") {
		t.Errorf("GET /: unexpected Content-Security-Policy %q", csp)
	}
	for _, s := range []string{`<title>Zirkel</title>`, `data-endpoint="/graphql"`} {
		if !strings.Contains(html, s) {
			t.Errorf("page does not contain %q", s)
		}
	}
	if strings.Contains(html, "<script>") {
		t.Error("page contains an inline script")
	}

	refs := assetRef.FindAllStringSubmatch(html, -1)
	if len(refs) != 5 {
		t.Fatalf("page references %d assets, want 5", len(refs))
	}
	for _, m := range refs {
		u := m[1]
		if !strings.HasPrefix(u, graphiql.AssetPrefix) {
			t.Errorf("asset URL %q not under %s", u, graphiql.AssetPrefix)
			continue
		}
		resp, body := get(t, srv.URL+u)
		ct := resp.Header.Get("Content-Type")
		switch {
		case resp.StatusCode != http.StatusOK:
			t.Errorf("GET %s: status %d", u, resp.StatusCode)
		case !strings.HasPrefix(ct, "text/javascript") && !strings.HasPrefix(ct, "text/css"):
			t.Errorf("GET %s: Content-Type %q", u, ct)
		case len(body) == 0:
			t.Errorf("GET %s: empty body", u)
		case !strings.Contains(resp.Header.Get("Cache-Control"), "max-age="):
			t.Errorf("GET %s: Cache-Control %q", u, resp.Header.Get("Cache-Control"))
		}
		if strings.HasSuffix(u, "/init.js") {
			html += body // checked for external URLs below
		}
	}
	if !strings.Contains(html, "createFetcher") {
		t.Error("init.js is not served or does not call createFetcher")
	}
	for _, s := range []string{"http://", "https://"} {
		if strings.Contains(html, s) {
			t.Errorf("page or init.js references an external URL (%q)", s)
		}
	}
}

func TestEscaping(t *testing.T) {
	srv := newServer(t, `</title><script>alert(1)</script>`)
	_, html := get(t, srv.URL+"/")
	if strings.Contains(html, "<script>alert") {
		t.Errorf("title not escaped:\n%s", html)
	}
}

func TestNotFound(t *testing.T) {
	srv := newServer(t, "Zirkel")
	_, html := get(t, srv.URL+"/")
	initJS := assetRef.FindAllStringSubmatch(html, -1)[4][1] // .../<version>/init.js
	dir := strings.TrimSuffix(initJS, "init.js")
	for _, p := range []string{
		"/nope",
		"/graphql",
		"/index.html",
		graphiql.AssetPrefix,
		graphiql.AssetPrefix + "init.js",
		graphiql.AssetPrefix + "0000/init.js",
		dir,
		dir + "missing.js",
		dir + "../init.js",
	} {
		if resp, _ := get(t, srv.URL+p); resp.StatusCode != http.StatusNotFound {
			t.Errorf("GET %s: status %d, want 404", p, resp.StatusCode)
		}
	}
}

// Package graphiql serves an offline GraphiQL IDE: the page and every
// JavaScript and CSS file it needs (GraphiQL 3.9.0, React 18.3.1) are embedded
// in the binary, so nothing is loaded from a CDN.
package graphiql

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"html/template"
	"io"
	"io/fs"
	"net/http"
	"path"
	"strings"
	"time"
)

// AssetPrefix is the URL path under which Handler serves its embedded assets.
// Asset URLs also contain a hash of the asset contents, so they can be cached
// forever.
const AssetPrefix = "/graphiql/assets/"

//go:embed assets
var assets embed.FS

// version is a hash of all embedded assets, used as a path segment in asset
// URLs so that a changed asset gets a new URL.
var version = func() string {
	h := sha256.New()
	err := fs.WalkDir(assets, "assets", func(name string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := assets.ReadFile(name)
		if err != nil {
			return err
		}
		io.WriteString(h, name+"\x00")
		h.Write(b)
		return nil
	})
	if err != nil {
		panic(err)
	}
	return hex.EncodeToString(h.Sum(nil))[:12]
}()

var contentTypes = map[string]string{
	".css": "text/css; charset=utf-8",
	".js":  "text/javascript; charset=utf-8",
	".txt": "text/plain; charset=utf-8",
}

// csp allows scripts only from the same origin; no inline scripts or eval.
// Styles need 'unsafe-inline' because GraphiQL's dialogs inject <style>
// elements (via react-remove-scroll), and the CSS embeds fonts as data: URLs.
const csp = "default-src 'none'; script-src 'self'; " +
	"style-src 'self' 'unsafe-inline'; font-src 'self' data:; img-src 'self' data:; " +
	"connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

var page = template.Must(template.New("page").Parse(`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.Title}}</title>
<link rel="stylesheet" href="{{.Assets}}graphiql.min.css">
<style>body { margin: 0; } #graphiql { height: 100vh; }</style>
</head>
<body>
<div id="graphiql" data-endpoint="{{.Endpoint}}">Loading…</div>
<script src="{{.Assets}}react.production.min.js"></script>
<script src="{{.Assets}}react-dom.production.min.js"></script>
<script src="{{.Assets}}graphiql.min.js"></script>
<script src="{{.Assets}}init.js"></script>
</body>
</html>
`))

// Handler returns a handler that serves a GraphiQL page titled title that
// sends queries to endpoint. The page is served at "/" and its assets under
// AssetPrefix; any other path is answered with 404 Not Found. The handler
// expects unstripped request paths, so register the same handler for both:
//
//	h := graphiql.Handler("Zirkel", "/graphql")
//	mux.Handle("/", h)
//	mux.Handle(graphiql.AssetPrefix, h)
//
// The Content-Security-Policy only permits requests to the page's own
// origin, so endpoint must be a same-origin URL, typically a path. Queries are
// sent with the browser's cookies for that origin.
func Handler(title, endpoint string) http.Handler {
	var buf bytes.Buffer
	err := page.Execute(&buf, struct{ Title, Endpoint, Assets string }{
		title, endpoint, AssetPrefix + version + "/",
	})
	if err != nil {
		panic(err) // cannot happen: the template only prints strings
	}
	html := buf.Bytes()

	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			http.Error(w, http.StatusText(http.StatusMethodNotAllowed), http.StatusMethodNotAllowed)
			return
		}
		w.Header().Set("X-Content-Type-Options", "nosniff")
		if r.URL.Path == "/" {
			h := w.Header()
			h.Set("Content-Type", "text/html; charset=utf-8")
			h.Set("Cache-Control", "no-cache")
			h.Set("Content-Security-Policy", csp)
			h.Set("Referrer-Policy", "no-referrer")
			h.Set("X-Frame-Options", "DENY")
			w.Write(html)
			return
		}
		serveAsset(w, r)
	})
}

// serveAsset serves the embedded file named by a request path of the form
// AssetPrefix + version + "/" + name.
func serveAsset(w http.ResponseWriter, r *http.Request) {
	name, ok := strings.CutPrefix(r.URL.Path, AssetPrefix+version+"/")
	if !ok || name == "" || strings.Contains(name, "/") {
		http.NotFound(w, r)
		return
	}
	f, err := assets.Open("assets/" + name)
	if err != nil {
		http.NotFound(w, r)
		return
	}
	defer f.Close()
	if ct, ok := contentTypes[path.Ext(name)]; ok {
		w.Header().Set("Content-Type", ct)
	}
	w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
	http.ServeContent(w, r, name, time.Time{}, f.(io.ReadSeeker))
}

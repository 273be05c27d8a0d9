package mail

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"html/template"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"zirkel/ent"
	"zirkel/ent/schema/gid"
	"zirkel/server/policy"
)

// tokenPurpose separates unsubscribe tokens from anything else the secret might ever key.
const tokenPurpose = "zirkel/unsubscribe/v1"

// UnsubscribeToken is the token of an unsubscribe link: the member and the kinds, and an
// HMAC-SHA256 over them and the purpose with the mail secret. It cannot be guessed, and it
// turns off only these kinds of this member's mails: it is no login and no other link's token.
func UnsubscribeToken(secret []byte, member gid.ID, kinds []string) string {
	payload := string(member) + ":" + strings.Join(kinds, ",")
	return base64.RawURLEncoding.EncodeToString([]byte(payload)) + "." +
		base64.RawURLEncoding.EncodeToString(tokenMAC(secret, payload))
}

func tokenMAC(secret []byte, payload string) []byte {
	h := hmac.New(sha256.New, secret)
	h.Write([]byte(tokenPurpose + "\x00" + payload))
	return h.Sum(nil)
}

// verifyToken returns the member and kinds of a genuine token.
func verifyToken(secret []byte, token string) (gid.ID, []string, bool) {
	p, m, ok := strings.Cut(token, ".")
	if !ok || len(token) > 1000 {
		return "", nil, false
	}
	payload, err1 := base64.RawURLEncoding.DecodeString(p)
	mac, err2 := base64.RawURLEncoding.DecodeString(m)
	if err1 != nil || err2 != nil || !hmac.Equal(mac, tokenMAC(secret, string(payload))) {
		return "", nil, false
	}
	member, list, ok := strings.Cut(string(payload), ":")
	id, err := gid.Parse(member)
	if !ok || err != nil {
		return "", nil, false
	}
	kinds := strings.Split(list, ",")
	for _, k := range kinds {
		if !isKind(k) {
			return "", nil, false
		}
	}
	return id, kinds, true
}

// UnsubscribeURL is the link of a member's unsubscribe token below the public base URL.
func UnsubscribeURL(baseURL string, secret []byte, member gid.ID, kinds []string) string {
	return strings.TrimSuffix(baseURL, "/") + "/unsubscribe?token=" + url.QueryEscape(UnsubscribeToken(secret, member, kinds))
}

// Unsubscribe serves the unsubscribe links (RFC 8058): GET shows a page with a button and
// changes nothing (mail scanners fetch links); POST with the body List-Unsubscribe=One-Click,
// as mail programs send it, turns the link's kinds off, without login.
type Unsubscribe struct {
	client *ent.Client
	secret []byte
	logger *slog.Logger
}

// NewUnsubscribe returns the handler of unsubscribe links keyed with secret.
func NewUnsubscribe(client *ent.Client, secret []byte, logger *slog.Logger) *Unsubscribe {
	return &Unsubscribe{client: client, secret: secret, logger: logger}
}

// ServeHTTP implements http.Handler.
func (u *Unsubscribe) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Referrer-Policy", "no-referrer")
	w.Header().Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'")
	if r.Method != http.MethodGet && r.Method != http.MethodPost {
		w.Header().Set("Allow", "GET, POST")
		http.Error(w, "only GET and POST", http.StatusMethodNotAllowed)
		return
	}
	member, kinds, ok := verifyToken(u.secret, r.URL.Query().Get("token"))
	lang := u.language(r.Context(), member, ok)
	page := pageText[lang]
	if !ok {
		u.page(w, http.StatusBadRequest, page.invalid, "", lang)
		return
	}
	if r.Method == http.MethodGet {
		u.page(w, http.StatusOK, page.confirm, strings.Join(kindLabels(lang, kinds), ", "), lang)
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, 4096)
	if err := r.ParseForm(); err != nil || !slices.Contains(r.PostForm["List-Unsubscribe"], "One-Click") {
		u.page(w, http.StatusBadRequest, page.noBody, "", lang)
		return
	}
	ctx := policy.WithUnsubscribe(r.Context(), member, kinds)
	for _, k := range kinds {
		if err := SetPreference(ctx, u.client, member, k, "OFF"); err != nil {
			u.logger.Warn("unsubscribing failed", "member", member, "kind", k, "err", err)
			u.page(w, http.StatusBadRequest, page.invalid, "", lang)
			return
		}
	}
	u.logger.Info("unsubscribed", "member", member, "kinds", strings.Join(kinds, ","))
	u.page(w, http.StatusOK, page.done, strings.Join(kindLabels(lang, kinds), ", "), lang)
}

// language is the member's language for the page, German when unknown.
func (u *Unsubscribe) language(ctx context.Context, member gid.ID, ok bool) string {
	if !ok {
		return "DE"
	}
	m, err := u.client.Member.Get(policy.System(ctx), member)
	if err != nil || m.Language != "EN" {
		return "DE"
	}
	return "EN"
}

var unsubscribePage = template.Must(template.New("page").Parse(`<!doctype html>
<html lang="{{.Lang}}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<title>Zirkel</title></head>
<body style="font-family:sans-serif;max-width:36em;margin:3em auto">
<h1>Zirkel</h1>
<p>{{.Text}}</p>{{if .Kinds}}<p><strong>{{.Kinds}}</strong></p>{{end}}
{{if .Form}}<form method="post"><input type="hidden" name="List-Unsubscribe" value="One-Click">
<button type="submit">{{.Button}}</button></form>{{end}}
</body></html>
`))

// page writes one of the small unsubscribe pages.
func (u *Unsubscribe) page(w http.ResponseWriter, code int, text, kinds, lang string) {
	t := pageText[lang]
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(code)
	_ = unsubscribePage.Execute(w, map[string]any{
		"Lang": strings.ToLower(lang), "Text": text, "Kinds": kinds, "Form": text == t.confirm, "Button": t.button,
	})
}

// pageText is the text of the unsubscribe pages by language.
var pageText = map[string]struct{ confirm, button, done, invalid, noBody string }{
	"DE": {
		confirm: "Möchten Sie keine E-Mails dieser Art mehr erhalten?",
		button:  "Abmelden",
		done:    "Sie erhalten keine E-Mails dieser Art mehr. In Ihren Einstellungen können Sie das jederzeit ändern.",
		invalid: "Dieser Abmeldelink ist ungültig.",
		noBody:  "Bitte bestätigen Sie die Abmeldung mit der Schaltfläche auf der Seite des Links.",
	},
	"EN": {
		confirm: "Do you want to stop receiving e-mails of this kind?",
		button:  "Unsubscribe",
		done:    "You will no longer receive e-mails of this kind. You can change this in your settings at any time.",
		invalid: "This unsubscribe link is not valid.",
		noBody:  "Please confirm with the button on the page of the link.",
	},
}

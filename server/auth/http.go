package auth

import (
	"context"
	"encoding/json"
	"errors"
	"net"
	"net/http"
	"slices"
	"strings"
	"time"

	"zirkel/ent/schema/gid"
	"zirkel/server/apperr"
	"zirkel/server/i18n"
	"zirkel/server/viewer"
)

// CSRFHeader carries the CSRF token of cookie sessions.
const CSRFHeader = "X-CSRF-Token"

// request is what the middleware learned about a request, for the login resolvers.
type request struct {
	w         http.ResponseWriter
	clientIP  string
	sessionID gid.ID
	token     string
}

type requestKey struct{}

// Detach prepares ctx for work that outlives its HTTP request (a websocket connection): the
// context no longer ends with the request, and forgets the request's response writer, which
// can no longer be written to and holds on to net/http's buffers for the request.
func (s *Service) Detach(ctx context.Context) context.Context {
	if r := requestOf(ctx); r != nil {
		r.w = nil
	}
	return context.WithoutCancel(ctx)
}

func requestOf(ctx context.Context) *request {
	r, _ := ctx.Value(requestKey{}).(*request)
	if r == nil {
		return &request{}
	}
	return r
}

// ClientIP is the address a request came from.
func ClientIP(ctx context.Context) string { return requestOf(ctx).clientIP }

// Token is the session token the request authenticated with, if any.
func Token(ctx context.Context) string { return requestOf(ctx).token }

// SessionID is the current request's session, if any.
func SessionID(ctx context.Context) gid.ID { return requestOf(ctx).sessionID }

// Middleware authenticates requests: a bearer token (API clients) or the session cookie
// (browser apps, which must then send the CSRF token with every POST). It answers CORS
// preflights for the allowed origins and puts the viewer into the request's context. A token
// that names no live session is refused with 401, so that clients know to log in again.
func (s *Service) Middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !s.cors(w, r) {
			return
		}
		req := &request{w: w, clientIP: clientIP(r)}
		ctx := context.WithValue(r.Context(), requestKey{}, req)
		token, viaCookie := s.token(r)
		if token != "" {
			if viaCookie && r.Method == http.MethodPost && r.Header.Get(CSRFHeader) != csrfToken(token) {
				writeError(w, r, http.StatusForbidden, apperr.CodeForbidden, "missing or wrong CSRF token")
				return
			}
			v, err := s.sessions.viewer(ctx, token)
			if errors.Is(err, ErrNoSession) {
				if viaCookie {
					s.clearCookie(w)
				}
				writeError(w, r, http.StatusUnauthorized, apperr.CodeUnauthenticated, "the session has ended; log in again")
				return
			}
			if errors.Is(err, context.Canceled) {
				return // the client went away: nobody reads an answer
			}
			if err != nil {
				s.logger.WarnContext(ctx, "loading session", "err", err)
				writeUnavailable(w, r, err)
				return
			}
			req.sessionID, req.token = v.SessionID, token
			ctx = viewer.NewContext(ctx, v)
		}
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

// token reads the bearer token, or else the session cookie.
func (s *Service) token(r *http.Request) (token string, viaCookie bool) {
	if h := r.Header.Get("Authorization"); h != "" {
		if t, ok := strings.CutPrefix(h, "Bearer "); ok {
			return strings.TrimSpace(t), false
		}
		return "", false
	}
	if c, err := r.Cookie(s.cfg.CookieName); err == nil && c.Value != "" {
		return c.Value, true
	}
	return "", false
}

// cors answers preflights and marks responses for allowed origins. It returns false when the
// request has been answered.
func (s *Service) cors(w http.ResponseWriter, r *http.Request) bool {
	origin := r.Header.Get("Origin")
	allowed := origin != "" && slices.Contains(s.cfg.AllowedOrigins, origin)
	if allowed {
		h := w.Header()
		h.Set("Access-Control-Allow-Origin", origin)
		h.Set("Access-Control-Allow-Credentials", "true")
		h.Add("Vary", "Origin")
	}
	if r.Method != http.MethodOptions || r.Header.Get("Access-Control-Request-Method") == "" {
		return true
	}
	if !allowed {
		writeError(w, r, http.StatusForbidden, apperr.CodeForbidden, "this origin may not call the API")
		return false
	}
	h := w.Header()
	h.Set("Access-Control-Allow-Methods", "GET, POST")
	h.Set("Access-Control-Allow-Headers", "Authorization, Content-Type, "+CSRFHeader)
	h.Set("Access-Control-Max-Age", "600")
	w.WriteHeader(http.StatusNoContent)
	return false
}

// setCookie keeps a session in an HttpOnly, Secure, SameSite=Lax cookie.
func (s *Service) setCookie(ctx context.Context, token string, expires time.Time) {
	w := requestOf(ctx).w
	if w == nil {
		return
	}
	http.SetCookie(w, &http.Cookie{
		Name: s.cfg.CookieName, Value: token, Path: "/", Expires: expires,
		HttpOnly: true, Secure: !s.cfg.CookieInsecure, SameSite: http.SameSiteLaxMode,
	})
}

func (s *Service) clearCookie(w http.ResponseWriter) {
	http.SetCookie(w, &http.Cookie{
		Name: s.cfg.CookieName, Value: "", Path: "/", MaxAge: -1,
		HttpOnly: true, Secure: !s.cfg.CookieInsecure, SameSite: http.SameSiteLaxMode,
	})
}

// clientIP is the peer address. Zirkel does not trust X-Forwarded-For: a proxy in front of it
// should be configured so that the peer is the client, or the limits count the proxy.
func clientIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// writeUnavailable answers a request whose session could not be loaded: the database did not
// answer within the request's deadline (504 TIMEOUT), or failed (503 SERVICE_UNAVAILABLE).
func writeUnavailable(w http.ResponseWriter, r *http.Request, err error) {
	if errors.Is(err, context.DeadlineExceeded) {
		writeError(w, r, http.StatusGatewayTimeout, "TIMEOUT", "the request took too long")
		return
	}
	w.Header().Set("Retry-After", "5")
	writeError(w, r, http.StatusServiceUnavailable, "SERVICE_UNAVAILABLE", "the service is unavailable; try again later")
}

// writeError answers with a GraphQL-shaped error in the client's language.
func writeError(w http.ResponseWriter, r *http.Request, status int, code, message string) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]any{
		"errors": []map[string]any{{"message": i18n.T(i18n.FromRequest(r), message), "extensions": map[string]any{"code": code}}},
	})
}

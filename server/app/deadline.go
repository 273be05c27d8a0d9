package app

import (
	"context"
	"net/http"
	"time"
)

// withDeadline gives a request one deadline for all its work, authentication included, so
// that a database that does not answer holds no request longer than the timeout. Websocket
// upgrades get it too, for looking their session up before the upgrade; the connection itself
// then runs on a context without it (live.Hub.Middleware detaches it), bounded by the live
// transport.
func withDeadline(timeout time.Duration) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if timeout <= 0 {
				next.ServeHTTP(w, r)
				return
			}
			ctx, cancel := context.WithTimeout(r.Context(), timeout)
			defer cancel()
			next.ServeHTTP(w, r.WithContext(ctx))
		})
	}
}

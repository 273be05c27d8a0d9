package privacy

import (
	"encoding/json"
	"log/slog"
	"net/http"

	"zirkel/server/apperr"
	"zirkel/server/viewer"
)

// Handler serves GET /me/export.json: the viewer's export as a JSON file to download. It must
// run behind the session middleware (auth.Service.Middleware), which puts the viewer into the
// request's context.
func Handler(e *Exporter, logger *slog.Logger) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "no-store")
		v := viewer.FromContext(r.Context())
		if v == nil {
			writeError(w, http.StatusUnauthorized, apperr.CodeUnauthenticated, "login required")
			return
		}
		doc, err := e.Export(r.Context(), v.MemberID, "")
		if err != nil {
			if ae, ok := apperr.As(err); ok {
				writeError(w, http.StatusForbidden, ae.Code, ae.Message)
				return
			}
			logger.Error("exporting personal data", "member", v.MemberID, "err", err)
			writeError(w, http.StatusInternalServerError, apperr.CodeInternal, "internal error")
			return
		}
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		w.Header().Set("Content-Disposition", `attachment; filename="zirkel-export-`+string(v.MemberID)+`.json"`)
		w.Header().Set("X-Content-Type-Options", "nosniff")
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		if err := enc.Encode(doc); err != nil {
			logger.Warn("writing personal data export", "member", v.MemberID, "err", err)
		}
	})
}

// writeError answers with a GraphQL-style error body.
func writeError(w http.ResponseWriter, status int, code, message string) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]any{"errors": []map[string]any{{"message": message, "extensions": map[string]any{"code": code}}}})
}

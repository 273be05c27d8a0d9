package audit

import (
	"encoding/csv"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"zirkel/ent"
	"zirkel/ent/auditentry"
	"zirkel/ent/privacy"
	"zirkel/server/viewer"
)

// csvPage is how many entries the CSV export reads at a time.
const csvPage = 500

// csvHeader names the CSV export's columns.
var csvHeader = []string{"seq", "at", "actor_id", "action", "target_type", "target_id", "subject_id",
	"circle_id", "organisation_id", "reason", "prev_hash", "hash"}

// CSV serves GET /audit.csv: the entries matching the filter in the query parameters (see
// FilterFromQuery), newest first, for platform admins only (401 without login, 403 for
// others, 400 for a parameter that cannot be read). Cells that a spreadsheet would run as a
// formula (starting with = + - @, a tab or a carriage return) are prefixed with '.
func CSV(client *ent.Client) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		f, bad, ok := FilterFromQuery(r.URL.Query())
		if !ok {
			http.Error(w, bad+": must be a time in RFC 3339 format or a date (YYYY-MM-DD)", http.StatusBadRequest)
			return
		}
		page := func(before int64) ([]*ent.AuditEntry, error) {
			q := client.AuditEntry.Query().Where(f.Predicates()...).Order(ent.Desc(auditentry.FieldSeq)).Limit(csvPage)
			if before > 0 {
				q.Where(auditentry.SeqLT(before))
			}
			return q.All(ctx)
		}
		rows, err := page(0)
		switch {
		case errors.Is(err, privacy.Deny) && viewer.FromContext(ctx) == nil:
			http.Error(w, "login required", http.StatusUnauthorized)
			return
		case errors.Is(err, privacy.Deny):
			http.Error(w, "only platform admins read the audit log", http.StatusForbidden)
			return
		case err != nil:
			http.Error(w, "internal error", http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "text/csv; charset=utf-8")
		w.Header().Set("Content-Disposition", `attachment; filename="zirkel-audit.csv"`)
		w.Header().Set("Cache-Control", "no-store")
		out := csv.NewWriter(w)
		_ = out.Write(csvHeader)
		for len(rows) > 0 {
			for _, e := range rows {
				_ = out.Write(csvRow(e))
			}
			if len(rows) < csvPage {
				break
			}
			if rows, err = page(rows[len(rows)-1].Seq); err != nil {
				break // the status is sent: the file ends early (the client sees a short file)
			}
		}
		out.Flush()
	})
}

// csvRow is one entry as CSV cells.
func csvRow(e *ent.AuditEntry) []string {
	cells := []string{strconv.FormatInt(e.Seq, 10), e.At.UTC().Format(time.RFC3339Nano), deref(e.ActorID), e.Action,
		e.TargetType, deref(e.TargetID), deref(e.SubjectID), deref(e.CircleID), deref(e.OrganisationID), e.Reason,
		e.PrevHash, e.Hash}
	for i, c := range cells {
		cells[i] = safeCell(c)
	}
	return cells
}

// safeCell keeps spreadsheet programs from running cell text as a formula.
func safeCell(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

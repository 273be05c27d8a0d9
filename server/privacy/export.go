// Export: what DSGVO Art. 15 and 20 promise: everything Zirkel stores
// about them, as one JSON document (the query myData, the download GET /me/export.json), and
// admins the same for a member on request, with a reason, recorded for the audit log.
//
// The export is a list of sections (sections.go), each covering named edges and fields of the
// data model; TestExportCoversEveryPersonalEdge walks ent's schema and fails when an edge to a
// member or a member's field is neither covered nor excluded with a reason (Excluded).

package privacy

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"time"
	"unicode/utf8"

	"zirkel/ent"
	"zirkel/ent/member"
	"zirkel/ent/schema/gid"
	"zirkel/server/apperr"
	"zirkel/server/audit"
	"zirkel/server/policy"
	"zirkel/server/viewer"
)

// Row is one exported record, as JSON names and values.
type Row = map[string]any

// Section is one part of a member's data.
type Section struct {
	// Name is the section's key in the document (e.g. "messages").
	Name string
	// Description says in words what the section holds.
	Description string
	// Covers names what of the data model the section exports: edges as "Type.edge" (every
	// edge that points to a member, from either side) and the member's fields as
	// "Member.field".
	Covers []string
	// Collect reads the member's rows; ctx is a System context, c the request's client.
	Collect func(ctx context.Context, c *ent.Client, memberID gid.ID) ([]Row, error)
}

// Document is a member's data.
type Document struct {
	MemberID    gid.ID        `json:"memberId"`
	GeneratedAt time.Time     `json:"generatedAt"`
	Sections    []SectionData `json:"sections"`
}

// SectionData is one section of a Document.
type SectionData struct {
	Name        string `json:"name"`
	Description string `json:"description"`
	Rows        []Row  `json:"rows"`
}

// Request describes one export for the audit log: who asked for whose data, and why.
type Request struct {
	Actor  gid.ID // the viewer
	Member gid.ID // whose data
	Reason string // required when an admin exports another member's data
}

// Recorder records an export. It is the single place where exports reach the audit log.
type Recorder func(ctx context.Context, r Request) error

// Exporter builds exports.
type Exporter struct {
	client   *ent.Client
	sections []Section
	record   Recorder
}

// NewExporter returns an exporter over the client with the standard sections. record is told of
// every export before it is built (nil: LogRecorder with a discarding logger).
// An export is a read, so the event pipeline records nothing by itself: app.New passes
// AuditRecorder.
func NewExporter(client *ent.Client, record Recorder) *Exporter {
	if record == nil {
		record = LogRecorder(slog.New(slog.DiscardHandler))
	}
	return &Exporter{client: client, sections: Sections(), record: record}
}

// Add appends a section (for types that other packages own, such as the audit log).
func (e *Exporter) Add(s Section) { e.sections = append(e.sections, s) }

// AuditRecorder records every export as an audit entry (action privacy.export, actor the viewer,
// target and subject the member, the reason an admin gave). It writes in the request's
// transaction when there is one, else in one of its own; an export whose entry cannot be
// written is refused.
func AuditRecorder(client *ent.Client) Recorder {
	return func(ctx context.Context, r Request) error {
		c := clientFor(ctx, client)
		org, err := c.Member.Query().Where(member.ID(r.Member)).QueryOrganisation().OnlyID(policy.System(ctx))
		if err != nil && !ent.IsNotFound(err) {
			return fmt.Errorf("reading the exported member's organisation: %w", err)
		}
		return audit.Log(ctx, c, audit.Entry{Actor: r.Actor, Action: audit.ActionPrivacyExport, TargetType: "Member",
			TargetID: r.Member, Subject: r.Member, Organisation: org, Reason: r.Reason})
	}
}

// LogRecorder records exports as log lines with member ids only (never the reason, which may
// name personal circumstances), for tools without an audit log.
func LogRecorder(logger *slog.Logger) Recorder {
	return func(_ context.Context, r Request) error {
		logger.Info("personal data exported", "actor", r.Actor, "member", r.Member, "on_request", r.Actor != r.Member)
		return nil
	}
}

// MayExport is the rule of exports: a member exports their own data; admins any member's,
// with a reason (the member's request). It returns an apperr for the client otherwise.
func MayExport(v *viewer.Viewer, memberID gid.ID, reason string) error {
	switch {
	case v == nil:
		return &apperr.Error{Code: apperr.CodeUnauthenticated, Message: "login required"}
	case v.MemberID == memberID:
		return nil
	case !v.IsAdmin():
		return apperr.Forbidden("members export only their own data")
	case len(reason) == 0:
		return apperr.Invalid("reason", "an export of another member's data needs the reason (the member's request)")
	case len(reason) > 2000:
		return apperr.Invalid("reason", "at most 2000 characters")
	case !utf8.ValidString(reason) || strings.ContainsFunc(reason, isControl):
		return apperr.Invalid("reason", "must not contain control characters other than tab and line break")
	}
	return nil
}

// Export checks MayExport, records the export and returns the member's data. It reads under
// System, only rows linked to the member (each section's Collect).
func (e *Exporter) Export(ctx context.Context, memberID gid.ID, reason string) (*Document, error) {
	v := viewer.FromContext(ctx)
	if err := MayExport(v, memberID, reason); err != nil {
		return nil, err
	}
	c := clientFor(ctx, e.client)
	sys := policy.System(ctx)
	exists, err := c.Member.Query().Where(member.ID(memberID)).Exist(sys)
	if err != nil {
		return nil, err
	}
	if !exists {
		return nil, apperr.NotFound("memberID")
	}
	if err := e.record(ctx, Request{Actor: v.MemberID, Member: memberID, Reason: reason}); err != nil {
		return nil, err
	}
	doc := &Document{MemberID: memberID, GeneratedAt: time.Now().UTC().Truncate(time.Second), Sections: make([]SectionData, 0, len(e.sections))}
	for _, s := range e.sections {
		rows, err := s.Collect(sys, c, memberID)
		if err != nil {
			return nil, err
		}
		if rows == nil {
			rows = []Row{}
		}
		doc.Sections = append(doc.Sections, SectionData{Name: s.Name, Description: s.Description, Rows: rows})
	}
	return doc, nil
}

// isControl is a C0 or C1 control character or DEL, other than tab and line feed.
func isControl(r rune) bool {
	return r != '\t' && r != '\n' && (r < 0x20 || r >= 0x7f && r <= 0x9f)
}

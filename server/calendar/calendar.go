// Package calendar serves events as iCalendar (RFC 5545): one file per event, and a personal
// feed of the events a member registered for, which calendar apps subscribe to by URL.
package calendar

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"
	_ "time/tzdata" // Europe/Berlin everywhere, whatever the host has installed

	"zirkel/ent"
	"zirkel/ent/event"
	"zirkel/ent/member"
	"zirkel/ent/registration"
	"zirkel/ent/schema/gid"
	"zirkel/server/policy"
	"zirkel/server/viewer"
)

// berlin is the time zone calendars show events in.
var berlin, _ = time.LoadLocation("Europe/Berlin")

// Owners finds the member of a calendar feed token.
type Owners interface {
	CalendarOwner(ctx context.Context, token string) (*viewer.Viewer, error)
}

// EventHandler serves GET /events/{id}.ics to viewers who may see the event (the request
// passed the auth middleware).
func EventHandler(client *ent.Client) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id, ok := strings.CutSuffix(r.PathValue("file"), ".ics")
		if _, err := gid.Parse(id); !ok || err != nil {
			http.NotFound(w, r)
			return
		}
		e, err := client.Event.Get(r.Context(), gid.ID(id))
		if err != nil {
			http.NotFound(w, r)
			return
		}
		serve(w, r, client, viewer.FromContext(r.Context()), []*ent.Event{e}, "zirkel-"+id+".ics")
	})
}

// FeedHandler serves GET /calendar/{token}.ics: the events the token's member registered for.
func FeedHandler(client *ent.Client, owners Owners) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		token, ok := strings.CutSuffix(r.PathValue("file"), ".ics")
		v, err := owners.CalendarOwner(r.Context(), token)
		if !ok || token == "" || err != nil {
			http.NotFound(w, r)
			return
		}
		ctx := viewer.NewContext(r.Context(), v)
		events, err := client.Event.Query().
			Where(event.HasRegistrationsWith(registration.HasMemberWith(member.ID(v.MemberID)),
				registration.StatusIn(registration.StatusREGISTERED, registration.StatusATTENDED))).
			Order(ent.Asc(event.FieldStartsAt)).All(ctx)
		if err != nil {
			http.Error(w, "internal error", http.StatusInternalServerError)
			return
		}
		serve(w, r.WithContext(ctx), client, v, events, "zirkel.ics")
	})
}

func serve(w http.ResponseWriter, r *http.Request, client *ent.Client, v *viewer.Viewer, events []*ent.Event, name string) {
	ids := make([]gid.ID, len(events))
	for i, e := range events {
		ids[i] = e.ID
	}
	links, err := policy.OnlineURLAccess(r.Context(), client, v, ids)
	if err != nil {
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/calendar; charset=utf-8")
	w.Header().Set("Content-Disposition", fmt.Sprintf("attachment; filename=%q", name))
	w.Header().Set("Cache-Control", "private, no-store")
	_ = Write(w, events, func(e *ent.Event) bool { return links[e.ID] }, time.Now())
}

// Write renders events as an iCalendar; showLink says whose online link may be included.
func Write(out io.Writer, events []*ent.Event, showLink func(*ent.Event) bool, now time.Time) error {
	var b strings.Builder
	line := func(s string) { b.WriteString(fold(s)) }
	line("BEGIN:VCALENDAR")
	line("VERSION:2.0")
	line("PRODID:-//Zirkel//Community//DE")
	line("CALSCALE:GREGORIAN")
	line("METHOD:PUBLISH")
	b.WriteString(vtimezone)
	for _, e := range events {
		line("BEGIN:VEVENT")
		line("UID:" + string(e.ID) + "@zirkel")
		line("DTSTAMP:" + now.UTC().Format("20060102T150405Z"))
		line("DTSTART;TZID=Europe/Berlin:" + e.StartsAt.In(berlin).Format("20060102T150405"))
		line("DTEND;TZID=Europe/Berlin:" + e.EndsAt.In(berlin).Format("20060102T150405"))
		line("SUMMARY:" + escape(e.Title))
		if e.Description != "" {
			line("DESCRIPTION:" + escape(e.Description))
		}
		location := e.Place
		if e.OnlineURL != "" && showLink(e) {
			line("URL:" + e.OnlineURL)
			if location == "" {
				location = e.OnlineURL
			}
		}
		if location != "" {
			line("LOCATION:" + escape(location))
		}
		line("END:VEVENT")
	}
	line("END:VCALENDAR")
	_, err := io.WriteString(out, b.String())
	return err
}

// escape escapes TEXT values (RFC 5545, 3.3.11).
func escape(s string) string { return textEscaper.Replace(s) }

var textEscaper = strings.NewReplacer(`\`, `\\`, ";", `\;`, ",", `\,`, "\r\n", `\n`, "\n", `\n`)

// fold ends a content line with CRLF, folding it at 75 octets without splitting characters.
func fold(s string) string {
	var b strings.Builder
	n := 0
	for _, r := range s {
		size := len(string(r))
		if n+size > 75 {
			b.WriteString("\r\n ")
			n = 1
		}
		b.WriteRune(r)
		n += size
	}
	b.WriteString("\r\n")
	return b.String()
}

// vtimezone describes Europe/Berlin (CET/CEST, EU rules) for calendar apps.
const vtimezone = "BEGIN:VTIMEZONE\r\nTZID:Europe/Berlin\r\n" +
	"BEGIN:DAYLIGHT\r\nTZOFFSETFROM:+0100\r\nTZOFFSETTO:+0200\r\nTZNAME:CEST\r\nDTSTART:19700329T020000\r\nRRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU\r\nEND:DAYLIGHT\r\n" +
	"BEGIN:STANDARD\r\nTZOFFSETFROM:+0200\r\nTZOFFSETTO:+0100\r\nTZNAME:CET\r\nDTSTART:19701025T030000\r\nRRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU\r\nEND:STANDARD\r\n" +
	"END:VTIMEZONE\r\n"

package mail

import (
	"strings"
	"testing"
	"time"

	"zirkel/ent/schema/mailkind"
)

// TestRenderEscapesAndCaps: titles are HTML-escaped in the HTML part, and a digest shows at
// most maxDigestEntries items and counts the rest.
func TestRenderEscapesAndCaps(t *testing.T) {
	entries := make([]mailkind.Entry, maxDigestEntries+3)
	for i := range entries {
		entries[i] = mailkind.Entry{Kind: "DISCUSSION", Title: `<script>alert(1)</script> & Co`, Link: "/d", At: time.Now()}
	}
	out, err := render("DE", "WEEKLY", "https://z.example", "https://z.example/unsubscribe?token=t", entries)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(out.HTML, "<script>") || !strings.Contains(out.HTML, "&lt;script&gt;") {
		t.Error("the HTML part does not escape titles")
	}
	if !strings.Contains(out.Text, "… und 3 weitere Neuigkeiten") || strings.Count(out.Text, "https://z.example/d") != maxDigestEntries {
		t.Errorf("digest text:\n%s", out.Text)
	}
	if out.Subject != "[Zirkel] Ihre wöchentliche Zusammenfassung (53)" {
		t.Errorf("subject %q", out.Subject)
	}
}

// BenchmarkRenderDigest measures rendering one digest of 3 items (text and HTML); 5,000
// members' digests cost 5,000 times this.
func BenchmarkRenderDigest(b *testing.B) {
	entries := []mailkind.Entry{
		{Kind: "DISCUSSION", Title: "Neue Diskussion: Low Code im Bauamt", Link: "/discussions/dis_1", Lines: []string{"Wer hat Erfahrung?"}},
		{Kind: "PRACTICE", Title: "Neues Praxisbeispiel: E-Akte im Landkreis", Link: "/practices/pra_1"},
		{Kind: "SURVEY", Title: "Abfrage: Digitalisierungsbudget 2027", Link: "/surveys/sur_1"},
	}
	for b.Loop() {
		if _, err := render("DE", "WEEKLY", "https://z.example", "https://z.example/unsubscribe?token=t", entries); err != nil {
			b.Fatal(err)
		}
	}
}

package wsx

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestCloseReasonsFitAFrame(t *testing.T) {
	for _, tc := range []struct{ name, in string }{
		{"short", "Unauthorized"},
		{"long ASCII", strings.Repeat("x", 300)},
		{"long, cut inside a character", "a" + strings.Repeat("ü", 100)},
		{"invalid UTF-8", "\xff\xfe" + strings.Repeat("y", 200)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for _, got := range []string{closeReason(tc.in), duplicateReason(tc.in)} {
				if len(got) > maxCloseReason || !utf8.ValidString(got) {
					t.Fatalf("%q: %d bytes, valid UTF-8 %v", got, len(got), utf8.ValidString(got))
				}
			}
			if d := duplicateReason(tc.in); !strings.HasPrefix(d, "Subscriber for ") || !strings.HasSuffix(d, " already exists") {
				t.Fatalf("the sentence was cut: %q", d)
			}
		})
	}
	if got := closeReason("Unauthorized"); got != "Unauthorized" {
		t.Fatalf("a short reason changed: %q", got)
	}
}

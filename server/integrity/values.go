package integrity

import (
	"context"
	"fmt"
	"math"
	"strings"
	"time"
	"unicode/utf8"

	"zirkel/ent"
	"zirkel/server/apperr"
)

// The range of every stored time, in years (inclusive, UTC). Outside it a time is a typo or
// a probe, and some drivers and clients cannot read it back.
const (
	MinYear = 1900
	MaxYear = 2200
)

// MaxMagnitude bounds every stored floating-point number (|x| ≤ MaxMagnitude): far beyond any
// measured value of an authority (budgets in euros, counts of cases), far within what the
// statistics over such values can add up without overflowing.
const MaxMagnitude = 1e12

// values refuses what must never be stored, in every field of every type: times outside
// MinYear..MaxYear, text that is not valid UTF-8 or holds control characters (tab and line
// break only in multi-line texts, where a CR LF is stored as LF), and numbers that are not
// finite or beyond MaxMagnitude. Lists and JSON values are checked element by element.
func values(next ent.Mutator) ent.Mutator {
	return ent.MutateFunc(func(ctx context.Context, m ent.Mutation) (ent.Value, error) {
		if m.Op().Is(ent.OpDelete) || m.Op().Is(ent.OpDeleteOne) {
			return next.Mutate(ctx, m)
		}
		for _, name := range m.Fields() {
			v, _ := m.Field(name)
			lines := allowsLines(m.Type(), name)
			if s, ok := v.(string); ok && lines && strings.Contains(s, "\r\n") {
				v = strings.ReplaceAll(s, "\r\n", "\n")
				if err := m.SetField(name, v); err != nil {
					return nil, fmt.Errorf("normalising %s: %w", name, err)
				}
			}
			if err := checkValue(v, lines); err != nil {
				return nil, apperr.Invalid(FieldName(name), err.Error())
			}
		}
		for accessor, v := range ent.AppendedFields(m) { // AppendedSoftwareUsed: appendSoftwareUsed
			if err := checkValue(v, false); err != nil {
				return nil, apperr.Invalid("append"+strings.TrimPrefix(accessor, "Appended"), err.Error())
			}
		}
		for _, name := range m.AddedFields() {
			v, _ := m.AddedField(name)
			if err := checkValue(v, false); err != nil {
				return nil, apperr.Invalid(FieldName(name), err.Error())
			}
		}
		return next.Mutate(ctx, m)
	})
}

// allowsLines tells whether a field holds multi-line text: bodies, bios, summaries,
// descriptions, notes and the long texts of practices. Names, titles, addresses and keys are
// single lines.
func allowsLines(typ, field string) bool {
	switch typ + "." + field {
	case "Message.body", "Member.bio",
		"Practice.summary", "Practice.problem", "Practice.approach", "Practice.outcome",
		"Practice.lessons_learned", "Practice.transferability",
		"Circle.description", "Topic.description", "Competency.description", "Event.description",
		"Indicator.definition", "Measurement.note", "SoftwareUsage.notes", "Survey.introduction",
		"SurveyResponse.answers", "CircleJoinRequest.message", "CircleJoinRequest.reason":
		return true
	}
	return false
}

// checkValue checks one value, whatever its type; err is the reason for the client.
func checkValue(v ent.Value, lines bool) error {
	switch x := v.(type) {
	case time.Time:
		return checkTime(x)
	case *time.Time:
		if x != nil {
			return checkTime(*x)
		}
	case string:
		return checkText(x, lines)
	case *string:
		if x != nil {
			return checkText(*x, lines)
		}
	case float64:
		return checkFloat(x)
	case float32:
		return checkFloat(float64(x))
	case []string:
		for _, s := range x {
			if err := checkText(s, false); err != nil {
				return err
			}
		}
	case map[string]any:
		for k, e := range x {
			if err := checkText(k, false); err != nil {
				return err
			}
			if err := checkValue(e, lines); err != nil {
				return err
			}
		}
	case []any:
		for _, e := range x {
			if err := checkValue(e, lines); err != nil {
				return err
			}
		}
	case map[string]int:
		for k := range x {
			if err := checkText(k, false); err != nil {
				return err
			}
		}
	}
	return nil
}

func checkTime(t time.Time) error {
	if y := t.UTC().Year(); y < MinYear || y > MaxYear {
		return fmt.Errorf("must be a time between the years %d and %d", MinYear, MaxYear)
	}
	return nil
}

func checkFloat(f float64) error {
	if math.IsNaN(f) || math.IsInf(f, 0) || math.Abs(f) > MaxMagnitude {
		return fmt.Errorf("must be a number between %g and %g", -MaxMagnitude, MaxMagnitude)
	}
	return nil
}

// checkText refuses invalid UTF-8 and control characters; lines allows tab and line feed.
func checkText(s string, lines bool) error {
	if !utf8.ValidString(s) {
		return fmt.Errorf("must be valid UTF-8 text")
	}
	for _, r := range s {
		if !isControl(r) || lines && (r == '\t' || r == '\n') {
			continue
		}
		if lines {
			return fmt.Errorf("must not contain control characters other than tab and line break")
		}
		return fmt.Errorf("must be a single line without control characters")
	}
	return nil
}

// isControl is a C0 or C1 control character, or DEL.
func isControl(r rune) bool { return r < 0x20 || r >= 0x7f && r <= 0x9f }

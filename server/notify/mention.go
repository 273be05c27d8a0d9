package notify

import (
	"context"
	"regexp"
	"slices"
	"strings"

	"zirkel/ent"
	"zirkel/ent/member"
	"zirkel/ent/schema/gid"
	"zirkel/server/apperr"
	"zirkel/server/policy"
	"zirkel/server/viewer"
)

// A mention is written `@[Display Name](mem_…)` in a message body (Markdown-like, as the
// mention suggestions give it): members have no handles, and display names are neither unique
// nor stable, so the id is what counts; the name is only what readers see.
var mentionPattern = regexp.MustCompile(`@\[[^\]\n]{1,200}\]\((mem_[0-9a-z]{26})\)`)

// maxMentions is the most members one message notifies by mention.
const maxMentions = 50

// Mentions lists the members a body mentions (each once, at most maxMentions).
func Mentions(body string) []gid.ID {
	var out []gid.ID
	for _, m := range mentionPattern.FindAllStringSubmatch(body, -1) {
		id := gid.ID(m[1])
		if _, err := gid.Parse(string(id)); err != nil || slices.Contains(out, id) {
			continue
		}
		out = append(out, id)
		if len(out) == maxMentions {
			break
		}
	}
	return out
}

// maxSuggestions is how many members MentionSuggestions returns.
const maxSuggestions = 10

// MentionSuggestions lists the active members (besides the viewer) whose name begins with
// prefix, or has a word that does, and who may read the discussion: the viewer must read it,
// and a member is suggested only if the discussion's read rule lets them read it too. Members
// are read with the viewer's rights (what a member sees of others is theirs to see).
func MentionSuggestions(ctx context.Context, c *ent.Client, discussionID gid.ID, prefix string) ([]*ent.Member, error) {
	seen, err := policy.Readable(ctx, c, "Discussion", []gid.ID{discussionID})
	if err != nil {
		return nil, err
	}
	if !seen[discussionID] {
		return nil, apperr.NotFound("discussionID")
	}
	prefix = strings.TrimSpace(prefix)
	if len([]rune(prefix)) > 100 {
		return nil, apperr.Invalid("prefix", "at most 100 characters")
	}
	q := c.Member.Query().Where(member.StatusEQ(member.StatusACTIVE))
	if v := viewer.FromContext(ctx); v != nil {
		q.Where(member.IDNEQ(v.MemberID))
	}
	if prefix != "" {
		q.Where(member.DisplayNameContainsFold(prefix))
	}
	var out []*ent.Member
	// Candidates in pages, each page checked at once (see visibleTo).
	const page = 50
	for offset := 0; len(out) < maxSuggestions && offset < 1000; offset += page {
		candidates, err := q.Clone().Order(ent.Asc(member.FieldDisplayName), ent.Asc(member.FieldID)).Offset(offset).Limit(page).All(ctx)
		if err != nil {
			return nil, err
		}
		ids := make([]gid.ID, 0, len(candidates))
		for _, m := range candidates {
			ids = append(ids, m.ID)
		}
		ok, err := visibleTo(ctx, c, "Discussion", discussionID, ids, nil)
		if err != nil {
			return nil, err
		}
		for _, m := range candidates {
			if slices.Contains(ok, m.ID) && len(out) < maxSuggestions && wordPrefix(m.DisplayName, prefix) {
				out = append(out, m)
			}
		}
		if len(candidates) < page {
			break
		}
	}
	return out, nil
}

// wordPrefix tells whether a word of name begins with prefix, ignoring case.
func wordPrefix(name, prefix string) bool {
	if prefix == "" {
		return true
	}
	for _, w := range strings.Fields(name) {
		if strings.HasPrefix(strings.ToLower(w), strings.ToLower(prefix)) {
			return true
		}
	}
	return strings.HasPrefix(strings.ToLower(name), strings.ToLower(prefix))
}

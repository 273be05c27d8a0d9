package demo

import (
	"context"
	"fmt"
	"time"

	"zirkel/ent/discussion"
	"zirkel/ent/schema/gid"
)

// messageSpec is one message of a discussion.
type messageSpec struct {
	by      string        // member key
	after   time.Duration // since the previous message, or for the first since 8:00 UTC of the start day
	reply   int           // position of the message it answers; 0 for none
	body    string
	edited  bool // edited a little later
	deleted bool // deleted by its author: the body is dropped, the place in the thread stays
}

// discussionSpec is a discussion; its author is the author of its first message.
type discussionSpec struct {
	title    string
	circle   string   // slug; empty for the open community
	topics   []string // slugs
	pinned   bool
	locked   bool
	daysAgo  int // the day of the first message, in days before the load
	messages []messageSpec
}

// Delays after which a message is edited or deleted.
const (
	editDelay   = 12 * time.Minute
	deleteDelay = 5 * time.Minute
)

func (l *loader) loadDiscussions(ctx context.Context) error {
	for _, d := range discussions {
		if err := l.createDiscussion(ctx, d); err != nil {
			return fmt.Errorf("creating discussion %q: %w", d.title, err)
		}
		l.counts.discussions++
		l.counts.messages += len(d.messages)
	}
	return nil
}

func (l *loader) createDiscussion(ctx context.Context, d discussionSpec) error {
	if len(d.messages) == 0 {
		return fmt.Errorf("a discussion needs a first message")
	}
	times := make([]time.Time, len(d.messages))
	at := l.daysAgo(d.daysAgo, 8)
	for i, m := range d.messages {
		at = at.Add(m.after)
		times[i] = at
	}
	last := times[len(times)-1]
	author, err := lookupOne("member", l.members, d.messages[0].by)
	if err != nil {
		return err
	}
	topicIDs, err := lookup("topic", l.topics, d.topics...)
	if err != nil {
		return err
	}
	c := l.client.Discussion.Create().SetTitle(d.title).SetAuthorID(author).AddTopicIDs(topicIDs...).
		SetPinned(d.pinned).SetMessageCount(len(d.messages)).SetLastMessageAt(last).
		SetCreatedAt(times[0]).SetUpdatedAt(last)
	if d.locked {
		c.SetStatus(discussion.StatusLOCKED)
	}
	if d.circle != "" {
		circleID, err := lookupOne("circle", l.circles, d.circle)
		if err != nil {
			return err
		}
		c.SetCircleID(circleID)
	}
	created, err := c.Save(ctx)
	if err != nil {
		return err
	}
	return l.createMessages(ctx, created.ID, d.messages, times)
}

// createMessages writes the messages in order, so that each reply's parent exists before it.
func (l *loader) createMessages(ctx context.Context, discussionID gid.ID, msgs []messageSpec, times []time.Time) error {
	ids := make([]gid.ID, len(msgs))
	for i, m := range msgs {
		author, err := lookupOne("member", l.members, m.by)
		if err != nil {
			return err
		}
		c := l.client.Message.Create().SetDiscussionID(discussionID).SetAuthorID(author).
			SetPosition(i + 1).SetBody(m.body).SetCreatedAt(times[i]).SetUpdatedAt(times[i])
		if m.reply != 0 {
			if m.reply < 1 || m.reply > i {
				return fmt.Errorf("message %d replies to %d, which does not come before it", i+1, m.reply)
			}
			c.SetParentID(ids[m.reply-1])
		}
		if m.edited {
			c.SetEditedAt(times[i].Add(editDelay)).SetUpdatedAt(times[i].Add(editDelay))
		}
		if m.deleted {
			c.SetBody("").SetDeletedAt(times[i].Add(deleteDelay)).SetUpdatedAt(times[i].Add(deleteDelay))
		}
		created, err := c.Save(ctx)
		if err != nil {
			return fmt.Errorf("creating message %d: %w", i+1, err)
		}
		ids[i] = created.ID
	}
	return nil
}

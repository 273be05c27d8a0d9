package graph

import (
	"context"
	"time"

	"entgo.io/contrib/entgql"

	"zirkel/ent"
	"zirkel/ent/follow"
	"zirkel/ent/member"
	"zirkel/ent/notification"
	"zirkel/ent/schema/gid"
	"zirkel/graph/model"
	"zirkel/server/apperr"
	"zirkel/server/notify"
)

// myFollows pages the viewer's follows (the read rule keeps them to the viewer's own; admins
// read everyone's, so the viewer is named here).
func myFollows(ctx context.Context, c *ent.Client, first *int, after *entgql.Cursor[gid.ID]) (*ent.FollowConnection, error) {
	v, err := requireViewer(ctx)
	if err != nil {
		return nil, err
	}
	return c.Follow.Query().Where(follow.HasMemberWith(member.ID(v.MemberID))).Paginate(ctx, after, first, nil, nil)
}

// followersOf pages who follows something: for admins (the read rule shows others nothing).
func followersOf(ctx context.Context, c *ent.Client, id gid.ID, first *int, after *entgql.Cursor[gid.ID]) (*ent.FollowConnection, error) {
	v, err := requireViewer(ctx)
	if err != nil {
		return nil, err
	}
	if !v.IsAdmin() {
		return nil, apperr.Forbidden("only admins see who follows something")
	}
	if _, err := notify.TargetOf(id, "id"); err != nil {
		return nil, err
	}
	return c.Follow.Query().Where(follow.TargetID(id)).Paginate(ctx, after, first, nil, nil)
}

// notificationsOf pages the viewer's notifications, latest change first.
func notificationsOf(ctx context.Context, c *ent.Client, first *int, after *entgql.Cursor[gid.ID], unreadOnly *bool) (*ent.NotificationConnection, error) {
	if _, err := requireViewer(ctx); err != nil {
		return nil, err
	}
	q := c.Notification.Query()
	if unreadOnly != nil && *unreadOnly {
		q.Where(notification.ReadAtIsNil())
	}
	return q.Paginate(ctx, after, first, nil, nil, ent.WithNotificationOrder(&ent.NotificationOrder{
		Field: ent.NotificationOrderFieldLastAt, Direction: entgql.OrderDirectionDesc,
	}))
}

// unreadCount counts the viewer's unread notifications (those they may read).
func unreadCount(ctx context.Context, c *ent.Client) (int, error) {
	if _, err := requireViewer(ctx); err != nil {
		return 0, err
	}
	return c.Notification.Query().Where(notification.ReadAtIsNil()).Count(ctx)
}

// markRead marks one of the viewer's notifications read (one they may not read is not found).
func markRead(ctx context.Context, c *ent.Client, id gid.ID) (*ent.Notification, error) {
	if _, err := requireViewer(ctx); err != nil {
		return nil, err
	}
	n, err := c.Notification.Get(ctx, id)
	if err != nil {
		return nil, notFoundAs("id", err)
	}
	if n.ReadAt != nil {
		return n, nil
	}
	return n.Update().SetReadAt(time.Now()).Save(ctx)
}

// markAllRead marks all the viewer's unread notifications read.
func markAllRead(ctx context.Context, c *ent.Client) (int, error) {
	if _, err := requireViewer(ctx); err != nil {
		return 0, err
	}
	ids, err := c.Notification.Query().Where(notification.ReadAtIsNil()).IDs(ctx)
	if err != nil || len(ids) == 0 {
		return 0, err
	}
	return c.Notification.Update().Where(notification.IDIn(ids...), notification.ReadAtIsNil()).SetReadAt(time.Now()).Save(ctx)
}

// notificationEvents adapts the live stream to the GraphQL type.
func notificationEvents(ctx context.Context, in <-chan *notify.Event) <-chan *model.NotificationEvent {
	out := make(chan *model.NotificationEvent)
	go func() {
		defer close(out)
		for ev := range in {
			select {
			case out <- &model.NotificationEvent{Cursor: ev.Cursor, Notification: ev.Notification}:
			case <-ctx.Done():
				for range in { // let the producer end
				}
				return
			}
		}
	}()
	return out
}

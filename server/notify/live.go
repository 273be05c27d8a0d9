package notify

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"time"

	"zirkel/ent"
	"zirkel/ent/notification"
	"zirkel/ent/schema/gid"
	"zirkel/server/apperr"
	"zirkel/server/events"
	"zirkel/server/policy"
	"zirkel/server/pubsub"
	"zirkel/server/viewer"
)

// Live delivery. After a transaction that wrote notifications commits, Published sends one
// small notice (the recipients' ids) through the broker; each replica wakes the local
// notificationAdded subscriptions of those members, and each of them reads, with its member's
// rights (so the read rule on Notification applies), what changed after its cursor. The cursor
// (last_at and id) is what the client gives back as `after` to replay what it missed.

// subjectNotify is the broker subject of notification notices.
const subjectNotify = "zirkel.notify"

// noticeBatch is the most recipients one notice carries.
const noticeBatch = 2000

// liveNotice is what travels through the broker.
type liveNotice struct {
	Members []gid.ID `json:"m"`
}

// Event is one notification delivered live.
type Event struct {
	Cursor       string
	Notification *ent.Notification
}

type liveHub struct {
	logger *slog.Logger
	unsub  func()

	mu   sync.Mutex
	subs map[gid.ID]map[*liveSub]struct{}
}

type liveSub struct {
	wake chan struct{}
}

func newLiveHub(broker pubsub.Broker, logger *slog.Logger) (*liveHub, error) {
	h := &liveHub{logger: logger, subs: map[gid.ID]map[*liveSub]struct{}{}}
	unsub, err := broker.Subscribe(subjectNotify, func(data []byte) {
		var n liveNotice
		if err := json.Unmarshal(data, &n); err != nil {
			logger.Warn("dropping a malformed notification notice", "err", err)
			return
		}
		h.wake(n.Members)
	})
	if err != nil {
		return nil, fmt.Errorf("subscribing to notification notices: %w", err)
	}
	h.unsub = unsub
	return h, nil
}

func (h *liveHub) close() { h.unsub() }

// wake tells the members' local subscriptions to look for news.
func (h *liveHub) wake(members []gid.ID) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, m := range members {
		for s := range h.subs[m] {
			select {
			case s.wake <- struct{}{}:
			default: // already due to look
			}
		}
	}
}

func (h *liveHub) add(member gid.ID, s *liveSub) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.subs[member] == nil {
		h.subs[member] = map[*liveSub]struct{}{}
	}
	h.subs[member][s] = struct{}{}
}

func (h *liveHub) remove(member gid.ID, s *liveSub) {
	h.mu.Lock()
	defer h.mu.Unlock()
	delete(h.subs[member], s)
	if len(h.subs[member]) == 0 {
		delete(h.subs, member)
	}
}

// Published is the AfterCommit consumer: it announces the transaction's new notifications to
// every replica.
func (s *Service) Published(ctx context.Context, changes []events.Change) {
	if recipients, ok := events.Carried(ctx, recipientsKey{}).([]gid.ID); ok {
		s.announce(ctx, recipients)
	}
}

// recipientsKey carries the members Deliver notified in a transaction to Published.
type recipientsKey struct{}

// announce sends notices for the recipients.
func (s *Service) announce(ctx context.Context, recipients []gid.ID) {
	for start := 0; start < len(recipients); start += noticeBatch {
		data, err := json.Marshal(liveNotice{Members: recipients[start:min(start+noticeBatch, len(recipients))]})
		if err == nil {
			err = s.broker.Publish(ctx, subjectNotify, data)
		}
		if err != nil {
			s.logger.Error("publishing a notification notice", "err", err)
		}
	}
}

// livePage is how many notifications one look reads.
const livePage = 100

// Subscribe streams the viewer's new and counted-up notifications. With after (a cursor, or
// "" for every unread one), it first replays what changed after it.
func (s *Service) Subscribe(ctx context.Context, client *ent.Client, after *string) (<-chan *Event, error) {
	v := viewer.FromContext(ctx)
	if v == nil {
		return nil, &apperr.Error{Code: apperr.CodeUnauthenticated, Message: "subscriptions need a logged-in websocket connection"}
	}
	cur := cursor{at: stamp(s.now())}
	unreadOnly := false
	if after != nil {
		if *after == "" {
			cur, unreadOnly = cursor{}, true
		} else {
			var err error
			if cur, err = parseCursor(*after); err != nil {
				return nil, apperr.Invalid("after", "not a cursor of notificationAdded")
			}
		}
	}
	sub := &liveSub{wake: make(chan struct{}, 1)}
	s.live.add(v.MemberID, sub)
	if after != nil {
		sub.wake <- struct{}{}
	}
	out := make(chan *Event, 16)
	go func() {
		defer close(out)
		defer s.live.remove(v.MemberID, sub)
		for {
			select {
			case <-ctx.Done():
				return
			case <-sub.wake:
			}
			// The member's rights now (circles joined or left since subscribing), so that the
			// read rule on Notification decides with them.
			as, err := current(ctx, client, v)
			if err != nil {
				if ctx.Err() == nil {
					s.logger.Error("loading a subscriber's rights", "member", v.MemberID, "err", err)
				}
				continue
			}
			for {
				page, err := since(as, client, cur, unreadOnly)
				if err != nil {
					if ctx.Err() == nil {
						s.logger.Error("reading notifications for live delivery", "member", v.MemberID, "err", err)
					}
					break
				}
				for _, n := range page {
					cur = cursor{at: n.LastAt, id: n.ID}
					select {
					case out <- &Event{Cursor: cur.String(), Notification: n}:
					case <-ctx.Done():
						return
					}
				}
				if len(page) < livePage {
					break
				}
			}
			unreadOnly = false
		}
	}()
	return out, nil
}

// since reads the viewer's notifications that changed after the cursor, oldest first.
func since(ctx context.Context, client *ent.Client, cur cursor, unreadOnly bool) ([]*ent.Notification, error) {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	q := client.Notification.Query().
		Where(notification.Or(notification.LastAtGT(cur.at), notification.And(notification.LastAtEQ(cur.at), notification.IDGT(cur.id))))
	if unreadOnly {
		q.Where(notification.ReadAtIsNil())
	}
	return q.Order(ent.Asc(notification.FieldLastAt), ent.Asc(notification.FieldID)).Limit(livePage).All(ctx)
}

// cursor is a position in a member's notifications: when one last changed, and its id.
type cursor struct {
	at time.Time
	id gid.ID
}

// String is the cursor as clients see it (opaque).
func (c cursor) String() string {
	return base64.RawURLEncoding.EncodeToString([]byte(strconv.FormatInt(c.at.UnixMicro(), 10) + ":" + string(c.id)))
}

func parseCursor(s string) (cursor, error) {
	raw, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return cursor{}, err
	}
	micros, id, ok := strings.Cut(string(raw), ":")
	n, err := strconv.ParseInt(micros, 10, 64)
	if !ok || err != nil {
		return cursor{}, fmt.Errorf("malformed cursor")
	}
	if id != "" {
		if _, err := gid.Parse(id); err != nil {
			return cursor{}, err
		}
	}
	return cursor{at: time.UnixMicro(n).UTC(), id: gid.ID(id)}, nil
}

// current is a context of the viewer with their roles and circles as they are now, or ends
// the subscription's reading (an error) when the member is no longer active.
func current(ctx context.Context, client *ent.Client, v *viewer.Viewer) (context.Context, error) {
	viewers, err := loadViewers(policy.System(ctx), client, []gid.ID{v.MemberID})
	if err != nil {
		return nil, err
	}
	now := viewers[v.MemberID]
	if now == nil {
		return nil, fmt.Errorf("member %s is not active", v.MemberID)
	}
	now.SessionID = v.SessionID
	return viewer.NewContext(ctx, now), nil
}

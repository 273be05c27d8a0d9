package live

import (
	"context"
	"encoding/json"
	"slices"
	"sync"
	"time"

	"zirkel/ent"
	"zirkel/ent/circle"
	"zirkel/ent/discussion"
	"zirkel/ent/member"
	"zirkel/ent/message"
	"zirkel/ent/schema/gid"
	"zirkel/server/policy"
	"zirkel/server/viewer"
)

// stream is one discussion on this replica: its subscribers, the last position handed to
// them, and who is present. One goroutine works through its notices in order, so each payload
// is loaded once however many subscribers wait for it.
type stream struct {
	hub *Hub
	id  gid.ID

	mu           sync.Mutex
	circleID     gid.ID
	circleOpen   bool
	last         int // highest position delivered live
	subs         map[*sub]struct{}
	present      map[gid.ID]time.Time // member -> until, from every replica
	localPresent map[gid.ID]int       // presence subscriptions on this replica

	queue       chan notice
	stop        chan struct{}
	stopOnce    sync.Once
	unsubscribe func()
}

// halt stops the stream's goroutine and its broker subscription, once.
func (st *stream) halt() {
	st.stopOnce.Do(func() {
		st.unsubscribe()
		close(st.stop)
	})
}

// joinStream returns the stream of a discussion, starting it if needed, with the subscription
// that build makes for it added (build knows the stream before any event can reach the sub).
func (h *Hub) joinStream(ctx context.Context, d *ent.Discussion, build func(*stream) *sub) (*stream, *sub, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	st := h.streams[d.ID]
	if st == nil {
		var err error
		if st, err = h.startStream(ctx, d.ID); err != nil {
			return nil, nil, err
		}
		h.streams[d.ID] = st
	}
	s := build(st)
	st.mu.Lock()
	st.subs[s] = struct{}{}
	st.mu.Unlock()
	return st, s, nil
}

// startStream subscribes to the discussion's notices, then reads where it stands: whatever
// is committed later arrives as a notice, whatever before is in the database.
func (h *Hub) startStream(ctx context.Context, id gid.ID) (*stream, error) {
	st := &stream{
		hub: h, id: id, subs: map[*sub]struct{}{}, present: map[gid.ID]time.Time{},
		localPresent: map[gid.ID]int{}, queue: make(chan notice, 4096), stop: make(chan struct{}),
	}
	unsub, err := h.broker.Subscribe(discussionSubject(id), decoded(h.logger, func(n notice) {
		select {
		case st.queue <- n:
		default:
			h.logger.Warn("live queue full; subscribers will catch up from the next message", "discussion", id)
		}
	}))
	if err != nil {
		return nil, err
	}
	d, err := h.client.Discussion.Query().Where(discussion.ID(id)).WithCircle().Only(policy.System(ctx))
	if err != nil {
		unsub()
		return nil, err
	}
	st.unsubscribe, st.last = unsub, d.MessageCount
	st.setMeta(d)
	go st.run()
	return st, nil
}

// leave removes s; the last one out stops the stream.
func (h *Hub) leave(st *stream, s *sub) {
	h.mu.Lock()
	st.mu.Lock()
	delete(st.subs, s)
	empty := len(st.subs) == 0
	if empty {
		delete(h.streams, st.id)
	}
	st.mu.Unlock()
	h.mu.Unlock()
	if empty {
		st.halt()
	}
}

func (st *stream) setMeta(d *ent.Discussion) {
	st.mu.Lock()
	defer st.mu.Unlock()
	st.circleID, st.circleOpen = "", false
	if c := d.Edges.Circle; c != nil {
		st.circleID, st.circleOpen = c.ID, c.Visibility == circle.VisibilityOPEN
	}
}

// allowed tells whether a viewer may see this discussion now.
func (st *stream) allowed(v *viewer.Viewer) bool {
	st.mu.Lock()
	defer st.mu.Unlock()
	return policy.DiscussionOpenTo(v, st.circleID, st.circleOpen)
}

func (st *stream) run() {
	tick := time.NewTicker(st.hub.cfg.PresenceTTL / 3)
	defer tick.Stop()
	for {
		select {
		case <-st.stop:
			return
		case n := <-st.queue:
			st.handle(n)
		case <-tick.C:
			st.heartbeat()
		}
	}
}

func (st *stream) handle(n notice) {
	ctx, cancel := context.WithTimeout(policy.System(context.Background()), 10*time.Second)
	defer cancel()
	var err error
	switch n.Kind {
	case kindAdded:
		err = st.onAdded(ctx, n.Position)
	case kindUpdated:
		err = st.onUpdated(ctx, n.MessageID)
	case kindTyping:
		err = st.onTyping(ctx, n)
	case kindPresence:
		err = st.onPresence(ctx, n)
	case kindMeta:
		err = st.onMeta(ctx)
	}
	if err != nil {
		st.hub.logger.Error("delivering a live event", "discussion", st.id, "kind", n.Kind, "err", err)
	}
}

// messages loads messages with what subscribers usually select, in one go for all of them.
func (st *stream) messages(ctx context.Context, where ...func(*ent.MessageQuery)) ([]*ent.Message, error) {
	q := st.hub.client.Message.Query().
		Where(message.HasDiscussionWith(discussion.ID(st.id))).
		WithAuthor(func(q *ent.MemberQuery) { q.WithOrganisation() }).
		WithParent().
		WithDiscussion(func(q *ent.DiscussionQuery) { q.WithCircle() }).
		Order(ent.Asc(message.FieldPosition))
	for _, w := range where {
		w(q)
	}
	return q.All(ctx)
}

// onAdded delivers the messages up to position in order, filling any gap from the database
// (notices from different replicas may overtake each other).
func (st *stream) onAdded(ctx context.Context, position int) error {
	st.mu.Lock()
	last := st.last
	st.mu.Unlock()
	if position <= last {
		return nil
	}
	msgs, err := st.messages(ctx, func(q *ent.MessageQuery) {
		q.Where(message.PositionGT(last), message.PositionLTE(position))
	})
	if err != nil || len(msgs) == 0 {
		return err
	}
	st.setMeta(msgs[0].Edges.Discussion)
	for _, m := range msgs {
		st.fanout(kindAdded, &MessageEvent{Cursor: m.Position, Msg: m})
	}
	st.mu.Lock()
	st.last = max(st.last, msgs[len(msgs)-1].Position)
	st.mu.Unlock()
	return nil
}

func (st *stream) onUpdated(ctx context.Context, id gid.ID) error {
	msgs, err := st.messages(ctx, func(q *ent.MessageQuery) { q.Where(message.ID(id)) })
	if err != nil || len(msgs) == 0 {
		return err
	}
	st.setMeta(msgs[0].Edges.Discussion)
	st.fanout(kindUpdated, &MessageEvent{Cursor: msgs[0].Position, Msg: msgs[0]})
	return nil
}

func (st *stream) onTyping(ctx context.Context, n notice) error {
	m, err := st.hub.client.Member.Get(ctx, n.MemberID)
	if err != nil {
		return err
	}
	st.fanout(kindTyping, &TypingEvent{Member: m, ExpiresAt: time.UnixMilli(n.Until)})
	return nil
}

// onMeta re-reads the discussion's circle and ends the subscriptions of those who may no
// longer see it (its circle became closed, or it moved into a circle they are not in).
func (st *stream) onMeta(ctx context.Context) error {
	d, err := st.hub.client.Discussion.Query().Where(discussion.ID(st.id)).WithCircle().Only(ctx)
	if err != nil {
		return err
	}
	st.setMeta(d)
	st.mu.Lock()
	subs := make([]*sub, 0, len(st.subs))
	for s := range st.subs {
		subs = append(subs, s)
	}
	st.mu.Unlock()
	for _, s := range subs {
		if !s.allowed(s.conn.Viewer()) {
			s.revoke()
		}
	}
	return nil
}

// fanout hands ev to every subscriber of the kind that may see it.
func (st *stream) fanout(kind string, ev any) {
	st.mu.Lock()
	subs := make([]*sub, 0, len(st.subs))
	for s := range st.subs {
		if s.kind == kind {
			subs = append(subs, s)
		}
	}
	st.mu.Unlock()
	for _, s := range subs {
		s.check(ev)
	}
}

// onPresence records who is present until when; a past time means gone.
func (st *stream) onPresence(ctx context.Context, n notice) error {
	until := time.UnixMilli(n.Until)
	st.mu.Lock()
	changed := len(n.MemberIDs) == 0 // a refresh request
	for _, id := range n.MemberIDs {
		_, was := st.present[id]
		if until.After(time.Now()) {
			st.present[id] = until
			changed = changed || !was
		} else if was && st.localPresent[id] == 0 {
			delete(st.present, id)
			changed = true
		}
	}
	st.mu.Unlock()
	if !changed {
		return nil
	}
	return st.broadcastPresence(ctx)
}

// heartbeat renews this replica's present members everywhere and forgets expired ones.
func (st *stream) heartbeat() {
	st.mu.Lock()
	now := time.Now()
	local := make([]gid.ID, 0, len(st.localPresent))
	for id := range st.localPresent {
		local = append(local, id)
	}
	expired := false
	for id, until := range st.present {
		if until.Before(now) && st.localPresent[id] == 0 {
			delete(st.present, id)
			expired = true
		}
	}
	st.mu.Unlock()
	if len(local) > 0 {
		st.hub.publish(context.Background(), discussionSubject(st.id), notice{
			Kind: kindPresence, DiscussionID: st.id, MemberIDs: local, Until: now.Add(st.hub.cfg.PresenceTTL).UnixMilli(),
		})
	}
	if expired {
		if err := st.broadcastPresence(policy.System(context.Background())); err != nil {
			st.hub.logger.Error("delivering presence", "err", err)
		}
	}
}

func (st *stream) broadcastPresence(ctx context.Context) error {
	st.mu.Lock()
	ids := make([]gid.ID, 0, len(st.present))
	for id := range st.present {
		ids = append(ids, id)
	}
	st.mu.Unlock()
	slices.Sort(ids)
	members, err := st.hub.client.Member.Query().Where(member.IDIn(ids...)).Order(ent.Asc(member.FieldDisplayName)).All(ctx)
	if err != nil {
		return err
	}
	st.fanout(kindPresence, members)
	return nil
}

// publish sends a notice; failures are logged (live delivery is best effort, the database is
// the record and clients resume from it).
func (h *Hub) publish(ctx context.Context, subject string, n notice) {
	data, err := json.Marshal(n)
	if err == nil {
		err = h.broker.Publish(ctx, subject, data)
	}
	if err != nil {
		h.logger.Error("publishing a live notice", "subject", subject, "err", err)
	}
}

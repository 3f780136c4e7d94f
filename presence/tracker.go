package presence

import (
	"database/sql"
	"errors"
	"strings"
	"sync"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/types"

	"studyhall/collections"
	"studyhall/plaintext"
	"studyhall/realtime"
)

// presenceTrackerKey is where the app store keeps the tracker.
const presenceTrackerKey = "studyhall.presence"

// presenceTracker holds each user's State in memory and stores a
// user's presence row whenever what others see changes.
type presenceTracker struct {
	app core.App
	cfg Config

	mu    sync.Mutex
	users map[string]*trackedUser

	stopOnce sync.Once
	done     chan struct{}
}

// trackedUser is one user's state; its mutex orders the writes of that
// user's row, so a later state is never overwritten by an earlier one.
type trackedUser struct {
	mu       sync.Mutex
	loaded   bool
	recordId string
	created  types.DateTime
	state    State
	activity string
	stored   storedPresence
}

// storedPresence is what the user's row says now.
type storedPresence struct {
	status, manual, activity string
}

// public is what other users see of p: the status, and the activity
// unless the user shows as offline (see Presence.show).
func (p storedPresence) public() storedPresence {
	public := storedPresence{status: p.status}
	if p.status != Offline {
		public.activity = p.activity
	}
	return public
}

// SetConfig replaces the time limits of app's presence, for tests
// and for operators who want other limits; it is safe at any time.
func SetConfig(app core.App, cfg Config) {
	t := presenceTrackerOf(app)
	t.mu.Lock()
	t.cfg = cfg
	t.mu.Unlock()
}

// Sweep applies what time has changed (away, offline) as of now;
// the server does it every cfg.SweepEvery, tests call it directly.
func Sweep(app core.App, now time.Time) {
	presenceTrackerOf(app).sweep(now)
}

func presenceTrackerOf(app core.App) *presenceTracker {
	return app.Store().GetOrSet(presenceTrackerKey, func() any {
		return &presenceTracker{app: app, cfg: DefaultConfig, users: map[string]*trackedUser{}, done: make(chan struct{})}
	}).(*presenceTracker)
}

func (t *presenceTracker) config() Config {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.cfg
}

func (t *presenceTracker) user(userId string) *trackedUser {
	t.mu.Lock()
	defer t.mu.Unlock()
	u, ok := t.users[userId]
	if !ok {
		u = &trackedUser{}
		t.users[userId] = u
	}
	return u
}

func (t *presenceTracker) attach(userId string, now time.Time) {
	t.update(userId, now, func(u *trackedUser) {
		u.state.Connections++
		u.state.LastSeen = now
		u.state.LastActive = now
	})
}

func (t *presenceTracker) detach(userId string, now time.Time) {
	t.update(userId, now, func(u *trackedUser) {
		if u.state.Connections > 0 {
			u.state.Connections--
		}
		u.state.LastSeen = now
	})
}

func (t *presenceTracker) heartbeat(userId string, activity *string, active bool, now time.Time) (*core.Record, error) {
	return t.update(userId, now, func(u *trackedUser) {
		u.state.LastSeen = now
		if active {
			u.state.LastActive = now
		}
		if activity != nil {
			u.activity = strings.TrimSpace(plaintext.Clean(*activity))
		}
	})
}

func (t *presenceTracker) setManual(userId, manual string, activity *string, now time.Time) (*core.Record, error) {
	return t.update(userId, now, func(u *trackedUser) {
		if manual == ManualInvisible && u.state.Manual != manual && u.state.Connections > 0 {
			// to others, a connected user who hides is one who leaves
			// now, and is last seen now
			u.state.LastSeen = now
		}
		u.state.Manual = manual
		if manual == ManualNone {
			// coming back by hand is activity
			u.state.LastActive = now
		}
		if activity != nil {
			u.activity = strings.TrimSpace(plaintext.Clean(*activity))
		}
	})
}

// update changes one user's state and stores the row if what others see
// (or the manual status, or the activity) changed. It reads the database
// only the first time it meets a user and when it writes, so the sweeper
// costs nothing for users whose status holds.
func (t *presenceTracker) update(userId string, now time.Time, change func(*trackedUser)) (*core.Record, error) {
	u := t.user(userId)
	u.mu.Lock()
	defer u.mu.Unlock()

	if !u.loaded {
		if err := t.load(userId, u); err != nil {
			t.app.Logger().Error("presence: load", "user", userId, "error", err)
			return nil, err
		}
	}
	change(u)
	next := storedPresence{
		status:   Resolve(u.state, now, t.config()),
		manual:   u.state.Manual,
		activity: u.activity,
	}
	switch {
	case next == u.stored && u.recordId != "":
		return nil, nil
	case next.public() == u.stored.public():
		// nothing others see changes (an invisible user's heartbeats and
		// activity, a manual status while offline): no event, and no
		// change to anything others read, filter or sort by, so that an
		// invisible user is one who went offline when they turned so
		return t.storeQuietly(userId, u, next)
	}
	return t.store(userId, u, next)
}

// load reads the user's row into u once: the manual status and activity
// persist across restarts and devices.
func (t *presenceTracker) load(userId string, u *trackedUser) error {
	row, err := FindPresenceByUser(t.app, userId)
	if errors.Is(err, sql.ErrNoRows) {
		u.loaded = true
		u.stored = storedPresence{status: Offline}
		return nil
	}
	if err != nil {
		return err
	}
	u.loaded = true
	u.recordId = row.Id
	u.created = row.Created()
	u.state.Manual = row.ManualStatus()
	u.activity = row.Activity()
	u.stored = storedPresence{
		status:   row.Status(),
		manual:   u.state.Manual,
		activity: u.activity,
	}
	return nil
}

// store writes next into the user's row, creating it on first use, and
// publishes the change. It writes with one plain upsert, not a record
// save: the values are the tracker's own, and a save would also run
// PocketBase's record broadcast, which walks every connection of the
// server for each change (presence subscriptions are the fan-out's).
func (t *presenceTracker) store(userId string, u *trackedUser, next storedPresence) (*core.Record, error) {
	return t.write(userId, u, next, true)
}

// write upserts the whole row and, if publish, sends it to subscribers.
func (t *presenceTracker) write(userId string, u *trackedUser, next storedPresence, publish bool) (*core.Record, error) {
	row, err := newPresence(t.app)
	if err != nil {
		return nil, err
	}
	action := realtime.ActionUpdate
	if u.recordId == "" {
		action = realtime.ActionCreate
		u.recordId = core.GenerateDefaultRandomId()
		u.created = types.NowDateTime()
	}
	var lastSeen types.DateTime
	if !u.state.LastSeen.IsZero() {
		lastSeen, _ = types.ParseDateTime(u.state.LastSeen)
	}
	now := types.NowDateTime()

	row.Id = u.recordId
	row.SetUser(userId)
	row.SetStatus(next.status)
	row.SetManualStatus(next.manual)
	row.SetActivity(next.activity)
	row.SetLastSeen(lastSeen)
	row.SetRaw(collections.FieldCreated, u.created)
	row.SetRaw(collections.FieldUpdated, now)
	row.MarkAsNotNew()

	_, err = t.app.DB().NewQuery(`
		INSERT INTO {{` + collections.Presence + `}} ([[id]], [[user]], [[status]], [[manualStatus]], [[activity]], [[lastSeen]], [[created]], [[updated]])
		VALUES ({:id}, {:user}, {:status}, {:manual}, {:activity}, {:lastSeen}, {:created}, {:updated})
		ON CONFLICT ([[user]]) DO UPDATE SET
			[[status]] = excluded.[[status]], [[manualStatus]] = excluded.[[manualStatus]],
			[[activity]] = excluded.[[activity]], [[lastSeen]] = excluded.[[lastSeen]], [[updated]] = excluded.[[updated]]`,
	).Bind(dbx.Params{
		"id": row.Id, "user": userId, "status": next.status, "manual": next.manual, "activity": next.activity,
		"lastSeen": lastSeen.String(), "created": u.created.String(), "updated": now.String(),
	}).Execute()
	if err != nil {
		t.app.Logger().Error("presence: save", "user", userId, "error", err)
		return nil, err
	}
	u.stored = next
	if publish {
		realtime.Get(t.app).Publish(realtime.Event{UserId: realtime.Everyone, Action: action, Record: row.public()})
	}
	return row.Record, nil
}

// storeQuietly writes next's manual status and activity, columns Hidden
// from others, and publishes nothing; lastSeen and updated stay as they
// were. A user without a row gets one as it would read after going
// offline, with no event: their row is created at their first change.
func (t *presenceTracker) storeQuietly(userId string, u *trackedUser, next storedPresence) (*core.Record, error) {
	if u.recordId == "" {
		return t.write(userId, u, next, false)
	}
	_, err := t.app.DB().NewQuery(`UPDATE {{` + collections.Presence + `}} SET [[manualStatus]] = {:manual}, [[activity]] = {:activity} WHERE [[user]] = {:user}`).
		Bind(dbx.Params{"user": userId, "manual": next.manual, "activity": next.activity}).Execute()
	if err != nil {
		t.app.Logger().Error("presence: save", "user", userId, "error", err)
		return nil, err
	}
	u.stored = next
	return nil, nil
}

// current is the user's row as stored, for routes that answer with it.
func (t *presenceTracker) current(userId string) (*Presence, error) {
	return FindPresenceByUser(t.app, userId)
}

// sweep applies time to every tracked user, and forgets users who are
// offline with nothing open, so memory follows the connected users.
func (t *presenceTracker) sweep(now time.Time) {
	t.mu.Lock()
	ids := make([]string, 0, len(t.users))
	for id := range t.users {
		ids = append(ids, id)
	}
	t.mu.Unlock()

	for _, id := range ids {
		t.update(id, now, func(*trackedUser) {})

		t.mu.Lock()
		if u := t.users[id]; u != nil && u.mu.TryLock() {
			if u.state.Connections == 0 && u.stored.status == Offline {
				delete(t.users, id)
			}
			u.mu.Unlock()
		}
		t.mu.Unlock()
	}
}

func (t *presenceTracker) start() {
	go func() {
		for {
			timer := time.NewTimer(t.config().SweepEvery)
			select {
			case <-t.done:
				timer.Stop()
				return
			case now := <-timer.C:
				t.sweep(now)
			}
		}
	}()
}

func (t *presenceTracker) stop() {
	t.stopOnce.Do(func() { close(t.done) })
}

package presence

import (
	"database/sql"
	"errors"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/pocketbase/dbx"
	validation "github.com/pocketbase/ozzo-validation/v4"
	"github.com/pocketbase/pocketbase/apis"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/hook"
	"github.com/pocketbase/pocketbase/tools/types"

	"studyhall/collections"
	"studyhall/plaintext"
	"studyhall/realtime"
	"studyhall/records"
	"studyhall/request"
)

// presenceTrackerKey is where the app store keeps the tracker.
const presenceTrackerKey = "studyhall.presence"

// Per-user limit of PUT /api/presence/status: a burst of
// presenceStatusBurst changes, then one every presenceStatusEvery.
const (
	presenceStatusBurst = 10
	presenceStatusEvery = 2 * time.Second
)

// presenceClientKey marks a realtime client as counted for its user.
const presenceClientKey = "studyhall.presence.user"

// Register counts each user's authenticated realtime connections,
// takes heartbeats and manual statuses, and keeps every user's presence row
// saying what Resolve decides; the stored row is what subscribers
// see, through PocketBase's own record events.
func Register(app core.App) {
	tracker := presenceTrackerOf(app)

	// every signed-in user may watch everyone's presence: the fan-out
	// sends each change to all of them without a rule query per
	// subscriber, which PocketBase's own broadcast would make
	realtime.Own(app, collections.Presence)

	// a connection counts from its first authenticated subscribe request
	// (the JS SDK sends its token there) until it closes
	app.OnRealtimeSubscribeRequest().BindFunc(func(e *core.RealtimeSubscribeRequestEvent) error {
		if err := e.Next(); err != nil {
			return err
		}
		if e.Auth == nil || e.Auth.Collection().Name != collections.Users {
			return nil
		}
		if _, counted := e.Client.Get(presenceClientKey).(string); counted {
			return nil
		}
		e.Client.Set(presenceClientKey, e.Auth.Id)
		tracker.attach(e.Auth.Id, time.Now())
		return nil
	})
	app.OnRealtimeConnectRequest().BindFunc(func(e *core.RealtimeConnectRequestEvent) error {
		err := e.Next() // returns when the connection closes
		if userId, counted := e.Client.Get(presenceClientKey).(string); counted {
			tracker.detach(userId, time.Now())
		}
		return err
	})

	// manualStatus and activity are Hidden in the schema, so nobody can
	// filter or sort by them: the user reads both, others the activity
	// of a user who does not show as offline
	app.OnRecordEnrich(collections.Presence).BindFunc(func(e *core.RecordEnrichEvent) error {
		showPresence(e.Record, request.IsSelfOrSuperuser(e.RequestInfo, e.Record.GetString(collections.PresenceUser)))
		return e.Next()
	})

	// rows left online by a previous process are stale: clients reconnect
	// and count again; the sweeper turns time into away and offline
	app.OnServe().Bind(&hook.Handler[*core.ServeEvent]{
		Func: func(e *core.ServeEvent) error {
			if _, err := e.App.DB().NewQuery("UPDATE {{presence}} SET [[status]] = {:offline} WHERE [[status]] != {:offline}").
				Bind(map[string]any{"offline": Offline}).Execute(); err != nil {
				e.App.Logger().Warn("presence: could not reset stale statuses", "error", err)
			}
			tracker.start()

			heartbeats := request.NewUserLimiter(2*time.Second, 10)
			// each change goes to every signed-in user: a burst of
			// clicks passes, a script flipping statuses does not
			statuses := request.NewUserLimiter(presenceStatusEvery, presenceStatusBurst)
			g := e.Router.Group("/api/presence")
			g.Bind(apis.RequireAuth(collections.Users), request.RequireJSONBody())
			g.POST("/heartbeat", func(re *core.RequestEvent) error {
				return presenceHeartbeat(re, tracker, heartbeats)
			})
			g.PUT("/status", func(re *core.RequestEvent) error {
				return presenceSetStatus(re, tracker, statuses)
			})
			g.GET("/online", presenceOnline)
			return e.Next()
		},
	})
	app.OnTerminate().BindFunc(func(e *core.TerminateEvent) error {
		tracker.stop()
		return e.Next()
	})
}

// --- routes

type heartbeatForm struct {
	Activity *string `json:"activity"`
	Active   *bool   `json:"active"`
}

func (f *heartbeatForm) Validate() error {
	return validation.ValidateStruct(f,
		validation.Field(&f.Activity, validation.By(validActivity)),
	)
}

// presenceHeartbeat is POST /api/presence/heartbeat: clients send it every
// 60 s with what the user is doing and whether they are active.
func presenceHeartbeat(e *core.RequestEvent, tracker *presenceTracker, limiter *request.UserLimiter) error {
	if err := request.LimitUser(e, limiter, "Too many heartbeats; send one every 60 seconds."); err != nil {
		return err
	}
	form := new(heartbeatForm)
	if err := request.BindForm(e, form); err != nil {
		return err
	}
	active := form.Active == nil || *form.Active
	if _, err := tracker.heartbeat(e.Auth.Id, form.Activity, active, time.Now()); err != nil {
		return e.InternalServerError("", err)
	}
	return presenceAnswer(e, tracker)
}

type statusForm struct {
	Status   string  `json:"status"`
	Activity *string `json:"activity"`
}

func (f *statusForm) Validate() error {
	return validation.ValidateStruct(f,
		validation.Field(&f.Status, validation.Required, validation.By(func(any) error {
			if !IsManual(f.Status) {
				return validation.NewError("validation_invalid_status", "Must be one of online, away, busy or invisible.")
			}
			return nil
		})),
		validation.Field(&f.Activity, validation.By(validActivity)),
	)
}

// presenceSetStatus is PUT /api/presence/status: a manual status that
// persists across reloads and devices; "online" returns to automatic.
func presenceSetStatus(e *core.RequestEvent, tracker *presenceTracker, limiter *request.UserLimiter) error {
	if err := request.LimitUser(e, limiter, "Too many status changes: wait a moment and try again."); err != nil {
		return err
	}
	form := new(statusForm)
	if err := request.BindForm(e, form); err != nil {
		return err
	}
	manual := form.Status
	if manual == Online {
		manual = ManualNone
	}
	if _, err := tracker.setManual(e.Auth.Id, manual, form.Activity, time.Now()); err != nil {
		return e.InternalServerError("", err)
	}
	return presenceAnswer(e, tracker)
}

// presenceAnswer answers with the caller's presence row, as they see it.
func presenceAnswer(e *core.RequestEvent, tracker *presenceTracker) error {
	record, err := tracker.current(e.Auth.Id)
	if err != nil {
		return e.InternalServerError("", err)
	}
	return request.RespondRecord(e, record)
}

// onlineUser is what GET /api/presence/online tells of a user.
type onlineUser struct {
	Id       string `json:"id"`
	Name     string `json:"name"`
	Avatar   string `json:"avatar"`
	Status   string `json:"status"`
	Activity string `json:"activity"`
}

// presenceOnline is GET /api/presence/online?course=ID: users who are not
// offline, optionally only the course's instructor and current students,
// for a caller who can see that course.
func presenceOnline(e *core.RequestEvent) error {
	query := e.App.DB().Select("u.id", "u.name", "u.avatar", "p.status", "p.activity").
		From(collections.Presence+" p").
		InnerJoin(collections.Users+" u", records.Exp("u.id = p.user")).
		Where(records.Exp("p.status != {:offline}", map[string]any{"offline": Offline})).
		OrderBy("u.name ASC").
		Limit(500)

	if courseId := e.Request.URL.Query().Get("course"); courseId != "" {
		course, err := request.FindVisible(e, e.App, collections.Courses, courseId)
		if err != nil {
			return err
		}
		query.AndWhere(records.Exp(
			"u.id = {:instructor} OR u.id IN (SELECT student FROM "+collections.Enrollments+
				" WHERE course = {:course} AND status != {:dropped})",
			map[string]any{"instructor": course.GetString(collections.CourseInstructor), "course": course.Id, "dropped": collections.EnrollmentDropped},
		))
	}

	items := []onlineUser{}
	if err := query.All(&items); err != nil && !errors.Is(err, sql.ErrNoRows) {
		return e.InternalServerError("", err)
	}
	return e.JSON(http.StatusOK, map[string]any{"items": items})
}

func validActivity(value any) error {
	activity, _ := value.(*string)
	if activity != nil && len([]rune(*activity)) > collections.MaxActivityLength {
		return validation.NewError("validation_max_text_constraint", "Must be no more than 100 characters.")
	}
	return nil
}

// StatusesOf is the status others see of each of userIds: offline
// for anyone without a presence row.
func StatusesOf(app core.App, userIds []string) map[string]string {
	statuses := make(map[string]string, len(userIds))
	if len(userIds) == 0 {
		return statuses
	}
	for _, id := range userIds {
		statuses[id] = Offline
	}
	var rows []struct {
		User   string `db:"user"`
		Status string `db:"status"`
	}
	err := app.DB().Select("user", "status").From(collections.Presence).
		Where(dbx.In("user", records.Any(userIds)...)).All(&rows)
	if err != nil {
		app.Logger().Warn("presence: read statuses", "error", err)
	}
	for _, row := range rows {
		statuses[row.User] = row.Status
	}
	return statuses
}

// --- tracker

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
// unless the user shows as offline (see showPresence).
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
	record, err := t.app.FindFirstRecordByData(collections.Presence, collections.PresenceUser, userId)
	if errors.Is(err, sql.ErrNoRows) {
		u.loaded = true
		u.stored = storedPresence{status: Offline}
		return nil
	}
	if err != nil {
		return err
	}
	u.loaded = true
	u.recordId = record.Id
	u.created = record.GetDateTime(collections.FieldCreated)
	u.state.Manual = record.GetString(collections.PresenceManualStatus)
	u.activity = record.GetString(collections.PresenceActivity)
	u.stored = storedPresence{
		status:   record.GetString(collections.PresenceStatus),
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
	c, err := t.app.FindCachedCollectionByNameOrId(collections.Presence)
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

	record := core.NewRecord(c)
	record.Id = u.recordId
	record.Set(collections.PresenceUser, userId)
	record.Set(collections.PresenceStatus, next.status)
	record.Set(collections.PresenceManualStatus, next.manual)
	record.Set(collections.PresenceActivity, next.activity)
	record.Set(collections.PresenceLastSeen, lastSeen)
	record.SetRaw(collections.FieldCreated, u.created)
	record.SetRaw(collections.FieldUpdated, now)
	record.MarkAsNotNew()

	_, err = t.app.DB().NewQuery(`
		INSERT INTO {{presence}} ([[id]], [[user]], [[status]], [[manualStatus]], [[activity]], [[lastSeen]], [[created]], [[updated]])
		VALUES ({:id}, {:user}, {:status}, {:manual}, {:activity}, {:lastSeen}, {:created}, {:updated})
		ON CONFLICT ([[user]]) DO UPDATE SET
			[[status]] = excluded.[[status]], [[manualStatus]] = excluded.[[manualStatus]],
			[[activity]] = excluded.[[activity]], [[lastSeen]] = excluded.[[lastSeen]], [[updated]] = excluded.[[updated]]`,
	).Bind(dbx.Params{
		"id": record.Id, "user": userId, "status": next.status, "manual": next.manual, "activity": next.activity,
		"lastSeen": lastSeen.String(), "created": u.created.String(), "updated": now.String(),
	}).Execute()
	if err != nil {
		t.app.Logger().Error("presence: save", "user", userId, "error", err)
		return nil, err
	}
	u.stored = next
	if publish {
		realtime.Get(t.app).Publish(realtime.Event{UserId: realtime.Everyone, Action: action, Record: publicPresence(record)})
	}
	return record, nil
}

// publicPresence is a copy of the row as any user may see it.
func publicPresence(record *core.Record) *core.Record {
	public := record.Clone()
	showPresence(public, false)
	return public
}

// showPresence sets what record shows: to its own user (and superusers)
// everything, to others no manual status, and the activity only while
// the user does not show as offline.
func showPresence(record *core.Record, own bool) {
	if own {
		record.Unhide(collections.PresenceManualStatus, collections.PresenceActivity)
		return
	}
	record.Hide(collections.PresenceManualStatus)
	if record.GetString(collections.PresenceStatus) == Offline {
		record.Hide(collections.PresenceActivity)
	} else {
		record.Unhide(collections.PresenceActivity)
	}
}

// storeQuietly writes next's manual status and activity, columns Hidden
// from others, and publishes nothing; lastSeen and updated stay as they
// were. A user without a row gets one as it would read after going
// offline, with no event: their row is created at their first change.
func (t *presenceTracker) storeQuietly(userId string, u *trackedUser, next storedPresence) (*core.Record, error) {
	if u.recordId == "" {
		return t.write(userId, u, next, false)
	}
	_, err := t.app.DB().NewQuery(`UPDATE {{presence}} SET [[manualStatus]] = {:manual}, [[activity]] = {:activity} WHERE [[user]] = {:user}`).
		Bind(dbx.Params{"user": userId, "manual": next.manual, "activity": next.activity}).Execute()
	if err != nil {
		t.app.Logger().Error("presence: save", "user", userId, "error", err)
		return nil, err
	}
	u.stored = next
	return nil, nil
}

// current is the user's row as stored, for routes that answer with it.
func (t *presenceTracker) current(userId string) (*core.Record, error) {
	return t.app.FindFirstRecordByData(collections.Presence, collections.PresenceUser, userId)
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

package presence

import (
	"time"

	"github.com/pocketbase/pocketbase/apis"
	"github.com/pocketbase/pocketbase/core"

	"studyhall/collections"
	"studyhall/realtime"
	"studyhall/request"
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
		row := presenceOf(e.Record)
		row.show(request.IsSelfOrSuperuser(e.RequestInfo, row.User()))
		return e.Next()
	})

	// rows left online by a previous process are stale: clients reconnect
	// and count again; the sweeper turns time into away and offline
	app.OnServe().BindFunc(func(e *core.ServeEvent) error {
		if _, err := e.App.DB().NewQuery("UPDATE {{" + collections.Presence + "}} SET [[status]] = {:offline} WHERE [[status]] != {:offline}").
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
	})
	app.OnTerminate().BindFunc(func(e *core.TerminateEvent) error {
		tracker.stop()
		return e.Next()
	})
}

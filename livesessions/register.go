package livesessions

import (
	"github.com/pocketbase/pocketbase/apis"
	"github.com/pocketbase/pocketbase/core"

	"studyhall/collections"
	"studyhall/request"
)

// Register binds live sessions: the record rules a filter cannot
// express, the join/leave/start/end/cancel/attendees routes, the waitlist,
// weekly series, the attendance export and the jobs.
//
// The capacity invariant (active attendees ≤ capacity, attendeeCount = the
// number of active attendees) rests on two things: every join and leave
// reads and writes inside one write transaction (SQLite has one writer, and
// PocketBase's write pool one connection, so no two of them interleave),
// and every save of a session recounts its active attendees rather than
// trusting a counter a client or a stale copy could carry.
func Register(app core.App) {
	// the sessions known to be full: the app's own, as its database is
	seats := newFullSessions()
	seats.bind(app)
	bindLiveSessionRecords(app)
	bindLiveSessionRequests(app)
	bindAttendeeRecords(app)
	bindAttendeeRealtime(app)
	bindSeriesRecords(app)
	bindJobs(app, seats)

	app.OnServe().BindFunc(func(se *core.ServeEvent) error {
		g := se.Router.Group("/api/live-sessions/{id}")
		g.Bind(apis.RequireAuth(collections.Users), request.RequireJSONBody())
		// joins stay out of the request log: the attendance rows are
		// their record, and the refusals at a full session are summed in
		// one line a minute (fullSessions.logRefusals) rather than written
		// as an error each
		g.POST("/join", func(e *core.RequestEvent) error {
			return joinLiveSession(e, seats)
		}).Bind(apis.SkipSuccessActivityLog())
		g.POST("/leave", leaveLiveSession)
		g.POST("/start", startTransition.handle)
		g.POST("/end", endTransition.handle)
		g.POST("/cancel", cancelTransition.handle)
		g.GET("/attendees", listLiveSessionAttendees)
		g.GET("/attendance.csv", exportSessionAttendance)

		courses := se.Router.Group("/api/courses/{id}")
		courses.Bind(apis.RequireAuth(collections.Users), request.RequireJSONBody())
		courses.GET("/attendance.csv", exportCourseAttendance)
		return se.Next()
	})
}

package officehours

import (
	"time"

	"github.com/pocketbase/pocketbase/apis"
	"github.com/pocketbase/pocketbase/core"

	"studyhall/collections"
	"studyhall/request"
)

// Per-user limits of the routes that fan out or that students may call in
// a loop.
const (
	announceEvery = 10 * time.Second
	announceBurst = 3
	questionEvery = 2 * time.Second
	questionBurst = 10
)

// Register keeps office-hours slots valid (times, zone, no
// overlaps per instructor), computes whether each is open, and serves the
// live queue: join, admit (one or a group), complete, cancel, the
// student's question, and the staff's open, close, pause, resume and
// announcements. The staff of a slot are its instructor and the TAs of
// its course. Every queue change is one transaction that also rewrites
// the positions and estimated waits of the waiting entries that moved, so
// that each waiting student gets a realtime update of their own entry.
func Register(app core.App) {
	bindSlots(app)
	bindQueueEntries(app)
	bindJobs(app)
	app.OnServe().BindFunc(func(se *core.ServeEvent) error {
		announcements := request.NewUserLimiter(announceEvery, announceBurst)
		questions := request.NewUserLimiter(questionEvery, questionBurst)

		g := se.Router.Group("/api/office-hours")
		g.Bind(apis.RequireAuth(collections.Users), request.RequireJSONBody())
		g.POST("/{id}/open", openOfficeHours)
		g.POST("/{id}/close", closeOfficeHours)
		g.POST("/{id}/pause", pauseQueue)
		g.POST("/{id}/resume", resumeQueue)
		g.POST("/{id}/announce", func(e *core.RequestEvent) error { return announceToQueue(e, announcements) })
		g.POST("/{id}/admit-group", admitQueueGroup)
		g.POST("/{id}/queue", joinOfficeHoursQueue)
		g.POST("/queue/{entryId}/admit", admitQueueEntry)
		g.POST("/queue/{entryId}/complete", completeQueueEntry)
		g.POST("/queue/{entryId}/cancel", cancelQueueEntry)
		g.POST("/queue/{entryId}/question", func(e *core.RequestEvent) error { return editQuestion(e, questions) })
		return se.Next()
	})
}

package officehours

import (
	"github.com/pocketbase/pocketbase/apis"
	"github.com/pocketbase/pocketbase/core"

	"studyhall/collections"
	"studyhall/request"
)

// Register keeps office-hours slots valid (times, zone, no
// overlaps per instructor), computes whether each is open, and serves the
// live queue: join, admit, complete, cancel, and the manual open and close
// of a slot. Every queue change is one transaction that also rewrites the
// positions and estimated waits of the waiting entries that moved, so that
// each waiting student gets a realtime update of their own entry.
func Register(app core.App) {
	bindSlots(app)
	bindQueueEntries(app)
	bindJobs(app)
	app.OnServe().BindFunc(func(se *core.ServeEvent) error {
		g := se.Router.Group("/api/office-hours")
		g.Bind(apis.RequireAuth(collections.Users), request.RequireJSONBody())
		g.POST("/{id}/open", openOfficeHours)
		g.POST("/{id}/close", closeOfficeHours)
		g.POST("/{id}/queue", joinOfficeHoursQueue)
		g.POST("/queue/{entryId}/admit", admitQueueEntry)
		g.POST("/queue/{entryId}/complete", completeQueueEntry)
		g.POST("/queue/{entryId}/cancel", cancelQueueEntry)
		return se.Next()
	})
}

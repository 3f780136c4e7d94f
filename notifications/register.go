package notifications

import (
	"github.com/pocketbase/pocketbase/apis"
	"github.com/pocketbase/pocketbase/core"

	"studyhall/collections"
	"studyhall/realtime"
	"studyhall/request"
)

// Register binds the notification engine: each user's preferences,
// realtime delivery of the inbox through our fan-out, the
// /api/notifications routes, the release and expiry jobs, and the notices
// of the LMS core.
func Register(app core.App) {
	// notifications events go only to their owner's clients, without
	// PocketBase's per-subscriber rule check
	realtime.Own(app, collections.Notifications)

	bindPreferences(app)
	bindInboxEvents(app)
	bindJobs(app)
	bindNotices(app)

	app.OnServe().BindFunc(func(se *core.ServeEvent) error {
		group := se.Router.Group("/api/notifications")
		group.Bind(apis.RequireAuth(collections.Users), request.RequireJSONBody())
		group.GET("/unread-count", notificationsUnreadCount)
		group.GET("/types", notificationTypes)
		group.POST("/read-all", notificationsReadAll)
		group.POST("/seen", notificationsSeen)
		testLimiter := request.NewUserLimiter(testNotificationEvery, testNotificationBurst)
		group.POST("/test", func(e *core.RequestEvent) error {
			return notificationsTest(e, testLimiter)
		})
		group.POST("/{id}/read", notificationRead)
		group.POST("/{id}/archive", notificationArchive)
		return se.Next()
	})
}

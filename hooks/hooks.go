// Package hooks binds studyhall's rules, routes and jobs to a PocketBase
// app: one file per domain, each with an unexported bindXxx called from
// Register.
package hooks

import (
	"github.com/pocketbase/pocketbase/core"
)

// Register binds every studyhall hook, route and job to app. It takes
// core.App so that tests can pass a tests.TestApp.
func Register(app core.App) {
	bindCleanAPIPaths(app)
	bindAuthCache(app)
	bindText(app)
	bindUsers(app)
	bindLMS(app)
	bindLiveSessions(app)
	bindOfficeHours(app)
	bindStudyGroups(app)
	bindNotifications(app)
	bindPresence(app)
	bindChat(app)
	bindEmail(app)
}

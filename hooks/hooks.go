// Package hooks binds studyhall's rules, routes and jobs to a PocketBase
// app: one file per domain, each with an unexported bindXxx called from
// Register.
package hooks

import (
	"github.com/pocketbase/pocketbase/core"

	"studyhall/authcache"
	"studyhall/chat"
	"studyhall/emails"
	"studyhall/livesessions"
	"studyhall/lms"
	"studyhall/notifications"
	"studyhall/officehours"
	"studyhall/presence"
	"studyhall/records"
)

// Register binds every studyhall hook, route and job to app. It takes
// core.App so that tests can pass a tests.TestApp.
func Register(app core.App) {
	authcache.Register(app)
	records.BindText(app)
	lms.Register(app)
	livesessions.Register(app)
	officehours.Register(app)
	bindStudyGroups(app)
	notifications.Register(app)
	presence.Register(app)
	chat.Register(app)
	emails.Register(app)
}

// Package hooks lists studyhall's domains: Register binds each one's
// rules, routes and jobs to a PocketBase app. Each domain is a package of
// its own (lms, livesessions, officehours, studygroups, chat, presence,
// notifications, emails); the tests here are the ones that span them all,
// such as the access matrix.
package hooks

import (
	"github.com/pocketbase/pocketbase/core"

	"studyhall/authcache"
	"studyhall/calendar"
	"studyhall/chat"
	"studyhall/emails"
	"studyhall/livesessions"
	"studyhall/lms"
	"studyhall/notifications"
	"studyhall/officehours"
	"studyhall/presence"
	"studyhall/records"
	"studyhall/request"
	"studyhall/studygroups"
)

// Register binds every studyhall hook, route and job to app. It takes
// core.App so that tests can pass a tests.TestApp.
func Register(app core.App) {
	request.BindCleanAPIPaths(app)
	authcache.Register(app)
	records.BindText(app)
	records.BindServerOwned(app)
	lms.Register(app)
	livesessions.Register(app)
	officehours.Register(app)
	studygroups.Register(app)
	notifications.Register(app)
	presence.Register(app)
	chat.Register(app)
	emails.Register(app)
	calendar.Register(app)
}

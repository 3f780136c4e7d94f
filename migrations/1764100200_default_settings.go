package migrations

import (
	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"
)

// Default settings: the app's name and PocketBase's per-IP rate limiter,
// on. The limits are per client IP, so they are generous enough for a
// classroom behind one NAT address (set Settings → Application → trusted
// proxy headers when studyhall runs behind a proxy); the per-user limits on
// chat, typing and heartbeats live in the hooks.
func init() {
	m.Register(func(app core.App) error {
		settings := app.Settings()
		if settings.Meta.AppName == "" || settings.Meta.AppName == "Acme" {
			settings.Meta.AppName = "studyhall"
		}
		if settings.Meta.SenderName == "" || settings.Meta.SenderName == "Support" {
			settings.Meta.SenderName = "studyhall"
		}
		settings.RateLimits.Enabled = true
		settings.RateLimits.Rules = []core.RateLimitRule{
			// sign-in, sign-up, password reset and OTP requests
			{Label: "*:auth", MaxRequests: 10, Duration: 10},
			// record creation through the records API
			{Label: "*:create", MaxRequests: 120, Duration: 10},
			{Label: "/api/batch", MaxRequests: 5, Duration: 1},
			// everything else under /api/
			{Label: "/api/", MaxRequests: 1200, Duration: 10},
		}
		return app.Save(settings)
	}, func(app core.App) error {
		settings := app.Settings()
		settings.RateLimits.Enabled = false
		return app.Save(settings)
	})
}

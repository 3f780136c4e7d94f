package notifications

import (
	"time"

	"github.com/pocketbase/pocketbase/core"
)

// The cron job ids of the engine and of the LMS notices.
const (
	// ReleaseJobId releases held notifications whose quiet hours ended:
	// quiet hours end on the minute, so each minute.
	ReleaseJobId = "notificationsRelease"
	// ExpireJobId deletes expired notifications and holds, daily.
	ExpireJobId = "notificationsExpire"
	// AssessmentDueSoonJobId sends assessment_due_soon, each minute.
	AssessmentDueSoonJobId = "notificationsAssessmentDueSoon"
	// WeeklySummaryJobId sends weekly_progress_summary when it is Monday
	// 08:00 somewhere, checked each minute.
	WeeklySummaryJobId = "notificationsWeeklySummary"
)

func bindJobs(app core.App) {
	app.Cron().MustAdd(ReleaseJobId, "* * * * *", func() {
		if _, err := ReleaseDue(app, time.Now()); err != nil {
			app.Logger().Error("notifications: release held notifications", "error", err)
		}
	})
	app.Cron().MustAdd(ExpireJobId, "17 3 * * *", func() {
		deleted, err := DeleteExpired(app, time.Now())
		if err != nil {
			app.Logger().Error("notifications: delete expired", "error", err)
			return
		}
		app.Logger().Info("notifications: deleted expired", "count", deleted)
	})
	app.Cron().MustAdd(AssessmentDueSoonJobId, "* * * * *", func() {
		if err := SendAssessmentsDueSoon(app, time.Now()); err != nil {
			app.Logger().Error("notifications: assessment_due_soon", "error", err)
		}
	})
	app.Cron().MustAdd(WeeklySummaryJobId, "* * * * *", func() {
		if err := SendWeeklySummaries(app, time.Now()); err != nil {
			app.Logger().Error("notifications: weekly_progress_summary", "error", err)
		}
	})
}

package notifications_test

import (
	"testing"

	"github.com/pocketbase/pocketbase/tools/cron"

	"studyhall/collections"
	"studyhall/notifications"
	"studyhall/testkit"
)

// TestJobsAreScheduled: each job of the engine and of the notices is on
// the cron under its id, and the daily expiry job deletes what expired.
func TestJobsAreScheduled(t *testing.T) {
	t.Parallel()
	app := testkit.NewTestApp(t)
	defer app.Cleanup()

	jobs := map[string]*cron.Job{}
	for _, j := range app.Cron().Jobs() {
		jobs[j.Id()] = j
	}
	for id, expression := range map[string]string{
		notifications.ReleaseJobId:           "* * * * *",
		notifications.ExpireJobId:            "17 3 * * *",
		notifications.AssessmentDueSoonJobId: "* * * * *",
		notifications.WeeklySummaryJobId:     "* * * * *",
	} {
		if j := jobs[id]; j == nil || j.Expression() != expression {
			t.Fatalf("job %s: %v, want %q", id, j, expression)
		}
	}

	expireSeeded(t, app, nil)
	jobs[notifications.ExpireJobId].Run()
	if n := testkit.CountRecords(t, app, collections.Notifications, "id = '"+idNotification+"'"); n != 0 {
		t.Fatalf("the expiry job left the expired notification (%d)", n)
	}
}

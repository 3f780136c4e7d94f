package livesessions

import (
	"errors"
	"fmt"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/types"

	"studyhall/collections"
)

// StartingSoonJobId is the cron job that sends live_session_starting_soon.
const StartingSoonJobId = "liveSessionsStartingSoon"

// fullSessionsJobId is the job that logs the refusals of the last minute.
const fullSessionsJobId = "liveSessionsFullRefusals"

// StartingSoonLead is how long before its start a session's enrolled
// students get the starting-soon notice.
const StartingSoonLead = 15 * time.Minute

// bindJobs schedules the domain's jobs, each minute.
func bindJobs(app core.App, seats *fullSessions) {
	app.Cron().MustAdd(fullSessionsJobId, "* * * * *", func() {
		seats.logRefusals(app.Logger())
	})

	app.Cron().MustAdd(StartingSoonJobId, "* * * * *", func() {
		if _, err := NotifyStartingSoon(app, time.Now()); err != nil {
			app.Logger().Error("livesessions: starting-soon notices failed", "error", err)
		}
	})
}

// NotifyStartingSoon sends live_session_starting_soon for every scheduled
// session starting within StartingSoonLead of now, once per session and
// start time (a rescheduled session is reminded again). It is the job
// StartingSoonJobId runs each minute and returns how many sessions it
// reminded.
func NotifyStartingSoon(app core.App, now time.Time) (int, error) {
	nowDT, err := types.ParseDateTime(now.UTC())
	if err != nil {
		return 0, err
	}
	soonDT, err := types.ParseDateTime(now.UTC().Add(StartingSoonLead))
	if err != nil {
		return 0, err
	}
	due, err := app.FindRecordsByFilter(collections.LiveSessions,
		"status = {:scheduled} && scheduledStart > {:now} && scheduledStart <= {:soon} && reminderSentFor != scheduledStart",
		"scheduledStart", 0, 0,
		dbx.Params{"scheduled": collections.LiveSessionScheduled, "now": nowDT.String(), "soon": soonDT.String()},
	)
	if err != nil {
		return 0, fmt.Errorf("find sessions starting soon: %w", err)
	}

	reminded := 0
	var errs []error
	for _, session := range due {
		err := app.RunInTransaction(func(txApp core.App) error {
			current, err := FindLiveSession(txApp, session.Id)
			if err != nil {
				return nil // deleted meanwhile
			}
			start := current.ScheduledStart()
			if current.Status() != collections.LiveSessionScheduled || current.ReminderSentFor().Equal(start) {
				return nil
			}
			if err := notifyStartingSoon(txApp, current, now); err != nil {
				return err
			}
			current.SetReminderSentFor(start)
			if err := txApp.Save(current); err != nil {
				return err
			}
			reminded++
			return nil
		})
		if err != nil {
			errs = append(errs, fmt.Errorf("session %s: %w", session.Id, err))
		}
	}
	return reminded, errors.Join(errs...)
}

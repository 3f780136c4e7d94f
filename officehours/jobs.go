package officehours

import (
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/pocketbase/pocketbase/core"
)

// SweepJobId is the cron job that lets go of the queues of slots that
// closed by the clock.
const SweepJobId = "officeHoursSweep"

// SweepGrace is how long after a slot closes by the clock its waiting
// entries are cancelled: the instructor may finish a visit or two first.
const SweepGrace = 15 * time.Minute

func bindJobs(app core.App) {
	app.Cron().MustAdd(SweepJobId, "* * * * *", func() {
		if _, err := SweepQueues(app, time.Now()); err != nil {
			app.Logger().Error("officehours: sweep of closed queues failed", "error", err)
		}
	})
}

// SweepQueues lets go of every slot that has been closed by the clock
// (its occurrence or a manual open over) for SweepGrace at now, each slot
// in its own transaction: its waiting entries are cancelled and the
// students told, and its pause and announcement end with the session. It
// returns how many entries it cancelled.
func SweepQueues(app core.App, now time.Time) (int, error) {
	waitingIn, err := slotsWithWaitingEntries(app)
	if err != nil {
		return 0, err
	}
	withSession, err := slotsWithSession(app)
	if err != nil {
		return 0, err
	}
	slotIds := append(waitingIn, withSession...)
	slices.Sort(slotIds)
	slotIds = slices.Compact(slotIds)

	cancelled := 0
	var errs []error
	for _, slotId := range slotIds {
		err := app.RunInTransaction(func(txApp core.App) error {
			slot, err := FindOfficeHours(txApp, slotId)
			if err != nil {
				return err
			}
			closed, err := slot.ClosedFor(now, SweepGrace)
			if err != nil || !closed {
				return err
			}
			// only server-kept fields change: a slot saved long ago need
			// not pass today's checks (an instructor role since removed)
			if slot.endSession() {
				if err := txApp.SaveNoValidate(slot); err != nil {
					return err
				}
			}
			n, err := cancelWaitingEntries(txApp, slot.Id, "")
			if err != nil {
				return err
			}
			cancelled += n
			return nil
		})
		if err != nil {
			errs = append(errs, fmt.Errorf("sweep office hours %s: %w", slotId, err))
		}
	}
	return cancelled, errors.Join(errs...)
}

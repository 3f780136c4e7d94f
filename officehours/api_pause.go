package officehours

import (
	"time"

	"github.com/pocketbase/pocketbase/core"
)

// pauseQueue is POST /api/office-hours/{id}/pause: the staff stop new
// joins for a while (a break, a long visit) and keep everyone waiting in
// their place; unlike closing, nobody leaves the line. The slot's update
// reaches everyone who follows it, the students waiting included, as a
// realtime event with pausedAt set. Pausing a paused queue changes
// nothing.
func pauseQueue(e *core.RequestEvent) error {
	return changeStaffSlot(e, func(txApp core.App, slot *OfficeHours) error {
		if slot.Paused() {
			return nil
		}
		slot.SetPaused(time.Now())
		return txApp.Save(slot)
	})
}

// resumeQueue is POST /api/office-hours/{id}/resume: joins are taken
// again; pausedAt goes back to empty. Resuming a running queue changes
// nothing.
func resumeQueue(e *core.RequestEvent) error {
	return changeStaffSlot(e, func(txApp core.App, slot *OfficeHours) error {
		if !slot.Paused() {
			return nil
		}
		slot.SetPaused(time.Time{})
		return txApp.Save(slot)
	})
}

package officehours

import (
	"time"

	"github.com/pocketbase/pocketbase/core"

	"studyhall/collections"
	"studyhall/request"
)

// openOfficeHours is POST /api/office-hours/{id}/open: the staff open the
// slot by hand until they close it or the slot's end today.
func openOfficeHours(e *core.RequestEvent) error {
	return changeStaffSlot(e, func(txApp core.App, slot *OfficeHours) error {
		if !slot.Active() {
			return request.ConflictError(codeSlotInactive, "Activate these office hours before opening them.")
		}
		weekly, err := slot.Weekly()
		if err != nil {
			return err
		}
		slot.SetManual(collections.OfficeHoursManualOpen, weekly.ManualOpenUntil(time.Now()))
		return txApp.Save(slot)
	})
}

// closeOfficeHours is POST /api/office-hours/{id}/close: the staff close
// the slot by hand until its next occurrence begins, which cancels every
// waiting entry and ends the pause and the announcement with the session.
func closeOfficeHours(e *core.RequestEvent) error {
	return changeStaffSlot(e, func(txApp core.App, slot *OfficeHours) error {
		weekly, err := slot.Weekly()
		if err != nil {
			return err
		}
		slot.SetManual(collections.OfficeHoursManualClosed, weekly.ManualCloseUntil(time.Now()))
		slot.endSession()
		if err := txApp.Save(slot); err != nil {
			return err
		}
		_, err = cancelWaitingEntries(txApp, slot.Id, e.Auth.Id)
		return err
	})
}

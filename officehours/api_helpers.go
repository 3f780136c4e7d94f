package officehours

import (
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/router"

	"studyhall/collections"
	"studyhall/lms"
	"studyhall/request"
)

// What the office-hours routes share: their error codes, who the staff of
// a slot are, and the loaders of the request's slot and queue entry, which
// see a record through the collection's own view rule and change it in
// one transaction.

// Error codes of the office-hours routes.
const (
	codeSlotClosed    = "slot_closed"
	codeSlotInactive  = "slot_inactive"
	codeAlreadyQueued = "already_queued"
	codeQueueStatus   = "invalid_status"
	codeOwnQueue      = "own_queue"
	codeQueuePaused   = "queue_paused"
	codeVisitLimit    = "visit_limit"
	codeWrongSlot     = "wrong_slot"
)

// isSlotStaff reports whether userId runs the slot's queue: its
// instructor, or a TA of its course (course_staff). A slot without a
// course is its instructor's alone. office_hours_queue's read rule says
// the same of the entries (migration 1764101300).
func isSlotStaff(app core.App, slot *OfficeHours, userId string) (bool, error) {
	if slot.Instructor() == userId {
		return true, nil
	}
	return lms.IsCourseTA(app, slot.Course(), userId)
}

// findVisibleSlot loads the slot of the request's {id} as the collection's
// view rule lets the caller see it (active ones, and their own), else 404.
func findVisibleSlot(e *core.RequestEvent, txApp core.App) (*OfficeHours, error) {
	record, err := request.FindVisible(e, txApp, collections.OfficeHours, e.Request.PathValue("id"))
	if err != nil {
		return nil, e.NotFoundError("Office hours not found.", nil)
	}
	return AsOfficeHours(record), nil
}

// findStaffSlot loads the slot of the request's {id} for its staff: 404
// when the caller may not see it, 403 when they see it but do not run it.
func findStaffSlot(e *core.RequestEvent, txApp core.App) (*OfficeHours, error) {
	slot, err := findVisibleSlot(e, txApp)
	if err != nil {
		return nil, err
	}
	staff, err := isSlotStaff(txApp, slot, e.Auth.Id)
	if err != nil {
		return nil, err
	}
	if !staff {
		return nil, e.ForbiddenError("Only the instructor and teaching assistants of these office hours can do that.", nil)
	}
	return slot, nil
}

// changeStaffSlot loads the slot of the request's {id} for its staff
// (findStaffSlot) and hands it to change inside one transaction
// (request.Tx); then it answers the slot.
func changeStaffSlot(e *core.RequestEvent, change func(txApp core.App, slot *OfficeHours) error) error {
	var slot *OfficeHours
	err := request.Tx(e, func(txApp core.App) error {
		var err error
		if slot, err = findStaffSlot(e, txApp); err != nil {
			return err
		}
		return change(txApp, slot)
	})
	if err != nil {
		return err
	}
	return request.RespondRecord(e, slot.Record)
}

// findVisibleEntry loads a queue entry as the collection's view rule lets
// the caller see it (its student's, and its slot's staff's), else 404.
func findVisibleEntry(e *core.RequestEvent, txApp core.App, entryId string) (*QueueEntry, error) {
	record, err := request.FindVisible(e, txApp, collections.OfficeHoursQueue, entryId)
	if err != nil {
		return nil, e.NotFoundError("Queue entry not found.", nil)
	}
	return AsQueueEntry(record), nil
}

// transitionQueueEntry loads the request's {entryId} as the collection's
// view rule lets the caller see it (its student's and its slot's staff's,
// else 404) and hands it to change, with whether the caller is on the
// staff, inside one transaction (request.Tx); then it answers the entry.
// Whoever sees an entry and is not its student is on its staff: the view
// rule decides, and no copy of it is kept here.
func transitionQueueEntry(e *core.RequestEvent, change func(txApp core.App, entry *QueueEntry, byStaff bool) error) error {
	var entry *QueueEntry
	err := request.Tx(e, func(txApp core.App) error {
		var err error
		if entry, err = findVisibleEntry(e, txApp, e.Request.PathValue("entryId")); err != nil {
			return err
		}
		return change(txApp, entry, entry.Student() != e.Auth.Id)
	})
	if err != nil {
		return err
	}
	return request.RespondRecord(e, entry.Record)
}

// queueStatusConflict is the 409 of a change the entry's status does not
// allow; data.status is the status.
func queueStatusConflict(entry *QueueEntry, message string) *router.ApiError {
	err := request.ConflictError(codeQueueStatus, message)
	err.Data["status"] = entry.Status()
	return err
}

package officehours

import (
	"github.com/pocketbase/pocketbase/core"

	"studyhall/collections"
	"studyhall/request"
)

// What the office-hours routes share: their error codes, and the loaders
// of the request's slot and queue entry, which see a record through the
// collection's own view rule and change it in one transaction.

// Error codes of the office-hours routes.
const (
	codeSlotClosed    = "slot_closed"
	codeSlotInactive  = "slot_inactive"
	codeAlreadyQueued = "already_queued"
	codeQueueStatus   = "invalid_status"
	codeOwnQueue      = "own_queue"
)

// findVisibleSlot loads the slot of the request's {id} as the collection's
// view rule lets the caller see it (active ones, and their own), else 404.
func findVisibleSlot(e *core.RequestEvent, txApp core.App) (*OfficeHours, error) {
	record, err := request.FindVisible(e, txApp, collections.OfficeHours, e.Request.PathValue("id"))
	if err != nil {
		return nil, e.NotFoundError("Office hours not found.", nil)
	}
	return AsOfficeHours(record), nil
}

// changeOwnSlot loads the slot of the request's {id} for its instructor
// (404 when the caller may not see it, 403 when they see it but do not own
// it) and hands it to change inside one transaction (request.Tx); then it
// answers the slot.
func changeOwnSlot(e *core.RequestEvent, change func(txApp core.App, slot *OfficeHours) error) error {
	var slot *OfficeHours
	err := request.Tx(e, func(txApp core.App) error {
		var err error
		if slot, err = findVisibleSlot(e, txApp); err != nil {
			return err
		}
		if slot.Instructor() != e.Auth.Id {
			return e.ForbiddenError("Only the instructor of these office hours can do that.", nil)
		}
		return change(txApp, slot)
	})
	if err != nil {
		return err
	}
	return request.RespondRecord(e, slot.Record)
}

// transitionQueueEntry loads the request's {entryId} as the collection's
// view rule lets the caller see it (its student's and its instructor's,
// else 404) and hands it to change, with whether the caller is its
// instructor, inside one transaction (request.Tx); then it answers the
// entry.
func transitionQueueEntry(e *core.RequestEvent, change func(txApp core.App, entry *QueueEntry, byInstructor bool) error) error {
	var entry *QueueEntry
	err := request.Tx(e, func(txApp core.App) error {
		record, err := request.FindVisible(e, txApp, collections.OfficeHoursQueue, e.Request.PathValue("entryId"))
		if err != nil {
			return e.NotFoundError("Queue entry not found.", nil)
		}
		entry = AsQueueEntry(record)
		return change(txApp, entry, entry.Instructor() == e.Auth.Id)
	})
	if err != nil {
		return err
	}
	return request.RespondRecord(e, entry.Record)
}

// queueStatusConflict is the 409 of a change the entry's status does not
// allow; data.status is the status.
func queueStatusConflict(entry *QueueEntry, message string) error {
	err := request.ConflictError(codeQueueStatus, message)
	err.Data["status"] = entry.Status()
	return err
}

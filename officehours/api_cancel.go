package officehours

import (
	"github.com/pocketbase/pocketbase/core"

	"studyhall/collections"
)

// cancelQueueEntry is POST /api/office-hours/queue/{entryId}/cancel: the
// student leaves the queue (or ends an admitted visit), or the slot's
// staff remove them; cancelledBy says who.
func cancelQueueEntry(e *core.RequestEvent) error {
	return transitionQueueEntry(e, func(txApp core.App, entry *QueueEntry, byStaff bool) error {
		status := entry.Status()
		if status != collections.QueueWaiting && status != collections.QueueAdmitted {
			return queueStatusConflict(entry, "Only a waiting or admitted entry can be cancelled.")
		}
		entry.markCancelled(e.Auth.Id)
		if err := txApp.Save(entry); err != nil {
			return err
		}
		if err := renumberQueue(txApp, entry.OfficeHours(), entry.Instructor(), nil); err != nil {
			return err
		}
		if !byStaff {
			return nil
		}
		return noticeRemoved(txApp, entry, e.Auth)
	})
}

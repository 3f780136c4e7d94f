package notifications

import (
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/types"

	"studyhall/collections"
	"studyhall/request"
)

// findVisibleItem is the notification of the route's {id} when the
// collection's view rule lets the caller see it (their own, unexpired),
// and a 404 otherwise.
func findVisibleItem(e *core.RequestEvent) (*InboxItem, error) {
	record, err := request.FindVisible(e, e.App, collections.Notifications, e.Request.PathValue("id"))
	if err != nil {
		return nil, err
	}
	return newInboxItem(record), nil
}

// notificationRead is POST /api/notifications/{id}/read: it marks one
// notification read (once; the first time stays) and answers the record.
func notificationRead(e *core.RequestEvent) error {
	item, err := findVisibleItem(e)
	if err != nil {
		return err
	}
	if item.MarkRead(types.NowDateTime()) {
		if err := e.App.Save(item); err != nil {
			return request.Error(e, err)
		}
	}
	return request.RespondRecord(e, item.Record)
}

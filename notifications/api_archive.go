package notifications

import (
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/types"

	"studyhall/request"
)

// notificationArchive is POST /api/notifications/{id}/archive: it
// archives one notification, which also reads it, and answers the record.
func notificationArchive(e *core.RequestEvent) error {
	item, err := findVisibleItem(e)
	if err != nil {
		return err
	}
	if item.Archive(types.NowDateTime()) {
		if err := e.App.Save(item); err != nil {
			return request.Error(e, err)
		}
	}
	return request.RespondRecord(e, item.Record)
}

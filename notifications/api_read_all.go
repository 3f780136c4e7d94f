package notifications

import (
	"net/http"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/types"

	"studyhall/collections"
	"studyhall/request"
)

// unreadFilter is the caller's delivered, unread, unexpired notifications.
const unreadFilter = "user = {:user} && readAt = '' && (expiresAt = '' || expiresAt > {:now})"

// notificationsReadAll is POST /api/notifications/read-all: it marks every
// unread notification of the caller read in one transaction and answers
// {"count": how many}; each tab gets an update event per notification.
func notificationsReadAll(e *core.RequestEvent) error {
	now := types.NowDateTime()
	var count int
	err := request.Tx(e, func(txApp core.App) error {
		unread, err := txApp.FindRecordsByFilter(collections.Notifications, unreadFilter, "", 0, 0,
			dbx.Params{"user": e.Auth.Id, "now": now.String()})
		if err != nil || len(unread) == 0 {
			return err
		}
		count = len(unread)
		return markInbox(txApp, unread, now, (*InboxItem).MarkRead, dbx.Params{collections.NotificationReadAt: now.String()})
	})
	if err != nil {
		return err
	}
	return e.JSON(http.StatusOK, map[string]int{"count": count})
}

package notifications

import (
	"net/http"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"

	"studyhall/collections"
	"studyhall/request"
)

// notificationsUnreadCount is GET /api/notifications/unread-count: it
// answers {"count": delivered unread unexpired, "unseen": of those, the
// ones the user has not seen listed yet (the badge), "held": waiting for
// the end of quiet hours}.
func notificationsUnreadCount(e *core.RequestEvent) error {
	now := time.Now()
	var count int
	err := e.App.RecordQuery(collections.Notifications).Select("COUNT(*)").
		AndWhere(dbx.HashExp{collections.NotificationUser: e.Auth.Id, collections.NotificationReadAt: ""}).
		AndWhere(UnexpiredAt(now)).
		Row(&count)
	if err != nil {
		return request.Error(e, err)
	}
	var unseen int
	err = e.App.RecordQuery(collections.Notifications).Select("COUNT(*)").
		AndWhere(dbx.HashExp{collections.NotificationUser: e.Auth.Id, collections.NotificationSeenAt: ""}).
		AndWhere(UnexpiredAt(now)).
		Row(&unseen)
	if err != nil {
		return request.Error(e, err)
	}
	held, err := HeldCount(e.App, e.Auth.Id, now)
	if err != nil {
		return request.Error(e, err)
	}
	return e.JSON(http.StatusOK, map[string]int{"count": count, "unseen": unseen, "held": held})
}

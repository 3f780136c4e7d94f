package notifications

import (
	"net/http"

	"github.com/pocketbase/dbx"
	validation "github.com/pocketbase/ozzo-validation/v4"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/types"

	"studyhall/collections"
	"studyhall/realtime"
	"studyhall/records"
	"studyhall/request"
)

// maxSeenIds bounds one seen request: what one opened panel lists.
const maxSeenIds = 200

// seenForm names the notifications the user has had in front of them;
// none means every unseen one.
type seenForm struct {
	Ids []string `json:"ids"`
}

func (f *seenForm) Validate() error {
	return validation.ValidateStruct(f,
		validation.Field(&f.Ids, validation.Length(0, maxSeenIds), validation.Each(validation.Length(1, 15))),
	)
}

// notificationsSeen is POST /api/notifications/seen: opening the bell
// marks what it shows as seen ({"ids": [...]}, or every unseen one without
// ids), so the badge counts only what the user has not seen yet. Read
// stays per notification. It answers {"count": how many became seen};
// each tab gets an update event per notification.
func notificationsSeen(e *core.RequestEvent) error {
	form := new(seenForm)
	if err := request.BindForm(e, form); err != nil {
		return err
	}
	now := types.NowDateTime()
	var count int
	err := request.Tx(e, func(txApp core.App) error {
		where := dbx.And(
			dbx.HashExp{collections.NotificationUser: e.Auth.Id, collections.NotificationSeenAt: ""},
			UnexpiredAt(now.Time()),
		)
		if len(form.Ids) > 0 {
			where = dbx.And(where, dbx.In(collections.FieldId, records.Any(form.Ids)...))
		}
		unseen, err := txApp.FindAllRecords(collections.Notifications, where)
		if err != nil || len(unseen) == 0 {
			return err
		}
		count = len(unseen)
		return markInbox(txApp, unseen, now, (*InboxItem).MarkSeen, nil)
	})
	if err != nil {
		return err
	}
	return e.JSON(http.StatusOK, map[string]int{"count": count})
}

// markSeen stamps seenAt (and updated) on the notifications of ids that
// are not seen yet, in one statement.
func markSeen(txApp core.App, ids []string, now types.DateTime) error {
	_, err := txApp.DB().Update(collections.Notifications,
		dbx.Params{collections.NotificationSeenAt: now.String(), collections.FieldUpdated: now.String()},
		dbx.And(dbx.In(collections.FieldId, records.Any(ids)...), dbx.HashExp{collections.NotificationSeenAt: ""})).Execute()
	return err
}

// markInbox marks every notification of list (mark, on the records the
// realtime events carry), writes it in bulk (write, then seenAt where it is
// still empty: reading and archiving see too), and publishes an update per
// notification. write may be nil when seenAt is all that changes.
func markInbox(txApp core.App, list []*core.Record, now types.DateTime, mark func(*InboxItem, types.DateTime) bool, write dbx.Params) error {
	ids := make([]string, len(list))
	for i, record := range list {
		ids[i] = record.Id
		mark(newInboxItem(record), now)
		record.Set(collections.FieldUpdated, now)
	}
	if write != nil {
		write[collections.FieldUpdated] = now.String()
		if _, err := txApp.DB().Update(collections.Notifications, write,
			dbx.In(collections.FieldId, records.Any(ids)...)).Execute(); err != nil {
			return err
		}
	}
	if err := markSeen(txApp, ids, now); err != nil {
		return err
	}
	Publish(txApp, realtime.ActionUpdate, list)
	return nil
}

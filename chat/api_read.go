package chat

import (
	"net/http"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/types"

	"studyhall/collections"
)

// chatMarkRead is POST /api/chat/rooms/{id}/read: the caller has read the
// room up to now.
func chatMarkRead(e *core.RequestEvent) error {
	room, err := findVisibleRoom(e, e.Request.PathValue("id"))
	if err != nil {
		return err
	}
	read, err := findOrNewChatRead(e.App, room.Id, e.Auth.Id)
	if err != nil {
		return e.InternalServerError("", err)
	}
	now := types.NowDateTime()
	read.SetLastReadAt(now)
	if err := e.App.Save(read); err != nil {
		return e.InternalServerError("", err)
	}
	return e.JSON(http.StatusOK, map[string]any{"room": room.Id, "lastReadAt": now})
}

// unreadQuery counts, per room of {:user}, the messages from others that
// are not deleted and came after the user's read mark.
const unreadQuery = `
		SELECT r.id AS room, COUNT(m.id) AS unread
		FROM {{` + collections.ChatRooms + `}} r
		JOIN json_each(r.participants) p ON p.value = {:user}
		LEFT JOIN {{` + collections.ChatReads + `}} rr ON rr.room = r.id AND rr.user = {:user}
		LEFT JOIN {{` + collections.ChatMessages + `}} m ON m.room = r.id AND m.sender != {:user}
			AND m.deletedAt = '' AND m.created > COALESCE(rr.lastReadAt, '')
		GROUP BY r.id`

// chatUnread is GET /api/chat/unread: per room of the caller, how many
// messages from others arrived since they last read it.
func chatUnread(e *core.RequestEvent) error {
	var rows []struct {
		Room   string `db:"room"`
		Unread int    `db:"unread"`
	}
	err := e.App.DB().NewQuery(unreadQuery).Bind(dbx.Params{"user": e.Auth.Id}).All(&rows)
	if err != nil {
		return e.InternalServerError("", err)
	}
	rooms := make(map[string]int, len(rows))
	for _, row := range rows {
		rooms[row.Room] = row.Unread
	}
	return e.JSON(http.StatusOK, map[string]any{"rooms": rooms})
}

package chat

import (
	"net/http"

	"github.com/pocketbase/pocketbase/core"
)

// chatModeration is GET /api/chat/rooms/{id}/moderation: {"moderator":
// true} when the caller may remove any message of the room (see
// moderatorRule), so that the web app offers Remove on others' messages.
func chatModeration(e *core.RequestEvent) error {
	room, err := findVisibleRoom(e, e.Request.PathValue("id"))
	if err != nil {
		return err
	}
	moderator, err := moderatesRoom(e.App, e.Auth, room.Id)
	if err != nil {
		return e.InternalServerError("", err)
	}
	return e.JSON(http.StatusOK, map[string]any{"moderator": moderator})
}

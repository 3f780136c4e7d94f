package chat

import (
	"net/http"

	"github.com/pocketbase/pocketbase/core"

	"studyhall/collections"
	"studyhall/records"
	"studyhall/request"
)

// chatDeleteMessage is POST /api/chat/messages/{id}/delete: the sender, or
// a moderator of the room (see moderatorRule), clears the body and marks
// the message deleted, by whom and whether as a moderator; subscribers see
// an update. A message of a room the caller is not in does not exist for
// them. Deleting a tombstone again changes nothing.
func chatDeleteMessage(e *core.RequestEvent, limiter *request.UserLimiter) error {
	record, err := request.FindVisible(e, e.App, collections.ChatMessages, e.Request.PathValue("id"))
	if err != nil {
		return e.NotFoundError("Message not found.", nil)
	}
	message := records.Proxy[ChatMessage](record)
	byModerator := false
	if message.Sender() != e.Auth.Id {
		ok, err := moderatesRoom(e.App, e.Auth, message.Room())
		if err != nil {
			return e.InternalServerError("", err)
		}
		if !ok {
			return request.CodedError(http.StatusForbidden, "not_sender", "Only the sender or a moderator of the room can delete a message.")
		}
		byModerator = true
	}
	if message.IsDeleted() {
		return e.JSON(http.StatusOK, message.Record)
	}
	if err := request.LimitUser(e, limiter, "You are deleting messages too fast; wait a moment."); err != nil {
		return err
	}
	message.MarkDeleted(e.Auth.Id, byModerator)
	if err := e.App.Save(message); err != nil {
		return e.BadRequestError("Could not delete the message.", err)
	}
	return e.JSON(http.StatusOK, message.Record)
}

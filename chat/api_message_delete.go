package chat

import (
	"net/http"

	"github.com/pocketbase/pocketbase/core"

	"studyhall/collections"
	"studyhall/request"
)

// chatDeleteMessage is POST /api/chat/messages/{id}/delete: the sender
// clears the body and marks the message deleted; subscribers see an update.
// A message of a room the caller is not in does not exist for them.
func chatDeleteMessage(e *core.RequestEvent) error {
	record, err := request.FindVisible(e, e.App, collections.ChatMessages, e.Request.PathValue("id"))
	if err != nil {
		return e.NotFoundError("Message not found.", nil)
	}
	message := proxyOf[ChatMessage](record)
	if message.Sender() != e.Auth.Id {
		return request.CodedError(http.StatusForbidden, "not_sender", "Only the sender can delete a message.")
	}
	if !message.IsDeleted() {
		message.MarkDeleted()
		if err := e.App.Save(message); err != nil {
			return e.BadRequestError("Could not delete the message.", err)
		}
	}
	return e.JSON(http.StatusOK, message.Record)
}

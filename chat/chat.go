// Package chat is studyhall's messaging: the rooms other domains create
// (sessions, groups, office-hours visits, direct messages), their messages,
// read marks, typing indicators and the realtime topics members subscribe
// to.
package chat

import (
	"net/http"
	"time"

	"github.com/pocketbase/dbx"
	validation "github.com/pocketbase/ozzo-validation/v4"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/types"

	"studyhall/collections"
	"studyhall/plaintext"
	"studyhall/realtime"
	"studyhall/records"
	"studyhall/request"
)

// chatEditWindow is how long a sender may edit a message.
const chatEditWindow = 15 * time.Minute

// validateChatMessage keeps a message's shape on every save: a live
// message has a body of 1 to 5000 characters, a deleted one none, and a
// reply answers a message of the same room.
func validateChatMessage(e *core.RecordEvent) error {
	message := records.Proxy[ChatMessage](e.Record)
	switch {
	case message.IsDeleted() && message.Body() != "":
		message.SetBody("")
	case !message.IsDeleted() && !plaintext.Visible(message.Body()):
		return validation.Errors{collections.ChatMessageBody: validation.NewError("validation_required", "A message needs some text.")}
	}
	if replyTo := message.ReplyTo(); replyTo != "" && message.IsNew() {
		original, err := FindChatMessage(e.App, replyTo)
		if err != nil || original.Room() != message.Room() {
			return validation.Errors{collections.ChatMessageReplyTo: validation.NewError("validation_reply_other_room", "A reply must answer a message of the same room.")}
		}
	}
	return e.Next()
}

// checkMessageEdit lets a sender edit a message for 15 minutes, within
// their per-user limit, and stamps editedAt when the body changes.
func checkMessageEdit(e *core.RecordRequestEvent, limiter *request.UserLimiter) error {
	message := records.Proxy[ChatMessage](e.Record)
	if !e.HasSuperuserAuth() {
		if message.EditWindowClosed(time.Now()) {
			return request.CodedError(http.StatusForbidden, "edit_window_closed", "A message can be edited for 15 minutes after it was sent.")
		}
		if err := request.LimitUser(e.RequestEvent, limiter, "You are editing messages too fast; wait a moment."); err != nil {
			return err
		}
	}
	if message.Body() != e.Record.Original().GetString(collections.ChatMessageBody) {
		message.SetEditedAt(types.NowDateTime())
	}
	return e.Next()
}

// touchRoom sets the room's lastMessageAt. It is a plain UPDATE: a record
// save would broadcast the room to every participant for each message.
func touchRoom(app core.App, message *core.Record) {
	_, err := app.DB().Update(collections.ChatRooms,
		dbx.Params{collections.ChatRoomLastMessageAt: message.GetDateTime(collections.FieldCreated).String()},
		dbx.HashExp{collections.FieldId: message.GetString(collections.ChatMessageRoom)},
	).Execute()
	if err != nil {
		app.Logger().Warn("chat: could not touch the room", "room", message.GetString(collections.ChatMessageRoom), "error", err)
	}
}

// publishChat sends a message event to the room's topic, in the shape of
// a record event, off the writer's path.
func publishChat(app core.App, action string, message *core.Record) {
	roomId := message.GetString(collections.ChatMessageRoom)
	realtime.Get(app).PublishTopic(chatRoomTopic(roomId), map[string]any{"action": action, "record": message.Fresh()})
}

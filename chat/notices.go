package chat

import (
	"strconv"
	"strings"
	"time"

	"github.com/pocketbase/pocketbase/core"

	"studyhall/collections"
	"studyhall/notifications"
	"studyhall/plaintext"
	"studyhall/realtime"
	"studyhall/records"
)

// directMessageCoalesce is the window in which one room's direct messages
// make at most one notification.
const directMessageCoalesce = 5 * time.Minute

// notifyDirectMessage tells the other side of a direct room about a
// message when they are not looking at the room: at most one notification
// per room per five minutes, high when an instructor wrote.
func notifyDirectMessage(app core.App, record *core.Record) {
	message := records.Proxy[ChatMessage](record)
	roomId := message.Room()
	room, err := FindChatRoom(app, roomId)
	if err != nil || !room.IsDirect() {
		return
	}
	senderId := message.Sender()
	sender, err := app.FindRecordById(collections.Users, senderId)
	if err != nil {
		return
	}
	for _, recipient := range room.Participants() {
		if recipient == senderId || realtime.Get(app).HasTopicSubscriber(chatRoomTopic(roomId), recipient) {
			continue
		}
		priority := ""
		if sender.GetString(collections.UserRole) == collections.RoleInstructor {
			priority = collections.PriorityHigh
		}
		bucket := message.Created().Time().Truncate(directMessageCoalesce).Unix()
		_, err := notifications.Send(app, notifications.Notification{
			Type:              collections.TypeDirectMessage,
			Recipients:        []string{recipient},
			Priority:          priority,
			Title:             "New message from " + sender.GetString(collections.UserName),
			Message:           previewText(message.Body(), 140),
			Data:              map[string]any{"roomId": roomId, "senderId": senderId},
			ActionURL:         "/chat/" + roomId,
			ActionText:        "Open chat",
			DedupeKey:         notifications.Key(collections.TypeDirectMessage, roomId, strconv.FormatInt(bucket, 10)),
			RelatedCollection: collections.ChatRooms,
			RelatedId:         roomId,
		})
		if err != nil {
			app.Logger().Warn("chat: direct message notification", "room", roomId, "error", err)
		}
	}
}

// previewText is s cut to at most max characters, with an ellipsis.
func previewText(s string, max int) string {
	s = strings.TrimSpace(s)
	if clipped := plaintext.Clip(s, max-1); clipped != s {
		return clipped + "…"
	}
	return s
}

package chat

import (
	"net/http"
	"slices"
	"strings"

	"github.com/pocketbase/pocketbase/apis"
	"github.com/pocketbase/pocketbase/core"

	"studyhall/collections"
	"studyhall/records"
)

// chatRoomTopic is the realtime topic of a room's messages (see
// publishChat) and chatTypingTopic that of its typing indicators; only
// those who may see the room subscribe to them.
func chatRoomTopic(roomId string) string   { return "chat/" + roomId }
func chatTypingTopic(roomId string) string { return "chat/" + roomId + "/typing" }

// chatTopicRoom is the room id of a chat topic ("chat/ID" or
// "chat/ID/typing", with or without the SDK's ?options=), or "".
func chatTopicRoom(subscription string) string {
	topic, _, _ := strings.Cut(subscription, "?")
	rest, ok := strings.CutPrefix(topic, "chat/")
	if !ok {
		return ""
	}
	roomId, suffix, _ := strings.Cut(rest, "/")
	if suffix != "" && suffix != "typing" {
		return ""
	}
	return roomId
}

// allowedChatTopics is subscriptions without the chat topics of rooms the
// caller may not see. Each room is checked once per request.
func allowedChatTopics(app core.App, auth *core.Record, subscriptions []string) []string {
	allowed := subscriptions[:0:0]
	verdicts := map[string]bool{}
	for _, sub := range subscriptions {
		roomId := chatTopicRoom(sub)
		if roomId == "" {
			allowed = append(allowed, sub)
			continue
		}
		ok, seen := verdicts[roomId]
		if !seen {
			ok = auth != nil && auth.Collection().Name == collections.Users && canSeeRoom(app, auth, roomId)
			verdicts[roomId] = ok
		}
		if ok {
			allowed = append(allowed, sub)
		}
	}
	return allowed
}

// canSeeRoom reports whether auth passes the room's view rule, as
// PocketBase checks a realtime subscriber against a record.
func canSeeRoom(app core.App, auth *core.Record, roomId string) bool {
	room, err := app.FindRecordById(collections.ChatRooms, roomId)
	if err != nil {
		return false
	}
	info := &core.RequestInfo{Context: core.RequestInfoContextRealtime, Method: http.MethodGet, Auth: auth}
	ok, err := app.CanAccessRecord(room, info, room.Collection().ViewRule)
	return err == nil && ok
}

// dropFormerParticipants unsubscribes the users a room update took out of
// its participants from the room's topics.
func dropFormerParticipants(e *core.RecordEvent) error {
	before := records.Proxy[ChatRoom](e.Record.Original()).Participants()
	after := records.Proxy[ChatRoom](e.Record).Participants()
	for _, userId := range before {
		if !slices.Contains(after, userId) {
			dropChatTopics(e.App, e.Record.Id, userId)
		}
	}
	return e.Next()
}

// dropChatTopics unsubscribes every connection of userId from the room's
// topics: a removed participant hears nothing more of it.
func dropChatTopics(app core.App, roomId, userId string) {
	for _, client := range app.SubscriptionsBroker().Clients() {
		auth, _ := client.Get(apis.RealtimeClientAuthKey).(*core.Record)
		if auth == nil || auth.Id != userId {
			continue
		}
		var drop []string
		for sub := range client.Subscriptions() {
			if chatTopicRoom(sub) == roomId {
				drop = append(drop, sub)
			}
		}
		client.Unsubscribe(drop...)
	}
}

// Package chat is studyhall's messaging: the rooms other domains create
// (sessions, groups, office-hours visits, direct messages), their messages,
// read marks, typing indicators and the realtime topics members subscribe
// to.
package chat

import (
	"database/sql"
	"errors"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/pocketbase/dbx"
	validation "github.com/pocketbase/ozzo-validation/v4"
	"github.com/pocketbase/pocketbase/apis"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/hook"
	"github.com/pocketbase/pocketbase/tools/types"

	"studyhall/collections"
	"studyhall/notifications"
	"studyhall/plaintext"
	"studyhall/realtime"
	"studyhall/request"
)

// Chat timings and limits.
const (
	// chatEditWindow is how long a sender may edit a message.
	chatEditWindow = 15 * time.Minute
	// typingTimeout is how long a "typing: true" lasts unless refreshed.
	typingTimeout = 6 * time.Second
	// directMessageCoalesce is the window in which one room's direct
	// messages make at most one notification.
	directMessageCoalesce = 5 * time.Minute
)

// chatRoomTopic is the realtime topic of a room's messages and
// chatTypingTopic that of its typing indicators.
func chatRoomTopic(roomId string) string   { return "chat/" + roomId }
func chatTypingTopic(roomId string) string { return "chat/" + roomId + "/typing" }

// bindChat: messages (posting, editing within 15 minutes, soft delete),
// direct rooms, read marks and unread counts, typing, per-user limits, and
// delivery of a room's events to its participants only.
func Register(app core.App) {
	messages := request.NewUserLimiter(200*time.Millisecond, 20)
	typing := request.NewUserLimiter(500*time.Millisecond, 10)
	indicators := newTypingIndicators(app)

	app.OnRecordValidate(collections.ChatMessages).BindFunc(validateChatMessage)

	app.OnRecordCreateRequest(collections.ChatMessages).BindFunc(func(e *core.RecordRequestEvent) error {
		if err := request.LimitUser(e.RequestEvent, messages, "You are sending messages too fast; wait a moment."); err != nil {
			return err
		}
		return e.Next()
	})
	app.OnRecordUpdateRequest(collections.ChatMessages).BindFunc(func(e *core.RecordRequestEvent) error {
		if !e.HasSuperuserAuth() {
			if time.Since(e.Record.GetDateTime(collections.FieldCreated).Time()) > chatEditWindow {
				return request.CodedError(http.StatusForbidden, "edit_window_closed", "A message can be edited for 15 minutes after it was sent.")
			}
			if err := request.LimitUser(e.RequestEvent, messages, "You are editing messages too fast; wait a moment."); err != nil {
				return err
			}
		}
		if e.Record.GetString(collections.ChatMessageBody) != e.Record.Original().GetString(collections.ChatMessageBody) {
			e.Record.Set(collections.ChatMessageEditedAt, types.NowDateTime())
		}
		return e.Next()
	})

	app.OnRecordAfterCreateSuccess(collections.ChatMessages).BindFunc(func(e *core.RecordEvent) error {
		touchRoom(e.App, e.Record)
		publishChat(e.App, realtime.ActionCreate, e.Record)
		indicators.stop(e.Record.GetString(collections.ChatMessageRoom), e.Record.GetString(collections.ChatMessageSender))
		notifyDirectMessage(e.App, e.Record)
		return e.Next()
	})
	app.OnRecordAfterUpdateSuccess(collections.ChatMessages).BindFunc(func(e *core.RecordEvent) error {
		publishChat(e.App, realtime.ActionUpdate, e.Record)
		return e.Next()
	})
	app.OnRecordAfterDeleteSuccess(collections.ChatMessages).BindFunc(func(e *core.RecordEvent) error {
		publishChat(e.App, realtime.ActionDelete, e.Record)
		return e.Next()
	})

	// a room's topics are for its participants only: a refused topic is
	// dropped from that connection's subscriptions, the others stay (the JS
	// SDK re-sends every topic with each subscribe)
	app.OnRealtimeSubscribeRequest().BindFunc(func(e *core.RealtimeSubscribeRequestEvent) error {
		e.Subscriptions = allowedChatTopics(e.App, e.Auth, e.Subscriptions)
		return e.Next()
	})
	// when a room's participants change, those who left stop receiving it
	app.OnRecordAfterUpdateSuccess(collections.ChatRooms).BindFunc(func(e *core.RecordEvent) error {
		before := e.Record.Original().GetStringSlice(collections.ChatRoomParticipants)
		after := e.Record.GetStringSlice(collections.ChatRoomParticipants)
		for _, userId := range before {
			if !slices.Contains(after, userId) {
				dropChatTopics(e.App, e.Record.Id, userId)
			}
		}
		return e.Next()
	})

	app.OnServe().Bind(&hook.Handler[*core.ServeEvent]{
		Func: func(e *core.ServeEvent) error {
			g := e.Router.Group("/api/chat")
			g.Bind(apis.RequireAuth(collections.Users), request.RequireJSONBody())
			g.POST("/direct", chatDirect)
			g.POST("/messages/{id}/delete", chatDeleteMessage)
			g.POST("/rooms/{id}/read", chatMarkRead)
			g.POST("/rooms/{id}/typing", func(re *core.RequestEvent) error {
				return chatTyping(re, indicators, typing)
			})
			g.GET("/unread", chatUnread)
			return e.Next()
		},
	})
}

// --- messages

// validateChatMessage keeps a message's shape on every save: a live
// message has a body of 1 to 5000 characters, a deleted one none, and a
// reply answers a message of the same room.
func validateChatMessage(e *core.RecordEvent) error {
	body := e.Record.GetString(collections.ChatMessageBody)
	deleted := !e.Record.GetDateTime(collections.ChatMessageDeletedAt).IsZero()
	switch {
	case deleted && body != "":
		e.Record.Set(collections.ChatMessageBody, "")
	case !deleted && !plaintext.Visible(body):
		return validation.Errors{collections.ChatMessageBody: validation.NewError("validation_required", "A message needs some text.")}
	}
	if replyTo := e.Record.GetString(collections.ChatMessageReplyTo); replyTo != "" && e.Record.IsNew() {
		original, err := e.App.FindRecordById(collections.ChatMessages, replyTo)
		if err != nil || original.GetString(collections.ChatMessageRoom) != e.Record.GetString(collections.ChatMessageRoom) {
			return validation.Errors{collections.ChatMessageReplyTo: validation.NewError("validation_reply_other_room", "A reply must answer a message of the same room.")}
		}
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

// chatDeleteMessage is POST /api/chat/messages/{id}/delete: the sender
// clears the body and marks the message deleted; subscribers see an update.
func chatDeleteMessage(e *core.RequestEvent) error {
	message, err := e.App.FindRecordById(collections.ChatMessages, e.Request.PathValue("id"))
	if err != nil || !isChatParticipant(e.App, message.GetString(collections.ChatMessageRoom), e.Auth.Id) {
		return e.NotFoundError("Message not found.", nil)
	}
	if message.GetString(collections.ChatMessageSender) != e.Auth.Id {
		return request.CodedError(http.StatusForbidden, "not_sender", "Only the sender can delete a message.")
	}
	if message.GetDateTime(collections.ChatMessageDeletedAt).IsZero() {
		message.Set(collections.ChatMessageDeletedAt, types.NowDateTime())
		message.Set(collections.ChatMessageBody, "")
		if err := e.App.Save(message); err != nil {
			return e.BadRequestError("Could not delete the message.", err)
		}
	}
	return e.JSON(http.StatusOK, message)
}

// --- direct rooms

type directForm struct {
	UserId string `json:"userId"`
}

func (f *directForm) Validate() error {
	return validation.ValidateStruct(f, validation.Field(&f.UserId, validation.Required))
}

// chatDirect is POST /api/chat/direct: the one direct room of the caller
// and another user, found or created; a user who turned direct messages
// off cannot be written to first.
func chatDirect(e *core.RequestEvent) error {
	form := new(directForm)
	if err := request.BindForm(e, form); err != nil {
		return err
	}
	if form.UserId == e.Auth.Id {
		return e.BadRequestError("You cannot open a direct room with yourself.",
			validation.Errors{"userId": validation.NewError("validation_self", "Must be another user.")})
	}
	other, err := e.App.FindRecordById(collections.Users, form.UserId)
	if err != nil {
		return e.NotFoundError("User not found.", nil)
	}

	key := directKey(e.Auth.Id, other.Id)
	room, err := e.App.FindFirstRecordByData(collections.ChatRooms, collections.ChatRoomDirectKey, key)
	if err == nil {
		return e.JSON(http.StatusOK, room)
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return e.InternalServerError("", err)
	}
	if !other.GetBool(collections.UserAllowDirectMessages) {
		return request.CodedError(http.StatusForbidden, "direct_messages_off", "This user does not accept direct messages.")
	}

	err = e.App.RunInTransaction(func(txApp core.App) error {
		room, err = CreateRoom(txApp, NewRoom{
			Name:         e.Auth.GetString(collections.UserName) + " & " + other.GetString(collections.UserName),
			Type:         collections.ChatRoomTypeDirect,
			CreatedBy:    e.Auth.Id,
			Participants: []string{e.Auth.Id, other.Id},
		})
		if err != nil {
			return err
		}
		room.Set(collections.ChatRoomDirectKey, key)
		return txApp.Save(room)
	})
	if err != nil {
		// a concurrent request created it first: the unique key says so
		if existing, findErr := e.App.FindFirstRecordByData(collections.ChatRooms, collections.ChatRoomDirectKey, key); findErr == nil {
			return e.JSON(http.StatusOK, existing)
		}
		return e.InternalServerError("", err)
	}
	return e.JSON(http.StatusOK, room)
}

// directKey names the pair of users whatever their order.
func directKey(a, b string) string {
	if b < a {
		a, b = b, a
	}
	return a + ":" + b
}

// notifyDirectMessage tells the other side of a direct room about a
// message when they are not looking at the room: at most one notification
// per room per five minutes, high when an instructor wrote.
func notifyDirectMessage(app core.App, message *core.Record) {
	roomId := message.GetString(collections.ChatMessageRoom)
	room, err := app.FindRecordById(collections.ChatRooms, roomId)
	if err != nil || room.GetString(collections.ChatRoomType) != collections.ChatRoomTypeDirect {
		return
	}
	senderId := message.GetString(collections.ChatMessageSender)
	sender, err := app.FindRecordById(collections.Users, senderId)
	if err != nil {
		return
	}
	for _, recipient := range room.GetStringSlice(collections.ChatRoomParticipants) {
		if recipient == senderId || realtime.Get(app).HasTopicSubscriber(chatRoomTopic(roomId), recipient) {
			continue
		}
		priority := ""
		if sender.GetString(collections.UserRole) == collections.RoleInstructor {
			priority = collections.PriorityHigh
		}
		bucket := message.GetDateTime(collections.FieldCreated).Time().Truncate(directMessageCoalesce).Unix()
		_, err := notifications.Send(app, notifications.Notification{
			Type:              collections.TypeDirectMessage,
			Recipients:        []string{recipient},
			Priority:          priority,
			Title:             "New message from " + sender.GetString(collections.UserName),
			Message:           previewText(message.GetString(collections.ChatMessageBody), 140),
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

// --- read marks and unread counts

// chatMarkRead is POST /api/chat/rooms/{id}/read: the caller has read the
// room up to now.
func chatMarkRead(e *core.RequestEvent) error {
	roomId := e.Request.PathValue("id")
	if !isChatParticipant(e.App, roomId, e.Auth.Id) {
		return e.NotFoundError("Chat room not found.", nil)
	}
	now := types.NowDateTime()
	read, err := e.App.FindFirstRecordByFilter(collections.ChatReads, "room = {:room} && user = {:user}", dbx.Params{"room": roomId, "user": e.Auth.Id})
	if err != nil {
		c, cErr := e.App.FindCachedCollectionByNameOrId(collections.ChatReads)
		if cErr != nil {
			return e.InternalServerError("", cErr)
		}
		read = core.NewRecord(c)
		read.Set(collections.ChatReadRoom, roomId)
		read.Set(collections.ChatReadUser, e.Auth.Id)
	}
	read.Set(collections.ChatReadLastReadAt, now)
	if err := e.App.Save(read); err != nil {
		return e.InternalServerError("", err)
	}
	return e.JSON(http.StatusOK, map[string]any{"room": roomId, "lastReadAt": now})
}

// chatUnread is GET /api/chat/unread: per room of the caller, how many
// messages from others arrived since they last read it.
func chatUnread(e *core.RequestEvent) error {
	var rows []struct {
		Room   string `db:"room"`
		Unread int    `db:"unread"`
	}
	err := e.App.DB().NewQuery(`
		SELECT r.id AS room, COUNT(m.id) AS unread
		FROM {{chat_rooms}} r
		JOIN json_each(r.participants) p ON p.value = {:user}
		LEFT JOIN {{chat_reads}} rr ON rr.room = r.id AND rr.user = {:user}
		LEFT JOIN {{chat_messages}} m ON m.room = r.id AND m.sender != {:user}
			AND m.deletedAt = '' AND m.created > COALESCE(rr.lastReadAt, '')
		GROUP BY r.id`).Bind(dbx.Params{"user": e.Auth.Id}).All(&rows)
	if err != nil {
		return e.InternalServerError("", err)
	}
	rooms := make(map[string]int, len(rows))
	for _, row := range rows {
		rooms[row.Room] = row.Unread
	}
	return e.JSON(http.StatusOK, map[string]any{"rooms": rooms})
}

// --- typing

type typingForm struct {
	Typing *bool `json:"typing"`
}

func (f *typingForm) Validate() error {
	return validation.ValidateStruct(f, validation.Field(&f.Typing, validation.NotNil))
}

// chatTyping is POST /api/chat/rooms/{id}/typing {"typing": true|false}.
func chatTyping(e *core.RequestEvent, indicators *typingIndicators, limiter *request.UserLimiter) error {
	roomId := e.Request.PathValue("id")
	if !isChatParticipant(e.App, roomId, e.Auth.Id) {
		return e.NotFoundError("Chat room not found.", nil)
	}
	if err := request.LimitUser(e, limiter, "Too many typing updates; send one every few seconds at most."); err != nil {
		return err
	}
	form := new(typingForm)
	if err := request.BindForm(e, form); err != nil {
		return err
	}
	if *form.Typing {
		indicators.start(roomId, e.Auth.Id, e.Auth.GetString(collections.UserName))
	} else {
		indicators.stop(roomId, e.Auth.Id)
	}
	return e.NoContent(http.StatusNoContent)
}

// typingIndicators sends typing events and, for every "typing: true" not
// refreshed within typingTimeout, the "typing: false" the client did not.
type typingIndicators struct {
	app    core.App
	mu     sync.Mutex
	timers map[string]*time.Timer // by room + user
	names  map[string]string
}

func newTypingIndicators(app core.App) *typingIndicators {
	return &typingIndicators{app: app, timers: map[string]*time.Timer{}, names: map[string]string{}}
}

func (t *typingIndicators) start(roomId, userId, name string) {
	key := roomId + "/" + userId
	t.mu.Lock()
	if timer, ok := t.timers[key]; ok {
		timer.Stop()
	}
	t.names[key] = name
	t.timers[key] = time.AfterFunc(typingTimeout, func() { t.stop(roomId, userId) })
	t.mu.Unlock()
	t.send(roomId, userId, name, true)
}

// stop ends an indicator; it does nothing for one that is not on.
func (t *typingIndicators) stop(roomId, userId string) {
	key := roomId + "/" + userId
	t.mu.Lock()
	timer, on := t.timers[key]
	name := t.names[key]
	if on {
		timer.Stop()
		delete(t.timers, key)
		delete(t.names, key)
	}
	t.mu.Unlock()
	if on {
		t.send(roomId, userId, name, false)
	}
}

func (t *typingIndicators) send(roomId, userId, name string, typing bool) {
	realtime.Get(t.app).PublishTopic(chatTypingTopic(roomId), map[string]any{"userId": userId, "name": name, "typing": typing})
}

// --- who may listen

// isChatParticipant reports whether userId takes part in the room.
func isChatParticipant(app core.App, roomId, userId string) bool {
	var found int
	err := app.DB().NewQuery(
		"SELECT 1 FROM {{chat_rooms}} r, json_each(r.participants) p WHERE r.id = {:room} AND p.value = {:user} LIMIT 1",
	).Bind(dbx.Params{"room": roomId, "user": userId}).Row(&found)
	return err == nil && found == 1
}

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
// caller does not take part in. Each room is checked once per request.
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
			ok = auth != nil && auth.Collection().Name == collections.Users && isChatParticipant(app, roomId, auth.Id)
			verdicts[roomId] = ok
		}
		if ok {
			allowed = append(allowed, sub)
		}
	}
	return allowed
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

// previewText is s cut to at most max characters, with an ellipsis.
func previewText(s string, max int) string {
	s = strings.TrimSpace(s)
	if clipped := plaintext.Clip(s, max-1); clipped != s {
		return clipped + "…"
	}
	return s
}

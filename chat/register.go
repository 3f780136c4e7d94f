package chat

import (
	"time"

	"github.com/pocketbase/pocketbase/apis"
	"github.com/pocketbase/pocketbase/core"

	"studyhall/collections"
	"studyhall/realtime"
	"studyhall/request"
)

// Register binds chat to app: messages (posting, replies, editing within
// 15 minutes, soft delete by the sender or a moderator), direct rooms, read marks and unread counts,
// typing, per-user limits, and delivery of a room's events to its
// participants only.
func Register(app core.App) {
	messages := request.NewUserLimiter(200*time.Millisecond, 20)
	typing := request.NewUserLimiter(500*time.Millisecond, 10)
	indicators := newTypingIndicators(app)

	app.OnRecordValidate(collections.ChatMessages).BindFunc(validateChatMessage)
	app.OnRecordUpdateExecute(collections.ChatMessages).BindFunc(keepTombstone)

	app.OnRecordCreateRequest(collections.ChatMessages).BindFunc(func(e *core.RecordRequestEvent) error {
		if err := request.LimitUser(e.RequestEvent, messages, "You are sending messages too fast; wait a moment."); err != nil {
			return err
		}
		return e.Next()
	})
	app.OnRecordUpdateRequest(collections.ChatMessages).BindFunc(func(e *core.RecordRequestEvent) error {
		return checkMessageEdit(e, messages)
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
	app.OnRecordAfterUpdateSuccess(collections.ChatRooms).BindFunc(dropFormerParticipants)

	app.OnServe().BindFunc(func(e *core.ServeEvent) error {
		g := e.Router.Group("/api/chat")
		g.Bind(apis.RequireAuth(collections.Users), request.RequireJSONBody())
		g.POST("/direct", chatDirect)
		g.POST("/messages/{id}/delete", func(re *core.RequestEvent) error {
			return chatDeleteMessage(re, messages)
		})
		g.POST("/rooms/{id}/read", chatMarkRead)
		g.POST("/rooms/{id}/typing", func(re *core.RequestEvent) error {
			return chatTyping(re, indicators, typing)
		})
		g.GET("/rooms/{id}/moderation", chatModeration)
		g.GET("/unread", chatUnread)
		return e.Next()
	})
}

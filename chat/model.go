package chat

import (
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/types"

	"studyhall/collections"
	"studyhall/records"
	"studyhall/request"
)

// ---------------------------------------------------------------------
// rooms

// ChatRoom is a chat_rooms record with typed fields.
type ChatRoom struct {
	core.BaseRecordProxy
}

// newChatRoom is a blank room, ready to fill and save.
func newChatRoom(app core.App) (*ChatRoom, error) {
	return records.NewProxy[ChatRoom](app, collections.ChatRooms)
}

// Name is the room's title.
func (r *ChatRoom) Name() string { return r.GetString(collections.ChatRoomName) }

// SetName sets the room's title.
func (r *ChatRoom) SetName(name string) { r.Set(collections.ChatRoomName, name) }

// Type is one of collections.ChatRoomTypes.
func (r *ChatRoom) Type() string { return r.GetString(collections.ChatRoomType) }

// SetType sets the room's type.
func (r *ChatRoom) SetType(roomType string) { r.Set(collections.ChatRoomType, roomType) }

// SetCourse sets the course the room belongs to, if any.
func (r *ChatRoom) SetCourse(courseId string) { r.Set(collections.ChatRoomCourse, courseId) }

// SetCreatedBy sets the user the room was made for or by.
func (r *ChatRoom) SetCreatedBy(userId string) { r.Set(collections.ChatRoomCreatedBy, userId) }

// Participants are the ids of the users who take part in the room.
func (r *ChatRoom) Participants() []string {
	return r.GetStringSlice(collections.ChatRoomParticipants)
}

// SetParticipants replaces the room's participants.
func (r *ChatRoom) SetParticipants(userIds []string) {
	r.Set(collections.ChatRoomParticipants, userIds)
}

// SetDirectKey makes the room the one direct room of a pair of users
// (see directKey).
func (r *ChatRoom) SetDirectKey(key string) { r.Set(collections.ChatRoomDirectKey, key) }

// IsDirect reports whether the room is a direct room of two users.
func (r *ChatRoom) IsDirect() bool { return r.Type() == collections.ChatRoomTypeDirect }

// FindChatRoom is the room with id; its error wraps sql.ErrNoRows when
// there is none.
func FindChatRoom(app core.App, id string) (*ChatRoom, error) {
	return records.FindProxy[ChatRoom](app, collections.ChatRooms, dbx.HashExp{collections.FieldId: id})
}

// findDirectRoom is the direct room of the pair of users key names.
func findDirectRoom(app core.App, key string) (*ChatRoom, error) {
	return records.FindProxy[ChatRoom](app, collections.ChatRooms, dbx.HashExp{collections.ChatRoomDirectKey: key})
}

// findVisibleRoom is the room with id when the caller passes its view rule
// (they take part in it), and a 404 otherwise.
func findVisibleRoom(e *core.RequestEvent, id string) (*ChatRoom, error) {
	record, err := request.FindVisible(e, e.App, collections.ChatRooms, id)
	if err != nil {
		return nil, e.NotFoundError("Chat room not found.", nil)
	}
	return records.Proxy[ChatRoom](record), nil
}

// ---------------------------------------------------------------------
// messages

// ChatMessage is a chat_messages record with typed fields.
type ChatMessage struct {
	core.BaseRecordProxy
}

// Room is the id of the message's room.
func (m *ChatMessage) Room() string { return m.GetString(collections.ChatMessageRoom) }

// Sender is the id of the user who wrote the message.
func (m *ChatMessage) Sender() string { return m.GetString(collections.ChatMessageSender) }

// Body is the message's text; a deleted message has none.
func (m *ChatMessage) Body() string { return m.GetString(collections.ChatMessageBody) }

// SetBody sets the message's text.
func (m *ChatMessage) SetBody(body string) { m.Set(collections.ChatMessageBody, body) }

// ReplyTo is the id of the message this one answers, or "".
func (m *ChatMessage) ReplyTo() string { return m.GetString(collections.ChatMessageReplyTo) }

// Created is when the message was sent.
func (m *ChatMessage) Created() types.DateTime { return m.GetDateTime(collections.FieldCreated) }

// SetEditedAt records when the sender last changed the body.
func (m *ChatMessage) SetEditedAt(at types.DateTime) { m.Set(collections.ChatMessageEditedAt, at) }

// IsDeleted reports whether the sender deleted the message.
func (m *ChatMessage) IsDeleted() bool {
	return !m.GetDateTime(collections.ChatMessageDeletedAt).IsZero()
}

// MarkDeleted makes the message a tombstone: deleted now by userId,
// without a body; byModerator when userId removed another's message as a
// moderator of the room.
func (m *ChatMessage) MarkDeleted(userId string, byModerator bool) {
	m.Set(collections.ChatMessageDeletedAt, types.NowDateTime())
	m.Set(collections.ChatMessageDeletedBy, userId)
	m.Set(collections.ChatMessageRemovedByModerator, byModerator)
	m.SetBody("")
}

// EditWindowClosed reports whether, at now, the message is too old for its
// sender to edit it.
func (m *ChatMessage) EditWindowClosed(now time.Time) bool {
	return now.Sub(m.Created().Time()) > chatEditWindow
}

// FindChatMessage is the message with id; its error wraps sql.ErrNoRows
// when there is none.
func FindChatMessage(app core.App, id string) (*ChatMessage, error) {
	return records.FindProxy[ChatMessage](app, collections.ChatMessages, dbx.HashExp{collections.FieldId: id})
}

// ---------------------------------------------------------------------
// read marks

// ChatRead is a chat_reads record: when a user last read a room.
type ChatRead struct {
	core.BaseRecordProxy
}

// SetLastReadAt records when the user last read the room.
func (r *ChatRead) SetLastReadAt(at types.DateTime) { r.Set(collections.ChatReadLastReadAt, at) }

// findOrNewChatRead is userId's read mark of the room, or a new one to
// save when they have none yet.
func findOrNewChatRead(app core.App, roomId, userId string) (*ChatRead, error) {
	read, err := records.FindProxy[ChatRead](app, collections.ChatReads, dbx.HashExp{
		collections.ChatReadRoom: roomId,
		collections.ChatReadUser: userId,
	})
	if err == nil {
		return read, nil
	}
	read, err = records.NewProxy[ChatRead](app, collections.ChatReads)
	if err != nil {
		return nil, err
	}
	read.Set(collections.ChatReadRoom, roomId)
	read.Set(collections.ChatReadUser, userId)
	return read, nil
}

// ---------------------------------------------------------------------

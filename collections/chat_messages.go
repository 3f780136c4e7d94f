package collections

// Chat messages and per-room read marks.
const (
	ChatMessages = "chat_messages"
	// ChatReads holds one row per (room, user): when they last read it.
	ChatReads = "chat_reads"
)

// Fields of chat_messages.
const (
	ChatMessageRoom      = "room"
	ChatMessageSender    = "sender"
	ChatMessageBody      = "body"
	ChatMessageReplyTo   = "replyTo"
	ChatMessageEditedAt  = "editedAt"
	ChatMessageDeletedAt = "deletedAt"
	// ChatMessageDeletedBy is who made the message a tombstone: its
	// sender, or a moderator of the room.
	ChatMessageDeletedBy = "deletedBy"
	// ChatMessageRemovedByModerator marks a tombstone a moderator made
	// ("removed by a moderator"), not the sender's own delete.
	ChatMessageRemovedByModerator = "removedByModerator"
)

// ChatRoomDirectKey is the field of chat_rooms that makes a direct room
// unique per pair of users: the two ids, sorted, joined by a colon.
const ChatRoomDirectKey = "directKey"

// Fields of chat_reads.
const (
	ChatReadRoom       = "room"
	ChatReadUser       = "user"
	ChatReadLastReadAt = "lastReadAt"
)

// MaxChatBodyLength bounds a message body, in characters.
const MaxChatBodyLength = 5000

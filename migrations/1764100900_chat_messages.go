package migrations

import (
	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"

	"studyhall/collections"
)

// Chat messages, read marks, and the key that makes a direct room unique
// per pair of users.
//
// Who sees what:
//   - a room's participants list and view its messages; nobody else, not
//     through expand, not through a realtime event;
//   - a participant posts as themselves; the sender edits the body (the
//     15-minute window and editedAt are the hooks'), and deletes through
//     POST /api/chat/messages/{id}/delete, which keeps the row as a
//     tombstone so replies and subscribers stay consistent;
//   - read marks are each user's own and written by the server.
func init() {
	m.Register(func(app core.App) error {
		users, err := app.FindCollectionByNameOrId(collections.Users)
		if err != nil {
			return err
		}
		rooms, err := app.FindCollectionByNameOrId(collections.ChatRooms)
		if err != nil {
			return err
		}
		rooms.Fields.Add(&core.TextField{Name: collections.ChatRoomDirectKey, Max: 64, Hidden: true})
		rooms.AddIndex("idx_chat_rooms_direct", true, "directKey", "directKey != ''")
		if err := app.Save(rooms); err != nil {
			return err
		}

		messages := core.NewBaseCollection(collections.ChatMessages)
		participant := "room.participants.id ?= @request.auth.id"
		messages.ListRule = rule(participant)
		messages.ViewRule = rule(participant)
		messages.CreateRule = rule("sender = @request.auth.id && " + participant +
			" && @request.body.editedAt:isset = false && @request.body.deletedAt:isset = false")
		messages.UpdateRule = rule("sender = @request.auth.id && deletedAt = '' && " + participant +
			" && @request.body.room:isset = false && @request.body.sender:isset = false && @request.body.replyTo:isset = false" +
			" && @request.body.editedAt:isset = false && @request.body.deletedAt:isset = false")
		messages.DeleteRule = superusersOnly
		messages.Fields.Add(
			relation(collections.ChatMessageRoom, rooms.Id, true, true),
			relation(collections.ChatMessageSender, users.Id, true, true),
			&core.TextField{Name: collections.ChatMessageBody, Max: collections.MaxChatBodyLength},
			&core.DateField{Name: collections.ChatMessageEditedAt},
			&core.DateField{Name: collections.ChatMessageDeletedAt},
		)
		addTimestamps(messages)
		if err := app.Save(messages); err != nil {
			return err
		}
		// a reply points at a message of the same collection, so the field
		// is added once the collection has an id
		messages.Fields.Add(relation(collections.ChatMessageReplyTo, messages.Id, false, false))
		messages.AddIndex("idx_chat_messages_room_created", false, "room, created", "")
		if err := app.Save(messages); err != nil {
			return err
		}

		reads := core.NewBaseCollection(collections.ChatReads)
		reads.ListRule = rule("user = @request.auth.id")
		reads.ViewRule = rule("user = @request.auth.id")
		reads.CreateRule = superusersOnly
		reads.UpdateRule = superusersOnly
		reads.DeleteRule = superusersOnly
		reads.Fields.Add(
			relation(collections.ChatReadRoom, rooms.Id, true, true),
			relation(collections.ChatReadUser, users.Id, true, true),
			&core.DateField{Name: collections.ChatReadLastReadAt},
		)
		addTimestamps(reads)
		reads.AddIndex("idx_chat_reads_room_user", true, "room, user", "")
		return app.Save(reads)
	}, func(app core.App) error {
		if err := deleteCollections(app, collections.ChatReads, collections.ChatMessages); err != nil {
			return err
		}
		rooms, err := app.FindCollectionByNameOrId(collections.ChatRooms)
		if err != nil {
			return err
		}
		rooms.RemoveIndex("idx_chat_rooms_direct")
		rooms.Fields.RemoveByName(collections.ChatRoomDirectKey)
		return app.Save(rooms)
	})
}

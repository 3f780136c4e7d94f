package migrations

import (
	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"

	"studyhall/collections"
)

// Chat moderation: a tombstone says who made it.
//
// A message becomes a tombstone through POST /api/chat/messages/{id}/delete,
// by its sender or by a moderator of its room. The moderators of a room
// come from the domain record that owns it (chat.moderatorRule):
//   - a session room: the session's instructor;
//   - a study group room: the group's admins;
//   - an office-hours visit room: the queue entry's instructor;
//   - a direct room: nobody.
//
// deletedBy is who removed the message and removedByModerator whether it
// was a moderator (the web app's "removed by a moderator"); both are the
// server's (records/server_owned.go), readable by the room's participants
// like the rest of the message.
func init() {
	m.Register(func(app core.App) error {
		users, err := app.FindCollectionByNameOrId(collections.Users)
		if err != nil {
			return err
		}
		messages, err := app.FindCollectionByNameOrId(collections.ChatMessages)
		if err != nil {
			return err
		}
		messages.Fields.Add(
			relation(collections.ChatMessageDeletedBy, users.Id, false, false),
			&core.BoolField{Name: collections.ChatMessageRemovedByModerator},
		)
		return app.Save(messages)
	}, func(app core.App) error {
		messages, err := app.FindCollectionByNameOrId(collections.ChatMessages)
		if err != nil {
			return err
		}
		messages.Fields.RemoveByName(collections.ChatMessageDeletedBy)
		messages.Fields.RemoveByName(collections.ChatMessageRemovedByModerator)
		return app.Save(messages)
	})
}

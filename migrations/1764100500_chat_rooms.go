package migrations

import (
	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"

	"studyhall/collections"
)

// Chat rooms. The server creates every room and keeps its participants
// (a session's joiners, a study group's members, an office-hours visit),
// so clients only read them.
//
// Who sees what:
//   - a participant lists and views the rooms they take part in; nobody
//     else sees a room, not even through a realtime event;
//   - create, update and delete are superusers only: the domains write
//     rooms from their hooks and routes.
func init() {
	m.Register(func(app core.App) error {
		users, err := app.FindCollectionByNameOrId(collections.Users)
		if err != nil {
			return err
		}
		courses, err := app.FindCollectionByNameOrId(collections.Courses)
		if err != nil {
			return err
		}

		rooms := core.NewBaseCollection(collections.ChatRooms)
		participant := "participants.id ?= @request.auth.id"
		rooms.ListRule = rule(participant)
		rooms.ViewRule = rule(participant)
		rooms.CreateRule = superusersOnly
		rooms.UpdateRule = superusersOnly
		rooms.DeleteRule = superusersOnly
		rooms.Fields.Add(
			&core.TextField{Name: collections.ChatRoomName, Max: collections.MaxTitleLength, Presentable: true},
			&core.SelectField{Name: collections.ChatRoomType, Required: true, Values: collections.ChatRoomTypes, MaxSelect: 1},
			&core.RelationField{
				Name:          collections.ChatRoomParticipants,
				CollectionId:  users.Id,
				CascadeDelete: false,
				MaxSelect:     collections.MaxChatParticipants,
			},
			relation(collections.ChatRoomCourse, courses.Id, false, true),
			relation(collections.ChatRoomCreatedBy, users.Id, false, false),
			&core.DateField{Name: collections.ChatRoomLastMessageAt},
		)
		addTimestamps(rooms)
		rooms.AddIndex("idx_chat_rooms_type", false, "type", "")
		rooms.AddIndex("idx_chat_rooms_course", false, "course", "course != ''")
		return app.Save(rooms)
	}, func(app core.App) error {
		return deleteCollections(app, collections.ChatRooms)
	})
}

package chat

import (
	"database/sql"
	"errors"
	"fmt"
	"slices"

	"github.com/pocketbase/pocketbase/core"

	"studyhall/collections"
	"studyhall/plaintext"
)

// NewRoom describes a room the server creates for a domain: a live
// session, a study group, an office-hours visit.
type NewRoom struct {
	Name string
	// Type is one of collections.ChatRoomTypes.
	Type         string
	CourseId     string
	CreatedBy    string
	Participants []string
}

// CreateRoom creates a room. It runs in app's transaction when app is a
// txApp, so a domain record and its room are written together.
func CreateRoom(app core.App, room NewRoom) (*core.Record, error) {
	var record *core.Record
	err := app.RunInTransaction(func(txApp core.App) error {
		created, err := newChatRoom(txApp)
		if err != nil {
			return err
		}
		created.SetName(plaintext.Clip(room.Name, collections.MaxTitleLength))
		created.SetType(room.Type)
		created.SetCourse(room.CourseId)
		created.SetCreatedBy(room.CreatedBy)
		created.SetParticipants(CleanParticipantIds(room.Participants))
		record = created.Record
		return txApp.Save(created)
	})
	if err != nil {
		return nil, fmt.Errorf("create %s chat room: %w", room.Type, err)
	}
	return record, nil
}

// AddParticipant makes userId a participant of the room; it does
// nothing when they already are one. Read and write happen in one
// transaction so that concurrent additions never lose each other.
func AddParticipant(app core.App, roomId, userId string) error {
	return updateChatParticipants(app, roomId, func(ids []string) []string {
		if slices.Contains(ids, userId) {
			return nil
		}
		return append(ids, userId)
	})
}

// RemoveParticipant takes userId out of the room; it does nothing when
// they are not a participant.
func RemoveParticipant(app core.App, roomId, userId string) error {
	return updateChatParticipants(app, roomId, func(ids []string) []string {
		i := slices.Index(ids, userId)
		if i < 0 {
			return nil
		}
		return slices.Delete(ids, i, i+1)
	})
}

// DeleteRoom deletes the room of a domain record that goes (its
// messages go by cascade); no room, or one already gone, is no error.
func DeleteRoom(app core.App, roomId string) error {
	if roomId == "" {
		return nil
	}
	room, err := FindChatRoom(app, roomId)
	if errors.Is(err, sql.ErrNoRows) {
		return nil
	}
	if err != nil {
		return err
	}
	return app.Delete(room)
}

// updateChatParticipants saves the participants change returns, or
// nothing when change returns nil.
func updateChatParticipants(app core.App, roomId string, change func([]string) []string) error {
	err := app.RunInTransaction(func(txApp core.App) error {
		room, err := FindChatRoom(txApp, roomId)
		if err != nil {
			return err
		}
		ids := change(room.Participants())
		if ids == nil {
			return nil
		}
		room.SetParticipants(ids)
		return txApp.Save(room)
	})
	if err != nil {
		return fmt.Errorf("update participants of chat room %s: %w", roomId, err)
	}
	return nil
}

// CleanParticipantIds is ids without blanks and repeats, in first-seen order.
func CleanParticipantIds(ids []string) []string {
	out := make([]string, 0, len(ids))
	for _, id := range ids {
		if id != "" && !slices.Contains(out, id) {
			out = append(out, id)
		}
	}
	return out
}

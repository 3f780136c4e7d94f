package testkit

import (
	"testing"

	"github.com/pocketbase/pocketbase/core"

	"studyhall/chat"
	"studyhall/collections"
)

// ModeratedRoom is one room of SeedModeratedRooms: a message of IdStudent
// in it, and who else is who (actor names, as AuthHeader takes them).
type ModeratedRoom struct {
	Type    string
	RoomId  string
	Message string
	// Moderator may remove any message of the room; "" for none.
	Moderator string
	// Member takes part in the room without moderating it.
	Member string
	// Outsider takes no part in the room.
	Outsider string
}

// Moderated room fixtures: the domain records whose rooms SeedModeratedRooms
// makes, and the message IdStudent posted in each room.
const (
	IdModeratedSession = "lvsmoderated001" // IdInstructor's, IdCourse
	IdModeratedGroup   = "sgmoderated0001" // owner (admin) IdOtherInstructor
	IdModeratedEntry   = "ohqmoderated001" // IdInstructor admits IdStudent

	IdSessionMessage     = "msgsession00001"
	IdGroupMessage       = "msgstudygroup01"
	IdOfficeHoursMessage = "msgofficehour01"
	IdDirectMessage      = "msgdirect000001"
)

// SeedModeratedRooms makes one room of each kind that has moderators, as
// its domain makes it, plus a direct room, each with a message of
// IdStudent in it:
//   - a session room: IdInstructor's session, IdOtherStudent a member;
//   - a study group room: IdOtherInstructor's group (admin), IdOtherStudent
//     a plain member;
//   - an office-hours visit room: IdInstructor admitted IdStudent,
//     IdOtherStudent a third participant (a colleague sitting in);
//   - a direct room of IdStudent and IdOtherStudent.
func SeedModeratedRooms(t testing.TB, app core.App) []ModeratedRoom {
	t.Helper()
	if _, err := SaveRecord(app, collections.LiveSessions, IdModeratedSession, map[string]any{
		collections.LiveSessionInstructor:     IdInstructor,
		collections.LiveSessionCourse:         IdCourse,
		collections.LiveSessionTitle:          "Moderated session",
		collections.LiveSessionScheduledStart: SessionStartLater(),
	}); err != nil {
		t.Fatal(err)
	}
	sessionRoom := roomOf(t, app, collections.LiveSessions, IdModeratedSession, collections.LiveSessionChatRoom)
	for _, userId := range []string{IdStudent, IdOtherStudent} {
		if err := chat.AddParticipant(app, sessionRoom, userId); err != nil {
			t.Fatal(err)
		}
	}

	if _, err := SaveRecord(app, collections.StudyGroups, IdModeratedGroup, map[string]any{
		collections.StudyGroupName:  "Moderated group",
		collections.StudyGroupOwner: IdOtherInstructor,
	}); err != nil {
		t.Fatal(err)
	}
	AddTestMember(t, app, IdModeratedGroup, IdStudent, collections.GroupRoleMember)
	AddTestMember(t, app, IdModeratedGroup, IdOtherStudent, collections.GroupRoleMember)
	groupRoom := roomOf(t, app, collections.StudyGroups, IdModeratedGroup, collections.StudyGroupChatRoom)

	visit, err := chat.CreateRoom(app, chat.NewRoom{
		Name: "Office hours", Type: collections.ChatRoomTypeOfficeHours, CreatedBy: IdInstructor,
		Participants: []string{IdInstructor, IdStudent, IdOtherStudent},
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := SaveRecord(app, collections.OfficeHoursQueue, IdModeratedEntry, map[string]any{
		collections.QueueInstructor: IdInstructor,
		collections.QueueStudent:    IdStudent,
		collections.QueueStatus:     collections.QueueAdmitted,
		collections.QueueChatRoom:   visit.Id,
	}); err != nil {
		t.Fatal(err)
	}

	direct, err := chat.CreateRoom(app, chat.NewRoom{
		Type: collections.ChatRoomTypeDirect, CreatedBy: IdStudent,
		Participants: []string{IdStudent, IdOtherStudent},
	})
	if err != nil {
		t.Fatal(err)
	}

	rooms := []ModeratedRoom{
		{collections.ChatRoomTypeSession, sessionRoom, IdSessionMessage, Instructor, OtherStudent, OtherInstructor},
		{collections.ChatRoomTypeStudyGroup, groupRoom, IdGroupMessage, OtherInstructor, OtherStudent, Instructor},
		{collections.ChatRoomTypeOfficeHours, visit.Id, IdOfficeHoursMessage, Instructor, OtherStudent, OtherInstructor},
		{collections.ChatRoomTypeDirect, direct.Id, IdDirectMessage, "", OtherStudent, Instructor},
	}
	for _, r := range rooms {
		if _, err := SaveRecord(app, collections.ChatMessages, r.Message, map[string]any{
			collections.ChatMessageRoom:   r.RoomId,
			collections.ChatMessageSender: IdStudent,
			collections.ChatMessageBody:   "A message in the " + r.Type + " room.",
		}); err != nil {
			t.Fatal(err)
		}
	}
	return rooms
}

// roomOf is the chat room id a domain record holds in field.
func roomOf(t testing.TB, app core.App, collection, id, field string) string {
	t.Helper()
	record, err := app.FindRecordById(collection, id)
	if err != nil {
		t.Fatal(err)
	}
	roomId := record.GetString(field)
	if roomId == "" {
		t.Fatalf("%s %s has no chat room", collection, id)
	}
	return roomId
}

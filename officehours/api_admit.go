package officehours

import (
	"database/sql"
	"errors"
	"slices"

	"github.com/pocketbase/pocketbase/core"

	"studyhall/chat"
	"studyhall/collections"
)

// admitQueueEntry is POST /api/office-hours/queue/{entryId}/admit: the
// slot's staff (its instructor or a TA of its course) take a waiting
// student in and a chat room for the two opens. Two admits at once (two
// tabs, a double click, two TAs) admit the student once: the second finds
// the entry no longer waiting.
func admitQueueEntry(e *core.RequestEvent) error {
	return transitionQueueEntry(e, func(txApp core.App, entry *QueueEntry, byStaff bool) error {
		if !byStaff {
			return e.ForbiddenError("Only the instructor or a teaching assistant can admit a student.", nil)
		}
		if entry.Status() != collections.QueueWaiting {
			return queueStatusConflict(entry, "Only a waiting entry can be admitted.")
		}
		roomId, err := openVisitRoom(txApp, entry, e.Auth)
		if err != nil {
			return err
		}
		entry.markAdmitted(roomId)
		if err := txApp.Save(entry); err != nil {
			return err
		}
		if err := renumberQueue(txApp, entry.OfficeHours(), entry.Instructor(), nil); err != nil {
			return err
		}
		return noticeAdmitted(txApp, entry, e.Auth)
	})
}

// reusedVisitRooms is how many of a student's latest visits are searched
// for a room of the same pair.
const reusedVisitRooms = 10

// openVisitRoom answers the office-hours chat room of the entry's student
// and the staff member who admits them from an earlier visit, so the two
// keep their history, or creates one. A room is the pair's when the
// admitter made it and nobody else is in it: a grouped visit's room, or
// a room another staff member held with the student, is never reopened
// for someone else.
func openVisitRoom(txApp core.App, entry *QueueEntry, admitter *core.Record) (string, error) {
	studentId := entry.Student()
	roomIds, err := findLastVisitRooms(txApp, entry.Instructor(), studentId, reusedVisitRooms)
	if err != nil {
		return "", err
	}
	pair := []string{admitter.Id, studentId}
	for _, roomId := range roomIds {
		room, err := chat.FindChatRoom(txApp, roomId)
		if errors.Is(err, sql.ErrNoRows) {
			continue
		}
		if err != nil {
			return "", err
		}
		if room.GetString(collections.ChatRoomCreatedBy) != admitter.Id || !onlyOf(room.Participants(), pair) {
			continue
		}
		for _, userId := range pair {
			if err := chat.AddParticipant(txApp, room.Id, userId); err != nil {
				return "", err
			}
		}
		return room.Id, nil
	}

	name := "Office hours: " + admitter.GetString(collections.UserName)
	if student, err := txApp.FindRecordById(collections.Users, studentId); err == nil {
		name += " & " + student.GetString(collections.UserName)
	}
	return createVisitRoom(txApp, entry.OfficeHours(), admitter.Id, name, pair)
}

// createVisitRoom creates an office-hours chat room of the participants,
// made by the admitter, in the slot's course.
func createVisitRoom(txApp core.App, slotId, admitterId, name string, participants []string) (string, error) {
	var courseId string
	if slot, err := FindOfficeHours(txApp, slotId); err == nil {
		courseId = slot.Course()
	}
	room, err := chat.CreateRoom(txApp, chat.NewRoom{
		Name:         name,
		Type:         collections.ChatRoomTypeOfficeHours,
		CourseId:     courseId,
		CreatedBy:    admitterId,
		Participants: participants,
	})
	if err != nil {
		return "", err
	}
	return room.Id, nil
}

// onlyOf reports whether every id of ids is one of allowed.
func onlyOf(ids, allowed []string) bool {
	for _, id := range ids {
		if !slices.Contains(allowed, id) {
			return false
		}
	}
	return true
}

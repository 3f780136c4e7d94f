package officehours

import (
	"database/sql"
	"errors"

	"github.com/pocketbase/pocketbase/core"

	"studyhall/chat"
	"studyhall/collections"
)

// admitQueueEntry is POST /api/office-hours/queue/{entryId}/admit: the
// instructor takes a waiting student in and a chat room for the two opens.
// Two admits at once (two tabs, a double click) admit the student once:
// the second finds the entry no longer waiting.
func admitQueueEntry(e *core.RequestEvent) error {
	return transitionQueueEntry(e, func(txApp core.App, entry *QueueEntry, byInstructor bool) error {
		if !byInstructor {
			return e.ForbiddenError("Only the instructor can admit a student.", nil)
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

// openVisitRoom answers the office-hours chat room of the entry's student
// and instructor from an earlier visit, so the two keep their history, or
// creates one.
func openVisitRoom(txApp core.App, entry *QueueEntry, instructor *core.Record) (string, error) {
	studentId := entry.Student()
	earlier, err := findLastVisit(txApp, instructor.Id, studentId)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return "", err
	}
	if earlier != nil {
		room, err := txApp.FindRecordById(collections.ChatRooms, earlier.ChatRoom())
		if err == nil {
			for _, userId := range []string{instructor.Id, studentId} {
				if err := chat.AddParticipant(txApp, room.Id, userId); err != nil {
					return "", err
				}
			}
			return room.Id, nil
		}
	}

	name := "Office hours: " + instructor.GetString(collections.UserName)
	if student, err := txApp.FindRecordById(collections.Users, studentId); err == nil {
		name += " & " + student.GetString(collections.UserName)
	}
	var courseId string
	if slot, err := FindOfficeHours(txApp, entry.OfficeHours()); err == nil {
		courseId = slot.Course()
	}
	room, err := chat.CreateRoom(txApp, chat.NewRoom{
		Name:         name,
		Type:         collections.ChatRoomTypeOfficeHours,
		CourseId:     courseId,
		CreatedBy:    instructor.Id,
		Participants: []string{instructor.Id, studentId},
	})
	if err != nil {
		return "", err
	}
	return room.Id, nil
}

package officehours

import (
	"fmt"
	"time"

	"github.com/pocketbase/pocketbase/core"

	"studyhall/collections"
	"studyhall/notifications"
)

// The notices of office hours, each sent inside the transaction of the
// change it tells about. Each links to the web app: the queue view
// (/office-hours), or the visit's chat for an admitted student.

// queueURL is the web app's office-hours view, where both the queue and
// the student's place in it are.
const queueURL = "/office-hours"

// noticeStudentJoined tells the instructor that student joined their
// queue: the question, or the position when there is none.
func noticeStudentJoined(txApp core.App, entry *QueueEntry, student *core.Record, question string) error {
	message := fmt.Sprintf("Position %d in your queue.", entry.Position())
	if question != "" {
		message = question
	}
	return sendQueueNotice(txApp, entry, entry.Instructor(), notifications.Notification{
		Type:       collections.TypeOfficeHoursStudentJoined,
		Title:      student.GetString(collections.UserName) + " joined your office hours queue",
		Message:    message,
		ActionURL:  queueURL,
		ActionText: "Open the queue",
	})
}

// noticeAdmitted tells the student that admitter (the instructor or a TA)
// admitted them; its link opens the visit's chat.
func noticeAdmitted(txApp core.App, entry *QueueEntry, admitter *core.Record) error {
	return sendQueueNotice(txApp, entry, entry.Student(), notifications.Notification{
		Type:       collections.TypeOfficeHoursAdmitted,
		Title:      "It's your turn: " + admitter.GetString(collections.UserName) + " admitted you",
		Message:    "Your office hours visit has started. Open the chat to talk with " + admitter.GetString(collections.UserName) + ".",
		Data:       map[string]any{"chatRoomId": entry.ChatRoom()},
		ActionURL:  "/chat/" + entry.ChatRoom(),
		ActionText: "Open chat",
	})
}

// noticeCompleted tells the student their visit with instructor ended,
// and how long it lasted.
func noticeCompleted(txApp core.App, entry *QueueEntry, instructor *core.Record) error {
	seconds := entry.DurationSeconds()
	return sendQueueNotice(txApp, entry, entry.Student(), notifications.Notification{
		Type:       collections.TypeOfficeHoursCompleted,
		Title:      "Your office hours visit is complete",
		Message:    fmt.Sprintf("Your visit with %s lasted %s.", instructor.GetString(collections.UserName), describeVisitLength(seconds)),
		Data:       map[string]any{"durationSeconds": seconds},
		ActionURL:  queueURL,
		ActionText: "Open office hours",
	})
}

// noticeRemoved tells the student that instructor cancelled their place.
func noticeRemoved(txApp core.App, entry *QueueEntry, instructor *core.Record) error {
	return sendQueueNotice(txApp, entry, entry.Student(), notifications.Notification{
		Type:       collections.TypeOfficeHoursCancelled,
		Title:      "Your office hours request was cancelled",
		Message:    instructor.GetString(collections.UserName) + " cancelled your place in the queue.",
		ActionURL:  queueURL,
		ActionText: "Open office hours",
	})
}

// noticeSlotClosed tells the students whose waiting entries a closing slot
// cancelled.
func noticeSlotClosed(txApp core.App, slotId string, students []string) error {
	_, err := notifications.Send(txApp, notifications.Notification{
		Type:              collections.TypeOfficeHoursCancelled,
		Recipients:        students,
		Title:             "Office hours closed",
		Message:           "The office hours you were waiting for have closed, so your place in the queue was cancelled.",
		Data:              map[string]any{"officeHoursId": slotId},
		ActionURL:         queueURL,
		ActionText:        "Open office hours",
		DedupeKey:         notifications.Key(collections.TypeOfficeHoursCancelled, slotId, time.Now().UTC().Format(time.RFC3339)),
		RelatedCollection: collections.OfficeHours,
		RelatedId:         slotId,
	})
	return err
}

// noticeAnnouncement tells the students waiting in the slot's queue what
// author (the instructor or a TA) announced: once per announcement, which
// its time names.
func noticeAnnouncement(txApp core.App, slot *OfficeHours, author *core.Record, students []string) error {
	if len(students) == 0 {
		return nil
	}
	_, err := notifications.Send(txApp, notifications.Notification{
		Type:              collections.TypeOfficeHoursAnnouncement,
		Recipients:        students,
		Title:             "Announcement from " + author.GetString(collections.UserName),
		Message:           slot.Announcement(),
		Data:              map[string]any{"officeHoursId": slot.Id},
		ActionURL:         queueURL,
		ActionText:        "Open the queue",
		DedupeKey:         notifications.Key(collections.TypeOfficeHoursAnnouncement, slot.Id, slot.AnnouncedAt().UTC().Format(time.RFC3339Nano)),
		RelatedCollection: collections.OfficeHours,
		RelatedId:         slot.Id,
	})
	return err
}

// sendQueueNotice sends one notification about a queue entry to userId,
// deduplicated per entry and type.
func sendQueueNotice(txApp core.App, entry *QueueEntry, userId string, n notifications.Notification) error {
	n.Recipients = []string{userId}
	if n.Data == nil {
		n.Data = map[string]any{}
	}
	n.Data["entryId"] = entry.Id
	n.Data["officeHoursId"] = entry.OfficeHours()
	n.DedupeKey = notifications.Key(n.Type, entry.Id)
	n.RelatedCollection = collections.OfficeHoursQueue
	n.RelatedId = entry.Id
	_, err := notifications.Send(txApp, n)
	return err
}

// describeVisitLength writes a visit length for people: "45 s", "12 min".
func describeVisitLength(seconds int) string {
	if seconds < 60 {
		return fmt.Sprintf("%d s", seconds)
	}
	return fmt.Sprintf("%d min", (seconds+30)/60)
}

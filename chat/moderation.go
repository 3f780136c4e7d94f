package chat

import (
	"net/http"

	"github.com/pocketbase/pocketbase/core"

	"studyhall/collections"
	"studyhall/records"
)

// moderatorRule is the API rule, on a chat_rooms record, that the caller
// moderates the room. A room's moderators come from the domain record the
// room belongs to, reached through its back-relation (the session, the
// group or the queue entry whose chatRoom it is):
//   - a session room: the session's instructor;
//   - a study group room: the group's admins (the two conditions name the
//     same joined member row, so both hold for one membership);
//   - an office-hours visit room: the instructor of a queue entry of it;
//   - a session or office-hours room of a course: also the course's
//     teaching assistants (course_staff), who run its queues; the guard on
//     the caller's id keeps a room without a course (whose joined staff
//     row is empty) from matching a guest;
//   - a direct room (and any other): nobody.
//
// PocketBase evaluates it as it evaluates any API rule, so the answer
// follows the domain's rows as they are now: a promoted admin moderates,
// a demoted one no longer does.
var moderatorRule = "(" + collections.ChatRoomType + " = '" + collections.ChatRoomTypeSession + "'" +
	" && " + collections.LiveSessions + "_via_" + collections.LiveSessionChatRoom + "." + collections.LiveSessionInstructor + " ?= @request.auth.id)" +
	" || (" + collections.ChatRoomType + " = '" + collections.ChatRoomTypeStudyGroup + "'" +
	" && " + groupMembersOfRoom + "." + collections.GroupMemberUser + " ?= @request.auth.id" +
	" && " + groupMembersOfRoom + "." + collections.GroupMemberRole + " ?= '" + collections.GroupRoleAdmin + "')" +
	" || (" + collections.ChatRoomType + " = '" + collections.ChatRoomTypeOfficeHours + "'" +
	" && " + collections.OfficeHoursQueue + "_via_" + collections.QueueChatRoom + "." + collections.QueueInstructor + " ?= @request.auth.id)" +
	" || (@request.auth.id != ''" +
	" && (" + collections.ChatRoomType + " = '" + collections.ChatRoomTypeSession + "' || " + collections.ChatRoomType + " = '" + collections.ChatRoomTypeOfficeHours + "')" +
	" && " + collections.ChatRoomCourse + "." + collections.CourseStaff + "_via_" + collections.CourseStaffCourse + "." + collections.CourseStaffUser + " ?= @request.auth.id)"

// groupMembersOfRoom is the path from a room to the member rows of the
// study group it belongs to.
const groupMembersOfRoom = collections.StudyGroups + "_via_" + collections.StudyGroupChatRoom + "." +
	collections.StudyGroupMembers + "_via_" + collections.GroupMemberGroup

// moderatesRoom reports whether auth moderates the room with id roomId
// (see moderatorRule).
func moderatesRoom(app core.App, auth *core.Record, roomId string) (bool, error) {
	room, err := app.FindRecordById(collections.ChatRooms, roomId)
	if err != nil {
		return false, err
	}
	info := &core.RequestInfo{Context: core.RequestInfoContextDefault, Method: http.MethodPost, Auth: auth}
	return app.CanAccessRecord(room, info, &moderatorRule)
}

// keepTombstone makes a removal final: a save of a message that is
// already a tombstone in the database keeps the stored tombstone (when,
// by whom, whether by a moderator, no body). An edit the sender sent just
// before a moderator's removal committed, or a second removal racing the
// first, therefore cannot bring the text back or rewrite who removed it.
// The stored row is read in the transaction that writes.
func keepTombstone(e *core.RecordEvent) error {
	return records.InTransaction(&e.App, e.Next, func(txApp core.App) error {
		stored, err := FindChatMessage(txApp, e.Record.Id)
		if err != nil || !stored.IsDeleted() {
			return nil
		}
		for _, field := range []string{
			collections.ChatMessageDeletedAt, collections.ChatMessageDeletedBy,
			collections.ChatMessageRemovedByModerator, collections.ChatMessageEditedAt,
		} {
			e.Record.Set(field, stored.Get(field))
		}
		e.Record.Set(collections.ChatMessageBody, "")
		return nil
	}, nil)
}

package chat

import (
	"net/http"

	"github.com/pocketbase/pocketbase/core"

	"studyhall/collections"
)

// moderatorRule is the API rule, on a chat_rooms record, that the caller
// moderates the room. A room's moderators come from the domain record the
// room belongs to, reached through its back-relation (the session, the
// group or the queue entry whose chatRoom it is):
//   - a session room: the session's instructor;
//   - a study group room: the group's admins (the two conditions name the
//     same joined member row, so both hold for one membership);
//   - an office-hours visit room: the instructor of a queue entry of it;
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
	" && " + collections.OfficeHoursQueue + "_via_" + collections.QueueChatRoom + "." + collections.QueueInstructor + " ?= @request.auth.id)"

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

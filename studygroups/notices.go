package studygroups

import (
	"slices"
	"strconv"
	"time"

	"github.com/pocketbase/pocketbase/core"

	"studyhall/collections"
	"studyhall/notifications"
)

// memberJoinedWindow is how long a member_joined notice stands for every
// join of its group: a member hears of new members at most once per window.
const memberJoinedWindow = 10 * time.Minute

// notifyMemberJoined tells the group's other members that user joined,
// coalesced: the dedupe key names a 10-minute window, so a member hears
// of new members at most once per window and group.
func notifyMemberJoined(txApp core.App, group *StudyGroup, user *core.Record) error {
	recipients, err := GroupMemberIds(txApp, group.Id)
	if err != nil {
		return err
	}
	recipients = slices.DeleteFunc(recipients, func(id string) bool { return id == user.Id })
	if len(recipients) == 0 {
		return nil
	}
	window := time.Now().Unix() / int64(memberJoinedWindow/time.Second)
	_, err = notifications.Send(txApp, notifications.Notification{
		Type:              collections.TypeStudyGroupMemberJoined,
		Recipients:        recipients,
		Title:             "New member in " + group.Name(),
		Message:           user.GetString(collections.UserName) + " joined " + group.Name() + ".",
		Data:              map[string]any{"groupId": group.Id, "userId": user.Id},
		ActionURL:         groupURL(group),
		ActionText:        "Open the group",
		DedupeKey:         notifications.Key(collections.TypeStudyGroupMemberJoined, group.Id, strconv.FormatInt(window, 10)),
		RelatedCollection: collections.StudyGroups,
		RelatedId:         group.Id,
	})
	return err
}

// notifyInvited tells the invitee who invited them to the group.
func notifyInvited(txApp core.App, group *StudyGroup, invitation *Invitation, inviter *core.Record) error {
	_, err := notifications.Send(txApp, notifications.Notification{
		Type:              collections.TypeStudyGroupInvite,
		Recipients:        []string{invitation.Invitee()},
		Title:             "Invitation to " + group.Name(),
		Message:           inviter.GetString(collections.UserName) + " invited you to the study group " + group.Name() + ".",
		Data:              map[string]any{"groupId": group.Id, "invitationId": invitation.Id, "inviterId": inviter.Id},
		ActionURL:         groupURL(group),
		ActionText:        "See the invitation",
		DedupeKey:         notifications.Key(collections.TypeStudyGroupInvite, invitation.Id),
		RelatedCollection: collections.StudyGroupInvitations,
		RelatedId:         invitation.Id,
	})
	return err
}

// notifyRoleChanged tells a member that they became, or stopped being,
// an admin of the group.
func notifyRoleChanged(txApp core.App, group *StudyGroup, member *GroupMember) error {
	message := "You are now an admin of " + group.Name() + "."
	if !member.IsAdmin() {
		message = "You are no longer an admin of " + group.Name() + "."
	}
	_, err := notifications.Send(txApp, notifications.Notification{
		Type:              collections.TypeStudyGroupRoleChanged,
		Recipients:        []string{member.User()},
		Title:             "Your role in " + group.Name(),
		Message:           message,
		Data:              map[string]any{"groupId": group.Id, "role": member.Role()},
		ActionURL:         groupURL(group),
		ActionText:        "Open the group",
		RelatedCollection: collections.StudyGroups,
		RelatedId:         group.Id,
	})
	return err
}

// groupURL is the web app's page of the group, where its notices lead.
func groupURL(group *StudyGroup) string {
	return "/study-groups/" + group.Id
}

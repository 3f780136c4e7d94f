package commands

import (
	"errors"

	"github.com/pocketbase/pocketbase/core"

	"studyhall/collections"
)

// seedStudyGroups creates, or finds, two demo study groups: a public one of
// the demo course that anyone can join, and a private one to which the
// first demo student (student@studyhall.test) has a pending invitation.
// Each group's chat room and first admin come from the study group hooks.
func seedStudyGroups(txApp core.App, demo *Demo) error {
	if len(demo.Students) < 3 {
		return errors.New("seed study groups: needs three demo students")
	}
	owner, member, invitee := demo.Students[1], demo.Students[2], demo.Students[0]

	public, err := ensureRecord(txApp, collections.StudyGroups, map[string]any{
		collections.StudyGroupName:  "Algebra study circle",
		collections.StudyGroupOwner: owner.Id,
	}, map[string]any{
		collections.StudyGroupDescription: "Weekly problem sets, worked through together. Everyone is welcome.",
		collections.StudyGroupCourse:      demo.Course.Id,
		collections.StudyGroupVisibility:  collections.StudyGroupPublic,
		collections.StudyGroupMaxMembers:  20,
	})
	if err != nil {
		return err
	}
	private, err := ensureRecord(txApp, collections.StudyGroups, map[string]any{
		collections.StudyGroupName:  "Exam prep",
		collections.StudyGroupOwner: owner.Id,
	}, map[string]any{
		collections.StudyGroupDescription: "A small group for the final exam, by invitation.",
		collections.StudyGroupCourse:      demo.Course.Id,
		collections.StudyGroupVisibility:  collections.StudyGroupPrivate,
		collections.StudyGroupMaxMembers:  5,
	})
	if err != nil {
		return err
	}

	for _, group := range []*core.Record{public, private} {
		if _, err := ensureRecord(txApp, collections.StudyGroupMembers, map[string]any{
			collections.GroupMemberGroup: group.Id,
			collections.GroupMemberUser:  member.Id,
		}, map[string]any{
			collections.GroupMemberRole: collections.GroupRoleMember,
		}); err != nil {
			return err
		}
	}

	// found again once answered, so a second seed never re-invites
	_, err = ensureRecord(txApp, collections.StudyGroupInvitations, map[string]any{
		collections.InvitationGroup:   private.Id,
		collections.InvitationInvitee: invitee.Id,
	}, map[string]any{
		collections.InvitationInviter: owner.Id,
		collections.InvitationStatus:  collections.InvitationPending,
	})
	return err
}

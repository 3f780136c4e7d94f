package migrations

import (
	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"

	"studyhall/collections"
)

// Server-owned fields leave the API rules.
//
// The create and update rules used to refuse server-owned fields
// themselves (`instructor = @request.auth.id`, `@request.body.owner:isset =
// false`, ...). PocketBase checks a rule before any hook runs and answers a
// failed one with a bare "Failed to create record." (or a 404 on update),
// naming no field, and refused even the value the server would set. The
// rules below say only who may create or update what; hooks/server_owned.go
// holds the one table of server-owned fields and answers any other value
// than the server's with a 400 naming the field.
//
// Kept in the rules: who may write (roles, ownership of the stored record,
// enrollment, participation), fields fixed once created (an enrollment's
// course, a lesson's course, a message's room and replyTo, a progress
// row's lesson, a submission's assessment, a group's course), and what a
// role may not write (a student's score and feedback, a student's
// enrollment status other than active or dropped).
func init() {
	m.Register(func(app core.App) error {
		return setOwnedRules(app, serverOwnedRules, func(r ownedRuleChange) (*string, *string) { return r.create, r.update })
	}, func(app core.App) error {
		return setOwnedRules(app, serverOwnedRules, func(r ownedRuleChange) (*string, *string) { return r.oldCreate, r.oldUpdate })
	})
}

// ownedRuleChange is one collection's create and update rules, after and before.
type ownedRuleChange struct {
	collection           string
	create, update       *string
	oldCreate, oldUpdate *string
}

var serverOwnedRules = func() []ownedRuleChange {
	gradeUntouched := "@request.body.score:isset = false && @request.body.feedback:isset = false"
	oldGradeUntouched := "@request.body.score:isset = false && @request.body.gradedAt:isset = false && @request.body.feedback:isset = false"
	adminOf := "(study_group_members_via_group.user ?= @request.auth.id && study_group_members_via_group.role ?= 'admin')"
	groupServerFields := "@request.body.owner:isset = false && @request.body.memberCount:isset = false && @request.body.chatRoom:isset = false"
	groupCourse := "(course = '' || course.published = true || course.instructor = @request.auth.id)"
	manualUntouched := "@request.body.manualState:isset = false && @request.body.manualUntil:isset = false"
	participant := "room.participants.id ?= @request.auth.id"
	enrollmentUpdate := "@request.body.course:isset = false && (course.instructor = @request.auth.id || (student = @request.auth.id && status != 'completed' && (@request.body.status:isset = false || @request.body.status = 'active' || @request.body.status = 'dropped')))"

	return []ownedRuleChange{
		{
			collection: collections.Users,
			create:     rule(""),
			update:     rule("id = @request.auth.id"),
			oldCreate:  rule("@request.body.role:isset = false || @request.body.role = 'student'"),
			oldUpdate:  rule("id = @request.auth.id && (@request.body.role:isset = false || @request.body.role = role)"),
		},
		{
			collection: collections.Courses,
			create:     rule("@request.auth.role = 'instructor'"),
			update:     rule("instructor = @request.auth.id"),
			oldCreate:  rule("@request.auth.role = 'instructor' && instructor = @request.auth.id"),
			oldUpdate:  rule("instructor = @request.auth.id && (@request.body.instructor:isset = false || @request.body.instructor = @request.auth.id)"),
		},
		{
			collection: collections.Enrollments,
			create:     rule("@request.auth.id != '' && course.published = true && course.instructor != @request.auth.id"),
			update:     rule(enrollmentUpdate),
			oldCreate:  rule("@request.auth.id != '' && student = @request.auth.id && course.published = true && course.instructor != @request.auth.id && (@request.body.status:isset = false || @request.body.status = 'active')"),
			oldUpdate:  rule("@request.body.course:isset = false && @request.body.student:isset = false && (course.instructor = @request.auth.id || (student = @request.auth.id && status != 'completed' && (@request.body.status:isset = false || @request.body.status = 'active' || @request.body.status = 'dropped')))"),
		},
		{
			collection: collections.LessonProgress,
			create:     rule("@request.auth.id != '' && lesson.published = true && " + enrolledIn("lesson.course")),
			update:     rule("student = @request.auth.id && @request.body.lesson:isset = false"),
			oldCreate:  rule("student = @request.auth.id && lesson.published = true && " + enrolledIn("lesson.course")),
			oldUpdate:  rule("student = @request.auth.id && @request.body.lesson:isset = false && @request.body.student:isset = false && @request.body.course:isset = false"),
		},
		{
			collection: collections.Submissions,
			create:     rule("@request.auth.id != '' && assessment.published = true && " + enrolledIn("assessment.course") + " && " + gradeUntouched),
			update: rule("@request.body.assessment:isset = false && (" +
				"(student = @request.auth.id && gradedAt = '' && " + gradeUntouched + ") || " +
				"(assessment.course.instructor = @request.auth.id && @request.body.content:isset = false))"),
			oldCreate: rule("student = @request.auth.id && assessment.published = true && " + enrolledIn("assessment.course") + " && " + oldGradeUntouched),
			oldUpdate: rule("@request.body.assessment:isset = false && @request.body.student:isset = false && @request.body.submittedAt:isset = false && (" +
				"(student = @request.auth.id && gradedAt = '' && " + oldGradeUntouched + ") || " +
				"(assessment.course.instructor = @request.auth.id && @request.body.content:isset = false))"),
		},
		{
			collection: collections.NotificationPreferences,
			create:     superusersOnly,
			update:     rule("user = @request.auth.id"),
			oldCreate:  superusersOnly,
			oldUpdate:  rule("user = @request.auth.id && @request.body.user:isset = false"),
		},
		{
			collection: collections.LiveSessions,
			create:     rule("@request.auth.role = 'instructor' && (course = '' || course.instructor = @request.auth.id)"),
			update:     rule("instructor = @request.auth.id"),
			oldCreate:  rule("@request.auth.role = 'instructor' && instructor = @request.auth.id && (course = '' || course.instructor = @request.auth.id)"),
			oldUpdate:  rule("instructor = @request.auth.id && (@request.body.instructor:isset = false || @request.body.instructor = @request.auth.id)"),
		},
		{
			collection: collections.OfficeHours,
			create:     rule("@request.auth.role = 'instructor'"),
			update:     rule("instructor = @request.auth.id"),
			oldCreate:  rule("@request.auth.role = 'instructor' && instructor = @request.auth.id && " + manualUntouched),
			oldUpdate:  rule("instructor = @request.auth.id && (@request.body.instructor:isset = false || @request.body.instructor = @request.auth.id) && " + manualUntouched),
		},
		{
			collection: collections.StudyGroups,
			create:     rule("@request.auth.collectionName = 'users' && " + groupCourse),
			update:     rule("@request.auth.id != '' && (owner = @request.auth.id || " + adminOf + ") && @request.body.course:isset = false"),
			oldCreate:  rule("@request.auth.collectionName = 'users' && " + groupServerFields + " && @request.body.active:isset = false && " + groupCourse),
			oldUpdate:  rule("@request.auth.id != '' && (owner = @request.auth.id || " + adminOf + ") && " + groupServerFields + " && @request.body.course:isset = false"),
		},
		{
			collection: collections.ChatMessages,
			create:     rule(participant),
			update:     rule("sender = @request.auth.id && deletedAt = '' && " + participant + " && @request.body.room:isset = false && @request.body.replyTo:isset = false"),
			oldCreate: rule("sender = @request.auth.id && " + participant +
				" && @request.body.editedAt:isset = false && @request.body.deletedAt:isset = false"),
			oldUpdate: rule("sender = @request.auth.id && deletedAt = '' && " + participant +
				" && @request.body.room:isset = false && @request.body.sender:isset = false && @request.body.replyTo:isset = false" +
				" && @request.body.editedAt:isset = false && @request.body.deletedAt:isset = false"),
		},
	}
}()

// setOwnedRules saves each collection's create and update rules as pick chooses.
func setOwnedRules(app core.App, changes []ownedRuleChange, pick func(ownedRuleChange) (*string, *string)) error {
	for _, change := range changes {
		c, err := app.FindCollectionByNameOrId(change.collection)
		if err != nil {
			return err
		}
		c.CreateRule, c.UpdateRule = pick(change)
		if err := app.Save(c); err != nil {
			return err
		}
	}
	return nil
}

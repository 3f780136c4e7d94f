package records

import (
	"fmt"

	validation "github.com/pocketbase/ozzo-validation/v4"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/hook"

	"studyhall/collections"
)

// Server-owned fields: one table and one binding for the whole records API.
//
// A field is the server's when the server decides its value: who owns or
// wrote a record, the counts it keeps, the statuses its routes drive, the
// times it stamps, the rooms it makes. Through the records API a client may
// leave such a field out, or send exactly the value the server would set
// (its own id as owner, the default status, a count at its current value);
// any other value is a 400 whose data names every such field at once:
//
//	{"data":{"owner":{"code":"validation_server_field","message":"Set by the server only."}}}
//
// The API rules of these collections leave the fields alone (migration
// 1764101100), so that the refusal reaches the client with the field's name
// instead of PocketBase's bare "Failed to create record.".
//
// Superusers are exempt: the dashboard sends every field of a record on
// each save, and superusers repair data (hand a group to another owner,
// correct a stamp). What the server derives on every save (a session's
// attendeeCount, a group's memberCount, a progress row's course) is derived
// again whoever saves.

// Code and message of a server-owned field a client set to another value.
// The code is the one live sessions have answered with since 0.4.0.
const (
	codeServerField    = "validation_server_field"
	messageServerField = "Set by the server only."
)

// serverOwnedPriority runs the check before every other request hook, so
// that it compares the client's values and the stamps that other hooks set
// (submittedAt, editedAt) come after it.
const serverOwnedPriority = -100

// ownedField is one server-owned field of a collection.
type ownedField struct {
	name string
	// create is the value the server gives a new record.
	create func(e *core.RecordRequestEvent) any
	// clientUpdates: the server sets only the first value; the client may
	// change it afterwards (a group's active, an enrollment's status).
	// Otherwise an update must keep the stored value.
	clientUpdates bool
}

// byCaller is a field that names the caller: owner, instructor, student,
// sender, user. It is kept on update.
func byCaller(name string) ownedField {
	return ownedField{name: name, create: func(e *core.RecordRequestEvent) any {
		if e.Auth == nil {
			return ""
		}
		return e.Auth.Id
	}}
}

// kept is a field whose value on create is value and which only the
// server's own code changes afterwards. For a time the server stamps when
// it saves, value is "": no client can know the moment, so the only value
// a client may send is an empty one.
func kept(name string, value any) ownedField {
	return ownedField{name: name, create: func(*core.RecordRequestEvent) any { return value }}
}

// initially is a field that starts at value and is the client's afterwards.
func initially(name string, value any) ownedField {
	return ownedField{name: name, create: func(*core.RecordRequestEvent) any { return value }, clientUpdates: true}
}

// serverOwned lists, per collection, every server-owned field that a
// non-superuser can reach through the records API. Collections written by
// superusers only (notifications, holds, emails, outbox, digests, payments,
// chat rooms and read marks, attendance, queue entries, members,
// invitations, presence) need no row: PocketBase answers 403 before any
// field is read. Hidden fields (live_sessions.reminderSentFor,
// chat_rooms.directKey) are dropped from a non-superuser's body by
// PocketBase; created and updated are PocketBase's own autodate fields,
// which no input ever sets.
var serverOwned = map[string][]ownedField{
	collections.Users: {
		kept(collections.UserRole, collections.RoleStudent),
		// an email is never shown to other users
		kept(collections.UserEmailVisibility, false),
	},
	collections.Courses: {
		byCaller(collections.CourseInstructor),
	},
	collections.Enrollments: {
		byCaller(collections.EnrollmentStudent),
		initially(collections.EnrollmentStatus, collections.EnrollmentActive),
	},
	collections.LessonProgress: {
		byCaller(collections.ProgressStudent),
		{name: collections.ProgressCourse, create: lessonCourse},
	},
	collections.Submissions: {
		byCaller(collections.SubmissionStudent),
		kept(collections.SubmissionSubmittedAt, ""),
		kept(collections.SubmissionGradedAt, ""),
	},
	collections.NotificationPreferences: {
		// created with the user, by the server
		byCaller(collections.PreferenceUser),
	},
	collections.LiveSessions: {
		byCaller(collections.LiveSessionInstructor),
		kept(collections.LiveSessionStatus, collections.LiveSessionScheduled),
		kept(collections.LiveSessionStartedAt, ""),
		kept(collections.LiveSessionEndedAt, ""),
		kept(collections.LiveSessionAttendeeCount, 0),
		kept(collections.LiveSessionChatRoom, ""),
		kept(collections.LiveSessionWaitlistCount, 0),
		// occurrences are made by their series, never by a client
		kept(collections.LiveSessionSeries, ""),
	},
	collections.SessionSeries: {
		byCaller(collections.SeriesInstructor),
	},
	collections.OfficeHours: {
		byCaller(collections.OfficeHoursInstructor),
		kept(collections.OfficeHoursManualState, ""),
		kept(collections.OfficeHoursManualUntil, ""),
		// the pause, resume and announce routes
		kept(collections.OfficeHoursPausedAt, ""),
		kept(collections.OfficeHoursAnnouncement, ""),
		kept(collections.OfficeHoursAnnouncedAt, ""),
	},
	collections.StudyGroups: {
		byCaller(collections.StudyGroupOwner),
		kept(collections.StudyGroupMemberCount, 1),
		initially(collections.StudyGroupActive, true),
		kept(collections.StudyGroupChatRoom, ""),
	},
	collections.ChatMessages: {
		byCaller(collections.ChatMessageSender),
		kept(collections.ChatMessageEditedAt, ""),
		kept(collections.ChatMessageDeletedAt, ""),
		kept(collections.ChatMessageDeletedBy, ""),
		kept(collections.ChatMessageRemovedByModerator, false),
	},
}

// lessonCourse is the course of the progress row's lesson, or "" for a
// lesson that does not exist (which the schema then refuses).
func lessonCourse(e *core.RecordRequestEvent) any {
	lesson, err := e.App.FindRecordById(collections.Lessons, e.Record.GetString(collections.ProgressLesson))
	if err != nil {
		return ""
	}
	return lesson.GetString(collections.LessonCourse)
}

// BindServerOwned enforces serverOwned on every create and update request.
func BindServerOwned(app core.App) {
	names := make([]string, 0, len(serverOwned))
	for name := range serverOwned {
		names = append(names, name)
	}
	app.OnRecordCreateRequest(names...).Bind(&hook.Handler[*core.RecordRequestEvent]{
		Id:       "studyhallServerOwnedCreate",
		Priority: serverOwnedPriority,
		Func:     func(e *core.RecordRequestEvent) error { return checkServerOwned(e, "Failed to create record.") },
	})
	app.OnRecordUpdateRequest(names...).Bind(&hook.Handler[*core.RecordRequestEvent]{
		Id:       "studyhallServerOwnedUpdate",
		Priority: serverOwnedPriority,
		Func:     func(e *core.RecordRequestEvent) error { return checkServerOwned(e, "Failed to update record.") },
	})
}

// checkServerOwned compares every server-owned field the request sent with
// the value the server would set, and refuses the request, naming each
// field that differs. A new record then gets the server's values; an
// update keeps the stored ones, which the client either left out or sent
// unchanged.
func checkServerOwned(e *core.RecordRequestEvent, message string) error {
	if e.HasSuperuserAuth() {
		return e.Next()
	}
	info, err := e.RequestInfo()
	if err != nil {
		return e.BadRequestError("", err)
	}
	isNew := e.Record.IsNew()
	errs := validation.Errors{}
	for _, f := range serverOwned[e.Collection.Name] {
		if !isNew && f.clientUpdates {
			continue
		}
		var want any
		if isNew {
			want = f.create(e)
		} else {
			want = e.Record.Original().Get(f.name)
		}
		if _, sent := info.Body[f.name]; sent && !holds(e.Record, f.name, want) {
			errs[f.name] = validation.NewError(codeServerField, messageServerField)
			continue
		}
		if isNew {
			e.Record.Set(f.name, want)
		}
	}
	if len(errs) > 0 {
		return e.BadRequestError(message, errs)
	}
	return e.Next()
}

// holds reports whether the record's field holds want, both read as the
// field reads them ("3" and 3 are one number, "" and null one empty date).
func holds(record *core.Record, name string, want any) bool {
	field := record.Collection().Fields.GetByName(name)
	if field == nil {
		return true
	}
	prepared, err := field.PrepareValue(record, want)
	if err != nil {
		return false
	}
	return fmt.Sprint(record.Get(name)) == fmt.Sprint(prepared)
}

package officehours

import (
	"strings"

	validation "github.com/pocketbase/ozzo-validation/v4"
	"github.com/pocketbase/pocketbase/core"

	"studyhall/collections"
	"studyhall/plaintext"
	"studyhall/request"
)

// completeQueueForm is the optional body of .../complete: the
// instructor's notes on the visit, and whether the student sees them.
type completeQueueForm struct {
	InstructorNotes *string `json:"instructorNotes"`
	NotesShared     *bool   `json:"notesShared"`
}

// Validate cleans the notes to plain text and checks their length.
func (f *completeQueueForm) Validate() error {
	if f.InstructorNotes == nil {
		return nil
	}
	notes := strings.TrimSpace(plaintext.Clean(*f.InstructorNotes))
	f.InstructorNotes = &notes
	return validation.ValidateStruct(f,
		validation.Field(&f.InstructorNotes, validation.RuneLength(0, collections.MaxInstructorNotesLength)),
	)
}

// completeQueueEntry is POST /api/office-hours/queue/{entryId}/complete:
// the slot's staff end an admitted visit, whose length then feeds the
// queue's wait estimates. TAs write the visit's notes as the instructor
// does.
func completeQueueEntry(e *core.RequestEvent) error {
	form := &completeQueueForm{}
	if err := request.BindForm(e, form); err != nil {
		return err
	}
	return transitionQueueEntry(e, func(txApp core.App, entry *QueueEntry, byStaff bool) error {
		if !byStaff {
			return e.ForbiddenError("Only the instructor or a teaching assistant can complete a visit.", nil)
		}
		if entry.Status() != collections.QueueAdmitted {
			return queueStatusConflict(entry, "Only an admitted entry can be completed.")
		}
		entry.markCompleted()
		if form.InstructorNotes != nil {
			entry.SetInstructorNotes(*form.InstructorNotes)
		}
		if form.NotesShared != nil {
			entry.SetNotesShared(*form.NotesShared)
		}
		if err := txApp.Save(entry); err != nil {
			return err
		}
		// the new visit length changes everyone's estimate
		if err := renumberQueue(txApp, entry.OfficeHours(), entry.Instructor(), nil); err != nil {
			return err
		}
		return noticeCompleted(txApp, entry, e.Auth)
	})
}

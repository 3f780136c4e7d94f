package officehours

import (
	"strings"

	validation "github.com/pocketbase/ozzo-validation/v4"
	"github.com/pocketbase/pocketbase/core"

	"studyhall/collections"
	"studyhall/plaintext"
	"studyhall/request"
)

// questionForm is the body of POST /api/office-hours/queue/{entryId}/question.
type questionForm struct {
	Question *string `json:"question"`
}

// Validate cleans the question to plain text and checks its length; the
// field must be there (an empty question clears it).
func (f *questionForm) Validate() error {
	if f.Question != nil {
		question := strings.TrimSpace(plaintext.Clean(*f.Question))
		f.Question = &question
	}
	return validation.ValidateStruct(f,
		validation.Field(&f.Question, validation.NotNil, validation.RuneLength(0, collections.MaxQuestionLength)),
	)
}

// editQuestion is POST /api/office-hours/queue/{entryId}/question: the
// student changes the question of their waiting entry, which keeps its
// place. A route rather than a records-API update, so that the queue
// stays written by the server only (office_hours_queue has no update
// rule) and the change goes through the same transaction and fan-out as
// every other queue change. Limited per user.
func editQuestion(e *core.RequestEvent, limiter *request.UserLimiter) error {
	form := &questionForm{}
	if err := request.BindForm(e, form); err != nil {
		return err
	}
	if err := request.LimitUser(e, limiter, "Too many edits: wait a moment and try again."); err != nil {
		return err
	}
	return transitionQueueEntry(e, func(txApp core.App, entry *QueueEntry, byStaff bool) error {
		if byStaff {
			return e.ForbiddenError("Only the student can edit their question.", nil)
		}
		if entry.Status() != collections.QueueWaiting {
			return queueStatusConflict(entry, "Only a waiting entry's question can be edited.")
		}
		if entry.Question() == *form.Question {
			return nil
		}
		entry.SetQuestion(*form.Question)
		return txApp.Save(entry)
	})
}

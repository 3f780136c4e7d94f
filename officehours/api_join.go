package officehours

import (
	"net/http"
	"strings"
	"time"

	validation "github.com/pocketbase/ozzo-validation/v4"
	"github.com/pocketbase/pocketbase/core"

	"studyhall/collections"
	"studyhall/plaintext"
	"studyhall/request"
)

// joinQueueForm is the body of POST /api/office-hours/{id}/queue.
type joinQueueForm struct {
	Question string `json:"question"`
}

// Validate cleans the question to plain text and checks its length.
func (f *joinQueueForm) Validate() error {
	f.Question = strings.TrimSpace(plaintext.Clean(f.Question))
	return validation.ValidateStruct(f,
		validation.Field(&f.Question, validation.RuneLength(0, collections.MaxQuestionLength)),
	)
}

// joinOfficeHoursQueue is POST /api/office-hours/{id}/queue: the caller
// joins the slot's queue at the end, while the slot is open and they have
// no other active entry with its instructor.
func joinOfficeHoursQueue(e *core.RequestEvent) error {
	form := &joinQueueForm{}
	if err := request.BindForm(e, form); err != nil {
		return err
	}

	var entry *QueueEntry
	err := request.Tx(e, func(txApp core.App) error {
		slot, err := findVisibleSlot(e, txApp)
		if err != nil {
			return err
		}
		if slot.Instructor() == e.Auth.Id {
			return request.CodedError(http.StatusForbidden, codeOwnQueue, "You cannot join your own office hours queue.")
		}
		if !slot.IsOpen(time.Now()) {
			return request.ConflictError(codeSlotClosed, "These office hours are closed right now.")
		}
		if entry, err = queueStudent(txApp, slot, e.Auth.Id, form.Question); err != nil {
			return err
		}
		if entry == nil {
			return request.ConflictError(codeAlreadyQueued, "You already have an active place in this instructor's queue.")
		}
		return noticeStudentJoined(txApp, entry, e.Auth, form.Question)
	})
	if err != nil {
		return err
	}
	return request.RespondRecord(e, entry.Record)
}

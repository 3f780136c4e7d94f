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
// joins the slot's queue at the end, while the slot is open and not
// paused, within its daily visit limit, and with no other active entry
// with its instructor. The slot's own staff do not queue in it.
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
		staff, err := isSlotStaff(txApp, slot, e.Auth.Id)
		if err != nil {
			return err
		}
		if staff {
			return request.CodedError(http.StatusForbidden, codeOwnQueue, "You cannot join the queue of office hours you run.")
		}
		now := time.Now()
		if !slot.IsOpen(now) {
			return request.ConflictError(codeSlotClosed, "These office hours are closed right now.")
		}
		if slot.Paused() {
			return request.ConflictError(codeQueuePaused, "The queue is paused: nobody new can join until the staff resume it.")
		}
		if err := checkVisitLimit(txApp, slot, e.Auth.Id, now); err != nil {
			return err
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

// checkVisitLimit is the 409 visit_limit of a student who already had the
// slot's maxVisitsPerDay visits today, in the slot's zone; data.limit is
// the limit.
func checkVisitLimit(txApp core.App, slot *OfficeHours, studentId string, now time.Time) error {
	limit := slot.MaxVisitsPerDay()
	if limit <= 0 {
		return nil
	}
	weekly, err := slot.Weekly()
	if err != nil {
		return err
	}
	from, to := weekly.Day(now)
	visits, err := countVisits(txApp, slot.Id, studentId, from, to)
	if err != nil {
		return err
	}
	if visits < limit {
		return nil
	}
	conflict := request.ConflictError(codeVisitLimit, "You have reached today's limit of visits to these office hours.")
	conflict.Data["limit"] = limit
	return conflict
}

package officehours

import (
	"strings"
	"time"

	validation "github.com/pocketbase/ozzo-validation/v4"
	"github.com/pocketbase/pocketbase/core"

	"studyhall/collections"
	"studyhall/plaintext"
	"studyhall/request"
)

// announceForm is the body of POST /api/office-hours/{id}/announce.
type announceForm struct {
	Message string `json:"message"`
}

// Validate cleans the message to plain text and wants something visible
// in it, at most MaxAnnouncementLength characters.
func (f *announceForm) Validate() error {
	f.Message = strings.TrimSpace(plaintext.Clean(f.Message))
	if !plaintext.Visible(f.Message) {
		f.Message = ""
	}
	return validation.ValidateStruct(f,
		validation.Field(&f.Message, validation.Required, validation.RuneLength(1, collections.MaxAnnouncementLength)),
	)
}

// announceToQueue is POST /api/office-hours/{id}/announce: the staff post
// a short announcement ("5 min break", "bring your code") to the queue.
// It is stored on the slot, so the slot's realtime update brings it to
// everyone who follows the queue and those who join later still see it,
// and every student waiting gets an in-app notice. Limited per user, as
// it fans out.
func announceToQueue(e *core.RequestEvent, limiter *request.UserLimiter) error {
	form := &announceForm{}
	if err := request.BindForm(e, form); err != nil {
		return err
	}
	if err := request.LimitUser(e, limiter, "Too many announcements: wait a moment and try again."); err != nil {
		return err
	}
	return changeStaffSlot(e, func(txApp core.App, slot *OfficeHours) error {
		slot.SetAnnouncement(form.Message, time.Now())
		if err := txApp.Save(slot); err != nil {
			return err
		}
		waiting, err := findWaitingEntries(txApp, slot.Id)
		if err != nil {
			return err
		}
		students := make([]string, len(waiting))
		for i, entry := range waiting {
			students[i] = entry.Student()
		}
		return noticeAnnouncement(txApp, slot, e.Auth, students)
	})
}

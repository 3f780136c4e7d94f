package officehours

import (
	"fmt"
	"net/http"
	"slices"

	validation "github.com/pocketbase/ozzo-validation/v4"
	"github.com/pocketbase/pocketbase/apis"
	"github.com/pocketbase/pocketbase/core"

	"studyhall/collections"
	"studyhall/request"
)

// admitGroupForm is the body of POST /api/office-hours/{id}/admit-group.
type admitGroupForm struct {
	EntryIds []string `json:"entryIds"`
}

// Validate wants 2 to MaxGroupAdmit distinct entry ids.
func (f *admitGroupForm) Validate() error {
	return validation.ValidateStruct(f,
		validation.Field(&f.EntryIds,
			validation.Required,
			validation.Length(2, collections.MaxGroupAdmit),
			validation.Each(validation.Required, validation.Length(1, 64)),
			validation.By(distinctIds),
		),
	)
}

// distinctIds refuses a list that names an entry twice.
func distinctIds(value any) error {
	ids, _ := value.([]string)
	sorted := slices.Clone(ids)
	slices.Sort(sorted)
	if len(slices.Compact(sorted)) != len(ids) {
		return validation.NewError("validation_duplicate", "Each entry may be named once.")
	}
	return nil
}

// admitGroupAnswer is what a grouped admit answers: the shared room and
// the admitted entries, in the order given.
type admitGroupAnswer struct {
	ChatRoom string         `json:"chatRoom"`
	Items    []*core.Record `json:"items"`
}

// admitQueueGroup is POST /api/office-hours/{id}/admit-group: the staff
// take several waiting students with the same question in together. In
// one transaction every named entry leaves the line, admitted into one
// new chat room of all those students and the admitter, the positions of
// everyone left are renumbered 1..N once, and each student is told. Every
// entry must be waiting in this slot's queue and visible to the caller
// (404 otherwise); one that is not waiting any more (admitted by someone
// else a moment ago) fails the whole group with 409, and nothing changes.
func admitQueueGroup(e *core.RequestEvent) error {
	form := &admitGroupForm{}
	if err := request.BindForm(e, form); err != nil {
		return err
	}
	var answer admitGroupAnswer
	err := request.Tx(e, func(txApp core.App) error {
		slot, err := findStaffSlot(e, txApp)
		if err != nil {
			return err
		}
		entries := make([]*QueueEntry, len(form.EntryIds))
		participants := []string{e.Auth.Id}
		for i, id := range form.EntryIds {
			entry, err := findVisibleEntry(e, txApp, id)
			if err != nil {
				return err
			}
			if entry.OfficeHours() != slot.Id {
				conflict := request.ConflictError(codeWrongSlot, "Every entry of a group must be in this queue.")
				conflict.Data["entryId"] = id
				return conflict
			}
			if entry.Status() != collections.QueueWaiting {
				conflict := queueStatusConflict(entry, "Only waiting entries can be admitted together.")
				conflict.Data["entryId"] = id
				return conflict
			}
			entries[i] = entry
			participants = append(participants, entry.Student())
		}

		name := fmt.Sprintf("Office hours: %s & %d students", e.Auth.GetString(collections.UserName), len(entries))
		roomId, err := createVisitRoom(txApp, slot.Id, e.Auth.Id, name, participants)
		if err != nil {
			return err
		}
		for _, entry := range entries {
			entry.markAdmitted(roomId)
			if err := txApp.Save(entry); err != nil {
				return err
			}
		}
		if err := renumberQueue(txApp, slot.Id, slot.Instructor(), nil); err != nil {
			return err
		}
		for _, entry := range entries {
			if err := noticeAdmitted(txApp, entry, e.Auth); err != nil {
				return err
			}
		}
		answer.ChatRoom = roomId
		answer.Items = make([]*core.Record, len(entries))
		for i, entry := range entries {
			answer.Items[i] = entry.Record
		}
		return nil
	})
	if err != nil {
		return err
	}
	if err := apis.EnrichRecords(e, answer.Items); err != nil {
		return e.InternalServerError("", err)
	}
	return e.JSON(http.StatusOK, answer)
}

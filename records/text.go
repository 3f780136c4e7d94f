// Package records holds what every collection shares at the record level:
// plain-text fields, link lengths, the transaction a record hook runs in,
// and the small query helpers.
package records

import (
	"fmt"

	validation "github.com/pocketbase/ozzo-validation/v4"
	"github.com/pocketbase/pocketbase/core"

	"studyhall/collections"
	"studyhall/plaintext"
)

// BindText keeps every text field of every collection plain text: control
// and bidi control characters are removed on each save, from the API, the
// dashboard or code alike (plaintext.Clean). A required text (a name, a
// title) given a value with nothing visible in it (spaces, zero-width
// characters) is saved as empty, so that the field's own rule refuses it
// with a field error (validation_required). System fields (token keys,
// ids) are left alone.
func BindText(app core.App) {
	strip := func(e *core.RecordEvent) error {
		for _, field := range e.Record.Collection().Fields {
			text, ok := field.(*core.TextField)
			if !ok || text.System || text.PrimaryKey {
				continue
			}
			value := e.Record.GetString(text.Name)
			clean := plaintext.Clean(value)
			// only a value being set now: a stored one stays savable
			if text.Required && clean != "" && !plaintext.Visible(clean) &&
				(e.Record.IsNew() || value != e.Record.Original().GetString(text.Name)) {
				clean = ""
			}
			if clean != value {
				e.Record.Set(text.Name, clean)
			}
		}
		return e.Next()
	}
	app.OnRecordCreate().BindFunc(strip)
	app.OnRecordUpdate().BindFunc(strip)
}

// CheckURLLengths adds an error for each of the record's link fields
// longer than collections.MaxURLLength (a URL field has no length of its
// own).
func CheckURLLengths(errs validation.Errors, record *core.Record, fields ...string) {
	for _, field := range fields {
		if len(record.GetString(field)) > collections.MaxURLLength {
			errs[field] = validation.NewError("validation_max_text_constraint",
				fmt.Sprintf("Must be no more than %d characters.", collections.MaxURLLength))
		}
	}
}

package records

import (
	"time"

	validation "github.com/pocketbase/ozzo-validation/v4"
)

// ValidateTimezone accepts IANA zone names such as "Europe/Berlin" and
// "UTC". It refuses the empty name and "Local", which would mean the
// server's own clock.
func ValidateTimezone(name string) error {
	if name == "" || name == "Local" {
		return validation.NewError("validation_invalid_timezone", "Must be an IANA time zone such as Europe/Berlin.")
	}
	if _, err := time.LoadLocation(name); err != nil {
		return validation.NewError("validation_invalid_timezone", "Must be an IANA time zone such as Europe/Berlin.")
	}
	return nil
}

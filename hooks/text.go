package hooks

import (
	"strings"
	"unicode"

	"github.com/pocketbase/pocketbase/core"
)

// bindText keeps every text field of every collection plain text: control
// characters other than newline and tab are removed on each save, from the
// API, the dashboard or code alike. System fields (token keys, ids) are left
// alone.
func bindText(app core.App) {
	strip := func(e *core.RecordEvent) error {
		for _, field := range e.Record.Collection().Fields {
			text, ok := field.(*core.TextField)
			if !ok || text.System || text.PrimaryKey {
				continue
			}
			value := e.Record.GetString(text.Name)
			if clean := StripControl(value); clean != value {
				e.Record.Set(text.Name, clean)
			}
		}
		return e.Next()
	}
	app.OnRecordCreate().BindFunc(strip)
	app.OnRecordUpdate().BindFunc(strip)
}

// StripControl removes control characters other than newline and tab
// (carriage returns included, so CRLF becomes LF) and the Unicode line and
// paragraph separators, so that stored text is plain.
func StripControl(s string) string {
	if strings.IndexFunc(s, isStrippedControl) < 0 {
		return s
	}
	return strings.Map(func(r rune) rune {
		if isStrippedControl(r) {
			return -1
		}
		return r
	}, s)
}

func isStrippedControl(r rune) bool {
	return r != '\n' && r != '\t' && (unicode.IsControl(r) || r == '\u2028' || r == '\u2029')
}

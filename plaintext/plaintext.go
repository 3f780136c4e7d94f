// Package plaintext keeps text plain, as SPEC wants every text of
// studyhall: control characters removed and lengths bounded in characters,
// not bytes. Every package that stores or sends text uses it, so the rule
// has one definition.
package plaintext

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Clean removes control characters other than newline and tab (carriage
// returns included, so CRLF becomes LF) and the Unicode line and paragraph
// separators.
func Clean(s string) string {
	if strings.IndexFunc(s, isStripped) < 0 {
		return s
	}
	return strings.Map(func(r rune) rune {
		if isStripped(r) {
			return -1
		}
		return r
	}, s)
}

func isStripped(r rune) bool {
	return r != '\n' && r != '\t' && (unicode.IsControl(r) || r == '\u2028' || r == '\u2029')
}

// Clip is s cut to at most max characters.
func Clip(s string, max int) string {
	if utf8.RuneCountInString(s) <= max {
		return s
	}
	return string([]rune(s)[:max])
}

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
// returns included, so CRLF becomes LF), the Unicode line and paragraph
// separators, the bidi embeddings, overrides and isolates (U+202A–U+202E,
// U+2066–U+2069: they make text read in another order than it is stored,
// as in "exe.txt" shown for "txt.exe") and bytes that are not UTF-8. The
// result is valid UTF-8 and cleaning it again changes nothing.
func Clean(s string) string {
	if utf8.ValidString(s) && strings.IndexFunc(s, isStripped) < 0 {
		return s
	}
	return strings.Map(func(r rune) rune {
		if isStripped(r) {
			return -1
		}
		return r
	}, strings.ToValidUTF8(s, ""))
}

func isStripped(r rune) bool {
	return r != '\n' && r != '\t' &&
		(unicode.IsControl(r) || r == '\u2028' || r == '\u2029' || isBidiControl(r))
}

// isBidiControl reports the explicit bidi formatting characters: the
// embeddings and overrides U+202A–U+202E and the isolates U+2066–U+2069.
// The marks U+200E and U+200F stay: they steer neutral characters in
// mixed-direction text and reorder nothing else.
func isBidiControl(r rune) bool {
	return (r >= '\u202A' && r <= '\u202E') || (r >= '\u2066' && r <= '\u2069')
}

// Visible reports whether s shows anything: at least one letter, digit,
// punctuation mark or symbol. Spaces, zero-width and other format
// characters (U+200B, U+200C, U+200D, U+2060, U+FEFF, bidi controls),
// combining marks with nothing to combine with, variation selectors and
// the fillers that render as blank (Hangul fillers, the blank braille
// pattern) do not count: a name made only of them looks empty.
func Visible(s string) bool {
	for _, r := range s {
		if unicode.In(r, unicode.L, unicode.N, unicode.P, unicode.S) && !isBlankFiller(r) {
			return true
		}
	}
	return false
}

// isBlankFiller reports the letters and symbols that render as nothing.
func isBlankFiller(r rune) bool {
	switch r {
	case '\u115F', '\u1160', '\u3164', '\uFFA0', '\u2800':
		return true
	}
	return false
}

// Clip is s cut to at most max characters.
func Clip(s string, max int) string {
	if utf8.RuneCountInString(s) <= max {
		return s
	}
	return string([]rune(s)[:max])
}

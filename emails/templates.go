// Package emails delivers studyhall's email: templates embedded from
// templates/ and rendered with html/template (so user text is always
// escaped), a go-mail SMTP transport configured from PocketBase's Mail
// settings, the transactional outbox and its worker, the producers that
// turn notifications into outbox rows (immediately or as digests), and the
// signed one-click unsubscribe tokens.
package emails

import (
	"bytes"
	"embed"
	"fmt"
	htmltemplate "html/template"
	"net/url"
	"strings"
	"sync"
	texttemplate "text/template"
	"time"

	"studyhall/collections"
)

//go:embed templates
var templatesFS embed.FS

// View is what a template sees: the layout's fields plus those of the kind.
type View struct {
	AppName string
	// AppURL is the app's public URL (Settings → Application), no trailing
	// slash; links in emails are made absolute against it.
	AppURL  string
	Subject string
	// UnsubscribeURL is empty on mandatory mails.
	UnsubscribeURL   string
	UnsubscribeLabel string
	// Name is the recipient's name, when known.
	Name string

	// Notification is the notification of notification and account_deleted.
	Notification *NotificationView
	// Heading and Items are those of a digest, most important first.
	Heading string
	Items   []NotificationView
	// SentAt is the time of a test mail.
	SentAt string
	// Body and BodyText are a PocketBase auth mail rendered by PocketBase
	// from the collection's (superuser-authored) template.
	Body     htmltemplate.HTML
	BodyText string
}

// NotificationView is one notification as an email shows it.
type NotificationView struct {
	Title      string
	Message    string
	Category   string
	Priority   string
	ActionURL  string
	ActionText string
	// Important marks urgent and high notifications.
	Important bool
}

type kindTemplates struct {
	html *htmltemplate.Template
	text *texttemplate.Template
}

var (
	parseOnce sync.Once
	parsed    map[string]kindTemplates
	pageTmpl  *htmltemplate.Template
	parseErr  error
)

// templateKinds lists the kinds with their own template.
var templateKinds = []string{
	collections.EmailKindNotification,
	collections.EmailKindDigest,
	collections.EmailKindTest,
	collections.EmailKindAccountDeleted,
	collections.EmailKindAuth,
}

func loadTemplates() error {
	parseOnce.Do(func() {
		parsed = map[string]kindTemplates{}
		for _, kind := range templateKinds {
			h, err := htmltemplate.ParseFS(templatesFS, "templates/layout.html", "templates/"+kind+".html")
			if err != nil {
				parseErr = fmt.Errorf("parse %s html template: %w", kind, err)
				return
			}
			t, err := texttemplate.ParseFS(templatesFS, "templates/layout.txt", "templates/"+kind+".txt")
			if err != nil {
				parseErr = fmt.Errorf("parse %s text template: %w", kind, err)
				return
			}
			parsed[kind] = kindTemplates{html: h, text: t}
		}
		pageTmpl, parseErr = htmltemplate.ParseFS(templatesFS, "templates/unsubscribe.html")
	})
	return parseErr
}

// Render renders the HTML and plain-text parts of an email of kind.
func Render(kind string, view View) (html, text string, err error) {
	if err := loadTemplates(); err != nil {
		return "", "", err
	}
	t, ok := parsed[kind]
	if !ok {
		return "", "", fmt.Errorf("no email template for kind %q", kind)
	}
	var hb, tb bytes.Buffer
	if err := t.html.ExecuteTemplate(&hb, "layout", view); err != nil {
		return "", "", fmt.Errorf("render %s html: %w", kind, err)
	}
	if err := t.text.ExecuteTemplate(&tb, "layout", view); err != nil {
		return "", "", fmt.Errorf("render %s text: %w", kind, err)
	}
	return hb.String(), tidyText(tb.String()), nil
}

// tidyText trims the blank lines templates leave around their actions.
func tidyText(s string) string {
	lines := strings.Split(strings.ReplaceAll(s, "\r\n", "\n"), "\n")
	out := make([]string, 0, len(lines))
	blank := true // drop leading blank lines
	for _, line := range lines {
		line = strings.TrimRight(line, " \t")
		if line == "" {
			if blank {
				continue
			}
			blank = true
		} else {
			blank = false
		}
		out = append(out, line)
	}
	return strings.TrimSpace(strings.Join(out, "\n")) + "\n"
}

// AbsoluteURL makes a notification's actionUrl absolute against appURL.
// Relative paths are joined to the app's URL; absolute http(s) URLs are
// kept; anything else (javascript:, mailto:, garbage) yields "" so no
// link is shown at all.
func AbsoluteURL(appURL, link string) string {
	link = strings.TrimSpace(link)
	if link == "" {
		return ""
	}
	u, err := url.Parse(link)
	if err != nil {
		return ""
	}
	if u.IsAbs() {
		if u.Scheme == "http" || u.Scheme == "https" {
			return u.String()
		}
		return ""
	}
	if u.Host != "" { // protocol-relative //host/path
		return ""
	}
	base, err := url.Parse(strings.TrimRight(appURL, "/") + "/")
	if err != nil || base.Scheme == "" || base.Host == "" {
		return ""
	}
	// keep a base path (https://example.com/app) in front of the link
	ref, err := url.Parse(strings.TrimPrefix(link, "/"))
	if err != nil {
		return ""
	}
	return base.ResolveReference(ref).String()
}

// oneLine keeps header values (the subject) on one line.
func oneLine(s string) string {
	s = strings.Map(func(r rune) rune {
		if r == '\r' || r == '\n' || r == '\t' {
			return ' '
		}
		if r < 0x20 || r == 0x7f {
			return -1
		}
		return r
	}, s)
	return strings.Join(strings.Fields(s), " ")
}

// isImportant reports whether a priority is shown first and flagged.
func isImportant(priority string) bool {
	return priority == collections.PriorityUrgent || priority == collections.PriorityHigh
}

// formatTime is how mails print a time: RFC 1123 in UTC.
func formatTime(t time.Time) string {
	return t.UTC().Format("Mon, 02 Jan 2006 15:04 MST")
}

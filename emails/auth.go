package emails

import (
	"fmt"
	htmltemplate "html/template"
	"net/mail"
	"strings"
	"time"

	"github.com/pocketbase/pocketbase/core"
	pbmailer "github.com/pocketbase/pocketbase/tools/mailer"
	"golang.org/x/net/html"

	"studyhall/collections"
)

// AuthMessages turns one of PocketBase's own mails (verification, password
// reset, OTP, email change, login alert, the dashboard's test mail) into
// outbox messages, one per recipient, in studyhall's layout. Their body is
// rendered by PocketBase from the collection's mail template, which only
// superusers edit, so it is trusted HTML; PocketBase escapes the record
// values it puts in. They are mandatory: no unsubscribe link or header.
func AuthMessages(app core.App, m *pbmailer.Message) ([]*Message, error) {
	meta := app.Settings().Meta
	text := m.Text
	if strings.TrimSpace(text) == "" {
		text = HTMLToText(m.HTML)
	}
	view := View{
		AppName:  meta.AppName,
		AppURL:   normalizeAppURL(meta.AppURL),
		Subject:  m.Subject,
		Body:     htmltemplate.HTML(m.HTML),
		BodyText: text,
	}
	htmlPart, textPart, err := Render(collections.EmailKindAuth, view)
	if err != nil {
		return nil, err
	}
	recipients := append(append(append([]mail.Address{}, m.To...), m.Cc...), m.Bcc...)
	if len(recipients) == 0 {
		return nil, fmt.Errorf("mail %q has no recipient", m.Subject)
	}
	messages := make([]*Message, 0, len(recipients))
	for _, to := range recipients {
		userId := ""
		if user, err := app.FindAuthRecordByEmail(collections.Users, to.Address); err == nil {
			userId = user.Id
		}
		messages = append(messages, &Message{
			To:      to,
			Subject: m.Subject,
			HTML:    htmlPart,
			Text:    textPart,
			Kind:    collections.EmailKindAuth,
			UserId:  userId,
		})
	}
	return messages, nil
}

// TestMessage is the mail of `studyhall mail test`.
func TestMessage(app core.App, to mail.Address, now time.Time) (*Message, error) {
	meta := app.Settings().Meta
	subject := meta.AppName + " test email"
	htmlPart, textPart, err := Render(collections.EmailKindTest, View{
		AppName: meta.AppName,
		AppURL:  normalizeAppURL(meta.AppURL),
		Subject: subject,
		SentAt:  formatTime(now),
	})
	if err != nil {
		return nil, err
	}
	return &Message{To: to, Subject: subject, HTML: htmlPart, Text: textPart, Kind: collections.EmailKindTest}, nil
}

// Outgoing is m as the transport sends it, from the app's sender.
func (m *Message) Outgoing(app core.App) *Outgoing {
	return &Outgoing{
		From:    Sender(app),
		To:      m.To,
		Subject: m.Subject,
		HTML:    m.HTML,
		Text:    m.Text,
		Headers: m.Headers,
	}
}

// HTMLToText is a plain-text rendering of an HTML fragment: its text, one
// paragraph per block, links followed by their URL in parentheses.
func HTMLToText(fragment string) string {
	doc, err := html.Parse(strings.NewReader(fragment))
	if err != nil {
		return fragment
	}
	var b strings.Builder
	var walk func(n *html.Node)
	walk = func(n *html.Node) {
		switch n.Type {
		case html.TextNode:
			// keep one space where the source had any, so "<a>x</a> y"
			// stays "x y"; runs of spaces are collapsed below
			text := strings.Join(strings.Fields(n.Data), " ")
			if text == "" {
				if n.Data != "" {
					b.WriteString(" ")
				}
				return
			}
			if strings.TrimLeft(n.Data, " \t\r\n") != n.Data {
				b.WriteString(" ")
			}
			b.WriteString(text)
			if strings.TrimRight(n.Data, " \t\r\n") != n.Data {
				b.WriteString(" ")
			}
			return
		case html.ElementNode:
			switch n.Data {
			case "script", "style", "head", "title":
				return
			case "br":
				b.WriteString("\n")
				return
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
		if n.Type != html.ElementNode {
			return
		}
		switch n.Data {
		case "a":
			for _, attr := range n.Attr {
				if attr.Key == "href" && attr.Val != "" && !strings.HasPrefix(attr.Val, "#") {
					b.WriteString(" (" + attr.Val + ")")
				}
			}
		case "p", "div", "h1", "h2", "h3", "h4", "li", "tr", "table", "ul", "ol":
			b.WriteString("\n\n")
		}
	}
	walk(doc)
	lines := strings.Split(b.String(), "\n")
	for i, line := range lines {
		lines[i] = strings.Join(strings.Fields(line), " ")
	}
	return tidyText(strings.Join(lines, "\n"))
}

package emails

import (
	"context"
	"errors"
	"fmt"
	"net/mail"
	"sort"
	"time"

	"github.com/pocketbase/pocketbase/core"
	pbmailer "github.com/pocketbase/pocketbase/tools/mailer"
	gomail "github.com/wneessen/go-mail"
)

// Outgoing is one email as the transport sends it.
type Outgoing struct {
	From    mail.Address
	To      mail.Address
	Subject string
	HTML    string
	Text    string
	Headers map[string]string
	// MessageId is stable per outbox row, so a retry after an ambiguous
	// failure (the server took the mail but the connection dropped before
	// its answer) can be recognised as the same mail by the receiver.
	MessageId string
}

// Transport sends one email.
type Transport interface {
	// Configured reports whether the transport can send at all; when it
	// cannot, the worker leaves rows pending.
	Configured() bool
	Send(ctx context.Context, m *Outgoing) error
}

// ErrSMTPNotConfigured is returned when Mail settings have SMTP off.
var ErrSMTPNotConfigured = errors.New("smtp is not configured: dashboard → Settings → Mail settings")

// SendTimeout bounds one SMTP conversation (dial, TLS, auth, data).
const SendTimeout = 30 * time.Second

// SMTPTransport sends with go-mail through PocketBase's SMTP settings, read
// on every send so a change in the dashboard applies at once.
type SMTPTransport struct {
	App core.App
}

// NewSMTPTransport returns the transport of app's Mail settings.
func NewSMTPTransport(app core.App) *SMTPTransport {
	return &SMTPTransport{App: app}
}

// Configured reports whether SMTP is enabled with a host.
func (t *SMTPTransport) Configured() bool {
	s := t.App.Settings().SMTP
	return s.Enabled && s.Host != ""
}

// Sender is the From address of every mail: Settings → Application's
// sender name and address.
func Sender(app core.App) mail.Address {
	meta := app.Settings().Meta
	return mail.Address{Name: meta.SenderName, Address: meta.SenderAddress}
}

// Send sends m over one SMTP connection.
func (t *SMTPTransport) Send(ctx context.Context, m *Outgoing) error {
	s := t.App.Settings().SMTP
	if !s.Enabled || s.Host == "" {
		return ErrSMTPNotConfigured
	}
	opts := []gomail.Option{
		gomail.WithPort(s.Port),
		gomail.WithTimeout(SendTimeout),
	}
	// PocketBase's "TLS" means implicit TLS (port 465); without it the
	// connection is upgraded with STARTTLS when the server offers it.
	if s.TLS {
		opts = append(opts, gomail.WithSSL())
	} else {
		opts = append(opts, gomail.WithTLSPolicy(gomail.TLSOpportunistic))
	}
	if s.Username != "" || s.Password != "" {
		auth := gomail.SMTPAuthPlain
		if s.AuthMethod == pbmailer.SMTPAuthLogin {
			auth = gomail.SMTPAuthLogin
		}
		opts = append(opts,
			gomail.WithSMTPAuth(auth),
			gomail.WithUsername(s.Username),
			gomail.WithPassword(s.Password),
		)
	}
	if s.LocalName != "" {
		opts = append(opts, gomail.WithHELO(s.LocalName))
	}
	client, err := gomail.NewClient(s.Host, opts...)
	if err != nil {
		return fmt.Errorf("smtp client: %w", err)
	}
	msg, err := buildMsg(m)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, SendTimeout)
	defer cancel()
	if err := client.DialAndSendWithContext(ctx, msg); err != nil {
		return fmt.Errorf("smtp send: %w", err)
	}
	return nil
}

// buildMsg turns m into a multipart/alternative go-mail message: the plain
// text first and the HTML last, as RFC 2046 wants the preferred part last.
func buildMsg(m *Outgoing) (*gomail.Msg, error) {
	msg := gomail.NewMsg(gomail.WithNoDefaultUserAgent())
	if err := msg.FromFormat(m.From.Name, m.From.Address); err != nil {
		return nil, fmt.Errorf("from address %q: %w", m.From.Address, err)
	}
	if err := msg.AddToFormat(m.To.Name, m.To.Address); err != nil {
		return nil, fmt.Errorf("to address %q: %w", m.To.Address, err)
	}
	msg.Subject(oneLine(m.Subject))
	msg.SetDate()
	if m.MessageId != "" {
		msg.SetMessageIDWithValue(m.MessageId)
	} else {
		msg.SetMessageID()
	}
	keys := make([]string, 0, len(m.Headers))
	for k := range m.Headers {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		msg.SetGenHeader(gomail.Header(k), oneLine(m.Headers[k]))
	}
	msg.SetBodyString(gomail.TypeTextPlain, m.Text)
	if m.HTML != "" {
		msg.AddAlternativeString(gomail.TypeTextHTML, m.HTML)
	}
	return msg, nil
}

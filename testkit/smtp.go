package testkit

// SMTP test helpers: a real SMTP server (emersion/go-smtp) on 127.0.0.1
// that keeps what it receives, can refuse for a while, and stops when the
// test ends; and readers for what arrived (headers, multipart parts).

import (
	"bytes"
	"encoding/base64"
	"errors"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-smtp"
	"github.com/pocketbase/pocketbase/core"
)

// ReceivedMail is one mail as the SMTP server got it.
type ReceivedMail struct {
	From   string
	To     []string
	Header mail.Header
	// Parts are the decoded bodies by content type (text/plain, text/html).
	Parts map[string]string
	// ContentType is the top-level media type (multipart/alternative).
	ContentType string
}

// smtpServer is a test SMTP server.
type smtpServer struct {
	Host string
	Port int

	mu       sync.Mutex
	received []ReceivedMail
	refuse   int // refuse the next refuse transactions with 451
	refused  int
	t        testing.TB
}

// StartSMTPServer listens on a free loopback port until the test ends.
func StartSMTPServer(t testing.TB) *smtpServer {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &smtpServer{Host: "127.0.0.1", Port: l.Addr().(*net.TCPAddr).Port, t: t}
	srv := smtp.NewServer(smtp.BackendFunc(func(*smtp.Conn) (smtp.Session, error) {
		return &smtpSession{server: s}, nil
	}))
	srv.Domain = "localhost"
	srv.ReadTimeout = 10 * time.Second
	srv.WriteTimeout = 10 * time.Second
	srv.AllowInsecureAuth = true
	srv.ErrorLog = nopLogger{}
	go srv.Serve(l)
	t.Cleanup(func() { srv.Close() })
	return s
}

// Refuse makes the next n mail transactions fail with 451.
func (s *smtpServer) Refuse(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.refuse = n
}

// Refused counts the transactions refused so far.
func (s *smtpServer) Refused() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.refused
}

// Received is a copy of every mail received so far.
func (s *smtpServer) Received() []ReceivedMail {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]ReceivedMail(nil), s.received...)
}

// ConfigureSMTP points app's Mail settings at s, as an admin would in the
// dashboard, and gives the app the URL and sender that mails use.
func ConfigureSMTP(t testing.TB, app core.App, s *smtpServer) {
	t.Helper()
	settings := app.Settings()
	settings.SMTP.Enabled = true
	settings.SMTP.Host = s.Host
	settings.SMTP.Port = s.Port
	settings.SMTP.TLS = false
	settings.Meta.AppURL = "https://learn.example.com"
	settings.Meta.AppName = "studyhall"
	settings.Meta.SenderName = "studyhall"
	settings.Meta.SenderAddress = "noreply@learn.example.com"
	if err := app.Save(settings); err != nil {
		t.Fatal(err)
	}
}

type smtpSession struct {
	server *smtpServer
	from   string
	to     []string
}

func (s *smtpSession) Reset()        { s.from, s.to = "", nil }
func (s *smtpSession) Logout() error { return nil }

func (s *smtpSession) Mail(from string, _ *smtp.MailOptions) error {
	s.server.mu.Lock()
	defer s.server.mu.Unlock()
	if s.server.refuse > 0 {
		s.server.refuse--
		s.server.refused++
		return &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "try again later"}
	}
	s.from = from
	return nil
}

func (s *smtpSession) Rcpt(to string, _ *smtp.RcptOptions) error {
	s.to = append(s.to, to)
	return nil
}

func (s *smtpSession) Data(r io.Reader) error {
	raw, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	m, err := parseMail(raw)
	if err != nil {
		s.server.t.Errorf("unparsable mail: %v\n%s", err, raw)
		return err
	}
	m.From, m.To = s.from, s.to
	s.server.mu.Lock()
	defer s.server.mu.Unlock()
	s.server.received = append(s.server.received, m)
	return nil
}

// parseMail reads headers and the decoded parts of a MIME mail.
func parseMail(raw []byte) (ReceivedMail, error) {
	msg, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		return ReceivedMail{}, err
	}
	m := ReceivedMail{Header: msg.Header, Parts: map[string]string{}}
	mediaType, params, err := mime.ParseMediaType(msg.Header.Get("Content-Type"))
	if err != nil {
		return m, err
	}
	m.ContentType = mediaType
	if !strings.HasPrefix(mediaType, "multipart/") {
		body, err := decodePart(msg.Header.Get("Content-Transfer-Encoding"), msg.Body)
		m.Parts[mediaType] = body
		return m, err
	}
	mr := multipart.NewReader(msg.Body, params["boundary"])
	for {
		p, err := mr.NextRawPart()
		if errors.Is(err, io.EOF) {
			return m, nil
		}
		if err != nil {
			return m, err
		}
		partType, _, _ := mime.ParseMediaType(p.Header.Get("Content-Type"))
		body, err := decodePart(p.Header.Get("Content-Transfer-Encoding"), p)
		if err != nil {
			return m, err
		}
		m.Parts[partType] = body
	}
}

func decodePart(encoding string, r io.Reader) (string, error) {
	switch strings.ToLower(encoding) {
	case "quoted-printable":
		r = quotedprintable.NewReader(r)
	case "base64":
		r = base64.NewDecoder(base64.StdEncoding, r)
	}
	b, err := io.ReadAll(r)
	return string(b), err
}

// Subject is the decoded Subject header.
func (m ReceivedMail) Subject() string {
	dec := new(mime.WordDecoder)
	s, err := dec.DecodeHeader(m.Header.Get("Subject"))
	if err != nil {
		return m.Header.Get("Subject")
	}
	return s
}

type nopLogger struct{}

func (nopLogger) Printf(string, ...any) {}
func (nopLogger) Println(...any)        {}

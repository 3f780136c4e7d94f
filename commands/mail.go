package commands

import (
	"context"
	"errors"
	"fmt"
	"net/mail"
	"os"
	"strconv"
	"time"

	"github.com/pocketbase/pocketbase/core"
	"github.com/spf13/cobra"

	"studyhall/emails"
)

// NewMailCommand returns `studyhall mail test --to ADDRESS`.
func NewMailCommand(app core.App) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "mail",
		Short: "Checks email delivery",
	}
	cmd.AddCommand(newMailTestCommand(app))
	return cmd
}

func newMailTestCommand(app core.App) *cobra.Command {
	var to string
	cmd := &cobra.Command{
		Use:   "test",
		Short: "Sends a test email now through the SMTP settings and reports the outcome",
		Long: "Sends a test email at once through the SMTP server of dashboard → Settings → Mail settings,\n" +
			"bypassing the outbox, and reports the server's answer: use it to check the settings.",
		SilenceUsage: true,
		RunE: func(cmd *cobra.Command, args []string) error {
			address, err := mail.ParseAddress(to)
			if to == "" || err != nil {
				return errors.New("give the address to write to: --to you@example.com")
			}
			transport := emails.NewSMTPTransport(app)
			if !transport.Configured() {
				fmt.Fprintf(cmd.ErrOrStderr(), "Error: test email not sent: %v\n", emails.ErrSMTPNotConfigured)
				os.Exit(1)
			}
			msg, err := emails.TestMessage(app, *address, time.Now())
			if err != nil {
				return err
			}
			smtp := app.Settings().SMTP
			server := smtp.Host + ":" + strconv.Itoa(smtp.Port)
			ctx, cancel := context.WithTimeout(cmd.Context(), emails.SendTimeout)
			defer cancel()
			if err := transport.Send(ctx, msg.Outgoing(app)); err != nil {
				// PocketBase's Execute ignores command errors (exit status
				// 0); a check that scripts and CI can rely on must fail
				// with a non-zero status
				fmt.Fprintf(cmd.ErrOrStderr(), "Error: test email to %s through %s failed: %v\n", address.Address, server, err)
				os.Exit(1)
			}
			from := emails.Sender(app)
			fmt.Fprintf(cmd.OutOrStdout(), "Sent a test email to %s through %s from %s.\n",
				address.Address, server, from.String())
			return nil
		},
	}
	cmd.Flags().StringVar(&to, "to", "", "the address to send the test email to")
	return cmd
}

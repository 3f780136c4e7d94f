package commands

import (
	"fmt"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	"github.com/spf13/cobra"

	"studyhall/collections"
	"studyhall/emails"
)

// NewOutboxCommand returns `studyhall outbox list|retry`, the operator's
// view of the email outbox (the dashboard shows the same rows in the
// email_outbox collection).
func NewOutboxCommand(app core.App) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "outbox",
		Short: "Lists and retries queued emails",
	}
	cmd.AddCommand(newOutboxListCommand(app), newOutboxRetryCommand(app))
	return cmd
}

func newOutboxListCommand(app core.App) *cobra.Command {
	var status string
	var limit int
	cmd := &cobra.Command{
		Use:          "list",
		Short:        "Lists the newest outbox rows, optionally of one status",
		SilenceUsage: true,
		RunE: func(cmd *cobra.Command, args []string) error {
			if status != "" && !slices.Contains(collections.OutboxStatuses, status) {
				return fmt.Errorf("unknown status %q: use one of %s", status, strings.Join(collections.OutboxStatuses, ", "))
			}
			if err := app.RunAllMigrations(); err != nil {
				return fmt.Errorf("apply migrations: %w", err)
			}
			filter, params := "", dbx.Params{}
			if status != "" {
				filter, params["status"] = collections.OutboxStatus+" = {:status}", status
			}
			rows, err := app.FindRecordsByFilter(collections.EmailOutbox, filter, "-created", limit, 0, params)
			if err != nil {
				return fmt.Errorf("list outbox: %w", err)
			}
			w := tabwriter.NewWriter(cmd.OutOrStdout(), 0, 4, 2, ' ', 0)
			fmt.Fprintln(w, "ID\tSTATUS\tATTEMPTS\tNEXT ATTEMPT\tKIND\tTO\tSUBJECT\tLAST ERROR")
			for _, r := range rows {
				next := ""
				if r.GetString(collections.OutboxStatus) == collections.OutboxPending {
					next = r.GetDateTime(collections.OutboxNextAttemptAt).Time().Format(time.DateTime)
				}
				fmt.Fprintf(w, "%s\t%s\t%d\t%s\t%s\t%s\t%s\t%s\n",
					r.Id,
					r.GetString(collections.OutboxStatus),
					r.GetInt(collections.OutboxAttempts),
					next,
					r.GetString(collections.OutboxKind),
					r.GetString(collections.OutboxTo),
					clip(r.GetString(collections.OutboxSubject), 40),
					clip(r.GetString(collections.OutboxLastError), 60),
				)
			}
			if err := w.Flush(); err != nil {
				return err
			}
			if len(rows) == 0 {
				fmt.Fprintln(cmd.OutOrStdout(), "(no emails)")
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&status, "status", "", "only rows of this status: "+strings.Join(collections.OutboxStatuses, ", "))
	cmd.Flags().IntVar(&limit, "limit", 50, "at most this many rows, newest first")
	return cmd
}

func newOutboxRetryCommand(app core.App) *cobra.Command {
	return &cobra.Command{
		Use:          "retry [id]",
		Short:        "Puts failed emails (or the one given) back to pending, due now, with a fresh attempt budget",
		Args:         cobra.MaximumNArgs(1),
		SilenceUsage: true,
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := app.RunAllMigrations(); err != nil {
				return fmt.Errorf("apply migrations: %w", err)
			}
			id := ""
			if len(args) == 1 {
				id = args[0]
			}
			n, err := emails.RetryFailed(app, id, time.Now())
			if err != nil {
				return err
			}
			if id != "" && n == 0 {
				return fmt.Errorf("no failed email with id %q (see `studyhall outbox list --status failed`)", id)
			}
			fmt.Fprintf(cmd.OutOrStdout(), "%d failed email(s) are pending again; a running server sends them within seconds.\n", n)
			return nil
		},
	}
}

// clip shortens s to n runes for a table cell, on one line.
func clip(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

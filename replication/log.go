package replication

import (
	"context"
	"log/slog"
)

// debugHandler passes Litestream's own log lines to the app's logger at
// the debug level. Litestream logs each retry of a failing replica every
// 30 s at the error level; studyhall's watchedClient says the same once per
// outage, so the lines stay available (logs level debug, or --dev) without
// flooding the logs an operator reads.
type debugHandler struct {
	inner slog.Handler
}

// Enabled reports whether the app logs debug lines.
func (h debugHandler) Enabled(ctx context.Context, _ slog.Level) bool {
	return h.inner.Enabled(ctx, slog.LevelDebug)
}

// Handle logs r at the debug level.
func (h debugHandler) Handle(ctx context.Context, r slog.Record) error {
	r.Level = slog.LevelDebug
	return h.inner.Handle(ctx, r)
}

// WithAttrs keeps attrs on every line.
func (h debugHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	return debugHandler{inner: h.inner.WithAttrs(attrs)}
}

// WithGroup nests the following attributes under name.
func (h debugHandler) WithGroup(name string) slog.Handler {
	return debugHandler{inner: h.inner.WithGroup(name)}
}

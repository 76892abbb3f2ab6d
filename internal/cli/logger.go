package cli

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
)

// NewLogger returns a logger writing to w (nil: os.Stderr) in format
// "json", "text" or "auto" (text on a terminal), at level "debug",
// "info", "warn" or "error".
func NewLogger(w io.Writer, format, level string) (*slog.Logger, error) {
	if w == nil {
		w = os.Stderr
	}
	var lv slog.Level
	if err := lv.UnmarshalText([]byte(level)); err != nil {
		return nil, fmt.Errorf("log level %q: want debug, info, warn or error", level)
	}
	opts := &slog.HandlerOptions{Level: lv}
	switch format {
	case "json":
		return slog.New(slog.NewJSONHandler(w, opts)), nil
	case "text":
		return slog.New(slog.NewTextHandler(w, opts)), nil
	case "auto":
		if f, ok := w.(*os.File); ok && isTerminal(f) {
			return slog.New(slog.NewTextHandler(w, opts)), nil
		}
		return slog.New(slog.NewJSONHandler(w, opts)), nil
	}
	return nil, fmt.Errorf("log format %q: want json, text or auto", format)
}

// ResolveFormat returns format, with "auto" resolved for w (nil:
// os.Stderr): "text" on a terminal, "json" otherwise.
func ResolveFormat(w io.Writer, format string) string {
	if format != "auto" {
		return format
	}
	if w == nil {
		w = os.Stderr
	}
	if f, ok := w.(*os.File); ok && isTerminal(f) {
		return "text"
	}
	return "json"
}

func isTerminal(f *os.File) bool {
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

// PrintfLogger writes printf-style messages, from libraries that log on
// their own (go-redis's redis.SetLogger takes one), to Logger at warn
// level, so that they are in the log's format.
type PrintfLogger struct {
	Logger *slog.Logger
}

// Printf logs the formatted message.
func (l PrintfLogger) Printf(ctx context.Context, format string, v ...any) {
	l.Logger.WarnContext(ctx, strings.TrimSpace(fmt.Sprintf(format, v...)))
}

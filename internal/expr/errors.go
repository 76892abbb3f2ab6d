package expr

import "fmt"

// Error is a compile or evaluation error. Line and Col are 1-based
// positions in the expression source (the text between "@(" and ")" or
// "@{" and "}").
type Error struct {
	Line, Col int
	Msg       string
}

// Error returns "LINE:COL: msg".
func (e *Error) Error() string { return fmt.Sprintf("%d:%d: %s", e.Line, e.Col, e.Msg) }

// pos is a byte offset into the source of a Program.
type pos int

// errAt builds an *Error at offset p of src.
func errAt(src string, p pos, format string, args ...any) *Error {
	line, col := 1, 1
	for i, r := range src {
		if i >= int(p) {
			break
		}
		if r == '\n' {
			line++
			col = 1
		} else {
			col++
		}
	}
	return &Error{Line: line, Col: col, Msg: fmt.Sprintf(format, args...)}
}

// rtError is a run-time failure before its position is attached.
type rtError struct{ msg string }

// Error returns the message.
func (e *rtError) Error() string { return e.msg }

// Fail returns a run-time error with a formatted message.
func Fail(format string, args ...any) error { return &rtError{msg: fmt.Sprintf(format, args...)} }

// errorf is fmt.Errorf for messages without a position yet.
func errorf(format string, args ...any) error { return fmt.Errorf(format, args...) }

package urlpath

import (
	"errors"
	"strings"
)

// Errors of Clean and CleanDecoded. Each describes a path that is refused
// as a whole; none is ever repaired.
var (
	// ErrNotAbsolute: a non-empty path that does not begin with '/'.
	ErrNotAbsolute = errors.New("the path does not begin with '/'")
	// ErrEscape: '%' not followed by two hexadecimal digits.
	ErrEscape = errors.New("the path has an invalid percent escape")
	// ErrSeparator: an encoded slash (%2F), an encoded backslash (%5C) or a
	// backslash inside a segment, which some backends treat as a segment
	// separator.
	ErrSeparator = errors.New("the path has an encoded slash or a backslash in a segment")
	// ErrControl: a control character (U+0000 to U+001F, U+007F), literal
	// or percent-encoded.
	ErrControl = errors.New("the path has a control character")
	// ErrAboveRoot: a ".." segment with no segment left to remove.
	ErrAboveRoot = errors.New("the path's dot segments climb above its root")
)

// Clean resolves the dot segments of p, a path as it is written in a
// request line (percent-encoded), as RFC 3986 section 5.2.4 does, with two
// differences: "%2e" (either case) counts as '.', and a ".." that would
// climb above the root is refused (ErrAboveRoot) rather than dropped.
// Empty segments ("//") are kept, as APIM passes them through; a ".."
// removes an empty segment like any other, so they cannot help a path
// climb. p must be empty or begin with '/'. Clean refuses encoded slashes
// and backslashes (%2F, %5C), literal backslashes and control characters
// (literal, or encoded as %00 to %1F and %7F) anywhere in p, and invalid
// percent escapes. Other escapes are kept as written.
//
// A path without dot segments is returned unchanged, without allocating.
// The result has no dot segments and Clean(result) returns it unchanged.
func Clean(p string) (string, error) { return clean(p, true) }

// CleanDecoded is Clean for a decoded path, as a policy builds it
// (rewrite-uri's template filled with parameter values): only literal
// "." and ".." are dot segments, '%' is an ordinary character, and
// backslashes and control characters are refused.
func CleanDecoded(p string) (string, error) { return clean(p, false) }

func clean(p string, encoded bool) (string, error) {
	if p != "" && p[0] != '/' {
		return "", ErrNotAbsolute
	}
	dots := false
	start := 1
	for i := 1; i <= len(p); i++ {
		if i == len(p) || p[i] == '/' {
			if dotSegment(p[start:i], encoded) != 0 {
				dots = true
			}
			start = i + 1
			continue
		}
		c := p[i]
		switch {
		case c < 0x20 || c == 0x7f:
			return "", ErrControl
		case c == '\\':
			return "", ErrSeparator
		case c == '%' && encoded:
			if i+2 >= len(p) || !isHex(p[i+1]) || !isHex(p[i+2]) {
				return "", ErrEscape
			}
			switch v := unhex(p[i+1])<<4 | unhex(p[i+2]); {
			case v == '/' || v == '\\':
				return "", ErrSeparator
			case v < 0x20 || v == 0x7f:
				return "", ErrControl
			}
			i += 2
		}
	}
	if !dots {
		return p, nil
	}
	return resolve(p, encoded)
}

// resolve removes the dot segments of p, which begins with '/'.
func resolve(p string, encoded bool) (string, error) {
	segs := strings.Split(p[1:], "/")
	out := segs[:0] // each step writes at most one element, never ahead of the one it reads
	for i, s := range segs {
		last := i == len(segs)-1
		switch dotSegment(s, encoded) {
		case 0:
			out = append(out, s)
			continue
		case 2:
			if len(out) == 0 {
				return "", ErrAboveRoot
			}
			out = out[:len(out)-1]
		}
		if last { // "/a/." and "/a/b/.." both end in a directory: "/a/"
			out = append(out, "")
		}
	}
	return "/" + strings.Join(out, "/"), nil
}

// dotSegment returns 1 for a "." segment, 2 for "..", else 0. When
// encoded, "%2e" and "%2E" count as '.'.
func dotSegment(s string, encoded bool) int {
	if len(s) > 6 || len(s) == 0 {
		return 0
	}
	n := 0
	for i := 0; i < len(s); {
		switch {
		case s[i] == '.':
			i++
		case encoded && i+2 < len(s) && s[i] == '%' && s[i+1] == '2' && (s[i+2] == 'e' || s[i+2] == 'E'):
			i += 3
		default:
			return 0
		}
		n++
	}
	if n > 2 {
		return 0
	}
	return n
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

func unhex(c byte) byte {
	switch {
	case c <= '9':
		return c - '0'
	case c <= 'F':
		return c - 'A' + 10
	}
	return c - 'a' + 10
}

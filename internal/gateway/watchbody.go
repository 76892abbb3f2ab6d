package gateway

import "io"

// watchedBody hands every piece of a response body read for the client
// to the watchers that policies registered (policy.Context's
// WatchResponseBody), as it passes: streams are not held back.
type watchedBody struct {
	io.ReadCloser
	watchers []func(p []byte)
}

func (b *watchedBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	if n > 0 {
		for _, w := range b.watchers {
			w(p[:n])
		}
	}
	return n, err
}

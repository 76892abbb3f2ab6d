package secret

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// KeySize is the length of a master key in bytes (AES-256).
const KeySize = 32

// Sealer encrypts resource secrets with AES-256-GCM. Each sealed value is
// a random 12-byte nonce followed by the ciphertext and tag. A Sealer is
// safe for concurrent use.
type Sealer struct {
	aead cipher.AEAD
}

// NewSealer returns a Sealer for a 32-byte master key.
func NewSealer(key []byte) (*Sealer, error) {
	if len(key) != KeySize {
		return nil, fmt.Errorf("master key: got %d bytes, want %d", len(key), KeySize)
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, fmt.Errorf("master key: %w", err)
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, fmt.Errorf("master key: %w", err)
	}
	return &Sealer{aead: aead}, nil
}

// Seal encrypts plaintext. additional binds the ciphertext to its place
// (for example the record's kind and id) so it cannot be moved elsewhere.
func (s *Sealer) Seal(plaintext, additional []byte) []byte {
	nonce := make([]byte, s.aead.NonceSize(), s.aead.NonceSize()+len(plaintext)+s.aead.Overhead())
	if _, err := rand.Read(nonce); err != nil {
		panic(fmt.Sprintf("crypto/rand: %v", err)) // crypto/rand.Read never fails on supported platforms
	}
	return s.aead.Seal(nonce, nonce, plaintext, additional)
}

// Open decrypts a value made by Seal with the same additional data.
func (s *Sealer) Open(sealed, additional []byte) ([]byte, error) {
	n := s.aead.NonceSize()
	if len(sealed) < n+s.aead.Overhead() {
		return nil, errors.New("open secret: value too short")
	}
	out, err := s.aead.Open(nil, sealed[:n], sealed[n:], additional)
	if err != nil {
		return nil, fmt.Errorf("open secret (wrong master key?): %w", err)
	}
	return out, nil
}

// LoadOrCreateFile returns the trimmed content of the file at path. When
// the file does not exist it is created with mode 0600 holding generate()'s
// result, and created is true.
func LoadOrCreateFile(path string, generate func() (string, error)) (content string, created bool, err error) {
	b, err := os.ReadFile(path)
	if err == nil {
		return strings.TrimSpace(string(b)), false, nil
	}
	if !errors.Is(err, os.ErrNotExist) {
		return "", false, fmt.Errorf("read %s: %w", path, err)
	}
	v, err := generate()
	if err != nil {
		return "", false, err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return "", false, fmt.Errorf("create directory for %s: %w", path, err)
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return "", false, fmt.Errorf("create %s: %w", path, err)
	}
	if _, err := f.WriteString(v + "\n"); err != nil {
		f.Close()
		return "", false, fmt.Errorf("write %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return "", false, fmt.Errorf("write %s: %w", path, err)
	}
	return v, true, nil
}

// RandomString returns n random bytes, base64url-encoded without padding.
func RandomString(n int) (string, error) {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("random: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

// MasterKey returns the master key: from env when it is non-empty (32 bytes,
// base64-encoded), else from the file master.key in dataDir, generated on
// first use with mode 0600.
func MasterKey(env, dataDir string) ([]byte, error) {
	if env == "" {
		var err error
		env, _, err = LoadOrCreateFile(filepath.Join(dataDir, "master.key"), func() (string, error) {
			b := make([]byte, KeySize)
			if _, err := rand.Read(b); err != nil {
				return "", fmt.Errorf("random: %w", err)
			}
			return base64.StdEncoding.EncodeToString(b), nil
		})
		if err != nil {
			return nil, fmt.Errorf("master key: %w", err)
		}
	}
	key, err := base64.StdEncoding.DecodeString(strings.TrimSpace(env))
	if err != nil || len(key) != KeySize {
		return nil, fmt.Errorf("master key: want %d bytes, base64-encoded (for example: head -c32 /dev/urandom | base64)", KeySize)
	}
	return key, nil
}

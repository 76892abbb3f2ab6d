package control

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"strings"

	"github.com/gatehouse/gatehouse/internal/model"
	"github.com/gatehouse/gatehouse/internal/store"
)

// servicePrincipalTokenPrefix starts every service principal's token:
// "sp.<id>.<secret>".
const servicePrincipalTokenPrefix = "sp."

// IsServicePrincipalToken reports whether token has the shape of a
// service principal's.
func IsServicePrincipalToken(token string) bool {
	return strings.HasPrefix(token, servicePrincipalTokenPrefix)
}

// tokenSecret is a service principal record's secret: the hash of its
// token.
type tokenSecret struct {
	TokenHash string `json:"tokenHash"`
}

// GenerateServicePrincipalToken replaces service principal id's token
// with a new random one and returns it; it is shown this once, and only
// its hash is kept. Only the administrator may.
func (s *Service) GenerateServicePrincipalToken(ctx context.Context, p Principal, id string) (string, error) {
	if p.Kind != KindAdmin {
		return "", Forbidden("Only the administrator manages service principals.")
	}
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	var token string
	err := s.Update(ctx, p, func(tx store.Tx) error {
		rec, err := Lookup(ctx, tx, model.KindServicePrincipal, "", id)
		if err != nil {
			return err
		}
		if rec == nil {
			return NotFound("Service principal '" + id + "'")
		}
		token = servicePrincipalTokenPrefix + rec.ID + "." + base64.RawURLEncoding.EncodeToString(b)
		sum := sha256.Sum256([]byte(token))
		if rec.Secret, err = json.Marshal(tokenSecret{TokenHash: hex.EncodeToString(sum[:])}); err != nil {
			return err
		}
		_, err = tx.Put(ctx, rec)
		return err
	})
	return token, err
}

// AuthenticateServicePrincipal returns the principal whose token token
// is, and false when it is none's (unknown id, wrong or no token). The
// token is compared by its hash, in constant time.
func (s *Service) AuthenticateServicePrincipal(ctx context.Context, token string) (Principal, bool, error) {
	rest, ok := strings.CutPrefix(token, servicePrincipalTokenPrefix)
	id, _, ok2 := strings.Cut(rest, ".")
	if !ok || !ok2 || model.ValidateID(id) != nil {
		return Principal{}, false, nil
	}
	var rec *store.Record
	err := s.guard.View(ctx, func(r store.Reader) error {
		var err error
		rec, err = Lookup(ctx, r, model.KindServicePrincipal, "", id)
		return err
	})
	if err != nil || rec == nil || len(rec.Secret) == 0 {
		return Principal{}, false, err
	}
	var sec tokenSecret
	var sp model.ServicePrincipal
	if err := json.Unmarshal(rec.Secret, &sec); err != nil {
		return Principal{}, false, err
	}
	if err := DecodeStored(rec, &sp); err != nil {
		return Principal{}, false, err
	}
	sum := sha256.Sum256([]byte(token))
	want, err := hex.DecodeString(sec.TokenHash)
	if err != nil || subtle.ConstantTimeCompare(sum[:], want) != 1 {
		return Principal{}, false, nil
	}
	return Principal{Kind: KindServicePrincipal, ID: rec.ID, Role: sp.Role}, true, nil
}

// keepToken keeps a service principal's token across a replace or merge:
// only generateToken changes it.
func keepToken(_ context.Context, _ store.Tx, rec *store.Record, _ model.Properties, old *store.Record, _ checkEnv) error {
	if old != nil {
		rec.Secret = old.Secret
	}
	return nil
}

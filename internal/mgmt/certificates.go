package mgmt

import (
	"encoding/pem"
	"net/http"

	"github.com/gatehouse/gatehouse/internal/control"
)

// listCertificateSecrets serves POST /certificates/{id}/listSecrets: the
// certificate's material as PEM, the chain (leaf first) apart from the
// private key, so that an export can carry the public part alone.
func (s *Server) listCertificateSecrets(r *http.Request) (response, error) {
	var rec *control.Record
	err := s.control.View(r.Context(), principalOf(r), func(tx control.Reader) error {
		var err error
		rec, err = certificatesType.get(r.Context(), tx, "", r.PathValue("certificateId"))
		return err
	})
	if err != nil {
		return response{}, err
	}
	var chain, key []byte
	rest := rec.Secret
	for {
		var b *pem.Block
		b, rest = pem.Decode(rest)
		if b == nil {
			break
		}
		if b.Type == "CERTIFICATE" {
			chain = append(chain, pem.EncodeToMemory(b)...)
		} else {
			key = append(key, pem.EncodeToMemory(b)...)
		}
	}
	body := map[string]string{"certificate": string(chain)}
	if len(key) > 0 {
		body["privateKey"] = string(key)
	}
	return response{status: http.StatusOK, body: body, etag: rec.ETag()}, nil
}

package mgmt

import (
	"net/http"

	"github.com/gatehouse/gatehouse/internal/control"
)

// guard refuses f's requests with 403 unless the collection is open to
// the caller: an admin-only one (service principals) to the
// administrator alone.
func (rt *resourceType) guard(f apiFunc) apiFunc {
	if !rt.adminOnly {
		return f
	}
	return func(r *http.Request) (response, error) {
		if principalOf(r).Kind != control.KindAdmin {
			return response{}, control.Forbidden("Only the administrator manages service principals.")
		}
		return f(r)
	}
}

// generateServicePrincipalToken serves POST
// /servicePrincipals/{id}/generateToken: a new token, shown this once.
func (s *Server) generateServicePrincipalToken(r *http.Request) (response, error) {
	id := r.PathValue("servicePrincipalId")
	if err := servicePrincipalsType.checkID(id); err != nil {
		return response{}, invalid("servicePrincipalId", err.Error())
	}
	token, err := s.control.GenerateServicePrincipalToken(r.Context(), principalOf(r), id)
	if err != nil {
		return response{}, err
	}
	return response{status: http.StatusOK, body: map[string]string{"token": token}}, nil
}

package dotnet

import (
	"encoding/json"
	"math"

	"github.com/gatehouse/gatehouse/internal/expr"
)

// Authorization is the object get-authorization-context puts in its
// context variable, APIM's
//
//	class Authorization {
//	    public string AccessToken { get; }
//	    public IReadOnlyDictionary<string, object> Claims { get; }
//	}
//
// AccessToken is the bearer token for the backend; Claims are the members
// of the authorization server's token response (RFC 6749 section 5.1:
// access_token, token_type, expires_in, scope...). It is immutable and
// safe for concurrent use; its string form never shows the token.
type Authorization struct {
	accessToken string
	claims      *dictVal
}

// NewAuthorization returns the Authorization of accessToken with the
// token response's members, as encoding/json decodes them (a whole
// number becomes an int or a long, an object a JObject, an array a
// JArray).
func NewAuthorization(accessToken string, response map[string]any) *Authorization {
	d := &dictVal{vals: map[string]any{}}
	for _, k := range sortedKeys(response) {
		_ = d.add(k, claimValue(response[k])) // keys of a map are distinct
	}
	return &Authorization{accessToken: accessToken, claims: d}
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	for i := 1; i < len(keys); i++ {
		for j := i; j > 0 && keys[j] < keys[j-1]; j-- {
			keys[j], keys[j-1] = keys[j-1], keys[j]
		}
	}
	return keys
}

// claimValue converts a decoded JSON value to the expression language's.
func claimValue(v any) any {
	switch x := v.(type) {
	case float64:
		if x == math.Trunc(x) && math.Abs(x) < 1<<53 {
			if x >= math.MinInt32 && x <= math.MaxInt32 {
				return int(x)
			}
			return int64(x)
		}
		return x
	case map[string]any, []any:
		b, err := json.Marshal(x)
		if err != nil {
			return nil
		}
		t, err := ParseJSON(b)
		if err != nil {
			return nil
		}
		return t
	}
	return v
}

// TypeName returns "Authorization".
func (*Authorization) TypeName() string { return "Authorization" }

// String returns the type name, never the token.
func (*Authorization) String() string { return "Authorization" }

var tyAuthorization = expr.NewType("Authorization", expr.TypeOptions{})

// AddAuthorization lets expressions of l use Authorization:
// (Authorization)context.Variables["name"], its AccessToken and Claims.
// Call it before the first Compile with l.
func AddAuthorization(l *expr.Library) {
	l.AddType(tyAuthorization)
	l.AddMembers("Authorization", expr.Members{
		"AccessToken": val(tyString, func(r any) any { return r.(*Authorization).accessToken }),
		"Claims":      val(named("Dictionary"), func(r any) any { return r.(*Authorization).claims }),
	})
}

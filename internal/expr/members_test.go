package expr

import (
	"crypto/sha256"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"sort"
	"testing"
	"time"
)

// sampleValues holds one run-time value of each type with members.
func sampleValues() map[string]any {
	c := newTestContext()
	doc, _ := parseXML("<a x=\"1\"><b>t</b></a>")
	re := regexp.MustCompile(`(?P<n>a)(b)?`)
	m := newMatch(re, "ab", re.FindStringSubmatchIndex("ab"))
	j, _ := parseJwt(testJWT(jwtPayload))
	return map[string]any{
		"IContext": c, "IRequest": c.Request, "IResponse": c.Response, "IUrl": c.Request.URL,
		"IHeaders": c.Request.Headers, "IQuery": c.Request.URL.Query, "IParameters": map[string]string{"a": "b"}, "Dictionary": &dictVal{keys: []any{"a"}, vals: map[string]any{"a": 1}},
		"IVariables": c.Variables, "IMessageBody": BodyOf([]byte(`{"a":1}`)), "ISubscription": c.Subscription,
		"IUser": c.User, "IGroup": Group{ID: "g"}, "IProduct": c.Product, "IApi": c.API, "IOperation": c.Operation,
		"IDeployment": c.Deployment, "IDeploymentGateway": &DeploymentGateway{ID: "g"}, "ILastError": c.LastError, "string": "abc,def", "DateTime": testNow,
		"TimeSpan": time.Minute, "JObject": mustJSON(`{"a":1,"b":[1]}`), "JArray": mustJSON(`[1,"x"]`),
		"JValue": &JValue{v: "s"}, "JProperty": &JProperty{Name: "p", Value: &JValue{v: int64(1)}},
		"Jwt": j, "IClaims": claims(j.claims), "BasicAuthCredentials": &BasicAuthCredentials{UserID: "u"},
		"Uri": &Uri{u: &url.URL{Scheme: "https", Host: "h", Path: "/p"}}, "XElement": doc.root(), "XDocument": doc,
		"XAttribute": &XAttribute{Name: "n", Value: "v"}, "XNamespace": XNamespace{URI: "u"}, "Match": m, "Group": m.groups[1], "GroupCollection": reGroups{m: m},
		"Regex": &regexVal{re: re}, "Encoding": encodingVal{"UTF8"}, "HashAlgorithm": &hashAlg{h: sha256.New},
		"Exception": &Exception{Message: "m"}, "KeyValuePair": kvPair{key: "k", value: "v"}, "Random": randomVal{},
		"StringBuilder": &strBuilder{}, "array": []any{1, "a", nil}, "string[]": []string{"a", "b"}, "byte[]": []byte{1, 2},
		"List": &listVal{items: []any{"a"}}, "Guid": Guid{1}, "ISubscriptionKeyParameterNames": &c.API.SubscriptionKeyParameterNames,
		"JTokenType": enumVal{typ: "JTokenType", name: "Object"}, "char": 'a', "object": 1, "bool": true, "byte": byte(1), "double": 1.5, "int": 1, "long": int64(1),
		"http.Header": http.Header{},
	}
}

// argSets are argument lists of assorted types for calling every member.
func argSets(e *env) [][]any {
	l := &lambdaVal{e: e, slots: nil, body: func(*env) (any, error) { return true, nil }}
	vals := []any{nil, "a", 1, int64(2), 2.5, true, 'c', []byte{1}, []string{"x"}, []any{"y"}, l, &outRef{e: e, slot: 0},
		enumVal{typ: "StringComparison", name: "OrdinalIgnoreCase", n: 5}, testNow, time.Second, &JValue{v: "j"}, mustJSON(`{"k":1}`), -1}
	sets := [][]any{{}}
	for _, a := range vals {
		sets = append(sets, []any{a})
		for _, b := range vals {
			sets = append(sets, []any{a, b}, []any{a, b, b}, []any{"s", a, b, 1})
		}
	}
	return sets
}

// TestMembersNeverPanic calls every member of every type, and every static
// member, with arguments of assorted types: each returns a value or an error.
func TestMembersNeverPanic(t *testing.T) {
	samples := sampleValues()
	e := &env{ctx: newTestContext(), vars: make([]any, 4)}
	sets := argSets(e)
	try := func(name string, f func() (any, error)) {
		defer func() {
			if r := recover(); r != nil {
				t.Errorf("%s panicked: %v", name, r)
			}
		}()
		e.steps = 0
		_, _ = f()
	}
	var names []string
	for tn := range members {
		names = append(names, tn)
	}
	sort.Strings(names)
	for _, tn := range names {
		v, ok := samples[tn]
		if !ok {
			t.Errorf("no sample value for type %s", tn)
			continue
		}
		for mn, m := range members[tn] {
			if m.get != nil {
				try(fmt.Sprintf("%s.%s", tn, mn), func() (any, error) { return m.get(v) })
			}
			if m.call == nil {
				continue
			}
			for _, a := range sets {
				if len(a) < m.min || m.max >= 0 && len(a) > m.max {
					continue
				}
				try(fmt.Sprintf("%s.%s%v", tn, mn, a), func() (any, error) {
					return m.call(e, v, append([]any(nil), a...), []*typ{tyString})
				})
			}
		}
	}
	for tn, tbl := range statics {
		for mn, m := range tbl {
			if m.get != nil {
				try(tn+"."+mn, func() (any, error) { return m.get(e.ctx) })
			}
			if m.call == nil {
				continue
			}
			for _, a := range sets {
				if len(a) < m.min || m.max >= 0 && len(a) > m.max {
					continue
				}
				try(fmt.Sprintf("static %s.%s%v", tn, mn, a), func() (any, error) {
					return m.call(e, nil, append([]any(nil), a...), []*typ{tyInt})
				})
			}
		}
	}
	for tn, k := range ctors {
		for _, a := range sets {
			if len(a) < k.min || k.max >= 0 && len(a) > k.max {
				continue
			}
			try(fmt.Sprintf("new %s%v", tn, a), func() (any, error) { return k.make(append([]any(nil), a...)) })
		}
	}
}

package dotnet

import (
	"github.com/gatehouse/gatehouse/internal/expr"
)

// addBuilderMembers adds the members of System.Text.StringBuilder. Insert,
// Remove and Replace edit the text as the string methods of the same name
// would, and return the builder.
func addBuilderMembers(m map[string]expr.Members) {
	b := expr.Members{
		"Append": fn(named("StringBuilder"), 1, 1, func(r any, a []any) (any, error) {
			sb := r.(*strBuilder)
			if sb.b.Len()+len(expr.ToString(a[0])) > expr.MaxString {
				return nil, errTooLong
			}
			sb.b.WriteString(expr.ToString(a[0]))
			return sb, nil
		}),
		"AppendLine": fn(named("StringBuilder"), 0, 1, func(r any, a []any) (any, error) {
			sb := r.(*strBuilder)
			if len(a) == 1 {
				sb.b.WriteString(expr.ToString(a[0]))
			}
			if sb.b.Len() > expr.MaxString {
				return nil, errTooLong
			}
			sb.b.WriteString("\n")
			return sb, nil
		}),
		"Length": val(tyInt, func(r any) any { return strLen(r.(*strBuilder).b.String()) }),
	}
	tyBuilder := named("StringBuilder")
	for _, name := range []string{"Insert", "Remove", "Replace"} {
		sm, insert := m["string"][name], name == "Insert"
		b[name] = fn(tyBuilder, 2, 2, func(r any, a []any) (any, error) {
			sb := r.(*strBuilder)
			if insert && a[1] != nil {
				a = []any{a[0], expr.ToString(a[1])}
			}
			v, err := sm.Call(nil, sb.b.String(), a, nil)
			if err != nil {
				return nil, err
			}
			sb.b.Reset()
			sb.b.WriteString(v.(string))
			return sb, nil
		})
	}
	b["Clear"] = fn(tyBuilder, 0, 0, func(r any, _ []any) (any, error) {
		sb := r.(*strBuilder)
		sb.b.Reset()
		return sb, nil
	})
	b["AppendFormat"] = fn(tyBuilder, 1, -1, func(r any, a []any) (any, error) {
		sb := r.(*strBuilder)
		v, err := formatArgs(a)
		if err != nil {
			return nil, err
		}
		if sb.b.Len()+len(v) > expr.MaxString {
			return nil, errTooLong
		}
		sb.b.WriteString(v)
		return sb, nil
	})
	m["StringBuilder"] = b
}

// formatArgs formats a (a composite format string and its arguments, or one
// array of arguments) as string.Format does.
func formatArgs(a []any) (string, error) {
	f, err := str(a[0], "format")
	if err != nil {
		return "", err
	}
	args := a[1:]
	if len(args) == 1 {
		if arr, ok := args[0].([]any); ok {
			args = arr
		}
	}
	return compositeFormat(f, args)
}

package dotnet

import "testing"

func TestEnumParse(t *testing.T) {
	runCases(t, Inline, []evalCase{
		{"parse", `Enum.Parse<DayOfWeek>("Friday") == DayOfWeek.Friday`, "bool:True"},
		{"parse ignore case", `Enum.Parse<StringComparison>("ordinalignorecase", true).ToString()`, "string:OrdinalIgnoreCase"},
		{"parse number", `(int)Enum.Parse<DayOfWeek>("3")`, "int:3"},
		{"parse flags", `(int)Enum.Parse<RegexOptions>("IgnoreCase, Multiline")`, "int:3"},
		{"use parsed", `Regex.IsMatch("ABC", "abc", Enum.Parse<RegexOptions>("IgnoreCase"))`, "bool:True"},
	})
	runCases(t, Block, []evalCase{
		{"tryparse", `if (Enum.TryParse<DayOfWeek>("Monday", out var d)) { return d.ToString(); } return "no";`, "string:Monday"},
		{"tryparse typed out", `DayOfWeek d; return Enum.TryParse<DayOfWeek>("Sunday", out d) && d == DayOfWeek.Sunday;`, "bool:True"},
		{"tryparse fails", `return Enum.TryParse<DayOfWeek>("Someday", out DayOfWeek d);`, "bool:False"},
		{"tryparse case", `return Enum.TryParse<DayOfWeek>("monday", true, out DayOfWeek d) ? (int)d : -1;`, "int:1"},
		{"tryparse case-sensitive", `return Enum.TryParse<DayOfWeek>("monday", out DayOfWeek d);`, "bool:False"},
		{"tryparse null", `return Enum.TryParse<DayOfWeek>(context.Request.Headers.GetValueOrDefault("X-None"), out DayOfWeek d);`, "bool:False"},
	})
	runErrCases(t, false, []errCase{
		{"unknown name", `Enum.Parse<DayOfWeek>("Someday")`, Inline, "1:6: ArgumentException: Requested value 'Someday' was not found."},
	})
	runErrCases(t, true, []errCase{
		{"typeof", `Enum.Parse(typeof(DayOfWeek), "Friday")`, Inline, "1:12: typeof is not supported"},
	})
}

func TestEnumToIntCast(t *testing.T) {
	runCases(t, Inline, []evalCase{
		{"day number", `(int)DayOfWeek.Friday`, "int:5"},
		{"flags number", `(long)(RegexOptions.IgnoreCase | RegexOptions.Multiline)`, "long:3"},
	})
	runErrCases(t, true, []errCase{
		{"not to string", `(string)DayOfWeek.Friday`, Inline, "1:1: cannot convert type DayOfWeek to string"},
	})
}

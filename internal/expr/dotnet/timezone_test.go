package dotnet

import "testing"

func TestTimeZoneInfo(t *testing.T) {
	runCases(t, Inline, []evalCase{
		{"iana from utc", `TimeZoneInfo.ConvertTimeFromUtc(new DateTime(2024, 7, 1, 12, 0, 0, DateTimeKind.Utc), TimeZoneInfo.FindSystemTimeZoneById("Europe/Amsterdam")).ToString("yyyy-MM-dd HH:mm")`, "string:2024-07-01 14:00"},
		{"windows id", `TimeZoneInfo.ConvertTimeFromUtc(new DateTime(2024, 1, 15, 12, 0, 0, DateTimeKind.Utc), TimeZoneInfo.FindSystemTimeZoneById("W. Europe Standard Time")).Hour`, "int:13"},
		{"windows id case", `TimeZoneInfo.FindSystemTimeZoneById("eastern standard time").Id`, "string:eastern standard time"},
		{"result kind", `TimeZoneInfo.ConvertTimeFromUtc(DateTime.UtcNow, TimeZoneInfo.FindSystemTimeZoneById("Asia/Tokyo")).Kind.ToString()`, "string:Unspecified"},
		{"to utc", `TimeZoneInfo.ConvertTimeToUtc(new DateTime(2024, 7, 1, 9, 0, 0), TimeZoneInfo.FindSystemTimeZoneById("Pacific Standard Time")).ToString("HH:mm")`, "string:16:00"},
		{"to utc kind", `TimeZoneInfo.ConvertTimeToUtc(new DateTime(2024, 7, 1, 9, 0, 0), TimeZoneInfo.FindSystemTimeZoneById("Asia/Tokyo")).Kind.ToString()`, "string:Utc"},
		{"convert time utc source", `TimeZoneInfo.ConvertTime(new DateTime(2024, 12, 1, 23, 30, 0, DateTimeKind.Utc), TimeZoneInfo.FindSystemTimeZoneById("Asia/Calcutta")).ToString("dd HH:mm")`, "string:02 05:00"},
		{"convert between zones", `TimeZoneInfo.ConvertTime(new DateTime(2024, 7, 1, 8, 0, 0), TimeZoneInfo.FindSystemTimeZoneById("America/New_York"), TimeZoneInfo.FindSystemTimeZoneById("Europe/London")).Hour`, "int:13"},
		{"by id", `TimeZoneInfo.ConvertTimeBySystemTimeZoneId(new DateTime(2024, 7, 1, 12, 0, 0, DateTimeKind.Utc), "AUS Eastern Standard Time").Hour`, "int:22"},
		{"by two ids", `TimeZoneInfo.ConvertTimeBySystemTimeZoneId(new DateTime(2024, 1, 1, 0, 0, 0), "Tokyo Standard Time", "UTC").ToString("yyyy-MM-dd HH")`, "string:2023-12-31 15"},
		{"local is utc", `TimeZoneInfo.Local.Id + "/" + TimeZoneInfo.Utc.Id`, "string:UTC/UTC"},
		{"utc to utc", `TimeZoneInfo.ConvertTimeFromUtc(new DateTime(2024, 1, 1, 5, 0, 0, DateTimeKind.Utc), TimeZoneInfo.Utc).Kind.ToString()`, "string:Utc"},
		{"base offset", `TimeZoneInfo.FindSystemTimeZoneById("Central Standard Time").BaseUtcOffset.TotalHours`, "double:-6"},
		{"summer offset", `TimeZoneInfo.FindSystemTimeZoneById("Europe/Berlin").GetUtcOffset(new DateTime(2024, 7, 1, 0, 0, 0, DateTimeKind.Utc)).TotalHours`, "double:2"},
		{"dst", `TimeZoneInfo.FindSystemTimeZoneById("Europe/Berlin").IsDaylightSavingTime(new DateTime(2024, 1, 1, 0, 0, 0))`, "bool:False"},
		{"utc kind read in source zone", `TimeZoneInfo.ConvertTime(new DateTime(2024, 1, 1, 9, 0, 0, DateTimeKind.Utc), TimeZoneInfo.FindSystemTimeZoneById("Asia/Tokyo"), TimeZoneInfo.Utc).Hour`, "int:0"},
		{"supports dst", `TimeZoneInfo.FindSystemTimeZoneById("India Standard Time").SupportsDaylightSavingTime`, "bool:False"},
	})
	runErrCases(t, false, []errCase{
		{"unknown id", `TimeZoneInfo.FindSystemTimeZoneById("Mars/Olympus").Id`, Inline, "1:14: TimeZoneNotFoundException: The time zone ID 'Mars/Olympus' was not found on the local computer."},
		{"path id", `TimeZoneInfo.FindSystemTimeZoneById("../etc/passwd").Id`, Inline, "1:14: TimeZoneNotFoundException: The time zone ID '../etc/passwd' was not found on the local computer."},
	})
}

package web

import "testing"

func TestFormatNumber(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"0": "0", "12": "12", "999": "999", "1000": "1,000", "12500": "12,500", "1234567": "1,234,567",
		"1500.5": "1,500.5", "12500000.75": "12,500,000.75", "-1234": "-1,234", "+1234.000": "+1,234.000",
		"0.0001": "0.0001", "123456789012345678901234567890": "123,456,789,012,345,678,901,234,567,890",
		// not plain decimals: shown as stored
		"": "", "1e6": "1e6", "1,000": "1,000", ".5": ".5", "12.": "12.", "abc": "abc", "١٢٣٤": "١٢٣٤",
	} {
		if got := formatNumber(in); got != want {
			t.Errorf("formatNumber(%q) = %q, want %q", in, got, want)
		}
	}
	if got := formatCount(10000); got != "10,000" {
		t.Errorf("formatCount(10000) = %q", got)
	}
}

func TestBlank(t *testing.T) {
	t.Parallel()
	for s, want := range map[string]bool{
		"": true, " \t\r\n": true, "\u00a0\u2003\u3000": true, "\u200b\u200c\u200d\u2060\ufeff": true,
		"a": false, " . ": false, "&nbsp;": false, "\u200bx": false, "<p></p>": false,
	} {
		if got := blank(s); got != want {
			t.Errorf("blank(%q) = %v", s, got)
		}
	}
	for body, empty := range map[string]bool{
		"": true, "<p> </p><br>&nbsp;&#8203;": true, "<script>text</script>": true, "<img src=x alt=photo>": true,
		"<p>a</p>": false, "plain": false, "&lt;p&gt;": false,
	} {
		if _, got := messageBody(body); got != empty {
			t.Errorf("messageBody(%q) empty = %v", body, got)
		}
	}
}

func TestFormatDuration(t *testing.T) {
	t.Parallel()
	for in, want := range map[string][2]string{
		"0": {"0:00", "PT0S"}, "400": {"0:00", "PT0S"}, "500": {"0:01", "PT1S"}, "59499": {"0:59", "PT59S"},
		"60000": {"1:00", "PT1M"}, "245000": {"4:05", "PT4M5S"}, "245000.4": {"4:05", "PT4M5S"},
		"3599000": {"59:59", "PT59M59S"}, "3600000": {"1:00:00", "PT1H"}, "3725000": {"1:02:05", "PT1H2M5S"},
		"90061000": {"25:01:01", "PT25H1M1S"}, " 1000 ": {"0:01", "PT1S"},
	} {
		text, iso, ok := formatDuration(in)
		if !ok || text != want[0] || iso != want[1] {
			t.Errorf("formatDuration(%q) = %q %q %v, want %q %q", in, text, iso, ok, want[0], want[1])
		}
	}
	// Not a duration: the summary leaves it out.
	for _, in := range []string{"", "-1", "abc", "1e400", "NaN", "Inf", "1e16"} {
		if text, _, ok := formatDuration(in); ok {
			t.Errorf("formatDuration(%q) = %q, want no duration", in, text)
		}
	}
}

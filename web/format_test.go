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

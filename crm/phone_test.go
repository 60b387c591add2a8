package crm

import "testing"

func TestSearchableNumber(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"+1 (617) 555-1234": "6175551234",
		"+44 20 7946 0958":  "2079460958",
		"+39 06 1234 5678":  "612345678", // Italy's leading zero, as a number
		"+351 912 345 678":  "912345678",
		"+7 495 123-45-67":  "4951234567",
		"+86 10 1234 5678":  "1012345678",
		"617.555.1234":      "6175551234",
		"00004":             "4",
		// Values HubSpot returned for these numbers, in captured responses:
		"08180854296":             "8180854296",
		"(877) 829-06966777":      "87782906966777",
		"+33655555555":            "655555555",
		"+5511999999999":          "11999999999",
		"513-227-1572":            "5132271572",
		"+1 617 555 1234 ext. 12": "6175551234",
		"555-1234 x99":            "5551234",
		"":                        "",
		"unknown":                 "",
		"+":                       "",
		"+35":                     "",
	} {
		if got := searchableNumber(in); got != want {
			t.Errorf("searchableNumber(%q) = %q, want %q", in, got, want)
		}
	}
}

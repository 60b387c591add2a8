package crm

import (
	"strings"
	"time"
	"unicode"
)

// searchablePhones derives HubSpot's hs_searchable_calculated_* properties,
// through which its search matches phone numbers: each holds the area code
// and local number of a phone property (searchableNumber).
func searchablePhones(pairs ...string) Derivation {
	var inputs []string
	for i := 0; i+1 < len(pairs); i += 2 {
		inputs = append(inputs, pairs[i])
	}
	return Derivation{Inputs: inputs, Compute: func(props map[string]string, _ time.Time) map[string]string {
		out := make(map[string]string, len(inputs))
		for i := 0; i+1 < len(pairs); i += 2 {
			out[pairs[i+1]] = searchableNumber(props[pairs[i]])
		}
		return out
	}}
}

// searchableNumber is a phone number without its country calling code,
// formatting or extension, as HubSpot's calculated search properties hold it
// (e.g. "6175551234" for "+1 (617) 555-1234"). A number written with "+" loses
// its country code; anything after the first letter ("ext. 12", "x12") is an
// extension; leading zeros (a national trunk prefix) are dropped. A value
// without digits gives "".
func searchableNumber(v string) string {
	v = strings.TrimSpace(v)
	if i := strings.IndexFunc(v, unicode.IsLetter); i >= 0 {
		v = v[:i]
	}
	var digits strings.Builder
	for _, r := range v {
		if r >= '0' && r <= '9' {
			digits.WriteRune(r)
		}
	}
	d := digits.String()
	if strings.HasPrefix(v, "+") {
		d = d[min(countryCodeLength(d), len(d)):]
	}
	return strings.TrimLeft(d, "0")
}

// countryCodeLength is the length of the E.164 country calling code that
// starts digits. The codes are prefix-free: 1 and 7 are one digit, the
// two-digit codes are listed, every other code has three digits.
func countryCodeLength(digits string) int {
	if digits == "" {
		return 0
	}
	if digits[0] == '1' || digits[0] == '7' {
		return 1
	}
	if len(digits) >= 2 && twoDigitCountryCodes[digits[:2]] {
		return 2
	}
	return 3
}

var twoDigitCountryCodes = func() map[string]bool {
	m := map[string]bool{}
	for _, c := range strings.Fields(`20 27 30 31 32 33 34 36 39 40 41 43 44 45 46 47 48 49
		51 52 53 54 55 56 57 58 60 61 62 63 64 65 66 81 82 84 86 90 91 92 93 94 95 98`) {
		m[c] = true
	}
	return m
}()

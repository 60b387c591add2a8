package crm

import (
	"html"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// PreviewLength is the longest hs_body_preview Spoke computes, in characters.
const PreviewLength = 2000

// Derivation computes read-only properties of a type from written ones.
// Types declare theirs (ObjectType.Derivations); the engine runs one when a
// write changes any of its Inputs.
type Derivation struct {
	// Inputs are the written properties the derived ones depend on.
	Inputs []string
	// Compute returns the derived values ("" clears) from the record's
	// properties as the write leaves them.
	Compute func(props map[string]string, now time.Time) map[string]string
}

// derive computes the properties HubSpot derives from written ones. It returns
// the derived values ("" clears) for the changed inputs only. props are the
// record's properties with changed applied; owners holds the (already
// validated) owners that changed names, by id.
func derive(t *ObjectType, changed, props map[string]string, now time.Time, owners map[string]*Owner) map[string]string {
	out := map[string]string{}
	for _, d := range t.Derivations {
		run := false
		for _, in := range d.Inputs {
			_, ok := changed[in]
			run = run || ok
		}
		if !run {
			continue
		}
		for name, v := range d.Compute(props, now) {
			if props[name] != v {
				out[name] = v
			}
		}
	}
	if owner, ok := changed["hubspot_owner_id"]; ok && t.Property("hs_all_owner_ids") != nil {
		if owner == "" {
			out["hubspot_owner_assigneddate"], out["hs_all_owner_ids"], out["hs_user_ids_of_all_owners"] = "", "", ""
		} else {
			out["hubspot_owner_assigneddate"] = FormatTime(now)
			out["hs_all_owner_ids"] = owner
			if o := owners[owner]; o != nil {
				out["hs_user_ids_of_all_owners"] = strconv.FormatInt(o.UserID, 10)
			}
		}
	}
	return out
}

// previewOf derives hs_body_preview, hs_body_preview_html and
// hs_body_preview_is_truncated from the first of bodies that has a value.
func previewOf(bodies ...string) Derivation {
	return Derivation{Inputs: bodies, Compute: func(props map[string]string, _ time.Time) map[string]string {
		for _, name := range bodies {
			body := props[name]
			if body == "" {
				continue
			}
			preview, truncated := bodyPreview(body)
			return map[string]string{
				"hs_body_preview":              preview,
				"hs_body_preview_html":         "<html>\n <head></head>\n <body>\n " + html.EscapeString(preview) + "\n </body>\n</html>",
				"hs_body_preview_is_truncated": map[bool]string{true: "true", false: "false"}[truncated],
			}
		}
		return map[string]string{"hs_body_preview": "", "hs_body_preview_html": "", "hs_body_preview_is_truncated": ""}
	}}
}

// statusDate derives a read-only datetime that holds when property last
// took value (a task's hs_task_completion_date), cleared when it takes another.
func statusDate(property, value, date string) Derivation {
	return Derivation{Inputs: []string{property}, Compute: func(props map[string]string, now time.Time) map[string]string {
		switch {
		case props[property] != value:
			return map[string]string{date: ""}
		case props[date] != "":
			return nil // already set by an earlier write of the same value
		}
		return map[string]string{date: FormatTime(now)}
	}}
}

// bodyPreview is the plain text of a body, cut at PreviewLength characters.
func bodyPreview(body string) (string, bool) {
	text := plainText(body)
	if utf8.RuneCountInString(text) <= PreviewLength {
		return text, false
	}
	return string([]rune(text)[:PreviewLength]), true
}

// plainText turns a body (plain text or HTML) into plain text with collapsed
// whitespace.
func plainText(body string) string {
	if plainAlready(body) {
		return body
	}
	return stripTags(body)
}

// stripTags is plainText of any body.
func stripTags(body string) string {
	var b, tag strings.Builder
	inTag := false
	runes := []rune(body)
	for i, r := range runes {
		switch {
		case r == '<' && !inTag && i+1 < len(runes) && startsTag(runes[i+1]):
			inTag = true
			tag.Reset()
		case r == '>' && inTag:
			inTag = false
			if !inlineTags[tagName(tag.String())] {
				b.WriteByte(' ')
			}
		case inTag:
			tag.WriteRune(r)
		default:
			b.WriteRune(r)
		}
	}
	if inTag { // never closed: it was text after all
		b.WriteString("<" + tag.String())
	}
	return strings.Join(strings.Fields(html.UnescapeString(b.String())), " ")
}

// plainAlready reports whether plainText(s) is s: printable ASCII with
// no tag or entity to remove, and words separated by single spaces. Most
// message bodies are such, and are then not copied three times over.
func plainAlready(s string) bool {
	if s == "" || s[0] == ' ' || s[len(s)-1] == ' ' {
		return s == ""
	}
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c < ' ' || c > '~' || c == '<' || c == '&':
			return false
		case c == ' ' && s[i-1] == ' ':
			return false
		}
	}
	return true
}

// inlineTags do not separate words when removed.
var inlineTags = map[string]bool{"a": true, "b": true, "i": true, "u": true, "em": true, "strong": true,
	"span": true, "small": true, "code": true, "s": true, "sub": true, "sup": true, "font": true}

func tagName(tag string) string {
	tag = strings.TrimPrefix(strings.TrimSpace(tag), "/")
	if i := strings.IndexAny(tag, " \t\n/"); i >= 0 {
		tag = tag[:i]
	}
	return strings.ToLower(tag)
}

// startsTag reports whether a rune after '<' makes it a tag, not text ("a < b").
func startsTag(r rune) bool {
	return r == '/' || r == '!' || unicode.IsLetter(r)
}

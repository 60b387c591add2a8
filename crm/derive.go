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

// derive computes the properties HubSpot derives from written ones. It returns
// the derived values ("" clears) for the changed inputs only. owners holds
// the (already validated) owners that changed names, by id.
func derive(t *ObjectType, changed map[string]string, now time.Time, owners map[string]*Owner) map[string]string {
	out := map[string]string{}
	if body, ok := changed["hs_communication_body"]; ok && t.Property("hs_body_preview") != nil {
		if body == "" {
			out["hs_body_preview"], out["hs_body_preview_html"], out["hs_body_preview_is_truncated"] = "", "", ""
		} else {
			preview, truncated := bodyPreview(body)
			out["hs_body_preview"] = preview
			out["hs_body_preview_html"] = "<html>\n <head></head>\n <body>\n " + html.EscapeString(preview) + "\n </body>\n</html>"
			out["hs_body_preview_is_truncated"] = map[bool]string{true: "true", false: "false"}[truncated]
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

// bodyPreview turns a message body (plain text or HTML) into plain text with
// collapsed whitespace, cut at PreviewLength characters.
func bodyPreview(body string) (string, bool) {
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
	text := strings.Join(strings.Fields(html.UnescapeString(b.String())), " ")
	if utf8.RuneCountInString(text) <= PreviewLength {
		return text, false
	}
	return string([]rune(text)[:PreviewLength]), true
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

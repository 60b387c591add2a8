// Package redact hides the credentials of database URLs wherever Spoke
// prints one: logs, error messages, metrics and help texts.
package redact

import (
	"net/url"
	"regexp"
	"slices"
	"strings"
)

// Mask replaces a hidden value.
const Mask = "xxxxx"

// secretParams are query parameters that carry credentials in a PostgreSQL
// URL (libpq and pgx accept both).
var secretParams = []string{"password", "sslpassword"}

// brokenUserinfo finds "scheme://user:password@" in text that does not
// parse as a URL.
var brokenUserinfo = regexp.MustCompile(`(://[^:/@\s]*:)[^@\s]*@`)

// URL returns s with the password of its userinfo and any password query
// parameter replaced by Mask. A string that is not a URL with a scheme (a
// SQLite file path) is returned as it is.
func URL(s string) string {
	if !strings.Contains(s, "://") {
		return s
	}
	u, err := url.Parse(s)
	if err != nil {
		return redactBroken(s)
	}
	if _, ok := u.User.Password(); ok {
		u.User = url.UserPassword(u.User.Username(), Mask)
	}
	if u.RawQuery != "" {
		q, err := url.ParseQuery(u.RawQuery)
		if err != nil {
			return redactBroken(s)
		}
		changed := false
		for k := range q {
			if isSecretParam(k) {
				q[k] = []string{Mask}
				changed = true
			}
		}
		if changed {
			u.RawQuery = q.Encode()
		}
	}
	return u.String()
}

// redactBroken hides what looks like credentials in a string url.Parse
// refused: the userinfo password and everything after a password parameter.
func redactBroken(s string) string {
	s = brokenUserinfo.ReplaceAllString(s, "${1}"+Mask+"@")
	for _, p := range secretParams {
		re := regexp.MustCompile(`(?i)([?&]` + p + `=)[^&\s]*`)
		s = re.ReplaceAllString(s, "${1}"+Mask)
	}
	return s
}

func isSecretParam(k string) bool {
	for _, p := range secretParams {
		if strings.EqualFold(k, p) {
			return true
		}
	}
	return false
}

// Secrets returns the credentials in a database URL, decoded and as
// written, so that text which may quote the URL can be cleaned with Text. It
// returns nothing for a SQLite path.
func Secrets(s string) []string {
	if !strings.Contains(s, "://") {
		return nil
	}
	var out []string
	add := func(vs ...string) {
		for _, v := range vs {
			if v != "" && v != Mask {
				out = append(out, v)
			}
		}
	}
	if u, err := url.Parse(s); err == nil {
		if p, ok := u.User.Password(); ok {
			add(p)
		}
		// As written: the authority's userinfo, after the first colon.
		_, rest, _ := strings.Cut(s, "://")
		authority, _, _ := strings.Cut(rest, "/")
		authority, _, _ = strings.Cut(authority, "?")
		if i := strings.LastIndex(authority, "@"); i >= 0 {
			if _, raw, ok := strings.Cut(authority[:i], ":"); ok {
				add(raw)
			}
		}
	} else if m := brokenUserinfo.FindStringSubmatchIndex(s); m != nil {
		add(s[m[3] : m[1]-1])
	}
	if _, rawQuery, ok := strings.Cut(s, "?"); ok {
		for _, kv := range strings.Split(rawQuery, "&") {
			k, v, _ := strings.Cut(kv, "=")
			if dk, err := url.QueryUnescape(k); err == nil && isSecretParam(dk) {
				add(v)
				if dv, err := url.QueryUnescape(v); err == nil {
					add(dv)
				}
			}
		}
	}
	return out
}

// Text replaces every occurrence of secrets in s by Mask.
func Text(s string, secrets []string) string {
	// Longest first, so that a secret inside another is not left half shown.
	secrets = slices.Clone(secrets)
	slices.SortFunc(secrets, func(a, b string) int { return len(b) - len(a) })
	for _, sec := range secrets {
		s = strings.ReplaceAll(s, sec, Mask)
	}
	return s
}

// Error wraps err so that its message never shows the credentials of dbURL.
// errors.Is and errors.As still see err.
func Error(err error, dbURL string) error {
	if err == nil {
		return nil
	}
	secrets := Secrets(dbURL)
	if len(secrets) == 0 {
		return err
	}
	return &redactedError{err: err, secrets: secrets}
}

type redactedError struct {
	err     error
	secrets []string
}

func (e *redactedError) Error() string { return Text(e.err.Error(), e.secrets) }
func (e *redactedError) Unwrap() error { return e.err }

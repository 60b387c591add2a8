package spoketest

import (
	"fmt"
	"maps"
	"strings"
)

// PathParams are the names of the path parameters of a route pattern
// ("/crm/v3/objects/{type}/{id}"), in order; {$} is left out.
func PathParams(pattern string) []string {
	var out []string
	for rest := pattern; ; {
		i := strings.Index(rest, "{")
		if i < 0 {
			return out
		}
		j := strings.Index(rest[i:], "}")
		if j < 0 {
			return out
		}
		if name := rest[i+1 : i+j]; name != "$" {
			out = append(out, name)
		}
		rest = rest[i+j+1:]
	}
}

// FillPath is the path of a route pattern with each path parameter
// replaced by its value in values (a trailing {$} dropped). A parameter
// without a value is an error.
func FillPath(pattern string, values map[string]string) (string, error) {
	path := strings.TrimSuffix(pattern, "{$}")
	for _, p := range PathParams(pattern) {
		v, ok := values[p]
		if !ok {
			return "", fmt.Errorf("%s: no value for {%s}", pattern, p)
		}
		path = strings.Replace(path, "{"+p+"}", v, 1)
	}
	return path, nil
}

// WrongPaths are the paths of a route pattern with its path parameters
// from good but for one, which takes each of its values in bad in turn.
func WrongPaths(pattern string, good map[string]string, bad map[string][]string) ([]string, error) {
	var out []string
	for _, p := range PathParams(pattern) {
		for _, v := range bad[p] {
			values := maps.Clone(good)
			values[p] = v
			path, err := FillPath(pattern, values)
			if err != nil {
				return nil, err
			}
			out = append(out, path)
		}
	}
	return out, nil
}

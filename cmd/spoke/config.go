package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"time"
)

// envName is the environment variable that sets a flag: SPOKE_ and the flag
// name in upper case with dashes as underscores (--rate-limit: SPOKE_RATE_LIMIT).
func envName(flagName string) string {
	return "SPOKE_" + strings.ToUpper(strings.ReplaceAll(flagName, "-", "_"))
}

// applyEnv sets the flags named in names (every flag when names is empty)
// from their environment variables, if set. Call it before Parse so that the
// command line wins.
func applyEnv(fs *flag.FlagSet, names ...string) error {
	var err error
	fs.VisitAll(func(f *flag.Flag) {
		if len(names) > 0 && !contains(names, f.Name) {
			return
		}
		if v, ok := os.LookupEnv(envName(f.Name)); ok && err == nil {
			if serr := fs.Set(f.Name, v); serr != nil {
				err = fmt.Errorf("%s=%q: %v", envName(f.Name), v, serr)
			}
		}
	})
	return err
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// command describes a command for its --help text.
type command struct {
	synopsis string   // "spoke tokens create --scopes LIST [flags]"
	about    string   // what it does, a paragraph or two
	env      []string // flags that an environment variable also sets; "*": all
}

// newFlagSet returns a flag set whose --help text, printed to stdout, is
// that of c. It prints nothing itself: parseArgs reports errors.
func newFlagSet(name string, c command, stdout io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() { printUsage(stdout, fs, c) }
	return fs
}

// printUsage writes a command's help: synopsis, description and flags, with
// the environment variable of each flag that has one.
func printUsage(w io.Writer, fs *flag.FlagSet, c command) {
	fmt.Fprintf(w, "usage: %s\n", c.synopsis)
	if c.about != "" {
		fmt.Fprintf(w, "\n%s\n", strings.TrimSpace(c.about))
	}
	first := true
	fs.VisitAll(func(f *flag.Flag) {
		if first {
			fmt.Fprintln(w, "\nflags:")
			first = false
		}
		name, help := flag.UnquoteUsage(f)
		if lead, rest, ok := strings.Cut(strings.TrimPrefix(f.Usage, "`"), "` "); ok && strings.HasPrefix(f.Usage, "`") {
			// "`NAME` help": the argument's name, then the help.
			name, help = lead, rest
		} else if !strings.Contains(f.Usage, "`") {
			if _, ok := f.Value.(*durationValue); ok {
				name = "duration"
			}
			name = strings.ToUpper(name)
		}
		if name != "" {
			name = " " + name
		}
		fmt.Fprintf(w, "  --%s%s\n      %s", f.Name, name, help)
		var notes []string
		if contains(c.env, "*") || contains(c.env, f.Name) {
			notes = append(notes, "env "+envName(f.Name))
		}
		if f.DefValue != "" && f.DefValue != "false" && f.DefValue != "0" && f.DefValue != "0s" {
			notes = append(notes, "default "+f.DefValue)
		}
		if len(notes) > 0 {
			fmt.Fprintf(w, " (%s)", strings.Join(notes, "; "))
		}
		fmt.Fprintln(w)
	})
}

// parseArgs parses args with fs. With interspersed, flags may follow
// positional arguments, which are returned in order; otherwise parsing
// stops at the first positional argument and the rest is returned.
// -h, -help and --help print the help to stdout and return flag.ErrHelp,
// which the program treats as success. Other errors name the command's
// --help.
func parseArgs(fs *flag.FlagSet, args []string, interspersed bool) ([]string, error) {
	explainValues(fs)
	// The flag package calls Usage on errors too; print help only when asked.
	help := fs.Usage
	fs.Usage = func() {}
	defer func() { fs.Usage = help }()
	var positional []string
	for {
		err := fs.Parse(args)
		if errors.Is(err, flag.ErrHelp) {
			help()
			return nil, flag.ErrHelp
		}
		if err != nil {
			return nil, usage(fmt.Errorf("%w (spoke %s --help lists the flags)", err, fs.Name()))
		}
		if !interspersed || fs.NArg() == 0 {
			return append(positional, fs.Args()...), nil
		}
		positional = append(positional, fs.Arg(0))
		args = fs.Args()[1:]
	}
}

// parseWithEnv sets fs's flags named in names (every flag when empty) from
// the environment, then parses args as parseArgs does. A help request wins
// over a bad environment value, so --help always shows the help; otherwise
// the environment's error is reported.
func parseWithEnv(fs *flag.FlagSet, args []string, interspersed bool, names ...string) ([]string, error) {
	explainValues(fs)
	envErr := applyEnv(fs, names...)
	rest, err := parseArgs(fs, args, interspersed)
	if err != nil {
		return nil, err
	}
	if envErr != nil {
		return nil, usage(envErr)
	}
	return rest, nil
}

// explainValues makes fs's boolean and number flags say what they take
// when given something else: the flag package's own errors say only
// "parse error" or "value out of range".
func explainValues(fs *flag.FlagSet) {
	fs.VisitAll(func(f *flag.Flag) {
		g, ok := f.Value.(flag.Getter)
		switch f.Value.(type) {
		case explained, boolExplained:
			ok = false // explained already
		}
		if !ok {
			return
		}
		switch g.Get().(type) {
		case bool:
			f.Value = boolExplained{explained{g, "use true or false (or 1 or 0)"}}
		case int, int64, uint, uint64:
			f.Value = explained{g, "use a whole number"}
		case float64:
			f.Value = explained{g, "use a number such as 0.001"}
		}
	})
}

// explained is a flag value whose Set errors say what it takes.
type explained struct {
	flag.Getter
	want string
}

func (v explained) Set(s string) error {
	if err := v.Getter.Set(s); err != nil {
		return errors.New(v.want)
	}
	return nil
}

// boolExplained is an explained boolean, given without a value as --flag.
type boolExplained struct{ explained }

func (boolExplained) IsBoolFlag() bool { return true }

// durationValue is a time.Duration flag whose error shows the expected form:
// Go's own says only "parse error" to "--search-lag 3".
type durationValue time.Duration

func durationFlag(fs *flag.FlagSet, p *time.Duration, name string, value time.Duration, usage string) {
	*p = value
	fs.Var((*durationValue)(p), name, usage)
}

func (d *durationValue) String() string { return time.Duration(*d).String() }

func (d *durationValue) Set(s string) error {
	v, err := time.ParseDuration(s)
	if err != nil {
		return fmt.Errorf("use a duration such as 3s, 500ms or 2m")
	}
	if v < 0 {
		return fmt.Errorf("a duration must not be negative")
	}
	*d = durationValue(v)
	return nil
}

// newLogger builds the log/slog logger for --log-format and --log-level.
func newLogger(w io.Writer, format, level string) (*slog.Logger, error) {
	var lvl slog.Level
	if err := lvl.UnmarshalText([]byte(level)); err != nil {
		return nil, fmt.Errorf("--log-level must be debug, info, warn or error, not %q", level)
	}
	opts := &slog.HandlerOptions{Level: lvl}
	switch format {
	case "text":
		return slog.New(slog.NewTextHandler(w, opts)), nil
	case "json":
		return slog.New(slog.NewJSONHandler(w, opts)), nil
	}
	return nil, fmt.Errorf("--log-format must be text or json, not %q", format)
}

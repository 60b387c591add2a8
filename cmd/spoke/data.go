package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"

	"github.com/spoke-crm/spoke/crm"
	"github.com/spoke-crm/spoke/storage/sqlite"
)

// seed loads a fixture file into a database: spoke seed --db PATH FILE.
func (a *admin) seed(ctx context.Context, args []string) error {
	fs := a.flags("seed")
	quiet := fs.Bool("no-webhooks", false, "emit no webhook events for what the fixture writes")
	rest, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(rest) != 1 {
		return usage(errors.New("usage: spoke seed [--no-webhooks] [--db PATH|URL] FILE"))
	}
	data, err := os.ReadFile(rest[0])
	if err != nil {
		return err
	}
	var f crm.Fixture
	if err := json.Unmarshal(data, &f); err != nil {
		return fmt.Errorf("%s is not a fixture: %v", rest[0], err)
	}
	return a.withEngine(ctx, func(e *crm.Engine, _ crm.Store) error {
		if err := e.LoadSchemas(ctx); err != nil {
			return err
		}
		seedCtx := ctx
		if *quiet {
			seedCtx = crm.WithoutWebhookEvents(ctx)
		}
		if err := e.Seed(seedCtx, &f); err != nil {
			return err
		}
		n := 0
		for _, list := range f.Objects {
			n += len(list)
		}
		fmt.Fprintf(a.stdout, "Loaded %d owners, %d records and %d associations from %s\n", len(f.Owners), n, len(f.Associations), rest[0])
		return nil
	})
}

// export writes the data of a database as a fixture: spoke export --db PATH [FILE].
func (a *admin) export(ctx context.Context, args []string) error {
	fs := a.flags("export")
	secrets := fs.Bool("secrets", false, "add each app's client secret and developer API key hash")
	history := fs.Bool("history", false, "add each record's property history")
	rest, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(rest) > 1 {
		return usage(errors.New("usage: spoke export [--secrets] [--history] [--db PATH|URL] [FILE]"))
	}
	if len(rest) == 1 && !isPostgres(a.db) && !sqlite.IsMemory(a.db) {
		for _, suffix := range []string{"", "-wal", "-shm", "-journal"} {
			if sameFile(rest[0], a.db+suffix) {
				return usage(fmt.Errorf("%s is the database's own file: export to another file", rest[0]))
			}
		}
	}
	return a.withExisting(ctx, func(e *crm.Engine, _ crm.Store) error {
		if err := e.LoadSchemas(ctx); err != nil {
			return err
		}
		f, err := e.ExportWith(ctx, crm.ExportOptions{Secrets: *secrets, History: *history})
		if err != nil {
			return err
		}
		if len(rest) == 1 {
			return writeFile(rest[0], f)
		}
		enc := json.NewEncoder(a.stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(f)
	})
}

// sameFile reports whether paths a and b name one file: the same file if
// both exist, else the same absolute path.
func sameFile(a, b string) bool {
	sa, errA := os.Stat(a)
	sb, errB := os.Stat(b)
	if errA == nil && errB == nil {
		return os.SameFile(sa, sb)
	}
	absA, errA := filepath.Abs(a)
	absB, errB := filepath.Abs(b)
	return errA == nil && errB == nil && absA == absB
}

// writeFile writes v as indented JSON to path. A regular file (or a new
// one) is written to a temporary file beside it, renamed over path once
// complete and synced, so that a failed export leaves what was at path
// before and nothing else; it keeps an existing file's permissions, and a
// new one gets those of os.Create (0666 less the umask). Other paths
// (/dev/stdout, a pipe) are written directly.
func writeFile(path string, v any) (err error) {
	defer func() {
		if err != nil {
			var pe *fs.PathError
			if errors.As(err, &pe) {
				err = pe.Err
			}
			err = fmt.Errorf("cannot write %s: %w", path, err)
		}
	}()
	encode := func(w io.Writer) error {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(v)
	}
	target := path // a symbolic link's file is replaced, not the link
	if real, err := filepath.EvalSymlinks(path); err == nil {
		target = real
	}
	var mode fs.FileMode // 0: as created
	if st, err := os.Stat(target); err == nil {
		if !st.Mode().IsRegular() {
			file, err := os.OpenFile(target, os.O_WRONLY|os.O_TRUNC, 0)
			if err != nil {
				return err
			}
			return errors.Join(encode(file), file.Close())
		}
		mode = st.Mode().Perm()
	}
	var tmp *os.File
	for range 100 {
		name := filepath.Join(filepath.Dir(target), fmt.Sprintf(".%s.%d.tmp", filepath.Base(target), rand.Uint32()))
		tmp, err = os.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o666)
		if !errors.Is(err, fs.ErrExist) {
			break
		}
	}
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	if err := encode(tmp); err != nil {
		return err
	}
	if mode != 0 {
		if err := tmp.Chmod(mode); err != nil {
			return err
		}
	}
	if err := tmp.Sync(); err != nil {
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), target)
}

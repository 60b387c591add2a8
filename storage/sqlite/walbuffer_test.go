package sqlite

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"io"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ncruces/go-sqlite3/vfs"
)

// memFile is a vfs.File in memory that records the writes it gets.
type memFile struct {
	vfs.File // nil: only the methods below are called
	data     []byte
	writes   []int64 // offset of each write
}

func (m *memFile) WriteAt(p []byte, off int64) (int, error) {
	m.writes = append(m.writes, off)
	if end := int(off) + len(p); end > len(m.data) {
		m.data = append(m.data, make([]byte, end-len(m.data))...)
	}
	copy(m.data[off:], p)
	return len(p), nil
}

func (m *memFile) ReadAt(p []byte, off int64) (int, error) {
	if int(off) >= len(m.data) {
		return 0, io.EOF
	}
	n := copy(p, m.data[off:])
	if n < len(p) {
		return n, io.EOF
	}
	return n, nil
}

func (m *memFile) Size() (int64, error)                            { return int64(len(m.data)), nil }
func (m *memFile) Sync(vfs.SyncFlag) error                         { return nil }
func (m *memFile) Truncate(size int64) error                       { m.data = m.data[:size]; return nil }
func (m *memFile) Close() error                                    { return nil }
func (m *memFile) SizeHint(int64) error                            { return nil }
func (m *memFile) DeviceCharacteristics() vfs.DeviceCharacteristic { return 0 }

// frame writes a log frame of page size 512 as SQLite does: its header,
// then its page. commit is the database size in pages for a commit frame,
// else 0.
func frame(t *testing.T, f vfs.File, off int64, fill byte, commit uint32) int64 {
	t.Helper()
	hdr := make([]byte, walFrameHeader)
	binary.BigEndian.PutUint32(hdr[0:4], 1)
	binary.BigEndian.PutUint32(hdr[4:8], commit)
	if _, err := f.WriteAt(hdr, off); err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteAt(bytes.Repeat([]byte{fill}, 512), off+walFrameHeader); err != nil {
		t.Fatal(err)
	}
	return off + walFrameHeader + 512
}

// A transaction's frames reach the file in one write, made when its commit
// frame is complete; reads, writes elsewhere, sizes and syncs see every
// frame written before them.
func TestWALFileWritesAtCommit(t *testing.T) {
	t.Parallel()
	base := &memFile{}
	f := &walFile{File: base}
	if _, err := f.WriteAt(make([]byte, 32), 0); err != nil { // the log's header
		t.Fatal(err)
	}
	off := frame(t, f, 32, 'a', 0)
	off = frame(t, f, off, 'b', 0)
	if len(base.writes) != 0 {
		t.Fatalf("%d writes before the commit frame, want 0", len(base.writes))
	}
	end := frame(t, f, off, 'c', 3)
	if len(base.writes) != 1 || base.writes[0] != 0 || int64(len(base.data)) != end {
		t.Fatalf("after the commit frame: writes at %v, %d bytes; want one write at 0 of %d bytes", base.writes, len(base.data), end)
	}

	// A frame rewritten in place: what is held is written first, then the
	// rewrite is held until the next commit or use of the file.
	next := frame(t, f, end, 'd', 0)
	frame(t, f, 32, 'e', 0)
	if len(base.writes) != 2 || base.writes[1] != end {
		t.Fatalf("writes at %v, want the held frame written at %d before the rewrite", base.writes, end)
	}
	got := make([]byte, 1)
	if _, err := f.ReadAt(got, 32+walFrameHeader); err != nil || got[0] != 'e' {
		t.Fatalf("read of the rewritten frame: %q, %v; want e", got, err)
	}
	frame(t, f, next, 'f', 0)
	if size, err := f.Size(); err != nil || size != next+walFrameHeader+512 {
		t.Fatalf("size %d, %v; want %d", size, err, next+walFrameHeader+512)
	}
	frame(t, f, next, 'g', 0)
	n := len(base.writes)
	if err := f.Sync(vfs.SYNC_NORMAL); err != nil || len(base.writes) != n+1 {
		t.Fatalf("sync: %v, %d writes, want %d", err, len(base.writes), n+1)
	}
	frame(t, f, next, 'h', 0)
	if err := f.Close(); err != nil || base.data[next+walFrameHeader] != 'h' {
		t.Fatalf("close: %v, frame holds %q, want h", err, base.data[next+walFrameHeader])
	}
}

// A transaction larger than walHoldMax is written in parts of about that
// size before its commit.
func TestWALFileBoundsWhatItHolds(t *testing.T) {
	t.Parallel()
	base := &memFile{}
	f := &walFile{File: base}
	off := int64(32)
	for range 2 * walHoldMax / 536 {
		off = frame(t, f, off, 'x', 0)
	}
	if len(base.writes) < 1 || len(f.held) >= walHoldMax {
		t.Fatalf("%d writes, %d bytes held; want parts below %d", len(base.writes), len(f.held), walHoldMax)
	}
}

// failFile fails every write.
type failFile struct{ memFile }

func (*failFile) WriteAt([]byte, int64) (int, error) { return 0, errors.New("disk full") }

// A failed write of held frames fails the write of the commit frame, which
// SQLite then rolls back.
func TestWALFileReportsFailedWrites(t *testing.T) {
	t.Parallel()
	f := &walFile{File: &failFile{}}
	off := frame(t, f, 32, 'a', 0)
	hdr := make([]byte, walFrameHeader)
	binary.BigEndian.PutUint32(hdr[4:8], 2)
	if _, err := f.WriteAt(hdr, off); err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteAt(make([]byte, 512), off+walFrameHeader); err == nil {
		t.Fatal("the commit frame's write succeeded though the file refuses writes")
	}
}

// Through SQLite: transactions larger than the writer's page cache and
// than what a log file holds (pages spilled before the commit), one
// committed and one rolled back, leave exactly the committed rows, seen by
// the readers, intact on disk and after reopening the file.
func TestWALFileTransactions(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "wal.db")
	if !strings.Contains(dataSourceName(path, nil), "vfs="+walVFSName) {
		t.Fatalf("data source %q does not name the VFS %s", dataSourceName(path, nil), walVFSName)
	}
	db := OpenForTest(t, path)
	row := strings.Repeat("r", 3000)
	insert := func(n int, commit bool) {
		tx, err := db.writer.BeginTx(ctx, nil)
		if err != nil {
			t.Fatal(err)
		}
		for i := range n {
			if _, err := tx.ExecContext(ctx, `INSERT INTO t (v) VALUES (?)`, row+string(rune('a'+i%26))); err != nil {
				t.Fatal(err)
			}
		}
		if commit {
			err = tx.Commit()
		} else {
			err = tx.Rollback()
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	if _, err := db.writer.ExecContext(ctx, `CREATE TABLE t (v TEXT)`); err != nil {
		t.Fatal(err)
	}
	insert(3000, true) // about 9 MB
	insert(3000, false)
	insert(10, true)
	check := func(db *DB) {
		t.Helper()
		var n, size int
		if err := db.reader.QueryRowContext(ctx, `SELECT count(*), sum(length(v)) FROM t`).Scan(&n, &size); err != nil {
			t.Fatal(err)
		}
		if n != 3010 || size != 3010*3001 {
			t.Errorf("%d rows of %d bytes, want 3010 of %d", n, size, 3010*3001)
		}
		var ok string
		if err := db.reader.QueryRowContext(ctx, `PRAGMA integrity_check`).Scan(&ok); err != nil || ok != "ok" {
			t.Errorf("integrity_check: %q, %v", ok, err)
		}
	}
	check(db)
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	check(OpenForTest(t, path))
}

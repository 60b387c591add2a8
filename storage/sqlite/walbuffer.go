package sqlite

import (
	"encoding/binary"

	"github.com/ncruces/go-sqlite3/vfs"
)

// walVFSName names the VFS Spoke opens its database files with (walVFS).
const walVFSName = "spoke-wal"

func init() { vfs.Register(walVFSName, walVFS{}) }

// walVFS is the driver's own VFS ("os"), except for the write-ahead logs it
// opens: those hand a transaction's frames to the operating system in one
// write when its commit frame is complete (walFile), instead of in two
// writes for every page (SQLite writes each frame's header and its page
// separately). Each write is a system call, and on a commit of a few
// hundred pages those calls took about a fifth of the writer's time
// (docs/benchmarks.md, "The log written once per commit").
type walVFS struct{}

// os is the driver's VFS, which opens files by *vfs.Filename.
func (walVFS) os() vfs.VFSFilename { return vfs.Find("os").(vfs.VFSFilename) }

func (v walVFS) Open(name string, flags vfs.OpenFlag) (vfs.File, vfs.OpenFlag, error) {
	return v.os().Open(name, flags)
}

func (v walVFS) OpenFilename(name *vfs.Filename, flags vfs.OpenFlag) (vfs.File, vfs.OpenFlag, error) {
	f, out, err := v.os().OpenFilename(name, flags)
	if err != nil || flags&vfs.OPEN_WAL == 0 {
		return f, out, err
	}
	return &walFile{File: f}, out, nil
}

func (v walVFS) Delete(name string, syncDir bool) error { return v.os().Delete(name, syncDir) }

func (v walVFS) Access(name string, flags vfs.AccessFlag) (bool, error) {
	return v.os().Access(name, flags)
}

func (v walVFS) FullPathname(name string) (string, error) { return v.os().FullPathname(name) }

// walFrameHeader is the size of the header SQLite writes before each page
// of the log. Its bytes 4-7 hold, in the last frame of a transaction, the
// database's size in pages after the commit, and zero in the others
// (https://sqlite.org/fileformat2.html#walformat). The log's own header is
// 32 bytes, and a page at least 512: a write of 24 bytes is a frame header.
const walFrameHeader = 24

// walHoldMax bounds the bytes a walFile holds: a transaction larger than
// that (its pages spilled to the log before the commit) is written in
// parts.
const walHoldMax = 4 << 20

// walFile holds the contiguous writes SQLite makes to a log and writes them
// in one call once a commit frame is complete. SQLite writes a
// transaction's frames first and only then publishes the commit in the
// log's shared index, and readers (and checkpoints) read only the frames
// the index names, so none reads a frame still held here; a process that
// dies while holding frames loses a transaction that had not committed, as
// if it had died before writing them. Any other use of the file (a read, a
// write elsewhere, its size, a sync, a truncation, closing it) writes out
// what is held first. One connection uses a file at a time.
type walFile struct {
	vfs.File
	held   []byte
	off    int64 // the file offset of held[0]
	commit bool  // the last write was the header of a commit frame
}

// release writes out the held bytes.
func (f *walFile) release() error {
	if len(f.held) == 0 {
		return nil
	}
	_, err := f.File.WriteAt(f.held, f.off)
	f.held = f.held[:0]
	return err
}

func (f *walFile) WriteAt(p []byte, off int64) (int, error) {
	if len(f.held) > 0 && off != f.off+int64(len(f.held)) {
		if err := f.release(); err != nil {
			return 0, err
		}
	}
	if len(f.held) == 0 {
		f.off = off
	}
	f.held = append(f.held, p...)
	// The write after a commit frame's header is its page: the commit
	// frame is complete.
	complete := f.commit
	f.commit = len(p) == walFrameHeader && binary.BigEndian.Uint32(p[4:8]) != 0
	if complete || len(f.held) >= walHoldMax {
		if err := f.release(); err != nil {
			return 0, err
		}
	}
	return len(p), nil
}

func (f *walFile) ReadAt(p []byte, off int64) (int, error) {
	if err := f.release(); err != nil {
		return 0, err
	}
	return f.File.ReadAt(p, off)
}

func (f *walFile) Truncate(size int64) error {
	if err := f.release(); err != nil {
		return err
	}
	return f.File.Truncate(size)
}

func (f *walFile) Sync(flags vfs.SyncFlag) error {
	if err := f.release(); err != nil {
		return err
	}
	return f.File.Sync(flags)
}

func (f *walFile) Size() (int64, error) {
	if err := f.release(); err != nil {
		return 0, err
	}
	return f.File.Size()
}

func (f *walFile) Close() error {
	err := f.release()
	if cerr := f.File.Close(); err == nil {
		err = cerr
	}
	return err
}

func (f *walFile) Unwrap() vfs.File { return f.File }

// SizeHint passes SQLite's hint of the log's size on to the driver's file.
func (f *walFile) SizeHint(size int64) error {
	if h, ok := f.File.(vfs.FileSizeHint); ok {
		return h.SizeHint(size)
	}
	return nil
}

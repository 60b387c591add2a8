package sqlite

import (
	"fmt"
	"net/url"
	"strings"
	"sync/atomic"

	// The memdb VFS shares one in-memory database among the connections of
	// the writer, the readers and the checkpointer.
	_ "github.com/ncruces/go-sqlite3/vfs/memdb"
)

// IsMemory reports whether path asks for an in-memory database: ":memory:"
// or "file::memory:" (SQLite's own spellings, with or without parameters).
func IsMemory(path string) bool {
	return path == ":memory:" || path == "file::memory:" || strings.HasPrefix(path, "file::memory:?")
}

// memoryDBs numbers the in-memory databases of this process: each Open
// gets a database of its own.
var memoryDBs atomic.Int64

// dataSourceName is the driver's name for the database at path with the query q. An
// in-memory database lives in the memdb VFS under a name of its own, so
// that every connection of one DB sees the same data and two DBs never do;
// it is gone once the last connection closes. The memdb VFS has no shared
// memory, so SQLite keeps its rollback journal there instead of a WAL.
func dataSourceName(path string, q url.Values) string {
	if IsMemory(path) {
		return fmt.Sprintf("file:/spoke-memory-%d?vfs=memdb&%s", memoryDBs.Add(1), q.Encode())
	}
	return "file:" + (&url.URL{Path: path}).EscapedPath() + "?vfs=" + walVFSName + "&" + q.Encode()
}

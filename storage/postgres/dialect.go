package postgres

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/spoke-crm/spoke/storage/internal/sqlstore"
)

// dialect is PostgreSQL's part of the SQL that storage/internal/sqlstore
// writes for both databases. Its statements reach pgx through querier,
// which numbers their placeholders.
type dialect struct{}

var _ sqlstore.Dialect = dialect{}

// migrationLock is the advisory lock key that serialises migrations of
// nodes starting at once.
const migrationLock = 0x5370_6f6b_65 // "Spoke"

func (dialect) Driver() string { return "postgres" }

func (dialect) MigrationSession() (before, after []string) {
	lock := strconv.FormatInt(migrationLock, 10)
	return []string{`SELECT pg_advisory_lock(` + lock + `)`}, []string{`SELECT pg_advisory_unlock(` + lock + `)`}
}

func (dialect) True() string  { return "true" }
func (dialect) False() string { return "false" }

// MaxParams stays under PostgreSQL's limit of 65535 parameters.
func (dialect) MaxParams() int { return 60000 }

// In passes ids as one array.
func (dialect) In(column string, ids []int64) (string, []any) {
	return column + ` = ANY(?)`, []any{ids}
}

// ForUpdate locks the records a write transaction reads, so that
// concurrent read-modify-writes from several nodes apply one after the
// other.
func (dialect) ForUpdate() string { return " FOR UPDATE" }

// ForShare lets record writes of several nodes check records against the
// same pipelines at once, while a pipeline write waits for them.
func (dialect) ForShare() string { return " FOR SHARE" }

// LockKeys takes transaction-level advisory locks (class, key), in the
// order of the keys.
func (dialect) LockKeys() string {
	return `SELECT count(pg_advisory_xact_lock(?, k)) FROM unnest(?::int4[]) AS k`
}

func (dialect) LockName() string { return `SELECT pg_advisory_xact_lock(hashtext(?))` }

// Sequences are PostgreSQL sequences, named by seq.Name(): they never hand
// out one id twice, whichever node asks.
func (dialect) NextIDs(ctx context.Context, q sqlstore.Querier, seq sqlstore.Sequence, n int) ([]int64, error) {
	rows, err := q.Query(ctx, `SELECT nextval('`+seq.Name()+`') FROM generate_series(1, ?)`, n)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	ids := make([]int64, 0, n)
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}

// RestartSequence restarts seq within the transaction: setval takes
// effect at once and is never undone, so a reset that did not commit left
// the sequence restarted on tables that kept their rows. ALTER SEQUENCE is
// undone with its transaction, and makes other transactions' nextval wait
// for it.
func (dialect) RestartSequence(seq sqlstore.Sequence) (string, []any) {
	return fmt.Sprintf(`ALTER SEQUENCE %s RESTART WITH %d`, seq.Name(), seq.First()), nil
}

// AdvanceSequence sets the sequence's last value to top unless it has
// handed out more; a sequence never called has handed out one less than
// its last_value.
func (dialect) AdvanceSequence(seq sqlstore.Sequence, top string) string {
	name := seq.Name()
	return fmt.Sprintf(`SELECT setval('%[1]s', greatest(top, (SELECT CASE WHEN is_called THEN last_value ELSE last_value - 1 END FROM %[1]s)))
		FROM (SELECT %[2]s AS top) s WHERE top IS NOT NULL`, name, top)
}

// Truncate waits at most truncateLockWait for each table's lock, then
// gives up (lock_not_available), and its transaction is run again (Write):
// TRUNCATE locks its tables one after the other, and a read that holds one
// of them and then asks for one the TRUNCATE holds deadlocked with it, the
// read often chosen to fail (a search answered 500 while another node
// reset). Giving up well before deadlock_timeout (1 s) lets the read go on.
func (dialect) Truncate(tables ...string) []string {
	return []string{`SET LOCAL lock_timeout = '` + truncateLockWait + `'`, `TRUNCATE ` + strings.Join(tables, ", "), `SET LOCAL lock_timeout TO DEFAULT`}
}

const truncateLockWait = "100ms"

// lockTimedOut reports a statement that gave up waiting for a lock
// (lock_timeout, see Truncate).
func lockTimedOut(err error) bool {
	var pg *pgconn.PgError
	return errors.As(err, &pg) && pg.Code == "55P03"
}

// Serial is the column's default: a sequence (bigserial).
func (dialect) Serial(table, column string) string { return "DEFAULT" }

// SearchText is a tsvector per record. The text arrives normalised
// (crm.FreeText): the simple configuration only has to split it at spaces.
func (dialect) SearchText() (idColumn, insert, row string) {
	return "object_id", `INSERT INTO search_text (object_id, doc) VALUES `, `(?, to_tsvector('simple', ?))`
}

func (dialect) FreeTextTables() []string { return []string{"search_text"} }

func (dialect) JSONText(alias, property string) string {
	return fmt.Sprintf(`(%s.properties->>'%s')`, alias, property)
}

// TokenMatch splits the text into words as crm.TokenMatch does and matches
// each with LIKE; the pattern's * becomes %.
func (dialect) TokenMatch(expr, pattern string) (string, any) {
	like := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`, `*`, `%`).Replace(pattern)
	return `EXISTS (SELECT 1 FROM regexp_split_to_table(lower(` + expr + `), '[[:space:],;]+') AS w(word) WHERE w.word LIKE ?)`, like
}

// TextMatches uses the GIN-indexed tsvector: every term as a prefix.
func (dialect) TextMatches(terms []string) (string, []any) {
	parts := make([]string, len(terms))
	for i, t := range terms {
		parts[i] = t + ":*" // terms hold only letters and digits (crm.Terms)
	}
	return `SELECT object_id AS id FROM search_text WHERE doc @@ to_tsquery('simple', ?)`, []any{strings.Join(parts, " & ")}
}

func (dialect) Materialized() string { return "MATERIALIZED " }

// retryable reports a write that lost a deadlock or serialization race to
// another node: serialization_failure or deadlock_detected.
func retryable(err error) bool {
	var pg *pgconn.PgError
	return errors.As(err, &pg) && (pg.Code == "40001" || pg.Code == "40P01")
}

// idTaken reports an insert that met a row another transaction stored
// under the id it drew or was given: a reset starts the id sequences again,
// and until a seed that follows it on another node commits, moving them
// past the ids it stores, they hand out those ids to other writes. Run
// again, the write draws ids past them, or finds the row stored.
func idTaken(err error) bool {
	var pg *pgconn.PgError
	if !errors.As(err, &pg) || pg.Code != "23505" {
		return false
	}
	switch pg.ConstraintName {
	case "objects_pkey", "owners_pkey", "owners_user_id_key", "association_labels_pkey":
		return true
	}
	return false
}

// AdvanceSerial is a statement that moves the sequence of a bigserial
// column past the largest value stored, never back: after rows were
// inserted with ids of their own (a seed).
func (dialect) AdvanceSerial(table, column string) string {
	return fmt.Sprintf(`SELECT setval(pg_get_serial_sequence('%[1]s', '%[2]s'), greatest(top, (SELECT CASE WHEN is_called THEN last_value ELSE last_value - 1 END FROM %[1]s_%[2]s_seq)))
		FROM (SELECT max(%[2]s) AS top FROM %[1]s) s WHERE top IS NOT NULL`, table, column)
}

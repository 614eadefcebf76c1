package manifestedit

import (
	"errors"
	"fmt"
	"strings"

	"github.com/skillmatrix-dev/skillmatrix-operator/internal/governance"
)

// Sentinels to match with errors.Is; the typed errors below wrap them.
var (
	// ErrNotFound: no document is the Role.
	ErrNotFound = errors.New("manifest not found")
	// ErrAmbiguous: more than one document is the Role.
	ErrAmbiguous = errors.New("manifest found more than once")
	// ErrNotPlain: the Role's manifest is not a plain document this package
	// can splice safely (a template, a patch, anchors, ...).
	ErrNotPlain = errors.New("manifest is not a plain manifest")
	// ErrConflict: a change's `from` does not hold in the file.
	ErrConflict = errors.New("the manifest no longer holds what the changes expect")
)

// NotFoundError says where the Role was looked for.
type NotFoundError struct {
	Target Target
	// Scanned is how many YAML files were read (0 for a single file).
	Scanned int
}

func (e *NotFoundError) Error() string {
	if e.Scanned == 0 {
		return fmt.Sprintf("%s: %s", e.Target, ErrNotFound)
	}
	return fmt.Sprintf("%s: %s in %d YAML files", e.Target, ErrNotFound, e.Scanned)
}

// Unwrap makes errors.Is(err, ErrNotFound) hold.
func (e *NotFoundError) Unwrap() error { return ErrNotFound }

// AmbiguousError lists every place the Role was found ("file#document",
// documents counted from 0).
type AmbiguousError struct {
	Target Target
	Places []string
}

func (e *AmbiguousError) Error() string {
	return fmt.Sprintf("%s: %s: %s", e.Target, ErrAmbiguous, strings.Join(e.Places, ", "))
}

// Unwrap makes errors.Is(err, ErrAmbiguous) hold.
func (e *AmbiguousError) Unwrap() error { return ErrAmbiguous }

// NotPlainError says why the Role's manifest cannot be edited safely.
type NotPlainError struct {
	// Path is the file ("" for a single file edited with Edit).
	Path string
	// Line is the 1-based line in the file of what was refused, 0 if unknown.
	Line int
	// Reason is one sentence, e.g. "it is a Helm template".
	Reason string
}

func (e *NotPlainError) Error() string {
	where := e.Path
	if e.Line > 0 {
		where = fmt.Sprintf("%s:%d", where, e.Line)
	}
	if where == "" {
		return fmt.Sprintf("%s: %s", ErrNotPlain, e.Reason)
	}
	return fmt.Sprintf("%s: %s: %s", where, ErrNotPlain, e.Reason)
}

// Unwrap makes errors.Is(err, ErrNotPlain) hold.
func (e *NotPlainError) Unwrap() error { return ErrNotPlain }

// ConflictError carries every conflict, as governance.Apply reports them
// against the Role as the file holds it.
type ConflictError struct {
	Conflicts []governance.Conflict
}

func (e *ConflictError) Error() string {
	parts := make([]string, len(e.Conflicts))
	for i, c := range e.Conflicts {
		parts[i] = c.String()
	}
	return fmt.Sprintf("%s: %s", ErrConflict, strings.Join(parts, "; "))
}

// Unwrap makes errors.Is(err, ErrConflict) hold.
func (e *ConflictError) Unwrap() error { return ErrConflict }

// notPlain is a NotPlainError at a line of the document being edited; Edit
// moves the line to the file.
func notPlain(line int, format string, args ...any) *NotPlainError {
	return &NotPlainError{Line: line, Reason: fmt.Sprintf(format, args...)}
}

// Package apperr classifies errors once, where they arise, so that the edge
// (HTTP, command line) can pick a status and show a message in Chinese or
// English without knowing where the error came from.
package apperr

import (
	"errors"
	"fmt"
)

// Kind says what sort of failure an error is.
type Kind int

// The kinds of failure.
const (
	Internal        Kind = iota // a bug or an outage: logged, shown as a generic message
	Invalid                     // bad input: the message names the field
	NotFound                    // no such thing (or not in the actor's scope)
	Conflict                    // a rule of state forbids it now (illegal transition, duplicate)
	Forbidden                   // the actor may not do this
	Unauthenticated             // no valid session
	Unavailable                 // not now: the system is busy, try again shortly
)

func (k Kind) String() string {
	return [...]string{"internal", "invalid", "not_found", "conflict", "forbidden", "unauthenticated", "unavailable"}[k]
}

// Error is a classified error with a Chinese and an English message. Field,
// when set, names the input field at fault (e.g. "persons[2].birth").
type Error struct {
	Kind  Kind
	Field string
	ZH    string
	EN    string
	Err   error // the underlying cause, if any
}

func (e *Error) Error() string {
	msg := e.EN
	if e.Field != "" {
		msg = e.Field + ": " + msg
	}
	if e.Err != nil && e.EN == "" {
		return e.Err.Error()
	}
	return msg
}

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Err }

// Message returns the message in lang ("zh" or "en"), prefixed with the field.
func (e *Error) Message(lang string) string {
	msg := e.ZH
	if lang == "en" || msg == "" {
		msg = e.EN
	}
	if e.Field != "" {
		return e.Field + "：" + msg
	}
	return msg
}

// New returns an error of kind k with both messages.
func New(k Kind, zh, en string) *Error { return &Error{Kind: k, ZH: zh, EN: en} }

// Invalidf returns an Invalid error naming field. The English format and
// the Chinese format take the same arguments.
func Invalidf(field, zh, en string, args ...any) *Error {
	return &Error{Kind: Invalid, Field: field, ZH: fmt.Sprintf(zh, args...), EN: fmt.Sprintf(en, args...)}
}

// OneOf returns nil when v is one of allowed, and otherwise an Invalid
// error naming field and listing what it accepts.
func OneOf(field, v string, allowed []string) error {
	for _, a := range allowed {
		if v == a {
			return nil
		}
	}
	list := ""
	for i, a := range allowed {
		if i > 0 {
			list += ", "
		}
		list += a
	}
	return Invalidf(field, "%s 应为以下之一：%s", "%s must be one of: %s", field, list)
}

// NotFoundf returns a NotFound error.
func NotFoundf(zh, en string, args ...any) *Error {
	return &Error{Kind: NotFound, ZH: fmt.Sprintf(zh, args...), EN: fmt.Sprintf(en, args...)}
}

// Conflictf returns a Conflict error.
func Conflictf(zh, en string, args ...any) *Error {
	return &Error{Kind: Conflict, ZH: fmt.Sprintf(zh, args...), EN: fmt.Sprintf(en, args...)}
}

// Forbiddenf returns a Forbidden error.
func Forbiddenf(zh, en string, args ...any) *Error {
	return &Error{Kind: Forbidden, ZH: fmt.Sprintf(zh, args...), EN: fmt.Sprintf(en, args...)}
}

// KindOf returns the Kind of err: that of the first *Error in its chain,
// or Internal.
func KindOf(err error) Kind {
	var e *Error
	if errors.As(err, &e) {
		return e.Kind
	}
	var l List
	if errors.As(err, &l) {
		return Invalid
	}
	return Internal
}

// As returns the first *Error in err's chain, if any.
func As(err error) (*Error, bool) {
	var e *Error
	ok := errors.As(err, &e)
	return e, ok
}

// List collects several problems (e.g. all bad rows of an import) into one
// Invalid error, so that nothing is saved unless the list is empty.
type List []*Error

func (l List) Error() string {
	if len(l) == 0 {
		return "no errors"
	}
	s := l[0].Error()
	if len(l) > 1 {
		s += fmt.Sprintf(" (and %d more)", len(l)-1)
	}
	return s
}

// Err returns l as an error, or nil when l is empty.
func (l List) Err() error {
	if len(l) == 0 {
		return nil
	}
	return l
}

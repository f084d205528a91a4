package workflow

import (
	"fmt"
	"reflect"
	"strings"

	"github.com/jiahe-project/jiahe/internal/apperr"
	"github.com/jiahe-project/jiahe/internal/textcheck"
)

// The text of the procedure's forms — opinions, reasons, notes, the names
// of investigators and objectors, the place of a notice — is printed on
// notices and documents: every string of a form goes through textcheck
// before anything is recorded.

// nameFields are the form fields that hold a person's name.
var nameFields = map[string]bool{"name": true, "objector": true}

// paraFields are the form fields that may run to several lines.
var paraFields = map[string]bool{
	"note": true, "opinion": true, "remarks": true, "content": true, "reason": true, "override_reason": true,
	"marriage": true, "births": true, "adoptions": true, "evidence": true, "attachments": true,
}

// maxFormText bounds one text field of a form, in characters.
const maxFormText = 2000

// maxNameText bounds a name on a form.
const maxNameText = 50

// checkForm checks every string of form (a struct, or a pointer to one),
// and of the structs and slices in it, naming each field as its JSON
// does ("participants[1].name"); it returns every problem.
func checkForm(form any) error {
	var errs apperr.List
	walkText(reflect.ValueOf(form), "", "", &errs)
	return errs.Err()
}

// checkText checks one text argument of a step (a reason, a note).
func checkText(field, s string) error {
	if e := textcheck.Check(field, strings.TrimSpace(s), textcheck.Para, maxFormText); e != nil {
		return e
	}
	return nil
}

func walkText(v reflect.Value, path, key string, errs *apperr.List) {
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if !v.IsNil() {
			walkText(v.Elem(), path, key, errs)
		}
	case reflect.Struct:
		t := v.Type()
		for i := range t.NumField() {
			f := t.Field(i)
			if !f.IsExported() {
				continue
			}
			name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
			if name == "-" {
				continue
			}
			if name == "" {
				name = strings.ToLower(f.Name)
			}
			p := name
			if path != "" {
				p = path + "." + name
			}
			walkText(v.Field(i), p, name, errs)
		}
	case reflect.Slice, reflect.Array:
		for i := range v.Len() {
			walkText(v.Index(i), fmt.Sprintf("%s[%d]", path, i), key, errs)
		}
	case reflect.String:
		s := strings.TrimSpace(v.String())
		var e *apperr.Error
		switch {
		case nameFields[key]:
			e = textcheck.Check(path, s, textcheck.Name, maxNameText)
		case paraFields[key]:
			e = textcheck.Check(path, s, textcheck.Para, maxFormText)
		default:
			e = textcheck.Check(path, s, textcheck.Line, maxFormText)
		}
		if e != nil {
			*errs = append(*errs, e)
		}
	}
}

/*
Copyright 2026.

Licensed under the Apache License, Version 2.0 (the "License");
you may not use this file except in compliance with the License.
You may obtain a copy of the License at

    http://www.apache.org/licenses/LICENSE-2.0

Unless required by applicable law or agreed to in writing, software
distributed under the License is distributed on an "AS IS" BASIS,
WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
See the License for the specific language governing permissions and
limitations under the License.
*/

package portal

import (
	"cmp"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"unicode/utf8"

	authorizationv1 "k8s.io/api/authorization/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"sigs.k8s.io/controller-runtime/pkg/client"

	v1 "github.com/skillmatrix-dev/skillmatrix-operator/api/v1alpha1"
	"github.com/skillmatrix-dev/skillmatrix-operator/internal/governance"
	"github.com/skillmatrix-dev/skillmatrix-operator/internal/model"
)

// Proposing from the matrix: the propose page shows the Role's matrix with
// every cell a link, and each level's focus and tech stack; picking one
// opens the form for it, with the value it holds now as the change's
// `from` (compare-and-swap), so the Proposal conflicts rather than
// overwrites if someone changes the same thing first. Title and
// description are the person's; without a title the portal writes one
// that says the change.

// proposeURL is the propose page of a Role; with a target, its form.
func proposeURL(ns, role string, q url.Values) string {
	u := roleURL(ns, role) + "propose"
	if len(q) > 0 {
		u += "?" + q.Encode()
	}
	return u + "#form"
}

type proposeView struct {
	frame
	Namespace, Role, RoleTitle, RoleURL string
	Levels                              []proposeLevel
	Categories                          []proposeCategory
	// Target is the picked cell, focus or tech stack; nil before picking.
	Target  *proposeTarget
	Refusal *refusal
	// MayPropose is the API server's answer for the person; NotSignedIn
	// says to sign in first.
	MayPropose, NotSignedIn bool
}

type proposeLevel struct {
	ID, Name, Short    string
	Focus              string
	Stack              []string
	FocusURL, StackURL string
}

type proposeCategory struct {
	Name string
	Rows []proposeRow
}

type proposeRow struct {
	Name  string
	Cells []proposeCell
}

type proposeCell struct {
	Code, Label, URL string
	Required, Picked bool
}

type proposeTarget struct {
	// Kind is cell, focus or stack.
	Kind                       string
	Skill, Level               string
	What                       string
	Action                     string
	Scale                      []option
	Required                   bool
	FromProficiency, FromFocus string
	FromRequired               string
	FromStack                  string
	Focus, Stack               string
	Title, Description         string
	TitleHint                  string
	CurrentText                string
}

type option struct {
	Value, Label string
	Selected     bool
}

// proposePage shows the matrix to pick from and, once picked, the form.
func (s *Server) proposePage(r *http.Request) (page, error) {
	role, matrix, err := s.roleAndMatrix(r)
	if err != nil {
		return page{}, err
	}
	t := translator{locale: requestLocale(r)}
	m := model.BuildRole(matrix, role).Localized(t.locale)
	ns := role.Namespace
	title := cmp.Or(m.DisplayName, role.Name)
	view := proposeView{Namespace: ns, Role: role.Name, RoleTitle: title, RoleURL: roleURL(ns, role.Name),
		Refusal: refusalOf(r)}
	view.frame = s.frameFor(r, t.T("portal.propose.title", "Role", title), home(t),
		link{Text: title, URL: roleURL(ns, role.Name)})
	if id := me(r); id != nil && s.act != nil {
		view.MayPropose = s.access.may(r.Context(), s.act, id, authorizationv1.ResourceAttributes{Namespace: ns,
			Verb: "create", Group: v1.GroupVersion.Group, Resource: "proposals"}, s.opts.Now())
	} else {
		view.NotSignedIn = true
	}
	q := r.URL.Query()
	if r.Method == http.MethodPost {
		q = r.PostForm
	}
	pick := struct{ skill, level, what string }{q.Get("skill"), q.Get("level"), q.Get("what")}
	for _, l := range m.Levels {
		view.Levels = append(view.Levels, proposeLevel{ID: l.ID, Name: l.Name, Short: l.ShortName, Focus: l.Focus,
			Stack:    l.TechStack,
			FocusURL: proposeURL(ns, role.Name, url.Values{fieldLevel: {l.ID}, "what": {kindFocus}}),
			StackURL: proposeURL(ns, role.Name, url.Values{fieldLevel: {l.ID}, "what": {kindStack}})})
	}
	for _, c := range m.Categories {
		cat := proposeCategory{Name: c.Name}
		for _, sk := range c.Skills {
			row := proposeRow{Name: sk.Name}
			for i, cell := range sk.Cells {
				level := m.Levels[i]
				code := cmp.Or(cell.Proficiency, "—")
				label := t.T("portal.propose.cellLabel", "Skill", sk.Name, "Level", level.Name,
					"Proficiency", cmp.Or(proficiencyName(m, cell.Proficiency), t.T("portal.propose.notStated")))
				if cell.Required {
					label += ", " + t.T("portal.change.required")
				}
				row.Cells = append(row.Cells, proposeCell{Code: code, Label: label, Required: cell.Required,
					URL:    proposeURL(ns, role.Name, url.Values{"skill": {sk.ID}, fieldLevel: {level.ID}}),
					Picked: pick.skill == sk.ID && pick.level == level.ID})
			}
			cat.Rows = append(cat.Rows, row)
		}
		view.Categories = append(view.Categories, cat)
	}
	view.Target = s.target(r, t, role, matrix, m, pick.skill, pick.level, pick.what, q)
	if view.Target == nil && (pick.skill != "" || pick.level != "") && r.Method == http.MethodGet {
		return page{}, errNotFound{what: "cell or level to propose a change to"}
	}
	return s.htmlPage(r, "propose.html", view, s.modified(ns))
}

func proficiencyName(m *model.RoleMatrix, id string) string {
	for _, p := range m.Scale {
		if p.ID == id {
			if p.Name == p.ID {
				return p.ID
			}
			return p.Name + " (" + p.ID + ")"
		}
	}
	return id
}

// target is the form for what was picked, with the Role's values now (or,
// when the form comes back refused, the person's).
func (s *Server) target(r *http.Request, t translator, role *v1.Role, matrix *v1.SkillMatrix, m *model.RoleMatrix,
	skill, level, what string, q url.Values) *proposeTarget {
	li := slices.IndexFunc(m.Levels, func(l model.Level) bool { return l.ID == level })
	if li < 0 {
		return nil
	}
	posted := r.Method == http.MethodPost
	tg := &proposeTarget{Level: level, Action: roleURL(role.Namespace, role.Name) + "propose"}
	if posted {
		tg.Title, tg.Description = q.Get("title"), q.Get("description")
	}
	n := namesOf(t, matrix, role)
	switch {
	case skill != "":
		cell := role.Spec.Cell(v1.ID(skill), v1.ID(level))
		if cell == nil {
			return nil
		}
		tg.Kind, tg.Skill = kindCell, skill
		tg.What = n.cellTarget(v1.ID(skill), v1.ID(level))
		tg.FromProficiency, tg.FromRequired = string(cell.Proficiency), fmt.Sprint(cell.Required)
		tg.CurrentText = t.T("portal.propose.now", "Proficiency", proficiencyName(m, string(cell.Proficiency)),
			"Required", n.required(cell.Required))
		want, required := string(cell.Proficiency), cell.Required
		if posted {
			want, required = q.Get("proficiency"), q.Get("required") == formTrue
		}
		for _, p := range m.Scale {
			tg.Scale = append(tg.Scale, option{Value: p.ID, Label: proficiencyName(m, p.ID), Selected: p.ID == want})
		}
		tg.Required = required
		tg.TitleHint = t.T("portal.propose.titleHint", "Example", n.cellTarget(v1.ID(skill), v1.ID(level))+": "+
			n.proficiency(cell.Proficiency)+" → …")
	case what == kindFocus || what == kindStack:
		tg.Kind = what
		var focus string
		var stack []string
		if l := role.Spec.Level(v1.ID(level)); l != nil {
			focus, stack = l.Focus, l.TechStack
		}
		tg.FromFocus, tg.FromStack = focus, strings.Join(stack, "\n")
		tg.Focus, tg.Stack = focus, strings.Join(stack, "\n")
		if posted {
			tg.Focus, tg.Stack = q.Get("focus"), q.Get("stack")
		}
		if what == kindFocus {
			tg.What = t.T("portal.change.focus", "Level", m.Levels[li].Name)
		} else {
			tg.What = t.T("portal.change.techStack", "Level", m.Levels[li].Name)
		}
		tg.TitleHint = t.T("portal.propose.titleHint", "Example", tg.What)
	default:
		return nil
	}
	return tg
}

// proposeForm creates the Proposal the form describes, as the person.
func (s *Server) proposeForm(r *http.Request, id *identity) (string, error) {
	role, matrix, err := s.roleAndMatrix(r)
	if err != nil {
		return "", err
	}
	t := translator{locale: requestLocale(r)}
	f := r.PostForm
	changes, err := changesOf(r, role, f)
	if err != nil {
		return "", err
	}
	if problems := governance.Validate(changes, &role.Spec, &matrix.Spec); len(problems) > 0 {
		msgs := make([]string, 0, len(problems))
		for _, p := range problems {
			msgs = append(msgs, p.Message)
		}
		rf := refuse(r, http.StatusUnprocessableEntity, "portal.refused.changeDoesNotFit").(*refusal)
		rf.Detail = strings.Join(msgs, "; ")
		return "", rf
	}
	n := namesOf(t, matrix, role)
	title := strings.TrimSpace(f.Get("title"))
	if title == "" {
		title = n.title(changes, &role.Spec)
	}
	description := strings.TrimSpace(f.Get("description"))
	switch {
	case strings.ContainsFunc(title, func(c rune) bool { return c < 0x20 || c == 0x7f || c == 0x85 || c == 0x2028 || c == 0x2029 }):
		return "", refuse(r, http.StatusUnprocessableEntity, "portal.refused.titleLine")
	case utf8.RuneCountInString(title) > 200:
		return "", refuse(r, http.StatusUnprocessableEntity, "portal.refused.titleTooLong")
	case utf8.RuneCountInString(description) > 4096:
		return "", refuse(r, http.StatusUnprocessableEntity, "portal.refused.descriptionTooLong")
	}
	p := &v1.Proposal{Spec: v1.ProposalSpec{RoleRef: v1.ObjectName(role.Name), Title: title, Description: description,
		Author: v1.Username(id.Username), Changes: changes}}
	p.Namespace = role.Namespace
	base := proposalName(role.Name, title)
	for attempt := 1; ; attempt++ {
		p.Name = base
		if attempt > 1 {
			p.Name = fmt.Sprintf("%s-%d", base, attempt)
		}
		p.ResourceVersion = ""
		err = s.act.createProposal(r.Context(), id, p)
		if err == nil || !apierrors.IsAlreadyExists(err) || attempt >= 20 {
			break
		}
	}
	if err != nil {
		return "", err
	}
	s.awaitCached(r.Context(), client.ObjectKeyFromObject(p), &v1.Proposal{}, func() bool { return true })
	return withDone(proposalURL(p.Namespace, p.Name), "proposed"), nil
}

// The kinds of target the propose form has, and the form's true.
const (
	kindCell  = "cell"
	kindFocus = "focus"
	kindStack = "stack"
	formTrue  = "true"
	// fieldLevel names the level in the form and in the picking links.
	fieldLevel = "level"
)

// changesOf turns the form into changes, each with the `from` the form
// was shown with. A `from` the Role no longer holds is refused here: the
// person looks again rather than proposing against a value that is gone.
func changesOf(r *http.Request, role *v1.Role, f url.Values) ([]v1.Change, error) {
	level := v1.ID(f.Get(fieldLevel))
	if level == "" {
		return nil, refuse(r, http.StatusUnprocessableEntity, "portal.refused.noTarget")
	}
	var changes []v1.Change
	var err error
	switch f.Get("kind") {
	case kindCell:
		changes, err = cellChanges(r, role, v1.ID(f.Get("skill")), level, f)
	case kindFocus:
		changes, err = focusChanges(r, role, level, f)
	case kindStack:
		changes, err = stackChanges(r, role, level, f)
	default:
		return nil, refuse(r, http.StatusUnprocessableEntity, "portal.refused.noTarget")
	}
	if err != nil {
		return nil, err
	}
	if len(changes) == 0 {
		return nil, refuse(r, http.StatusUnprocessableEntity, "portal.refused.noChange")
	}
	return changes, nil
}

func cellChanges(r *http.Request, role *v1.Role, skill, level v1.ID, f url.Values) ([]v1.Change, error) {
	cell := role.Spec.Cell(skill, level)
	if cell == nil {
		return nil, refuse(r, http.StatusConflict, "portal.refused.stale")
	}
	fromProf, fromReq := v1.ProficiencyID(f.Get("from_proficiency")), f.Get("from_required") == formTrue
	if cell.Proficiency != fromProf || cell.Required != fromReq {
		return nil, refuse(r, http.StatusConflict, "portal.refused.stale")
	}
	var changes []v1.Change
	if prof := v1.ProficiencyID(f.Get("proficiency")); prof != fromProf {
		changes = append(changes, v1.Change{Op: v1.OpSetProficiency, Skill: skill, Level: level, Proficiency: prof,
			From: &v1.ChangeValue{Proficiency: fromProf}})
	}
	if req := f.Get("required") == formTrue; req != fromReq {
		changes = append(changes, v1.Change{Op: v1.OpSetRequired, Skill: skill, Level: level, Required: new(req),
			From: &v1.ChangeValue{Required: new(fromReq)}})
	}
	return changes, nil
}

func focusChanges(r *http.Request, role *v1.Role, level v1.ID, f url.Values) ([]v1.Change, error) {
	var current string
	if l := role.Spec.Level(level); l != nil {
		current = l.Focus
	}
	if normalizeNewlines(f.Get("from_focus")) != normalizeNewlines(current) {
		return nil, refuse(r, http.StatusConflict, "portal.refused.stale")
	}
	focus := strings.TrimSpace(normalizeNewlines(f.Get("focus")))
	if focus == strings.TrimSpace(normalizeNewlines(current)) {
		return nil, nil
	}
	return []v1.Change{{Op: v1.OpSetFocus, Level: level, Focus: new(focus), From: &v1.ChangeValue{Focus: new(current)}}}, nil
}

func stackChanges(r *http.Request, role *v1.Role, level v1.ID, f url.Values) ([]v1.Change, error) {
	var current []string
	if l := role.Spec.Level(level); l != nil {
		current = l.TechStack
	}
	if from := items(f.Get("from_stack")); (from != nil || current != nil) && !slices.Equal(from, current) {
		return nil, refuse(r, http.StatusConflict, "portal.refused.stale")
	}
	stack := items(f.Get("stack"))
	if len(stack) == 0 {
		return nil, refuse(r, http.StatusUnprocessableEntity, "portal.refused.emptyStack")
	}
	if slices.Equal(stack, current) {
		return nil, nil
	}
	c := v1.Change{Op: v1.OpSetTechStack, Level: level, TechStack: stack}
	// An empty list cannot be sent as from (it would be dropped), as the
	// CLI knows too.
	if len(current) > 0 {
		c.From = &v1.ChangeValue{TechStack: current}
	}
	return []v1.Change{c}, nil
}

func normalizeNewlines(s string) string { return strings.ReplaceAll(s, "\r\n", "\n") }

// items are a tech stack typed one per line (or separated by commas).
func items(s string) []string {
	var out []string
	for _, line := range strings.FieldsFunc(normalizeNewlines(s), func(r rune) bool { return r == '\n' || r == ',' }) {
		if line = strings.TrimSpace(line); line != "" {
			out = append(out, line)
		}
	}
	return out
}

var nonSlug = regexp.MustCompile(`[^a-z0-9]+`)

// proposalName derives a readable name from the Role and the title, at
// most 63 characters, as kubectl skillmatrix propose does.
func proposalName(role, title string) string {
	name := strings.Trim(nonSlug.ReplaceAllString(strings.ToLower(role+"-"+title), "-"), "-")
	const maxLen = 63
	if len(name) > maxLen {
		name = strings.TrimRight(name[:maxLen], "-")
	}
	return name
}

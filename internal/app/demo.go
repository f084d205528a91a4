package app

import (
	"context"

	"github.com/jiahe-project/jiahe/internal/apperr"
	"github.com/jiahe-project/jiahe/internal/auth"
	"github.com/jiahe-project/jiahe/internal/store"
)

// The demo (jiahe serve --demo) fills a new database with a synthetic
// county (GenerateSynthetic), evaluates its programs (Evaluate) and then
// creates its users (CreateDemoUsers). Users come last, in one
// transaction: a database that has users is a finished demo, or no demo.

// HasUsers reports whether the database has any user: one that has none
// is new, and the demo may fill it.
func (a *App) HasUsers(ctx context.Context) (bool, error) {
	var n int
	err := a.db.View(ctx, func(tx *store.Tx) (err error) {
		n, err = tx.CountUsers(ctx)
		return err
	})
	return n > 0, err
}

// CreateDemoUsers creates users, as the system, in one transaction (the
// passwords are hashed before it opens). Only the system (the command
// line) creates them so.
func (a *App) CreateDemoUsers(ctx context.Context, who auth.Actor, users []auth.NewUser) ([]auth.User, error) {
	o := op{name: "user.create", perm: auth.PermUsersManage, target: Target{Entity: "user"}}
	if who != auth.System {
		return nil, a.audited(ctx, who, o, apperr.Forbiddenf("只有系统（命令行）可以创建演示用户", "only the system (the command line) creates the demo's users"))
	}
	built := make([]auth.User, len(users))
	for i, nu := range users {
		var err error
		if built[i], err = nu.Build(a.tree, a.cfg.Password); err != nil {
			return nil, err
		}
	}
	return write(a, ctx, who, o, func(tx *store.Tx) ([]auth.User, error) {
		out := make([]auth.User, len(built))
		for i, u := range built {
			var err error
			if out[i], err = auth.CreateUser(ctx, tx, who, u); err != nil {
				return nil, err
			}
		}
		return out, nil
	})
}

package main

import (
	"context"
	"encoding/base64"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"

	"github.com/jiahe-project/jiahe/internal/app"
	"github.com/jiahe-project/jiahe/internal/auth"
	"github.com/jiahe-project/jiahe/internal/keys"
)

// The key file (package keys) is found, in this order: --keys FILE;
// JIAHE_KEYS_DATA, the file's text itself (e.g. from a secret store);
// JIAHE_KEYS, a path; for a SQLite database, PATH.keys beside it.

type keyFileKey struct{}

// withKeyFile records the --keys flag for the commands.
func withKeyFile(ctx context.Context, path string) context.Context {
	return context.WithValue(ctx, keyFileKey{}, path)
}

// keyFile returns the path of the key file for dbURL, and whether it was
// named explicitly; "" when the keys come from JIAHE_KEYS_DATA.
func keyFile(ctx context.Context, dbURL string) (path string, named bool) {
	if p, _ := ctx.Value(keyFileKey{}).(string); p != "" {
		return p, true
	}
	if os.Getenv("JIAHE_KEYS_DATA") != "" {
		return "", true
	}
	if p := os.Getenv("JIAHE_KEYS"); p != "" {
		return p, true
	}
	if p := sqlitePath(dbURL); p != "" {
		return p + ".keys", false
	}
	return "", false
}

// sqlitePath returns the file of a SQLite database URL ("" for PostgreSQL).
func sqlitePath(dbURL string) string {
	if strings.HasPrefix(dbURL, "postgres://") || strings.HasPrefix(dbURL, "postgresql://") {
		return ""
	}
	return strings.TrimPrefix(strings.TrimPrefix(dbURL, "sqlite:"), "//")
}

// errNoKeyFile explains where the keys are looked for.
var errNoKeyFile = errors.New("no key file: give --keys FILE or set JIAHE_KEYS (a SQLite database's key file may also lie beside it as PATH.keys); " +
	"make one with `jiahe keys init --out FILE` (找不到密钥文件)")

// loadKeys reads the key file for dbURL.
func loadKeys(ctx context.Context, dbURL string) (*keys.Ring, error) {
	path, _ := keyFile(ctx, dbURL)
	if path == "" {
		if data := os.Getenv("JIAHE_KEYS_DATA"); data != "" {
			r, err := keys.Parse([]byte(data))
			if err != nil {
				return nil, fmt.Errorf("JIAHE_KEYS_DATA: %w", err)
			}
			return r, nil
		}
		return nil, errNoKeyFile
	}
	r, err := keys.Load(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("%s: %w", path, errNoKeyFile)
	}
	return r, err
}

// appConfig returns the production configuration with the keys for dbURL.
func appConfig(ctx context.Context, dbURL string) (app.Config, error) {
	cfg := app.DefaultConfig()
	r, err := loadKeys(ctx, dbURL)
	if err != nil {
		return cfg, err
	}
	cfg.Keys = r
	cfg.Files = os.Getenv("JIAHE_FILES")
	cfg.S3, err = app.S3Config(os.Getenv)
	return cfg, err
}

// openApp opens the use-case layer over dbURL with its keys; the schema
// must be current.
func openApp(ctx context.Context, dbURL string) (*app.App, error) {
	cfg, err := appConfig(ctx, dbURL)
	if err != nil {
		return nil, err
	}
	return app.Open(ctx, dbURL, false, cfg, nil)
}

const keysUsage = `usage: jiahe keys init [--cipher sm4-gcm|aes-256-gcm] [--out FILE]
       jiahe keys rotate [--cipher sm4-gcm|aes-256-gcm]
       jiahe keys public
       jiahe keys status`

// runKeys manages the key file: jiahe keys init|rotate|public|status.
func runKeys(ctx context.Context, dbURL string, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprintln(stderr, keysUsage)
		return errUsage
	}
	fs := flag.NewFlagSet("keys "+args[0], flag.ContinueOnError)
	fs.SetOutput(stderr)
	cipherName := fs.String("cipher", "", "the cipher of the new keys: "+strings.Join(keys.Ciphers, " or ")+" (init: "+keys.Ciphers[0]+"; rotate: the current one)")
	out := fs.String("out", "", "init: where to write the key file (default: the key file jiahe would read)")
	if err := fs.Parse(args[1:]); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return errUsage
	}
	if fs.NArg() > 0 || *cipherName != "" && !slices.Contains(keys.Ciphers, *cipherName) {
		fmt.Fprintln(stderr, keysUsage)
		return errUsage
	}
	switch args[0] {
	case "init":
		path := *out
		if path == "" {
			path, _ = keyFile(ctx, dbURL)
		}
		if path == "" {
			return errors.New("keys init: give --out FILE")
		}
		c := *cipherName
		if c == "" {
			c = keys.Ciphers[0]
		}
		return initKeys(path, c, stdout)
	case "rotate":
		return rotateKeys(ctx, dbURL, *cipherName, stdout)
	case "public":
		r, err := loadKeys(ctx, dbURL)
		if err != nil {
			return err
		}
		g := r.Current()
		fmt.Fprintf(stdout, "%s\n", publicKeyText(g))
		fmt.Fprintf(stderr, "the public key that checks anchors (key %d, fingerprint %s): give it to whoever keeps them\n", g.ID, g.Fingerprint())
		return nil
	case "status":
		return keyStatus(ctx, dbURL, stdout)
	}
	fmt.Fprintln(stderr, keysUsage)
	return errUsage
}

// initKeys writes a new key file at path; it never overwrites one.
func initKeys(path, cipherName string, stdout io.Writer) error {
	if _, err := os.Stat(path); err == nil {
		return fmt.Errorf("%s already exists: a key file is never overwritten (it is the only way to read the data)", path)
	}
	r, err := keys.Generate(cipherName)
	if err != nil {
		return err
	}
	if err := r.WriteFile(path); err != nil {
		return err
	}
	g := r.Current()
	fmt.Fprintf(stdout, "wrote a new key file %s (%s, fingerprint %s). Keep a copy apart from the database and its backups:\n"+
		"without it the ID numbers in the database cannot be read. (已生成密钥文件，请与数据库及其备份分开保存)\n", path, g.Cipher, g.Fingerprint())
	return nil
}

func publicKeyText(g *keys.Generation) string {
	return base64.StdEncoding.EncodeToString(g.PublicKey())
}

// rotateKeys adds a generation to the key file, re-encrypts everything
// with it, and retires the older generations.
func rotateKeys(ctx context.Context, dbURL, cipherName string, stdout io.Writer) error {
	path, _ := keyFile(ctx, dbURL)
	if path == "" {
		return errors.New("keys rotate: the key file must be a file (--keys FILE or JIAHE_KEYS), which rotation rewrites")
	}
	r, err := keys.Load(path)
	if err != nil {
		return err
	}
	if cipherName == "" {
		cipherName = r.Current().Cipher
	}
	// The new generation is written to the file before anything in the
	// database uses it: a rotation cut short leaves data the file opens.
	if err := r.Add(cipherName); err != nil {
		return err
	}
	if err := r.WriteFile(path); err != nil {
		return err
	}
	cfg := app.DefaultConfig()
	cfg.Keys = r
	a, err := app.Open(ctx, dbURL, false, cfg, nil)
	if err != nil {
		return err
	}
	defer a.Close()
	n, err := a.RotateKeys(app.WithRequest(ctx, app.Request{Door: "cli"}), auth.System)
	if err != nil {
		return fmt.Errorf("%w (run `jiahe keys rotate` again to finish)", cliError(err))
	}
	if err := r.WriteFile(path); err != nil { // now with the older generations retired
		return err
	}
	g := r.Current()
	fmt.Fprintf(stdout, "key generation %d (%s, fingerprint %s) now encrypts; %d rows re-encrypted; older generations retired in %s\n",
		g.ID, g.Cipher, g.Fingerprint(), n, path)
	fmt.Fprintf(stdout, "new anchor public key: %s\n", publicKeyText(g))
	return nil
}

// keyStatus prints the generations and what each encrypts.
func keyStatus(ctx context.Context, dbURL string, stdout io.Writer) error {
	a, err := openApp(ctx, dbURL)
	if err != nil {
		return err
	}
	defer a.Close()
	use, err := a.KeyUse(app.WithRequest(ctx, app.Request{Door: "cli"}), auth.System)
	if err != nil {
		return cliError(err)
	}
	r, _ := loadKeys(ctx, dbURL)
	for _, g := range r.Generations() {
		state := "current"
		if g.Retired {
			state = "retired"
		} else if g != r.Current() {
			state = "older"
		}
		fmt.Fprintf(stdout, "key %d %-11s %s %-7s %d values\n", g.ID, g.Cipher, g.Fingerprint(), state, use[g.ID])
	}
	if use[0] > 0 {
		fmt.Fprintf(stdout, "%d values are stored in clear: run `jiahe migrate`\n", use[0])
	}
	return nil
}

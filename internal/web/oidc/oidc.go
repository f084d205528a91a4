// Package oidc is the seam for the province's unified identity service
// (统一身份认证): a citizen signs in there, by OpenID Connect's
// authorization code flow, and comes back with an ID token whose
// signature, issuer, audience, expiry and nonce are verified here
// (github.com/coreos/go-oidc). The claim that carries the citizen's ID
// number (IDClaim) links the sign-in to a person of the registry and so
// to their citizen account (app.SignInVerified); passwords stay as they
// are beside it.
package oidc

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"sync"

	gooidc "github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"
)

// Config configures the provider.
type Config struct {
	// Issuer is the provider's issuer URL; discovery reads
	// Issuer/.well-known/openid-configuration.
	Issuer       string
	ClientID     string
	ClientSecret string
	// IDClaim names the ID token's claim holding the citizen's ID number
	// ("sub" when the provider's subject is the ID number).
	IDClaim string
}

// Enabled reports whether a provider is configured.
func (c Config) Enabled() bool { return c.Issuer != "" && c.ClientID != "" }

// Identity is what a verified ID token says.
type Identity struct {
	Issuer, Subject, IDNumber string
}

// Provider signs citizens in through the configured provider. Discovery
// happens on first use, so that the server starts while the provider is
// down; a failed discovery is tried again on the next sign-in.
type Provider struct {
	cfg      Config
	mu       sync.Mutex
	provider *gooidc.Provider
}

// New returns the provider of cfg.
func New(cfg Config) *Provider {
	if cfg.IDClaim == "" {
		cfg.IDClaim = "sub"
	}
	return &Provider{cfg: cfg}
}

func (p *Provider) discover(ctx context.Context) (*gooidc.Provider, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.provider != nil {
		return p.provider, nil
	}
	pr, err := gooidc.NewProvider(ctx, p.cfg.Issuer)
	if err != nil {
		return nil, fmt.Errorf("oidc: discovery of %s: %w", p.cfg.Issuer, err)
	}
	p.provider = pr
	return pr, nil
}

func (p *Provider) oauth(pr *gooidc.Provider, redirect string) *oauth2.Config {
	return &oauth2.Config{ClientID: p.cfg.ClientID, ClientSecret: p.cfg.ClientSecret, Endpoint: pr.Endpoint(), RedirectURL: redirect,
		Scopes: []string{gooidc.ScopeOpenID, "profile"}}
}

// NewState returns a random state and a random nonce for one sign-in.
func NewState() (state, nonce string, err error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", "", err
	}
	return base64.RawURLEncoding.EncodeToString(b[:16]), base64.RawURLEncoding.EncodeToString(b[16:]), nil
}

// AuthURL is the provider's page where the citizen signs in; it comes
// back to redirect with state and a code.
func (p *Provider) AuthURL(ctx context.Context, redirect, state, nonce string) (string, error) {
	pr, err := p.discover(ctx)
	if err != nil {
		return "", err
	}
	return p.oauth(pr, redirect).AuthCodeURL(state, gooidc.Nonce(nonce)), nil
}

// ErrToken is a code or token that does not verify.
var ErrToken = errors.New("oidc: the sign-in did not verify")

// Exchange trades the code for the tokens and verifies the ID token:
// signature, issuer, audience (the client), expiry and nonce; it returns
// the identity with the ID number of IDClaim.
func (p *Provider) Exchange(ctx context.Context, redirect, code, nonce string) (*Identity, error) {
	pr, err := p.discover(ctx)
	if err != nil {
		return nil, err
	}
	tok, err := p.oauth(pr, redirect).Exchange(ctx, code)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrToken, err)
	}
	raw, ok := tok.Extra("id_token").(string)
	if !ok || raw == "" {
		return nil, fmt.Errorf("%w: no ID token", ErrToken)
	}
	idt, err := pr.Verifier(&gooidc.Config{ClientID: p.cfg.ClientID}).Verify(ctx, raw)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrToken, err)
	}
	if idt.Nonce != nonce {
		return nil, fmt.Errorf("%w: the nonce does not match", ErrToken)
	}
	var claims map[string]any
	if err := idt.Claims(&claims); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrToken, err)
	}
	idn, _ := claims[p.cfg.IDClaim].(string)
	if idn == "" {
		return nil, fmt.Errorf("%w: no claim %q", ErrToken, p.cfg.IDClaim)
	}
	return &Identity{Issuer: idt.Issuer, Subject: idt.Subject, IDNumber: idn}, nil
}

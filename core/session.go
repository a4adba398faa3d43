package core

import (
	"context"
	"time"

	"github.com/baas-oss/baas"
)

// This file holds authentication with API keys and auth tokens (sessions). The wording
// clients see is the dialect's: the core names each refusal with a reason.

// CodegoTokenTTL is how long a Codego auth token lives.
const CodegoTokenTTL = 30 * time.Minute

// codegoTokenKeep is how long an expired token is kept (so it answers "expired" rather
// than "unknown") before a new authentication of its tenant deletes it.
const codegoTokenKeep = 24 * time.Hour

// Reasons of the Codego authentication errors; the dialect gives each its code.
const (
	ReasonClientKeysEmpty = "CLIENT_KEYS_EMPTY"    // clientkey or secretkey is empty
	ReasonAuthKeysWrong   = "AUTH_KEYS_WRONG"      // keys missing or incorrect
	ReasonLicenseWrong    = "LICENSE_KEY_WRONG"    // apikey / whitelabel_id do not match
	ReasonTokenRequired   = "AUTH_TOKEN_REQUIRED"  // no authtoken
	ReasonTokenNotFound   = "AUTH_TOKEN_NOT_FOUND" // no such token (for this whitelabel)
	ReasonTokenInvalid    = "AUTH_TOKEN_INVALID"   // the token has expired
)

// CodegoSession is a new auth token.
type CodegoSession struct {
	Token     string
	ExpiresAt time.Time
}

// AuthenticateCodegoAPI checks an apikey / whitelabel_id pair and returns the tenant id.
// A missing value is ReasonAuthKeysWrong; a wrong one ReasonLicenseWrong.
func (s *Service) AuthenticateCodegoAPI(ctx context.Context, apiKey, whitelabelID string) (string, error) {
	if apiKey == "" || whitelabelID == "" {
		return "", baas.Reasonf(baas.EUnauthorized, ReasonAuthKeysWrong, "apikey and whitelabel_id are required")
	}
	wrong := baas.Reasonf(baas.EUnauthorized, ReasonLicenseWrong, "apikey or whitelabel_id is wrong")
	if len(apiKey) > 512 || len(whitelabelID) > 512 {
		return "", wrong
	}
	c, err := s.findCredential(ctx, baas.CredCodegoAPI, whitelabelID)
	if baas.IsCode(err, baas.ENotFound) {
		return "", wrong
	}
	if err != nil {
		return "", err
	}
	if !s.secretMatches(apiKey, c.SecretHash) {
		return "", wrong
	}
	return c.TenantID, nil
}

// CodegoLoginParams are the inputs of CodegoLogin.
type CodegoLoginParams struct {
	ClientKey    string
	SecretKey    string
	APIKey       string
	WhitelabelID string
}

// CodegoLogin checks the four keys of a whitelabel and issues an auth token for
// CodegoTokenTTL. It also deletes the whitelabel's tokens that expired long ago.
func (s *Service) CodegoLogin(ctx context.Context, p CodegoLoginParams) (string, *CodegoSession, error) {
	if p.ClientKey == "" || p.SecretKey == "" {
		return "", nil, baas.Reasonf(baas.EUnauthorized, ReasonClientKeysEmpty, "clientkey or secretkey is empty")
	}
	tenantID, err := s.AuthenticateCodegoAPI(ctx, p.APIKey, p.WhitelabelID)
	if err != nil {
		return "", nil, err
	}
	wrong := baas.Reasonf(baas.EUnauthorized, ReasonAuthKeysWrong, "clientkey or secretkey is incorrect")
	if len(p.ClientKey) > 512 || len(p.SecretKey) > 512 {
		return "", nil, wrong
	}
	c, err := s.store.Read().FindCredential(ctx, baas.CredCodegoClient, p.ClientKey)
	if baas.IsCode(err, baas.ENotFound) {
		return "", nil, wrong
	}
	if err != nil {
		return "", nil, err
	}
	if !s.secretMatches(p.SecretKey, c.SecretHash) || c.TenantID != tenantID {
		return "", nil, wrong
	}
	sess, err := s.issueCodegoToken(ctx, tenantID)
	return tenantID, sess, err
}

func (s *Service) issueCodegoToken(ctx context.Context, tenantID string) (*CodegoSession, error) {
	token := randomHexGroups(6)
	var sess *CodegoSession
	err := s.store.InTx(ctx, func(tx baas.Tx) error {
		now := s.now()
		if _, err := tx.DeleteCodegoTokens(ctx, tenantID, now.Add(-codegoTokenKeep)); err != nil {
			return err
		}
		t := &baas.CodegoToken{Hash: s.hashSecret(token), TenantID: tenantID, CreatedAt: now, ExpiresAt: now.Add(CodegoTokenTTL)}
		sess = &CodegoSession{Token: token, ExpiresAt: t.ExpiresAt}
		return tx.InsertCodegoToken(ctx, t)
	})
	if err != nil {
		return nil, err
	}
	return sess, nil
}

// CheckCodegoToken checks that token is a live auth token of the tenant. An unknown token,
// or one of another whitelabel, is ReasonTokenNotFound; an expired one ReasonTokenInvalid.
func (s *Service) CheckCodegoToken(ctx context.Context, tenantID, token string) error {
	if token == "" {
		return baas.Reasonf(baas.EUnauthorized, ReasonTokenRequired, "authtoken is required")
	}
	notFound := baas.Reasonf(baas.EUnauthorized, ReasonTokenNotFound, "no such auth token")
	if len(token) > 512 {
		return notFound
	}
	hashes := s.secretHashes(token) // the current data key's first: tokens made before a rotation stay valid
	t, err := s.tokens.get(string(hashes[0]), s.now(), func() (*baas.CodegoToken, error) {
		for _, h := range hashes[:len(hashes)-1] {
			if t, err := s.store.Read().FindCodegoToken(ctx, h); !baas.IsCode(err, baas.ENotFound) {
				return t, err
			}
		}
		return s.store.Read().FindCodegoToken(ctx, hashes[len(hashes)-1])
	})
	if baas.IsCode(err, baas.ENotFound) {
		return notFound
	}
	if err != nil {
		return err
	}
	if t.TenantID != tenantID {
		return notFound
	}
	if !s.now().Before(t.ExpiresAt) {
		return baas.Reasonf(baas.EUnauthorized, ReasonTokenInvalid, "the auth token has expired")
	}
	return nil
}

// RefreshCodegoToken issues a new token for a live one. The old token stays valid until
// it expires, so requests already under way with it are not refused.
func (s *Service) RefreshCodegoToken(ctx context.Context, tenantID, token string) (*CodegoSession, error) {
	if err := s.CheckCodegoToken(ctx, tenantID, token); err != nil {
		return nil, err
	}
	return s.issueCodegoToken(ctx, tenantID)
}

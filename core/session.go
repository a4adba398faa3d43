package core

import (
	"context"
	"time"

	"github.com/baas-oss/baas"
)

// This file holds a tenant's API sessions: a caller proves the tenant's client keys and
// API key (credentials CredCodegoClient and CredCodegoAPI) and gets a session token it
// sends with each request until the token expires. The wording clients see is the
// dialect's: the core names each refusal with a reason.

// SessionTTL is how long a session token lives.
const SessionTTL = 30 * time.Minute

// sessionKeep is how long an expired token is kept (so it answers "expired" rather
// than "unknown") before a new authentication of its tenant deletes it.
const sessionKeep = 24 * time.Hour

// Reasons of the authentication refusals; the dialect gives each its code and wording.
const (
	ReasonClientKeysEmpty = "CLIENT_KEYS_EMPTY"    // clientkey or secretkey is empty
	ReasonAuthKeysWrong   = "AUTH_KEYS_WRONG"      // client keys incorrect
	ReasonAPIKeyMissing   = "API_KEY_MISSING"      // the API key or its id is missing
	ReasonLicenseWrong    = "LICENSE_KEY_WRONG"    // apikey / whitelabel_id do not match
	ReasonTokenRequired   = "AUTH_TOKEN_REQUIRED"  // no authtoken
	ReasonTokenNotFound   = "AUTH_TOKEN_NOT_FOUND" // no such token (for this tenant)
	ReasonTokenInvalid    = "AUTH_TOKEN_INVALID"   // the token has expired
)

// Session is a newly issued session token and when it expires.
type Session struct {
	Token     string
	ExpiresAt time.Time
}

// AuthenticateAPIKey checks a tenant's API key (the secret apiKey of the credential
// apiKeyID; Codego calls them apikey and whitelabel_id) and returns the tenant id.
// A missing value is ReasonAPIKeyMissing; a wrong one ReasonLicenseWrong.
func (s *Service) AuthenticateAPIKey(ctx context.Context, apiKey, apiKeyID string) (string, error) {
	if apiKey == "" || apiKeyID == "" {
		return "", baas.Reasonf(baas.EUnauthorized, ReasonAPIKeyMissing, "an API key and its id are required")
	}
	wrong := baas.Reasonf(baas.EUnauthorized, ReasonLicenseWrong, "the API key or its id is wrong")
	if len(apiKey) > 512 || len(apiKeyID) > 512 {
		return "", wrong
	}
	c, err := s.findCredential(ctx, baas.CredCodegoAPI, apiKeyID)
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

// OpenSessionParams are the inputs of OpenSession.
type OpenSessionParams struct {
	ClientKey string
	SecretKey string
	APIKey    string
	APIKeyID  string // the id of the API key (Codego: whitelabel_id)
}

// OpenSession checks a tenant's client keys and API key and issues a session token for
// SessionTTL; it returns the tenant id. It also deletes the tenant's tokens that expired
// long ago.
func (s *Service) OpenSession(ctx context.Context, p OpenSessionParams) (string, *Session, error) {
	if p.ClientKey == "" || p.SecretKey == "" {
		return "", nil, baas.Reasonf(baas.EUnauthorized, ReasonClientKeysEmpty, "clientkey or secretkey is empty")
	}
	tenantID, err := s.AuthenticateAPIKey(ctx, p.APIKey, p.APIKeyID)
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
	sess, err := s.issueSession(ctx, tenantID)
	return tenantID, sess, err
}

func (s *Service) issueSession(ctx context.Context, tenantID string) (*Session, error) {
	token := randomHexGroups(6)
	var sess *Session
	err := s.store.InTx(ctx, func(tx baas.Tx) error {
		now := s.now()
		if _, err := tx.DeleteExpiredSessionTokens(ctx, tenantID, now.Add(-sessionKeep)); err != nil {
			return err
		}
		t := &baas.SessionToken{Hash: s.hashSecret(token), TenantID: tenantID, CreatedAt: now, ExpiresAt: now.Add(SessionTTL)}
		sess = &Session{Token: token, ExpiresAt: t.ExpiresAt}
		return tx.InsertSessionToken(ctx, t)
	})
	if err != nil {
		return nil, err
	}
	return sess, nil
}

// CheckSession checks that token is a live session token of the tenant. An unknown token,
// or one of another tenant, is ReasonTokenNotFound; an expired one ReasonTokenInvalid.
func (s *Service) CheckSession(ctx context.Context, tenantID, token string) error {
	if token == "" {
		return baas.Reasonf(baas.EUnauthorized, ReasonTokenRequired, "authtoken is required")
	}
	t, err := s.findSession(ctx, token)
	if err != nil {
		return err
	}
	if t.TenantID != tenantID {
		return errTokenNotFound()
	}
	return s.checkExpiry(t)
}

func errTokenNotFound() error {
	return baas.Reasonf(baas.EUnauthorized, ReasonTokenNotFound, "no such auth token")
}

// findSession finds the session token token (ReasonTokenNotFound), expired or not.
func (s *Service) findSession(ctx context.Context, token string) (*baas.SessionToken, error) {
	if len(token) > 512 {
		return nil, errTokenNotFound()
	}
	hashes := s.secretHashes(token) // the current data key's first: tokens made before a rotation stay valid
	t, err := s.tokens.get(string(hashes[0]), s.now(), func() (*baas.SessionToken, error) {
		for _, h := range hashes[:len(hashes)-1] {
			if t, err := s.store.Read().FindSessionToken(ctx, h); !baas.IsCode(err, baas.ENotFound) {
				return t, err
			}
		}
		return s.store.Read().FindSessionToken(ctx, hashes[len(hashes)-1])
	})
	if baas.IsCode(err, baas.ENotFound) {
		return nil, errTokenNotFound()
	}
	return t, err
}

// checkExpiry refuses an expired token with ReasonTokenInvalid.
func (s *Service) checkExpiry(t *baas.SessionToken) error {
	if !s.now().Before(t.ExpiresAt) {
		return baas.Reasonf(baas.EUnauthorized, ReasonTokenInvalid, "the auth token has expired")
	}
	return nil
}

// OpenKeySession checks a tenant's Girasol key pair (and company id, when given), as
// AuthenticateGirasol does, and issues a session token for SessionTTL that stands for
// them as a bearer token; it returns the tenant id. The store keeps only the token's
// keyed hash.
func (s *Service) OpenKeySession(ctx context.Context, apiKey, secretKey, companyID string) (string, *Session, error) {
	tenantID, err := s.AuthenticateGirasol(ctx, apiKey, secretKey, companyID)
	if err != nil {
		return "", nil, err
	}
	sess, err := s.issueSession(ctx, tenantID)
	return tenantID, sess, err
}

// AuthenticateBearer returns the tenant of a live session token (one OpenKeySession or
// OpenSession issued); refusals as CheckSession.
func (s *Service) AuthenticateBearer(ctx context.Context, token string) (string, error) {
	if token == "" {
		return "", baas.Reasonf(baas.EUnauthorized, ReasonTokenRequired, "a bearer token is required")
	}
	t, err := s.findSession(ctx, token)
	if err != nil {
		return "", err
	}
	if err := s.checkExpiry(t); err != nil {
		return "", err
	}
	return t.TenantID, nil
}

// RefreshSession issues a new token for a live one. The old token stays valid until
// it expires, so requests already under way with it are not refused.
func (s *Service) RefreshSession(ctx context.Context, tenantID, token string) (*Session, error) {
	if err := s.CheckSession(ctx, tenantID, token); err != nil {
		return nil, err
	}
	return s.issueSession(ctx, tenantID)
}

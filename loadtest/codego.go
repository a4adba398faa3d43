package loadtest

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
)

// codegoState is what the Codego workloads need: the whitelabel's keys, a token and the
// user_ids of signed-up customers.
type codegoState struct {
	clientKey, secretKey, apiKey, whitelabelID string
	mu                                         sync.RWMutex
	token                                      string
	users                                      []string
}

// maxCodegoUsers bounds the signups of the setup: each costs an argon2id hash (~150 ms).
const maxCodegoUsers = 40

// setupCodego signs up customers and takes a first token.
func (c *Client) setupCodego(ctx context.Context) error {
	if out := c.codegoAuthenticate(ctx); !out.OK {
		return fmt.Errorf("authenticate: %s", out.Kind)
	}
	n := min(c.cfg.Accounts, maxCodegoUsers)
	c.codego.users = make([]string, n)
	var next atomic.Int64
	errc := make(chan error, 4)
	var wg sync.WaitGroup
	for w := 0; w < 4; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1) - 1)
				if i >= n {
					return
				}
				body := map[string]any{"country_of_residence": 99, "name": "Load", "surname": "Test", "mobile": "9999640806",
					"email": fmt.Sprintf("load%d@bench.example", i), "password": "Aa100508!!!", "country_id": 99, "dob": "1989-01-02",
					"nationality": 99, "address": "Dashmesh Nagar", "city": "Mohali", "country": 99, "zipcode": "140301",
					"is_same": 1, "work_country": 99, "income_soruce": "Salary", "political_person": "No", "country_pay_tax": 99,
					"tax_personal_number": "134567889", "gender": "Male"}
				var out struct {
					Status  any    `json:"status"`
					UserID  string `json:"user_id"`
					Message string `json:"message"`
				}
				if res := c.codegoCall(ctx, "signup", body, &out); !res.OK || out.UserID == "" {
					errc <- fmt.Errorf("signup: %s %s", res.Kind, out.Message)
					return
				}
				c.codego.users[i] = out.UserID
			}
		}()
	}
	wg.Wait()
	close(errc)
	return <-errc
}

// codegoAuthenticate takes a new token, as the spec's example sends it.
func (c *Client) codegoAuthenticate(ctx context.Context) Outcome {
	h := http.Header{}
	h.Set("clientkey", c.codego.clientKey)
	h.Set("secretkey", c.codego.secretKey)
	h.Set("Content-Type", "application/json")
	raw, status, err := c.do(ctx, "POST", "/api/authenticaion", map[string]any{
		"apikey": c.codego.apiKey, "whitelabel_id": c.codego.whitelabelID}, h)
	var out struct {
		Status    any    `json:"status"`
		Code      any    `json:"code"`
		AuthToken string `json:"auth_token"`
	}
	if o := codegoOutcome(raw, status, err, &out); !o.OK {
		return o
	}
	c.codego.mu.Lock()
	c.codego.token = out.AuthToken
	c.codego.mu.Unlock()
	return Outcome{OK: true}
}

// codegoCall sends one API call with the keys and the current token.
func (c *Client) codegoCall(ctx context.Context, name string, body map[string]any, out any) Outcome {
	if body == nil {
		body = map[string]any{}
	}
	body["apikey"], body["whitelabel_id"] = c.codego.apiKey, c.codego.whitelabelID
	c.codego.mu.RLock()
	token := c.codego.token
	c.codego.mu.RUnlock()
	h := http.Header{}
	h.Set("authtoken", token)
	h.Set("Content-Type", "application/json")
	raw, status, err := c.do(ctx, "POST", "/api/"+name, body, h)
	return codegoOutcome(raw, status, err, out)
}

// codegoOutcome reads a Codego answer: status 1 (number or string) is success; otherwise
// the kind is "codego <code>".
func codegoOutcome(raw []byte, status int, err error, out any) Outcome {
	if err != nil {
		return Outcome{Kind: "connection"}
	}
	var env struct {
		Status json.RawMessage `json:"status"`
		Code   json.RawMessage `json:"code"`
	}
	if json.Unmarshal(raw, &env) != nil {
		return Outcome{Kind: strconv.Itoa(status) + " not JSON"}
	}
	if s := string(env.Status); s != "1" && s != `"1"` {
		return Outcome{Kind: fmt.Sprintf("%d codego %s", status, env.Code)}
	}
	if out != nil {
		_ = json.Unmarshal(raw, out)
	}
	return Outcome{OK: true}
}

func (c *Client) randomUser(rng *rand.Rand) string {
	return c.codego.users[rng.IntN(len(c.codego.users))]
}

// codegoMix is the Codego onboarding mix: authenticate 5%, account_detail 45%,
// check_kyc_status 30%, countries_list 20%.
func codegoMix(ctx context.Context, c *Client, rng *rand.Rand) Outcome {
	switch p := rng.IntN(100); {
	case p < 5:
		return c.codegoAuthenticate(ctx)
	case p < 50:
		return c.codegoCall(ctx, "account_detail", map[string]any{"user_id": c.randomUser(rng)}, nil)
	case p < 80:
		return c.codegoCall(ctx, "check_kyc_status", map[string]any{"user_id": c.randomUser(rng)}, nil)
	default:
		return c.codegoCall(ctx, "countries_list", nil, nil)
	}
}

// codegoReads is account_detail only.
func codegoReads(ctx context.Context, c *Client, rng *rand.Rand) Outcome {
	return c.codegoCall(ctx, "account_detail", map[string]any{"user_id": c.randomUser(rng)}, nil)
}

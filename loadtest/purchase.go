package loadtest

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"strconv"
	"sync"
	"sync/atomic"
)

// The purchase workload: sandbox card network purchases (POST
// /admin/api/sandbox/cards/{card_id}/transactions) on the cards of the funded accounts,
// one virtual card each, through the one authorization path. The tenant has no
// authorization URL. An approved purchase is a success; a decline is an error of kind
// "declined <reason>".
//
// Every card has benchRules: ten active rules of mixed types (Mcc, Amount with each range,
// EntryMode with a time frame; domestic, international and both), none of which a bench
// purchase breaks, so that each purchase evaluates them all and reads the card's approved
// totals for its Daily, Weekly and Monthly limits.
var benchRules = []map[string]any{
	{"validationType": "Mcc", "value": "7995", "businessScope": "Both", "rangeType": "Always"},
	{"validationType": "Mcc", "value": "7994", "businessScope": "Domestic", "rangeType": "Always"},
	{"validationType": "Mcc", "value": "6011", "businessScope": "International", "rangeType": "Always"},
	{"validationType": "Mcc", "value": "4829", "businessScope": "Both", "rangeType": "Always"},
	{"validationType": "Amount", "amount": 100_000_000, "currencyCode": "USD", "businessScope": "Both", "rangeType": "Daily"},
	{"validationType": "Amount", "amount": 100_000_000, "currencyCode": "USD", "businessScope": "Both", "rangeType": "Weekly"},
	{"validationType": "Amount", "amount": 100_000_000, "currencyCode": "USD", "businessScope": "Both", "rangeType": "Monthly"},
	{"validationType": "Amount", "amount": 100_000_000, "currencyCode": "USD", "businessScope": "International", "rangeType": "Daily"},
	{"validationType": "Amount", "amount": 5_000, "currencyCode": "USD", "businessScope": "Both", "rangeType": "Always"},
	{"validationType": "EntryMode", "value": "manual", "businessScope": "Both", "rangeType": "Always",
		"timeFrame": map[string]any{"begin": "03:00:00", "end": "03:00:01"}},
}

// setupCards gives every account a virtual card (POST /v1/cards/create-virtual-card) with
// the ten benchRules (POST /v1/controls/card/{cardId}).
func (c *Client) setupCards(ctx context.Context) error {
	c.cards = make([]string, len(c.accounts))
	var next atomic.Int64
	errc := make(chan error, 16)
	var wg sync.WaitGroup
	for w := 0; w < min(c.cfg.Clients, 16); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1) - 1)
				if i >= len(c.accounts) {
					return
				}
				var out struct {
					Data struct {
						CardID string `json:"cardId"`
					} `json:"data"`
				}
				status, err := c.girasol(ctx, "POST", "/v1/cards/create-virtual-card", map[string]any{
					"accountNumber": c.accounts[i], "firstName": "Load", "lastName": "Test", "nameForPrint": "LOAD TEST"}, "", &out)
				if err != nil || status != 201 || out.Data.CardID == "" {
					errc <- fmt.Errorf("create card: %d %v", status, err)
					return
				}
				c.cards[i] = out.Data.CardID
				for _, rule := range benchRules {
					var created struct {
						RuleID string `json:"ruleId"`
					}
					status, err := c.girasol(ctx, "POST", "/v1/controls/card/"+out.Data.CardID, rule, "", &created)
					if err != nil || status != 200 || created.RuleID == "" {
						errc <- fmt.Errorf("create rule %v: %d %v", rule, status, err)
						return
					}
				}
			}
		}()
	}
	wg.Wait()
	close(errc)
	return <-errc
}

var benchMerchants = []struct{ name, city, country, mcc string }{
	{"CORNER GROCERY", "AUSTIN", "US", "5411"},
	{"BLUE BOTTLE CAFE", "SAN FRANCISCO", "US", "5814"},
	{"CITY FUEL 24", "CHICAGO", "US", "5541"},
	{"LA PETITE PHARMACIE", "PARIS", "FR", "5912"},
}

var benchEntryModes = []string{"chip", "contactless", "ecommerce", "magstripe", "manual"}

// purchase is one sandbox purchase of 0.01 to 20.00 on a random card.
func purchase(ctx context.Context, c *Client, rng *rand.Rand) Outcome {
	m := benchMerchants[rng.IntN(len(benchMerchants))]
	card := c.cards[rng.IntN(len(c.cards))]
	raw, status, err := c.admin(ctx, "POST", "/admin/api/sandbox/cards/"+card+"/transactions", map[string]any{
		"type": "purchase", "amount": 1 + rng.Int64N(2_000), "merchant_name": m.name, "merchant_city": m.city,
		"merchant_country": m.country, "mcc": m.mcc, "entry_mode": benchEntryModes[rng.IntN(len(benchEntryModes))]})
	if err != nil {
		return Outcome{Kind: "connection"}
	}
	var out struct {
		Status        string `json:"status"`
		DeclineReason string `json:"decline_reason"`
	}
	if status != 201 || json.Unmarshal(raw, &out) != nil {
		return Outcome{Kind: strconv.Itoa(status)}
	}
	if out.Status != "approved" {
		return Outcome{Kind: "declined " + out.DeclineReason}
	}
	return Outcome{OK: true}
}

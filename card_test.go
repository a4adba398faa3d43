package baas_test

import (
	"slices"
	"testing"

	"github.com/baas-oss/baas"
	"pgregory.net/rapid"
)

// TestCardStateMachine checks the table itself: every transition names known states and
// actions and an event "card.*", no (state, action) pair appears twice, every state but
// the first is reachable from a first state (ordered for physical cards, active for
// virtual ones), blocked and replaced are final, and no final state is live.
func TestCardStateMachine(t *testing.T) {
	seen := map[[2]string]bool{}
	for _, tr := range baas.CardTransitions() {
		if !tr.From.Valid() || !tr.To.Valid() || !slices.Contains(baas.CardActions, tr.Action) || len(tr.Event) < 6 ||
			tr.Event[:5] != "card." {
			t.Errorf("bad transition %+v", tr)
		}
		k := [2]string{string(tr.From), string(tr.Action)}
		if seen[k] {
			t.Errorf("%s --%s--> twice", tr.From, tr.Action)
		}
		seen[k] = true
	}
	reached := map[baas.CardStatus]bool{baas.CardOrdered: true, baas.CardActive: true}
	for changed := true; changed; {
		changed = false
		for _, tr := range baas.CardTransitions() {
			if reached[tr.From] && !reached[tr.To] {
				reached[tr.To], changed = true, true
			}
		}
	}
	for _, s := range baas.CardStatuses {
		if !reached[s] {
			t.Errorf("state %s is unreachable", s)
		}
		if s.Final() && s.Live() {
			t.Errorf("final state %s is live", s)
		}
	}
	if !baas.CardBlocked.Final() || !baas.CardReplaced.Final() || baas.CardActive.Final() {
		t.Error("blocked and replaced must be final, active not")
	}
	if baas.CardStatus("nope").Valid() {
		t.Error("unknown state is valid")
	}
}

// TestCardStateMachineProperty drives random action sequences from either first state:
// a card never reaches an undefined state, an action moves it exactly when the table has
// its (state, action) pair, a refused action leaves it where it was, and a final state
// accepts nothing.
func TestCardStateMachineProperty(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		s := rapid.SampledFrom([]baas.CardStatus{baas.CardOrdered, baas.CardActive}).Draw(t, "first")
		actions := rapid.SliceOfN(rapid.SampledFrom(baas.CardActions), 0, 40).Draw(t, "actions")
		for _, a := range actions {
			allowed := false
			var want baas.CardStatus
			for _, tr := range baas.CardTransitions() {
				if tr.From == s && tr.Action == a {
					allowed, want = true, tr.To
				}
			}
			tr, ok := baas.NextCardStatus(s, a)
			if ok != allowed {
				t.Fatalf("%s --%s-->: allowed %v, table says %v", s, a, ok, allowed)
			}
			if s.Final() && ok {
				t.Fatalf("final state %s accepted %s", s, a)
			}
			if ok {
				if tr.To != want || tr.From != s || tr.Action != a {
					t.Fatalf("%s --%s--> %+v, want %s", s, a, tr, want)
				}
				s = tr.To
			}
			if !s.Valid() {
				t.Fatalf("undefined state %q", s)
			}
		}
	})
}

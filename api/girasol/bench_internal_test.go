package girasol

import (
	"net/http/httptest"
	"testing"
	"time"

	"github.com/baas-oss/baas/api/httpx"
)

var p2pBody = []byte(`{"companyId":"d3574800-e15e-4292-8ad4-608d465acbc4","originAccountNumber":11937218,"destinarionAccountNumber":24875232,"amount":500,"message":"peer to peer message"}`)

// BenchmarkDecodeP2P measures decoding and validating a p2p request body.
func BenchmarkDecodeP2P(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		body, msgs := decodeBody(p2pBody)
		if msgs != nil {
			b.Fatal(msgs)
		}
		body.uuid("companyId")
		body.int(intOpt{positive: true}, "originAccountNumber")
		body.int(intOpt{positive: true}, "destinarionAccountNumber", "destinationAccountNumber")
		body.int(intOpt{positive: true}, "amount")
		body.str(strOpt{optional: true}, "message")
		if errs := body.finish(); len(errs) > 0 {
			b.Fatal(errs)
		}
	}
}

// BenchmarkEncodeP2P measures encoding a p2p answer in the Girasol envelope.
func BenchmarkEncodeP2P(b *testing.B) {
	b.ReportAllocs()
	now := time.Now()
	for b.Loop() {
		w := httptest.NewRecorder()
		httpx.WriteJSON(w, 201, envelope{StatusCode: 201, Data: map[string]any{
			"message": "transaction successful", "transactionId": int64(536), "originBalance": int64(825000),
			"currency": "USD", "description": "peer to peer message", "createdAt": timestamp(now)}})
	}
}

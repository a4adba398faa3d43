package core

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"image"
	"image/jpeg"
	"image/png"
	"io"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/baas-oss/baas"
)

// This file holds KYC: uploads of identity and address proofs, their status, the
// compliance review (verify or reject with a reason) and the sandbox's automatic
// verification. Every status change writes a kyc.pending, kyc.verified or kyc.rejected
// event in the same transaction; the webhook engine delivers them.

// MaxKYCImageSize bounds a KYC image: Codego says "less than 2 mb".
const MaxKYCImageSize = 2 << 20

// maxKYCImageSide bounds each side of a KYC image, in pixels.
const maxKYCImageSide = 20000

// maxKYCImagePixels bounds the area of a KYC image (25 megapixels, more than a phone's
// photo): every image is decoded whole before it is accepted, and this bounds the memory
// that takes.
const maxKYCImagePixels = 25_000_000

// MaxAutoVerifyAfter bounds the sandbox's automatic verification delay.
const MaxAutoVerifyAfter = 30 * 24 * time.Hour

// KYCImageUpload is one image of an upload. Field names it in error messages.
type KYCImageUpload struct {
	Field string
	Side  string
	Data  []byte
}

// UploadKYCParams are the inputs of UploadKYC.
type UploadKYCParams struct {
	Customer baas.CustomerKey
	Type     int // baas.DocIDProof or baas.DocAddressProof
	Number   string
	Images   []KYCImageUpload
}

// Reasons of the KYC upload refusals.
const (
	// ReasonKYCWrongType: the document type a client stated is not the type of the
	// document it uploads (an upload names its type once).
	ReasonKYCWrongType = "KYC_WRONG_DOCUMENT_TYPE"
	// ReasonKYCIncomplete: an image the document type needs is missing.
	ReasonKYCIncomplete = "KYC_DOCUMENT_INCOMPLETE"
)

// kycSides lists the image sides each document type needs; any other side it may have is
// optional (an id proof's back: a passport has none).
var kycSides = map[int][]string{
	baas.DocIDProof:      {baas.SideFront},
	baas.DocAddressProof: {baas.SideFull},
}

// CheckKYCType checks the document type a client stated for an upload of a document of
// type docType: any other number is ReasonKYCWrongType.
func CheckKYCType(docType int, stated int64) error {
	if stated != int64(docType) {
		return baas.Reasonf(baas.EInvalid, ReasonKYCWrongType, "the document type must be %d (%s)", docType,
			baas.DocumentName(docType))
	}
	return nil
}

// MissingKYCSides returns the sides a document of type docType needs that images lack
// (ReasonKYCIncomplete), in a fixed order; nil when it is complete.
func MissingKYCSides(docType int, images []KYCImageUpload) []string {
	var missing []string
	for _, side := range kycSides[docType] {
		if !slices.ContainsFunc(images, func(up KYCImageUpload) bool { return up.Side == side }) {
			missing = append(missing, side)
		}
	}
	return missing
}

// checkImage reads a KYC image: it must be a PNG or a JPEG (by its bytes, not a name),
// smaller than MaxKYCImageSize, with sane dimensions, and decode whole (a truncated or
// corrupt file whose header parses is refused).
func checkImage(up KYCImageUpload) (baas.KYCImage, string) {
	im := baas.KYCImage{Side: up.Side, Size: int64(len(up.Data))}
	switch {
	case len(up.Data) == 0:
		return im, up.Field + " is required"
	case len(up.Data) >= MaxKYCImageSize:
		return im, up.Field + " must be smaller than 2 MB"
	}
	var cfg image.Config
	var err error
	var decode func(io.Reader) (image.Image, error)
	switch {
	case bytes.HasPrefix(up.Data, []byte("\x89PNG\r\n\x1a\n")):
		im.ContentType = "image/png"
		cfg, err = png.DecodeConfig(bytes.NewReader(up.Data))
		decode = png.Decode
	case bytes.HasPrefix(up.Data, []byte{0xff, 0xd8, 0xff}):
		im.ContentType = "image/jpeg"
		cfg, err = jpeg.DecodeConfig(bytes.NewReader(up.Data))
		decode = jpeg.Decode
	default:
		return im, up.Field + " must be a PNG or JPEG image"
	}
	unreadable := up.Field + " is not a readable " + strings.TrimPrefix(im.ContentType, "image/") + " image"
	if err != nil {
		return im, unreadable
	}
	if cfg.Width < 1 || cfg.Height < 1 || cfg.Width > maxKYCImageSide || cfg.Height > maxKYCImageSide {
		return im, fmt.Sprintf("%s must be between 1 and %d pixels wide and high", up.Field, maxKYCImageSide)
	}
	if int64(cfg.Width)*int64(cfg.Height) > maxKYCImagePixels {
		return im, fmt.Sprintf("%s must be at most %d megapixels", up.Field, maxKYCImagePixels/1_000_000)
	}
	// The header is not the image: decode it whole, within the bounds just checked.
	if _, err := decode(bytes.NewReader(up.Data)); err != nil {
		return im, unreadable
	}
	im.Width, im.Height = cfg.Width, cfg.Height
	sum := sha256.Sum256(up.Data)
	im.SHA256 = hex.EncodeToString(sum[:])
	im.Data = up.Data
	return im, ""
}

// UploadKYC records a KYC document with its images, pending review. A document of a type
// may be uploaded when the customer has none of that type or the last one was rejected;
// while one is pending or verified another upload is a conflict. For a sandbox tenant
// with automatic verification on, the document verifies itself after the configured
// delay.
func (s *Service) UploadKYC(ctx context.Context, p UploadKYCParams) (*baas.KYCDocument, error) {
	tenantID, err := tenant(ctx)
	if err != nil {
		return nil, err
	}
	name := baas.DocumentName(p.Type)
	if name == "" {
		return nil, baas.Reasonf(baas.EInvalid, ReasonKYCWrongType, "the document type must be %d (%s) or %d (%s)",
			baas.DocIDProof, baas.DocumentName(baas.DocIDProof), baas.DocAddressProof, baas.DocumentName(baas.DocAddressProof))
	}
	if missing := MissingKYCSides(p.Type, p.Images); len(missing) > 0 {
		return nil, baas.Reasonf(baas.EInvalid, ReasonKYCIncomplete, "the %s image of the %s is required", missing[0], name)
	}
	var msgs []string
	p.Number = strings.TrimSpace(p.Number)
	if p.Type == baas.DocIDProof {
		switch {
		case p.Number == "":
			msgs = append(msgs, "document_number cannot be blank")
		case utf8.RuneCountInString(p.Number) > 64 || strings.ContainsFunc(p.Number, func(r rune) bool { return r < 0x20 || r == 0x7f }):
			msgs = append(msgs, "document_number must be at most 64 printable characters")
		}
	}
	images := make([]baas.KYCImage, 0, len(p.Images))
	for _, up := range p.Images {
		im, msg := checkImage(up)
		if msg != "" {
			msgs = append(msgs, msg)
			continue
		}
		images = append(images, im)
	}
	if len(msgs) > 0 {
		return nil, baas.Invalid(msgs...)
	}
	var doc *baas.KYCDocument
	err = s.store.InTx(ctx, func(tx baas.Tx) error {
		now := s.now()
		c, err := findCustomer(ctx, tx, tenantID, p.Customer)
		if err != nil {
			return err
		}
		latest, err := tx.LatestKYCDocuments(ctx, c.ID)
		if err != nil {
			return err
		}
		for _, d := range latest {
			if d.Type == p.Type && d.Status != baas.KYCRejected {
				return uploadConflict(name, d.Status)
			}
		}
		doc = &baas.KYCDocument{TenantID: tenantID, CustomerID: c.ID, Type: p.Type, Number: p.Number,
			Status: baas.KYCPending, CreatedAt: now, Images: images, CustomerRef: c.Ref,
			CustomerName: strings.TrimSpace(c.FirstName + " " + c.LastName), CustomerEmail: c.Email}
		t, err := tx.GetTenant(ctx, tenantID)
		if err != nil {
			return err
		}
		if t.Sandbox {
			set, err := tx.GetKYCSettings(ctx, tenantID)
			if err != nil {
				return err
			}
			if set.AutoVerifyAfter > 0 {
				doc.AutoVerifyAt = now.Add(set.AutoVerifyAfter)
			}
		}
		if err := tx.InsertKYCDocument(ctx, doc); err != nil {
			if baas.IsCode(err, baas.EConflict) {
				return uploadConflict(name, baas.KYCPending)
			}
			return err
		}
		return kycEvent(ctx, tx, doc, now)
	})
	if err != nil {
		return nil, err
	}
	for i := range doc.Images {
		doc.Images[i].Data = nil
	}
	return doc, nil
}

func uploadConflict(name, status string) error {
	if status == baas.KYCVerified {
		return baas.Reasonf(baas.EConflict, "KYC_ALREADY_VERIFIED", "%s is already verified", name)
	}
	return baas.Reasonf(baas.EConflict, "KYC_PENDING", "%s is already uploaded and waiting for review", name)
}

// KYCOverall sums up a customer's newest documents: Verified when both an id proof and an
// address proof are verified, Rejected when the newest of a type was rejected, Pending
// otherwise (also while a document was never uploaded).
func KYCOverall(docs []*baas.KYCDocument) string {
	verified := 0
	for _, d := range docs {
		switch d.Status {
		case baas.KYCRejected:
			return baas.KYCRejected
		case baas.KYCVerified:
			verified++
		}
	}
	if verified == len(KYCDocumentTypes()) {
		return baas.KYCVerified
	}
	return baas.KYCPending
}

// KYCStatus returns the newest document of each type the customer uploaded (types never
// uploaded are absent), with the customer.
func (s *Service) KYCStatus(ctx context.Context, k baas.CustomerKey) (*baas.ProfiledCustomer, []*baas.KYCDocument, error) {
	return s.kycDocuments(ctx, k)
}

// kycDocuments reads a customer's newest documents. A sandbox document whose automatic
// verification is due is verified first, so reads never show a stale Pending even when
// the background sweep has not run yet.
func (s *Service) kycDocuments(ctx context.Context, k baas.CustomerKey) (*baas.ProfiledCustomer, []*baas.KYCDocument, error) {
	c, err := s.Customer(ctx, k)
	if err != nil {
		return nil, nil, err
	}
	r := s.store.Read()
	docs, err := r.LatestKYCDocuments(ctx, c.ID)
	if err != nil {
		return nil, nil, err
	}
	again, err := s.verifyDue(ctx, c.ID, docs)
	if err != nil {
		return nil, nil, err
	}
	if again {
		docs, err = r.LatestKYCDocuments(ctx, c.ID)
	}
	return c, docs, err
}

// verifyDue verifies the customer's documents whose sandbox auto-verification is due,
// when one of docs (their newest) is. It reports whether it did: the caller then reads
// them again.
func (s *Service) verifyDue(ctx context.Context, customerID string, docs []*baas.KYCDocument) (bool, error) {
	now := s.now()
	for _, d := range docs {
		if d.Status == baas.KYCPending && !d.AutoVerifyAt.IsZero() && !d.AutoVerifyAt.After(now) {
			if _, err := s.autoVerify(ctx, customerID); err != nil {
				return false, err
			}
			return true, nil
		}
	}
	return false, nil
}

// kycEvent writes the event of a document's current status, in neutral form: the
// customer (id, and reference when they have one), the document's type and status, the
// reason of a rejection and the customer's overall KYC status. The dialects render it for
// their receivers (the Codego KYC webhook: api/codego).
func kycEvent(ctx context.Context, tx baas.Tx, d *baas.KYCDocument, now time.Time) error {
	latest, err := tx.LatestKYCDocuments(ctx, d.CustomerID)
	if err != nil {
		return err
	}
	payload := map[string]any{
		"customer_id":     d.CustomerID,
		"document_type":   d.Type,
		"document_status": d.Status,
		"reason":          d.Reason,
		"kyc_status":      KYCOverall(latest),
	}
	if d.CustomerRef != "" {
		payload["customer_ref"] = d.CustomerRef
	}
	return event(ctx, tx, d.TenantID, "kyc."+strings.ToLower(d.Status), d.CustomerID, now, payload)
}

// sandboxReviewer is the reviewer of automatic sandbox verifications.
const sandboxReviewer = "sandbox"

// ReviewKYCParams are the inputs of ReviewKYC.
type ReviewKYCParams struct {
	DocumentID int64
	Verify     bool   // true verifies, false rejects
	Reason     string // required to reject
	Reviewer   string // who decides; "operator" when empty
}

// ReviewKYC is the compliance team's decision on a pending document. Deciding a document
// that is not pending is a conflict.
func (s *Service) ReviewKYC(ctx context.Context, p ReviewKYCParams) (*baas.KYCDocument, error) {
	p.Reason = strings.TrimSpace(p.Reason)
	p.Reviewer = strings.TrimSpace(p.Reviewer)
	if p.Reviewer == "" {
		p.Reviewer = "operator"
	}
	switch {
	case !p.Verify && p.Reason == "":
		return nil, baas.Invalid("reason is required to reject a document")
	case utf8.RuneCountInString(p.Reason) > 500:
		return nil, baas.Invalid("reason must be at most 500 characters")
	case utf8.RuneCountInString(p.Reviewer) > 100:
		return nil, baas.Invalid("reviewer must be at most 100 characters")
	}
	status := baas.KYCRejected
	if p.Verify {
		status, p.Reason = baas.KYCVerified, ""
	}
	var doc *baas.KYCDocument
	err := s.store.InTx(ctx, func(tx baas.Tx) error {
		now := s.now()
		d, err := tx.GetKYCDocument(ctx, p.DocumentID)
		if err != nil {
			return err
		}
		if doc, err = decideKYC(ctx, tx, d, status, p.Reason, p.Reviewer, now); err != nil {
			return err
		}
		if doc == nil {
			return baas.Reasonf(baas.EConflict, "KYC_NOT_PENDING", "document is already %s", strings.ToLower(d.Status))
		}
		return audit(ctx, tx, now, kycReviewRecord(doc))
	})
	return doc, err
}

// decideKYC moves a pending document to status and writes its event; it returns nil when
// the document was no longer pending.
func decideKYC(ctx context.Context, tx baas.Tx, d *baas.KYCDocument, status, reason, reviewer string, now time.Time) (*baas.KYCDocument, error) {
	ok, err := tx.DecideKYCDocument(ctx, d.ID, status, reason, reviewer, now)
	if err != nil || !ok {
		return nil, err
	}
	d.Status, d.Reason, d.Reviewer, d.ReviewedAt = status, reason, reviewer, now
	return d, kycEvent(ctx, tx, d, now)
}

// autoVerify verifies the due sandbox documents of one customer ("" for every customer),
// a batch per transaction, and returns how many it verified.
func (s *Service) autoVerify(ctx context.Context, customerID string) (int, error) {
	const batch = 50
	total := 0
	for {
		n := 0
		err := s.store.InTx(ctx, func(tx baas.Tx) error {
			n = 0
			now := s.now()
			due, err := tx.DueKYCDocuments(ctx, customerID, now, batch)
			if err != nil {
				return err
			}
			for _, d := range due {
				done, err := decideKYC(ctx, tx, d, baas.KYCVerified, "", sandboxReviewer, now)
				if err != nil {
					return err
				}
				if done != nil {
					n++
				}
			}
			if len(due) == batch && n == 0 {
				return fmt.Errorf("kyc auto-verification made no progress")
			}
			return nil
		})
		if err != nil {
			return total, err
		}
		total += n
		if n < batch {
			return total, nil
		}
	}
}

// AutoVerifyKYC verifies every sandbox document whose automatic verification is due. The
// server runs it every few seconds; reads of a customer's KYC status also run it for
// that customer.
func (s *Service) AutoVerifyKYC(ctx context.Context) (int, error) { return s.autoVerify(ctx, "") }

// ListKYCDocuments returns documents for the compliance review, oldest first (by default
// the pending ones of every tenant).
func (s *Service) ListKYCDocuments(ctx context.Context, f baas.KYCFilter) ([]*baas.KYCDocument, error) {
	if f.Status != "" {
		st, ok := canonical(f.Status, []string{baas.KYCPending, baas.KYCVerified, baas.KYCRejected})
		if !ok {
			return nil, baas.Invalid("status must be Pending, Verified or Rejected")
		}
		f.Status = st
	}
	f.Limit = Pages.limit(f.Limit)
	return s.store.Read().ListKYCDocuments(ctx, f)
}

// GetKYCDocument returns one document with its images' metadata.
func (s *Service) GetKYCDocument(ctx context.Context, id int64) (*baas.KYCDocument, error) {
	return s.store.Read().GetKYCDocument(ctx, id)
}

// KYCImage returns one image of a document, with its bytes.
func (s *Service) KYCImage(ctx context.Context, id int64, side string) (*baas.KYCImage, error) {
	return s.store.Read().GetKYCImage(ctx, id, side)
}

// KYCSettings returns a tenant's KYC settings.
func (s *Service) KYCSettings(ctx context.Context, tenantID string) (*baas.KYCSettings, error) {
	if _, err := s.store.Read().GetTenant(ctx, tenantID); err != nil {
		return nil, err
	}
	return s.store.Read().GetKYCSettings(ctx, tenantID)
}

// AutoVerifyDelay returns the automatic verification delay of secs seconds, refusing one
// outside 0 to MaxAutoVerifyAfter (checked on the seconds, so no value overflows).
func AutoVerifyDelay(secs int64) (time.Duration, error) {
	if err := checkAutoVerifyAfter(secs >= 0 && secs <= int64(MaxAutoVerifyAfter/time.Second)); err != nil {
		return 0, err
	}
	return time.Duration(secs) * time.Second, nil
}

// checkAutoVerifyAfter is the one refusal of a delay out of range.
func checkAutoVerifyAfter(inRange bool) error {
	if !inRange {
		return baas.Invalid("auto_verify_after_seconds must be between 0 and 2592000 (30 days)")
	}
	return nil
}

// SetKYCSettings saves a tenant's KYC settings. Automatic verification is for sandbox
// tenants only; it applies to uploads made after the change.
func (s *Service) SetKYCSettings(ctx context.Context, set baas.KYCSettings) (*baas.KYCSettings, error) {
	if err := checkAutoVerifyAfter(set.AutoVerifyAfter >= 0 && set.AutoVerifyAfter <= MaxAutoVerifyAfter); err != nil {
		return nil, err
	}
	err := s.store.InTx(ctx, func(tx baas.Tx) error {
		t, err := tx.GetTenant(ctx, set.TenantID)
		if err != nil {
			return err
		}
		if set.AutoVerifyAfter > 0 && !t.Sandbox {
			return baas.Reasonf(baas.EConflict, "NOT_SANDBOX", "automatic KYC verification is for sandbox tenants only")
		}
		if err := audit(ctx, tx, s.now(), AuditRecord{Action: baas.AuditKYCSettingsChanged, TenantID: set.TenantID,
			TargetType: "tenant", TargetID: set.TenantID,
			Details: map[string]any{"auto_verify_after_seconds": int64(set.AutoVerifyAfter / time.Second)}}); err != nil {
			return err
		}
		return tx.PutKYCSettings(ctx, &set)
	})
	if err != nil {
		return nil, err
	}
	return &set, nil
}

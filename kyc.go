package baas

import (
	"context"
	"time"
)

// KYC document types, numbered as the Codego documents list numbers them.
const (
	DocIDProof      = 1
	DocAddressProof = 2
)

// DocumentName returns the name of a KYC document type ("Id Proof", "Address Proof").
func DocumentName(docType int) string {
	switch docType {
	case DocIDProof:
		return "Id Proof"
	case DocAddressProof:
		return "Address Proof"
	}
	return ""
}

// KYC document statuses, spelled as Codego shows them.
const (
	KYCPending  = "Pending"
	KYCVerified = "Verified"
	KYCRejected = "Rejected"
)

// Sides of a KYC image.
const (
	SideFront = "front" // id proof, front
	SideBack  = "back"  // id proof, back
	SideFull  = "full"  // the one image of an address proof
)

// KYCDocument is one submission of a KYC document: its images, its review status and who
// decided it. A document rejected and uploaded again is a new KYCDocument; the customer's
// current status for a type is that of the newest one.
type KYCDocument struct {
	ID           int64
	TenantID     string
	CustomerID   string
	Type         int
	Number       string // document number, for id proofs
	Status       string
	Reason       string // why it was rejected
	Reviewer     string // who decided; "sandbox" for automatic sandbox verification
	CreatedAt    time.Time
	ReviewedAt   time.Time // zero while pending
	AutoVerifyAt time.Time // when a sandbox tenant's upload verifies itself; zero if never
	Images       []KYCImage

	// Filled in by reads, from the customer.
	CustomerRef   string // the customer's external reference (ProfiledCustomer.Ref)
	CustomerName  string
	CustomerEmail string
}

// KYCImage is one image of a KYC document. Data is filled only when the image itself is
// asked for.
type KYCImage struct {
	DocumentID  int64
	Side        string
	ContentType string // image/png or image/jpeg
	Width       int
	Height      int
	Size        int64
	SHA256      string // hex
	Data        []byte
}

// KYCFilter selects KYC documents, oldest first; zero fields do not filter.
type KYCFilter struct {
	TenantID   string
	CustomerID string
	Status     string
	AfterID    int64 // only documents with a larger id
	Limit      int
}

// KYCSettings are a tenant's KYC settings. AutoVerifyAfter > 0 (sandbox tenants only)
// makes each upload verify itself that long after it was made.
type KYCSettings struct {
	TenantID        string
	AutoVerifyAfter time.Duration
}

// KYCTx holds the queries of KYC documents and settings. Methods that find one object
// return an *Error with ENotFound when there is none.
type KYCTx interface {
	// InsertKYCDocument inserts d and its images (with their data), setting d.ID. A second
	// pending or verified document of the same type for the customer returns EConflict.
	InsertKYCDocument(ctx context.Context, d *KYCDocument) error
	// GetKYCDocument returns a document with its images' metadata (no data).
	GetKYCDocument(ctx context.Context, id int64) (*KYCDocument, error)
	// ListKYCDocuments returns documents with their images' metadata, by ascending id.
	ListKYCDocuments(ctx context.Context, f KYCFilter) ([]*KYCDocument, error)
	// LatestKYCDocuments returns the newest document of each type of a customer.
	LatestKYCDocuments(ctx context.Context, customerID string) ([]*KYCDocument, error)
	GetKYCImage(ctx context.Context, documentID int64, side string) (*KYCImage, error)
	// DecideKYCDocument moves a pending document to status (Verified or Rejected) with the
	// reason, reviewer and time. It reports false when the document is not pending.
	DecideKYCDocument(ctx context.Context, id int64, status, reason, reviewer string, at time.Time) (bool, error)
	// DueKYCDocuments returns up to limit pending documents whose AutoVerifyAt is set and
	// not after now, oldest first, of every tenant or of one customer when customerID is
	// set.
	DueKYCDocuments(ctx context.Context, customerID string, now time.Time, limit int) ([]*KYCDocument, error)

	// GetKYCSettings returns the tenant's settings, the zero settings when none were saved.
	GetKYCSettings(ctx context.Context, tenantID string) (*KYCSettings, error)
	PutKYCSettings(ctx context.Context, s *KYCSettings) error
}

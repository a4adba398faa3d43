package codego

import (
	"context"
	"strconv"
	"time"

	"github.com/baas-oss/baas"
	"github.com/baas-oss/baas/core"
	"github.com/baas-oss/baas/money"
)

// Response shapes. Where the spec's example is real JSON its types are followed exactly
// ("status":"1" in upload_id_proof and get_shipping_cost); where it is pseudo-JSON, status
// is the number 1 and every other value keeps the example's apparent type (ids and
// amounts as strings).

// datetime renders times as Codego does: "2023-04-08 19:34:12", UTC.
func datetime(t time.Time) string { return t.UTC().Format(time.DateTime) }

// expiryText is the spec's expiry value, misspelling included.
const expiryText = "token will be expired in 30 mintue"

type tokenResponse struct {
	Status    int    `json:"status"`
	AuthToken string `json:"auth_token"`
	Expiry    string `json:"expiry"`
	ExpiresAt string `json:"expires_at"`
}

// login checks the four keys of authentication.
func (h *Handler) login(ctx context.Context, req *request, apiKey, whitelabel string, s *session) (string, error) {
	clientKey, secretKey := req.credential("clientkey", "client_key"), req.credential("secretkey", "secret_key")
	if err := req.textErr(); err != nil {
		return "", err
	}
	tenantID, sess, err := h.core.OpenSession(ctx, core.OpenSessionParams{
		ClientKey: clientKey, SecretKey: secretKey, APIKey: apiKey, APIKeyID: whitelabel})
	if err != nil {
		return "", err
	}
	s.token = sess.Token
	return tenantID, nil
}

// authenticate: POST /api/authenticaion (and /api/authentication).
func (h *Handler) authenticate(ctx context.Context, req *request, s *session) (any, error) {
	if err := req.finish(); err != nil {
		return nil, err
	}
	return tokenResponse{Status: 1, AuthToken: s.token, Expiry: expiryText,
		ExpiresAt: datetime(h.now().Add(core.SessionTTL))}, nil
}

// refreshToken: POST /api/refreshtoken.
func (h *Handler) refreshToken(ctx context.Context, req *request, s *session) (any, error) {
	if err := req.finish(); err != nil {
		return nil, err
	}
	sess, err := h.core.RefreshSession(ctx, s.tenantID, s.token)
	if err != nil {
		return nil, err
	}
	return tokenResponse{Status: 1, AuthToken: sess.Token, Expiry: expiryText, ExpiresAt: datetime(sess.ExpiresAt)}, nil
}

func flag(b bool) string {
	if b {
		return "1"
	}
	return "0"
}

type countryEntry struct {
	ID            string `json:"id"`
	CountryCode   string `json:"country_code"`
	CountryName   string `json:"country_name"`
	PhoneCode     string `json:"phonecode"`
	ISO3          string `json:"iso3"`
	Status        string `json:"status"`
	IsIBAN        string `json:"is_iban"`
	EuropeCountry string `json:"europe_country"`
	SolarisIBAN   string `json:"solaris_iban"`
	ShippingCost  string `json:"shipping_cost"`
}

// countries: POST /api/countries_list. iso3 carries the ISO numeric code, as the example
// does ("380" for Italy).
func (h *Handler) countries(ctx context.Context, req *request, s *session) (any, error) {
	if err := req.finish(); err != nil {
		return nil, err
	}
	list := core.Countries()
	out := make([]countryEntry, len(list))
	for i, c := range list {
		out[i] = countryEntry{ID: strconv.Itoa(c.ID), CountryCode: c.Alpha2, CountryName: c.Name, PhoneCode: c.PhoneCode,
			ISO3: c.Numeric, Status: "1", IsIBAN: flag(c.IBAN), EuropeCountry: flag(c.Europe),
			SolarisIBAN: flag(c.SolarisIBAN), ShippingCost: money.Compact(c.ShippingCost, baas.ShippingCurrency)}
	}
	return struct {
		Status    int            `json:"status"`
		Countries []countryEntry `json:"countries"`
	}{1, out}, nil
}

type nationalityEntry struct {
	ID          string `json:"id"`
	CountryCode string `json:"country_code"`
	CountryName string `json:"country_name"`
	PhoneCode   string `json:"phonecode"`
	Status      string `json:"status"`
	IsIBAN      string `json:"is_iban"`
}

// nationality: POST /api/nationality. The same ids as the countries list, under the key
// "countries" as the example shows.
func (h *Handler) nationality(ctx context.Context, req *request, s *session) (any, error) {
	if err := req.finish(); err != nil {
		return nil, err
	}
	list := core.Countries()
	out := make([]nationalityEntry, len(list))
	for i, c := range list {
		out[i] = nationalityEntry{ID: strconv.Itoa(c.ID), CountryCode: c.Alpha2, CountryName: c.Name,
			PhoneCode: c.PhoneCode, Status: "1", IsIBAN: flag(c.IBAN)}
	}
	return struct {
		Status    int                `json:"status"`
		Countries []nationalityEntry `json:"countries"`
	}{1, out}, nil
}

// incomeSources: POST /api/income_source.
func (h *Handler) incomeSources(ctx context.Context, req *request, s *session) (any, error) {
	if err := req.finish(); err != nil {
		return nil, err
	}
	return struct {
		Status       int      `json:"status"`
		IncomeSource []string `json:"income_source"`
	}{1, core.IncomeSources()}, nil
}

type documentEntry struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// documents: POST /api/documents_list.
func (h *Handler) documents(ctx context.Context, req *request, s *session) (any, error) {
	if err := req.finish(); err != nil {
		return nil, err
	}
	var out []documentEntry
	for _, t := range core.KYCDocumentTypes() {
		out = append(out, documentEntry{ID: strconv.Itoa(t), Name: baas.DocumentName(t)})
	}
	return struct {
		Status    int             `json:"status"`
		Documents []documentEntry `json:"documents"`
	}{1, out}, nil
}

type messageResponse struct {
	Status  int    `json:"status"`
	Message string `json:"message"`
}

// signup: POST /api/signup.
func (h *Handler) signup(ctx context.Context, req *request, s *session) (any, error) {
	p := core.SignupParams{Product: core.ProductCards, Ref: newUserID()}
	pr := &p.Profile
	pr.CountryOfResidence = req.countryID(false, "country_of_residence")
	p.FirstName = req.str(strOpt{max: 100}, "name")
	p.LastName = req.str(strOpt{max: 100}, "surname")
	p.Phone = req.str(strOpt{}, "mobile") // the core's rule bounds it: 6 to 15 digits
	p.Email = req.str(strOpt{max: 254}, "email")
	p.Password = req.str(strOpt{max: 128}, "password")
	pr.PhoneCountry = req.countryID(false, "country_id")
	pr.DateOfBirth = req.str(strOpt{max: 10}, "dob")
	pr.Nationality = req.countryID(false, "nationality")
	p.Address = req.str(strOpt{}, "address")
	p.City = req.str(strOpt{max: 100}, "city")
	pr.AddressCountry = req.countryID(false, "country")
	p.ZipCode = req.str(strOpt{max: 20}, "zipcode", "zip_code")
	pr.SameShipping = req.flag("is_same")
	pr.ShipAddress = req.str(strOpt{optional: true}, "receive_card_address")
	pr.ShipRegion = req.str(strOpt{optional: true, max: 100}, "receive_card_capital")
	pr.ShipCity = req.str(strOpt{optional: true, max: 100}, "receive_card_city")
	pr.ShipCountry = req.countryID(true, "receive_card_country")
	pr.ShipZipCode = req.str(strOpt{optional: true, max: 20}, "receive_card_zipcode")
	pr.WorkCountry = req.countryID(false, "work_country")
	pr.IncomeSource = req.str(strOpt{max: 64}, "income_soruce", "income_source")
	pr.PoliticallyExposed = req.choice(false, []string{"No", "Yes"}, "political_person") == 1
	pr.TaxCountry = req.countryID(false, "country_pay_tax")
	pr.TaxNumber = req.str(strOpt{max: 50}, "tax_personal_number")
	pr.Gender = req.str(strOpt{max: 16}, "gender")
	pr.DeviceType = req.str(strOpt{optional: true, max: 50}, "device_type")
	pr.DeviceToken = req.str(strOpt{optional: true, max: 4096}, "device_token")
	pr.DeviceModel = req.str(strOpt{optional: true, max: 100}, "device_model")
	pr.IPAddress = req.str(strOpt{optional: true, max: 64}, "ipaddress", "ip_address")
	if err := req.finish(); err != nil {
		return nil, err
	}
	c, _, err := h.core.Signup(ctx, p)
	if err != nil {
		return nil, err
	}
	return struct {
		Status  int    `json:"status"`
		UserID  string `json:"user_id"`
		Message string `json:"message"`
	}{1, c.Ref, "Registration is completed successfully."}, nil
}

// documentID reads the optional document_id of an upload, which must name the endpoint's
// document type (the core's rule).
func documentID(req *request, want int, api string) {
	if n, ok := req.integer(true, "document_id"); ok && core.CheckKYCType(want, n) != nil {
		req.fail("document_id must be %d for %s", want, api)
	}
}

// kycImages returns the images of an upload that were sent, naming each by its field,
// and refuses the upload when a side the document type needs is missing (the core's
// rule).
func kycImages(req *request, docType int, sides ...core.KYCImageUpload) []core.KYCImageUpload {
	var images []core.KYCImageUpload
	for _, up := range sides {
		if up.Data != nil {
			images = append(images, up)
		}
	}
	for _, side := range core.MissingKYCSides(docType, images) {
		for _, up := range sides {
			if up.Side == side {
				req.fail("%s cannot be blank", up.Field)
			}
		}
	}
	return images
}

// uploadIDProof: POST /api/upload_id_proof (multipart). The back side is optional: a
// passport has none.
func (h *Handler) uploadIDProof(ctx context.Context, req *request, s *session) (any, error) {
	userID := req.str(strOpt{max: 200}, "user_id")
	documentID(req, baas.DocIDProof, "upload_id_proof")
	number := req.str(strOpt{max: 64}, "document_number")
	images := kycImages(req, baas.DocIDProof,
		core.KYCImageUpload{Field: "front_proof", Side: baas.SideFront, Data: req.file("front_proof")},
		core.KYCImageUpload{Field: "back_proof", Side: baas.SideBack, Data: req.file("back_proof")})
	if err := req.finish(); err != nil {
		return nil, err
	}
	if _, err := h.core.UploadKYC(ctx, core.UploadKYCParams{Customer: user(userID), Type: baas.DocIDProof, Number: number,
		Images: images}); err != nil {
		return nil, err
	}
	return struct {
		Status  string `json:"status"`
		Message string `json:"message"`
	}{"1", "Your document uploaded successfully."}, nil
}

// addressProof: POST /api/address_proof (multipart).
func (h *Handler) addressProof(ctx context.Context, req *request, s *session) (any, error) {
	userID := req.str(strOpt{max: 200}, "user_id")
	documentID(req, baas.DocAddressProof, "address_proof")
	images := kycImages(req, baas.DocAddressProof,
		core.KYCImageUpload{Field: "address_proof", Side: baas.SideFull, Data: req.file("address_proof")})
	if err := req.finish(); err != nil {
		return nil, err
	}
	if _, err := h.core.UploadKYC(ctx, core.UploadKYCParams{Customer: user(userID), Type: baas.DocAddressProof,
		Images: images}); err != nil {
		return nil, err
	}
	return messageResponse{1, "Address Proof Document Uploaded Successfully."}, nil
}

// remainingCards: POST /api/check_remaining_card.
func (h *Handler) remainingCards(ctx context.Context, req *request, s *session) (any, error) {
	userID := req.str(strOpt{max: 200}, "user_id")
	typ := req.str(strOpt{max: 32}, "type")
	if err := req.finish(); err != nil {
		return nil, err
	}
	n, err := h.core.RemainingCards(ctx, user(userID), typ)
	if err != nil {
		return nil, err
	}
	return struct {
		Status        int    `json:"status"`
		RemainingCard string `json:"remaining_card"`
	}{1, strconv.Itoa(n)}, nil
}

// shippingCost: POST /api/get_shipping_cost.
func (h *Handler) shippingCost(ctx context.Context, req *request, s *session) (any, error) {
	userID := req.str(strOpt{max: 200}, "user_id")
	typ := req.str(strOpt{max: 32}, "type")
	if err := req.finish(); err != nil {
		return nil, err
	}
	cost, err := h.core.ShippingCost(ctx, user(userID), typ)
	if err != nil {
		return nil, err
	}
	return struct {
		Status       string `json:"status"`
		ShippingCost string `json:"shipping_cost"`
		Currency     string `json:"currency"`
	}{"1", money.Compact(cost, baas.ShippingCurrency), baas.ShippingCurrency}, nil
}

type kycEntry struct {
	DocumentName string `json:"document_name"`
	Status       string `json:"status"`
	DocumentID   string `json:"document_id"` // the document type, as the spec has it
	// KYCDocumentID is the document's id in the operator API (/admin/api/kyc/documents/{id}),
	// for a client going from one to the other.
	KYCDocumentID string `json:"kyc_document_id"`
	Reason        string `json:"reason,omitempty"`
	UpdatedAt     string `json:"updated_at"`
}

// kycStatus: POST /api/check_kyc_status. Documents never uploaded are not listed.
func (h *Handler) kycStatus(ctx context.Context, req *request, s *session) (any, error) {
	userID := req.str(strOpt{max: 200}, "user_id")
	if err := req.finish(); err != nil {
		return nil, err
	}
	_, docs, err := h.core.KYCStatus(ctx, user(userID))
	if err != nil {
		return nil, err
	}
	out := make([]kycEntry, 0, len(docs))
	for _, d := range docs {
		at := d.CreatedAt
		if !d.ReviewedAt.IsZero() {
			at = d.ReviewedAt
		}
		out = append(out, kycEntry{DocumentName: baas.DocumentName(d.Type), Status: d.Status,
			DocumentID: strconv.Itoa(d.Type), KYCDocumentID: strconv.FormatInt(d.ID, 10), Reason: d.Reason, UpdatedAt: datetime(at)})
	}
	return struct {
		Status    int        `json:"status"`
		KYCStatus []kycEntry `json:"kyc_status"`
	}{1, out}, nil
}

// accountDetail: POST /api/account_detail. account_status is "Unblock" for an active
// account and "Block" for an inactive one.
func (h *Handler) accountDetail(ctx context.Context, req *request, s *session) (any, error) {
	userID := req.str(strOpt{max: 200}, "user_id")
	if err := req.finish(); err != nil {
		return nil, err
	}
	d, err := h.core.AccountDetail(ctx, user(userID))
	if err != nil {
		return nil, err
	}
	status := "Unblock"
	if d.Account.Status != baas.AccountActive {
		status = "Block"
	}
	type account struct {
		Name          string `json:"name"`
		Surname       string `json:"surname"`
		KYCStatus     string `json:"kyc_status"`
		AccountStatus string `json:"account_status"`
		AccountNumber string `json:"account_number"`
		Currency      string `json:"currency"`
		Balance       string `json:"balance"`
	}
	return struct {
		Status  int     `json:"status"`
		Account account `json:"account"`
	}{1, account{Name: d.FirstName, Surname: d.LastName, KYCStatus: d.KYCStatus,
		AccountStatus: status, AccountNumber: strconv.FormatInt(d.Account.Number, 10), Currency: d.Account.Currency,
		Balance: money.Format(d.Account.Balance, d.Account.Currency)}}, nil
}

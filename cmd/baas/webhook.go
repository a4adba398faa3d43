package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/baas-oss/baas"
	"github.com/baas-oss/baas/api/codego"
	"github.com/baas-oss/baas/api/girasol"
	"github.com/baas-oss/baas/core"
	"github.com/baas-oss/baas/webhook"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/spf13/cobra"
)

// webhookCommand is `baas webhook add|list|delete`: a tenant's webhook endpoints, managed
// on the store directly, so it works beside a running server (which picks a new endpoint
// up with the next event, without a restart).
func (m *Main) webhookCommand() *cobra.Command {
	cmd := &cobra.Command{Use: "webhook", Short: "Manage tenants' webhook endpoints"}
	var tenant, url, events, format string
	var asJSON bool
	add := &cobra.Command{Use: "add", Short: "Register a webhook endpoint and print its id and secrets (shown once)", Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := m.open(cmd.Context()); err != nil {
				return err
			}
			defer m.Close()
			var types []string
			for _, t := range strings.Split(events, ",") {
				if t = strings.TrimSpace(t); t != "" {
					types = append(types, t)
				}
			}
			s, err := m.core.CreateWebhookEndpoint(cmd.Context(), core.CreateWebhookEndpointParams{TenantID: tenant, URL: url,
				EventTypes: types, Format: format})
			if err != nil {
				return err
			}
			if asJSON {
				return json.NewEncoder(m.Stdout).Encode(s)
			}
			fmt.Fprintf(m.Stdout, "  endpoint_id:        %s\n  event_request_key:  %s\n  signing_secret:     %s\n",
				s.EndpointID, s.EventRequestKey, s.SigningSecret)
			return nil
		}}
	add.Flags().StringVar(&tenant, "tenant", "", "tenant id (required)")
	add.Flags().StringVar(&url, "url", "", "http or https URL that receives the events (required)")
	add.Flags().StringVar(&events, "events", "", "comma-separated event types, e.g. account.created,transfer.* (default: every event)")
	add.Flags().StringVar(&format, "format", "envelope", "body format: envelope or payload (the bare event payload)")
	add.Flags().BoolVar(&asJSON, "json", false, `print {"endpoint_id","event_request_key","signing_secret"}`)
	_ = add.MarkFlagRequired("tenant")
	_ = add.MarkFlagRequired("url")

	var listTenant string
	var listJSON bool
	list := &cobra.Command{Use: "list", Short: "List a tenant's webhook endpoints", Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := m.open(cmd.Context()); err != nil {
				return err
			}
			defer m.Close()
			eps, err := m.core.ListWebhookEndpoints(cmd.Context(), listTenant)
			if err != nil {
				return err
			}
			type view struct {
				ID        string    `json:"endpoint_id"`
				URL       string    `json:"url"`
				Events    []string  `json:"events"`
				Format    string    `json:"format"`
				CreatedAt time.Time `json:"created_at"`
			}
			out := make([]view, 0, len(eps))
			for _, e := range eps {
				types := e.EventTypes
				if len(types) == 0 {
					types = []string{"*"}
				}
				out = append(out, view{e.ID, e.URL, types, e.Format, e.CreatedAt})
			}
			if listJSON {
				return json.NewEncoder(m.Stdout).Encode(map[string]any{"endpoints": out})
			}
			for _, v := range out {
				fmt.Fprintf(m.Stdout, "%s  %s  events=%s  format=%s\n", v.ID, v.URL, strings.Join(v.Events, ","), v.Format)
			}
			return nil
		}}
	list.Flags().StringVar(&listTenant, "tenant", "", "tenant id (required)")
	list.Flags().BoolVar(&listJSON, "json", false, "print JSON")
	_ = list.MarkFlagRequired("tenant")

	var delTenant string
	del := &cobra.Command{Use: "delete ENDPOINT_ID", Short: "Delete a webhook endpoint; its undelivered deliveries fail",
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := m.open(cmd.Context()); err != nil {
				return err
			}
			defer m.Close()
			if err := m.core.DeleteWebhookEndpoint(cmd.Context(), delTenant, args[0]); err != nil {
				return err
			}
			fmt.Fprintln(m.Stdout, "deleted", args[0])
			return nil
		}}
	del.Flags().StringVar(&delTenant, "tenant", "", "tenant id (required)")
	_ = del.MarkFlagRequired("tenant")

	cmd.AddCommand(add, list, del)
	return cmd
}

// tenantUpdateCommand is `baas tenant update TENANT_ID --authorization-url URL
// [--authorization-timeout 2s] [--stand-in approve|decline]`.
func (m *Main) tenantUpdateCommand() *cobra.Command {
	var url, standIn string
	var timeout time.Duration
	var asJSON bool
	cmd := &cobra.Command{Use: "update TENANT_ID", Short: "Change a tenant's real-time authorization settings",
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			p := core.AuthorizationSettingsPatch{TenantID: args[0]}
			f := cmd.Flags()
			if f.Changed("authorization-url") {
				p.URL = &url
			}
			if f.Changed("authorization-timeout") {
				p.Timeout = &timeout
			}
			if f.Changed("stand-in") {
				p.StandIn = &standIn
			}
			if p.URL == nil && p.Timeout == nil && p.StandIn == nil {
				return errors.New("nothing to update: give --authorization-url, --authorization-timeout or --stand-in")
			}
			if err := m.open(cmd.Context()); err != nil {
				return err
			}
			defer m.Close()
			v, err := m.core.UpdateAuthorizationSettings(cmd.Context(), p)
			if err != nil {
				return err
			}
			if asJSON {
				return json.NewEncoder(m.Stdout).Encode(v)
			}
			fmt.Fprintf(m.Stdout, "  tenant_id:              %s\n  authorization_url:      %s\n  authorization_timeout:  %s\n  stand_in:               %s\n",
				v.TenantID, v.URL, time.Duration(v.TimeoutMS)*time.Millisecond, v.StandIn)
			if v.SigningSecret != "" {
				fmt.Fprintf(m.Stdout, "  signing_secret:         %s  (shown once)\n", v.SigningSecret)
			}
			return nil
		}}
	cmd.Flags().StringVar(&url, "authorization-url", "", `URL asked to approve each authorization ("" turns it off)`)
	cmd.Flags().DurationVar(&timeout, "authorization-timeout", core.DefaultAuthorizationTimeout, "how long to wait for the answer")
	cmd.Flags().StringVar(&standIn, "stand-in", "decline", "decision when the URL does not answer in time: approve or decline")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the settings as JSON")
	return cmd
}

// webhookConfig reads the dispatcher's settings from the environment.
func (m *Main) webhookConfig() (webhook.Config, error) {
	var c webhook.Config
	dur := func(name string, dst *time.Duration) error {
		if v := m.getenv(name); v != "" {
			d, err := time.ParseDuration(v)
			if err != nil || d <= 0 {
				return fmt.Errorf("%s must be a positive duration such as 10s", name)
			}
			*dst = d
		}
		return nil
	}
	if v := m.getenv("BAAS_WEBHOOK_WORKERS"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 1000 {
			return c, errors.New("BAAS_WEBHOOK_WORKERS must be an integer between 1 and 1000")
		}
		c.Workers = n
	}
	for name, dst := range map[string]*time.Duration{"BAAS_WEBHOOK_POLL_INTERVAL": &c.PollInterval,
		"BAAS_WEBHOOK_TIMEOUT": &c.Timeout, "BAAS_WEBHOOK_LEASE": &c.Lease} {
		if err := dur(name, dst); err != nil {
			return c, err
		}
	}
	if v := m.getenv("BAAS_WEBHOOK_RETRY_SCHEDULE"); v != "" {
		for _, s := range strings.Split(v, ",") {
			d, err := time.ParseDuration(strings.TrimSpace(s))
			if err != nil || d <= 0 {
				return c, errors.New("BAAS_WEBHOOK_RETRY_SCHEDULE must be comma-separated positive durations such as 10s,1m,1h")
			}
			c.Schedule = append(c.Schedule, d)
		}
	}
	return c, c.Validate()
}

// renderEvent renders an event's payload in the shape of the dialect it belongs to: each
// dialect renders the events it knows, the first that does wins.
func renderEvent(e *baas.Event) ([]byte, error) {
	for _, render := range []func(*baas.Event) ([]byte, error){codego.RenderEvent, girasol.RenderEvent} {
		if b, err := render(e); b != nil || err != nil {
			return b, err
		}
	}
	return nil, nil
}

// startWebhooks starts the webhook dispatcher and lets the core make real-time
// authorization calls. The returned function stops the dispatcher, waiting for the
// deliveries in flight.
func (m *Main) startWebhooks(reg prometheus.Registerer) (stop func(), err error) {
	cfg, err := m.webhookConfig()
	if err != nil {
		return nil, err
	}
	cfg.Metrics = reg
	cfg.Render = renderEvent
	d, err := webhook.NewDispatcher(m.core, cfg, m.log)
	if err != nil {
		return nil, err
	}
	m.core.SetAuthorizationCaller(webhook.NewAuthorizer(nil))
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = d.Run(ctx)
	}()
	return func() {
		cancel()
		<-done
	}, nil
}

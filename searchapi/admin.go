package searchapi

import (
	"crypto/sha256"
	"crypto/subtle"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/safetysearch/safetysearch/indexer"
	"github.com/safetysearch/safetysearch/indexer/schedule"
)

// adminStatusPath is where a client follows an accepted rebuild.
const adminStatusPath = "/api/v1/admin/status"

// rebuildAccepted is the body of a 202 from POST /api/v1/admin/rebuild.
type rebuildAccepted struct {
	Status    string `json:"status"`
	StatusURL string `json:"status_url"`
}

// requireAdmin lets a request through only with the configured bearer
// token. Without a configured token the admin API does not exist (404).
// Tokens are compared as SHA-256 digests in constant time, so neither
// their content nor their length leaks through timing.
func (s *Server) requireAdmin(c *gin.Context) {
	if s.cfg.AdminToken == "" {
		s.fail(c, errAdminDisabled)
		return
	}
	token, ok := bearerToken(c.GetHeader("Authorization"))
	given := sha256.Sum256([]byte(token))
	if subtle.ConstantTimeCompare(given[:], s.adminHash[:]) != 1 || !ok {
		if ok {
			c.Writer.Header().Set("WWW-Authenticate", `Bearer realm="safetysearch-admin", error="invalid_token"`)
		} else {
			c.Writer.Header().Set("WWW-Authenticate", `Bearer realm="safetysearch-admin"`)
		}
		s.fail(c, errUnauthorized)
		return
	}
	c.Next()
}

// bearerToken extracts the token of an "Authorization: Bearer <token>"
// header; the scheme is case-insensitive.
func bearerToken(h string) (string, bool) {
	scheme, token, found := strings.Cut(strings.TrimSpace(h), " ")
	if !found || !strings.EqualFold(scheme, "Bearer") {
		return "", false
	}
	token = strings.TrimSpace(token)
	return token, token != ""
}

// handleRebuild serves POST /api/v1/admin/rebuild: start a crawl and
// rebuild now. 202 with the status URL, 409 when one is running.
func (s *Server) handleRebuild(c *gin.Context) {
	if err := checkNoParams(c, s.cfg.MaxQueryValues); err != nil {
		s.fail(c, err)
		return
	}
	if s.rebuilder == nil {
		s.fail(c, errRebuildDisabled)
		return
	}
	if err := s.rebuilder.Trigger("manual"); err != nil {
		s.fail(c, err)
		return
	}
	s.log.InfoContext(c.Request.Context(), "manual rebuild started",
		"request_id", requestIDOf(c), "client_ip", c.ClientIP())
	c.Writer.Header().Set("Location", adminStatusPath)
	s.writeJSON(c, http.StatusAccepted, contentTypeJSON, rebuildAccepted{Status: "accepted", StatusURL: adminStatusPath})
}

// AdminStatus is the body of GET /api/v1/admin/status and what the status
// page shows: the serving index and, beside it, the schedule and its runs.
type AdminStatus struct {
	indexer.Status
	schedule.RunStatus
}

// status is the index status and, when a Rebuilder is configured, the
// schedule's; without one the schedule is "off".
func (s *Server) status() AdminStatus {
	st := AdminStatus{Status: s.searcher.Status(), RunStatus: schedule.RunStatus{Schedule: "off"}}
	if s.rebuilder != nil {
		st.RunStatus = s.rebuilder.Status()
	}
	return st
}

// handleAdminStatus serves GET /api/v1/admin/status: the index and, when a
// Rebuilder is configured, the schedule and the last run.
func (s *Server) handleAdminStatus(c *gin.Context) {
	if err := checkNoParams(c, s.cfg.MaxQueryValues); err != nil {
		s.fail(c, err)
		return
	}
	s.writeJSON(c, http.StatusOK, contentTypeJSON, s.status())
}

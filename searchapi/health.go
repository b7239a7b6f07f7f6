package searchapi

import (
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/safetysearch/safetysearch/indexer"
)

// healthBody is the body of GET /healthz.
type healthBody struct {
	Status string `json:"status"`
}

// readyBody is the body of GET /readyz when an index is loaded.
type readyBody struct {
	Status     string    `json:"status"`
	Generation string    `json:"generation"`
	Documents  uint64    `json:"documents"`
	BuiltAt    time.Time `json:"built_at,omitzero"`
}

// handleHealthz serves GET /healthz: the process is up. Always 200.
func (s *Server) handleHealthz(c *gin.Context) {
	s.writeJSON(c, http.StatusOK, contentTypeJSON, healthBody{Status: "ok"})
}

// handleReadyz serves GET /readyz: 200 when an index generation answers,
// else 503 index_unavailable.
func (s *Server) handleReadyz(c *gin.Context) {
	st := s.searcher.Status()
	if !st.Ready {
		s.fail(c, indexer.ErrUnavailable)
		return
	}
	s.writeJSON(c, http.StatusOK, contentTypeJSON, readyBody{
		Status: "ready", Generation: st.Generation, Documents: st.Documents, BuiltAt: st.BuiltAt,
	})
}

// handleOpenAPI serves GET /openapi.json, the embedded document as-is.
func (s *Server) handleOpenAPI(c *gin.Context) {
	s.openapi.serve(c, "public, max-age=300")
}

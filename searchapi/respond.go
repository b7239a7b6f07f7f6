package searchapi

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"
)

// writeJSON encodes v first, so an encoding failure can still become a
// clean 500, then writes it with the status and content type. HTML
// characters are not escaped: highlight fragments carry <mark> tags and
// JSON consumers read them as text.
func (s *Server) writeJSON(c *gin.Context, status int, contentType string, v any) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		if _, isProblem := v.(problem); isProblem {
			// Cannot happen for the plain problem struct; do not recurse.
			c.AbortWithStatus(http.StatusInternalServerError)
			return
		}
		s.fail(c, err)
		return
	}
	h := c.Writer.Header()
	h.Set("Content-Type", contentType)
	h.Set("Content-Length", strconv.Itoa(buf.Len()))
	h.Set("X-Content-Type-Options", "nosniff")
	c.Status(status)
	if _, err := c.Writer.Write(buf.Bytes()); err != nil {
		_ = c.Error(err)
	}
}

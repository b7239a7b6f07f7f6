package searchapi

import _ "embed"

// openapiJSON is the OpenAPI 3.1 description of every route, served as-is
// at GET /openapi.json.
//
//go:embed openapi.json
var openapiJSON []byte

package indexer

import (
	"io"

	"github.com/safetysearch/safetysearch/indexer/thesaurus"
)

// Thesaurus is the query-time thesaurus of an engine (EngineConfig).
type Thesaurus = thesaurus.Thesaurus

// DefaultThesaurus is the patient-safety thesaurus built into the binary.
func DefaultThesaurus() *Thesaurus { return thesaurus.Default() }

// LoadThesaurus reads a thesaurus file (see thesaurus.Load).
func LoadThesaurus(r io.Reader) (*Thesaurus, error) { return thesaurus.Load(r) }

module github.com/safetysearch/safetysearch/testdata/pdf/generate

go 1.26.8

require codeberg.org/go-pdf/fpdf v0.12.0

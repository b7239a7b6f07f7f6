// Package pdftext extracts the text of PDF documents page by page, in reading
// order, with running headers and footers removed.
//
// It runs PDFium compiled to WebAssembly on wazero, so the binary stays pure Go,
// and it treats every document as hostile: the input size, the page count, the
// object count, the wall time and the memory of the PDFium instance are capped,
// and each refusal is a distinct error that StatusOf names for the crawler to
// record. The layout (columns, lines, words) is worked out here from the
// characters' positions, by pure functions that the tests drive directly.
package pdftext

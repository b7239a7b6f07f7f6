package main

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"time"

	"github.com/safetysearch/safetysearch/indexer/article"

	_ "modernc.org/sqlite" // pure-Go SQLite with FTS5

	"github.com/safetysearch/safetysearch/indexer"
)

// sqlitePeer is SQLite FTS5: one FTS5 table (title, summary, body, comments)
// ranked by bm25() with the same column weights as safetysearch's boosts,
// snippet() for highlights, and disjunctive facet counts by GROUP BY over a
// tags table.
type sqlitePeer struct{ db *sql.DB }

func (p *sqlitePeer) name() string { return "sqlite-fts5" }

const sqliteWeights = "5.0, 2.5, 1.0, 0.5" // title, summary, body, comments

func (p *sqlitePeer) build(ctx context.Context, dir string, src indexer.Source) (buildStats, error) {
	start := time.Now()
	db, err := sql.Open("sqlite", filepath.Join(dir, "fts.db"))
	if err != nil {
		return buildStats{}, err
	}
	defer db.Close()
	for _, s := range []string{
		`PRAGMA journal_mode=WAL`,
		`PRAGMA synchronous=NORMAL`,
		`CREATE TABLE meta(rowid INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, published INTEGER NOT NULL)`,
		`CREATE TABLE tags(rowid INTEGER NOT NULL, facet TEXT NOT NULL, value TEXT NOT NULL)`,
		`CREATE VIRTUAL TABLE fts USING fts5(title, summary, body, comments, tokenize='porter unicode61 remove_diacritics 2')`,
	} {
		if _, err := db.ExecContext(ctx, s); err != nil {
			return buildStats{}, fmt.Errorf("sqlite: %s: %w", s, err)
		}
	}
	var st buildStats
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return st, err
	}
	insMeta, _ := tx.Prepare(`INSERT INTO meta(rowid, id, published) VALUES (?, ?, ?)`)
	insTag, _ := tx.Prepare(`INSERT INTO tags(rowid, facet, value) VALUES (?, ?, ?)`)
	insFTS, _ := tx.Prepare(`INSERT INTO fts(rowid, title, summary, body, comments) VALUES (?, ?, ?, ?, ?)`)
	err = src.Each(ctx, func(a article.Article) error {
		st.Docs++
		row := st.Docs
		st.TextBytes += articleText(a)
		if _, err := insMeta.Exec(row, a.ID, a.Published.Unix()); err != nil {
			return err
		}
		for facet, vals := range facetValues(a) {
			for _, v := range vals {
				if _, err := insTag.Exec(row, facet, v); err != nil {
					return err
				}
			}
		}
		_, err := insFTS.Exec(row, a.Title, a.Summary, a.Body, commentText(a))
		return err
	})
	if err != nil {
		_ = tx.Rollback() // the load error is the one to report
		return st, fmt.Errorf("sqlite: load: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return st, err
	}
	for _, s := range []string{
		`CREATE INDEX tags_fv ON tags(facet, value, rowid)`,
		`CREATE INDEX tags_row ON tags(rowid, facet)`,
		`CREATE INDEX meta_pub ON meta(published)`,
		`INSERT INTO fts(fts) VALUES('optimize')`,
		`PRAGMA wal_checkpoint(TRUNCATE)`,
	} {
		if _, err := db.ExecContext(ctx, s); err != nil {
			return st, fmt.Errorf("sqlite: %s: %w", s, err)
		}
	}
	st.Seconds = since(start)
	st.DiskBytes = dirSize(dir)
	return st, nil
}

func (p *sqlitePeer) open(ctx context.Context, dir string) error {
	db, err := sql.Open("sqlite", "file:"+filepath.Join(dir, "fts.db")+"?mode=ro")
	if err != nil {
		return err
	}
	db.SetMaxOpenConns(4)
	p.db = db
	return db.PingContext(ctx)
}

func (p *sqlitePeer) close() error {
	if p.db == nil {
		return nil
	}
	return p.db.Close()
}

// match is the FTS5 MATCH expression of a query, "" for a browse.
func sqliteMatch(q benchQuery) string {
	quote := func(w string) string { return `"` + strings.ReplaceAll(w, `"`, `""`) + `"` }
	switch {
	case q.Abbrev != "":
		return quote(strings.ToLower(q.Abbrev)) + " OR " + quote(q.Expanded)
	case len(q.Phrase) > 0:
		return quote(strings.Join(q.Phrase, " "))
	case q.Prefix != "":
		return quote(q.Prefix) + "*"
	}
	parts := make([]string, len(q.Words))
	for i, w := range q.Words {
		parts[i] = quote(w)
	}
	return strings.Join(parts, " AND ")
}

// filterSQL restricts meta.rowid (aliased r) to the selected facet values,
// leaving out the facet named skip (for disjunctive counts).
func filterSQL(q benchQuery, skip string, args *[]any) string {
	var b strings.Builder
	for _, f := range []struct {
		facet string
		vals  []string
	}{{"region", q.Regions}, {"audience", q.Audience}} {
		if len(f.vals) == 0 || f.facet == skip {
			continue
		}
		b.WriteString(" AND r IN (SELECT rowid FROM tags WHERE facet = ? AND value IN (" + strings.TrimSuffix(strings.Repeat("?,", len(f.vals)), ",") + "))")
		*args = append(*args, f.facet)
		for _, v := range f.vals {
			*args = append(*args, v)
		}
	}
	return b.String()
}

func (p *sqlitePeer) query(ctx context.Context, q benchQuery) (queryResult, error) {
	match := sqliteMatch(q)
	// base is the set of matching rowids, named r.
	base := func(skip string) (string, []any) {
		var args []any
		var from string
		if match != "" {
			from = `SELECT rowid AS r FROM fts WHERE fts MATCH ?`
			args = append(args, match)
		} else {
			from = `SELECT rowid AS r FROM meta WHERE 1`
		}
		return from + filterSQL(q, skip, &args), args
	}
	var res queryResult
	baseSQL, args := base("")
	if err := p.db.QueryRowContext(ctx, `SELECT count(*) FROM (`+baseSQL+`)`, args...).Scan(&res.Total); err != nil {
		return res, fmt.Errorf("sqlite: count: %w", err)
	}
	var fargs []any
	filters := filterSQL(q, "", &fargs)
	var rows *sql.Rows
	var err error
	if match != "" {
		// Rank inside the FTS query and join meta only for the page: a join
		// around bm25() makes SQLite evaluate the MATCH once per meta row.
		cols := `rowid AS r, bm25(fts, ` + sqliteWeights + `) AS s`
		if q.Snippets {
			cols += `, highlight(fts, 0, '<mark>', '</mark>') AS t, snippet(fts, 2, '<mark>', '</mark>', '…', 24) AS b, snippet(fts, 3, '<mark>', '</mark>', '…', 24) AS c`
		} else {
			cols += `, NULL AS t, NULL AS b, NULL AS c`
		}
		rows, err = p.db.QueryContext(ctx, `SELECT meta.id, x.t, x.b, x.c FROM (SELECT `+cols+` FROM fts WHERE fts MATCH ?`+
			strings.ReplaceAll(filters, " r IN", " rowid IN")+` ORDER BY s, rowid LIMIT ?) x JOIN meta ON meta.rowid = x.r ORDER BY x.s, x.r`,
			append(append([]any{match}, fargs...), q.Size)...)
	} else {
		rows, err = p.db.QueryContext(ctx, `SELECT id FROM meta WHERE 1`+strings.ReplaceAll(filters, " r IN", " rowid IN")+
			` ORDER BY published DESC, id LIMIT ?`, append(fargs, q.Size)...)
	}
	if err != nil {
		return res, fmt.Errorf("sqlite: search: %w", err)
	}
	for rows.Next() {
		var id string
		dest := []any{&id}
		if match != "" {
			var t, b, c sql.NullString
			dest = append(dest, &t, &b, &c)
		}
		if err := rows.Scan(dest...); err != nil {
			rows.Close()
			return res, err
		}
		res.IDs = append(res.IDs, id)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return res, err
	}
	if q.Facets {
		for _, facet := range []string{"region", "audience", "topic", "type", "year"} {
			sub, sargs := base(facet)
			// Driven by the matching set (tags_row index), not by a scan of
			// every tag of the facet.
			frows, err := p.db.QueryContext(ctx, `SELECT t.value, count(*) AS n FROM (`+sub+`) m JOIN tags t ON t.rowid = m.r AND t.facet = ? GROUP BY t.value ORDER BY n DESC, t.value LIMIT 10`,
				append(sargs, facet)...)
			if err != nil {
				return res, fmt.Errorf("sqlite: facet %s: %w", facet, err)
			}
			// The counts are read, as a page would, and not kept.
			for frows.Next() {
				var v string
				var n int
				if err := frows.Scan(&v, &n); err != nil {
					frows.Close()
					return res, fmt.Errorf("sqlite: facet %s: %w", facet, err)
				}
			}
			if err := errors.Join(frows.Err(), frows.Close()); err != nil {
				return res, fmt.Errorf("sqlite: facet %s: %w", facet, err)
			}
		}
	}
	return res, nil
}

func (p *sqlitePeer) rank(ctx context.Context, text string, k int) ([]string, error) {
	words := tokens(text)
	if len(words) == 0 {
		return nil, nil
	}
	for i, w := range words {
		words[i] = `"` + w + `"`
	}
	rows, err := p.db.QueryContext(ctx, `SELECT meta.id FROM (SELECT rowid AS r, bm25(fts, `+sqliteWeights+`) AS s FROM fts WHERE fts MATCH ? ORDER BY s, rowid LIMIT ?) x
		JOIN meta ON meta.rowid = x.r ORDER BY x.s, meta.id`, strings.Join(words, " OR "), k)
	if err != nil {
		return nil, fmt.Errorf("sqlite: rank: %w", err)
	}
	defer rows.Close()
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}

// facetValues are the facet values every peer counts for one article.
func facetValues(a article.Article) map[string][]string {
	m := map[string][]string{
		"region":   a.Regions,
		"audience": a.Audiences,
		"topic":    a.Topics,
	}
	if a.ContentType != "" {
		m["type"] = []string{a.ContentType}
	}
	if !a.Published.IsZero() {
		m["year"] = []string{itoa(a.Published.Year())}
	}
	return m
}

func commentText(a article.Article) string {
	var b strings.Builder
	for _, c := range a.Comments {
		b.WriteString(c.Body)
		b.WriteByte('\n')
	}
	return b.String()
}

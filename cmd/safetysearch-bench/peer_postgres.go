package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/safetysearch/safetysearch/indexer/article"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/safetysearch/safetysearch/indexer"
)

// postgresPeer is PostgreSQL full-text search in a throwaway cluster that
// the bench creates in its work directory on a loopback port and removes
// afterwards: a tsvector with weights A/B/C/D (title, summary, body,
// comments), a GIN index, ts_rank_cd, ts_headline, and facet counts by
// GROUP BY with the same disjunctive semantics as the others.
type postgresPeer struct {
	cluster *pgCluster
	pool    *pgxpool.Pool
}

func (p *postgresPeer) name() string { return "postgres-fts" }

// postgresAvailable says whether initdb and pg_ctl can be found, and why not.
func postgresAvailable() (string, error) {
	bin, err := pgBinDir()
	if err != nil {
		return "", err
	}
	return bin, nil
}

func pgBinDir() (string, error) {
	if p, err := exec.LookPath("pg_ctl"); err == nil {
		if real, err := filepath.EvalSymlinks(p); err == nil {
			p = real
		}
		dir := filepath.Dir(p)
		if _, err := os.Stat(filepath.Join(dir, "initdb")); err == nil {
			return dir, nil
		}
	}
	matches, _ := filepath.Glob("/usr/lib/postgresql/*/bin/pg_ctl")
	if len(matches) > 0 {
		return filepath.Dir(matches[len(matches)-1]), nil
	}
	return "", errors.New("PostgreSQL (initdb, pg_ctl) not found on this machine")
}

// pgCluster is a throwaway PostgreSQL cluster in dir/pgdata.
type pgCluster struct {
	bin, data string
	port      int
	cred      *syscall.Credential // PostgreSQL refuses to run as root
}

func startCluster(ctx context.Context, dir string, create bool) (*pgCluster, error) {
	bin, err := pgBinDir()
	if err != nil {
		return nil, err
	}
	c := &pgCluster{bin: bin, data: filepath.Join(dir, "pgdata")}
	if os.Geteuid() == 0 {
		u, err := user.Lookup("postgres")
		if err != nil {
			if u, err = user.Lookup("nobody"); err != nil {
				return nil, errors.New("postgres: running as root and no 'postgres' or 'nobody' user to run the server as")
			}
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		c.cred = &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}
	}
	if create {
		if err := os.MkdirAll(c.data, 0o700); err != nil {
			return nil, err
		}
		if c.cred != nil {
			for _, d := range []string{dir, c.data} {
				if err := os.Chown(d, int(c.cred.Uid), int(c.cred.Gid)); err != nil {
					return nil, err
				}
			}
		}
		if out, err := c.run(ctx, "initdb", "-D", c.data, "-U", "bench", "--auth=trust", "-E", "UTF8", "--locale=C"); err != nil {
			return nil, fmt.Errorf("postgres: initdb: %w\n%s", err, out)
		}
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	c.port = l.Addr().(*net.TCPAddr).Port
	l.Close()
	opts := fmt.Sprintf("-p %d -c listen_addresses=127.0.0.1 -c unix_socket_directories='' -c shared_buffers=512MB -c max_connections=20", c.port)
	if out, err := c.run(ctx, "pg_ctl", "-D", c.data, "-o", opts, "-w", "-t", "60", "-l", filepath.Join(c.data, "server.log"), "start"); err != nil {
		return nil, fmt.Errorf("postgres: pg_ctl start: %w\n%s", err, out)
	}
	return c, nil
}

func (c *pgCluster) run(ctx context.Context, name string, args ...string) ([]byte, error) {
	cmd := exec.CommandContext(ctx, filepath.Join(c.bin, name), args...)
	cmd.Dir = os.TempDir()
	if c.cred != nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: c.cred}
	}
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	return out.Bytes(), err
}

func (c *pgCluster) stop() error {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	out, err := c.run(ctx, "pg_ctl", "-D", c.data, "-m", "fast", "-w", "stop")
	if err != nil {
		return fmt.Errorf("postgres: pg_ctl stop: %w\n%s", err, out)
	}
	return nil
}

func (c *pgCluster) dsn() string {
	return fmt.Sprintf("postgres://bench@127.0.0.1:%d/postgres?sslmode=disable", c.port)
}

const pgSchema = `
CREATE TABLE docs (
	id text PRIMARY KEY,
	title text NOT NULL, summary text NOT NULL, body text NOT NULL, comments text NOT NULL,
	published timestamptz,
	tsv tsvector GENERATED ALWAYS AS (
		setweight(to_tsvector('english', title), 'A') ||
		setweight(to_tsvector('english', summary), 'B') ||
		setweight(to_tsvector('english', body), 'C') ||
		setweight(to_tsvector('english', comments), 'D')) STORED
);
CREATE TABLE tags (doc text NOT NULL, facet text NOT NULL, value text NOT NULL);`

func (p *postgresPeer) build(ctx context.Context, dir string, src indexer.Source) (buildStats, error) {
	start := time.Now()
	c, err := startCluster(ctx, dir, true)
	if err != nil {
		return buildStats{}, err
	}
	defer func() { _ = c.stop() }()
	conn, err := pgx.Connect(ctx, c.dsn())
	if err != nil {
		return buildStats{}, fmt.Errorf("postgres: connect: %w", err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, pgSchema); err != nil {
		return buildStats{}, fmt.Errorf("postgres: schema: %w", err)
	}
	var st buildStats
	var docs, tags [][]any
	flush := func() error {
		if len(docs) > 0 {
			if _, err := conn.CopyFrom(ctx, pgx.Identifier{"docs"}, []string{"id", "title", "summary", "body", "comments", "published"}, pgx.CopyFromRows(docs)); err != nil {
				return fmt.Errorf("postgres: copy docs: %w", err)
			}
		}
		if len(tags) > 0 {
			if _, err := conn.CopyFrom(ctx, pgx.Identifier{"tags"}, []string{"doc", "facet", "value"}, pgx.CopyFromRows(tags)); err != nil {
				return fmt.Errorf("postgres: copy tags: %w", err)
			}
		}
		docs, tags = docs[:0], tags[:0]
		return nil
	}
	err = src.Each(ctx, func(a article.Article) error {
		st.Docs++
		st.TextBytes += articleText(a)
		var pub any
		if !a.Published.IsZero() {
			pub = a.Published
		}
		docs = append(docs, []any{a.ID, clean(a.Title), clean(a.Summary), clean(a.Body), clean(commentText(a)), pub})
		for facet, vals := range facetValues(a) {
			for _, v := range vals {
				tags = append(tags, []any{a.ID, facet, v})
			}
		}
		if len(docs) >= 2000 {
			return flush()
		}
		return nil
	})
	if err == nil {
		err = flush()
	}
	if err != nil {
		return st, err
	}
	for _, s := range []string{
		`CREATE INDEX docs_tsv ON docs USING GIN (tsv)`,
		`CREATE INDEX docs_pub ON docs (published DESC, id)`,
		`CREATE INDEX tags_fv ON tags (facet, value, doc)`,
		`CREATE INDEX tags_doc ON tags (doc, facet)`,
		`VACUUM ANALYZE`,
		`CHECKPOINT`,
	} {
		if _, err := conn.Exec(ctx, s); err != nil {
			return st, fmt.Errorf("postgres: %s: %w", s, err)
		}
	}
	st.Seconds = since(start)
	st.DiskBytes = dirSize(c.data)
	return st, nil
}

// clean drops NUL bytes, which PostgreSQL text cannot hold.
func clean(s string) string { return strings.ReplaceAll(s, "\x00", "") }

func (p *postgresPeer) open(ctx context.Context, dir string) error {
	c, err := startCluster(ctx, dir, false)
	if err != nil {
		return err
	}
	p.cluster = c
	cfg, err := pgxpool.ParseConfig(c.dsn())
	if err != nil {
		return err
	}
	cfg.MaxConns = 4
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return fmt.Errorf("postgres: pool: %w", err)
	}
	p.pool = pool
	return pool.Ping(ctx)
}

func (p *postgresPeer) close() error {
	if p.pool != nil {
		p.pool.Close()
	}
	if p.cluster != nil {
		return p.cluster.stop()
	}
	return nil
}

// tsquery is the to_tsquery text of a query, "" for a browse. Words are
// letters only (tokens()), so no tsquery syntax can leak in.
func tsquery(q benchQuery) string {
	join := func(ws []string, op string) string { return strings.Join(ws, op) }
	switch {
	case q.Abbrev != "":
		return strings.ToLower(q.Abbrev) + " | (" + join(tokens(q.Expanded), " <-> ") + ")"
	case len(q.Phrase) > 0:
		return join(q.Phrase, " <-> ")
	case q.Prefix != "":
		return q.Prefix + ":*"
	}
	return join(q.Words, " & ")
}

func pgFilters(q benchQuery, skip string, args *[]any) string {
	var b strings.Builder
	for _, f := range []struct {
		facet string
		vals  []string
	}{{"region", q.Regions}, {"audience", q.Audience}} {
		if len(f.vals) == 0 || f.facet == skip {
			continue
		}
		*args = append(*args, f.facet, f.vals)
		fmt.Fprintf(&b, " AND d.id IN (SELECT doc FROM tags WHERE facet = $%d AND value = ANY($%d))", len(*args)-1, len(*args))
	}
	return b.String()
}

func (p *postgresPeer) query(ctx context.Context, q benchQuery) (queryResult, error) {
	tq := tsquery(q)
	base := func(skip string) (string, []any) {
		var args []any
		where := "TRUE"
		if tq != "" {
			args = append(args, tq)
			where = "d.tsv @@ to_tsquery('english', $1)"
		}
		return `SELECT d.id FROM docs d WHERE ` + where + pgFilters(q, skip, &args), args
	}
	var res queryResult
	sub, args := base("")
	if err := p.pool.QueryRow(ctx, `SELECT count(*) FROM (`+sub+`) s`, args...).Scan(&res.Total); err != nil {
		return res, fmt.Errorf("postgres: count: %w", err)
	}
	var sqlText string
	if tq != "" {
		cols := "d.id"
		if q.Snippets {
			cols += `, ts_headline('english', d.title, query, 'StartSel=<mark>, StopSel=</mark>, HighlightAll=true'),
				ts_headline('english', d.body, query, 'StartSel=<mark>, StopSel=</mark>, MaxFragments=1, MaxWords=35, MinWords=15')`
		}
		sqlText = `SELECT ` + cols + ` FROM (SELECT d.id, d.title, d.body, query, ts_rank_cd('{0.1, 0.2, 0.5, 1.0}', d.tsv, query) AS rank
			FROM docs d, to_tsquery('english', $1) query WHERE d.tsv @@ query` + pgFilters(q, "", &[]any{tq}) +
			` ORDER BY rank DESC, d.id LIMIT ` + itoa(q.Size) + `) d ORDER BY d.rank DESC, d.id`
	} else {
		sqlText = `SELECT d.id FROM docs d WHERE TRUE` + pgFilters(q, "", &[]any{}) + ` ORDER BY d.published DESC NULLS LAST, d.id LIMIT ` + itoa(q.Size)
	}
	rows, err := p.pool.Query(ctx, sqlText, args...)
	if err != nil {
		return res, fmt.Errorf("postgres: search: %w", err)
	}
	for rows.Next() {
		vals, err := rows.Values()
		if err != nil {
			rows.Close()
			return res, err
		}
		res.IDs = append(res.IDs, vals[0].(string))
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return res, fmt.Errorf("postgres: search: %w", err)
	}
	if q.Facets {
		for _, facet := range []string{"region", "audience", "topic", "type", "year"} {
			sub, sargs := base(facet)
			n := len(sargs) + 1
			frows, err := p.pool.Query(ctx, `SELECT t.value, count(*) AS n FROM (`+sub+`) m JOIN tags t ON t.doc = m.id AND t.facet = $`+itoa(n)+` GROUP BY t.value ORDER BY n DESC, t.value LIMIT 10`,
				append(sargs, facet)...)
			if err != nil {
				return res, fmt.Errorf("postgres: facet %s: %w", facet, err)
			}
			for frows.Next() {
			}
			frows.Close()
			if err := frows.Err(); err != nil {
				return res, fmt.Errorf("postgres: facet %s: %w", facet, err)
			}
		}
	}
	return res, nil
}

func (p *postgresPeer) rank(ctx context.Context, text string, k int) ([]string, error) {
	words := tokens(text)
	if len(words) == 0 {
		return nil, nil
	}
	rows, err := p.pool.Query(ctx, `SELECT d.id FROM docs d, to_tsquery('english', $1) query WHERE d.tsv @@ query
		ORDER BY ts_rank_cd('{0.1, 0.2, 0.5, 1.0}', d.tsv, query) DESC, d.id LIMIT $2`, strings.Join(words, " | "), k)
	if err != nil {
		return nil, fmt.Errorf("postgres: rank: %w", err)
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

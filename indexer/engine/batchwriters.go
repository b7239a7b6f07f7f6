package engine

// This file executes the batches of Fill in a few goroutines at once.
// Bleve's scorch Batch first analyzes the batch's documents on its analysis
// workers, then builds the in-memory zap segment serially in the calling
// goroutine while those workers idle. With two batches executing at once,
// one builds its segment while the other's documents are analyzed.

import (
	"context"
	"fmt"
	"sync"

	"github.com/blevesearch/bleve/v2"
)

// batchWriterCount is how many batches execute at once. It also bounds the
// batches in memory: batchWriterCount in all, counting the one being filled
// (see batchWriters). Two are enough for one batch's segment building to
// overlap the other's analysis.
const batchWriterCount = 2

// batchWriters executes batches in n goroutines. Batches come from a pool
// of n: get waits while all n are filled or executing, which bounds memory.
// The first error (of a batch, or given to fail) wins: later batches are
// not executed, get and put return it, and close reports it.
type batchWriters struct {
	ctx  context.Context
	idx  bleve.Index
	free chan *bleve.Batch // empty batches; n in all with those in flight
	work chan filledBatch
	stop chan struct{} // closed by the first error
	wg   sync.WaitGroup

	mu    sync.Mutex
	err   error // the first error
	total int   // documents of the batches executed
}

// filledBatch is a batch handed to the writers with its document count.
type filledBatch struct {
	b    *bleve.Batch
	docs int
}

// newBatchWriters starts n writers executing batches on idx; they check ctx
// before each batch. close must be called.
func newBatchWriters(ctx context.Context, idx bleve.Index, n int) *batchWriters {
	n = max(n, 1)
	w := &batchWriters{
		ctx:  ctx,
		idx:  idx,
		free: make(chan *bleve.Batch, n),
		work: make(chan filledBatch),
		stop: make(chan struct{}),
	}
	for range n {
		w.free <- idx.NewBatch()
		w.wg.Add(1)
		go w.run()
	}
	return w
}

func (w *batchWriters) run() {
	defer w.wg.Done()
	for fb := range w.work {
		if w.failed() == nil {
			w.execute(fb)
		}
		fb.b.Reset()
		select {
		case w.free <- fb.b:
		default: // not a batch of the pool: the pool is full
		}
	}
}

func (w *batchWriters) execute(fb filledBatch) {
	if err := w.ctx.Err(); err != nil {
		w.fail(fmt.Errorf("indexer: fill index: %w", err))
		return
	}
	if err := Safely(func() error { return w.idx.Batch(fb.b) }); err != nil {
		w.fail(fmt.Errorf("indexer: index batch of %d: %w", fb.docs, err))
		return
	}
	w.mu.Lock()
	w.total += fb.docs
	w.mu.Unlock()
}

// get returns an empty batch, waiting while all are in flight, or the first
// error.
func (w *batchWriters) get() (*bleve.Batch, error) {
	select {
	case <-w.stop:
		return nil, w.failed()
	case b := <-w.free:
		if err := w.failed(); err != nil {
			return nil, err
		}
		return b, nil
	}
}

// put hands a filled batch of docs documents to a writer, waiting for a
// free one, or returns the first error (the batch is then dropped).
func (w *batchWriters) put(b *bleve.Batch, docs int) error {
	if err := w.failed(); err != nil {
		return err
	}
	select {
	case <-w.stop:
		return w.failed()
	case w.work <- filledBatch{b, docs}:
		return nil
	}
}

// fail records err unless an error was recorded before, and stops the
// writers.
func (w *batchWriters) fail(err error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.err == nil {
		w.err = err
		close(w.stop)
	}
}

func (w *batchWriters) failed() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.err
}

// close waits for the batches handed over and stops the writers. It returns
// the documents of the batches executed and the first error.
func (w *batchWriters) close() (int, error) {
	close(w.work)
	w.wg.Wait()
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.total, w.err
}

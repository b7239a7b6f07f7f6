package synthetic

import "math"

// aliasTable draws an index from a fixed discrete distribution in O(1)
// with Vose's alias method: one uniform 64-bit number picks a column (high
// 32 bits) and decides between the column and its alias (low 32 bits).
type aliasTable struct {
	prob  []uint32 // threshold scaled to 2^32
	alias []int32
}

func newAliasTable(weights []float64) aliasTable {
	n := len(weights)
	var total float64
	for _, w := range weights {
		total += w
	}
	scaled := make([]float64, n)
	small := make([]int, 0, n)
	large := make([]int, 0, n)
	for i, w := range weights {
		scaled[i] = w / total * float64(n)
		if scaled[i] < 1 {
			small = append(small, i)
		} else {
			large = append(large, i)
		}
	}
	t := aliasTable{prob: make([]uint32, n), alias: make([]int32, n)}
	for len(small) > 0 && len(large) > 0 {
		s, l := small[len(small)-1], large[len(large)-1]
		small = small[:len(small)-1]
		t.prob[s] = uint32(scaled[s] * (1 << 32))
		t.alias[s] = int32(l)
		scaled[l] -= 1 - scaled[s]
		if scaled[l] < 1 {
			large = large[:len(large)-1]
			small = append(small, l)
		}
	}
	// Whatever is left has probability 1 up to rounding.
	for _, i := range append(small, large...) {
		t.prob[i] = ^uint32(0)
		t.alias[i] = int32(i)
	}
	return t
}

// draw maps one uniform random 64-bit number to an index.
func (t *aliasTable) draw(x uint64) int {
	i := int(((x >> 32) * uint64(len(t.prob))) >> 32)
	if uint32(x) < t.prob[i] {
		return i
	}
	return int(t.alias[i])
}

// zipfWeights returns weights 1/(rank+q)^s for ranks 1..n (Zipf–Mandelbrot).
func zipfWeights(n int, s, q float64) []float64 {
	w := make([]float64, n)
	for i := range w {
		w[i] = math.Pow(float64(i+1)+q, -s)
	}
	return w
}

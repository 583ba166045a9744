package apitest

import "sync"

// Race runs a and b at the same time, as two clients would, and returns their results. Assert
// on the results after it returns: a failed assertion inside a and b would end the wrong
// goroutine.
func Race[T any](a, b func() T) (T, T) {
	var wg sync.WaitGroup
	var ra, rb T
	wg.Add(2)
	go func() { defer wg.Done(); ra = a() }()
	go func() { defer wg.Done(); rb = b() }()
	wg.Wait()
	return ra, rb
}

// Crowd runs fn(0..n-1) at the same time, as n clients would (released together once all are
// ready), and returns their results in order. Assert on them after it returns.
func Crowd[T any](n int, fn func(i int) T) []T {
	out := make([]T, n)
	var ready, done sync.WaitGroup
	start := make(chan struct{})
	ready.Add(n)
	done.Add(n)
	for i := range n {
		go func() {
			defer done.Done()
			ready.Done()
			<-start
			out[i] = fn(i)
		}()
	}
	ready.Wait()
	close(start)
	done.Wait()
	return out
}

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

(import (scheme base) (scheme write) (scheme read) (scheme process-context))
;; size: 36 expected: 14930352
;;; fib: doubly recursive Fibonacci, (fib n) computed by the naive
;;; recursion.  Input: n and the expected value of (fib n).

(define n (read))
(define expected (read))

(define (fib k)
  (if (< k 2)
      k
      (+ (fib (- k 1)) (fib (- k 2)))))

(define result (fib n))

(write result) (newline)
(if (not (equal? result expected)) (begin (display "wrong result") (newline) (exit 1)))

(import (scheme base) (scheme write) (scheme read) (scheme process-context))
;; size: 500000 expected: 124999750000
;;; sum.scm -- fixnum arithmetic in a tight loop: the sum of 0..N-1,
;;; computed 100 times.  The result is the last sum, N(N-1)/2.

(define n (read))
(define expected (read))

(define repeats 100)

(define (sum-below k)
  (do ((i 0 (+ i 1))
       (acc 0 (+ acc i)))
      ((= i k) acc)))

(define (run k times)
  (let loop ((t times) (last 0))
    (if (= t 0)
        last
        (loop (- t 1) (sum-below k)))))

(define result (run n repeats))

(write result) (newline)
(if (not (equal? result expected)) (begin (display "wrong result") (newline) (exit 1)))

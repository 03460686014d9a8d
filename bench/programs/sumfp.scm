(import (scheme base) (scheme write) (scheme read) (scheme process-context))
;; size: 1700000 expected: 14449915000165
;; sumfp: sums the flonums 0.0, 1.0, ..., (m-1).0 for m = n, n-1, ..., n-9.
;; Every sum is exact in binary64 (it stays below 2^53), so each one is
;; compared with the closed form m(m-1)/2 and, when equal, that exact
;; integer is added to the result; a mismatch makes the result 'mismatch.

(define n (read))
(define expected (read))

(define (float-sum m)
  ;; 0.0 + 1.0 + ... + (m-1).0, with a flonum counter and accumulator
  (let ((limit (* 1.0 m)))
    (let loop ((x 0.0) (acc 0.0))
      (if (< x limit)
          (loop (+ x 1.0) (+ acc x))
          acc))))

(define (run reps)
  (let loop ((k 0) (total 0))
    (if (= k reps)
        total
        (let* ((m (- n k))
               (s (float-sum m))
               (exact-sum (quotient (* m (- m 1)) 2)))
          (if (= s (* 0.5 (* 1.0 m) (- (* 1.0 m) 1.0)))
              (loop (+ k 1) (+ total exact-sum))
              'mismatch)))))

(define result (run 10))

(write result) (newline)
(if (not (equal? result expected)) (begin (display "wrong result") (newline) (exit 1)))

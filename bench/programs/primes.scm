(import (scheme base) (scheme write) (scheme read) (scheme process-context))
;; size: 1000000 expected: 78498
;;; primes.scm -- sieve of Eratosthenes on a vector of booleans: count the
;;; primes below N, 12 times over a fresh vector each time.  The result is
;;; the count of the last run (primes below 10^6: 78498).

(define n (read))
(define expected (read))

(define repeats 12)

(define (count-primes-below limit)
  (let ((composite (make-vector limit #f)))
    ;; Strike the multiples of every prime p with p*p < limit.
    (do ((p 2 (+ p 1)))
        ((>= (* p p) limit))
      (if (not (vector-ref composite p))
          (do ((m (* p p) (+ m p)))
              ((>= m limit))
            (vector-set! composite m #t))))
    ;; Count what is left.
    (do ((i 2 (+ i 1))
         (count 0 (if (vector-ref composite i) count (+ count 1))))
        ((>= i limit) count))))

(define (run limit times)
  (let loop ((t times) (last 0))
    (if (= t 0)
        last
        (loop (- t 1) (count-primes-below limit)))))

(define result (run n repeats))

(write result) (newline)
(if (not (equal? result expected)) (begin (display "wrong result") (newline) (exit 1)))

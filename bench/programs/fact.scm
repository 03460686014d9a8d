(import (scheme base) (scheme write) (scheme read) (scheme process-context))
;; size: 20000 expected: (77338 368774859)
;;; fact.scm -- bignum multiplication: compute N! with an iterative loop,
;;; 20 times.  The result is the list of the number of decimal digits of
;;; the last N!, found by repeated quotient by 10^100 and then by 10, and
;;; its remainder modulo the prime 1000000007.

(define n (read))
(define expected (read))

(define repeats 20)

(define (fact k)
  (do ((i 2 (+ i 1))
       (acc 1 (* acc i)))
      ((> i k) acc)))

;; 10^100, the step by which decimal-digits strips digits while the
;; number is long: one bignum quotient per 100 digits keeps the count
;; cheap next to the factorials.
(define ten-to-the-100
  (do ((i 0 (+ i 1))
       (p 1 (* p 10)))
      ((= i 100) p)))

;; The number of decimal digits of the positive integer x.
(define (decimal-digits x)
  (let strip ((x x) (count 0))
    (if (>= x ten-to-the-100)
        (strip (quotient x ten-to-the-100) (+ count 100))
        (do ((x (quotient x 10) (quotient x 10))
             (count (+ count 1) (+ count 1)))
            ((zero? x) count)))))

(define (run k times)
  (let loop ((t times) (last 1))
    (if (= t 0)
        last
        (loop (- t 1) (fact k)))))

(define result
  (let ((f (run n repeats)))
    (list (decimal-digits f) (remainder f 1000000007))))

(write result) (newline)
(if (not (equal? result expected)) (begin (display "wrong result") (newline) (exit 1)))

;;; bench/bignum.scm -- big-integer arithmetic: multiply two 1,000,000-digit
;;; integers, print the 2,000,000-digit product, divide it back, and take
;;; a gcd of two 100,000-digit integers, and read a 300,000-digit one.  Portable R7RS: bench/run.sh runs
;;; it with Pith and with the other Schemes installed and prints the
;;; ratios.  Prints "name seconds" lines and checks its own results.
;;; SPDX-License-Identifier: MIT
(import (scheme base) (scheme write) (scheme time))

(define (seconds thunk)
  (let* ((t0 (current-jiffy)) (v (thunk)) (t1 (current-jiffy)))
    (cons v (/ (- t1 t0) (inexact (jiffies-per-second))))))

(define (report name r)
  (display name) (display " ") (display (cdr r)) (newline)
  (car r))

(define a (- (expt 7 1183463) 1))     ; 1,000,103 digits
(define b (- (expt 3 2095903) 5))     ; 1,000,000 digits
(define c (report "multiply-1M-digits" (seconds (lambda () (* a b)))))
(define s (report "print-2M-digits" (seconds (lambda () (number->string c)))))
(define q (report "divide-2M-by-1M" (seconds (lambda () (quotient c b)))))
(define x (* (- (expt 11 96000) 1) (+ (expt 2 1000) 1)))
(define y (* (- (expt 13 89000) 7) (+ (expt 2 1000) 1)))
(define g (report "gcd-100K-digits" (seconds (lambda () (gcd x y)))))
(define s300 (substring s 0 300000))
(define r (report "read-300K-digits" (seconds (lambda () (string->number s300)))))
(unless (and (= q a) (= r (quotient c (expt 10 (- (string-length s) 300000)))) (= (string-length s) 2000143) (zero? (remainder g (+ (expt 2 1000) 1))))
  (display "WRONG RESULT") (newline)
  (exit 1))

;; Exact integers of every size and exact rationals, compared with Guile
;; (which uses GMP).  A fixed-seed generator makes operands from a few bits
;; up to tens of thousands of digits, so the schoolbook, Karatsuba,
;; divide-and-conquer division and radix-conversion paths all run.  Each
;; line prints a checksum of many results, plus a few results in full.
(import (scheme base) (scheme write) (scheme inexact))

(define seed 12345)
(define (next!)                         ; 61-bit linear congruential generator
  (set! seed (modulo (+ (* seed 6364136223846793005) 1442695040888963407)
                     2305843009213693951))
  seed)
(define (random-int bits)               ; a signed integer of about BITS bits
  (let loop ((n 0) (b 0))
    (if (>= b bits)
        (let ((n (quotient n (expt 2 (- b bits)))))
          (if (odd? (next!)) (- n) n))
        (loop (+ (* n (expt 2 60)) (modulo (next!) (expt 2 60))) (+ b 60)))))
(define (nonzero bits)
  (let ((n (random-int bits))) (if (zero? n) 7 n)))
(define modulus 1000000007)
(define (mix acc x) (modulo (+ (* acc 31) (modulo x modulus)) modulus))
(define (show . xs) (write xs) (newline))

;; Integer operations at a given size, folded into a checksum.
(define (int-round bits count)
  (let loop ((i 0) (acc 0))
    (if (= i count)
        acc
        (let*-values (((a) (random-int bits))
                      ((b) (nonzero (+ 1 (modulo (next!) bits))))
                      ((c) (random-int (quotient bits 2)))
                      ((fq fr) (floor/ a b))
                      ((tq tr) (truncate/ a b))
                      ((s r) (exact-integer-sqrt (abs a))))
          (loop (+ i 1)
                (fold-mix acc
                          (list (+ a b) (- a b) (* a b) (* a c) (- (* a a) (* b b))
                                fq fr tq tr (quotient a b) (remainder a b) (modulo a b)
                                (gcd a b) (lcm a (+ b 1)) s r
                                (string-length (number->string a))
                                (string->number (number->string a 16) 16)
                                (string->number (number->string b 7) 7)
                                (string->number (number->string c 2) 2)
                                (if (< a b) 1 0) (if (= a (+ (- a b) b)) 1 0)
                                (floor (/ a b)) (round (/ a b))
                                (truncate (/ a b)) (ceiling (/ a b)))))))))
(define (fold-mix acc xs)
  (if (null? xs) acc (fold-mix (mix acc (car xs)) (cdr xs))))

(show 'small (int-round 50 300))
(show 'word (int-round 64 300))
(show 'two-words (int-round 130 300))
(show 'medium (int-round 1000 100))
(show 'karatsuba (int-round 4000 30))
(show 'large (int-round 20000 8))
(show 'huge (int-round 100000 2))

;; Rationals: field operations and comparisons.
(define (rat-round bits count)
  (let loop ((i 0) (acc 0))
    (if (= i count)
        acc
        (let* ((p (/ (random-int bits) (nonzero bits)))
               (q (/ (random-int bits) (nonzero (quotient bits 2))))
               (q (if (zero? q) 1/3 q)))
          (loop (+ i 1)
                (fold-mix acc
                          (list (numerator (+ p q)) (denominator (+ p q))
                                (numerator (- p q)) (denominator (* p q))
                                (numerator (/ p q)) (denominator (/ p q))
                                (floor p) (ceiling p) (round p) (truncate p)
                                (if (< p q) 1 0) (if (= p (/ (* p q) q)) 1 0)
                                (numerator (abs p)) (exact (floor (* 1000 (abs p)))))))))))
(show 'rat-small (rat-round 40 200))
(show 'rat-medium (rat-round 300 100))
(show 'rat-large (rat-round 3000 10))

;; Conversion to the nearest double, and back.
(define (float-round bits count)
  (let loop ((i 0) (acc 0))
    (if (= i count)
        acc
        (let* ((a (random-int bits)) (b (nonzero (+ 1 (modulo (next!) bits)))))
          (loop (+ i 1)
                (fold-mix acc (list (exact (inexact a)) (exact (floor (* 1e6 (inexact (/ a b)))))
                                    (exact (round (inexact (/ b a))))
                                    (numerator (exact (inexact (/ a b))))
                                    (denominator (exact (inexact (/ a b)))))))))))
(show 'float-small (float-round 60 300))
(show 'float-mid (float-round 200 300))
(show 'float-big (float-round 1000 100))

;; A few results in full.
(show (expt 3 200) (- (expt 2 127)) (* 99999999999 99999999999 99999999999))
(show (quotient (expt 10 50) 7) (remainder (expt 10 50) 7) (modulo (- (expt 10 50)) 7))
(show (/ (expt 2 70) (expt 6 30)) (+ 1/3 2/7) (* 22/7 7/22) (- 1/2 1/2))
(show (inexact (/ (expt 10 400) (+ (expt 10 399) 1))) (exact 1e300) (exact 0.1))
(show (number->string (expt 7 77) 36) (string->number "-zzzzzzzzzzzzzzzzzzzzzzzz" 36))
(show (gcd (expt 2 100) (expt 6 50)) (lcm (expt 2 70) (expt 3 40)) (abs (- (expt 5 40))))
(show (call-with-values (lambda () (exact-integer-sqrt (expt 10 101))) list))
(show (expt 2/3 20) (expt -2 -5) (expt 0 0) (exact (expt 2 0.5)))
(show (max 1/2 1/3) (min (expt 2 100) (expt 3 60)) (floor -7/2) (round 7/2) (round 5/2))
(show (numerator 6/4) (denominator 6/4) (numerator 0) (denominator 5) (denominator -6/4))
(show (string->number "1/3") (string->number "-12345678901234567890/98765432109876543210")
      (string->number "#x-FF/11") (string->number "1/0"))
;; gcd where Euclid's quotients are all 1 (consecutive Fibonacci numbers),
;; with a large common factor, equal operands, and a multiple.
(define (fib n) (let loop ((a 0) (b 1) (i 0)) (if (= i n) a (loop b (+ a b) (+ i 1)))))
(define k (- (expt 3 333) 2))
(show (gcd (fib 3000) (fib 3001)) (= (gcd (* k (fib 2000)) (* k (fib 2001))) k)
      (= (gcd (* k (fib 2000)) (* k (fib 1000))) (* k (fib 1000))))
(show (gcd k k) (= (gcd (* k 12345) k) k) (gcd (expt 2 5000) (expt 6 3000)) (gcd 0 (- k)))
(show (gcd (- (expt 2 521) 1) (- (expt 2 607) 1)) (gcd (expt 10 300) (+ (expt 10 300) 1)))
(show (lcm (fib 500) (fib 505) (fib 510)) (gcd (* (fib 700) (fib 701)) (* (fib 701) (fib 702))))
;; Division around and above the recursive-division sizes (divisors of 40
;; to 700 limbs), with random and with adversarial operands (long runs of
;; one bits, which make quotient estimates need correcting).
(define (div-round count)
  (let loop ((i 0) (acc 0))
    (if (= i count)
        acc
        (let* ((vbits (+ 2500 (modulo (next!) 42000)))
               (ubits (+ vbits (modulo (next!) (* 2 vbits))))
               (u (random-int ubits)) (v (nonzero vbits)))
          (let-values (((q r) (truncate/ u v)))
            (loop (+ i 1) (fold-mix acc (list q r (if (= u (+ (* q v) r)) 1 0)))))))))
(show 'division (div-round 60))
(define (ones n) (- (expt 2 n) 1))
(show 'adversarial
      (fold-mix 0 (map (lambda (p)
                         (let-values (((q r) (floor/ (car p) (cdr p)))) (+ q (* 7 r))))
                       (list (cons (ones 64000) (ones 20000)) (cons (ones 64000) (+ (expt 2 20000) 1))
                             (cons (expt 2 64000) (ones 19999)) (cons (* (ones 30000) (ones 30000)) (ones 30000))
                             (cons (- (expt 2 50000) (expt 2 25000)) (- (expt 2 25000) (expt 2 64)))
                             (cons (* (+ (expt 2 12800) 3) (- (expt 2 12800) 1)) (+ (expt 2 12800) 3))
                             (cons (ones 100000) (expt 3 20000)) (cons (expt 10 30000) (expt 7 17000))))))
;; Products at Toom-Cook sizes, balanced and not.
(define (mul-round count)
  (let loop ((i 0) (acc 0))
    (if (= i count)
        acc
        (let ((a (random-int (+ 5000 (modulo (next!) 60000))))
              (b (random-int (+ 5000 (modulo (next!) 60000)))))
          (loop (+ i 1) (fold-mix acc (list (* a b) (* a a) (* (ones 40000) b))))))))
(show 'products (mul-round 60))

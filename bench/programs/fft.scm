(import (scheme base) (scheme write) (scheme read) (scheme process-context) (scheme inexact))
;; size: 16384 expected: 163840
;; fft: n (a power of two) complex points x[j] = ((j mod 7) - 3) * 0.25
;; + i * ((j mod 5) - 2) * 0.5, stored as two vectors of flonums.  Ten
;; times: an in-place iterative radix-2 FFT (bit reversal, then butterflies
;; with twiddles from a precomputed cos/sin table), a check of Parseval's
;; identity sum|X|^2 = n * sum|x|^2 to a relative 1e-9, then the inverse
;; FFT scaled by 1/n; the result counts the points that came back within
;; 1e-9 of the input, so it is 10n unless something is wrong (a failed
;; Parseval check makes the result the symbol parseval-failed).

(define n (read))
(define expected (read))

(define reps 10)
(define pi (* 4.0 (atan 1.0)))

(define (make-table n f)
  ;; f(2 pi k / n) for 0 <= k < n/2
  (let* ((half (quotient n 2))
         (v (make-vector half 0.0)))
    (do ((k 0 (+ k 1))) ((= k half) v)
      (vector-set! v k (f (/ (* 2.0 pi (* 1.0 k)) (* 1.0 n)))))))

(define cos-table (make-table n cos))
(define sin-table (make-table n sin))

(define (bit-reverse! re im n)
  (let loop ((i 0) (j 0))
    (when (< i (- n 1))
      (when (< i j)
        (let ((tr (vector-ref re i))
              (ti (vector-ref im i)))
          (vector-set! re i (vector-ref re j))
          (vector-set! im i (vector-ref im j))
          (vector-set! re j tr)
          (vector-set! im j ti)))
      (let carry ((m (quotient n 2)) (j j))
        (if (and (>= m 1) (>= j m))
            (carry (quotient m 2) (- j m))
            (loop (+ i 1) (+ j m)))))))

;; sign -1.0: forward transform (e^{-2 pi i jk/n}); sign 1.0: unscaled inverse
(define (fft! re im n sign)
  (bit-reverse! re im n)
  (let stage ((len 2))
    (when (<= len n)
      (let ((half (quotient len 2))
            (step (quotient n len)))
        (do ((start 0 (+ start len))) ((>= start n))
          (do ((k 0 (+ k 1))) ((= k half))
            (let* ((wr (vector-ref cos-table (* k step)))
                   (wi (* sign (vector-ref sin-table (* k step))))
                   (a (+ start k))
                   (b (+ a half))
                   (br (vector-ref re b))
                   (bi (vector-ref im b))
                   (tr (- (* wr br) (* wi bi)))
                   (ti (+ (* wr bi) (* wi br)))
                   (ar (vector-ref re a))
                   (ai (vector-ref im a)))
              (vector-set! re a (+ ar tr))
              (vector-set! im a (+ ai ti))
              (vector-set! re b (- ar tr))
              (vector-set! im b (- ai ti))))))
      (stage (* len 2)))))

(define (energy re im n)
  (let loop ((i 0) (s 0.0))
    (if (= i n)
        s
        (let ((r (vector-ref re i)) (m (vector-ref im i)))
          (loop (+ i 1) (+ s (+ (* r r) (* m m))))))))

(define x-re (make-vector n 0.0))
(define x-im (make-vector n 0.0))
(do ((j 0 (+ j 1))) ((= j n))
  (vector-set! x-re j (* 0.25 (* 1.0 (- (modulo j 7) 3))))
  (vector-set! x-im j (* 0.5 (* 1.0 (- (modulo j 5) 2)))))
(define x-energy (energy x-re x-im n))

(define (one-round)
  ;; forward + check + inverse; returns the number of points recovered,
  ;; or #f when Parseval's identity does not hold
  (let ((re (make-vector n 0.0))
        (im (make-vector n 0.0))
        (scale (/ 1.0 (* 1.0 n))))
    (do ((j 0 (+ j 1))) ((= j n))
      (vector-set! re j (vector-ref x-re j))
      (vector-set! im j (vector-ref x-im j)))
    (fft! re im n -1.0)
    (let ((e (energy re im n))
          (want (* (* 1.0 n) x-energy)))
      (if (> (abs (- e want)) (* 1e-9 want))
          #f
          (begin
            (fft! re im n 1.0)
            (let loop ((j 0) (count 0))
              (if (= j n)
                  count
                  (let ((dr (- (* scale (vector-ref re j)) (vector-ref x-re j)))
                        (di (- (* scale (vector-ref im j)) (vector-ref x-im j))))
                    (loop (+ j 1)
                          (if (and (< (abs dr) 1e-9) (< (abs di) 1e-9))
                              (+ count 1)
                              count))))))))))

(define result
  (let loop ((r 0) (total 0))
    (if (= r reps)
        total
        (let ((c (one-round)))
          (if c
              (loop (+ r 1) (+ total c))
              'parseval-failed)))))

(write result) (newline)
(if (not (equal? result expected)) (begin (display "wrong result") (newline) (exit 1)))

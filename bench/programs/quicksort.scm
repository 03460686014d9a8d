(import (scheme base) (scheme write) (scheme read) (scheme process-context))
;; size: 80000 expected: (411996512 #t)
;;; quicksort.scm -- in-place quicksort (Hoare partition around the middle
;;; element) of a vector of N pseudo-random integers from the Park-Miller
;;; linear congruential generator, refilled and sorted 10 times.  The sort
;;; recurses on the smaller part and loops on the larger, so its stack
;;; stays logarithmic.  The result is a list: a checksum of the sorted
;;; vectors (the sum of (i+1)*v[i] over every run, modulo 1000000007) and
;;; whether every sorted vector was in order.

(define n (read))
(define expected (read))

(define repeats 10)

;; x(k+1) = 16807 * x(k) mod (2^31 - 1): every product fits a fixnum.
(define seed 20260101)
(define (next-random!)
  (set! seed (modulo (* seed 16807) 2147483647))
  seed)

(define (fill-random! v)
  (do ((i 0 (+ i 1)))
      ((= i (vector-length v)))
    (vector-set! v i (next-random!))))

(define (swap! v i j)
  (let ((t (vector-ref v i)))
    (vector-set! v i (vector-ref v j))
    (vector-set! v j t)))

;; Sorts v[lo..hi], both ends included.  Each partition step scans i up
;; and j down to elements on the wrong side of the pivot value and swaps
;; them; once i and j have crossed, v[lo..j] <= pivot <= v[i..hi].
(define (quicksort! v lo hi)
  (let loop ((lo lo) (hi hi))
    (if (< lo hi)
        (let ((pivot (vector-ref v (quotient (+ lo hi) 2))))
          (let partition ((i lo) (j hi))
            (if (<= i j)
                (let ((i (let scan ((i i))
                           (if (< (vector-ref v i) pivot) (scan (+ i 1)) i)))
                      (j (let scan ((j j))
                           (if (> (vector-ref v j) pivot) (scan (- j 1)) j))))
                  (if (<= i j)
                      (begin (swap! v i j)
                             (partition (+ i 1) (- j 1)))
                      (partition i j)))
                (if (< (- j lo) (- hi i))
                    (begin (quicksort! v lo j) (loop i hi))
                    (begin (quicksort! v i hi) (loop lo j)))))))))

(define (checksum v)
  (do ((i 0 (+ i 1))
       (acc 0 (modulo (+ acc (* (+ i 1) (vector-ref v i))) 1000000007)))
      ((= i (vector-length v)) acc)))

(define (sorted? v)
  (let loop ((i 1))
    (cond ((>= i (vector-length v)) #t)
          ((> (vector-ref v (- i 1)) (vector-ref v i)) #f)
          (else (loop (+ i 1))))))

(define (run size times)
  (let ((v (make-vector size 0)))
    (let loop ((t times) (sum 0) (ok #t))
      (if (= t 0)
          (list sum ok)
          (begin
            (fill-random! v)
            (quicksort! v 0 (- size 1))
            (loop (- t 1)
                  (modulo (+ sum (checksum v)) 1000000007)
                  (and ok (sorted? v))))))))

(define result (run n repeats))

(write result) (newline)
(if (not (equal? result expected)) (begin (display "wrong result") (newline) (exit 1)))

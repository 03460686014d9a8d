(import (scheme base) (scheme write) (scheme read) (scheme process-context))
;; size: 480 expected: 4671569
;; mbrot: for each of the n x n points c = x + iy of the grid with
;; x = -2.0 + i*(2.5/n), y = -1.25 + j*(2.5/n)  (0 <= i, j < n)
;; iterates z <- z^2 + c from z = 0 until |z|^2 > 4.0 or 64 iterations;
;; the result is the total number of iterations over all points.

(define n (read))
(define expected (read))

(define max-iter 64)

(define (count-iterations cr ci)
  ;; number of iterations performed before escape (at most max-iter)
  (let loop ((zr 0.0) (zi 0.0) (k 0))
    (if (= k max-iter)
        k
        (let ((zr2 (* zr zr))
              (zi2 (* zi zi)))
          (if (> (+ zr2 zi2) 4.0)
              k
              (loop (+ (- zr2 zi2) cr)
                    (+ (* 2.0 (* zr zi)) ci)
                    (+ k 1)))))))

(define (mbrot n)
  (let ((step (/ 2.5 (* 1.0 n))))
    (let outer ((j 0) (total 0))
      (if (= j n)
          total
          (let ((ci (+ -1.25 (* step (* 1.0 j)))))
            (let inner ((i 0) (total total))
              (if (= i n)
                  (outer (+ j 1) total)
                  (inner (+ i 1)
                         (+ total
                            (count-iterations (+ -2.0 (* step (* 1.0 i)))
                                              ci))))))))))

(define result (mbrot n))

(write result) (newline)
(if (not (equal? result expected)) (begin (display "wrong result") (newline) (exit 1)))

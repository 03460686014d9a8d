(import (scheme base) (scheme write) (scheme read) (scheme process-context))
;; size: 900 expected: 6300
;;; tak: the Takeuchi function, (tak 18 12 6) = 7, computed n times.
;;; The result is the sum of the n results, 7n.

(define n (read))
(define expected (read))

(define (tak x y z)
  (if (not (< y x))
      z
      (tak (tak (- x 1) y z)
           (tak (- y 1) z x)
           (tak (- z 1) x y))))

(define (run count)
  (let loop ((i 0) (sum 0))
    (if (= i count)
        sum
        (loop (+ i 1) (+ sum (tak 18 12 6))))))

(define result (run n))

(write result) (newline)
(if (not (equal? result expected)) (begin (display "wrong result") (newline) (exit 1)))

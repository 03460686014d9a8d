(import (scheme base) (scheme write) (scheme read) (scheme process-context))
;; size: 400 expected: 2800
;;; cpstak: the Takeuchi function in continuation-passing style, every
;;; intermediate result handed to an explicit closure.  (tak 18 12 6) = 7
;;; is computed n times; the result is the sum of the n results, 7n.

(define n (read))
(define expected (read))

(define (cps-tak x y z k)
  (if (not (< y x))
      (k z)
      (cps-tak (- x 1) y z
               (lambda (a)
                 (cps-tak (- y 1) z x
                          (lambda (b)
                            (cps-tak (- z 1) x y
                                     (lambda (c)
                                       (cps-tak a b c k)))))))))

(define (cpstak x y z)
  (cps-tak x y z (lambda (v) v)))

(define (run count)
  (let loop ((i 0) (sum 0))
    (if (= i count)
        sum
        (loop (+ i 1) (+ sum (cpstak 18 12 6))))))

(define result (run n))

(write result) (newline)
(if (not (equal? result expected)) (begin (display "wrong result") (newline) (exit 1)))

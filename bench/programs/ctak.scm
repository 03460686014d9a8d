(import (scheme base) (scheme write) (scheme read) (scheme process-context))
;; size: 80 expected: 560
;;; ctak: the Takeuchi function where every call returns its value by
;;; invoking a continuation captured with call-with-current-continuation.
;;; (tak 18 12 6) = 7 is computed n times; the result is the sum, 7n.

(define n (read))
(define expected (read))

(define (ctak x y z)
  (call-with-current-continuation
   (lambda (return)
     (ctak-k return x y z))))

(define (ctak-k return x y z)
  (if (not (< y x))
      (return z)
      (call-with-current-continuation
       (lambda (k)
         (ctak-k k
                 (call-with-current-continuation
                  (lambda (k) (ctak-k k (- x 1) y z)))
                 (call-with-current-continuation
                  (lambda (k) (ctak-k k (- y 1) z x)))
                 (call-with-current-continuation
                  (lambda (k) (ctak-k k (- z 1) x y))))))))

(define (run count)
  (let loop ((i 0) (sum 0))
    (if (= i count)
        sum
        (loop (+ i 1) (+ sum (ctak 18 12 6))))))

(define result (run n))

(write result) (newline)
(if (not (equal? result expected)) (begin (display "wrong result") (newline) (exit 1)))

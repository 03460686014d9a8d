(import (scheme base) (scheme write) (scheme read) (scheme process-context))
;; size: 10 expected: 8189
;;; ack: the Ackermann function (ack 3 n) = 2^(n+3) - 3, by the plain
;;; recursive definition.  Recursion depth is about 2^(n+3) frames.

(define n (read))
(define expected (read))

(define (ack m k)
  (cond ((= m 0) (+ k 1))
        ((= k 0) (ack (- m 1) 1))
        (else (ack (- m 1) (ack m (- k 1))))))

(define result (ack 3 n))

(write result) (newline)
(if (not (equal? result expected)) (begin (display "wrong result") (newline) (exit 1)))

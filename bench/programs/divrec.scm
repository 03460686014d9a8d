(import (scheme base) (scheme write) (scheme read) (scheme process-context))
;; size: 1000 expected: 500
;;; divrec.scm -- Gabriel's "div" benchmark, recursive version: halve a
;;; list of N elements (N even) by keeping every other pair, with a
;;; non-tail recursion N/2 deep that conses the kept elements on the way
;;; back; repeated 100000 times on the same list.  The result is the
;;; length of the last halved list, N/2.

(define n (read))
(define expected (read))

(define repeats 100000)

(define (make-list-of-n k)
  (do ((i k (- i 1))
       (acc '() (cons '() acc)))
      ((= i 0) acc)))

(define (recursive-div2 l)
  (if (null? l)
      '()
      (cons (car l) (recursive-div2 (cdr (cdr l))))))

(define (run lst times)
  (let loop ((t times) (last '()))
    (if (= t 0)
        last
        (loop (- t 1) (recursive-div2 lst)))))

(define result (length (run (make-list-of-n n) repeats)))

(write result) (newline)
(if (not (equal? result expected)) (begin (display "wrong result") (newline) (exit 1)))

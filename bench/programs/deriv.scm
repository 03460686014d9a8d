(import (scheme base) (scheme write) (scheme read) (scheme process-context))
;; size: 650000 expected: (+ (* (* 3 x x) (+ (/ 0 3) (/ 1 x) (/ 1 x))) (* (* a x x) (+ (/ 0 a) (/ 1 x) (/ 1 x))) (* (* b x) (+ (/ 0 b) (/ 1 x))) 0)
;;; deriv: symbolic differentiation with respect to x of the fixed
;;; expression 3x^2 + ax^2 + bx + 5, written as a list, done n times.
;;; Products are differentiated as (* p (+ (/ dp1 p1) (/ dp2 p2) ...)),
;;; without simplification.  The result is the last derivative.

(define n (read))
(define expected (read))

(define (second e) (car (cdr e)))
(define (third e) (car (cdr (cdr e))))

(define (deriv e)
  (if (not (pair? e))
      (if (eq? e 'x) 1 0)
      (case (car e)
        ((+) (cons '+ (map deriv (cdr e))))
        ((-) (cons '- (map deriv (cdr e))))
        ((*) (list '*
                   e
                   (cons '+
                         (map (lambda (factor)
                                (list '/ (deriv factor) factor))
                              (cdr e)))))
        ((/) (let ((u (second e)) (v (third e)))
               (list '-
                     (list '/ (deriv u) v)
                     (list '/ u (list '* v v (deriv v))))))
        (else 'unknown-operator))))

(define expression '(+ (* 3 x x) (* a x x) (* b x) 5))

(define (run count)
  (let loop ((i 1) (d (deriv expression)))
    (if (= i count)
        d
        (loop (+ i 1) (deriv expression)))))

(define result (run n))

(write result) (newline)
(if (not (equal? result expected)) (begin (display "wrong result") (newline) (exit 1)))

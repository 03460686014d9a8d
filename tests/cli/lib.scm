;; loaded with -l: defines triple, prints nothing
(define (triple x) (* 3 x))

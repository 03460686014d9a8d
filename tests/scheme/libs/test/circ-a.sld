(define-library (test circ-a) (export a) (import (scheme base) (test circ-b)) (begin (define a 1)))

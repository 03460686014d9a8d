(define-library (test circ-b) (export b) (import (scheme base) (test circ-a)) (begin (define b 2)))

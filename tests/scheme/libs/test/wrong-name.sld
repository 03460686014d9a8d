(define-library (test something-else) (export x) (import (scheme base)) (begin (define x 1)))
